import { functionLogicalIds } from "./marshal.js";
import type { ServiceDefinition, TemplateDocument } from "./service.js";

/** An HTTP API route of a template and the service function it invokes. */
export interface Route {
  method: string;
  path: string;
  function: string;
  /** Logical id of the route's `AWS::ApiGatewayV2::Route`. */
  logicalId?: string;
  /** Logical id of the API it belongs to. */
  api?: string;
  /** Who may call it: the name of its authorizer, or `"AWS_IAM"`; none when it is public. */
  authorizer?: string;
}

/** The authorizer of a route resource: `"AWS_IAM"`, its authorizer's name, or `undefined` when it is public. */
function authorizerOf(
  template: TemplateDocument,
  props: Record<string, unknown> | undefined,
): string | undefined {
  const type = props?.AuthorizationType;
  if (type === "AWS_IAM") return type;
  if (type !== "CUSTOM" && type !== "JWT") return undefined;
  const id = (props?.AuthorizerId as { Ref?: unknown } | undefined)?.Ref;
  const name = typeof id === "string" ? template.Resources[id]?.Properties?.Name : undefined;
  return typeof name === "string" ? name : String(type);
}

/**
 * The HTTP API routes of a template (decorators' routes included, such as healthRoute()'s `GET /health`), each with
 * the service function its integration invokes, directly or through an alias: read with @sparta/operations'
 * `integrationTargets`, so explore and describe read the routes the way the template deploys them.
 */
export async function templateRoutes(
  service: ServiceDefinition,
  template: TemplateDocument,
): Promise<Route[]> {
  const functionOf = new Map(service.functions.map((fn) => [functionLogicalIds(fn).function, fn.name]));
  const { integrationTargets } = await import("@sparta/operations");
  const targets = integrationTargets(template as never, [...functionOf.keys()]);
  const routes: Route[] = [];
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    if (r.Type !== "AWS::ApiGatewayV2::Route") continue;
    const [method, path] = String(r.Properties?.RouteKey ?? "").split(" ");
    const target = r.Properties?.Target as { "Fn::Join"?: [string, unknown[]] } | undefined;
    const integration = (target?.["Fn::Join"]?.[1]?.[1] as { Ref?: string } | undefined)?.Ref;
    const fn = integration === undefined ? undefined : functionOf.get(targets.get(integration) ?? "");
    const api = (r.Properties?.ApiId as { Ref?: unknown } | undefined)?.Ref;
    const authorizer = authorizerOf(template, r.Properties);
    if (method && path && fn)
      routes.push({
        method,
        path,
        function: fn,
        logicalId,
        ...(typeof api === "string" ? { api } : {}),
        ...(authorizer ? { authorizer } : {}),
      });
  }
  return routes;
}
