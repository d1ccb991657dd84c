import { EntryNameError } from "../errors.js";

/**
 * Rejects every entry name that could land outside the extraction folder ("zip slip") or that
 * different unzip tools would read differently. Names are relative POSIX paths: `src/app.mjs`.
 */
export function assertSafeEntryName(name: string): void {
  const fix = 'Use a relative path with forward slashes inside the archive, for example "lib/handler.mjs".';
  if (typeof name !== "string" || name.length === 0) {
    throw new EntryNameError(
      String(name),
      `ZIP entry name must be a non-empty string; received ${JSON.stringify(name)}. ${fix}`,
    );
  }
  const reject = (why: string): never => {
    throw new EntryNameError(name, `Unsafe ZIP entry name ${JSON.stringify(name)}: ${why}. ${fix}`);
  };
  if (name.includes("\0")) reject("it contains a NUL character");
  if (name.includes("\\")) reject("it contains a backslash, which Windows tools treat as a folder separator");
  if (name.startsWith("/")) reject("it is an absolute path");
  if (/^[A-Za-z]:/.test(name)) reject("it starts with a drive letter");
  for (const segment of name.split("/")) {
    if (segment === "..") reject('it contains a ".." segment that escapes the extraction folder');
    if (segment === ".") reject('it contains a "." segment');
    if (segment === "") reject("it contains an empty segment (a doubled or trailing slash)");
  }
  if (Buffer.byteLength(name) > 0xffff) reject("it is longer than 65535 bytes");
}
