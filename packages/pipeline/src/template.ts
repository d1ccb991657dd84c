import { isStackName } from "@sparta/converge/names";
import { alarmNamesFor } from "@sparta/operations";
import { tlsOnlyBucketPolicy } from "@sparta/template";
import { yamlScalar } from "./buildspec.js";
import type { PipelineEnvironment } from "./environments.js";
import { InvalidPipelineOptionsError, UnknownEnvironmentError } from "./errors.js";
import {
  boundaryStatements,
  deployStatements,
  functionSettingStatements,
  IAM_LIMITS,
  type IamStatement,
  secretStatements,
  worstCasePolicyChars,
} from "./permissions.js";
import type { GitHubRepo } from "./repo.js";
import {
  environmentKeys,
  PERMISSIONS_BOUNDARY_PARAMETER,
  parameterValue,
  usesPipelineBoundary,
} from "./service.js";

/**
 * Where the pipeline gets the code. None of these carries a secret: a CodeStar connection's ARN and an OAuth
 * token are stack parameters (the token `NoEcho`), a Secrets Manager token is a dynamic reference.
 */
export type PipelineSource =
  | { kind: "connection" }
  | { kind: "oauthToken" }
  | { kind: "oauthSecret"; secretId: string; jsonKey?: string };

/**
 * How a stage's change set gets executed: after a manual approval; straight away (`"none"`); once the named
 * `alarms` stayed out of ALARM for `quietMinutes`; or, with `gate: "alarms"`, once the alarms that `alarms()` of
 * `@sparta/operations` gives the PREVIOUS stage's stack stayed quiet (names derived from the built template).
 */
export type Approval =
  | "manual"
  | "none"
  | { alarms: readonly string[]; quietMinutes: number }
  | { gate: "alarms"; quietMinutes: number };

/** An approval after `gate: "alarms"` was turned into the previous stage's alarm names. */
export type ResolvedApproval = Exclude<Approval, { gate: "alarms" }>;

/** One environment's stage: create a change set, approve, execute. */
export interface PipelineStage {
  environment: string;
  /** Default `"manual"`. */
  approval?: Approval;
  /** Default `<Prefix>-<pipeline>-<branch>`, e.g. `Test-SpartaCodePipeline-master`. */
  stackName?: string;
}

/**
 * Builds of pull requests against the pipeline's branch (a CodeBuild webhook); they run `commands`, with a role that
 * may only write its logs (and, with a connection, use it). A pull request runs its own code, so by default one
 * from a fork waits until someone with write access to the repository approves it with a comment (CodeBuild's
 * pull request comment approval), as AWS's webhook best practices advise.
 */
export interface PullRequestBuilds {
  /** Default: install, then `<pm> test`. */
  commands?: readonly string[];
  /**
   * Which pull requests wait for a comment approval from a user with write, maintain or admin access: `"forks"`
   * (default: those from forks) or `"all"`.
   */
  commentApproval?: "forks" | "all";
  /**
   * GitHub user ids (numbers, see `https://api.github.com/users/<login>`) whose events alone start a build: an
   * `ACTOR_ACCOUNT_ID` webhook filter. Default: anyone (with the comment approval above).
   */
  trustedActors?: readonly (string | number)[];
}

export interface PipelineTemplateOptions {
  /** Also the pipeline stack's name, e.g. `SpartaCodePipeline`. */
  pipelineName: string;
  repo: GitHubRepo;
  source: PipelineSource;
  environments: readonly PipelineEnvironment[];
  /** Default: one manual stage per environment, in registration order. */
  stages?: readonly PipelineStage[];
  /** The build's `buildspec.yml` text (see `buildspec()`). */
  buildspec: string;
  /** Bucket for function code (`--s3Bucket`); default the pipeline's artifact bucket. */
  codeBucket?: string;
  /** Resource types of the service template; they decide the deploy role's actions. */
  resourceTypes?: readonly string[];
  /**
   * The built service template: needed when a stage has `approval: { gate: "alarms" }`, and what adds the deploy
   * actions its functions' VPC and layer settings need.
   */
  serviceTemplate?: { Resources: Record<string, unknown> };
  /** Extra deploy-role statements and the resource types they cover. */
  deploy?: { statements?: readonly IamStatement[]; allowTypes?: readonly string[] };
  pullRequests?: boolean | PullRequestBuilds;
  /** Default `CAPABILITY_IAM`. */
  capabilities?: readonly string[];
  /** Default `aws/codebuild/standard:7.0`. */
  buildImage?: string;
  /** The service template's code-bucket parameter (`@sparta/cli` names it `ArtifactBucket`). */
  codeBucketParameter?: string;
  /** Environment variable the build reads the code bucket from. Default `SPARTA_S3_BUCKET`. */
  bucketVariable?: string;
}

/** Parameter names of the pipeline template. */
export const CONNECTION_PARAMETER = "ConnectionArn";
export const OAUTH_TOKEN_PARAMETER = "GitHubOAuthToken";
/** Logical id of the permissions boundary policy the pipeline creates for the roles of its stages. */
export const PERMISSIONS_BOUNDARY_POLICY = "PermissionsBoundary";
/** The pipeline's artifacts: the source, and the build's output the stages deploy. */
const SOURCE_ARTIFACT = "SourceOutput";
const BUILD_ARTIFACT = "BuildOutput";

/** Resource types of a service made by `@sparta/cli` with plain functions. */
export const DEFAULT_SERVICE_RESOURCE_TYPES: readonly string[] = [
  "AWS::IAM::Role",
  "AWS::Lambda::Function",
  "AWS::Logs::LogGroup",
];

