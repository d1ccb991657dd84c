#!/usr/bin/env node
// Makes a fresh machine (node and npm only) ready: pnpm 12.4.2 on PATH, the workspace installed,
// then runs `pnpm <args>`. Used by the root `npm run demo` and `npm test`.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PNPM_VERSION = "12.4.2";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const toolsDir = join(root, ".tools");
const localBin = join(toolsDir, "node_modules", ".bin");

function pnpmVersion(env) {
  try {
    return execFileSync("pnpm", ["--version"], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

const env = { ...process.env, PATH: `${localBin}:${process.env.PATH ?? ""}` };
if (pnpmVersion(env) !== PNPM_VERSION) {
  // Installed from scripts/tools/package-lock.json (exact version and integrity hashes), with no install scripts.
  process.stderr.write(`bootstrap: installing pnpm@${PNPM_VERSION} into .tools/ (npm ci, locked)\n`);
  mkdirSync(toolsDir, { recursive: true });
  for (const file of ["package.json", "package-lock.json"]) {
    copyFileSync(join(root, "scripts", "tools", file), join(toolsDir, file));
  }
  const r = spawnSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", toolsDir], {
    stdio: "inherit",
    env,
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  // pnpm's own setup (the one script run, from the locked package): it puts the native binary in place of the
  // shebang-less placeholder, which tools that exec pnpm directly (turbo) cannot start.
  const setup = spawnSync(process.execPath, [join(toolsDir, "node_modules", "pnpm", "install.js")], {
    cwd: join(toolsDir, "node_modules", "pnpm"),
    stdio: "inherit",
    env,
  });
  if (setup.status !== 0) process.exit(setup.status ?? 1);
  if (pnpmVersion(env) !== PNPM_VERSION) {
    process.stderr.write(
      `bootstrap: pnpm in .tools/ is not ${PNPM_VERSION}; update scripts/tools/ together with PNPM_VERSION\n`,
    );
    process.exit(1);
  }
}
env.COREPACK_ENABLE_STRICT = "0";
env.TURBO_TELEMETRY_DISABLED = "1";
env.DO_NOT_TRACK = "1";

const frozen = existsSync(join(root, "pnpm-lock.yaml")) ? ["--frozen-lockfile"] : [];
const install = spawnSync("pnpm", ["install", ...frozen, "--reporter=append-only"], {
  cwd: root,
  stdio: ["ignore", "inherit", "inherit"],
  env,
});
if (install.status !== 0) process.exit(install.status ?? 1);

const args = process.argv.slice(2);
if (args.length === 0) process.exit(0);
const run = spawnSync("pnpm", args, { cwd: root, stdio: "inherit", env });
process.exit(run.status ?? 1);
