import { addAlarms, addSafeDeploy } from "@sparta/operations";
import { describe, expect, it } from "vitest";
import {
  buildspec,
  createEnvironmentRegistry,
  InvalidEnvironmentError,
  InvalidPipelineOptionsError,
  PERMISSIONS_BOUNDARY_POLICY,
  type PipelineTemplateOptions,
  parseGitHubRepo,
  pipelineTemplate,
} from "../src/index.js";
import { builtForPipeline, fixture } from "./golden.js";
import {
  type Decision,
  evaluate,
  evaluateWithBoundary,
  type Json,
  managedPolicyStatements,
  type Request,
  resolveStatement,
  roleStatements,
  SAMPLE,
} from "./iam-policy.js";

// What a stage stack's resources are named like, in the sample account and Region.
const STACK = "Test-SpartaCodePipeline-master";
const sample = { ...SAMPLE, stackName: "SpartaCodePipeline" };
const ACCOUNT = SAMPLE.account;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/sparta/SpartaCodePipeline-us-east-1-boundary`;
const stageRole = `arn:aws:iam::${ACCOUNT}:role/${STACK}-HelloRole-ABC123`;
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

function environments() {
  const registry = createEnvironmentRegistry();
  registry.register("test", { MESSAGE: "Hello from test" });
  registry.register("production", { MESSAGE: "Hello from production" });
  return registry.list();
}

const hello = () => builtForPipeline(JSON.parse(fixture("hello-service.json")));
const typesOf = (t: Json) => Object.values(t.Resources as Record<string, Json>).map((r) => r.Type);

function pipeline(overrides: Partial<PipelineTemplateOptions> = {}): Json {
  const service = overrides.serviceTemplate ?? hello();
  return pipelineTemplate({
    pipelineName: "SpartaCodePipeline",
    repo: parseGitHubRepo("https://github.com/acme/hello#master"),
    source: { kind: "connection" },
    environments: environments(),
    buildspec: buildspec({ packageFileName: "SpartaCodePipeline.zip", environments: ["test", "production"] }),
    serviceTemplate: service,
    resourceTypes: typesOf(service),
    ...overrides,
  });
}

const deployRole = (t: Json) => roleStatements(t, "DeployRole", sample);
const decide = (t: Json, role: string, request: Request): Decision =>
  evaluate(roleStatements(t, role, sample), request);

describe("the deploy role cannot mint an administrator", () => {
  const t = pipeline();

  it.each<[string, Request, Decision]>([
    [
      "creates a role without a permissions boundary",
      { action: "iam:CreateRole", resource: stageRole },
      "explicitly denied",
    ],
    [
      "creates a role with another boundary",
      {
        action: "iam:CreateRole",
        resource: stageRole,
        context: { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/wide-open` },
      },
      "explicitly denied",
    ],
    [
      "creates a role with the pipeline's boundary",
      { action: "iam:CreateRole", resource: stageRole, context: { "iam:PermissionsBoundary": BOUNDARY } },
      "allowed",
    ],
    [
      "creates a role outside the stage stacks, even with the boundary",
      {
        action: "iam:CreateRole",
        resource: `arn:aws:iam::${ACCOUNT}:role/Admin`,
        context: { "iam:PermissionsBoundary": BOUNDARY },
      },
      "implicitly denied",
    ],
    [
      "attaches AdministratorAccess to a bounded role",
      {
        action: "iam:AttachRolePolicy",
        resource: stageRole,
        context: { "iam:PermissionsBoundary": BOUNDARY, "iam:PolicyARN": ADMIN },
      },
      "explicitly denied",
    ],
    [
      "puts an inline policy on a role that carries no boundary (one made before, or by hand)",
      { action: "iam:PutRolePolicy", resource: stageRole },
      "explicitly denied",
    ],
    [
      "puts an inline policy on a bounded role of a stage",
      { action: "iam:PutRolePolicy", resource: stageRole, context: { "iam:PermissionsBoundary": BOUNDARY } },
      "allowed",
    ],
    [
      "changes the trust policy of an unbounded role",
      { action: "iam:UpdateAssumeRolePolicy", resource: stageRole },
      "explicitly denied",
    ],
    [
      "removes a role's boundary",
      {
        action: "iam:DeleteRolePermissionsBoundary",
        resource: stageRole,
        context: { "iam:PermissionsBoundary": BOUNDARY },
      },
      "explicitly denied",
    ],
    [
      "rewrites the boundary policy itself",
      { action: "iam:CreatePolicyVersion", resource: BOUNDARY },
      "explicitly denied",
    ],
    [
      "passes a stage's role to EC2 (an instance with the role's credentials)",
      {
        action: "iam:PassRole",
        resource: stageRole,
        context: { "iam:PassedToService": "ec2.amazonaws.com" },
      },
      "implicitly denied",
    ],
    [
      "passes a stage's role to Lambda",
      {
        action: "iam:PassRole",
        resource: stageRole,
        context: { "iam:PassedToService": "lambda.amazonaws.com" },
      },
      "allowed",
    ],
  ])("%s: %s", (_what, request, decision) => {
    expect(evaluate(deployRole(t), request)).toBe(decision);
  });

  it("holds whatever the user adds to the deploy role: a broad role statement still needs the boundary", () => {
    const widened = pipeline({
      deploy: {
        statements: [
          {
            Effect: "Allow",
            Action: ["iam:CreateRole", "iam:AttachRolePolicy", "iam:DeleteRolePermissionsBoundary"],
            Resource: ["*"],
          },
        ],
      },
    });
    const statements = deployRole(widened);
    expect(
      evaluate(statements, { action: "iam:CreateRole", resource: `arn:aws:iam::${ACCOUNT}:role/Admin` }),
    ).toBe("explicitly denied");
    expect(
      evaluate(statements, {
        action: "iam:AttachRolePolicy",
        resource: stageRole,
        context: { "iam:PermissionsBoundary": BOUNDARY, "iam:PolicyARN": ADMIN },
      }),
    ).toBe("explicitly denied");
    expect(evaluate(statements, { action: "iam:DeleteRolePermissionsBoundary", resource: stageRole })).toBe(
      "explicitly denied",
    );
  });

  it("attaches only the managed policies the service's roles name", () => {
    const service = hello();
    service.Resources.HelloRole.Properties.ManagedPolicyArns = [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess" },
    ];
    const statements = deployRole(pipeline({ serviceTemplate: service }));
    const attach = (policy: string) =>
      evaluate(statements, {
        action: "iam:AttachRolePolicy",
        resource: stageRole,
        context: { "iam:PermissionsBoundary": BOUNDARY, "iam:PolicyARN": policy },
      });
    expect(attach("arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess")).toBe("allowed");
    expect(attach(ADMIN)).toBe("explicitly denied");
    service.Resources.HelloRole.Properties.ManagedPolicyArns = [{ Ref: "SomePolicy" }];
    expect(() => pipeline({ serviceTemplate: service })).toThrow(
      /attaches the managed policy \{"Ref":"SomePolicy"\}/,
    );
  });

  it("bounds a role the deploy role may create to what the service's roles were allowed", () => {
    const boundary = managedPolicyStatements(t, PERMISSIONS_BOUNDARY_POLICY, sample);
    // A role a changed template creates with AdministratorAccess: effective permissions are those of the boundary.
    const admin = [resolveStatement({ Effect: "Allow", Action: ["*"], Resource: ["*"] }, sample)];
    const can = (action: string, resource: string) =>
      evaluateWithBoundary(admin, boundary, { action, resource });
    expect(can("logs:PutLogEvents", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:x:log-stream:y`)).toBe(
      "allowed",
    );
    expect(can("iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/backdoor`)).toBe("implicitly denied");
    expect(can("s3:GetObject", "arn:aws:s3:::customer-data/secrets.csv")).toBe("implicitly denied");
  });

  it("refuses a boundary that would not fit IAM's quota, or would allow every action", () => {
    const many = hello();
    many.Resources.HelloRole.Properties.Policies[0].PolicyDocument.Statement.push({
      Effect: "Allow",
      Action: Array.from({ length: 400 }, (_, i) => `dynamodb:SomeAction${i}`),
      Resource: ["*"],
    });
    expect(() => pipeline({ serviceTemplate: many })).toThrow(/does not fit IAM's quota of 6144 characters/);
    const everything = hello();
    everything.Resources.HelloRole.Properties.Policies[0].PolicyDocument.Statement.push({
      Effect: "Allow",
      Action: ["*"],
      Resource: ["*"],
    });
    expect(() => pipeline({ serviceTemplate: everything })).toThrow(/allowed every action \("\*"\)/);
  });

  it("passes the boundary to every stage and creates it before the pipeline first runs", () => {
    const resources = t.Resources as Record<string, Json>;
    expect(resources[PERMISSIONS_BOUNDARY_POLICY]).toMatchObject({
      Type: "AWS::IAM::ManagedPolicy",
      Properties: {
        Path: "/sparta/",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
        ManagedPolicyName: { "Fn::Sub": "SpartaCodePipeline-${AWS::Region}-boundary" },
      },
    });
    expect(resources.Pipeline!.DependsOn).toEqual([PERMISSIONS_BOUNDARY_POLICY]);
    for (const stage of resources.Pipeline!.Properties.Stages.slice(2)) {
      const overrides = stage.Actions[0].Configuration.ParameterOverrides["Fn::Sub"];
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      expect(overrides[0]).toContain('"SpartaPermissionsBoundary": "${Boundary}"');
    }
    // The pipeline's own roles are created by whoever provisions it, not bounded by the stages' boundary.
    expect(resources.DeployRole!.Properties.PermissionsBoundary).toBeUndefined();
  });

  it("uses a boundary the service names itself, on every role of the pipeline too, and creates none", () => {
    const own = `arn:aws:iam::${ACCOUNT}:policy/org-boundary`;
    const service = JSON.parse(fixture("hello-service.json"));
    service.Resources.HelloRole.Properties.PermissionsBoundary = own;
    const withOwn = pipeline({ serviceTemplate: service });
    const resources = withOwn.Resources as Record<string, Json>;
    expect(resources[PERMISSIONS_BOUNDARY_POLICY]).toBeUndefined();
    for (const [id, r] of Object.entries(resources))
      if (r.Type === "AWS::IAM::Role") expect([id, r.Properties.PermissionsBoundary]).toEqual([id, own]);
    const statements = deployRole(withOwn);
    expect(
      evaluate(statements, {
        action: "iam:CreateRole",
        resource: stageRole,
        context: { "iam:PermissionsBoundary": own },
      }),
    ).toBe("allowed");
    expect(evaluate(statements, { action: "iam:CreateRole", resource: stageRole })).toBe("explicitly denied");
  });

  it("refuses a service whose roles carry no boundary, or different ones, naming the roles and the fix", () => {
    const plain = JSON.parse(fixture("hello-service.json"));
    expect(() => pipeline({ serviceTemplate: plain })).toThrow(InvalidPipelineOptionsError);
    expect(() => pipeline({ serviceTemplate: plain })).toThrow(
      /role\(s\) HelloRole of the service carry none\. .*permissionsBoundary: pipeline\.permissionsBoundary/,
    );
    const operated = addSafeDeploy(hello(), { shift: "AllAtOnce" });
    operated.Resources.SpartaCodeDeployRole.Properties.PermissionsBoundary =
      "arn:aws:iam::123456789012:policy/x";
    expect(() => pipeline({ serviceTemplate: operated })).toThrow(/different permissions boundaries/);
  });
});

