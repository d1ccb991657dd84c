import {
  asTemplate,
  type FunctionInfo,
  findFunctions,
  getAtt,
  markOf,
  type OperationsReporter,
  putResource,
  type Resource,
  ref,
  removeFeature,
  shortHash,
  sub,
  type Template,
  type TemplateJson,
  unknownFunction,
  warnOverLimits,
  withCondition,
} from "./cfn.js";
import { InvalidOptionError } from "./errors.js";
import { linkDeploymentGroupAlarms } from "./links.js";

/** CodeDeploy's predefined Lambda deployment configurations (`CodeDeployDefault.Lambda<shift>`). */
export const TRAFFIC_SHIFTS = [
  "AllAtOnce",
  "Canary10Percent5Minutes",
  "Canary10Percent10Minutes",
  "Canary10Percent15Minutes",
  "Canary10Percent30Minutes",
  "Linear10PercentEvery1Minute",
  "Linear10PercentEvery2Minutes",
  "Linear10PercentEvery3Minutes",
  "Linear10PercentEvery10Minutes",
] as const;

export type TrafficShift = (typeof TRAFFIC_SHIFTS)[number];

export interface SafeDeployOptions {
  /** Name of the alias every trigger invokes. Default `live`. */
  alias?: string;
  /**
   * Shift traffic to a new version gradually through CodeDeploy, rolling back when the function's alarms fire.
   * Without it the alias moves to the new version at once (still with a published, retained version).
   */
  shift?: TrafficShift;
  /** Per function (logical id): `false` = leave the function alone; `{ shift: false }` = alias without CodeDeploy. */
  functions?: { [functionLogicalId: string]: { shift?: TrafficShift | false } | false };
  /**
   * With `shift`: an alarm on the errors of the version being rolled out (through the alias), which stops and
   * rolls back the CodeDeploy deployment; the function-wide alarms of `alarms()` see a canary's errors diluted by
   * the old version's traffic. Fires at `threshold` errors in a minute (default 1). `false` = none.
   */
  newVersionErrors?: { threshold?: number } | false;
  reporter?: OperationsReporter & { info?(message: string): void };
}

export const CODEDEPLOY_APPLICATION_ID = "SpartaCodeDeployApplication";
export const CODEDEPLOY_ROLE_ID = "SpartaCodeDeployRole";

/**
 * Above this many shifted functions each gets a CodeDeploy role of its own (`<Function>CodeDeployRole`) instead of
 * the shared one: the shared role's policy lists three ARNs a function, and IAM holds at most 10,240 characters of
 * inline policy a role (about 40 functions). A role of its own also lets a service too large for one stack keep each
 * function's deployment group with the function in its nested stack (the shared role would read every nested stack
 * and be read by every one: a cycle).
 */
export const SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS = 30;

/** `ApiFunction` -> `ApiFunctionCodeDeployRole`. */
export const codeDeployRoleLogicalId = (functionLogicalId: string) => `${functionLogicalId}CodeDeployRole`;

/** Where a trigger names its function, per resource type: the properties `safeDeploy` points at the alias. */
const CONSUMERS: { type: string; path: string[]; note: string }[] = [
  { type: "AWS::Lambda::EventSourceMapping", path: ["FunctionName"], note: "event source mapping" },
  { type: "AWS::Lambda::Permission", path: ["FunctionName"], note: "invoke permission" },
  { type: "AWS::ApiGatewayV2::Integration", path: ["IntegrationUri"], note: "HTTP API integration" },
  // `@sparta/cli`'s HTTP API Lambda authorizer: its invoke permission is rewired too, so both must name the alias.
  { type: "AWS::ApiGatewayV2::Authorizer", path: ["AuthorizerUri"], note: "HTTP API Lambda authorizer" },
  { type: "AWS::ApiGateway::Method", path: ["Integration", "Uri"], note: "REST API integration" },
  { type: "AWS::Events::Rule", path: ["Targets", "*", "Arn"], note: "EventBridge rule target" },
  { type: "AWS::Scheduler::Schedule", path: ["Target", "Arn"], note: "EventBridge schedule target" },
  { type: "AWS::SNS::Subscription", path: ["Endpoint"], note: "SNS subscription" },
  {
    type: "AWS::S3::Bucket",
    path: ["NotificationConfiguration", "LambdaConfigurations", "*", "Function"],
    note: "S3 notification",
  },
  {
    // `@sparta/cli`'s S3 notification on a bucket the stack does not create: S3 must be told to call the alias
    // its invoke permission is for, or it refuses the destination and the deploy fails.
    type: "Custom::SpartaS3Notification",
    path: ["NotificationConfigurations", "*", "LambdaFunctionArn"],
    note: "S3 notification on an existing bucket",
  },
  { type: "AWS::Logs::SubscriptionFilter", path: ["DestinationArn"], note: "log subscription filter" },
];

