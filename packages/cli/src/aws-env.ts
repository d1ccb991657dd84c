import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { UsageError } from "./errors.js";

// --profile and --region set, for one run, what the AWS SDK's default chain reads (AWS_PROFILE, AWS_REGION), so every
// client honours them: the CLI's own, @sparta/converge's and those of packages a service command drives.

type Env = Record<string, string | undefined>;

/**
 * The AWS variables a run sets (a value) or clears (`undefined`), as the AWS CLI ranks its sources:
 * - `--profile P`: `AWS_PROFILE=P`, and the environment's static keys (`AWS_ACCESS_KEY_ID`, ...) are cleared for
 *   the run, since a named profile beats them in the AWS CLI;
 * - `--region R`: `AWS_REGION=R` (and `AWS_DEFAULT_REGION=R` for the processes the run starts);
 * - no `--region` and no `AWS_REGION`: `AWS_DEFAULT_REGION` becomes `AWS_REGION`, which the AWS CLI reads and the
 *   JavaScript SDK does not.
 */
export function awsOverrides(settings: { profile?: string; region?: string }, env: Env): Env {
  const out: Env = {};
  if (settings.profile !== undefined) {
    out.AWS_PROFILE = settings.profile;
    for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"])
      if (env[key] !== undefined) out[key] = undefined;
  }
  if (settings.region !== undefined) {
    out.AWS_REGION = settings.region;
    out.AWS_DEFAULT_REGION = settings.region;
  } else if (!env.AWS_REGION && env.AWS_DEFAULT_REGION) out.AWS_REGION = env.AWS_DEFAULT_REGION;
  return out;
}

/** Apply `overrides` to `target` (default `process.env`); returns the function that puts the old values back. */
export function applyEnv(overrides: Env, target: Env = process.env): () => void {
  const saved = Object.keys(overrides).map((k) => [k, target[k]] as const);
  const set = (k: string, v: string | undefined) => {
    if (v === undefined) delete target[k];
    else target[k] = v;
  };
  for (const [k, v] of Object.entries(overrides)) set(k, v);
  return () => {
    for (const [k, v] of saved) set(k, v);
  };
}

/** `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, ...: letters and dashes ending in a number. */
export const REGION_PATTERN = /^[a-z]{2,}(-[a-z]+)+-\d+$/;

export function checkRegion(region: string): void {
  if (!REGION_PATTERN.test(region))
    throw new UsageError(
      `--region ${JSON.stringify(region)} is not an AWS region name; e.g. --region us-east-1 or --region eu-west-1`,
    );
}

/** The profiles of the shared config and credentials files (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`). */
export function knownProfiles(env: Env): { profiles: string[]; files: string[] } {
  const home = env.HOME ?? homedir();
  const files = [
    { path: env.AWS_CONFIG_FILE ?? join(home, ".aws", "config"), config: true },
    { path: env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials"), config: false },
  ];
  const profiles = new Set<string>();
  for (const file of files) {
    if (!existsSync(file.path)) continue;
    for (const line of readFileSync(file.path, "utf8").split(/\r?\n/)) {
      const m = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line);
      if (!m) continue;
      const section = m[1]!;
      // In the config file a profile is [default] or [profile NAME]; [sso-session X] and [services X] are not.
      if (!file.config) profiles.add(section);
      else if (section === "default") profiles.add(section);
      else if (/^profile\s+/.test(section)) profiles.add(section.replace(/^profile\s+/, ""));
    }
  }
  return { profiles: [...profiles].sort(), files: files.map((f) => f.path) };
}

/** A `--profile` that neither shared file defines is refused, as the AWS CLI refuses it, naming the files. */
export function checkProfile(profile: string, env: Env): void {
  const { profiles, files } = knownProfiles(env);
  if (profiles.includes(profile)) return;
  throw new UsageError(
    `--profile ${profile}: no such profile in ${files.join(" or ")}${
      profiles.length ? ` (profiles: ${profiles.join(", ")})` : ""
    }; add it with \`aws configure --profile ${profile}\` (or \`aws configure sso\`), or pick one of those`,
  );
}
