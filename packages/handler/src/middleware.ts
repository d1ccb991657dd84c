import { HttpError, InvalidOptionError } from "./errors.js";
import { CONTENT_TYPE, LiteHeaders } from "./headers.js";
import { LambdaRequest, logFor, logger, pathname, requestIdOf, setParsedJson } from "./request.js";
import { JSON_TYPE, json, LiteResponse, reasonPhrase } from "./response.js";
import type { Handler, Middleware } from "./types.js";

/**
 * The response for a thrown error: an `HttpError` keeps its status (and its message when `expose`), anything
 * else is a 500. The body carries the request id, never a stack trace; 5xx errors are logged with their stack.
 * (A field of the event with the wrong type is a `MalformedEventError`, a 400 naming the field, thrown by the
 * reader that needed it: a handler's own bug on such an event is still a logged 500.)
 */
export function errorResponse(error: unknown, req: Request): Response {
  const lambda = req instanceof LambdaRequest;
  const http = error instanceof HttpError ? error : undefined;
  const status = http?.status ?? 500;
  if (status >= 500 && lambda) logFor(req, "ERROR", http?.message ?? "Unhandled error in handler", { error });
  return json(
    {
      error: http?.expose ? http.message : reasonPhrase(status) || "Error",
      status,
      requestId: lambda ? requestIdOf(req) : undefined,
    },
    { status, headers: http?.headers },
  );
}

/**
 * Maps thrown errors to responses (see `errorResponse`). Put it first, so it wraps every other middleware.
 *
 * @example
 * compose(errorMapper(), jsonBody())(handler)
 * // a thrown Error       -> 500 {"error":"Internal Server Error","status":500,"requestId":"c6af9ac6-..."}
 * // new HttpError(404, "No order 42") -> 404 {"error":"No order 42","status":404,"requestId":"..."}
 */
export function errorMapper(): Middleware {
  return (next) => {
    const mapped: Handler & { [UNMAPPED]?: Handler } = (req) => {
      try {
        const res = next(req);
        return res instanceof Promise ? res.catch((error: unknown) => errorResponse(error, req)) : res;
      } catch (error) {
        return errorResponse(error, req);
      }
    };
    mapped[UNMAPPED] = next;
    return mapped;
  };
}

/**
 * @internal On a handler `errorMapper()` returned: the handler it wraps. For an HTTP event `lambdaHandler()` calls
 * that one and answers its errors with the same `errorResponse()`, which saves a promise on every request.
 */
export const UNMAPPED = Symbol();

/** application/json or any +json type, with or without parameters. */
function isJsonType(contentType: string): boolean {
  return contentType === JSON_TYPE || /^\s*(application\/json|[^;]*\+json)\s*(;|$)/i.test(contentType);
}

/**
 * The JSON in a request body (undefined when there is no body), or the `HttpError` for a body that is not
 * JSON (415) or not valid JSON (400).
 */
