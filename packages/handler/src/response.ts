import { LiteHeaders } from "./headers.js";

const decoder = new TextDecoder();

/** Body content types sent to API Gateway as text; everything else goes base64. */
export function isTextType(contentType: string | null | undefined): boolean {
  if (!contentType) return true;
  const t = contentType.toLowerCase();
  return (
    t.startsWith("text/") ||
    t.includes("json") ||
    t.includes("xml") ||
    t.includes("javascript") ||
    t.includes("x-www-form-urlencoded") ||
    t.includes("graphql") ||
    t.includes("yaml") ||
    t.includes("csv")
  );
}

const NO_COOKIES: string[] = [];
const FAST: unique symbol = Symbol("sparta.fastResponse");

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? "";
}

type Payload = string | Uint8Array | null;

/**
 * A `Response` whose body is already a string or bytes, so the Lambda adapter takes it synchronously.
 * Implements the standard `Response` interface; `toResponse()` gives a real global one.
 */
export class LiteResponse implements Response {
  readonly status: number;
  readonly statusText: string;
  get type(): ResponseType {
    return "default";
  }
  get url(): string {
    return "";
  }
  get redirected(): boolean {
    return false;
  }
  /** @internal */ readonly payload: Payload;
  private headersInit: Record<string, string> | undefined;
  /** true when `headersInit` is known to hold lower-case names only. */
  private initLower: boolean;
  private _headers: LiteHeaders | undefined;
  private _real: Response | undefined;

  /** @internal Fast path for the helpers: no header scanning; `headers` must have lower-case names. */
  static of(payload: Payload, status: number, headers: Record<string, string>): LiteResponse {
    return new LiteResponse(payload, FAST, status, headers);
  }

  constructor(body?: string | Uint8Array | ArrayBuffer | null, init?: ResponseInit);
  /** @internal */
  constructor(body: Payload, init: typeof FAST, status: number, headers: Record<string, string>);
  constructor(
    body?: string | Uint8Array | ArrayBuffer | null,
    init?: ResponseInit | typeof FAST,
    fastStatus?: number,
    fastHeaders?: Record<string, string>,
  ) {
    if (init === FAST) {
      this.status = fastStatus!;
      this.statusText = statusText(fastStatus!);
      this.payload = body as Payload;
      this.headersInit = fastHeaders;
      this.initLower = true;
      this._headers = undefined;
      this._real = undefined;
      return;
    }
    this.initLower = false;
    this._headers = undefined;
    this._real = undefined;
    const status = init?.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`Response status must be an integer from 200 to 599, received ${String(status)}`);
    }
    this.status = status;
    this.statusText = init?.statusText ?? statusText(this.status);
    this.payload = body instanceof ArrayBuffer ? new Uint8Array(body) : (body ?? null);
    const h = init?.headers;
    if (h === undefined) {
      this.headersInit = undefined;
    } else if (typeof h === "object" && !(Symbol.iterator in h)) {
      // A plain record (arrays, Headers and LiteHeaders are all iterable).
      this.headersInit = h as Record<string, string>;
    } else {
      this._headers = new LiteHeaders(h);
    }
    if (typeof this.payload === "string" && !this.hasHeader("content-type")) {
      this.setDefaultContentType("text/plain;charset=UTF-8");
    }
  }

  private hasHeader(name: string): boolean {
    if (this._headers) return this._headers.has(name);
    const init = this.headersInit;
    if (!init) return false;
    if (name in init) return true;
    for (const key in init) if (key.toLowerCase() === name) return true;
    return false;
  }

  private setDefaultContentType(value: string): void {
    if (this._headers) this._headers.set("content-type", value);
    else this.headersInit = { ...this.headersInit, "content-type": value };
  }

  get headers(): Headers {
    if (this._headers === undefined) this._headers = new LiteHeaders(this.headersInit);
    return this._headers;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  // The body readers are off the Lambda path (the adapter reads `payload` directly), so they delegate to a
  // global Response built on first use: the spec's behaviour (streams, used-body errors) at no bundle cost.
  get bodyUsed(): boolean {
    return this._real?.bodyUsed === true;
  }

  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.payload === null ? null : (this.real().body as ReadableStream<Uint8Array<ArrayBuffer>>);
  }

  private real(): Response {
    if (this._real === undefined) this._real = this.toResponse();
    return this._real;
  }

  text(): Promise<string> {
    return this.real().text();
  }

  json(): Promise<any> {
    return this.real().json();
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.real().arrayBuffer();
  }

  bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.real()
      .arrayBuffer()
      .then((b) => new Uint8Array(b));
  }

  blob(): Promise<Blob> {
    return this.real().blob();
  }

  formData(): Promise<FormData> {
    return this.real().formData();
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError("Body is unusable: the response body has already been read");
    return new LiteResponse(this.payload, {
      status: this.status,
      statusText: this.statusText,
      headers: new LiteHeaders(this.headers),
    });
  }

  /** A real global `Response` with the same status, headers and body. */
  toResponse(): Response {
    const headers = new Headers();
    for (const [k, v] of this.headers) headers.append(k, v);
    const p = this.payload;
    const nullBody = this.status === 204 || this.status === 205 || this.status === 304;
    return new Response(nullBody ? null : (p as BodyInit | null), {
      status: this.status,
      statusText: this.statusText,
      headers,
    });
  }

  get [Symbol.toStringTag](): string {
    return "Response";
  }

  /** @internal Header record + cookies without materialising a Headers object when untouched. */
  /** @internal The helper-built header record when untouched since (no allocation), else undefined. */
  fastHeaders(): Record<string, string> | undefined {
    return this._headers === undefined && this.initLower ? this.headersInit : undefined;
  }

  /** @internal */
  rawHeaders(): {
    map: Readonly<Record<string, string>>;
    cookies: readonly string[] | undefined;
    lower: boolean;
  } {
    if (this._headers) {
      const raw = this._headers.raw();
      return { map: raw.map, cookies: raw.cookies, lower: true };
    }
    return { map: this.headersInit ?? {}, cookies: undefined, lower: this.initLower };
  }
}

