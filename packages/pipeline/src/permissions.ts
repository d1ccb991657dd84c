import { isStackIdSuffix } from "@sparta/operations";
import { InvalidPipelineOptionsError, MissingDeployPermissionsError } from "./errors.js";

/**
 * An IAM policy statement as plain JSON; `Action` is always a list of explicit actions, never `*`. A `Deny` guards
 * what an `Allow` of the same role (or one a user adds) must never reach.
 */
export interface IamStatement {
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: unknown[];
  Condition?: Record<string, unknown>;
}

const sub = (s: string) => ({ "Fn::Sub": s });

/** The built service template, as far as the deploy role reads it. */
export type ServiceTemplate = { Resources?: Record<string, unknown> };

/**
 * ARNs of what CloudFormation creates for a stack when names are generated (`<stack>-<LogicalId>-<suffix>`),
 * which is how `@sparta/cli` names functions, roles and log groups, and `@sparta/operations` its CodeDeploy
 * application and deployment groups; plus the names the service template gives (S3 trigger buckets, SNS topics,
 * subscribed log groups), when the template is known.
 */
function stackScoped(
  stackNames: readonly string[],
  template: ServiceTemplate | undefined,
  permissionsBoundary: unknown,
  compositeAlarms: boolean,
) {
  const functions = stackNames.map((s) =>
    sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${s}-*`),
  );
  const logGroups = stackNames.flatMap((s) => [
    sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${s}-*`),
    sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${s}-*:*`),
  ]);
  const allLogGroups = sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:*`);
  return {
    functions,
    /** Functions with their versions and aliases (`function:<name>:<qualifier>`). */
    qualifiedFunctions: stackNames.flatMap((s) => [
      sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${s}-*`),
      sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${s}-*:*`),
    ]),
    // A mapping's ARN ends in a UUID Lambda picks: no stack name in it; the function condition scopes it.
    eventSourceMappings: [
      sub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:event-source-mapping:*"),
    ],
    roles: stackNames.map((s) => sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${s}-*`)),
    /** A split service's nested stacks: CloudFormation names them `<stack>-<LogicalId>-<suffix>`. */
    nestedStacks: stackNames.map((s) =>
      sub(`arn:\${AWS::Partition}:cloudformation:\${AWS::Region}:\${AWS::AccountId}:stack/${s}-*/*`),
    ),
    logGroups,
    allLogGroups,
    alarms: stackNames.map((s) =>
      sub(`arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${s}-*`),
    ),
    // `dashboard()` of @sparta/operations names the dashboard after the stack; dashboards are global (no Region).
    dashboards: stackNames.flatMap((s) => [
      sub(`arn:\${AWS::Partition}:cloudwatch::\${AWS::AccountId}:dashboard/${s}`),
      sub(`arn:\${AWS::Partition}:cloudwatch::\${AWS::AccountId}:dashboard/${s}-*`),
    ]),
    rules: stackNames.map((s) =>
      sub(`arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${s}-*`),
    ),
    httpApis: [
      sub(`arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/apis`),
      sub(`arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/apis/*`),
      sub(`arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/tags/*`),
    ],
    // `safeDeploy()` names neither: CloudFormation generates `<stack>-<LogicalId>-<suffix>` for both.
    codeDeployApplications: stackNames.map((s) =>
      sub(`arn:\${AWS::Partition}:codedeploy:\${AWS::Region}:\${AWS::AccountId}:application:${s}-*`),
    ),
    deploymentGroups: stackNames.map((s) =>
      sub(
        `arn:\${AWS::Partition}:codedeploy:\${AWS::Region}:\${AWS::AccountId}:deploymentgroup:${s}-*/${s}-*`,
      ),
    ),
    // `safeDeploy({ shift })` uses the predefined `CodeDeployDefault.Lambda<shift>` configurations.
    lambdaDeploymentConfigs: [
      sub(
        "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentconfig:CodeDeployDefault.Lambda*",
      ),
    ],
    buckets: namedArns(
      template,
      "AWS::S3::Bucket",
      "BucketName",
      stackNames,
      (n) => `arn:\${AWS::Partition}:s3:::${n}`,
    ) ?? [sub("arn:${AWS::Partition}:s3:::*")],
    topics: namedArns(template, "AWS::SNS::Subscription", "TopicArn", stackNames, (n) => n) ?? [
      sub("arn:${AWS::Partition}:sns:*:*:*"),
    ],
    subscribedLogGroups: subscribedLogGroups(template, stackNames, logGroups) ?? [allLogGroups],
    /** The ARN every role of the stages must carry as its permissions boundary (see `deployStatements`). */
    permissionsBoundary,
    /** Whether the stacks hold composite alarms, which only a `DescribeAlarms` on "*" returns. */
    compositeAlarms,
    /** Managed policies the service's roles attach, read from the template: the only ones the deploy role attaches. */
    managedPolicies: attachedPolicies(template, stackNames),
  };
}

/**
 * The managed policies the roles of the service template attach (`ManagedPolicyArns`), as the stage stacks resolve
 * them. Throws when one is given by an intrinsic the pipeline cannot read: the deploy role must know the list.
 */
function attachedPolicies(template: ServiceTemplate | undefined, stackNames: readonly string[]): unknown[] {
  const arns: unknown[] = [];
  for (const [id, r] of Object.entries(template?.Resources ?? {})) {
    const resource = r as { Type?: string; Properties?: Record<string, unknown> };
    if (resource.Type !== "AWS::IAM::Role") continue;
    const attached = resource.Properties?.ManagedPolicyArns;
    for (const arn of Array.isArray(attached) ? attached : attached === undefined ? [] : [attached]) {
      const values = stackValues(arn, stackNames);
      if (!values) {
        throw new MissingDeployPermissionsError(
          `Role ${id} of the service attaches the managed policy ${JSON.stringify(arn)}, which the pipeline cannot ` +
            `read: the deploy role attaches only the policies it knows. Give the policy's ARN as a string (or an ` +
            `Fn::Sub over AWS::Partition and AWS::AccountId), e.g. "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess".`,
        );
      }
      arns.push(...values.map((v) => (v.includes("${") ? sub(v) : v)));
    }
  }
  return [...new Map(arns.map((a) => [JSON.stringify(a), a])).values()];
}

