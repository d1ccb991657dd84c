import { readFile } from "node:fs/promises";
import type { Stack } from "@aws-sdk/client-cloudformation";
import type { Engine } from "./engine.js";
import {
  ArtifactMismatchError,
  BucketMissingError,
  BucketOwnerMismatchError,
  InvalidInputError,
  TemplateTooLargeError,
} from "./errors.js";
import { sha256Hex, TEMPLATE_BODY_LIMIT } from "./template.js";
import type { Artifact, ConvergeInput, Reporter, S3Like } from "./types.js";

/** The template as CreateChangeSet takes it: inline, or the URL of its content-addressed copy in the bucket. */
export interface PreparedTemplate {
  templateBody?: string;
  templateUrl?: string;
  hash: string;
}

interface S3ErrorLike {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function status(e: unknown): number | undefined {
  return (e as S3ErrorLike)?.$metadata?.httpStatusCode;
}

function errorName(e: unknown): string | undefined {
  return (e as S3ErrorLike)?.name ?? (e as S3ErrorLike)?.Code;
}

/** Who must own the bucket, and how we know (for the message when S3 says otherwise). */
export interface Owner {
  account: string;
  source: string;
}

/** One content-addressed object: its key and the SHA-256 (hex) its content must have. */
interface Target {
  bucket: string;
  key: string;
  sha256: string;
  owner: Owner;
}

function base64(hex: string): string {
  return Buffer.from(hex, "hex").toString("base64");
}

function hex(b64: string): string {
  return Buffer.from(b64, "base64").toString("hex");
}

function ownerProblem(target: Target, e: unknown): Error {
  if (errorName(e) === "NoSuchBucket") return new BucketMissingError(target.bucket, e);
  if (status(e) === 403 || errorName(e) === "AccessDenied")
    return new BucketOwnerMismatchError(target.bucket, target.owner.account, target.owner.source, e);
  if (status(e) === 404) return new BucketMissingError(target.bucket, e);
  return e as Error;
}

/**
 * Make sure `bucket/key` holds content with SHA-256 `sha256`, owned by the expected account: an object already
 * there is reused only when S3's stored SHA-256 checksum matches (HeadObject with ChecksumMode); one without a stored
 * checksum is uploaded again; one with another checksum is an ArtifactMismatchError, never reused. Every request
 * carries ExpectedBucketOwner, so a bucket that changed hands is refused before anything is read from or written to it.
 */
export async function putVerified(
  s3: S3Like,
  target: Target,
  body: () => Promise<Uint8Array | string>,
  contentType: string,
  reporter: Reporter,
): Promise<"uploaded" | "present"> {
  const { bucket, key, owner } = target;
  try {
    const head = await s3.headObject({
      Bucket: bucket,
      Key: key,
      ExpectedBucketOwner: owner.account,
      ChecksumMode: "ENABLED",
    });
    const stored = head.ChecksumSHA256;
    if (stored && !stored.includes("-")) {
      if (stored === base64(target.sha256)) return "present";
      throw new ArtifactMismatchError(bucket, key, target.sha256, hex(stored));
    }
    reporter.info?.(`s3://${bucket}/${key} has no SHA-256 checksum to verify; uploading it again`);
  } catch (e) {
    if (e instanceof ArtifactMismatchError) throw e;
    // Without s3:ListBucket, S3 answers 403 for a missing key: the PutObject that follows decides.
    const absent =
      errorName(e) === "NotFound" || errorName(e) === "NoSuchKey" || status(e) === 404 || status(e) === 403;
    if (!absent || errorName(e) === "NoSuchBucket") throw ownerProblem(target, e);
  }
  try {
    await s3.putObject({
      Bucket: bucket,
      Key: key,
      Body: await body(),
      ContentType: contentType,
      ChecksumAlgorithm: "SHA256",
      ChecksumSHA256: base64(target.sha256),
      ExpectedBucketOwner: owner.account,
    });
  } catch (e) {
    throw ownerProblem(target, e);
  }
  return "uploaded";
}

/** Upload artifacts (at their own keys) with bounded concurrency, checking each file against its sha256. */
export async function uploadArtifacts(
  s3: S3Like,
  bucket: string,
  owner: Owner,
  artifacts: Artifact[],
  reporter: Reporter,
): Promise<{ uploaded: number; present: number }> {
  let uploaded = 0;
  let present = 0;
  const queue = [...artifacts];
  const worker = async () => {
    for (let a = queue.shift(); a; a = queue.shift()) {
      const artifact = a;
      const outcome = await putVerified(
        s3,
        { bucket, key: artifact.key, sha256: artifact.sha256, owner },
        async () => {
          const data = await readFile(artifact.path).catch((cause) => {
            throw new InvalidInputError(
              `Artifact "${artifact.path}" (key ${artifact.key}) cannot be read: ${(cause as Error).message}. Build it first.`,
            );
          });
          const actual = sha256Hex(data);
          if (actual !== artifact.sha256) {
            throw new InvalidInputError(
              `Artifact "${artifact.path}" has sha256 ${actual} but the input says ${artifact.sha256}; it changed after packaging. Package again.`,
            );
          }
          return data;
        },
        artifact.key.endsWith(".zip")
          ? "application/zip"
          : artifact.key.endsWith(".json")
            ? "application/json"
            : "application/octet-stream",
        reporter,
      );
      if (outcome === "uploaded") {
        uploaded++;
        reporter.info?.(`Uploaded s3://${bucket}/${artifact.key} (${artifact.size} bytes)`);
      } else present++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, artifacts.length) }, worker));
  return { uploaded, present };
}

