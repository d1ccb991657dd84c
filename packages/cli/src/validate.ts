import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "esbuild";
import { httpApiProblems } from "./authorizers.js";
import {
  handlerValueProblem,
  isScheduleShaped,
  reservedEnvironmentProblem,
  settingProblems,
} from "./checks.js";
import { type DefinitionProblem, ServiceDefinitionError } from "./errors.js";
import { pascalId } from "./marshal.js";
import { s3EventProblems } from "./s3-notifications.js";
import { applyFunctionDefaults, FUNCTION_DEFAULT_KEYS, type ServiceDefinition } from "./service.js";
import { STAGE_PATTERN } from "./stage.js";
import { isObject } from "./values.js";

const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
const ENV_KEY = /^[A-Za-z][A-Za-z0-9_]+$/;
const PARAM_NAME = /^[A-Za-z0-9]{1,255}$/;
const ACTION = /^(\*|[a-z0-9-]+:[A-Za-z0-9*]+)$/;
const METHODS = ["ANY", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const EVENT_TYPES = [
  "httpApi",
  "functionUrl",
  "s3",
  "sns",
  "sqs",
  "dynamodb",
  "kinesis",
  "schedule",
  "eventPattern",
  "cloudwatchLogs",
];
const HOOKS = ["preBuild", "postBuild", "preMarshal", "postMarshal", "rollback"];
const FUNCTION_KEYS = [
  "name",
  "handler",
  "description",
  "memorySize",
  "timeout",
  "environment",
  "privileges",
  "roleName",
  "architecture",
  "reservedConcurrency",
  "ephemeralStorage",
  "tracing",
  "layers",
  "vpc",
  "deadLetter",
  "events",
  "decorator",
];
const SERVICE_KEYS = [
  "name",
  "description",
  "functions",
  "parameters",
  "tags",
  "decorators",
  "hooks",
  "commands",
  "codePipelinePackage",
  "functionDefaults",
  "permissionsBoundary",
  "stages",
  "httpApi",
  "stacks",
];
/** Names of the built-in commands; a service command may not reuse them. */
export const BUILTIN_COMMANDS = [
  "provision",
  "delete",
  "describe",
  "explore",
  "status",
  "logs",
  "invoke",
  "init",
  "bootstrap",
  "completion",
  "version",
  "help",
];

const isCfnValue = (v: unknown): boolean => (typeof v === "string" && v.length > 0) || isObject(v);
const show = (v: unknown): string => {
  if (v === undefined) return "nothing";
  if (typeof v === "function") return "a function";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

const isCfnList = (v: unknown): boolean =>
  (Array.isArray(v) && v.length > 0 && v.every(isCfnValue)) || isObject(v);

const SECRET_ID = /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}$/;
const JSON_KEY = /^[^:{}]{1,256}$/;
const SSM_NAME = /^\/?[A-Za-z0-9_.\-/]{1,1011}$/;

/** What is wrong with an environment value that is not a string (a secret reference), or `undefined`. */
function secretProblem(v: unknown, key: string): string | undefined {
  const how =
    `a secret is { secretsManager: "prod/${key.toLowerCase()}", jsonKey?: "key" } (resolved when the stack ` +
    `deploys) or { ssmParameter: "/prod/${key.toLowerCase()}" } (a SecureString the function reads at run time)`;
  if (!isObject(v)) return `must be a string, received ${show(v)}; ${how}`;
  const keys = Object.keys(v).sort().join(",");
  if (keys === "secretsManager" || keys === "jsonKey,secretsManager") {
    if (typeof v.secretsManager !== "string" || !SECRET_ID.test(v.secretsManager))
      return `secretsManager must be a secret's name or ARN (letters, digits and /_+=.@-), received ${show(v.secretsManager)}`;
    if (v.jsonKey !== undefined && (typeof v.jsonKey !== "string" || !JSON_KEY.test(v.jsonKey)))
      return `jsonKey must be a key of the secret's JSON (no ":"), received ${show(v.jsonKey)}`;
    return undefined;
  }
  if (keys === "ssmParameter" || keys === "kmsKeyArn,ssmParameter") {
    if (typeof v.ssmParameter !== "string" || !SSM_NAME.test(v.ssmParameter))
      return `ssmParameter must be a Parameter Store name such as "/prod/db/password", received ${show(v.ssmParameter)}`;
    if (v.kmsKeyArn !== undefined && !isCfnValue(v.kmsKeyArn))
      return `kmsKeyArn must be the ARN of the KMS key of the parameter, received ${show(v.kmsKeyArn)}`;
    return undefined;
  }
  return `must be a string or a secret, received ${show(v)}; ${how}`;
}

/** A function's runtime settings (or `functionDefaults`): each checked with the range Lambda accepts. */
function checkRuntimeSettings(
  fn: Record<string, unknown>,
  at: string,
  add: (path: string, message: string) => void,
): void {
  const oneOf = (field: string, allowed: string[]) => {
    const v = fn[field];
    if (v !== undefined && !allowed.includes(v as string))
      add(`${at}.${field}`, `must be ${allowed.map((a) => `"${a}"`).join(" or ")}, received ${show(v)}`);
  };
  const integer = (field: string, min: number, max: number, unit: string) => {
    const v = fn[field];
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min || (v as number) > max))
      add(`${at}.${field}`, `must be an integer ${unit} from ${min} to ${max}, received ${show(v)}`);
  };
  integer("memorySize", 128, 10240, "number of MB");
  integer("timeout", 1, 900, "number of seconds");
  const environment = fn.environment;
  if (environment !== undefined) {
    if (!isObject(environment))
      add(`${at}.environment`, `must be an object of strings, received ${show(environment)}`);
    else
      for (const [k, v] of Object.entries(environment)) {
        const reserved = reservedEnvironmentProblem(k);
        if (reserved) add(`${at}.environment.${k}`, reserved);
        else if (!ENV_KEY.test(k))
          add(
            `${at}.environment.${k}`,
            "variable names must match [A-Za-z][A-Za-z0-9_]+ (at least 2 characters)",
          );
        if (typeof v !== "string") {
          const problem = secretProblem(v, k);
          if (problem) add(`${at}.environment.${k}`, problem);
        }
      }
  }
  oneOf("architecture", ["x86_64", "arm64"]);
  oneOf("tracing", ["Active", "PassThrough"]);
  // Lambda's own ceiling is the account's concurrency limit (1,000 by default, raised on request).
  integer("reservedConcurrency", 0, 1_000_000, "number of concurrent executions");
  integer("ephemeralStorage", 512, 10240, "number of MB");
  const layers = fn.layers;
  if (
    layers !== undefined &&
    (!Array.isArray(layers) || layers.length === 0 || layers.length > 5 || !layers.every(isCfnValue))
  )
    add(
      `${at}.layers`,
      `must list 1 to 5 layer version ARNs (strings or intrinsics), received ${show(layers)}`,
    );
  const vpc = fn.vpc;
  if (vpc !== undefined) {
    if (!isObject(vpc))
      add(`${at}.vpc`, `must be { subnetIds: [...], securityGroupIds: [...] }, received ${show(vpc)}`);
    else
      for (const field of ["subnetIds", "securityGroupIds"])
        if (!isCfnList(vpc[field]))
          add(
            `${at}.vpc.${field}`,
            `must be a non-empty list of ids (strings or intrinsics) or an intrinsic giving one, received ${show(vpc[field])}`,
          );
  }
  const dlq = fn.deadLetter;
  if (dlq !== undefined) {
    const keys = isObject(dlq) ? Object.keys(dlq) : [];
    const key = keys[0];
    if (
      !isObject(dlq) ||
      keys.length !== 1 ||
      (key !== "queueArn" && key !== "topicArn") ||
      !isCfnValue(dlq[key])
    )
      add(
        `${at}.deadLetter`,
        `must be { queueArn: <SQS queue ARN> } or { topicArn: <SNS topic ARN> } (one of them), received ${show(dlq)}`,
      );
  }
}

