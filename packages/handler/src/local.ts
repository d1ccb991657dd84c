import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  decodeInvocation,
  encodeResult,
  type Invocation,
  invocationFromJson,
  type Result,
  resultToJson,
} from "./envelope.js";
import { EnvelopeError, InvokeServerError } from "./errors.js";
import type { HttpApiV2Event } from "./events.js";
import type { LambdaContext, LambdaEntry } from "./types.js";

export type { Invocation, Result } from "./envelope.js";
export type { LambdaContext, LambdaEntry } from "./types.js";

/** Options of `startInvokeServer()`. */
export interface InvokeServerOptions {
  /** The functions to serve, by name: each is what `lambdaHandler()` returned (or any Lambda entry). */
  functions: Record<string, LambdaEntry>;
  /** A loopback address: "127.0.0.1" (default), "::1" or "localhost". */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Timeout given to each invocation when the envelope has no deadline. Default 30 000 ms. */
  timeoutMs?: number;
  /**
   * HTTP API routes served at their own paths, as API Gateway would: `GET /items/{id}` answers
   * `curl <url>/items/42` with the event's `routeKey` and `pathParameters` filled in.
   */
  routes?: readonly LocalRoute[];
}

/** An HTTP API route of a served function. */
export interface LocalRoute {
  /** `GET`, `POST`, ... or `ANY`. */
  method: string;
  /** `/items`, `/items/{id}`, `/files/{proxy+}` (a greedy variable, last segment only). */
  path: string;
  /** The name of the function in `functions`. */
  function: string;
}

/** A route that matched a request: its key (`GET /items/{id}`), function and decoded path variables. */
export interface RouteMatch {
  routeKey: string;
  function: string;
  pathParameters: Record<string, string>;
}

type Segment = { literal: string } | { variable: string; greedy: boolean };

function segmentsOf(path: string): Segment[] {
  return path
    .split("/")
    .slice(1)
    .map((part) => {
      const m = /^\{([^{}+]+)(\+?)\}$/.exec(part);
      return m ? { variable: m[1]!, greedy: m[2] === "+" } : { literal: part };
    });
}

/**
 * Picks the route for a request as HTTP API does: the most specific path wins (segment by segment, a literal
 * beats a variable, which beats a greedy `{name+}`), then a route with the request's method beats `ANY`.
 * Returns undefined when no route matches (API Gateway answers 404 `{"message":"Not Found"}`).
 */
export function matchRoute(
  routes: readonly LocalRoute[],
  method: string,
  path: string,
): RouteMatch | undefined {
  const parts = path.split("/").slice(1);
  let best: { route: LocalRoute; rank: number[]; params: Record<string, string> } | undefined;
  for (const route of routes) {
    const m = route.method.toUpperCase();
    if (m !== "ANY" && m !== method.toUpperCase()) continue;
    const segments = segmentsOf(route.path);
    const params: Record<string, string> = {};
    const rank: number[] = [];
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const seg = segments[i]!;
      const part = parts[i];
      if ("literal" in seg) {
        ok = part === seg.literal;
        rank.push(3);
      } else if (seg.greedy) {
        ok = i === segments.length - 1 && part !== undefined && part !== "";
        if (ok) params[seg.variable] = decodeURIComponent(parts.slice(i).join("/"));
        rank.push(1);
        break;
      } else {
        ok = part !== undefined && part !== "";
        if (ok) params[seg.variable] = decodeURIComponent(part!);
        rank.push(2);
      }
    }
    const greedy = segments.at(-1);
    if (!ok || (!(greedy && "variable" in greedy && greedy.greedy) && segments.length !== parts.length))
      continue;
    rank.push(m === "ANY" ? 0 : 1);
    if (!best || compareRank(rank, best.rank) > 0) best = { route, rank, params };
  }
  if (!best) return undefined;
  return {
    routeKey: `${best.route.method.toUpperCase()} ${best.route.path}`,
    function: best.route.function,
    pathParameters: best.params,
  };
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** A running invoke server. */
export interface InvokeServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
/** The names a browser may call the server by: loopback only, so a DNS-rebound name (evil.example) is refused. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Why a request must be refused, if it must: the local functions run with the developer's AWS credentials, so
 * only the developer's own tools may call them, never a web page. A page can reach a loopback server by DNS
 * rebinding (its own name resolving to 127.0.0.1: the Host header still says its name), by a cross-origin fetch
 * or form (an `Origin` that is not the server's), or by a link or image (`Sec-Fetch-Site: cross-site`). Tools such
 * as curl, the CLI or fetch from Node send a loopback Host and no Origin.
 */
