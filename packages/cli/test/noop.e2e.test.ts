import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateTemplate } from "@sparta/template";
import { describe, expect, it } from "vitest";
import { exampleDir, runBinAsync } from "./example.js";
import { cfnLint, expectGolden, hasCfnLint } from "./helpers.js";

const golden = fileURLToPath(new URL("./golden/hello.template.json", import.meta.url));
const out = join(exampleDir, ".sparta");

function snapshot() {
  const files = readdirSync(out)
    .filter((f) => f.endsWith(".zip") || f.endsWith(".json"))
    .sort();
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(out, f)).toString("base64")]));
}

// One test file builds examples/hello itself (the others work on copies), so runs here are sequential.
describe("sparta provision --noop on examples/hello", () => {
  let first: Record<string, string>;

  it("builds a valid template, ZIPs and a manifest, touching no AWS", async () => {
    const r = await runBinAsync(["provision", "--noop", "--format", "json"], exampleDir);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ noop: true, stackName: "hello", resources: expect.any(Number) });
    expect(summary.functions.map((f: { name: string }) => f.name)).toEqual(["hello", "uploads", "nightly"]);
    const template = JSON.parse(readFileSync(join(out, "cloudformation.json"), "utf8"));
    expect(validateTemplate(template)).toEqual([]);
    // Keys are content hashes of bundles that include @sparta/handler; the golden file pins the rest.
    expectGolden(
      golden,
      readFileSync(join(out, "cloudformation.json"), "utf8").replace(/-[0-9a-f]{16}\.zip/g, "-<sha256>.zip"),
    );
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.artifacts.map((a: { key: string }) => a.key).sort()).toEqual(
      summary.functions.map((f: { key: string }) => f.key).sort(),
    );
    for (const f of summary.functions) {
      const test = spawnSync("unzip", ["-t", join(out, f.key)], { encoding: "utf8" });
      expect(test.stdout).toMatch(/No errors detected/);
      expect(test.status).toBe(0);
      // Each function's S3Key is its content-addressed artifact.
      expect(JSON.stringify(template)).toContain(`"S3Key": "${f.key}"`.replace(": ", ":"));
    }
    first = snapshot();
  }, 120_000);

  it("gives byte-identical artifacts, template and manifest on a second run", async () => {
    const r = await runBinAsync(["provision", "--noop"], exampleDir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^noop: would provision stack hello \(\d+ resources\); nothing was deployed/);
    expect(snapshot()).toEqual(first);
  }, 120_000);

  it.skipIf(!hasCfnLint)(
    "passes cfn-lint",
    () => {
      const lint = cfnLint(join(out, "cloudformation.json"));
      expect(lint.output).toBe("");
      expect(lint.status).toBe(0);
    },
    120_000,
  );
});