const PIPELINE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,59}$/;
const ALARM_NAME = /^[A-Za-z0-9._\-/#:()[\]]{1,255}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const STACK_PREFIXES: Record<string, string> = { production: "Prod", development: "Dev" };

type Json = Record<string, unknown>;
const ref = (id: string) => ({ Ref: id });
const getAtt = (id: string, attr: string) => ({ "Fn::GetAtt": [id, attr] });
const sub = (s: string, vars?: Json) => ({ "Fn::Sub": vars ? [s, vars] : s });

/** `Test-SpartaCodePipeline-master`: the environment's prefix, the pipeline and the branch (`/` becomes `-`). */
export function stageStackName(environment: string, pipelineName: string, branch: string): string {
  const prefix = STACK_PREFIXES[environment] ?? environment[0]!.toUpperCase() + environment.slice(1);
  const safeBranch = branch.replace(/[^A-Za-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return [prefix, pipelineName, safeBranch].filter(Boolean).join("-");
}

/** The stages a pipeline will have, resolved and checked against the registered environments. */
export function resolveStages(
  environments: readonly PipelineEnvironment[],
  stages: readonly PipelineStage[] | undefined,
  pipelineName: string,
  branch: string,
): Required<PipelineStage>[] {
  if (environments.length === 0) {
    throw new InvalidPipelineOptionsError(
      `Pipeline "${pipelineName}" has no environment to deploy to. Register at least one before the service ` +
        `is defined, e.g. registerEnvironment("test", { MESSAGE: "Hello from test" }).`,
    );
  }
  const names = environments.map((e) => e.name);
  const list: readonly PipelineStage[] = stages ?? names.map((environment) => ({ environment }));
  if (list.length === 0) {
    throw new InvalidPipelineOptionsError(
      `Pipeline "${pipelineName}" has an empty stage list; omit "stages" for one stage per environment, or ` +
        `list them, e.g. stages: [{ environment: "${names[0]}" }].`,
    );
  }
  const seen = new Set<string>();
  const stackNames = new Set<string>();
  return list.map((stage, i) => {
    if (!names.includes(stage.environment)) {
      throw new UnknownEnvironmentError(
        `Pipeline stage ${i + 1} deploys environment "${stage.environment}", which is not registered ` +
          `(registered: ${names.map((n) => `"${n}"`).join(", ")}). Register it first, e.g. ` +
          `registerEnvironment("${stage.environment}", { ... }), or fix the stage's name.`,
      );
    }
    if (seen.has(stage.environment)) {
      throw new InvalidPipelineOptionsError(
        `Pipeline stages deploy environment "${stage.environment}" twice; list each environment once.`,
      );
    }
    seen.add(stage.environment);
    const stackName = stage.stackName ?? stageStackName(stage.environment, pipelineName, branch);
    if (!isStackName(stackName) || stackNames.has(stackName)) {
      throw new InvalidPipelineOptionsError(
        `Stage "${stage.environment}": stack name "${stackName}" is ${stackNames.has(stackName) ? "used twice" : "not valid"}; ` +
          `use letters, digits and "-", starting with a letter, at most 128 characters, e.g. "Test-Hello-main".`,
      );
    }
    stackNames.add(stackName);
    const approval = stage.approval ?? "manual";
    if (approval !== "manual" && approval !== "none") checkAlarmGate(stage.environment, approval, i);
    return { environment: stage.environment, approval, stackName };
  });
}

function checkAlarmGate(
  environment: string,
  gate: Exclude<Approval, "manual" | "none">,
  index: number,
): void {
  if (typeof gate !== "object" || gate === null) {
    throw new InvalidPipelineOptionsError(
      `Stage "${environment}": approval ${JSON.stringify(gate)} is not valid; use "manual", "none", ` +
        `{ gate: "alarms", quietMinutes: 15 } or { alarms: ["hello-errors"], quietMinutes: 15 }.`,
    );
  }
  const example =
    "gate" in gate
      ? `approval: { gate: "alarms", quietMinutes: 15 }`
      : `approval: { alarms: ["hello-errors"], quietMinutes: 15 }`;
  if ("gate" in gate) {
    if (gate.gate !== "alarms") {
      throw new InvalidPipelineOptionsError(
        `Stage "${environment}": approval gate ${JSON.stringify(gate.gate)} is not known; the only gate is "alarms", ` +
          `e.g. ${example}.`,
      );
    }
    if (index === 0) {
      throw new InvalidPipelineOptionsError(
        `Stage "${environment}" is the first stage, so it has no previous stage whose alarms could gate it. ` +
          `Give it approval "manual" or "none", and put ${example} on a later stage (e.g. production).`,
      );
    }
  } else if (
    !Array.isArray(gate.alarms) ||
    gate.alarms.length === 0 ||
    gate.alarms.some((a) => !ALARM_NAME.test(a))
  ) {
    throw new InvalidPipelineOptionsError(
      `Stage "${environment}": an automatic approval needs CloudWatch alarm names (no spaces or wildcards); ` +
        `received ${JSON.stringify(gate.alarms)}. E.g. ${example}.`,
    );
  }
  if (!Number.isInteger(gate.quietMinutes) || gate.quietMinutes < 1 || gate.quietMinutes > 420) {
    throw new InvalidPipelineOptionsError(
      `Stage "${environment}": quietMinutes must be a whole number of minutes from 1 to 420; received ` +
        `${JSON.stringify(gate.quietMinutes)}. E.g. ${example}.`,
    );
  }
}

function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}

function role(
  service: string,
  policyName: string,
  statements: readonly IamStatement[],
  permissionsBoundary?: unknown,
): Json {
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      ...(permissionsBoundary === undefined ? {} : { PermissionsBoundary: permissionsBoundary }),
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole"] }],
      },
      Policies: [
        { PolicyName: policyName, PolicyDocument: { Version: "2012-10-17", Statement: statements } },
      ],
    },
  };
}

