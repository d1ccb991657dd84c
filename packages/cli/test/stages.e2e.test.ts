import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { createCfnClient, describeStack } from "@sparta/converge";
import type { Emulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorWithBucket } from "./emulator.js";
import { copyExample, removeCopies, runBinAsync } from "./example.js";

const BUCKET = "sparta-hello-stages";

// Two stages of one service in one account and Region (what a pipeline's test and production stacks are, or
// `--stackName hello-dev` beside `hello-prod`): every physical name the service generates is unique per stack, so
// the second does not fail on the first's S3 trigger bucket (BucketAlreadyExists before).
describe("two stacks of examples/hello side by side in one emulator account", () => {
  let emu: Emulator;
  let dir: string;

  beforeAll(async () => {
    emu = await emulatorWithBucket(BUCKET);
    dir = copyExample();
  }, 120_000);
  afterAll(async () => {
    await emu?.stop();
    removeCopies();
  });

  it("provisions hello-dev and hello-prod, each with its own uploads bucket", async () => {
    const buckets: string[] = [];
    for (const stackName of ["hello-dev", "hello-prod"]) {
      const r = await runBinAsync(
        ["provision", "--stackName", stackName, "--s3Bucket", BUCKET, "--format", "json", "--yes"],
        dir,
        emu.env,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).kind).toBe("created");
      const stack = await describeStack({ stackName }, { cfn: createCfnClient(emu.clientConfig) });
      expect(stack?.status).toBe("CREATE_COMPLETE");
      const bucket = stack?.resources.find((x) => x.logicalId === "HelloUploadsBucket")?.physicalId;
      expect(bucket).toMatch(/^hello-uploads-123456789012-[0-9a-f]{12}$/);
      buckets.push(bucket!);
    }
    expect(buckets[0]).not.toBe(buckets[1]);
    const s3 = new S3Client({ ...emu.clientConfig, forcePathStyle: true });
    for (const Bucket of buckets) await s3.send(new HeadBucketCommand({ Bucket }));
  }, 300_000);
});
