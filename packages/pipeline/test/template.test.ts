import { addAlarms, addDashboard, addSafeDeploy } from "@sparta/operations";
import { validateTemplate } from "@sparta/template";
import { describe, expect, it } from "vitest";
import {
  applyEnvironments,
  buildspec,
  collectIamActions,
  createEnvironmentRegistry,
  deployStatements,
  InvalidPipelineOptionsError,
  MissingDeployPermissionsError,
  type PipelineTemplateOptions,
  parseGitHubRepo,
  pipelineTemplate,
  SUPPORTED_RESOURCE_TYPES,
  UnknownEnvironmentError,
} from "../src/index.js";
import { builtForPipeline, expectGolden, fixture } from "./golden.js";
import { CFN_LINT, cfnLintErrors } from "./lint.js";
import { canParseYaml, parseYaml } from "./yaml.js";

function environments() {
  const registry = createEnvironmentRegistry();
  registry.register("test", { MESSAGE: "Hello from test" });
  registry.register("production", { MESSAGE: "Hello from production" });
  return registry.list();
}

function options(overrides: Partial<PipelineTemplateOptions> = {}): PipelineTemplateOptions {
  return {
    pipelineName: "SpartaCodePipeline",
    repo: parseGitHubRepo("https://github.com/acme/hello#master"),
    source: { kind: "connection" },
    environments: environments(),
    buildspec: buildspec({ packageFileName: "SpartaCodePipeline.zip", environments: ["test", "production"] }),
    ...overrides,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: test access to generated JSON, checked by each expectation
type Json = Record<string, any>;
const resources = (t: Json) => t.Resources as Record<string, Json>;
const stages = (t: Json) => resources(t).Pipeline!.Properties.Stages as Json[];

/** The hello fixture with the alarms `alarms()` of @sparta/operations adds (the real function, not a copy). */
function serviceWithAlarms() {
  const service = addAlarms(builtForPipeline(JSON.parse(fixture("hello-service.json"))));
  return {
    serviceTemplate: service,
    resourceTypes: Object.values(service.Resources as Record<string, { Type: string }>).map((r) => r.Type),
  };
}

/**
 * `@sparta/cli`'s golden `packages/cli/test/golden/s3-existing.template.json` (commit 0079f66), the same JSON: S3
 * triggers on existing buckets, i.e. `Custom::SpartaS3Notification` resources served by the stack's
 * `SpartaS3NotificationFunction`, plus one bucket the stack creates.
 */
const s3ExistingService = () => builtForPipeline(JSON.parse(fixture("s3-existing-service.json"))) as Json;
const typesOf = (service: Json) =>
  Object.values(service.Resources as Record<string, Json>).map((r) => r.Type);
/**
 * `@sparta/cli`'s golden `packages/cli/test/golden/all-sources.template.json` (commit 0079f66), the same JSON: one
 * trigger of every source (http, url, s3 with a bucket the stack creates, sns, sqs, dynamodb, kinesis, schedule,
 * eventPattern, cloudwatchLogs).
 */
const allSourcesService = () => builtForPipeline(JSON.parse(fixture("all-sources-service.json"))) as Json;
/** All sources, decorated by @sparta/operations' own functions: alarms, safeDeploy with CodeDeploy, a dashboard. */
function operatedService(): Json {
  const service = allSourcesService();
  addAlarms(service as never);
  addSafeDeploy(service as never, { shift: "Canary10Percent5Minutes" });
  addDashboard(service as never);
  return service;
}
/** Environments whose API_KEY is a Secrets Manager secret and DB_PASSWORD a Parameter Store SecureString. */
function secretEnvironments() {
  const registry = createEnvironmentRegistry();
  registry.register("test", {
    MESSAGE: "Hello from test",
    API_KEY: { secretsManager: "test/api-key" },
    DB_PASSWORD: { ssmParameter: "/test/db/password" },
  });
  registry.register("production", {
    MESSAGE: "Hello from production",
    API_KEY: { secretsManager: "prod/api-key", jsonKey: "key" },
    DB_PASSWORD: { ssmParameter: "/prod/db/password" },
  });
  return registry.list();
}
/** The hello fixture as the pipeline builds it with those environments, every role bounded by the user's own policy. */
function ownBoundaryService(): Json {
  const service = applyEnvironments(JSON.parse(fixture("hello-service.json")), secretEnvironments()) as Json;
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
  const boundary = { "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/org-boundary" };
  for (const r of Object.values(service.Resources as Record<string, Json>))
    if (r.Type === "AWS::IAM::Role") r.Properties = { ...r.Properties, PermissionsBoundary: boundary };
  return service;
}
/** The deploy role's statements: inline, or in the managed policies it is given past IAM's inline quota. */
const deployRoleOf = (t: Json): Json[] => {
  const role = resources(t).DeployRole!.Properties;
  return [
    ...(role.Policies ?? []).flatMap((p: Json) => p.PolicyDocument.Statement),
    ...(role.ManagedPolicyArns ?? []).flatMap(
      (arn: Json) => resources(t)[arn.Ref]!.Properties.PolicyDocument.Statement,
    ),
  ];
};
/** A policy document's length as IAM counts it, resolved for the longest partition, Region and account id. */
const resolvedChars = (document: unknown) =>
  JSON.stringify(document)
    .replace(/\{"Fn::Sub":("[^"]*")\}/g, "$1")
    .replaceAll("${AWS::Partition}", "aws-us-gov")
    .replaceAll("${AWS::Region}", "ap-southeast-2")
    .replaceAll("${AWS::AccountId}", "123456789012")
    .replace(/\s+/g, "").length;
const withAction = (statements: Json[], action: string) =>
  statements.filter((s) => s.Action.includes(action));
const fnSub = (s: string) => ({ "Fn::Sub": s });
const STAGE_PREFIXES = ["Test", "Prod"].map((p) => `${p}-SpartaCodePipeline-master`);

const variants: [string, Partial<PipelineTemplateOptions>][] = [
  ["connection-manual", {}],
  ["oauth-token", { source: { kind: "oauthToken" }, pullRequests: true, codeBucket: "my-sparta-artifacts" }],
  [
    "secret-gate-pull-requests",
    {
      source: { kind: "oauthSecret", secretId: "github/token", jsonKey: "token" },
      stages: [
        { environment: "test" },
        {
          environment: "production",
          approval: { alarms: ["hello-test-errors", "hello-test-latency"], quietMinutes: 15 },
        },
      ],
      pullRequests: { commands: ["npm ci", "npm test"] },
      resourceTypes: [
        "AWS::IAM::Role",
        "AWS::Lambda::Function",
        "AWS::Logs::LogGroup",
        "AWS::Lambda::Url",
        "AWS::Lambda::Permission",
      ],
    },
  ],
  ["connection-pull-requests", { pullRequests: true }],
  [
    "connection-alarm-gate",
    {
      ...serviceWithAlarms(),
      stages: [
        { environment: "test", approval: "none" },
        { environment: "production", approval: { gate: "alarms", quietMinutes: 15 } },
      ],
    },
  ],
  [
    "s3-existing",
    {
      serviceTemplate: s3ExistingService() as never,
      resourceTypes: typesOf(s3ExistingService()),
    },
  ],
  [
    "all-sources-operations",
    { serviceTemplate: operatedService() as never, resourceTypes: typesOf(operatedService()) },
  ],
  [
    // Secrets per environment, and a service naming its own (an organization's) permissions boundary.
    "secrets-own-boundary",
    {
      environments: secretEnvironments(),
      serviceTemplate: ownBoundaryService() as never,
      resourceTypes: typesOf(ownBoundaryService()),
      pullRequests: { trustedActors: [583231] },
    },
  ],
];

describe("pipelineTemplate", () => {
  it.each(variants)("matches the golden template (%s)", (name, overrides) => {
    expectGolden(
      `pipeline.${name}.json`,
      `${JSON.stringify(pipelineTemplate(options(overrides)), null, 2)}\n`,
    );
  });

  it.each(variants)("passes @sparta/template validation (%s)", (_name, overrides) => {
    expect(validateTemplate(pipelineTemplate(options(overrides)) as never)).toEqual([]);
  });

  it.skipIf(!CFN_LINT)("passes cfn-lint with no error (every variant)", { timeout: 180_000 }, () => {
    const templates = Object.fromEntries(variants.map(([name, o]) => [name, pipelineTemplate(options(o))]));
    expect(cfnLintErrors(templates)).toEqual([]);
  });

  it.each(variants)("grants no IAM statement a wildcard action (%s)", (_name, overrides) => {
    const actions = collectIamActions(pipelineTemplate(options(overrides)));
    expect(actions.length).toBeGreaterThan(20);
    for (const action of actions) {
      expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      expect(action).not.toContain("*");
    }
  });

  it.skipIf(!canParseYaml)("gives every CodeBuild project a buildspec that is valid YAML", () => {
    const t = pipelineTemplate(options(variants[2]![1]));
    const projects = Object.entries(resources(t)).filter(([, r]) => r.Type === "AWS::CodeBuild::Project");
    expect(projects.map(([id]) => id).sort()).toEqual([
      "BuildProject",
      "PromotionGateProduction",
      "PullRequestProject",
    ]);
    for (const [, project] of projects) {
      const spec = parseYaml(project.Properties.Source.BuildSpec);
      expect(spec.version).toBe(0.2);
      expect(spec.phases.build.commands.length).toBeGreaterThan(0);
    }
    const gate = parseYaml(resources(t).PromotionGateProduction!.Properties.Source.BuildSpec);
    expect(gate.phases.build.commands[1]).toContain("--state-value ALARM");
  });

  it("keeps the artifact bucket versioned, encrypted, private and retained", () => {
    const bucket = resources(pipelineTemplate(options())).ArtifactBucket!;
    expect(bucket.DeletionPolicy).toBe("Retain");
    expect(bucket.UpdateReplacePolicy).toBe("Retain");
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: "Enabled" });
    expect(
      bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
    ).toEqual({
      SSEAlgorithm: "AES256",
    });
    expect(Object.values(bucket.Properties.PublicAccessBlockConfiguration)).toEqual([true, true, true, true]);
  });

  it("has Source, Build, then one change set -> approval -> execute stage per environment, in order", () => {
    const s = stages(pipelineTemplate(options()));
    expect(s.map((x) => x.Name)).toEqual(["Source", "Build", "Test", "Production"]);
    for (const [i, env, stack] of [
      [2, "test", "Test-SpartaCodePipeline-master"],
      [3, "production", "Prod-SpartaCodePipeline-master"],
    ] as const) {
      const [replace, approve, execute] = s[i]!.Actions as Json[];
      expect(replace!.Configuration).toMatchObject({
        ActionMode: "CHANGE_SET_REPLACE",
        StackName: stack,
        TemplatePath: "BuildOutput::cloudformation.json",
        TemplateConfiguration: `BuildOutput::${env}.json`,
      });
      expect(approve!.ActionTypeId).toEqual({
        Category: "Approval",
        Owner: "AWS",
        Provider: "Manual",
        Version: "1",
      });
      expect(execute!.Configuration).toMatchObject({ ActionMode: "CHANGE_SET_EXECUTE", StackName: stack });
      expect([replace!.RunOrder, approve!.RunOrder, execute!.RunOrder]).toEqual([1, 2, 3]);
    }
  });

  it("takes an OAuth token only as a NoEcho parameter, and a Secrets Manager token only as a dynamic reference", () => {
    const withToken = pipelineTemplate(options({ source: { kind: "oauthToken" } }));
    expect(withToken.Parameters).toMatchObject({ GitHubOAuthToken: { Type: "String", NoEcho: true } });
    expect(stages(withToken)[0]!.Actions[0].Configuration.OAuthToken).toEqual({ Ref: "GitHubOAuthToken" });
    const withSecret = pipelineTemplate(
      options({ source: { kind: "oauthSecret", secretId: "github/token" } }),
    );
    expect(withSecret.Parameters).toBeUndefined();
    expect(stages(withSecret)[0]!.Actions[0].Configuration.OAuthToken).toBe(
      "{{resolve:secretsmanager:github/token}}",
    );
  });

  it("scopes the pipeline role's CloudFormation actions to the stage stacks and its builds to its projects", () => {
    const t = pipelineTemplate(options());
    const statements = resources(t).PipelineRole!.Properties.Policies[0].PolicyDocument.Statement as Json[];
    const cfn = statements.find((s) => s.Action.includes("cloudformation:CreateChangeSet"))!;
    expect(JSON.stringify(cfn.Resource)).toContain("stack/Test-SpartaCodePipeline-master/*");
    expect(JSON.stringify(cfn.Resource)).toContain("stack/Prod-SpartaCodePipeline-master/*");
    expect(cfn.Resource).toHaveLength(2);
    const passRole = statements.find((s) => s.Action.includes("iam:PassRole"))!;
    expect(passRole.Resource).toEqual([{ "Fn::GetAtt": ["DeployRole", "Arn"] }]);
    const deploy = JSON.stringify(resources(t).DeployRole!.Properties.Policies);
    expect(deploy).toContain("function:Test-SpartaCodePipeline-master-*");
    expect(deploy).not.toContain("function:*");
  });

  it("gates a stage on the alarms alarms() gives the previous stage's stack, derived from the template", () => {
    const t = pipelineTemplate(options(variants[4]![1]));
    const [test, production] = stages(t).slice(2) as Json[];
    // "none": the test change set is executed straight away.
    expect(test!.Actions.map((a: Json) => [a.Name, a.RunOrder])).toEqual([
      ["CreateChangeSet", 1],
      ["ExecuteChangeSet", 2],
    ]);
    expect(production!.Actions.map((a: Json) => a.Name)).toEqual([
      "CreateChangeSet",
      "PromotionGate",
      "ExecuteChangeSet",
    ]);
    const expected = ["ErrorRate", "Throttles", "Duration"].map(
      (kind) => `Test-SpartaCodePipeline-master-HelloFunction-${kind}`,
    );
    const gate = resources(t).PromotionGateProduction!.Properties;
    const vars = Object.fromEntries(
      gate.Environment.EnvironmentVariables.map((v: Json) => [v.Name, v.Value]),
    );
    expect(vars.SPARTA_ALARMS.split(" ").sort()).toEqual([...expected].sort());
    expect(vars.SPARTA_QUIET_MINUTES).toBe("15");
    // The gate may read exactly those alarms.
    const gateRole = JSON.stringify(resources(t).PromotionGateRole!.Properties.Policies);
    for (const name of expected) expect(gateRole).toContain(`alarm:${name}"`);
    expect(gateRole).not.toContain("Prod-SpartaCodePipeline-master");
  });

  it("gives the deploy role what the functions' VPC and layer settings need, and nothing without them", () => {
    const service = (properties: Json) => ({
      Resources: {
        Fn: { Type: "AWS::Lambda::Function", Properties: { Handler: "index.handler", ...properties } },
        Other: { Type: "AWS::Lambda::Function", Properties: { Handler: "index.handler" } },
      },
    });
    const deployStatements = (serviceTemplate: Json) =>
      resources(pipelineTemplate(options({ serviceTemplate: serviceTemplate as never }))).DeployRole!
        .Properties.Policies[0].PolicyDocument.Statement as Json[];
    const layer = "arn:aws:lambda:us-east-1:123456789012:layer:sharp:4";
    const tuned = deployStatements(
      service({
        VpcConfig: { SubnetIds: ["subnet-1"], SecurityGroupIds: ["sg-1"] },
        Layers: [layer, layer],
      }),
    );
    expect(tuned).toContainEqual({
      Effect: "Allow",
      Action: ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
      Resource: ["*"],
    });
    expect(tuned).toContainEqual({ Effect: "Allow", Action: ["lambda:GetLayerVersion"], Resource: [layer] });
    // A layer given by an intrinsic of the service stack cannot be resolved here: any layer version.
    expect(deployStatements(service({ Layers: [{ Ref: "SharedLayer" }] }))).toContainEqual({
      Effect: "Allow",
      Action: ["lambda:GetLayerVersion"],
      Resource: [{ "Fn::Sub": "arn:${AWS::Partition}:lambda:*:*:layer:*:*" }],
    });
    const plain = JSON.stringify(deployStatements(service({})));
    expect(plain).not.toContain("ec2:");
    expect(plain).not.toContain("lambda:GetLayerVersion");
  });

  it("lets CloudFormation invoke the existing-bucket S3 custom resource's function, and nothing more", () => {
    const service = s3ExistingService();
    const types = typesOf(service);
    expect(types).toContain("Custom::SpartaS3Notification");
    const deployStatements = (resourceTypes: string[]) =>
      resources(pipelineTemplate(options({ serviceTemplate: service as never, resourceTypes }))).DeployRole!
        .Properties.Policies[0].PolicyDocument.Statement as Json[];
    const withCustom = deployStatements(types);
    const without = deployStatements(types.filter((t) => t !== "Custom::SpartaS3Notification"));
    const added = withCustom.filter((s) => !without.some((w) => JSON.stringify(w) === JSON.stringify(s)));
    expect(added).toEqual([
      {
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        // Each stage stack's own functions: <stack>-SpartaS3NotificationFunction-<suffix> among them.
        Resource: ["Test", "Prod"].map((p) => ({
          "Fn::Sub": `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${p}-SpartaCodePipeline-master-*`,
        })),
      },
    ]);
    expect(withCustom).toHaveLength(without.length + 1);
  });

  it("lets the deploy role manage the stages' alarms, scoped to each stack's alarm names", () => {
    const t = pipelineTemplate(options(variants[4]![1]));
    const statements = resources(t).DeployRole!.Properties.Policies[0].PolicyDocument.Statement as Json[];
    const cw = statements.filter((s) => s.Action.some((a: string) => a.startsWith("cloudwatch:")));
    expect(cw).toHaveLength(2);
    expect([...cw[0]!.Action].sort()).toEqual([
      "cloudwatch:DeleteAlarms",
      "cloudwatch:ListTagsForResource",
      "cloudwatch:PutCompositeAlarm",
      "cloudwatch:PutMetricAlarm",
      "cloudwatch:TagResource",
      "cloudwatch:UntagResource",
    ]);
    expect(cw[0]!.Resource).toEqual(
      ["Test", "Prod"].map((p) => ({
        "Fn::Sub": `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${p}-SpartaCodePipeline-master-*`,
      })),
    );
    // alarms() makes a composite alarm, which DescribeAlarms returns only to a permission scoped to "*" (CloudWatch
    // API reference): scoped to the stacks' alarms, CloudFormation could never read the composite it created.
    expect(cw[1]).toEqual({ Effect: "Allow", Action: ["cloudwatch:DescribeAlarms"], Resource: ["*"] });
  });

  it("rejects an alarm gate on the first stage, without a template, or over a template with no alarms", () => {
    const gate = { gate: "alarms", quietMinutes: 10 } as const;
    expect(() => pipelineTemplate(options({ stages: [{ environment: "test", approval: gate }] }))).toThrow(
      /"test" is the first stage, so it has no previous stage/,
    );
    const twoStages = [{ environment: "test" }, { environment: "production", approval: gate }];
    expect(() => pipelineTemplate(options({ stages: twoStages }))).toThrow(/pass it to pipelineTemplate/);
    expect(() =>
      pipelineTemplate(
        options({ stages: twoStages, serviceTemplate: JSON.parse(fixture("hello-service.json")) }),
      ),
    ).toThrow(/"Test-SpartaCodePipeline-master" stay quiet, but the service template has no alarms/);
    expect(() =>
      pipelineTemplate(
        options({
          ...serviceWithAlarms(),
          stages: [
            { environment: "test" },
            { environment: "production", approval: { ...gate, quietMinutes: 0 } },
          ],
        }),
      ),
    ).toThrow(/quietMinutes must be a whole number/);
    expect(() =>
      pipelineTemplate(
        options({
          stages: [{ environment: "test", approval: { gate: "canary", quietMinutes: 5 } as never }],
        }),
      ),
    ).toThrow(/gate "canary" is not known/);
  });

  it("rejects a stage naming an unregistered environment", () => {
    expect(() => pipelineTemplate(options({ stages: [{ environment: "staging" }] }))).toThrow(
      UnknownEnvironmentError,
    );
    expect(() => pipelineTemplate(options({ stages: [{ environment: "staging" }] }))).toThrow(
      /environment "staging", which is not registered \(registered: "test", "production"\)/,
    );
  });

  it("rejects a bad pipeline name, no environments, a bad alarm gate and an unknown resource type", () => {
    expect(() => pipelineTemplate(options({ pipelineName: "has space" }))).toThrow(
      InvalidPipelineOptionsError,
    );
    expect(() => pipelineTemplate(options({ environments: [] }))).toThrow(/no environment to deploy to/);
    expect(() =>
      pipelineTemplate(
        options({ stages: [{ environment: "test", approval: { alarms: [], quietMinutes: 5 } }] }),
      ),
    ).toThrow(/needs CloudWatch alarm names/);
    expect(() =>
      pipelineTemplate(
        options({ stages: [{ environment: "test", approval: { alarms: ["a"], quietMinutes: 0 } }] }),
      ),
    ).toThrow(/quietMinutes must be a whole number/);
    expect(() => pipelineTemplate(options({ resourceTypes: ["AWS::SQS::Queue"] }))).toThrow(
      MissingDeployPermissionsError,
    );
    expect(() => pipelineTemplate(options({ resourceTypes: ["AWS::SQS::Queue"] }))).toThrow(
      /AWS::SQS::Queue/,
    );
  });
});

describe("the deploy role for every resource type @sparta/cli and @sparta/operations generate", () => {
  const NEW_TYPES = [
    "AWS::CloudWatch::Dashboard",
    "AWS::CodeDeploy::Application",
    "AWS::CodeDeploy::DeploymentGroup",
    "AWS::Lambda::Alias",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::Version",
    "AWS::Logs::SubscriptionFilter",
    "AWS::S3::Bucket",
    "AWS::SNS::Subscription",
  ];
  const operated = () => deployRoleOf(pipelineTemplate(options(variants[6]![1])));
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
  const lambdaArn = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}";
  const qualified = STAGE_PREFIXES.flatMap((s) => [
    fnSub(`${lambdaArn}:function:${s}-*`),
    fnSub(`${lambdaArn}:function:${s}-*:*`),
  ]);

  it("builds the pipeline for a service holding every one of them, without extra statements", () => {
    const types = new Set(typesOf(operatedService()));
    for (const type of NEW_TYPES) {
      expect(types).toContain(type);
      expect(SUPPORTED_RESOURCE_TYPES).toContain(type);
    }
    expect(variants[6]![0]).toBe("all-sources-operations");
    expect(variants[6]![1].deploy).toBeUndefined();
    expect(() => operated()).not.toThrow();
  });

  it("scopes the trigger bucket, topic and log group statements to the names the service template gives", () => {
    const statements = operated();
    const [bucket] = withAction(statements, "s3:CreateBucket");
    expect(bucket!.Resource).toEqual([
      // stackBucketName: each stage's bucket ends in its stack id's suffix, which only CloudFormation knows.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      fnSub("arn:${AWS::Partition}:s3:::my-uploads-${AWS::AccountId}-*"),
    ]);
    expect(bucket!.Action).toEqual(expect.arrayContaining(["s3:PutBucketNotification", "s3:DeleteBucket"]));
    expect(withAction(statements, "sns:Subscribe")).toEqual([
      {
        Effect: "Allow",
        Action: ["sns:Subscribe", "sns:GetTopicAttributes"],
        Resource: ["arn:aws:sns:us-east-1:123456789012:topic"],
      },
    ]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
    const logGroup =
      "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/other";
    expect(withAction(statements, "logs:PutSubscriptionFilter")[0]!.Resource).toEqual([
      fnSub(logGroup),
      fnSub(`${logGroup}:*`),
    ]);
  });

  it("scopes event source mappings by the function they invoke, as Lambda's resource table allows", () => {
    const statements = operated();
    expect(withAction(statements, "lambda:CreateEventSourceMapping")).toEqual([
      {
        Effect: "Allow",
        Action: ["lambda:CreateEventSourceMapping"],
        Resource: ["*"],
        Condition: { ArnLike: { "lambda:FunctionArn": qualified } },
      },
    ]);
    expect(withAction(statements, "lambda:DeleteEventSourceMapping")).toEqual([
      {
        Effect: "Allow",
        Action: ["lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"],
        Resource: [fnSub(`${lambdaArn}:event-source-mapping:*`)],
        Condition: { ArnLike: { "lambda:FunctionArn": qualified } },
      },
    ]);
    expect(withAction(statements, "lambda:PublishVersion")[0]!.Resource).toEqual(qualified);
    expect(withAction(statements, "lambda:UpdateAlias")[0]!.Resource).toEqual(qualified);
  });

  it("scopes the dashboard, the CodeDeploy application and groups, and passes the CodeDeploy role only to CodeDeploy", () => {
    const statements = operated();
    expect(withAction(statements, "cloudwatch:PutDashboard")[0]!.Resource).toEqual(
      STAGE_PREFIXES.flatMap((s) => [
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
        fnSub(`arn:\${AWS::Partition}:cloudwatch::\${AWS::AccountId}:dashboard/${s}`),
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
        fnSub(`arn:\${AWS::Partition}:cloudwatch::\${AWS::AccountId}:dashboard/${s}-*`),
      ]),
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
    const codeDeploy = "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}";
    expect(withAction(statements, "codedeploy:CreateApplication")[0]!.Resource).toEqual(
      STAGE_PREFIXES.map((s) => fnSub(`${codeDeploy}:application:${s}-*`)),
    );
    expect(withAction(statements, "codedeploy:CreateDeployment")[0]!.Resource).toEqual(
      STAGE_PREFIXES.map((s) => fnSub(`${codeDeploy}:deploymentgroup:${s}-*/${s}-*`)),
    );
    const passRoles = withAction(statements, "iam:PassRole");
    expect(passRoles.map((p) => p.Condition.StringEquals["iam:PassedToService"]).sort()).toEqual([
      "codedeploy.amazonaws.com",
      "lambda.amazonaws.com",
    ]);
    for (const passRole of passRoles) {
      expect(passRole.Resource).toEqual(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
        STAGE_PREFIXES.map((s) => fnSub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${s}-*`)),
      );
    }
  });

  it("falls back to any bucket, topic or log group only when the template's name cannot be read", () => {
    const types = ["AWS::Logs::SubscriptionFilter", "AWS::S3::Bucket", "AWS::SNS::Subscription"];
    const resourcesOf = (statements: Json[]) =>
      Object.fromEntries(
        ["s3:CreateBucket", "sns:Subscribe", "logs:PutSubscriptionFilter"].map((a) => [
          a,
          withAction(statements, a)[0]!.Resource,
        ]),
      );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
    const any = ["arn:${AWS::Partition}:s3:::*", "arn:${AWS::Partition}:sns:*:*:*"].map(fnSub);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
    const anyLogGroup = fnSub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*");
    expect(resourcesOf(deployStatements(types, ["Svc-test"]) as Json[])).toEqual({
      "s3:CreateBucket": [any[0]],
      "sns:Subscribe": [any[1]],
      "logs:PutSubscriptionFilter": [anyLogGroup],
    });
    const service = (bucketName: unknown, topicArn: unknown, logGroupName: unknown) => ({
      Resources: {
        Logs: { Type: "AWS::Logs::LogGroup" },
        Bucket: { Type: "AWS::S3::Bucket", Properties: { BucketName: bucketName } },
        Sub: { Type: "AWS::SNS::Subscription", Properties: { TopicArn: topicArn, Protocol: "lambda" } },
        Filter: { Type: "AWS::Logs::SubscriptionFilter", Properties: { LogGroupName: logGroupName } },
      },
    });
    const unreadable = service({ Ref: "BucketParam" }, { Ref: "Topic" }, { "Fn::ImportValue": "x" });
    expect(
      resourcesOf(deployStatements(types, ["Svc-test"], { serviceTemplate: unreadable }) as Json[]),
    ).toEqual({
      "s3:CreateBucket": [any[0]],
      "sns:Subscribe": [any[1]],
      "logs:PutSubscriptionFilter": [anyLogGroup],
    });
    // The stack's name is known per stage; a log group of the stack itself has a stack-prefixed generated name.
    const perStack = service(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      { "Fn::Sub": "${AWS::StackName}-uploads" },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      { "Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:orders" },
      { Ref: "Logs" },
    );
    const scoped = resourcesOf(
      deployStatements(types, ["svc-test", "svc-prod"], { serviceTemplate: perStack }) as Json[],
    );
    expect(scoped["s3:CreateBucket"]).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      fnSub("arn:${AWS::Partition}:s3:::svc-prod-uploads"),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      fnSub("arn:${AWS::Partition}:s3:::svc-test-uploads"),
    ]);
    expect(scoped["sns:Subscribe"]).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      fnSub("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:orders"),
    ]);
    expect(JSON.stringify(scoped["logs:PutSubscriptionFilter"])).toContain("log-group:svc-prod-*:*");
    expect(JSON.stringify(scoped["logs:PutSubscriptionFilter"])).not.toContain("log-group:*");
  });

  it("moves the deploy role's statements into managed policies, each within IAM's quota, only when they need it", () => {
    const t = pipelineTemplate(options(variants[6]![1]));
    const role = resources(t).DeployRole!.Properties;
    // Inline, this role's statements would pass IAM's 10,240-character quota on a role's inline policies.
    const statements = deployRoleOf(t);
    expect(resolvedChars({ Version: "2012-10-17", Statement: statements })).toBeGreaterThan(10_240);
    expect(role.Policies).toBeUndefined();
    expect(role.ManagedPolicyArns.length).toBeGreaterThan(1);
    expect(role.ManagedPolicyArns.length).toBeLessThanOrEqual(10);
    for (const { Ref: id } of role.ManagedPolicyArns) {
      const policy = resources(t)[id]!;
      expect(policy.Type).toBe("AWS::IAM::ManagedPolicy");
      expect(resolvedChars(policy.Properties.PolicyDocument)).toBeLessThanOrEqual(6_144);
    }
    // Nothing lost or repeated: the same statements as deployStatements gives, plus the code objects.
    const expected = deployStatements(typesOf(operatedService()), STAGE_PREFIXES, {
      serviceTemplate: operatedService() as never,
      permissionsBoundary: fnSub(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
        "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/sparta/SpartaCodePipeline-${AWS::Region}-boundary",
      ),
    });
    expect(statements.slice(0, expected.length)).toEqual(expected);
    expect(statements.length).toBe(expected.length + 1);
    // Every other variant keeps one inline policy.
    for (const [name, overrides] of variants.filter(([n]) => n !== "all-sources-operations")) {
      const other = resources(pipelineTemplate(options(overrides))).DeployRole!.Properties;
      expect([name, other.Policies.length, other.ManagedPolicyArns]).toEqual([name, 1, undefined]);
    }
  });

  it("still refuses a type nobody generates, naming only it, and takes the user's statements for it", () => {
    const service = operatedService();
    service.Resources.Queue = { Type: "AWS::SQS::Queue", Properties: {} };
    const base = { serviceTemplate: service as never, resourceTypes: typesOf(service) };
    expect(() => pipelineTemplate(options(base))).toThrow(MissingDeployPermissionsError);
    expect(() => pipelineTemplate(options(base))).toThrow(/holds AWS::SQS::Queue, for which/);
    const queue = {
      Effect: "Allow" as const,
      Action: ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes"],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      Resource: [fnSub("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:Test-*")],
    };
    const statements = deployRoleOf(
      pipelineTemplate(
        options({ ...base, deploy: { allowTypes: ["AWS::SQS::Queue"], statements: [queue] } }),
      ),
    );
    expect(statements).toContainEqual(queue);
  });
});

describe("a service split into nested stacks", () => {
  // What `sparta provision` deploys past CloudFormation's quotas: a root holding AWS::CloudFormation::Stack
  // resources whose templates are uploaded with the ZIPs, as `templates/<Stack>-<16 hex>.json`.
  const { serviceTemplate, resourceTypes } = serviceWithAlarms();
  const split = pipelineTemplate(
    options({ serviceTemplate, resourceTypes: [...resourceTypes, "AWS::CloudFormation::Stack"] }),
  ) as Json;
  const whole = pipelineTemplate(options({ serviceTemplate, resourceTypes })) as Json;
  const templates = (bucket: Json) => JSON.stringify(bucket).includes("/templates/*-????????????????.json");

  it("lets the deploy role manage the stage stacks' nested stacks, and only theirs", () => {
    const statements = withAction(deployRoleOf(split), "cloudformation:CreateStack");
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toEqual(
      expect.arrayContaining(["cloudformation:UpdateStack", "cloudformation:DeleteStack"]),
    );
    expect(statements[0]!.Resource).toEqual(
      STAGE_PREFIXES.map((s) =>
        fnSub(`arn:\${AWS::Partition}:cloudformation:\${AWS::Region}:\${AWS::AccountId}:stack/${s}-*/*`),
      ),
    );
    expect(withAction(deployRoleOf(whole), "cloudformation:CreateStack")).toEqual([]);
  });

  it("lets the build upload the nested templates and the deploy role read them", () => {
    const reads = withAction(deployRoleOf(split), "s3:GetObject");
    expect(reads.some((s) => templates(s.Resource))).toBe(true);
    const build = resources(split).BuildRole!.Properties.Policies.flatMap(
      (p: Json) => p.PolicyDocument.Statement,
    ) as Json[];
    expect(withAction(build, "s3:PutObject").some((s) => templates(s.Resource))).toBe(true);
    expect(withAction(deployRoleOf(whole), "s3:GetObject").some((s) => templates(s.Resource))).toBe(false);
  });
});
