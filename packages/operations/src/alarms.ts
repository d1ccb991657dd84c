import {
  asTemplate,
  type FunctionInfo,
  findFunctions,
  findHttpApis,
  findRestApis,
  getAtt,
  markOf,
  type OperationsReporter,
  putOutput,
  putResource,
  ref,
  removeFeature,
  sub,
  type Template,
  type TemplateJson,
  unknownFunction,
  warnOverLimits,
  withCondition,
} from "./cfn.js";
import { refreshDashboard } from "./dashboard.js";
import { InvalidOptionError, UnknownApiError } from "./errors.js";
import { linkDeploymentGroupAlarms } from "./links.js";

/** How long and how often a condition must hold before the alarm fires. */
export interface AlarmWindow {
  /** Seconds per data point: 10, 20, 30 or a multiple of 60. Default 60. */
  periodSeconds?: number;
  /** Data points looked at. Default 3. */
  evaluationPeriods?: number;
  /** Of those, how many must breach. Default 2. */
  datapointsToAlarm?: number;
}

/** Errors / invocations, in percent, through CloudWatch metric math. */
export interface ErrorRateAlarmOptions extends AlarmWindow {
  /** Fires when the error rate is at or above this percentage. Default 5. */
  thresholdPercent?: number;
}

/** Throttled invocations (sum per period). */
export interface ThrottlesAlarmOptions extends AlarmWindow {
  /** Fires when at least this many invocations are throttled in a period. Default 1. */
  threshold?: number;
}

/** p99 duration approaching the function's timeout. */
export interface DurationAlarmOptions extends AlarmWindow {
  /** Fires when p99 duration exceeds this percentage of the function's `Timeout`. Default 80. */
  percentOfTimeout?: number;
  /** Absolute threshold in milliseconds; wins over `percentOfTimeout` (needed when `Timeout` is an intrinsic). */
  thresholdMs?: number;
}

/** Which alarms one function gets; `false` turns one off. */
export interface FunctionAlarmOptions {
  errorRate?: ErrorRateAlarmOptions | false;
  throttles?: ThrottlesAlarmOptions | false;
  duration?: DurationAlarmOptions | false;
}

/** Server errors / requests of an API, in percent, through CloudWatch metric math. */
export interface Api5xxAlarmOptions extends AlarmWindow {
  /** Fires when the share of requests answered with a 5xx is at or above this percentage. Default 5. */
  thresholdPercent?: number;
}

/** Which alarms one API (HTTP or REST) gets; `false` turns one off. */
export interface ApiAlarmOptions {
  api5xx?: Api5xxAlarmOptions | false;
}

export interface AlarmsOptions extends FunctionAlarmOptions, ApiAlarmOptions {
  /** Per-function overrides by function logical id, merged over the defaults above; `false` = no alarms. */
  functions?: { [functionLogicalId: string]: FunctionAlarmOptions | false };
  /** Per-API overrides by the logical id of an HTTP or REST API, merged over `api5xx`; `false` = no alarm. */
  apis?: { [apiLogicalId: string]: ApiAlarmOptions | false };
  /** ARNs (strings or intrinsics) of SNS topics told when an alarm fires and when it recovers. */
  notify?: unknown[];
  reporter?: OperationsReporter;
}

export type FunctionAlarmKind = "errorRate" | "throttles" | "duration";
export type AlarmKind = FunctionAlarmKind | "api5xx";

/** An alarm this package added to a template. */
export type AlarmInfo = FunctionAlarmInfo | ApiAlarmInfo;

export interface FunctionAlarmInfo {
  logicalId: string;
  /** Logical id of the function it watches. */
  function: string;
  kind: FunctionAlarmKind;
  /** The stack output that carries the alarm's ARN once deployed. */
  outputKey: string;
}

export interface ApiAlarmInfo {
  logicalId: string;
  /** Logical id of the HTTP API (`AWS::ApiGatewayV2::Api`) or REST API (`AWS::ApiGateway::RestApi`) it watches. */
  api: string;
  kind: "api5xx";
  /** The stack output that carries the alarm's ARN once deployed. */
  outputKey: string;
}

