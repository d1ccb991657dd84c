import { DeadlineExceededError, MalformedEventError, NotALambdaRequestError } from "./errors.js";
import { CONTENT_TYPE, LiteHeaders } from "./headers.js";
import { type Logger, loggerFor, logLine } from "./logger.js";
import { assertUnused, defineMembers } from "./members.js";
import type {
  EventAdapter,
  LambdaContext,
  LogLevel,
  ReferrerPolicyName,
  RequestCacheMode,
  RequestCredentialsMode,
  RequestDestinationName,
  RequestModeName,
  RequestRedirectMode,
  RequestRuntime,
} from "./types.js";

/** How a request reads its event: the event adapter's readers (see `EventAdapter`). */
export type RequestSource<E = any> = Omit<EventAdapter<E>, "http" | "test" | "result">;

const kEvent = Symbol();
const kContext = Symbol();
const kSource = Symbol();
const kRuntime = Symbol();
const kParsed = Symbol();
const kLogger = Symbol();
const NO_PARSE = Symbol();

/**
 * The request a handler receives. It implements the standard `Request` interface, but its url, headers and
 * body are only built from the Lambda event when first touched, so a handler pays for what it uses.
 * The rarely used parts (`body` as a stream, `arrayBuffer()`, `blob()`, `formData()`) delegate to a global
 * `Response` over the event body built on first use; `toRequest()` gives a real global `Request`.
 */
