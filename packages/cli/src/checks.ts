import type { DefinitionProblem } from "./errors.js";
import { didYouMean } from "./suggest.js";
import { isObject } from "./values.js";

// Settings AWS accepts in a template but refuses only when the stack deploys (a schedule, a route, an ARN, a
// reserved variable, a size limit): checked here, before anything is built or uploaded, each naming the setting
// and the fix. validateService checks the shape of the definition first; these run on values of the right type.

/**
 * Environment variables Lambda sets itself and refuses in a function's configuration (the Lambda developer guide,
 * "Defined runtime environment variables": the reserved ones).
 */
export const RESERVED_ENVIRONMENT = [
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
];

/** Why `key` cannot be set in a function's environment (reserved by Lambda), or undefined. */
export function reservedEnvironmentProblem(key: string): string | undefined {
  if (!RESERVED_ENVIRONMENT.includes(key)) return undefined;
  return (
    `${key} is reserved: Lambda sets it for every function and refuses it in the configuration ` +
    `(the function reads process.env.${key} as Lambda sets it); rename the variable, e.g. APP_${key.replace(/^_+/, "")}`
  );
}

/** Lambda's limit on a function's environment: keys and values together, in bytes. */
export const ENVIRONMENT_LIMIT_BYTES = 4096;

/** Bytes an environment takes in Lambda's count (the value as the template gives it: a secret's reference). */
export function environmentBytes(environment: Record<string, unknown>): number {
  let total = 0;
  for (const [k, v] of Object.entries(environment)) {
    const value =
      typeof v === "string"
        ? v
        : isObject(v) && typeof v.ssmParameter === "string"
          ? v.ssmParameter
          : isObject(v) && typeof v.secretsManager === "string"
            ? `{{resolve:secretsmanager:${v.secretsManager}${typeof v.jsonKey === "string" ? `:SecretString:${v.jsonKey}` : ""}}}`
            : "";
    total += Buffer.byteLength(k) + Buffer.byteLength(value);
  }
  return total;
}

