import {
  asTemplate,
  findFunctions,
  findHttpApis,
  getAtt,
  join,
  markOf,
  type OperationsReporter,
  putResource,
  ref,
  refersTo,
  removeFeature,
  sub,
  type Template,
  type TemplateJson,
  unknownFunction,
  warnOverLimits,
  withCondition,
} from "./cfn.js";
import { InvalidOptionError, TemplateShapeError } from "./errors.js";

export interface HealthRouteOptions {
  /** Path of the route. Default `/health`. */
  path?: string;
  /** Logical id of the HTTP API; needed only when the template has more than one. */
  api?: string;
  /**
   * Logical id of the function that answers (its handler uses `healthCheck()` from `@sparta/handler`). Needed only
   * when the API integrates more than one function and the template has more than one.
   */
  function?: string;
  reporter?: OperationsReporter;
}

/**
 * Adds a `GET /health` route to the service's HTTP API, integrated with the function whose `healthCheck()`
 * middleware answers it. Reuses the API's existing integration of that function (so the route follows the
 * `live` alias when `safeDeploy` rewired it); otherwise adds an integration and an invoke permission.
 * A `GET <path>` route the user already wrote is left alone.
 */
export function addHealthRoute<T extends TemplateJson>(template: T, options: HealthRouteOptions = {}): T {
  const t = asTemplate(template);
  const path = options.path ?? "/health";
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(path)) {
    throw new InvalidOptionError(
      `healthRoute({ path: ${JSON.stringify(path)} }): a path starts with "/" and has letters, digits, ".", "_", "~", "-" or "/" only. Example: "/health".`,
    );
  }
  removeFeature(t, "healthRoute");
  const api = pickApi(t, options.api);
  const apiId = api.logicalId;
  const routeKey = `GET ${path}`;
  const taken = Object.entries(t.Resources).find(
    ([, r]) =>
      r.Type === "AWS::ApiGatewayV2::Route" &&
      refersTo(r.Properties?.ApiId, apiId) &&
      r.Properties?.RouteKey === routeKey,
  );
  if (taken !== undefined) {
    options.reporter?.warn(`No health route added: ${taken[0]} already routes "${routeKey}" on ${apiId}.`);
    return template;
  }

  const functions = findFunctions(t).map((f) => f.logicalId);
  const targets = integrationTargets(t, functions);
  const integrations = Object.entries(t.Resources)
    .filter(([, r]) => r.Type === "AWS::ApiGatewayV2::Integration" && refersTo(r.Properties?.ApiId, apiId))
    .map(([id]) => ({ id, fn: targets.get(id) }))
    .filter((i): i is { id: string; fn: string } => i.fn !== undefined);

  let fnId = options.function;
  if (fnId !== undefined && !functions.includes(fnId)) {
    throw unknownFunction(t, fnId, functions, `healthRoute({ function: "${fnId}" })`);
  }
  if (fnId === undefined) {
    const candidates = [...new Set(integrations.map((i) => i.fn))];
    const pool = candidates.length > 0 ? candidates : functions;
    if (pool.length !== 1) {
      throw new TemplateShapeError(
        pool.length === 0
          ? "healthRoute() found no AWS::Lambda::Function in the template to answer the health route."
          : `healthRoute() cannot tell which function answers ${routeKey} on ${apiId}: ${pool.join(", ")} could. ` +
              `Name it: healthRoute({ function: "${pool[0]}" }).`,
      );
    }
    fnId = pool[0]!;
  }

  const condition = t.Resources[fnId]?.Condition ?? api.condition;
  let integrationId = integrations.find((i) => i.fn === fnId)?.id;
  if (integrationId === undefined) {
    integrationId = `${fnId}HealthIntegration`;
    const aliasId = Object.entries(t.Resources).find(
      ([, r]) => markOf(r)?.kind === "alias" && markOf(r)?.function === fnId,
    )?.[0];
    const target = aliasId === undefined ? getAtt(fnId, "Arn") : ref(aliasId);
    putResource(
      t,
      integrationId,
      withCondition(
        {
          Type: "AWS::ApiGatewayV2::Integration",
          Properties: {
            ApiId: ref(apiId),
            IntegrationType: "AWS_PROXY",
            IntegrationUri: target,
            PayloadFormatVersion: "2.0",
          },
        },
        condition,
      ),
      { feature: "healthRoute", function: fnId, kind: "integration" },
    );
    putResource(
      t,
      `${fnId}HealthPermission`,
      withCondition(
        {
          Type: "AWS::Lambda::Permission",
          Properties: {
            Action: "lambda:InvokeFunction",
            FunctionName: target,
            Principal: "apigateway.amazonaws.com",
            SourceArn: sub(
              "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" +
                apiId +
                "}/*/GET" +
                path,
            ),
          },
        },
        condition,
      ),
      { feature: "healthRoute", function: fnId, kind: "permission" },
    );
  }

  const routeId = `${apiId}HealthRoute`;
  putResource(
    t,
    routeId,
    withCondition(
      {
        Type: "AWS::ApiGatewayV2::Route",
        Properties: {
          ApiId: ref(apiId),
          RouteKey: routeKey,
          AuthorizationType: "NONE",
          Target: join("/", ["integrations", ref(integrationId)]),
        },
      },
      condition,
    ),
    { feature: "healthRoute", function: fnId, kind: "route" },
  );
  // An explicit deployment must come after the route, or the route is not in it.
  for (const r of Object.values(t.Resources)) {
    if (r.Type !== "AWS::ApiGatewayV2::Deployment" || !refersTo(r.Properties?.ApiId, apiId)) continue;
    if (condition !== undefined && r.Condition !== condition) continue;
    const deps = r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn];
    if (!deps.includes(routeId)) r.DependsOn = [...deps, routeId];
  }
  warnOverLimits(t, "healthRoute()", options.reporter);
  return template;
}

