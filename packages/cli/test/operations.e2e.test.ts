import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import type { ConvergeInput } from "@sparta/converge";
import { type Emulator, startEmulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { copyExample, removeCopies, runInProcess } from "./example.js";
import { cfnLint, hasCfnLint } from "./helpers.js";

/*
 * A fake of @sparta/converge's two stack calls, so provision's wiring can be checked on a stack whose outputs we
 * choose (moto accepts but drops a change set's RollbackConfiguration and keeps no alarm CloudFormation creates,
 * so an emulator stack never has the alarm outputs). What it reproduces: `describeStack` answers undefined for a
 * stack that does not exist and `{ status, outputs, resources: [] }` for one that does; `converge` records its
 * input and answers `{ kind: "updated" }` with the stack's outputs, as after a successful update. Everything else
 * of the package is the real one. CloudWatch is the emulator's (moto implements PutMetricAlarm, SetAlarmState
 * and DescribeAlarms), so `sparta status` reads real alarm states through the real SDK client.
 */
const stack: { outputs?: Record<string, string> } = {};
const convergeInputs: ConvergeInput[] = [];
vi.mock("@sparta/converge", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@sparta/converge")>()),
  describeStack: vi.fn(async ({ stackName }: { stackName: string }) =>
    stack.outputs === undefined
      ? undefined
      : {
          stackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${stackName}/1`,
          status: "UPDATE_COMPLETE",
          outputs: stack.outputs,
          resources: [],
          parameters: {},
          tags: {},
        },
  ),
  converge: vi.fn(async (input: ConvergeInput) => {
    convergeInputs.push(input);
    return { kind: "updated", stackName: input.stackName, outputs: stack.outputs ?? {}, events: [] };
  }),
}));

const ACCOUNT = "123456789012";
const arn = (name: string) => `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${name}`;

describe("operations wired into sparta provision and status", () => {
  let emu: Emulator;
  let dir: string;
  let cw: CloudWatchClient;

  beforeAll(async () => {
    emu = await startEmulator();
    // The CLI creates its CloudWatch client from the standard environment, as in a real shell.
    for (const [k, v] of Object.entries(emu.env)) vi.stubEnv(k, v);
    cw = new CloudWatchClient(emu.clientConfig);
    dir = copyExample();
  }, 120_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    await emu?.stop();
    removeCopies();
  });

  // Converge reads the deployed output itself, from the stack it describes anyway (no extra call), and says which
  // trigger it set: none on a first create, the composite alarm after (its own tests, unchanged.test.ts).
  it("provision asks converge for the deployed composite alarm as the rollback trigger, watched 5 minutes", async () => {
    stack.outputs = { SpartaRollbackAlarmArn: arn("hello-rollback"), HelloCodeKey: "hello-0.zip" };
    convergeInputs.length = 0;
    const r = await runInProcess(["provision", "--s3Bucket", "sparta-artifacts", "--yes"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(convergeInputs[0]).toMatchObject({
      stackName: "hello",
      rollbackTriggerOutputs: [{ output: "SpartaRollbackAlarmArn", type: "AWS::CloudWatch::CompositeAlarm" }],
      monitoringTimeMinutes: 5,
    });
    expect(convergeInputs[0]!.rollbackTriggers).toBeUndefined();
    expect(convergeInputs[0]!.rollbackAlarms).toBeUndefined();
  }, 120_000);

  it("a deploy that removes alarms() passes no trigger (CloudFormation fails on a trigger it deletes)", async () => {
    stack.outputs = { SpartaRollbackAlarmArn: arn("hello-rollback") };
    convergeInputs.length = 0;
    const config = join(dir, "no-alarms.config.ts");
    writeFileSync(
      config,
      'import { service as base } from "./sparta.config.ts";\nexport const service = { ...base, decorators: [] };\n',
    );
    const r = await runInProcess(
      ["provision", "--s3Bucket", "sparta-artifacts", "--yes", "--service", config],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(convergeInputs[0]!.rollbackTriggers).toBeUndefined();
    expect(convergeInputs[0]!.rollbackTriggerOutputs).toBeUndefined();
  }, 120_000);

  it("status lists each function alarm's state, read from CloudWatch (alarms made with PutMetricAlarm)", async () => {
    const names = ["hello-HelloFunction-ErrorRate", "hello-HelloFunction-Throttles"];
    for (const AlarmName of names) {
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName,
          Namespace: "AWS/Lambda",
          MetricName: "Errors",
          Statistic: "Sum",
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
        }),
      );
    }
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: names[0],
        StateValue: "ALARM",
        StateReason: "Threshold Crossed: 1 datapoint [3.0] was >= 1.0",
      }),
    );
    await cw.send(new SetAlarmStateCommand({ AlarmName: names[1], StateValue: "OK", StateReason: "fine" }));
    stack.outputs = {
      SpartaAlarmHelloFunctionErrorRate: arn(names[0]!),
      SpartaAlarmHelloFunctionThrottles: arn(names[1]!),
      SpartaAlarmHelloFunctionDuration: arn("hello-HelloFunction-Duration"),
    };
    const json = await runInProcess(["status", "--format", "json"], dir);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).alarms).toEqual([
      {
        name: names[0],
        state: "ALARM",
        reason: "Threshold Crossed: 1 datapoint [3.0] was >= 1.0",
        since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
      { name: names[1], state: "OK", reason: "fine", since: expect.any(String) },
      // Deleted by hand, or never created: named, not hidden.
      { name: "hello-HelloFunction-Duration", state: "MISSING" },
    ]);
    const text = await runInProcess(["status"], dir);
    expect(text.stdout).toMatch(
      /\n {2}alarms:\n {4}ALARM {14}hello-HelloFunction-ErrorRate \(since [^)]+\): Threshold Crossed: 1 datapoint \[3\.0\] was >= 1\.0\n {4}OK {17}hello-HelloFunction-Throttles \(since [^)]+\)\n {4}MISSING {12}hello-HelloFunction-Duration\n?$/,
    );
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: names }));
  }, 120_000);

  it("status warns, and still prints the stack, when CloudWatch cannot be read", async () => {
    stack.outputs = { SpartaAlarmHelloFunctionErrorRate: arn("hello-HelloFunction-ErrorRate") };
    vi.stubEnv("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    try {
      const r = await runInProcess(["status", "--format", "json"], dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/could not read the stack's alarm states \(cloudwatch:DescribeAlarms\)/);
      expect(JSON.parse(r.stdout)).not.toHaveProperty("alarms");
    } finally {
      vi.stubEnv("AWS_ENDPOINT_URL", emu.env.AWS_ENDPOINT_URL!);
    }
  }, 120_000);

  it("with every feature on (safe deploys, alarms, health route, dashboard) the template passes cfn-lint", async () => {
    const config = join(dir, "full.config.ts");
    writeFileSync(
      config,
      [
        'import { alarms, dashboard, healthRoute, safeDeploy } from "@sparta/operations";',
        'import { service as base } from "./sparta.config.ts";',
        "export const service = {",
        "  ...base,",
        '  decorators: [safeDeploy({ shift: "Canary10Percent5Minutes" }), alarms(), healthRoute(), dashboard()],',
        "};",
        "",
      ].join("\n"),
    );
    const r = await runInProcess(["provision", "--noop", "--service", config, "--format", "json"], dir);
    expect(r.code, r.stderr).toBe(0);
    const path = join(dir, ".sparta", "cloudformation.json");
    const template = JSON.parse(readFileSync(path, "utf8")) as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    };
    const types = Object.values(template.Resources).map((res) => res.Type);
    for (const type of [
      "AWS::Lambda::Alias",
      "AWS::CodeDeploy::DeploymentGroup",
      "AWS::CloudWatch::CompositeAlarm",
      "AWS::CloudWatch::Dashboard",
    ])
      expect(types).toContain(type);
    // Each deployment group stops on alarms of this very template.
    const group = template.Resources.HelloFunctionDeploymentGroup!.Properties as {
      AlarmConfiguration: { Alarms: { Name: { Ref: string } }[] };
    };
    for (const { Name } of group.AlarmConfiguration.Alarms)
      expect(template.Resources[Name.Ref]?.Type).toBe("AWS::CloudWatch::Alarm");
    if (hasCfnLint) {
      const lint = cfnLint(path);
      expect(lint.output).toBe("");
      expect(lint.status).toBe(0);
    }
  }, 120_000);

  it("an operations decorator's warning reaches the CLI's reporter", async () => {
    const config = join(dir, "taken.config.ts");
    writeFileSync(
      config,
      [
        'import { service as base } from "./sparta.config.ts";',
        "export const service = {",
        "  ...base,",
        "  functions: base.functions.map((f) =>",
        '    f.name === "hello" ? { ...f, events: [...(f.events ?? []), { type: "httpApi", method: "GET", path: "/health" }] } : f,',
        "  ),",
        "};",
        "",
      ].join("\n"),
    );
    const r = await runInProcess(["provision", "--noop", "--service", config], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/No health route added: \w+ already routes "GET \/health" on HttpApi/);
  }, 120_000);

  it("provision --noop --list lists each ZIP as unzip -l does", async () => {
    const r = await runInProcess(["provision", "--noop", "--list"], dir);
    expect(r.code, r.stderr).toBe(0);
    const archives = r.stdout.split("\n").filter((l) => l.startsWith("Archive:  "));
    expect(archives).toHaveLength(3);
    for (const line of archives) {
      const zip = line.slice("Archive:  ".length);
      const unzip = execFileSync("unzip", ["-l", zip], { cwd: dir, encoding: "utf8" }).trimEnd();
      expect(r.stdout).toContain(unzip);
    }
    // The default output stays short.
    const plain = await runInProcess(["provision", "--noop"], dir);
    expect(plain.stdout).not.toContain("Archive:");
    const misuse = await runInProcess(["provision", "--list", "--s3Bucket", "sparta-artifacts"], dir);
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toMatch(/--list .* use it with --noop/);
  }, 120_000);
});
