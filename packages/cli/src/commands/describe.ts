import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { renderDescribeHtml } from "../describe.js";
import { ExitCode } from "../errors.js";
import type { BuiltinCommand } from "./types.js";

export const describe: BuiltinCommand = {
  name: "describe",
  description: "build the service and write a self-contained HTML report (--out FILE)",
  needsService: true,
  flags: {
    out: { type: "string", valueName: "FILE", description: "report file (default .sparta/describe.html)" },
  },
  examples: ["sparta describe", "sparta describe --stage prod --out prod.html"],
  async run(ctx) {
    const build = await ctx.build();
    const out = resolve(
      ctx.loaded.serviceDir,
      (ctx.flags.out as string | undefined) ?? ".sparta/describe.html",
    );
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, renderDescribeHtml(ctx.service, build));
    ctx.result({ report: out, stackName: build.stackName }, `wrote ${out}`);
    return ExitCode.ok;
  },
};
