import { createHash } from "node:crypto";
import { stackBucketArn, stackBucketName } from "@sparta/operations";
import { credentialLike, tlsOnlyBucketPolicy } from "@sparta/template";
import { authorizerResources, httpApiProblems, routeAuthorization } from "./authorizers.js";
import { FRAGMENT_SECTIONS, fragmentProblem } from "./checks.js";
import { HookError, ServiceDefinitionError } from "./errors.js";
import { applyPermissionsBoundary, lambdaRole, pascalId, RUNTIME } from "./lambda-resources.js";
import {
  bucketArn,
  type ExistingBucketTrigger,
  existingBucketResources,
  s3EventProblems,
} from "./s3-notifications.js";
import type {
  DecoratorResult,
  FunctionDef,
  FunctionLogicalIds,
  SecretReference,
  ServiceDefinition,
  TemplateDocument,
  TemplateFragment,
} from "./service.js";
import { applyFunctionDefaults } from "./service.js";

export { RUNTIME } from "./lambda-resources.js";
/** Name of the template parameter carrying the S3 bucket that holds the code ZIPs. */
export const ARTIFACT_BUCKET_PARAMETER = "ArtifactBucket";
export const DEFAULT_MEMORY = 256;
export const DEFAULT_TIMEOUT = 10;

type Resource = TemplateDocument["Resources"][string];
type Statement = {
  Effect: "Allow";
  Action: string[];
  Resource: unknown[];
  Condition?: Record<string, unknown>;
};

const ref = (id: string) => ({ Ref: id });
const getAtt = (id: string, attr: string) => ({ "Fn::GetAtt": [id, attr] });
const sub = (s: string) => ({ "Fn::Sub": s });
const shortHash = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8).toUpperCase();

/** The function's optional runtime settings as `AWS::Lambda::Function` properties. */
function runtimeProperties(fn: FunctionDef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (fn.architecture) out.Architectures = [fn.architecture];
  if (fn.reservedConcurrency !== undefined) out.ReservedConcurrentExecutions = fn.reservedConcurrency;
  if (fn.ephemeralStorage !== undefined) out.EphemeralStorage = { Size: fn.ephemeralStorage };
  if (fn.tracing) out.TracingConfig = { Mode: fn.tracing };
  if (fn.layers) out.Layers = fn.layers;
  if (fn.vpc)
    // Lists, or intrinsics giving lists (e.g. a Ref to a List<AWS::EC2::Subnet::Id> parameter).
    out.VpcConfig = { SubnetIds: fn.vpc.subnetIds, SecurityGroupIds: fn.vpc.securityGroupIds };
  if (fn.deadLetter)
    out.DeadLetterConfig = {
      TargetArn: "queueArn" in fn.deadLetter ? fn.deadLetter.queueArn : fn.deadLetter.topicArn,
    };
  return out;
}

/**
 * What the generated role needs for those settings. Only X-Ray's two write actions and the VPC network-interface
 * actions are granted on `*`: neither service supports resource-level permissions for them (the AWS managed
 * policies AWSXRayDaemonWriteAccess and AWSLambdaVPCAccessExecutionRole grant the same on `*`).
 */
function runtimeStatements(fn: FunctionDef): Statement[] {
  const statements: Statement[] = [];
  if (fn.tracing === "Active")
    statements.push({
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      Resource: ["*"],
    });
  if (fn.vpc)
    statements.push({
      Effect: "Allow",
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      Resource: ["*"],
    });
  if (fn.deadLetter)
    statements.push(
      "queueArn" in fn.deadLetter
        ? { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [fn.deadLetter.queueArn] }
        : { Effect: "Allow", Action: ["sns:Publish"], Resource: [fn.deadLetter.topicArn] },
    );
  return statements;
}

/**
 * The function's `Environment.Variables` and what its role needs for them: a Secrets Manager secret becomes a
 * dynamic reference CloudFormation resolves when it deploys; a Parameter Store SecureString (which CloudFormation
 * cannot put into a Lambda environment) is given by name, and the role may read (and decrypt) exactly it.
 */
