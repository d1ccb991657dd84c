import type { HeaderEntries, HeaderNames, HeadersInitLike } from "./types.js";

type HeaderRecord = Record<string, string>;

// Header names the package uses often, as constants: a repeated string literal costs the bundle its length.
/** @internal */ export const CONTENT_TYPE = "content-type";
/** @internal */ export const SET_COOKIE = "set-cookie";

/** @internal */
export const isString = (value: unknown): value is string => typeof value === "string";

/**
 * A `Headers` implementation over a plain record. Building undici's `Headers` costs microseconds per
 * request; this one aliases the event's record and copies it (lower-casing names, trimming values) only on
 * the first write, listing, or lookup that misses. Names are case-insensitive, as in the WHATWG spec.
 */
export class LiteHeaders implements Headers {
  /** lower-case name -> value (several values joined by ", ", cookies by "; "); `set-cookie` lives in #cookies. */
  #map: HeaderRecord = Object.create(null);
  /** true while #map is an event's record, not yet copied: its names may not be lower case. */
  #aliased = false;
  #cookies: string[] = [];

  constructor(init?: HeadersInitLike | null) {
    if (!init) return;
    // Headers, LiteHeaders, Maps and arrays of pairs are iterable (set-cookie comes out one value at a time).
    if (Symbol.iterator in init)
      for (const [name, value] of init as Iterable<string[]>) this.append(name!, value!);
    else for (const name in init) this.append(name, (init as HeaderRecord)[name]!);
  }

  /** @internal Wraps an event's header record without copying it. */
  static alias(record: HeaderRecord): LiteHeaders {
    const h = new LiteHeaders();
    h.#map = record;
    h.#aliased = true;
    return h;
  }

  #own(): HeaderRecord {
    if (this.#aliased) {
      const source = this.#map;
      this.#map = Object.create(null);
      this.#aliased = false;
      for (const name in source) this.append(name, source[name]!);
    }
    return this.#map;
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const v = String(value).trim();
    // As WHATWG Headers (which throws for these): no CR, LF or NUL in a name or value, so no header injection.
    if (/[\0\r\n]/.test(key + v)) {
      throw new TypeError(`Invalid header ${JSON.stringify(name)}: CR, LF or NUL in its name or value`);
    }
    if (key === SET_COOKIE) {
      this.#cookies.push(v);
      return;
    }
    const map = this.#own();
    const prev = map[key];
    map[key] = prev === undefined ? v : prev + (key === "cookie" ? "; " : ", ") + v;
  }

  delete(name: string): void {
    const key = name.toLowerCase();
    if (key === SET_COOKIE) this.#cookies = [];
    else delete this.#own()[key];
  }

  get(name: string): string | null {
    const key = name.toLowerCase();
    if (key === SET_COOKIE) return this.#cookies.length > 0 ? this.#cookies.join(", ") : null;
    // A hit in an aliased record costs no copy (trim() of a trimmed string does not copy either).
    let value = this.#map[key];
    if (!isString(value)) value = this.#own()[key];
    return isString(value) ? value.trim() : null;
  }

  getSetCookie(): string[] {
    return [...this.#cookies];
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  set(name: string, value: string): void {
    this.delete(name);
    this.append(name, value);
  }

  forEach(callbackfn: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callbackfn.call(thisArg, value, name, this);
  }

  /** Sorted by name, `set-cookie` values one by one, as the spec's iteration. */
  *entries(): HeaderEntries {
    const map = this.#own();
    const names = Object.keys(map);
    if (this.#cookies.length > 0) names.push(SET_COOKIE);
    for (const name of names.sort()) {
      if (name === SET_COOKIE) for (const cookie of this.#cookies) yield [name, cookie];
      else yield [name, map[name]!];
    }
  }

  *keys(): HeaderNames {
    for (const [name] of this.entries()) yield name;
  }

  *values(): HeaderNames {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): HeaderEntries {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "Headers";
  }

  /** @internal The single-valued headers (lower-case names, read-only use) and the `set-cookie` values. */
  raw(): [HeaderRecord, string[]] {
    return [this.#own(), this.#cookies];
  }
}
