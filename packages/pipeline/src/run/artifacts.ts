import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { Zippable } from "fflate";
import { RunPipelineError } from "../errors.js";

/** Where an artifact lives in the artifact store, as CodePipeline records it. */
export interface ArtifactLocation {
  bucket: string;
  key: string;
}

/** The two object operations the artifact store needs (an S3 client, or a fake in unit tests). */
export interface ObjectStore {
  get(location: ArtifactLocation): Promise<Uint8Array>;
  put(location: ArtifactLocation, body: Uint8Array): Promise<void>;
}

/** S3 through the SDK's standard chain; path-style addressing when an endpoint is configured (emulators). */
export async function s3ObjectStore(
  env: Record<string, string | undefined> = process.env,
): Promise<ObjectStore> {
  const { S3Client, GetObjectCommand, PutObjectCommand } = await import("@aws-sdk/client-s3");
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const client = new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {});
  return {
    async get({ bucket, key }) {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body!.transformToByteArray();
    },
    async put({ bucket, key }, body) {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "application/zip" }),
      );
    },
  };
}

const KEY_SAFE = /[^A-Za-z0-9._-]/g;

/**
 * The key CodePipeline gives an artifact: `<pipeline name, 20 chars>/<artifact name, 10 chars>/<7 random chars>`.
 * @example artifactKey("SpartaCodePipeline", "BuildOutput") // "SpartaCodePipeline/BuildOutpu/Xb3kZ9q"
 */
export function artifactKey(pipelineName: string, artifactName: string): string {
  const id = randomBytes(8).toString("base64url").replace(/[-_]/g, "x").slice(0, 7);
  return `${pipelineName.replace(KEY_SAFE, "-").slice(0, 20)}/${artifactName.replace(KEY_SAFE, "-").slice(0, 10)}/${id}`;
}

/** One file for a ZIP: its name in the archive, bytes and Unix mode. */
export interface ZipFile {
  name: string;
  data: Uint8Array;
  mode?: number;
}

/** A deterministic ZIP (fixed timestamps) of `files`, keeping each file's Unix mode. */
export async function zipFiles(files: readonly ZipFile[]): Promise<Uint8Array> {
  // fflate loads when a run zips, not when a service file imports the package.
  const { zipSync } = await import("fflate");
  const entries: Zippable = {};
  for (const f of files) {
    entries[f.name] = [
      f.data,
      { level: 6, mtime: new Date(1980, 0, 1), os: 3, attrs: ((f.mode ?? 0o644) | 0o100000) << 16 },
    ];
  }
  return zipSync(entries);
}

/** Unix modes of a ZIP's entries (central directory, external attributes), where the archive has them. */
function zipModes(zip: Uint8Array): Map<string, number> {
  const modes = new Map<string, number>();
  const view = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = -1;
  for (let i = view.length - 22; i >= Math.max(0, view.length - 22 - 0xffff); i--) {
    if (view.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return modes;
  let p = view.readUInt32LE(end + 16);
  const count = view.readUInt16LE(end + 10);
  for (let i = 0; i < count && p + 46 <= view.length && view.readUInt32LE(p) === 0x02014b50; i++) {
    const madeBy = view.readUInt16LE(p + 4) >> 8;
    const nameLength = view.readUInt16LE(p + 28);
    const extra = view.readUInt16LE(p + 30);
    const comment = view.readUInt16LE(p + 32);
    const external = view.readUInt32LE(p + 38);
    const name = view.toString("utf8", p + 46, p + 46 + nameLength);
    if (madeBy === 3 && external >>> 16) modes.set(name, (external >>> 16) & 0o777);
    p += 46 + nameLength + extra + comment;
  }
  return modes;
}

/** Extracts a ZIP into `dir` (entry names may not leave it), keeping execute bits. Returns the file names. */
export async function unzipInto(zip: Uint8Array, dir: string, what: string): Promise<string[]> {
  const { unzipSync } = await import("fflate");
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (e) {
    throw new RunPipelineError(`${what} is not a ZIP archive: ${(e as Error).message}`, { cause: e });
  }
  const modes = zipModes(zip);
  const root = resolve(dir);
  const names: string[] = [];
  for (const [name, data] of Object.entries(entries)) {
    const target = resolve(root, name);
    if (target !== root && !target.startsWith(root + sep)) {
      throw new RunPipelineError(
        `${what} holds "${name}", a path outside the archive's folder; refusing to extract it.`,
      );
    }
    if (name.endsWith("/")) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
    const mode = modes.get(name);
    if (mode && mode & 0o111) await chmod(target, mode);
    names.push(name);
  }
  return names.sort();
}

/** Reads files of a folder into ZIP entries. */
export async function readFiles(
  root: string,
  names: readonly string[],
  rename = (n: string) => n,
): Promise<ZipFile[]> {
  const { stat } = await import("node:fs/promises");
  const files: ZipFile[] = [];
  for (const name of names) {
    const path = join(root, name);
    const info = await stat(path);
    files.push({ name: rename(name), data: await readFile(path), mode: info.mode & 0o777 });
  }
  return files;
}
