import type {
  ContinueUpdateRollbackCommandInput,
  ContinueUpdateRollbackCommandOutput,
  CreateChangeSetCommandInput,
  CreateChangeSetCommandOutput,
  DeleteChangeSetCommandInput,
  DeleteChangeSetCommandOutput,
  DeleteStackCommandInput,
  DeleteStackCommandOutput,
  DescribeChangeSetCommandInput,
  DescribeChangeSetCommandOutput,
  DescribeStackEventsCommandInput,
  DescribeStackEventsCommandOutput,
  DescribeStacksCommandInput,
  DescribeStacksCommandOutput,
  ExecuteChangeSetCommandInput,
  ExecuteChangeSetCommandOutput,
  GetTemplateCommandInput,
  GetTemplateCommandOutput,
  ListChangeSetsCommandInput,
  ListChangeSetsCommandOutput,
  ListStackResourcesCommandInput,
  ListStackResourcesCommandOutput,
  UpdateStackCommandInput,
  UpdateStackCommandOutput,
} from "@aws-sdk/client-cloudformation";
import type {
  HeadObjectCommandInput,
  HeadObjectCommandOutput,
  PutObjectCommandInput,
  PutObjectCommandOutput,
} from "@aws-sdk/client-s3";
import type { GetCallerIdentityCommandInput, GetCallerIdentityCommandOutput } from "@aws-sdk/client-sts";

/** Per-call options: reads and waits pass the run's AbortSignal (Ctrl-C); changes are never aborted mid-call. */
export interface CallOptions {
  abortSignal?: AbortSignal;
}

/**
 * Exactly the CloudFormation operations the engine uses, with the SDK's input and output shapes.
 * Implemented by {@link createCfnClient} (the AWS SDK) and by the test fake.
 */
export interface CfnClient {
  describeStacks(
    input: DescribeStacksCommandInput,
    options?: CallOptions,
  ): Promise<DescribeStacksCommandOutput>;
  getTemplate(input: GetTemplateCommandInput, options?: CallOptions): Promise<GetTemplateCommandOutput>;
  createChangeSet(
    input: CreateChangeSetCommandInput,
    options?: CallOptions,
  ): Promise<CreateChangeSetCommandOutput>;
  describeChangeSet(
    input: DescribeChangeSetCommandInput,
    options?: CallOptions,
  ): Promise<DescribeChangeSetCommandOutput>;
  executeChangeSet(
    input: ExecuteChangeSetCommandInput,
    options?: CallOptions,
  ): Promise<ExecuteChangeSetCommandOutput>;
  deleteChangeSet(
    input: DeleteChangeSetCommandInput,
    options?: CallOptions,
  ): Promise<DeleteChangeSetCommandOutput>;
  listChangeSets(
    input: ListChangeSetsCommandInput,
    options?: CallOptions,
  ): Promise<ListChangeSetsCommandOutput>;
  describeStackEvents(
    input: DescribeStackEventsCommandInput,
    options?: CallOptions,
  ): Promise<DescribeStackEventsCommandOutput>;
  listStackResources(
    input: ListStackResourcesCommandInput,
    options?: CallOptions,
  ): Promise<ListStackResourcesCommandOutput>;
  deleteStack(input: DeleteStackCommandInput, options?: CallOptions): Promise<DeleteStackCommandOutput>;
  continueUpdateRollback(
    input: ContinueUpdateRollbackCommandInput,
    options?: CallOptions,
  ): Promise<ContinueUpdateRollbackCommandOutput>;
  /** Used only for a tags-only update CloudFormation refuses as a change set (see `converge`). */
  updateStack?(input: UpdateStackCommandInput, options?: CallOptions): Promise<UpdateStackCommandOutput>;
}

/** STS, only to learn the caller's account (the expected owner of the artifact bucket). */
export interface StsLike {
  getCallerIdentity(
    input: GetCallerIdentityCommandInput,
    options?: CallOptions,
  ): Promise<GetCallerIdentityCommandOutput>;
}

/** The two S3 operations used to upload content-addressed objects. */
export interface S3Like {
  headObject(input: HeadObjectCommandInput, options?: CallOptions): Promise<HeadObjectCommandOutput>;
  putObject(input: PutObjectCommandInput, options?: CallOptions): Promise<PutObjectCommandOutput>;
  /** The URL CloudFormation should fetch `bucket/key` from (TemplateURL). Defaults to the AWS virtual-host form. */
  objectUrl?(bucket: string, key: string): string | Promise<string>;
}

