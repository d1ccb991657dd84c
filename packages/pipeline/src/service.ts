import type { PipelineEnvironment } from "./environments.js";
import { InvalidEnvironmentError } from "./errors.js";

/** A CloudFormation template as plain JSON (the shape `@sparta/cli` decorators receive). */
export interface TemplateJson {
  Parameters?: Record<string, Record<string, unknown>>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  [key: string]: unknown;
}

/** What `@sparta/packager`'s `writeBuildOutput` takes as `codePipelinePackage`. */
export interface CodePipelinePackage {
  fileName: string;
  environments: Record<string, { Parameters: Record<string, string>; Tags?: Record<string, string> }>;
}

/** The template parameter carrying environment variable `key`: `MESSAGE` -> `EnvMESSAGE`, `TABLE_NAME` -> `EnvTABLENAME`. */
export function environmentParameterName(key: string): string {
  return `Env${key.replace(/[^A-Za-z0-9]/g, "")}`;
}

/** Every variable key across the environments, in first-seen order, each with its parameter name. */
export function environmentKeys(
  environments: readonly PipelineEnvironment[],
): { key: string; parameter: string }[] {
  const keys: { key: string; parameter: string }[] = [];
  const byParameter = new Map<string, string>();
  for (const environment of environments) {
    for (const key of Object.keys(environment.variables)) {
      const parameter = environmentParameterName(key);
      const owner = byParameter.get(parameter);
      if (owner === key) continue;
      if (owner !== undefined) {
        throw new InvalidEnvironmentError(
          `Variables "${owner}" and "${key}" both map to template parameter "${parameter}"; rename one of them ` +
            `(keys differing only by "_" cannot both be used).`,
        );
      }
      byParameter.set(parameter, key);
      keys.push({ key, parameter });
    }
  }
  return keys;
}

/**
 * Adds one `String` parameter per environment variable key and maps each key into every Lambda function's
 * `Environment.Variables`, so handlers read `process.env.KEY`. Defaults are the first environment's values
 * (what a plain `sparta provision` deploys); each pipeline stage overrides them from its `<env>.json`.
 * Mutates and returns `template`.
 */
export function applyEnvironments<T extends TemplateJson>(
  template: T,
  environments: readonly PipelineEnvironment[],
): T {
  if (environments.length === 0) return template;
  const keys = environmentKeys(environments);
  const first = environments[0]!;
  template.Parameters ??= {};
  for (const { key, parameter } of keys) {
    if (template.Parameters[parameter]) {
      throw new InvalidEnvironmentError(
        `The service template already has a parameter "${parameter}", which environment variable "${key}" needs; ` +
          `rename the service parameter or the variable.`,
      );
    }
    template.Parameters[parameter] = {
      Type: "String",
      Default: first.variables[key] ?? "",
      Description: `Environment variable ${key} of every function (set per environment by the pipeline)`,
    };
  }
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== "AWS::Lambda::Function") continue;
    resource.Properties ??= {};
    const environment = (resource.Properties.Environment ?? {}) as { Variables?: Record<string, unknown> };
    const variables = { ...environment.Variables };
    for (const { key, parameter } of keys) variables[key] = { Ref: parameter };
    resource.Properties.Environment = { ...environment, Variables: variables };
  }
  return template;
}

/**
 * The service decorator: give it to `defineService({ decorators: [environmentsDecorator(() => pipelineEnvironments())] })`.
 * Environments are read when the template is built, so registration order in the file does not matter.
 */
export function environmentsDecorator(
  environments: () => readonly PipelineEnvironment[],
): (ctx: { template: TemplateJson }) => undefined {
  return (ctx) => {
    applyEnvironments(ctx.template, environments());
    return undefined;
  };
}

/**
 * The `codePipelinePackage` option of `@sparta/packager`'s `writeBuildOutput`: one template configuration per
 * environment whose `Parameters` are that environment's variables under their parameter names.
 * @example
 * codePipelinePackageFor(pipelineEnvironments(), "SpartaCodePipeline.zip");
 * // { fileName: "SpartaCodePipeline.zip", environments: { test: { Parameters: { EnvMESSAGE: "Hello from test" } } } }
 */
export function codePipelinePackageFor(
  environments: readonly PipelineEnvironment[],
  fileName: string,
  tags: Record<string, string> = {},
): CodePipelinePackage {
  const keys = environmentKeys(environments);
  const result: CodePipelinePackage = { fileName, environments: {} };
  for (const environment of environments) {
    const parameters: Record<string, string> = {};
    for (const { key, parameter } of keys) parameters[parameter] = environment.variables[key] ?? "";
    result.environments[environment.name] = {
      Parameters: parameters,
      Tags: { ...tags, "sparta:environment": environment.name },
    };
  }
  return result;
}
