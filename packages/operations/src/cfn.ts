import { createHash } from "node:crypto";
import { LogicalIdConflictError, UnknownFunctionError } from "./errors.js";

/**
 * The least a template must look like for the decorators: plain CloudFormation JSON with `Resources`.
 * `@sparta/template`'s `CfnTemplate` and the CLI's `TemplateDocument` both fit.
 */
export interface TemplateJson {
  Resources: { [logicalId: string]: { Type: string } };
  Outputs?: { [logicalId: string]: { Value: unknown } };
}

/** Reporter for warnings (a skipped alarm, an unsupported wiring); the CLI passes its own. */
export interface OperationsReporter {
  warn(message: string): void;
  /**
   * The caller deploys a template over CloudFormation's per-template quotas as nested stacks (as `@sparta/cli` does),
   * so the decorators do not warn about those quotas.
   */
  splitsOverQuotas?: boolean;
}

/** @internal The resource shape the decorators read and write. */
export interface Resource {
  Type: string;
  Properties?: { [name: string]: unknown };
  DependsOn?: string | string[];
  Condition?: string;
  Metadata?: { [key: string]: unknown };
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  UpdatePolicy?: { [key: string]: unknown };
}

/** @internal */
export interface Template {
  Resources: { [logicalId: string]: Resource };
  Outputs?: { [logicalId: string]: { Value: unknown; Description?: string; Condition?: string } };
}

/** Metadata key marking what this package added, so a decorator applied twice replaces rather than duplicates. */
export const MARK = "Sparta::Operations";

/** What the mark says about a resource. */
export interface Mark {
  feature: "alarms" | "dashboard" | "safeDeploy" | "healthRoute";
  /** Logical id of the function the resource belongs to, when it belongs to one. */
  function?: string;
  /** Logical id of the API (HTTP or REST) the resource belongs to, when it belongs to one. */
  api?: string;
  /** For alarms: `errorRate` | `throttles` | `duration`; for safe deploys: `version` | `alias` | ... */
  kind?: string;
  /** Options to re-apply with, for a feature that another one refreshes (the dashboard shows the alarms). */
  options?: Record<string, unknown>;
}

export const ref = (logicalId: string) => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string) => ({ "Fn::GetAtt": [logicalId, attribute] });
export const sub = (text: string) => ({ "Fn::Sub": text });
export const join = (delimiter: string, values: unknown[]) => ({ "Fn::Join": [delimiter, values] });

export function asTemplate(template: TemplateJson): Template {
  return template as unknown as Template;
}

export function markOf(resource: Resource | undefined): Mark | undefined {
  const m = resource?.Metadata?.[MARK];
  return m !== null && typeof m === "object" ? (m as Mark) : undefined;
}

/** Adds (or replaces one this package added earlier) a resource; refuses to overwrite the user's. */
export function putResource(template: Template, logicalId: string, resource: Resource, mark: Mark): void {
  const existing = template.Resources[logicalId];
  if (existing !== undefined && markOf(existing) === undefined) {
    throw new LogicalIdConflictError(logicalId, existing.Type, resource.Type);
  }
  template.Resources[logicalId] = { ...resource, Metadata: { ...resource.Metadata, [MARK]: mark } };
}

export function putOutput(
  template: Template,
  logicalId: string,
  output: { Value: unknown; Description: string; Condition?: string },
): void {
  template.Outputs ??= {};
  template.Outputs[logicalId] = output;
}

/** Removes what this package added for `feature` earlier (resources and outputs), so re-applying is clean. */
export function removeFeature(template: Template, feature: Mark["feature"], outputPrefix?: string): void {
  for (const [id, r] of Object.entries(template.Resources)) {
    if (markOf(r)?.feature === feature) delete template.Resources[id];
  }
  if (outputPrefix !== undefined && template.Outputs !== undefined) {
    for (const id of Object.keys(template.Outputs))
      if (id.startsWith(outputPrefix)) delete template.Outputs[id];
  }
}

/** A user's Lambda function in the template (not one of ours). */
export interface FunctionInfo {
  logicalId: string;
  resource: Resource;
  /** `Timeout` in seconds when it is a literal number; Lambda's default is 3. `undefined` when an intrinsic. */
  timeoutSeconds: number | undefined;
  condition: string | undefined;
}

