import { createHash } from "node:crypto";
import type { HeadObjectCommandInput, PutObjectCommandInput } from "@aws-sdk/client-s3";
import type { S3Like, StsLike } from "../src/types.js";

class S3Error extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

/**
 * S3 behind converge's `S3Like`, for what the emulator cannot produce: a bucket owned by another account, which S3
 * refuses with 403 AccessDenied to any request whose `ExpectedBucketOwner` is not its owner ("Verifying bucket
 * ownership with bucket owner condition", S3 User Guide). Checksums as S3 keeps them: `ChecksumSHA256` given on
 * PutObject is stored (and checked against the body: BadDigest otherwise) and returned by HeadObject with
 * `ChecksumMode: ENABLED`. See FAKE.md.
 */
export class FakeS3 implements S3Like {
  readonly calls: { op: string; input: HeadObjectCommandInput | PutObjectCommandInput }[] = [];
  readonly buckets = new Map<
    string,
    { owner: string; objects: Map<string, { body: Buffer; sha256?: string }> }
  >();

  bucket(name: string, owner: string): void {
    this.buckets.set(name, { owner, objects: new Map() });
  }

  private check(op: string, input: HeadObjectCommandInput | PutObjectCommandInput) {
    this.calls.push({ op, input });
    const bucket = this.buckets.get(input.Bucket ?? "");
    if (!bucket) throw new S3Error("NoSuchBucket", "The specified bucket does not exist", 404);
    if (input.ExpectedBucketOwner && input.ExpectedBucketOwner !== bucket.owner)
      throw new S3Error("AccessDenied", "Access Denied", 403);
    return bucket;
  }

  async headObject(input: HeadObjectCommandInput) {
    const object = this.check("headObject", input).objects.get(input.Key ?? "");
    if (!object) throw new S3Error("NotFound", "NotFound", 404);
    return {
      $metadata: {},
      ContentLength: object.body.length,
      ...(input.ChecksumMode === "ENABLED" && object.sha256 ? { ChecksumSHA256: object.sha256 } : {}),
    };
  }

  async putObject(input: PutObjectCommandInput) {
    const bucket = this.check("putObject", input);
    const body = Buffer.from(input.Body as Uint8Array | string);
    const actual = createHash("sha256").update(body).digest("base64");
    if (input.ChecksumSHA256 && input.ChecksumSHA256 !== actual)
      throw new S3Error("BadDigest", "The SHA256 you specified did not match the calculated checksum.", 400);
    bucket.objects.set(input.Key ?? "", {
      body,
      ...(input.ChecksumAlgorithm === "SHA256" ? { sha256: actual } : {}),
    });
    return { $metadata: {} };
  }

  objectUrl(bucket: string, key: string): string {
    return `https://${bucket}.s3.amazonaws.com/${key}`;
  }
}

/** STS GetCallerIdentity for one account. */
export function fakeSts(account: string): StsLike & { calls: number } {
  const sts = {
    calls: 0,
    async getCallerIdentity() {
      sts.calls++;
      return { $metadata: {}, Account: account, Arn: `arn:aws:iam::${account}:user/dev`, UserId: "AIDA" };
    },
  };
  return sts;
}
