// Benchmark: ns per invocation of the same JSON-echo logic on an API Gateway v2 event, in one process:
// raw Lambda handler vs @sparta/handler (README style, and building a global Response) vs Middy vs Hono; then the
// same echo routing on the path first, in a process of its own with raw again as its baseline: raw reading
// `event.rawPath` against this package reading `new URL(req.url).pathname` (the README way, target <= 2x raw) and
// `pathname(req)` (the fast accessor), and the floor of any Request-style wrapper routing that way. A Lambda function runs one handler: beside Hono and undici (which share
// Node's URL class and the heap) the URL contender measured 0.2x to 0.4x slower than alone.
// Then the cold-start part: esbuild bundles of a hello function, bytes and import time in a fresh process.
// Ends with one JSON line. Run after `pnpm build` (it imports ../dist). `--routed` runs the routed part only.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import middy from "@middy/core";
import httpErrorHandler from "@middy/http-error-handler";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import { Hono } from "hono";
import { handle } from "hono/aws-lambda";
import { context, eventJson, raw, routedStack, silent, timeBatch } from "./echo.mjs";
import { bundleHello, helloSources } from "./hello.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
if (!existsSync(join(here, "../dist/index.js"))) {
  process.stderr.write(
    "bench: dist/ is missing. Run `pnpm --filter @sparta/handler build` first (turbo's bench does).\n",
  );
  process.exit(1);
}
const M = await import("../dist/index.js");
const { compose, errorMapper, json, jsonBody, lambdaHandler, normalizeHeaders, pathname } = M;
const quick = process.argv.includes("--quick");
const routedOnly = process.argv.includes("--routed");
/** The routed contenders (and their baseline), timed in a process of their own. */
const ROUTED = ["raw", "raw_path", "raw_url", "floor_url", "sparta_url", "sparta_pathname"];

// --- the same logic, five ways ---------------------------------------------------------------------------

// The same echo, routing on the path first: raw reads the event's rawPath, sparta the README way
// (`new URL(req.url).pathname`) and with the fast accessor `pathname(req)`.
const notFound = { statusCode: 404, headers: { "content-type": "application/json" }, body: "{}" };
const rawPath = async (event) =>
  event.rawPath === "/echo"
    ? {
        statusCode: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(JSON.parse(event.body)),
      }
    : notFound;
// Raw routing on Node's URL parser: what `new URL()` alone adds to raw.
const rawUrl = async (event) =>
  new URL(`https://${event.headers.host}${event.rawPath}`).pathname === "/echo"
    ? {
        statusCode: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(JSON.parse(event.body)),
      }
    : notFound;
const routed = (path) => routedStack(M, path);
const spartaUrl = routed((req) => new URL(req.url).pathname);
// The floor under any Request-style wrapper that routes the README way: the least such a wrapper can do (a request
// object whose url is the event's host and path, an async json(), one await of the handler, the result object),
// with no middleware, checks or other sources. What a path-reading stack costs above raw_path beyond this is the
// wrapper's own; the rest is Node's URL parser and the promises the standard handler signature implies.
class FloorRequest {
  constructor(event) {
    this.event = event;
  }
  get url() {
    return `https://${this.event.headers.host}${this.event.rawPath}`;
  }
  async json() {
    return JSON.parse(this.event.body);
  }
}
const floorUrl = async (event) => {
  const res = await (async (req) =>
    new URL(req.url).pathname === "/echo"
      ? { status: 200, body: JSON.stringify(await req.json()) }
      : { status: 404, body: "{}" })(new FloorRequest(event));
  return { statusCode: res.status, headers: { "content-type": "application/json" }, body: res.body };
};
// `pathname` is missing from builds before it existed: the bench then runs without that contender.
const spartaPathname = pathname ? routed(pathname) : undefined;

const sparta = lambdaHandler(
  compose(errorMapper(), normalizeHeaders(), jsonBody())(async (req) => json(await req.json())),
  { logger: silent },
);

const spartaStd = lambdaHandler(
  compose(
    errorMapper(),
    normalizeHeaders(),
    jsonBody(),
  )(
    async (req) =>
      new Response(JSON.stringify(await req.json()), { headers: { "content-type": "application/json" } }),
  ),
  { logger: silent },
);

