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
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const flags = /^[\x20-\x7e]*$/.test(e.name) ? 0 : FLAG_UTF8;
    const versionNeeded = e.method === 8 ? 20 : 10;
    const compressed = e.data.length;
    if (e.size > MAX_32 || compressed > MAX_32 || offset > MAX_32) {
      throw new PackagerInputError(
        `ZIP entry "${e.name}" is beyond 4 GiB, which needs ZIP64; this writer does not produce it.`,
      );
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(versionNeeded, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(e.crc32 >>> 0, 14);
    local.writeUInt32LE(compressed, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    chunks.push(local, name, e.data);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(VERSION_MADE_BY, 4);
    header.writeUInt16LE(versionNeeded, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(e.method, 10);
    header.writeUInt16LE(DOS_TIME, 12);
    header.writeUInt16LE(DOS_DATE, 14);
    header.writeUInt32LE(e.crc32 >>> 0, 16);
    header.writeUInt32LE(compressed, 20);
    header.writeUInt32LE(e.size, 24);
    header.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number, internal attributes: all zero
    header.writeUInt32LE(((S_IFREG | e.mode) << 16) >>> 0, 38);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);

    offset += 30 + name.length + compressed;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  if (offset > MAX_32 || offset + centralSize > MAX_32) {
    throw new PackagerInputError(
      "The ZIP would be larger than 4 GiB, which needs ZIP64; this writer does not produce it.",
    );
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return [...chunks, ...central, end];
}