describe("the build cannot change what the deploy actions read", () => {
  const t = pipeline({ codeBucket: "my-sparta-artifacts" });
  const artifacts = "arn:aws:s3:::sparta-artifacts-bucket";
  const build = (resource: string) =>
    evaluate(
      roleStatements(t, "BuildRole", { ...sample, parameters: {} }).map((s) => ({
        ...s,
        Resource: s.Resource?.map((r) =>
          r.replace(/SpartaCodePipeline-ArtifactBucket-SAMPLE0SUFFIX/i, "sparta-artifacts-bucket"),
        ),
      })),
      { action: "s3:PutObject", resource },
    );

  it.each([
    [`${artifacts}/SpartaCodePipeline/BuildOutpu/Ab3dE9x`, "allowed"],
    [`${artifacts}/SpartaCodePipeline/SourceOutp/Ab3dE9x`, "implicitly denied"],
    ["arn:aws:s3:::my-sparta-artifacts/hello-0123456789abcdef.zip", "allowed"],
    [
      "arn:aws:s3:::my-sparta-artifacts/SpartaCodePipeline/pipeline/templates/0f1e2d.json",
      "implicitly denied",
    ],
    ["arn:aws:s3:::my-sparta-artifacts/other/thing.txt", "implicitly denied"],
    ["arn:aws:s3:::someone-elses-bucket/hello-0123456789abcdef.zip", "implicitly denied"],
  ])("PutObject %s: %s", (resource, decision) => {
    expect(build(resource)).toBe(decision);
  });

  it("names the pipeline, so its artifacts' prefix (the first 20 characters of the name) is known", () => {
    const long = pipeline({ pipelineName: "AVeryLongPipelineNameForOrders" });
    expect(long.Resources.Pipeline.Properties.Name).toBe("AVeryLongPipelineNameForOrders");
    expect(JSON.stringify(long.Resources.BuildRole)).toContain("/AVeryLongPipelineNam/BuildOutpu/*");
  });

  it("lets the deploy role read the function code only", () => {
    const deploy = deployRole(t);
    expect(
      evaluate(deploy, {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::my-sparta-artifacts/hello-0123456789abcdef.zip",
      }),
    ).toBe("allowed");
    expect(
      evaluate(deploy, {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::my-sparta-artifacts/SpartaCodePipeline/x.json",
      }),
    ).toBe("implicitly denied");
  });
});

