import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { converge } from "../src/converge.js";
import { BucketMissingError } from "../src/errors.js";
import { deleteStack } from "../src/stack.js";
import { type Emulator, startEmulator } from "../src/testing.js";
import type { EngineDeps } from "../src/types.js";

// The unchanged deploy, the one run most often: how many calls it makes (counted by an SDK middleware, retries
// included) and what it loads. Its wall time against `aws cloudformation deploy` is in bench/run.mjs.

const loaded = vi.hoisted(() => ({ s3: 0, sts: 0 }));
vi.mock("@aws-sdk/client-s3", async (importOriginal) => {
  loaded.s3++;
  return importOriginal();
});
vi.mock("@aws-sdk/client-sts", async (importOriginal) => {
  loaded.sts++;
  return importOriginal();
});

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
}, 120_000);
afterAll(async () => {
  await emulator?.stop();
});

const ALARM = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:hello-rollback";
// examples/hello with alarms(): the composite alarm's ARN is an output the next deploy uses as its rollback trigger
const template = {
  Parameters: { ArtifactBucket: { Type: "String" } },
  Resources: { Queue: { Type: "AWS::SQS::Queue" } },
  Outputs: {
    QueueUrl: { Value: { Ref: "Queue" } },
    SpartaRollbackAlarmArn: { Value: ALARM },
  },
};

describe("an unchanged deploy", () => {
  it("makes 2 calls, creates no change set, and loads neither the S3 nor the STS client", async () => {
    const requests: string[] = [];
    const deps: EngineDeps = {
      aws: { ...emulator.clientConfig, onRequest: (r) => requests.push(`${r.service}:${r.operation}`) },
      pollSchedule: [20, 50, 100],
    };
    const stackName = `unchanged-${process.pid}`;
    const input = {
      stackName,
      template,
      parameters: { ArtifactBucket: "deploy-bucket" },
      tags: { app: "hello" },
      rollbackTriggerOutputs: [
        { output: "SpartaRollbackAlarmArn", type: "AWS::CloudWatch::CompositeAlarm" as const },
      ],
      monitoringTimeMinutes: 5,
    };
    expect((await converge(input, deps)).kind).toBe("created");

    requests.length = 0;
    const again = await converge(
      {
        ...input,
        template: structuredClone(template),
        // what provision passes: the bucket and the (already uploaded) artifacts
        bucket: "deploy-bucket",
        artifacts: [
          { path: "/nonexistent/hello.zip", key: "hello/abc.zip", sha256: "0".repeat(64), size: 1 },
        ],
      },
      deps,
    );
    expect(again.kind).toBe("unchanged");
    expect(requests).toEqual(["CloudFormation:DescribeStacks", "CloudFormation:GetTemplate"]);
    expect(again.apiCalls).toBe(2);
    expect(again.outputs.SpartaRollbackAlarmArn).toBe(ALARM);
    expect(loaded).toEqual({ s3: 0, sts: 0 });
    // the probe works: a deploy that must upload loads the S3 client (here to find the bucket missing)
    const changed = { ...template, Resources: { ...template.Resources, Topic: { Type: "AWS::SNS::Topic" } } };
    const err = await converge(
      { ...input, template: changed, bucket: `no-such-bucket-${process.pid}` },
      deps,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(BucketMissingError);
    expect(loaded.s3).toBe(1);
    await deleteStack({ stackName }, deps);
  });

  it("a changed deploy takes its rollback trigger from the deployed stack's outputs, at no extra call", async () => {
    const requests: string[] = [];
    const info: string[] = [];
    const created: unknown[] = [];
    const deps: EngineDeps = {
      aws: { ...emulator.clientConfig, onRequest: (r) => requests.push(r.operation) },
      pollSchedule: [20, 50, 100],
      reporter: { info: (m) => info.push(m) },
    };
    const stackName = `trigger-${process.pid}`;
    const input = {
      stackName,
      template,
      parameters: { ArtifactBucket: "b" },
      rollbackTriggerOutputs: [
        { output: "SpartaRollbackAlarmArn", type: "AWS::CloudWatch::CompositeAlarm" as const },
      ],
      monitoringTimeMinutes: 5,
    };
    expect((await converge(input, deps)).kind).toBe("created");
    expect(info.join("\n")).toMatch(/no rollback trigger yet/);
    const changed = {
      ...template,
      Resources: { ...template.Resources, Topic: { Type: "AWS::SNS::Topic" } },
    };
    const spy = { ...deps };
    const { createCfnClient } = await import("../src/clients.js");
    const cfn = createCfnClient(deps.aws);
    spy.cfn = {
      ...cfn,
      createChangeSet: (i, o) => {
        created.push(i);
        return cfn.createChangeSet(i, o);
      },
    };
    expect((await converge({ ...input, template: changed }, spy)).kind).toBe("updated");
    expect((created[0] as { RollbackConfiguration?: unknown }).RollbackConfiguration).toEqual({
      RollbackTriggers: [{ Arn: ALARM, Type: "AWS::CloudWatch::CompositeAlarm" }],
      MonitoringTimeInMinutes: 5,
    });
    expect(info.join("\n")).toMatch(new RegExp(`rolls back if ${ALARM} goes to ALARM within 5 minutes`));
    // a template that drops the output gets no trigger (CloudFormation fails an operation whose trigger it deletes)
    created.length = 0;
    const { SpartaRollbackAlarmArn: _dropped, ...outputs } = template.Outputs;
    await converge({ ...input, template: { ...changed, Outputs: outputs } }, spy);
    expect((created[0] as { RollbackConfiguration?: unknown }).RollbackConfiguration).toBeUndefined();
    await deleteStack({ stackName }, deps);
  });
});
