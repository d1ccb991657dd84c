// One engine's first ZIP in a fresh process: loading its library plus writing one function's ZIP.
// @sparta/packager itself is loaded first and not timed: a build has loaded it whatever the engine.
// Usage (from run.mjs): node bench/cold.mjs <engine> <entries.json> <out.zip>; prints {"ms":…,"sha256":…}.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { ENGINES } from "./engines.mjs";

await import("../dist/index.js");

const [engine, entriesFile, outFile] = process.argv.slice(2);
const entries = JSON.parse(readFileSync(entriesFile, "utf8"));
const start = performance.now();
const result = await ENGINES[engine](entries, outFile);
const ms = performance.now() - start;
process.stdout.write(`${JSON.stringify({ ms, sha256: result.sha256 })}\n`);
