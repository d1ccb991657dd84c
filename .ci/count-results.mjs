#!/usr/bin/env node
// Counts a vitest JSON report honestly: passed and failed tests, where a test file that failed without a failed
// test (an error in a hook, an import that throws, no test in it) is at least one failure, and a run whose vitest
// exited non-zero is never reported as "0 failed".
// Usage: node .ci/count-results.mjs <vitest-results.json> <vitest exit code>   -> prints "passed failed notes..."
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * @param {{ testResults?: { name: string, status: string, message?: string, assertionResults?: { status: string }[] }[] } | undefined} report
 *   vitest's JSON report (undefined when it was not written)
 * @param {number} exitCode vitest's exit code
 * @returns {{ passed: number, failed: number, skipped: number, notes: string[] }}
 */
export function countResults(report, exitCode) {
  const notes = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const file of report?.testResults ?? []) {
    const tests = file.assertionResults ?? [];
    const failedTests = tests.filter((t) => t.status === "failed").length;
    passed += tests.filter((t) => t.status === "passed").length;
    skipped += tests.filter((t) => t.status !== "passed" && t.status !== "failed").length;
    failed += failedTests;
    if (file.status === "failed" && failedTests === 0) {
      failed += 1;
      const why =
        (file.message ?? "").split("\n")[0] || "an error outside its tests (a describe's hook?), see above";
      notes.push(`${basename(file.name)} failed without a failed test: ${why}`);
    }
  }
  if (!report) {
    notes.push("vitest wrote no JSON report");
  }
  if (exitCode !== 0 && failed === 0) {
    failed = 1;
    notes.push(
      `vitest exited ${exitCode} with no failed test in its report (an unhandled error? see its output)`,
    );
  }
  return { passed, failed, skipped, notes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, code] = process.argv.slice(2);
  let report;
  try {
    report = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    report = undefined;
  }
  const { passed, failed, skipped, notes } = countResults(report, Number(code ?? 0));
  for (const note of notes) process.stderr.write(`ci: ${note}\n`);
  process.stdout.write(`${passed} ${failed} ${skipped}\n`);
}
