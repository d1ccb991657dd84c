import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { expect } from "vitest";

/** True when the machine has cfn-lint (the CI image does). */
export const hasCfnLint = spawnSync("cfn-lint", ["--version"], { encoding: "utf8" }).status === 0;

/** Run cfn-lint on a template file; returns its exit code (bit 2 = errors) and output. */
export function cfnLint(path: string, ignore: string[] = []): { status: number; output: string } {
  const r = spawnSync("cfn-lint", [...(ignore.length ? ["--ignore-checks", ...ignore] : []), "--", path], {
    encoding: "utf8",
  });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** Compare with a golden file; `UPDATE=1` rewrites it instead. */
export function expectGolden(path: string, actual: string): void {
  if (process.env.UPDATE === "1" || !existsSync(path)) {
    if (process.env.UPDATE !== "1" && process.env.CI)
      throw new Error(`golden file ${path} is missing; run with UPDATE=1`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(actual).toBe(readFileSync(path, "utf8"));
}