/** Stack outputs whose key starts with this carry one alarm ARN each. */
export const ALARM_OUTPUT_PREFIX = "SpartaAlarm";
/** Logical id of the composite alarm that is in ALARM when any function or API alarm is: the stack's rollback trigger. */
export const ROLLBACK_ALARM_ID = "SpartaRollbackAlarm";
/** Stack output carrying the composite alarm's ARN. */
export const ROLLBACK_ALARM_OUTPUT = "SpartaRollbackAlarmArn";

const KINDS: readonly FunctionAlarmKind[] = ["errorRate", "throttles", "duration"];
const SUFFIX: Record<AlarmKind, string> = {
  errorRate: "ErrorRate",
  throttles: "Throttles",
  duration: "Duration",
  api5xx: "5xx",
};

/** Logical id of the function or API an alarm watches. */
const watched = (a: AlarmInfo) => (a.kind === "api5xx" ? a.api : a.function);
const WINDOW = { periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 2 };

/**
 * Alarm names are `<stack>-<Function>-<Kind>` (`<stack>-<Api>-5xx` for an API), so a pipeline can name a stage's
 * alarms before they exist, and a deploy role scoped to `alarm:<stack>-*` may manage them.
 */
function alarmNameTemplate(logicalId: string, kind: AlarmKind): string {
  return "${AWS::StackName}-" + logicalId + "-" + SUFFIX[kind];
}

const ROLLBACK_ALARM_NAME = "${AWS::StackName}-rollback";
/** CloudWatch: an alarm rule names at most 100 alarms. */
const MAX_RULE_ALARMS = 100;
/** Composite alarms the rollback alarm is split into past 100 alarms: 16 of them hold 1,600 alarms, ~530 functions. */
const ROLLBACK_PARTS = 16;

/** FNV-1a: a stable 32-bit hash of a logical id (which part of the rollback alarm holds its alarms). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The names the function and API alarms of `template` get in the stack `stackName` (`<stack>-<Function>-<Kind>`,
 * `<stack>-<Api>-5xx`), e.g. for a pipeline stage's promotion gate. Alarms under a `Condition` are left out: they
 * may not exist.
 * @example alarmNamesFor(template, "hello-prod") // ["hello-prod-HelloFunction-ErrorRate", ..., "hello-prod-HttpApi-5xx"]
 */
export function alarmNamesFor(template: TemplateJson, stackName: string): string[] {
  const t = asTemplate(template);
  return alarmsIn(template)
    .filter((a) => t.Resources[a.logicalId]?.Condition === undefined)
    .map((a) => alarmNameTemplate(watched(a), a.kind).replace("${AWS::StackName}", stackName));
}

/** `ApiFunction` + `errorRate` -> `ApiFunctionErrorRateAlarm`; `HttpApi` + `api5xx` -> `HttpApi5xxAlarm`. */
export function alarmLogicalId(logicalId: string, kind: AlarmKind): string {
  return `${logicalId}${SUFFIX[kind]}Alarm`;
}

/** `ApiFunction` + `errorRate` -> `SpartaAlarmApiFunctionErrorRate`; `HttpApi` + `api5xx` -> `SpartaAlarmHttpApi5xx`. */
export function alarmOutputKey(logicalId: string, kind: AlarmKind): string {
  return `${ALARM_OUTPUT_PREFIX}${logicalId}${SUFFIX[kind]}`;
}

/**
 * Adds per-function CloudWatch alarms (error rate, throttles, p99 duration near the timeout), a 5xx-rate alarm per
 * HTTP API and REST API, one composite rollback alarm over them, and one output per alarm carrying its ARN
 * (`SpartaAlarm<Function><Kind>`, `SpartaAlarm<Api>5xx`). Applying it again replaces what it added.
 * If `safeDeploy` ran first, its CodeDeploy deployment groups are pointed at the function alarms.
 * @example addAlarms(template, { errorRate: { thresholdPercent: 1 }, functions: { Worker: { duration: false } }, api5xx: { thresholdPercent: 2 } })
 */
