import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "./errors.js";
import type { CommandFlag, GlobalOptions } from "./service.js";
import { didYouMean } from "./suggest.js";

/** Flags every command accepts. Named in camelCase here; typed in kebab-case (`--stack-name`) or camelCase. */
export const GLOBAL_FLAGS: Record<string, CommandFlag> = {
  stage: {
    type: "string",
    valueName: "NAME",
    description:
      "deploy stage, e.g. dev or prod: stack <service>-<stage>, the service's stages.<stage> settings, SPARTA_STAGE in functions",
  },
  profile: {
    type: "string",
    valueName: "NAME",
    description: "AWS profile of ~/.aws/config and ~/.aws/credentials for this run (as AWS_PROFILE)",
  },
  region: { type: "string", valueName: "REGION", description: "AWS region for this run (as AWS_REGION)" },
  level: {
    type: "string",
    valueName: "LEVEL",
    values: ["debug", "info", "warn", "error"],
    description: "log level (default info)",
  },
  format: {
    type: "string",
    valueName: "FORMAT",
    values: ["text", "json"],
    description: "result format on stdout (default text)",
  },
  noop: { type: "boolean", description: "build everything, touch no AWS" },
  color: { type: "boolean", description: "colored output (--no-color or NO_COLOR to turn off)" },
  service: {
    type: "string",
    valueName: "FILE",
    description: "path of the service file (default ./sparta.config.ts)",
  },
  stackName: {
    type: "string",
    valueName: "NAME",
    description: "stack name (default: the service name, <service>-<stage> with --stage)",
  },
  checkValues: {
    type: "boolean",
    default: true,
    description:
      "skip checking property values against CloudFormation's allowed values and ranges (checked by default)",
  },
  help: { type: "boolean", short: "h", description: "show help" },
  version: { type: "boolean", short: "v", description: "print the sparta version" },
};

/** `s3Bucket` -> `s3-bucket`: how a flag is typed and shown (the AWS CLI's spelling). */
export const kebabCase = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();

/** `s3-bucket` -> `s3Bucket`. */
export const camelCase = (name: string): string =>
  name.replace(/-+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * The spelling of a flag as `specs` names it, for any way a user may type it: as declared, in kebab-case or in
 * camelCase (`--s3-bucket`, `--s3Bucket`). Undefined when no flag matches.
 */
export function flagKey(typed: string, specs: Record<string, CommandFlag>): string | undefined {
  if (Object.hasOwn(specs, typed)) return typed;
  const wanted = camelCase(typed);
  return Object.keys(specs).find((k) => camelCase(k) === wanted || kebabCase(k) === typed);
}

/**
 * The command line with every flag spelled as `specs` declares it (`--stack-name=x` -> `--stackName=x`,
 * `--no-check-values` -> `--no-checkValues`), so `util.parseArgs` sees one spelling. Anything it does not
 * recognise is left as typed (for the unknown-flag error), and nothing after `--` is touched.
 */
export function normalizeFlags(args: readonly string[], specs: Record<string, CommandFlag>): string[] {
  const out: string[] = [];
  let rest = false;
  for (const arg of args) {
    if (rest || !arg.startsWith("--") || arg === "--") {
      if (arg === "--") rest = true;
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const typed = arg.slice(2, eq === -1 ? undefined : eq);
    const value = eq === -1 ? "" : arg.slice(eq);
    let key = flagKey(typed, specs);
    if (key === undefined && typed.startsWith("no-")) {
      const positive = flagKey(typed.slice(3), specs);
      if (positive !== undefined && specs[positive]?.type === "boolean") key = `no-${positive}`;
    }
    out.push(key === undefined ? arg : `--${key}${value}`);
  }
  return out;
}

/** The optional config file read from the current folder; keys are flag names. */
export const CONFIG_FILE = ".spartarc.json";

/** `s3Bucket` -> `SPARTA_S3_BUCKET` */
export const envName = (flag: string): string =>
  `SPARTA_${flag.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;

export function readConfigFile(dir: string): Record<string, unknown> {
  const file = join(dir, CONFIG_FILE);
  if (!existsSync(file)) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`${file} must hold a JSON object of flag values, e.g. {"s3Bucket": "my-bucket"}`);
  }
  const secret = Object.keys(value).find((k) => SECRET_KEY.test(k));
  if (secret !== undefined) {
    throw new UsageError(
      `${file} sets "${secret}", which carries a secret; the config file is read from the project folder and is ` +
        `easily committed, so it takes no secrets. Remove it and give the value in the environment ` +
        `(${envName(secret)}=...), on standard input where the flag reads "-" (e.g. --${secret} -), or keep it in ` +
        `Secrets Manager (e.g. --${secret} secretsmanager:NAME).`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Refuse a config-file key that is no flag of any command (`flagSets`): a typo would otherwise be ignored and the
 * run would use the default instead, silently.
 */
export function checkConfigKeys(
  config: Record<string, unknown>,
  flagSets: Record<string, CommandFlag>[],
): void {
  const all: Record<string, CommandFlag> = Object.assign({}, ...flagSets);
  // "$schema" (an editor's JSON schema) is no flag, and no typo.
  const unknown = Object.keys(config).filter((k) => k !== "$schema" && flagKey(k, all) === undefined);
  if (unknown.length === 0) return;
  const names = Object.keys(all).sort();
  throw new UsageError(
    unknown.map((k) => `${CONFIG_FILE}: unknown key "${k}".${didYouMean(k, names)}`).join("\n") +
      `\nIts keys are flag names of sparta's commands (camelCase or kebab-case), e.g. {"stage": "dev", "s3Bucket": "my-bucket"}; remove or rename ${unknown.length > 1 ? "them" : "it"}`,
  );
}

