// Benchmark of the sparta command, with baselines measured in the same run (ratios, not absolute claims):
//  1. `provision --noop` on examples/hello (validate, wrappers, bundles, ZIPs, template, manifest), in-process,
//     against plain esbuild bundling of the same three handlers (the least any build must do).
//  2. Process start of `sparta version` against `node -e 0`.
//  3. An unchanged `sparta provision` of examples/hello against `aws cloudformation deploy
//     --no-fail-on-empty-changeset` on the same stack, on the local AWS emulator (bench/unchanged.mjs; skipped
//     without the emulator or the `aws` command). Target: at most 0.5x.
// Run after `pnpm --filter @sparta/cli build`: `pnpm --filter @sparta/cli bench`.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { runCli } from "../dist/index.js";
import { benchUnchanged } from "./unchanged.mjs";

const example = fileURLToPath(new URL("../../../examples/hello/", import.meta.url));
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 7);

const dir = mkdtempSync(join(tmpdir(), "sparta-bench-"));
for (const f of ["package.json", "sparta.config.ts", "src"])
  cpSync(join(example, f), join(dir, f), { recursive: true });
symlinkSync(join(example, "node_modules"), join(dir, "node_modules"), "dir");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  await fn(); // warm-up
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}
const quiet = { write() {} };

const esbuildOnly = await time(() =>
  build({
    entryPoints: ["src/hello.ts", "src/uploads.ts", "src/nightly.ts"].map((f) => join(dir, f)),
    outdir: join(dir, "baseline"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    logLevel: "silent",
  }),
);
const noop = await time(async () => {
  const code = await runCli(["provision", "--noop"], { cwd: dir, env: {}, stdout: quiet, stderr: quiet });
  if (code !== 0) throw new Error(`provision --noop exited ${code}`);
});
const nodeStart = await time(() => spawnSync(process.execPath, ["-e", "0"]));
const versionStart = await time(() => spawnSync(process.execPath, [bin, "version"], { cwd: dir }));
const unchanged = await benchUnchanged({
  dir,
  bin,
  runs: Number(process.env.BENCH_DEPLOY_RUNS ?? 3),
  median,
});
rmSync(dir, { recursive: true, force: true });

const row = (name, ms, base, baseName) =>
  console.log(`${name.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms   ${(ms / base).toFixed(2)}x ${baseName}`);
console.log(`median of ${runs} runs (after one warm-up)`);
row("esbuild only (3 handlers)", esbuildOnly, esbuildOnly, "esbuild only");
row("sparta provision --noop (hello)", noop, esbuildOnly, "esbuild only");
row("node -e 0", nodeStart, nodeStart, "node start");
row("sparta version (process)", versionStart, nodeStart, "node start");
if ("skipped" in unchanged)
  console.log(`unchanged provision vs aws cloudformation deploy: skipped (${unchanged.skipped})`);
else {
  row("aws cloudformation deploy (no-op)", unchanged.aws, unchanged.aws, "aws deploy");
  row(
    `sparta provision, unchanged (${unchanged.calls + 1} calls)`,
    unchanged.sparta,
    unchanged.aws,
    "aws deploy",
  );
}
