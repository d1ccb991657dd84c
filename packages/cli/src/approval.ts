import type { TemplateDocument } from "./service.js";

// What `sparta provision` asks about before it executes a change set, as `cdk deploy --require-approval broadening`
// does: changes that let someone do more (IAM statements, resource policies, invoke permissions, public URLs, ingress
// rules) and changes that delete or replace a resource holding data. Read from the change set (which resources change,
// and how) and from the deployed and the new template (what exactly a policy grants).

/** A change of the change set, as @sparta/converge reports it. */
export interface PlannedChange {
  action: string;
  logicalId: string;
  resourceType: string;
  /** "True" | "False" | "Conditional" for modifications. */
  replacement?: string;
}

/** One reason to ask. */
export interface Risk {
  kind: "broadens" | "loses-data";
  logicalId: string;
  resourceType: string;
  /** What it does, in a line: `may s3:GetObject on arn:aws:s3:::b/*`, `deleted (its data is lost)`. */
  detail: string;
}

/** Resource types whose deletion or replacement loses what they hold. */
export const STATEFUL_TYPES: readonly string[] = [
  "AWS::S3::Bucket",
  "AWS::DynamoDB::Table",
  "AWS::DynamoDB::GlobalTable",
  "AWS::Logs::LogGroup",
  "AWS::SQS::Queue",
  "AWS::SNS::Topic",
  "AWS::Kinesis::Stream",
  "AWS::KinesisFirehose::DeliveryStream",
  "AWS::RDS::DBInstance",
  "AWS::RDS::DBCluster",
  "AWS::EFS::FileSystem",
  "AWS::ElastiCache::CacheCluster",
  "AWS::ElastiCache::ReplicationGroup",
  "AWS::OpenSearchService::Domain",
  "AWS::Elasticsearch::Domain",
  "AWS::Cognito::UserPool",
  "AWS::KMS::Key",
  "AWS::SecretsManager::Secret",
  "AWS::ECR::Repository",
  "AWS::Backup::BackupVault",
  "AWS::Timestream::Table",
  "AWS::QLDB::Ledger",
  "AWS::Neptune::DBCluster",
  "AWS::DocDB::DBCluster",
];

type Resource = TemplateDocument["Resources"][string];
type Statement = Record<string, unknown>;

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** An intrinsic as a reader says it: `{Ref: X}` -> `X`, `{Fn::GetAtt: [X, Arn]}` -> `X.Arn`, `{Fn::Sub: s}` -> `s`. */
export function showValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === "string") return o.Ref;
    const att = o["Fn::GetAtt"];
    if (Array.isArray(att)) return att.join(".");
    if (typeof att === "string") return att;
    const s = o["Fn::Sub"];
    if (typeof s === "string") return s;
    if (Array.isArray(s) && typeof s[0] === "string") return s[0];
  }
  return JSON.stringify(v);
}

/** The statements a policy-bearing resource grants (or denies), each with the principal it binds when it has one. */
function statementsOf(resource: Resource | undefined): Statement[] {
  if (!resource) return [];
  const p = resource.Properties ?? {};
  const docs: unknown[] = [];
  switch (resource.Type) {
    case "AWS::IAM::Role":
      docs.push(p.AssumeRolePolicyDocument);
      for (const policy of list(p.Policies))
        docs.push((policy as { PolicyDocument?: unknown })?.PolicyDocument);
      break;
    case "AWS::IAM::User":
    case "AWS::IAM::Group":
      for (const policy of list(p.Policies))
        docs.push((policy as { PolicyDocument?: unknown })?.PolicyDocument);
      break;
    case "AWS::IAM::Policy":
    case "AWS::IAM::ManagedPolicy":
    case "AWS::IAM::RolePolicy":
    case "AWS::S3::BucketPolicy":
    case "AWS::SQS::QueuePolicy":
    case "AWS::SNS::TopicPolicy":
      docs.push(p.PolicyDocument);
      break;
    case "AWS::KMS::Key":
      docs.push(p.KeyPolicy);
      break;
    case "AWS::Lambda::LayerVersionPermission":
    case "AWS::Lambda::Permission":
      // One statement: the principal may call the action on the function (from the source, when given).
      return [
        {
          Effect: "Allow",
          Principal: p.Principal ?? p.PrincipalOrgID,
          Action: p.Action,
          Resource: p.FunctionName ?? p.LayerVersionArn,
          ...(p.SourceArn !== undefined || p.SourceAccount !== undefined
            ? {
                Condition: { SourceArn: p.SourceArn, SourceAccount: p.SourceAccount },
                $when: [
                  ...(p.SourceArn !== undefined ? [`from ${showValue(p.SourceArn)}`] : []),
                  ...(p.SourceAccount !== undefined ? [`of account ${showValue(p.SourceAccount)}`] : []),
                ].join(" "),
              }
            : {}),
        },
      ];
    default:
      return [];
  }
  return docs.flatMap((d) => list((d as { Statement?: unknown } | undefined)?.Statement)) as Statement[];
}