/**
 * Function properties that are not part of a published version. A change to these alone must not make a new
 * `AWS::Lambda::Version`: Lambda refuses to publish when code and configuration are unchanged, and the deploy fails.
 */
const UNVERSIONED = new Set(["Tags", "ReservedConcurrentExecutions", "RecursiveLoop"]);

/** `<Function>Version<hash>`, the hash over the function's versioned properties (code key, configuration). */
export function versionLogicalId(fn: FunctionInfo | { logicalId: string; resource: Resource }): string {
  const versioned = Object.fromEntries(
    Object.entries(fn.resource.Properties ?? {}).filter(([k]) => !UNVERSIONED.has(k)),
  );
  return `${fn.logicalId}Version${shortHash(versioned)}`;
}

export function aliasLogicalId(functionId: string): string {
  return `${functionId}Alias`;
}

export function newVersionAlarmLogicalId(functionId: string): string {
  return `${functionId}NewVersionErrorsAlarm`;
}

export function deploymentGroupLogicalId(functionId: string): string {
  return `${functionId}DeploymentGroup`;
}

/**
 * Publishes a version of every function (its logical id carries a hash of the function's properties, so any
 * change to code or configuration publishes a new one; old versions are retained for rollback) and adds a `live`
 * alias to it. Triggers (event source mappings, permissions, HTTP/REST API integrations, EventBridge rules and
 * schedules, SNS subscriptions, S3 notifications, also on existing buckets, log subscriptions, function URLs) are
 * pointed at the alias. Functions behind custom resources are left alone (see `customResourceProviders`).
 * With `shift`, a CodeDeploy application, a deployment group per function (rolling back on the function's
 * alarms, see `addAlarms`) and a least-privilege service role move traffic gradually.
 * @example addSafeDeploy(template, { shift: "Canary10Percent5Minutes" })
 */
