import { describe, expect, it } from "vitest";
import { credentialLike, tlsOnlyBucketPolicy } from "../src/index.js";

describe("credentialLike", () => {
  it.each([
    ["AWS_KEY", "AKIAIOSFODNN7EXAMPLE", "an AWS access key id"],
    ["SESSION", "ASIAY34FZKBOKMUTVV7A", "an AWS access key id"],
    ["KEY", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "a private key"],
    ["GH", "ghp_S3cr3tT0k3nThatMustNeverLeak0123456789", "a GitHub token"],
    ["GH", `github_pat_${"A1b2C3d4E5".repeat(6)}`, "a GitHub token"],
    ["SLACK", "xoxb-123456789012-abcdefghijkl", "a Slack token"],
  ])("recognises %s = %s as %s", (name, value, what) => {
    expect(credentialLike(name, value)).toBe(what);
  });

  it("flags a long random value under a secret-sounding name, and only there", () => {
    const random = "q8Zr2vK9xT4mW7nB1cY6pL3sD0fH5jG";
    expect(credentialLike("DB_PASSWORD", random)).toMatch(/high-entropy value under a secret-sounding name/);
    expect(credentialLike("API_TOKEN", random)).toMatch(/DB_PASSWORD|API_TOKEN/);
    expect(credentialLike("BUILD_ID", random)).toBeUndefined();
  });

  it("leaves ordinary configuration and references to secrets alone", () => {
    expect(credentialLike("GREETING", "Hello from production")).toBeUndefined();
    expect(credentialLike("TABLE_NAME", "orders-production-table")).toBeUndefined();
    expect(credentialLike("PASSWORD_PARAMETER", "/prod/db/password")).toBeUndefined();
    expect(
      credentialLike("API_KEY_SECRET", "arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf"),
    ).toBeUndefined();
    expect(credentialLike("TOKEN", "{{resolve:secretsmanager:prod/token}}")).toBeUndefined();
    expect(credentialLike("PASSWORD", "changeme")).toBeUndefined();
  });
});

describe("tlsOnlyBucketPolicy", () => {
  it("denies every S3 action on the bucket and its objects over plain HTTP", () => {
    const policy = tlsOnlyBucketPolicy({ "Fn::GetAtt": ["Bucket", "Arn"] });
    expect(policy.Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [
          { "Fn::GetAtt": ["Bucket", "Arn"] },
          { "Fn::Join": ["", [{ "Fn::GetAtt": ["Bucket", "Arn"] }, "/*"]] },
        ],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    expect((tlsOnlyBucketPolicy("arn:aws:s3:::b").Statement as { Resource: unknown }[])[0]!.Resource).toEqual(
      ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    );
  });
});
