import { ALARM_OUTPUT_PREFIX, ROLLBACK_ALARM_OUTPUT } from "./alarms.js";
import type { TemplateJson } from "./cfn.js";

/** A deployed stack's outputs: `{ key: value }` (converge's shape) or CloudFormation's `[{ OutputKey, OutputValue }]`. */
export type StackOutputs = Record<string, string> | readonly { OutputKey?: string; OutputValue?: string }[];

function entries(outputs: StackOutputs): [string, string][] {
  if (Array.isArray(outputs)) {
    return (outputs as { OutputKey?: string; OutputValue?: string }[])
      .filter((o) => o.OutputKey !== undefined && o.OutputValue !== undefined)
      .map((o) => [o.OutputKey!, o.OutputValue!]);
  }
  return Object.entries(outputs as Record<string, string>);
}

/** CloudFormation's limit on rollback triggers per stack operation. */
export const MAX_ROLLBACK_TRIGGERS = 5;

/** A CloudFormation rollback trigger. */
export interface RollbackTrigger {
  Arn: string;
  Type: "AWS::CloudWatch::Alarm" | "AWS::CloudWatch::CompositeAlarm";
}

/**
 * The rollback triggers for the next `provision`: the composite alarm `alarms()` put in the DEPLOYED stack
 * (output `SpartaRollbackAlarmArn`), in ALARM whenever any function alarm is, so one trigger covers every
 * function despite CloudFormation's limit of 5. Pass the template about to be deployed as `next`: a trigger the
 * deploy would delete is left out, because CloudFormation fails an operation whose trigger is missing.
 *
 * On a first create there is no deployed stack, hence no alarm yet and no trigger: the alarms a deploy creates
 * protect the deploys after it.
 * @example createChangeSet({ ..., RollbackConfiguration: { RollbackTriggers: rollbackTriggersFrom(stack.outputs, template), MonitoringTimeInMinutes: 5 } })
 */
export function rollbackTriggersFrom(
  outputs: StackOutputs | undefined,
  next?: TemplateJson,
): RollbackTrigger[] {
  if (outputs === undefined) return [];
  if (next !== undefined && next.Outputs?.[ROLLBACK_ALARM_OUTPUT] === undefined) return [];
  const arn = entries(outputs).find(([k]) => k === ROLLBACK_ALARM_OUTPUT)?.[1];
  return arn?.startsWith("arn:") ? [{ Arn: arn, Type: "AWS::CloudWatch::CompositeAlarm" }] : [];
}

// Error rates of functions, then 5xx rates of APIs (what users see), then throttles and duration.
const PRIORITY = ["ErrorRate", "5xx", "Throttles", "Duration"];

/**
 * Alarm ARNs for converge's `rollbackAlarms` (which types every trigger `AWS::CloudWatch::Alarm`): the function
 * and API metric alarms of the DEPLOYED stack that `next` still has, at most 5 (CloudFormation's limit), error-rate
 * alarms first, then API 5xx, then throttles, then duration; `omitted` counts what did not fit. Prefer `rollbackTriggersFrom` (one
 * composite alarm covering all) once the caller can set a trigger's type.
 *
 * Empty on a first create (no deployed stack, no alarm yet): the alarms a deploy creates protect the next ones.
 * @example const { arns } = rollbackAlarmsFrom(current?.outputs, template); converge({ ...input, rollbackAlarms: arns, monitoringTimeMinutes: 5 })
 */
export function rollbackAlarmsFrom(
  outputs: StackOutputs | undefined,
  next?: TemplateJson,
): { arns: string[]; omitted: number } {
  if (outputs === undefined) return { arns: [], omitted: 0 };
  const keep = next === undefined ? undefined : new Set(Object.keys(next.Outputs ?? {}));
  const rank = (key: string) => PRIORITY.findIndex((p) => key.endsWith(p));
  const candidates = entries(outputs)
    .filter(([k, v]) => k.startsWith(ALARM_OUTPUT_PREFIX) && v.startsWith("arn:") && (keep?.has(k) ?? true))
    .sort(([a], [b]) => rank(a) - rank(b));
  const arns = [...new Set(candidates.map(([, v]) => v))];
  return {
    arns: arns.slice(0, MAX_ROLLBACK_TRIGGERS),
    omitted: Math.max(0, arns.length - MAX_ROLLBACK_TRIGGERS),
  };
}

/**
 * The ARNs of every function and API alarm of a deployed stack (outputs `SpartaAlarm<Function><Kind>`,
 * `SpartaAlarm<Api>5xx`), for
 * `sparta status` and the promotion gate.
 */
export function alarmArnsFrom(outputs: StackOutputs | undefined): string[] {
  if (outputs === undefined) return [];
  return entries(outputs)
    .filter(([k, v]) => k.startsWith(ALARM_OUTPUT_PREFIX) && v.startsWith("arn:"))
    .map(([, v]) => v);
}

/** `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:my-alarm` -> `my-alarm`. */
export function alarmNameFromArn(arn: string): string {
  const i = arn.indexOf(":alarm:");
  return i === -1 ? arn : arn.slice(i + ":alarm:".length);
}

/**
 * The CloudWatch `DescribeAlarms` requests (`@aws-sdk/client-cloudwatch` `DescribeAlarmsCommand` inputs) that
 * fetch the states of these alarms: names in batches of 100 (the API's limit), metric alarms only.
 */