export function addSafeDeploy<T extends TemplateJson>(template: T, options: SafeDeployOptions = {}): T {
  const t = asTemplate(template);
  const aliasName = options.alias ?? "live";
  if (!/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/.test(aliasName)) {
    throw new InvalidOptionError(
      `safeDeploy({ alias: ${JSON.stringify(aliasName)} }): an alias name is 1-128 letters, digits, "-" or "_", and not only digits. Example: "live".`,
    );
  }
  for (const shift of [
    options.shift,
    ...Object.values(options.functions ?? {}).map((f) => (f === false ? undefined : f.shift)),
  ]) {
    if (shift !== undefined && shift !== false && !TRAFFIC_SHIFTS.includes(shift)) {
      throw new InvalidOptionError(
        `safeDeploy: unknown traffic shift ${JSON.stringify(shift)}. Use one of: ${TRAFFIC_SHIFTS.join(", ")}.`,
      );
    }
  }
  // Applying again is safe: the alias keeps its logical id, so rewired triggers still point at it.
  removeFeature(t, "safeDeploy");
  const functions = findFunctions(t);
  const known = functions.map((f) => f.logicalId);
  for (const id of Object.keys(options.functions ?? {})) {
    if (!known.includes(id)) throw unknownFunction(t, id, known, `safeDeploy({ functions: { ${id} } })`);
  }

  const newVersionErrors = options.newVersionErrors ?? {};
  const errorThreshold = newVersionErrors === false ? 0 : (newVersionErrors.threshold ?? 1);
  if (newVersionErrors !== false && !(Number.isInteger(errorThreshold) && errorThreshold >= 1)) {
    throw new InvalidOptionError(
      `safeDeploy({ newVersionErrors: { threshold: ${errorThreshold} } }): the threshold is a whole number of errors per minute, at least 1.`,
    );
  }
  const shifted: FunctionInfo[] = [];
  const aliasOf = new Map<string, string>();
  const shiftOf = (fn: FunctionInfo) => {
    const per = options.functions?.[fn.logicalId];
    if (per === false) return undefined;
    const shift = per?.shift === undefined ? options.shift : per.shift;
    return shift === false ? undefined : shift;
  };
  const ownRoles =
    functions.filter((fn) => shiftOf(fn) !== undefined).length > SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS;
  const boundary = permissionsBoundaryOf(t);
  for (const fn of functions) {
    const per = options.functions?.[fn.logicalId];
    if (per === false) continue;
    const shift = per?.shift === undefined ? options.shift : per.shift;
    const versionId = versionLogicalId(fn);
    const aliasId = aliasLogicalId(fn.logicalId);
    putResource(
      t,
      versionId,
      withCondition(
        {
          Type: "AWS::Lambda::Version",
          // Retained so CodeDeploy (or a person) can move the alias back to it after the next deploy.
          DeletionPolicy: "Retain",
          UpdateReplacePolicy: "Retain",
          Properties: {
            FunctionName: ref(fn.logicalId),
            Description: `${fn.logicalId} ${versionId.slice(-10)}`,
          },
        },
        fn.condition,
      ),
      { feature: "safeDeploy", function: fn.logicalId, kind: "version" },
    );
    const alias: Resource = {
      Type: "AWS::Lambda::Alias",
      Properties: {
        FunctionName: ref(fn.logicalId),
        FunctionVersion: getAtt(versionId, "Version"),
        Name: aliasName,
      },
    };
    if (shift !== undefined && shift !== false) {
      const groupId = deploymentGroupLogicalId(fn.logicalId);
      alias.UpdatePolicy = {
        CodeDeployLambdaAliasUpdate: {
          ApplicationName: ref(CODEDEPLOY_APPLICATION_ID),
          DeploymentGroupName: ref(groupId),
        },
      };
      putResource(
        t,
        groupId,
        withCondition(
          {
            Type: "AWS::CodeDeploy::DeploymentGroup",
            Properties: {
              ApplicationName: ref(CODEDEPLOY_APPLICATION_ID),
              ServiceRoleArn: getAtt(
                ownRoles ? codeDeployRoleLogicalId(fn.logicalId) : CODEDEPLOY_ROLE_ID,
                "Arn",
              ),
              DeploymentConfigName: `CodeDeployDefault.Lambda${shift}`,
              DeploymentStyle: { DeploymentType: "BLUE_GREEN", DeploymentOption: "WITH_TRAFFIC_CONTROL" },
            },
          },
          fn.condition,
        ),
        { feature: "safeDeploy", function: fn.logicalId, kind: "deploymentGroup" },
      );
      if (newVersionErrors !== false) {
        const alarmId = newVersionAlarmLogicalId(fn.logicalId);
        putResource(
          t,
          alarmId,
          withCondition(
            {
              Type: "AWS::CloudWatch::Alarm",
              Properties: {
                AlarmName: sub("${AWS::StackName}-" + fn.logicalId + "-NewVersionErrors"),
                AlarmDescription: `${fn.logicalId}: ${errorThreshold} or more errors per minute in the version being deployed; stops and rolls back the CodeDeploy deployment`,
                Namespace: "AWS/Lambda",
                MetricName: "Errors",
                // The metrics Lambda reports for invocations through the alias, per executed version.
                Dimensions: [
                  { Name: "Resource", Value: sub("${" + fn.logicalId + "}:" + aliasName) },
                  { Name: "FunctionName", Value: ref(fn.logicalId) },
                  { Name: "ExecutedVersion", Value: getAtt(versionId, "Version") },
                ],
                Statistic: "Sum",
                Period: 60,
                EvaluationPeriods: 1,
                ComparisonOperator: "GreaterThanOrEqualToThreshold",
                Threshold: errorThreshold,
                TreatMissingData: "notBreaching",
              },
            },
            fn.condition,
          ),
          { feature: "safeDeploy", function: fn.logicalId, kind: "newVersionAlarm" },
        );
        // The alarm must watch the new version before CodeDeploy starts shifting traffic to it.
        alias.DependsOn = [alarmId];
      }
      shifted.push(fn);
      if (ownRoles) {
        putResource(
          t,
          codeDeployRoleLogicalId(fn.logicalId),
          withCondition(codeDeployRole([fn], boundary), fn.condition),
          { feature: "safeDeploy", function: fn.logicalId, kind: "role" },
        );
      }
    }
    putResource(t, aliasId, withCondition(alias, fn.condition), {
      feature: "safeDeploy",
      function: fn.logicalId,
      kind: "alias",
    });
    aliasOf.set(fn.logicalId, aliasId);
  }

  wire(t, aliasOf, aliasName, options.reporter);
  if (shifted.length > 0) {
    putResource(
      t,
      CODEDEPLOY_APPLICATION_ID,
      { Type: "AWS::CodeDeploy::Application", Properties: { ComputePlatform: "Lambda" } },
      { feature: "safeDeploy", kind: "application" },
    );
    if (!ownRoles)
      putResource(t, CODEDEPLOY_ROLE_ID, codeDeployRole(shifted, boundary), {
        feature: "safeDeploy",
        kind: "role",
      });
  }
  linkDeploymentGroupAlarms(t);
  warnOverLimits(t, "safeDeploy()", options.reporter);
  return template;
}