const PSEUDO_PARAMETERS = new Set(["AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix"]);

/**
 * How a string property of the service template reads in each stage stack, as `Fn::Sub` text the pipeline stack
 * resolves the same way (it deploys to its own account and Region): a literal, or an `Fn::Sub` over pseudo
 * parameters and `AWS::StackName` (replaced by each stage's stack name). `undefined` when the value names a
 * parameter or another resource, which the pipeline cannot know.
 */
function stackValues(value: unknown, stackNames: readonly string[]): string[] | undefined {
  if (typeof value === "string") return [value.replaceAll("${", "${!")];
  let text = (value as { "Fn::Sub"?: unknown } | undefined)?.["Fn::Sub"];
  // `stackBucketName` of @sparta/operations: a name ending in the stack id's suffix, which only CloudFormation knows;
  // each stage's bucket matches the name with `*` in its place.
  if (Array.isArray(text) && typeof text[0] === "string" && text[1] && typeof text[1] === "object") {
    const variables = Object.entries(text[1] as Record<string, unknown>);
    if (!variables.every(([, v]) => isStackIdSuffix(v))) return undefined;
    let replaced: string = text[0];
    for (const [name] of variables) replaced = replaced.replaceAll(`\${${name}}`, "*");
    text = replaced;
  }
  if (typeof text !== "string") return undefined;
  const variables = [...text.matchAll(/\$\{([^!}][^}]*)\}/g)].map((m) => m[1]!);
  if (!variables.every((v) => PSEUDO_PARAMETERS.has(v) || v === "AWS::StackName")) return undefined;
  return variables.includes("AWS::StackName")
    ? stackNames.map((s) => text.replaceAll("${AWS::StackName}", s))
    : [text];
}

const resourcesOf = (template: ServiceTemplate | undefined, type: string) =>
  Object.values(template?.Resources ?? {})
    .map((r) => r as { Type?: string; Properties?: Record<string, unknown> })
    .filter((r) => r.Type === type);

/** ARNs built from one property of every resource of a type; `undefined` when any value cannot be read. */
function namedArns(
  template: ServiceTemplate | undefined,
  type: string,
  property: string,
  stackNames: readonly string[],
  arn: (name: string) => string,
): unknown[] | undefined {
  if (!template) return undefined;
  const names: string[] = [];
  for (const r of resourcesOf(template, type)) {
    const values = stackValues(r.Properties?.[property], stackNames);
    if (!values) return undefined;
    names.push(...values);
  }
  return [...new Set(names.map(arn))].sort().map((a) => (a.includes("${") ? sub(a) : a));
}

