import type { AlbEvent, HttpApiV2Event, RestApiV1Event } from "./events.js";
import { LiteHeaders } from "./headers.js";
import type { RequestSource } from "./request.js";
import type { ResponseParts } from "./response.js";

/** An event source: a type guard, how to read a request out of the event, and how to shape the result. */
export interface EventAdapter<E = any> extends RequestSource<E> {
  /** True for HTTP sources (API Gateway, ALB, Function URL): errors become HTTP results, not function errors. */
  readonly http: boolean;
  test(event: unknown): event is E;
  result(parts: ResponseParts, event: E): unknown;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hostOf(headers: Record<string, string> | null | undefined, fallback: string | undefined): string {
  if (headers) {
    const h = headers.host ?? headers.Host;
    if (h) return h;
    for (const key in headers) if (key.toLowerCase() === "host") return headers[key]!;
  }
  return fallback || "localhost";
}

function protoOf(headers: Record<string, string> | null | undefined, fallback: string): string {
  if (!headers) return fallback;
  const p = headers["x-forwarded-proto"] ?? headers["X-Forwarded-Proto"];
  return p === "http" || p === "https" ? p : fallback;
}

function encodePath(path: string): string {
  // API Gateway v1 and ALB give the path decoded; a URL needs it encoded (but keep the slashes).
  return /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(path) ? path : encodeURI(path);
}

/** API Gateway HTTP API (payload 2.0) and Lambda Function URLs share this shape. */
export const httpApiV2: EventAdapter<HttpApiV2Event> = {
  kind: "apigw-v2",
  http: true,
  test(event): event is HttpApiV2Event {
    return (
      isObject(event) &&
      event.version === "2.0" &&
      isObject(event.requestContext) &&
      isObject(event.requestContext.http)
    );
  },
  method: (e) => e.requestContext.http.method || "GET",
  path: (e) => e.rawPath ?? e.requestContext.http.path ?? "/",
  url(e) {
    const qs = e.rawQueryString;
    return `${protoOf(e.headers, "https")}://${hostOf(e.headers, e.requestContext.domainName)}${this.path(e)}${qs ? `?${qs}` : ""}`;
  },
  headers: (e) => LiteHeaders.fromRecord(e.headers, e.cookies),
  body: (e) => e.body,
  base64: (e) => e.isBase64Encoded === true,
  result(parts) {
    const out: Record<string, unknown> = {
      statusCode: parts.status,
      headers: parts.headers,
      body: parts.body,
      isBase64Encoded: parts.base64,
    };
    if (parts.cookies.length > 0) out.cookies = parts.cookies;
    return out;
  },
};

function v1Query(e: RestApiV1Event, encode: boolean): string {
  const enc = encode ? encodeURIComponent : (s: string) => s;
  const multi = e.multiValueQueryStringParameters;
  const parts: string[] = [];
  if (multi) {
    for (const key in multi) for (const v of multi[key] ?? []) parts.push(`${enc(key)}=${enc(v)}`);
  } else if (e.queryStringParameters) {
    const single = e.queryStringParameters;
    for (const key in single) parts.push(`${enc(key)}=${enc(single[key]!)}`);
  }
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}

function v1Headers(e: RestApiV1Event): LiteHeaders {
  return e.multiValueHeaders
    ? LiteHeaders.fromMultiValue(e.multiValueHeaders)
    : LiteHeaders.fromRecord(e.headers);
}

function singleHost(e: RestApiV1Event): Record<string, string> | null | undefined {
  if (e.headers) return e.headers;
  if (!e.multiValueHeaders) return undefined;
  const out: Record<string, string> = {};
  for (const key in e.multiValueHeaders) {
    const v = e.multiValueHeaders[key];
    if (v && v.length > 0) out[key] = v[0]!;
  }
  return out;
}

/** REST API (v1) and ALB events share their request shape; they differ in the default scheme and query encoding. */
function v1Shaped<E extends RestApiV1Event>(
  kind: string,
  elb: boolean,
  result: (parts: ResponseParts, event: E) => unknown,
): EventAdapter<E> {
  return {
    kind,
    http: true,
    test(event): event is E {
      return (
        isObject(event) &&
        typeof event.httpMethod === "string" &&
        (isObject(event.requestContext) && "elb" in event.requestContext) === elb
      );
    },
    method: (e) => e.httpMethod,
    path: (e) => e.path ?? "/",
    url(e) {
      const h = singleHost(e);
      // ALB passes query parameters as the client sent them (still percent-encoded), over http by default.
      return `${protoOf(h, elb ? "http" : "https")}://${hostOf(h, e.requestContext?.domainName as string | undefined)}${encodePath(this.path(e))}${v1Query(e, !elb)}`;
    },
    headers: v1Headers,
    body: (e) => e.body,
    base64: (e) => e.isBase64Encoded === true,
    result,
  };
}

/** API Gateway REST API (payload 1.0). */
export const restApiV1: EventAdapter<RestApiV1Event> = /* @__PURE__ */ v1Shaped(
  "apigw-v1",
  false,
  (parts) => {
    const out: Record<string, unknown> = {
      statusCode: parts.status,
      headers: parts.headers,
      body: parts.body,
      isBase64Encoded: parts.base64,
    };
    if (parts.cookies.length > 0) out.multiValueHeaders = { "set-cookie": parts.cookies };
    return out;
  },
);

/** Application Load Balancer target, with or without multi-value headers enabled on the target group. */
export const alb: EventAdapter<AlbEvent> = /* @__PURE__ */ v1Shaped("alb", true, (parts, event) => {
  const statusDescription = `${parts.status} ${parts.statusText}`.trim();
  let headers: Record<string, string | string[]>;
  if (event.multiValueHeaders) {
    headers = {};
    for (const key in parts.headers) headers[key] = [parts.headers[key]!];
    if (parts.cookies.length > 0) headers["set-cookie"] = parts.cookies;
  } else {
    headers = { ...parts.headers };
    // Without multi-value headers ALB accepts one value per name: keep the last cookie, as ALB would.
    if (parts.cookies.length > 0) headers["set-cookie"] = parts.cookies[parts.cookies.length - 1]!;
  }
  return {
    statusCode: parts.status,
    statusDescription,
    [event.multiValueHeaders ? "multiValueHeaders" : "headers"]: headers,
    body: parts.body,
    isBase64Encoded: parts.base64,
  };
});

/** A short name for the service that sent a non-HTTP event (used in the request URL and a header). */
export function eventSourceOf(event: unknown): string {
  if (!isObject(event)) return "unknown";
  const records = event.Records;
  if (Array.isArray(records) && isObject(records[0])) {
    const r = records[0];
    const src = r.eventSource ?? r.EventSource;
    if (typeof src === "string") return src.replace(/^aws:/, "").toLowerCase();
  }
  if (isObject(event.awslogs)) return "logs";
  if (isObject(event["CodePipeline.job"])) return "codepipeline";
  if (typeof event["detail-type"] === "string") {
    return event["detail-type"] === "Scheduled Event" ? "schedule" : "eventbridge";
  }
  if (typeof event.triggerSource === "string") return "cognito";
  return "unknown";
}

/**
 * Every other event (S3, SNS, SQS, streams, EventBridge, CloudWatch Logs, CodePipeline, ...): a POST whose
 * body is the event JSON. A JSON answer becomes the function's result; a status >= 400 becomes a function
 * error (thrown by `lambdaHandler`) so retries and dead-letter queues work.
 */
export const genericEvent: EventAdapter<unknown> = {
  kind: "event",
  http: false,
  test(_event): _event is unknown {
    return true;
  },
  method: () => "POST",
  path: (e) => `/events/${eventSourceOf(e)}`,
  url(e) {
    return `https://lambda.invalid${this.path(e)}`;
  },
  headers(e) {
    const h = new LiteHeaders();
    h.set("content-type", "application/json");
    h.set("x-sparta-event-source", eventSourceOf(e));
    return h;
  },
  body: (e) => JSON.stringify(e ?? null),
  base64: () => false,
  result(parts) {
    if (parts.body === "") return null;
    const type = parts.headers["content-type"];
    if (!parts.base64 && (type === undefined || type.includes("json"))) {
      try {
        return JSON.parse(parts.body);
      } catch {
        return parts.body;
      }
    }
    return parts.body;
  },
};

const ADAPTERS: readonly EventAdapter[] = [httpApiV2, restApiV1, alb];

/** Picks the adapter for an event by type guard; anything unrecognised is a generic event. */
export function adapterFor(event: unknown): EventAdapter {
  for (const adapter of ADAPTERS) if (adapter.test(event)) return adapter;
  return genericEvent;
}
