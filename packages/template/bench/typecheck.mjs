#!/usr/bin/env node
// What @sparta/template adds to a user's `tsc`: a plain Node consumer project (lib ES2023, types node, no DOM) with the
// package installed as published (package.json + dist), type-checking a 10-line file that builds a template, against an
// empty file in the same project, with skipLibCheck true and false. Each figure is the median wall time of a fresh
// `tsc -p` process; baseline and user runs alternate, so a change of machine load hits both alike.
// Standalone: node bench/typecheck.mjs [--package <dir with package.json and dist>] [--runs <n>]
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The user file: what a service definition looks like, typed Properties included. */
export const USER_FILE = `import { GetAtt, Ref, Template, toJson, validateTemplate } from "@sparta/template";

const t = new Template({ description: "hello" })
  .addResource("Queue", { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 60 } })
  .addResource("Fn", {
    Type: "AWS::Lambda::Function",
    Properties: { Runtime: "nodejs22.x", Handler: "index.handler", Role: GetAtt("Role", "Arn"), Code: { ZipFile: "x" }, Environment: { Variables: { QUEUE: Ref("Queue") } } },
  });
export const problems = validateTemplate(t);
export const json: string = toJson(t);
`;
const EMPTY_FILE = "export const answer: number = 42;\n";

/** A consumer project in a fresh temporary folder; returns its path. */
export function consumerProject(packageDir = join(here, "..")) {
  const dir = mkdtempSync(join(tmpdir(), "sparta-template-tsc-"));
  const installed = join(dir, "node_modules", "@sparta", "template");
  mkdirSync(installed, { recursive: true });
  cpSync(join(packageDir, "package.json"), join(installed, "package.json"));
  cpSync(join(packageDir, "dist"), join(installed, "dist"), { recursive: true });
  // The workspace's TypeScript and Node types (their own dependencies resolve from their real paths).
  for (const name of ["typescript", "@types/node"]) {
    const target = dirname(require.resolve(`${name}/package.json`));
    mkdirSync(dirname(join(dir, "node_modules", name)), { recursive: true });
    symlinkSync(target, join(dir, "node_modules", name), "dir");
  }
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  writeFileSync(join(dir, "user.ts"), USER_FILE);
  writeFileSync(join(dir, "empty.ts"), EMPTY_FILE);
  writeFileSync(join(dir, "cpu-reporter.cjs"), CPU_REPORTER);
  for (const skipLibCheck of [true, false]) {
    for (const file of ["user", "empty"]) {
      const compilerOptions = {
        target: "ES2023",
        lib: ["ES2023"],
        types: ["node"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck,
      };
      writeFileSync(
        join(dir, `tsconfig.${file}.${skipLibCheck}.json`),
        JSON.stringify({ compilerOptions, files: [`${file}.ts`] }),
      );
    }
  }
  return dir;
}

// Reports the tsc process's CPU time on exit: the main thread's (from /proc on Linux; what an idle machine's wall clock
// shows, since tsc runs on one thread) and the whole process's (GC helper threads included). On a shared machine the
// wall time mostly measures the other processes.
const CPU_REPORTER = `process.on("exit", () => {
  const fs = require("node:fs");
  const u = process.cpuUsage();
  let main = -1;
  try {
    const stat = fs.readFileSync("/proc/self/task/" + process.pid + "/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    main = (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in clock ticks of 10 ms
  } catch {}
  fs.writeSync(2, "\\ncpu-ms " + (u.user + u.system) / 1000 + " main-ms " + main + "\\n");
});`;

function tsc(dir, config) {
  const bin = join(dir, "node_modules", "typescript", "bin", "tsc");
  const s = performance.now();
  const args = ["--require", join(dir, "cpu-reporter.cjs"), bin, "-p", config, "--extendedDiagnostics"];
  const res = spawnSync(process.execPath, args, {
    cwd: dir,
    encoding: "utf8",
  });
  const wallMs = performance.now() - s;
  if (res.status !== 0) throw new Error(`tsc -p ${config} failed in ${dir}:\n${res.stdout}${res.stderr}`);
  const cpu = /cpu-ms ([\d.]+) main-ms (-?[\d.]+)/.exec(res.stderr);
  if (!cpu) throw new Error(`no CPU time reported by tsc -p ${config}: ${res.stderr}`);
  const mainMs = Number(cpu[2]);
  // tsc's own phase times (wall clock), as --extendedDiagnostics prints them.
  const phase = (name) =>
    1000 * Number(new RegExp(`^${name} time:\\s+([\\d.]+)s`, "m").exec(res.stdout)?.[1] ?? NaN);
  return {
    wallMs,
    cpuMs: Number(cpu[1]),
    mainMs: mainMs >= 0 ? mainMs : Number(cpu[1]),
    parseMs: phase("Parse"),
    bindMs: phase("Bind"),
    checkMs: phase("Check"),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Medians (ms) of `tsc -p` on the empty file and on the user file, for skipLibCheck true and false: main-thread CPU
 * time (what the target is judged on), the whole process's CPU time and wall time.
 */
export function typecheckBench({ packageDir, runs = 5 } = {}) {
  const dir = consumerProject(packageDir);
  try {
    const results = [];
    for (const skipLibCheck of [true, false]) {
      const empty = [];
      const user = [];
      tsc(dir, `tsconfig.empty.${skipLibCheck}.json`); // warm the file cache for both
      tsc(dir, `tsconfig.user.${skipLibCheck}.json`);
      for (let i = 0; i < runs; i++) {
        empty.push(tsc(dir, `tsconfig.empty.${skipLibCheck}.json`));
        user.push(tsc(dir, `tsconfig.user.${skipLibCheck}.json`));
      }
      const figures = (key) => {
        const e = median(empty.map((x) => x[key]));
        const u = median(user.map((x) => x[key]));
        return { emptyMs: e, userMs: u, overMs: u - e, ratio: u / e };
      };
      results.push({
        skipLibCheck,
        runs,
        main: figures("mainMs"),
        cpu: figures("cpuMs"),
        wall: figures("wallMs"),
        parse: figures("parseMs"),
        bind: figures("bindMs"),
        check: figures("checkMs"),
      });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per skipLibCheck setting, as the bench prints them. */
export function formatTypecheck(results) {
  const f = (x) =>
    `empty ${Math.round(x.emptyMs)} ms, user ${Math.round(x.userMs)} ms: +${Math.round(x.overMs)} ms (x${x.ratio.toFixed(2)})`;
  return results.flatMap((r) => [
    `  skipLibCheck ${r.skipLibCheck}, median of ${r.runs}:`,
    `    main-thread CPU ${f(r.main)}`,
    `    process CPU     ${f(r.cpu)}`,
    `    wall            ${f(r.wall)}`,
    `    tsc's phases    parse +${Math.round(r.parse.overMs)} ms, bind +${Math.round(r.bind.overMs)} ms, check ${Math.round(r.check.emptyMs)} -> ${Math.round(r.check.userMs)} ms`,
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const packageDir = arg("--package") ?? join(here, "..");
  const runs = Number(arg("--runs") ?? 5);
  const version = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")).version;
  process.stdout.write(`tsc on a 10-line user file, @sparta/template ${version} from ${packageDir}\n`);
  process.stdout.write(`${formatTypecheck(typecheckBench({ packageDir, runs })).join("\n")}\n`);
}