/** The log groups subscription filters attach to: named ones, or this stack's own (a `Ref` to one of them). */
function subscribedLogGroups(
  template: ServiceTemplate | undefined,
  stackNames: readonly string[],
  stackLogGroups: unknown[],
): unknown[] | undefined {
  if (!template) return undefined;
  const arns: unknown[] = [];
  for (const r of resourcesOf(template, "AWS::Logs::SubscriptionFilter")) {
    const name = r.Properties?.LogGroupName as { Ref?: string } | undefined;
    if (typeof name?.Ref === "string" && template.Resources?.[name.Ref] !== undefined) {
      arns.push(...stackLogGroups);
      continue;
    }
    const values = stackValues(name, stackNames);
    if (!values) return undefined;
    for (const v of values) {
      const base = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${v}`;
      arns.push(sub(base), sub(`${base}:*`));
    }
  }
  const seen = new Set<string>();
  return arns.filter((a) => {
    const key = JSON.stringify(a);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

type Scope = ReturnType<typeof stackScoped>;

/**
 * What CloudFormation needs to create, update and delete each resource type (its resource handler's
 * permissions), on resources of this pipeline's stacks only.
 */
const DEPLOY_ACTIONS: Record<string, (scope: Scope) => IamStatement[]> = {
  "AWS::Lambda::Function": (s) => [
    {
      Effect: "Allow",
      Action: [
        "lambda:CreateFunction",
        "lambda:DeleteFunction",
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:GetFunctionCodeSigningConfig",
        "lambda:GetRuntimeManagementConfig",
        "lambda:PutRuntimeManagementConfig",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:PutFunctionConcurrency",
        "lambda:DeleteFunctionConcurrency",
        "lambda:ListTags",
        "lambda:TagResource",
        "lambda:UntagResource",
      ],
      Resource: s.functions,
    },
    {
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: s.roles,
      Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
    },
  ],
  "AWS::IAM::Role": (s) => roleStatements(s),
  "AWS::Logs::LogGroup": (s) => [
    {
      Effect: "Allow",
      Action: [
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:ListTagsForResource",
        "logs:ListTagsLogGroup",
        "logs:TagResource",
        "logs:UntagResource",
        "logs:TagLogGroup",
        "logs:UntagLogGroup",
      ],
      Resource: s.logGroups,
    },
    // A list call: the Service Authorization Reference gives it no resource type, so only "*" grants it.
    { Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: ["*"] },
  ],
  "AWS::Lambda::Permission": (s) => [
    {
      Effect: "Allow",
      Action: ["lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"],
      Resource: s.functions,
    },
  ],
  "AWS::Lambda::Url": (s) => [
    {
      Effect: "Allow",
      Action: [
        "lambda:CreateFunctionUrlConfig",
        "lambda:GetFunctionUrlConfig",
        "lambda:UpdateFunctionUrlConfig",
        "lambda:DeleteFunctionUrlConfig",
      ],
      Resource: s.functions,
    },
  ],
  "AWS::Events::Rule": (s) => [
    {
      Effect: "Allow",
      Action: [
        "events:PutRule",
        "events:DescribeRule",
        "events:DeleteRule",
        "events:EnableRule",
        "events:DisableRule",
        "events:PutTargets",
        "events:RemoveTargets",
        "events:ListTargetsByRule",
      ],
      Resource: s.rules,
    },
  ],
  // `@sparta/cli`'s S3 triggers on existing buckets: with a service role, CloudFormation invokes the custom
  // resource's ServiceToken (the stack's `<stack>-SpartaS3NotificationFunction-<suffix>`) with the role's
  // permissions; the function itself, its role and log group are covered by their own types.
  "Custom::SpartaS3Notification": (s) => [
    { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: s.functions },
  ],
  // `alarms()` of @sparta/operations names every alarm `<stack>-...` (and its composite `<stack>-rollback`).
  "AWS::CloudWatch::Alarm": (s) => cloudWatchAlarms(s),
  "AWS::CloudWatch::CompositeAlarm": (s) => cloudWatchAlarms(s),
  // A service over CloudFormation's quotas deploys as a root and nested stacks (one a function): CloudFormation
  // creates, updates and deletes them with the deploy role, reading their templates from the code bucket (which
  // the role reads already). Scoped to the stacks named after the stage's.
  "AWS::CloudFormation::Stack": (s) => [
    {
      Effect: "Allow",
      Action: [
        "cloudformation:CreateStack",
        "cloudformation:UpdateStack",
        "cloudformation:DeleteStack",
        "cloudformation:DescribeStacks",
        "cloudformation:DescribeStackEvents",
        "cloudformation:GetTemplate",
        "cloudformation:TagResource",
        "cloudformation:UntagResource",
      ],
      Resource: s.nestedStacks,
    },
  ],
  "AWS::ApiGatewayV2::Api": (s) => apiGateway(s),
  "AWS::ApiGatewayV2::Stage": (s) => apiGateway(s),
  "AWS::ApiGatewayV2::Integration": (s) => apiGateway(s),
  "AWS::ApiGatewayV2::Route": (s) => apiGateway(s),

  // Sources of the lists below. "schema": the CloudFormation registry schema's `handlers.{create,read,update,delete}
  // .permissions`: SNS and Logs from aws-cloudformation/aws-cloudformation-resource-providers-{sns,logs}, the others
  // from the copy of the registry schemas in pulumi/pulumi-aws-native `aws-cloudformation-schema/` (the Lambda, S3,
  // CloudWatch and CodeDeploy provider repositories were not stored), less the actions for properties no Sparta
  // package sets (named per entry). Resource types and condition keys: the Lambda developer guide, "Resources and
  // conditions for Lambda actions", and each service's "Actions, resources, and condition keys" page.

  // @sparta/cli's sqs, dynamodb and kinesis triggers. Schema (aws-lambda-eventsourcemapping.json) less `kms:*`,
  // which only a `KMSKeyArn` (filter criteria encryption) needs. Lambda's table: Create takes no resource, only the
  // `lambda:FunctionArn` condition; Update and Delete take the mapping's ARN and the condition; Get takes no
  // resource. The condition allows qualified ARNs too: safeDeploy() points mappings at an alias.
  "AWS::Lambda::EventSourceMapping": (s) => [
    {
      Effect: "Allow",
      Action: ["lambda:CreateEventSourceMapping"],
      Resource: ["*"],
      Condition: { ArnLike: { "lambda:FunctionArn": s.qualifiedFunctions } },
    },
    {
      Effect: "Allow",
      Action: ["lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"],
      Resource: s.eventSourceMappings,
      Condition: { ArnLike: { "lambda:FunctionArn": s.qualifiedFunctions } },
    },
    // The reference gives Get the mapping's ARN as its resource (the stored Lambda guide said none).
    { Effect: "Allow", Action: ["lambda:GetEventSourceMapping"], Resource: s.eventSourceMappings },
    // The schema's tagging (CloudFormation's system tags on create), on the mappings' ARNs: the stored Lambda guide
    // predates mapping tags (it lists these on `*`); the ARN scope follows today's tagging of mappings: unverified.
    {
      Effect: "Allow",
      Action: ["lambda:ListTags", "lambda:TagResource", "lambda:UntagResource"],
      Resource: s.eventSourceMappings,
    },
  ],
  // @sparta/cli's s3 triggers with `bucket`: the stack creates `<prefix>-${AWS::AccountId}-<stack id suffix>` with a
  // NotificationConfiguration; scoped to the names the service template gives. Schema (aws-s3-bucket.json), its
  // bucket-level s3 actions, less S3 Metadata's Create/Update/Delete (with s3tables:*), `iam:PassRole`
  // (replication), and s3:PutObjectAcl / s3:DeleteObject (object ARNs, never matched by a bucket's).
  "AWS::S3::Bucket": (s) => [
    {
      Effect: "Allow",
      Action: [
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:ListBucket",
        "s3:GetBucketAcl",
        "s3:PutBucketAcl",
        "s3:GetBucketTagging",
        "s3:PutBucketTagging",
        "s3:GetBucketNotification",
        "s3:PutBucketNotification",
        "s3:GetBucketPublicAccessBlock",
        "s3:PutBucketPublicAccessBlock",
        "s3:GetBucketOwnershipControls",
        "s3:PutBucketOwnershipControls",
        "s3:GetEncryptionConfiguration",
        "s3:PutEncryptionConfiguration",
        "s3:GetBucketVersioning",
        "s3:PutBucketVersioning",
        "s3:GetLifecycleConfiguration",
        "s3:PutLifecycleConfiguration",
        "s3:GetBucketCORS",
        "s3:PutBucketCORS",
        "s3:GetBucketWebsite",
        "s3:PutBucketWebsite",
        "s3:DeleteBucketWebsite",
        "s3:GetBucketLogging",
        "s3:PutBucketLogging",
        "s3:GetAccelerateConfiguration",
        "s3:PutAccelerateConfiguration",
        "s3:GetAnalyticsConfiguration",
        "s3:PutAnalyticsConfiguration",
        "s3:GetInventoryConfiguration",
        "s3:PutInventoryConfiguration",
        "s3:GetMetricsConfiguration",
        "s3:PutMetricsConfiguration",
        "s3:GetIntelligentTieringConfiguration",
        "s3:PutIntelligentTieringConfiguration",
        "s3:GetReplicationConfiguration",
        "s3:PutReplicationConfiguration",
        "s3:GetBucketObjectLockConfiguration",
        "s3:PutBucketObjectLockConfiguration",
        "s3:GetBucketMetadataTableConfiguration",
      ],
      Resource: s.buckets,
    },
  ],
  // @sparta/cli's TLS-only policy on the buckets its s3 triggers create. Schema (aws-s3-bucketpolicy.json), whole.
  "AWS::S3::BucketPolicy": (s) => [
    {
      Effect: "Allow",
      Action: ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
      Resource: s.buckets,
    },
  ],
  // @sparta/cli's sns triggers. Schema (aws-sns-subscription.json) less the iam:* it needs only for a
  // `SubscriptionRoleArn` (Firehose). The Service Authorization Reference gives every one of these the topic as its
  // resource (from the template when it is literal); a subscription's ARN is `<topic>:<id>`, hence both.
  "AWS::SNS::Subscription": (s) => [
    { Effect: "Allow", Action: ["sns:Subscribe", "sns:GetTopicAttributes"], Resource: s.topics },
    {
      Effect: "Allow",
      Action: ["sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:Unsubscribe"],
      Resource: [...s.topics, ...s.topics.map(subscriptionsOf)],
    },
  ],
  // @sparta/cli's cloudwatchLogs triggers. Schema (aws-logs-subscriptionfilter.json) less iam:PassRole, which only
  // a `RoleArn` (Kinesis or Firehose destination) needs; on the log groups the template names.
  "AWS::Logs::SubscriptionFilter": (s) => [
    {
      Effect: "Allow",
      Action: [
        "logs:PutSubscriptionFilter",
        "logs:DescribeSubscriptionFilters",
        "logs:DeleteSubscriptionFilter",
      ],
      Resource: s.subscribedLogGroups,
    },
  ],
  // @sparta/operations' dashboard(). Schema (aws-cloudwatch-dashboard.json), whole.
  "AWS::CloudWatch::Dashboard": (s) => [
    {
      Effect: "Allow",
      Action: ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"],
      Resource: s.dashboards,
    },
  ],
  // @sparta/operations' safeDeploy(). Schema (aws-lambda-version.json), whole (its delete calls DeleteFunction with
  // the version's qualifier; safeDeploy retains versions, so it is not called in practice).
  "AWS::Lambda::Version": (s) => [
    {
      Effect: "Allow",
      Action: [
        "lambda:PublishVersion",
        "lambda:GetFunctionConfiguration",
        "lambda:PutProvisionedConcurrencyConfig",
        "lambda:GetProvisionedConcurrencyConfig",
        "lambda:PutRuntimeManagementConfig",
        "lambda:GetRuntimeManagementConfig",
        "lambda:DeleteFunction",
      ],
      Resource: s.qualifiedFunctions,
    },
  ],
  // Schema (aws-lambda-alias.json), its lambda:* actions; its update's codedeploy:* actions (for an alias with
  // CodeDeployLambdaAliasUpdate) come with AWS::CodeDeploy::DeploymentGroup, which such an alias always has.
  "AWS::Lambda::Alias": (s) => [
    {
      Effect: "Allow",
      Action: [
        "lambda:CreateAlias",
        "lambda:GetAlias",
        "lambda:UpdateAlias",
        "lambda:DeleteAlias",
        "lambda:PutProvisionedConcurrencyConfig",
        "lambda:GetProvisionedConcurrencyConfig",
        "lambda:DeleteProvisionedConcurrencyConfig",
      ],
      Resource: s.qualifiedFunctions,
    },
  ],
  // Schema (aws-codedeploy-application.json), whole.
  "AWS::CodeDeploy::Application": (s) => [
    {
      Effect: "Allow",
      Action: [
        "codedeploy:CreateApplication",
        "codedeploy:GetApplication",
        "codedeploy:DeleteApplication",
        "codedeploy:TagResource",
        "codedeploy:UntagResource",
        "codedeploy:ListTagsForResource",
      ],
      Resource: s.codeDeployApplications,
    },
  ],
  // Schema not found (the stored copies of aws-codedeploy-deploymentgroup.json carry no handlers): from the API the
  // handler calls, Create/Get/Update/DeleteDeploymentGroup, plus tagging (the type is taggable on create), and
  // iam:PassRole of the stack's CodeDeploy role (`ServiceRoleArn`) to CodeDeploy only. Then the Alias schema's
  // update actions for CodeDeployLambdaAliasUpdate: a deployment in the stack's groups, with Lambda's predefined
  // configurations.
  "AWS::CodeDeploy::DeploymentGroup": (s) => [
    {
      Effect: "Allow",
      Action: [
        "codedeploy:CreateDeploymentGroup",
        "codedeploy:GetDeploymentGroup",
        "codedeploy:UpdateDeploymentGroup",
        "codedeploy:DeleteDeploymentGroup",
        "codedeploy:TagResource",
        "codedeploy:UntagResource",
        "codedeploy:ListTagsForResource",
        "codedeploy:CreateDeployment",
        "codedeploy:GetDeployment",
      ],
      Resource: s.deploymentGroups,
    },
    // The reference gives StopDeployment no resource type: only "*" grants it.
    { Effect: "Allow", Action: ["codedeploy:StopDeployment"], Resource: ["*"] },
    { Effect: "Allow", Action: ["codedeploy:GetDeploymentConfig"], Resource: s.lambdaDeploymentConfigs },
    {
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: s.roles,
      Condition: { StringEquals: { "iam:PassedToService": "codedeploy.amazonaws.com" } },
    },
  ],
};

function cloudWatchAlarms(s: Scope): IamStatement[] {
  const composite = s.compositeAlarms;
  return [
    {
      Effect: "Allow",
      Action: [
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:PutCompositeAlarm",
        "cloudwatch:DeleteAlarms",
        ...(composite ? [] : ["cloudwatch:DescribeAlarms"]),
        "cloudwatch:TagResource",
        "cloudwatch:UntagResource",
        "cloudwatch:ListTagsForResource",
      ],
      Resource: s.alarms,
    },
    // CloudWatch API reference, DescribeAlarms: composite alarms are returned only to a permission scoped to "*".
    ...(composite
      ? [{ Effect: "Allow" as const, Action: ["cloudwatch:DescribeAlarms"], Resource: ["*"] }]
      : []),
  ];
}

/** The subscriptions of a topic: `<topic ARN>:<id>`. */
function subscriptionsOf(topic: unknown): unknown {
  if (typeof topic === "string") return `${topic}:*`;
  const text = (topic as { "Fn::Sub"?: unknown })["Fn::Sub"];
  return typeof text === "string" ? sub(`${text}:*`) : topic;
}

/** What changes a role (or what it may do): allowed only on roles that carry the stages' permissions boundary. */
const ROLE_WRITES = [
  "iam:CreateRole",
  "iam:DeleteRole",
  "iam:UpdateRole",
  "iam:UpdateRoleDescription",
  "iam:UpdateAssumeRolePolicy",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:PutRolePermissionsBoundary",
];
const ATTACH = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"];

/**
 * The stages' roles: read and tag any role named after a stage stack; create, change or delete one only when it
 * carries the permissions boundary (`iam:PermissionsBoundary`: the role's boundary, or the one a CreateRole or
 * PutRolePermissionsBoundary sets), attach only the managed policies the service template names (`iam:PolicyARN`).
 * The Deny statements hold whatever else the role is given (the user's `deploy.statements`): no boundary removed, no
 * role written without it, no other policy attached, the boundary policy itself never changed. So a template that
 * reaches the pipeline cannot make a role that can do more than the boundary allows.
 */
function roleStatements(s: Scope): IamStatement[] {
  const boundary = s.permissionsBoundary;
  const withBoundary = { StringEquals: { "iam:PermissionsBoundary": boundary } };
  return [
    {
      Effect: "Allow",
      Action: [
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListRoleTags",
        "iam:ListInstanceProfilesForRole",
        "iam:TagRole",
        "iam:UntagRole",
      ],
      Resource: s.roles,
    },
    { Effect: "Allow", Action: ROLE_WRITES, Resource: s.roles, Condition: withBoundary },
    ...(s.managedPolicies.length > 0
      ? [
          {
            Effect: "Allow" as const,
            Action: ATTACH,
            Resource: s.roles,
            Condition: { ...withBoundary, ArnEquals: { "iam:PolicyARN": s.managedPolicies } },
          },
        ]
      : []),
    { Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary"], Resource: ["*"] },
    {
      Effect: "Deny",
      Action: [...ROLE_WRITES, ...ATTACH],
      Resource: ["*"],
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundary } },
    },
    s.managedPolicies.length > 0
      ? {
          Effect: "Deny",
          Action: ["iam:AttachRolePolicy"],
          Resource: ["*"],
          Condition: { ArnNotEquals: { "iam:PolicyARN": s.managedPolicies } },
        }
      : { Effect: "Deny", Action: ["iam:AttachRolePolicy"], Resource: ["*"] },
    {
      Effect: "Deny",
      Action: [
        "iam:CreatePolicyVersion",
        "iam:DeletePolicy",
        "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
      ],
      Resource: [boundary],
    },
  ];
}

function apiGateway(s: Scope): IamStatement[] {
  return [
    {
      Effect: "Allow",
      Action: [
        "apigateway:GET",
        "apigateway:POST",
        "apigateway:PUT",
        "apigateway:PATCH",
        "apigateway:DELETE",
      ],
      Resource: s.httpApis,
    },
  ];
}

/** Resource types the deploy role has built-in least-privilege actions for. */
export const SUPPORTED_RESOURCE_TYPES: readonly string[] = Object.keys(DEPLOY_ACTIONS);

/**
 * The deploy role's statements for a service whose template holds `resourceTypes`, scoped to `stackNames` (and to
 * the bucket, topic and log group names of `serviceTemplate`; without it, to any). Throws
 * `MissingDeployPermissionsError` naming any type without built-in actions (pass `extra` statements and `allowTypes`
 * for those), and when the types hold `AWS::IAM::Role` but no `permissionsBoundary` is given: the deploy role writes
 * only roles that carry one.
 */
export function deployStatements(
  resourceTypes: readonly string[],
  stackNames: readonly string[],
  options: {
    extra?: readonly IamStatement[];
    allowTypes?: readonly string[];
    /** The built service template: scopes buckets, topics and subscribed log groups to the names it gives. */
    serviceTemplate?: ServiceTemplate;
    /** ARN (or an intrinsic giving it) of the permissions boundary every role of the stages carries. */
    permissionsBoundary?: unknown;
  } = {},
): IamStatement[] {
  const types = [...new Set(resourceTypes)].sort();
  const unknown = types.filter((t) => !DEPLOY_ACTIONS[t] && !options.allowTypes?.includes(t));
  if (unknown.length > 0) {
    throw new MissingDeployPermissionsError(
      `The service template holds ${unknown.join(", ")}, for which the pipeline's deploy role has no ` +
        `built-in least-privilege actions (built in: ${SUPPORTED_RESOURCE_TYPES.join(", ")}). Pass them to the ` +
        `pipeline, e.g. codePipeline({ deploy: { allowTypes: ["${unknown[0]}"], statements: [{ Effect: "Allow", ` +
        `Action: ["sqs:CreateQueue", ...], Resource: [...] }] } }).`,
    );
  }
  if (types.includes("AWS::IAM::Role") && options.permissionsBoundary === undefined) {
    throw new MissingDeployPermissionsError(
      "The service template holds AWS::IAM::Role, and the pipeline's deploy role creates roles only with a " +
        "permissions boundary; pass it, e.g. deployStatements(types, stacks, { permissionsBoundary: " +
        '"arn:aws:iam::123456789012:policy/sparta-boundary" }).',
    );
  }
  const scope = stackScoped(
    stackNames,
    options.serviceTemplate,
    options.permissionsBoundary,
    types.includes("AWS::CloudWatch::CompositeAlarm"),
  );
  const statements: IamStatement[] = [];
  const seen = new Set<string>();
  for (const type of types) {
    for (const statement of DEPLOY_ACTIONS[type]?.(scope) ?? []) {
      const key = JSON.stringify(statement);
      if (!seen.has(key)) {
        seen.add(key);
        statements.push(statement);
      }
    }
  }
  for (const statement of options.extra ?? []) statements.push(statement);
  return statements;
}

/**
 * What the deploy role needs beyond a function type's own actions, for the settings the service's functions use
 * (read from the built service template): Lambda checks a VPC's subnets and security groups with the caller's
 * `ec2:DescribeSecurityGroups`, `ec2:DescribeSubnets` and `ec2:DescribeVpcs` (Lambda developer guide, "Giving
 * Lambda functions access to resources in an Amazon VPC": user permissions; Describe actions take no resource ARN),
 * and reads each layer version with `lambda:GetLayerVersion` (on the layers named in the template, or on any layer
 * when one is given by an intrinsic the pipeline cannot resolve).
 */
export function functionSettingStatements(template: ServiceTemplate): IamStatement[] {
  const statements: IamStatement[] = [];
  const functions = resourcesOf(template, "AWS::Lambda::Function");
  if (functions.some((f) => f.Properties?.VpcConfig !== undefined))
    statements.push({
      Effect: "Allow",
      Action: ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
      Resource: ["*"],
    });
  const layers = functions.flatMap((f) => {
    const l = f.Properties?.Layers;
    return Array.isArray(l) ? l : l === undefined ? [] : [l];
  });
  if (layers.length > 0)
    statements.push({
      Effect: "Allow",
      Action: ["lambda:GetLayerVersion"],
      Resource: layers.every((l) => typeof l === "string")
        ? [...new Set(layers as string[])].sort()
        : // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
          [sub("arn:${AWS::Partition}:lambda:*:*:layer:*:*")],
    });
  return statements;
}

// `{{resolve:secretsmanager:<name or ARN>...`; in an Fn::Sub the name may hold a `${Parameter}`.
const SECRET_NAME_PART = String.raw`(?:\$\{[^}]*\}|[^:}])+`;
const SECRET_REFERENCE = new RegExp(
  String.raw`\{\{resolve:secretsmanager:(arn:[^:}]*:secretsmanager:[^:}]*:[^:}]*:secret:` +
    `${SECRET_NAME_PART}|${SECRET_NAME_PART})`,
  "g",
);

/**
 * What CloudFormation needs to resolve the template's Secrets Manager dynamic references
 * (`{{resolve:secretsmanager:...}}`, which it resolves with the deploy role's permissions): `GetSecretValue` on
 * exactly those secrets. A secret named by a template parameter (`${EnvAPIKEY}` in an `Fn::Sub`) takes the values
 * `parameterValues` gives it (the pipeline's environments); one the pipeline cannot know makes this throw.
 */
export function secretStatements(
  template: ServiceTemplate,
  parameterValues: Readonly<Record<string, readonly string[]>> = {},
): IamStatement[] {
  const ids = new Set<string>();
  const visit = (value: unknown, inSub: boolean): void => {
    if (typeof value === "string") {
      for (const m of value.matchAll(SECRET_REFERENCE)) {
        const id = m[1]!;
        const variables = inSub ? [...id.matchAll(/\$\{([^!}][^}]*)\}/g)].map((v) => v[1]!) : [];
        let expanded = [id];
        for (const name of variables) {
          const values = parameterValues[name];
          if (!values) {
            throw new MissingDeployPermissionsError(
              `The service template reads a Secrets Manager secret named by \${${name}}, which the pipeline cannot ` +
                `know, so its deploy role could not be allowed to resolve it. Name the secret literally, e.g. ` +
                `{ secretsManager: "prod/api-key" }.`,
            );
          }
          expanded = expanded.flatMap((e) =>
            values.map((v) => e.replaceAll(`\${${name}}`, v.split(":SecretString:")[0]!)),
          );
        }
        for (const e of expanded) ids.add(e);
      }
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v, inSub);
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, inSub || k === "Fn::Sub");
    }
  };
  visit(template.Resources ?? {}, false);
  if (ids.size === 0) return [];
  const arns = [...ids].sort().flatMap((id) => {
    // A name, or an ARN with or without Secrets Manager's six-character suffix: both forms are allowed.
    const arn = id.startsWith("arn:")
      ? id
      : `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${id}`;
    const forms = [arn, `${arn}-??????`];
    return forms.map((a) => (a.includes("${") ? sub(a) : a));
  });
  return [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: arns }];
}

