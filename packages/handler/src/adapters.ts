import type { AlbEvent, HttpApiV2Event, RestApiV1Event } from "./events.js";
import { CONTENT_TYPE, isString, LiteHeaders, SET_COOKIE } from "./headers.js";
import type { RequestSource } from "./request.js";
import { JSON_TYPE, type ResponseParts, reasonPhrase } from "./response.js";

/** An event source: a type guard, how to read a request out of the event, and how to shape the result. */
export interface EventAdapter<E = any> extends RequestSource<E> {
  /** True for HTTP sources (API Gateway, ALB, Function URL): errors become HTTP results, not function errors. */
  readonly http: boolean;
  test(event: unknown): event is E;
  result(parts: ResponseParts, event: E): unknown;
}

type AnyRecord = Record<string, any>;

function isObject(value: unknown): value is AnyRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An ALB event: its requestContext holds `elb`. */
const isAlb = (e: AnyRecord) => isObject(e.requestContext?.elb);

/** A header from an event's record, whatever the case of its name there (`name` is lower case). */
function find(record: AnyRecord | null | undefined, name: string): any {
  if (record) {
    if (Object.hasOwn(record, name)) return record[name];
    for (const key in record) if (key.toLowerCase() === name) return record[key];
  }
}

type Check = [expected: string, ok: (value: unknown) => boolean];
const strings = (v: unknown) => Array.isArray(v) && v.every(isString);
const eachValue = (ok: (v: unknown) => boolean) => (v: unknown) => isObject(v) && Object.values(v).every(ok);
const STRING: Check = ["a string", isString];
const STRING_RECORD: Check = ["an object of strings", eachValue(isString)];
const LIST_RECORD: Check = ["an object of string lists", eachValue((v) => v == null || strings(v))];
/** The fields of an HTTP event the reader uses, and what each must be when present. */
const HTTP_FIELDS: Record<string, Check> = {
  rawPath: STRING,
  path: STRING,
  rawQueryString: STRING,
  body: STRING,
  isBase64Encoded: ["true or false", (v) => typeof v === "boolean"],
  headers: STRING_RECORD,
  queryStringParameters: STRING_RECORD,
  multiValueHeaders: LIST_RECORD,
  multiValueQueryStringParameters: LIST_RECORD,
  cookies: ["a list of strings", strings],
  method: STRING, // httpMethod or requestContext.http.method
};

/**
 * API Gateway REST API (payload 1.0), HTTP API (payload 2.0), Function URL and ALB events (with or without
 * multi-value headers): one reader, as their fields differ little.
 */
