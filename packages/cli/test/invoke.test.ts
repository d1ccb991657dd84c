import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import {
  deployedFunctionName,
  invokeConfig,
  invokeRemote,
  jsonErrorOffset,
  type LambdaInvokeClient,
  outcomeJson,
  printable,
  readEvent,
} from "../src/invoke.js";
import type { ServiceDefinition } from "../src/service.js";
import { runInProcess } from "./example.js";

const events = fileURLToPath(new URL("./fixtures/invoke/events/", import.meta.url));

/**
 * A fake of the one Lambda call `--remote` makes, answering as Lambda's Invoke API is documented to
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html): HTTP 200 with `StatusCode: 200` for a synchronous
 * (RequestResponse) invocation whether or not the function failed; a function error sets `FunctionError` ("Unhandled")
 * and the `Payload` is then `{"errorType","errorMessage","trace"}`; with `LogType: "Tail"` `LogResult` is the base64
 * of the last 4 KB of the invocation's log. A missing function is an error (ResourceNotFoundException), not a payload.
 */
function fakeLambda(
  answer: (
    input: Parameters<LambdaInvokeClient["invoke"]>[0],
  ) => Awaited<ReturnType<LambdaInvokeClient["invoke"]>>,
) {
  const calls: Parameters<LambdaInvokeClient["invoke"]>[0][] = [];
  const client: LambdaInvokeClient = {
    invoke: async (input) => {
      calls.push(input);
      return answer(input);
    },
  };
  return { client, calls };
}

const tail = (log: string) => Buffer.from(log.slice(-4096)).toString("base64");
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe("invokeRemote against a fake of Lambda's Invoke", () => {
  it("sends the event as the payload with LogType Tail and returns the result and the decoded log tail", async () => {
    const log = `START RequestId: r-1 Version: $LATEST\n${"x".repeat(5000)}\nEND RequestId: r-1\nREPORT RequestId: r-1\tDuration: 3.1 ms\n`;
    const { client, calls } = fakeLambda(() => ({
      StatusCode: 200,
      ExecutedVersion: "$LATEST",
      Payload: bytes({ statusCode: 200, body: "hi" }),
      LogResult: tail(log),
      $metadata: { requestId: "r-1" },
    }));
    const out = await invokeRemote({
      client,
      name: "hello",
      physicalName: "hello-HelloFunction-ABC",
      event: '{"a":1}',
    });
    expect(calls).toEqual([
      {
        FunctionName: "hello-HelloFunction-ABC",
        Payload: new TextEncoder().encode('{"a":1}'),
        LogType: "Tail",
        InvocationType: "RequestResponse",
      },
    ]);
    expect(out).toMatchObject({
      kind: "result",
      function: "hello",
      requestId: "r-1",
      statusCode: 200,
      result: { statusCode: 200, body: "hi" },
    });
    expect(out.logTail).toBe(log.slice(-4096));
    expect(out.logTail).toMatch(/REPORT RequestId: r-1/);
    expect(outcomeJson(out, false)).toEqual({
      function: "hello",
      requestId: "r-1",
      durationMs: expect.any(Number),
      result: { statusCode: 200, body: "hi" },
    });
  });

  it("a function error (FunctionError Unhandled) is Lambda's error shape; the trace only when asked", async () => {
    const { client } = fakeLambda(() => ({
      StatusCode: 200,
      FunctionError: "Unhandled",
      Payload: bytes({
        errorType: "OrderError",
        errorMessage: "order 42 has no items",
        trace: ["OrderError: order 42 has no items", "    at boom (/var/task/index.mjs:3:9)"],
      }),
      LogResult: tail("ERROR Invoke Error\n"),
    }));
    const out = await invokeRemote({ client, name: "boom", physicalName: "invoked-Boom", event: "{}" });
    expect(out.kind).toBe("error");
    expect(printable(out, false)).toEqual({ errorType: "OrderError", errorMessage: "order 42 has no items" });
    expect(printable(out, true)).toEqual({
      errorType: "OrderError",
      errorMessage: "order 42 has no items",
      stackTrace: ["OrderError: order 42 has no items", "    at boom (/var/task/index.mjs:3:9)"],
    });
    expect(out.logTail).toBe("ERROR Invoke Error\n");
  });

  it("an error payload that is not Lambda's JSON shape (as the emulator answers) is reported as it came", async () => {
    const { client } = fakeLambda(() => ({
      StatusCode: 200,
      FunctionError: "Handled",
      Payload: new TextEncoder().encode("error running docker: no such file"),
      LogResult: "",
    }));
    const out = await invokeRemote({ client, name: "hello", physicalName: "h", event: "{}" });
    expect(printable(out, false)).toEqual({
      errorType: "FunctionError: Handled",
      errorMessage: "error running docker: no such file",
    });
    expect(out.logTail).toBe("");
  });

  it("a function returning nothing prints null; a non-JSON result is kept as text", async () => {
    const empty = await invokeRemote({
      client: fakeLambda(() => ({ StatusCode: 200, Payload: new Uint8Array(0) })).client,
      name: "f",
      physicalName: "f",
      event: "{}",
    });
    expect(printable(empty, false)).toBeNull();
  });

  it("Lambda refusing the call (ResourceNotFoundException) is an InvokeError naming the function, exit 2", async () => {
    const client: LambdaInvokeClient = {
      invoke: async () => {
        throw Object.assign(
          new Error("Function not found: arn:aws:lambda:us-east-1:123456789012:function:gone"),
          {
            name: "ResourceNotFoundException",
          },
        );
      },
    };
    const error = await invokeRemote({ client, name: "hello", physicalName: "gone", event: "{}" }).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ name: "InvokeError", code: "INVOKE_FAILED", exitCode: 2 });
    expect(error.message).toMatch(
      /^invoking hello \(gone\) failed: ResourceNotFoundException: Function not found/,
    );
    expect(error.message).toMatch(/lambda:InvokeFunction/);
  });
});