/** One grant per action and resource of a statement, as a comparable key and a line to print. */
function atoms(s: Statement): { key: string; line: string }[] {
  const effect = s.Effect === "Deny" ? "Deny" : "Allow";
  const principal = s.Principal ?? s.NotPrincipal;
  const who = principal === undefined ? "" : `${showPrincipal(principal)} `;
  const condition =
    typeof s.$when === "string"
      ? ` ${s.$when}`
      : s.Condition === undefined
        ? ""
        : ` when ${JSON.stringify(s.Condition)}`;
  const actions = list(s.Action ?? s.NotAction);
  const resources = list(s.Resource ?? s.NotResource);
  const out: { key: string; line: string }[] = [];
  for (const a of actions.length ? actions : [undefined])
    for (const r of resources.length ? resources : [undefined]) {
      const key = JSON.stringify([
        effect,
        principal,
        s.NotAction !== undefined,
        a,
        s.NotResource !== undefined,
        r,
        s.Condition,
      ]);
      const act = a === undefined ? "" : `${s.NotAction !== undefined ? "anything but " : ""}${showValue(a)}`;
      const on =
        r === undefined ? "" : ` on ${s.NotResource !== undefined ? "anything but " : ""}${showValue(r)}`;
      out.push({
        key,
        line:
          a === undefined && r === undefined && principal !== undefined
            ? `${effect === "Deny" ? "denies" : "lets"} ${showPrincipal(principal)} assume it${condition}`
            : `${effect === "Deny" ? "denies " : ""}${who}${effect === "Deny" ? "" : "may "}${act}${on}${condition}`.trim(),
      });
    }
  return out;
}

function showPrincipal(p: unknown): string {
  if (typeof p === "string") return p === "*" ? "anyone (*)" : p;
  if (p && typeof p === "object" && !Array.isArray(p)) {
    const o = p as Record<string, unknown>;
    const parts = Object.entries(o).flatMap(([, v]) => list(v).map(showValue));
    if (parts.length) return parts.join(", ");
  }
  return showValue(p);
}

/** Ingress rules of a security group resource (or an ingress resource), one line each. */
function ingressOf(resource: Resource | undefined): string[] {
  if (!resource) return [];
  const p = resource.Properties ?? {};
  const rules =
    resource.Type === "AWS::EC2::SecurityGroup"
      ? list(p.SecurityGroupIngress)
      : resource.Type === "AWS::EC2::SecurityGroupIngress"
        ? [p]
        : [];
  return rules.map((r) => {
    const rule = r as Record<string, unknown>;
    const from = rule.CidrIp ?? rule.CidrIpv6 ?? rule.SourceSecurityGroupId ?? rule.SourcePrefixListId ?? "?";
    const ports = rule.FromPort === rule.ToPort ? `${rule.FromPort}` : `${rule.FromPort}-${rule.ToPort}`;
    return `accepts ${String(rule.IpProtocol ?? "?")} port ${ports} from ${showValue(from)}`;
  });
}

