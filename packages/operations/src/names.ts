/**
 * Physical names unique per stack. Two stacks of one service in one account and Region (the stages of a pipeline,
 * `--stackName hello-dev` beside `hello-prod`) must not name a resource alike. Where CloudFormation generates the
 * name, or the name contains `${AWS::StackName}`, that holds already; an S3 bucket name must be lowercase, which a
 * stack name need not be, so a bucket takes the end of the stack's id instead: a UUID's last 12 hex digits, set when
 * the stack is created and kept for its lifetime, known only to CloudFormation (the same template serves every
 * stage).
 */

/** The last 12 hex digits of `AWS::StackId` (`arn:...:stack/<name>/<uuid>`), as a CloudFormation expression. */
export const STACK_ID_SUFFIX = {
  "Fn::Select": [
    4,
    { "Fn::Split": ["-", { "Fn::Select": [2, { "Fn::Split": ["/", { Ref: "AWS::StackId" }] }] }] },
  ],
} as const;

/** The `Fn::Sub` variable `stackBucketName` uses for the stack id's suffix. */
export const STACK_ID_SUFFIX_VARIABLE = "StackIdSuffix";

/** Longest prefix `stackBucketName` takes: `-<12-digit account>-<12 hex digits>` is appended, S3 allows 63. */
export const BUCKET_PREFIX_MAX = 63 - 26;

/**
 * The name of a bucket a stack creates: `<prefix>-<account>-<stack id suffix>` (at most 63 lowercase characters for a
 * prefix of at most 37), unique per stack. Use the same expression wherever the template names the bucket (an IAM
 * policy, a permission's SourceArn): the bucket cannot be referenced there without a dependency cycle.
 * @example
 * stackBucketName("uploads")
 * // { "Fn::Sub": ["uploads-${AWS::AccountId}-${StackIdSuffix}", { StackIdSuffix: STACK_ID_SUFFIX }] }
 */
export function stackBucketName(prefix: string): { "Fn::Sub": [string, Record<string, unknown>] } {
  return {
    "Fn::Sub": [
      `${prefix}-\${AWS::AccountId}-\${${STACK_ID_SUFFIX_VARIABLE}}`,
      { [STACK_ID_SUFFIX_VARIABLE]: STACK_ID_SUFFIX },
    ],
  };
}

/**
 * The ARN of `stackBucketName(prefix)`, or of objects in it with `objectPath` (e.g. `incoming/*`).
 * @example
 * stackBucketArn("hello-uploads", "incoming/*") // for an IAM statement's Resource
 */
export function stackBucketArn(
  prefix: string,
  objectPath?: string,
): { "Fn::Sub": [string, Record<string, unknown>] } {
  const [name, variables] = stackBucketName(prefix)["Fn::Sub"];
  return {
    "Fn::Sub": [`arn:\${AWS::Partition}:s3:::${name}${objectPath ? `/${objectPath}` : ""}`, variables],
  };
}

/**
 * The name `stackBucketName(prefix)` resolves to in the stack `stackId` of `account` (what CloudFormation makes of
 * the expression), e.g. for a sample event.
 * @example
 * bucketNameIn("uploads", "123456789012", "arn:aws:cloudformation:us-east-1:123456789012:stack/hello/f794c185-9055-4b72-8f3b-cb65c74603d3")
 * // "uploads-123456789012-cb65c74603d3"
 */
export function bucketNameIn(prefix: string, account: string, stackId: string): string {
  const uuid = stackId.split("/")[2] ?? "";
  return `${prefix}-${account}-${uuid.split("-")[4] ?? ""}`;
}

/** Whether `value` is the stack id suffix expression (so a scope can stand `*` in for it). */
export function isStackIdSuffix(value: unknown): boolean {
  return JSON.stringify(value) === JSON.stringify(STACK_ID_SUFFIX);
}
