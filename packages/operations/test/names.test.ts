import { describe, expect, it } from "vitest";
import {
  BUCKET_PREFIX_MAX,
  bucketNameIn,
  isStackIdSuffix,
  STACK_ID_SUFFIX,
  stackBucketArn,
  stackBucketName,
} from "../src/index.js";

// What CloudFormation makes of the expression, for a stack id as AWS gives it.
function evaluate(value: unknown, stackId: string, account: string): string {
  const v = value as Record<string, unknown>;
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (v.Ref === "AWS::StackId") return stackId;
  if (v["Fn::Split"]) {
    const [sep, text] = v["Fn::Split"] as [string, unknown];
    return JSON.stringify(evaluate(text, stackId, account).split(sep));
  }
  if (v["Fn::Select"]) {
    const [i, list] = v["Fn::Select"] as [number, unknown];
    return (JSON.parse(evaluate(list, stackId, account)) as string[])[i]!;
  }
  const [text, vars] = v["Fn::Sub"] as [string, Record<string, unknown>];
  return text.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
    name === "AWS::AccountId"
      ? account
      : name === "AWS::Partition"
        ? "aws"
        : evaluate(vars[name], stackId, account),
  );
}

describe("stackBucketName", () => {
  const id = (uuid: string) => `arn:aws:cloudformation:eu-west-1:123456789012:stack/Test-Hello-main/${uuid}`;

  it("names each stack's bucket after the end of its stack id: lowercase, unique per stack, within S3's 63", () => {
    const prefix = "a".repeat(BUCKET_PREFIX_MAX);
    const one = evaluate(stackBucketName(prefix), id("f794c185-9055-4b72-8f3b-cb65c74603d3"), "123456789012");
    const two = evaluate(stackBucketName(prefix), id("3530dacb-4de4-49e3-a358-30c78e636b33"), "123456789012");
    expect(one).toBe(`${prefix}-123456789012-cb65c74603d3`);
    expect(two).toBe(`${prefix}-123456789012-30c78e636b33`);
    expect(one.length).toBe(63);
    expect(bucketNameIn(prefix, "123456789012", id("f794c185-9055-4b72-8f3b-cb65c74603d3"))).toBe(one);
    expect(one).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
  });

  it("gives the bucket's ARN, or its objects', with the same expression", () => {
    const arn = evaluate(
      stackBucketArn("hello-uploads", "incoming/*"),
      id("f794c185-9055-4b72-8f3b-cb65c74603d3"),
      "123456789012",
    );
    expect(arn).toBe("arn:aws:s3:::hello-uploads-123456789012-cb65c74603d3/incoming/*");
    expect(isStackIdSuffix(structuredClone(STACK_ID_SUFFIX))).toBe(true);
    expect(isStackIdSuffix({ Ref: "AWS::StackName" })).toBe(false);
  });
});
