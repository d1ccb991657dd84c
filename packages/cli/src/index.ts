export { type BuildOptions, buildService, wrapperSource } from "./build.js";
export { type CliIO, runCli } from "./cli.js";
export { describeTrigger, renderDescribeHtml } from "./describe.js";
export {
  type DefinitionProblem,
  DeploymentError,
  ExitCode,
  type ExitCodeValue,
  HookError,
  InterruptedError,
  InvokeError,
  LogsReadError,
  ServiceDefinitionError,
  ServiceLoadError,
  SpartaCliError,
  StackNotDeployedError,
  TemplateInvalidError,
  UsageError,
} from "./errors.js";
export { type ExploreOptions, type ExploreServer, startExplore } from "./explore.js";
export {
  type InitOptions,
  type InitResult,
  initService,
  type ScaffoldFile,
  scaffoldFiles,
  suggestServiceName,
} from "./init.js";
export {
  buildForInvoke,
  createLambdaInvokeClient,
  type FunctionErrorShape,
  type InvokeConfig,
  type InvokeLocalOptions,
  type InvokeOutcome,
  invokeConfig,
  invokeLocal,
  invokeRemote,
  type LambdaInvokeClient,
  readEvent,
} from "./invoke.js";
export { type LoadedService, loadService, resolveServicePath, SERVICE_FILES } from "./load.js";
export {
  createLogsClient,
  followLogs,
  formatLogLine,
  formatLogMessage,
  type LogEvent,
  type LogsClient,
  type LogTarget,
  logTargets,
  parseSince,
  readLogs,
} from "./logs.js";
export {
  ARTIFACT_BUCKET_PARAMETER,
  type FunctionCode,
  functionLogicalIds,
  marshalService,
  pascalId,
  RUNTIME,
} from "./marshal.js";
export { CONFIG_FILE, envName } from "./options.js";
export { createReporter, type OutputStream } from "./reporter.js";
export {
  applyFunctionDefaults,
  type BuildResult,
  type BuiltArtifact,
  type CfnValue,
  type CliReporter,
  type CloudWatchLogsEvent,
  type CommandContext,
  type CommandDefinition,
  type CommandFlag,
  type DecoratorResult,
  defineCommand,
  defineService,
  type EventPatternEvent,
  type EventSource,
  type FunctionDecorator,
  type FunctionDecoratorContext,
  type FunctionDef,
  type FunctionDefaults,
  type FunctionLogicalIds,
  type FunctionUrlEvent,
  type FunctionVpc,
  type GlobalOptions,
  type HookContext,
  type HttpApiEvent,
  type HttpMethod,
  type ParameterDef,
  type Privilege,
  type S3Event,
  type ScheduleEvent,
  type ServiceDecorator,
  type ServiceDecoratorContext,
  type ServiceDefinition,
  type SnsEvent,
  type SqsEvent,
  type StreamEvent,
  type TemplateDocument,
  type TemplateFragment,
  type WorkflowHooks,
} from "./service.js";
export { BUILTIN_COMMANDS, parseHandlerRef, validateService } from "./validate.js";
export { cliVersion } from "./version.js";