/**
 * The permissions boundary the template's other roles carry (the service's, e.g. `@sparta/cli`'s
 * `permissionsBoundary`), when they agree on one; the CodeDeploy role gets the same.
 */
function permissionsBoundaryOf(t: Template): unknown {
  const boundaries = Object.values(t.Resources)
    .filter((r) => r.Type === "AWS::IAM::Role" && markOf(r) === undefined)
    .map((r) => r.Properties?.PermissionsBoundary);
  const first = boundaries[0];
  if (first === undefined) return undefined;
  return boundaries.every((b) => JSON.stringify(b) === JSON.stringify(first)) ? first : undefined;
}

/** What CodeDeploy needs to shift a Lambda alias and watch alarms, and nothing else (no `*` action). */
function codeDeployRole(functions: FunctionInfo[], permissionsBoundary: unknown): Resource {
  const conditional = (fn: FunctionInfo, arns: unknown[]) =>
    fn.condition === undefined
      ? arns
      : arns.map((a) => ({ "Fn::If": [fn.condition, a, { Ref: "AWS::NoValue" }] }));
  const functionArns = functions.flatMap((fn) => conditional(fn, [getAtt(fn.logicalId, "Arn")]));
  const aliasArns = functions.flatMap((fn) => conditional(fn, [sub("${" + fn.logicalId + ".Arn}:*")]));
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      Description:
        "Lets CodeDeploy shift this stack's Lambda aliases and read the alarms that stop a deployment",
      ...(permissionsBoundary === undefined ? {} : { PermissionsBoundary: permissionsBoundary }),
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "codedeploy.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      },
      Policies: [
        {
          PolicyName: "lambda-traffic-shifting",
          PolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["lambda:GetAlias", "lambda:UpdateAlias"],
                Resource: [...functionArns, ...aliasArns],
              },
              // Provisioned concurrency is configured on an alias or version only (`<function>:<qualifier>`).
              { Effect: "Allow", Action: ["lambda:GetProvisionedConcurrencyConfig"], Resource: aliasArns },
              // DescribeAlarms is a read-only list call; AWS's own AWSCodeDeployRoleForLambdaLimited grants it on "*".
              { Effect: "Allow", Action: ["cloudwatch:DescribeAlarms"], Resource: "*" },
            ],
          },
        },
      ],
    },
  };
}

