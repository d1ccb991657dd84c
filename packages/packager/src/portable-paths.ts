import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, relative, resolve, sep } from "node:path";

/**
 * esbuild names every bundled module by its path relative to the working folder: in `// path` comments,
 * in the keys of its CommonJS/ESM wrappers (`"path"(exports, module) {`) and in the source map's `sources`.
 * For a file outside the folder (a linked package, a global store, a workspace sibling outside the
 * service) that path climbs to the file system root and down again, so it carries the build machine's
 * folders and changes with where the checkout lives. These helpers rename such files to a name that
 * depends only on the file: `node_modules/<package>/<path inside the package>`, or
 * `external/<first 8 hex of its sha256>/<file name>` for a file in no package.
 */

/** Relative POSIX path, as esbuild writes it. */
function posix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** npm's rule for a package name (scoped or not); anything else in a package.json is not used as a name. */
const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/i;

interface PackageInfo {
  dir: string;
  name: string;
  version: string | undefined;
}

/** The nearest enclosing folder whose package.json has a valid name, remembered per folder. */
async function owningPackage(
  file: string,
  cache: Map<string, PackageInfo | null>,
): Promise<PackageInfo | null> {
  const visited: string[] = [];
  let found: PackageInfo | null = null;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const known = cache.get(dir);
    if (known !== undefined) {
      found = known;
      break;
    }
    visited.push(dir);
    try {
      const manifest = JSON.parse(await readFile(resolve(dir, "package.json"), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (typeof manifest.name === "string" && PACKAGE_NAME.test(manifest.name)) {
        found = {
          dir,
          name: manifest.name,
          version: typeof manifest.version === "string" ? manifest.version : undefined,
        };
        break;
      }
    } catch {
      // no package.json here, or not JSON: keep climbing
    }
    if (dirname(dir) === dir) break;
  }
  for (const dir of visited) cache.set(dir, found);
  return found;
}

/**
 * For each esbuild input (a path relative to `workingDir`, as in `metafile.inputs`) that lies outside
 * `workingDir`, the name to show instead, also relative to `workingDir`. Inputs inside keep their path;
 * inputs of other namespaces (`<define:...>`, `(disabled):...`) are left alone.
 */
export async function portableNames(
  inputs: readonly string[],
  workingDir: string,
): Promise<Map<string, string>> {
  const cache = new Map<string, PackageInfo | null>();
  const planned: { from: string; file: string; pkg: PackageInfo | null; name: string }[] = [];
  for (const from of [...inputs].sort()) {
    if (/^[a-z-]*:|^[<(]/i.test(from) && !from.startsWith("..")) continue;
    const file = resolve(workingDir, from);
    if (inside(workingDir, file)) continue;
    const pkg = await owningPackage(file, cache);
    let name: string;
    if (pkg) {
      name = `node_modules/${pkg.name}/${posix(relative(pkg.dir, file))}`;
    } else {
      let digest = "unreadable";
      try {
        digest = createHash("sha256")
          .update(await readFile(file))
          .digest("hex")
          .slice(0, 8);
      } catch {
        // a virtual input esbuild did not read from disk: named by its file name only
      }
      name = `external/${digest}/${basename(file)}`;
    }
    planned.push({ from, file, pkg, name });
  }
  // Two copies of one package (two versions, or one linked twice) would get the same name: add the version.
  const count = new Map<string, number>();
  for (const p of planned) count.set(p.name, (count.get(p.name) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const p of planned) {
    const clash = (count.get(p.name) ?? 0) > 1 && p.pkg?.version !== undefined;
    names.set(
      p.from,
      clash && p.pkg
        ? `node_modules/${p.pkg.name}@${p.pkg.version}/${posix(relative(p.pkg.dir, p.file))}`
        : p.name,
    );
  }
  return names;
}

/** A text edit on one line: the original text up to column `end` is `delta` characters longer or shorter. */
interface LineEdit {
  end: number;
  delta: number;
}

/** JavaScript string literal in the form esbuild prints (ASCII charset: other characters as \u escapes). */
function quoted(text: string): string {
  return JSON.stringify(text).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${(c.charCodeAt(0) as number).toString(16).padStart(4, "0")}`,
  );
}

const MODULE_COMMENT = /^(\s*)\/\/ (.+)$/;
const WRAPPER_KEY = /^(\s*)("(?:[^"\\]|\\.)*")\(/;

/**
 * Renames modules in esbuild's output: `// <path>` comment lines and `"<path>"(` wrapper keys whose path
 * is in `names`. Returns the text and, per line (0-based), the edits made, for the source map.
 */
export function renameModules(
  code: string,
  names: ReadonlyMap<string, string>,
): { code: string; edits: Map<number, LineEdit[]> } {
  const edits = new Map<number, LineEdit[]>();
  if (names.size === 0) return { code, edits };
  const lines = code.split("\n");
  lines.forEach((line, i) => {
    const comment = MODULE_COMMENT.exec(line);
    if (comment) {
      const to = names.get(comment[2] as string);
      if (to !== undefined) {
        const renamed = `${comment[1] as string}// ${to}`;
        lines[i] = renamed;
        edits.set(i, [{ end: line.length, delta: renamed.length - line.length }]);
      }
      return;
    }
    const key = WRAPPER_KEY.exec(line);
    if (key) {
      let from: string;
      try {
        from = JSON.parse(key[2] as string) as string;
      } catch {
        return;
      }
      const to = names.get(from);
      if (to !== undefined) {
        const end = (key[1] as string).length + (key[2] as string).length;
        const renamed = `${key[1] as string}${quoted(to)}${line.slice(end)}`;
        lines[i] = renamed;
        edits.set(i, [{ end, delta: renamed.length - line.length }]);
      }
    }
  });
  return { code: lines.join("\n"), edits };
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The first base64 VLQ number of a source-map segment, and how many characters it takes. */
function readVlq(segment: string): [number, number] {
  let value = 0;
  let shift = 0;
  let i = 0;
  for (;;) {
    const digit = BASE64.indexOf(segment[i++] as string);
    if (digit < 0) throw new Error(`invalid source map segment "${segment}"`);
    value += (digit & 31) * 2 ** shift;
    shift += 5;
    if ((digit & 32) === 0) break;
  }
  return [value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2), i];
}

function writeVlq(n: number): string {
  let value = n < 0 ? -n * 2 + 1 : n * 2;
  let out = "";
  do {
    let digit = value % 32;
    value = Math.floor(value / 32);
    if (value > 0) digit |= 32;
    out += BASE64[digit];
  } while (value > 0);
  return out;
}

/** Moves the generated columns of the segments after each edit, so the map still points at the right code. */
function shiftColumns(mappings: string, edits: ReadonlyMap<number, readonly LineEdit[]>): string {
  if (edits.size === 0) return mappings;
  const lines = mappings.split(";");
  for (const [line, lineEdits] of edits) {
    const text = lines[line];
    if (!text) continue;
    let before = 0;
    let beforeShifted = 0;
    lines[line] = text
      .split(",")
      .map((segment) => {
        if (segment === "") return segment;
        const [relativeColumn, length] = readVlq(segment);
        const column = before + relativeColumn;
        before = column;
        let shifted = column;
        for (const edit of lineEdits) if (column >= edit.end) shifted += edit.delta;
        const out = writeVlq(shifted - beforeShifted) + segment.slice(length);
        beforeShifted = shifted;
        return out;
      })
      .join(",");
  }
  return lines.join(";");
}

/**
 * Rewrites a source map written to `mapDir` for a bundle whose modules were renamed: `sources` outside
 * `workingDir` get their portable names (relative to `mapDir`, like the others) and the columns moved by
 * `renameModules` are shifted back into place.
 */
export function renameSources(
  mapJson: string,
  mapDir: string,
  workingDir: string,
  names: ReadonlyMap<string, string>,
  edits: ReadonlyMap<number, readonly LineEdit[]>,
): string {
  if (names.size === 0) return mapJson;
  const map = JSON.parse(mapJson) as { sources?: string[]; mappings?: string };
  if (Array.isArray(map.sources)) {
    map.sources = map.sources.map((source) => {
      const from = posix(relative(workingDir, resolve(mapDir, source)));
      const to = names.get(from);
      return to === undefined ? source : posix(relative(mapDir, resolve(workingDir, to)));
    });
  }
  if (typeof map.mappings === "string") map.mappings = shiftColumns(map.mappings, edits);
  return `${JSON.stringify(map, null, 2)}\n`;
}
