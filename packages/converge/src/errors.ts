/** Base class of every error `@sparta/converge` throws on purpose. `code` is stable; match on it, not on text. */
export class ConvergeError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** No AWS credentials could be found by the SDK's standard chain. */
export class CredentialsMissingError extends ConvergeError {
  constructor(cause?: unknown) {
    super(
      "SPARTA_CONVERGE_CREDENTIALS",
      [
        "No AWS credentials found (the SDK tried environment, shared config/credentials files, SSO and instance roles).",
        "Set them one of these ways and retry:",
        "  export AWS_PROFILE=my-profile                      # a profile in ~/.aws/config (run `aws sso login` if it is SSO)",
        "  export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...  # static keys",
        "For a local emulator any values work: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test.",
      ].join("\n"),
      { cause },
    );
  }
}

/** The SDK could not determine a region. */
export class RegionMissingError extends ConvergeError {
  constructor(cause?: unknown) {
    super(
      "SPARTA_CONVERGE_REGION",
      "No AWS region configured. Set one, e.g. `export AWS_REGION=us-east-1`, or `region = us-east-1` in ~/.aws/config.",
      { cause },
    );
  }
}

/** The AWS endpoint could not be reached at all (connection refused, unknown host). */
export class EndpointUnreachableError extends ConvergeError {
  readonly operation: string;
  constructor(operation: string, cause: unknown) {
    const err = cause as { code?: string; message?: string } | undefined;
    super(
      "SPARTA_CONVERGE_ENDPOINT_UNREACHABLE",
      `${operation}: cannot reach the AWS endpoint (${err?.code ?? "network error"}: ${err?.message ?? String(cause)}).\n` +
        "Check your network, and AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_CLOUDFORMATION / AWS_ENDPOINT_URL_S3 if you set them " +
        "(e.g. is the local emulator running?).",
      { cause },
    );
    this.operation = operation;
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
      { cause },
    );
    this.bucket = bucket;
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
    );
    this.size = size;
  }
}

/** The input given to converge/deleteStack/describeStack is malformed. */
export class InvalidInputError extends ConvergeError {
  constructor(message: string) {
    super("SPARTA_CONVERGE_INVALID_INPUT", message);
  }
}

/** The stack is in a state no operation may start from (e.g. an update is already running). */
export class StackBusyError extends ConvergeError {
  readonly status: string;
  constructor(stackName: string, status: string) {
    super(
      "SPARTA_CONVERGE_STACK_BUSY",
      `Stack "${stackName}" is in state ${status}; another operation is running or the stack needs manual attention.\n` +
        "Wait for the running operation to finish (`aws cloudformation describe-stacks --stack-name " +
        `${stackName}\`) and run again.`,
    );
    this.status = status;
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