const middyHandler = middy(async (event) => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(event.body),
}))
  .use(httpErrorHandler({ logger: false }))
  .use(httpHeaderNormalizer())
  .use(httpJsonBodyParser());

const app = new Hono();
app.post("/*", async (c) => c.json(await c.req.json()));
const honoHandler = handle(app);

// --- check they agree before timing ----------------------------------------------------------------------
const expected = JSON.parse(JSON.parse(eventJson).body);
const agreeing = {
  raw,
  raw_path: rawPath,
  raw_url: rawUrl,
  floor_url: floorUrl,
  sparta,
  spartaStd,
  sparta_url: spartaUrl,
  middyHandler,
  honoHandler,
};
if (spartaPathname) agreeing.sparta_pathname = spartaPathname;
for (const [name, fn] of Object.entries(agreeing)) {
  const result = await fn(JSON.parse(eventJson), context);
  const body = JSON.parse(result.body);
  if (result.statusCode !== 200 || JSON.stringify(body) !== JSON.stringify(expected)) {
    throw new Error(`${name} did not echo the body: ${JSON.stringify(result)}`);
  }
}

// Each invocation gets a fresh event, as in Lambda (Middy mutates its event); events are parsed untimed.
// Time is this process's CPU time (user + system), not wall time: the benchmark machine is shared, and CPU
// time is what an invocation costs while other processes compete for the cores. BENCH_CLOCK=wall for wall time.
const wall = process.env.BENCH_CLOCK === "wall";
async function timeOne(fn, batches) {
  let total = 0;
  // One untimed settling batch first: it absorbs the garbage collection of the previous contender's objects.
  for (let b = -1; b < batches; b++) {
    const ns = await timeBatch(fn, wall);
    if (b >= 0) total += ns;
  }
  return total / batches;
}

const all = {
  raw,
  sparta,
  sparta_std: spartaStd,
  middy: middyHandler,
  hono: honoHandler,
  raw_path: rawPath,
  raw_url: rawUrl,
  floor_url: floorUrl,
  sparta_url: spartaUrl,
  ...(spartaPathname ? { sparta_pathname: spartaPathname } : {}),
};
// BENCH_ONLY=raw,sparta times a subset (the JSON line then carries null for the others).
// Without it, the routed contenders run in a child process (`--routed`); with it, those it lists run here.
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(",") : undefined;
const inProcess = (k) =>
  routedOnly ? ROUTED.includes(k) : only ? only.includes(k) : k === "raw" || !ROUTED.includes(k);
const contenders = Object.fromEntries(Object.entries(all).filter(([k]) => inProcess(k)));
// Many short rounds, contenders interleaved within each round, median per contender: drift in the
// machine's load then hits every contender alike.
const rounds = quick ? 40 : 120;
for (let r = 0; r < 10; r++) for (const fn of Object.values(contenders)) await timeOne(fn, 1); // warm-up (JIT)
const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(contenders)) samples[name].push(await timeOne(fn, 1));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ns = Object.fromEntries(
  Object.keys(all).map((k) => [k, samples[k] ? Math.round(median(samples[k])) : null]),
);
const line = (k, v, base) =>
  `${k.padEnd(15)} ${String(v).padStart(8)} ns/invocation  (${(v / base).toFixed(2)}x raw)`;
for (const [k, v] of Object.entries(ns)) {
  if (v !== null) process.stdout.write(`${line(k, v, ns.raw)}\n`);
}
if (routedOnly) {
  process.stdout.write(`${JSON.stringify(ns)}\n`);
  process.exit(0);
}

// --- routed on the path, in a process of its own -------------------------------------------------------------
let child = {};
if (!only) {
  const out = execFileSync(
    process.execPath,
    [fileURLToPath(import.meta.url), "--routed", ...(quick ? ["--quick"] : [])],
    { encoding: "utf8", env: { ...process.env, BENCH_ONLY: "" } },
  );
  child = JSON.parse(out.trim().split("\n").at(-1));
  process.stdout.write("routed on the path, in a process of its own (raw again as its baseline):\n");
  for (const k of ROUTED) if (child[k] != null) process.stdout.write(`${line(k, child[k], child.raw)}\n`);
}
for (const k of ROUTED.slice(1)) ns[k] = child[k] ?? ns[k] ?? null;
const routedRaw = child.raw ?? ns.raw;
if (ns.sparta_url != null)
  process.stdout.write(
    `new URL(req.url).pathname stack: ${(ns.sparta_url / routedRaw).toFixed(2)}x raw (target <= 2x), ` +
      `${(ns.sparta_url / ns.raw_path).toFixed(2)}x raw_path; the floor of any such wrapper ` +
      `${(ns.floor_url / routedRaw).toFixed(2)}x raw\n`,
  );

