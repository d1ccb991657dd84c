import { environmentValue, type PipelineEnvironment, type SecretValue, valueKind } from "./environments.js";
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

/**
 * The service template's parameter the pipeline sets to the permissions boundary it creates (its stages pass it;
 * a plain `sparta provision` leaves it empty: no boundary), and the condition that says it was set.
 */
export const PERMISSIONS_BOUNDARY_PARAMETER = "SpartaPermissionsBoundary";
export const PERMISSIONS_BOUNDARY_CONDITION = "SpartaPermissionsBoundaryGiven";

/**
 * The value to give `defineService({ permissionsBoundary })` so that every role of the service carries the
 * permissions boundary the pipeline creates, when the pipeline deploys it (the `pipeline.decorator` adds the
 * parameter it reads). The pipeline's deploy role creates no role without it.
 */
export const PIPELINE_PERMISSIONS_BOUNDARY = Object.freeze({
  "Fn::If": [
    PERMISSIONS_BOUNDARY_CONDITION,
    { Ref: PERMISSIONS_BOUNDARY_PARAMETER },
    { Ref: "AWS::NoValue" },
  ],
});

/** Whether a service's `permissionsBoundary` is the pipeline's (`PIPELINE_PERMISSIONS_BOUNDARY`). */
export const usesPipelineBoundary = (boundary: unknown): boolean =>
  JSON.stringify(boundary) === JSON.stringify(PIPELINE_PERMISSIONS_BOUNDARY);

/** One variable key across the environments: its parameter and how its value is given. */
export interface EnvironmentKey {
  key: string;
  parameter: string;
  kind: "plain" | "secretsManager" | "ssmParameter";
}

/**
 * Every variable key across the environments, in first-seen order, each with its parameter name and kind. A secret
 * must be set in every environment (an empty secret cannot deploy).
 */
export function environmentKeys(environments: readonly PipelineEnvironment[]): EnvironmentKey[] {
  const keys: EnvironmentKey[] = [];
  const byParameter = new Map<string, string>();
  for (const environment of environments) {
    const names = [...Object.keys(environment.variables), ...Object.keys(environment.secrets ?? {})];
    for (const key of names) {
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
      keys.push({ key, parameter, kind: valueKind(environmentValue(environment, key)) });
    }
  }
  for (const { key, kind } of keys) {
    if (kind === "plain") continue;
    const missing = environments.find((e) => environmentValue(e, key) === undefined);
    if (missing) {
      throw new InvalidEnvironmentError(
        `Secret "${key}" is not set in environment "${missing.name}"; name its secret there too, e.g. ` +
          `registerEnvironment("${missing.name}", { ..., ${key}: { secretsManager: "${missing.name}/${key.toLowerCase()}" } }).`,
      );
    }
  }
  return keys;
}

/**
 * What a key's parameter holds in one environment: the plain value, or where the secret is kept (never the secret):
 * `name[:SecretString:jsonKey]` of Secrets Manager, or the Parameter Store name.
 */
export function parameterValue(environment: PipelineEnvironment, key: string): string {
  const value = environmentValue(environment, key);
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return "secretsManager" in value ? secretsManagerReference(value) : value.ssmParameter;
}

const secretsManagerReference = (s: Extract<SecretValue, { secretsManager: string }>) =>
  s.jsonKey === undefined ? s.secretsManager : `${s.secretsManager}:SecretString:${s.jsonKey}`;

const DESCRIPTIONS: Record<EnvironmentKey["kind"], (key: string) => string> = {
  plain: (key) => `Environment variable ${key} of every function (set per environment by the pipeline)`,
  secretsManager: (key) =>
    `Secrets Manager secret (name[:SecretString:jsonKey]) whose value CloudFormation puts into environment ` +
    `variable ${key} of every function when it deploys (set per environment by the pipeline)`,
  ssmParameter: (key) =>
    `Parameter Store SecureString whose name environment variable ${key} of every function holds; the functions ` +
    `read it at run time (set per environment by the pipeline)`,
};

/**
 * Adds one `String` parameter per environment variable key and maps each key into every Lambda function's
 * `Environment.Variables`, so handlers read `process.env.KEY`. Defaults are the first environment's values
 * (what a plain `sparta provision` deploys); each pipeline stage overrides them from its `<env>.json`.
 * A secret's parameter holds where it is kept, never its value: a Secrets Manager secret becomes a dynamic
 * reference CloudFormation resolves when it deploys; a Parameter Store name is given to the function, whose role
 * may `ssm:GetParameter` it. Mutates and returns `template`.
 */