/** Options of the SDK-backed clients; everything not given comes from the SDK's standard chain. */
export interface ClientOptions {
  /** Overrides AWS_REGION / AWS_DEFAULT_REGION and the profile's `region`. */
  region?: string;
  /** A profile of ~/.aws/config or ~/.aws/credentials; overrides AWS_PROFILE. */
  profile?: string;
  /** Overrides AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL. */
  endpoint?: string;
  /**
   * Attempts per call (the SDK's retry strategy). Default: the SDK's own chain, so `AWS_MAX_ATTEMPTS` and
   * `max_attempts` in the profile apply (3 when nothing is set).
   */
  maxAttempts?: number;
  /** "standard" | "adaptive" | "legacy". Default: `AWS_RETRY_MODE`, then `retry_mode` in the profile, then standard. */
  retryMode?: string;
  /** Give up connecting after this long (ms). Default 60,000, as the AWS CLI. */
  connectionTimeoutMs?: number;
  /** Give up on an answer when the connection stays silent this long (ms). Default 60,000, as the AWS CLI's read timeout. */
  readTimeoutMs?: number;
  /** Explicit credentials; default is the SDK's provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Environment to read region, profile and endpoints from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Called for every HTTP request the client sends, retries included (an SDK middleware), e.g. to count calls. */
  onRequest?: (request: { service: "CloudFormation" | "S3" | "STS"; operation: string }) => void;
}

/** One CloudFormation stack event, as plain JSON. */
export interface StackEvent {
  eventId: string;
  stackId: string;
  stackName: string;
  logicalId: string;
  physicalId?: string;
  resourceType: string;
  status: string;
  reason?: string;
  /** ISO-8601. */
  timestamp: string;
  /** On a resource's final event of this operation: milliseconds since its `*_IN_PROGRESS` event. */
  durationMs?: number;
  /** The token of the operation that caused the event (AWS gives every event of one operation the same). */
  clientRequestToken?: string;
}

/** One change of a change set. */
export interface Change {
  action: string;
  logicalId: string;
  physicalId?: string;
  resourceType: string;
  /** "True" | "False" | "Conditional" for modifications. */
  replacement?: string;
  scope?: string[];
}

/** Progress and log sink; the CLI decides how it looks. Every method is optional. */
export type Reporter = {
  event?(e: StackEvent): void;
  progress?(p: { done: number; total: number; stackName: string }): void;
  info?(msg: string): void;
  warn?(msg: string): void;
};

export interface Artifact {
  path: string;
  key: string;
  sha256: string;
  size: number;
}

/** A CloudFormation rollback trigger: an alarm that rolls the stack operation back while it is in ALARM. */
export interface RollbackTrigger {
  Arn: string;
  Type: "AWS::CloudWatch::Alarm" | "AWS::CloudWatch::CompositeAlarm";
}

/** What a stack should look like. */
export interface ConvergeInput {
  stackName: string;
  /** Plain CloudFormation JSON. */
  template: object;
  parameters?: Record<string, string>;
  tags?: Record<string, string>;
  /** S3 bucket for the template and artifacts. Without it the template goes inline (max 51,200 bytes). */
  bucket?: string;
  /**
   * The account that must own `bucket` (S3's `ExpectedBucketOwner` on every upload and check). Default: the
   * deploying account (from the stack's ARN, else STS GetCallerIdentity). Set it for a shared bucket of another
   * account you trust.
   */
  bucketOwner?: string;
  keyPrefix?: string;
  artifacts?: Artifact[];
  /** Else inferred from the template (IAM, NAMED_IAM, AUTO_EXPAND). */
  capabilities?: string[];
  /** CloudWatch metric alarm ARNs that roll the operation back (each a trigger of type `AWS::CloudWatch::Alarm`). */
  rollbackAlarms?: string[];
  /**
   * Typed rollback triggers, for composite alarms (`rollbackTriggersFrom` of @sparta/operations gives one).
   * Combined with `rollbackAlarms`; an ARN given in both is used once, with the type given here.
   */
  rollbackTriggers?: RollbackTrigger[];
  /**
   * Rollback triggers read from the DEPLOYED stack's outputs, at no extra API call (converge describes the stack
   * anyway): each named output holding an alarm ARN becomes a trigger of the given type, unless the template being
   * deployed no longer declares that output (CloudFormation fails an operation whose trigger it deletes). A first
   * create has no deployed outputs, hence no such trigger. E.g. `[{ output: "SpartaRollbackAlarmArn",
   * type: "AWS::CloudWatch::CompositeAlarm" }]` for `alarms()` of @sparta/operations.
   */
  rollbackTriggerOutputs?: { output: string; type: RollbackTrigger["Type"] }[];
  /** Minutes CloudFormation watches the triggers after the resources are deployed (0-180). */
  monitoringTimeMinutes?: number;
  clientToken?: string;
  /** Updating function code in place is not supported by this engine; a change set is always used. */
  inplace?: boolean;
  /** Logical ids to skip when resuming an UPDATE_ROLLBACK_FAILED stack (continue-update-rollback). */
  resourcesToSkip?: string[];
  /**
   * When another operation is running on the stack, or another run deploys it while this one is under way, wait
   * for it and plan again (default), or stop: StackBusyError / ConcurrentDeployError naming the other run (false).
   */
  waitForRunningOperation?: boolean;
  /** Throw away a stack left in ROLLBACK_COMPLETE by a failed first create and create it again. Default true. */
  recreateFailedStack?: boolean;
}

