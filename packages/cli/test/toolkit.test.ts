import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateTemplate } from "@sparta/template";
import { describe, expect, it } from "vitest";
import {
  type BucketProbe,
  checkToolkitBucket,
  stackLocation,
  ToolkitError,
  toolkitBucket,
  toolkitTemplate,
} from "../src/toolkit.js";
import { cfnLint, hasCfnLint } from "./helpers.js";

// The managed deployment bucket's stack (sparta bootstrap) and how provision reads it. The emulator (moto) creates the
// bucket but applies neither versioning, lifecycle, public access block nor its policy, so the template itself is
// checked here (and by cfn-lint); and it ignores ExpectedBucketOwner, so a fake probe stands in for S3's answers.

const ARN = "arn:aws:cloudformation:eu-west-1:111122223333:stack/SpartaToolkit/0b1c";

describe("the toolkit template", () => {
  const t = toolkitTemplate();
  const bucket = t.Resources.ArtifactBucket!;
  const p = bucket.Properties ?? {};

  it("holds a versioned, encrypted bucket with public access blocked and ACLs off, kept when the stack goes", () => {
    expect(p.VersioningConfiguration).toEqual({ Status: "Enabled" });
    expect(p.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
    });
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(p.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] });
    expect([bucket.DeletionPolicy, bucket.UpdateReplacePolicy]).toEqual(["Retain", "Retain"]);
    expect(p.BucketName).toBeUndefined(); // named by CloudFormation: nobody can take the name first
  });

  it("expires old artifacts, noncurrent versions and unfinished uploads", () => {
    expect(p.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: "ExpireOldArtifacts",
          Status: "Enabled",
          ExpirationInDays: { Ref: "ArtifactRetentionDays" },
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    });
    expect(t.Parameters?.ArtifactRetentionDays).toMatchObject({
      Type: "Number",
      Default: "365",
      MinValue: 1,
    });
  });

  it("refuses every request not made over TLS", () => {
    expect(t.Resources.ArtifactBucketPolicy?.Properties?.PolicyDocument).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "TlsRequestsOnly",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [{ "Fn::GetAtt": ["ArtifactBucket", "Arn"] }, { "Fn::Sub": "${ArtifactBucket.Arn}/*" }],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  it("exports the bucket's name and its version", () => {
    expect(t.Outputs?.ArtifactBucketName).toMatchObject({
      Value: { Ref: "ArtifactBucket" },
      Export: { Name: { "Fn::Sub": "${AWS::StackName}-ArtifactBucket" } },
    });
    expect(t.Outputs?.BootstrapVersion?.Value).toBe("1");
  });

  it("validates, and passes cfn-lint", () => {
    expect(validateTemplate(t as never)).toEqual([]);
    if (!hasCfnLint) return;
    const file = join(mkdtempSync(join(tmpdir(), "sparta-toolkit-")), "toolkit.json");
    writeFileSync(file, JSON.stringify(t));
    const lint = cfnLint(file);
    expect(lint.status & 2, lint.output).toBe(0);
  }, 60_000);
});

describe("reading the toolkit stack", () => {
  const stack = (status: string, outputs: Record<string, string>) => ({ stackId: ARN, status, outputs });

  it("gives the bucket, account and region of a usable stack", () => {
    expect(stackLocation(ARN)).toEqual({ account: "111122223333", region: "eu-west-1" });
    expect(
      toolkitBucket(
        "SpartaToolkit",
        stack("UPDATE_ROLLBACK_COMPLETE", { ArtifactBucketName: "b", BootstrapVersion: "1" }),
      ),
    ).toEqual({ bucket: "b", account: "111122223333", region: "eu-west-1" });
  });

  it.each([
    [
      "ROLLBACK_COMPLETE",
      {},
      /stack SpartaToolkit \(account 111122223333, region eu-west-1\) is ROLLBACK_COMPLETE.*run `sparta bootstrap` to repair it/,
    ],
    [
      "DELETE_IN_PROGRESS",
      { ArtifactBucketName: "b" },
      /is DELETE_IN_PROGRESS.*once the delete has finished/,
    ],
    ["REVIEW_IN_PROGRESS", {}, /is REVIEW_IN_PROGRESS/],
    ["CREATE_COMPLETE", {}, /has no ArtifactBucketName output: it is not a Sparta toolkit stack/],
    [
      "CREATE_COMPLETE",
      { ArtifactBucketName: "b" },
      /is toolkit version 0; this sparta needs 1 or later: run `sparta bootstrap`/,
    ],
  ])("%s %j is a clear error", (status, outputs, message) => {
    expect(() => toolkitBucket("SpartaToolkit", stack(status, outputs))).toThrow(message);
  });
});

describe("checking the bucket before uploading", () => {
  // S3's documented answers to HeadBucket: 404 when the bucket does not exist; 403 when ExpectedBucketOwner is not the
  // bucket's owner ("Access Denied", HTTP 403) or the caller may not list it.
  const answering = (status: number, name: string): BucketProbe & { calls: unknown[] } => {
    const calls: unknown[] = [];
    return {
      calls,
      async headBucket(input) {
        calls.push(input);
        if (status === 200) return {};
        throw Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
      },
    };
  };

  it("asks S3 with the stack's account as the expected owner", async () => {
    const probe = answering(200, "");
    await checkToolkitBucket(probe, "SpartaToolkit", { bucket: "b", account: "111122223333" });
    expect(probe.calls).toEqual([{ Bucket: "b", ExpectedBucketOwner: "111122223333" }]);
  });

  it("a bucket of another account is refused before anything is uploaded", async () => {
    const error = await checkToolkitBucket(answering(403, "Forbidden"), "SpartaToolkit", {
      bucket: "b",
      account: "111122223333",
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ToolkitError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(
      /the deployment bucket b named by stack SpartaToolkit is not account 111122223333's .* Nothing was uploaded/,
    );
  });

  it("a bucket that is gone says to run bootstrap", async () => {
    await expect(
      checkToolkitBucket(answering(404, "NotFound"), "SpartaToolkit", {
        bucket: "b",
        account: "111122223333",
      }),
    ).rejects.toThrow(
      /the deployment bucket b of stack SpartaToolkit no longer exists .* run `sparta bootstrap`/,
    );
  });
});