const RATE_UNITS = ["minute", "hour", "day"];
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const CRON_FIELDS: { name: string; min: number; max: number; names?: string[]; extra: RegExp }[] = [
  { name: "minutes", min: 0, max: 59, extra: /^$/ },
  { name: "hours", min: 0, max: 23, extra: /^$/ },
  { name: "day-of-month", min: 1, max: 31, extra: /^(L|LW|\d{1,2}W)$/ },
  { name: "month", min: 1, max: 12, names: MONTHS, extra: /^$/ },
  { name: "day-of-week", min: 1, max: 7, names: DAYS, extra: /^(L|\d[L#]\d?|[A-Z]{3}#\d|[A-Z]{3}L)$/ },
  { name: "year", min: 1970, max: 2199, extra: /^$/ },
];

/** One cron field's value (`*`, `5`, `1-5`, `0/15`, `MON-FRI`, `1,15`), or a problem. */
function cronFieldProblem(value: string, field: (typeof CRON_FIELDS)[number]): string | undefined {
  if (value === "*" || value === "?") return undefined;
  if (field.extra.test(value.toUpperCase())) return undefined;
  const number = (s: string) => {
    const upper = s.toUpperCase();
    const i = field.names?.indexOf(upper) ?? -1;
    if (i >= 0) return i + 1;
    return /^\d+$/.test(s) ? Number(s) : Number.NaN;
  };
  for (const part of value.split(",")) {
    const [range, step] = part.split("/");
    if (step !== undefined && !/^\d+$/.test(step)) return `"${part}": the step after "/" must be a number`;
    const ends = range === "*" && step !== undefined ? [] : (range ?? "").split("-");
    if (ends.length > 2) return `"${part}" is not a value, a range a-b or a step a/b`;
    for (const end of ends) {
      const n = number(end);
      if (Number.isNaN(n) || n < field.min || n > field.max)
        return `"${end}" is not a ${field.name} value (${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ""})`;
    }
  }
  return undefined;
}

/** Whether `v` has a schedule expression's shape, `rate(...)` or `cron(...)` (validateService's check of it). */
export const isScheduleShaped = (v: unknown): v is string =>
  typeof v === "string" && /^(rate|cron)\(.+\)$/.test(v);

/**
 * What EventBridge would refuse in a schedule expression, or undefined. `rate(N unit)`: N a positive integer,
 * the unit singular for 1 and plural otherwise; `cron(...)`: six fields (minutes hours day-of-month month
 * day-of-week year), `?` in exactly one of day-of-month and day-of-week.
 *
 * @example scheduleProblem("rate(5 minute)") // 'use "minutes" with 5: rate(5 minutes)'
 */
export function scheduleProblem(expression: string): string | undefined {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) {
    const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(rate[1] ?? "");
    if (!m) return `rate(...) takes a number and a unit, e.g. rate(5 minutes) or rate(1 hour)`;
    const [, count, unit] = m as unknown as [string, string, string];
    if (!/^\d+$/.test(count) || Number(count) < 1)
      return `the rate must be a whole number of at least 1, received "${count}"; e.g. rate(1 minute)`;
    const base = unit.replace(/s$/, "");
    if (!RATE_UNITS.includes(base))
      return `unknown unit "${unit}"; rate(...) takes minute(s), hour(s) or day(s)`;
    const n = Number(count);
    const want = n === 1 ? base : `${base}s`;
    if (unit !== want) return `use "${want}" with ${n}: rate(${n} ${want})`;
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return `a schedule is rate(...) or cron(...), e.g. "rate(5 minutes)" or "cron(0 12 * * ? *)"`;
  const fields = (cron[1] ?? "").trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 6)
    return (
      `cron(...) needs six fields (minutes hours day-of-month month day-of-week year), received ${fields.length}; ` +
      `e.g. "cron(0 12 * * ? *)" for noon UTC every day${fields.length === 5 ? " (a Unix crontab line has five: add the year, *, and put ? in day-of-month or day-of-week)" : ""}`
    );
  const [, , dom, , dow] = fields as [string, string, string, string, string, string];
  for (const [i, value] of fields.entries())
    if (value === "?" && i !== 2 && i !== 4)
      return `"?" may stand only in day-of-month or day-of-week, not in ${CRON_FIELDS[i]!.name}`;
  if ((dom === "?") === (dow === "?"))
    return dom === "?"
      ? `"?" may stand in only one of day-of-month and day-of-week; give the other a value or *, e.g. "cron(0 12 ? * MON-FRI *)"`
      : `exactly one of day-of-month ("${dom}") and day-of-week ("${dow}") must be "?"; e.g. "cron(0 12 * * ? *)" or "cron(0 12 ? * MON-FRI *)"`;
  for (const [i, value] of fields.entries()) {
    const problem = cronFieldProblem(value, CRON_FIELDS[i]!);
    if (problem) return `${CRON_FIELDS[i]!.name}: ${problem}`;
  }
  return undefined;
}

/**
 * What API Gateway would refuse in an HTTP API route's path, or undefined: each segment non-empty, a parameter
 * a whole segment `{name}`, a greedy `{name+}` only last, no name twice.
 */
export function httpPathProblem(path: string): string | undefined {
  if (path === "/") return undefined;
  const segments = path.slice(1).split("/");
  const seen = new Set<string>();
  for (const [i, segment] of segments.entries()) {
    if (segment === "")
      return i === segments.length - 1
        ? `ends with "/"; drop it (e.g. "${path.replace(/\/+$/, "")}")`
        : `has an empty segment ("//")`;
    if (!segment.includes("{") && !segment.includes("}")) continue;
    const m = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/.exec(segment);
    if (!m)
      return `segment "${segment}" is not a parameter: a parameter is a whole segment in braces, "{id}" or the greedy "{proxy+}"`;
    const [, name, greedy] = m as unknown as [string, string, string];
    if (seen.has(name)) return `names the parameter "${name}" twice`;
    seen.add(name);
    if (greedy && i !== segments.length - 1)
      return `the greedy parameter "{${name}+}" must be the last segment, e.g. "/${segments.slice(0, i).join("/")}${i ? "/" : ""}{${name}+}"`;
  }
  return undefined;
}

/** The ARN shape of each service an ARN is asked for, and what it looks like. */
const ARN_SHAPES = {
  sqs: {
    pattern: /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d+:[A-Za-z0-9_-]+(\.fifo)?$/,
    example: "arn:aws:sqs:us-east-1:123456789012:",
  },
  sns: {
    pattern: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d+:[A-Za-z0-9_-]+(\.fifo)?$/,
    example: "arn:aws:sns:us-east-1:123456789012:",
  },
  kinesis: {
    pattern: /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d+:stream\/.+$/,
    example: "arn:aws:kinesis:us-east-1:123456789012:stream/",
  },
  dynamodb: {
    pattern: /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d+:table\/.+\/stream\/.+$/,
    example: "arn:aws:dynamodb:us-east-1:123456789012:table/NAME/stream/LABEL",
  },
  lambdaLayer: {
    pattern: /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d+:layer:[A-Za-z0-9_-]+:\d+$/,
    example: "arn:aws:lambda:us-east-1:123456789012:layer:NAME:VERSION",
  },
} as const;

/** What is wrong with a string where an ARN of `kind` is needed (intrinsics are not checked), or undefined. */
export function arnProblem(value: unknown, kind: keyof typeof ARN_SHAPES): string | undefined {
  if (typeof value !== "string") return undefined;
  const shape = ARN_SHAPES[kind];
  if (shape.pattern.test(value)) return undefined;
  const name = value.startsWith("arn:") ? undefined : value;
  const example = shape.example.endsWith(":") ? `${shape.example}${name ?? "NAME"}` : shape.example;
  return name !== undefined
    ? `"${value}" is a name, not an ARN; give the ARN, e.g. "${example}", or an intrinsic such as { "Fn::GetAtt": ["LogicalId", "Arn"] }`
    : `"${value}" is not ${kind === "lambdaLayer" ? "a Lambda layer version" : `an ${kind.toUpperCase()}`} ARN; e.g. "${example}"`;
}

/** Batch size limits of each pull-based source (Lambda's CreateEventSourceMapping). */
const BATCH_LIMITS: Record<string, number> = { sqs: 10_000, kinesis: 10_000, dynamodb: 10_000 };

/** Parameter types CloudFormation knows (besides AWS-specific `AWS::...` and `List<AWS::...>` types). */
const PARAMETER_TYPES = ["String", "Number", "List<Number>", "CommaDelimitedList"];

/**
 * The settings of a service definition AWS would refuse only when the stack deploys. Run on the definition
 * validateService has checked the shape of; values of another type are left to it.
 */
export function settingProblems(service: Record<string, unknown>): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (typeof service.description === "string" && service.description.length > 1024)
    add(
      "service.description",
      `is ${service.description.length} characters; a stack's description may have at most 1024 (CloudFormation refuses the template)`,
    );
  if (isObject(service.parameters))
    for (const [k, p] of Object.entries(service.parameters)) {
      if (!isObject(p) || p.type === undefined) continue;
      const type = p.type;
      if (
        typeof type !== "string" ||
        !(PARAMETER_TYPES.includes(type) || /^(List<)?AWS::[A-Za-z0-9:]+>?$/.test(type))
      )
        add(
          `service.parameters.${k}.type`,
          `${JSON.stringify(type)} is not a CloudFormation parameter type.${typeof type === "string" ? didYouMean(type, PARAMETER_TYPES) : ""} Types: ${PARAMETER_TYPES.join(", ")} or an AWS-specific type such as AWS::EC2::VPC::Id`,
        );
    }
  const defaults = isObject(service.functionDefaults) ? service.functionDefaults : {};
  const defaultEnv = isObject(defaults.environment) ? defaults.environment : {};
  const stages = isObject(service.stages) ? service.stages : {};
  const functions = Array.isArray(service.functions) ? service.functions : [];
  functions.forEach((fn: unknown, i) => {
    if (!isObject(fn)) return;
    const at = `functions[${typeof fn.name === "string" && fn.name ? fn.name : i}]`;
    if (typeof fn.description === "string" && fn.description.length > 256)
      add(
        `${at}.description`,
        `is ${fn.description.length} characters; Lambda takes at most 256: shorten it`,
      );
    const own = isObject(fn.environment) ? fn.environment : {};
    const sizes: [string, number][] = [["", environmentBytes({ ...defaultEnv, ...own })]];
    for (const [stage, settings] of Object.entries(stages)) {
      if (!isObject(settings)) continue;
      const stageDefaults = isObject(settings.functionDefaults) ? settings.functionDefaults : {};
      const env = {
        ...defaultEnv,
        ...(isObject(stageDefaults.environment) ? stageDefaults.environment : {}),
        ...own,
        ...(isObject(settings.environment) ? settings.environment : {}),
        SPARTA_STAGE: stage,
      };
      sizes.push([stage, environmentBytes(env)]);
    }
    const [stage, bytes] = sizes.reduce((a, b) => (b[1] > a[1] ? b : a));
    if (bytes > ENVIRONMENT_LIMIT_BYTES)
      add(
        `${at}.environment`,
        `takes ${bytes} bytes (names and values${stage ? `, with stage ${stage}'s settings` : ""}); Lambda's limit is 4 KB (${ENVIRONMENT_LIMIT_BYTES} bytes) in all. Keep large values in S3, Parameter Store or Secrets Manager and read them at run time`,
      );
    const dlq = fn.deadLetter;
    if (isObject(dlq)) {
      const q = arnProblem(dlq.queueArn, "sqs");
      if (q) add(`${at}.deadLetter.queueArn`, q);
      const t = arnProblem(dlq.topicArn, "sns");
      if (t) add(`${at}.deadLetter.topicArn`, t);
    }
    if (Array.isArray(fn.layers))
      fn.layers.forEach((layer, j) => {
        const p = arnProblem(layer, "lambdaLayer");
        if (p) add(`${at}.layers[${j}]`, p);
      });
    if (Array.isArray(fn.privileges))
      fn.privileges.forEach((p: unknown, j) => {
        if (!isObject(p) || !Array.isArray(p.resources)) return;
        for (const r of p.resources)
          if (typeof r === "string" && r !== "*" && !r.startsWith("arn:"))
            add(
              `${at}.privileges[${j}].resources`,
              `"${r}" is not an ARN (IAM refuses the policy when the stack deploys); give the resource's ARN, e.g. "arn:aws:s3:::${r}/*" for a bucket's objects, or an intrinsic such as { "Fn::GetAtt": ["Table", "Arn"] }`,
            );
      });
    if (!Array.isArray(fn.events)) return;
    fn.events.forEach((e: unknown, j) => {
      if (!isObject(e)) return;
      const eat = `${at}.events[${j}]`;
      switch (e.type) {
        case "schedule":
          if (isScheduleShaped(e.expression)) {
            const p = scheduleProblem(e.expression);
            if (p) add(`${eat}.expression`, `${JSON.stringify(e.expression)}: ${p}`);
          }
          break;
        case "httpApi":
          if (typeof e.path === "string" && e.path.startsWith("/")) {
            const p = httpPathProblem(e.path);
            if (p) add(`${eat}.path`, `${JSON.stringify(e.path)}: ${p}`);
          }
          break;
        case "sqs":
        case "sns":
        case "kinesis":
        case "dynamodb": {
          const field = e.type === "sqs" ? "queueArn" : e.type === "sns" ? "topicArn" : "streamArn";
          const p = arnProblem(e[field], e.type);
          if (p) add(`${eat}.${field}`, p);
          const max = BATCH_LIMITS[e.type];
          if (max !== undefined && Number.isInteger(e.batchSize) && (e.batchSize as number) > max)
            add(
              `${eat}.batchSize`,
              `${e.batchSize} is more than ${e.type === "sqs" ? "SQS" : e.type === "kinesis" ? "Kinesis" : "DynamoDB Streams"} allows: a batch has 1 to ${max} records`,
            );
          break;
        }
      }
    });
  });
  return problems;
}

/**
 * What is wrong with a handler export judged from the module's bundled code (esbuild's ESM output), or undefined:
 * an export bound to a literal (`export const handler = 42`) is no function Lambda can call.
 */
export function handlerValueProblem(code: string, exportName: string): string | undefined {
  const list = /export\s*\{([^}]*)\}\s*;?\s*$/.exec(code)?.[1];
  if (list === undefined) return undefined;
  let local: string | undefined;
  for (const item of list.split(",")) {
    const [name, alias] = item.trim().split(/\s+as\s+/);
    if ((alias ?? name) === exportName) local = name;
  }
  if (local === undefined) return undefined;
  const escaped = local.replace(/\$/g, "\\$");
  const init = new RegExp(`^(?:var|let|const)\\s+${escaped}\\s*=\\s*(.+?);?$`, "m").exec(code)?.[1];
  if (init === undefined) return undefined;
  const literal = /^(-?\d|"|'|`|\[|true\b|false\b|null\b|undefined\b|void 0\b)/.exec(init) !== null;
  if (!literal) return undefined;
  return (
    `the export "${exportName}" is ${init.length > 40 ? `${init.slice(0, 37)}...` : init}, not a function; ` +
    `export the function Lambda calls, e.g. export const ${exportName} = async (event) => ({ statusCode: 200 })`
  );
}

/** The template sections a decorator's fragment may hold. */
export const FRAGMENT_SECTIONS = ["Parameters", "Conditions", "Resources", "Outputs"] as const;

/**
 * What is wrong with the value a decorator returned, or undefined (a fragment, or nothing when it edited the
 * template in place).
 */
export function fragmentProblem(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const how =
    "a decorator returns a template fragment { Resources?, Outputs?, Parameters?, Conditions? } (each an object of logical ids), or nothing after editing the template it was given";
  if (!isObject(value)) {
    const shown = typeof value === "function" ? "a function" : JSON.stringify(value);
    return `returned ${shown ?? String(value)}; ${how}`;
  }
  for (const [key, section] of Object.entries(value)) {
    if (!(FRAGMENT_SECTIONS as readonly string[]).includes(key))
      return `returned a fragment with "${key}", which is not a section it may add.${didYouMean(key, FRAGMENT_SECTIONS)} ${how}`;
    if (section !== undefined && !isObject(section))
      return `returned ${key} as ${JSON.stringify(section)}; ${how}`;
  }
  return undefined;
}
