// ZIP a generated tree of 5,000 files / 50 MB with @sparta/packager and with Info-ZIP `zip -X -r -q`,
// in the same run, and print the ratio. Usage: pnpm --filter @sparta/packager bench [-- --archiver] [-- --rounds 3]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { collectEntries, createZip } from "../dist/index.js";

const args = process.argv.slice(2);
const withArchiver = args.includes("--archiver");
const roundsArg = args.indexOf("--rounds");
const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 3;
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
  const timeInfoZip = () => {
    const out = join(root, "infozip.zip");
    rmSync(out, { force: true });
    const s = performance.now();
    execFileSync("zip", ["-X", "-r", "-q", out, "."], { cwd: tree });
    return { ms: performance.now() - s, size: statSync(out).size };
  };
  const timeOurs = async (engine) => {
    const s = performance.now();
    const artifact = await createZip({
      entries: await collectEntries(tree),
      outFile: join(root, `${engine}.zip`),
      engine,
    });
    return { ms: performance.now() - s, size: artifact.size, path: artifact.path };
  };

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const zipTimes = [];
  const ourTimes = [];
  let zipSize = 0;
  let ourRun;
  for (let r = 0; r < rounds; r++) {
    const z = timeInfoZip();
    zipTimes.push(z.ms);
    zipSize = z.size;
    ourRun = await timeOurs("sparta");
    ourTimes.push(ourRun.ms);
  }
  const test = spawnSync("unzip", ["-tq", ourRun.path], { encoding: "utf8" });
  const zipMs = median(zipTimes);
  const ourMs = median(ourTimes);
  console.log(`${zipVersion}`);
  console.log(
    `zip -X -r -q     : ${(zipMs / 1000).toFixed(2)} s  ${(zipSize / 1048576).toFixed(1)} MB  (median of ${rounds})`,
  );
  console.log(
    `@sparta/packager : ${(ourMs / 1000).toFixed(2)} s  ${(ourRun.size / 1048576).toFixed(1)} MB  (median of ${rounds}; unzip -t: ${test.status === 0 ? "ok" : test.stdout + test.stderr})`,
  );
  if (withArchiver) {
    const a = await timeOurs("archiver");
    console.log(
      `archiver engine  : ${(a.ms / 1000).toFixed(2)} s  ${(a.size / 1048576).toFixed(1)} MB  (${(a.ms / zipMs).toFixed(2)}x zip)`,
    );
  }
  console.log(`ratio            : ${(ourMs / zipMs).toFixed(2)}x zip (target <= 1.00x)`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