export function addAlarms<T extends TemplateJson>(template: T, options: AlarmsOptions = {}): T {
  const t = asTemplate(template);
  removeFeature(t, "alarms", ALARM_OUTPUT_PREFIX);
  if (t.Outputs !== undefined) delete t.Outputs[ROLLBACK_ALARM_OUTPUT];
  const functions = findFunctions(t);
  const known = functions.map((f) => f.logicalId);
  for (const id of Object.keys(options.functions ?? {})) {
    if (!known.includes(id)) throw unknownFunction(t, id, known, `alarms({ functions: { ${id} } })`);
  }
  for (const fn of functions) {
    const override = options.functions?.[fn.logicalId];
    if (override === false) continue;
    for (const kind of KINDS) {
      const settings = mergeKind(options[kind], override?.[kind]);
      if (settings === false) continue;
      const alarm = buildAlarm(fn, kind, settings, options);
      if (alarm === undefined) continue;
      const id = alarmLogicalId(fn.logicalId, kind);
      putResource(t, id, withCondition(alarm, fn.condition), {
        feature: "alarms",
        function: fn.logicalId,
        kind,
      });
      putOutput(
        t,
        alarmOutputKey(fn.logicalId, kind),
        withCondition(
          {
            Value: getAtt(id, "Arn"),
            Description: `ARN of the ${SUFFIX[kind]} alarm of ${fn.logicalId} (a rollback trigger and promotion gate)`,
          },
          fn.condition,
        ),
      );
    }
  }
  addApiAlarms(t, options);
  addRollbackAlarm(t, options.reporter);
  linkDeploymentGroupAlarms(t);
  refreshDashboard(t, options.reporter);
  warnOverLimits(t, "alarms()", options.reporter);
  return template;
}

/** A 5xx-rate alarm per HTTP API (dimension `ApiId`) and REST API (`ApiName`, plus `Stage` when known). */
function addApiAlarms(t: Template, options: AlarmsOptions): void {
  const http = findHttpApis(t).map((a) => ({ ...a, rest: false as const }));
  const rest = findRestApis(t).map((a) => ({ ...a, rest: true as const }));
  const apis = [...http, ...rest];
  const known = apis.map((a) => a.logicalId);
  for (const id of Object.keys(options.apis ?? {})) {
    if (!known.includes(id)) throw new UnknownApiError(id, known, `alarms({ apis: { ${id} } })`);
  }
  for (const api of apis) {
    const override = options.apis?.[api.logicalId];
    if (override === false) continue;
    const settings = mergeKind(options.api5xx, override?.api5xx);
    if (settings === false) continue;
    let dimensions: { Name: string; Value: unknown }[];
    if (!api.rest) {
      dimensions = [{ Name: "ApiId", Value: ref(api.logicalId) }];
    } else if (api.apiName === undefined) {
      options.reporter?.warn(
        `No 5xx alarm for the REST API ${api.logicalId}: its CloudWatch metrics are filtered by the API's name, ` +
          "and it has no Name property (nor an inline Body with info.title). Give it one, e.g. " +
          `"Name": { "Ref": "AWS::StackName" }, or turn the alarm off with alarms({ apis: { ${api.logicalId}: false } }).`,
      );
      continue;
    } else {
      dimensions = [
        { Name: "ApiName", Value: api.apiName },
        ...(api.stage === undefined ? [] : [{ Name: "Stage", Value: api.stage }]),
      ];
    }
    const where = `alarms(${api.logicalId}).api5xx`;
    const w = checkWindow(settings, where);
    const pct = settings.thresholdPercent ?? 5;
    if (!(pct > 0 && pct <= 100)) {
      throw new InvalidOptionError(`${where}.thresholdPercent must be in (0, 100]; received ${pct}.`);
    }
    // HTTP APIs publish `5xx`; REST APIs `5XXError`, whose requests are counted by the SampleCount of `Count`.
    const stat = (id: string, metricName: string, statistic: string) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: "AWS/ApiGateway", MetricName: metricName, Dimensions: dimensions },
        Period: w.periodSeconds,
        Stat: statistic,
      },
      ReturnData: false,
    });
    const id = alarmLogicalId(api.logicalId, "api5xx");
    const alarm = {
      Type: "AWS::CloudWatch::Alarm",
      Properties: {
        AlarmName: sub(alarmNameTemplate(api.logicalId, "api5xx")),
        AlarmDescription: `${api.logicalId}: 5xx responses at or above ${pct}% of requests`,
        ...alarmCommon(w, options),
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        Threshold: pct,
        Metrics: [
          api.rest ? stat("errors", "5XXError", "Sum") : stat("errors", "5xx", "Sum"),
          api.rest ? stat("requests", "Count", "SampleCount") : stat("requests", "Count", "Sum"),
          {
            Id: "rate",
            Expression: "IF(requests > 0, 100 * errors / requests, 0)",
            Label: "5xx rate (%)",
            ReturnData: true,
          },
        ],
      },
    };
    putResource(t, id, withCondition(alarm, api.condition), {
      feature: "alarms",
      api: api.logicalId,
      kind: "api5xx",
    });
    putOutput(
      t,
      alarmOutputKey(api.logicalId, "api5xx"),
      withCondition(
        {
          Value: getAtt(id, "Arn"),
          Description: `ARN of the 5xx alarm of ${api.logicalId} (a rollback trigger and promotion gate)`,
        },
        api.condition,
      ),
    );
  }
}

