import * as fs from "node:fs";
import { availableParallelism } from "node:os";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";
import * as zlib from "node:zlib";
import { PackagerInputError } from "../errors.js";
import { crc32Reference } from "./crc32.js";

/** What to encode: a file on disk, or bytes already in memory. */
export type EncodeSource = { path: string } | { data: Uint8Array };

/** The compressed (or stored) bytes of one entry. */
export interface EncodedData {
  crc32: number;
  size: number;
  method: 0 | 8;
  data: Uint8Array;
  /** The file's mode bits from fstat, for path sources. */
  mode?: number;
  /** Set when `encodeSource` was asked to leave the deflate to its caller: stored for now, to deflate. */
  deflateLater?: true;
}

/** Tables reused from call to call (allocating them per file cost more than the checks themselves). */
export interface Scratch {
  counts: Uint32Array;
  seen: Int32Array;
}

const scratchHere: Scratch = { counts: new Uint32Array(256), seen: new Int32Array(2048) };

type Fs = Pick<typeof fs, "openSync" | "fstatSync" | "readSync" | "closeSync">;
type Zlib = Pick<typeof zlib, "deflateRawSync"> & { crc32?: (data: Uint8Array) => number };

/**
 * Reads (open + fstat + read + close, synchronously) and encodes one entry. It is self-contained, using
 * only its arguments, because its source text is also what the deflate workers run: one implementation,
 * so an archive's bytes never depend on whether workers were used.
 *
 * Data that looks incompressible is stored: the bytes of the first 1 KiB are near uniformly spread
 * (above 7.5 bits per byte; uniform random bytes give about 7.8 in 1 KiB; as in compressed images, fonts, archives or random data) and almost no
 * 4-byte sequence in them repeats (so LZ matching has nothing to find either). Info-ZIP
 * stores such entries too, but only after deflating them in vain. The decision depends only on the
 * bytes, so it is as reproducible as the rest.
 *
 * With `deflateLater`, data worth deflating is returned raw with `deflateLater: true`, for the caller to
 * deflate off this thread (`settleDeflate` then applies the same rule as here).
 */
export function encodeSource(
  source: { path: string } | { data: Uint8Array },
  level: number,
  fsApi: Fs,
  zlibApi: Zlib,
  crcFallback: (data: Uint8Array) => number,
  scratch: Scratch,
  deflateLater = false,
): EncodedData {
  let raw: Uint8Array;
  let mode: number | undefined;
  if ("path" in source) {
    const fd = fsApi.openSync(source.path, "r");
    try {
      const st = fsApi.fstatSync(fd);
      if (!st.isFile()) throw new Error("not a regular file");
      mode = st.mode;
      const buf = new Uint8Array(st.size);
      let filled = 0;
      while (filled < buf.length) {
        const n = fsApi.readSync(fd, buf, filled, buf.length - filled, null);
        if (n === 0) break;
        filled += n;
      }
      raw = filled === buf.length ? buf : buf.subarray(0, filled);
    } finally {
      fsApi.closeSync(fd);
    }
  } else {
    raw = source.data;
  }
  const crc = (typeof zlibApi.crc32 === "function" ? zlibApi.crc32(raw) : crcFallback(raw)) >>> 0;
  const stored: EncodedData = { crc32: crc, size: raw.length, method: 0, data: raw, mode };
  if (raw.length === 0 || level === 0) return stored;

  if (raw.length >= 512) {
    const sampleLength = Math.min(raw.length, 1024);
    const counts = scratch.counts;
    counts.fill(0);
    for (let i = 0; i < sampleLength; i++) {
      const byte = raw[i] as number;
      counts[byte] = (counts[byte] as number) + 1;
    }
    let bits = 0;
    for (let i = 0; i < 256; i++) {
      const count = counts[i] as number;
      if (count > 0) {
        const p = count / sampleLength;
        bits -= p * Math.log2(p);
      }
    }
    if (bits > 7.5) {
      // Count 4-byte sequences met before, through a 2048-slot table of last positions (+1; 0 = empty).
      const headLength = sampleLength;
      const seen = scratch.seen;
      seen.fill(0);
      const word = (i: number): number =>
        ((raw[i] as number) |
          ((raw[i + 1] as number) << 8) |
          ((raw[i + 2] as number) << 16) |
          ((raw[i + 3] as number) << 24)) >>>
        0;
      let repeats = 0;
      for (let i = 0; i + 4 <= headLength; i++) {
        const w = word(i);
        const slot = Math.imul(w, 0x9e3779b1) >>> 21;
        const before = seen[slot] as number;
        if (before !== 0 && word(before - 1) === w) repeats++;
        seen[slot] = i + 1;
      }
      if (repeats < headLength / 64) return stored;
    }
  }
  if (deflateLater) return { ...stored, deflateLater: true };
  const deflated = zlibApi.deflateRawSync(raw, { level });
  // The deflated form only when it is smaller (as settleDeflate decides for deferred entries).
  return deflated.length < raw.length
    ? { crc32: crc, size: raw.length, method: 8, data: deflated, mode }
    : stored;
}

/** Completes an entry `encodeSource` left to deflate: the deflated form only when it is smaller. */
export function settleDeflate(pending: EncodedData, deflated: Uint8Array): EncodedData {
  const { crc32, size, mode, data } = pending;
  return deflated.length < data.length
    ? { crc32, size, method: 8, data: deflated, mode }
    : { crc32, size, method: 0, data, mode };
}

const deflateRawAsync = promisify(zlib.deflateRaw);

