import { MalformedEventError } from "./errors.js";
import { CONTENT_TYPE, isString, LiteHeaders, SET_COOKIE } from "./headers.js";
import { JSON_TYPE, reasonPhrase } from "./response.js";
import { eventSourceOf, isAuthorizerEvent, isObject } from "./sources.js";
import type { EventAdapter, ResponseParts } from "./types.js";

export type { EventAdapter } from "./types.js";

type AnyRecord = Record<string, any>;

/** The 400 for a field of the wrong type, thrown by the reader that needed it (so only when it mattered). */
function wrong(name: string, expected: string, value: unknown): never {
  throw new MalformedEventError(
    `The "${name}" field of the HTTP event must be ${expected}, received ${Array.isArray(value) ? "a list" : typeof value}`,
  );
}

/** A string field (or none), else the 400 naming it. */
const string = (value: unknown, name: string) =>
  value == null || isString(value) ? value : wrong(name, "a string", value);

/**
 * The values of a header or query parameter, single- or multi-valued: a list as it is, one value as a list of one.
 * Values that read sensibly as text (a number) are taken as text.
 */
const values = (value: unknown): unknown[] => (value == null ? [] : [].concat(value as never));

/** An ALB event: its requestContext holds `elb`. */
const isAlb = (e: AnyRecord) => !!e.requestContext?.elb;

/** A header from an event's record, whatever the case of its name there (`name` is lower case). */
function find(record: AnyRecord | null | undefined, name: string): any {
  if (record) {
    // A string value is an own header (Object.prototype has none): the common case costs no hasOwn.
    const value = record[name];
    if (isString(value) || Object.hasOwn(record, name)) return value;
    for (const key in record) if (key.toLowerCase() === name) return record[key];
  }
}

// The characters a URL path keeps as they are (unreserved, sub-delims, ":", "@", "/", and the `%` that starts an
// escape); any other is percent-encoded as UTF-8. REST, ALB and Function URLs deliver the path as the client sent
// it, percent-encoded, so only a bare `%` is encoded; HTTP API (payloads 1.0 and 2.0) delivers it decoded, so
// every `%` in it is a literal one. Either way a literal `#` or `?` stays in the path. ALB's query goes the same way.
const KEEP = "\\w\\-.~!$&'()*+,;=:@/";
const PATH_OK = RegExp(`^[${KEEP}]*$`);
const ENCODE = RegExp(`%(?![\\da-f]{2})|[^${KEEP}%]`, "giu");
const encodeRaw = (s: string) => s.replace(ENCODE, encodeURIComponent);

/** The last host found valid: a function's events mostly carry the same one, so most checks are a comparison. */
let validHost = "";

/** The event's path field, checked: a string starting with "/", else a 400 naming the field. */
function pathField(e: AnyRecord): string {
  const path = e.rawPath ?? e.path ?? "/";
  return isString(path) && path[0] === "/"
    ? path
    : wrong(e.rawPath == null ? "path" : "rawPath", 'a path starting with "/"', path);
}

/**
 * API Gateway REST API (payload 1.0), HTTP API (payloads 1.0 and 2.0), Function URL and ALB (with or without
 * multi-value headers) events: one reader, as their fields differ little. (VPC Lattice events are read by this
 * reader too, through the `@sparta/handler/lattice` adapter, which presents them in ALB's shape.)
 */
