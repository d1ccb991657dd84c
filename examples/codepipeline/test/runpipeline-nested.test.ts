import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  type TestRepo,
} from "./runpipeline-repo.js";

// `sparta runPipeline` of the example deployed as nested stacks (what a service past CloudFormation's quotas
// becomes; `stacks: "nested"`, committed to its sparta.config.ts, makes the small example one): the build uploads
// the nested templates with the ZIPs (from the manifest), and each stage's stack is a root whose function is in its
// nested stack, deployed by the stage's deploy role.
const NESTED = ["--pipeline", "SpartaNested", ...REPO];
const TEST_STACK = "Test-SpartaNested-master";
const PROD_STACK = "Prod-SpartaNested-master";
const silent = { info() {}, warn() {}, debug() {}, progress() {}, event() {} };

describe("sparta runPipeline of a service deployed as nested stacks", () => {
  let emu: Emulator;
  let work: string;
  let repo: TestRepo;
  let env: Record<string, string>;
  const message = async (stackName: string) => {
    const root = await describeStack({ stackName });
    const nested = root?.resources.find((r) => r.logicalId === "HelloFunctionStack")?.physicalId;
    const child = nested ? await describeStack({ stackName: nested }) : undefined;
    const fn = child?.resources.find((r) => r.type === "AWS::Lambda::Function")?.physicalId;
    if (!fn) return undefined;
    const lambda = new LambdaClient({ ...emu.clientConfig, maxAttempts: 1 });
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    return config.Environment?.Variables?.MESSAGE;
  };

  beforeAll(async () => {
    emu = await startEmulator();
    Object.assign(process.env, emu.env);
    work = mkdtempSync(join(tmpdir(), "runpipeline-nested-"));
    repo = makeTestRepo(join(work, "repo"));
    provideNode(work, 22);
    // the build runs `sparta provision` on the example's own sparta.config.ts: the commit makes it nested stacks
    const config = readFileSync(join(repo.serviceDir, "sparta.config.ts"), "utf8");
    const nested = config.replace('name: "SpartaHello",', 'name: "SpartaHello",\n  stacks: "nested",');
    expect(nested).not.toBe(config);
    repo.commit("as nested stacks", { "examples/codepipeline/sparta.config.ts": nested });
    env = runEnv(emu.env, repo, work);
    const r = await sparta(["provisionPipeline", ...NESTED, ...CONNECTION], repo.serviceDir, env);
    expect(r.code, r.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await emu?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("deploys both stages as a root and a nested stack, each function with its MESSAGE", async () => {
    // The alarms the production gate watches (the emulator's CloudFormation does not create alarms yet).
    const { template, serviceTemplate } = await buildService({
      service: { ...service, stacks: "nested" },
      serviceDir: repo.serviceDir,
      reporter: silent,
      noop: true,
    });
    await putGateAlarms(emu.clientConfig, alarmNamesFor(serviceTemplate ?? template, TEST_STACK));
    const r = await sparta(
      ["runPipeline", "--format", "json", ...NESTED, "--approve", "all"],
      repo.serviceDir,
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.status).toBe("Succeeded");
    expect(await message(TEST_STACK)).toBe("Hello from the test environment");
    expect(await message(PROD_STACK)).toBe("Hello from production");
  }, 300_000);
});
