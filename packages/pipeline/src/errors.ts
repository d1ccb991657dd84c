/** Stable codes of every error this package throws; `code` never changes between releases. */
export type PipelineErrorCode =
  | "SPARTA_PIPELINE_DUPLICATE_ENVIRONMENT"
  | "SPARTA_PIPELINE_INVALID_ENVIRONMENT"
  | "SPARTA_PIPELINE_UNKNOWN_ENVIRONMENT"
  | "SPARTA_PIPELINE_INVALID_REPO"
  | "SPARTA_PIPELINE_SOURCE_CREDENTIALS"
  | "SPARTA_PIPELINE_DEPLOY_PERMISSIONS"
  | "SPARTA_PIPELINE_INVALID_OPTIONS"
  | "SPARTA_PIPELINE_DEPLOY_FAILED"
  | "SPARTA_PIPELINE_NOT_DEPLOYED"
  | "SPARTA_PIPELINE_UNSUPPORTED_ACTION"
  | "SPARTA_PIPELINE_RUN";

/**
 * Base of every error thrown by `@sparta/pipeline`. The CLI prints `message` and exits with 2 (user error),
 * except for `DeployPipelineError` (3).
 */
export class PipelineError extends Error {
  readonly code: PipelineErrorCode;

  constructor(code: PipelineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The same environment name was registered twice. */
export class DuplicateEnvironmentError extends PipelineError {
  constructor(message: string) {
    super("SPARTA_PIPELINE_DUPLICATE_ENVIRONMENT", message);
  }
}

/** An environment name or one of its variables is malformed. */
export class InvalidEnvironmentError extends PipelineError {
  constructor(message: string) {
    super("SPARTA_PIPELINE_INVALID_ENVIRONMENT", message);
  }
}

/** A pipeline stage names an environment that was never registered. */
export class UnknownEnvironmentError extends PipelineError {
  constructor(message: string) {
    super("SPARTA_PIPELINE_UNKNOWN_ENVIRONMENT", message);
  }
}

/** `--repo` is not a GitHub repository URL. */
export class InvalidRepoUrlError extends PipelineError {
  constructor(message: string) {
    super("SPARTA_PIPELINE_INVALID_REPO", message);
  }
}

/** Neither (or both of) a GitHub token and a CodeStar connection was given. */
export class SourceCredentialsError extends PipelineError {
  constructor(message: string) {
    super("SPARTA_PIPELINE_SOURCE_CREDENTIALS", message);
  }
}

/** The service template holds a resource type the deploy role has no least-privilege actions for. */
export class MissingDeployPermissionsError extends PipelineError {
  constructor(message: string) {
    super("SPARTA_PIPELINE_DEPLOY_PERMISSIONS", message);
  }
}

/** Any other malformed pipeline option (no stages, a bad pipeline name, a bad alarm gate...). */
export class InvalidPipelineOptionsError extends PipelineError {
  constructor(message: string) {
    super("SPARTA_PIPELINE_INVALID_OPTIONS", message);
  }
}

/**
 * Converging the pipeline stack failed (a deployment failure: the CLI exits with its deployment code, 3,
 * because the name starts with "Deploy").
 */
export class DeployPipelineError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SPARTA_PIPELINE_DEPLOY_FAILED", message, options);
  }
}

/** `runPipeline` needs the pipeline stack deployed (it resolves the artifact bucket and projects from it). */
export class PipelineNotDeployedError extends PipelineError {
  constructor(message: string) {
    super("SPARTA_PIPELINE_NOT_DEPLOYED", message);
  }
}

/** The pipeline has an action `runPipeline` cannot run on this machine (named before anything runs). */
export class UnsupportedActionError extends PipelineError {
  constructor(message: string) {
    super("SPARTA_PIPELINE_UNSUPPORTED_ACTION", message);
  }
}

/** A run could not start or continue: bad flags, a buildspec it cannot read, no previous run for `--from`... */
export class RunPipelineError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SPARTA_PIPELINE_RUN", message, options);
  }
}