/**
 * The statements of the permissions boundary the pipeline gives every role of its stages: the actions the service
 * template's roles are allowed (on `*`: a boundary only caps what a role's own policies grant), so a role a changed
 * template creates can never do more than the service's roles could when the pipeline was provisioned. When those
 * actions include IAM's, it also denies what would escape the boundary: creating a role without it, removing it,
 * or changing the boundary policy itself (`boundaryArn`).
 */
export function boundaryStatements(
  template: ServiceTemplate | undefined,
  boundaryArn: unknown,
): IamStatement[] {
  const actions = new Set<string>();
  for (const r of resourcesOf(template, "AWS::IAM::Role")) {
    const policies = r.Properties?.Policies;
    for (const policy of Array.isArray(policies) ? policies : []) {
      const statements = (policy as { PolicyDocument?: { Statement?: unknown } }).PolicyDocument?.Statement;
      for (const st of Array.isArray(statements) ? statements : statements ? [statements] : []) {
        const statement = st as { Effect?: string; Action?: unknown };
        if (statement.Effect !== "Allow") continue;
        for (const a of Array.isArray(statement.Action) ? statement.Action : [statement.Action])
          if (typeof a === "string") actions.add(a);
      }
    }
  }
  if (actions.has("*")) {
    throw new InvalidPipelineOptionsError(
      `A role of the service is allowed every action ("*"), so the permissions boundary the pipeline derives from ` +
        `the service would allow everything. List the actions the functions need in their privileges, or give the ` +
        `service a boundary of your own: defineService({ permissionsBoundary: "arn:aws:iam::123456789012:policy/NAME" }).`,
    );
  }
  // Without a template: what every function role of @sparta/cli has.
  if (!template) for (const a of ["logs:CreateLogStream", "logs:PutLogEvents"]) actions.add(a);
  if (actions.size === 0) actions.add("logs:PutLogEvents");
  const statements: IamStatement[] = [{ Effect: "Allow", Action: [...actions].sort(), Resource: ["*"] }];
  if ([...actions].some((a) => a.toLowerCase().startsWith("iam:"))) {
    statements.push(
      {
        Effect: "Deny",
        Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
        Resource: ["*"],
        Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundaryArn } },
      },
      { Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary"], Resource: ["*"] },
      {
        Effect: "Deny",
        Action: [
          "iam:CreatePolicyVersion",
          "iam:DeletePolicy",
          "iam:DeletePolicyVersion",
          "iam:SetDefaultPolicyVersion",
        ],
        Resource: [boundaryArn],
      },
    );
  }
  return statements;
}

