import { credentialLike } from "@sparta/template";
import { DuplicateEnvironmentError, InvalidEnvironmentError } from "./errors.js";

/** Where this package sends warnings and progress; the CLI passes its own reporter. */
export interface PipelineReporter {
  warn(message: string): void;
  info?(message: string): void;
}

/**
 * A variable whose value is a secret, never written anywhere in clear: the template, `.sparta/`, the CodePipeline
 * package, the stack's parameters and the logs hold only where it is kept.
 * - `{ secretsManager: "prod/api-key", jsonKey?: "key" }`: the function reads the value itself from
 *   `process.env.KEY`; CloudFormation resolves the Secrets Manager dynamic reference when the stage deploys (the
 *   deploy role may `secretsmanager:GetSecretValue` exactly those secrets). The value is then part of the function's
 *   configuration, readable by whoever may `lambda:GetFunctionConfiguration`.
 * - `{ ssmParameter: "/prod/db/password" }`: a SecureString of Parameter Store, read by the function at run time
 *   (CloudFormation cannot put a SecureString into a Lambda environment variable): `process.env.KEY` holds the
 *   parameter's name, and every function's role may `ssm:GetParameter` it (a key other than `aws/ssm` also needs
 *   `kms:Decrypt`, which you grant).
 */
export type SecretValue = { secretsManager: string; jsonKey?: string } | { ssmParameter: string };

/** A variable's value: a plain string (visible in the template and the stack's parameters) or a `SecretValue`. */
export type EnvironmentValue = string | SecretValue;

/** One deployment environment: a name and the values its functions read from `process.env`. */
export interface PipelineEnvironment {
  readonly name: string;
  /** Plain values. */
  readonly variables: Readonly<Record<string, string>>;
  /** Secret values, by variable name: where each is kept, never the value. */
  readonly secrets?: Readonly<Record<string, SecretValue>>;
}

/** An ordered set of environments; registration order is the order of the pipeline's stages. */
export interface EnvironmentRegistry {
  /** Adds an environment. Throws `DuplicateEnvironmentError` if the name is taken. */
  register(name: string, variables: Record<string, EnvironmentValue>): PipelineEnvironment;
  /** The environments in registration order. */
  list(): readonly PipelineEnvironment[];
  /** Warnings raised so far (e.g. environments whose variable keys differ). */
  warnings(): readonly string[];
}

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,30}$/;
const VARIABLE_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
// A secret's name or ARN (Secrets Manager: letters, digits and /_+=.@-); a JSON key without ":" or "}".
const SECRET_ID = /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}$/;
const JSON_KEY = /^[^:{}]{1,256}$/;
// A hierarchical Parameter Store name: "/" then letters, digits and ._-/ (at most 1011 characters).
const SSM_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;

/**
 * Creates an environment registry. Warnings are kept (see `warnings()`) and also sent to `reporter` if given.
 * @example
 * const envs = createEnvironmentRegistry();
 * envs.register("test", { MESSAGE: "hello test" });
 */
export function createEnvironmentRegistry(
  options: { reporter?: PipelineReporter } = {},
): EnvironmentRegistry {
  const environments: PipelineEnvironment[] = [];
  const warnings: string[] = [];
  return {
    register(name, variables) {
      const environment = checkEnvironment(name, variables);
      if (environments.some((e) => e.name === name)) {
        throw new DuplicateEnvironmentError(
          `Environment "${name}" is registered twice. Each environment becomes one pipeline stage and one ` +
            `"${name}.json" file, so its name must be unique. Remove the second registerEnvironment("${name}", ...) ` +
            `or give it another name, e.g. registerEnvironment("${name}-2", {...}).`,
        );
      }
      const found = [keyDifferenceWarning(environments, environment), ...credentialWarnings(environment)];
      checkKinds(environments, environment);
      environments.push(environment);
      for (const warning of found) {
        if (!warning) continue;
        warnings.push(warning);
        options.reporter?.warn(warning);
      }
      return environment;
    },
    list: () => [...environments],
    warnings: () => [...warnings],
  };
}

