import { EntryNameError, type EntryNameRule } from "../errors.js";

/** Longest path component, in UTF-8 bytes: NAME_MAX of ext4, XFS, APFS and the 255 units NTFS allows. */
export const MAX_COMPONENT_BYTES = 255;
/** Longest entry name, in UTF-8 bytes: macOS's PATH_MAX (1,024), the smallest of the systems that build and unzip artifacts. */
export const MAX_NAME_BYTES = 1024;

/**
 * C0 and C1 control characters, DEL, and the bidirectional controls that make a name display as another
 * (U+061C, U+200E/F, U+202A-E, U+2066-9).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Quoted as JSON, with the control characters JSON leaves raw (DEL, C1, bidi) escaped too. */
function visible(text: string): string {
  return JSON.stringify(text).replace(
    new RegExp(CONTROL.source, "gu"),
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, "0")}`,
  );
}

/** The name as an error shows it: visible (a raw ESC or U+202E would garble the terminal), long ones shortened. */
function shown(name: string): string {
  const bytes = Buffer.byteLength(name);
  return bytes > 120 ? `${visible(name.slice(0, 60))}... (${bytes} bytes)` : visible(name);
}

/**
 * Rejects every entry name that could land outside the extraction folder ("zip slip"), that different unzip
 * tools would read differently, or that a file system cannot hold. Names are relative POSIX paths of
 * printable characters: `src/app.mjs`. `file` (the file on disk the entry comes from) is named in the error.
 */
export function assertSafeEntryName(name: string, file?: string): void {
  const from = file === undefined ? "" : ` (from ${visible(file)})`;
  if (typeof name !== "string" || name.length === 0) {
    throw new EntryNameError(
      String(name),
      `ZIP entry name must be a non-empty string${from}; received ${JSON.stringify(name)}. Use a relative path with forward slashes, for example "lib/handler.mjs".`,
      "empty",
    );
  }
  const reject = (rule: EntryNameRule, why: string, fix: string): never => {
    throw new EntryNameError(name, `Unsafe ZIP entry name ${shown(name)}${from}: ${why}. ${fix}`, rule);
  };
  const relative =
    'Use a relative path with forward slashes inside the archive, for example "lib/handler.mjs".';
  const rename = "Rename the file (or its folder) to printable characters.";
  const control = CONTROL.exec(name);
  if (control) {
    const what = control[0] === "\0" ? "a NUL character" : `the control character ${codePoint(control[0])}`;
    reject("control-character", `it contains ${what} at position ${control.index}`, rename);
  }
  const surrogate = LONE_SURROGATE.exec(name);
  if (surrogate) {
    reject(
      "invalid-unicode",
      `it is not valid Unicode (a lone surrogate ${codePoint(surrogate[0])} at position ${surrogate.index}), so it has no UTF-8 form`,
      rename,
    );
  }
  if (name.includes("\\")) {
    reject("backslash", "it contains a backslash, which Windows tools treat as a folder separator", relative);
  }
  if (name.startsWith("/")) reject("absolute", "it is an absolute path", relative);
  if (/^[A-Za-z]:/.test(name)) reject("absolute", "it starts with a drive letter", relative);
  for (const segment of name.split("/")) {
    if (segment === "..") {
      reject("dot-segment", 'it contains a ".." segment that escapes the extraction folder', relative);
    }
    if (segment === ".") reject("dot-segment", 'it contains a "." segment', relative);
    if (segment === "") {
      reject("empty-segment", "it contains an empty segment (a doubled or trailing slash)", relative);
    }
    const bytes = Buffer.byteLength(segment);
    if (bytes > MAX_COMPONENT_BYTES) {
      reject(
        "component-too-long",
        `its component ${shown(segment)} is ${bytes} bytes long, over the ${MAX_COMPONENT_BYTES} bytes a file or folder name may have on ext4, APFS or NTFS`,
        "Shorten that file or folder name.",
      );
    }
  }
  const bytes = Buffer.byteLength(name);
  if (bytes > MAX_NAME_BYTES) {
    reject(
      "too-long",
      `it is ${bytes} bytes long, over the ${MAX_NAME_BYTES} bytes of a whole path this package allows (macOS's PATH_MAX; unzip could not create it there)`,
      "Flatten the folder structure or shorten the names.",
    );
  }
}