describe("the artifact bucket", () => {
  it("refuses every request not sent over TLS", () => {
    const t = pipeline();
    const policy = (t.Resources.ArtifactBucketPolicy as Json).Properties.PolicyDocument.Statement.map(
      (s: Json) => resolveStatement(s, sample, t.Resources),
    );
    const bucket = `arn:aws:s3:::spartacodepipeline-artifactbucket-sample0suffix`;
    const request = (secure: string): Request => ({
      action: "s3:GetObject",
      resource: `${bucket}/SpartaCodePipeline/BuildOutpu/Ab3dE9x`,
      context: { "aws:SecureTransport": secure },
    });
    expect(evaluate(policy, request("false"))).toBe("explicitly denied");
    expect(evaluate(policy, request("true"))).toBe("implicitly denied");
  });
});

describe("pull request builds", () => {
  it("make a pull request from a fork wait for a maintainer's approving comment, and can trust only given users", () => {
    const t = pipeline({ pullRequests: { trustedActors: [583231, "9919"] } });
    const triggers = t.Resources.PullRequestProject.Properties.Triggers;
    expect(triggers.PullRequestBuildPolicy).toEqual({
      RequiresCommentApproval: "FORK_PULL_REQUESTS",
      ApproverRoles: ["GITHUB_WRITE", "GITHUB_MAINTAIN", "GITHUB_ADMIN"],
    });
    expect(triggers.FilterGroups[0]).toContainEqual({ Type: "ACTOR_ACCOUNT_ID", Pattern: "^(583231|9919)$" });
    const all = pipeline({ pullRequests: { commentApproval: "all" } });
    expect(
      all.Resources.PullRequestProject.Properties.Triggers.PullRequestBuildPolicy.RequiresCommentApproval,
    ).toBe("ALL_PULL_REQUESTS");
    expect(() => pipeline({ pullRequests: { trustedActors: ["octocat"] } })).toThrow(/not a GitHub user id/);
  });

  it("never create, replace or delete the Region's GitHub source credential", () => {
    for (const source of [
      { kind: "oauthToken" },
      { kind: "oauthSecret", secretId: "github/token" },
    ] as const) {
      const t = pipeline({ source, pullRequests: true });
      expect(typesOf(t)).not.toContain("AWS::CodeBuild::SourceCredential");
      expect(t.Resources.PullRequestProject.DependsOn).toBeUndefined();
    }
  });
});