export const httpEvent: EventAdapter<AnyRecord> = {
  http: true,
  test: (e): e is AnyRecord => adapterFor(e) === httpEvent,
  method: (e) => string(e.httpMethod ?? e.requestContext.http.method, "method") as string,
  path(e) {
    const path = pathField(e);
    // HTTP API decodes the path: its 2.0 events carry requestContext.http (as Function URLs, which do not
    // decode), its 1.0 events a version.
    return PATH_OK.test(path)
      ? path
      : encodeRaw(
          (
            e.requestContext?.http
              ? !e.requestContext.domainName?.includes(".lambda-url.")
              : e.version === "1.0"
          )
            ? path.replaceAll("%", "%25")
            : path,
        );
  },
  url(e) {
    const elb = isAlb(e);
    const proto = this.header(e, "x-forwarded-proto");
    const host = this.header(e, "host") || e.requestContext?.domainName || "localhost";
    const path = this.path(e);
    let query = e.rawQueryString;
    if (!isString(query)) {
      // REST and HTTP API 1.0 give the query decoded; ALB passes it as the client sent it.
      const enc = elb ? encodeRaw : encodeURIComponent;
      const record = e.multiValueQueryStringParameters ?? e.queryStringParameters;
      const pairs: string[] = [];
      for (const key in record)
        for (const v of values(record[key])) pairs.push(`${enc(key)}=${enc(String(v))}`);
      query = pairs.join("&");
    }
    // ALB speaks http to its targets unless told otherwise.
    const url = `${proto === "http" || proto === "https" ? proto : elb ? "http" : "https"}://${host}${path}${query ? `?${query}` : ""}`;
    if (host !== validHost && /[^\w.:[\]-]/.test(host)) {
      throw new MalformedEventError(`The HTTP event gives an invalid URL: ${url}`);
    }
    validHost = host;
    return url;
  },
  headers(e) {
    const multi = e.multiValueHeaders;
    const record = multi ?? e.headers;
    if (!multi) {
      const h = LiteHeaders.alias(record ?? {});
      if (e.cookies?.length) h.append("cookie", this.header(e, "cookie")!);
      return h;
    }
    const h = new LiteHeaders();
    for (const key in record) for (const v of values(record[key])) h.append(key, v as string);
    return h;
  },
  header(e, name) {
    const cookies = e.cookies;
    if (name === "cookie" && cookies != null) {
      return Array.isArray(cookies) ? cookies.join("; ") : wrong("cookies", "a list of strings", cookies);
    }
    const value = find(e.headers, name) ?? find(e.multiValueHeaders, name);
    return value == null || isString(value) ? value : values(value).join(", ");
  },
  body: (e) => string(e.body, "body") as string | undefined,
  base64: (e) => e.isBase64Encoded === true,
  result([status, statusText, headers, cookies, body, base64], e) {
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

/**
 * Every other event (S3, SNS, SQS, streams, EventBridge, CloudWatch Logs, CodePipeline, Kafka, authorizers, ...):
 * a POST whose body is the event JSON. A JSON answer becomes the function's result; a status >= 400 becomes a
 * function error (thrown by `lambdaHandler`) so retries and dead-letter queues work.
 */
export const genericEvent: EventAdapter<unknown> = {
  http: false,
  test: (_event): _event is unknown => true,
  method: () => "POST",
  path: (e) => `/events/${eventSourceOf(e)}`,
  url(e) {
    return `https://lambda.invalid${this.path(e)}`;
  },
  headers: (e) => new LiteHeaders({ [CONTENT_TYPE]: JSON_TYPE, "x-sparta-event-source": eventSourceOf(e) }),
  header(e, name) {
    // null for a header it does not have: the request reads null and undefined alike.
    return this.headers(e).get(name) as string | undefined;
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

/**
 * API Gateway WebSocket events ($connect, $disconnect, messages): read as other events (`POST /events/websocket`,
 * the event JSON as body), answered as API Gateway's WebSocket integration expects, `{ statusCode, body }`
 * (a $connect answered >= 400 refuses the connection), so errors become status codes, not function errors.
 */
export const websocketEvent: EventAdapter<unknown> = {
  ...genericEvent,
  http: true,
  // The REST API's result shape (set-cookie in multiValueHeaders).
  result: (parts: ResponseParts) => httpEvent.result(parts, { httpMethod: "POST" }),
};

/**
 * Picks the adapter for an event: an API Gateway authorizer's event is not a request to answer (its REST and
 * HTTP API forms look like one), a WebSocket event carries a connection id, an HTTP event an `httpMethod` (REST,
 * ALB, HTTP API payload 1.0) or a payload 2.0 `requestContext.http` (HTTP API, Function URL); anything else is a
 * generic event. (On every invocation: the requestContext is read once.)
 */
export function adapterFor(event: unknown): EventAdapter {
  if (!isObject(event) || isAuthorizerEvent(event)) return genericEvent;
  const context = event.requestContext;
  return context?.connectionId
    ? websocketEvent
    : isString(event.httpMethod) || (event.version === "2.0" && isObject(context?.http))
      ? httpEvent
      : genericEvent;
}
