// Which ZIP writer should @sparta/packager ship? Times archiver, yazl, fflate and this package's writer
// (src/zip/) on the production path (a function's bundle, with and without its source map, and the
// CodePipeline package) and on a 5,000-file tree, in this one process, and prints each engine's times and
// ratios against this package's writer run in the same rounds. Before any number counts, every engine's
// output is checked: the same input twice gives the same bytes (in three time zones, too), `unzip -t`
// passes, and the central directory read back holds the input's names, sizes, CRCs, modes and fixed date.
//
// Usage: pnpm --filter @sparta/packager bench [-- --rounds 7] [-- --tree-rounds 3] [-- --cold 6] [-- --no-tree]
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import * as zlib from "node:zlib";
import { buildSync } from "esbuild";
import { collectEntries, parseZipEntries } from "../dist/index.js";
import { ENGINE_NAMES, ENGINES } from "./engines.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, "..");
const args = process.argv.slice(2);
const numberArg = (flag, fallback) => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = numberArg("--rounds", 7);
const TREE_ROUNDS = args.includes("--no-tree") ? 0 : numberArg("--tree-rounds", 3);
const COLD = numberArg("--cold", 6);
const BASELINE = "sparta";
const engines = ENGINE_NAMES;

const root = mkdtempSync(join(tmpdir(), "sparta-zip-bench-"));
const outDir = join(root, "out");
mkdirSync(outDir);
const load = [loadavg()[0]];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);
const crc32 =
  typeof zlib.crc32 === "function"
    ? (data) => zlib.crc32(data) >>> 0
    : (data) => {
        let c = 0xffffffff;
        for (const byte of data) {
          c ^= byte;
          for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        }
        return (c ^ 0xffffffff) >>> 0;
      };

// ---------------------------------------------------------------------------------------------- fixtures

/** A real function bundle: esbuild (the packager's bundler) over a handler that imports real packages. */
function functionBundle(name, source, sourcemap) {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "handler.mjs"), source);
  buildSync({
    entryPoints: [join(dir, "handler.mjs")],
    absWorkingDir: dir,
    outfile: join(dir, "out", "index.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    sourcemap: sourcemap ? "linked" : false,
    nodePaths: [join(packageDir, "node_modules")],
    legalComments: "none",
    logLevel: "error",
  });
  const files = sourcemap ? ["index.mjs", "index.mjs.map"] : ["index.mjs"];
  return files.map((file) => ({ name: file, path: join(dir, "out", file), mode: 0o644 }));
}

/** A CloudFormation template the size of a ten-function service with alarms, and three environments. */
function codePipelinePackage() {
  const resources = {};
  for (let i = 0; i < 10; i++) {
    const fn = `Function${i}`;
    resources[`${fn}Role`] = {
      Type: "AWS::IAM::Role",
      Properties: {
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        },
        ManagedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
      },
    };
    resources[fn] = {
      Type: "AWS::Lambda::Function",
      Properties: {
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Code: { S3Bucket: { Ref: "ArtifactBucket" }, S3Key: `fn${i}-0123456789abcdef.zip` },
        Role: { "Fn::GetAtt": [`${fn}Role`, "Arn"] },
        MemorySize: 512,
        Timeout: 30,
        Environment: { Variables: { STAGE: { Ref: "Stage" }, TABLE: { Ref: "Table" } } },
      },
    };
    for (const metric of ["Errors", "Throttles", "Duration"]) {
      resources[`${fn}${metric}Alarm`] = {
        Type: "AWS::CloudWatch::Alarm",
        Properties: {
          AlarmName: { "Fn::Sub": `\${Stage}-${fn}-${metric}` },
          Namespace: "AWS/Lambda",
          MetricName: metric,
          Dimensions: [{ Name: "FunctionName", Value: { Ref: fn } }],
          Statistic: metric === "Duration" ? "Maximum" : "Sum",
          Period: 60,
          EvaluationPeriods: 5,
          Threshold: metric === "Duration" ? 25000 : 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
          TreatMissingData: "notBreaching",
        },
      };
    }
  }
  const template = {
    AWSTemplateFormatVersion: "2010-09-09",
    Parameters: { Stage: { Type: "String" }, Table: { Type: "String" } },
    Resources: resources,
  };
  const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
  return [
    { name: "cloudformation.json", content: Buffer.from(json(template)), mode: 0o644 },
    ...["production", "staging", "test"].map((env) => ({
      name: `${env}.json`,
      content: Buffer.from(json({ Parameters: { Stage: env, Table: `${env}-table` }, Tags: { env } })),
      mode: 0o644,
    })),
  ];
}