/** Keys of the config file that carry secrets: refused there. */
const SECRET_KEY =
  /^(oauth|.*(token|secret|password|passwd|credential|apikey|api_key|privatekey|private_key).*)$/i;

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/**
 * Resolve every flag: command line over environment (`SPARTA_*`) over the config file over the flag's default.
 */
export function resolveFlags(
  specs: Record<string, CommandFlag>,
  parsed: Record<string, unknown>,
  env: Record<string, string | undefined>,
  config: Record<string, unknown>,
): FlagValues {
  const out: FlagValues = {};
  for (const [name, spec] of Object.entries(specs)) {
    let value: unknown = parsed[name];
    let from = `--${name}`;
    if (value === undefined && env[envName(name)] !== undefined) {
      const raw = env[envName(name)]!;
      from = envName(name);
      if (spec.type === "boolean") {
        if (!["1", "0", "true", "false", ""].includes(raw.toLowerCase()))
          throw new UsageError(`${from}=${raw}: expected true, false, 1 or 0`);
        value = raw === "1" || raw.toLowerCase() === "true";
      } else value = spec.multiple ? raw.split(",").filter(Boolean) : raw;
    }
    const configKey = config[name] !== undefined ? name : kebabCase(name);
    if (value === undefined && config[configKey] !== undefined) {
      const raw = config[configKey];
      from = `${CONFIG_FILE} "${configKey}"`;
      if (spec.multiple && typeof raw === "object" && raw !== null && !Array.isArray(raw)) {
        value = Object.entries(raw).map(([k, v]) => `${k}=${v}`);
      } else value = raw;
      const ok =
        spec.type === "boolean"
          ? typeof value === "boolean"
          : spec.multiple
            ? Array.isArray(value) && value.every((v) => typeof v === "string")
            : typeof value === "string";
      if (!ok)
        throw new UsageError(
          `${from}: expected ${spec.multiple ? "a list of strings" : `a ${spec.type}`}, received ${JSON.stringify(raw)}`,
        );
    }
    if (value === undefined) value = spec.default;
    if (value === undefined && spec.required) {
      throw new UsageError(
        `--${kebabCase(name)} is required${spec.description ? ` (${spec.description})` : ""}`,
      );
    }
    out[name] = value as FlagValues[string];
  }
  return out;
}

export function globalOptions(flags: FlagValues, env: Record<string, string | undefined>): GlobalOptions {
  const level = (flags.level as string | undefined) ?? "info";
  if (!["debug", "info", "warn", "error"].includes(level)) {
    throw new UsageError(`--level ${level}: expected one of debug, info, warn, error`);
  }
  const format = (flags.format as string | undefined) ?? "text";
  if (format !== "text" && format !== "json")
    throw new UsageError(`--format ${format}: expected text or json`);
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return {
    level: level as GlobalOptions["level"],
    format,
    noop: flags.noop === true,
    color: flags.color === undefined ? !noColor : flags.color === true,
  };
}

/** Parse repeated `K=V` flags (`--param`, `--tag`) into an object, naming the flag on a bad value. */
export function parsePairs(flag: string, values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf("=");
    if (i <= 0) throw new UsageError(`--${flag} ${v}: expected KEY=VALUE, e.g. --${flag} Stage=prod`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}
