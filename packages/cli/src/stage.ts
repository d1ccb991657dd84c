import { UsageError } from "./errors.js";
import type { ServiceDefinition } from "./service.js";
import { didYouMean } from "./suggest.js";

// Stages (`--stage dev`, `.spartarc.json` "stage", SPARTA_STAGE): one service deployed several times side by side, as
// `serverless deploy --stage` and SAM's config environments do. A stage names its own stack, `<service>-<stage>`
// (every generated physical name derives from the stack name), and may bring its own settings (`stages.<stage>`).

/** A letter, then letters, digits or "-"; at most 32 characters, so `<service>-<stage>` stays a short stack name. */
export const STAGE_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,31}$/;

/** The variable every function gets with the stage's name when a stage is deployed. */
export const STAGE_VARIABLE = "SPARTA_STAGE";

/** The stack tag naming the stage. */
export const STAGE_TAG = "sparta:stage";

/** The stack of a service in a stage: `hello` and `dev` -> `hello-dev`; no stage: the service's name. */
export function stageStackName(serviceName: string, stage: string | undefined): string {
  return stage === undefined ? serviceName : `${serviceName}-${stage}`;
}

/** Refuse a stage name that cannot be part of a stack name, and (when the service lists its stages) a typo. */
export function checkStage(stage: string, service?: Pick<ServiceDefinition, "stages">): void {
  if (!STAGE_PATTERN.test(stage))
    throw new UsageError(
      `--stage ${JSON.stringify(stage)} is not a stage name: a letter, then letters, digits or "-", at most 32 characters (e.g. --stage dev)`,
    );
  const declared = Object.keys(service?.stages ?? {});
  if (declared.length > 0 && !declared.includes(stage))
    throw new UsageError(
      `--stage ${stage}: the service declares the stages ${declared.join(", ")}, not "${stage}".${didYouMean(stage, declared)} Add stages.${stage} to defineService to deploy it`,
    );
}

/**
 * The service as deployed in `stage`: `stages[stage].functionDefaults` over the service's `functionDefaults`,
 * `stages[stage].environment` over every function's own (and `SPARTA_STAGE`), `stages[stage].tags` over the
 * service's tags (and the `sparta:stage` tag). Parameter values are {@link stageParameters}.
 *
 * @example
 * applyStage(defineService({ name: "hello", functions, stages: { prod: { environment: { LOG_LEVEL: "warn" } } } }), "prod")
 * // every function's environment has LOG_LEVEL=warn and SPARTA_STAGE=prod; tags have sparta:stage=prod
 */
export function applyStage(service: ServiceDefinition, stage: string | undefined): ServiceDefinition {
  if (stage === undefined) return service;
  const settings = service.stages?.[stage] ?? {};
  const stageDefaults = settings.functionDefaults;
  const functionDefaults =
    stageDefaults || service.functionDefaults
      ? {
          ...service.functionDefaults,
          ...stageDefaults,
          ...(service.functionDefaults?.environment || stageDefaults?.environment
            ? { environment: { ...service.functionDefaults?.environment, ...stageDefaults?.environment } }
            : {}),
        }
      : undefined;
  return {
    ...service,
    ...(functionDefaults ? { functionDefaults } : {}),
    tags: { ...service.tags, ...settings.tags, [STAGE_TAG]: stage },
    functions: service.functions.map((fn) => ({
      ...fn,
      environment: { ...fn.environment, ...settings.environment, [STAGE_VARIABLE]: stage },
    })),
  };
}

/** The stack parameter values of `stage` (`stages[stage].parameters`, SAM's `parameter_overrides`). */
export function stageParameters(
  service: ServiceDefinition,
  stage: string | undefined,
): Record<string, string> {
  return stage === undefined ? {} : { ...service.stages?.[stage]?.parameters };
}