function publicUrl(resource: Resource | undefined): string[] {
  return resource?.Type === "AWS::Lambda::Url" && resource.Properties?.AuthType === "NONE"
    ? [`a public URL: anyone may call ${showValue(resource.Properties?.TargetFunctionArn)} without signing`]
    : [];
}

function managedPolicies(resource: Resource | undefined): string[] {
  return list(resource?.Properties?.ManagedPolicyArns).map(
    (arn) => `gets the managed policy ${showValue(arn)}`,
  );
}

/** What a resource grants, as lines, keyed for comparison. */
function grants(resource: Resource | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of statementsOf(resource)) for (const a of atoms(s)) out.set(a.key, a.line);
  for (const line of [...ingressOf(resource), ...publicUrl(resource), ...managedPolicies(resource)])
    out.set(line, line);
  return out;
}

const retains = (resource: Resource | undefined, policy: "DeletionPolicy" | "UpdateReplacePolicy") =>
  resource?.[policy] === "Retain" || resource?.[policy] === "RetainExceptOnCreate";

/**
 * The changes of a change set that need a person's yes: those granting more than the deployed template did, and
 * those deleting or replacing a stateful resource (unless its DeletionPolicy / UpdateReplacePolicy keeps it).
 * `current` is the deployed template (undefined for a new stack: everything it grants is new).
 */
export function assessChanges(
  changes: readonly PlannedChange[],
  current: Pick<TemplateDocument, "Resources"> | undefined,
  next: Pick<TemplateDocument, "Resources">,
): Risk[] {
  const risks: Risk[] = [];
  for (const c of changes) {
    const before = current?.Resources?.[c.logicalId];
    const after = next.Resources?.[c.logicalId];
    if (c.action === "Add" || c.action === "Modify" || c.action === "Dynamic") {
      const old = grants(c.action === "Add" ? undefined : before);
      // A new Deny narrows what anyone may do: only a new Allow broadens.
      for (const [key, line] of grants(after))
        if (!old.has(key) && !line.startsWith("denies"))
          risks.push({
            kind: "broadens",
            logicalId: c.logicalId,
            resourceType: c.resourceType,
            detail: line,
          });
      // A Deny that goes away lets someone do more as well.
      for (const [key, line] of old)
        if (line.startsWith("denies") && !grants(after).has(key))
          risks.push({
            kind: "broadens",
            logicalId: c.logicalId,
            resourceType: c.resourceType,
            detail: `no longer ${line}`,
          });
    }
    if (!STATEFUL_TYPES.includes(c.resourceType)) continue;
    if (c.action === "Remove" && !retains(before, "DeletionPolicy"))
      risks.push({
        kind: "loses-data",
        logicalId: c.logicalId,
        resourceType: c.resourceType,
        detail: `deleted${before?.DeletionPolicy === "Snapshot" ? " (a snapshot is kept)" : ": what it holds is lost"}`,
      });
    if (
      c.action === "Modify" &&
      (c.replacement === "True" || c.replacement === "Conditional") &&
      !retains(before, "UpdateReplacePolicy")
    )
      risks.push({
        kind: "loses-data",
        logicalId: c.logicalId,
        resourceType: c.resourceType,
        detail: `${c.replacement === "True" ? "replaced" : "may be replaced"} by a new one: what it holds does not move over`,
      });
  }
  return risks;
}

/** The risks as lines to print before the question, grouped by kind. */
export function formatRisks(risks: readonly Risk[]): string[] {
  const lines: string[] = [];
  const broadens = risks.filter((r) => r.kind === "broadens");
  const loses = risks.filter((r) => r.kind === "loses-data");
  if (broadens.length) {
    lines.push("This deployment grants new permissions:");
    for (const r of broadens) lines.push(`  + ${r.logicalId} (${r.resourceType}): ${r.detail}`);
  }
  if (loses.length) {
    lines.push("This deployment deletes or replaces resources that hold data:");
    for (const r of loses) lines.push(`  - ${r.logicalId} (${r.resourceType}): ${r.detail}`);
  }
  return lines;
}