export function refusalOf(headers: IncomingMessage["headers"], port: number): string | undefined {
  const host = (headers.host ?? "").toLowerCase();
  const [, name, hostPort] = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host) ?? [];
  if (!name || !LOOPBACK_HOSTS.has(name) || (hostPort !== undefined && Number(hostPort) !== port)) {
    return `Host ${JSON.stringify(headers.host ?? "")} is not this server: only localhost, 127.0.0.1 or [::1] (port ${port}) may call it`;
  }
  const origin = headers.origin;
  if (origin !== undefined) {
    let same = false;
    try {
      const url = new URL(origin);
      same = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname) && Number(url.port) === port;
    } catch {}
    if (!same)
      return `Origin ${JSON.stringify(origin)} is not this server: web pages may not call local functions`;
  }
  const site = headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return `A ${site} request (Sec-Fetch-Site) may not call local functions: call the server from a tool or the address bar`;
  }
}
const MAX_BODY = 6 * 1024 * 1024; // Lambda's synchronous payload limit
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The Lambda context for an invocation envelope. */
export function contextFor(invocation: Invocation, timeoutMs = 30_000): LambdaContext {
  const name = invocation.functionName || "local";
  const deadline = invocation.deadlineMs ? invocation.deadlineMs : Date.now() + timeoutMs;
  return {
    functionName: name,
    functionVersion: invocation.functionVersion || "$LATEST",
    invokedFunctionArn: invocation.invokedFunctionArn || `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: String(invocation.memoryLimitInMb || 128),
    awsRequestId: invocation.awsRequestId || randomUUID(),
    logGroupName: invocation.logGroupName || `/aws/lambda/${name}`,
    logStreamName: invocation.logStreamName || "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    callbackWaitsForEmptyEventLoop: true,
  };
}

function errorInfo(error: unknown): Result["error"] {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      stackTrace: (error.stack ?? "")
        .split("\n")
        .slice(1)
        .map((l) => l.trim()),
    };
  }
  return { errorType: "Error", errorMessage: String(error) };
}

/**
 * Runs one invocation envelope through a Lambda entry, exactly as Lambda would call it: the event JSON is
 * parsed, the entry is called with `(event, context)`, and the result (or the thrown error) is enveloped.
 */
export async function runInvocation(
  entry: LambdaEntry,
  invocation: Invocation,
  timeoutMs?: number,
): Promise<Result> {
  const context = contextFor(invocation, timeoutMs);
  const start = process.hrtime.bigint();
  const done = (r: Result): Result => ({
    ...r,
    awsRequestId: context.awsRequestId,
    durationUs: Number((process.hrtime.bigint() - start) / 1000n),
  });
  let event: unknown = {};
  const text = decoder.decode(invocation.event ?? new Uint8Array(0));
  if (text.trim() !== "") {
    try {
      event = JSON.parse(text);
    } catch (error) {
      return done({
        error: {
          errorType: "InvalidRequestContentException",
          errorMessage: `Could not parse the event as JSON: ${(error as Error).message}`,
        },
      });
    }
  }
  // Like Lambda, stop waiting at the deadline and report a timeout (the function's work is not cancelled).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const remaining = context.getRemainingTimeInMillis();
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const seconds = ((invocation.deadlineMs ? remaining : (timeoutMs ?? 30_000)) / 1000).toFixed(2);
      reject(
        Object.assign(new Error(`Task timed out after ${seconds} seconds`), { name: "Sandbox.Timedout" }),
      );
    }, remaining);
  });
  try {
    const result = await Promise.race([entry(event, context), timeout]);
    return done({ payload: encoder.encode(JSON.stringify(result === undefined ? null : result)) });
  } catch (error) {
    return done({ error: errorInfo(error) });
  } finally {
    clearTimeout(timer);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(
          new InvokeServerError(
            "PAYLOAD_TOO_LARGE",
            `Request body is over ${MAX_BODY} bytes (Lambda's limit).`,
          ),
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function problem(res: ServerResponse, status: number, message: string): void {
  send(res, status, "application/json", JSON.stringify({ error: message }));
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

/** The path as HTTP API delivers it: percent-decoded (a malformed escape is left as it is). */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Turns a plain HTTP request into the HTTP API (payload 2.0) event API Gateway would send (the path decoded, as
 * API Gateway delivers it); with a matched `route`, the event carries its `routeKey` and `pathParameters`
 * (otherwise the `$default` route's).
 */
export function httpApiEvent(
  req: IncomingMessage,
  path: string,
  body: Buffer,
  route?: Pick<RouteMatch, "routeKey" | "pathParameters">,
): HttpApiV2Event {
  const routeKey = route?.routeKey ?? "$default";
  const url = new URL(req.url ?? "/", "http://localhost");
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === "cookie") {
      cookies = (Array.isArray(value) ? value.join("; ") : value).split(/;\s*/).filter(Boolean);
      continue;
    }
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const type = headers["content-type"] ?? "";
  const isText = body.length === 0 || TEXT_TYPES.test(type);
  const now = new Date();
  const requestId = randomUUID();
  const event: HttpApiV2Event & Record<string, unknown> = {
    version: "2.0",
    routeKey,
    rawPath: decodedPath(path),
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: decodedPath(path),
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId,
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    } as HttpApiV2Event["requestContext"],
    isBase64Encoded: !isText,
  };
  if (cookies) event.cookies = cookies;
  if (route && Object.keys(route.pathParameters).length > 0) event.pathParameters = route.pathParameters;
  if (url.search.length > 1) {
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
    event.queryStringParameters = query;
  }
  if (body.length > 0) event.body = isText ? body.toString("utf8") : body.toString("base64");
  return event;
}

/** Writes an HTTP API (payload 2.0) result as an HTTP response, inferring the format as API Gateway does. */
function writeHttpResult(res: ServerResponse, result: unknown): void {
  if (
    typeof result !== "object" ||
    result === null ||
    typeof (result as { statusCode?: unknown }).statusCode !== "number"
  ) {
    send(res, 200, "application/json", JSON.stringify(result === undefined ? null : result));
    return;
  }
  const r = result as {
    statusCode: number;
    headers?: Record<string, string>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (r.cookies?.length) headers["set-cookie"] = r.cookies;
  const body =
    r.body === undefined || r.body === null
      ? Buffer.alloc(0)
      : Buffer.from(r.body, r.isBase64Encoded ? "base64" : "utf8");
  headers["content-length"] = String(body.length);
  res.writeHead(r.statusCode, headers);
  res.end(body);
}

/**
 * Serves functions on loopback for local runs (`sparta explore`), through exactly the path Lambda uses. It answers
 * only requests addressed to a loopback name (localhost, 127.0.0.1, [::1]) with no `Origin` or its own, and
 * refuses the rest with a 403 (see `refusalOf`), so a web page cannot reach the functions, DNS rebinding included:
 * - `POST /invoke/<name>` with a `sparta.handler.v1.Invocation` as `application/x-protobuf` or proto3 JSON
 *   (`application/json`), answered with a `Result` in the same encoding;
 * - `ANY /http/<name>/<path...>`: a plain HTTP request, turned into an HTTP API v2 event, and the result back
 *   into an HTTP response (so `curl` works).
 *
 * @example
 * const server = await startInvokeServer({ functions: { hello: handler } });
 * // curl -s ${server.url}/http/hello/   -> {"hello":"world"}
 * await server.close();
 */
export async function startInvokeServer(options: InvokeServerOptions): Promise<InvokeServer> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) {
    throw new InvokeServerError(
      "NOT_LOOPBACK",
      `The invoke server only listens on loopback, received host "${host}". Use "127.0.0.1", "::1" or "localhost".`,
    );
  }
  const functions = new Map(Object.entries(options.functions));
  const known = () => [...functions.keys()].join(", ") || "(none)";

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) problem(res, 500, `Invoke server error: ${(error as Error).message}`);
      else res.destroy();
    });
  });

  const routes = options.routes ?? [];
  for (const r of routes) {
    if (!functions.has(r.function)) {
      throw new InvokeServerError(
        "UNKNOWN_ROUTE_FUNCTION",
        `Route ${r.method} ${r.path} names function "${r.function}", which is not served. Known functions: ${known()}.`,
      );
    }
  }

  /** Runs an HTTP request through an HTTP API v2 event and writes the result back, as API Gateway would. */
  async function serveHttp(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    entry: LambdaEntry,
    path: string,
    match: RouteMatch | undefined,
    read?: Buffer,
  ): Promise<void> {
    let body = read;
    if (body === undefined) {
      try {
        body = await readBody(req);
      } catch (error) {
        problem(res, 413, (error as Error).message);
        return;
      }
    }
    const event = httpApiEvent(req, path, body, match);
    const result = await runInvocation(
      entry,
      { functionName: name, event: encoder.encode(JSON.stringify(event)) },
      options.timeoutMs,
    );
    if (result.error) {
      // What API Gateway answers when the function fails.
      send(
        res,
        502,
        "application/json",
        JSON.stringify({ message: "Internal Server Error", error: result.error }),
      );
      return;
    }
    writeHttpResult(res, JSON.parse(decoder.decode(result.payload ?? new Uint8Array(0)) || "null"));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Before anything else (CORS preflights included): only the developer's own tools, never a web page.
    const refusal = refusalOf(req.headers, port);
    if (refusal) {
      problem(res, 403, `Refused: ${refusal}.`);
      req.resume();
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const [, route, rawName, ...rest] = url.pathname.split("/");
    const name = decodeURIComponent(rawName ?? "");
    if (route !== "invoke" && route !== "http") {
      const match = routes.length > 0 ? matchRoute(routes, req.method ?? "GET", url.pathname) : undefined;
      const routed = match && functions.get(match.function);
      if (match && routed) {
        await serveHttp(req, res, match.function, routed, url.pathname, match);
        return;
      }
      if (routes.length > 0) {
        // What API Gateway answers, plus what the server does serve.
        send(
          res,
          404,
          "application/json",
          JSON.stringify({
            message: "Not Found",
            error: `No route matches ${req.method} ${url.pathname}. Routes: ${routes.map((r) => `${r.method} ${r.path}`).join(", ")}; or POST /invoke/<name>, ANY /http/<name>/<path>.`,
          }),
        );
        return;
      }
      problem(res, 404, `Unknown route ${url.pathname}. Use POST /invoke/<name> or ANY /http/<name>/<path>.`);
      return;
    }
    const entry = functions.get(name);
    if (!entry) {
      problem(res, 404, `No function named "${name}". Known functions: ${known()}.`);
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      problem(res, 413, (error as Error).message);
      return;
    }

    if (route === "http") {
      await serveHttp(req, res, name, entry, `/${rest.join("/")}`, undefined, body);
      return;
    }

    if (req.method !== "POST") {
      problem(res, 405, `POST /invoke/${name} expects POST, received ${req.method}.`);
      return;
    }
    const type = (req.headers["content-type"] ?? "").toLowerCase();
    const protobuf = type.startsWith("application/x-protobuf") || type.startsWith("application/protobuf");
    if (!protobuf && !type.startsWith("application/json")) {
      problem(
        res,
        415,
        `Send the Invocation as application/x-protobuf or application/json (proto3 JSON), received "${type || "none"}".`,
      );
      return;
    }
    let invocation: Invocation;
    try {
      invocation = protobuf ? decodeInvocation(body) : invocationFromJson(JSON.parse(body.toString("utf8")));
    } catch (error) {
      problem(
        res,
        400,
        error instanceof EnvelopeError ? error.message : `Invalid JSON: ${(error as Error).message}`,
      );
      return;
    }
    if (!invocation.functionName) invocation.functionName = name;
    const result = await runInvocation(entry, invocation, options.timeoutMs);
    if (protobuf) send(res, 200, "application/x-protobuf", encodeResult(result));
    else send(res, 200, "application/json", JSON.stringify(resultToJson(result)));
  }

  let port = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
