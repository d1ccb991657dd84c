import { ExitCode } from "../errors.js";
import { cliVersion } from "../version.js";
import type { BuiltinCommand } from "./types.js";

export const version: BuiltinCommand = {
  name: "version",
  description: "print the sparta version",
  needsService: false,
  flags: {},
  examples: ["sparta --version", "sparta version --format json"],
  async run(ctx) {
    ctx.result(
      { version: cliVersion(), node: process.version },
      `sparta ${cliVersion()} (node ${process.version})`,
    );
    return ExitCode.ok;
  },
};
