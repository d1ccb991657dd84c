import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/** The cfn-lint binary (the real CloudFormation linter), or undefined when it is not installed. */
export function findCfnLint(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/root/.pyenv/shims"];
  for (const d of dirs) {
    const p = join(d, "cfn-lint");
    if (d && existsSync(p)) {
      const probe = spawnSync(p, ["--version"], { encoding: "utf8" });
      if (probe.status === 0) return p;
    }
  }
  return undefined;
}

export interface LintFinding {
  rule: string;
  message: string;
}

/** Run cfn-lint once over many files; findings grouped by file. Exit status is cfn-lint's bit mask (2 = errors). */
export function runCfnLint(
  bin: string,
  files: string[],
): { status: number; findings: Map<string, LintFinding[]> } {
  const r = spawnSync(bin, ["--format", "parseable", "--", ...files], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const findings = new Map<string, LintFinding[]>(files.map((f) => [f, []]));
  for (const line of r.stdout.split("\n")) {
    const m = /^(.*?):\d+:\d+:\d+:\d+:([A-Z]\d+):(.*)$/.exec(line);
    if (m) findings.get(m[1]!)?.push({ rule: m[2]!, message: m[3]! });
  }
  if (r.status === null || (r.status !== 0 && r.stdout.trim() === "")) {
    throw new Error(`cfn-lint failed to run (status ${r.status}): ${r.stderr}`);
  }
  return { status: r.status, findings };
}
