import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readZipEntries } from "@sparta/packager";
import { afterAll, describe, expect, it } from "vitest";
import { runInProcess } from "./example.js";

const exampleDir = fileURLToPath(new URL("../../../examples/codepipeline/", import.meta.url));

/** A private copy of examples/codepipeline, its node_modules a symlink to the example's. */
function copyCodePipelineExample(): string {
  const dir = mkdtempSync(join(tmpdir(), "sparta-codepipeline-"));
  for (const f of ["package.json", "sparta.config.ts", "src"])
    cpSync(join(exampleDir, f), join(dir, f), { recursive: true });
  symlinkSync(join(exampleDir, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

describe("sparta provision --codePipelinePackage on examples/codepipeline", () => {
  const dir = copyCodePipelineExample();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("--noop writes .sparta/SpartaCodePipeline.zip: the template and one configuration per environment", async () => {
    const r = await runInProcess(
      [
        "provision",
        "--codePipelinePackage",
        "SpartaCodePipeline.zip",
        "--noop",
        "--list",
        "--format",
        "json",
      ],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    const zip = join(dir, ".sparta", "SpartaCodePipeline.zip");
    expect(summary.pipelinePackage.path).toBe(zip);
    const entries = await readZipEntries(zip);
    expect(entries.map((e) => e.name).sort()).toEqual([
      "cloudformation.json",
      "production.json",
      "test.json",
    ]);
    // What CodePipeline's CloudFormation action reads: each file as extracted from the package.
    const read = (name: string) => JSON.parse(execFileSync("unzip", ["-p", zip, name], { encoding: "utf8" }));
    expect(read("test.json")).toEqual({
      Parameters: { EnvMESSAGE: "Hello from the test environment" },
      Tags: { "sparta:environment": "test" },
    });
    expect(read("production.json")).toEqual({
      Parameters: { EnvMESSAGE: "Hello from production" },
      Tags: { "sparta:environment": "production" },
    });
    // The packaged template is the one the build wrote, and declares the parameter the configurations set.
    const template = read("cloudformation.json");
    expect(template).toEqual(JSON.parse(readFileSync(join(dir, ".sparta", "cloudformation.json"), "utf8")));
    expect(template.Parameters.EnvMESSAGE).toMatchObject({ Type: "String" });
    // --list names the package too, entry by entry.
    const listing = summary.listings.find((l: string) =>
      l.startsWith("Archive:  .sparta/SpartaCodePipeline.zip"),
    );
    expect(listing).toMatch(/ cloudformation\.json\n/);
    expect(listing).toMatch(/ production\.json\n/);
    expect(listing).toMatch(/ test\.json\n/);
    expect(listing).toMatch(/ 3 files\n$/);
  }, 120_000);

  it("the pipeline's own command and its flags are typed in kebab-case too (provision-pipeline --s3-bucket)", async () => {
    const r = await runInProcess(
      [
        "provision-pipeline",
        "--noop",
        "--pipeline",
        "SpartaCodePipeline",
        "--repo",
        "https://github.com/acme/sparta-hello#master",
        "--connection",
        "arn:aws:codestar-connections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        "--s3-bucket",
        "my-code-bucket",
      ],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("noop: wrote .sparta/pipeline.json");
    const typo = await runInProcess(["provision-pipeline", "--noop", "--pipline", "X"], dir);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown flag --pipline\. Did you mean --pipeline\?/);
  }, 120_000);
});
