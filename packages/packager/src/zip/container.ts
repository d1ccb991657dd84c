import { PackagerInputError } from "../errors.js";

/** An entry whose data is final (already deflated or stored), ready to be laid out in the container. */
export interface EncodedEntry {
  name: string;
  /** Normalised permission bits: 0o644 or 0o755. */
  mode: number;
  /** 0 = stored, 8 = deflated. */
  method: 0 | 8;
  crc32: number;
  size: number;
  data: Buffer;
}

/** 1980-01-01 00:00:00, the DOS epoch: the fixed timestamp of every entry. */
export const DOS_TIME = 0;
export const DOS_DATE = (0 << 9) | (1 << 5) | 1;

const S_IFREG = 0o100000;
/** "Made by" Unix (3), spec version 3.0, as Info-ZIP writes, so unzip restores the permission bits. */
const VERSION_MADE_BY = (3 << 8) | 30;
const FLAG_UTF8 = 1 << 11;
const MAX_32 = 0xffffffff;

/**
 * Lays out a ZIP container: local header + data per entry, then the central directory.
 * No data descriptors, no extra fields (no uid/gid, no extended timestamps), no comment:
 * the bytes depend only on names, modes and contents. ZIP64 is not written; Lambda's 250 MB
 * limit is far below where it would be needed, and bigger archives are refused.
 */
export function layoutZip(entries: readonly EncodedEntry[]): Buffer[] {
  if (entries.length > 0xffff) {
    throw new PackagerInputError(
      `A ZIP with ${entries.length} entries needs ZIP64, which this writer does not produce. Keep an artifact under 65535 files.`,
    );
  }
  const names = entries.map((e) => Buffer.from(e.name, "utf8"));
  const localBytes = names.reduce((n, name) => n + 30 + name.length, 0);
  const centralSize = names.reduce((n, name) => n + 46 + name.length, 0);
  // All headers in one allocation: thousands of small Buffer.alloc calls cost more than the layout itself.
  const local = Buffer.alloc(localBytes);
  const central = Buffer.alloc(centralSize + 22);
  const chunks: Buffer[] = [];
  let offset = 0;
  let l = 0;
  let c = 0;
  entries.forEach((e, i) => {
    const name = names[i] as Buffer;
    const flags = /^[\x20-\x7e]*$/.test(e.name) ? 0 : FLAG_UTF8;
    const versionNeeded = e.method === 8 ? 20 : 10;
    const compressed = e.data.length;
    if (e.size > MAX_32 || compressed > MAX_32 || offset > MAX_32) {
      throw new PackagerInputError(
        `ZIP entry "${e.name}" is beyond 4 GiB, which needs ZIP64; this writer does not produce it.`,
      );
    }
    const start = l;
    local.writeUInt32LE(0x04034b50, l);
    local.writeUInt16LE(versionNeeded, l + 4);
    local.writeUInt16LE(flags, l + 6);
    local.writeUInt16LE(e.method, l + 8);
    local.writeUInt16LE(DOS_TIME, l + 10);
    local.writeUInt16LE(DOS_DATE, l + 12);
    local.writeUInt32LE(e.crc32 >>> 0, l + 14);
    local.writeUInt32LE(compressed, l + 18);
    local.writeUInt32LE(e.size, l + 22);
    local.writeUInt16LE(name.length, l + 26);
    // extra field length at l + 28: zero
    name.copy(local, l + 30);
    l += 30 + name.length;
    chunks.push(local.subarray(start, l), e.data);

    central.writeUInt32LE(0x02014b50, c);
    central.writeUInt16LE(VERSION_MADE_BY, c + 4);
    central.writeUInt16LE(versionNeeded, c + 6);
    central.writeUInt16LE(flags, c + 8);
    central.writeUInt16LE(e.method, c + 10);
    central.writeUInt16LE(DOS_TIME, c + 12);
    central.writeUInt16LE(DOS_DATE, c + 14);
    central.writeUInt32LE(e.crc32 >>> 0, c + 16);
    central.writeUInt32LE(compressed, c + 20);
    central.writeUInt32LE(e.size, c + 24);
    central.writeUInt16LE(name.length, c + 28);
    // extra length, comment length, disk number, internal attributes (c + 30 .. c + 37): zero
    central.writeUInt32LE(((S_IFREG | e.mode) << 16) >>> 0, c + 38);
    central.writeUInt32LE(offset, c + 42);
    name.copy(central, c + 46);
    c += 46 + name.length;

    offset += 30 + name.length + compressed;
  });
  if (offset > MAX_32 || offset + centralSize > MAX_32) {
    throw new PackagerInputError(
      "The ZIP would be larger than 4 GiB, which needs ZIP64; this writer does not produce it.",
    );
  }
  central.writeUInt32LE(0x06054b50, c);
  central.writeUInt16LE(entries.length, c + 8);
  central.writeUInt16LE(entries.length, c + 10);
  central.writeUInt32LE(centralSize, c + 12);
  central.writeUInt32LE(offset, c + 16);
  chunks.push(central);
  return chunks;
}
