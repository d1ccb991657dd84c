import { AuthorizerError, InvalidOptionError } from "./errors.js";
import { LiteHeaders } from "./headers.js";
import { logLine } from "./logger.js";
import { isAuthorizerEvent, isObject } from "./sources.js";
import type { LambdaContext, LambdaEntry, LambdaHandlerOptions } from "./types.js";

export { AuthorizerError } from "./errors.js";

type AnyRecord = Record<string, any>;

/** The API Gateway authorizer events this module reads (declared locally: no AWS types dependency). */
export interface AuthorizerEvent {
  type: "TOKEN" | "REQUEST";
  /** REST API, WebSocket API and HTTP API payload 1.0. */
  methodArn?: string;
  /** HTTP API payload 2.0. */
  routeArn?: string;
  version?: "1.0" | "2.0";
  authorizationToken?: string;
  identitySource?: string | string[];
  [field: string]: unknown;
}

/** What an authorizer function is asked about: one call of one API method or route. */
export interface AuthorizerRequest {
  /** `TOKEN` (REST API token authorizer) or `REQUEST`. */
  type: "TOKEN" | "REQUEST";
  /**
   * Which API sent it, and so which answer it reads: `rest` (REST API, and WebSocket `$connect`) and `http-1.0`
   * read an IAM policy; `http-2.0` reads `{ isAuthorized, context }` (or a policy, see `AuthorizerOptions`).
   */
  format: "rest" | "http-1.0" | "http-2.0";
  /** The method's or route's ARN: `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<method>/<path>`. */
  arn: string;
  /**
   * The caller's credential: a TOKEN authorizer's `authorizationToken`, else the first identity source, else
   * the `Authorization` header (what a REQUEST authorizer is usually configured with).
   */
  token: string | undefined;
  /** The identity source values API Gateway checked were present (HTTP API; empty for REST). */
  identitySource: string[];
  /** The request's headers (case-insensitive; empty for TOKEN authorizers). */
  headers: Headers;
  /** The request's query parameters (empty for TOKEN authorizers). */
  query: URLSearchParams;
  /** The HTTP method and path, when the event carries them. */
  method: string | undefined;
  path: string | undefined;
  /** The event exactly as API Gateway sent it, and the Lambda context. */
  event: AuthorizerEvent;
  context: LambdaContext;
}

/** Values API Gateway passes to the integration (`$context.authorizer.<key>`, `requestContext.authorizer`). */
export type AuthorizerContext = Record<string, string | number | boolean>;

/** An authorizer's answer: `allow(...)`, `deny(...)` or `unauthorized()`. */
export interface AuthorizerDecision {
  allow: boolean;
  /** Answer 401 (REST and WebSocket APIs) instead of 403; HTTP APIs can only deny (403). */
  unauthorized?: boolean;
  /** The caller's identity (IAM policy answers). Default `"anonymous"`. */
  principalId?: string;
  /** Passed to the integration. Policy answers take strings, numbers and booleans only. */
  context?: AuthorizerContext | Record<string, unknown>;
  /**
   * What an IAM policy answer covers: `"method"` (default: the method or route asked about, least privilege),
   * `"stage"` (every method and path of this API stage: right when the answer is cached per token), or ARNs.
   */
  resource?: "method" | "stage" | string | string[];
  /** The API key of a usage plan (REST APIs whose API key source is AUTHORIZER). */
  usageIdentifierKey?: string;
}

/** Options of `authorizer()`. */
export interface AuthorizerOptions extends Pick<LambdaHandlerOptions, "name" | "logger" | "logLevel"> {
  /**
   * How an HTTP API payload 2.0 authorizer answers: `"simple"` (default, `{ isAuthorized, context }`: the
   * authorizer's `EnableSimpleResponses` is true) or `"policy"` (an IAM policy: `EnableSimpleResponses` false).
   * Payload 1.0, REST and WebSocket authorizers always answer a policy.
   */
  response?: "simple" | "policy";
}

/** Lets the request through, as `principalId`, with `context` for the integration. */
export function allow(options: Omit<AuthorizerDecision, "allow" | "unauthorized"> = {}): AuthorizerDecision {
  return { ...options, allow: true };
}

/** Refuses the request: API Gateway answers 403. */
export function deny(options: Omit<AuthorizerDecision, "allow" | "unauthorized"> = {}): AuthorizerDecision {
  return { ...options, allow: false };
}

/** Refuses the request as unauthenticated: 401 from REST and WebSocket APIs; HTTP APIs answer 403. */
export function unauthorized(): AuthorizerDecision {
  return { allow: false, unauthorized: true };
}

/** The request an authorizer event asks about. */
export function authorizerRequest(event: AuthorizerEvent, context: LambdaContext): AuthorizerRequest {
  const e = event as AnyRecord;
  const format = e.routeArn ? "http-2.0" : e.version === "1.0" ? "http-1.0" : "rest";
  const headers = new LiteHeaders();
  const multi = isObject(e.multiValueHeaders) ? e.multiValueHeaders : undefined;
  for (const [name, value] of Object.entries(multi ?? (isObject(e.headers) ? e.headers : {}))) {
    for (const v of [value].flat()) if (v != null) headers.append(name, String(v));
  }
  const query = new URLSearchParams(typeof e.rawQueryString === "string" ? e.rawQueryString : "");
  if (!e.rawQueryString) {
    const record = e.multiValueQueryStringParameters ?? e.queryStringParameters;
    for (const [name, value] of Object.entries(isObject(record) ? record : {})) {
      for (const v of [value].flat()) if (v != null) query.append(name, String(v));
    }
  }
  const identitySource: string[] = Array.isArray(e.identitySource)
    ? e.identitySource
    : typeof e.identitySource === "string" && e.identitySource
      ? e.identitySource.split(",")
      : [];
  return {
    type: e.type,
    format,
    arn: e.routeArn ?? e.methodArn,
    token: e.authorizationToken ?? identitySource[0] ?? headers.get("authorization") ?? undefined,
    identitySource,
    headers,
    query,
    method: e.httpMethod ?? e.requestContext?.http?.method,
    path: e.rawPath ?? e.path,
    event,
    context,
  };
}

