// Benchmark of large services (issue: a service of 300 functions deploys): generated services of 10, 100 and 300
// one-route HTTP functions with alarms() and safeDeploy(), side by side in one run. For each: `provision --noop`
// wall time and peak memory (a fresh process per run), the bytes of the templates it writes (root + nested), the
// time to validate them, and all of it per function, with the ratio to the 10-function service (flat = 1.00x).
// Run after `pnpm --filter @sparta/cli build`: `pnpm --filter @sparta/cli bench:nested` (BENCH_RUNS, default 3).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateTemplate } from "@sparta/template";
import { writeManyService } from "./many-service.mjs";

const example = fileURLToPath(new URL("../../../examples/hello/", import.meta.url));
const cliIndex = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 3);
const sizes = (process.env.BENCH_SIZES ?? "10,100,300").split(",").map(Number);

function writeService(dir, n) {
  writeManyService(dir, n, "many");
  symlinkSync(join(example, "node_modules"), join(dir, "node_modules"), "dir");
}

// One `provision --noop` in a fresh Node process: its wall time (the build, not the process start) and peak RSS.
const runner = `
import { runCli } from ${JSON.stringify(cliIndex)};
const quiet = { write() {} };
const t = performance.now();
const code = await runCli(["provision", "--noop"], { cwd: process.cwd(), env: {}, stdout: quiet, stderr: quiet });
console.log(JSON.stringify({ code, ms: performance.now() - t, maxRssKb: process.resourceUsage().maxRSS }));
`;
function noop(dir) {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", runner], {
    cwd: dir,
    encoding: "utf8",
  });
  const out = JSON.parse(r.stdout.trim().split("\n").at(-1));
  if (out.code !== 0) throw new Error(`provision --noop exited ${out.code}: ${r.stderr}`);
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// load the resource specification once, so no row pays for it
validateTemplate({ Resources: { Topic: { Type: "AWS::SNS::Topic" } } });

const rows = [];
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), `sparta-bench-${n}-`));
  writeService(dir, n);
  noop(dir); // warm-up (and the build whose output is measured below)
  const samples = Array.from({ length: runs }, () => noop(dir));
  const sparta = join(dir, ".sparta");
  const nestedDir = join(sparta, "templates");
  const files = [
    join(sparta, "cloudformation.json"),
    ...(statSync(nestedDir, { throwIfNoEntry: false })
      ? readdirSync(nestedDir).map((f) => join(nestedDir, f))
      : []),
  ];
  const templates = files.map((f) => JSON.parse(readFileSync(f, "utf8")));
  const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
  const validation = median(
    Array.from({ length: runs }, () => {
      const t = performance.now();
      for (const tpl of templates) validateTemplate(tpl);
      return performance.now() - t;
    }),
  );
  rows.push({
    n,
    stacks: files.length,
    ms: median(samples.map((s) => s.ms)),
    rssMb: Math.max(...samples.map((s) => s.maxRssKb)) / 1024,
    bytes,
    validation,
  });
  rmSync(dir, { recursive: true, force: true });
}

const base = rows[0];
const per = (r, k) => r[k] / r.n;
console.log(
  `provision --noop, median of ${runs} runs after a warm-up; ratios per function against ${base.n} functions`,
);
console.log(
  `${"functions".padStart(9)} ${"stacks".padStart(6)} ${"build ms".padStart(9)} ${"ms/fn".padStart(7)} ${"ratio".padStart(6)} ${"peak MB".padStart(8)} ${"template KB".padStart(11)} ${"KB/fn".padStart(6)} ${"ratio".padStart(6)} ${"validate ms".padStart(11)} ${"ms/fn".padStart(6)} ${"ratio".padStart(6)}`,
);
for (const r of rows) {
  console.log(
    [
      String(r.n).padStart(9),
      String(r.stacks).padStart(6),
      r.ms.toFixed(0).padStart(9),
      per(r, "ms").toFixed(1).padStart(7),
      `${(per(r, "ms") / per(base, "ms")).toFixed(2)}x`.padStart(6),
      r.rssMb.toFixed(0).padStart(8),
      (r.bytes / 1024).toFixed(0).padStart(11),
      (per(r, "bytes") / 1024).toFixed(1).padStart(6),
      `${(per(r, "bytes") / per(base, "bytes")).toFixed(2)}x`.padStart(6),
      r.validation.toFixed(0).padStart(11),
      per(r, "validation").toFixed(2).padStart(6),
      `${(per(r, "validation") / per(base, "validation")).toFixed(2)}x`.padStart(6),
    ].join(" "),
  );
}
