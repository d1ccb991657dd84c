import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCfnClient, createS3Client } from "../src/clients.js";
import { converge } from "../src/converge.js";
import { ArtifactMismatchError, BucketOwnerMismatchError, InvalidInputError } from "../src/errors.js";
import { deleteStack } from "../src/stack.js";
import { type Emulator, startEmulator } from "../src/testing.js";
import type { Artifact, EngineDeps, S3Like } from "../src/types.js";
import { FakeClock, FakeCloudFormation } from "./fake-cloudformation.js";
import { FakeS3, fakeSts } from "./fake-s3.js";

// Uploads are content-addressed: an object already at an artifact's key is reused only when S3's stored SHA-256
// matches the artifact's, and every request says which account must own the bucket (ExpectedBucketOwner). The
// emulator stores and returns checksums; it does not enforce bucket ownership, which the fake S3 does.

const template = {
  Parameters: { Bucket: { Type: "String" } },
  Resources: { Queue: { Type: "AWS::SQS::Queue" } },
};
const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const b64 = (hex: string) => Buffer.from(hex, "hex").toString("base64");

async function artifact(name: string, content: string): Promise<Artifact> {
  const path = join(tmpdir(), `${name}-${process.pid}.zip`);
  await writeFile(path, content);
  const sha = sha256(content);
  return { path, key: `artifacts/${sha}.zip`, sha256: sha, size: Buffer.byteLength(content) };
}

/** Record the inputs of every S3 call a client makes. */
function recording(s3: S3Like, calls: { op: string; input: Record<string, unknown> }[]): S3Like {
  return {
    headObject: (input, o) => {
      calls.push({ op: "headObject", input: { ...input } });
      return s3.headObject(input, o);
    },
    putObject: (input, o) => {
      calls.push({ op: "putObject", input: { ...input, Body: undefined } });
      return s3.putObject(input, o);
    },
    objectUrl: (bucket, key) => s3.objectUrl!(bucket, key),
  };
}

