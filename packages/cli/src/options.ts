import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "./errors.js";
import type { CommandFlag, GlobalOptions } from "./service.js";

/** Flags every command accepts. */
export const GLOBAL_FLAGS: Record<string, CommandFlag> = {
  level: { type: "string", description: "log level: debug, info, warn, error (default info)" },
  format: { type: "string", description: "result format on stdout: text or json (default text)" },
  noop: { type: "boolean", description: "build everything, touch no AWS" },
  color: { type: "boolean", description: "colored output (--no-color or NO_COLOR to turn off)" },
  service: { type: "string", description: "path of the service file (default ./sparta.config.ts)" },
  stackName: { type: "string", description: "stack name (default: the service name)" },
  checkValues: {
    type: "boolean",
    default: true,
    description:
      "check property values against CloudFormation's allowed values and ranges (--no-checkValues to skip)",
  },
  help: { type: "boolean", short: "h", description: "show help" },
};

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
    if (value === undefined && config[name] !== undefined) {
      const raw = config[name];
      from = `${CONFIG_FILE} "${name}"`;
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
      throw new UsageError(`--${name} is required${spec.description ? ` (${spec.description})` : ""}`);
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