/** The account of a stack ARN (arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID). */
function accountOf(stackId: string | undefined): string | undefined {
  const account = stackId?.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** The bucket's expected owner: the input's, else the deploying account (the stack's ARN, else STS). */
async function expectedOwner(engine: Engine, input: ConvergeInput, stack: Stack | undefined): Promise<Owner> {
  if (input.bucketOwner) return { account: input.bucketOwner, source: "converge input `bucketOwner`" };
  const fromStack = accountOf(stack?.StackId);
  if (fromStack) return { account: fromStack, source: `the account of stack ${input.stackName}` };
  const identity = await engine.sts().getCallerIdentity({});
  return { account: identity.Account ?? "", source: "the deploying account (STS GetCallerIdentity)" };
}

/**
 * The template as CreateChangeSet takes it. With a bucket: artifacts and the template are uploaded content-addressed
 * (verified, never blindly reused) and the template goes as TemplateURL; without, inline (at most 51,200 bytes).
 * `@aws-sdk/client-s3` is loaded here, never on the path of an unchanged deploy.
 */
export async function prepareTemplate(
  engine: Engine,
  input: ConvergeInput,
  body: string,
  stack: Stack | undefined,
): Promise<PreparedTemplate> {
  const hash = sha256Hex(body);
  if (!input.bucket) {
    const size = Buffer.byteLength(body);
    if (size > TEMPLATE_BODY_LIMIT)
      throw new TemplateTooLargeError(input.stackName, size, TEMPLATE_BODY_LIMIT);
    return { templateBody: body, hash };
  }
  const owner = await expectedOwner(engine, input, stack);
  const s3 = engine.s3();
  if (input.artifacts?.length) {
    const { uploaded, present } = await uploadArtifacts(
      s3,
      input.bucket,
      owner,
      input.artifacts,
      engine.reporter,
    );
    engine.reporter.info?.(
      `Artifacts: ${uploaded} uploaded, ${present} already in s3://${input.bucket} (checksums verified)`,
    );
  }
  const prefix = input.keyPrefix ? `${input.keyPrefix.replace(/\/+$/, "")}/` : "";
  const key = `${prefix}templates/${hash}.json`;
  await putVerified(
    s3,
    { bucket: input.bucket, key, sha256: hash, owner },
    async () => body,
    "application/json",
    engine.reporter,
  );
  const templateUrl = s3.objectUrl
    ? await s3.objectUrl(input.bucket, key)
    : `https://${input.bucket}.s3.amazonaws.com/${key}`;
  return { templateUrl, hash };
}