function parseJson(text: string, type: string | null): unknown {
  if (text === "") return;
  if (!isJsonType(type ?? "")) {
    throw new HttpError(
      415,
      `Expected a JSON body (content-type: application/json), received "${type || "none"}"`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `Invalid JSON body: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Parses a JSON request body once, up front: a body that is not JSON gets a 415, invalid JSON a 400
 * (both as `HttpError`, so `errorMapper()` answers them). The handler then reads it with `await req.json()`
 * at no further cost. Requests without a body pass through.
 */
export function jsonBody(): Middleware {
  return (next) => (req) => {
    if (req instanceof LambdaRequest) {
      const text = req.peekText();
      if (text !== "") setParsedJson(req, parseJson(text, req.header(CONTENT_TYPE)));
      return next(req);
    }
    // Any other Request: checked on a copy, so the handler still reads the body itself.
    return req
      .clone()
      .text()
      .then((text) => {
        parseJson(text, req.headers.get(CONTENT_TYPE));
        return next(req);
      });
  };
}

/**
 * Header normalisation, what Middy's `http-header-normalizer` does to an event, for fetch-style code:
 * the request's headers have lower-case names, trimmed values, multi-value headers joined by ", " and cookies
 * by "; ", whatever the event source sent (API Gateway v1 keeps the client's casing and may carry
 * `multiValueHeaders`). A `LambdaRequest` already guarantees this, lazily (names are checked only when a lookup
 * misses or the headers are listed), so on the Lambda path this middleware costs one check. Any other request
 * is rebuilt with a normalised copy of its headers.
 */
export function normalizeHeaders(): Middleware {
  return (next) => (req) => {
    if (req instanceof LambdaRequest) return next(req);
    return next(new Request(req, { headers: new Headers([...new LiteHeaders(req.headers)]) }));
  };
}

/** Options of `cors()`. */
export interface CorsOptions {
  /** Allowed origins: `"*"` (default), one origin, a list, or a predicate. */
  origin?: string | string[] | ((origin: string) => boolean);
  methods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  /** Let browsers send cookies and credentials: only with `origin` naming the allowed origins (not `"*"`). */
  credentials?: boolean;
  /** Seconds a preflight answer may be cached. */
  maxAge?: number;
}

function withHeaders(res: Response, headers: Record<string, string>): Response {
  try {
    for (const key in headers) res.headers.set(key, headers[key]!);
    return res;
  } catch {
    // Immutable headers (e.g. a fetch() result): copy into a new response.
    const h = new LiteHeaders(res.headers);
    for (const key in headers) h.set(key, headers[key]!);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers: [...h] });
  }
}

/**
 * CORS: answers preflight `OPTIONS` requests itself (204) and adds `access-control-*` headers to responses.
 * `credentials: true` needs the allowed origins listed (or a predicate): with any origin, every web page could
 * make a user's browser send its cookies to the API and read the answer, so `cors()` refuses it at setup.
 *
 * @example
 * compose(cors({ origin: ["https://app.example.com"], credentials: true }))(handler)
 */
export function cors(options: CorsOptions = {}): Middleware {
  const origin = options.origin ?? "*";
  if (options.credentials && origin === "*") {
    throw new InvalidOptionError(
      "CORS_CREDENTIALS_ANY_ORIGIN",
      'cors({ credentials: true }) needs the allowed origins: with origin "*" (the default) any web page could ' +
        "read answers sent with a user's cookies. List them, e.g. " +
        'cors({ origin: ["https://app.example.com"], credentials: true }), or pass a predicate.',
    );
  }
  const methods = (options.methods ?? ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"]).join(",");
  const allowed = (requestOrigin: string | null): string | undefined => {
    if (origin === "*") return "*";
    if (!requestOrigin) return undefined;
    if (typeof origin === "string") return origin === requestOrigin ? origin : undefined;
    if (Array.isArray(origin)) return origin.includes(requestOrigin) ? requestOrigin : undefined;
    return origin(requestOrigin) ? requestOrigin : undefined;
  };
  return (next) => async (req) => {
    const requestOrigin = req.headers.get("origin");
    const allow = allowed(requestOrigin);
    const common: Record<string, string> = {};
    if (allow) {
      common["access-control-allow-origin"] = allow;
      if (allow !== "*") common.vary = "Origin";
      if (options.credentials) common["access-control-allow-credentials"] = "true";
    }
    if (req.method === "OPTIONS" && req.headers.has("access-control-request-method")) {
      const headers: Record<string, string> = { ...common };
      if (allow) {
        headers["access-control-allow-methods"] = methods;
        const reqHeaders =
          options.allowHeaders?.join(",") ?? req.headers.get("access-control-request-headers");
        if (reqHeaders) headers["access-control-allow-headers"] = reqHeaders;
        if (options.maxAge !== undefined) headers["access-control-max-age"] = String(options.maxAge);
      }
      return new LiteResponse(null, { status: 204, headers });
    }
    const res = await next(req);
    if (options.exposeHeaders?.length)
      common["access-control-expose-headers"] = options.exposeHeaders.join(",");
    return allow ? withHeaders(res, common) : res;
  };
}

/** Answers `GET`/`HEAD <path>` with 200 `{"status":"ok"}` without calling the handler. */
export function healthCheck(path = "/health"): Middleware {
  return (next) => (req) => {
    if ((req.method === "GET" || req.method === "HEAD") && pathname(req) === path) {
      return json({ status: "ok" });
    }
    return next(req);
  };
}

/** Logs one INFO line per request: method, path, status and duration in milliseconds. */
export function requestLog(): Middleware {
  return (next) => async (req) => {
    const start = performance.now();
    let status = 500;
    try {
      const res = await next(req);
      status = res.status;
      return res;
    } finally {
      if (req instanceof LambdaRequest) {
        logger(req).info("request", {
          method: req.method,
          path: pathname(req),
          status,
          durationMs: Math.round((performance.now() - start) * 1000) / 1000,
        });
      }
    }
  };
}