/** 5,000 files / 50 MB under 50 packages: half generated source text, half random bytes. */
async function fileTree() {
  let seed = 0x5eed;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  const words =
    "export const function return await async import from handler event context response status body json lambda".split(
      " ",
    );
  const text = (size) => {
    const parts = [];
    let n = 0;
    while (n < size) {
      const w = `${words[Math.floor(rand() * words.length)]}${rand() < 0.1 ? "\n" : " "}`;
      parts.push(w);
      n += w.length;
    }
    return Buffer.from(parts.join("")).subarray(0, size);
  };
  const random = (size) => {
    const b = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i += 4)
      b.writeUInt32LE(Math.floor(rand() * 0x100000000), Math.min(i, size - 4));
    return b;
  };
  const FILES = 5000;
  const TOTAL = 50 * 1024 * 1024;
  const tree = join(root, "tree");
  let written = 0;
  for (let i = 0; i < FILES; i++) {
    const dir = join(tree, `pkg${String(i % 50).padStart(2, "0")}`, i % 3 === 0 ? "lib" : "src");
    mkdirSync(dir, { recursive: true });
    const size =
      i === FILES - 1 ? Math.max(0, TOTAL - written) : Math.floor((TOTAL / FILES) * (0.2 + rand() * 1.6));
    writeFileSync(
      join(dir, `file${i}.${i % 2 === 0 ? "js" : "bin"}`),
      i % 2 === 0 ? text(size) : random(size),
      {
        mode: i % 97 === 0 ? 0o755 : 0o644,
      },
    );
    written += size;
  }
  const entries = await collectEntries(tree);
  return {
    dir: tree,
    entries: entries.map((e) => ({ ...e, mode: statSync(e.path).mode & 0o111 ? 0o755 : 0o644 })),
  };
}

// ---------------------------------------------------------------------------------------------- checks

const inputBytes = (entry) => (entry.content === undefined ? readFileSync(entry.path) : entry.content);

/** Throws unless `path` is a ZIP holding exactly `entries` (sorted), with their bytes, modes and the fixed date. */
function readBack(engine, scenario, path, entries) {
  const where = `${engine} / ${scenario}`;
  const test = spawnSync("unzip", ["-tq", path], { encoding: "utf8" });
  if (test.status !== 0) throw new Error(`${where}: unzip -t failed:\n${test.stdout}${test.stderr}`);
  const listed = parseZipEntries(readFileSync(path), path);
  if (listed.length !== entries.length) {
    throw new Error(`${where}: ${listed.length} entries read back, ${entries.length} written`);
  }
  listed.forEach((got, i) => {
    const want = entries[i];
    const data = inputBytes(want);
    const problems = [];
    if (got.name !== want.name) problems.push(`name ${got.name} (order or name differs)`);
    if (got.size !== data.length) problems.push(`size ${got.size} != ${data.length}`);
    if (got.crc32 !== crc32(data)) problems.push("CRC differs from the input's");
    if (got.mode !== want.mode) problems.push(`mode ${got.mode?.toString(8)} != ${want.mode.toString(8)}`);
    if (got.dosDate !== 0x21 || got.dosTime !== 0) problems.push("date is not 1980-01-01 00:00");
    if (problems.length > 0) throw new Error(`${where}: entry ${want.name}: ${problems.join("; ")}`);
  });
}

/** Writes the same input twice and checks the two files are the same bytes, then reads it back. */
async function checkEngine(engine, scenario, entries) {
  const a = await ENGINES[engine](entries, join(outDir, `${scenario}-${engine}-a.zip`));
  const b = await ENGINES[engine](entries, join(outDir, `${scenario}-${engine}-b.zip`));
  if (a.sha256 !== b.sha256 || Buffer.compare(readFileSync(a.path), readFileSync(b.path)) !== 0) {
    throw new Error(`${engine} / ${scenario}: the same input gave different bytes (not reproducible)`);
  }
  readBack(engine, scenario, a.path, entries);
  rmSync(b.path);
  return a;
}

// ---------------------------------------------------------------------------------------------- timing

/**
 * Per round, every engine writes the archive `ops` times, the engines taking turns archive by archive (in
 * rotated order), so a swing in the machine's load falls on all of them alike. Mean wall and CPU ms per archive.
 */
async function timeWarm(scenario, entries, ops) {
  const wall = Object.fromEntries(engines.map((e) => [e, []]));
  const cpu = Object.fromEntries(engines.map((e) => [e, []]));
  const outs = Object.fromEntries(engines.map((e) => [e, join(outDir, `${scenario}-${e}-timed.zip`)]));
  for (let r = 0; r < ROUNDS; r++) {
    const w = Object.fromEntries(engines.map((e) => [e, 0]));
    const c = Object.fromEntries(engines.map((e) => [e, 0]));
    for (let k = 0; k < ops; k++) {
      for (const engine of rotate(engines, r + k)) {
        const cpuStart = process.cpuUsage();
        const start = performance.now();
        await ENGINES[engine](entries, outs[engine]);
        w[engine] += performance.now() - start;
        const u = process.cpuUsage(cpuStart);
        c[engine] += (u.user + u.system) / 1000;
      }
    }
    for (const e of engines) {
      wall[e].push(w[e] / ops);
      cpu[e].push(c[e] / ops);
    }
  }
  return { wall: summarise(wall), cpu: summarise(cpu) };
}

