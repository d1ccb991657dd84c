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
    // a split service's functions (their outputs and physical ids) live in its nested stacks
    const { describeService } = await import("../nested-stacks.js");
    const service = await describeService(stackName);
    const stack = service?.root as unknown as Record<string, unknown> | undefined;
    if (!service || !stack || stack.exists === false) {
      ctx.result({ stackName, exists: false }, `${stackName}: not deployed`);
      return ExitCode.ok;
    }
    const outputs = service.outputs;
    const rootOutputs = (stack.outputs as Record<string, string> | undefined) ?? {};
    // A function's version is its content-addressed code key (the <Fn>CodeKey output of the template).
    const versions = Object.fromEntries(
      ctx.service.functions.flatMap((fn) => {
        const key = outputs[`${pascalId(fn.name)}CodeKey`];
        return key ? [[fn.name, key]] : [];
      }),
    );
    const resources = service.resources;
    const physical = (fn: string) =>
      resources.find((r) => r.logicalId === functionLogicalIds({ name: fn, handler: "" }).function)
        ?.physicalId;
    const { stackAlarmStatuses } = await import("../alarms.js");
    const alarms = await stackAlarmStatuses(outputs, ctx.reporter);
    const { formatAlarmStatuses } = await import("@sparta/operations");
    ctx.result(
      {
        ...stack,
        stackName,
        functionVersions: versions,
        ...(alarms ? { alarms } : {}),
        ...(service.nested.length ? { nestedStacks: service.nested } : {}),
      },
      [
        `${stackName}: ${String(stack.status ?? "unknown")}`,
        ...Object.entries(rootOutputs).map(([k, v]) => `  ${k} = ${v}`),
        ...(service.nested.length
          ? [`  nested stacks: ${service.nested.length} (${nestedStatuses(service.nested)})`]
          : []),
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

/** `120 UPDATE_COMPLETE` or `119 UPDATE_COMPLETE, 1 UPDATE_ROLLBACK_COMPLETE`. */
function nestedStatuses(nested: { status: string }[]): string {
  const count = new Map<string, number>();
  for (const n of nested) count.set(n.status, (count.get(n.status) ?? 0) + 1);
  return [...count].map(([status, n]) => `${n} ${status}`).join(", ");
}
