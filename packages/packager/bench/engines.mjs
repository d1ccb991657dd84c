// The four ZIP writers the bench compares, each set up to be byte-reproducible: entries sorted by name,
// every timestamp 1980-01-01 00:00, modes 0644/0755, deflate level 6, no extra fields that carry a time.
// Each takes the same normalised entries ({ name, path?, content?, mode }) and writes `outFile`. The libraries
// are imported on first use, so a fresh process measures what an engine costs to load as well as to run.
// The tests use archiver, yazl and fflate from here as reference writers (devDependencies only).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, open, rename } from "node:fs/promises";
import { dirname } from "node:path";

const LEVEL = 6;
// archiver converts its date with UTC getters, yazl and fflate with local-time ones: each gets the Date
// that gives the DOS date 1980-01-01 00:00 in any time zone.
const UTC_EPOCH = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));
const LOCAL_EPOCH = new Date(1980, 0, 1, 0, 0, 0);

const bytesOf = (entry) =>
  entry.content === undefined
    ? readFileSync(entry.path)
    : typeof entry.content === "string"
      ? Buffer.from(entry.content)
      : entry.content;

/**
 * What createZip does once the container is laid out, so every engine pays for the same: sha256 and size
 * (for the content-addressed key), then a write to a temporary file renamed into place (no half-written
 * artifact is ever seen).
 */
async function finish(chunks, outFile) {
  const hash = createHash("sha256");
  let size = 0;
  for (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.length;
  }
  await mkdir(dirname(outFile), { recursive: true });
  const temp = `${outFile}.${process.pid}.tmp`;
  const handle = await open(temp, "w");
  try {
    for (let i = 0; i < chunks.length; i += 1024) await handle.writev(chunks.slice(i, i + 1024));
  } finally {
    await handle.close();
  }
  await rename(temp, outFile);
  return { path: outFile, sha256: hash.digest("hex"), size };
}

export const ENGINES = {
  /** This package's writer (src/zip/): the baseline every ratio is taken against. */
  sparta: async (entries, outFile) => {
    const { createZip } = await import("../dist/index.js");
    const a = await createZip({ entries, outFile });
    return { path: a.path, sha256: a.sha256, size: a.size };
  },

  /** archiver 8 (zip-stream, compress-commons): one zlib stream, entries appended in order. */
  archiver: async (entries, outFile) => {
    const { ZipArchive } = await import("archiver");
    const archive = new ZipArchive({ zlib: { level: LEVEL } });
    const chunks = [];
    archive.on("data", (chunk) => chunks.push(chunk));
    const done = new Promise((resolve, reject) => {
      archive.on("end", resolve);
      archive.on("error", reject);
    });
    for (const entry of entries) {
      archive.append(bytesOf(entry), { name: entry.name, date: UTC_EPOCH, mode: entry.mode });
    }
    await archive.finalize();
    await done;
    return finish(chunks, outFile);
  },

  /** yazl 3: each buffer deflated on libuv's thread pool, written in the order added. */
  yazl: async (entries, outFile) => {
    const { default: yazl } = await import("yazl");
    const zip = new yazl.ZipFile();
    const chunks = [];
    const done = new Promise((resolve, reject) => {
      zip.outputStream.on("data", (chunk) => chunks.push(chunk));
      zip.outputStream.on("end", resolve);
      zip.outputStream.on("error", reject);
    });
    for (const entry of entries) {
      zip.addBuffer(bytesOf(entry), entry.name, {
        mtime: LOCAL_EPOCH,
        mode: 0o100000 | entry.mode,
        compressionLevel: LEVEL,
        // without it yazl adds an "extended timestamp" field holding seconds since 1970, which depend on the zone
        forceDosTimestamp: true,
      });
    }
    zip.end();
    await done;
    return finish(chunks, outFile);
  },

  /** fflate 0.8 zipSync: deflate in JavaScript, one thread, the whole archive in one buffer. */
  fflate: async (entries, outFile) => {
    const { zipSync } = await import("fflate");
    const files = {};
    for (const entry of entries) {
      files[entry.name] = [
        bytesOf(entry),
        { level: LEVEL, mtime: LOCAL_EPOCH, os: 3, attrs: ((0o100000 | entry.mode) << 16) >>> 0 },
      ];
    }
    const out = zipSync(files);
    return finish([Buffer.from(out.buffer, out.byteOffset, out.length)], outFile);
  },
};

export const ENGINE_NAMES = Object.keys(ENGINES);
