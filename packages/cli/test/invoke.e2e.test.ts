import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, childEnv, copyExample, removeCopies, runBinAsync } from "./example.js";

const fixture = fileURLToPath(new URL("./fixtures/invoke/", import.meta.url));
const eventFile = (name: string) =>
  fileURLToPath(new URL(`./fixtures/invoke/events/${name}`, import.meta.url));
const event = (name: string) => JSON.parse(readFileSync(eventFile(name), "utf8")) as Record<string, unknown>;

// The built `sparta invoke` on a copy of examples/hello and on test/fixtures/invoke, with real Lambda events.
describe("sparta invoke (local)", () => {
  let hello: string;
  beforeAll(() => {
    hello = copyExample();
  });
  afterAll(removeCopies);

  it("runs the HTTP API function on a real API Gateway HTTP API v2 event and prints its HTTP result", async () => {
    const r = await runBinAsync(
      ["invoke", "hello", "--event", eventFile("apigw-v2-request-no-authorizer.json")],
      hello,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "Hello, world!" }),
      isBase64Encoded: false,
    });
    // Pretty JSON for text output; the Lambda log lines on stderr.
    expect(r.stdout).toMatch(/^\{\n {2}"statusCode": 200,/);
    expect(r.stderr).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/m);
    expect(r.stderr).toMatch(/^REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tMemory Size: 256 MB$/m);
  });

  it("reads the event from stdin with --event -", async () => {
    const get = structuredClone(event("apigw-v2-request-no-authorizer.json")) as {
      rawPath: string;
      rawQueryString: string;
      queryStringParameters?: Record<string, string>;
      requestContext: { http: { path: string } };
    };
    get.rawPath = "/hello";
    get.requestContext.http.path = "/hello";
    get.rawQueryString = "name=Ada";
    get.queryStringParameters = { name: "Ada" };
    const r = await runBinAsync(["invoke", "hello", "--event", "-"], hello, {}, JSON.stringify(get));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(JSON.parse(r.stdout).body)).toEqual({ message: "Hello, Ada!" });
  });

  it("runs the S3-triggered function on a real S3 event through the generic-event path (--format json)", async () => {
    const r = await runBinAsync(
      ["invoke", "uploads", "--event", eventFile("s3-event.json"), "--format", "json"],
      hello,
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({
      function: "uploads",
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      durationMs: expect.any(Number),
      result: { received: 1, objects: [{ bucket: "sourcebucket", key: "Happy Face.jpg", size: 1024 }] },
    });
    expect(r.stderr).toContain(`START RequestId: ${out.requestId}`);
  });

  it("runs the scheduled function on a real SQS event (not its trigger: the generic path still answers)", async () => {
    const r = await runBinAsync(["invoke", "nightly", "--event", eventFile("sqs-event.json")], hello);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ran: true, scheduledAt: null, kind: "direct" });
  });

  it("--sample makes the event from the function's first trigger (its bucket and prefix)", async () => {
    const r = await runBinAsync(["invoke", "uploads", "--sample"], hello);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      received: 1,
      objects: [
        { bucket: "hello-uploads-123456789012-5a4b3c2d1e0f", key: "incoming/example.txt", size: 1024 },
      ],
    });
    expect(r.stderr).toContain("sample event for uploads events[0] (s3)");
    const both = await runBinAsync(["invoke", "uploads", "--sample", "--event", "x.json"], hello);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--sample and --event both give the event");
  });

  it("an unknown function is a usage error listing the service's functions", async () => {
    const r = await runBinAsync(["invoke", "hallo"], hello);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      'error: sparta invoke hallo: the service has no function "hallo"; functions: hello, uploads, nightly',
    );
    const none = await runBinAsync(["invoke"], hello);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/sparta invoke needs a function name.*functions: hello, uploads, nightly/);
  });

  it("a missing event file or one that is not JSON is a usage error naming the file and the position", async () => {
    const missing = await runBinAsync(["invoke", "hello", "--event", "events/nope.json"], hello);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /error: --event events\/nope\.json: no such file \(.*events\/nope\.json\)/,
    );
    // An event file with a trailing comma, relative to the folder sparta runs in.
    writeFileSync(join(hello, "event.json"), '{\n  "orderId": "42",\n  "items": [1, 2,]\n}\n');
    const broken = await runBinAsync(["invoke", "hello", "--event", "event.json"], hello);
    expect(broken.code).toBe(2);
    // The parser stops at the "]" on line 3, column 18 (offset 38).
    expect(broken.stderr).toMatch(
      /^error: --event event\.json: not JSON: unexpected "]" at position 38 \(line 3, column 18\)\n/m,
    );
    const stdin = await runBinAsync(["invoke", "hello", "--event", "-"], hello, {}, "{");
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toMatch(/--event stdin: not JSON: .*line 1, column 2/);
  });

  it("--noop compiles the function and says what it would invoke, running nothing", async () => {
    const r = await runBinAsync(
      ["invoke", "hello", "--noop", "--event", eventFile("apigw-v2-request-no-authorizer.json")],
      hello,
    );
    expect(r.code, r.stderr).toBe(0);
    const bytes = readFileSync(eventFile("apigw-v2-request-no-authorizer.json")).length;
    expect(r.stdout).toMatch(
      new RegExp(
        `^noop: would invoke hello locally \\(256 MB, 5 s\\) with a ${bytes}-byte event from .*; compiled .*\\.sparta/invoke/hello\\.mjs, nothing was run\\n$`,
      ),
    );
    expect(r.stderr).not.toMatch(/START RequestId/);
  });

  it("a function that throws: Lambda's {errorType, errorMessage} on stdout, its log on stderr, exit 3", async () => {
    const r = await runBinAsync(["invoke", "boom", "--event", "-"], fixture, {}, '{"orderId":"42"}');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({ errorType: "OrderError", errorMessage: "order 42 has no items" });
    expect(r.stderr).toMatch(/^about to fail$/m);
    // The stack (source-mapped to the TypeScript) only with --level debug.
    const debug = await runBinAsync(["invoke", "boom", "--level", "debug"], fixture);
    expect(debug.code).toBe(3);
    const error = JSON.parse(debug.stdout);
    expect(error.errorMessage).toBe("order (none) has no items");
    expect(error.stackTrace[0]).toMatch(/fns\.ts:\d+/);
    const json = await runBinAsync(["invoke", "boom", "--format", "json"], fixture);
    expect(JSON.parse(json.stdout)).toEqual({
      function: "boom",
      requestId: expect.any(String),
      durationMs: expect.any(Number),
      error: { errorType: "OrderError", errorMessage: "order (none) has no items" },
    });
  });

  it("a function that outlives its 1 s timeout is reported as Lambda does and stopped (awaiting or blocking)", async () => {
    for (const fn of ["slow", "spin"]) {
      const started = Date.now();
      const r = await runBinAsync(["invoke", fn], fixture);
      expect(r.code, fn).toBe(3);
      expect(JSON.parse(r.stdout)).toEqual({
        errorType: "Sandbox.Timedout",
        errorMessage: "Task timed out after 1.00 seconds",
      });
      // Each sleeps 30 s: the CLI neither waits for it nor hangs after it.
      expect(Date.now() - started, fn).toBeLessThan(10_000);
    }
  });

  it("sets the function's environment and a Lambda context from its configuration (its physical name too)", async () => {
    const r = await runBinAsync(
      ["invoke", "env", "--event", "-"],
      fixture,
      { GREETING: "from the shell" },
      "[1]",
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({
      event: [1],
      tableAtInit: "orders",
      table: "orders",
      greeting: "Hej",
      lambdaName: "invoked-env",
      context: {
        functionName: "invoked-env",
        memoryLimitInMB: "512",
        awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:invoked-env",
        remaining: expect.any(Number),
      },
    });
    // Counting down from the configured 7 s (the function waited 50 ms first).
    expect(out.context.remaining).toBeLessThanOrEqual(6950);
    expect(out.context.remaining).toBeGreaterThan(5000);
    expect(r.stderr).toContain(`START RequestId: ${out.context.awsRequestId}`);
    // Its console output goes to stderr, stdout holds only the result.
    expect(r.stderr).toMatch(/^env called for invoked-env$/m);
    expect(r.stderr).toMatch(/^a line on stderr$/m);
  });

  it("a local invoke loads no AWS SDK in the CLI (the Lambda client is imported only for --remote)", () => {
    const noSdk = fileURLToPath(new URL("./fixtures/no-aws-sdk/register.mjs", import.meta.url));
    const r = spawnSync(process.execPath, ["--import", noSdk, binPath, "invoke", "uploads"], {
      cwd: hello,
      env: childEnv(),
      encoding: "utf8",
    });
    expect(r.stderr).not.toMatch(/AWS SDK imported/);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ received: 0, objects: [] });
  });

  it("a function that exits its process is Lambda's Runtime.ExitError", async () => {
    const r = await runBinAsync(["invoke", "quit"], fixture);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: expect.stringMatching(
        /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 4$/,
      ),
    });
  });
});
