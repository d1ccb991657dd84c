/** Process exit codes of the `sparta` command. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  user: 2,
  deployment: 3,
  /** Stopped by Ctrl-C before the outcome was known (128 + SIGINT). */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class of every error the CLI knows how to report; `exitCode` is what the process exits with. */
export class SpartaCliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  constructor(code: string, message: string, options: { cause?: unknown; exitCode?: ExitCodeValue } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.internal;
  }
}

/** One thing wrong with a service definition: where (function/field) and what. */
export interface DefinitionProblem {
  /** Dotted path, e.g. `functions[hello].events[0].path`. */
  path: string;
  message: string;
}

/** The service definition is invalid; lists every problem found, each naming the function and field. */
export class ServiceDefinitionError extends SpartaCliError {
  readonly problems: DefinitionProblem[];
  constructor(problems: DefinitionProblem[], source?: string) {
    const head = `The service definition${source ? ` in ${source}` : ""} has ${problems.length} problem${
      problems.length === 1 ? "" : "s"
    }:`;
    super(
      "SERVICE_DEFINITION_INVALID",
      [head, ...problems.map((p) => `  - ${p.path}: ${p.message}`)].join("\n"),
      {
        exitCode: ExitCode.user,
      },
    );
    this.problems = problems;
  }
}

/** The service file could not be found, compiled or imported, or exports no service. */
export class ServiceLoadError extends SpartaCliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("SERVICE_LOAD_FAILED", message, { ...options, exitCode: ExitCode.user });
  }
}

/** A command-line flag, environment variable or config-file option is wrong. */
export class UsageError extends SpartaCliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("USAGE", message, { ...options, exitCode: ExitCode.user });
  }
}

/** The service built, but the generated template failed local validation. */
export class TemplateInvalidError extends SpartaCliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("TEMPLATE_INVALID", message, { ...options, exitCode: ExitCode.user });
  }
}

/** A workflow hook or decorator supplied by the service threw. */
export class HookError extends SpartaCliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("HOOK_FAILED", message, { ...options, exitCode: ExitCode.user });
  }
}

/** The stack operation ran and failed (rolled back, refused, ...). */
export class DeploymentError extends SpartaCliError {
  readonly rootCause: string | undefined;
  constructor(message: string, options: { cause?: unknown; rootCause?: string } = {}) {
    super("DEPLOYMENT_FAILED", message, { ...options, exitCode: ExitCode.deployment });
    this.rootCause = options.rootCause;
  }
}

/** A command that reads a deployed stack found none: the service was never provisioned under that stack name. */
export class StackNotDeployedError extends SpartaCliError {
  readonly stackName: string;
  constructor(stackName: string) {
    super(
      "STACK_NOT_DEPLOYED",
      `stack ${stackName} does not exist; run sparta provision first (or pass the deployed stack's --stage or --stack-name)`,
      { exitCode: ExitCode.user },
    );
    this.stackName = stackName;
  }
}

/** CloudWatch Logs refused or failed a read (permissions, throttling, network). */
export class LogsReadError extends SpartaCliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("LOGS_READ_FAILED", message, { ...options, exitCode: ExitCode.user });
  }
}

/** The invocation could not be carried out (Lambda refused or was unreachable); not the function's own error. */
export class InvokeError extends SpartaCliError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("INVOKE_FAILED", message, { ...options, exitCode: ExitCode.user });
  }
}

/** Ctrl-C stopped the command before its outcome was known; the message says what was, and was not, done. */
export class InterruptedError extends SpartaCliError {
  constructor(message: string) {
    super("INTERRUPTED", message, { exitCode: ExitCode.interrupted });
  }
}