/**
 * A JSON response, built without undici: the Lambda adapter reads its body synchronously.
 *
 * @example
 * return json({ id: 42 }, { status: 201 });
 */
export function json(body: unknown, init?: ResponseInit): Response {
  if (init === undefined)
    return LiteResponse.of(JSON.stringify(body), 200, { "content-type": "application/json" });
  const headers = init.headers;
  if (headers === undefined && init.statusText === undefined) {
    return LiteResponse.of(JSON.stringify(body), init.status ?? 200, { "content-type": "application/json" });
  }
  const h = new LiteHeaders(headers);
  if (!h.has("content-type")) h.set("content-type", "application/json");
  return new LiteResponse(JSON.stringify(body), { ...init, headers: h });
}

/** A plain-text response (`text/plain;charset=UTF-8` unless `init.headers` says otherwise). */
export function text(body: string, init?: ResponseInit): Response {
  return new LiteResponse(body, init);
}

/** An empty response, 204 by default. */
export function empty(status = 204, init?: Omit<ResponseInit, "status">): Response {
  return new LiteResponse(null, { ...init, status });
}

/** The parts of a response the Lambda result shapes need. */
export interface ResponseParts {
  status: number;
  statusText: string;
  /** lower-case header names -> values (several joined by ", "), without set-cookie. */
  headers: Record<string, string>;
  cookies: string[];
  body: string;
  base64: boolean;
}

function partsOfLite(res: LiteResponse): ResponseParts {
  const fast = res.fastHeaders();
  if (fast !== undefined && typeof res.payload === "string") {
    return {
      status: res.status,
      statusText: res.statusText,
      headers: fast,
      cookies: NO_COOKIES,
      body: res.payload,
      base64: false,
    };
  }
  const raw = res.rawHeaders();
  let headers: Record<string, string>;
  let cookies: string[] = raw.cookies ? [...raw.cookies] : [];
  if (raw.lower) {
    headers = raw.map as Record<string, string>;
  } else {
    headers = {};
    for (const key in raw.map) {
      const k = key.toLowerCase();
      const v = String(raw.map[key]);
      if (k === "set-cookie") cookies = [...cookies, v];
      else headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
    }
  }
  const p = res.payload;
  if (p === null)
    return { status: res.status, statusText: res.statusText, headers, cookies, body: "", base64: false };
  if (typeof p === "string") {
    return { status: res.status, statusText: res.statusText, headers, cookies, body: p, base64: false };
  }
  const asText = isTextType(headers["content-type"]);
  return {
    status: res.status,
    statusText: res.statusText,
    headers,
    cookies,
    body: asText ? decoder.decode(p) : Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString("base64"),
    base64: !asText,
  };
}

async function partsOfStandard(res: Response): Promise<ResponseParts> {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, key) => {
    if (key !== "set-cookie") headers[key] = value;
  });
  const cookies = typeof res.headers.getSetCookie === "function" ? res.headers.getSetCookie() : [];
  let body = "";
  let base64 = false;
  if (res.body !== null) {
    const buf = Buffer.from(await res.arrayBuffer());
    if (isTextType(headers["content-type"])) body = buf.toString("utf8");
    else {
      body = buf.toString("base64");
      base64 = true;
    }
  }
  return { status: res.status, statusText: res.statusText, headers, cookies, body, base64 };
}

function isResponseLike(value: unknown): value is Response {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Response).status === "number" &&
    typeof (value as Response).headers === "object" &&
    typeof (value as Response).arrayBuffer === "function"
  );
}

/** Reads a handler's response: synchronously for a `LiteResponse`, by reading the stream otherwise. */
export function responseParts(res: unknown): ResponseParts | Promise<ResponseParts> {
  if (res instanceof LiteResponse) return partsOfLite(res);
  if (isResponseLike(res)) return partsOfStandard(res);
  throw new TypeError(
    `The handler returned ${res === null ? "null" : typeof res} instead of a Response. ` +
      "Return a Response, e.g. `return json({ ok: true })` or `return new Response('ok')`.",
  );
}
