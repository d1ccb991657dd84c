import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildService } from "@sparta/cli";
import { converge, createCfnClient, createS3Client, createStsClient, describeStack } from "@sparta/converge";
import { type Emulator, startEmulator } from "@sparta/converge/testing";
import { writeBuildOutput } from "@sparta/packager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipeline, service } from "../sparta.config.js";

// The pipeline's path, end to end, against the local AWS emulator (moto): `sparta provisionPipeline` converges the
// pipeline stack, then each environment stage is replayed as CodePipeline's CloudFormation action performs it
// (the package's cloudformation.json + <env>.json, the code bucket as a parameter override). The emulator creates the
// CodePipeline and CodeBuild resources but runs neither (see packages/converge/emulator/README.md).
const exampleDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(
  dirname(createRequire(import.meta.url).resolve("@sparta/cli/package.json")),
  "dist",
  "bin.js",
);
const BUCKET = "sparta-codepipeline-artifacts";
const TOKEN = "ghp_EmulatorTokenThatMustNotLeak0123456789";
const LAMBDA_AUTH =
  "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0";
const silent = { info() {}, warn() {}, debug() {}, progress() {}, event() {} };

function sparta(args: string[], cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

describe("the example's pipeline against the AWS emulator", () => {
  let emu: Emulator;
  let work: string;
  let serviceDir: string;
  const clients = () => {
    const options = {
      endpoint: emu.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "t", secretAccessKey: "t" },
    };
    return { cfn: createCfnClient(options), s3: createS3Client(options), sts: createStsClient(options) };
  };

  beforeAll(async () => {
    emu = await startEmulator();
    expect((await fetch(`${emu.endpoint}/${BUCKET}`, { method: "PUT" })).ok).toBe(true);
    work = mkdtempSync(join(tmpdir(), "codepipeline-emulator-"));
    // A copy of the example (symlinks made absolute), so builds here do not race the other test file's.
    serviceDir = join(work, "service");
    cpSync(exampleDir, serviceDir, { recursive: true, filter: (p) => !p.includes(".sparta") });
  }, 120_000);
  afterAll(async () => {
    await emu?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("provisionPipeline creates the pipeline stack, with the OAuth token only as a NoEcho parameter", async () => {
    const dir = serviceDir;
    const r = await sparta(
      [
        "provisionPipeline",
        "--format",
        "json",
        "--pipeline",
        "SpartaCodePipeline",
        "--repo",
        "https://github.com/acme/sparta-hello#master",
        "--s3Bucket",
        BUCKET,
      ],
      dir,
      { ...emu.env, SPARTA_OAUTH: TOKEN },
    );
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
    const result = JSON.parse(r.stdout);
    expect(result.kind).toBe("created");
    const stack = await describeStack({ stackName: "SpartaCodePipeline" }, clients());
    expect(stack?.status).toBe("CREATE_COMPLETE");
    expect(stack?.resources.map((x) => x.logicalId)).toEqual(
      expect.arrayContaining(["ArtifactBucket", "PipelineRole", "BuildRole", "DeployRole"]),
    );
    expect(readFileSync(join(dir, ".sparta", "pipeline.json"), "utf8")).not.toContain(TOKEN);
  }, 300_000);

  it("deploys each environment's stack from the CodePipeline package, each function reading its own MESSAGE", async () => {
    const build = await buildService({ service, serviceDir, reporter: silent, noop: true });
    const out = await writeBuildOutput({
      serviceDir: join(work, "package"),
      template: build.template,
      artifacts: [],
      codePipelinePackage: pipeline.packageFor("SpartaCodePipeline.zip"),
    });
    execFileSync("unzip", ["-o", out.pipelinePackage!.path, "-d", out.dir]); // the buildspec's post_build
    const read = (name: string) => JSON.parse(readFileSync(join(out.dir, name), "utf8"));

    for (const [environment, stackName, message] of [
      ["test", "Test-SpartaCodePipeline-master", "Hello from the test environment"],
      ["production", "Prod-SpartaCodePipeline-master", "Hello from production"],
    ] as const) {
      const configuration = read(`${environment}.json`);
      const result = await converge(
        {
          stackName,
          template: read("cloudformation.json"),
          parameters: { ...configuration.Parameters, ArtifactBucket: BUCKET },
          tags: configuration.Tags,
          bucket: BUCKET,
          artifacts: build.artifacts.map((a) => ({
            path: a.path,
            key: a.key,
            sha256: a.sha256,
            size: a.size,
          })),
        },
        clients(),
      );
      expect(result.kind).toBe("created");
      const stack = await describeStack({ stackName }, clients());
      const fn = stack?.resources.find((x) => x.type === "AWS::Lambda::Function");
      expect(fn?.physicalId).toBeTruthy();
      const config = (await (
        await fetch(
          `${emu.endpoint}/2015-03-31/functions/${encodeURIComponent(fn?.physicalId ?? "")}/configuration`,
          {
            // moto routes by the credential scope's service; it does not check the signature.
            headers: { authorization: LAMBDA_AUTH },
          },
        )
      ).json()) as { Environment?: { Variables?: Record<string, string> } };
      expect(config.Environment?.Variables?.MESSAGE).toBe(message);
      expect(stack?.tags["sparta:environment"]).toBe(environment);
    }
  }, 300_000);
});
