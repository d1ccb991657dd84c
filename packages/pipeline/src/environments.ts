import { DuplicateEnvironmentError, InvalidEnvironmentError } from "./errors.js";

/** Where this package sends warnings and progress; the CLI passes its own reporter. */
export interface PipelineReporter {
  warn(message: string): void;
  info?(message: string): void;
}

/** One deployment environment: a name and the values its functions read from `process.env`. */
export interface PipelineEnvironment {
  readonly name: string;
  readonly variables: Readonly<Record<string, string>>;
}

/** An ordered set of environments; registration order is the order of the pipeline's stages. */
export interface EnvironmentRegistry {
  /** Adds an environment. Throws `DuplicateEnvironmentError` if the name is taken. */
  register(name: string, variables: Record<string, string>): PipelineEnvironment;
  /** The environments in registration order. */
  list(): readonly PipelineEnvironment[];
  /** Warnings raised so far (e.g. environments whose variable keys differ). */
  warnings(): readonly string[];
}

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,30}$/;
const VARIABLE_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

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
      const warning = keyDifferenceWarning(environments, environment);
      environments.push(environment);
      if (warning) {
        warnings.push(warning);
        options.reporter?.warn(warning);
      }
      return environment;
    },
    list: () => [...environments],
    warnings: () => [...warnings],
  };
}

function checkEnvironment(name: string, variables: Record<string, string>): PipelineEnvironment {
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
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables)) {
    if (!VARIABLE_KEY.test(key) || key.startsWith("AWS_")) {
      throw new InvalidEnvironmentError(
        `Environment "${name}": variable key "${key}" is not valid. Keys become Lambda environment variables ` +
          `and template parameters: use letters, digits and "_", starting with a letter, not starting with "AWS_" ` +
          `(e.g. "MESSAGE", "TABLE_NAME").`,
      );
    }
    if (typeof value !== "string") {
      throw new InvalidEnvironmentError(
        `Environment "${name}": variable "${key}" must be a string; received ${JSON.stringify(value)}. ` +
          `Convert it, e.g. ${key}: String(value).`,
      );
    }
    copy[key] = value;
  }
  return Object.freeze({ name, variables: Object.freeze(copy) });
}

function keyDifferenceWarning(
  previous: PipelineEnvironment[],
  added: PipelineEnvironment,
): string | undefined {
  const first = previous[0];
  if (!first) return undefined;
  const known = Object.keys(first.variables);
  const keys = Object.keys(added.variables);
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
export function registerEnvironment(name: string, variables: Record<string, string>): PipelineEnvironment {
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
