import type { Reporter } from "@sparta/converge";
import { ExitCode, InterruptedError, SpartaCliError } from "./errors.js";
import type { TemplateDocument } from "./service.js";

// The managed deployment bucket: one stack per account and region (`SpartaToolkit`, as CDK has CDKToolkit and SAM
// aws-sam-cli-managed-default) holding the bucket `sparta provision` uploads code ZIPs and templates to when no
// --s3-bucket is given. `sparta bootstrap` converges it; provision finds the bucket from the stack's output.

/** The toolkit stack's default name (`--toolkit-stack-name` picks another). */
export const TOOLKIT_STACK = "SpartaToolkit";
/** Version of the toolkit template; provision needs at least {@link MIN_TOOLKIT_VERSION}. */
export const TOOLKIT_VERSION = 1;
export const MIN_TOOLKIT_VERSION = 1;
/** Output naming the bucket (also exported as `<stack>-ArtifactBucket`). */
export const BUCKET_OUTPUT = "ArtifactBucketName";
export const VERSION_OUTPUT = "BootstrapVersion";
/** Days a current artifact is kept before the lifecycle rule expires it (`sparta bootstrap --retention-days`). */
export const DEFAULT_RETENTION_DAYS = 365;
/** Days a noncurrent version (an overwritten or expired object) is kept. */
export const NONCURRENT_DAYS = 30;
export const RETENTION_PARAMETER = "ArtifactRetentionDays";

/** The toolkit could not be used: missing, in a state provision cannot use, or its bucket is not this account's. */
export class ToolkitError extends SpartaCliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("TOOLKIT_UNUSABLE", message, { ...options, exitCode: ExitCode.deployment });
  }
}

/**
 * The toolkit stack's template: a versioned, encrypted (SSE-S3) bucket with public access blocked and ACLs off,
 * a policy refusing every request not made over TLS, a lifecycle rule expiring artifacts after
 * `ArtifactRetentionDays` (noncurrent versions after 30 days, unfinished uploads after a day), kept when the stack
 * is deleted; its name is an output and an export.
 */
export function toolkitTemplate(): TemplateDocument {
  const bucketArn = { "Fn::GetAtt": ["ArtifactBucket", "Arn"] };
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "Sparta toolkit: the bucket sparta provision uploads code ZIPs and templates to (made by sparta bootstrap)",
    Parameters: {
      [RETENTION_PARAMETER]: {
        Type: "Number",
        Default: String(DEFAULT_RETENTION_DAYS),
        MinValue: 1,
        Description: "Days an artifact is kept after its upload (sparta bootstrap --retention-days)",
      },
    },
    Resources: {
      ArtifactBucket: {
        Type: "AWS::S3::Bucket",
        // The bucket may hold the code a deployed stack rolls back to: deleting the toolkit stack keeps it.
        DeletionPolicy: "Retain",
        UpdateReplacePolicy: "Retain",
        Properties: {
          VersioningConfiguration: { Status: "Enabled" },
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
          LifecycleConfiguration: {
            Rules: [
              {
                Id: "ExpireOldArtifacts",
                Status: "Enabled",
                ExpirationInDays: { Ref: RETENTION_PARAMETER },
                NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_DAYS },
                AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
              },
            ],
          },
          Tags: [{ Key: "sparta:toolkit", Value: TOOLKIT_STACK }],
        },
      },
      ArtifactBucketPolicy: {
        Type: "AWS::S3::BucketPolicy",
        Properties: {
          Bucket: { Ref: "ArtifactBucket" },
          PolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "TlsRequestsOnly",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, { "Fn::Sub": "${ArtifactBucket.Arn}/*" }],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
              },
            ],
          },
        },
      },
    },
    Outputs: {
      [BUCKET_OUTPUT]: {
        Description: "The deployment bucket of sparta provision",
        Value: { Ref: "ArtifactBucket" },
        Export: { Name: { "Fn::Sub": "${AWS::StackName}-ArtifactBucket" } },
      },
      [VERSION_OUTPUT]: {
        Description: "Version of the Sparta toolkit template",
        Value: String(TOOLKIT_VERSION),
      },
    },
  };
}

/** What provision needs of a described toolkit stack. */
export interface ToolkitStack {
  stackId: string;
  status: string;
  statusReason?: string;
  outputs: Record<string, string>;
}

/** Account and region of a stack ARN (`arn:aws:cloudformation:REGION:ACCOUNT:stack/...`). */
export function stackLocation(stackId: string): { account?: string; region?: string } {
  const m = /^arn:[^:]+:cloudformation:([^:]+):(\d{12}):stack\//.exec(stackId);
  return m ? { region: m[1]!, account: m[2]! } : {};
}