/**
 * CloudFormation takes at most 5 rollback triggers, so one composite alarm stands for all function and API alarms.
 * Alarms under a `Condition` stay out of it (a rule cannot name an alarm that may not exist).
 */
function addRollbackAlarm(t: Template, reporter: OperationsReporter | undefined): void {
  const members = alarmsIn(t).filter((a) => t.Resources[a.logicalId]?.Condition === undefined);
  const conditional = alarmsIn(t).length - members.length;
  if (conditional > 0) {
    reporter?.warn(
      `${conditional} alarm(s) of functions or APIs with a Condition are not part of ${ROLLBACK_ALARM_ID}, so they do not roll a deployment back.`,
    );
  }
  if (members.length === 0) return;
  const composite = (name: string, description: string, alarms: string[]) => ({
    Type: "AWS::CloudWatch::CompositeAlarm",
    Properties: {
      AlarmName: sub(name),
      AlarmDescription: description,
      ActionsEnabled: false,
      // By name (the alarms' Ref), the shorter form: an AlarmRule holds at most 10240 characters once substituted.
      AlarmRule: sub(alarms.map((id) => 'ALARM("${' + id + '}")').join(" OR ")),
    },
  });
  let top = members.map((a) => a.logicalId);
  if (members.length > MAX_RULE_ALARMS) {
    // A rule names at most 100 alarms: past that, the alarms go into ROLLBACK_PARTS composite alarms by a hash of
    // what they watch (so adding a function changes one part, never moves the others), and the rollback alarm is
    // in ALARM when any part is.
    const parts = new Map<number, string[]>();
    for (const a of members) {
      const part = fnv1a(watched(a)) % ROLLBACK_PARTS;
      parts.set(part, [...(parts.get(part) ?? []), a.logicalId]);
    }
    top = [];
    for (const [part, alarms] of [...parts].sort(([a], [b]) => a - b)) {
      const id = `${ROLLBACK_ALARM_ID}Part${part}`;
      if (alarms.length > MAX_RULE_ALARMS)
        reporter?.warn(
          `${id} combines ${alarms.length} alarms; a CloudWatch alarm rule names at most ${MAX_RULE_ALARMS}. Turn some alarms off, e.g. alarms({ throttles: false }).`,
        );
      putResource(
        t,
        id,
        composite(
          `\${AWS::StackName}-rollback-${part}`,
          `In ALARM when one of its ${alarms.length} function or API alarms of this stack is (a part of ${ROLLBACK_ALARM_ID})`,
          alarms,
        ),
        { feature: "alarms", kind: "rollbackPart" },
      );
      top.push(id);
    }
  }
  putResource(
    t,
    ROLLBACK_ALARM_ID,
    composite(
      ROLLBACK_ALARM_NAME,
      "In ALARM when any function or API alarm of this stack is: the stack's rollback trigger",
      top,
    ),
    { feature: "alarms", kind: "rollback" },
  );
  putOutput(t, ROLLBACK_ALARM_OUTPUT, {
    Value: getAtt(ROLLBACK_ALARM_ID, "Arn"),
    Description: "Composite alarm to pass to CloudFormation as the rollback trigger of the next deployment",
  });
}