const policyDocument = (statements: readonly IamStatement[]) => ({
  Version: "2012-10-17",
  Statement: statements,
});

/**
 * The deploy role, with its statements inline while IAM's quota on a role's inline policies allows; past it (a
 * service with many resource types and stages), in managed policies `DeployPolicy1..n`, each within IAM's quota on
 * a managed policy, sized for the longest partition, Region and account id.
 */
function deployRole(
  statements: readonly IamStatement[],
  pipelineName: string,
  permissionsBoundary: unknown,
): Json {
  const inline = role("cloudformation.amazonaws.com", "deploy", statements, permissionsBoundary);
  if (worstCasePolicyChars(policyDocument(statements)) <= IAM_LIMITS.inlineRolePolicies)
    return { DeployRole: inline };
  const parts: IamStatement[][] = [[]];
  for (const statement of statements) {
    const part = parts[parts.length - 1]!;
    if (
      part.length > 0 &&
      worstCasePolicyChars(policyDocument([...part, statement])) > IAM_LIMITS.managedPolicy
    )
      parts.push([statement]);
    else part.push(statement);
  }
  const tooBig = parts.find((p) => worstCasePolicyChars(policyDocument(p)) > IAM_LIMITS.managedPolicy);
  if (parts.length > IAM_LIMITS.managedPoliciesPerRole || tooBig) {
    throw new InvalidPipelineOptionsError(
      `Pipeline "${pipelineName}": the deploy role's statements do not fit IAM's quotas (${IAM_LIMITS.managedPoliciesPerRole} ` +
        `managed policies of ${IAM_LIMITS.managedPolicy} characters). Deploy to fewer stages per pipeline, or split the ` +
        `service into smaller stacks.`,
    );
  }
  const ids = parts.map((_, i) => `DeployPolicy${i + 1}`);
  const { Policies: _inline, ...properties } = inline.Properties as Json;
  return {
    ...Object.fromEntries(
      parts.map((part, i) => [
        ids[i],
        {
          Type: "AWS::IAM::ManagedPolicy",
          Properties: {
            Description: `What CloudFormation needs to deploy the pipeline's stages (part ${i + 1} of ${parts.length})`,
            PolicyDocument: policyDocument(part),
          },
        },
      ]),
    ),
    DeployRole: { ...inline, Properties: { ...properties, ManagedPolicyArns: ids.map(ref) } },
  };
}

/** ARN of this stack's CodeBuild project `<stack>-<suffix>` (projects are named so, see `Name`). */
function projectArn(suffix: string) {
  return sub(
    `arn:\${AWS::Partition}:codebuild:\${AWS::Region}:\${AWS::AccountId}:project/\${AWS::StackName}-${suffix}`,
  );
}

function codeBuildLogs(): IamStatement {
  return {
    Effect: "Allow",
    Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: [
      sub(
        `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/codebuild/\${AWS::StackName}-*`,
      ),
      sub(
        `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/codebuild/\${AWS::StackName}-*:*`,
      ),
    ],
  };
}

function gateBuildspec(): string {
  return [
    "version: 0.2",
    "phases:",
    "  build:",
    "    commands:",
    `      - ${yamlScalar(
      'found=$(aws cloudwatch describe-alarms --alarm-names $SPARTA_ALARMS --query "length(MetricAlarms)" --output text); ' +
        'if [ "$found" != "$(echo $SPARTA_ALARMS | wc -w)" ]; then echo "Some of the alarms $SPARTA_ALARMS do not exist; not promoting."; exit 1; fi',
    )}`,
    `      - ${yamlScalar(
      // A minute lasts SPARTA_GATE_MINUTE_SECONDS seconds (60 unless set, e.g. 0 for a local run: one check).
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a JavaScript template
      "minute=${SPARTA_GATE_MINUTE_SECONDS:-60}; deadline=$(( $(date +%s) + SPARTA_QUIET_MINUTES * minute )); while :; do " +
        "firing=$(aws cloudwatch describe-alarms --alarm-names $SPARTA_ALARMS --state-value ALARM --query \"MetricAlarms[?StateValue=='ALARM'].AlarmName\" --output text); " +
        'if [ -n "$firing" ]; then echo "In ALARM: $firing; not promoting."; exit 1; fi; ' +
        'if [ "$(date +%s)" -ge "$deadline" ]; then break; fi; sleep "$minute"; done',
    )}`,
    `      - ${yamlScalar('echo "Alarms stayed quiet for $SPARTA_QUIET_MINUTES minutes; promoting."')}`,
    "",
  ].join("\n");
}

function pullRequestBuildspec(commands: readonly string[]): string {
  return [
    "version: 0.2",
    "phases:",
    "  build:",
    "    commands:",
    ...commands.map((c) => `      - ${yamlScalar(c)}`),
    "",
  ].join("\n");
}

/**
 * Turns every `approval: { gate: "alarms", quietMinutes }` into the names of the alarms `alarms()` of
 * `@sparta/operations` creates in the previous stage's stack (`alarmNamesFor(serviceTemplate, stackName)`).
 * Throws `InvalidPipelineOptionsError` if a stage is gated but the template has no such alarm.
 * @example
 * resolveAlarmGates(resolveStages(envs, [{ environment: "test" }, { environment: "production",
 *   approval: { gate: "alarms", quietMinutes: 15 } }], "SpartaCodePipeline", "main"), build.template)
 * // production: { alarms: ["Test-SpartaCodePipeline-main-HelloFunction-ErrorRate", ...], quietMinutes: 15 }
 */