/** Statuses in which the toolkit stack's bucket exists and its outputs are current. */
const USABLE =
  /^(CREATE_COMPLETE|UPDATE_COMPLETE|UPDATE_ROLLBACK_COMPLETE|IMPORT_COMPLETE|IMPORT_ROLLBACK_COMPLETE|UPDATE_IN_PROGRESS|UPDATE_COMPLETE_CLEANUP_IN_PROGRESS|UPDATE_ROLLBACK_IN_PROGRESS|UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS)$/;

/**
 * The bucket of a described toolkit stack, or a {@link ToolkitError} saying why provision cannot use it and what to
 * run: a stack that never finished its first create, is being deleted, or lacks the output or a recent enough version.
 */
export function toolkitBucket(
  stackName: string,
  stack: ToolkitStack,
): { bucket: string; account?: string; region?: string } {
  const where = stackLocation(stack.stackId);
  const at = where.account ? ` (account ${where.account}, region ${where.region})` : "";
  if (!USABLE.test(stack.status))
    throw new ToolkitError(
      `the deployment bucket's stack ${stackName}${at} is ${stack.status}${stack.statusReason ? ` (${stack.statusReason})` : ""}, so provision cannot use its bucket; run \`sparta bootstrap\` to repair it${
        /DELETE/.test(stack.status) ? " once the delete has finished" : ""
      }, or pass --s3-bucket BUCKET`,
    );
  const bucket = stack.outputs[BUCKET_OUTPUT];
  if (!bucket)
    throw new ToolkitError(
      `stack ${stackName}${at} has no ${BUCKET_OUTPUT} output: it is not a Sparta toolkit stack. Run \`sparta bootstrap\` to update it, or name another with --toolkit-stack-name`,
    );
  const version = Number(stack.outputs[VERSION_OUTPUT] ?? "0");
  if (!(version >= MIN_TOOLKIT_VERSION))
    throw new ToolkitError(
      `stack ${stackName}${at} is toolkit version ${version}; this sparta needs ${MIN_TOOLKIT_VERSION} or later: run \`sparta bootstrap\``,
    );
  return { bucket, ...where };
}

/**
 * The toolkit stack as provision needs it, read with one DescribeStacks call (its resources are not needed), or
 * undefined when there is none.
 */
export async function describeToolkitStack(stackName: string): Promise<ToolkitStack | undefined> {
  const { createCfnClient } = await import("@sparta/converge");
  let stack: Awaited<ReturnType<ReturnType<typeof createCfnClient>["describeStacks"]>>["Stacks"];
  try {
    stack = (await createCfnClient().describeStacks({ StackName: stackName })).Stacks;
  } catch (error) {
    // CloudFormation answers a ValidationError "Stack with id X does not exist" for a stack it does not know.
    if (/does not exist/.test(String((error as Error).message))) return undefined;
    throw error;
  }
  const found = stack?.[0];
  if (!found?.StackId || found.StackStatus === "DELETE_COMPLETE") return undefined;
  const outputs: Record<string, string> = {};
  for (const o of found.Outputs ?? []) if (o.OutputKey) outputs[o.OutputKey] = o.OutputValue ?? "";
  return {
    stackId: found.StackId,
    status: found.StackStatus ?? "",
    ...(found.StackStatusReason ? { statusReason: found.StackStatusReason } : {}),
    outputs,
  };
}

/** The one S3 call that checks the bucket: HeadBucket, with the account expected to own it. */
export interface BucketProbe {
  /** Resolves when the bucket exists and (with ExpectedBucketOwner) belongs to that account; throws S3's error. */
  headBucket(input: { Bucket: string; ExpectedBucketOwner?: string }): Promise<unknown>;
}

/** The SDK-backed probe: path-style addressing when an endpoint is set (emulators), the standard chain otherwise. */
export async function createBucketProbe(): Promise<BucketProbe> {
  const { HeadBucketCommand, S3Client } = await import("@aws-sdk/client-s3");
  const client = new S3Client({
    ...(process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL ? { forcePathStyle: true } : {}),
  });
  return { headBucket: (input) => client.send(new HeadBucketCommand(input)) };
}

/**
 * Check that the toolkit bucket still exists and belongs to the stack's account. S3 answers HeadBucket with 404 when
 * the bucket is gone and 403 when `ExpectedBucketOwner` is not its owner (or the credentials may not list it).
 */