function environmentOf(fn: FunctionDef): { variables?: Record<string, string>; statements: Statement[] } {
  const entries = Object.entries(fn.environment ?? {});
  if (entries.length === 0) return { statements: [] };
  const variables: Record<string, string> = {};
  const parameters: string[] = [];
  const keys: unknown[] = [];
  for (const [key, value] of entries) {
    if (typeof value === "string") variables[key] = value;
    else if ("secretsManager" in value) variables[key] = secretsManagerReference(value);
    else {
      variables[key] = value.ssmParameter;
      parameters.push(value.ssmParameter.replace(/^\//, ""));
      if (value.kmsKeyArn !== undefined) keys.push(value.kmsKeyArn);
    }
  }
  const statements: Statement[] = [];
  if (parameters.length > 0)
    statements.push({
      Effect: "Allow",
      Action: ["ssm:GetParameter"],
      Resource: [...new Set(parameters)].map((p) =>
        sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${p}`),
      ),
    });
  if (keys.length > 0)
    statements.push({
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: keys,
      // Only to read the parameters, through Parameter Store.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      Condition: { StringEquals: { "kms:ViaService": sub("ssm.${AWS::Region}.amazonaws.com") } },
    });
  return { variables, statements };
}

const secretsManagerReference = (s: Extract<SecretReference, { secretsManager: string }>) =>
  `{{resolve:secretsmanager:${s.secretsManager}${s.jsonKey === undefined ? "" : `:SecretString:${s.jsonKey}`}}}`;

/** A warning for each plain environment value of the service that looks like a credential. */
function credentialWarnings(service: ServiceDefinition): string[] {
  return service.functions.flatMap((fn) =>
    Object.entries(fn.environment ?? {}).flatMap(([key, value]) => {
      const what = typeof value === "string" ? credentialLike(key, value) : undefined;
      return what
        ? [
            `functions[${fn.name}].environment.${key} looks like ${what}; a plain value is written in clear into the ` +
              `template and the function's configuration. Keep it in Secrets Manager and give ${key}: ` +
              `{ secretsManager: "${fn.name}/${key.toLowerCase()}" } (or a Parameter Store SecureString: ` +
              `{ ssmParameter: "/${fn.name}/${key.toLowerCase()}" }).`,
          ]
        : [];
    }),
  );
}

export { pascalId } from "./lambda-resources.js";

export function functionLogicalIds(fn: FunctionDef): FunctionLogicalIds {
  const base = pascalId(fn.name);
  return {
    function: `${base}Function`,
    role: fn.roleName ? undefined : `${base}Role`,
    logGroup: `${base}LogGroup`,
  };
}

/** Where each function's code lives: the packager's content-addressed key and the handler inside the ZIP. */
export interface FunctionCode {
  key: string;
  /** `index.handler` unless the packager says otherwise. */
  handler: string;
}

/**
 * Turn a validated service into a CloudFormation template (plain JSON). The code bucket is the
 * `ArtifactBucket` parameter; each function's `S3Key` is its artifact's content-addressed key.
 * Function decorators run first (in function order), then service decorators.
 */
export async function marshalService(
  service: ServiceDefinition,
  code: Record<string, FunctionCode>,
  reporter?: { warn(message: string): void },
): Promise<TemplateDocument> {
  service = applyFunctionDefaults(service);
  for (const warning of credentialWarnings(service)) reporter?.warn(warning);
  const boundary = service.permissionsBoundary;
  const resources: Record<string, Resource> = {};
  const outputs: NonNullable<TemplateDocument["Outputs"]> = {};
  const parameters: NonNullable<TemplateDocument["Parameters"]> = {
    [ARTIFACT_BUCKET_PARAMETER]: {
      Type: "String",
      Description: "S3 bucket holding the function code ZIPs (sparta provision --s3Bucket)",
    },
  };
  for (const [name, p] of Object.entries(service.parameters ?? {})) {
    parameters[name] = {
      Type: p.type ?? "String",
      ...(p.default !== undefined ? { Default: p.default } : {}),
      ...(p.description !== undefined ? { Description: p.description } : {}),
      ...(p.allowedValues !== undefined ? { AllowedValues: p.allowedValues } : {}),
    };
  }
  const put = (id: string, r: Resource, owner: string) => {
    if (resources[id]) {
      throw new ServiceDefinitionError([
        {
          path: owner,
          message: `generates logical id ${id}, which another function already uses; rename one`,
        },
      ]);
    }
    resources[id] = r;
  };

  const hasHttp = service.functions.some((f) => f.events?.some((e) => e.type === "httpApi"));
  if (hasHttp) {
    resources.HttpApi = {
      Type: "AWS::ApiGatewayV2::Api",
      Properties: { Name: ref("AWS::StackName"), ProtocolType: "HTTP" },
    };
    resources.HttpApiDefaultStage = {
      Type: "AWS::ApiGatewayV2::Stage",
      Properties: { ApiId: ref("HttpApi"), StageName: "$default", AutoDeploy: true },
    };
    outputs.HttpApiUrl = {
      Description: "Base URL of the service's HTTP API",
      Value: sub(`https://\${HttpApi}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}`),
    };
  }
  const apiProblems = httpApiProblems(service as unknown as Record<string, unknown>);
  if (apiProblems.length > 0) throw new ServiceDefinitionError(apiProblems);
  if (hasHttp)
    for (const [id, r] of Object.entries(
      authorizerResources(
        service.httpApi,
        "HttpApi",
        (name) => functionLogicalIds({ name, handler: "" }).function,
      ),
    ))
      put(id, r, `service.httpApi.authorizers`);
  const buckets = new Map<string, { configs: unknown[]; dependsOn: string[] }>();
  const existing: ExistingBucketTrigger[] = [];

  for (const fn of service.functions) {
    const ids = functionLogicalIds(fn);
    const at = `functions[${fn.name}]`;
    const fnArn = getAtt(ids.function, "Arn");
    const c = code[fn.name];
    if (!c)
      throw new ServiceDefinitionError([
        { path: at, message: "has no built artifact (internal: packager skipped it)" },
      ]);
    const statements: Statement[] = [
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [getAtt(ids.logGroup, "Arn")],
      },
    ];
    for (const p of fn.privileges ?? [])
      statements.push({ Effect: "Allow", Action: p.actions, Resource: p.resources });
    statements.push(...runtimeStatements(fn));
    const { variables: environment, statements: environmentStatements } = environmentOf(fn);
    statements.push(...environmentStatements);

    put(ids.logGroup, { Type: "AWS::Logs::LogGroup", Properties: { RetentionInDays: 14 } }, at);
    put(
      ids.function,
      {
        Type: "AWS::Lambda::Function",
        Properties: {
          ...(fn.description ? { Description: fn.description } : {}),
          Code: { S3Bucket: ref(ARTIFACT_BUCKET_PARAMETER), S3Key: c.key },
          Handler: c.handler,
          Runtime: RUNTIME,
          MemorySize: fn.memorySize ?? DEFAULT_MEMORY,
          Timeout: fn.timeout ?? DEFAULT_TIMEOUT,
          Role: ids.role
            ? getAtt(ids.role, "Arn")
            : sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${fn.roleName}`),
          LoggingConfig: { LogGroup: ref(ids.logGroup) },
          ...(environment ? { Environment: { Variables: environment } } : {}),
          ...runtimeProperties(fn),
          Tags: [{ Key: "sparta:function", Value: fn.name }],
        },
      },
      at,
    );
    outputs[`${pascalId(fn.name)}Arn`] = { Description: `ARN of function ${fn.name}`, Value: fnArn };
    outputs[`${pascalId(fn.name)}CodeKey`] = {
      Description: `Code artifact of function ${fn.name}`,
      Value: c.key,
    };

    const permission = (
      id: string,
      principal: string,
      sourceArn: unknown,
      extra: Record<string, unknown> = {},
    ) =>
      put(
        id,
        {
          Type: "AWS::Lambda::Permission",
          Properties: {
            Action: "lambda:InvokeFunction",
            FunctionName: fnArn,
            Principal: principal,
            ...(sourceArn === undefined ? {} : { SourceArn: sourceArn }),
            ...extra,
          },
        },
        at,
      );
    const pullers: string[] = [];

    (fn.events ?? []).forEach((e, j) => {
      const eid = `${pascalId(fn.name)}${pascalId(e.type)}Trigger${j}`;
      switch (e.type) {
        case "httpApi": {
          const integration = `${pascalId(fn.name)}HttpIntegration`;
          if (!resources[integration]) {
            put(
              integration,
              {
                Type: "AWS::ApiGatewayV2::Integration",
                Properties: {
                  ApiId: ref("HttpApi"),
                  IntegrationType: "AWS_PROXY",
                  IntegrationUri: fnArn,
                  PayloadFormatVersion: "2.0",
                },
              },
              at,
            );
            permission(
              `${pascalId(fn.name)}HttpPermission`,
              "apigateway.amazonaws.com",
              sub(`arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${HttpApi}/*`),
            );
          }
          const routeKey = `${e.method} ${e.path}`;
          put(
            `${pascalId(fn.name)}Route${shortHash(routeKey)}`,
            {
              Type: "AWS::ApiGatewayV2::Route",
              Properties: {
                ApiId: ref("HttpApi"),
                RouteKey: routeKey,
                Target: { "Fn::Join": ["/", ["integrations", ref(integration)]] },
                ...routeAuthorization(service.httpApi, e),
              },
            },
            at,
          );
          break;
        }
        case "functionUrl": {
          // Private by default: a public URL (Principal "*") only when the user writes authType: "NONE".
          const authType = e.authType ?? "AWS_IAM";
          put(
            `${pascalId(fn.name)}Url`,
            { Type: "AWS::Lambda::Url", Properties: { TargetFunctionArn: fnArn, AuthType: authType } },
            at,
          );
          if (authType === "NONE") {
            put(
              `${pascalId(fn.name)}UrlPermission`,
              {
                Type: "AWS::Lambda::Permission",
                Properties: {
                  Action: "lambda:InvokeFunctionUrl",
                  FunctionName: fnArn,
                  Principal: "*",
                  FunctionUrlAuthType: "NONE",
                },
              },
              at,
            );
          }
          outputs[`${pascalId(fn.name)}FunctionUrl`] = {
            Description: `Function URL of ${fn.name}`,
            Value: getAtt(`${pascalId(fn.name)}Url`, "FunctionUrl"),
          };
          break;
        }
        case "s3": {
          const problems = s3EventProblems(e as unknown as Record<string, unknown>, `${at}.events[${j}]`);
          if (problems.length > 0) throw new ServiceDefinitionError(problems);
          if (e.existingBucket !== undefined) {
            permission(`${eid}Permission`, "s3.amazonaws.com", bucketArn(e.existingBucket), {
              SourceAccount: ref("AWS::AccountId"),
            });
            existing.push({
              id: `${eid}Notification`,
              bucket: e.existingBucket,
              functionArn: fnArn,
              events: e.events ?? ["s3:ObjectCreated:*"],
              ...(e.prefix ? { prefix: e.prefix } : {}),
              ...(e.suffix ? { suffix: e.suffix } : {}),
              permission: `${eid}Permission`,
            });
            break;
          }
          // Unique per stack: two stages of the service in one account must not both create it.
          permission(`${eid}Permission`, "s3.amazonaws.com", stackBucketArn(e.bucket), {
            SourceAccount: ref("AWS::AccountId"),
          });
          const rules = [
            ...(e.prefix ? [{ Name: "prefix", Value: e.prefix }] : []),
            ...(e.suffix ? [{ Name: "suffix", Value: e.suffix }] : []),
          ];
          const b = buckets.get(e.bucket) ?? { configs: [], dependsOn: [] };
          for (const event of e.events ?? ["s3:ObjectCreated:*"]) {
            b.configs.push({
              Event: event,
              Function: fnArn,
              ...(rules.length ? { Filter: { S3Key: { Rules: rules } } } : {}),
            });
          }
          b.dependsOn.push(`${eid}Permission`);
          buckets.set(e.bucket, b);
          break;
        }
        case "sns":
          put(
            `${eid}Subscription`,
            {
              Type: "AWS::SNS::Subscription",
              Properties: { Protocol: "lambda", Endpoint: fnArn, TopicArn: e.topicArn },
            },
            at,
          );
          permission(`${eid}Permission`, "sns.amazonaws.com", e.topicArn);
          break;
        case "sqs":
          statements.push({
            Effect: "Allow",
            Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            Resource: [e.queueArn],
          });
          pullers.push(`${eid}Mapping`);
          put(
            `${eid}Mapping`,
            {
              Type: "AWS::Lambda::EventSourceMapping",
              Properties: {
                EventSourceArn: e.queueArn,
                FunctionName: ref(ids.function),
                ...(e.batchSize ? { BatchSize: e.batchSize } : {}),
              },
            },
            at,
          );
          break;
        case "dynamodb":
        case "kinesis":
          // Lambda's execution-role actions for the source (the managed policies AWSLambdaDynamoDBExecutionRole and
          // AWSLambdaKinesisExecutionRole), on the stream; dynamodb:ListStreams takes no resource type, only "*";
          // kinesis:SubscribeToShard is left out: it acts on an enhanced fan-out consumer, which the trigger has not.
          statements.push({
            Effect: "Allow",
            Action:
              e.type === "dynamodb"
                ? ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
                : [
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:ListShards",
                  ],
            Resource: [e.streamArn],
          });
          if (e.type === "dynamodb" && !statements.some((s) => s.Action.includes("dynamodb:ListStreams")))
            statements.push({ Effect: "Allow", Action: ["dynamodb:ListStreams"], Resource: ["*"] });
          pullers.push(`${eid}Mapping`);
          put(
            `${eid}Mapping`,
            {
              Type: "AWS::Lambda::EventSourceMapping",
              Properties: {
                EventSourceArn: e.streamArn,
                FunctionName: ref(ids.function),
                StartingPosition: e.startingPosition ?? "LATEST",
                ...(e.batchSize ? { BatchSize: e.batchSize } : {}),
              },
            },
            at,
          );
          break;
        case "schedule":
        case "eventPattern": {
          put(
            `${eid}Rule`,
            {
              Type: "AWS::Events::Rule",
              Properties: {
                ...(e.type === "schedule"
                  ? { ScheduleExpression: e.expression, State: e.enabled === false ? "DISABLED" : "ENABLED" }
                  : {
                      EventPattern: e.pattern,
                      State: "ENABLED",
                      ...(e.eventBusName ? { EventBusName: e.eventBusName } : {}),
                    }),
                Targets: [{ Arn: fnArn, Id: ids.function }],
              },
            },
            at,
          );
          permission(`${eid}Permission`, "events.amazonaws.com", getAtt(`${eid}Rule`, "Arn"));
          break;
        }
        case "cloudwatchLogs":
          permission(
            `${eid}Permission`,
            "logs.amazonaws.com",
            sub(
              `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${e.logGroupName}:*`,
            ),
          );
          put(
            `${eid}Filter`,
            {
              Type: "AWS::Logs::SubscriptionFilter",
              DependsOn: [`${eid}Permission`],
              Properties: {
                LogGroupName: e.logGroupName,
                FilterPattern: e.filterPattern ?? "",
                DestinationArn: fnArn,
              },
            },
            at,
          );
          break;
      }
    });

    if (ids.role) {
      put(ids.role, lambdaRole(`${fn.name}-privileges`, statements, boundary), at);
      // Pull-based sources validate the role's permissions when the mapping is created.
      for (const id of pullers) resources[id]!.DependsOn = [ids.role];
    }
  }

  for (const [bucket, b] of buckets) {
    const id = `${pascalId(bucket)}Bucket`;
    put(
      id,
      {
        Type: "AWS::S3::Bucket",
        DependsOn: b.dependsOn,
        Properties: {
          BucketName: stackBucketName(bucket),
          NotificationConfiguration: { LambdaConfigurations: b.configs },
        },
      },
      `s3 bucket ${bucket}`,
    );
    // Requests to the bucket over plain HTTP are refused.
    put(
      `${id}Policy`,
      {
        Type: "AWS::S3::BucketPolicy",
        Properties: { Bucket: ref(id), PolicyDocument: tlsOnlyBucketPolicy(getAtt(id, "Arn")) },
      },
      `s3 bucket ${bucket}`,
    );
    outputs[`${id}Name`] = { Description: `Bucket ${bucket}`, Value: ref(id) };
  }

  for (const [id, r] of Object.entries(existingBucketResources(existing, boundary)))
    put(id, r, "s3 existingBucket triggers");

  const template: TemplateDocument = {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: service.description ?? `Sparta service ${service.name}`,
    Parameters: parameters,
    Resources: resources,
    Outputs: outputs,
  };

  for (const fn of service.functions) {
    if (!fn.decorator) continue;
    const fragment = await runDecorator(`functions[${fn.name}].decorator`, () =>
      fn.decorator!({ service, fn, logicalIds: functionLogicalIds(fn), template }),
    );
    mergeFragment(template, fragment, `functions[${fn.name}].decorator`);
  }
  for (const [i, decorate] of (service.decorators ?? []).entries()) {
    const fragment = await runDecorator(`service.decorators[${i}]`, () =>
      // build.ts splits a template over CloudFormation's quotas into nested stacks: no quota warnings
      decorate({
        service,
        template,
        ...(reporter ? { reporter: { warn: (m: string) => reporter.warn(m), splitsOverQuotas: true } } : {}),
      }),
    );
    mergeFragment(template, fragment, `service.decorators[${i}]`);
  }
  checkBoundaryReferences(template, boundary);
  // Roles the decorators added carry the boundary too.
  return applyPermissionsBoundary(template, boundary);
}

/**
 * The parameters, resources and conditions `permissionsBoundary` names must be in the template (a decorator may add
 * them, as `pipeline.decorator` does for `pipeline.permissionsBoundary`).
 */
function checkBoundaryReferences(template: TemplateDocument, boundary: unknown): void {
  if (boundary === undefined || typeof boundary !== "object") return;
  const missing = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "Ref" && typeof x === "string" && !x.startsWith("AWS::"))
          if (!template.Parameters?.[x] && !template.Resources[x]) missing.add(x);
        if (k === "Fn::If" && Array.isArray(x) && typeof x[0] === "string")
          if (!(template.Conditions as Record<string, unknown> | undefined)?.[x[0]]) missing.add(x[0]);
        visit(x);
      }
    }
  };
  visit(boundary);
  if (missing.size > 0)
    throw new ServiceDefinitionError([
      {
        path: "service.permissionsBoundary",
        message:
          `names ${[...missing].join(", ")}, which the template lacks; a decorator must add them (with ` +
          `@sparta/pipeline's pipeline.permissionsBoundary, add pipeline.decorator to decorators)`,
      },
    ]);
}

async function runDecorator(
  where: string,
  run: () => DecoratorResult,
): Promise<TemplateFragment | undefined> {
  let value: unknown;
  try {
    value = await run();
  } catch (error) {
    throw new HookError(`${where} threw: ${(error as Error).message}`, { cause: error });
  }
  return (value ?? undefined) as TemplateFragment | undefined;
}

function mergeFragment(
  template: TemplateDocument,
  fragment: TemplateFragment | undefined,
  where: string,
): void {
  // A decorator that edited the template and returned it has nothing more to add.
  if (!fragment || fragment === template) return;
  const problem = fragmentProblem(fragment);
  if (problem) throw new HookError(`${where} ${problem}`);
  for (const section of FRAGMENT_SECTIONS) {
    const add = fragment[section];
    if (!add) continue;
    if (!template[section]) template[section] = {};
    const target = template[section] as Record<string, unknown>;
    for (const [id, value] of Object.entries(add)) {
      if (id in target) {
        throw new HookError(
          `${where} returned ${section}.${id}, which already exists; choose another logical id`,
        );
      }
      target[id] = value;
    }
  }
}