// --- cold start: bundle a hello function each way, import it in a fresh process ----------------------------
// Both hellos are bundled by bench/hello.mjs with the same esbuild options (HELLO_ESBUILD_OPTIONS: bundle,
// minify, tree-shake, ESM, platform node, target node20, no source map, no legal comments).
const work = mkdtempSync(join(tmpdir(), "sparta-handler-bench-"));
const sources = {
  empty: "export const handler = async () => ({});",
  ...helloSources(join(here, "../dist/index.js")),
};
const cold = {};
// CPU time of the import in a fresh process (wall time on a shared machine is mostly other processes), twice:
// in a bare process, and with node:http already loaded, as it is in Lambda's Node runtime (its runtime
// client talks HTTP to the Runtime API), so a bundle that imports node:http is not charged for it there.
// `empty` is a one-line module: what any import costs, the floor under both.
function importMs(file, preload) {
  const probe = `${preload ? 'await import("node:http");' : ""}const c=process.cpuUsage(),t=process.hrtime.bigint();await import(${JSON.stringify(file)});const u=process.cpuUsage(c);process.stdout.write(String(${wall ? "Number(process.hrtime.bigint()-t)/1e6" : "(u.user+u.system)/1000"}));`;
  const times = [];
  for (let i = 0; i < (quick ? 5 : 15); i++) {
    times.push(
      Number(execFileSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8" })),
    );
  }
  return Math.round(median(times) * 1000) / 1000;
}
for (const [name, source] of Object.entries(sources)) {
  const out = join(work, `${name}.mjs`);
  const bundle = await bundleHello(source, here);
  writeFileSync(out, bundle.code);
  // gzip bytes too: a function ships as a ZIP, so the compressed size is what is uploaded and unpacked.
  cold[name] = {
    bytes: bundle.bytes,
    gzip_bytes: gzipSync(bundle.code, { level: 9 }).byteLength,
    import_ms: importMs(out, false),
    lambda_import_ms: importMs(out, true),
  };
  process.stdout.write(
    `cold ${name.padEnd(7)} ${String(cold[name].bytes).padStart(7)} bytes (${cold[name].gzip_bytes} gzipped)  ${cold[name].import_ms} ms import, ${cold[name].lambda_import_ms} ms with node:http loaded\n`,
  );
}
rmSync(work, { recursive: true, force: true });

process.stdout.write(
  JSON.stringify({
    raw_ns: ns.raw,
    sparta_ns: ns.sparta,
    sparta_std_ns: ns.sparta_std,
    middy_ns: ns.middy,
    hono_ns: ns.hono,
    raw_path_ns: ns.raw_path,
    raw_url_ns: ns.raw_url,
    floor_url_ns: ns.floor_url,
    sparta_url_ns: ns.sparta_url,
    sparta_pathname_ns: ns.sparta_pathname ?? null,
    routed_raw_ns: routedRaw,
    sparta_url_x_raw: ns.sparta_url == null ? null : Math.round((ns.sparta_url / routedRaw) * 100) / 100,
    floor_url_x_raw: ns.floor_url == null ? null : Math.round((ns.floor_url / routedRaw) * 100) / 100,
    sparta_bundle_bytes: cold.sparta.bytes,
    sparta_bundle_gzip_bytes: cold.sparta.gzip_bytes,
    sparta_import_ms: cold.sparta.import_ms,
    middy_bundle_bytes: cold.middy.bytes,
    middy_bundle_gzip_bytes: cold.middy.gzip_bytes,
    middy_import_ms: cold.middy.import_ms,
    sparta_lambda_import_ms: cold.sparta.lambda_import_ms,
    middy_lambda_import_ms: cold.middy.lambda_import_ms,
    empty_import_ms: cold.empty.import_ms,
  }) + "\n",
);
