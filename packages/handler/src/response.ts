import { checkStatus } from "./errors.js";
import { CONTENT_TYPE, isString, LiteHeaders, SET_COOKIE } from "./headers.js";
import { assertUnused, defineMembers } from "./members.js";
import type { ResponseParts, ResponseTypeName } from "./types.js";

/** Body content types sent to API Gateway as text; everything else goes base64. */
export const isTextType = (contentType: string): boolean =>
  /^text\/|json|xml|javascript|x-www-form-urlencoded|graphql|yaml|csv/i.test(contentType);

/** The reason phrase of a status ("Not Found"), from Node's table: loaded on first use, off the hot path. */
export function reasonPhrase(status: number): string {
  return process.getBuiltinModule?.("node:http").STATUS_CODES[status] ?? "";
}

type Payload = string | Uint8Array | null;

const FAST: unique symbol = Symbol();
const NO_COOKIES: string[] = [];

/**
 * A `Response` whose body is already a string or bytes, so the Lambda adapter takes it synchronously.
 * Implements the standard `Response` interface: status, headers and `ok` are its own; the body readers
 * (`text()`, `json()`, `body`, `blob()`, ...) delegate to a global `Response` built on first use, off the
 * Lambda path. `toResponse()` gives that real global one.
 */
export class LiteResponse implements Response {
  // Constants and the delegated body readers live on the prototype (see the static block).
  declare readonly type: ResponseTypeName;
  declare readonly url: string;
  declare readonly redirected: boolean;
  declare text: () => Promise<string>;
  declare json: () => Promise<any>;
  declare arrayBuffer: () => Promise<ArrayBuffer>;
  declare blob: () => Promise<Blob>;
  declare formData: () => Promise<FormData>;
  readonly status: number;
  readonly statusText: string;
  #payload: Payload;
  /** The header record the helpers built (lower-case names), until someone touches `headers`. */
  #record: Record<string, string> | undefined;
  #headers: LiteHeaders | undefined;
  #real: Response | undefined;

  constructor(body?: string | Uint8Array | ArrayBuffer | null, init?: ResponseInit);
  /** @internal Fast path for the helpers: `record` must have lower-case names. */
  constructor(body: Payload, init: typeof FAST, status: number, record: Record<string, string>);
  constructor(
    body?: string | Uint8Array | ArrayBuffer | null,
    init?: ResponseInit | typeof FAST,
    status?: number,
    record?: Record<string, string>,
  ) {
    if (init === FAST) {
      this.status = status!;
      this.statusText = "";
      this.#payload = body as Payload;
      this.#record = record;
      return;
    }
    status = init?.status ?? 200;
    checkStatus(status, 200, "Response");
    this.status = status;
    this.statusText = init?.statusText ?? "";
    const payload = body instanceof ArrayBuffer ? new Uint8Array(body) : (body ?? null);
    this.#payload = payload;
    const headers = new LiteHeaders(init?.headers);
    this.#headers = headers;
    if (isString(payload)) typeDefault(headers, "text/plain;charset=UTF-8");
  }

  get headers(): Headers {
    if (this.#headers === undefined) this.#headers = new LiteHeaders(this.#record);
    return this.#headers;
  }

  get ok(): boolean {
    return this.status < 300;
  }

  get bodyUsed(): boolean {
    return this.#real?.bodyUsed === true;
  }

  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    return this.#payload === null ? null : (this.#body().body as ReadableStream<Uint8Array<ArrayBuffer>>);
  }