/** `stages`: each a stage name with an object of `environment`, `parameters` (declared ones), `tags`, `functionDefaults`. */
function checkStages(
  stages: unknown,
  parameters: unknown,
  add: (path: string, message: string) => void,
): void {
  if (!isObject(stages)) {
    add(
      "service.stages",
      `must be an object of stage settings, e.g. { prod: { environment: { ... } } }, received ${show(stages)}`,
    );
    return;
  }
  const strings = (v: unknown, at: string) => {
    if (v === undefined) return;
    if (!isObject(v)) add(at, `must be an object of strings, received ${show(v)}`);
    else
      for (const [k, s] of Object.entries(v))
        if (typeof s !== "string") add(`${at}.${k}`, `must be a string, received ${show(s)}`);
  };
  const declared = isObject(parameters) ? Object.keys(parameters) : [];
  for (const [name, settings] of Object.entries(stages)) {
    const at = `service.stages.${name}`;
    if (!STAGE_PATTERN.test(name))
      add(at, 'stage names are a letter, then letters, digits or "-", at most 32 characters');
    if (!isObject(settings)) {
      add(at, `must be { environment?, parameters?, tags?, functionDefaults? }, received ${show(settings)}`);
      continue;
    }
    for (const key of Object.keys(settings))
      if (!STAGE_KEYS.includes(key))
        add(`${at}.${key}`, `unknown field; a stage may set ${STAGE_KEYS.join(", ")}`);
    if (settings.environment !== undefined)
      checkRuntimeSettings({ environment: settings.environment }, at, add);
    strings(settings.parameters, `${at}.parameters`);
    if (isObject(settings.parameters))
      for (const k of Object.keys(settings.parameters))
        if (!declared.includes(k))
          add(
            `${at}.parameters.${k}`,
            `the service declares no parameter "${k}"; declared: ${declared.join(", ") || "none"}`,
          );
    strings(settings.tags, `${at}.tags`);
    if (isObject(settings.tags))
      for (const k of Object.keys(settings.tags))
        if (/^aws:/i.test(k))
          add(`${at}.tags.${k}`, 'the "aws:" prefix is reserved by AWS; choose another key');
    const defaults = settings.functionDefaults;
    if (defaults !== undefined) {
      if (!isObject(defaults))
        add(`${at}.functionDefaults`, `must be an object of function settings, received ${show(defaults)}`);
      else {
        for (const key of Object.keys(defaults))
          if (!(FUNCTION_DEFAULT_KEYS as readonly string[]).includes(key))
            add(
              `${at}.functionDefaults.${key}`,
              `cannot be a default for every function; defaults: ${FUNCTION_DEFAULT_KEYS.join(", ")}`,
            );
        checkRuntimeSettings(defaults, `${at}.functionDefaults`, add);
      }
    }
  }
}

