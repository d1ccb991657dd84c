import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { createCfnClient } from "@sparta/converge";
import type { Emulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorWithBucket } from "./emulator.js";
import { copyExample, removeCopies, runBinAsync } from "./example.js";

const BUCKET = "sparta-invoke-artifacts";
const apigw = fileURLToPath(
  new URL("./fixtures/invoke/events/apigw-v2-request-no-authorizer.json", import.meta.url),
);

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

// examples/hello provisioned on the emulator (moto); the built `sparta invoke --remote` finds the function in the
// stack and calls Lambda's Invoke through the real SDK. moto creates functions but cannot run them here (it would
// need a container runtime): it answers 200 with FunctionError "Handled" and a plain-text message as the payload.
describe("sparta invoke --remote against the AWS emulator", () => {
  let emu: Emulator;
  let dir: string;
  let physical: string;

  beforeAll(async () => {
    emu = await emulatorWithBucket(BUCKET);
    dir = copyExample();
    const provisioned = await runBinAsync(["provision", "--s3Bucket", BUCKET, "--yes"], dir, emu.env);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    const resources = await createCfnClient(emu.clientConfig).listStackResources({ StackName: "hello" });
    physical = resources.StackResourceSummaries?.find((r) => r.LogicalResourceId === "HelloFunction")
      ?.PhysicalResourceId as string;
    expect(physical).toMatch(/^hello-HelloFunction-/);
  }, 180_000);

  afterAll(async () => {
    await emu?.stop();
    removeCopies();
  });

  it("invokes the stack's function through the SDK and reports the emulator's answer clearly", async () => {
    const r = await runBinAsync(
      ["invoke", "hello", "--remote", "--event", apigw, "--format", "json"],
      dir,
      emu.env,
    );
    expect(r.stderr).not.toMatch(/internal error/);
    const out = JSON.parse(r.stdout);
    expect(out.function).toBe("hello");
    // Whatever the emulator answers is printed: a result (exit 0) or an error in Lambda's shape (exit 3).
    if (r.code === 0) expect(out).toHaveProperty("result");
    else {
      expect(r.code).toBe(3);
      expect(out.error).toEqual({ errorType: expect.any(String), errorMessage: expect.any(String) });
    }
    // moto without a container runtime: FunctionError "Handled", the payload its message.
    if (/docker/i.test(out.error?.errorMessage ?? "")) {
      expect(out.error.errorType).toBe("FunctionError: Handled");
      expect(out.error.errorMessage).toMatch(/^error running docker/);
    }
    expect(out.requestId).toEqual(expect.any(String));
  });

  it("text output prints the error payload as Lambda's shape and exits 3 (no stack trace, no crash)", async () => {
    const r = await runBinAsync(["invoke", "hello", "--remote"], dir, emu.env);
    expect(r.stderr).not.toMatch(/internal error/);
    if (r.code !== 0) {
      expect(r.code).toBe(3);
      expect(Object.keys(JSON.parse(r.stdout))).toEqual(["errorType", "errorMessage"]);
    }
  });

  it("honours AWS_ENDPOINT_URL_LAMBDA: an unreachable Lambda endpoint is an error naming the function (exit 2)", async () => {
    const port = await closedPort();
    const r = await runBinAsync(["invoke", "hello", "--remote"], dir, {
      ...emu.env,
      AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${port}`,
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe("");
    // The stack was read from the emulator (AWS_ENDPOINT_URL), the Invoke went to the Lambda endpoint.
    expect(r.stderr).toContain(`error: invoking hello (${physical}) failed:`);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
  });

  it("a stack that is not deployed is a usage error (exit 2); --noop touches no AWS", async () => {
    const missing = await runBinAsync(["invoke", "hello", "--remote", "--stackName", "nope"], dir, emu.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/stack nope does not exist; run sparta provision first/);
    const noop = await runBinAsync(["invoke", "nightly", "--remote", "--noop"], dir, {
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    });
    expect(noop.code, noop.stderr).toBe(0);
    expect(noop.stdout).toBe(
      "noop: would invoke nightly (NightlyFunction of stack hello) in AWS with a 2-byte event from (no --event: {}); nothing was run\n",
    );
  });
});
