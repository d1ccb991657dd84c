// Same-process A/B of two builds of this package: the routed stacks of bench/run.mjs (`new URL(req.url).pathname`
// and `pathname(req)`) from build A and build B, with raw as the baseline, interleaved round by round. Runs of
// bench/run.mjs vary by about 0.05x to 0.1x from process to process; two builds in one process vary far less, so a
// change of a few percent shows. Usage, from packages/handler:
//   cp -r dist /tmp/before   # the build before the change
//   pnpm build && node bench/ab.mjs /tmp/before dist
// Prints each contender as a multiple of raw and B/A for each stack (below 1: B is faster). ROUNDS=n (default 300).
// Run it on two copies of one build first (A/A): on a 2-core machine B/A then ranges 0.95 to 1.02, so a change
// needs several runs beyond that band before it counts.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  process.stderr.write("usage: node bench/ab.mjs <dist of build A> <dist of build B>\n");
  process.exit(2);
}
const load = (dir) => import(pathToFileURL(resolve(dir, "index.js")).href);
const A = await load(a);
const B = await load(b);

const here = fileURLToPath(new URL(".", import.meta.url));
const template = JSON.parse(
  readFileSync(resolve(here, "../test/events/apigw-v2/no-authorizer.json"), "utf8"),
);
template.requestContext.http.method = "POST";
template.rawPath = "/echo";
template.requestContext.http.path = "/echo";
template.headers["content-type"] = "application/json";
template.body = JSON.stringify({ name: "sparta", items: [1, 2, 3], nested: { ok: true } });
template.headers["content-length"] = String(template.body.length);
const eventJson = JSON.stringify(template);
const context = { functionName: "bench", awsRequestId: "ab", getRemainingTimeInMillis: () => 30_000 };
const silent = { write() {} };

const routed = (M, path) =>
  M.lambdaHandler(
    M.compose(
      M.errorMapper(),
      M.normalizeHeaders(),
      M.jsonBody(),
    )(async (req) => (path(req) === "/echo" ? M.json(await req.json()) : M.json({}, { status: 404 }))),
    { logger: silent },
  );
const contenders = {
  raw: async (event) => ({
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(JSON.parse(event.body)),
  }),
  A_url: routed(A, (req) => new URL(req.url).pathname),
  B_url: routed(B, (req) => new URL(req.url).pathname),
  A_pathname: routed(A, A.pathname),
  B_pathname: routed(B, B.pathname),
};

// As bench/run.mjs: fresh events per batch (parsed untimed), CPU time of the batch.
const BATCH = 250;
async function timeOne(fn) {
  const events = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) events[i] = JSON.parse(eventJson);
  const cpu = process.cpuUsage();
  for (let i = 0; i < BATCH; i++) await fn(events[i], context);
  const used = process.cpuUsage(cpu);
  return ((used.user + used.system) * 1000) / BATCH;
}
const names = Object.keys(contenders);
for (let r = 0; r < 10; r++) for (const k of names) await timeOne(contenders[k]);
const samples = Object.fromEntries(names.map((k) => [k, []]));
const rounds = Number(process.env.ROUNDS) || 300;
for (let r = 0; r < rounds; r++) for (const k of names) samples[k].push(await timeOne(contenders[k]));
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const m = Object.fromEntries(names.map((k) => [k, median(samples[k])]));
process.stdout.write(
  `${names.map((k) => `${k}=${(m[k] / m.raw).toFixed(2)}x`).join(" ")}  ` +
    `B/A url ${(m.B_url / m.A_url).toFixed(3)}, pathname ${(m.B_pathname / m.A_pathname).toFixed(3)}\n`,
);
