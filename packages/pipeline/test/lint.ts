import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** cfn-lint, when installed (CI images may lack it; the tests that need it are skipped then, not faked). */
export const CFN_LINT = [process.env.CFN_LINT, "/root/.pyenv/shims/cfn-lint"].find(
  (p): p is string => typeof p === "string" && existsSync(p),
);

/** Runs cfn-lint once on named templates (it starts slowly); returns its error-level (`E...`) findings as lines. */
export function cfnLintErrors(templates: Record<string, unknown>): string[] {
  if (!CFN_LINT) throw new Error("cfn-lint is not installed");
  const dir = mkdtempSync(join(tmpdir(), "pipeline-lint-"));
  const files = Object.entries(templates).map(([name, template]) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(template, null, 2));
    return file;
  });
  try {
    execFileSync(CFN_LINT, ["--format", "parseable", "--regions", "us-east-1", "--", ...files], {
      encoding: "utf8",
    });
    return [];
  } catch (error) {
    const out = String((error as { stdout?: string }).stdout ?? "");
    const lines = out.split("\n").filter((l) => l.trim() !== "");
    const errors = lines.filter((l) => /:E\d+:/.test(l));
    // Exit codes: 2 errors, 4 warnings, 8 informational (bit flags). Anything else is a failure to run.
    const status = (error as { status?: number }).status ?? 1;
    if ((status & ~(2 | 4 | 8)) !== 0) throw error;
    return errors;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
