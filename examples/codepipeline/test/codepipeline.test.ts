import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildService, runCli } from "@sparta/cli";
import { alarmNamesFor } from "@sparta/operations";
import { readZipEntries, writeBuildOutput } from "@sparta/packager";
import { collectIamActions } from "@sparta/pipeline";
import { validateTemplate } from "@sparta/template";
import { afterAll, describe, expect, it } from "vitest";
import { pipeline, service } from "../sparta.config.js";
import { handler } from "../src/hello.js";

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(join(tmpdir(), "codepipeline-example-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hasCfnLint = spawnSync("cfn-lint", ["--version"], { encoding: "utf8" }).status === 0;
const silent = { info() {}, warn() {}, debug() {}, progress() {}, event() {} };
const CONNECTION =
  "arn:aws:codestar-connections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789";

describe("examples/codepipeline", () => {
  it("keeps the pipeline part of the service file within 15 lines", () => {
    const lines = readFileSync(join(exampleDir, "sparta.config.ts"), "utf8").split("\n");
    // Every line naming the pipeline or the alarms that gate it, plus every line of the codePipeline({...}) call.
    const start = lines.findIndex((l) => l.includes("codePipeline({"));
    const end = lines.findIndex((l, i) => i > start && l.startsWith("});"));
    expect(start).toBeGreaterThan(0);
    const pipelineLines = lines.filter(
      (line, i) =>
        ((i >= start && i <= end) || /pipeline|codePipeline|alarms\(/i.test(line)) && !/^\s*\/\//.test(line),
    );
    expect(pipelineLines.length).toBeGreaterThan(3);
    expect(pipelineLines.length).toBeLessThanOrEqual(15);
  });

  it("returns the environment's MESSAGE from the hello function", async () => {
    const event = structuredClone(
      JSON.parse(readFileSync(join(exampleDir, "test/events/apigw-v2/no-authorizer.json"), "utf8")),
    );
    process.env.MESSAGE = "Hello from the test environment";
    try {
      const result = (await (
        handler as (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }>
      )(event, { awsRequestId: "r-1", functionName: "hello", getRemainingTimeInMillis: () => 5000 })) as {
        statusCode: number;
        body: string;
      };
      expect(result.statusCode).toBe(200);
      expect(result.body).toBe("Hello from the test environment");
    } finally {
      delete process.env.MESSAGE;
    }
  });

  it("writes a CodePipeline package of exactly cloudformation.json, test.json and production.json", async () => {
    // The service as `sparta provision` builds it (the pipeline decorator runs), then the package as
    // `--codePipelinePackage SpartaCodePipeline.zip` writes it, through @sparta/packager.
    const build = await buildService({ service, serviceDir: exampleDir, reporter: silent, noop: true });
    const out = await writeBuildOutput({
      serviceDir: work,
      template: build.template,
      artifacts: [],
      codePipelinePackage: pipeline.packageFor("SpartaCodePipeline.zip"),
    });
    const zip = out.pipelinePackage!.path;
    expect((await readZipEntries(zip)).map((e) => e.name).sort()).toEqual([
      "cloudformation.json",
      "production.json",
      "test.json",
    ]);

    // Lay it out as the buildspec's post_build does, then read what CodePipeline's actions will read.
    execFileSync("unzip", ["-o", zip, "-d", join(work, ".sparta")]);
    const read = (name: string) => JSON.parse(readFileSync(join(work, ".sparta", name), "utf8"));
    expect(read("test.json")).toEqual({
      Parameters: { EnvMESSAGE: "Hello from the test environment" },
      Tags: { "sparta:environment": "test" },
    });
    expect(read("production.json")).toEqual({
      Parameters: { EnvMESSAGE: "Hello from production" },
      Tags: { "sparta:environment": "production" },
    });
    const template = read("cloudformation.json");
    expect(template.Parameters.EnvMESSAGE).toMatchObject({ Type: "String" });
    expect(template.Resources.HelloFunction.Properties.Environment.Variables).toEqual({
      MESSAGE: { Ref: "EnvMESSAGE" },
    });
  });

  it("sparta provisionPipeline --noop writes .sparta/pipeline.json and .sparta/buildspec.yml", async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runCli(
      [
        "provisionPipeline",
        "--noop",
        "--pipeline",
        "SpartaCodePipeline",
        "--repo",
        "https://github.com/acme/sparta-hello/tree/master",
        "--connection",
        CONNECTION,
      ],
      {
        cwd: exampleDir,
        env: {},
        stdout: { write: (s: string) => stdout.push(s) },
        stderr: { write: (s: string) => stderr.push(s) },
      },
    );
    expect(stderr.join("")).not.toMatch(/error/);
    expect(code).toBe(0);
    const template = JSON.parse(readFileSync(join(exampleDir, ".sparta", "pipeline.json"), "utf8"));
    const stages = template.Resources.Pipeline.Properties.Stages as {
      Name: string;
      Actions: { Configuration: Record<string, unknown> }[];
    }[];
    expect(stages.map((s) => s.Name)).toEqual(["Source", "Build", "Test", "Production"]);
    expect(stages[2]?.Actions[0]?.Configuration.StackName).toBe("Test-SpartaCodePipeline-master");
    expect(stages[3]?.Actions[0]?.Configuration.StackName).toBe("Prod-SpartaCodePipeline-master");
    const spec = readFileSync(join(exampleDir, ".sparta", "buildspec.yml"), "utf8");
    expect(spec).toContain(
      'pnpm exec sparta provision --codePipelinePackage "$SPARTA_CODEPIPELINE_PACKAGE" --noop',
    );
    expect(spec).toContain("base-directory: examples/codepipeline/.sparta");
    expect(stdout.join("")).toContain("Test-SpartaCodePipeline-master (no approval)");

    // test deploys straight through; production waits for the test stack's own alarms to stay quiet.
    const actions = (i: number) => (stages[i]!.Actions as unknown as { Name: string }[]).map((a) => a.Name);
    expect(actions(2)).toEqual(["CreateChangeSet", "ExecuteChangeSet"]);
    expect(actions(3)).toEqual(["CreateChangeSet", "PromotionGate", "ExecuteChangeSet"]);
    const build = await buildService({ service, serviceDir: exampleDir, reporter: silent, noop: true });
    const testAlarms = alarmNamesFor(build.template, "Test-SpartaCodePipeline-master");
    expect(testAlarms.sort()).toEqual(
      ["Duration", "ErrorRate", "Throttles"]
        .map((k) => `Test-SpartaCodePipeline-master-HelloFunction-${k}`)
        .concat("Test-SpartaCodePipeline-master-HttpApi-5xx")
        .sort(),
    );
    const gate = template.Resources.PromotionGateProduction.Properties;
    expect(gate.Environment.EnvironmentVariables).toContainEqual({
      Name: "SPARTA_ALARMS",
      Type: "PLAINTEXT",
      Value: alarmNamesFor(build.template, "Test-SpartaCodePipeline-master").join(" "),
    });
    expect(gate.Environment.EnvironmentVariables).toContainEqual({
      Name: "SPARTA_QUIET_MINUTES",
      Type: "PLAINTEXT",
      Value: "15",
    });
    // The deploy role may create those alarms in the stage stacks, and nothing else in CloudWatch.
    const deploy = JSON.stringify(template.Resources.DeployRole.Properties.Policies);
    expect(deploy).toContain("cloudwatch:PutMetricAlarm");
    expect(deploy).toContain("alarm:Test-SpartaCodePipeline-master-*");
    expect(deploy).toContain("alarm:Prod-SpartaCodePipeline-master-*");
    expect(deploy).not.toMatch(/"cloudwatch:\*"|alarm:\*/);
    expect(collectIamActions(template).filter((a) => a.includes("*"))).toEqual([]);
    expect(validateTemplate(template)).toEqual([]);
    if (hasCfnLint) {
      // Both stacks: the pipeline and the service with its alarms. Exit-code bit 2 means an error finding.
      const servicePath = join(work, "service-with-alarms.json");
      writeFileSync(servicePath, JSON.stringify(build.template));
      const lint = spawnSync(
        "cfn-lint",
        ["--regions", "us-east-1", "--", join(exampleDir, ".sparta", "pipeline.json"), servicePath],
        { encoding: "utf8" },
      );
      expect(lint.stdout).not.toMatch(/^E\d+/m);
      expect((lint.status ?? 1) & ~(4 | 8)).toBe(0);
    }
  });

  it("sparta provisionPipeline refuses the alarm gate once alarms() is taken out of the service", async () => {
    const dir = join(work, "no-alarms");
    cpSync(exampleDir, dir, { recursive: true, filter: (p) => !p.includes(".sparta") });
    const config = join(dir, "sparta.config.ts");
    writeFileSync(config, readFileSync(config, "utf8").replace("alarms(), ", ""));
    const stderr: string[] = [];
    const code = await runCli(
      [
        "provisionPipeline",
        "--noop",
        "--pipeline",
        "SpartaCodePipeline",
        "--repo",
        "https://github.com/acme/x#main",
      ].concat(["--connection", CONNECTION]),
      { cwd: dir, env: {}, stdout: { write: () => true }, stderr: { write: (s: string) => stderr.push(s) } },
    );
    expect(code).toBe(2);
    expect(stderr.join("")).toMatch(
      /"Test-SpartaCodePipeline-main" stay quiet, but the service template has no alarms/,
    );
    expect(existsSync(join(dir, ".sparta", "pipeline.json"))).toBe(false);
  });

  const badInput: [
    string,
    { edit?: (config: string) => string; flags?: Record<string, string>; message: RegExp },
  ][] = [
    [
      "a duplicate environment",
      {
        edit: (c) => `${c}pipeline.registerEnvironment("test", { MESSAGE: "again" });\n`,
        message: /Environment "test" is registered twice/,
      },
    ],
    [
      "a malformed --repo",
      {
        flags: { repo: "https://github.com/acme" },
        message: /--repo "https:\/\/github.com\/acme" is not a GitHub repository URL/,
      },
    ],
    [
      "no token or connection",
      { flags: { connection: "" }, message: /needs GitHub credentials: no --connection or --oauth/ },
    ],
    [
      "an unknown environment in a stage",
      {
        edit: (c) => c.replace('{ environment: "test", approval: "none" }', '{ environment: "staging" }'),
        message: /deploys environment "staging", which is not registered/,
      },
    ],
  ];

  it.each(
    badInput,
  )("sparta provisionPipeline fails on %s with exit code 2, before building", async (_name, bad) => {
    const dir = join(work, `bad-${_name.replace(/\W+/g, "-")}`);
    cpSync(exampleDir, dir, { recursive: true, filter: (p) => !p.includes(".sparta") });
    const config = join(dir, "sparta.config.ts");
    if (bad.edit) {
      const before = readFileSync(config, "utf8");
      const after = bad.edit(before);
      expect(after).not.toBe(before);
      writeFileSync(config, after);
    }
    const flags: Record<string, string> = {
      pipeline: "SpartaCodePipeline",
      repo: "https://github.com/acme/x#main",
      connection: CONNECTION,
      ...bad.flags,
    };
    const stderr: string[] = [];
    const code = await runCli(
      ["provisionPipeline", "--noop", ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])],
      {
        cwd: dir,
        env: {},
        stdout: { write: () => true },
        stderr: { write: (s: string) => stderr.push(s) },
      },
    );
    expect(code).toBe(2);
    expect(stderr.join("")).toMatch(bad.message);
    expect(existsSync(join(dir, ".sparta", "pipeline.json"))).toBe(false);
    expect(existsSync(join(dir, ".sparta", "manifest.json"))).toBe(false);
  });
});