export function resolveAlarmGates(
  stages: readonly Required<PipelineStage>[],
  serviceTemplate: { Resources: Record<string, unknown> } | undefined,
): (Required<PipelineStage> & { approval: ResolvedApproval })[] {
  return stages.map((stage, i) => {
    const approval = stage.approval;
    if (typeof approval !== "object" || !("gate" in approval)) return { ...stage, approval };
    const previous = stages[i - 1]!;
    if (!serviceTemplate) {
      throw new InvalidPipelineOptionsError(
        `Stage "${stage.environment}" is gated on the alarms of stage "${previous.environment}", whose names come ` +
          `from the service template; pass it to pipelineTemplate({ serviceTemplate, ... }).`,
      );
    }
    const alarms = alarmNamesFor(serviceTemplate as never, previous.stackName);
    if (alarms.length === 0) {
      throw new InvalidPipelineOptionsError(
        `Stage "${stage.environment}" is promoted when the alarms of "${previous.stackName}" stay quiet, but the ` +
          `service template has no alarms. Add alarms() of @sparta/operations to the service, e.g. ` +
          `defineService({ ..., decorators: [alarms(), pipeline.decorator] }), or use approval "manual".`,
      );
    }
    return { ...stage, approval: { alarms, quietMinutes: approval.quietMinutes } };
  });
}

/** How the roles of the stages are bounded: by the policy the pipeline creates, by one the service names, or none. */
type StagesBoundary =
  | { kind: "pipeline"; arn: unknown; passed: boolean }
  | { kind: "given"; arn: unknown }
  | { kind: "none" };

/** The ARN of the boundary the pipeline creates: named, so its own policy and the deploy role can refer to it. */
const pipelineBoundaryArn = (pipelineName: string) =>
  sub(
    `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/sparta/${pipelineName}-\${AWS::Region}-boundary`,
  );

/**
 * Reads, from the built service template, which permissions boundary its roles carry; every role must carry the
 * same one, since the deploy role creates no role without it. Without a template: the pipeline's, passed to the
 * stages (`passed`: the service reads `pipeline.permissionsBoundary`).
 */
function stagesBoundary(
  serviceTemplate: PipelineTemplateOptions["serviceTemplate"],
  pipelineName: string,
  resourceTypes: readonly string[],
): StagesBoundary {
  const arn = pipelineBoundaryArn(pipelineName);
  if (!serviceTemplate) return { kind: "pipeline", arn, passed: true };
  const roles = Object.entries(serviceTemplate.Resources).filter(
    ([, r]) => (r as { Type?: string }).Type === "AWS::IAM::Role",
  ) as [string, { Properties?: Record<string, unknown> }][];
  const hasParameter =
    (serviceTemplate as { Parameters?: Record<string, unknown> }).Parameters?.[
      PERMISSIONS_BOUNDARY_PARAMETER
    ] !== undefined;
  if (roles.length === 0) {
    if (hasParameter) return { kind: "pipeline", arn, passed: true };
    return resourceTypes.includes("AWS::IAM::Role")
      ? { kind: "pipeline", arn, passed: false }
      : { kind: "none" };
  }
  const fix =
    "Give the service the pipeline's boundary, defineService({ ..., permissionsBoundary: pipeline.permissionsBoundary, " +
    'decorators: [..., pipeline.decorator] }), or your own: permissionsBoundary: "arn:aws:iam::123456789012:policy/NAME"';
  const without = roles.filter(([, r]) => r.Properties?.PermissionsBoundary === undefined).map(([id]) => id);
  if (without.length > 0) {
    throw new InvalidPipelineOptionsError(
      `The pipeline's deploy role creates only roles that carry a permissions boundary, and role(s) ` +
        `${without.join(", ")} of the service carry none. ${fix}.`,
    );
  }
  const values = roles.map(([, r]) => JSON.stringify(r.Properties!.PermissionsBoundary));
  if (new Set(values).size > 1) {
    throw new InvalidPipelineOptionsError(
      `The roles of the service carry different permissions boundaries (${[...new Set(values)].join(", ")}); the ` +
        `pipeline's deploy role allows one. ${fix}.`,
    );
  }
  const [, first] = roles[0] as (typeof roles)[number];
  const boundary = first.Properties?.PermissionsBoundary;
  if (usesPipelineBoundary(boundary)) {
    if (!hasParameter) {
      throw new InvalidPipelineOptionsError(
        `The service's roles carry pipeline.permissionsBoundary, but its template lacks the parameter ` +
          `${PERMISSIONS_BOUNDARY_PARAMETER} that pipeline.decorator adds: add it, defineService({ ..., ` +
          `decorators: [..., pipeline.decorator] }).`,
      );
    }
    return { kind: "pipeline", arn, passed: true };
  }
  const text = typeof boundary === "string" ? boundary : (boundary as { "Fn::Sub"?: unknown })["Fn::Sub"];
  const readable =
    typeof text === "string" &&
    [...text.matchAll(/\$\{([^!}][^}]*)\}/g)].every((m) =>
      ["AWS::Partition", "AWS::AccountId", "AWS::Region"].includes(m[1]!),
    );
  if (!readable) {
    throw new InvalidPipelineOptionsError(
      `The service's roles carry the permissions boundary ${JSON.stringify(boundary)}, which the pipeline cannot ` +
        `read (its deploy role must name it). Give the ARN as a string, or an Fn::Sub over AWS::Partition and ` +
        `AWS::AccountId.`,
    );
  }
  return { kind: "given", arn: boundary };
}

/**
 * Where CodePipeline keeps an action's artifacts in the artifact bucket: `<pipeline name, first 20 characters>/
 * <artifact name, first 10>/<random key>` (so the build role can be given its own output artifact and no other).
 */
const artifactKeys = (pipelineName: string, artifact: string) =>
  sub(`\${ArtifactBucket.Arn}/${pipelineName.slice(0, 20)}/${artifact.slice(0, 10)}/*`);

