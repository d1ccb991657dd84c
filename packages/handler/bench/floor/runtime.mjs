// The size floor experiment of issue 3 (NOT product code, never exported): the features the hello path needs,
// written only for size, lacking on purpose what measure.mjs lists. measure.mjs bundles a hello function on it with the
// bench's esbuild options and prints the bytes.
const isObj = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
export class HttpError extends Error {
  constructor(status, message, o = {}) {
    super(message, o);
    this.status = status;
    this.expose = o.expose ?? status < 500;
    this.headers = o.headers;
  }
}
const STATUS = (s) => process.getBuiltinModule("node:http").STATUS_CODES[s] ?? "";
const LEVELS = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };
const lvl = () =>
  LEVELS[(process.env.AWS_LAMBDA_LOG_LEVEL ?? process.env.LOG_LEVEL ?? "").toUpperCase()] ?? 20;
function log(fields, level, message, extra) {
  if (LEVELS[level] < lvl()) return;
  const o = { timestamp: new Date().toISOString(), level, ...fields, message };
  for (const k in extra) {
    const v = extra[k];
    o[k] = v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v;
  }
  process.stdout.write(JSON.stringify(o) + "\n");
}
const find = (r, n) => {
  if (r) {
    if (n in r) return r[n];
    for (const k in r) if (k.toLowerCase() === n) return r[k];
  }
};
const http = (e) =>
  isObj(e) && (typeof e.httpMethod === "string" || (e.version === "2.0" && isObj(e.requestContext?.http)));
