/**
 * Puts the constant members and the delegated body readers of `LambdaRequest` and `LiteResponse` on a
 * prototype, from two space-separated lists (kept as strings: a table of names costs the bundle bytes).
 * `constants` holds `name=value` (a string value, possibly empty) or a bare `name` (false); each becomes a
 * read-only, non-enumerable data property, as the spec's fixed attributes of a server-side object.
 * Each of `readers` becomes a method returning `read(this, name)` (typed as `"text"`: they all return a promise).
 */
export function defineMembers<T>(
  target: abstract new (...args: never[]) => T,
  constants: string,
  readers: string,
  read: (self: T, reader: "text") => unknown,
): void {
  const proto = target.prototype;
  for (const pair of constants.split(" ")) {
    const [name, value = false] = pair.split("=");
    Object.defineProperty(proto, name!, { value });
  }
  for (const reader of readers.split(" ")) {
    proto[reader] = function (this: T) {
      return read(this, reader as "text");
    };
  }
}

/** Throws the spec's TypeError for a body read twice (`what`: "request" or "response"). */
export function assertUnused(used: boolean | undefined, what: string): void {
  if (used) throw new TypeError(`Body is unusable: the ${what} body has already been read`);
}