  #body(): Response {
    this.#real ??= this.toResponse();
    return this.#real;
  }

  static {
    // The body readers: the spec's behaviour (streams, a body reads once) at little bundle cost.
    defineMembers(
      LiteResponse,
      "type=default url= redirected",
      "text json arrayBuffer blob formData",
      (self, reader) => self.#body()[reader](),
    );
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  clone(): Response {
    assertUnused(this.bodyUsed, "response");
    return new LiteResponse(this.#payload, this); // status, statusText and headers, read as a ResponseInit
  }

  /** A real global `Response` with the same status, headers and body. */
  toResponse(): Response {
    const s = this.status;
    return new Response(s === 204 || s === 205 || s === 304 ? null : (this.#payload as BodyInit | null), {
      status: s,
      statusText: this.statusText,
      headers: [...this.headers],
    });
  }

  get [Symbol.toStringTag](): string {
    return "Response";
  }

  /**
   * @internal The parts the Lambda result shapes need (see `responseParts`), read without building `headers`
   * when nobody touched them (`#record` is set whenever `#headers` is not: by the helpers' fast path).
   */
  raw(): ResponseParts {
    const headers = this.#headers;
    return headers
      ? parts(this, ...headers.raw(), this.#payload)
      : parts(this, this.#record!, NO_COOKIES, this.#payload);
  }
}

/** @internal */
export const JSON_TYPE = "application/json";

/** Sets `content-type` to `type` unless the headers have one. */
function typeDefault(headers: LiteHeaders, type: string): void {
  if (!headers.has(CONTENT_TYPE)) headers.set(CONTENT_TYPE, type);
}

/**
 * A JSON response, built without undici: the Lambda adapter reads its body synchronously. Like
 * `Response.json()`, it throws a TypeError for a value JSON cannot represent (`undefined`, a function).
 *
 * @example
 * return json({ id: 42 }, { status: 201 });
 */
export function json(body: unknown, init?: ResponseInit): Response {
  const payload = JSON.stringify(body);
  if (payload === undefined) {
    throw new TypeError(`json() cannot send ${typeof body}: pass a JSON value, e.g. json(null)`);
  }
  if (!init?.headers && !init?.statusText) {
    return new LiteResponse(payload, FAST, init?.status ?? 200, { "content-type": JSON_TYPE });
  }
  const headers = new LiteHeaders(init.headers);
  typeDefault(headers, JSON_TYPE);
  return new LiteResponse(payload, { ...init, headers });
}

/** A plain-text response (`text/plain;charset=UTF-8` unless `init.headers` says otherwise). */
export function text(body: string, init?: ResponseInit): Response {
  return new LiteResponse(body, init);
}

/** An empty response, 204 by default. */
export function empty(status = 204, init?: Omit<ResponseInit, "status">): Response {
  return new LiteResponse(null, { ...init, status });
}

/** What a body of bytes without a content-type is sent as (as any HTTP server would label it). */
const OCTETS = "application/octet-stream";

function parts(
  res: Response,
  headers: Record<string, string>,
  cookies: string[],
  body: Uint8Array | string | null,
): ResponseParts {
  let binary = false;
  if (!isString(body) && body !== null) {
    const type = headers[CONTENT_TYPE];
    // Bytes are sent as they are (base64) unless their content-type says text; bytes without one are not text.
    if (!type) headers = { ...headers, [CONTENT_TYPE]: OCTETS };
    binary = !type || !isTextType(type);
  }
  return [
    res.status,
    res.statusText,
    headers,
    cookies,
    body === null ? "" : isString(body) ? body : Buffer.from(body).toString(binary ? "base64" : "utf8"),
    binary,
  ];
}

/** Reads a handler's response: synchronously for a `LiteResponse`, by reading the stream otherwise. */
export function responseParts(res: unknown): ResponseParts | Promise<ResponseParts> {
  if (res instanceof LiteResponse) {
    return res.raw();
  }
  if (!res || typeof (res as Response).arrayBuffer !== "function" || !(res as Response).headers) {
    throw new TypeError(
      `The handler returned ${res === null ? "null" : typeof res} instead of a Response, e.g. return json({ ok: true })`,
    );
  }
  const r = res as Response;
  const headers: Record<string, string> = {};
  r.headers.forEach((value, name) => {
    if (name !== SET_COOKIE) headers[name] = value;
  });
  const cookies = r.headers.getSetCookie?.() ?? [];
  return r.body === null
    ? parts(r, headers, cookies, null)
    : r.arrayBuffer().then((buffer) => parts(r, headers, cookies, new Uint8Array(buffer)));
}
