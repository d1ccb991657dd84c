import { readFile } from "node:fs/promises";
import { BucketMissingError, InvalidInputError } from "./errors.js";
import { sha256Hex } from "./template.js";
import type { Artifact, Reporter, S3Like } from "./types.js";

interface S3ErrorLike {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function status(e: unknown): number | undefined {
  return (e as S3ErrorLike)?.$metadata?.httpStatusCode;
}

function isAbsent(e: unknown): boolean {
  const name = (e as S3ErrorLike)?.name;
  // Without s3:ListBucket, S3 answers 403 for a missing key; the PutObject that follows decides.
  return name === "NotFound" || name === "NoSuchKey" || status(e) === 404 || status(e) === 403;
}

function isBucketProblem(e: unknown): boolean {
  const name = (e as S3ErrorLike)?.name ?? (e as S3ErrorLike)?.Code;
  return name === "NoSuchBucket" || name === "AccessDenied" || status(e) === 404 || status(e) === 403;
}

/** Upload `body` to `bucket/key` unless an object is already there (keys are content-addressed). */
export async function putIfAbsent(
  s3: S3Like,
  bucket: string,
  key: string,
  body: () => Promise<Uint8Array | string>,
  contentType: string,
): Promise<"uploaded" | "present"> {
  try {
    await s3.headObject({ Bucket: bucket, Key: key });
    return "present";
  } catch (e) {
    if (!isAbsent(e)) {
      if ((e as S3ErrorLike)?.name === "NoSuchBucket") throw new BucketMissingError(bucket, e);
      throw e;
    }
  }
  try {
    await s3.putObject({ Bucket: bucket, Key: key, Body: await body(), ContentType: contentType });
  } catch (e) {
    if (isBucketProblem(e)) throw new BucketMissingError(bucket, e);
    throw e;
  }
  return "uploaded";
}

/** Upload artifacts (at their own keys) with bounded concurrency, checking each file against its sha256. */
export async function uploadArtifacts(
  s3: S3Like,
  bucket: string,
  artifacts: Artifact[],
  reporter: Reporter,
): Promise<{ uploaded: number; present: number }> {
  let uploaded = 0;
  let present = 0;
  const queue = [...artifacts];
  const worker = async () => {
    for (let a = queue.shift(); a; a = queue.shift()) {
      const artifact = a;
      const outcome = await putIfAbsent(
        s3,
        bucket,
        artifact.key,
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
        artifact.key.endsWith(".zip") ? "application/zip" : "application/octet-stream",
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