class Req {
  #h;
  #c;
  #used;
  constructor(e, c, h) {
    this.e = e;
    this.c = c;
    this.h = h;
  }
  get method() {
    return (this.h ? (this.e.httpMethod ?? this.e.requestContext.http.method) : "POST").toUpperCase();
  }
  header(n) {
    const e = this.e;
    return this.#h
      ? this.#h.get(n)
      : this.h
        ? ((n === "cookie" && e.cookies?.length
            ? e.cookies.join("; ")
            : (find(e.headers, n) ?? find(e.multiValueHeaders, n)?.join(", "))) ?? null)
        : n === "content-type"
          ? "application/json"
          : null;
  }
  get headers() {
    if (!this.#h) {
      this.#h = new Map();
      const h = this.#h,
        e = this.e;
      const get = h.get.bind(h);
      h.get = (n) => get(n.toLowerCase()) ?? null;
      h.has = (n) => h.get(n) !== null;
      if (this.h) {
        for (const k in e.multiValueHeaders ?? e.headers) {
          const v = e.multiValueHeaders ? e.multiValueHeaders[k].join(", ") : e.headers[k];
          h.set(k.toLowerCase(), v);
        }
        if (e.cookies?.length) h.set("cookie", e.cookies.join("; "));
      } else h.set("content-type", "application/json");
    }
    return this.#h;
  }
  get url() {
    const e = this.e;
    if (!this.h) return "https://lambda.invalid/events";
    const elb = isObj(e.requestContext?.elb);
    let q = e.rawQueryString ?? "";
    if (e.httpMethod) {
      const m = e.multiValueQueryStringParameters,
        s = e.queryStringParameters,
        enc = elb ? (x) => x : encodeURIComponent;
      const p = [];
      for (const k in m ?? s) for (const v of m ? m[k] : [s[k]]) p.push(enc(k) + "=" + enc(v));
      q = p.join("&");
    }
    return `${this.header("x-forwarded-proto") ?? (elb ? "http" : "https")}://${this.header("host") ?? "localhost"}${encodeURI(e.rawPath ?? e.path ?? "/")}${q ? "?" + q : ""}`;
  }
  get signal() {
    if (!this.#c) {
      this.#c = new AbortController();
      const ms = this.c.getRemainingTimeInMillis?.() - 500;
      if (ms > 0) {
        this.t = setTimeout(() => this.#c.abort(new HttpError(504, "deadline")), ms);
        this.t.unref();
      }
    }
    return this.#c.signal;
  }
  peek() {
    const e = this.e;
    if (!this.h) return JSON.stringify(e);
    const b = e.body ?? "";
    return e.isBase64Encoded ? Buffer.from(b, "base64").toString() : b;
  }
  async text() {
    if (this.#used) throw new TypeError("Body is unusable");
    this.#used = true;
    return this.peek();
  }
  async json() {
    if (this.p === undefined) return JSON.parse(await this.text());
    this.#used = true;
    return this.p;
  }
  get bodyUsed() {
    return !!this.#used;
  }
}
class Res {
  constructor(body, status = 200, headers = {}) {
    this.payload = body;
    this.status = status;
    this.h = headers;
  }
  get headers() {
    this.hh ??= new Headers(this.h);
    return this.hh;
  }
  get ok() {
    return this.status < 300;
  }
}
export const json = (b, i) =>
  new Res(JSON.stringify(b), i?.status, { "content-type": "application/json", ...i?.headers });
export const logger = (req) => (m, x) =>
  log({ requestId: req.c.awsRequestId, function: req.c.functionName }, "ERROR", m, x);
export const errorResponse = (err, req) => {
  const h = err instanceof HttpError ? err : undefined,
    s = h?.status ?? 500;
  if (s >= 500)
    log({ requestId: req.c.awsRequestId }, "ERROR", h?.message ?? "Unhandled error in handler", {
      error: err,
    });
  return json(
    { error: h?.expose ? h.message : STATUS(s), status: s, requestId: req.c.awsRequestId },
    { status: s, headers: h?.headers },
  );
};
export const errorMapper = () => (next) => async (req) => {
  try {
    return await next(req);
  } catch (e) {
    return errorResponse(e, req);
  }
};
export const normalizeHeaders = () => (next) => next;
export const jsonBody = () => (next) => (req) => {
  const t = req.peek();
  if (t) {
    const ty = req.header("content-type") ?? "";
    if (!/^\s*(application\/json|[^;]*\+json)\s*(;|$)/i.test(ty))
      throw new HttpError(
        415,
        `Expected a JSON body (content-type: application/json), received "${ty || "none"}"`,
      );
    try {
      req.p = JSON.parse(t);
    } catch (e) {
      throw new HttpError(400, "Invalid JSON body: " + e.message);
    }
  }
  return next(req);
};
export const compose =
  (...m) =>
  (h) =>
    m.reduceRight((a, f) => f(a), h);
async function parts(r) {
  if (r instanceof Res)
    return [
      r.status,
      r.hh ? Object.fromEntries(r.hh) : r.h,
      r.hh?.getSetCookie() ?? [],
      r.payload ?? "",
      false,
    ];
  const h = {};
  r.headers.forEach((v, k) => {
    if (k !== "set-cookie") h[k] = v;
  });
  const buf = Buffer.from(await r.arrayBuffer());
  const b64 = !/^text\/|json|xml|javascript|form-urlencoded/.test(h["content-type"] ?? "text/");
  return [r.status, h, r.headers.getSetCookie(), buf.toString(b64 ? "base64" : "utf8"), b64];
}
export function lambdaHandler(fn) {
  if (typeof fn !== "function")
    throw new TypeError(
      `lambdaHandler() expects a function (request: Request) => Response, received ${typeof fn}`,
    );
  if (fn.length > 1) {
    let w;
    return (e, c) => {
      if (!w) {
        w = 1;
        log(
          { function: c?.functionName },
          "WARN",
          "DEPRECATED: (event, context) handler signature provided. Please migrate to the standard (request: Request) => Response handler. Name=" +
            c?.functionName,
        );
      }
      return fn(e, c);
    };
  }
  return async (e, c) => {
    const h = http(e),
      req = new Req(e, c ?? {}, h);
    let p;
    try {
      p = await parts(await fn(req));
    } catch (err) {
      if (!h) throw err;
      p = await parts(errorResponse(err, req));
    } finally {
      clearTimeout(req.t);
    }
    const [statusCode, headers, cookies, body, isBase64Encoded] = p;
    if (!h) {
      if (statusCode >= 400) throw new Error(`answered status ${statusCode} to a non-HTTP event: ${body}`);
      try {
        return JSON.parse(body);
      } catch {
        return body;
      }
    }
    const out = { statusCode, headers, body, isBase64Encoded };
    if (isObj(e.requestContext?.elb)) {
      out.statusDescription = statusCode + " " + STATUS(statusCode);
      if (e.multiValueHeaders) {
        out.multiValueHeaders = {};
        for (const k in headers) out.multiValueHeaders[k] = [headers[k]];
        delete out.headers;
        if (cookies.length) out.multiValueHeaders["set-cookie"] = cookies;
      } else if (cookies.length) headers["set-cookie"] = cookies.at(-1);
    } else if (cookies.length)
      if (e.httpMethod) out.multiValueHeaders = { "set-cookie": cookies };
      else out.cookies = cookies;
    return out;
  };
}
