/**
 * The service model: what a user writes in `sparta.config.ts`.
 * Everything here is plain data plus a few callbacks (hooks, decorators, commands).
 */

/** A CloudFormation value: a literal or an intrinsic (`{ Ref }`, `{ "Fn::GetAtt" }`, `{ "Fn::Sub" }`, ...). */
export type CfnValue = string | number | boolean | { [key: string]: unknown } | unknown[];

/** A CloudFormation template as plain JSON, the contract between packages. */
export interface TemplateDocument {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Parameters?: Record<string, Record<string, unknown>>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  Outputs?: Record<
    string,
    { Value: unknown; Description?: string; Export?: unknown; [key: string]: unknown }
  >;
  [key: string]: unknown;
}

/** IAM actions on resources the function's role is granted. `*` is only ever what the user writes. */
export interface Privilege {
  /** e.g. `["s3:GetObject"]` */
  actions: string[];
  /** ARNs (strings) or intrinsics such as `{ "Fn::Sub": "arn:${AWS::Partition}:s3:::my-bucket/*" }`. */
  resources: (string | Record<string, unknown>)[];
}

/**
 * An environment variable whose value is a secret, so never written anywhere in clear (the template, `.sparta/`,
 * the stack's parameters, logs):
 * - `{ secretsManager: "prod/api-key", jsonKey?: "key" }`: `process.env.KEY` is the secret's value, which
 *   CloudFormation resolves (a Secrets Manager dynamic reference) when the stack deploys, with the deployer's
 *   permissions. The value is then part of the function's configuration, readable by whoever may
 *   `lambda:GetFunctionConfiguration`.
 * - `{ ssmParameter: "/prod/db/password", kmsKeyArn? }`: a Parameter Store SecureString, which CloudFormation cannot
 *   put into a Lambda environment: `process.env.KEY` is the parameter's name, the function reads the value at run
 *   time (`GetParameter` with decryption), and its role may `ssm:GetParameter` it (and `kms:Decrypt` with
 *   `kmsKeyArn`, when the parameter is encrypted with a key other than `aws/ssm`).
 */
export type SecretReference =
  | { secretsManager: string; jsonKey?: string }
  | { ssmParameter: string; kmsKeyArn?: CfnValue };

export type HttpMethod = "ANY" | "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";

/** A route on the service's HTTP API (API Gateway v2, payload format 2.0). */
export interface HttpApiEvent {
  type: "httpApi";
  method: HttpMethod;
  /** `/hello`, `/items/{id}`, `/{proxy+}` */
  path: string;
  /**
   * Who may call the route: the name of one of `httpApi.authorizers`, `"AWS_IAM"` (callers signing with SigV4 whose
   * IAM policy allows `execute-api:Invoke` on it) or `"NONE"` (public, even when the API has a
   * `defaultAuthorizer`). Default: `httpApi.defaultAuthorizer`, else public.
   */
  authorizer?: string;
  /** With a JWT authorizer: the OAuth scopes the token must carry (one of them), e.g. `["orders:read"]`. */
  scopes?: string[];
}

/**
 * An HTTP API Lambda authorizer (REQUEST): one of the service's functions decides, usually written with
 * `authorizer(fn)` of `@sparta/handler/authorizer`.
 * @example { type: "lambda", function: "auth", identitySource: ["$request.header.Authorization"], resultTtl: 300 }
 */
export interface HttpApiLambdaAuthorizer {
  type: "lambda";
  /** Name of the service function that decides (it needs no trigger of its own). */
  function: string;
  /**
   * Where the caller's credential is: `$request.header.NAME`, `$request.querystring.NAME`, `$context.VARIABLE` or
   * `$stageVariables.NAME`. API Gateway answers 401 without calling the function when one is missing, and caches
   * answers by their values. Default `["$request.header.Authorization"]`.
   */
  identitySource?: string[];
  /** Event and answer format: `"2.0"` (default) or `"1.0"` (the REST-like event, answered with an IAM policy). */
  payloadFormat?: "1.0" | "2.0";
  /**
   * Payload 2.0 only: the function answers `{ isAuthorized, context }` (default `true`, what `authorizer(fn)`
   * returns) rather than an IAM policy (`false`: give `authorizer(fn, { response: "policy" })`).
   */
  simpleResponses?: boolean;
  /**
   * Seconds API Gateway caches an answer for the same identity source values, 0..3600. Default 0 (the function
   * decides every call): a cached answer is reused for every route of this authorizer.
   */
  resultTtl?: number;
}