describe("secrets of the environments", () => {
  function secretEnvironments() {
    const registry = createEnvironmentRegistry();
    registry.register("test", {
      MESSAGE: "hi",
      API_KEY: { secretsManager: "test/api-key" },
      DB_PASSWORD: { ssmParameter: "/test/db/password" },
    });
    registry.register("production", {
      MESSAGE: "hello",
      API_KEY: { secretsManager: "prod/api-key", jsonKey: "key" },
      DB_PASSWORD: { ssmParameter: "/prod/db/password" },
    });
    return registry.list();
  }

  it("lets the deploy role resolve exactly the environments' Secrets Manager secrets", () => {
    const envs = secretEnvironments();
    const service = hello();
    // As pipeline.decorator gives the functions their environment.
    service.Resources.HelloFunction.Properties.Environment = {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      Variables: { API_KEY: { "Fn::Sub": "{{resolve:secretsmanager:${EnvAPIKEY}}}" } },
    };
    service.Parameters.EnvAPIKEY = { Type: "String", Default: "test/api-key" };
    const statements = deployRole(pipeline({ serviceTemplate: service, environments: envs }));
    const secret = (name: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-AbCdEf`;
    const read = (name: string) =>
      evaluate(statements, { action: "secretsmanager:GetSecretValue", resource: secret(name) });
    expect(read("test/api-key")).toBe("allowed");
    expect(read("prod/api-key")).toBe("allowed");
    expect(read("prod/other")).toBe("implicitly denied");
  });

  it("refuses a secret one environment lacks, and a key plain in one environment and secret in another", () => {
    const registry = createEnvironmentRegistry();
    registry.register("test", { API_KEY: { secretsManager: "test/api-key" } });
    expect(() => registry.register("production", { API_KEY: "plain" })).toThrow(InvalidEnvironmentError);
    expect(() => registry.register("production", { API_KEY: "plain" })).toThrow(
      /"API_KEY" is a Secrets Manager secret in environment "test" but a plain value in "production"/,
    );
    registry.register("production", {});
    expect(() => pipeline({ environments: registry.list() })).toThrow(
      /Secret "API_KEY" is not set in environment "production"/,
    );
  });

  it("warns about a plain value that looks like a credential, without repeating it", () => {
    const warnings: string[] = [];
    const registry = createEnvironmentRegistry({ reporter: { warn: (m) => warnings.push(m) } });
    registry.register("production", { GITHUB_TOKEN: "ghp_S3cr3tT0k3nThatMustNeverLeak0123456789" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/variable GITHUB_TOKEN looks like a GitHub token/);
    expect(warnings[0]).toContain('GITHUB_TOKEN: { secretsManager: "production/github_token" }');
    expect(warnings[0]).not.toContain("ghp_S3cr3t");
  });

  it("keeps alarms' composite readable: DescribeAlarms on * only where composite alarms are deployed", () => {
    const withAlarms = addAlarms(hello());
    const statements = deployRole(pipeline({ serviceTemplate: withAlarms }));
    expect(
      evaluate(statements, {
        action: "cloudwatch:DescribeAlarms",
        resource: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${STACK}-rollback`,
      }),
    ).toBe("allowed");
    expect(decide(pipeline(), "DeployRole", { action: "cloudwatch:DescribeAlarms", resource: "*" })).toBe(
      "implicitly denied",
    );
  });
});