function checkEnvironment(name: string, variables: Record<string, EnvironmentValue>): PipelineEnvironment {
  if (typeof name !== "string" || !ENVIRONMENT_NAME.test(name)) {
    throw new InvalidEnvironmentError(
      `Environment name ${JSON.stringify(name)} is not valid: it names a stack and a file, so use lower-case ` +
        `letters, digits and "-", starting with a letter, at most 31 characters (e.g. "test", "production").`,
    );
  }
  if (variables === null || typeof variables !== "object" || Array.isArray(variables)) {
    throw new InvalidEnvironmentError(
      `Environment "${name}": variables must be an object of strings, e.g. { MESSAGE: "hello" }; received ${JSON.stringify(variables)}.`,
    );
  }
  const plain: Record<string, string> = {};
  const secrets: Record<string, SecretValue> = {};
  for (const [key, value] of Object.entries(variables)) {
    if (!VARIABLE_KEY.test(key) || key.startsWith("AWS_")) {
      throw new InvalidEnvironmentError(
        `Environment "${name}": variable key "${key}" is not valid. Keys become Lambda environment variables ` +
          `and template parameters: use letters, digits and "_", starting with a letter, not starting with "AWS_" ` +
          `(e.g. "MESSAGE", "TABLE_NAME").`,
      );
    }
    if (typeof value === "string") plain[key] = value;
    else secrets[key] = checkSecret(name, key, value);
  }
  return Object.freeze({
    name,
    variables: Object.freeze(plain),
    ...(Object.keys(secrets).length > 0 ? { secrets: Object.freeze(secrets) } : {}),
  });
}

function checkSecret(environment: string, key: string, value: unknown): SecretValue {
  const how =
    `e.g. ${key}: { secretsManager: "${environment}/${key.toLowerCase()}" } (resolved when the stage deploys) or ` +
    `${key}: { ssmParameter: "/${environment}/${key.toLowerCase()}" } (a SecureString the function reads at run time)`;
  const v = value as Record<string, unknown> | null;
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new InvalidEnvironmentError(
      `Environment "${environment}": variable "${key}" must be a string or a secret; received ${JSON.stringify(value)}. ` +
        `Convert a value with String(value), or keep a secret in Secrets Manager or Parameter Store, ${how}.`,
    );
  }
  const keys = Object.keys(v).sort().join(",");
  if (
    (keys === "secretsManager" || keys === "jsonKey,secretsManager") &&
    typeof v.secretsManager === "string"
  ) {
    if (!SECRET_ID.test(v.secretsManager) || (v.jsonKey !== undefined && !JSON_KEY.test(String(v.jsonKey)))) {
      throw new InvalidEnvironmentError(
        `Environment "${environment}": variable "${key}" names the Secrets Manager secret ` +
          `${JSON.stringify(v.secretsManager)}${v.jsonKey !== undefined ? ` (key ${JSON.stringify(v.jsonKey)})` : ""}, ` +
          `which is not a secret's name or ARN (letters, digits and /_+=.@-), or a JSON key without ":"; ${how}.`,
      );
    }
    return v.jsonKey === undefined
      ? { secretsManager: v.secretsManager }
      : { secretsManager: v.secretsManager, jsonKey: String(v.jsonKey) };
  }
  if (keys === "ssmParameter" && typeof v.ssmParameter === "string") {
    if (!SSM_NAME.test(v.ssmParameter)) {
      throw new InvalidEnvironmentError(
        `Environment "${environment}": variable "${key}" names the parameter ${JSON.stringify(v.ssmParameter)}; ` +
          `give a hierarchical Parameter Store name starting with "/", ${how}.`,
      );
    }
    return { ssmParameter: v.ssmParameter };
  }
  throw new InvalidEnvironmentError(
    `Environment "${environment}": variable "${key}" is ${JSON.stringify(value)}, neither a string nor a secret; ${how}.`,
  );
}

