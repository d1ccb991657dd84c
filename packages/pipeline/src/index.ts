export { artifactBaseDirectory, type BuildspecOptions, buildspec, type PackageManager } from "./buildspec.js";
export type {
  CommandReporter,
  PipelineCommand,
  PipelineCommandContext,
  PipelineCommandFlag,
} from "./cli-types.js";
export {
  type CodePipeline,
  type CodePipelineOptions,
  codePipeline,
  detectPackageManager,
  PROVISION_PIPELINE_FLAGS,
  provisionPipeline,
  RUN_PIPELINE_FLAGS,
  resolveSource,
} from "./command.js";
export {
  createEnvironmentRegistry,
  defaultEnvironmentRegistry,
  type EnvironmentRegistry,
  type EnvironmentValue,
  type PipelineEnvironment,
  type PipelineReporter,
  pipelineEnvironments,
  registerEnvironment,
  type SecretValue,
} from "./environments.js";
export {
  DeployPipelineError,
  DuplicateEnvironmentError,
  InvalidEnvironmentError,
  InvalidPipelineOptionsError,
  InvalidRepoUrlError,
  MissingDeployPermissionsError,
  PipelineError,
  type PipelineErrorCode,
  PipelineNotDeployedError,
  RunPipelineError,
  SourceCredentialsError,
  UnknownEnvironmentError,
  UnsupportedActionError,
} from "./errors.js";
export {
  boundaryStatements,
  collectIamActions,
  deployStatements,
  functionSettingStatements,
  type IamStatement,
  type ServiceTemplate,
  SUPPORTED_RESOURCE_TYPES,
  secretStatements,
} from "./permissions.js";
export { type GitHubRepo, parseGitHubRepo } from "./repo.js";
export { type RunPipelineInput, runPipeline, stageSummary } from "./run/runner.js";
export type { ActionRecord, RunArtifact, RunRecord, StageRecord } from "./run/types.js";
export {
  applyEnvironments,
  applyPermissionsBoundaryParameter,
  type CodePipelinePackage,
  codePipelinePackageFor,
  type EnvironmentKey,
  environmentKeys,
  environmentParameterName,
  environmentsDecorator,
  PERMISSIONS_BOUNDARY_CONDITION,
  PERMISSIONS_BOUNDARY_PARAMETER,
  PIPELINE_PERMISSIONS_BOUNDARY,
  type TemplateJson,
} from "./service.js";
export {
  type Approval,
  CONNECTION_PARAMETER,
  DEFAULT_SERVICE_RESOURCE_TYPES,
  OAUTH_TOKEN_PARAMETER,
  PERMISSIONS_BOUNDARY_POLICY,
  type PipelineSource,
  type PipelineStage,
  type PipelineTemplateOptions,
  type PullRequestBuilds,
  pipelineTemplate,
  type ResolvedApproval,
  resolveAlarmGates,
  resolveStages,
  stageStackName,
} from "./template.js";
