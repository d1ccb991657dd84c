import * as zlib from "node:zlib";

type Crc32 = (data: Uint8Array) => number;

let table: Uint32Array | undefined;

function crc32Js(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    crc = (table[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// `zlib.crc32` is native from Node 20.15 / 22.2; older Node 20 releases get the table version.
const native = (zlib as unknown as { crc32?: Crc32 }).crc32;

/** CRC-32 (IEEE) of a buffer, as the ZIP format stores it. */
export const crc32: Crc32 = typeof native === "function" ? (data) => native(data) >>> 0 : crc32Js;

export { crc32Js as crc32Reference };
