#!/usr/bin/env node
// A Node.js binary of a given major version for tests and checks: the machine's own `node` when it is that
// major, else the npm registry's `node` package installed once into `.tools/node<major>/` (it ships the official
// binary for this platform). Prints the binary's path when run as a script: `node scripts/node-binary.mjs 22`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The major version of the `node` binary at `path`, or undefined when it does not run. */
function majorOf(path) {
  try {
    const v = execFileSync(path, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return Number.parseInt(v.trim().replace(/^v/, ""), 10);
  } catch {
    return undefined;
  }
}

/**
 * Path of a working `node` of `major`, installing `node@<major>` from the npm registry into `.tools/node<major>`
 * when neither the running Node nor an earlier install is that version. Throws with the npm output on failure.
 */
export function nodeBinary(major) {
  if (Number.parseInt(process.versions.node, 10) === major) return process.execPath;
  const prefix = join(root, ".tools", `node${major}`);
  const bin = join(prefix, "node_modules", ".bin", "node");
  if (existsSync(bin) && majorOf(bin) === major) return bin;
  process.stderr.write(
    `node-binary: installing node@${major} from the npm registry into .tools/node${major}/\n`,
  );
  const r = spawnSync(
    "npm",
    [
      "install",
      "--no-save",
      "--no-package-lock",
      "--no-audit",
      "--no-fund",
      "--prefix",
      prefix,
      `node@${major}`,
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  if (r.status !== 0 || majorOf(bin) !== major) {
    throw new Error(`could not install node@${major} into ${prefix} (npm exited ${r.status})`);
  }
  return bin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const major = Number.parseInt(process.argv[2] ?? "", 10);
  if (!Number.isInteger(major)) {
    process.stderr.write("usage: node scripts/node-binary.mjs MAJOR\n");
    process.exit(2);
  }
  process.stdout.write(`${nodeBinary(major)}\n`);
}
