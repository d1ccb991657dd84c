import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCfnClient, createS3Client } from "../src/clients.js";
import { converge, planChanges } from "../src/converge.js";
import { BucketMissingError, TemplateTooLargeError } from "../src/errors.js";
import { deleteStack, describeStack } from "../src/stack.js";
import { sha256Hex } from "../src/template.js";
import { type Emulator, startEmulator } from "../src/testing.js";
import type { CfnClient, EngineDeps, Reporter, S3Like } from "../src/types.js";

// The real AWS SDK against the local emulator (moto + CloudFormation fixes); nothing here reaches AWS.
const region = "us-east-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let emulator: Emulator | undefined;
let endpoint = "";
let raw: S3Client;
beforeAll(async () => {
  emulator = await startEmulator();
  endpoint = emulator.endpoint;
  raw = new S3Client({ endpoint, region, credentials, forcePathStyle: true, maxAttempts: 1 });
}, 120_000); // moto takes a few seconds to start, more on a busy machine
afterAll(async () => {
  await emulator?.stop();
});
let run = 0;
const unique = (name: string) => `${name}-${process.pid}-${++run}`;

/** Count every call that reaches the SDK, by operation. */
function counted<T extends object>(client: T, counts: Record<string, number>): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function" || typeof prop !== "string") return v;
      return (...args: unknown[]) => {
        counts[prop] = (counts[prop] ?? 0) + 1;
        return v.apply(target, args);
      };
    },
  });
}

function world() {
  const counts: Record<string, number> = {};
  const aws = { endpoint, region, credentials, maxAttempts: 1 };
  const cfn: CfnClient = counted(createCfnClient(aws), counts);
  const s3: S3Like = counted(createS3Client(aws), counts);
  const info: string[] = [];
  const reporter: Reporter = { info: (m) => info.push(m) };
  const deps: EngineDeps = { cfn, s3, aws, reporter, pollSchedule: [20, 50, 100] };
  const reset = () => {
    for (const k of Object.keys(counts)) delete counts[k];
  };
  return { counts, deps, info, reset };
}

const template = {
  Parameters: { Stage: { Type: "String", Default: "dev" } },
  Resources: { Queue: { Type: "AWS::SQS::Queue" } },
  Outputs: { QueueUrl: { Value: { Ref: "Queue" } }, Stage: { Value: { Ref: "Stage" } } },
};

