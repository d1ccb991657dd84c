import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { buildService } from "@sparta/cli";
import { describeStack } from "@sparta/converge";
import { type Emulator, startEmulator } from "@sparta/converge/testing";
import { alarmNamesFor } from "@sparta/operations";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { service } from "../sparta.config.js";
import { makeTestRepo, sparta, type TestRepo } from "./runpipeline-repo.js";

// `sparta runPipeline` end to end against the AWS emulator: the example's own pipeline (test, then production
// behind the alarm gate) and a manual-approval variant of it, each deployed with provisionPipeline first, then run
// from a git repository holding the example (see runpipeline-repo.ts for what is real and what is a test double).
const REPO = ["--repo", "https://github.com/acme/sparta-hello#master"];
const CONNECTION = [
  "--connection",
  "arn:aws:codestar-connections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6789",
];
const GATE = ["--pipeline", "SpartaCodePipeline", ...REPO];
const MANUAL = ["--pipeline", "SpartaManual", ...REPO, "--service", "manual.config.ts"];
const silent = { info() {}, warn() {}, debug() {}, progress() {}, event() {} };
const TEST_STACK = "Test-SpartaCodePipeline-master";
const PROD_STACK = "Prod-SpartaCodePipeline-master";

// The example with a person in the loop: every stage waits for a manual approval.
const MANUAL_CONFIG = `import { defineService } from "@sparta/cli";
import { codePipeline } from "@sparta/pipeline";
import { service as example } from "./sparta.config.js";

export const pipeline = codePipeline({ preBuild: ["pnpm run build"] });
pipeline.registerEnvironment("test", { MESSAGE: "Hello from the test environment" });
pipeline.registerEnvironment("production", { MESSAGE: "Hello from production" });
export const service = defineService({ ...example, decorators: [pipeline.decorator], commands: pipeline.commands });
`;

describe("sparta runPipeline against the AWS emulator", () => {
  let emu: Emulator;
  let work: string;
  let repo: TestRepo;
  let env: Record<string, string>;
  const lambda = () => new LambdaClient({ ...emu.clientConfig, maxAttempts: 1 });
  const message = async (stackName: string) => {
    const stack = await describeStack({ stackName });
    const fn = stack?.resources.find((r) => r.type === "AWS::Lambda::Function")?.physicalId;
    if (!fn) return undefined;
    const config = await lambda().send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    return config.Environment?.Variables?.MESSAGE;
  };
  const run = (args: string[], extra: Record<string, string> = {}) =>
    sparta(["runPipeline", "--format", "json", ...args], repo.serviceDir, { ...env, ...extra });
  const record = (r: { stdout: string }) => JSON.parse(r.stdout);

  beforeAll(async () => {
    emu = await startEmulator();
    Object.assign(process.env, emu.env);
    work = mkdtempSync(join(tmpdir(), "runpipeline-"));
    repo = makeTestRepo(join(work, "repo"));
    repo.commit("a manual variant", { "examples/codepipeline/manual.config.ts": MANUAL_CONFIG });
    env = {
      ...emu.env,
      PATH: repo.path,
      HOME: work,
      SPARTA_TEST_NODE_MODULES: join(repo.serviceDir, "node_modules"),
      SPARTA_GATE_MINUTE_SECONDS: "0",
    };
    for (const args of [GATE, MANUAL]) {
      const r = await sparta(["provisionPipeline", ...args, ...CONNECTION], repo.serviceDir, env);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.code).toBe(0);
    }
  }, 180_000);
  afterAll(async () => {
    await emu?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("names sparta provisionPipeline when the pipeline stack is not deployed", async () => {
    const r = await run(["--pipeline", "NotDeployed", ...REPO, ...CONNECTION]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("The pipeline stack NotDeployed is not deployed");
    expect(r.stderr).toContain("sparta provisionPipeline");
  });

  it("runs the example's pipeline: both stage stacks from the CodePipeline package, each with its MESSAGE", async () => {
    // The alarms the gate watches (the emulator's CloudFormation does not create alarms yet).
    const { template } = await buildService({
      service,
      serviceDir: repo.serviceDir,
      reporter: silent,
      noop: true,
    });
    const cw = new CloudWatchClient({ ...emu.clientConfig, maxAttempts: 1 });
    for (const AlarmName of alarmNamesFor(template, TEST_STACK)) {
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName,
          MetricName: "Errors",
          Namespace: "AWS/Lambda",
          Statistic: "Sum",
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
        }),
      );
    }

    const r = await run([...GATE, "--approve", "all"]);
    expect(r.stderr).toContain("not in CodeBuild containers");
    expect(r.code, r.stderr).toBe(0);
    const result = record(r);
    expect(result.status).toBe("Succeeded");
    expect(result.stages.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
      "Source:Succeeded",
      "Build:Succeeded",
      "Test:Succeeded",
      "Production:Succeeded",
    ]);
    expect(await message(TEST_STACK)).toBe("Hello from the test environment");
    expect(await message(PROD_STACK)).toBe("Hello from production");
    // The deploy role is recorded, not assumed.
    const create = result.stages[2].actions[0];
    expect(create.roleArn).toMatch(/^arn:aws:iam::123456789012:role\//);

    // The build output holds the package's files at its root: not zipped twice.
    const out = result.artifacts.find((a: { name: string }) => a.name === "BuildOutput");
    const s3 = await import("@aws-sdk/client-s3");
    const client = new s3.S3Client({ ...emu.clientConfig, forcePathStyle: true });
    const zip = await (
      await client.send(new s3.GetObjectCommand({ Bucket: out.bucket, Key: out.key }))
    ).Body!.transformToByteArray();
    writeFileSync(join(work, "BuildOutput.zip"), zip);
    const listing = execFileSync("unzip", ["-Z1", join(work, "BuildOutput.zip")], { encoding: "utf8" });
    expect(listing.trim().split("\n").sort()).toEqual([
      "cloudformation.json",
      "production.json",
      "test.json",
    ]);
  }, 120_000);
});
