import { readFile } from "node:fs/promises";
import { ZipFormatError } from "../errors.js";

/** One central-directory record, as `unzip -l` / `unzip -Z` would show it. */
export interface ZipEntryInfo {
  name: string;
  size: number;
  compressedSize: number;
  method: number;
  crc32: number;
  /** Unix permission bits (e.g. 0o644), or undefined when the entry was not made on Unix. */
  mode: number | undefined;
  dosDate: number;
  dosTime: number;
}

/** Parses the central directory of a ZIP without ZIP64 (the only kind this package writes). */
export function parseZipEntries(zip: Buffer, path = "<buffer>"): ZipEntryInfo[] {
  const minEnd = Math.max(0, zip.length - 22 - 0xffff);
  let end = -1;
  for (let i = zip.length - 22; i >= minEnd; i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    throw new ZipFormatError(path, `"${path}" is not a ZIP archive (no end-of-central-directory record).`);
  }
  const count = zip.readUInt16LE(end + 10);
  const centralOffset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || centralOffset === 0xffffffff) {
    throw new ZipFormatError(path, `"${path}" is a ZIP64 archive, which listArtifact does not read.`);
  }
  const entries: ZipEntryInfo[] = [];
  let p = centralOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== 0x02014b50) {
      throw new ZipFormatError(
        path,
        `"${path}" has a damaged central directory (record ${i + 1} of ${count}).`,
      );
    }
    const madeBy = zip.readUInt16LE(p + 4) >> 8;
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const external = zip.readUInt32LE(p + 38);
    entries.push({
      name: zip.toString("utf8", p + 46, p + 46 + nameLength),
      method: zip.readUInt16LE(p + 10),
      dosTime: zip.readUInt16LE(p + 12),
      dosDate: zip.readUInt16LE(p + 14),
      crc32: zip.readUInt32LE(p + 16),
      compressedSize: zip.readUInt32LE(p + 20),
      size: zip.readUInt32LE(p + 24),
      mode: madeBy === 3 ? (external >>> 16) & 0o7777 : undefined,
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export async function readZipEntries(path: string): Promise<ZipEntryInfo[]> {
  return parseZipEntries(await readFile(path), path);
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * A listing of a ZIP's entries in the layout of Info-ZIP's `unzip -l`, for `--noop` output.
 *
 * @example
 * console.log(await listArtifact(".sparta/hello-3f9a0c1d2e4b5a69.zip"));
 * // Archive:  .sparta/hello-3f9a0c1d2e4b5a69.zip
 * //   Length      Date    Time    Name
 * // ---------  ---------- -----   ----
 * //       143  1980-01-01 00:00   index.mjs
 * // ---------                     -------
 * //       143                     1 file
 */
export async function listArtifact(path: string): Promise<string> {
  const entries = await readZipEntries(path);
  const lines = [
    `Archive:  ${path}`,
    "  Length      Date    Time    Name",
    "---------  ---------- -----   ----",
  ];
  let total = 0;
  for (const e of entries) {
    total += e.size;
    const year = 1980 + (e.dosDate >> 9);
    const month = (e.dosDate >> 5) & 0xf;
    const day = e.dosDate & 0x1f;
    const hours = e.dosTime >> 11;
    const minutes = (e.dosTime >> 5) & 0x3f;
    const date = `${year}-${pad2(month)}-${pad2(day)} ${pad2(hours)}:${pad2(minutes)}`;
    lines.push(`${String(e.size).padStart(9)}  ${date}   ${e.name}`);
  }
  lines.push("---------                     -------");
  lines.push(
    `${String(total).padStart(9)}                     ${entries.length} file${entries.length === 1 ? "" : "s"}`,
  );
  return `${lines.join("\n")}\n`;
}
