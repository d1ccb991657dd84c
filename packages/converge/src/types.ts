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

/**
 * Exactly the CloudFormation operations the engine uses, with the SDK's input and output shapes.
 * Implemented by {@link createCfnClient} (the AWS SDK) and by the test fake.
 */
export interface CfnClient {
  describeStacks(input: DescribeStacksCommandInput): Promise<DescribeStacksCommandOutput>;
  getTemplate(input: GetTemplateCommandInput): Promise<GetTemplateCommandOutput>;
  createChangeSet(input: CreateChangeSetCommandInput): Promise<CreateChangeSetCommandOutput>;
  describeChangeSet(input: DescribeChangeSetCommandInput): Promise<DescribeChangeSetCommandOutput>;
  executeChangeSet(input: ExecuteChangeSetCommandInput): Promise<ExecuteChangeSetCommandOutput>;
  deleteChangeSet(input: DeleteChangeSetCommandInput): Promise<DeleteChangeSetCommandOutput>;
  listChangeSets(input: ListChangeSetsCommandInput): Promise<ListChangeSetsCommandOutput>;
  describeStackEvents(input: DescribeStackEventsCommandInput): Promise<DescribeStackEventsCommandOutput>;
  listStackResources(input: ListStackResourcesCommandInput): Promise<ListStackResourcesCommandOutput>;
  deleteStack(input: DeleteStackCommandInput): Promise<DeleteStackCommandOutput>;
  continueUpdateRollback(
    input: ContinueUpdateRollbackCommandInput,
  ): Promise<ContinueUpdateRollbackCommandOutput>;
  /** Used only for a tags-only update CloudFormation refuses as a change set (see `converge`). */
  updateStack?(input: UpdateStackCommandInput): Promise<UpdateStackCommandOutput>;
}

/** The two S3 operations used to upload content-addressed objects. */
export interface S3Like {
  headObject(input: HeadObjectCommandInput): Promise<HeadObjectCommandOutput>;
  putObject(input: PutObjectCommandInput): Promise<PutObjectCommandOutput>;
  /** The URL CloudFormation should fetch `bucket/key` from (TemplateURL). Defaults to the AWS virtual-host form. */
  objectUrl?(bucket: string, key: string): string | Promise<string>;
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
  /** Minutes CloudFormation watches the triggers after the resources are deployed (0-180). */
  monitoringTimeMinutes?: number;
  clientToken?: string;
  /** Updating function code in place is not supported by this engine; a change set is always used. */
  inplace?: boolean;
  /** Logical ids to skip when resuming an UPDATE_ROLLBACK_FAILED stack (continue-update-rollback). */
  resourcesToSkip?: string[];
  /** When another operation is running on the stack, wait for it (default) or fail with StackBusyError (false). */
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
  /** CloudFormation and S3 calls made, retries included. */
  apiCalls?: number;
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
  /** Attempts per call for throttling and transient errors (backoff with full jitter). Default 6. */
  maxAttempts?: number;
  /** Random source for jitter, in [0, 1). */
  random?: () => number;
  /** Ctrl-C: stop waiting, delete a not-yet-executed change set, and report the stack's state. */
  signal?: AbortSignal;
  /** Shown the change set's changes before executing; return false to decline (nothing is executed or left behind). */
  confirm?: (changes: Change[], stackName: string) => boolean | Promise<boolean>;
}