export const httpEvent: EventAdapter<AnyRecord> = {
  kind: "HTTP",
  http: true,
  test: (event): event is AnyRecord =>
    isObject(event) &&
    (isString(event.httpMethod) || (event.version === "2.0" && isObject(event.requestContext?.http))),
  method: (e: AnyRecord) => e.httpMethod ?? (e.requestContext.http.method || "GET"),
  path: (e: AnyRecord) => e.rawPath ?? e.path ?? e.requestContext?.http?.path ?? "/",
  url(e: AnyRecord) {
    const elb = isAlb(e);
    const proto = this.header(e, "x-forwarded-proto");
    const host = this.header(e, "host") || e.requestContext?.domainName || "localhost";
    const path = this.path(e);
    let query: string = e.rawQueryString ?? "";
    if (e.httpMethod) {
      // API Gateway REST gives the path and query decoded; ALB passes the query as the client sent it.
      const enc = elb ? (s: string) => s : encodeURIComponent;
      const multi = e.multiValueQueryStringParameters;
      const single = e.queryStringParameters;
      const pairs: string[] = [];
      for (const key in multi ?? single) {
        for (const v of multi ? (multi[key] ?? []) : [single[key]]) pairs.push(`${enc(key)}=${enc(v)}`);
      }
      query = pairs.join("&");
    }
    // ALB speaks http to its targets unless told otherwise.
    return `${proto === "http" || proto === "https" ? proto : elb ? "http" : "https"}://${host}${
      /^[\w\-.~!$&'()*+,;=:@/%]*$/.test(path) ? path : encodeURI(path)
    }${query ? `?${query}` : ""}`;
  },
  headers(e: AnyRecord) {
    const multi = e.multiValueHeaders;
    if (!multi) {
      const h = LiteHeaders.alias(e.headers ?? {});
      if (e.cookies?.length) h.append("cookie", e.cookies.join("; "));
      return h;
    }
    const h = new LiteHeaders();
    for (const key in multi) for (const v of multi[key] ?? []) h.append(key, v);
    return h;
  },
  header: (e: AnyRecord, name) =>
    name === "cookie" && e.cookies?.length
      ? e.cookies.join("; ")
      : (find(e.headers, name) ?? find(e.multiValueHeaders, name)?.join(", ")),
  body: (e) => e.body,
  base64: (e) => e.isBase64Encoded === true,
  problem(e: AnyRecord) {
    const fields: AnyRecord = { ...e, method: e.httpMethod ?? e.requestContext.http.method };
    for (const name in HTTP_FIELDS) {
      const [expected, ok] = HTTP_FIELDS[name]!;
      const value = fields[name];
      if (value != null && !ok(value)) {
        return `The "${name}" field of the HTTP event must be ${expected}, received ${Array.isArray(value) ? "a list" : typeof value}: check what invokes this function`;
      }
    }
  },
  result([status, statusText, headers, cookies, body, base64], e: AnyRecord) {
    const out: AnyRecord = { statusCode: status, headers, body, isBase64Encoded: base64 };
    const many = cookies.length > 0;
    if (isAlb(e)) {
      // ALB wants a status line, and one value per name unless the target group sent multi-value headers
      // (then only the last cookie survives, as ALB itself would keep it).
      const multi = !!e.multiValueHeaders;
      const shaped: AnyRecord = {};
      for (const key in headers) shaped[key] = multi ? [headers[key]] : headers[key];
      if (many) shaped[SET_COOKIE] = multi ? cookies : cookies[cookies.length - 1];
      out.statusDescription = `${status} ${statusText || reasonPhrase(status)}`.trim();
      delete out.headers;
      out[multi ? "multiValueHeaders" : "headers"] = shaped;
    } else if (many) {
      if (e.httpMethod) out.multiValueHeaders = { "set-cookie": cookies };
      else out.cookies = cookies;
    }
    return out;
  },
};

/** A short name for the service that sent a non-HTTP event (used in the request URL and a header). */
export function eventSourceOf(event: unknown): string {
  if (!isObject(event)) return "unknown";
  const record = event.Records?.[0];
  const source = record?.eventSource ?? record?.EventSource;
  if (isString(source)) return source.replace(/^aws:/, "").toLowerCase();
  if (isObject(event.awslogs)) return "logs";
  if (isObject(event["CodePipeline.job"])) return "codepipeline";
  const detailType = event["detail-type"];
  if (isString(detailType)) return detailType === "Scheduled Event" ? "schedule" : "eventbridge";
  return isString(event.triggerSource) ? "cognito" : "unknown";
}

/**
 * Every other event (S3, SNS, SQS, streams, EventBridge, CloudWatch Logs, CodePipeline, ...): a POST whose
 * body is the event JSON. A JSON answer becomes the function's result; a status >= 400 becomes a function
 * error (thrown by `lambdaHandler`) so retries and dead-letter queues work.
 */
export const genericEvent: EventAdapter<unknown> = {
  kind: "event",
  http: false,
  test: (_event): _event is unknown => true,
  method: () => "POST",
  path: (e) => `/events/${eventSourceOf(e)}`,
  url(e) {
    return `https://lambda.invalid${this.path(e)}`;
  },
  headers: (e) => new LiteHeaders({ [CONTENT_TYPE]: JSON_TYPE, "x-sparta-event-source": eventSourceOf(e) }),
  header(e, name) {
    return this.headers(e).get(name) ?? undefined;
  },
  body: (e) => JSON.stringify(e ?? null),
  base64: () => false,
  result([, , headers, , body, base64]) {
    const type = headers[CONTENT_TYPE];
    if (body === "") return null;
    if (!base64 && (!type || type.includes("json"))) {
      try {
        return JSON.parse(body);
      } catch {}
    }
    return body;
  },
};

/** Picks the adapter for an event by type guard; anything unrecognised is a generic event. */
export function adapterFor(event: unknown): EventAdapter {
  return httpEvent.test(event) ? httpEvent : genericEvent;
}
