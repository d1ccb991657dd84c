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