/**
 * The service's own functions: every `AWS::Lambda::Function` except those this package added and those a custom
 * resource of the template calls (see `customResourceProviders`).
 */
export function findFunctions(template: Template): FunctionInfo[] {
  const out: FunctionInfo[] = [];
  const providers = customResourceProviders(template);
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== "AWS::Lambda::Function" || markOf(resource) !== undefined) continue;
    if (providers.has(logicalId)) continue;
    const t = resource.Properties?.Timeout;
    out.push({
      logicalId,
      resource,
      timeoutSeconds: t === undefined ? 3 : typeof t === "number" ? t : undefined,
      condition: resource.Condition,
    });
  }
  return out;
}

const isCustomResource = (type: string) =>
  type.startsWith("Custom::") || type === "AWS::CloudFormation::CustomResource";

/**
 * Functions that are the `ServiceToken` of a custom resource in the template, mapped to the first such resource:
 * CloudFormation plumbing (e.g. `@sparta/cli`'s `SpartaS3NotificationFunction` behind
 * `Custom::SpartaS3Notification`), called once per stack operation with CloudFormation's request, never by the
 * service's traffic. They get no version or alias (the `ServiceToken` keeps naming the function), no CodeDeploy,
 * no alarms and no dashboard widgets. Decided by the template's shape rather than by a tag, so functions other
 * decorators add without the CLI's `sparta:function` tag stay the service's.
 */
export function customResourceProviders(template: Template): Map<string, string> {
  const tokens: [string, unknown][] = [];
  for (const [id, r] of Object.entries(template.Resources))
    if (isCustomResource(r.Type)) tokens.push([id, r.Properties?.ServiceToken]);
  const out = new Map<string, string>();
  if (tokens.length === 0) return out;
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    if (r.Type !== "AWS::Lambda::Function") continue;
    const by = tokens.find(([, token]) => refersTo(token, logicalId) || isArnSub(token, logicalId));
    if (by !== undefined) out.set(logicalId, by[0]);
  }
  return out;
}

/** True when `value` is `{ "Fn::Sub": "${id.Arn}" }`, another way to write the function's ARN. */
function isArnSub(value: unknown, logicalId: string): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const s = (value as Record<string, unknown>)["Fn::Sub"];
  return s === "${" + logicalId + ".Arn}";
}

/** The error for an option naming a function that is not one of the service's (absent, or a custom resource's). */
export function unknownFunction(
  template: Template,
  functionId: string,
  known: readonly string[],
  where: string,
): UnknownFunctionError {
  const provider = customResourceProviders(template).get(functionId);
  return new UnknownFunctionError(
    functionId,
    known,
    where,
    provider === undefined ? {} : { customResource: provider },
  );
}

export interface HttpApiInfo {
  logicalId: string;
  resource: Resource;
  condition: string | undefined;
}

/** `AWS::ApiGatewayV2::Api` resources with `ProtocolType: HTTP`. */
export function findHttpApis(template: Template): HttpApiInfo[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === "AWS::ApiGatewayV2::Api" && r.Properties?.ProtocolType === "HTTP")
    .map(([logicalId, resource]) => ({ logicalId, resource, condition: resource.Condition }));
}

export interface RestApiInfo {
  logicalId: string;
  resource: Resource;
  condition: string | undefined;
  /**
   * The value CloudWatch's `ApiName` dimension takes: the API's `Name` (a literal without its non-ASCII
   * characters, as API Gateway publishes it, or the intrinsic as written), else the `info.title` of an inline
   * OpenAPI `Body`; `undefined` when neither is known before deploy (e.g. a `BodyS3Location` definition).
   */
  apiName: unknown;
  /** The stage name, when the template deploys the API to exactly one stage it names; else `undefined`. */
  stage: unknown;
}

/** True when `value` is `{ Ref: id }` or `{ "Fn::GetAtt": [id, "RestApiId"] }`: how a REST API's id is passed. */
function refersToRestApi(value: unknown, logicalId: string): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (Object.keys(v).length !== 1) return false;
  if (v.Ref === logicalId) return true;
  const g = v["Fn::GetAtt"];
  if (Array.isArray(g)) return g[0] === logicalId && g[1] === "RestApiId";
  return g === `${logicalId}.RestApiId`;
}

