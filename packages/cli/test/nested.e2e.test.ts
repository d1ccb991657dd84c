import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { createCfnClient } from "@sparta/converge";

import type { Emulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeManyService } from "../bench/many-service.mjs";
import { emulatorWithBucket } from "./emulator.js";
import { exampleDir, runBinAsync } from "./example.js";

type Stack = NonNullable<
  Awaited<ReturnType<ReturnType<typeof createCfnClient>["describeStacks"]>>["Stacks"]
>[number];

const BUCKET = "sparta-many-artifacts";
const STACK = "many";

// A service of 120 functions with operations on (1,685 resources, 603 outputs in one template) deployed as a root
// stack and 120 nested stacks on the emulator: unchanged -> no change set; one function changed -> one nested stack.
describe("a service over CloudFormation's quotas, deployed as nested stacks", () => {
  const N = 120;
  let emu: Emulator;
  let dir: string;
  const sparta = (args: string[], env: Record<string, string> = {}) =>
    runBinAsync([...args, "--format", "json"], dir, { ...emu.env, ...env });
  const provision = (env: Record<string, string> = {}) =>
    sparta(["provision", "--s3Bucket", BUCKET, "--yes"], env);
  const cfn = () => createCfnClient(emu.clientConfig);
  const nestedStacks = async (): Promise<Stack[]> => {
    const root = (await cfn().describeStacks({ StackName: STACK })).Stacks?.[0];
    const all: Stack[] = [];
    let token: string | undefined;
    do {
      const page = await cfn().describeStacks({ ...(token ? { NextToken: token } : {}) });
      all.push(...(page.Stacks ?? []));
      token = page.NextToken;
    } while (token);
    return all.filter((s) => s.ParentId === root?.StackId && s.StackStatus !== "DELETE_COMPLETE");
  };
  const changeSets = async () => (await cfn().listChangeSets({ StackName: STACK })).Summaries?.length ?? 0;

  beforeAll(async () => {
    emu = await emulatorWithBucket(BUCKET);
    dir = mkdtempSync(join(tmpdir(), "sparta-many-"));
    writeManyService(dir, N, STACK);
    symlinkSync(join(exampleDir, "node_modules"), join(dir, "node_modules"), "dir");
  }, 120_000);

  afterAll(async () => {
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let before: Map<string, Stack>;
  it("creates the root and one nested stack per function, the root keeping its own outputs", async () => {
    const noop = await sparta(["provision", "--noop"]);
    expect(noop.code, noop.stderr).toBe(0);
    const plan = JSON.parse(noop.stdout);
    // the stacks, the API with its stage and 5xx alarm, the CodeDeploy application, the rollback alarm and its parts
    expect(plan.resources).toBeGreaterThan(N + 5);
    expect(plan.nestedStacks).toHaveLength(N);
    expect(plan.nestedStacks[0]).toMatchObject({
      logicalId: "F0FunctionStack",
      functions: ["F0Function"],
      key: expect.stringMatching(/^templates\/F0FunctionStack-[0-9a-f]{16}\.json$/),
    });
    expect(noop.stderr).toMatch(/\d{4} resources \(CloudFormation allows 500\), 603 outputs/);
    // stack tags reach every nested stack: no tag that changes at every build
    expect(plan.tags["sparta:buildId"]).toBeUndefined();

    const r = await provision();
    expect(r.stderr).not.toMatch(/^(internal )?error:/im);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.kind).toBe("created");
    expect(Object.keys(result.outputs).sort()).toEqual([
      "HttpApiUrl",
      "SpartaAlarmHttpApi5xx",
      "SpartaRollbackAlarmArn",
    ]);
    const nested = await nestedStacks();
    expect(nested).toHaveLength(N);
    expect(nested.every((s) => s.StackStatus === "CREATE_COMPLETE")).toBe(true);
    // a function's outputs live in its nested stack; its alarm names keep the root stack's name
    const f3 = nested.find((s) => s.StackName?.startsWith(`${STACK}-F3FunctionStack-`))!;
    const out = Object.fromEntries((f3.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    expect(out.F3CodeKey).toMatch(/^f3-[0-9a-f]{16}\.zip$/);
    expect(out.F3Arn).toMatch(/^arn:aws:lambda:us-east-1:\d{12}:function:/);
    expect(out.SpartaAlarmF3FunctionErrorRate).toMatch(/:alarm:many-F3Function-ErrorRate$/);
    before = new Map(nested.map((s) => [s.StackName!, s]));
  }, 600_000);

  it("status reads each function's code version from its nested stack; describe says which stack holds what", async () => {
    const status = await sparta(["status"]);
    expect(status.code, status.stderr).toBe(0);
    const st = JSON.parse(status.stdout);
    expect(Object.keys(st.functionVersions)).toHaveLength(N);
    expect(st.functionVersions.f3).toMatch(/^f3-[0-9a-f]{16}\.zip$/);
    expect(st.nestedStacks).toHaveLength(N);
    expect(st.nestedStacks[0]).toMatchObject({ logicalId: "F0FunctionStack", status: "CREATE_COMPLETE" });

    const described = await sparta(["describe"]);
    expect(described.code, described.stderr).toBe(0);
    const d = JSON.parse(described.stdout);
    expect(d.stacks).toHaveLength(N + 1);
    expect(d.stacks[0]).toMatchObject({ stack: "(root)", resources: expect.arrayContaining(["HttpApi"]) });
    expect(d.stacks[1]).toMatchObject({
      stack: "F0FunctionStack",
      functions: ["F0Function"],
      resources: expect.arrayContaining([
        "F0Function",
        "F0Role",
        "F0FunctionAlias",
        "F0FunctionErrorRateAlarm",
      ]),
    });
    const html = readFileSync(d.report, "utf8");
    expect(html).toContain("<h2>Stacks</h2>");
    expect(html).toMatch(
      /<tr><td><code>F0Role<\/code><\/td><td>AWS::IAM::Role<\/td><td><code>F0FunctionStack<\/code><\/td><\/tr>/,
    );
  }, 300_000);

  it("logs finds a function's log group in its nested stack", async () => {
    const f3 = (await nestedStacks()).find((s) => s.StackName?.startsWith(`${STACK}-F3FunctionStack-`));
    const listed = await cfn().listStackResources({ StackName: f3?.StackId });
    const group = listed.StackResourceSummaries?.find((r) => r.LogicalResourceId === "F3LogGroup");
    expect(group?.PhysicalResourceId).toBeTruthy();
    const cwl = new CloudWatchLogsClient(emu.clientConfig);
    const logGroupName = group?.PhysicalResourceId ?? "";
    await cwl.send(new CreateLogStreamCommand({ logGroupName, logStreamName: "s" }));
    await cwl.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: "s",
        logEvents: [{ timestamp: Date.now() - 60_000, message: "hello from f3" }],
      }),
    );
    const r = await runBinAsync(["logs", "--function", "f3"], dir, emu.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("f3 hello from f3");
    expect(r.stderr).not.toMatch(/no logs read/);
  }, 300_000);

  it("an unchanged service is a no-op: at most 3 calls and no change set", async () => {
    const sets = await changeSets();
    const r = await provision();
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.kind).toBe("unchanged");
    expect(result.apiCalls).toBeLessThanOrEqual(3);
    expect(await changeSets()).toBe(sets);
  }, 300_000);

  it("a one-function code change updates exactly that function's nested stack", async () => {
    writeFileSync(
      join(dir, "src", "f7.ts"),
      'export const handler = async (req: Request) => new Response("f7, changed " + req.url);\n',
    );
    const r = await provision();
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.kind).toBe("updated");
    expect(result.changes).toEqual([
      { action: "Modify", logicalId: "F7FunctionStack", resourceType: "AWS::CloudFormation::Stack" },
    ]);
    expect(r.stderr).toMatch(/Artifacts: 2 uploaded, \d+ already in/); // its ZIP and its nested template
    // the progress is followed into the nested stack
    expect(r.stderr).toMatch(/UPDATE_COMPLETE\s+AWS::Lambda::Function\s+F7FunctionStack\.F7Function\b/);
    // only that nested stack was updated (the emulator keeps no LastUpdatedTime for a nested stack: its status says)
    const after = await nestedStacks();
    const updated = after.filter((s) => s.StackStatus !== "CREATE_COMPLETE");
    expect(updated.map((s) => [s.StackName, s.StackStatus])).toEqual([
      [expect.stringMatching(/^many-F7FunctionStack-/), "UPDATE_COMPLETE"],
    ]);
    const codeKey = (s: Stack | undefined, fn: string) =>
      s?.Outputs?.find((o) => o.OutputKey === `${fn}CodeKey`)?.OutputValue;
    expect(codeKey(updated[0], "F7")).not.toBe(codeKey(before.get(updated[0]?.StackName ?? ""), "F7"));
    for (const s of after.filter((x) => x !== updated[0]))
      expect(s.Outputs).toEqual(before.get(s.StackName!)?.Outputs);
  }, 300_000);

  it("removing a function deletes its nested stack and nothing else", async () => {
    const r = await provision({ FUNCTIONS: String(N - 1) });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    // its stack goes; in the root, the part of the composite alarm that held its alarms loses them
    expect(result.changes).toEqual([
      {
        action: "Modify",
        logicalId: expect.stringMatching(/^SpartaRollbackAlarmPart\d+$/),
        resourceType: "AWS::CloudWatch::CompositeAlarm",
      },
      { action: "Remove", logicalId: `F${N - 1}FunctionStack`, resourceType: "AWS::CloudFormation::Stack" },
    ]);
    const after = await nestedStacks();
    expect(after).toHaveLength(N - 1);
    expect(after.some((s) => s.StackName?.startsWith(`${STACK}-F${N - 1}FunctionStack-`))).toBe(false);
  }, 300_000);

  it("a nested stack that fails rolls the service back, and the root cause names the resource in it", async () => {
    // F3's stack gains a bucket whose name is taken (the artifact bucket): it is named after F3 and reads it, so
    // it goes into F3's nested stack, whose update fails.
    writeFileSync(
      join(dir, "broken.config.ts"),
      [
        'import { service as base } from "./sparta.config.ts";',
        'const clash = () => ({ Resources: { F3Clash: { Type: "AWS::S3::Bucket", Properties: {',
        `  BucketName: "${BUCKET}", Tags: [{ Key: "fn", Value: { Ref: "F3Function" } }] } } } });`,
        "export const service = { ...base, decorators: [...(base.decorators ?? []), clash] };",
        "",
      ].join("\n"),
    );
    const r = await runBinAsync(
      ["provision", "--service", "broken.config.ts", "--s3Bucket", BUCKET, "--yes"],
      dir,
      { ...emu.env, FUNCTIONS: String(N - 1) },
    );
    expect(r.code, r.stderr).toBe(3);
    const lines = r.stderr.trim().split("\n");
    const rootCause = lines.indexOf("root cause:");
    expect(rootCause).toBeGreaterThan(0);
    // AWS's reason names the nested stack and the resource in it that failed (the emulator replaces the failed
    // child instead of updating it and deletes it, so the child's own events, BucketAlreadyExists, are gone)
    expect(lines.slice(rootCause + 1).join("\n")).toMatch(
      /F3FunctionStack\s+Embedded stack \S+ was not successfully \w+: The following resource\(s\) failed to \w+: \[F3Clash\]/,
    );
    const root = (await cfn().describeStacks({ StackName: STACK })).Stacks?.[0];
    expect(root?.StackStatus).toBe("UPDATE_ROLLBACK_COMPLETE");
  }, 300_000);

  it("delete removes the root and every nested stack", async () => {
    const r = await sparta(["delete", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    const all = (await cfn().describeStacks({})).Stacks ?? [];
    expect(all.filter((s) => s.StackStatus !== "DELETE_COMPLETE")).toEqual([]);
  }, 300_000);

  it("a deployed service that grows past a quota moves into nested stacks: warned, then deployed", async () => {
    const grow = (functions: number) =>
      sparta(["provision", "--s3Bucket", BUCKET, "--yes", "--stackName", "many-grow"], {
        FUNCTIONS: String(functions),
      });
    const small = await grow(20);
    expect(small.code, small.stderr).toBe(0);
    expect(small.stderr).not.toMatch(/nested stacks/);
    const large = await grow(40);
    expect(large.code, large.stderr).toBe(0);
    expect(large.stderr).toMatch(
      /many-grow passes a CloudFormation quota and now deploys as a root and 40 nested stacks: its 20 function\(s\)/,
    );
    // the old functions' log groups go: a question --yes answers
    expect(large.stderr).toMatch(/F0LogGroup \(AWS::Logs::LogGroup\): deleted/);
    const result = JSON.parse(large.stdout);
    expect(result.kind).toBe("updated");
    const root = (await cfn().describeStacks({ StackName: "many-grow" })).Stacks?.[0];
    expect(root?.StackStatus).toBe("UPDATE_COMPLETE");
    const resources = await cfn().listStackResources({ StackName: "many-grow" });
    const types = (resources.StackResourceSummaries ?? []).map((r) => r.ResourceType);
    expect(types.filter((t) => t === "AWS::CloudFormation::Stack")).toHaveLength(40);
    expect(types).not.toContain("AWS::Lambda::Function");
  }, 600_000);
});
