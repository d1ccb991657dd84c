// Same-process A/B of two builds of this package: the routed stacks of bench/run.mjs (`new URL(req.url).pathname`
// and `pathname(req)`) from build A and build B, with raw as the baseline, interleaved round by round. Runs of
// bench/run.mjs vary by about 0.05x to 0.1x from process to process; two builds in one process vary far less, so a
// change of a few percent shows. Usage, from packages/handler:
//   cp -r dist /tmp/before   # the build before the change
//   pnpm build && node bench/ab.mjs /tmp/before dist
// Prints each contender as a multiple of raw and B/A for each stack (below 1: B is faster). ROUNDS=n (default 300).
// Run it on two copies of one build first (A/A): on a 2-core machine B/A then ranges 0.95 to 1.02, so a change
// needs several runs beyond that band before it counts.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { raw, routedStack, timeBatch } from "./echo.mjs";

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  process.stderr.write("usage: node bench/ab.mjs <dist of build A> <dist of build B>\n");
  process.exit(2);
}
const load = (dir) => import(pathToFileURL(resolve(dir, "index.js")).href);
const A = await load(a);
const B = await load(b);

const contenders = {
  raw,
  A_url: routedStack(A, (req) => new URL(req.url).pathname),
  B_url: routedStack(B, (req) => new URL(req.url).pathname),
  A_pathname: routedStack(A, A.pathname),
  B_pathname: routedStack(B, B.pathname),
};

const names = Object.keys(contenders);
for (let r = 0; r < 10; r++) for (const k of names) await timeBatch(contenders[k]);
const samples = Object.fromEntries(names.map((k) => [k, []]));
const rounds = Number(process.env.ROUNDS) || 300;
for (let r = 0; r < rounds; r++) for (const k of names) samples[k].push(await timeBatch(contenders[k]));
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const m = Object.fromEntries(names.map((k) => [k, median(samples[k])]));
process.stdout.write(
  `${names.map((k) => `${k}=${(m[k] / m.raw).toFixed(2)}x`).join(" ")}  ` +
    `B/A url ${(m.B_url / m.A_url).toFixed(3)}, pathname ${(m.B_pathname / m.A_pathname).toFixed(3)}\n`,
);
