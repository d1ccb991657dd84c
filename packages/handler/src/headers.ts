type HeaderRecord = Record<string, string>;

function isLowerCase(record: HeaderRecord): boolean {
  for (const key in record) {
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c >= 65 && c <= 90) return false;
    }
  }
  return true;
}

/**
 * A `Headers` implementation over a plain record. Building undici's `Headers` costs microseconds per
 * request; this one aliases the event's record when its names are already lower case and copies it only
 * on the first write. Names are case-insensitive, as in the WHATWG spec.
 */
export class LiteHeaders implements Headers {
  /** lower-case name -> value (several values joined by ", "); `set-cookie` lives in `cookies`. */
  private map: HeaderRecord;
  private owned: boolean;
  /** false while `map` aliases an event record whose names were not yet checked to be lower case. */
  private checked: boolean;
  private cookies: string[] | undefined;

  constructor(init?: HeadersInit | null, alias?: HeaderRecord) {
    this.cookies = undefined;
    if (alias !== undefined) {
      // Alias an event's record; names are checked (and the record copied if needed) on first miss.
      this.map = alias;
      this.owned = false;
      this.checked = false;
      return;
    }
    this.map = Object.create(null);
    this.owned = true;
    this.checked = true;
    if (init == null) return;
    if (init instanceof LiteHeaders || init instanceof Headers) {
      init.forEach((value, name) => {
        if (name !== "set-cookie") this.append(name, value);
      });
      for (const cookie of (init as Headers).getSetCookie()) this.append("set-cookie", cookie);
      return;
    }
    if (Array.isArray(init) || Symbol.iterator in (init as object)) {
      for (const pair of init as Iterable<[string, string]>) this.append(pair[0], pair[1]);
      return;
    }
    const record = init as HeaderRecord;
    for (const key in record) this.append(key, record[key]!);
  }

  /** Wraps an event's header record without copying it when its names are already lower case. */
  static fromRecord(record: HeaderRecord | null | undefined, cookies?: string[] | null): LiteHeaders {
    if (record && !(cookies && cookies.length > 0)) return new LiteHeaders(null, record);
    const h = new LiteHeaders();
    if (record) for (const key in record) h.append(key, String(record[key]));
    if (cookies && cookies.length > 0) h.append("cookie", cookies.join("; "));
    return h;
  }

  /** Wraps a multi-value header record (API Gateway v1 and ALB `multiValueHeaders`). */
  static fromMultiValue(record: Record<string, string[] | undefined>): LiteHeaders {
    const h = new LiteHeaders();
    for (const key in record) {
      const values = record[key];
      if (values) for (const v of values) h.append(key, v);
    }
    return h;
  }

  private own(): void {
    if (!this.owned) {
      const source = this.map;
      this.map = Object.create(null);
      this.owned = true;
      this.checked = true;
      for (const key in source) this.append(key, String(source[key]));
    }
  }

  private check(): void {
    if (!this.checked) {
      if (isLowerCase(this.map) && !("set-cookie" in this.map)) this.checked = true;
      else this.own();
    }
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const v = String(value).trim();
    if (key === "set-cookie") {
      if (this.cookies === undefined) this.cookies = [];
      this.cookies.push(v);
      return;
    }
    this.own();
    const prev = this.map[key];
    this.map[key] = prev === undefined ? v : key === "cookie" ? `${prev}; ${v}` : `${prev}, ${v}`;
  }

  delete(name: string): void {
    const key = name.toLowerCase();
    if (key === "set-cookie") {
      this.cookies = undefined;
      return;
    }
    this.own();
    delete this.map[key];
  }

  get(name: string): string | null {
    const key = name.toLowerCase();
    if (key === "set-cookie") return this.cookies ? this.cookies.join(", ") : null;
    // Values of an aliased event record are trimmed on read (trim() of a trimmed string does not copy).
    const value = this.map[key];
    if (typeof value === "string") return value.trim();
    this.check();
    const again = this.map[key];
    return typeof again === "string" ? again.trim() : null;
  }

  getSetCookie(): string[] {
    return this.cookies ? [...this.cookies] : [];
  }

  has(name: string): boolean {
    const key = name.toLowerCase();
    if (key === "set-cookie") return this.cookies !== undefined && this.cookies.length > 0;
    if (typeof this.map[key] === "string") return true;
    this.check();
    return typeof this.map[key] === "string";
  }

  set(name: string, value: string): void {
    const key = name.toLowerCase();
    if (key === "set-cookie") {
      this.cookies = [String(value).trim()];
      return;
    }
    this.own();
    this.map[key] = String(value).trim();
  }

  forEach(callbackfn: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) callbackfn.call(thisArg, v, k, this);
  }

  *entries(): HeadersIterator<[string, string]> {
    this.check();
    const names = Object.keys(this.map);
    if (this.cookies) names.push("set-cookie");
    names.sort();
    for (const name of names) {
      if (name === "set-cookie") {
        for (const c of this.cookies!) yield [name, c];
      } else {
        yield [name, this.map[name]!.trim()];
      }
    }
  }

  *keys(): HeadersIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): HeadersIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "Headers";
  }

  /** @internal The record of single-valued headers (read-only use) and the `set-cookie` values. */
  raw(): { map: Readonly<HeaderRecord>; cookies: readonly string[] | undefined } {
    this.check();
    return { map: this.map, cookies: this.cookies };
  }
}
