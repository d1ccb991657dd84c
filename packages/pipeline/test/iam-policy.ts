/**
 * A small IAM policy evaluator for tests, over the policy JSON our templates generate: it resolves the template's
 * intrinsics for one sample account, Region and stack, then decides a request the way IAM's identity-policy logic
 * does ("Policy evaluation logic" in the IAM User Guide): an explicit Deny wins, then an Allow, else an implicit deny.
 *
 * What it covers, and nothing more: Action/NotAction and Resource/NotResource with `*` and `?` wildcards (actions
 * case-insensitive, resources case-sensitive); condition operators String(Not)Equals, String(Not)Like,
 * StringEqualsIgnoreCase, Arn(Not)Equals, Arn(Not)Like, Bool and Null, each with `...IfExists` and the
 * `ForAnyValue:`/`ForAllValues:` set prefixes; several values of one key are ORed, keys and operators ANDed; a key
 * missing from the request makes a positive operator false and a negated one (`...Not...`) true. Not covered:
 * numeric and date operators, policy variables, resource policies' principals, SCPs and sessions.
 * (`@cloud-copilot/iam-simulate` does this and more, but is AGPL-3.0; this project is Apache-2.0.)
 */

// biome-ignore lint/suspicious/noExplicitAny: policy JSON as generated, checked by each caller
export type Json = Record<string, any>;

/** The sample the template's intrinsics resolve against. */
export interface Sample {
  partition: string;
  region: string;
  account: string;
  stackName: string;
  /** Values of the template's parameters (else their `Default`). */
  parameters?: Record<string, string>;
}

export const SAMPLE: Omit<Sample, "stackName"> = {
  partition: "aws",
  region: "us-east-1",
  account: "123456789012",
};

const PSEUDO = (s: Sample): Record<string, string> => ({
  "AWS::Partition": s.partition,
  "AWS::Region": s.region,
  "AWS::AccountId": s.account,
  "AWS::StackName": s.stackName,
  "AWS::URLSuffix": "amazonaws.com",
});

/** The physical name CloudFormation generates for a resource without one: `<stack>-<LogicalId>-<suffix>`. */
const generatedName = (s: Sample, id: string) => `${s.stackName}-${id}-SAMPLE0SUFFIX`;

type Resources = Record<string, Json>;

function physicalName(s: Sample, resources: Resources, id: string): string {
  const r = resources[id];
  const props = r?.Properties ?? {};
  const named: Record<string, string> = {
    "AWS::Lambda::Function": "FunctionName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::CodeBuild::Project": "Name",
    "AWS::CodePipeline::Pipeline": "Name",
  };
  const property = named[r?.Type];
  if (property && props[property] !== undefined) {
    const [value] = resolveValue(props[property], s, resources) ?? [];
    if (value !== undefined) return value;
  }
  return generatedName(s, id);
}

/** ARN of a resource of the template, for `Fn::GetAtt [id, "Arn"]`; `undefined` for a type not modelled here. */
function resourceArn(s: Sample, resources: Resources, id: string): string | undefined {
  const type = resources[id]?.Type;
  const name = physicalName(s, resources, id);
  const base = (service: string) => `arn:${s.partition}:${service}:${s.region}:${s.account}`;
  switch (type) {
    case "AWS::Lambda::Function":
      return `${base("lambda")}:function:${name}`;
    case "AWS::IAM::Role":
      return `arn:${s.partition}:iam::${s.account}:role/${name}`;
    case "AWS::IAM::ManagedPolicy": {
      const path = resources[id]?.Properties?.Path ?? "/";
      return `arn:${s.partition}:iam::${s.account}:policy${path}${name}`;
    }
    case "AWS::Logs::LogGroup":
      return `${base("logs")}:log-group:${name}:*`;
    case "AWS::S3::Bucket":
      return `arn:${s.partition}:s3:::${name.toLowerCase()}`;
    case "AWS::SQS::Queue":
      return `${base("sqs")}:${name}`;
    case "AWS::SNS::Topic":
      return `${base("sns")}:${name}`;
    case "AWS::Lambda::Alias":
    case "AWS::Lambda::Version":
      return `${base("lambda")}:function:${name}:1`;
    case "AWS::CodeBuild::Project":
      return `${base("codebuild")}:project/${name}`;
    default:
      return undefined;
  }
}