/** Median time, and the median over rounds of the time divided by the baseline's in the same round. */
function summarise(perRound) {
  return Object.fromEntries(
    engines.map((e) => [
      e,
      {
        ms: median(perRound[e]),
        ratio: median(perRound[e].map((ms, r) => ms / perRound[BASELINE][r])),
      },
    ]),
  );
}

/** Each engine's first archive in a fresh process (library load + one ZIP), in three time zones. */
function timeCold(entries, expected) {
  const entriesFile = join(root, "cold-entries.json");
  writeFileSync(entriesFile, JSON.stringify(entries));
  const zones = ["UTC", "Pacific/Chatham", "America/St_Johns"];
  const perRound = Object.fromEntries(engines.map((e) => [e, []]));
  for (let r = 0; r < COLD; r++) {
    for (const engine of rotate(engines, r)) {
      const tz = zones[r % zones.length];
      const child = spawnSync(
        process.execPath,
        [join(here, "cold.mjs"), engine, entriesFile, join(outDir, `cold-${engine}.zip`)],
        { encoding: "utf8", env: { ...process.env, TZ: tz } },
      );
      if (child.status !== 0) throw new Error(`cold ${engine} failed: ${child.stderr}`);
      const { ms, sha256 } = JSON.parse(child.stdout);
      if (sha256 !== expected[engine]) {
        throw new Error(
          `${engine}: a process in TZ=${tz} wrote different bytes (${sha256} != ${expected[engine]})`,
        );
      }
      perRound[engine].push(ms);
    }
  }
  return summarise(perRound);
}

/** Wall and CPU time (every thread of this process) per engine on the tree, plus Info-ZIP as a reference. */
async function timeTree(tree) {
  const wall = Object.fromEntries(engines.map((e) => [e, []]));
  const cpu = Object.fromEntries(engines.map((e) => [e, []]));
  const infoZip = { wall: [], cpu: [] };
  for (let r = 0; r < TREE_ROUNDS; r++) {
    for (const engine of rotate(engines, r)) {
      const out = join(outDir, `tree-${engine}-timed.zip`);
      const c = process.cpuUsage();
      const start = performance.now();
      await ENGINES[engine](tree.entries, out);
      wall[engine].push(performance.now() - start);
      const u = process.cpuUsage(c);
      cpu[engine].push((u.user + u.system) / 1000);
      rmSync(out, { force: true });
    }
    const out = join(outDir, "tree-infozip.zip");
    rmSync(out, { force: true });
    const start = performance.now();
    const z = spawnSync("bash", ["-c", `TIMEFORMAT='%U %S'; time zip -X -r -q '${out}' .`], {
      cwd: tree.dir,
      encoding: "utf8",
    });
    infoZip.wall.push(performance.now() - start);
    if (z.status !== 0) throw new Error(`zip failed: ${z.stderr}`);
    const [user, sys] = z.stderr.trim().split(/\s+/).slice(-2).map(Number);
    infoZip.cpu.push((user + sys) * 1000);
  }
  return { wall: summarise(wall), cpu: summarise(cpu), infoZip };
}

// ---------------------------------------------------------------------------------------------- sizes

function dirBytes(dir) {
  let total = 0;
  for (const dirent of readdirSync(dir, { withFileTypes: true })) {
    if (dirent.name === "node_modules") continue;
    const full = join(dir, dirent.name);
    if (dirent.isDirectory()) total += dirBytes(full);
    else if (dirent.isFile()) total += statSync(full).size;
  }
  return total;
}

/** A package and its runtime dependencies as installed: how many packages, how many bytes of files. */
function installedSize(name) {
  const seen = new Map();
  const visit = (pkg, from) => {
    for (let dir = from; ; dir = dirname(dir)) {
      const candidate = join(dir, "node_modules", pkg);
      if (existsSync(join(candidate, "package.json"))) {
        const real = realpathSync(candidate);
        if (seen.has(real)) return;
        seen.set(real, dirBytes(real));
        const manifest = JSON.parse(readFileSync(join(real, "package.json"), "utf8"));
        for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
          visit(dep, real);
        }
        return;
      }
      if (dirname(dir) === dir) return;
    }
  };
  visit(name, packageDir);
  return { packages: seen.size, bytes: [...seen.values()].reduce((a, b) => a + b, 0) };
}