/**
 * The function code the build uploads, `<function>-<16 hex digits of its SHA-256>.zip` at the bucket's root, as
 * `@sparta/packager` names it; no artifact of CodePipeline (`<pipeline>/<artifact>/<7 characters>`) nor a template
 * converge uploads (`.../templates/<hash>.json`) has that shape.
 */
const codeObjects = (bucket: unknown) =>
  sub(`arn:\${AWS::Partition}:s3:::\${Bucket}/*-????????????????.zip`, { Bucket: bucket });

/** The nested templates of a split service, uploaded with the ZIPs: `templates/<Stack>-<16 hex digits>.json`. */
const nestedTemplateObjects = (bucket: unknown) =>
  sub(`arn:\${AWS::Partition}:s3:::\${Bucket}/templates/*-????????????????.json`, { Bucket: bucket });

const APPROVER_ROLES = ["GITHUB_WRITE", "GITHUB_MAINTAIN", "GITHUB_ADMIN"];

/** `pullRequests` with its defaults, checked. */
function pullRequestOptions(value: boolean | PullRequestBuilds): Required<PullRequestBuilds> {
  const given = typeof value === "object" ? value : {};
  const commentApproval = given.commentApproval ?? "forks";
  if (commentApproval !== "forks" && commentApproval !== "all") {
    throw new InvalidPipelineOptionsError(
      `pullRequests.commentApproval ${JSON.stringify(commentApproval)} is not valid; use "forks" (pull requests from ` +
        `forks wait for an approving comment, the default) or "all".`,
    );
  }
  const trustedActors = (given.trustedActors ?? []).map((a) => String(a));
  const bad = trustedActors.find((a) => !/^[0-9]{1,20}$/.test(a));
  if (bad !== undefined) {
    throw new InvalidPipelineOptionsError(
      `pullRequests.trustedActors holds ${JSON.stringify(bad)}, which is not a GitHub user id; give the numeric id ` +
        `(the "id" of https://api.github.com/users/<login>), e.g. trustedActors: [583231].`,
    );
  }
  return { commands: given.commands ?? ["npm ci", "npm test"], commentApproval, trustedActors };
}

/**
 * The CloudFormation template (plain JSON) of a service's delivery pipeline: a retained, versioned, encrypted,
 * private artifact bucket; GitHub source (CodeStar connection or OAuth token); a CodeBuild build running
 * `buildspec`; then per environment a change set, an approval and its execution; optional pull-request builds.
 * Every role is least-privilege and no statement has a `*` action.
 * @example
 * const template = pipelineTemplate({ pipelineName: "SpartaCodePipeline", repo, source: { kind: "connection" },
 *   environments: pipelineEnvironments(), buildspec: buildspec({ packageFileName, environments: ["test"] }) });
 */
