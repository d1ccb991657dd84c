/**
 * Base class of every error `@sparta/converge` throws on purpose. `code` is stable; match on it, not on text.
 *
 * `userError` is true when the caller's own configuration or input is at fault (a region, an endpoint, a profile,
 * a bucket, the input given): fixing it is up to the user, and the CLI exits with its user-error code. Otherwise the
 * stack operation could not be carried out (a busy stack, a concurrent deploy, AWS unavailable).
 */
export class ConvergeError extends Error {
  readonly code: string;
  readonly userError: boolean;
  /** A transient condition (a timeout, a dropped connection): a wait loop keeps trying within its bound. */
  readonly transient: boolean;
  constructor(
    code: string,
    message: string,
    options?: { cause?: unknown; userError?: boolean; transient?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.userError = options?.userError ?? false;
    this.transient = options?.transient ?? false;
  }
}

/** No AWS credentials could be found by the SDK's standard chain. */
export class CredentialsMissingError extends ConvergeError {
  constructor(cause?: unknown) {
    const said = (cause as Error | undefined)?.message;
    super(
      "SPARTA_CONVERGE_CREDENTIALS",
      [
        "No AWS credentials found (the SDK tried environment, shared config/credentials files, SSO and instance roles).",
        ...(said && !/could not load credentials from any providers/i.test(said)
          ? [`The SDK said: ${said}`]
          : []),
        "Set them one of these ways and retry:",
        "  export AWS_PROFILE=my-profile                      # a profile in ~/.aws/config (run `aws sso login` if it is SSO)",
        "  export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...  # static keys",
        "For a local emulator any values work: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test.",
      ].join("\n"),
      { cause, userError: true },
    );
  }
}

/** The named profile (AWS_PROFILE or the `profile` option) is in neither ~/.aws/config nor ~/.aws/credentials. */
export class ProfileNotFoundError extends ConvergeError {
  readonly profile: string;
  constructor(profile: string, source: string, searched: string[], known: string[], cause?: unknown) {
    super(
      "SPARTA_CONVERGE_PROFILE_NOT_FOUND",
      `${source} names the AWS profile "${profile}", which is not in ${searched.join(" or ")}.\n` +
        (known.length > 0
          ? `Profiles found: ${known.join(", ")}. Use one of them (e.g. AWS_PROFILE=${known[0]}), or create it with \`aws configure --profile ${profile}\`.`
          : `No profile is defined there. Create it with \`aws configure --profile ${profile}\` (or \`aws configure sso\`), or unset ${source.split(" ")[0]}.`),
      { cause, userError: true },
    );
    this.profile = profile;
  }
}

/** The SDK could not determine a region. */
export class RegionMissingError extends ConvergeError {
  constructor(cause?: unknown, profile?: string) {
    super(
      "SPARTA_CONVERGE_REGION",
      "No AWS region configured. Set one, e.g. `export AWS_REGION=us-east-1` (AWS_DEFAULT_REGION works too), " +
        `or \`region = us-east-1\` in the [${profile && profile !== "default" ? `profile ${profile}` : "default"}] section of ~/.aws/config.`,
      { cause, userError: true },
    );
  }
}

/** The configured region is not a region name (e.g. `AWS_REGION="us east 1"`). */
export class RegionInvalidError extends ConvergeError {
  readonly region: string;
  constructor(region: string, source: string, cause?: unknown) {
    super(
      "SPARTA_CONVERGE_REGION_INVALID",
      `${source} is ${JSON.stringify(region)}, which is not an AWS region name. ` +
        "A region is lower-case words and a number joined by hyphens, e.g. us-east-1 or eu-west-2: " +
        `${source.startsWith("AWS_") ? `export ${source.split(" ")[0]}=us-east-1` : "region = us-east-1"}.`,
      { cause, userError: true },
    );
    this.region = region;
  }
}

/** An endpoint override is not a URL (e.g. `AWS_ENDPOINT_URL=localhost-5077`). */
export class EndpointInvalidError extends ConvergeError {
  readonly endpoint: string;
  constructor(endpoint: string, source: string, cause?: unknown) {
    super(
      "SPARTA_CONVERGE_ENDPOINT_INVALID",
      `${source} is ${JSON.stringify(endpoint)}, which is not an http(s) URL. ` +
        `Give the scheme, host and port, e.g. ${source.startsWith("AWS_") ? `${source.split(" ")[0]}=` : ""}http://localhost:5000 ` +
        "for a local emulator, or unset it to use AWS.",
      { cause, userError: true },
    );
    this.endpoint = endpoint;
  }
}

/** The AWS endpoint could not be reached at all (connection refused, unknown host). */
export class EndpointUnreachableError extends ConvergeError {
  readonly operation: string;
  readonly endpoint: string | undefined;
  constructor(operation: string, cause: unknown, endpoint?: string) {
    const err = cause as { code?: string; message?: string } | undefined;
    super(
      "SPARTA_CONVERGE_ENDPOINT_UNREACHABLE",
      `${operation}: cannot reach the AWS endpoint${endpoint ? ` ${endpoint}` : ""} (${err?.code ?? "network error"}: ${err?.message ?? String(cause)}).\n` +
        "Check your network, and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_CLOUDFORMATION / AWS_ENDPOINT_URL_S3 if you set them " +
        "(e.g. is the local emulator running?).",
      { cause, userError: true, transient: true },
    );
    this.operation = operation;
    this.endpoint = endpoint;
  }
}

/** The endpoint accepted the request but did not answer in time, on every attempt. */
export class EndpointTimeoutError extends ConvergeError {
  readonly operation: string;
  readonly endpoint: string;
  constructor(operation: string, endpoint: string, attempts: number, cause?: unknown) {
    super(
      "SPARTA_CONVERGE_ENDPOINT_TIMEOUT",
      `${operation}: ${endpoint} did not answer in time (${attempts} attempt${attempts === 1 ? "" : "s"}; ${(cause as Error)?.message ?? "timed out"}).\n` +
        "It accepts connections but sends nothing back. Check AWS_ENDPOINT_URL (is the emulator or proxy there hung?), " +
        "your network or proxy, and the AWS Health Dashboard; then run again.",
      { cause, userError: true, transient: true },
    );
    this.operation = operation;
    this.endpoint = endpoint;
  }
}

/** The endpoint answered, but not as an AWS service does (e.g. HTTP 404 with an empty body). */
export class EndpointNotAwsError extends ConvergeError {
  readonly endpoint: string;
  readonly status: number | undefined;
  constructor(
    operation: string,
    endpoint: string,
    source: string,
    status: number | undefined,
    cause?: unknown,
  ) {
    super(
      "SPARTA_CONVERGE_ENDPOINT_NOT_AWS",
      `${operation}: ${endpoint} answered HTTP ${status ?? "?"} without an AWS error: it is not the AWS API it should be.\n` +
        `The endpoint comes from ${source}; point it at the service (e.g. http://localhost:5000 for the local emulator) or unset it to use AWS.`,
      { cause, userError: true },
    );
    this.endpoint = endpoint;
    this.status = status;
  }
}

/** The artifact/template bucket does not exist or is not reachable. */
export class BucketMissingError extends ConvergeError {
  readonly bucket: string;
  constructor(bucket: string, cause?: unknown) {
    super(
      "SPARTA_CONVERGE_BUCKET_MISSING",
      `S3 bucket "${bucket}" (converge input \`bucket\`) does not exist or you cannot write to it.\n` +
        `Create it first (e.g. \`aws s3 mb s3://${bucket}\`) or pass the name of an existing bucket in the same region.`,
      { cause, userError: true },
    );
    this.bucket = bucket;
  }
}

/** S3 refused a request carrying ExpectedBucketOwner: the bucket belongs to another account (or may not be used). */
export class BucketOwnerMismatchError extends ConvergeError {
  readonly bucket: string;
  readonly expectedOwner: string;
  constructor(bucket: string, expectedOwner: string, source: string, cause?: unknown) {
    super(
      "SPARTA_CONVERGE_BUCKET_OWNER",
      `S3 bucket "${bucket}" is not owned by account ${expectedOwner} (${source}), or these credentials may not use it: ` +
        "S3 refused access. Nothing was uploaded or deployed.\n" +
        "A bucket that changed hands could serve code planted by its new owner. Use a bucket your account owns, " +
        "pass its owner's account id as `bucketOwner` if it is a shared bucket you trust, or grant s3:GetObject and " +
        "s3:PutObject on it.",
      { cause, userError: true },
    );
    this.bucket = bucket;
    this.expectedOwner = expectedOwner;
  }
}

/** An object already at an artifact's content-addressed key holds other content. */
export class ArtifactMismatchError extends ConvergeError {
  readonly bucket: string;
  readonly key: string;
  constructor(bucket: string, key: string, expected: string, found: string) {
    super(
      "SPARTA_CONVERGE_ARTIFACT_MISMATCH",
      `s3://${bucket}/${key} already exists with SHA-256 ${found}, but its content should have SHA-256 ${expected} (the key is ` +
        "content-addressed). Someone else wrote that object; it was not reused and nothing was deployed.\n" +
        "Find out who wrote it (bucket policy, CloudTrail), delete it, and deploy again.",
      { userError: true },
    );
    this.bucket = bucket;
    this.key = key;
  }
}

/** The template is too large to be sent inline and no bucket was given. */
export class TemplateTooLargeError extends ConvergeError {
  readonly size: number;
  constructor(stackName: string, size: number, limit: number) {
    super(
      "SPARTA_CONVERGE_TEMPLATE_TOO_LARGE",
      `The template of stack "${stackName}" is ${size} bytes; CloudFormation accepts at most ${limit} bytes inline (TemplateBody).\n` +
        `Pass \`bucket\` (e.g. { stackName, template, bucket: "my-deploy-bucket" }) so the template is uploaded to S3 and sent as TemplateURL.`,
      { userError: true },
    );
    this.size = size;
  }
}

/** The input given to converge/deleteStack/describeStack is malformed. */
export class InvalidInputError extends ConvergeError {
  constructor(message: string) {
    super("SPARTA_CONVERGE_INVALID_INPUT", message, { userError: true });
  }
}

/** The stack is in a state no operation may start from (e.g. an update is already running). */
export class StackBusyError extends ConvergeError {
  readonly status: string;
  /**
   * `why` replaces the generic explanation; `next` the generic advice (wait, follow it with `follow`, run again).
   */
  constructor(stackName: string, status: string, follow?: string, why?: string, next?: string) {
    const followWith = follow ?? `aws cloudformation describe-stacks --stack-name ${stackName}`;
    super(
      "SPARTA_CONVERGE_STACK_BUSY",
      `Stack "${stackName}" is in state ${status}; ${why ?? "another operation is running or the stack needs manual attention"}.\n` +
        (next ??
          `Wait for the running operation to finish (follow it with \`${followWith}\`) and run again.`),
    );
    this.status = status;
  }
}

/** Another run is deploying the same stack, and this one was told not to wait (or waited its limit). */
export class ConcurrentDeployError extends ConvergeError {
  readonly stackName: string;
  /** The other run, as far as CloudFormation tells: its change set name and description, or its request token. */
  readonly otherRun: string;
  constructor(stackName: string, otherRun: string, detail: string, follow: string) {
    super(
      "SPARTA_CONVERGE_CONCURRENT_DEPLOY",
      `Stack "${stackName}" is being deployed by another run: ${otherRun}.\n${detail}\n` +
        `Follow that run with \`${follow}\` and deploy again when it is done (or let this run wait for it).`,
    );
    this.stackName = stackName;
    this.otherRun = otherRun;
  }
}

/** Reading the stack failed too often in a row while CloudFormation was working on it; it carries on without us. */
export class StillDeployingError extends ConvergeError {
  readonly stackName: string;
  readonly lastStatus: string;
  constructor(stackName: string, lastStatus: string, what: string, follow: string, cause: unknown) {
    const err = cause as { name?: string; message?: string } | undefined;
    super(
      "SPARTA_CONVERGE_STILL_DEPLOYING",
      `Gave up waiting for stack "${stackName}": ${what} (last error ${err?.name ?? "Error"}: ${err?.message ?? String(cause)}).\n` +
        `CloudFormation is still working on it (last seen ${lastStatus}) and finishes on its own; follow it with \`${follow}\`.`,
      { cause },
    );
    this.stackName = stackName;
    this.lastStatus = lastStatus;
  }
}

/** A change set did not reach a final status within the allowed time. */
export class ChangeSetTimeoutError extends ConvergeError {
  constructor(stackName: string, changeSetName: string, status: string, waitedMs: number) {
    super(
      "SPARTA_CONVERGE_CHANGE_SET_TIMEOUT",
      `Change set "${changeSetName}" of stack "${stackName}" was still ${status} after ${Math.round(waitedMs / 1000)} s; it was deleted.\n` +
        "CloudFormation may be degraded; retry later, or raise `changeSetTimeoutMs` for very large templates.",
    );
  }
}

/** A CloudFormation or S3 call failed in a way that retrying does not fix. */
export class AwsCallError extends ConvergeError {
  readonly operation: string;
  constructor(operation: string, cause: unknown) {
    const err = cause as { name?: string; message?: string } | undefined;
    super(
      "SPARTA_CONVERGE_AWS_CALL",
      `${operation} failed: ${err?.name ?? "Error"}: ${err?.message ?? String(cause)}`,
      { cause },
    );
    this.operation = operation;
  }
}

/** The emulator used by tests could not be started. */
export class EmulatorError extends ConvergeError {
  constructor(message: string, cause?: unknown) {
    super("SPARTA_CONVERGE_EMULATOR", message, { cause });
  }
}