/** How a variable's value is given: plainly, from Secrets Manager, or from Parameter Store. */
export function valueKind(value: EnvironmentValue | undefined): "plain" | "secretsManager" | "ssmParameter" {
  if (value === undefined || typeof value === "string") return "plain";
  return "secretsManager" in value ? "secretsManager" : "ssmParameter";
}

/** The value of `key` in an environment: its plain value, its secret, or `undefined` when it does not set it. */
export function environmentValue(
  environment: PipelineEnvironment,
  key: string,
): EnvironmentValue | undefined {
  return environment.variables[key] ?? environment.secrets?.[key];
}

/** Every environment gives a key the same kind of value: a template parameter carries one kind only. */
function checkKinds(previous: readonly PipelineEnvironment[], added: PipelineEnvironment): void {
  for (const key of [...Object.keys(added.variables), ...Object.keys(added.secrets ?? {})]) {
    const kind = valueKind(environmentValue(added, key));
    const other = previous.find((e) => {
      const v = environmentValue(e, key);
      return v !== undefined && valueKind(v) !== kind;
    });
    if (other) {
      throw new InvalidEnvironmentError(
        `Variable "${key}" is ${describeKind(valueKind(environmentValue(other, key)))} in environment ` +
          `"${other.name}" but ${describeKind(kind)} in "${added.name}"; give it the same kind in every environment ` +
          `(each environment may name its own secret).`,
      );
    }
  }
}

const describeKind = (kind: ReturnType<typeof valueKind>) =>
  kind === "plain"
    ? "a plain value"
    : kind === "secretsManager"
      ? "a Secrets Manager secret"
      : "a Parameter Store parameter";

/** A warning for each plain value that looks like a credential, saying where to keep it instead. */
function credentialWarnings(environment: PipelineEnvironment): string[] {
  return Object.entries(environment.variables).flatMap(([key, value]) => {
    const what = credentialLike(key, value);
    return what
      ? [
          `Environment "${environment.name}": variable ${key} looks like ${what}; a plain value is written in clear ` +
            `into the template, the CodePipeline package and the stack's parameters. Keep it in Secrets Manager ` +
            `and give ${key}: { secretsManager: "${environment.name}/${key.toLowerCase()}" } instead.`,
        ]
      : [];
  });
}

function keyDifferenceWarning(
  previous: PipelineEnvironment[],
  added: PipelineEnvironment,
): string | undefined {
  const first = previous[0];
  if (!first) return undefined;
  const keysOf = (e: PipelineEnvironment) => [...Object.keys(e.variables), ...Object.keys(e.secrets ?? {})];
  const known = keysOf(first);
  const keys = keysOf(added);
  const missing = known.filter((k) => !keys.includes(k));
  const extra = keys.filter((k) => !known.includes(k));
  if (missing.length === 0 && extra.length === 0) return undefined;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`lacks ${missing.join(", ")}`);
  if (extra.length > 0) parts.push(`adds ${extra.join(", ")}`);
  return (
    `Environment "${added.name}" ${parts.join(" and ")} compared with "${first.name}". ` +
    `Functions read an empty string for a key an environment does not set; give every environment the same keys.`
  );
}

const defaultRegistry = createEnvironmentRegistry();

/**
 * Registers an environment in the process-wide registry. Registration order is stage order.
 * @example
 * registerEnvironment("test", { MESSAGE: "Hello from test" });
 * registerEnvironment("production", { MESSAGE: "Hello from production" });
 */
export function registerEnvironment(
  name: string,
  variables: Record<string, EnvironmentValue>,
): PipelineEnvironment {
  return defaultRegistry.register(name, variables);
}

/** The environments registered with `registerEnvironment`, in registration order. */
export function pipelineEnvironments(): readonly PipelineEnvironment[] {
  return defaultRegistry.list();
}

/** The process-wide registry behind `registerEnvironment` (its warnings are reported by `provisionPipeline`). */
export function defaultEnvironmentRegistry(): EnvironmentRegistry {
  return defaultRegistry;
}