export function applyEnvironments<T extends TemplateJson>(
  template: T,
  environments: readonly PipelineEnvironment[],
): T {
  if (environments.length === 0) return template;
  const keys = environmentKeys(environments);
  const first = environments[0]!;
  template.Parameters ??= {};
  for (const { key, parameter, kind } of keys) {
    if (template.Parameters[parameter]) {
      throw new InvalidEnvironmentError(
        `The service template already has a parameter "${parameter}", which environment variable "${key}" needs; ` +
          `rename the service parameter or the variable.`,
      );
    }
    template.Parameters[parameter] = {
      Type: "String",
      Default: parameterValue(first, key),
      Description: DESCRIPTIONS[kind](key),
      ...(kind === "ssmParameter" ? { AllowedPattern: "^/[A-Za-z0-9_.\\-/]+$" } : {}),
    };
  }
  const ssm = keys.filter((k) => k.kind === "ssmParameter");
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== "AWS::Lambda::Function") continue;
    resource.Properties ??= {};
    const environment = (resource.Properties.Environment ?? {}) as { Variables?: Record<string, unknown> };
    const variables = { ...environment.Variables };
    for (const { key, parameter, kind } of keys)
      variables[key] =
        kind === "secretsManager"
          ? { "Fn::Sub": `{{resolve:secretsmanager:\${${parameter}}}}` }
          : { Ref: parameter };
    resource.Properties.Environment = { ...environment, Variables: variables };
    if (ssm.length > 0) grantParameters(template, resource.Properties.Role, ssm);
  }
  return template;
}

/** Lets the function's generated role read the Parameter Store names its environment variables hold. */
function grantParameters(template: TemplateJson, role: unknown, keys: readonly EnvironmentKey[]): void {
  const getAtt = (role as { "Fn::GetAtt"?: unknown } | undefined)?.["Fn::GetAtt"];
  const id = Array.isArray(getAtt) ? String(getAtt[0]) : undefined;
  const policies = id ? template.Resources[id]?.Properties?.Policies : undefined;
  const document = Array.isArray(policies)
    ? (policies[0] as { PolicyDocument?: { Statement?: unknown[] } } | undefined)?.PolicyDocument
    : undefined;
  if (!document || !Array.isArray(document.Statement)) return; // a role of the user's (roleName): theirs to grant
  const statement = {
    Effect: "Allow",
    Action: ["ssm:GetParameter"],
    Resource: keys.map((k) => ({
      "Fn::Sub": `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter\${${k.parameter}}`,
    })),
  };
  if (!document.Statement.some((s) => JSON.stringify(s) === JSON.stringify(statement)))
    document.Statement.push(statement);
}

/**
 * Adds the parameter and condition `PIPELINE_PERMISSIONS_BOUNDARY` reads, when the service uses it. Mutates and
 * returns `template`.
 */
export function applyPermissionsBoundaryParameter<T extends TemplateJson>(template: T): T {
  template.Parameters ??= {};
  if (template.Parameters[PERMISSIONS_BOUNDARY_PARAMETER]) return template;
  template.Parameters[PERMISSIONS_BOUNDARY_PARAMETER] = {
    Type: "String",
    Default: "",
    AllowedPattern: "^(arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+)?$",
    Description:
      "Permissions boundary of every role of the stack: the pipeline sets the one it creates; empty for none",
  };
  const withConditions = template as { Conditions?: Record<string, unknown> };
  withConditions.Conditions ??= {};
  withConditions.Conditions[PERMISSIONS_BOUNDARY_CONDITION] = {
    "Fn::Not": [{ "Fn::Equals": [{ Ref: PERMISSIONS_BOUNDARY_PARAMETER }, ""] }],
  };
  return template;
}

/**
 * The service decorator: give it to `defineService({ decorators: [environmentsDecorator(() => pipelineEnvironments())] })`.
 * Environments are read when the template is built, so registration order in the file does not matter. When the
 * service's `permissionsBoundary` is `PIPELINE_PERMISSIONS_BOUNDARY`, it also adds the parameter that reads.
 */
export function environmentsDecorator(
  environments: () => readonly PipelineEnvironment[],
): (ctx: { template: TemplateJson; service?: { permissionsBoundary?: unknown } }) => undefined {
  return (ctx) => {
    applyEnvironments(ctx.template, environments());
    if (usesPipelineBoundary(ctx.service?.permissionsBoundary))
      applyPermissionsBoundaryParameter(ctx.template);
    return undefined;
  };
}

/**
 * The `codePipelinePackage` option of `@sparta/packager`'s `writeBuildOutput`: one template configuration per
 * environment whose `Parameters` are that environment's variables under their parameter names (for a secret: where
 * it is kept, never its value).
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
    for (const { key, parameter } of keys) parameters[parameter] = parameterValue(environment, key);
    result.environments[environment.name] = {
      Parameters: parameters,
      Tags: { ...tags, "sparta:environment": environment.name },
    };
  }
  return result;
}