type Visit = (holder: Record<string, unknown> | unknown[], key: string | number, value: unknown) => void;

function walk(node: unknown, path: string[], visit: Visit): void {
  if (node === null || typeof node !== "object") return;
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (head === "*") {
    if (!Array.isArray(node)) return;
    node.forEach((item, i) => {
      if (rest.length === 0) visit(node, i, item);
      else walk(item, rest, visit);
    });
    return;
  }
  const holder = node as Record<string, unknown>;
  if (!(head in holder)) return;
  if (rest.length === 0) visit(holder, head, holder[head]);
  else walk(holder[head], rest, visit);
}

function set(holder: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  (holder as Record<string | number, unknown>)[key] = value;
}

/** Replaces `${Fn.Arn}` inside a `Fn::Sub` by `${Alias}` (the alias's Ref is its ARN). */
function rewriteSub(value: unknown, from: string, to: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const s = (value as Record<string, unknown>)["Fn::Sub"];
  const needle = "${" + from + "}";
  if (typeof s === "string" && s.includes(needle))
    return { "Fn::Sub": s.split(needle).join("${" + to + "}") };
  if (Array.isArray(s) && typeof s[0] === "string" && s[0].includes(needle)) {
    return { "Fn::Sub": [s[0].split(needle).join("${" + to + "}"), s[1]] };
  }
  return undefined;
}

/** Points every trigger of an aliased function at its alias, in one pass over the template. */
function wire(
  t: Template,
  aliasOf: Map<string, string>,
  aliasName: string,
  reporter: SafeDeployOptions["reporter"],
): void {
  const rewired = new Map<string, string[]>();
  const note = (fn: string, what: string) => rewired.set(fn, [...(rewired.get(fn) ?? []), what]);
  const consumers = new Map(CONSUMERS.map((c) => [c.type, c]));
  for (const [id, r] of Object.entries(t.Resources)) {
    // The health route's own integration and permission are triggers like the user's.
    if (markOf(r) !== undefined && markOf(r)?.feature !== "healthRoute") continue;
    if (r.Type === "AWS::Lambda::Url") {
      const fn = functionReferenced(r.Properties?.TargetFunctionArn);
      if (fn !== undefined && aliasOf.has(fn) && r.Properties !== undefined) {
        r.Properties.Qualifier = aliasName;
        note(fn, `${id} (function URL)`);
      }
      continue;
    }
    const c = consumers.get(r.Type);
    if (c === undefined) continue;
    walk(r.Properties, c.path, (holder, key, value) => {
      const fn = functionReferenced(value);
      if (fn !== undefined && aliasOf.has(fn)) {
        set(holder, key, ref(aliasOf.get(fn)!));
        note(fn, `${id} (${c.note})`);
        return;
      }
      for (const [f, aliasId] of aliasOf) {
        const replaced = rewriteSub(value, `${f}.Arn`, aliasId);
        if (replaced === undefined) continue;
        set(holder, key, replaced);
        note(f, `${id} (${c.note})`);
        return;
      }
    });
  }
  for (const [fn, what] of rewired)
    reporter?.info?.(`${fn}: pointed at alias ${aliasName}: ${what.join(", ")}`);
}

/** The logical id in `{ Ref: id }`, `{ "Fn::GetAtt": [id, "Arn"] }` or `{ "Fn::GetAtt": "id.Arn" }`. */
function functionReferenced(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (Object.keys(v).length !== 1) return undefined;
  if (typeof v.Ref === "string") return v.Ref;
  const g = v["Fn::GetAtt"];
  if (Array.isArray(g)) return g[1] === "Arn" ? String(g[0]) : undefined;
  return typeof g === "string" && g.endsWith(".Arn") ? g.slice(0, -4) : undefined;
}