/**
 * Every action an IAM statement of the template allows (roles' inline policies, managed policies, bucket
 * policies). A `Deny` grants nothing, so its actions (e.g. a TLS-only bucket policy's `s3:*`) are not listed.
 */
export function collectIamActions(template: { Resources?: Record<string, unknown> }): string[] {
  const actions: string[] = [];
  const visit = (value: unknown, inPolicy: boolean): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, inPolicy);
    } else if (value && typeof value === "object") {
      if (inPolicy && (value as { Effect?: unknown }).Effect === "Deny") return;
      for (const [key, v] of Object.entries(value)) {
        if ((key === "Action" || key === "NotAction") && inPolicy) {
          for (const a of Array.isArray(v) ? v : [v]) actions.push(String(a));
        } else {
          visit(v, inPolicy || key === "Statement");
        }
      }
    }
  };
  visit(template.Resources ?? {}, false);
  return actions;
}

/**
 * IAM's quotas ("IAM and AWS STS quotas"), in characters, whitespace not counted: all of a role's inline policies
 * together, one managed policy, and managed policies attached to one role (the default quota).
 */
export const IAM_LIMITS = {
  inlineRolePolicies: 10_240,
  managedPolicy: 6_144,
  managedPoliciesPerRole: 10,
} as const;

// The longest values CloudFormation may substitute: partitions (`aws-us-gov`, `aws-iso-b`, ...), Regions
// (`ap-southeast-2`, `us-isob-east-1`, ...), account ids; any other reference or variable: an ARN-sized string.
const WORST_CASE: Record<string, number> = {
  "AWS::Partition": 12,
  "AWS::Region": 16,
  "AWS::AccountId": 12,
  "AWS::URLSuffix": 20,
};
const OTHER_VALUE = 128;

/**
 * The length of a policy document once CloudFormation resolves its intrinsics, at worst (longest partition, Region
 * and account id; an ARN-sized string for any other reference), as IAM counts it (no whitespace).
 */
export function worstCasePolicyChars(document: unknown): number {
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== "object") return value;
    const entries = Object.entries(value);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key === "Fn::Sub") {
      const text = Array.isArray(arg) ? arg[0] : arg;
      if (typeof text === "string")
        return text.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) =>
          "x".repeat(WORST_CASE[name] ?? OTHER_VALUE),
        );
    }
    if (entries.length === 1 && key !== undefined && (key === "Ref" || key.startsWith("Fn::")))
      return "x".repeat(typeof arg === "string" && WORST_CASE[arg] ? WORST_CASE[arg] : OTHER_VALUE);
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  };
  return JSON.stringify(resolve(document)).replace(/\s+/g, "").length;
}
