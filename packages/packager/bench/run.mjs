// ZIP a generated tree of 5,000 files / 50 MB with @sparta/packager and with Info-ZIP `zip -X -r -q`,
// in the same run, and print the ratio. Usage: pnpm --filter @sparta/packager bench [-- --archiver] [-- --rounds 3]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { collectEntries, createZip } from "../dist/index.js";

const args = process.argv.slice(2);
const withArchiver = args.includes("--archiver");
const roundsArg = args.indexOf("--rounds");
const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 5;
const FILES = 5000;
const TOTAL = 50 * 1024 * 1024;

// Deterministic PRNG so every run zips the same tree.
let seed = 0x5eed;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x100000000;
};
const WORDS =
  "export const function return await async import from handler event context response status body json lambda".split(
    " ",
  );

function compressible(size) {
  const parts = [];
  let n = 0;
  while (n < size) {
    const w = `${WORDS[Math.floor(rand() * WORDS.length)]}${rand() < 0.1 ? "\n" : " "}`;
    parts.push(w);
    n += w.length;
  }
  return Buffer.from(parts.join("")).subarray(0, size);
}

function random(size) {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 4) b.writeUInt32LE(Math.floor(rand() * 0x100000000), Math.min(i, size - 4));
  return b;
}

const root = mkdtempSync(join(tmpdir(), "sparta-bench-"));
const tree = join(root, "tree");
try {
  const t0 = performance.now();
  let written = 0;
  for (let i = 0; i < FILES; i++) {
    const dir = join(tree, `pkg${String(i % 50).padStart(2, "0")}`, i % 3 === 0 ? "lib" : "src");
    mkdirSync(dir, { recursive: true });
    // Sizes vary around the 10 KiB mean; the last file takes up the remainder.
    const size =
      i === FILES - 1 ? Math.max(0, TOTAL - written) : Math.floor((TOTAL / FILES) * (0.2 + rand() * 1.6));
    const content = i % 2 === 0 ? compressible(size) : random(size);
    writeFileSync(join(dir, `file${i}.${i % 2 === 0 ? "js" : "bin"}`), content, {
      mode: i % 97 === 0 ? 0o755 : 0o644,
    });
    written += size;
  }
  console.log(
    `tree: ${FILES} files, ${(written / 1048576).toFixed(1)} MB (generated in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );

  const zipVersion = spawnSync("zip", ["-v"], { encoding: "utf8" }).stdout?.split("\n")[1]?.trim() ?? "zip";
  // Info-ZIP's CPU time comes from bash's `time`; ours from process.cpuUsage (every thread of this process).
  const timeInfoZip = () => {
    const out = join(root, "infozip.zip");
    rmSync(out, { force: true });
    const s = performance.now();
    const r = spawnSync("bash", ["-c", `TIMEFORMAT='%U %S'; time zip -X -r -q '${out}' .`], {
      cwd: tree,
      encoding: "utf8",
    });
    const ms = performance.now() - s;
    if (r.status !== 0) throw new Error(`zip failed: ${r.stderr}`);
    const [user, sys] = r.stderr.trim().split(/\s+/).slice(-2).map(Number);
    return { ms, cpuMs: (user + sys) * 1000, size: statSync(out).size };
  };
  const timeOurs = async (engine) => {
    const c = process.cpuUsage();
    const s = performance.now();
    const artifact = await createZip({
      entries: await collectEntries(tree),
      outFile: join(root, `${engine}.zip`),
      engine,
    });
    const ms = performance.now() - s;
    const u = process.cpuUsage(c);
    return { ms, cpuMs: (u.user + u.system) / 1000, size: artifact.size, path: artifact.path };
  };

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const zipRuns = [];
  const ourRuns = [];
  for (let r = 0; r < rounds; r++) {
    // alternate which goes first, so neither always gets the warmer cache
    if (r % 2 === 0) {
      zipRuns.push(timeInfoZip());
      ourRuns.push(await timeOurs("sparta"));
    } else {
      ourRuns.push(await timeOurs("sparta"));
      zipRuns.push(timeInfoZip());
    }
  }
  const last = ourRuns[ourRuns.length - 1];
  const test = spawnSync("unzip", ["-tq", last.path], { encoding: "utf8" });
  const zipMs = median(zipRuns.map((x) => x.ms));
  const ourMs = median(ourRuns.map((x) => x.ms));
  const zipCpu = median(zipRuns.map((x) => x.cpuMs));
  const ourCpu = median(ourRuns.map((x) => x.cpuMs));
  const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `${zipVersion}; ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)}; medians of ${rounds} rounds`,
  );
  console.log(
    `zip -X -r -q     : wall ${fmt(zipMs)}  cpu ${fmt(zipCpu)}  ${(zipRuns[0].size / 1048576).toFixed(1)} MB`,
  );
  console.log(
    `@sparta/packager : wall ${fmt(ourMs)}  cpu ${fmt(ourCpu)}  ${(last.size / 1048576).toFixed(1)} MB  (unzip -t: ${test.status === 0 ? "ok" : test.stdout + test.stderr})`,
  );
  if (withArchiver) {
    const a = await timeOurs("archiver");
    console.log(
      `archiver engine  : wall ${fmt(a.ms)}  cpu ${fmt(a.cpuMs)}  ${(a.size / 1048576).toFixed(1)} MB  (${(a.ms / zipMs).toFixed(2)}x zip)`,
    );
  }
  // Each round's two runs are back to back, so the per-round ratio is less exposed to a shared machine's load swings.
  const paired = ourRuns.map((o, k) => o.ms / zipRuns[k].ms);
  console.log(`per-round ratios : ${paired.map((x) => x.toFixed(2)).join(" ")}`);
  console.log(
    `ratio            : ${median(paired).toFixed(2)}x zip wall time (median per round; target <= 1.00x); ${(ourCpu / zipCpu).toFixed(2)}x its CPU time`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