// ---------------------------------------------------------------------------------------------- run

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`);
const cell = (x) => `${fmtMs(x.ms)} (${x.ratio.toFixed(2)}x)`;
const kb = (bytes) =>
  bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;

try {
  const scenarios = [
    {
      key: "fn1",
      title: "function, 1 file",
      ops: 100,
      entries: functionBundle(
        "small",
        'import yazl from "yazl";\nexport const handler = async () => new yazl.ZipFile().entries.length;\n',
        false,
      ),
    },
    {
      key: "fn2",
      title: "function + source map",
      ops: 8,
      entries: functionBundle(
        "large",
        'import { ZipArchive } from "archiver";\nexport const handler = async () => new ZipArchive({}).pointer();\n',
        true,
      ),
    },
    { key: "pipeline", title: "CodePipeline package", ops: 100, entries: codePipelinePackage() },
  ];
  const describe = (entries) =>
    `${entries.length} file${entries.length === 1 ? "" : "s"}, ${kb(entries.reduce((n, e) => n + inputBytes(e).length, 0))}`;
  for (const s of scenarios)
    console.log(`${s.title}: ${describe(s.entries)} (${s.entries.map((e) => e.name).join(", ")})`);
  const tree = TREE_ROUNDS > 0 ? await fileTree() : undefined;
  if (tree) console.log(`5,000-file tree: ${describe(tree.entries)}`);

  // Checks first: an engine that is not reproducible or not readable has no time worth printing.
  const sizes = {};
  const expected = {};
  for (const s of [...scenarios, ...(tree ? [{ key: "tree", entries: tree.entries }] : [])]) {
    sizes[s.key] = {};
    for (const engine of engines) {
      const written = await checkEngine(engine, s.key, s.entries);
      sizes[s.key][engine] = written.size;
      if (s.key === "fn2") expected[engine] = written.sha256;
    }
  }
  console.log(
    `checks: every engine wrote identical bytes twice and passed unzip -t and the read-back, on every input`,
  );

  const warm = {};
  for (const s of scenarios) warm[s.key] = await timeWarm(s.key, s.entries, s.ops);
  const cold = timeCold(scenarios[1].entries, expected);
  const treeTimes = tree ? await timeTree(tree) : undefined;
  load.push(loadavg()[0]);

  const deps = Object.fromEntries(
    engines.map((e) => [e, e === BASELINE ? { packages: 0, bytes: 0 } : installedSize(e)]),
  );
  const name = (e) => (e === BASELINE ? "`@sparta/packager` (src/zip/)" : e);
  const rows = [
    [
      "installed (with dependencies)",
      ...engines.map((e) =>
        e === BASELINE
          ? "0 (built in)"
          : `${kb(deps[e].bytes)}, ${deps[e].packages} package${deps[e].packages === 1 ? "" : "s"}`,
      ),
    ],
    ["fresh process: load + ZIP of the function with its map", ...engines.map((e) => cell(cold[e]))],
    ...scenarios.flatMap((s) => [
      [`${s.title}, wall`, ...engines.map((e) => cell(warm[s.key].wall[e]))],
      [`${s.title}, CPU`, ...engines.map((e) => cell(warm[s.key].cpu[e]))],
    ]),
    ...(treeTimes
      ? [
          ["5,000-file tree, wall", ...engines.map((e) => cell(treeTimes.wall[e]))],
          ["5,000-file tree, CPU", ...engines.map((e) => cell(treeTimes.cpu[e]))],
        ]
      : []),
    ...Object.keys(sizes).map((k) => [
      `archive size, ${scenarios.find((s) => s.key === k)?.title ?? "5,000-file tree"}`,
      ...engines.map((e) => `${sizes[k][e].toLocaleString("en-US")} B`),
    ]),
  ];
  const table = (head, body) =>
    [
      `| ${head.join(" | ")} |`,
      `| ${head.map(() => "---").join(" | ")} |`,
      ...body.map((r) => `| ${r.join(" | ")} |`),
    ].join("\n");

  console.log("");
  console.log(
    `machine: ${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores; Node ${process.versions.node}, zlib ${process.versions.zlib}; load average ${load.map((l) => l.toFixed(1)).join(" -> ")}`,
  );
  console.log(
    `medians of ${ROUNDS} rounds (production path, engines taking turns archive by archive), ${COLD} fresh processes, ${TREE_ROUNDS} rounds (tree); (ratio) = time / @sparta/packager's in the same round`,
  );
  console.log("");
  console.log(table(["", ...engines.map(name)], rows));
  if (treeTimes) {
    console.log("");
    console.log(
      `reference, Info-ZIP zip -X -r -q on the tree (not reproducible: it stores mtimes): wall ${fmtMs(median(treeTimes.infoZip.wall))}, CPU ${fmtMs(median(treeTimes.infoZip.cpu))}`,
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
