import { describe, expect, it } from "vitest";
import { createS3Client } from "../src/clients.js";
import { isRetryable } from "../src/retry.js";
import { canonicalJson, effectiveParameters, inferCapabilities, noEchoParameters } from "../src/template.js";

describe("inferCapabilities", () => {
  it("asks for nothing when no IAM, transform or nested stack is present", () => {
    expect(inferCapabilities({ Resources: { B: { Type: "AWS::S3::Bucket" } } })).toEqual([]);
  });
  it("asks for CAPABILITY_IAM for unnamed IAM resources and NAMED_IAM for named ones", () => {
    expect(inferCapabilities({ Resources: { R: { Type: "AWS::IAM::Role", Properties: {} } } })).toEqual([
      "CAPABILITY_IAM",
    ]);
    expect(
      inferCapabilities({ Resources: { R: { Type: "AWS::IAM::Role", Properties: { RoleName: "fixed" } } } }),
    ).toEqual(["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]);
  });
  it("asks for AUTO_EXPAND for a Transform (SAM) or Fn::Transform anywhere", () => {
    expect(inferCapabilities({ Transform: "AWS::Serverless-2016-10-31", Resources: {} })).toEqual([
      "CAPABILITY_AUTO_EXPAND",
    ]);
    expect(
      inferCapabilities({
        Resources: { B: { Type: "AWS::S3::Bucket", Properties: { "Fn::Transform": {} } } },
      }),
    ).toEqual(["CAPABILITY_AUTO_EXPAND"]);
  });
  it("asks for all three for nested stacks, whose contents it cannot see", () => {
    expect(inferCapabilities({ Resources: { N: { Type: "AWS::CloudFormation::Stack" } } })).toEqual([
      "CAPABILITY_AUTO_EXPAND",
      "CAPABILITY_IAM",
      "CAPABILITY_NAMED_IAM",
    ]);
  });
});

describe("no-op comparison helpers", () => {
  it("compares templates independent of key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });
  it("fills parameters from template defaults, as CloudFormation does", () => {
    const t = {
      Parameters: {
        Stage: { Type: "String", Default: "dev" },
        Size: { Type: "Number", Default: 3 },
        Subnets: { Type: "CommaDelimitedList", Default: ["a", "b"] },
        Required: { Type: "String" },
      },
    };
    expect(effectiveParameters(t, { Required: "x", Stage: "prod" })).toEqual({
      Stage: "prod",
      Size: "3",
      Subnets: "a,b",
      Required: "x",
    });
  });
  it("lists NoEcho parameters (their deployed values are masked)", () => {
    expect(noEchoParameters({ Parameters: { A: { NoEcho: "true" }, B: { NoEcho: false }, C: {} } })).toEqual([
      "A",
    ]);
  });
});

describe("retry classification", () => {
  it("retries throttling, 5xx and dropped connections, not validation errors", () => {
    expect(
      isRetryable({ name: "Throttling", message: "Rate exceeded", $metadata: { httpStatusCode: 400 } }),
    ).toBe(true);
    expect(isRetryable({ name: "Whatever", message: "Rate exceeded" })).toBe(true);
    expect(isRetryable({ name: "InternalFailure", $metadata: { httpStatusCode: 500 } })).toBe(true);
    expect(isRetryable({ name: "Error", code: "ECONNRESET" })).toBe(true);
    expect(isRetryable({ name: "ValidationError", $metadata: { httpStatusCode: 400 } })).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });
});

describe("SDK adapters", () => {
  it("honours AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL and builds path-style TemplateURLs on it", async () => {
    const s3 = createS3Client({
      region: "eu-west-1",
      env: { AWS_ENDPOINT_URL: "http://localhost:1111", AWS_ENDPOINT_URL_S3: "http://localhost:2222" },
    });
    expect(await s3.objectUrl?.("b", "svc/templates/x y.json")).toBe(
      "http://localhost:2222/b/svc/templates/x%20y.json",
    );
  });
  it("uses the AWS virtual-host URL without an endpoint", async () => {
    expect(await createS3Client({ region: "eu-west-1", env: {} }).objectUrl?.("b", "k.json")).toBe(
      "https://b.s3.eu-west-1.amazonaws.com/k.json",
    );
    expect(await createS3Client({ region: "us-east-1", env: {} }).objectUrl?.("b", "k.json")).toBe(
      "https://b.s3.amazonaws.com/k.json",
    );
  });
});