describe("converge through the AWS SDK against the emulator", () => {
  it("creates, skips a no-op with zero change sets, updates, and deletes", async () => {
    const { counts, deps, reset } = world();
    const stackName = unique("lifecycle");
    const streamed: string[] = [];
    const progress: string[] = [];
    const created = await converge(
      { stackName, template, parameters: { Stage: "dev" }, tags: { app: "demo" } },
      {
        ...deps,
        reporter: {
          event: (e) => streamed.push(`${e.logicalId}:${e.status}`),
          progress: (p) => progress.push(`${p.done} of ${p.total}`),
        },
      },
    );
    expect(created.kind).toBe("created");
    expect(created.outputs.Stage).toBe("dev");
    expect(created.outputs.QueueUrl).toMatch(/^https?:\/\/.*lifecycle/);
    expect(created.changes).toEqual([{ action: "Add", logicalId: "Queue", resourceType: "AWS::SQS::Queue" }]);
    expect(created.events.map((e) => `${e.logicalId}:${e.status}`)).toEqual([
      `${stackName}:CREATE_IN_PROGRESS`,
      "Queue:CREATE_IN_PROGRESS",
      "Queue:CREATE_COMPLETE",
      `${stackName}:CREATE_COMPLETE`,
    ]);
    expect(streamed).toEqual(created.events.map((e) => `${e.logicalId}:${e.status}`));
    expect(progress).toEqual(["1 of 1"]);

    reset();
    const noop = await converge(
      { stackName, template: structuredClone(template), tags: { app: "demo" } },
      deps,
    );
    expect(noop.kind).toBe("unchanged");
    expect(counts.createChangeSet ?? 0).toBe(0);
    expect(noop.apiCalls).toBeLessThanOrEqual(3);
    expect(noop.outputs.Stage).toBe("dev");

    reset();
    const updated = await converge(
      {
        stackName,
        template: { ...template, Resources: { ...template.Resources, Topic: { Type: "AWS::SNS::Topic" } } },
        parameters: { Stage: "prod" },
        tags: { app: "demo" },
      },
      deps,
    );
    expect(updated.kind).toBe("updated");
    expect(counts.createChangeSet).toBe(1);
    expect(updated.changes?.map((c) => `${c.action} ${c.logicalId}`)).toContain("Add Topic");
    expect(updated.outputs.Stage).toBe("prod");
    expect(updated.stackId).toBe(created.stackId);

    const described = await describeStack({ stackName }, deps);
    expect(described?.status).toBe("UPDATE_COMPLETE");
    expect(described?.parameters).toEqual({ Stage: "prod" });
    expect(described?.tags).toEqual({ app: "demo" });
    expect(described?.resources.map((r) => r.logicalId).sort()).toEqual(["Queue", "Topic"]);

    const deleted = await deleteStack({ stackName }, deps);
    expect(deleted.kind).toBe("deleted");
    expect(deleted.events.at(-1)?.status).toBe("DELETE_COMPLETE");
    expect(await describeStack({ stackName }, deps)).toBeUndefined();
    expect((await deleteStack({ stackName }, deps)).kind).toBe("unchanged");
  });

  it("tries a tags-only change as a change set, then UpdateStack, and says so when neither applies it", async () => {
    const { counts, deps, reset } = world();
    const warnings: string[] = [];
    const stackName = unique("tags");
    const input = { stackName, template, parameters: { Stage: "dev" }, tags: { app: "demo" } };
    expect((await converge(input, deps)).kind).toBe("created");

    // Same template and parameters, one tag changed and one added. On AWS the change set then has no resource
    // changes and its execution updates the stack's tags (the fake covers that); this emulator refuses both the
    // change set ("didn't contain changes") and UpdateStack ("No updates are to be performed.") for tags alone.
    reset();
    const retagged = await converge(
      { ...input, tags: { app: "demo2", team: "core" } },
      { ...deps, reporter: { warn: (m) => warnings.push(m) } },
    );
    expect(counts.createChangeSet).toBe(1);
    expect(counts.deleteChangeSet).toBe(1);
    expect(counts.updateStack).toBe(1);
    expect(retagged.kind).toBe("unchanged");
    expect(retagged.message).toMatch(/Only the tags of stack .* differ.*keeps its tags \(app=demo\)/);
    expect(warnings).toEqual([retagged.message]);
    expect((await describeStack({ stackName }, deps))?.tags).toEqual({ app: "demo" });
    await deleteStack({ stackName }, deps);
  });

  it("reports the root cause of a failed create, then deletes the ROLLBACK_COMPLETE stack and creates it again", async () => {
    const { deps, info } = world();
    const stackName = unique("failing");
    const taken = unique("taken-bucket");
    await raw.send(new CreateBucketCommand({ Bucket: taken }));
    const bad = { Resources: { Bucket: { Type: "AWS::S3::Bucket", Properties: { BucketName: taken } } } };
    const failed = await converge({ stackName, template: bad }, deps);
    expect(failed.kind).toBe("failed");
    expect(failed.rootCause).toHaveLength(1);
    expect(failed.rootCause?.[0]?.reason).toMatch(/BucketAlreadyExists/);
    expect(failed.message).toMatch(/ROLLBACK_COMPLETE/);
    expect((await describeStack({ stackName }, deps))?.status).toBe("ROLLBACK_COMPLETE");

    const good = { Resources: { Bucket: { Type: "AWS::S3::Bucket" } } };
    const again = await converge({ stackName, template: good }, deps);
    expect(again.kind).toBe("created");
    expect(again.stackId).not.toBe(failed.stackId);
    expect(info.join("\n")).toMatch(/failed first create .* deleting it and creating it again/);
    expect(again.events.map((e) => e.status)).toContain("DELETE_COMPLETE");
    await deleteStack({ stackName }, deps);
  });

  it("reports a failed update as failed with the stack rolled back", async () => {
    const { deps } = world();
    const stackName = unique("update-fails");
    const taken = unique("taken-bucket");
    await raw.send(new CreateBucketCommand({ Bucket: taken }));
    expect((await converge({ stackName, template }, deps)).kind).toBe("created");
    const bad = {
      ...template,
      Resources: {
        ...template.Resources,
        Bucket: { Type: "AWS::S3::Bucket", Properties: { BucketName: taken } },
      },
    };
    const r = await converge({ stackName, template: bad }, deps);
    expect(r.kind).toBe("failed");
    expect(r.message).toMatch(/UPDATE_ROLLBACK_COMPLETE/);
    expect(r.rootCause?.[0]?.reason).toMatch(/BucketAlreadyExists/);
    // the stack still runs its previous template, so converging that is a no-op
    expect((await converge({ stackName, template }, deps)).kind).toBe("unchanged");
    await deleteStack({ stackName }, deps);
  });

  it("uploads artifacts and the template content-addressed, skips what is there, and uses TemplateURL", async () => {
    const { counts, deps, reset } = world();
    const stackName = unique("bucketed");
    const bucket = unique("deploy");
    await raw.send(new CreateBucketCommand({ Bucket: bucket }));
    const zip = join(tmpdir(), `${stackName}.zip`);
    const data = Buffer.from(`artifact of ${stackName}`);
    await writeFile(zip, data);
    const sha = sha256Hex(data);
    const artifact = { path: zip, key: `artifacts/${sha}.zip`, sha256: sha, size: data.length };
    const calls: unknown[] = [];
    const cfn = deps.cfn!;
    const spy: CfnClient = {
      ...cfn,
      createChangeSet: (i) => {
        calls.push(i);
        return cfn.createChangeSet(i);
      },
    };
    const r = await converge(
      { stackName, template, bucket, keyPrefix: "svc", artifacts: [artifact] },
      { ...deps, cfn: spy },
    );
    expect(r.kind).toBe("created");
    expect((calls[0] as { TemplateURL?: string }).TemplateURL).toMatch(
      new RegExp(`^${endpoint}/${bucket}/svc/templates/[0-9a-f]{64}\\.json$`),
    );
    expect((calls[0] as { TemplateBody?: string }).TemplateBody).toBeUndefined();
    await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: artifact.key }));
    expect(counts.putObject).toBe(2);

    // a changed template: artifacts already there are not uploaded again
    reset();
    const t2 = { ...template, Resources: { ...template.Resources, Topic: { Type: "AWS::SNS::Topic" } } };
    const r2 = await converge(
      { stackName, template: t2, bucket, keyPrefix: "svc", artifacts: [artifact] },
      deps,
    );
    expect(r2.kind).toBe("updated");
    expect(counts.headObject).toBe(2);
    expect(counts.putObject).toBe(1); // only the new template

    reset();
    const r3 = await converge(
      { stackName, template: t2, bucket, keyPrefix: "svc", artifacts: [artifact] },
      deps,
    );
    expect(r3.kind).toBe("unchanged");
    expect(r3.apiCalls).toBe(2);
    expect(counts.headObject ?? 0).toBe(0);
    await deleteStack({ stackName }, deps);
  });

  it("fails clearly when the bucket does not exist", async () => {
    const { deps } = world();
    const bucket = unique("no-such-bucket");
    const err = await converge({ stackName: unique("nobucket"), template, bucket }, deps).catch((e) => e);
    expect(err).toBeInstanceOf(BucketMissingError);
    expect(err.message).toContain(`S3 bucket "${bucket}"`);
    expect(err.message).toMatch(/aws s3 mb/);
  });

  it("refuses an inline template over 51,200 bytes and says to pass a bucket", async () => {
    const { deps, counts } = world();
    const big = { ...template, Metadata: { Padding: "x".repeat(52_000) } };
    const stackName = unique("big");
    const err = await converge({ stackName, template: big }, deps).catch((e) => e);
    expect(err).toBeInstanceOf(TemplateTooLargeError);
    expect(err.message).toMatch(/at most 51200 bytes.*\n.*Pass `bucket`/);
    expect(counts.createChangeSet ?? 0).toBe(0);
  });

  it("passes the IAM capabilities the template needs (the emulator enforces them)", async () => {
    const { deps } = world();
    const stackName = unique("iam");
    const role = {
      Resources: {
        Role: {
          Type: "AWS::IAM::Role",
          Properties: {
            RoleName: unique("role"),
            AssumeRolePolicyDocument: {
              Version: "2012-10-17",
              Statement: [
                { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
              ],
            },
          },
        },
      },
    };
    expect((await converge({ stackName, template: role }, deps)).kind).toBe("created");
    const refused = await converge(
      { stackName: unique("iam-nocaps"), template: role, capabilities: [] },
      deps,
    );
    expect(refused.kind).toBe("failed");
    expect(refused.message).toMatch(/refused the change set .*InsufficientCapabilitiesException/);
    expect(refused.message).toMatch(/capabilities: \["CAPABILITY_NAMED_IAM"\]/);
    await deleteStack({ stackName }, deps);
  });

  it("plans the changes of a new stack and leaves nothing behind", async () => {
    const { deps } = world();
    const stackName = unique("plan");
    const changes = await planChanges({ stackName, template }, deps);
    expect(changes).toEqual([{ action: "Add", logicalId: "Queue", resourceType: "AWS::SQS::Queue" }]);
    expect(await describeStack({ stackName }, deps)).toBeUndefined();
    expect((await converge({ stackName, template }, deps)).kind).toBe("created");
    await deleteStack({ stackName }, deps);
  });

  it("two first creates of one stack at once: the stack survives, and neither run reports the other's outputs", async () => {
    const { deps } = world();
    const stackName = unique("race-create");
    const which = (w: string) => ({
      Resources: { Queue: { Type: "AWS::SQS::Queue" } },
      Outputs: { Which: { Value: w }, QueueUrl: { Value: { Ref: "Queue" } } },
    });
    const runs = await Promise.allSettled([
      converge({ stackName, template: which("a") }, { ...deps, runLabel: "pid 1 on host-a" }),
      converge({ stackName, template: which("b") }, { ...deps, runLabel: "pid 2 on host-b" }),
    ]);
    const described = await describeStack({ stackName }, deps);
    expect(described?.status).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
    const results = runs.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    expect(results.filter((r) => r.kind === "created")).toHaveLength(1);
    for (const [i, r] of runs.entries()) {
      if (r.status === "rejected") expect(r.reason.code).toBe("SPARTA_CONVERGE_CONCURRENT_DEPLOY");
      else if (r.value.outputs.Which !== undefined) expect(r.value.outputs.Which).toBe(i === 0 ? "a" : "b");
    }
    await deleteStack({ stackName }, deps);
  });

  it("two updates of one stack at once: each run's outputs are its own change set's, and the stack is not lost", async () => {
    const { deps } = world();
    const stackName = unique("race-update");
    const which = (w: string) => ({
      Resources: { Queue: { Type: "AWS::SQS::Queue" }, [`Topic${w}`]: { Type: "AWS::SNS::Topic" } },
      Outputs: { Which: { Value: w } },
    });
    expect((await converge({ stackName, template: which("0") }, deps)).kind).toBe("created");
    const runs = await Promise.allSettled([
      converge({ stackName, template: which("a") }, { ...deps, runLabel: "pid 1 on host-a" }),
      converge({ stackName, template: which("b") }, { ...deps, runLabel: "pid 2 on host-b" }),
    ]);
    for (const [i, r] of runs.entries()) {
      if (r.status === "rejected") {
        expect(r.reason.code).toBe("SPARTA_CONVERGE_CONCURRENT_DEPLOY");
        continue;
      }
      expect(r.value.kind).toBe("updated");
      if (r.value.outputs.Which !== undefined) expect(r.value.outputs.Which).toBe(i === 0 ? "a" : "b");
    }
    const described = await describeStack({ stackName }, deps);
    expect(described?.status).toBe("UPDATE_COMPLETE");
    expect(["a", "b"]).toContain(described?.outputs.Which);
    await deleteStack({ stackName }, deps);
  });
});