/** What `{ Ref: id }` gives: a pseudo parameter, a parameter's value, or a resource's physical id. */
function refValue(s: Sample, resources: Resources, parameters: Json, id: string): string | undefined {
  const pseudo = PSEUDO(s)[id];
  if (pseudo !== undefined) return pseudo;
  if (id in parameters) return s.parameters?.[id] ?? parameters[id]?.Default;
  const r = resources[id];
  if (!r) return undefined;
  if (r.Type === "AWS::IAM::ManagedPolicy" || r.Type === "AWS::SNS::Topic" || r.Type === "AWS::Lambda::Alias")
    return resourceArn(s, resources, id);
  return physicalName(s, resources, id);
}

let currentParameters: Json = {};

/**
 * Every string a template value can take in the sample (an `Fn::If` gives both branches; `AWS::NoValue` none), or
 * `undefined` when it names something the sample cannot know (an import, a resource type not modelled here).
 */
export function resolveValue(value: unknown, s: Sample, resources: Resources = {}): string[] | undefined {
  if (typeof value === "string") return [value];
  if (typeof value === "number" || typeof value === "boolean") return [String(value)];
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const [key, arg] = Object.entries(value as Json)[0] ?? [];
  switch (key) {
    case "Ref": {
      if (arg === "AWS::NoValue") return [];
      const v = refValue(s, resources, currentParameters, String(arg));
      return v === undefined ? undefined : [v];
    }
    case "Fn::GetAtt": {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(".");
      if (attribute !== "Arn") return undefined;
      const arn = resourceArn(s, resources, String(id));
      return arn === undefined ? undefined : [arn];
    }
    case "Fn::Sub": {
      const [text, vars] = Array.isArray(arg) ? (arg as [string, Json]) : [arg as string, {}];
      let results: string[] = [""];
      const parts = text.split(/(\$\{[^}]*\})/);
      for (const part of parts) {
        let options: string[] | undefined;
        if (part.startsWith("${!")) options = [`\${${part.slice(3)}`];
        else if (part.startsWith("${") && part.endsWith("}")) {
          const name = part.slice(2, -1);
          if (name in vars) options = resolveValue(vars[name], s, resources);
          else if (name.includes(".")) {
            const [id, attribute] = name.split(".");
            options = resolveValue({ "Fn::GetAtt": [id, attribute] }, s, resources);
          } else options = resolveValue({ Ref: name }, s, resources);
        } else options = [part];
        if (options === undefined) return undefined;
        results = results.flatMap((r) => options!.map((o) => r + o));
      }
      return results;
    }
    case "Fn::Join": {
      const [separator, list] = arg as [string, unknown[]];
      const pieces = list.map((item) => resolveValue(item, s, resources));
      if (pieces.some((p) => p === undefined || p.length !== 1)) return undefined;
      return [pieces.map((p) => p![0]).join(separator)];
    }
    case "Fn::If": {
      const [, a, b] = arg as [string, unknown, unknown];
      const left = resolveValue(a, s, resources);
      const right = resolveValue(b, s, resources);
      if (left === undefined || right === undefined) return undefined;
      return [...left, ...right];
    }
    default:
      return undefined;
  }
}

/** Resolves the values of a template against a sample; call before resolving its statements. */
export function withTemplate<T>(template: Json, fn: () => T): T {
  const previous = currentParameters;
  currentParameters = template.Parameters ?? {};
  try {
    return fn();
  } finally {
    currentParameters = previous;
  }
}