/** The alarms this package added to `template`, in template order. */
export function alarmsIn(template: TemplateJson): AlarmInfo[] {
  const t = asTemplate(template);
  const out: AlarmInfo[] = [];
  for (const [logicalId, r] of Object.entries(t.Resources)) {
    const m = markOf(r);
    if (m?.feature !== "alarms") continue;
    if (m.function !== undefined) {
      const kind = m.kind as FunctionAlarmKind;
      out.push({ logicalId, function: m.function, kind, outputKey: alarmOutputKey(m.function, kind) });
    } else if (m.api !== undefined && m.kind === "api5xx") {
      out.push({ logicalId, api: m.api, kind: "api5xx", outputKey: alarmOutputKey(m.api, "api5xx") });
    }
  }
  return out;
}

function mergeKind<O extends object>(base: O | false | undefined, over: O | false | undefined): O | false {
  if (over === false) return false;
  if (over !== undefined) return { ...(base === false ? {} : base), ...over } as O;
  return base === false ? false : ((base ?? {}) as O);
}

function checkWindow(w: AlarmWindow, where: string): Required<AlarmWindow> {
  const r = { ...WINDOW, ...w };
  const p = r.periodSeconds;
  if (!(p === 10 || p === 20 || p === 30 || (Number.isInteger(p) && p >= 60 && p % 60 === 0))) {
    throw new InvalidOptionError(
      `${where}.periodSeconds must be 10, 20, 30 or a multiple of 60; received ${p}.`,
    );
  }
  if (!Number.isInteger(r.evaluationPeriods) || r.evaluationPeriods < 1) {
    throw new InvalidOptionError(
      `${where}.evaluationPeriods must be a whole number >= 1; received ${r.evaluationPeriods}.`,
    );
  }
  if (p * r.evaluationPeriods > 86_400) {
    throw new InvalidOptionError(
      `${where}: periodSeconds x evaluationPeriods must be at most one day (86400 s); received ${p} x ${r.evaluationPeriods}.`,
    );
  }
  if (
    !Number.isInteger(r.datapointsToAlarm) ||
    r.datapointsToAlarm < 1 ||
    r.datapointsToAlarm > r.evaluationPeriods
  ) {
    throw new InvalidOptionError(
      `${where}.datapointsToAlarm must be between 1 and evaluationPeriods (${r.evaluationPeriods}); received ${r.datapointsToAlarm}.`,
    );
  }
  return r;
}

function lambdaMetric(fn: string, metricName: string) {
  return {
    Namespace: "AWS/Lambda",
    MetricName: metricName,
    Dimensions: [{ Name: "FunctionName", Value: ref(fn) }],
  };
}

function alarmCommon(w: Required<AlarmWindow>, options: AlarmsOptions) {
  return {
    ActionsEnabled: true,
    EvaluationPeriods: w.evaluationPeriods,
    DatapointsToAlarm: w.datapointsToAlarm,
    TreatMissingData: "notBreaching",
    ...(options.notify !== undefined && options.notify.length > 0
      ? { AlarmActions: options.notify, OKActions: options.notify }
      : {}),
  };
}

