import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import {
  CredentialsMissingError,
  EndpointInvalidError,
  EndpointNotAwsError,
  EndpointTimeoutError,
  EndpointUnreachableError,
  ProfileNotFoundError,
  RegionInvalidError,
  RegionMissingError,
} from "./errors.js";
import type { ClientOptions } from "./types.js";

/** The services converge talks to, as they appear in `AWS_ENDPOINT_URL_<SERVICE>`. */
export type Service = "CLOUDFORMATION" | "S3" | "STS";

/** Where each setting of a client came from, so an error can name the variable to fix. */
export interface ResolvedConfig {
  service: Service;
  region?: string;
  regionSource?: string;
  profile?: string;
  profileSource?: string;
  endpoint?: string;
  endpointSource?: string;
  env: Record<string, string | undefined>;
}

/** A region name is a hostname label (what the SDK itself accepts), e.g. us-east-1. */
const REGION = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function pick(pairs: [string, string | undefined][]): { value: string; source: string } | undefined {
  for (const [source, value] of pairs) if (value !== undefined && value !== "") return { value, source };
  return undefined;
}

/**
 * Region, profile and endpoint as the AWS CLI reads them: an explicit option, then `AWS_REGION`, then
 * `AWS_DEFAULT_REGION` (the SDK alone ignores the latter), then the profile's own settings (read by the SDK).
 * A malformed region or endpoint is refused here, naming the variable that holds it.
 */
export function resolveConfig(service: Service, options: ClientOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const resolved: ResolvedConfig = { service, env };
  const region = pick([
    ["the `region` option", options.region],
    ["AWS_REGION", env.AWS_REGION],
    ["AWS_DEFAULT_REGION", env.AWS_DEFAULT_REGION],
  ]);
  if (region) {
    if (!REGION.test(region.value)) throw new RegionInvalidError(region.value, region.source);
    resolved.region = region.value;
    resolved.regionSource = region.source;
  }
  const profile = pick([
    ["the `profile` option", options.profile],
    ["AWS_PROFILE", env.AWS_PROFILE],
  ]);
  if (profile) {
    resolved.profile = profile.value;
    resolved.profileSource = profile.source;
  }
  const endpoint = pick([
    ["the `endpoint` option", options.endpoint],
    [`AWS_ENDPOINT_URL_${service}`, env[`AWS_ENDPOINT_URL_${service}`]],
    ["AWS_ENDPOINT_URL", env.AWS_ENDPOINT_URL],
  ]);
  if (endpoint) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint.value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname)
      throw new EndpointInvalidError(endpoint.value, endpoint.source);
    resolved.endpoint = endpoint.value;
    resolved.endpointSource = endpoint.source;
  }
  return resolved;
}

/** The endpoint a client talks to, for messages: the override, else AWS's regional endpoint. */
export function endpointName(config: ResolvedConfig, region?: string): string {
  if (config.endpoint) return config.endpoint;
  const r = region ?? config.region ?? "<region>";
  const host = config.service.toLowerCase();
  return `https://${host}.${r}.amazonaws.com${r.startsWith("cn-") ? ".cn" : ""}`;
}

/** The profiles defined in the shared config and credentials files (as the SDK and the AWS CLI read them). */
export function knownProfiles(env: Record<string, string | undefined>): {
  files: string[];
  profiles: string[];
} {
  const home = env.HOME ?? homedir();
  const config = env.AWS_CONFIG_FILE ?? join(home, ".aws", "config");
  const credentials = env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, ".aws", "credentials");
  const profiles = new Set<string>();
  for (const [file, prefixed] of [
    [config, true],
    [credentials, false],
  ] as const) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const match of text.matchAll(/^\s*\[\s*([^\]]+?)\s*\]/gm)) {
      const section = match[1]!;
      if (!prefixed) profiles.add(section);
      else if (section === "default") profiles.add(section);
      else if (/^profile\s+/.test(section)) profiles.add(section.replace(/^profile\s+/, ""));
    }
  }
  return { files: [config, credentials], profiles: [...profiles].sort() };
}

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

function missingProfile(config: ResolvedConfig, cause: unknown): ProfileNotFoundError | undefined {
  if (!config.profile) return undefined;
  const { files, profiles } = knownProfiles(config.env);
  if (profiles.includes(config.profile)) return undefined;
  return new ProfileNotFoundError(
    config.profile,
    config.profileSource ?? "AWS_PROFILE",
    files,
    profiles,
    cause,
  );
}

/**
 * Turn an SDK failure that comes from the caller's configuration or network into a typed error naming the
 * setting or endpoint at fault. API errors (a refused request, a missing stack) are returned unchanged.
 */
export function translateSdkError(operation: string, error: unknown, config: ResolvedConfig): unknown {
  const e = error as SdkErrorLike | undefined;
  if (!e || typeof e !== "object") return error;
  const message = e.message ?? "";
  if (e.name === "CredentialsProviderError" || /could not load credentials/i.test(message)) {
    return missingProfile(config, error) ?? new CredentialsMissingError(error);
  }
  if (/region is missing/i.test(message))
    return missingProfile(config, error) ?? new RegionMissingError(error, config.profile);
  const badRegion = /Region not accepted: region="([^"]*)"/.exec(message);
  if (badRegion) {
    const source =
      config.regionSource ??
      `the \`region\` setting of profile "${config.profile ?? "default"}" in ~/.aws/config`;
    return new RegionInvalidError(badRegion[1]!, source, error);
  }
  if (e.code === "ERR_INVALID_URL") {
    return new EndpointInvalidError(
      config.endpoint ?? "(from the AWS config file)",
      config.endpointSource ??
        `the \`endpoint_url\` setting of profile "${config.profile ?? "default"}" in ~/.aws/config`,
      error,
    );
  }
  const endpoint = endpointName(config);
  if (e.name === "TimeoutError" || e.code === "ETIMEDOUT") {
    return new EndpointTimeoutError(operation, endpoint, e.$metadata?.attempts ?? 1, error);
  }
  if (e.code === "ECONNREFUSED" || e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") {
    return new EndpointUnreachableError(operation, error, endpoint);
  }
  const status = e.$metadata?.httpStatusCode;
  // CloudFormation and STS always answer an error with a code in an XML body; S3's HEAD 404 has no body by design.
  if (
    config.service !== "S3" &&
    status !== undefined &&
    (message === "Unknown" ||
      message === "UnknownError" ||
      e.name === "Unknown" ||
      /^Deserialization error/.test(message))
  ) {
    return new EndpointNotAwsError(
      operation,
      endpoint,
      config.endpointSource ?? "the SDK's default for the region",
      status,
      error,
    );
  }
  return error;
}
