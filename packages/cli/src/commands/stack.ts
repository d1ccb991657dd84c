import type { CommandContext, CommandFlag } from "../service.js";
import { TOOLKIT_STACK } from "../toolkit.js";
import type { BuiltinContext } from "./types.js";

// What the commands that act on the service's deployed stack share: its name, and how its events are printed.

/** The stack the command acts on: `--stack-name`, else `<service>-<stage>` with a stage, else the service's name. */
export function stackNameOf(ctx: CommandContext): string {
  return ctx.stackName;
}

export function formatEvent(e: {
  timestamp: string;
  logicalId: string;
  resourceType: string;
  status: string;
  reason?: string;
}) {
  return `${e.timestamp.slice(11, 19)}  ${e.status.padEnd(20)} ${e.resourceType.padEnd(32)} ${e.logicalId}${
    e.reason ? `  ${e.reason}` : ""
  }`;
}

export function convergeReporter(ctx: BuiltinContext) {
  return {
    event: (e: Parameters<typeof formatEvent>[0]) => ctx.reporter.event(formatEvent(e)),
    progress: (p: { done: number; total: number; stackName: string }) =>
      ctx.reporter.progress(`${p.stackName}: ${p.done}/${p.total} resources`),
    info: (m: string) => ctx.reporter.info(m),
    warn: (m: string) => ctx.reporter.warn(m),
  };
}

/** `--toolkit-stack-name`, of bootstrap and provision. */
export const TOOLKIT_STACK_FLAG: CommandFlag = {
  type: "string",
  valueName: "NAME",
  description: `the stack holding the deployment bucket (default ${TOOLKIT_STACK})`,
};
