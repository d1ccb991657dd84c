#!/usr/bin/env node
// @sparta/template's benchmark, run after `pnpm --filter @sparta/template build`:
//   pnpm --filter @sparta/template bench
// 1. First run (what a CLI invocation pays): build + validate + toJson of a 500-resource template in a fresh process,
//    BENCH_FIRST_RUNS times (default 10); median and max against the < 100 ms target.
// 2. Warm: the same in this process, median of 15.
// 3. Type-checking: what the package adds to a consumer's `tsc` (bench/typecheck.mjs), over an empty file's baseline
//    measured in the same run, skipLibCheck true and false; BENCH_TSC_RUNS runs each (default 3).
// Prints the figures, then one JSON line of them. BENCH_CFN_LINT=1 also times cfn-lint on the template, for scale.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { formatTypecheck, typecheckBench } from "./typecheck.mjs";
import { build, checkWorkload } from "./workload.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const r = (x) => Math.round(x * 100) / 100;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs) => Math.max(...xs);
const load = () => Math.round(loadavg()[0] * 10) / 10;
const TARGET_MS = 100;
const loadBefore = load();

// ---------- 1. first runs, each in a fresh process ----------
const firstRuns = [];
for (let i = 0; i < Number(process.env.BENCH_FIRST_RUNS ?? 10); i++) {
  const res = spawnSync(process.execPath, [join(here, "first-run.mjs")], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`bench/first-run.mjs failed:\n${res.stderr}`);
  firstRuns.push(JSON.parse(res.stdout));
}
const firstRun = (clock) => {
  const pick = (phase) => firstRuns.map((x) => x[clock][phase]);
  return {
    median: Object.fromEntries(
      ["import", "build", "validate", "toJson", "total"].map((p) => [p, r(median(pick(p)))]),
    ),
    max: r(max(pick("total"))),
  };
};
const first = { wall: firstRun("wall"), cpu: firstRun("cpu") };

// ---------- 2. warm, in this process ----------
const lib = await import("../dist/index.js");
const { toJson, toYaml, validateTemplate } = lib;
function time(fn) {
  const s = performance.now();
  const value = fn();
  return [performance.now() - s, value];
}
const tpl = build(lib);
checkWorkload(tpl, validateTemplate(tpl));
const json = toJson(tpl);
const yaml = toYaml(tpl);
const runs = { build: [], validate: [], serialise: [], yaml: [] };
for (let i = 0; i < 15; i++) {
  const [b, t] = time(() => build(lib));
  const [v] = time(() => validateTemplate(t));
  const [s] = time(() => toJson(t));
  const [y] = time(() => toYaml(t));
  runs.build.push(b);
  runs.validate.push(v);
  runs.serialise.push(s);
  runs.yaml.push(y);
}
const warm = {
  build: r(median(runs.build)),
  validate: r(median(runs.validate)),
  toJson: r(median(runs.serialise)),
  toYaml: r(median(runs.yaml)),
};
warm.total = r(warm.build + warm.validate + warm.toJson);

// For scale, with BENCH_CFN_LINT=1: cfn-lint (the CloudFormation linter, a Python process) on the same template.
function cfnLintMs() {
  const bin = [...(process.env.PATH ?? "").split(delimiter), "/root/.pyenv/shims"]
    .map((d) => join(d, "cfn-lint"))
    .find((p) => existsSync(p));
  if (!bin) return undefined;
  const file = join(mkdtempSync(join(tmpdir(), "sparta-bench-")), "template.json");
  writeFileSync(file, json);
  const s = performance.now();
  const res = spawnSync(bin, [file], { encoding: "utf8" });
  return res.status === null ? undefined : performance.now() - s;
}
const lintMs = process.env.BENCH_CFN_LINT === "1" ? cfnLintMs() : undefined;

// ---------- 3. type-checking a consumer's file ----------
const typecheck = typecheckBench({ runs: Number(process.env.BENCH_TSC_RUNS ?? 3) });
const loadAfter = load();

const f = (m) =>
  `build ${m.build} ms, validate ${m.validate} ms, toJson ${m.toJson} ms, total ${m.total} ms (import ${m.import} ms)`;
const firstMet = first.wall.max < TARGET_MS;
const tscMet = typecheck.every((x) => x.main.overMs < 1000);
process.stdout.write(
  [
    `@sparta/template: 500 resources, JSON ${json.length} bytes, YAML ${yaml.length} bytes (load average ${loadBefore} -> ${loadAfter} on ${cpus().length} CPUs)`,
    `  first run, ${firstRuns.length} fresh processes (median; the spec and the constraints are read on the first validate)`,
    `    wall  ${f(first.wall.median)}; max total ${first.wall.max} ms`,
    `    CPU   ${f(first.cpu.median)}; max total ${first.cpu.max} ms`,
    `  warm (median/15) build ${warm.build} ms, validate ${warm.validate} ms, toJson ${warm.toJson} ms, total ${warm.total} ms; toYaml ${warm.toYaml} ms`,
    `  cfn-lint         ${lintMs === undefined ? "skipped (set BENCH_CFN_LINT=1; it takes tens of seconds)" : `${r(lintMs)} ms for the same template, for scale`}`,
    `  target           < ${TARGET_MS} ms for build + validate + toJson: ${firstMet ? "met" : "NOT met"} on every first run (max ${first.wall.max} ms wall), ${warm.total < TARGET_MS ? "met" : "NOT met"} warm`,
    "  tsc on a 10-line user file in a plain Node project (lib ES2023, types node), over an empty file's baseline:",
    ...formatTypecheck(typecheck).map((l) => `  ${l}`),
    `  target           < 1000 ms over the baseline (main-thread CPU time) with skipLibCheck true and false: ${tscMet ? "met" : "NOT met"}`,
    "",
  ].join("\n"),
);
process.stdout.write(
  `${JSON.stringify({
    bench: "template",
    resources: 500,
    loadAverage: [loadBefore, loadAfter],
    cpus: cpus().length,
    firstRunMs: first,
    firstRunTargetMet: firstMet,
    warmMedianMs: warm,
    cfnLintMs: lintMs === undefined ? null : r(lintMs),
    typecheckMs: typecheck.map((x) => ({
      skipLibCheck: x.skipLibCheck,
      runs: x.runs,
      mainThreadCpu: {
        empty: r(x.main.emptyMs),
        user: r(x.main.userMs),
        over: r(x.main.overMs),
        ratio: r(x.main.ratio),
      },
      cpu: { empty: r(x.cpu.emptyMs), user: r(x.cpu.userMs), over: r(x.cpu.overMs), ratio: r(x.cpu.ratio) },
      wall: {
        empty: r(x.wall.emptyMs),
        user: r(x.wall.userMs),
        over: r(x.wall.overMs),
        ratio: r(x.wall.ratio),
      },
    })),
    typecheckTargetMet: tscMet,
    jsonBytes: json.length,
    yamlBytes: yaml.length,
  })}\n`,
);