/** An HTTP API JWT authorizer: API Gateway checks the token itself (signature, `iss`, `aud`, `exp`, scopes). */
export interface HttpApiJwtAuthorizer {
  type: "jwt";
  /** The token issuer, an `https://` URL with the OpenID discovery document, e.g. a Cognito user pool's. */
  issuer: string;
  /** Accepted `aud` (or Cognito `client_id`) values; at least one. */
  audience: string[];
  /** Where the token is: one `$request.header.NAME` or `$request.querystring.NAME`. Default `["$request.header.Authorization"]`. */
  identitySource?: string[];
}

export type HttpApiAuthorizer = HttpApiLambdaAuthorizer | HttpApiJwtAuthorizer;

/**
 * Settings of the service's HTTP API.
 * @example
 * httpApi: {
 *   authorizers: { users: { type: "lambda", function: "auth" } },
 *   defaultAuthorizer: "users", // every route, unless it sets its own authorizer ("NONE" to stay public)
 * }
 */
export interface HttpApiSettings {
  /** Authorizers the routes name, by a name of yours (letters, digits, `-`, `_`). */
  authorizers?: Record<string, HttpApiAuthorizer>;
  /** The authorizer of every route that names none: a name of `authorizers` or `"AWS_IAM"`. */
  defaultAuthorizer?: string;
}

/** A Lambda Function URL. */
export interface FunctionUrlEvent {
  type: "functionUrl";
  /** Default `"AWS_IAM"`; `"NONE"` makes the URL public. */
  authType?: "NONE" | "AWS_IAM";
}

/**
 * Object notifications from an S3 bucket: set exactly one of `bucket` (a bucket this service creates) or
 * `existingBucket` (a bucket that already exists: another stack's, or made by hand).
 * @example
 * { type: "s3", bucket: "uploads", prefix: "in/" }                // creates uploads-<account>-<stack id suffix>
 * { type: "s3", existingBucket: "my-data-bucket", suffix: ".csv" } // adds a notification to an existing bucket
 * { type: "s3", existingBucket: { Ref: "DataBucket" } }            // the bucket named by a stack parameter
 */
export type S3Event = {
  type: "s3";
  /** Default `["s3:ObjectCreated:*"]`. */
  events?: string[];
  prefix?: string;
  suffix?: string;
} & (
  | {
      /** Bucket name prefix; the bucket is created as `<bucket>-<account>-<stack id suffix>` (unique per stack). Lowercase letters, digits, `-`. */
      bucket: string;
      existingBucket?: never;
    }
  | {
      /**
       * Name of a bucket that already exists, in the stack's account and region (a literal or an intrinsic such as
       * `{ Ref: "DataBucket" }`). CloudFormation cannot change a bucket it does not own, so the notification is
       * added (and removed on delete) by a custom resource; every other notification of the bucket is kept.
       */
      existingBucket: CfnValue;
      bucket?: never;
    }
);

export interface SnsEvent {
  type: "sns";
  topicArn: CfnValue;
}

export interface SqsEvent {
  type: "sqs";
  queueArn: CfnValue;
  batchSize?: number;
}

export interface StreamEvent {
  type: "dynamodb" | "kinesis";
  streamArn: CfnValue;
  startingPosition?: "LATEST" | "TRIM_HORIZON";
  batchSize?: number;
}

/** An EventBridge schedule: `rate(5 minutes)` or `cron(0 12 * * ? *)`. */
export interface ScheduleEvent {
  type: "schedule";
  expression: string;
  enabled?: boolean;
}

/** An EventBridge rule matching events by pattern. */
export interface EventPatternEvent {
  type: "eventPattern";
  pattern: Record<string, unknown>;
  eventBusName?: string;
}

/** A CloudWatch Logs subscription filter on a log group. */
export interface CloudWatchLogsEvent {
  type: "cloudwatchLogs";
  logGroupName: string;
  filterPattern?: string;
}

export type EventSource =
  | HttpApiEvent
  | FunctionUrlEvent
  | S3Event
  | SnsEvent
  | SqsEvent
  | StreamEvent
  | ScheduleEvent
  | EventPatternEvent
  | CloudWatchLogsEvent;

/** Logical ids of the resources generated for one function, for decorators. */
export interface FunctionLogicalIds {
  function: string;
  role: string | undefined;
  logGroup: string;
}

/** Context handed to a function decorator. Mutate `template` or return a fragment to merge. */
export interface FunctionDecoratorContext {
  service: ServiceDefinition;
  fn: FunctionDef;
  logicalIds: FunctionLogicalIds;
  template: TemplateDocument;
}

