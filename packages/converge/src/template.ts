import { createHash } from "node:crypto";

/** CloudFormation's limit for an inline TemplateBody. */
export const TEMPLATE_BODY_LIMIT = 51_200;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const IAM_NAME_PROPERTY: Record<string, string | undefined> = {
  "AWS::IAM::AccessKey": undefined,
  "AWS::IAM::Group": "GroupName",
  "AWS::IAM::InstanceProfile": "InstanceProfileName",
  "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
  "AWS::IAM::Policy": undefined,
  "AWS::IAM::Role": "RoleName",
  "AWS::IAM::User": "UserName",
  "AWS::IAM::UserToGroupAddition": undefined,
  "AWS::IAM::RolePolicy": undefined,
  "AWS::IAM::UserPolicy": undefined,
  "AWS::IAM::GroupPolicy": undefined,
};

function containsKey(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return value.some((v) => containsKey(v, key));
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) if (k === key || containsKey(v, key)) return true;
  }
  return false;
}

/**
 * The capabilities CloudFormation will demand for a template: CAPABILITY_IAM for IAM resources,
 * CAPABILITY_NAMED_IAM when one has a custom name, CAPABILITY_AUTO_EXPAND for transforms/macros.
 * Nested stacks may hold any of them, so they get all three.
 */
export function inferCapabilities(template: object): string[] {
  const t = template as {
    Resources?: Record<string, { Type?: string; Properties?: object }>;
    Transform?: unknown;
  };
  const caps = new Set<string>();
  for (const resource of Object.values(t.Resources ?? {})) {
    const type = resource?.Type ?? "";
    if (type in IAM_NAME_PROPERTY) {
      caps.add("CAPABILITY_IAM");
      const nameProp = IAM_NAME_PROPERTY[type];
      if (nameProp && resource.Properties && nameProp in resource.Properties)
        caps.add("CAPABILITY_NAMED_IAM");
    }
    if (type === "AWS::CloudFormation::Stack" || type.startsWith("AWS::Serverless::")) {
      caps.add("CAPABILITY_IAM").add("CAPABILITY_NAMED_IAM").add("CAPABILITY_AUTO_EXPAND");
    }
  }
  if (t.Transform !== undefined || containsKey(t, "Fn::Transform")) caps.add("CAPABILITY_AUTO_EXPAND");
  return [...caps].sort();
}

/** JSON with object keys sorted, so semantically equal templates compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value as Json));
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(value).sort()) {
      const v = value[k];
      if (v !== undefined) out[k] = sortKeys(v as Json);
    }
    return out;
  }
  return value;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Parse a deployed template body (GetTemplate returns a string for JSON/YAML, or an object in some SDKs).
 * Returns undefined when it is not JSON (e.g. YAML deployed by another tool): then it is treated as changed.
 */
export function parseDeployedTemplate(body: unknown): unknown {
  if (body && typeof body === "object") return body;
  if (typeof body !== "string") return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** The value each template parameter will take: the given one, else the template's Default. */
export function effectiveParameters(template: object, given: Record<string, string>): Record<string, string> {
  const declared = (template as { Parameters?: Record<string, { Default?: unknown }> }).Parameters ?? {};
  const out: Record<string, string> = {};
  for (const [key, decl] of Object.entries(declared)) {
    if (key in given) out[key] = given[key]!;
    else if (decl && decl.Default !== undefined) {
      out[key] = Array.isArray(decl.Default) ? decl.Default.join(",") : String(decl.Default);
    }
  }
  return out;
}

/** Parameters declared NoEcho: their deployed value is masked, so they can never be proven unchanged. */
export function noEchoParameters(template: object): string[] {
  const declared = (template as { Parameters?: Record<string, { NoEcho?: unknown }> }).Parameters ?? {};
  return Object.entries(declared)
    .filter(([, d]) => d && String(d.NoEcho).toLowerCase() === "true")
    .map(([k]) => k);
}

/** The template has nested stacks (`AWS::CloudFormation::Stack`). */
export function hasNestedStacks(template: object): boolean {
  const resources = (template as { Resources?: Record<string, { Type?: unknown }> }).Resources ?? {};
  return Object.values(resources).some((r) => r?.Type === "AWS::CloudFormation::Stack");
}
