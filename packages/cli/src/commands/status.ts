import { ExitCode } from "../errors.js";
import { functionLogicalIds, pascalId } from "../marshal.js";
import { stackNameOf } from "./stack.js";
import type { BuiltinCommand } from "./types.js";

export const status: BuiltinCommand = {
  name: "status",
  description: "show the stack's status, outputs, function code versions and alarm states",
  needsService: true,
  usesAws: true,
  flags: {},
  examples: ["sparta status", "sparta status --stage prod --format json"],
  async run(ctx) {
    const stackName = stackNameOf(ctx);
    const { describeStack } = await import("@sparta/converge");
    const stack = (await describeStack({ stackName })) as unknown as Record<string, unknown> | undefined;
    if (!stack || stack.exists === false) {
      ctx.result({ stackName, exists: false }, `${stackName}: not deployed`);
      return ExitCode.ok;
    }
    const outputs = (stack.outputs as Record<string, string> | undefined) ?? {};
    // A function's version is its content-addressed code key (the <Fn>CodeKey output of the template).
    const versions = Object.fromEntries(
      ctx.service.functions.flatMap((fn) => {
        const key = outputs[`${pascalId(fn.name)}CodeKey`];
        return key ? [[fn.name, key]] : [];
      }),
    );
    const resources = (stack.resources as { logicalId: string; physicalId?: string }[] | undefined) ?? [];
    const physical = (fn: string) =>
      resources.find((r) => r.logicalId === functionLogicalIds({ name: fn, handler: "" }).function)
        ?.physicalId;
    const { stackAlarmStatuses } = await import("../alarms.js");
    const alarms = await stackAlarmStatuses(outputs, ctx.reporter);
    const { formatAlarmStatuses } = await import("@sparta/operations");
    ctx.result(
      { ...stack, stackName, functionVersions: versions, ...(alarms ? { alarms } : {}) },
      [
        `${stackName}: ${String(stack.status ?? "unknown")}`,
        ...Object.entries(outputs).map(([k, v]) => `  ${k} = ${v}`),
        ...ctx.service.functions.map(
          (fn) =>
            `  function ${fn.name}: ${physical(fn.name) ?? "not deployed"} (code ${versions[fn.name] ?? "unknown"})`,
        ),
        ...(alarms ? ["  alarms:", ...formatAlarmStatuses(alarms).map((l) => `    ${l}`)] : []),
      ].join("\n"),
    );
    return ExitCode.ok;
  },
};
