import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { createCfnClient } from "@sparta/converge";
import type { Emulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorWithBucket } from "./emulator.js";
import { copyExample, removeCopies, runBinAsync } from "./example.js";

const BUCKET = "sparta-hello-artifacts";

// provision -> unchanged -> update after a code change -> status -> delete, against the local AWS emulator.
describe("sparta provision against the AWS emulator", () => {
  let emu: Emulator;
  let dir: string;
  const sparta = (...args: string[]) => runBinAsync([...args, "--format", "json"], dir, emu.env);
  const changeSets = async () =>
    (
      await createCfnClient(emu.clientConfig).listChangeSets({
        StackName: "hello",
      })
    ).Summaries?.length ?? 0;
  const objects = async () => {
    const xml = await (await fetch(`${emu.endpoint}/${BUCKET}?list-type=2`)).text();
    return [...xml.matchAll(/<Key>([^<]+)<\/Key>.*?<LastModified>([^<]+)<\/LastModified>/gs)].map(
      (m) => `${m[1]}@${m[2]}`,
    );
  };

  beforeAll(async () => {
    emu = await emulatorWithBucket(BUCKET);
    dir = copyExample();
  }, 120_000);

  afterAll(async () => {
    await emu?.stop();
    removeCopies();
  });

  let outputs: Record<string, string>;
  it("creates the stack, uploading the ZIPs, and prints its outputs", async () => {
    const r = await sparta("provision", "--s3Bucket", BUCKET, "--tag", "team=core", "--yes");
    expect(r.stderr).not.toMatch(/^(internal )?error:/im);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.kind).toBe("created");
    outputs = result.outputs;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(["HttpApiUrl", "HelloArn", "HelloCodeKey", "UploadsCodeKey", "NightlyCodeKey"]),
    );
    expect(outputs.HelloCodeKey).toMatch(/^hello-[0-9a-f]{16}\.zip$/);
    // The example's operations (alarms(), healthRoute()) deploy too; moto keeps no alarm (so no alarm outputs).
    expect(r.stderr).toMatch(/CREATE_COMPLETE\s+AWS::ApiGatewayV2::Route\s+HttpApiHealthRoute/);
    expect(r.stderr).toMatch(/CREATE_COMPLETE\s+AWS::CloudWatch::CompositeAlarm\s+SpartaRollbackAlarm/);
    expect((await objects()).map((o) => o.split("@")[0])).toEqual(
      expect.arrayContaining([outputs.HelloCodeKey, outputs.UploadsCodeKey, outputs.NightlyCodeKey]),
    );
  }, 300_000);

  it("reports unchanged on a second run: no change set, nothing uploaded", async () => {
    const before = { changeSets: await changeSets(), objects: await objects() };
    const r = await sparta("provision", "--s3Bucket", BUCKET, "--tag", "team=core", "--yes");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: "unchanged", outputs });
    expect(await changeSets()).toBe(before.changeSets);
    expect(before.changeSets).toBe(1);
    // Two calls: the stack and its template, compared locally.
    expect(JSON.parse(r.stdout).apiCalls).toBeLessThanOrEqual(3);
    expect(await objects()).toEqual(before.objects);
  }, 300_000);

  it("updates after a code change: only the changed function gets a new artifact", async () => {
    const file = join(dir, "src", "hello.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace('?? "Hello"', '?? "Howdy"'));
    const r = await sparta("provision", "--s3Bucket", BUCKET, "--tag", "team=core", "--yes");
    expect(r.stderr).not.toMatch(/^(internal )?error:/im);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.kind).toBe("updated");
    expect(result.outputs.HelloCodeKey).not.toBe(outputs.HelloCodeKey);
    expect(result.outputs.UploadsCodeKey).toBe(outputs.UploadsCodeKey);
    expect(result.outputs.NightlyCodeKey).toBe(outputs.NightlyCodeKey);
    outputs = result.outputs;
    expect(result.changes).toEqual([
      { action: "Modify", logicalId: "HelloFunction", resourceType: "AWS::Lambda::Function" },
    ]);
    expect(await changeSets()).toBe(2);
  }, 300_000);

  it("status shows the stack, its outputs and each function's code version", async () => {
    const r = await sparta("status");
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout);
    expect(status.status).toMatch(/_COMPLETE$/);
    expect(status.functionVersions).toEqual({
      hello: outputs.HelloCodeKey,
      uploads: outputs.UploadsCodeKey,
      nightly: outputs.NightlyCodeKey,
    });
    expect(status.tags).toMatchObject({ team: "core", project: "sparta-hello" });
    const text = await runBinAsync(["status"], dir, emu.env);
    expect(text.stdout).toMatch(/^hello: (CREATE|UPDATE)_COMPLETE\n/);
    expect(text.stdout).toContain(`  function hello: `);
    expect(text.stdout).toContain(`(code ${outputs.HelloCodeKey})`);
  }, 120_000);

  it("--inplace updates only the changed function's code, without a change set", async () => {
    const file = join(dir, "src", "hello.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace('?? "Howdy"', '?? "Hiya"'));
    const before = await changeSets();
    const r = await sparta("provision", "--s3Bucket", BUCKET, "--tag", "team=core", "--inplace", "--yes");
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.kind).toBe("updated-inplace");
    expect(result.functions.map((f: { name: string }) => f.name)).toEqual(["hello"]);
    expect(await changeSets()).toBe(before);
    // Lambda now runs the new ZIP.
    const manifest = JSON.parse(readFileSync(join(dir, ".sparta", "manifest.json"), "utf8")) as {
      artifacts: { key: string; sha256: string }[];
    };
    const newZip = manifest.artifacts.find((a) => a.key === result.functions[0].key)!;
    const lambda = new LambdaClient(emu.clientConfig);
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: result.functions[0].physicalId }));
    expect(fn.Configuration?.CodeSha256).toBe(Buffer.from(newZip.sha256, "hex").toString("base64"));
    // Again: nothing to do. Then a plain provision brings the stack's template up to date.
    const again = JSON.parse(
      (await sparta("provision", "--s3Bucket", BUCKET, "--tag", "team=core", "--inplace", "--yes")).stdout,
    );
    expect(again).toMatchObject({ kind: "unchanged", functions: [] });
    const plain = JSON.parse(
      (await sparta("provision", "--s3Bucket", BUCKET, "--tag", "team=core", "--yes")).stdout,
    );
    expect(plain.kind).toBe("updated");
    expect(plain.outputs.HelloCodeKey).toBe(newZip.key);
    // More than code changed: --inplace says so and deploys through a change set.
    const config = join(dir, "sparta.config.ts");
    writeFileSync(config, readFileSync(config, "utf8").replace("timeout: 60,", "timeout: 61,"));
    const wider = await sparta("provision", "--s3Bucket", BUCKET, "--tag", "team=core", "--inplace", "--yes");
    expect(wider.code, wider.stderr).toBe(0);
    expect(wider.stderr).toMatch(
      /--inplace: more than function code changed; deploying through a change set/,
    );
    expect(JSON.parse(wider.stdout).kind).toBe("updated");
  }, 300_000);

  it("--plan shows the change set and executes nothing; --confirm asks, and runs it only on yes", async () => {
    const file = join(dir, "src", "hello.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace('?? "Hiya"', '?? "Hey"'));
    const sets = await changeSets();
    const planned = await sparta("provision", "--s3Bucket", BUCKET, "--tag", "team=core", "--plan");
    expect(planned.code, planned.stderr).toBe(0);
    expect(JSON.parse(planned.stdout)).toEqual({
      kind: "planned",
      stackName: "hello",
      changes: [{ action: "Modify", logicalId: "HelloFunction", resourceType: "AWS::Lambda::Function" }],
      risks: [],
      tagChanges: [expect.stringMatching(/^~ sparta:buildId=/)],
    });
    expect(planned.stderr).toMatch(/Modify\s+HelloFunction\s+AWS::Lambda::Function/);
    const deployedKey = async () => JSON.parse((await sparta("status")).stdout).functionVersions.hello;
    const before = await deployedKey();

    const declined = await runBinAsync(
      ["provision", "--s3Bucket", BUCKET, "--tag", "team=core", "--confirm", "--format", "json"],
      dir,
      emu.env,
      "n\n",
    );
    expect(declined.code, declined.stderr).toBe(0);
    expect(declined.stderr).toMatch(/Execute these 1 change\(s\) to stack hello\? \[y\/N\]/);
    expect(JSON.parse(declined.stdout).kind).toBe("unchanged");
    expect(await deployedKey()).toBe(before);

    const accepted = await runBinAsync(
      ["provision", "--s3Bucket", BUCKET, "--tag", "team=core", "--confirm", "--format", "json"],
      dir,
      emu.env,
      "y\n",
    );
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(JSON.parse(accepted.stdout).kind).toBe("updated");
    expect(await deployedKey()).not.toBe(before);
    // A change set each run; the planned and the declined one were deleted, the accepted one stays, executed.
    expect(await changeSets()).toBe(sets + 1);
  }, 300_000);

  it("a failing deployment exits 3 and prints the root cause last", async () => {
    // The same service plus a bucket whose name is taken (the artifact bucket): CloudFormation rolls back.
    writeFileSync(
      join(dir, "broken.config.ts"),
      [
        'import { service as base } from "./sparta.config.ts";',
        "export const service = {",
        "  ...base,",
        `  decorators: [() => ({ Resources: { Clash: { Type: "AWS::S3::Bucket", Properties: { BucketName: "${BUCKET}" } } } })],`,
        "};",
        "",
      ].join("\n"),
    );
    const r = await runBinAsync(
      [
        "provision",
        "--service",
        "broken.config.ts",
        "--stackName",
        "hello-broken",
        "--s3Bucket",
        BUCKET,
        "--yes",
      ],
      dir,
      emu.env,
    );
    expect(r.code, r.stderr).toBe(3);
    const lines = r.stderr.trim().split("\n");
    const rootCause = lines.indexOf("root cause:");
    expect(rootCause).toBeGreaterThan(0);
    expect(lines.slice(rootCause + 1).join("\n")).toMatch(/BucketAlreadyExists/);
    // The stack events were logged as they happened, before the root cause.
    expect(lines.slice(0, rootCause).join("\n")).toMatch(
      /ROLLBACK_COMPLETE\s+AWS::CloudFormation::Stack\s+hello-broken/,
    );
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning/);
  }, 300_000);

  it("delete removes the stack; deleting again is a no-op", async () => {
    const r = await sparta("delete", "--yes");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ kind: "deleted", stackName: "hello" });
    const status = await sparta("status");
    expect(JSON.parse(status.stdout)).toEqual({ stackName: "hello", exists: false });
    const again = await sparta("delete", "--yes");
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).kind).toBe("unchanged");
  }, 300_000);
});