const STAGE_KEYS = ["environment", "parameters", "tags", "functionDefaults"];

/** Split `"src/hello.ts#handler"` into module and export (`handler` when no `#`). */
export function parseHandlerRef(handler: string): { module: string; exportName: string } {
  const i = handler.lastIndexOf("#");
  return i < 0
    ? { module: handler, exportName: "handler" }
    : { module: handler.slice(0, i), exportName: handler.slice(i + 1) };
}

/** Names exported by a TypeScript/JavaScript module and its bundled code, read by esbuild without running it. */
async function moduleExports(file: string): Promise<{ names: string[]; code: string }> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "node",
    packages: "external",
    logLevel: "silent",
    outdir: "out",
  });
  const [path, out] =
    Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint !== undefined) ?? [];
  const code = result.outputFiles?.find((f) => path !== undefined && f.path.endsWith(path))?.text ?? "";
  return { names: out?.exports ?? [], code };
}

/**
 * Check a service definition before anything is built. Collects every problem (naming the function and the
 * field) and throws one {@link ServiceDefinitionError}; returns the definition typed when it is valid.
 */
export async function validateService(
  value: unknown,
  options: { serviceDir: string; source?: string; checkHandlers?: boolean },
): Promise<ServiceDefinition> {
  const problems: DefinitionProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (!isObject(value)) {
    throw new ServiceDefinitionError(
      [
        {
          path: "service",
          message: `expected an object from defineService({ name, functions: [...] }), received ${show(value)}`,
        },
      ],
      options.source,
    );
  }
  for (const key of Object.keys(value)) {
    if (!SERVICE_KEYS.includes(key))
      add(`service.${key}`, `unknown field; known fields: ${SERVICE_KEYS.join(", ")}`);
  }
  if (typeof value.name !== "string" || !SERVICE_NAME.test(value.name)) {
    add(
      "service.name",
      `must be a stack name (a letter, then letters, digits or "-", at most 64), received ${show(value.name)}; e.g. name: "hello"`,
    );
  }
  if (value.description !== undefined && typeof value.description !== "string") {
    add("service.description", `must be a string, received ${show(value.description)}`);
  }
  const boundary = value.permissionsBoundary;
  if (
    boundary !== undefined &&
    !(typeof boundary === "string"
      ? /^arn:aws[a-z-]*:iam::\d{12}:policy\/.+$/.test(boundary)
      : isObject(boundary))
  ) {
    add(
      "service.permissionsBoundary",
      `must be a managed policy's ARN (or an intrinsic giving one), received ${show(boundary)}; e.g. ` +
        `"arn:aws:iam::123456789012:policy/team-boundary", or pipeline.permissionsBoundary of @sparta/pipeline`,
    );
  }
  if (value.stacks !== undefined && value.stacks !== "auto" && value.stacks !== "nested")
    add(
      "service.stacks",
      `must be "auto" (one stack; nested stacks past a CloudFormation quota) or "nested" (a nested stack per function from the start), received ${show(value.stacks)}`,
    );
  const defaults = value.functionDefaults;
  if (defaults !== undefined) {
    if (!isObject(defaults))
      add("service.functionDefaults", `must be an object of function settings, received ${show(defaults)}`);
    else {
      for (const key of Object.keys(defaults))
        if (!(FUNCTION_DEFAULT_KEYS as readonly string[]).includes(key))
          add(
            `service.functionDefaults.${key}`,
            `cannot be a default for every function; defaults: ${FUNCTION_DEFAULT_KEYS.join(", ")}`,
          );
      checkRuntimeSettings(defaults, "service.functionDefaults", add);
    }
  }
  if (value.stages !== undefined) checkStages(value.stages, value.parameters, add);
  if (value.tags !== undefined) {
    if (!isObject(value.tags))
      add("service.tags", `must be an object of strings, received ${show(value.tags)}`);
    else
      for (const [k, v] of Object.entries(value.tags)) {
        if (typeof v !== "string") add(`service.tags.${k}`, `must be a string, received ${show(v)}`);
        if (/^aws:/i.test(k))
          add(`service.tags.${k}`, 'the "aws:" prefix is reserved by AWS; choose another key');
      }
  }
  if (value.parameters !== undefined) {
    if (!isObject(value.parameters)) {
      add(
        "service.parameters",
        `must be an object of { type?, default?, description? }, received ${show(value.parameters)}`,
      );
    } else {
      for (const [k, p] of Object.entries(value.parameters)) {
        if (!PARAM_NAME.test(k))
          add(`service.parameters.${k}`, "parameter names must be alphanumeric (A-Z, a-z, 0-9)");
        if (k === "ArtifactBucket")
          add(`service.parameters.${k}`, "ArtifactBucket is reserved for the code bucket");
        if (!isObject(p))
          add(`service.parameters.${k}`, `must be an object such as { type: "String" }, received ${show(p)}`);
        else if (p.default !== undefined && typeof p.default !== "string")
          add(`service.parameters.${k}.default`, `must be a string, received ${show(p.default)}`);
      }
    }
  }
  if (value.decorators !== undefined) {
    if (!Array.isArray(value.decorators) || value.decorators.some((d) => typeof d !== "function"))
      add("service.decorators", "must be an array of functions ({ service, template }) => fragment | void");
  }
  if (value.hooks !== undefined) {
    if (!isObject(value.hooks)) add("service.hooks", `must be an object, received ${show(value.hooks)}`);
    else
      for (const [k, h] of Object.entries(value.hooks)) {
        if (!HOOKS.includes(k)) add(`service.hooks.${k}`, `unknown hook; known hooks: ${HOOKS.join(", ")}`);
        else if (typeof h !== "function")
          add(`service.hooks.${k}`, `must be a function, received ${show(h)}`);
      }
  }
  if (value.commands !== undefined) {
    if (!Array.isArray(value.commands))
      add("service.commands", `must be an array, received ${show(value.commands)}`);
    else {
      const seen = new Set<string>();
      value.commands.forEach((c: unknown, i) => {
        const at = `service.commands[${isObject(c) && typeof c.name === "string" ? c.name : i}]`;
        if (!isObject(c)) {
          add(at, `must be { name, description, flags?, run }, received ${show(c)}`);
          return;
        }
        if (typeof c.name !== "string" || !/^[a-z][A-Za-z0-9-]*$/.test(c.name))
          add(`${at}.name`, `must be a command name such as "provisionPipeline", received ${show(c.name)}`);
        else if (BUILTIN_COMMANDS.includes(c.name))
          add(`${at}.name`, `"${c.name}" is a built-in command; pick another name`);
        else if (seen.has(c.name)) add(`${at}.name`, `duplicate command name "${c.name}"`);
        else seen.add(c.name);
        if (typeof c.run !== "function") add(`${at}.run`, "must be a function (ctx) => result");
        if (typeof c.description !== "string")
          add(`${at}.description`, "must be a string shown by `sparta help`");
        if (c.flags !== undefined) {
          if (!isObject(c.flags)) add(`${at}.flags`, `must be an object of flags, received ${show(c.flags)}`);
          else
            for (const [f, spec] of Object.entries(c.flags)) {
              if (!isObject(spec) || (spec.type !== "string" && spec.type !== "boolean"))
                add(
                  `${at}.flags.${f}`,
                  `must be { type: "string" | "boolean", ... }, received ${show(spec)}`,
                );
            }
        }
      });
    }
  }

  const handlerChecks: { at: string; file: string; exportName: string }[] = [];
  if (!Array.isArray(value.functions) || value.functions.length === 0) {
    add(
      "service.functions",
      `must be a non-empty array of functions, received ${show(value.functions)}; e.g. functions: [{ name: "hello", handler: "src/hello.ts#handler" }]`,
    );
  } else {
    const names = new Set<string>();
    const ids = new Map<string, string>();
    const routes = new Map<string, string>();
    value.functions.forEach((fn: unknown, i: number) => {
      const label = isObject(fn) && typeof fn.name === "string" && fn.name ? fn.name : String(i);
      const at = `functions[${label}]`;
      if (!isObject(fn)) {
        add(at, `must be an object { name, handler, ... }, received ${show(fn)}`);
        return;
      }
      for (const key of Object.keys(fn)) {
        if (!FUNCTION_KEYS.includes(key))
          add(`${at}.${key}`, `unknown field; known fields: ${FUNCTION_KEYS.join(", ")}`);
      }
      if (typeof fn.name !== "string" || !FUNCTION_NAME.test(fn.name)) {
        add(
          `${at}.name`,
          `must start with a letter and use letters, digits, "-" or "_" (at most 40), received ${show(fn.name)}`,
        );
      } else if (names.has(fn.name)) {
        add(`${at}.name`, `duplicate function name "${fn.name}"; each function needs a unique name`);
      } else {
        names.add(fn.name);
        // Logical ids drop "-" and "_": "hello-world" and "hello_world" would both be HelloWorldFunction.
        const id = pascalId(fn.name);
        const other = ids.get(id);
        if (other !== undefined)
          add(
            `${at}.name`,
            `"${fn.name}" and "${other}" both become the logical id ${id}Function; rename one`,
          );
        else ids.set(id, fn.name);
      }

      if (typeof fn.handler !== "string" || fn.handler.length === 0) {
        add(`${at}.handler`, `must be "path/to/module.ts#exportName", received ${show(fn.handler)}`);
      } else {
        const { module, exportName } = parseHandlerRef(fn.handler);
        if (!module || !/^[A-Za-z_$][\w$]*$/.test(exportName)) {
          add(`${at}.handler`, `must be "path/to/module.ts#exportName", received ${show(fn.handler)}`);
        } else {
          const file = resolve(options.serviceDir, module);
          if (!existsSync(file) || !statSync(file).isFile()) {
            add(`${at}.handler`, `module "${module}" not found (looked for ${file})`);
          } else handlerChecks.push({ at: `${at}.handler`, file, exportName });
        }
      }
      if (fn.description !== undefined && typeof fn.description !== "string")
        add(`${at}.description`, `must be a string, received ${show(fn.description)}`);
      if (
        fn.roleName !== undefined &&
        (typeof fn.roleName !== "string" || !/^[\w+=,.@-]{1,64}$/.test(fn.roleName))
      )
        add(`${at}.roleName`, `must be an IAM role name, received ${show(fn.roleName)}`);
      checkRuntimeSettings(fn, at, add);
      if (fn.privileges !== undefined) {
        if (!Array.isArray(fn.privileges))
          add(`${at}.privileges`, `must be an array, received ${show(fn.privileges)}`);
        else {
          if (fn.roleName !== undefined && fn.privileges.length > 0)
            add(
              `${at}.privileges`,
              "cannot be combined with roleName: grant these actions on that role instead",
            );
          fn.privileges.forEach((p: unknown, j) => {
            const pat = `${at}.privileges[${j}]`;
            if (!isObject(p)) {
              add(pat, `must be { actions: [...], resources: [...] }, received ${show(p)}`);
              return;
            }
            if (!Array.isArray(p.actions) || p.actions.length === 0)
              add(
                `${pat}.actions`,
                `must list at least one action such as "s3:GetObject", received ${show(p.actions)}`,
              );
            else
              for (const a of p.actions)
                if (typeof a !== "string" || !ACTION.test(a))
                  add(
                    `${pat}.actions`,
                    `${show(a)} is not an IAM action ("service:Action", e.g. "s3:GetObject")`,
                  );
            if (!Array.isArray(p.resources) || p.resources.length === 0)
              add(
                `${pat}.resources`,
                `must list at least one resource ARN (least privilege: write "*" yourself if you mean it), received ${show(p.resources)}`,
              );
            else
              for (const r of p.resources)
                if (!isCfnValue(r)) add(`${pat}.resources`, `${show(r)} is not an ARN string or intrinsic`);
          });
        }
      }
      if (fn.decorator !== undefined && typeof fn.decorator !== "function")
        add(
          `${at}.decorator`,
          "must be a function ({ service, fn, logicalIds, template }) => fragment | void",
        );
      if (fn.events !== undefined) {
        if (!Array.isArray(fn.events)) add(`${at}.events`, `must be an array, received ${show(fn.events)}`);
        else
          fn.events.forEach((e: unknown, j) => {
            const eat = `${at}.events[${j}]`;
            if (!isObject(e)) {
              add(eat, `must be an object with a type, received ${show(e)}`);
              return;
            }
            const need = (field: string, ok: boolean, hint: string) => {
              if (!ok)
                add(
                  `${eat}.${field}`,
                  `${e[field] === undefined ? "missing" : `invalid (${show(e[field])})`}: ${hint}`,
                );
            };
            const needBatchSize = () =>
              need(
                "batchSize",
                e.batchSize === undefined || (Number.isInteger(e.batchSize) && (e.batchSize as number) >= 1),
                "a positive integer",
              );
            switch (e.type) {
              case "httpApi": {
                need(
                  "method",
                  typeof e.method === "string" && METHODS.includes(e.method),
                  `one of ${METHODS.join(", ")}`,
                );
                need(
                  "path",
                  typeof e.path === "string" && /^\/[A-Za-z0-9_\-.{}+/]*$/.test(e.path),
                  'a path starting with "/", e.g. "/hello" or "/items/{id}"',
                );
                if (typeof e.method === "string" && typeof e.path === "string") {
                  const key = `${e.method} ${e.path}`;
                  const other = routes.get(key);
                  if (other !== undefined)
                    add(`${eat}.path`, `route "${key}" is already served by function ${other}`);
                  else routes.set(key, label);
                }
                break;
              }
              case "functionUrl":
                need(
                  "authType",
                  e.authType === undefined || e.authType === "NONE" || e.authType === "AWS_IAM",
                  '"NONE" or "AWS_IAM"',
                );
                break;
              case "s3":
                // exactly one of bucket / existingBucket, each well formed; events, prefix, suffix
                problems.push(...s3EventProblems(e, eat));
                break;
              case "sns":
                need("topicArn", isCfnValue(e.topicArn), "the topic ARN (string or intrinsic)");
                break;
              case "sqs":
                need("queueArn", isCfnValue(e.queueArn), "the queue ARN (string or intrinsic)");
                needBatchSize();
                break;
              case "dynamodb":
              case "kinesis":
                need("streamArn", isCfnValue(e.streamArn), "the stream ARN (string or intrinsic)");
                need(
                  "startingPosition",
                  e.startingPosition === undefined ||
                    e.startingPosition === "LATEST" ||
                    e.startingPosition === "TRIM_HORIZON",
                  '"LATEST" or "TRIM_HORIZON"',
                );
                needBatchSize();
                break;
              case "schedule":
                need(
                  "expression",
                  isScheduleShaped(e.expression),
                  'an EventBridge schedule such as "rate(5 minutes)" or "cron(0 12 * * ? *)"',
                );
                break;
              case "eventPattern":
                need(
                  "pattern",
                  isObject(e.pattern) && Object.keys(e.pattern).length > 0,
                  'an EventBridge pattern object, e.g. { source: ["aws.ec2"] }',
                );
                break;
              case "cloudwatchLogs":
                need(
                  "logGroupName",
                  typeof e.logGroupName === "string" && /^[\w\-/.#]{1,512}$/.test(e.logGroupName),
                  'a log group name such as "/aws/lambda/other"',
                );
                break;
              default:
                add(`${eat}.type`, `unknown event source ${show(e.type)}; one of ${EVENT_TYPES.join(", ")}`);
            }
          });
      }
    });
  }

  // service.httpApi (authorizers) and the routes' authorizer and scopes
  problems.push(...httpApiProblems(value));
  if (options.checkHandlers !== false) {
    // esbuild reads the modules side by side; the problems are added in function order.
    const read = handlerChecks.map((check) =>
      moduleExports(check.file).then(
        (exports) => ({ exports }),
        (error: unknown) => ({ error }),
      ),
    );
    for (const [i, check] of handlerChecks.entries()) {
      try {
        const outcome = await read[i]!;
        if ("error" in outcome) throw outcome.error;
        const { names, code } = outcome.exports;
        if (!names.includes(check.exportName)) {
          add(
            check.at,
            `module ${check.file} has no export "${check.exportName}"; its exports: ${names.length ? names.join(", ") : "none"}`,
          );
        } else {
          const problem = handlerValueProblem(code, check.exportName);
          if (problem) add(check.at, `module ${check.file}: ${problem}`);
        }
      } catch (error) {
        // esbuild's message is a head line ("Build failed with 1 error:") and then each error with its place.
        const message = (error as Error).message.trimEnd().replace(/\n/g, "\n      ");
        add(check.at, `module ${check.file} does not compile:\n      ${message}`);
      }
    }
  }
  // What AWS accepts in a template but refuses only when the stack deploys.
  problems.push(...settingProblems(value));
  if (problems.length > 0) throw new ServiceDefinitionError(problems, options.source);
  return applyFunctionDefaults(value as unknown as ServiceDefinition);
}
