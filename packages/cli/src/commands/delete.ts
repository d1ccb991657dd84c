import { DeploymentError, ExitCode, InterruptedError, UsageError } from "../errors.js";
import { setInterruptNotes } from "../interrupt.js";
import { convergeReporter, formatEvent, stackNameOf } from "./stack.js";
import type { BuiltinCommand } from "./types.js";

/** `arn:aws:cloudformation:eu-west-1:123456789012:stack/hello/...` -> account and region, when it is such an ARN. */
function whereOf(stackId: string | undefined): string {
  const m = /^arn:[^:]+:cloudformation:([^:]+):(\d+):/.exec(stackId ?? "");
  return m ? ` in account ${m[2]}, region ${m[1]}` : "";
}

export const deleteCommand: BuiltinCommand = {
  name: "delete",
  description:
    "delete the service's stack and everything in it (asks first; --yes for scripts). A bucket that still holds objects makes CloudFormation fail the delete",
  needsService: true,
  usesAws: true,
  flags: {
    yes: {
      type: "boolean",
      short: "y",
      description: "delete without asking (needed when stdin is not a terminal, e.g. in CI)",
    },
  },
  examples: [
    "sparta delete                  # asks first: Delete stack hello (12 resources) ...? [y/N]",
    "sparta delete --stage dev --yes",
  ],
  async run(ctx) {
    const stackName = stackNameOf(ctx);
    if (ctx.options.noop) {
      ctx.result({ noop: true, stackName }, `noop: would delete stack ${stackName}`);
      return ExitCode.ok;
    }
    const { deleteStack, describeStack } = await import("@sparta/converge");
    const stack = await describeStack({ stackName });
    if (!stack) {
      ctx.result({ kind: "unchanged", stackName }, `${stackName}: no such stack, nothing to delete`);
      return ExitCode.ok;
    }
    if (ctx.flags.yes !== true) {
      const question = `Delete stack ${stackName} (${stack.resources.length} resources)${whereOf(stack.stackId)}? [y/N] `;
      if (!ctx.interactive)
        throw new UsageError(
          `sparta delete: refusing to delete stack ${stackName}${whereOf(stack.stackId)} without a yes: stdin is not a terminal, so no one can answer. Pass --yes to delete it (sparta delete --yes)`,
        );
      const answer = await ctx.ask(question);
      if (!/^\s*y(es)?\s*$/i.test(answer)) {
        ctx.result({ kind: "declined", stackName }, `${stackName}: not deleted`);
        return ExitCode.ok;
      }
    }
    setInterruptNotes({
      first: `Ctrl-C: stopping; stack ${stackName} keeps being deleted by CloudFormation (Ctrl-C again to exit at once)`,
      second: `Ctrl-C again: exited at once; CloudFormation carries on deleting stack ${stackName} (\`sparta status\` follows it)`,
    });
    const result = await deleteStack(
      { stackName },
      { reporter: convergeReporter(ctx), ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
    if (result.kind === "failed" && /^Interrupted/.test(result.message ?? "")) {
      // Stopped waiting before the outcome was known: CloudFormation carries on (the message says).
      ctx.result({ kind: "interrupted", stackName, message: result.message });
      throw new InterruptedError(result.message!);
    }
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
