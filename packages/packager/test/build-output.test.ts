import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type BuildManifest,
  createZip,
  listArtifact,
  PackagerInputError,
  readZipEntries,
  writeBuildOutput,
} from "../src/index.js";
import { run, tempDir } from "./helpers.js";

const TEMPLATE = {
  AWSTemplateFormatVersion: "2010-09-09",
  Parameters: { Stage: { Type: "String" }, CodeKey: { Type: "String" } },
  Resources: {
    Hello: {
      Type: "AWS::Lambda::Function",
      Properties: {
        Code: { S3Bucket: "b", S3Key: { Ref: "CodeKey" } },
        Handler: "index.handler",
        Runtime: "nodejs22.x",
      },
    },
  },
};

const ENVIRONMENTS = {
  prod: { Parameters: { Stage: "prod", CodeKey: "hello-0123456789abcdef.zip" }, Tags: { team: "sparta" } },
  dev: { Parameters: { Stage: "dev", CodeKey: "hello-0123456789abcdef.zip" } },
};

const GOLDEN = join(import.meta.dirname, "golden", "codepipeline-package.txt");

describe("writeBuildOutput", () => {
  it("writes the template and a manifest of every artifact into .sparta/", async () => {
    const dir = await tempDir();
    const artifact = await createZip({
      name: "hello",
      outDir: join(dir, ".sparta"),
      entries: [{ name: "index.mjs", content: "export const handler = () => 1;\n" }],
    });
    const out = await writeBuildOutput({ serviceDir: dir, template: TEMPLATE, artifacts: [artifact] });

    expect(out.dir).toBe(join(dir, ".sparta"));
    expect(out.pipelinePackage).toBeUndefined();
    const templateText = await readFile(out.templatePath, "utf8");
    expect(templateText).toBe(`${JSON.stringify(TEMPLATE, null, 2)}\n`);
    const manifest = JSON.parse(await readFile(out.manifestPath, "utf8")) as BuildManifest;
    expect(manifest).toEqual({
      version: 1,
      template: { file: "cloudformation.json", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      artifacts: [
        {
          key: artifact.key,
          file: artifact.key,
          sha256: artifact.sha256,
          size: artifact.size,
          entries: artifact.entries,
        },
      ],
    });
    expect(await readFile(out.manifestPath, "utf8")).not.toContain(dir);
  });

  it("writes the CodePipeline package: cloudformation.json and one template configuration per environment, at the root", async () => {
    const dir = await tempDir();
    const out = await writeBuildOutput({
      serviceDir: dir,
      template: TEMPLATE,
      artifacts: [],
      codePipelinePackage: { fileName: "pipeline.zip", environments: ENVIRONMENTS },
    });
    const pkg = out.pipelinePackage;
    expect(pkg?.path).toBe(join(dir, ".sparta", "pipeline.zip"));
    expect(run("unzip", ["-t", join(dir, ".sparta", "pipeline.zip")]).status).toBe(0);
    expect((await readZipEntries(pkg?.path as string)).map((e) => e.name)).toEqual([
      "cloudformation.json",
      "dev.json",
      "prod.json",
    ]);

    // What CodeBuild hands to CodePipeline after the buildspec's `unzip` in post_build.
    const unpacked = join(dir, "unpacked");
    expect(run("unzip", ["-q", pkg?.path as string, "-d", unpacked]).status).toBe(0);
    expect(await readFile(join(unpacked, "cloudformation.json"), "utf8")).toBe(
      await readFile(out.templatePath, "utf8"),
    );
    expect(JSON.parse(await readFile(join(unpacked, "prod.json"), "utf8"))).toEqual(ENVIRONMENTS.prod);
    expect(JSON.parse(await readFile(join(unpacked, "dev.json"), "utf8"))).toEqual({
      ...ENVIRONMENTS.dev,
      Tags: {},
    });

    const manifest = JSON.parse(await readFile(out.manifestPath, "utf8")) as BuildManifest;
    expect(manifest.pipelinePackage).toMatchObject({
      file: "pipeline.zip",
      sha256: pkg?.sha256,
      size: pkg?.size,
    });

    const golden = [
      (await listArtifact(pkg?.path as string)).replace(pkg?.path as string, "pipeline.zip"),
      "--- prod.json",
      await readFile(join(unpacked, "prod.json"), "utf8"),
      "--- dev.json",
      await readFile(join(unpacked, "dev.json"), "utf8"),
    ].join("\n");
    if (process.env.UPDATE === "1") {
      await mkdir(join(GOLDEN, ".."), { recursive: true });
      await writeFile(GOLDEN, golden);
    }
    expect(
      existsSync(GOLDEN),
      `missing ${GOLDEN}: run the tests once with UPDATE=1 and review the diff`,
    ).toBe(true);
    expect(golden).toBe(await readFile(GOLDEN, "utf8"));
  });

  it("gives the same package bytes for the same input, whatever the environments' order", async () => {
    const a = await tempDir();
    const b = await tempDir();
    const one = await writeBuildOutput({
      serviceDir: a,
      template: TEMPLATE,
      artifacts: [],
      codePipelinePackage: { fileName: "p.zip", environments: ENVIRONMENTS },
    });
    const two = await writeBuildOutput({
      serviceDir: b,
      template: TEMPLATE,
      artifacts: [],
      codePipelinePackage: {
        fileName: "p.zip",
        environments: { dev: ENVIRONMENTS.dev, prod: ENVIRONMENTS.prod },
      },
    });
    expect(two.pipelinePackage?.sha256).toBe(one.pipelinePackage?.sha256);
  });

  it("rejects bad package names, environment names and non-string values with a fix", async () => {
    const dir = await tempDir();
    const write = (fileName: string, environments: Record<string, { Parameters: Record<string, string> }>) =>
      writeBuildOutput({
        serviceDir: dir,
        template: TEMPLATE,
        artifacts: [],
        codePipelinePackage: { fileName, environments },
      });
    await expect(write("../p.zip", ENVIRONMENTS)).rejects.toThrow(/plain file name ending in "\.zip"/);
    await expect(write("p.tar", ENVIRONMENTS)).rejects.toBeInstanceOf(PackagerInputError);
    await expect(write("p.zip", {})).rejects.toThrow(/at least one environment/);
    await expect(write("p.zip", { "../x": { Parameters: {} } })).rejects.toThrow(/Environment name "..\/x"/);
    await expect(write("p.zip", { cloudformation: { Parameters: {} } })).rejects.toThrow(
      /not "cloudformation"/,
    );
    await expect(write("p.zip", { prod: { Parameters: { Count: 3 as unknown as string } } })).rejects.toThrow(
      /Environment "prod": Parameters\.Count must be a string/,
    );
  });
});