/** Below this, a deflate is cheaper than the hop to the thread pool and back. */
const THREAD_POOL_MIN_BYTES = 64 * 1024;

/** Encodes in this thread. */
export function encodeHere(source: EncodeSource, level: number, deflateLater = false): EncodedData {
  return encodeSource(source, level, fs, zlib as unknown as Zlib, crc32Reference, scratchHere, deflateLater);
}

// The worker runs `encodeSource` from its own source text, so workers need no separate file on disk
// (the same code runs from `src/` under vitest and from `dist/` when published).
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const fs = require("node:fs");
const zlib = require("node:zlib");
let table; // the table crc32Reference fills on first use (Node releases without zlib.crc32)
const crcFallback = ${crc32Reference.toString()};
const encodeSource = ${encodeSource.toString()};
const scratch = { counts: new Uint32Array(256), seen: new Int32Array(2048) };
parentPort.on("message", ({ id, sources, level }) => {
  const results = [];
  const transfer = [];
  for (const source of sources) {
    try {
      const r = encodeSource(source, level, fs, zlib, crcFallback, scratch);
      // A compact copy that can be transferred without copying again.
      const data = new Uint8Array(r.data.length);
      data.set(r.data);
      transfer.push(data.buffer);
      results.push({ crc32: r.crc32, size: r.size, method: r.method, data, mode: r.mode });
    } catch (error) {
      results.push({ error: String(error && error.message ? error.message : error) });
    }
  }
  parentPort.postMessage({ id, results }, transfer);
});
`;

type WorkerResult = EncodedData | { error: string };

/**
 * How many deflate workers to start for `count` entries when the caller did not say: none for small
 * archives (a function bundle is one or two files), else one per core beside the main thread, up to 3.
 */
export function defaultWorkers(count: number): number {
  if (count < 64) return 0;
  return Math.max(0, Math.min(availableParallelism(), 4) - 1);
}

/**
 * Encodes every source, in order. With `workers` > 0 the files are read and deflated in batches by that
 * many worker threads and by this thread too, so deflate runs on every core with no per-file thread-pool
 * round trip.
 */
export async function encodeAll(
  sources: readonly EncodeSource[],
  names: readonly string[],
  level: number,
  workers: number,
): Promise<EncodedData[]> {
  const fail = (i: number, message: string): never => {
    const source = sources[i] as EncodeSource;
    const where = "path" in source ? `"${source.path}"` : "its content";
    throw new PackagerInputError(`Cannot read ${where} for ZIP entry "${names[i]}": ${message}`);
  };
  if (workers <= 0) {
    // Read and classify here; when two or more large entries need deflating (a bundle and its source map),
    // they are deflated at once on libuv's thread pool instead of one after the other. Same bytes either way.
    const read = sources.map((source, i) => {
      try {
        return encodeHere(source, level, true);
      } catch (error) {
        return fail(i, error instanceof Error ? error.message : String(error));
      }
    });
    const large = (r: EncodedData): boolean => r.deflateLater === true && r.size >= THREAD_POOL_MIN_BYTES;
    const pooled = read.filter(large).length >= 2;
    // The thread pool starts on the large entries first; this thread deflates the small ones meanwhile.
    const deflating = read.map((r) => (pooled && large(r) ? deflateRawAsync(r.data, { level }) : undefined));
    const encoded = read.map((r, i) =>
      r.deflateLater && !deflating[i] ? settleDeflate(r, zlib.deflateRawSync(r.data, { level })) : r,
    );
    return Promise.all(
      encoded.map(async (r, i) => {
        const later = deflating[i];
        return later ? settleDeflate(r, await later) : r;
      }),
    );
  }
  const results = new Array<EncodedData>(sources.length);
  const batch = Math.max(1, Math.min(64, Math.ceil(sources.length / (workers * 8))));
  let next = 0;
  const pool = Array.from(
    { length: Math.min(workers, Math.ceil(sources.length / batch)) },
    () => new Worker(WORKER_SOURCE, { eval: true }),
  );
  // This thread takes batches too, yielding between them so worker replies are handled promptly.
  const here = async (): Promise<void> => {
    while (next < sources.length) {
      const start = next;
      next = Math.min(sources.length, start + batch);
      for (let i = start; i < next; i++) {
        try {
          results[i] = encodeHere(sources[i] as EncodeSource, level);
        } catch (error) {
          fail(i, error instanceof Error ? error.message : String(error));
        }
      }
      await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
    }
  };
  try {
    await Promise.all([
      here(),
      ...pool.map(
        (worker) =>
          new Promise<void>((resolvePromise, reject) => {
            // Two batches in flight per worker, so it never waits for this thread to hand out the next one.
            let inflight = 0;
            const topUp = (): void => {
              while (inflight < 2 && next < sources.length) {
                const start = next;
                next = Math.min(sources.length, start + batch);
                inflight++;
                // Buffers given as content are copied to the worker (structured clone), not moved from the caller.
                worker.postMessage({ id: start, sources: sources.slice(start, next), level });
              }
              if (inflight === 0) resolvePromise();
            };
            const stop = (error: unknown): void => {
              next = sources.length; // the other threads stop taking batches
              reject(error);
            };
            worker.on("error", stop);
            worker.on("message", ({ id, results: encoded }: { id: number; results: WorkerResult[] }) => {
              inflight--;
              try {
                encoded.forEach((r, k) => {
                  if ("error" in r) fail(id + k, r.error);
                  else results[id + k] = r as EncodedData;
                });
                topUp();
              } catch (error) {
                stop(error);
              }
            });
            topUp();
          }),
      ),
    ]);
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
  return results;
}
