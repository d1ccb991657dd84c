import { createHash } from "node:crypto";
import { lstat, mkdir, open, readdir, realpath, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve, sep } from "node:path";
import { PackagerInputError, SymlinkError } from "../errors.js";
import { type EncodedEntry, layoutZip } from "./container.js";
import { defaultWorkers, type EncodedData, type EncodeSource, encodeAll } from "./encode.js";
import { assertSafeEntryName } from "./names.js";

/** One file to put in a ZIP: either a file on disk (`path`) or in-memory `content`. */
export interface ZipInput {
  /** Name inside the archive: a relative POSIX path such as `index.mjs` or `lib/a.js`. */
  name: string;
  /** File to read. Symbolic links are followed (the target's bytes are stored). */
  path?: string;
  content?: Buffer | string;
  /** Any execute bit makes the entry 0755; everything else is 0644. Defaults to the file's own mode, or 0644. */
  mode?: number;
}

export interface ArtifactEntry {
  name: string;
  size: number;
  compressedSize?: number;
}

/** A written ZIP: where it is, what it holds, and its content-addressed name. */
export interface Artifact {
  path: string;
  sha256: string;
  size: number;
  /** `<logical-name>-<first 16 hex digits of sha256>.zip`: changes exactly when the bytes do. */
  key: string;
  entries: ArtifactEntry[];
}

export interface CreateZipOptions {
  entries: ZipInput[];
  /** Exact file to write. */
  outFile?: string;
  /** Folder to write `<key>` into, when `outFile` is not given. Default: `<os tmpdir>/sparta-artifacts`. */
  outDir?: string;
  /** Logical name used in `key`. Default: `outFile`'s base name without `.zip`, else `artifact`. */
  name?: string;
  /** Deflate level 0-9. Default 6 (what `zip` uses). */
  level?: number;
  /**
   * @deprecated The only engine is this package's writer (`"sparta"`, the default): it was measured against
   * archiver, yazl and fflate and kept (see the README's table). `"archiver"` is refused with a
   * `PackagerInputError`; archiver is no longer a dependency.
   */
  engine?: "sparta";
  /**
   * Worker threads that read and deflate files beside this thread. Default: none under 64 entries (a function
   * bundle is one or two files), else one per core beyond the first, up to 3. The bytes are the same either way.
   */
  workers?: number;
}

/** A normalised, validated entry; its bytes are read when it is encoded. */
interface PlannedEntry {
  name: string;
  mode: number;
  /** Whether `mode` came from the input (else the file's own mode decides). */
  modeGiven: boolean;
  source: EncodeSource;
}

export function normaliseMode(mode: number | undefined): number {
  return mode !== undefined && (mode & 0o111) !== 0 ? 0o755 : 0o644;
}

function compareNames(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

async function plan(inputs: readonly ZipInput[]): Promise<PlannedEntry[]> {
  const seen = new Set<string>();
  const planned: PlannedEntry[] = [];
  for (const input of inputs) {
    assertSafeEntryName(input.name, typeof input.path === "string" ? input.path : undefined);
    if (seen.has(input.name)) {
      throw new PackagerInputError(
        `ZIP entry "${input.name}" is listed twice. Each name may appear once; rename or drop one of them.`,
      );
    }
    seen.add(input.name);
    const hasPath = typeof input.path === "string";
    const hasContent = input.content !== undefined;
    if (hasPath === hasContent) {
      throw new PackagerInputError(
        `ZIP entry "${input.name}" needs exactly one of "path" or "content"; received ${hasPath ? "both" : "neither"}.`,
      );
    }
    if (hasContent) {
      const content = input.content as Buffer | string;
      const data = typeof content === "string" ? Buffer.from(content, "utf8") : content;
      planned.push({ name: input.name, mode: normaliseMode(input.mode), modeGiven: true, source: { data } });
    } else {
      planned.push({
        name: input.name,
        mode: normaliseMode(input.mode),
        modeGiven: input.mode !== undefined,
        source: { path: input.path as string },
      });
    }
  }
  return planned.sort(compareNames);
}

/** The per-entry report of an artifact. */
function entriesFromEncoded(encoded: readonly EncodedEntry[]): ArtifactEntry[] {
  return encoded.map((e) => ({ name: e.name, size: e.size, compressedSize: e.data.length }));
}

function keyName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
  return cleaned.length > 0 ? cleaned : "artifact";
}