export async function checkToolkitBucket(
  probe: BucketProbe,
  stackName: string,
  found: { bucket: string; account?: string },
): Promise<void> {
  try {
    await probe.headBucket({
      Bucket: found.bucket,
      ...(found.account ? { ExpectedBucketOwner: found.account } : {}),
    });
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; message?: string };
    const status = e.$metadata?.httpStatusCode;
    if (status === 404 || e.name === "NotFound" || e.name === "NoSuchBucket")
      throw new ToolkitError(
        `the deployment bucket ${found.bucket} of stack ${stackName} no longer exists (deleted by hand?); run \`sparta bootstrap\`, which makes a new one`,
        { cause: error },
      );
    if (status === 403 || e.name === "Forbidden" || e.name === "AccessDenied")
      throw new ToolkitError(
        `the deployment bucket ${found.bucket} named by stack ${stackName} is not account ${found.account ?? "?"}'s (S3 refused HeadBucket with that expected owner), or these credentials may not s3:ListBucket it. Nothing was uploaded. If it belongs to another account, delete stack ${stackName} and run \`sparta bootstrap\`; otherwise grant s3:ListBucket on it`,
        { cause: error },
      );
    throw new ToolkitError(
      `could not check the deployment bucket ${found.bucket}: ${e.name ?? "Error"}: ${e.message}`,
      {
        cause: error,
      },
    );
  }
}

/** What a bootstrap did. */
export interface BootstrapResult {
  kind: "created" | "updated" | "unchanged";
  stackName: string;
  bucket: string;
  account?: string;
  region?: string;
  /** Set when the stack was deleted and made again because its bucket was gone. */
  recreated?: true;
}

/**
 * Create or update the toolkit stack with @sparta/converge (a no-op, `unchanged`, when it is current). The retention
 * is `retentionDays`, else what the deployed stack has, else {@link DEFAULT_RETENTION_DAYS}. A stack whose bucket was
 * deleted by hand is deleted and made again (the bucket it names is gone, so nothing is lost).
 */
export async function bootstrapToolkit(input: {
  stackName: string;
  retentionDays?: number;
  reporter?: Reporter;
  signal?: AbortSignal;
  probe?: BucketProbe;
}): Promise<BootstrapResult> {
  const { converge, deleteStack, describeStack } = await import("@sparta/converge");
  const deps = {
    ...(input.reporter ? { reporter: input.reporter } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  };
  const current = await describeStack({ stackName: input.stackName });
  let recreated = false;
  if (current && USABLE.test(current.status) && current.outputs[BUCKET_OUTPUT]) {
    const found = { bucket: current.outputs[BUCKET_OUTPUT]!, ...stackLocation(current.stackId) };
    try {
      await checkToolkitBucket(input.probe ?? (await createBucketProbe()), input.stackName, found);
    } catch (error) {
      if (!(error instanceof ToolkitError) || !/no longer exists/.test(error.message)) throw error;
      input.reporter?.info?.(
        `${input.stackName}: its bucket ${found.bucket} no longer exists; deleting the stack and making it again`,
      );
      const deleted = await deleteStack({ stackName: input.stackName }, deps);
      if (deleted.kind === "failed")
        throw new ToolkitError(
          `could not delete stack ${input.stackName} to remake its bucket: ${deleted.message ?? "failed"}`,
        );
      recreated = true;
    }
  }
  const previous = recreated ? undefined : current?.parameters?.[RETENTION_PARAMETER];
  const retention = input.retentionDays ?? (previous ? Number(previous) : DEFAULT_RETENTION_DAYS);
  const result = await converge(
    {
      stackName: input.stackName,
      template: toolkitTemplate(),
      parameters: { [RETENTION_PARAMETER]: String(retention) },
      tags: { "sparta:toolkit": "true" },
    },
    deps,
  );
  if (result.kind === "failed" && result.interrupted && /^Interrupted/.test(result.message ?? ""))
    throw new InterruptedError(`${input.stackName}: ${result.message}`);
  if (result.kind === "failed")
    throw new ToolkitError(
      [
        `sparta bootstrap: stack ${input.stackName} failed${result.message ? `: ${result.message}` : ""}`,
        ...(result.rootCause ?? []).map(
          (e) => `  ${e.logicalId} ${e.status}${e.reason ? `: ${e.reason}` : ""}`,
        ),
      ].join("\n"),
    );
  const bucket = result.outputs[BUCKET_OUTPUT];
  if (!bucket)
    throw new ToolkitError(`stack ${input.stackName} has no ${BUCKET_OUTPUT} output after bootstrap`);
  return {
    kind: result.kind,
    stackName: input.stackName,
    bucket,
    ...stackLocation(result.stackId ?? ""),
    ...(recreated ? { recreated: true as const } : {}),
  };
}