/** A statement with its intrinsics resolved: every list of plain strings (an unresolvable value becomes `?unknown`). */
export interface ResolvedStatement {
  Effect: "Allow" | "Deny";
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

export const UNKNOWN = "?unknown";
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function resolveStatement(statement: Json, s: Sample, resources: Resources = {}): ResolvedStatement {
  const strings = (v: unknown) => list(v).flatMap((x) => resolveValue(x, s, resources) ?? [UNKNOWN]);
  const out: ResolvedStatement = { Effect: statement.Effect };
  for (const key of ["Action", "NotAction", "Resource", "NotResource"] as const)
    if (statement[key] !== undefined) out[key] = strings(statement[key]);
  if (statement.Condition) {
    out.Condition = {};
    for (const [operator, keys] of Object.entries(statement.Condition as Json)) {
      out.Condition[operator] = {};
      for (const [k, v] of Object.entries(keys as Json)) out.Condition[operator][k] = strings(v);
    }
  }
  return out;
}

/** `*` any run of characters, `?` one character; IAM's wildcards in actions, resources and `...Like` operators. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")))
    .join("");
  return new RegExp(`^${re}$`, ignoreCase ? "is" : "s").test(value);
}

/** A request as IAM evaluates it: an action on a resource, with the request's condition keys. */
export interface Request {
  action: string;
  resource: string;
  context?: Record<string, string | string[] | undefined>;
}

const NEGATED = /^(StringNotEquals|StringNotLike|ArnNotEquals|ArnNotLike)/;

function compare(base: string, expected: string, actual: string): boolean {
  switch (base) {
    case "StringEquals":
    case "ArnEquals":
      return expected === actual;
    case "StringEqualsIgnoreCase":
      return expected.toLowerCase() === actual.toLowerCase();
    case "StringLike":
    case "ArnLike":
      return globMatch(expected, actual);
    case "Bool":
      return expected.toLowerCase() === actual.toLowerCase();
    default:
      throw new Error(`The test evaluator does not know the condition operator ${base}`);
  }
}

function conditionHolds(operator: string, key: string, values: string[], request: Request): boolean {
  const setPrefix = /^(ForAnyValue|ForAllValues):/.exec(operator)?.[1];
  let base = operator.replace(/^(ForAnyValue|ForAllValues):/, "");
  const ifExists = base.endsWith("IfExists");
  if (ifExists) base = base.slice(0, -"IfExists".length);
  const raw = Object.entries(request.context ?? {}).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  const present = raw !== undefined;
  if (base === "Null") return values.some((v) => (v === "true") === !present);
  if (!present) return ifExists || NEGATED.test(base) || setPrefix === "ForAllValues";
  const actual = Array.isArray(raw) ? raw : [raw];
  const negated = NEGATED.test(base);
  const positive = base.replace("Not", "");
  const matchesOne = (a: string) => values.some((v) => compare(positive, v, a));
  if (setPrefix === "ForAllValues") return actual.every((a) => (negated ? !matchesOne(a) : matchesOne(a)));
  if (setPrefix === "ForAnyValue") return actual.some((a) => (negated ? !matchesOne(a) : matchesOne(a)));
  const hit = actual.some(matchesOne);
  return negated ? !hit : hit;
}

function statementApplies(statement: ResolvedStatement, request: Request): boolean {
  const actionHit = (patterns: string[]) => patterns.some((p) => globMatch(p, request.action, true));
  const resourceHit = (patterns: string[]) => patterns.some((p) => globMatch(p, request.resource));
  if (statement.Action && !actionHit(statement.Action)) return false;
  if (statement.NotAction && actionHit(statement.NotAction)) return false;
  if (statement.Resource && !resourceHit(statement.Resource)) return false;
  if (statement.NotResource && resourceHit(statement.NotResource)) return false;
  for (const [operator, keys] of Object.entries(statement.Condition ?? {}))
    for (const [key, values] of Object.entries(keys))
      if (!conditionHolds(operator, key, values, request)) return false;
  return true;
}

export type Decision = "allowed" | "explicitly denied" | "implicitly denied";

/** IAM's decision for one identity policy set (all of a role's statements) on one request. */
export function evaluate(statements: readonly ResolvedStatement[], request: Request): Decision {
  const applying = statements.filter((s) => statementApplies(s, request));
  if (applying.some((s) => s.Effect === "Deny")) return "explicitly denied";
  if (applying.some((s) => s.Effect === "Allow")) return "allowed";
  return "implicitly denied";
}

/**
 * A principal's effective decision when a permissions boundary applies: the identity policies must allow it and
 * the boundary must allow it; an explicit deny in either wins ("Evaluating effective permissions with boundaries").
 */
export function evaluateWithBoundary(
  identity: readonly ResolvedStatement[],
  boundary: readonly ResolvedStatement[],
  request: Request,
): Decision {
  const a = evaluate(identity, request);
  const b = evaluate(boundary, request);
  if (a === "explicitly denied" || b === "explicitly denied") return "explicitly denied";
  return a === "allowed" && b === "allowed" ? "allowed" : "implicitly denied";
}

/** Every policy document of a template: roles' inline policies, managed policies, bucket policies, trust policies. */
export function policyDocuments(
  template: Json,
  boundaries: ReadonlySet<string> = new Set(),
): {
  where: string;
  logicalId: string;
  kind: "identity" | "trust" | "resource" | "boundary";
  statements: Json[];
}[] {
  const out: ReturnType<typeof policyDocuments> = [];
  for (const [id, r] of Object.entries((template.Resources ?? {}) as Resources)) {
    const p = r.Properties ?? {};
    const statementsOf = (doc: Json | undefined) => list(doc?.Statement) as Json[];
    if (r.Type === "AWS::IAM::Role") {
      out.push({
        where: `${id}.AssumeRolePolicyDocument`,
        logicalId: id,
        kind: "trust",
        statements: statementsOf(p.AssumeRolePolicyDocument),
      });
      for (const [i, policy] of list(p.Policies).entries())
        out.push({
          where: `${id}.Policies[${i}] (${(policy as Json).PolicyName})`,
          logicalId: id,
          kind: "identity",
          statements: statementsOf((policy as Json).PolicyDocument),
        });
    } else if (r.Type === "AWS::IAM::ManagedPolicy" || r.Type === "AWS::IAM::Policy") {
      out.push({
        where: `${id}.PolicyDocument`,
        logicalId: id,
        kind: boundaries.has(id) ? "boundary" : "identity",
        statements: statementsOf(p.PolicyDocument),
      });
    } else if (r.Type === "AWS::S3::BucketPolicy") {
      out.push({
        where: `${id}.PolicyDocument`,
        logicalId: id,
        kind: "resource",
        statements: statementsOf(p.PolicyDocument),
      });
    }
  }
  return out;
}

/**
 * Every statement a role is given, resolved against the sample: its inline policies and the managed policies of
 * the same template it attaches (`ManagedPolicyArns: [{ Ref }]`).
 */
export function roleStatements(template: Json, roleId: string, s: Sample): ResolvedStatement[] {
  const resources = (template.Resources ?? {}) as Resources;
  const role = resources[roleId]?.Properties;
  if (!role) throw new Error(`No role ${roleId} in the template`);
  const docs: Json[] = [
    ...list(role.Policies).map((p) => (p as Json).PolicyDocument),
    ...list(role.ManagedPolicyArns)
      .filter((a) => typeof (a as Json)?.Ref === "string")
      .map((a) => resources[(a as Json).Ref]?.Properties?.PolicyDocument),
  ];
  return withTemplate(template, () =>
    docs.flatMap((d) => list(d?.Statement).map((st) => resolveStatement(st as Json, s, resources))),
  );
}

/** The statements of a managed policy of the template, resolved. */
export function managedPolicyStatements(template: Json, policyId: string, s: Sample): ResolvedStatement[] {
  const resources = (template.Resources ?? {}) as Resources;
  const doc = resources[policyId]?.Properties?.PolicyDocument;
  if (!doc) throw new Error(`No managed policy ${policyId} in the template`);
  return withTemplate(template, () =>
    list(doc.Statement).map((st) => resolveStatement(st as Json, s, resources)),
  );
}