async function writeAtomically(path: string, chunks: readonly Buffer[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const handle = await open(temp, "w");
    try {
      // Gathered writes, in batches under the usual IOV_MAX: no 50 MB concatenation first.
      for (let i = 0; i < chunks.length; i += 1024) {
        await handle.writev(chunks.slice(i, i + 1024));
      }
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes a reproducible ZIP: entries sorted by name, every timestamp 1980-01-01 00:00, modes 0644/0755,
 * no extra fields, so the same names and bytes always give the same archive and the same `key`.
 *
 * @example
 * const artifact = await createZip({ name: "hello", outDir: ".sparta", entries: [{ name: "index.mjs", path: "dist/index.mjs" }] });
 * // artifact.key === "hello-3f9a0c1d2e4b5a69.zip"
 */
export async function createZip(options: CreateZipOptions): Promise<Artifact> {
  const level = options.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new PackagerInputError(
      `createZip: "level" must be an integer from 0 to 9; received ${String(options.level)}.`,
    );
  }
  if (options.engine !== undefined && options.engine !== "sparta") {
    throw new PackagerInputError(
      `createZip: engine ${JSON.stringify(options.engine)} is not available: @sparta/packager writes ZIPs with its own writer only (archiver is no longer a dependency; its README says why). Drop the "engine" option.`,
    );
  }
  const planned = await plan(options.entries);
  const data = await encodeAll(
    planned.map((e) => e.source),
    planned.map((e) => e.name),
    level,
    options.workers ?? defaultWorkers(planned.length),
  );
  const encoded: EncodedEntry[] = planned.map((e, i) => {
    const d = data[i] as EncodedData;
    return {
      name: e.name,
      mode: e.modeGiven || d.mode === undefined ? e.mode : normaliseMode(d.mode),
      method: d.method,
      crc32: d.crc32,
      size: d.size,
      data: Buffer.from(d.data.buffer, d.data.byteOffset, d.data.length),
    };
  });
  const chunks = layoutZip(encoded);
  const entries = entriesFromEncoded(encoded);
  const hash = createHash("sha256");
  let size = 0;
  for (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.length;
  }
  const sha256 = hash.digest("hex");
  const logical =
    options.name ?? (options.outFile ? basename(options.outFile).replace(/\.zip$/i, "") : "artifact");
  const key = `${keyName(logical)}-${sha256.slice(0, 16)}.zip`;
  const path = resolve(options.outFile ?? join(options.outDir ?? join(tmpdir(), "sparta-artifacts"), key));
  await writeAtomically(path, chunks);
  return { path, sha256, size, key, entries };
}

export interface CollectOptions {
  /** Prefix put before every name, e.g. `lib` gives `lib/a.js`. */
  prefix?: string;
}

/**
 * Lists a folder's regular files as `ZipInput`s, sorted, with names relative to the folder.
 * Symbolic links to files inside the folder are stored as regular files with the target's bytes;
 * links that leave the folder, dangle, or point at folders are refused with a `SymlinkError`,
 * so an archive never carries a link or content from elsewhere on the machine.
 */
export async function collectEntries(root: string, options: CollectOptions = {}): Promise<ZipInput[]> {
  const absRoot = resolve(root);
  const realRoot = await realpath(absRoot).catch((cause: unknown) => {
    throw new PackagerInputError(`Cannot read folder "${root}" to zip it: ${String(cause)}`, { cause });
  });
  const out: ZipInput[] = [];
  const prefix = options.prefix ? `${options.prefix.replace(/\/+$/, "")}/` : "";
  const walk = async (dir: string, namePrefix: string): Promise<void> => {
    const dirents = await readdir(dir, { withFileTypes: true });
    for (const dirent of dirents) {
      const full = join(dir, dirent.name);
      const name = namePrefix + dirent.name;
      if (dirent.isDirectory()) {
        await walk(full, `${name}/`);
      } else if (dirent.isFile()) {
        out.push({ name, path: full });
      } else if (dirent.isSymbolicLink()) {
        const target = await realpath(full).catch((cause: unknown) => {
          throw new SymlinkError(
            full,
            `Symbolic link "${full}" is dangling (its target does not exist). Remove it or point it at a file inside "${root}".`,
            { cause },
          );
        });
        if (target !== realRoot && !target.startsWith(realRoot + sep)) {
          throw new SymlinkError(
            full,
            `Symbolic link "${full}" points outside "${root}" (to "${target}"). Copy the file into the folder instead of linking it.`,
          );
        }
        const st = await stat(target);
        if (!st.isFile()) {
          throw new SymlinkError(
            full,
            `Symbolic link "${full}" points at a folder; only links to files are zipped (as regular files). Replace it with the folder itself.`,
          );
        }
        out.push({ name, path: target, mode: st.mode });
      }
      // sockets, FIFOs and devices are never deployment content: skipped.
    }
  };
  const rootStat = await lstat(realRoot);
  if (!rootStat.isDirectory()) {
    throw new PackagerInputError(`"${root}" is not a folder; collectEntries zips a folder's files.`);
  }
  await walk(absRoot, prefix);
  return out.sort(compareNames);
}
