import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  decodeInvocation,
  decodeResult,
  encodeInvocation,
  encodeResult,
  type Invocation,
  invocationFromJson,
  invocationToJson,
  type Result,
  resultFromJson,
  resultToJson,
} from "../src/envelope.js";
import { EnvelopeError } from "../src/errors.js";

const root = join(import.meta.dirname, "..");
const golden = join(root, "test/golden");
const utf8 = (s: string) => new TextEncoder().encode(s);

/** The values of the text-format golden files in test/golden/*.txtpb. */
const VECTORS: { name: string; type: "Invocation" | "Result"; value: Invocation | Result }[] = [
  {
    name: "invocation",
    type: "Invocation",
    value: {
      functionName: "orders",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:orders",
      memoryLimitInMb: 256,
      awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
      logGroupName: "/aws/lambda/orders",
      logStreamName: "2026/11/26/[$LATEST]abc",
      deadlineMs: 1795708800000,
      event: utf8('{"Records":[{"eventSource":"aws:sqs","body":"héllo"}]}'),
      traceId: "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
    },
  },
  {
    name: "result-payload",
    type: "Result",
    value: {
      awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
      payload: utf8('{"statusCode":200,"body":"ok"}'),
      durationUs: 1234,
    },
  },
  {
    name: "result-error",
    type: "Result",
    value: {
      awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
      error: {
        errorType: "FunctionResultError",
        errorMessage: "Function thumbnailer answered status 503",
        stackTrace: ["at a (file.js:1:1)", "at b (file.js:2:2)"],
      },
      durationUs: 99,
    },
  },
];

function hasProtoc(): boolean {
  try {
    execFileSync("protoc", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const protocPresent = hasProtoc();
const MISSING =
  "protoc not found: install Debian's protobuf-compiler (apt-get install -y protobuf-compiler) to check the wire format";
if (!protocPresent && process.env.CI === "true") {
  throw new Error(`${MISSING}. CI must run these tests.`);
}

function protoc(args: string[], input: Uint8Array | string): Buffer {
  return execFileSync("protoc", ["--proto_path", join(root, "proto"), ...args, "envelope.proto"], { input });
}

const encode = (type: string, value: Invocation | Result) =>
  type === "Invocation" ? encodeInvocation(value as Invocation) : encodeResult(value as Result);
const decode = (type: string, bytes: Uint8Array) =>
  type === "Invocation" ? decodeInvocation(bytes) : decodeResult(bytes);

describe("golden vectors (produced by protoc --encode)", () => {
  if (process.env.UPDATE === "1") {
    if (!protocPresent) throw new Error(`UPDATE=1 needs protoc. ${MISSING}`);
    for (const v of VECTORS) {
      const txt = readFileSync(join(golden, `${v.name}.txtpb`), "utf8");
      writeFileSync(join(golden, `${v.name}.bin`), protoc([`--encode=sparta.handler.v1.${v.type}`], txt));
    }
  }

  it.each(VECTORS)("our encoding of $name equals the golden bytes", ({ name, type, value }) => {
    const bin = join(golden, `${name}.bin`);
    expect(existsSync(bin), `${bin} missing: run UPDATE=1 pnpm exec vitest run test/envelope.test.ts`).toBe(
      true,
    );
    expect(Buffer.from(encode(type, value)).toString("hex")).toBe(readFileSync(bin).toString("hex"));
  });

  it.each(VECTORS)("we decode the golden bytes of $name to its value", ({ name, type, value }) => {
    expect(decode(type, readFileSync(join(golden, `${name}.bin`)))).toEqual(value);
  });

  it.for(VECTORS)("protoc encodes $name.txtpb to exactly our bytes", (v, ctx) => {
    if (!protocPresent) ctx.skip(MISSING);
    const txt = readFileSync(join(golden, `${v.name}.txtpb`), "utf8");
    const theirs = protoc([`--encode=sparta.handler.v1.${v.type}`], txt);
    expect(Buffer.from(encode(v.type, v.value)).toString("hex")).toBe(theirs.toString("hex"));
  });

  it.for(VECTORS)("protoc decodes our $name bytes to the golden text", (v, ctx) => {
    if (!protocPresent) ctx.skip(MISSING);
    const ours = protoc([`--decode=sparta.handler.v1.${v.type}`], encode(v.type, v.value)).toString("utf8");
    const fromGolden = protoc(
      [`--decode=sparta.handler.v1.${v.type}`],
      readFileSync(join(golden, `${v.name}.bin`)),
    );
    expect(ours).toBe(fromGolden.toString("utf8"));
    expect(ours).toContain('aws_request_id: "c6af9ac6-7b61-11e6-9a41-93e812345678"');
  });
});

describe("proto3 JSON", () => {
  it("uses lowerCamelCase names, base64 bytes and int64 as strings", () => {
    const json = invocationToJson(VECTORS[0]!.value as Invocation);
    expect(json).toMatchObject({
      functionName: "orders",
      memoryLimitInMb: 256,
      deadlineMs: "1795708800000",
      event: Buffer.from('{"Records":[{"eventSource":"aws:sqs","body":"héllo"}]}').toString("base64"),
    });
    expect(invocationFromJson(json)).toEqual(VECTORS[0]!.value);
  });

  it("accepts the original snake_case names", () => {
    const inv = invocationFromJson({
      function_name: "f",
      deadline_ms: "5",
      event: Buffer.from("{}").toString("base64"),
    });
    expect(inv).toEqual({ functionName: "f", deadlineMs: 5, event: utf8("{}") });
  });

  it("round-trips results with a payload and with an error", () => {
    for (const v of VECTORS.slice(1)) {
      expect(resultFromJson(resultToJson(v.value as Result))).toEqual(v.value);
    }
    expect(resultToJson(VECTORS[2]!.value as Result)).toEqual({
      awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
      error: {
        errorType: "FunctionResultError",
        errorMessage: "Function thumbnailer answered status 503",
        stackTrace: ["at a (file.js:1:1)", "at b (file.js:2:2)"],
      },
      durationUs: "99",
    });
  });
});

describe("malformed envelopes", () => {
  it("throws EnvelopeError naming the message type", () => {
    expect(() => decodeInvocation(new Uint8Array([0x0a, 0xff, 0xff]))).toThrow(EnvelopeError);
    expect(() => decodeInvocation(new Uint8Array([0x0a, 0xff, 0xff]))).toThrow(
      /Could not decode the Invocation envelope/,
    );
    expect(() => invocationFromJson("nope")).toThrow(/expected a JSON object/);
  });
});