export class LambdaRequest implements Request {
  // The fixed parts of a server-side Request and the delegated body readers live on the prototype (static block).
  declare readonly cache: RequestCacheMode;
  declare readonly credentials: RequestCredentialsMode;
  declare readonly destination: RequestDestinationName;
  declare readonly integrity: string;
  declare readonly keepalive: boolean;
  declare readonly mode: RequestModeName;
  declare readonly redirect: RequestRedirectMode;
  declare readonly referrer: string;
  declare readonly referrerPolicy: ReferrerPolicyName;
  declare readonly duplex: "half";
  declare arrayBuffer: () => Promise<ArrayBuffer>;
  declare blob: () => Promise<Blob>;
  declare formData: () => Promise<FormData>;
  // Symbol-keyed (set in the constructor, not as field initialisers, which esbuild lowers into more code).
  /** @internal */ declare [kEvent]: any;
  /** @internal */ declare [kContext]: LambdaContext;
  /** @internal */ declare [kSource]: RequestSource;
  /** @internal */ declare [kRuntime]: RequestRuntime;
  /** @internal */ declare [kParsed]: unknown;
  /** @internal */ declare [kLogger]: Logger | undefined;
  #method: string | undefined;
  #url: string | undefined;
  #headers: Headers | undefined;
  #used: boolean | undefined;
  #carrier: Response | undefined;
  #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(event: unknown, context: LambdaContext, source: RequestSource, runtime: RequestRuntime) {
    this[kEvent] = event;
    this[kContext] = context;
    this[kSource] = source;
    this[kRuntime] = runtime;
    this[kParsed] = NO_PARSE;
  }

  get method(): string {
    this.#method ??= this[kSource].method(this[kEvent]).toUpperCase();
    return this.#method;
  }

  get url(): string {
    this.#url ??= this[kSource].url(this[kEvent]);
    return this.#url;
  }

  get headers(): Headers {
    this.#headers ??= this[kSource].headers(this[kEvent]);
    return this.#headers;
  }

  /** @internal One request header, from the event unless `headers` was built (and maybe changed). */
  header(name: string): string | null {
    return this.#headers
      ? this.#headers.get(name)
      : (this[kSource].header(this[kEvent], name)?.trim() ?? null);
  }

  /** The deadline signal: aborts `deadlineMarginMs` before the Lambda timeout with a `DeadlineExceededError`. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      const { name, deadlineMarginMs } = this[kRuntime];
      const margin = deadlineMarginMs ?? 500;
      const context = this[kContext];
      const remaining = context.getRemainingTimeInMillis?.() ?? 0;
      if (remaining > 0) {
        this.#timer = setTimeout(
          () => controller.abort(new DeadlineExceededError(name ?? context.functionName, margin)),
          Math.max(0, remaining - margin),
        );
        this.#timer.unref?.();
      }
    }
    return this.#controller.signal;
  }

  get bodyUsed(): boolean {
    return this.#used || this.#carrier?.bodyUsed === true;
  }

  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this[kSource].body(this[kEvent])
      ? (this.#body().body as ReadableStream<Uint8Array<ArrayBuffer>>)
      : null;
  }

  /** A global Response over the event body (any method, GET included), built on first use. */
  #body(): Response {
    if (this.#carrier === undefined) {
      const type = this.header(CONTENT_TYPE);
      // Bytes, not a string, so a body without content-type does not become text/plain.
      this.#carrier = new Response(this.#bytes(), { headers: type ? { "content-type": type } : {} });
    }
    return this.#carrier;
  }

  /** The event's body as bytes (decoded from base64 when the event says so). */
  #bytes(): Uint8Array<ArrayBuffer> {
    return Buffer.from(this.#raw(), this[kSource].base64(this[kEvent]) ? "base64" : "utf8") as never;
  }

  /** The body as the event carries it, checked to be base64 when the event says it is. */
  #raw(): string {
    const e = this[kEvent];
    const raw = this[kSource].body(e) ?? "";
    // Strictly: anything but base64 is a malformed event (a 400), not garbage decoded leniently.
    if (this[kSource].base64(e) && (raw.length % 4 === 1 || !/^[\w+/-]*={0,2}$/.test(raw))) {
      throw new MalformedEventError("The event body is not valid base64 (isBase64Encoded is true)");
    }
    return raw;
  }

  /** @internal The body as text without marking it used (for middleware). */
  peekText(): string {
    return this[kSource].base64(this[kEvent]) ? this.#bytes().toString() : this.#raw();
  }

  #consume(): void {
    assertUnused(this.bodyUsed, "request");
    this.#used = true;
  }

  async text(): Promise<string> {
    this.#consume();
    return this.peekText();
  }

  async json(): Promise<any> {
    this.#consume();
    return this[kParsed] !== NO_PARSE ? this[kParsed] : JSON.parse(this.peekText());
  }

  static {
    defineMembers(
      LambdaRequest,
      "cache=default credentials=same-origin destination= integrity= keepalive mode=cors redirect=follow referrer=about:client referrerPolicy= duplex=half",
      "arrayBuffer blob formData",
      async (self, reader) => {
        self.#consume();
        return self.#body()[reader]();
      },
    );
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  /** A real global `Request` with the same method, url, headers and body (costs what undici costs). */
  toRequest(): Request {
    const method = this.method;
    // A global Request cannot carry a GET or HEAD body.
    const body = method !== "GET" && method !== "HEAD" && this[kSource].body(this[kEvent]);
    return new Request(this.url, { method, headers: [...this.headers], body: body ? this.#bytes() : null });
  }

  clone(): Request {
    assertUnused(this.#used, "request");
    const copy = new LambdaRequest(this[kEvent], this[kContext], this[kSource], this[kRuntime]);
    copy[kParsed] = this[kParsed];
    copy.#headers = this.#headers && new LiteHeaders(this.#headers);
    return copy;
  }

  get [Symbol.toStringTag](): string {
    return "Request";
  }

  /** @internal Stops the deadline timer once the invocation is over. */
  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
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
  return lambdaRequestOf(req, "rawEvent")[kEvent];
}

/** The structured JSON logger of the invocation, already carrying the request id and function name. */
export function logger(req: Request): Logger {
  const r = lambdaRequestOf(req, "logger");
  const context = r[kContext];
  r[kLogger] ??= loggerFor(r[kRuntime], context.awsRequestId, r[kRuntime].name ?? context.functionName);
  return r[kLogger];
}

/**
 * The request's path, exactly what `new URL(req.url).pathname` gives (percent-encoded), without building or
 * parsing the URL: the cheap way to route. Works on any `Request`.
 *
 * @example
 * if (pathname(req) === "/orders") return json(await listOrders());
 */
export function pathname(req: Request): string {
  if (req instanceof LambdaRequest) {
    const path = req[kSource].path(req[kEvent]);
    // Dot segments ("/a/../b", "%2e") are the one thing the URL parser still changes.
    if (!path.includes("/.") && !(path.includes("%") && /%2e/i.test(path))) return path;
  }
  return new URL(req.url).pathname;
}

/** @internal Logs one line for the request's invocation, as `logger(req)` would, without building a Logger. */
export function logFor(
  req: LambdaRequest,
  level: LogLevel,
  message: string,
  fields?: Record<string, unknown>,
): void {
  const context = req[kContext];
  logLine(req[kRuntime], context.awsRequestId, requestFunctionName(req), level, message, fields);
}

/** @internal The request id of the request's invocation. */
export const requestIdOf = (req: LambdaRequest): string => req[kContext].awsRequestId;

/** @internal Remembers a parsed JSON body so `req.json()` does not parse twice. */
export function setParsedJson(req: LambdaRequest, value: unknown): void {
  req[kParsed] = value;
}

/** @internal The function's name for messages: the configured name, else the Lambda function name. */
export function requestFunctionName(req: LambdaRequest): string {
  return req[kRuntime].name ?? req[kContext].functionName ?? "function";
}