export type ConvergeKind = "created" | "updated" | "unchanged" | "failed";

export interface ConvergeResult {
  kind: ConvergeKind;
  stackName: string;
  stackId?: string;
  outputs: Record<string, string>;
  events: StackEvent[];
  /** On failure: the earliest failed events of this operation (nested stacks followed). Print them last. */
  rootCause?: StackEvent[];
  changes?: Change[];
  message?: string;
  /** CloudFormation, S3 and STS calls made, retries included. */
  apiCalls?: number;
  /**
   * The run was interrupted (`signal`). `kind` is then the stack's real outcome when it was already known, else
   * `failed` with a message saying CloudFormation carries on and how to follow it.
   */
  interrupted?: boolean;
}

export interface DeleteResult {
  kind: "deleted" | "failed" | "unchanged";
  stackName: string;
  stackId?: string;
  events: StackEvent[];
  rootCause?: StackEvent[];
  message?: string;
  apiCalls?: number;
}

export interface StackDescription {
  stackId: string;
  status: string;
  statusReason?: string;
  outputs: Record<string, string>;
  resources: { logicalId: string; type: string; physicalId?: string; status: string }[];
  parameters: Record<string, string>;
  tags: Record<string, string>;
  /** ISO-8601. */
  lastUpdated?: string;
}

/** Injected collaborators; all optional. */
export interface EngineDeps {
  cfn?: CfnClient;
  s3?: S3Like;
  reporter?: Reporter;
  /** Wait `ms` milliseconds. Tests pass an instant or virtual-clock sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Current time in ms (defaults to Date.now); pair with a virtual `sleep` in tests. */
  now?: () => number;
  /** Poll delays in ms, the last one repeating. Default: 250, 500, 1000, 2000, 3000, 5000. */
  pollSchedule?: number[];
  /** Give up on a change set still pending after this long (it is deleted). Default 10 minutes. */
  changeSetTimeoutMs?: number;
  /**
   * How converge makes its own clients when `cfn` / `s3` / `sts` are not given: region, profile, endpoint,
   * timeouts, retries (default: the SDK's standard chain, as the AWS CLI reads it).
   */
  aws?: ClientOptions;
  /** STS, to learn the deploying account when a new stack's bucket owner is checked. Default: made from `aws`. */
  sts?: StsLike;
  /**
   * Attempts per call, with backoff and full jitter, for clients given here that do not retry on their own.
   * The SDK clients converge makes retry as `AWS_MAX_ATTEMPTS` / `retry_mode` (or `aws.maxAttempts`) say. Default 6.
   */
  maxAttempts?: number;
  /**
   * While waiting for a stack or a change set, how long reads may keep failing in a row (throttling, dropped
   * connections) before converge gives up with StillDeployingError; it retries with backoff meanwhile. Default 5 minutes.
   */
  waitErrorBudgetMs?: number;
  /**
   * Only show the changes: compare, then create a change set, read it and delete it. Nothing is executed,
   * recovered (a ROLLBACK_COMPLETE stack is not recreated) or left behind; the result is `unchanged` with `changes`.
   */
  plan?: boolean;
  /** How the caller's user deploys again and follows a stack, for messages. Default the `sparta` commands. */
  commands?: { deploy?: string; status?: string };
  /** Who runs this deploy, written into the change set's description so a concurrent run can name it. Default `pid N on HOST`. */
  runLabel?: string;
  /** Random source for jitter, in [0, 1). */
  random?: () => number;
  /** Ctrl-C: stop waiting, delete a not-yet-executed change set, and report the stack's state. */
  signal?: AbortSignal;
  /** Shown the change set's changes before executing; return false to decline (nothing is executed or left behind). */
  confirm?: (changes: Change[], stackName: string) => boolean | Promise<boolean>;
}