export type TemplateFragment = Partial<
  Pick<TemplateDocument, "Parameters" | "Conditions" | "Resources" | "Outputs">
>;

/** What a decorator may return: a fragment to merge, or nothing when it edited the template in place. */
// biome-ignore lint/suspicious/noConfusingVoidType: decorators that only mutate the template return nothing.
export type DecoratorResult = TemplateFragment | void | Promise<TemplateFragment | void>;

export type FunctionDecorator = (ctx: FunctionDecoratorContext) => DecoratorResult;

export interface ServiceDecoratorContext {
  service: ServiceDefinition;
  template: TemplateDocument;
  /** Warnings of the decorator (e.g. `@sparta/operations` skipping a route that is taken), shown by the CLI. */
  reporter?: {
    warn(message: string): void;
    /** True: the CLI deploys a template over CloudFormation's quotas as nested stacks (no need to warn about them). */
    splitsOverQuotas?: boolean;
  };
}

export type ServiceDecorator = (ctx: ServiceDecoratorContext) => DecoratorResult;

export interface FunctionDef {
  /** Unique within the service; letters, digits, `-` and `_`. */
  name: string;
  /** Module path (relative to the service file) and export: `"src/hello.ts#handler"` (`#handler` if omitted). */
  handler: string;
  description?: string;
  /** MB, 128..10240. Default 256. */
  memorySize?: number;
  /** Seconds, 1..900. Default 10. */
  timeout?: number;
  /** `process.env` of the function: plain strings, or secrets kept in Secrets Manager or Parameter Store. */
  environment?: Record<string, string | SecretReference>;
  privileges?: Privilege[];
  /** Use this existing IAM role instead of generating one (then `privileges` must be empty). */
  roleName?: string;
  /** Instruction set: `"x86_64"` (Lambda's default) or `"arm64"` (Graviton, cheaper per GB-second). */
  architecture?: "x86_64" | "arm64";
  /** Concurrent executions reserved for (and limiting) this function; 0 stops it from running. */
  reservedConcurrency?: number;
  /** Size of `/tmp` in MB, 512..10240. Default 512. */
  ephemeralStorage?: number;
  /**
   * X-Ray tracing. `"Active"` samples and records requests; the generated role gets `xray:PutTraceSegments`
   * and `xray:PutTelemetryRecords` (X-Ray has no resource-level permissions: those two are granted on `*`).
   */
  tracing?: "Active" | "PassThrough";
  /** Layer version ARNs (strings or intrinsics), at most 5, applied in order. */
  layers?: CfnValue[];
  /**
   * Run the function in a VPC. The generated role gets the network-interface actions Lambda needs
   * (those of the AWS managed policy AWSLambdaVPCAccessExecutionRole, on `*` as EC2 requires for them).
   */
  vpc?: FunctionVpc;
  /**
   * Where Lambda sends an asynchronous invocation's event after its retries fail: an SQS queue or an SNS
   * topic. The generated role may `sqs:SendMessage` / `sns:Publish` to exactly that target.
   */
  deadLetter?: { queueArn: CfnValue } | { topicArn: CfnValue };
  events?: EventSource[];
  decorator?: FunctionDecorator;
}

/** Subnets and security groups of a function in a VPC: lists, or intrinsics giving lists. */
export interface FunctionVpc {
  subnetIds: CfnValue[] | CfnValue;
  securityGroupIds: CfnValue[] | CfnValue;
}

export interface ParameterDef {
  type?: "String" | "Number" | "CommaDelimitedList";
  default?: string;
  description?: string;
  allowedValues?: string[];
}

/** What every hook receives. */
export interface HookContext {
  service: ServiceDefinition;
  serviceDir: string;
  reporter: CliReporter;
  noop: boolean;
}

export interface WorkflowHooks {
  preBuild?: (ctx: HookContext) => void | Promise<void>;
  postBuild?: (ctx: HookContext & { artifacts: readonly BuiltArtifact[] }) => void | Promise<void>;
  preMarshal?: (ctx: HookContext) => void | Promise<void>;
  postMarshal?: (ctx: HookContext & { template: TemplateDocument }) => void | Promise<void>;
  rollback?: (ctx: HookContext & { error: unknown }) => void | Promise<void>;
}

/** A nested template written into `.sparta/templates/`, uploaded with the ZIPs (content-addressed key). */
export interface NestedTemplateArtifact {
  /** Logical id of its stack resource in the root template. */
  logicalId: string;
  functions: string[];
  /** Logical ids of the resources it holds. */
  resources: string[];
  path: string;
  key: string;
  sha256: string;
  size: number;
  /** ZIP entries: none (the manifest lists every artifact alike). */
  entries: [];
}

