import { addAlarms } from "@sparta/operations";
import { validateTemplate } from "@sparta/template";
import { describe, expect, it } from "vitest";
import {
  buildspec,
  collectIamActions,
  createEnvironmentRegistry,
  InvalidPipelineOptionsError,
  MissingDeployPermissionsError,
  type PipelineTemplateOptions,
  parseGitHubRepo,
  pipelineTemplate,
  UnknownEnvironmentError,
} from "../src/index.js";
import { expectGolden, fixture } from "./golden.js";
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
  const service = addAlarms(JSON.parse(fixture("hello-service.json")));
  return {
    serviceTemplate: service,
    resourceTypes: Object.values(service.Resources as Record<string, { Type: string }>).map((r) => r.Type),
  };
}

/**
 * `@sparta/cli`'s golden `packages/cli/test/golden/s3-existing.template.json` (commit b6373cb), the same JSON: S3
 * triggers on existing buckets, i.e. `Custom::SpartaS3Notification` resources served by the stack's
 * `SpartaS3NotificationFunction`, plus one bucket the stack creates.
 */
const s3ExistingService = () => JSON.parse(fixture("s3-existing-service.json")) as Json;
const typesOf = (service: Json) =>
  Object.values(service.Resources as Record<string, Json>).map((r) => r.Type);
/** `AWS::S3::Bucket` has no built-in deploy actions: the service passes its own, as the README shows. */
const uploadsBucketDeploy = {
  allowTypes: ["AWS::S3::Bucket"],
  statements: [
    {
      Effect: "Allow" as const,
      Action: ["s3:CreateBucket", "s3:DeleteBucket", "s3:GetBucketNotification", "s3:PutBucketNotification"],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      Resource: [{ "Fn::Sub": "arn:${AWS::Partition}:s3:::uploads-${AWS::AccountId}-${AWS::Region}" }],
    },
  ],
};

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
      deploy: uploadsBucketDeploy,
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
      resources(
        pipelineTemplate(
          options({ serviceTemplate: service as never, resourceTypes, deploy: uploadsBucketDeploy }),
        ),
      ).DeployRole!.Properties.Policies[0].PolicyDocument.Statement as Json[];
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
    // The custom resource type no longer stops the pipeline; the bucket the stack creates still needs its actions.
    expect(() =>
      pipelineTemplate(options({ serviceTemplate: service as never, resourceTypes: types })),
    ).toThrow(/holds AWS::S3::Bucket, for which/);
  });

  it("lets the deploy role manage the stages' alarms, scoped to each stack's alarm names", () => {
    const t = pipelineTemplate(options(variants[4]![1]));
    const statements = resources(t).DeployRole!.Properties.Policies[0].PolicyDocument.Statement as Json[];
    const cw = statements.filter((s) => s.Action.some((a: string) => a.startsWith("cloudwatch:")));
    expect(cw).toHaveLength(1);
    expect([...cw[0]!.Action].sort()).toEqual([
      "cloudwatch:DeleteAlarms",
      "cloudwatch:DescribeAlarms",
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
