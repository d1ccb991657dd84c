import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { buildService } from "@sparta/cli";
import { describeStack } from "@sparta/converge";
import { type Emulator, startEmulator } from "@sparta/converge/testing";
import { alarmNamesFor } from "@sparta/operations";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { service } from "../sparta.config.js";
import {
  CONNECTION,
  makeTestRepo,
  provideNode,
  putGateAlarms,
  REPO,
  runEnv,
  sparta,
  spartaBin,
  type TestRepo,
} from "./runpipeline-repo.js";

// `sparta runPipeline` end to end against the AWS emulator: the example's own pipeline (test, then production
// behind the alarm gate) and a manual-approval variant of it, each deployed with provisionPipeline first, then run
// from a git repository holding the example (see runpipeline-repo.ts for what is real and what is a test double).
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
    provideNode(work, 22);
    repo.commit("a manual variant", { "examples/codepipeline/manual.config.ts": MANUAL_CONFIG });
    env = runEnv(emu.env, repo, work);
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

  it("warns when the deployed pipeline stack differs from the template it builds now, and runs the current one", async () => {
    // Another code bucket makes another template; --from with no previous run then stops before anything runs.
    const r = await run([
      ...MANUAL,
      "--s3Bucket",
      "another-bucket",
      "--from",
      "Production",
      "--approve",
      "all",
    ]);
    expect(r.stderr).toContain(
      "The deployed pipeline stack SpartaManual differs from the template provisionPipeline builds now; this run follows the current template",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--from needs a previous run of this pipeline");
  }, 60_000);

  it("runs the example's pipeline: both stage stacks from the CodePipeline package, each with its MESSAGE", async () => {
    // The alarms the gate watches (the emulator's CloudFormation does not create alarms yet).
    const { template } = await buildService({
      service,
      serviceDir: repo.serviceDir,
      reporter: silent,
      noop: true,
    });
    await putGateAlarms(emu.clientConfig, alarmNamesFor(template, TEST_STACK));

    const r = await run([...GATE, "--approve", "all"]);
    expect(r.stderr).toContain("not in CodeBuild containers");
    expect(r.code, r.stderr).toBe(0);
    const result = record(r);
    expect(result.status).toBe("Succeeded");
    // Each stage that ran records its overhead: its duration less its actions' own work (commands, CloudFormation).
    for (const s of result.stages as { durationMs: number; overheadMs: number }[]) {
      expect(s.overheadMs).toBeGreaterThanOrEqual(0);
      expect(s.overheadMs).toBeLessThanOrEqual(s.durationMs);
    }
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

  const stages = (result: {
    stages: { name: string; status: string; actions: { stackResult?: string }[] }[];
  }) => result.stages.map((s) => `${s.name}:${s.status}`);
  const stackResults = (result: { stages: { actions: { stackResult?: string }[] }[] }) =>
    result.stages.flatMap((s) => s.actions.flatMap((a) => (a.stackResult ? [a.stackResult] : [])));

  it("a second run of the same commit ends with both stages unchanged", async () => {
    // --concurrency reaches the run (this pipeline has one action a RunOrder, so it changes nothing here).
    const r = await run([...GATE, "--approve", "all", "--concurrency", "2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(stackResults(record(r))).toEqual(["unchanged", "unchanged", "unchanged", "unchanged"]);
  }, 120_000);

  it("an alarm in ALARM stops the promotion: test is updated, production keeps its message", async () => {
    const helloConfig = repo.read("examples/codepipeline/sparta.config.ts");
    repo.commit("new messages", {
      "examples/codepipeline/sparta.config.ts": helloConfig
        .replace("Hello from the test environment", "Hello again, test")
        .replace("Hello from production", "Hello again, production"),
    });
    const cw = new CloudWatchClient({ ...emu.clientConfig, maxAttempts: 1 });
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: `${TEST_STACK}-HelloFunction-ErrorRate`,
        StateValue: "ALARM",
        StateReason: "test",
      }),
    );
    const r = await run([...GATE, "--approve", "all"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`In ALARM: ${TEST_STACK}-HelloFunction-ErrorRate; not promoting.`);
    expect(stages(record(r))).toEqual([
      "Source:Succeeded",
      "Build:Succeeded",
      "Test:Succeeded",
      "Production:Failed",
    ]);
    expect(await message(TEST_STACK)).toBe("Hello again, test");
    expect(await message(PROD_STACK)).toBe("Hello from production");
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: `${TEST_STACK}-HelloFunction-ErrorRate`,
        StateValue: "OK",
        StateReason: "test",
      }),
    );
    repo.commit("the example's messages again", { "examples/codepipeline/sparta.config.ts": helloConfig });
  }, 120_000);

  it("without a terminal, a manual approval needs --approve or --reject, checked before anything runs", async () => {
    const r = await run(MANUAL);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "Stage Test waits for a manual approval (Approve) and there is no terminal to ask",
    );
    expect(await describeStack({ stackName: "Test-SpartaManual-master" })).toBeUndefined();
  }, 60_000);

  it("a failing build command stops the run before any deploy, naming the command, its exit status and output", async () => {
    const hello = repo.read("examples/codepipeline/src/hello.ts");
    // The committed HEAD is broken; the working tree (which the CLI loads the service from) is not.
    repo.commit("a syntax error", {
      "examples/codepipeline/src/hello.ts": `${hello}\nexport const broken = (;\n`,
    });
    writeFileSync(join(repo.serviceDir, "src", "hello.ts"), hello);
    const r = await run([...MANUAL, "--approve", "all"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/failed command: pnpm exec sparta provision --codePipelinePackage/);
    expect(r.stderr).toMatch(/exit status: [1-9]/);
    expect(r.stderr).toContain("output (last lines):");
    expect(r.stderr).toContain("hello.ts");
    expect(stages(record(r))).toEqual([
      "Source:Succeeded",
      "Build:Failed",
      "Test:NotRun",
      "Production:NotRun",
    ]);
    expect(r.stderr).toContain("1 uncommitted change(s) left out");
    expect(await describeStack({ stackName: "Test-SpartaManual-master" })).toBeUndefined();
    repo.commit("fixed", { "examples/codepipeline/src/hello.ts": hello });
  }, 120_000);

  it("--reject production deploys test and leaves production untouched; --from Production resumes", async () => {
    const first = await run([...MANUAL, "--approve", "all"]);
    expect(first.code, first.stderr).toBe(0);
    const config = repo.read("examples/codepipeline/manual.config.ts");
    repo.commit("new messages", {
      "examples/codepipeline/manual.config.ts": config
        .replace("Hello from the test environment", "Test, take two")
        .replace("Hello from production", "Production, take two"),
      "examples/codepipeline/sparta.config.ts": repo
        .read("examples/codepipeline/sparta.config.ts")
        .replace("Hello from the test environment", "Test, take two")
        .replace("Hello from production", "Production, take two"),
    });
    const rejected = await run([...MANUAL, "--approve", "test", "--reject", "production"]);
    expect(rejected.code).toBe(3);
    const rec = record(rejected);
    expect(stages(rec)).toEqual([
      "Source:Succeeded",
      "Build:Succeeded",
      "Test:Succeeded",
      "Production:Failed",
    ]);
    expect(
      rec.stages[3].actions.map((a: { name: string; status: string }) => `${a.name}:${a.status}`),
    ).toEqual(["CreateChangeSet:Succeeded", "Approve:Failed"]);
    expect(await message("Test-SpartaManual-master")).toBe("Test, take two");
    expect(await message("Prod-SpartaManual-master")).toBe("Hello from production");

    const resumed = await run([...MANUAL, "--from", "Production", "--approve", "production"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const again = record(resumed);
    expect(again.from).toEqual({ stage: "Production", executionId: rec.executionId });
    expect(stages(again)).toEqual([
      "Source:Skipped",
      "Build:Skipped",
      "Test:Skipped",
      "Production:Succeeded",
    ]);
    expect(resumed.stderr).not.toContain("[build] $");
    expect(await message("Prod-SpartaManual-master")).toBe("Production, take two");
  }, 180_000);

  it("a template configuration naming a parameter the template does not declare fails, naming it", async () => {
    const config = repo.read("examples/codepipeline/sparta.config.ts");
    // A decorator after the pipeline's takes EnvMESSAGE out of the template (the function gets a literal), but the
    // package's test.json, written from the registered environments, still sets it.
    const dropParameter =
      "(ctx: any) => { delete ctx.template.Parameters.EnvMESSAGE; " +
      "for (const r of Object.values(ctx.template.Resources) as any[]) " +
      'if (r.Properties?.Environment?.Variables?.MESSAGE) r.Properties.Environment.Variables.MESSAGE = "fixed"; }';
    repo.commit("parameter dropped", {
      "examples/codepipeline/sparta.config.ts": config.replace(
        "decorators: [alarms(), pipeline.decorator]",
        `decorators: [alarms(), pipeline.decorator, ${dropParameter}]`,
      ),
    });
    const r = await run([...MANUAL, "--approve", "all"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      "TemplateConfiguration BuildOutput::test.json sets parameter EnvMESSAGE, which BuildOutput::cloudformation.json does not declare",
    );
    expect(await message("Test-SpartaManual-master")).toBe("Test, take two");
    repo.commit("parameter back", { "examples/codepipeline/sparta.config.ts": config });
  }, 120_000);

  it("on a terminal, asks for each manual approval; a no stops the run there", async () => {
    // `script` gives the command a terminal; the answers are typed when each question shows.
    const command = [process.execPath, spartaBin, "runPipeline", ...MANUAL].map((a) => `'${a}'`).join(" ");
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      cwd: repo.serviceDir,
      env: { ...env, NO_COLOR: "1" },
    });
    let screen = "";
    const answered = new Set<string>();
    child.stdout.on("data", (d) => {
      screen += d;
      for (const [stage, answer] of [
        ["Test", "y"],
        ["Production", "n"],
      ] as const) {
        if (!answered.has(stage) && screen.includes(`Approve stage ${stage} (Approve)?`)) {
          answered.add(stage);
          child.stdin.write(`${answer}\r`);
        }
      }
    });
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect([...answered]).toEqual(["Test", "Production"]);
    expect(code).toBe(3);
    expect(screen).toMatch(/Approve Succeeded .*Approved/);
    expect(screen).toMatch(/Production +Failed .*Rejected/);
    // The closing summary gives each stage that ran what the run added beyond its actions' own work.
    expect(screen).toMatch(/Test +Succeeded +\d+\.\d s {2}overhead \d+\.\d s {2}/);
  }, 120_000);
});
