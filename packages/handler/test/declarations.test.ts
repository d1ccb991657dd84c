import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without declarations
import { checkTypes } from "../scripts/check-types.mjs";

const root = join(import.meta.dirname, "..");
const tsup = join(
  createRequire(join(root, "package.json")).resolve("tsup/package.json"),
  "../dist/cli-default.js",
);

// The published .d.ts must type-check in a plain Node project: lib ES2023, types node, skipLibCheck false, no DOM
// library. The declarations are built as the package builds them (tsup, this package's config) into a temporary
// folder, then checked there with every entry of the exports map imported.
describe("the published declarations", () => {
  it("type-check in a plain Node project without the DOM library", { timeout: 180_000 }, () => {
    const out = mkdtempSync(join(tmpdir(), "sparta-handler-dist-"));
    try {
      execFileSync(process.execPath, [tsup, "--out-dir", out], {
        cwd: root,
        stdio: "pipe",
      });
      const { ok, output, entries } = checkTypes({ dist: out });
      expect(output).toBe("");
      expect(ok).toBe(true);
      expect(entries).toEqual([
        ".",
        "./local",
        "./envelope",
        "./lattice",
        "./authorizer",
        "./custom-resource",
      ]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
