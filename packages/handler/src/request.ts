import { DeadlineExceededError, MalformedEventError, NotALambdaRequestError } from "./errors.js";
import { LiteHeaders } from "./headers.js";
import { Logger, levelFromEnv } from "./logger.js";
import type { LambdaContext, LogLevel, LogSink } from "./types.js";

/** How an event source turns its event into the parts of a request (module-level singletons). */
export interface RequestSource<E = any> {
  readonly kind: string;
  method(event: E): string;
  /** The path without query string, cheap (used by routing middleware). */
  path(event: E): string;
  url(event: E): string;
  headers(event: E): LiteHeaders;
  /** The body as carried by the event, and whether it is base64. */
  body(event: E): string | null | undefined;
  base64(event: E): boolean;
}

/** Per-function settings shared by every request of one `lambdaHandler()`. */
export interface RequestRuntime {
  readonly name: string | undefined;
  readonly deadlineMarginMs: number;
  readonly sink: LogSink;
  readonly level: LogLevel | undefined;
}

const kEvent = Symbol("sparta.event");
const kContext = Symbol("sparta.context");
const kSource = Symbol("sparta.source");
const kRuntime = Symbol("sparta.runtime");
const kParsed = Symbol("sparta.parsedJson");
const kLogger = Symbol("sparta.logger");

const NO_PARSE = Symbol("sparta.noParse");

function unusable(): TypeError {
  return new TypeError("Body is unusable: the request body has already been read");
}

/**
 * The request a handler receives. It implements the standard `Request` interface, but its url, headers and
 * body are only built from the Lambda event when first touched, so a handler pays for what it uses.
 * `toRequest()` gives a real global `Request` when a library insists on one.
 */
export class LambdaRequest implements Request {
  get cache(): RequestCache {
    return "default";
  }
  get credentials(): RequestCredentials {
    return "same-origin";
  }
  get destination(): RequestDestination {
    return "";
  }
  get integrity(): string {
    return "";
  }
  get keepalive(): boolean {
    return false;
  }
  get mode(): RequestMode {
    return "cors";
  }
  get redirect(): RequestRedirect {
    return "follow";
  }
  get referrer(): string {
    return "about:client";
  }
  get referrerPolicy(): ReferrerPolicy {
    return "";
  }
  get duplex(): "half" {
    return "half";
  }

  /** @internal */ [kEvent]: any;
  /** @internal */ [kContext]: LambdaContext;
  /** @internal */ [kSource]: RequestSource;
  /** @internal */ [kRuntime]: RequestRuntime;
  /** @internal */ [kParsed]: unknown = NO_PARSE;
  /** @internal */ [kLogger]: Logger | undefined = undefined;
  private _method: string | undefined = undefined;
  private _url: string | undefined = undefined;
  private _headers: LiteHeaders | undefined = undefined;
  private _used = false;
  private _real: Response | undefined = undefined;
  private _controller: AbortController | undefined = undefined;
  private _timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(event: unknown, context: LambdaContext, source: RequestSource, runtime: RequestRuntime) {
    this[kEvent] = event;
    this[kContext] = context;
    this[kSource] = source;
    this[kRuntime] = runtime;
  }

  get method(): string {
    if (this._method === undefined) this._method = this[kSource].method(this[kEvent]).toUpperCase();
    return this._method;
  }

  get url(): string {
    if (this._url === undefined) {
      const url = this[kSource].url(this[kEvent]);
      if (!URL.canParse(url)) {
        throw new MalformedEventError(`The ${this[kSource].kind} event gives an invalid URL: ${url}`);
      }
      this._url = url;
    }
    return this._url;
  }

  get headers(): Headers {
    if (this._headers === undefined) {
      this._headers = this[kSource].headers(this[kEvent]);
    }
    return this._headers;
  }

  /** The deadline signal: aborts `deadlineMarginMs` before the Lambda timeout with a `DeadlineExceededError`. */
  get signal(): AbortSignal {
    if (this._controller === undefined) {
      const controller = new AbortController();
      const runtime = this[kRuntime];
      const context = this[kContext];
      const remaining =
        typeof context.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : 0;
      if (remaining > 0) {
        const timer = setTimeout(
          () =>
            controller.abort(
              new DeadlineExceededError(runtime.name ?? context.functionName, runtime.deadlineMarginMs),
            ),
          Math.max(0, remaining - runtime.deadlineMarginMs),
        );
        timer.unref?.();
        this._timer = timer;
      }
      this._controller = controller;
    }
    return this._controller.signal;
  }

  get bodyUsed(): boolean {
    return this._used || this._real?.bodyUsed === true;
  }