/** An artifact as the packager reports it. */
export interface BuiltArtifact {
  path: string;
  sha256: string;
  size: number;
  key: string;
  entries?: unknown;
  [key: string]: unknown;
}

/** How the CLI reports progress; commands and hooks log through it, never through `console`. */
export interface CliReporter {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /** A transient progress line (live on a terminal, a plain line otherwise). */
  progress(message: string): void;
  /** A stack or build event, one line each. */
  event(message: string): void;
}

/**
 * A flag of a command, parsed with `util.parseArgs`. Declare it in camelCase (`dryRun`): users may type it in
 * kebab-case (`--dry-run`, how help shows it) or as declared, and `ctx.flags.dryRun` holds it either way.
 */
export interface CommandFlag {
  type: "string" | "boolean";
  description?: string;
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  required?: boolean;
  /** Name of a string flag's value in help: `--stack-name NAME`. Default `VALUE`. */
  valueName?: string;
  /** The values a string flag takes, shown in help and offered by shell completion. */
  values?: readonly string[];
}

/** The global options every command receives. */
export interface GlobalOptions {
  level: "debug" | "info" | "warn" | "error";
  format: "text" | "json";
  noop: boolean;
  color: boolean;
}

/** What a command's `run` receives: the loaded service, the reporter, its parsed flags and helpers. */
export interface CommandContext {
  /** The service, with the settings of `stage` applied when one is deployed. */
  service: ServiceDefinition;
  /** The stage (`--stage`, SPARTA_STAGE or `.spartarc.json`), when one is given. */
  stage?: string;
  /** The stack: `--stack-name`, else `<service>-<stage>`, else the service's name. */
  stackName: string;
  serviceDir: string;
  servicePath: string;
  reporter: CliReporter;
  options: GlobalOptions;
  flags: Record<string, string | boolean | string[] | undefined>;
  /** Build the service (bundles, ZIPs, validated template) into `.sparta/` without touching AWS. */
  build(options?: {
    s3Bucket?: string;
    buildId?: string;
    codePipelinePackage?: CodePipelinePackage;
    /** Called once the bundler is at work, for work that may overlap it (e.g. loading a client, a read). */
    whileBundling?: () => void;
  }): Promise<BuildResult>;
  /** Write a result to stdout (as JSON with `--format json`). */
  result(value: unknown, text?: string): void;
}

/** A command a service (or another package, such as the pipeline) adds to `sparta`. */
export interface CommandDefinition {
  name: string;
  description: string;
  flags?: Record<string, CommandFlag>;
  /** Command lines shown by `sparta <name> --help`, e.g. `["sparta greet --who Ada"]`. */
  examples?: string[];
  run(ctx: CommandContext): unknown | Promise<unknown>;
}

/** The outcome of building a service. */
export interface BuildResult {
  stackName: string;
  template: TemplateDocument;
  artifacts: BuiltArtifact[];
  /**
   * When the template passes a CloudFormation quota: the nested stacks' templates (`.sparta/templates/`), uploaded
   * with the ZIPs; `template` is then the root stack's.
   */
  nestedTemplates?: NestedTemplateArtifact[];
  /** When split: the whole template, as one stack would hold it (what `describe` pictures). */
  serviceTemplate?: TemplateDocument;
  /** `.sparta/` folder and the files written in it. */
  dir: string;
  templatePath: string;
  manifestPath: string;
  /** Stack parameters the deployment will pass (without the artifact bucket). */
  parameters: Record<string, string>;
  tags: Record<string, string>;
  /** The CodePipeline package ZIP, when the build wrote one (`provision --codePipelinePackage`). */
  pipelinePackage?: { path: string; sha256: string; size: number };
}