function buildAlarm(
  fn: FunctionInfo,
  kind: FunctionAlarmKind,
  settings: ErrorRateAlarmOptions | ThrottlesAlarmOptions | DurationAlarmOptions,
  options: AlarmsOptions,
) {
  const where = `alarms(${fn.logicalId}).${kind}`;
  const w = checkWindow(settings, where);
  const common = alarmCommon(w, options);
  if (kind === "errorRate") {
    const pct = (settings as ErrorRateAlarmOptions).thresholdPercent ?? 5;
    if (!(pct > 0 && pct <= 100)) {
      throw new InvalidOptionError(`${where}.thresholdPercent must be in (0, 100]; received ${pct}.`);
    }
    const stat = (id: string, name: string) => ({
      Id: id,
      MetricStat: { Metric: lambdaMetric(fn.logicalId, name), Period: w.periodSeconds, Stat: "Sum" },
      ReturnData: false,
    });
    return {
      Type: "AWS::CloudWatch::Alarm",
      Properties: {
        AlarmName: sub(alarmNameTemplate(fn.logicalId, kind)),
        AlarmDescription: `${fn.logicalId}: error rate at or above ${pct}% of invocations`,
        ...common,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        Threshold: pct,
        Metrics: [
          stat("errors", "Errors"),
          stat("invocations", "Invocations"),
          {
            Id: "errorRate",
            Expression: "IF(invocations > 0, 100 * errors / invocations, 0)",
            Label: "Error rate (%)",
            ReturnData: true,
          },
        ],
      },
    };
  }
  if (kind === "throttles") {
    const n = (settings as ThrottlesAlarmOptions).threshold ?? 1;
    if (!(n >= 1)) throw new InvalidOptionError(`${where}.threshold must be at least 1; received ${n}.`);
    return {
      Type: "AWS::CloudWatch::Alarm",
      Properties: {
        AlarmName: sub(alarmNameTemplate(fn.logicalId, kind)),
        AlarmDescription: `${fn.logicalId}: ${n} or more throttled invocations per ${w.periodSeconds} s`,
        ...common,
        ...lambdaMetric(fn.logicalId, "Throttles"),
        Statistic: "Sum",
        Period: w.periodSeconds,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        Threshold: n,
      },
    };
  }
  const d = settings as DurationAlarmOptions;
  let thresholdMs = d.thresholdMs;
  if (thresholdMs === undefined) {
    const pct = d.percentOfTimeout ?? 80;
    if (!(pct > 0 && pct <= 100)) {
      throw new InvalidOptionError(`${where}.percentOfTimeout must be in (0, 100]; received ${pct}.`);
    }
    if (fn.timeoutSeconds === undefined) {
      options.reporter?.warn(
        `No duration alarm for ${fn.logicalId}: its Timeout is not a literal number, so ${pct}% of it is unknown. ` +
          `Set alarms({ functions: { ${fn.logicalId}: { duration: { thresholdMs: 2400 } } } }).`,
      );
      return undefined;
    }
    thresholdMs = Math.round(fn.timeoutSeconds * 1000 * (pct / 100));
  }
  if (!(thresholdMs > 0))
    throw new InvalidOptionError(`${where}.thresholdMs must be > 0; received ${thresholdMs}.`);
  return {
    Type: "AWS::CloudWatch::Alarm",
    Properties: {
      AlarmName: sub(alarmNameTemplate(fn.logicalId, kind)),
      AlarmDescription: `${fn.logicalId}: p99 duration above ${thresholdMs} ms${
        fn.timeoutSeconds === undefined ? "" : ` (timeout ${fn.timeoutSeconds} s)`
      }`,
      ...common,
      ...lambdaMetric(fn.logicalId, "Duration"),
      ExtendedStatistic: "p99",
      Period: w.periodSeconds,
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: thresholdMs,
    },
  };
}
