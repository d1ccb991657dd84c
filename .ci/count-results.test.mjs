// The counting of .ci/run's closing line, on real vitest 4 JSON reports (fixtures/): run with `node --test .ci/`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { countResults } from "./count-results.mjs";

const fixture = (name) => JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8"));

test("a test file that fails in a hook, on an import, at load time or with no test counts as a failure", () => {
  // a.test.ts: 1 passed, 1 failed, 1 skipped; hook.test.ts: a top-level beforeAll throws (its 2 tests skipped);
  // describe-hook.test.ts: a describe's beforeAll throws (1 test skipped; vitest reports no message);
  // import.test.ts: imports a missing module; throws.test.ts: throws at load; empty.test.ts: no test
  const report = fixture("vitest-failing-files.json");
  assert.equal(report.numFailedTests, 1); // what vitest's own total says
  const counted = countResults(report, 1);
  assert.deepEqual(
    { passed: counted.passed, failed: counted.failed, skipped: counted.skipped },
    { passed: 1, failed: 6, skipped: 4 },
  );
  assert.deepEqual(counted.notes, [
    "describe-hook.test.ts failed without a failed test: an error outside its tests (a describe's hook?), see above",
    "empty.test.ts failed without a failed test: No test found in suite empty.test.ts",
    "hook.test.ts failed without a failed test: hook broke",
    "import.test.ts failed without a failed test: Cannot find module './does-not-exist.js' imported from /repo/p1/import.test.ts",
    "throws.test.ts failed without a failed test: module throws",
  ]);
});

test("a passing run counts its tests and nothing failed", () => {
  assert.deepEqual(countResults(fixture("vitest-passing.json"), 0), {
    passed: 1,
    failed: 0,
    skipped: 1,
    notes: [],
  });
});

test("a non-zero exit is never reported as 0 failed", () => {
  const counted = countResults(fixture("vitest-passing.json"), 1);
  assert.equal(counted.failed, 1);
  assert.match(counted.notes[0], /vitest exited 1 with no failed test/);
  const missing = countResults(undefined, 2);
  assert.deepEqual([missing.passed, missing.failed], [0, 1]);
  assert.deepEqual(missing.notes, [
    "vitest wrote no JSON report",
    "vitest exited 2 with no failed test in its report (an unhandled error? see its output)",
  ]);
});