export interface ServiceDefinition {
  /** Also the CloudFormation stack name. Letters, digits and `-`, starting with a letter. */
  name: string;
  description?: string;
  functions: FunctionDef[];
  parameters?: Record<string, ParameterDef>;
  tags?: Record<string, string>;
  decorators?: ServiceDecorator[];
  hooks?: WorkflowHooks;
  commands?: CommandDefinition[];
  /**
   * What `provision --codePipelinePackage FILE.zip` writes besides the template: one template configuration per
   * environment. `@sparta/pipeline` supplies it: `codePipelinePackage: pipeline.packageFor`.
   */
  codePipelinePackage?: (fileName: string) => CodePipelinePackage;
  /**
   * Settings every function gets unless it sets its own (SAM's `Globals.Function`, the Serverless Framework's
   * `provider` settings); `environment` is merged, a function's own variables winning.
   * @example functionDefaults: { architecture: "arm64", memorySize: 512, environment: { STAGE: "prod" } }
   */
  functionDefaults?: FunctionDefaults;
  /**
   * A permissions boundary every IAM role of the service carries (the functions', and any a decorator adds, such as
   * `safeDeploy()`'s CodeDeploy role): a managed policy's ARN (or an intrinsic giving it). A role can then never do
   * more than the boundary allows, whatever its own policies say. `@sparta/pipeline` gives one it creates:
   * `permissionsBoundary: pipeline.permissionsBoundary`.
   * @example permissionsBoundary: "arn:aws:iam::123456789012:policy/team-boundary"
   */
  permissionsBoundary?: CfnValue;
  /**
   * `"auto"` (default): one stack, and a root with one nested stack per function once the template passes a
   * CloudFormation quota. `"nested"`: a nested stack per function from the start, so a service that will grow past
   * the quotas never moves its functions between stacks (CloudFormation would create them anew).
   */
  stacks?: "auto" | "nested";
  /**
   * Settings of each stage (`sparta provision --stage prod`), merged over the service's own when that stage is
   * deployed, as Serverless users do with `--stage` and SAM users with config environments. Without `stages`
   * any stage name may be deployed; with it, only the stages it lists.
   * @example
   * stages: {
   *   dev: { environment: { LOG_LEVEL: "debug" } },
   *   prod: { environment: { LOG_LEVEL: "warn" }, parameters: { Domain: "api.example.com" }, tags: { cost: "prod" },
   *           functionDefaults: { memorySize: 1024 } },
   * }
   */
  stages?: Record<string, StageSettings>;
  /** Authorizers of the HTTP API's routes (see {@link HttpApiSettings}). */
  httpApi?: HttpApiSettings;
}

/** What a stage may set; each merged over the service's own when the stage is deployed. */
export interface StageSettings {
  /** Variables every function gets in this stage (over its own and `functionDefaults`'); secrets as in `environment`. */
  environment?: Record<string, string | SecretReference>;
  /** Values of the service's parameters in this stage (`--param` still wins). */
  parameters?: Record<string, string>;
  /** Stack tags in this stage (over the service's; `--tag` still wins). */
  tags?: Record<string, string>;
  /** Function defaults in this stage (over the service's `functionDefaults`). */
  functionDefaults?: FunctionDefaults;
}

/** The function settings `functionDefaults` may give every function. */
export const FUNCTION_DEFAULT_KEYS = [
  "memorySize",
  "timeout",
  "environment",
  "architecture",
  "tracing",
  "ephemeralStorage",
  "layers",
  "vpc",
  "deadLetter",
] as const;

export type FunctionDefaults = Partial<Pick<FunctionDef, (typeof FUNCTION_DEFAULT_KEYS)[number]>>;

/**
 * The service with `functionDefaults` applied to each function (a function's own setting wins; environments are
 * merged). Returns the service itself when it has no defaults; applying twice changes nothing.
 */
export function applyFunctionDefaults(service: ServiceDefinition): ServiceDefinition {
  const defaults = service.functionDefaults;
  if (!defaults) return service;
  return {
    ...service,
    functions: service.functions.map((fn) => {
      const merged: FunctionDef = { ...defaults, ...fn } as FunctionDef;
      if (defaults.environment || fn.environment)
        merged.environment = { ...defaults.environment, ...fn.environment };
      return merged;
    }),
  };
}

/** The CodePipeline package's environments (`codePipelinePackage` option of `@sparta/packager`'s `writeBuildOutput`). */
export interface CodePipelinePackage {
  fileName: string;
  environments: Record<string, { Parameters: Record<string, string>; Tags?: Record<string, string> }>;
}

/**
 * Declare a service. The value is returned as-is (the CLI validates it when it loads the file); the function
 * exists for type checking and editor help.
 * @example
 * export const service = defineService({
 *   name: "hello",
 *   functions: [{ name: "hello", handler: "src/hello.ts#handler", events: [{ type: "httpApi", method: "GET", path: "/hello" }] }],
 * });
 */
export function defineService(definition: ServiceDefinition): ServiceDefinition {
  return definition;
}

/** Type helper for a command supplied by another package. */
export function defineCommand(command: CommandDefinition): CommandDefinition {
  return command;
}