/**
 * API Gateway drops non-ASCII characters from the `ApiName` dimension, and uses the API id when none is left.
 * See https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
 */
function metricApiName(logicalId: string, name: unknown): unknown {
  if (typeof name !== "string") return name;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  const ascii = name.replace(/[^\x00-\x7F]/g, "");
  return ascii === "" ? ref(logicalId) : ascii;
}

/**
 * `AWS::ApiGateway::RestApi` resources (REST APIs), with what their CloudWatch metrics are filtered by: `ApiName`,
 * and `Stage` when exactly one `AWS::ApiGateway::Stage` or `AWS::ApiGateway::Deployment` (its `StageName`) of the
 * template deploys the API, under the API's own `Condition`.
 */
export function findRestApis(template: Template): RestApiInfo[] {
  const out: RestApiInfo[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== "AWS::ApiGateway::RestApi" || markOf(resource) !== undefined) continue;
    const p = resource.Properties ?? {};
    const body = p.Body as { info?: { title?: unknown } } | undefined;
    const title = typeof body?.info?.title === "string" ? body.info.title : undefined;
    const name = p.Name ?? title;
    const stages = new Map<string, unknown>();
    let unresolvable = false;
    for (const r of Object.values(template.Resources)) {
      if (r.Type !== "AWS::ApiGateway::Stage" && r.Type !== "AWS::ApiGateway::Deployment") continue;
      if (!refersToRestApi(r.Properties?.RestApiId, logicalId)) continue;
      const stageName = r.Properties?.StageName;
      if (stageName === undefined) continue;
      // A stage that may not exist when the API does cannot be named in the API's alarm.
      if (r.Condition !== resource.Condition) unresolvable = true;
      stages.set(stableStringify(stageName), stageName);
    }
    out.push({
      logicalId,
      resource,
      condition: resource.Condition,
      apiName: name === undefined ? undefined : metricApiName(logicalId, name),
      stage: !unresolvable && stages.size === 1 ? [...stages.values()][0] : undefined,
    });
  }
  return out;
}

/** Copies the `Condition` of the resource a derived resource belongs to. */
export function withCondition<T extends object>(value: T, condition: string | undefined): T {
  return condition === undefined ? value : { ...value, Condition: condition };
}

/** JSON with sorted keys, so a hash does not depend on property order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function shortHash(value: unknown, length = 10): string {
  return createHash("sha256").update(stableStringify(value)).digest("hex").slice(0, length);
}

/** True when `value` is `{ Ref: id }`, `{ "Fn::GetAtt": [id, "Arn"] }` or `{ "Fn::GetAtt": "id.Arn" }`. */
export function refersTo(value: unknown, logicalId: string): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  if (v.Ref === logicalId) return true;
  const g = v["Fn::GetAtt"];
  if (Array.isArray(g)) return g[0] === logicalId && g[1] === "Arn";
  return g === `${logicalId}.Arn`;
}

/** CloudFormation's per-template limits that the decorators can push a large service over. */
export const LIMITS = { resources: 500, outputs: 200 } as const;

/** Warns (does not throw: `validateTemplate` reports it too) when the template is over CloudFormation's limits. */
export function warnOverLimits(
  template: Template,
  feature: string,
  reporter: OperationsReporter | undefined,
): void {
  if (reporter?.splitsOverQuotas) return;
  const resources = Object.keys(template.Resources).length;
  const outputs = Object.keys(template.Outputs ?? {}).length;
  if (resources > LIMITS.resources) {
    reporter?.warn(
      `After ${feature}, the template has ${resources} resources; CloudFormation allows ${LIMITS.resources}. ` +
        "Turn features off for some functions (e.g. alarms({ functions: { X: false } })) or split the service.",
    );
  }
  if (outputs > LIMITS.outputs) {
    reporter?.warn(
      `After ${feature}, the template has ${outputs} outputs; CloudFormation allows ${LIMITS.outputs}. ` +
        "Turn some alarms off (each alarm adds an output).",
    );
  }
}
