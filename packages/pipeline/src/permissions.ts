import { MissingDeployPermissionsError } from "./errors.js";

/** An IAM policy statement as plain JSON; `Action` is always a list of explicit actions, never `*`. */
export interface IamStatement {
  Effect: "Allow";
  Action: string[];
  Resource: unknown[];
  Condition?: Record<string, unknown>;
}

const sub = (s: string) => ({ "Fn::Sub": s });

/**
 * ARNs of what CloudFormation creates for a stack when names are generated (`<stack>-<LogicalId>-<suffix>`),
 * which is how `@sparta/cli` names functions, roles and log groups.
 */
function stackScoped(stackNames: readonly string[]) {
  return {
    functions: stackNames.map((s) =>
      sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${s}-*`),
    ),
    roles: stackNames.map((s) => sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${s}-*`)),
    logGroups: stackNames.flatMap((s) => [
      sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${s}-*`),
      sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${s}-*:*`),
    ]),
    allLogGroups: sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:*`),
    alarms: stackNames.map((s) =>
      sub(`arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${s}-*`),
    ),
    rules: stackNames.map((s) =>
      sub(`arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${s}-*`),
    ),
    httpApis: [
      sub(`arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/apis`),
      sub(`arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/apis/*`),
      sub(`arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/tags/*`),
    ],
  };
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
  "AWS::IAM::Role": (s) => [
    {
      Effect: "Allow",
      Action: [
        "iam:CreateRole",
        "iam:DeleteRole",
        "iam:GetRole",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePolicy",
        "iam:GetRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:ListRolePolicies",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:ListRoleTags",
        "iam:ListInstanceProfilesForRole",
      ],
      Resource: s.roles,
    },
  ],
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
    // A list call: IAM evaluates it against the account's log groups, not the one being read.
    { Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: [s.allLogGroups] },
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
  "AWS::ApiGatewayV2::Api": (s) => apiGateway(s),
  "AWS::ApiGatewayV2::Stage": (s) => apiGateway(s),
  "AWS::ApiGatewayV2::Integration": (s) => apiGateway(s),
  "AWS::ApiGatewayV2::Route": (s) => apiGateway(s),
};

function cloudWatchAlarms(s: Scope): IamStatement[] {
  return [
    {
      Effect: "Allow",
      Action: [
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:PutCompositeAlarm",
        "cloudwatch:DeleteAlarms",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:TagResource",
        "cloudwatch:UntagResource",
        "cloudwatch:ListTagsForResource",
      ],
      Resource: s.alarms,
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
 * The deploy role's statements for a service whose template holds `resourceTypes`, scoped to `stackNames`.
 * Throws `MissingDeployPermissionsError` naming any type without built-in actions (pass `extra` statements and
 * `allowTypes` for those).
 */
export function deployStatements(
  resourceTypes: readonly string[],
  stackNames: readonly string[],
  options: { extra?: readonly IamStatement[]; allowTypes?: readonly string[] } = {},
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
  const scope = stackScoped(stackNames);
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
export function functionSettingStatements(template: { Resources?: Record<string, unknown> }): IamStatement[] {
  const statements: IamStatement[] = [];
  const functions = Object.values(template.Resources ?? {})
    .map((r) => r as { Type?: string; Properties?: Record<string, unknown> })
    .filter((r) => r.Type === "AWS::Lambda::Function");
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
        : [sub("arn:${AWS::Partition}:lambda:*:*:layer:*:*")],
    });
  return statements;
}

/** Every IAM statement's actions in a template (roles' inline policies and managed policies). */
export function collectIamActions(template: { Resources?: Record<string, unknown> }): string[] {
  const actions: string[] = [];
  const visit = (value: unknown, inPolicy: boolean): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, inPolicy);
    } else if (value && typeof value === "object") {
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