describe("deployedFunctionName", () => {
  it("finds the function's physical id among the stack's resources, or says to provision", () => {
    const resources = [
      { logicalId: "HelloFunction", physicalId: "hello-HelloFunction-W73J" },
      { logicalId: "HelloRole", physicalId: "hello-HelloRole-1" },
    ];
    expect(deployedFunctionName("hello", "hello", resources)).toBe("hello-HelloFunction-W73J");
    expect(() => deployedFunctionName("nightly", "hello-dev", resources)).toThrow(
      /stack hello-dev has no NightlyFunction; run sparta provision/,
    );
  });
});

describe("readEvent", () => {
  it("defaults to {}, reads a file relative to the folder, or stdin", async () => {
    expect(await readEvent(undefined, "/")).toEqual({ text: "{}", source: "(no --event: {})" });
    const s3 = await readEvent("s3-event.json", events);
    expect(JSON.parse(s3.text).Records[0].eventSource).toBe("aws:s3");
    expect(await readEvent("-", "/", Readable.from([Buffer.from('{"a":'), Buffer.from("1}")]))).toEqual({
      text: '{"a":1}',
      source: "stdin",
    });
  });

  it("names the file and the position of what is not JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sparta-invoke-"));
    writeFileSync(join(dir, "broken.json"), '{\n  "orderId": "42",\n  "items": [1, 2,]\n}\n');
    const error = await readEvent("broken.json", dir).catch((e) => e);
    rmSync(dir, { recursive: true });
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(
      /^--event broken\.json: not JSON: unexpected "]" at position 38 \(line 3, column 18\)\n/,
    );
    const missing = await readEvent("nope.json", events).catch((e) => e);
    expect(missing.message).toMatch(/^--event nope\.json: no such file \(.*nope\.json\)/);
    const empty = await readEvent("-", "/", Readable.from([])).catch((e) => e);
    expect(empty.message).toMatch(/^--event stdin: not JSON: it is empty at position 0 \(line 1, column 1\)/);
  });
});

describe("jsonErrorOffset", () => {
  it("agrees with JSON.parse on what is JSON, and points at the first bad character", () => {
    const cases: [string, number][] = [
      ["{}", -1],
      [' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]} ', -1],
      ["[1, 2,]", 6],
      ['{"a" 1}', 5],
      ['{"a": 1,}', 8],
      ["{'a': 1}", 1],
      ["01", 1],
      ["[1] x", 4],
      ['"tab\there"', 4],
      ['"\\x"', 2],
      ['"\\u12G4"', 2],
      ["[1, 2", 5],
      ["", 0],
      ["-", 0],
      ["nul", 0],
      ['{"a": {"b": [}', 13],
    ];
    for (const [text, offset] of cases) {
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      expect(jsonErrorOffset(text), text).toBe(offset);
      expect(parses, text).toBe(offset === -1);
    }
  });
});

describe("invokeConfig", () => {
  const service: ServiceDefinition = {
    name: "svc",
    functions: [
      { name: "plain", handler: "src/a.ts#handler" },
      {
        name: "named",
        handler: "src/a.ts#handler",
        memorySize: 1024,
        timeout: 30,
        environment: { STAGE: "dev" },
      },
    ],
    decorators: [
      ({ template }) => {
        // A decorator fixing the physical name and adding a variable only CloudFormation can resolve.
        const props = (template.Resources.NamedFunction as { Properties: Record<string, unknown> })
          .Properties;
        props.FunctionName = "svc-named-fixed";
        (props.Environment as { Variables: Record<string, unknown> }).Variables.BUCKET = { Ref: "Bucket" };
        return {};
      },
    ],
  } as ServiceDefinition;

  it("takes memory, timeout and environment from the function as deployed, defaults otherwise", async () => {
    const warnings: string[] = [];
    const reporter = { warn: (m: string) => warnings.push(m) };
    expect(await invokeConfig(service, "plain", reporter)).toEqual({
      name: "plain",
      functionName: "plain",
      memorySize: 256,
      timeout: 10,
      environment: {},
    });
    expect(await invokeConfig(service, "named", reporter)).toEqual({
      name: "named",
      functionName: "svc-named-fixed",
      memorySize: 1024,
      timeout: 30,
      environment: { STAGE: "dev" },
    });
    expect(warnings).toEqual([
      'named: environment variable BUCKET is {"Ref":"Bucket"}, resolved only when deployed; not set locally',
    ]);
    await expect(invokeConfig(service, "other", reporter)).rejects.toThrow(
      'sparta invoke other: the service has no function "other"; functions: plain, named',
    );
  });
});

describe("sparta help", () => {
  it("lists invoke, and `sparta invoke --help` shows its argument and flags", async () => {
    const hello = fileURLToPath(new URL("../../../examples/hello/", import.meta.url));
    const all = await runInProcess(["help"], hello);
    expect(all.stdout).toMatch(/^ {2}invoke\s+run one function once with an event, locally as Lambda would/m);
    expect(all.stdout).toMatch(/3 deployment failure \(invoke: function error\)/);
    const one = await runInProcess(["invoke", "--help"], hello);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^usage: sparta invoke <function> \[flags\]\n/);
    expect(one.stdout).toMatch(/--event FILE\s+the event JSON file, or - for stdin \(default \{\}\)/);
    expect(one.stdout).toMatch(/--remote\s+invoke the deployed function of the stack/);
  });
});
