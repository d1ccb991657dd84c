import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Emulator } from "@sparta/converge/testing";
import { validateTemplate } from "@sparta/template";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorWithBucket } from "./emulator.js";
import { runBinAsync } from "./example.js";
import { cfnLint, hasCfnLint } from "./helpers.js";

const dir = fileURLToPath(new URL("./fixtures/sources/", import.meta.url));
const BUCKET = "sparta-sources-artifacts";

// SNS, Function URL, SQS, Kinesis, DynamoDB streams, EventBridge pattern and CloudWatch Logs, deployed to moto.
describe("every pull and push event source deploys to the AWS emulator", () => {
  let emu: Emulator;

  beforeAll(async () => {
    emu = await emulatorWithBucket(BUCKET);
  });

  afterAll(async () => {
    await emu?.stop();
    rmSync(join(dir, ".sparta"), { recursive: true, force: true });
  });

  it("builds a template that passes validation and cfn-lint", async () => {
    const r = await runBinAsync(["provision", "--noop"], dir);
    expect(r.code, r.stderr).toBe(0);
    const file = join(dir, ".sparta", "cloudformation.json");
    expect(validateTemplate(JSON.parse(readFileSync(file, "utf8")))).toEqual([]);
    if (hasCfnLint) expect(cfnLint(file).output).toBe("");
  }, 180_000);

  it("creates every trigger, then deletes the stack", async () => {
    const env = emu.env;
    const r = await runBinAsync(["provision", "--s3Bucket", BUCKET, "--yes", "--format", "json"], dir, env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).kind).toBe("created");
    const status = JSON.parse((await runBinAsync(["status", "--format", "json"], dir, env)).stdout);
    const created = new Map(
      (status.resources as { logicalId: string; type: string; status: string }[]).map((x) => [
        x.logicalId,
        x,
      ]),
    );
    const template = JSON.parse(readFileSync(join(dir, ".sparta", "cloudformation.json"), "utf8")) as {
      Resources: Record<string, { Type: string }>;
    };
    // moto does not implement these three resource types and skips them (cfn-lint checks them above).
    const MOTO_SKIPS = ["AWS::Lambda::Url", "AWS::Logs::SubscriptionFilter", "AWS::SNS::Subscription"];
    const missing = Object.entries(template.Resources).filter(
      ([id]) => created.get(id)?.status !== "CREATE_COMPLETE",
    );
    expect(missing.map(([, r]) => r.Type).sort()).toEqual(MOTO_SKIPS);
    for (const id of [
      "QueueSqsTrigger0Mapping",
      "StreamsKinesisTrigger0Mapping",
      "StreamsDynamodbTrigger1Mapping",
      "WatcherEventPatternTrigger0Rule",
      "WatcherEventPatternTrigger0Permission",
      "WatcherCloudwatchLogsTrigger1Permission",
      "TopicsSnsTrigger0Permission",
      "TopicsUrlPermission",
    ])
      expect(created.get(id)?.status, id).toBe("CREATE_COMPLETE");
    const del = await runBinAsync(["delete", "--yes", "--format", "json"], dir, env);
    expect(del.code, del.stderr).toBe(0);
    expect(JSON.parse(del.stdout).kind).toBe("deleted");
  }, 300_000);
});