export function pipelineTemplate(options: PipelineTemplateOptions): Json {
  const { pipelineName, repo, source } = options;
  if (!PIPELINE_NAME.test(pipelineName)) {
    throw new InvalidPipelineOptionsError(
      `--pipeline ${JSON.stringify(pipelineName)} is not a valid pipeline name: it names the pipeline stack, so use ` +
        `letters, digits and "-", starting with a letter, at most 60 characters, e.g. "SpartaCodePipeline".`,
    );
  }
  if (options.codeBucket !== undefined && !BUCKET_NAME.test(options.codeBucket)) {
    throw new InvalidPipelineOptionsError(
      `--s3Bucket ${JSON.stringify(options.codeBucket)} is not an S3 bucket name (3-63 lower-case letters, digits, ` +
        `"." and "-"), e.g. "my-sparta-artifacts".`,
    );
  }
  if (source.kind === "oauthSecret" && !/^[A-Za-z0-9/_+=.@:-]{1,2048}$/.test(source.secretId)) {
    throw new InvalidPipelineOptionsError(
      `Secrets Manager secret id ${JSON.stringify(source.secretId)} is not valid; give its name or ARN, ` +
        `e.g. --oauth secretsmanager:github/token.`,
    );
  }
  const stages = resolveAlarmGates(
    resolveStages(options.environments, options.stages, pipelineName, repo.branch),
    options.serviceTemplate,
  );
  const stackNames = stages.map((s) => s.stackName);
  const bucketVariable = options.bucketVariable ?? "SPARTA_S3_BUCKET";
  const codeBucketName: unknown = options.codeBucket ?? ref("ArtifactBucket");
  const capabilities = (options.capabilities ?? ["CAPABILITY_IAM"]).join(",");
  const gated = stages.flatMap((s) =>
    typeof s.approval === "object" ? [{ ...s, approval: s.approval }] : [],
  );
  const boundary = stagesBoundary(
    options.serviceTemplate,
    pipelineName,
    options.resourceTypes ?? DEFAULT_SERVICE_RESOURCE_TYPES,
  );
  // A boundary of the user's own (an organization's) bounds the pipeline's roles too; the pipeline's own is only for
  // the roles of its stages.
  const ownBoundary = boundary.kind === "given" ? boundary.arn : undefined;
  const pullRequests = options.pullRequests ? pullRequestOptions(options.pullRequests) : undefined;

  const parameters: Json = {};
  let oauthToken: unknown;
  if (source.kind === "connection") {
    parameters[CONNECTION_PARAMETER] = {
      Type: "String",
      Description:
        "ARN of the CodeStar (CodeConnections) connection to GitHub (provisionPipeline --connection)",
      AllowedPattern:
        "^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:[0-9]{12}:connection/[A-Za-z0-9-]+$",
    };
  } else if (source.kind === "oauthToken") {
    parameters[OAUTH_TOKEN_PARAMETER] = {
      Type: "String",
      NoEcho: true,
      MinLength: 1,
      Description: "GitHub OAuth token (provisionPipeline --oauth); never stored in the template",
    };
    oauthToken = ref(OAUTH_TOKEN_PARAMETER);
  } else {
    oauthToken = `{{resolve:secretsmanager:${source.secretId}${source.jsonKey ? `:SecretString:${source.jsonKey}` : ""}}}`;
  }

  const resources: Json = {
    ArtifactBucket: {
      Type: "AWS::S3::Bucket",
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: {
        VersioningConfiguration: { Status: "Enabled" },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      },
    },
    // Requests over plain HTTP are refused.
    ArtifactBucketPolicy: {
      Type: "AWS::S3::BucketPolicy",
      Properties: {
        Bucket: ref("ArtifactBucket"),
        PolicyDocument: tlsOnlyBucketPolicy(getAtt("ArtifactBucket", "Arn")),
      },
    },
  };

  // The pipeline's own role: move artifacts, start its builds, use the source, drive the stages' change sets.
  const pipelineStatements: IamStatement[] = [
    {
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
      Resource: [sub(`\${ArtifactBucket.Arn}/*`)],
    },
    {
      Effect: "Allow",
      Action: ["s3:GetBucketVersioning", "s3:GetBucketLocation"],
      Resource: [getAtt("ArtifactBucket", "Arn")],
    },
    {
      Effect: "Allow",
      Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
      Resource: [
        // Built from the projects' names rather than GetAtt: same ARNs, and no dependency edge on the projects.
        projectArn("build"),
        ...gated.map((s) => projectArn(`gate-${s.environment}`)),
      ],
    },
    {
      Effect: "Allow",
      Action: [
        "cloudformation:CreateChangeSet",
        "cloudformation:DescribeChangeSet",
        "cloudformation:ExecuteChangeSet",
        "cloudformation:DeleteChangeSet",
        "cloudformation:DescribeStacks",
      ],
      Resource: stackNames.map((s) =>
        sub(`arn:\${AWS::Partition}:cloudformation:\${AWS::Region}:\${AWS::AccountId}:stack/${s}/*`),
      ),
    },
    {
      // The CloudFormation action validates the template first; ValidateTemplate has no resource to scope to.
      Effect: "Allow",
      Action: ["cloudformation:ValidateTemplate"],
      Resource: ["*"],
    },
    {
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [getAtt("DeployRole", "Arn")],
      Condition: { StringEquals: { "iam:PassedToService": "cloudformation.amazonaws.com" } },
    },
  ];
  if (source.kind === "connection") {
    pipelineStatements.push({
      Effect: "Allow",
      Action: ["codestar-connections:UseConnection", "codeconnections:UseConnection"],
      Resource: [ref(CONNECTION_PARAMETER)],
    });
  }
  resources.PipelineRole = role("codepipeline.amazonaws.com", "pipeline", pipelineStatements, ownBoundary);

  // The build reads the source artifact, writes its own output artifact and the function code, and nothing else:
  // the code it runs comes from the repository, so it must not be able to change what the other actions read.
  // what the build uploads and the deploy role reads: the ZIPs, and a split service's nested templates
  const codeAndTemplates = [
    codeObjects(codeBucketName),
    ...((options.resourceTypes ?? []).includes("AWS::CloudFormation::Stack")
      ? [nestedTemplateObjects(codeBucketName)]
      : []),
  ];
  const buildStatements: IamStatement[] = [
    codeBuildLogs(),
    {
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: [artifactKeys(pipelineName, SOURCE_ARTIFACT)],
    },
    {
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: [artifactKeys(pipelineName, BUILD_ARTIFACT), ...codeAndTemplates],
    },
  ];
  resources.BuildRole = role("codebuild.amazonaws.com", "build", buildStatements, ownBoundary);

  // CloudFormation, deploying the service's stacks: only what the service's resource types need.
  const deploy = deployStatements(options.resourceTypes ?? DEFAULT_SERVICE_RESOURCE_TYPES, stackNames, {
    ...(options.deploy?.statements ? { extra: options.deploy.statements } : {}),
    ...(options.deploy?.allowTypes ? { allowTypes: options.deploy.allowTypes } : {}),
    ...(options.serviceTemplate ? { serviceTemplate: options.serviceTemplate } : {}),
    ...(boundary.kind === "none" ? {} : { permissionsBoundary: boundary.arn }),
  });
  if (options.serviceTemplate) {
    deploy.push(...functionSettingStatements(options.serviceTemplate));
    // Secrets the stages' templates resolve when they deploy, with this role's permissions: named in the template,
    // or per environment through the parameters of the environments' secrets.
    const parameterValues = Object.fromEntries(
      environmentKeys(options.environments).map((k) => [
        k.parameter,
        options.environments.map((e) => parameterValue(e, k.key)),
      ]),
    );
    deploy.push(...secretStatements(options.serviceTemplate, parameterValues));
  }
  deploy.push({
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:GetObjectVersion"],
    Resource: codeAndTemplates,
  });
  Object.assign(resources, deployRole(deploy, pipelineName, ownBoundary));
  if (boundary.kind === "pipeline") {
    const document = policyDocument(boundaryStatements(options.serviceTemplate, boundary.arn));
    if (worstCasePolicyChars(document) > IAM_LIMITS.managedPolicy) {
      throw new InvalidPipelineOptionsError(
        `Pipeline "${pipelineName}": the permissions boundary of the service's ${document.Statement[0]?.Action.length} ` +
          `actions does not fit IAM's quota of ${IAM_LIMITS.managedPolicy} characters for a managed policy. Give the ` +
          `service a boundary of your own, defineService({ permissionsBoundary: "arn:aws:iam::123456789012:policy/NAME" }), ` +
          `or grant the functions fewer distinct actions.`,
      );
    }
    resources[PERMISSIONS_BOUNDARY_POLICY] = {
      Type: "AWS::IAM::ManagedPolicy",
      Properties: {
        ManagedPolicyName: sub(`${pipelineName}-\${AWS::Region}-boundary`),
        Path: "/sparta/",
        Description: `Permissions boundary of every role the stages of ${pipelineName} create: at most what the service's roles were allowed when the pipeline was provisioned`,
        PolicyDocument: document,
      },
    };
  }

  const environmentImage = {
    Type: "LINUX_CONTAINER",
    ComputeType: "BUILD_GENERAL1_SMALL",
    Image: options.buildImage ?? "aws/codebuild/standard:7.0",
  };
  resources.BuildProject = {
    Type: "AWS::CodeBuild::Project",
    Properties: {
      Name: sub(`\${AWS::StackName}-build`),
      Description: `Builds the CodePipeline package of ${pipelineName}`,
      ServiceRole: getAtt("BuildRole", "Arn"),
      Source: { Type: "CODEPIPELINE", BuildSpec: options.buildspec },
      Artifacts: { Type: "CODEPIPELINE" },
      Environment: {
        ...environmentImage,
        EnvironmentVariables: [{ Name: bucketVariable, Type: "PLAINTEXT", Value: codeBucketName }],
      },
      TimeoutInMinutes: 30,
    },
  };

  if (gated.length > 0) {
    const alarms = [...new Set(gated.flatMap((s) => s.approval.alarms))].sort();
    resources.PromotionGateRole = role(
      "codebuild.amazonaws.com",
      "promotion-gate",
      [
        codeBuildLogs(),
        // CodeBuild downloads the action's input artifact (the build's output) with this role.
        {
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:GetObjectVersion"],
          Resource: [artifactKeys(pipelineName, BUILD_ARTIFACT)],
        },
        // The gate reads named metric alarms only (MetricAlarms of --alarm-names), which a narrower scope returns.
        {
          Effect: "Allow",
          Action: ["cloudwatch:DescribeAlarms"],
          Resource: alarms.map((a) =>
            sub(`arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${a}`),
          ),
        },
      ],
      ownBoundary,
    );
    for (const stage of gated) {
      resources[`PromotionGate${pascal(stage.environment)}`] = {
        Type: "AWS::CodeBuild::Project",
        Properties: {
          Name: sub(`\${AWS::StackName}-gate-${stage.environment}`),
          Description: `Promotes ${stage.stackName} once its alarms stayed quiet for ${stage.approval.quietMinutes} minutes`,
          ServiceRole: getAtt("PromotionGateRole", "Arn"),
          Source: { Type: "CODEPIPELINE", BuildSpec: gateBuildspec() },
          Artifacts: { Type: "CODEPIPELINE" },
          Environment: {
            ...environmentImage,
            EnvironmentVariables: [
              { Name: "SPARTA_ALARMS", Type: "PLAINTEXT", Value: stage.approval.alarms.join(" ") },
              { Name: "SPARTA_QUIET_MINUTES", Type: "PLAINTEXT", Value: String(stage.approval.quietMinutes) },
            ],
          },
          TimeoutInMinutes: Math.min(480, stage.approval.quietMinutes + 15),
        },
      };
    }
  }

  if (pullRequests) {
    const statements: IamStatement[] = [codeBuildLogs()];
    if (source.kind === "connection") {
      // CodeBuild fetches the pull request through the connection with the project's role.
      statements.push({
        Effect: "Allow",
        Action: [
          "codestar-connections:GetConnectionToken",
          "codestar-connections:GetConnection",
          "codestar-connections:UseConnection",
          "codeconnections:GetConnectionToken",
          "codeconnections:GetConnection",
          "codeconnections:UseConnection",
        ],
        Resource: [ref(CONNECTION_PARAMETER)],
      });
    }
    // With a token, the project uses the GitHub credential CodeBuild holds for the account and Region (imported
    // once with `aws codebuild import-source-credentials`): there is one per Region, so the stack neither creates
    // nor replaces it.
    resources.PullRequestRole = role("codebuild.amazonaws.com", "pull-requests", statements, ownBoundary);
    resources.PullRequestProject = {
      Type: "AWS::CodeBuild::Project",
      Properties: {
        Name: sub(`\${AWS::StackName}-pull-requests`),
        Description: `Tests pull requests to ${repo.owner}/${repo.name}#${repo.branch}`,
        ServiceRole: getAtt("PullRequestRole", "Arn"),
        Source: {
          Type: "GITHUB",
          Location: `https://github.com/${repo.owner}/${repo.name}.git`,
          ReportBuildStatus: true,
          // Inline: a pull request cannot change what its build runs (AWS's webhook best practices).
          BuildSpec: pullRequestBuildspec(pullRequests.commands),
          ...(source.kind === "connection"
            ? { Auth: { Type: "CODECONNECTIONS", Resource: ref(CONNECTION_PARAMETER) } }
            : {}),
        },
        Artifacts: { Type: "NO_ARTIFACTS" },
        Environment: environmentImage,
        Triggers: {
          Webhook: true,
          FilterGroups: [
            [
              { Type: "EVENT", Pattern: "PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED, PULL_REQUEST_REOPENED" },
              { Type: "BASE_REF", Pattern: `^refs/heads/${repo.branch.replace(/[.]/g, "\\.")}$` },
              ...(pullRequests.trustedActors.length > 0
                ? [{ Type: "ACTOR_ACCOUNT_ID", Pattern: `^(${pullRequests.trustedActors.join("|")})$` }]
                : []),
            ],
          ],
          PullRequestBuildPolicy: {
            RequiresCommentApproval:
              pullRequests.commentApproval === "all" ? "ALL_PULL_REQUESTS" : "FORK_PULL_REQUESTS",
            ApproverRoles: APPROVER_ROLES,
          },
        },
        TimeoutInMinutes: 30,
      },
    };
  }

  const sourceAction =
    source.kind === "connection"
      ? {
          Name: "GitHub",
          ActionTypeId: {
            Category: "Source",
            Owner: "AWS",
            Provider: "CodeStarSourceConnection",
            Version: "1",
          },
          Configuration: {
            ConnectionArn: ref(CONNECTION_PARAMETER),
            FullRepositoryId: `${repo.owner}/${repo.name}`,
            BranchName: repo.branch,
            OutputArtifactFormat: "CODE_ZIP",
            DetectChanges: "true",
          },
          OutputArtifacts: [{ Name: SOURCE_ARTIFACT }],
          RunOrder: 1,
        }
      : {
          Name: "GitHub",
          ActionTypeId: { Category: "Source", Owner: "ThirdParty", Provider: "GitHub", Version: "1" },
          Configuration: {
            Owner: repo.owner,
            Repo: repo.name,
            Branch: repo.branch,
            OAuthToken: oauthToken,
            PollForSourceChanges: "true",
          },
          OutputArtifacts: [{ Name: SOURCE_ARTIFACT }],
          RunOrder: 1,
        };

  const codeBucketParameter = options.codeBucketParameter ?? "ArtifactBucket";
  // The stages get the code bucket and, when the service reads it, the boundary the pipeline created.
  const parameterOverrides =
    boundary.kind === "pipeline" && boundary.passed
      ? sub(`{"${codeBucketParameter}": "\${Bucket}", "${PERMISSIONS_BOUNDARY_PARAMETER}": "\${Boundary}"}`, {
          Bucket: codeBucketName,
          Boundary: boundary.arn,
        })
      : sub(`{"${codeBucketParameter}": "\${Bucket}"}`, { Bucket: codeBucketName });
  const environmentStages = stages.map((stage) => {
    const changeSetName = "SpartaChangeSet";
    const deployAction = (mode: string, runOrder: number, extra: Json) => ({
      Name: extra.Name,
      ActionTypeId: { Category: "Deploy", Owner: "AWS", Provider: "CloudFormation", Version: "1" },
      ...extra,
      RunOrder: runOrder,
      Configuration: {
        ActionMode: mode,
        StackName: stage.stackName,
        ChangeSetName: changeSetName,
        ...(extra.Configuration as Json | undefined),
      },
    });
    const approval =
      stage.approval === "none"
        ? undefined
        : stage.approval === "manual"
          ? {
              Name: "Approve",
              ActionTypeId: { Category: "Approval", Owner: "AWS", Provider: "Manual", Version: "1" },
              Configuration: {
                CustomData: `Review change set ${changeSetName} of ${stage.stackName}, then approve to deploy it.`,
              },
              RunOrder: 2,
            }
          : {
              Name: "PromotionGate",
              ActionTypeId: { Category: "Build", Owner: "AWS", Provider: "CodeBuild", Version: "1" },
              Configuration: { ProjectName: ref(`PromotionGate${pascal(stage.environment)}`) },
              InputArtifacts: [{ Name: BUILD_ARTIFACT }],
              RunOrder: 2,
            };
    return {
      Name: pascal(stage.environment),
      Actions: [
        deployAction("CHANGE_SET_REPLACE", 1, {
          Name: "CreateChangeSet",
          InputArtifacts: [{ Name: BUILD_ARTIFACT }],
          Configuration: {
            TemplatePath: `${BUILD_ARTIFACT}::cloudformation.json`,
            TemplateConfiguration: `${BUILD_ARTIFACT}::${stage.environment}.json`,
            ParameterOverrides: parameterOverrides,
            Capabilities: capabilities,
            RoleArn: getAtt("DeployRole", "Arn"),
          },
        }),
        ...(approval ? [approval] : []),
        deployAction("CHANGE_SET_EXECUTE", approval ? 3 : 2, { Name: "ExecuteChangeSet" }),
      ],
    };
  });

  resources.Pipeline = {
    Type: "AWS::CodePipeline::Pipeline",
    // The first run starts with the stack: the boundary its stages' roles need must exist by then.
    ...(boundary.kind === "pipeline" ? { DependsOn: [PERMISSIONS_BOUNDARY_POLICY] } : {}),
    Properties: {
      // Named, so the build role can be given its own output artifact: `<name, 20 characters>/BuildOutpu/...`.
      Name: pipelineName,
      RoleArn: getAtt("PipelineRole", "Arn"),
      ArtifactStore: { Type: "S3", Location: ref("ArtifactBucket") },
      RestartExecutionOnUpdate: true,
      Stages: [
        { Name: "Source", Actions: [sourceAction] },
        {
          Name: "Build",
          Actions: [
            {
              Name: "Package",
              ActionTypeId: { Category: "Build", Owner: "AWS", Provider: "CodeBuild", Version: "1" },
              Configuration: { ProjectName: ref("BuildProject") },
              InputArtifacts: [{ Name: SOURCE_ARTIFACT }],
              OutputArtifacts: [{ Name: BUILD_ARTIFACT }],
              RunOrder: 1,
            },
          ],
        },
        ...environmentStages,
      ],
    },
  };

  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `Sparta delivery pipeline ${pipelineName}: ${repo.owner}/${repo.name}#${repo.branch} -> ${stackNames.join(" -> ")}`,
    ...(Object.keys(parameters).length > 0 ? { Parameters: parameters } : {}),
    Resources: resources,
    Outputs: {
      PipelineName: { Description: "Name of the CodePipeline", Value: ref("Pipeline") },
      ArtifactBucketName: {
        Description: "Bucket holding the pipeline's artifacts",
        Value: ref("ArtifactBucket"),
      },
      PipelineConsoleUrl: {
        Description: "The pipeline in the AWS console",
        Value: sub(
          `https://\${AWS::Region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/\${Pipeline}/view?region=\${AWS::Region}`,
        ),
      },
    },
  };
}
