// The types several modules share. This module imports nothing from its siblings, so the modules stay in
// one-way layers: types, then headers/errors/response, then adapters, then the request, then the entry points.

/** A standard web handler: the WHATWG Fetch signature shared by Node, Deno, Bun, Cloudflare and Hono. */
export type Handler = (request: Request) => Response | Promise<Response>;

/** A middleware is a plain function from handler to handler. */
export type Middleware = (next: Handler) => Handler;

/** The Lambda context object the runtime passes as the second argument (declared locally: no AWS types). */
export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string | number;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  callbackWaitsForEmptyEventLoop?: boolean;
  identity?: unknown;
  clientContext?: unknown;
}

/** The legacy Lambda style `(event, context) => result` (optionally with a callback). */
export type LegacyHandler = (
  event: any,
  context: LambdaContext,
  callback?: (error?: unknown, result?: unknown) => void,
) => unknown;

/** What users export as their Lambda entry, and what the local invoke server runs. */
export type LambdaEntry = (event: unknown, context: LambdaContext) => Promise<unknown>;

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

/** Where log lines go: one JSON object per line. Defaults to `process.stdout`. */
export interface LogSink {
  write(line: string): unknown;
}

/** Options of `lambdaHandler()`. */
export interface LambdaHandlerOptions {
  /** The function's name in logs and messages (defaults to the Lambda function name). */
  name?: string;
  /** How long before the Lambda deadline `req.signal` aborts. Default 500 ms. */
  deadlineMarginMs?: number;
  /** Where JSON log lines go. Default `process.stdout`. */
  logger?: LogSink;
  /** Lowest level written. Default from `AWS_LAMBDA_LOG_LEVEL` / `LOG_LEVEL`, else INFO. */
  logLevel?: LogLevel;
}

/** Per-function settings shared by every request of one `lambdaHandler()`: a copy of its options. */
export type RequestRuntime = Readonly<LambdaHandlerOptions>;

/**
 * The parts of a response the Lambda result shapes need (a tuple: property names would survive minification
 * in every adapter). `headers`: lower-case names -> values (several joined by ", "), without set-cookie.
 */
export type ResponseParts = [
  status: number,
  statusText: string,
  headers: Record<string, string>,
  cookies: string[],
  body: string,
  base64: boolean,
];

/**
 * An event source (module-level singletons): a type guard, how to read the parts of a request out of its
 * event, and how to shape the function's result. A reader throws a `MalformedEventError` (a 400 naming the
 * field) when the field it reads has the wrong type.
 */
export interface EventAdapter<E = any> {
  /** True for HTTP sources (API Gateway, ALB, Function URL, Lattice): errors become HTTP results, not function errors. */
  readonly http: boolean;
  test(event: unknown): event is E;
  method(event: E): string;
  /** The URL's pathname (percent-encoded, as `new URL(url).pathname` gives it), cheap: for routing. */
  path(event: E): string;
  url(event: E): string;
  headers(event: E): Headers;
  /** One header's value straight from the event (lower-case name), without building `headers`. */
  header(event: E, name: string): string | undefined;
  /** The body as carried by the event, and whether it is base64. */
  body(event: E): string | null | undefined;
  base64(event: E): boolean;
  result(parts: ResponseParts, event: E): unknown;
}

// Names the DOM library declares but a plain Node project's types (`lib: ["ES2023"]`, `types: ["node"]`) do not,
// derived from the globals both declare, so the published declarations type-check in either.
/** What `new Headers(init)` accepts. */
export type HeadersInitLike = ConstructorParameters<typeof Headers>[0];
export type HeaderEntries = ReturnType<Headers["entries"]>;
export type HeaderNames = ReturnType<Headers["keys"]>;
export type RequestCacheMode = Request["cache"];
export type RequestCredentialsMode = Request["credentials"];
export type RequestDestinationName = Request["destination"];
export type RequestModeName = Request["mode"];
export type RequestRedirectMode = Request["redirect"];
export type ReferrerPolicyName = Request["referrerPolicy"];
export type ResponseTypeName = Response["type"];
