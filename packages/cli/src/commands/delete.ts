import { DeploymentError, ExitCode } from "../errors.js";
import { convergeReporter, formatEvent, stackNameOf } from "./stack.js";
import type { BuiltinCommand } from "./types.js";

export const deleteCommand: BuiltinCommand = {
  name: "delete",
  description: "delete the service's stack",
  needsService: true,
  flags: {},
  async run(ctx) {
    const stackName = stackNameOf(ctx);
    if (ctx.options.noop) {
      ctx.result({ noop: true, stackName }, `noop: would delete stack ${stackName}`);
      return ExitCode.ok;
    }
    const { deleteStack } = await import("@sparta/converge");
    const result = await deleteStack(
      { stackName },
      { reporter: convergeReporter(ctx), ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
    if (result.kind === "failed") {
      ctx.result(result);
      throw new DeploymentError(
        [
          `delete ${stackName} failed${result.message ? `: ${result.message}` : ""}`,
          ...(result.rootCause ?? []).map((e) => `  ${formatEvent(e)}`),
        ].join("\n"),
      );
    }
    ctx.result(
      { kind: result.kind, stackName },
      result.kind === "unchanged"
        ? `${stackName}: no such stack, nothing to delete`
        : `${stackName}: deleted`,
    );
    return ExitCode.ok;
  },
};