describe("uploads against the emulator (checksums)", () => {
  let emulator: Emulator;
  let raw: S3Client;
  let run = 0;
  beforeAll(async () => {
    emulator = await startEmulator();
    raw = new S3Client({ ...emulator.clientConfig, forcePathStyle: true, maxAttempts: 1 });
  }, 120_000);
  afterAll(async () => {
    await emulator?.stop();
  });

  async function world() {
    const bucket = `uploads-${process.pid}-${++run}`;
    await raw.send(new CreateBucketCommand({ Bucket: bucket }));
    const calls: { op: string; input: Record<string, unknown> }[] = [];
    const requests: string[] = [];
    const aws = {
      ...emulator.clientConfig,
      maxAttempts: 1,
      onRequest: (r: { service: string; operation: string }) => requests.push(`${r.service}:${r.operation}`),
    };
    const deps: EngineDeps = {
      aws,
      cfn: createCfnClient(aws),
      s3: recording(createS3Client(aws), calls),
      pollSchedule: [20, 50, 100],
    };
    return { bucket, calls, requests, deps, stackName: `uploads-${process.pid}-${run}` };
  }

  it("uploads with a SHA-256 checksum and the deploying account as expected owner; reuses only verified objects", async () => {
    const { bucket, calls, requests, deps, stackName } = await world();
    const zip = await artifact("fn", "the function's code");
    const input = { stackName, template, parameters: { Bucket: bucket }, bucket, artifacts: [zip] };
    expect((await converge(input, deps)).kind).toBe("created");
    // a new stack: the account comes from STS, once
    expect(requests.filter((r) => r.startsWith("STS:"))).toEqual(["STS:GetCallerIdentity"]);
    const puts = calls.filter((c) => c.op === "putObject");
    expect(puts.map((c) => c.input.Key)).toEqual([
      zip.key,
      expect.stringMatching(/^templates\/[0-9a-f]{64}\.json$/),
    ]);
    for (const c of calls) expect(c.input.ExpectedBucketOwner).toBe("123456789012");
    for (const p of puts) expect(p.input).toMatchObject({ ChecksumAlgorithm: "SHA256" });
    expect(puts[0]!.input.ChecksumSHA256).toBe(b64(zip.sha256));
    const stored = await raw.send(
      new HeadObjectCommand({ Bucket: bucket, Key: zip.key, ChecksumMode: "ENABLED" }),
    );
    expect(stored.ChecksumSHA256).toBe(b64(zip.sha256));

    // a changed template: the artifact is verified by its checksum, not uploaded again; the account comes from the stack
    calls.length = 0;
    requests.length = 0;
    const changed = { ...template, Resources: { ...template.Resources, Topic: { Type: "AWS::SNS::Topic" } } };
    expect((await converge({ ...input, template: changed }, deps)).kind).toBe("updated");
    expect(calls.filter((c) => c.op === "putObject").map((c) => c.input.Key)).toEqual([
      expect.stringMatching(/^templates\//),
    ]);
    expect(calls.find((c) => c.input.Key === zip.key)?.input).toMatchObject({ ChecksumMode: "ENABLED" });
    expect(requests.filter((r) => r.startsWith("STS:"))).toEqual([]);
    await deleteStack({ stackName }, deps);
  });

  it("an object planted at an artifact's key is a clear error, never reused, and nothing is deployed", async () => {
    const { bucket, requests, deps, stackName } = await world();
    const zip = await artifact("planted", "our code");
    // someone else wrote other content (with its own correct checksum) at our content-addressed key
    await raw.send(
      new PutObjectCommand({ Bucket: bucket, Key: zip.key, Body: "their code", ChecksumAlgorithm: "SHA256" }),
    );
    const err = await converge(
      { stackName, template, parameters: { Bucket: bucket }, bucket, artifacts: [zip] },
      deps,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ArtifactMismatchError);
    expect(err).toMatchObject({ code: "SPARTA_CONVERGE_ARTIFACT_MISMATCH", userError: true, key: zip.key });
    expect(err.message).toContain(
      `s3://${bucket}/${zip.key} already exists with SHA-256 ${sha256("their code")}`,
    );
    expect(err.message).toMatch(/it was not reused and nothing was deployed/);
    expect(requests).not.toContain("CloudFormation:CreateChangeSet");
  });

  it("an object without a stored checksum (an older upload) is uploaded again, then verified", async () => {
    const { bucket, calls, deps, stackName } = await world();
    const zip = await artifact("legacy", "legacy code");
    await raw.send(
      new PutObjectCommand({ Bucket: bucket, Key: zip.key, Body: "legacy code", ChecksumAlgorithm: "CRC32" }),
    );
    expect(
      (
        await converge(
          { stackName, template, parameters: { Bucket: bucket }, bucket, artifacts: [zip] },
          deps,
        )
      ).kind,
    ).toBe("created");
    expect(calls.filter((c) => c.op === "putObject" && c.input.Key === zip.key)).toHaveLength(1);
    const stored = await raw.send(
      new HeadObjectCommand({ Bucket: bucket, Key: zip.key, ChecksumMode: "ENABLED" }),
    );
    expect(stored.ChecksumSHA256).toBe(b64(zip.sha256));
    await deleteStack({ stackName }, deps);
  });
});

describe("bucket ownership (fake S3: the emulator does not check ExpectedBucketOwner)", () => {
  function setup(owner: string) {
    const clock = new FakeClock();
    const cfn = new FakeCloudFormation(clock);
    const s3 = new FakeS3();
    s3.bucket("deploy-bucket", owner);
    const sts = fakeSts("111111111111");
    const deps: EngineDeps = { cfn, s3, sts, sleep: clock.sleep, now: clock.now };
    // CloudFormation reads the template the engine uploaded
    const put = s3.putObject.bind(s3);
    s3.putObject = async (input) => {
      const out = await put(input);
      if (input.Key?.endsWith(".json"))
        cfn.templatesByUrl.set(s3.objectUrl(input.Bucket!, input.Key), JSON.parse(String(input.Body)));
      return out;
    };
    return { cfn, s3, sts, deps };
  }

  it("a bucket that changed hands is refused before anything is read from or written to it", async () => {
    const { cfn, s3, deps } = setup("999999999999");
    const zip = await artifact("owned", "code");
    const err = await converge(
      {
        stackName: "app",
        template,
        parameters: { Bucket: "deploy-bucket" },
        bucket: "deploy-bucket",
        artifacts: [zip],
      },
      deps,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(BucketOwnerMismatchError);
    expect(err).toMatchObject({
      code: "SPARTA_CONVERGE_BUCKET_OWNER",
      userError: true,
      expectedOwner: "111111111111",
    });
    expect(err.message).toMatch(
      /S3 bucket "deploy-bucket" is not owned by account 111111111111 \(the deploying account \(STS GetCallerIdentity\)\)/,
    );
    expect(s3.buckets.get("deploy-bucket")!.objects.size).toBe(0);
    expect(cfn.count("createChangeSet")).toBe(0);
  });

  it("a shared bucket of another account is used when its owner is given as bucketOwner", async () => {
    const { s3, sts, deps } = setup("999999999999");
    const zip = await artifact("shared", "code");
    const r = await converge(
      {
        stackName: "app",
        template,
        parameters: { Bucket: "deploy-bucket" },
        bucket: "deploy-bucket",
        bucketOwner: "999999999999",
        artifacts: [zip],
      },
      deps,
    );
    expect(r.kind).toBe("created");
    expect(sts.calls).toBe(0);
    expect(s3.calls.every((c) => c.input.ExpectedBucketOwner === "999999999999")).toBe(true);
  });

  it("an existing stack's account is the expected owner, without asking STS", async () => {
    const { cfn, s3, sts, deps } = setup("123456789012");
    await converge(
      { stackName: "app", template: { Resources: { Queue: { Type: "AWS::SQS::Queue" } } } },
      deps,
    );
    expect(cfn.live("app")?.id).toMatch(/:123456789012:/);
    const zip = await artifact("existing", "code");
    const r = await converge(
      {
        stackName: "app",
        template,
        parameters: { Bucket: "deploy-bucket" },
        bucket: "deploy-bucket",
        artifacts: [zip],
      },
      deps,
    );
    expect(r.kind).toBe("updated");
    expect(sts.calls).toBe(0);
    expect(s3.calls.every((c) => c.input.ExpectedBucketOwner === "123456789012")).toBe(true);
  });

  it("refuses a bucketOwner that is not an account id", async () => {
    const { deps } = setup("123456789012");
    await expect(
      converge({ stackName: "app", template, bucket: "deploy-bucket", bucketOwner: "my-team" }, deps),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});