export function describeAlarmsRequests(
  alarmArns: readonly string[],
): { AlarmNames: string[]; AlarmTypes: ["MetricAlarm"]; MaxRecords: number }[] {
  const names = [...new Set(alarmArns.map(alarmNameFromArn))];
  const out: { AlarmNames: string[]; AlarmTypes: ["MetricAlarm"]; MaxRecords: number }[] = [];
  for (let i = 0; i < names.length; i += 100) {
    out.push({ AlarmNames: names.slice(i, i + 100), AlarmTypes: ["MetricAlarm"], MaxRecords: 100 });
  }
  return out;
}

/** A metric alarm as `DescribeAlarms` returns it (only the fields used here). */
export interface DescribedAlarm {
  AlarmName?: string;
  AlarmArn?: string;
  StateValue?: string;
  StateReason?: string;
  StateUpdatedTimestamp?: Date | string;
}

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA" | "MISSING";

export interface AlarmStatus {
  name: string;
  state: AlarmState;
  reason?: string;
  /** ISO-8601. */
  since?: string;
}

/**
 * Alarm states for `sparta status`, in the order of `alarmArns`; an alarm `DescribeAlarms` did not return
 * (deleted by hand, or not yet created) is `MISSING`.
 */
export function alarmStatuses(
  alarmArns: readonly string[],
  described: readonly DescribedAlarm[],
): AlarmStatus[] {
  const byName = new Map(described.filter((a) => a.AlarmName !== undefined).map((a) => [a.AlarmName!, a]));
  return alarmArns.map((arn) => {
    const name = alarmNameFromArn(arn);
    const a = byName.get(name);
    if (a === undefined) return { name, state: "MISSING" };
    const state =
      (["OK", "ALARM", "INSUFFICIENT_DATA"] as const).find((s) => s === a.StateValue) ?? "MISSING";
    const since =
      a.StateUpdatedTimestamp === undefined ? undefined : new Date(a.StateUpdatedTimestamp).toISOString();
    return {
      name,
      state,
      ...(a.StateReason === undefined ? {} : { reason: a.StateReason }),
      ...(since === undefined ? {} : { since }),
    };
  });
}

/** The promotion gate's verdict: promote, or hold with the alarms that say why. */
export type GateResult =
  | { kind: "pass"; checked: number }
  | { kind: "blocked"; checked: number; alarms: AlarmStatus[] };

/**
 * Whether a stage may be promoted to the next: blocked while any alarm is in `ALARM` (or `MISSING`, when
 * `missing: "block"`). `INSUFFICIENT_DATA` passes: a stage with no traffic has no data, not a problem.
 */
export function promotionGate(
  statuses: readonly AlarmStatus[],
  options: { missing?: "block" | "pass" } = {},
): GateResult {
  const failing = statuses.filter(
    (s) => s.state === "ALARM" || (s.state === "MISSING" && options.missing === "block"),
  );
  return failing.length === 0
    ? { kind: "pass", checked: statuses.length }
    : { kind: "blocked", checked: statuses.length, alarms: failing };
}

/** The one CloudWatch call these helpers need, shaped like `@aws-sdk/client-cloudwatch`'s `DescribeAlarms`. */
export interface AlarmsClient {
  describeAlarms(input: {
    AlarmNames: string[];
    AlarmTypes: ["MetricAlarm"];
    MaxRecords: number;
    NextToken?: string;
  }): Promise<{ MetricAlarms?: DescribedAlarm[]; NextToken?: string }>;
}

/**
 * The states of every function alarm of a deployed stack, for `sparta status`: one `DescribeAlarms` call per 100
 * alarms (following `NextToken`). The client is injected, so this package needs no AWS SDK.
 * @example
 * const cw = new CloudWatchClient({ region });
 * const statuses = await readAlarmStatuses({ describeAlarms: (i) => cw.send(new DescribeAlarmsCommand(i)) }, stack.outputs);
 */
export async function readAlarmStatuses(
  client: AlarmsClient,
  outputs: StackOutputs | undefined,
): Promise<AlarmStatus[]> {
  const arns = alarmArnsFrom(outputs);
  const described: DescribedAlarm[] = [];
  for (const request of describeAlarmsRequests(arns)) {
    let NextToken: string | undefined;
    do {
      const page = await client.describeAlarms(NextToken === undefined ? request : { ...request, NextToken });
      described.push(...(page.MetricAlarms ?? []));
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
  }
  return alarmStatuses(arns, described);
}

/**
 * The promotion gate between pipeline stages: reads the alarms of the stage's deployed stack and says whether the
 * next stage may be deployed. A stack without alarms (feature off) passes with `checked: 0`.
 * @example if ((await checkPromotionGate(client, stage.outputs)).kind === "blocked") process.exitCode = 1;
 */
export async function checkPromotionGate(
  client: AlarmsClient,
  outputs: StackOutputs | undefined,
  options: { missing?: "block" | "pass" } = {},
): Promise<GateResult> {
  return promotionGate(await readAlarmStatuses(client, outputs), options);
}

/** One line per alarm for a terminal: `ALARM              shop-ApiFunctionErrorRateAlarm-1 (since ...): reason`. */
export function formatAlarmStatuses(statuses: readonly AlarmStatus[]): string[] {
  return statuses.map(
    (s) =>
      `${s.state.padEnd(18)} ${s.name}${s.since === undefined ? "" : ` (since ${s.since})`}${
        s.reason === undefined || s.state === "OK" ? "" : `: ${s.reason}`
      }`,
  );
}