function pickApi(t: Template, wanted: string | undefined) {
  const apis = findHttpApis(t);
  if (wanted !== undefined) {
    const api = apis.find((a) => a.logicalId === wanted);
    if (api === undefined) {
      throw new TemplateShapeError(
        `healthRoute({ api: "${wanted}" }): the template has no HTTP API (AWS::ApiGatewayV2::Api with ProtocolType HTTP) ` +
          `with that logical id. HTTP APIs: ${apis.map((a) => a.logicalId).join(", ") || "(none)"}.`,
      );
    }
    return api;
  }
  if (apis.length === 1) return apis[0]!;
  throw new TemplateShapeError(
    apis.length === 0
      ? "healthRoute() needs an HTTP API (AWS::ApiGatewayV2::Api with ProtocolType HTTP), and the template has none. " +
          'Give a function an httpApi event, e.g. events: [{ type: "httpApi", method: "GET", path: "/hello" }].'
      : `healthRoute() found ${apis.length} HTTP APIs (${apis.map((a) => a.logicalId).join(", ")}). ` +
          `Name one: healthRoute({ api: "${apis[0]!.logicalId}" }).`,
  );
}

/** Logical ids that invoke a function when an integration points at them: the function and its aliases. */
/**
 * The function each HTTP API integration of the template invokes (integration logical id -> function logical id),
 * directly, through an alias of it (safeDeploy's `live`, or any `AWS::Lambda::Alias` naming the function), or inside
 * a `Fn::Sub`. `functions` limits which functions count (default: every `AWS::Lambda::Function`).
 */
export function integrationTargets(
  template: Template,
  functions: readonly string[] = Object.keys(template.Resources).filter(
    (id) => template.Resources[id]?.Type === "AWS::Lambda::Function",
  ),
): Map<string, string> {
  const owner = invokeTargets(template, functions);
  const targets = new Map<string, string>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== "AWS::ApiGatewayV2::Integration") continue;
    const fn = functionInvokedBy(r.Properties?.IntegrationUri, owner);
    if (fn !== undefined) targets.set(id, fn);
  }
  return targets;
}

function invokeTargets(t: Template, functions: readonly string[]): Map<string, string> {
  const direct = new Map(functions.map((f) => [f, f]));
  const owner = new Map(direct);
  for (const [id, r] of Object.entries(t.Resources)) {
    const m = markOf(r);
    if (m?.kind === "alias" && m.function !== undefined && direct.has(m.function)) owner.set(id, m.function);
    else if (r.Type === "AWS::Lambda::Alias") {
      const fn = functionInvokedBy(r.Properties?.FunctionName, direct);
      if (fn !== undefined) owner.set(id, fn);
    }
  }
  return owner;
}

/** The function an integration URI invokes (directly, through its alias, or inside a `Fn::Sub`), if any. */
function functionInvokedBy(uri: unknown, owner: Map<string, string>): string | undefined {
  if (uri === null || typeof uri !== "object") return undefined;
  const v = uri as Record<string, unknown>;
  if (typeof v.Ref === "string") return owner.get(v.Ref);
  const g = v["Fn::GetAtt"];
  if (Array.isArray(g) && g[1] === "Arn") return owner.get(String(g[0]));
  if (typeof g === "string" && g.endsWith(".Arn")) return owner.get(g.slice(0, -4));
  const s = v["Fn::Sub"];
  const text = typeof s === "string" ? s : Array.isArray(s) && typeof s[0] === "string" ? s[0] : "";
  for (const [, name] of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.Arn)?\}/g)) {
    const fn = owner.get(name!);
    if (fn !== undefined) return fn;
  }
  return undefined;
}
