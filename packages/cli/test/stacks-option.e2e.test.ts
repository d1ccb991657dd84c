import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorWithBucket } from "./emulator.js";
import { copyExample, removeCopies, runBinAsync, runInProcess } from "./example.js";

// `stacks: "nested"`: a service that will grow past CloudFormation's quotas deploys as nested stacks from the start.
describe('defineService({ stacks: "nested" })', () => {
  let dir: string;
  const config = (stacks: unknown) =>
    writeFileSync(
      join(dir, "stacks.config.ts"),
      [
        'import { service as base } from "./sparta.config.ts";',
        `export const service = { ...base, stacks: ${JSON.stringify(stacks)} };`,
        "",
      ].join("\n"),
    );
  beforeAll(() => {
    dir = copyExample();
  });
  afterAll(() => removeCopies());

  it("splits the hello service into a root and one nested stack per function", async () => {
    config("nested");
    const r = await runInProcess(
      ["provision", "--noop", "--service", "stacks.config.ts", "--format", "json"],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.nestedStacks.map((n: { logicalId: string }) => n.logicalId)).toEqual([
      "HelloFunctionStack",
      "NightlyFunctionStack",
      "UploadsFunctionStack",
    ]);
    expect(r.stderr).toMatch(/stacks: "nested": deploying the service as a root stack and 3 nested stacks/);
  }, 120_000);

  it("deploys on the emulator (its HTTP API, S3 trigger and schedule across the stacks), then is unchanged", async () => {
    config("nested");
    const emu: Emulator = await emulatorWithBucket("hello-nested-art");
    try {
      const deploy = () =>
        runBinAsync(
          [
            "provision",
            "--service",
            "stacks.config.ts",
            "--s3Bucket",
            "hello-nested-art",
            "--yes",
            "--format",
            "json",
          ],
          dir,
          emu.env,
        );
      const first = await deploy();
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout).kind).toBe("created");
      expect(first.stderr).toMatch(/CREATE_COMPLETE\s+AWS::CloudFormation::Stack\s+UploadsFunctionStack/);
      const again = await deploy();
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ kind: "unchanged" });
      expect(JSON.parse(again.stdout).apiCalls).toBeLessThanOrEqual(3);
    } finally {
      await emu.stop();
    }
  }, 300_000);

  it("refuses another value, naming the field and the valid ones", async () => {
    config("split");
    const r = await runInProcess(["provision", "--noop", "--service", "stacks.config.ts"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/service\.stacks: must be "auto" .* or "nested" .*, received "split"/);
  }, 120_000);
});