  // The stream and the binary readers are the rare paths: they delegate to a global Response over the event
  // body, built on first use (the spec's behaviour at no bundle cost, for any method, GET included).
  // text() and json(), the common ones, read the event directly.
  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    const raw = this[kSource].body(this[kEvent]);
    if (raw == null || raw === "") return null;
    return this.carrier().body as ReadableStream<Uint8Array<ArrayBuffer>>;
  }

  private carrier(): Response {
    if (this._real === undefined) {
      const type = this.headers.get("content-type");
      // Bytes, not a string, so a body without content-type does not become text/plain.
      this._real = new Response(this.eventBytes(), { headers: type ? { "content-type": type } : {} });
    }
    return this._real;
  }

  /** @internal The body as text without marking it used (for middleware). */
  peekText(): string {
    const raw = this[kSource].body(this[kEvent]);
    if (raw == null) return "";
    return this[kSource].base64(this[kEvent]) ? Buffer.from(raw, "base64").toString("utf8") : raw;
  }

  private consume(): void {
    if (this.bodyUsed) throw unusable();
    this._used = true;
  }

  text(): Promise<string> {
    try {
      this.consume();
      return Promise.resolve(this.peekText());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  json(): Promise<any> {
    try {
      this.consume();
      const parsed = this[kParsed];
      return Promise.resolve(parsed !== NO_PARSE ? parsed : JSON.parse(this.peekText()));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.consume();
    return this.carrier().arrayBuffer();
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  async blob(): Promise<Blob> {
    this.consume();
    return this.carrier().blob();
  }

  async formData(): Promise<FormData> {
    this.consume();
    return this.carrier().formData();
  }

  /** A real global `Request` with the same method, url, headers and body (costs what undici costs). */
  toRequest(): Request {
    return this.materialise();
  }

  private materialise(): Request {
    const method = this.method;
    const headers = new Headers();
    for (const [k, v] of this.headers) headers.append(k, v);
    // A global Request cannot carry a GET or HEAD body.
    const body = method !== "GET" && method !== "HEAD" && this[kSource].body(this[kEvent]);
    return new Request(this.url, { method, headers, body: body ? this.eventBytes() : null });
  }

  /** The event's body as bytes (decoded from base64 when the event says so). */
  private eventBytes(): Uint8Array<ArrayBuffer> {
    return Buffer.from(
      this[kSource].body(this[kEvent]) ?? "",
      this[kSource].base64(this[kEvent]) ? "base64" : "utf8",
    ) as Uint8Array<ArrayBuffer>;
  }

  clone(): Request {
    if (this._used) throw unusable();
    const copy = new LambdaRequest(this[kEvent], this[kContext], this[kSource], this[kRuntime]);
    copy[kParsed] = this[kParsed];
    copy[kLogger] = this[kLogger];
    copy._headers = this._headers === undefined ? undefined : new LiteHeaders(this._headers);
    return copy;
  }

  get [Symbol.toStringTag](): string {
    return "Request";
  }

  /** @internal Stops the deadline timer once the invocation is over. */
  dispose(): void {
    if (this._timer !== undefined) clearTimeout(this._timer);
  }
}

function lambdaRequestOf(req: Request, accessor: string): LambdaRequest {
  if (req instanceof LambdaRequest) return req;
  throw new NotALambdaRequestError(accessor, Object.prototype.toString.call(req));
}

/** The Lambda context of the invocation that produced `req` (function name, ARN, remaining time, ...). */
export function lambdaContext(req: Request): LambdaContext {
  return lambdaRequestOf(req, "lambdaContext")[kContext];
}

/** The event exactly as Lambda delivered it. */
export function rawEvent<E = unknown>(req: Request): E {
  return lambdaRequestOf(req, "rawEvent")[kEvent] as E;
}

/** The structured JSON logger of the invocation, already carrying the request id and function name. */
export function logger(req: Request): Logger {
  const r = lambdaRequestOf(req, "logger");
  let log = r[kLogger];
  if (log === undefined) {
    const runtime = r[kRuntime];
    const context = r[kContext];
    log = new Logger(runtime.sink, runtime.level ?? levelFromEnv(), {
      requestId: context.awsRequestId,
      function: runtime.name ?? context.functionName,
    });
    r[kLogger] = log;
  }
  return log;
}

/** @internal The request path without building the URL (for routing middleware). */
export function pathOf(req: Request): string {
  if (req instanceof LambdaRequest) return req[kSource].path(req[kEvent]);
  return new URL(req.url).pathname;
}

/** @internal Remembers a parsed JSON body so `req.json()` does not parse twice. */
export function setParsedJson(req: LambdaRequest, value: unknown): void {
  req[kParsed] = value;
}

/** @internal The function's name for messages: the configured name, else the Lambda function name. */
export function requestFunctionName(req: LambdaRequest): string {
  return req[kRuntime].name ?? req[kContext].functionName ?? "function";
}