/** The ARNs an IAM policy answer grants or denies. */
function resources(decision: AuthorizerDecision, arn: string): string | string[] {
  const resource = decision.resource ?? "method";
  if (resource === "method") return arn;
  if (resource === "stage") {
    // arn:aws:execute-api:<region>:<account>:<api>/<stage>/<method>/<path...> -> .../<api>/<stage>/*
    const [prefix, stage] = arn.split("/", 2);
    return `${prefix}/${stage}/*`;
  }
  return resource;
}

/** The answer API Gateway expects for `request`, as AWS documents each format. */
export function authorizerResponse(
  request: Pick<AuthorizerRequest, "format" | "arn">,
  decision: AuthorizerDecision,
  response: "simple" | "policy" = "simple",
): Record<string, unknown> {
  if (!isObject(decision) || typeof decision.allow !== "boolean") {
    throw new AuthorizerError(
      "AUTHORIZER_DECISION",
      `An authorizer function must return allow(...), deny(...) or unauthorized(), received ${JSON.stringify(decision) ?? typeof decision}`,
    );
  }
  const context = decision.context;
  if (request.format === "http-2.0" && response === "simple") {
    return context === undefined
      ? { isAuthorized: decision.allow }
      : { isAuthorized: decision.allow, context };
  }
  for (const [key, value] of Object.entries(context ?? {})) {
    if (!["string", "number", "boolean"].includes(typeof value)) {
      throw new AuthorizerError(
        "AUTHORIZER_CONTEXT",
        `The authorizer's context value "${key}" is ${Array.isArray(value) ? "a list" : typeof value}: an IAM policy answer carries only strings, numbers and booleans (JSON.stringify it)`,
      );
    }
  }
  const answer: Record<string, unknown> = {
    principalId: decision.principalId ?? "anonymous",
    policyDocument: {
      Version: "2012-10-17",
      Statement: [
        {
          Action: "execute-api:Invoke",
          Effect: decision.allow ? "Allow" : "Deny",
          Resource: resources(decision, request.arn),
        },
      ],
    },
  };
  if (context !== undefined) answer.context = context;
  if (decision.usageIdentifierKey !== undefined) answer.usageIdentifierKey = decision.usageIdentifierKey;
  return answer;
}

/**
 * A Lambda authorizer for API Gateway REST (TOKEN and REQUEST), HTTP (payloads 1.0 and 2.0) and WebSocket APIs:
 * `fn` decides, and the answer goes back in the shape API Gateway reads for that event, as AWS documents it (an
 * IAM policy, or HTTP API's simple `{ isAuthorized, context }`). A function that throws is logged and fails
 * the invocation, so API Gateway refuses the call (500): an authorizer never lets a request through by accident.
 *
 * @example
 * export const handler = authorizer(async ({ token }) => {
 *   const user = await verify(token); // your check
 *   return user ? allow({ principalId: user.id, context: { tenant: user.tenant } }) : unauthorized();
 * });
 * // REST API: { principalId: "u1", policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: "<methodArn>" }] }, context: { tenant: "t1" } }
 * // HTTP API (payload 2.0, simple responses): { isAuthorized: true, context: { tenant: "t1" } }
 */
export function authorizer(
  fn: (request: AuthorizerRequest) => AuthorizerDecision | Promise<AuthorizerDecision>,
  options: AuthorizerOptions = {},
): LambdaEntry {
  if (typeof fn !== "function") {
    throw new InvalidOptionError(
      "AUTHORIZER_FUNCTION",
      `authorizer() expects a function (request) => allow(...) | deny(...), received ${typeof fn}`,
    );
  }
  const response = options.response ?? "simple";
  if (response !== "simple" && response !== "policy") {
    throw new InvalidOptionError(
      "AUTHORIZER_RESPONSE",
      `authorizer()'s response option is "simple" or "policy", received ${JSON.stringify(response)}`,
    );
  }
  const runtime = { ...options };
  return async (event, context) => {
    if (!isObject(event) || !isAuthorizerEvent(event)) {
      throw new AuthorizerError(
        "NOT_AN_AUTHORIZER_EVENT",
        "authorizer() received an event that is not an API Gateway authorizer's (it has no methodArn or routeArn): " +
          "configure this function as the API's Lambda authorizer, or export lambdaHandler(...) for other events",
      );
    }
    const request = authorizerRequest(event as AuthorizerEvent, context);
    const name = runtime.name ?? context?.functionName ?? "authorizer";
    let decision: AuthorizerDecision;
    try {
      decision = await fn(request);
    } catch (error) {
      logLine(runtime, context?.awsRequestId, name, "ERROR", "The authorizer failed: the call is refused", {
        error,
      });
      throw error;
    }
    // REST and WebSocket APIs answer 401 to this exact error message.
    if (decision?.unauthorized && request.format === "rest") {
      throw new Error("Unauthorized");
    }
    return authorizerResponse(request, decision, response);
  };
}
