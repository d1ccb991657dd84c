import { describe, expect, it } from "vitest";
import {
  addSafeDeploy,
  CODEDEPLOY_ROLE_ID,
  codeDeployRoleLogicalId,
  InvalidOptionError,
  SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS,
  type TrafficShift,
  UnknownFunctionError,
  versionLogicalId,
} from "../src/index.js";
import { res, service } from "./scenarios.js";

const versionIds = (t: ReturnType<typeof service>) =>
  Object.entries(t.Resources)
    .filter(([, r]) => r.Type === "AWS::Lambda::Version")
    .map(([id]) => id);

describe("addSafeDeploy", () => {
  it("publishes a retained version and a live alias per function", () => {
    const t = addSafeDeploy(service());
    const [apiVersion] = versionIds(t).filter((id) => id.startsWith("ApiFunction"));
    expect(apiVersion).toMatch(/^ApiFunctionVersion[0-9a-f]{10}$/);
    expect(t.Resources[apiVersion!]).toMatchObject({
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
    expect(t.Resources.ApiFunctionAlias!.Properties).toEqual({
      FunctionName: { Ref: "ApiFunction" },
      FunctionVersion: { "Fn::GetAtt": [apiVersion, "Version"] },
      Name: "live",
    });
    expect(t.Resources.ApiFunctionAlias!.UpdatePolicy).toBeUndefined();
    expect(Object.values(t.Resources).some((r) => r.Type.startsWith("AWS::CodeDeploy::"))).toBe(false);
  });

  it("changes the version's logical id when the code changes, and only then", () => {
    const before = versionIds(addSafeDeploy(service()));
    expect(versionIds(addSafeDeploy(service()))).toEqual(before);
    const changed = service();
    (res(changed, "ApiFunction").Properties.Code as { S3Key: string }).S3Key = "functions/api/ffffffffff.zip";
    const after = versionIds(addSafeDeploy(changed));
    expect(after.find((id) => id.startsWith("Api"))).not.toBe(before.find((id) => id.startsWith("Api")));
    expect(after.find((id) => id.startsWith("Worker"))).toBe(before.find((id) => id.startsWith("Worker")));
  });

  it("keeps the version when only unversioned properties (tags, reserved concurrency) change", () => {
    const before = versionIds(addSafeDeploy(service()));
    const changed = service();
    const p = res(changed, "WorkerFunction").Properties;
    p.Tags = [{ Key: "team", Value: "orders" }];
    p.ReservedConcurrentExecutions = 5;
    expect(versionIds(addSafeDeploy(changed))).toEqual(before);
    res(changed, "WorkerFunction").Properties.MemorySize = 1024;
    expect(versionIds(addSafeDeploy(changed))).not.toEqual(before);
  });

  it("does not depend on property order", () => {
    const a = service();
    const b = service();
    const p = res(b, "ApiFunction").Properties;
    b.Resources.ApiFunction!.Properties = Object.fromEntries(Object.entries(p).reverse());
    expect(versionLogicalId({ logicalId: "ApiFunction", resource: a.Resources.ApiFunction! })).toBe(
      versionLogicalId({ logicalId: "ApiFunction", resource: b.Resources.ApiFunction! }),
    );
  });

  it("points every trigger of the fixture at the alias", () => {
    const t = addSafeDeploy(service());
    const p = (id: string) => res(t, id).Properties;
    const api = { Ref: "ApiFunctionAlias" };
    const worker = { Ref: "WorkerFunctionAlias" };
    expect(p("ApiHttpIntegration").IntegrationUri).toEqual(api);
    expect(p("ApiHttpPermission").FunctionName).toEqual(api);
    expect(p("ApiUrlPermission").FunctionName).toEqual(api);
    expect(p("ApiUrl")).toMatchObject({
      TargetFunctionArn: { "Fn::GetAtt": ["ApiFunction", "Arn"] },
      Qualifier: "live",
    });
    expect(p("WorkerSqs0Mapping").FunctionName).toEqual(worker);
    expect((p("WorkerSchedule1Rule").Targets as { Arn: unknown }[])[0]!.Arn).toEqual(worker);
    expect(p("WorkerSchedule1Permission").FunctionName).toEqual(worker);
    expect(p("WorkerSns2Subscription").Endpoint).toEqual(worker);
    expect(p("WorkerS33Permission").FunctionName).toEqual(worker);
    const s3 = p("UploadsBucket").NotificationConfiguration as {
      LambdaConfigurations: { Function: unknown }[];
    };
    expect(s3.LambdaConfigurations[0]!.Function).toEqual(worker);
    // The function's own outputs and its log group keep pointing at the function itself.
    expect(t.Outputs.ApiArn!.Value).toEqual({ "Fn::GetAtt": ["ApiFunction", "Arn"] });
  });

  it("rewrites ${Fn.Arn} inside Fn::Sub (REST API integration URIs) and reports what it rewired", () => {
    const t = service();
    t.Resources.RestMethod = {
      Type: "AWS::ApiGateway::Method",
      Properties: {
        HttpMethod: "GET",
        Integration: {
          Type: "AWS_PROXY",
          Uri: {
            "Fn::Sub":
              "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ApiFunction.Arn}/invocations",
          },
        },
      },
    };
    t.Resources.Logs = {
      Type: "AWS::Logs::SubscriptionFilter",
      Properties: {
        DestinationArn: { "Fn::GetAtt": "WorkerFunction.Arn" },
        FilterPattern: "",
        LogGroupName: "x",
      },
    };
    const info: string[] = [];
    addSafeDeploy(t, { reporter: { warn: () => {}, info: (m) => info.push(m) } });
    expect((res(t, "RestMethod").Properties.Integration as { Uri: unknown }).Uri).toEqual({
      "Fn::Sub":
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ApiFunctionAlias}/invocations",
    });
    expect(res(t, "Logs").Properties.DestinationArn).toEqual({ Ref: "WorkerFunctionAlias" });
    expect(info.find((m) => m.startsWith("ApiFunction:"))).toContain("RestMethod (REST API integration)");
    expect(info.find((m) => m.startsWith("WorkerFunction:"))).toContain("Logs (log subscription filter)");
  });

  it("points an HTTP API Lambda authorizer at the alias, as its invoke permission", () => {
    const t = service();
    t.Resources.Auth = {
      Type: "AWS::ApiGatewayV2::Authorizer",
      Properties: {
        ApiId: { Ref: "HttpApi" },
        Name: "users",
        AuthorizerType: "REQUEST",
        AuthorizerPayloadFormatVersion: "2.0",
        AuthorizerUri: {
          "Fn::Sub":
            "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${WorkerFunction.Arn}/invocations",
        },
      },
    };
    t.Resources.AuthPermission = {
      Type: "AWS::Lambda::Permission",
      Properties: {
        Action: "lambda:InvokeFunction",
        FunctionName: { "Fn::GetAtt": ["WorkerFunction", "Arn"] },
        Principal: "apigateway.amazonaws.com",
      },
    };
    const info: string[] = [];
    addSafeDeploy(t, { reporter: { warn: () => {}, info: (m) => info.push(m) } });
    expect(res(t, "Auth").Properties.AuthorizerUri).toEqual({
      "Fn::Sub":
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${WorkerFunctionAlias}/invocations",
    });
    expect(res(t, "AuthPermission").Properties.FunctionName).toEqual({ Ref: "WorkerFunctionAlias" });
    expect(info.find((m) => m.startsWith("WorkerFunction:"))).toContain("Auth (HTTP API Lambda authorizer)");
  });

  it("adds CodeDeploy with the chosen shift per function and a role scoped to the functions", () => {
    const t = addSafeDeploy(service(), {
      shift: "Canary10Percent5Minutes",
      functions: { WorkerFunction: { shift: false } },
      newVersionErrors: false,
    });
    expect(t.Resources.ApiFunctionDeploymentGroup!.Properties).toMatchObject({
      DeploymentConfigName: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
      DeploymentStyle: { DeploymentType: "BLUE_GREEN", DeploymentOption: "WITH_TRAFFIC_CONTROL" },
      // No alarms in the template: roll back on failure only.
      AutoRollbackConfiguration: { Enabled: true, Events: ["DEPLOYMENT_FAILURE"] },
    });
    expect(res(t, "ApiFunctionDeploymentGroup").Properties.AlarmConfiguration).toBeUndefined();
    expect(t.Resources.ApiFunctionAlias!.UpdatePolicy).toEqual({
      CodeDeployLambdaAliasUpdate: {
        ApplicationName: { Ref: "SpartaCodeDeployApplication" },
        DeploymentGroupName: { Ref: "ApiFunctionDeploymentGroup" },
      },
    });
    expect(t.Resources.WorkerFunctionDeploymentGroup).toBeUndefined();
    expect(t.Resources.WorkerFunctionAlias!.UpdatePolicy).toBeUndefined();
    const policy = JSON.stringify(res(t, CODEDEPLOY_ROLE_ID).Properties.Policies);
    expect(policy).toContain("ApiFunction.Arn}:*");
    expect(policy).not.toContain("WorkerFunction");
  });

  it("gives the CodeDeploy role the permissions boundary the service's roles carry, and none when they differ", () => {
    const boundary = { "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/team-boundary" };
    const bounded = service();
    for (const r of Object.values(bounded.Resources))
      if (r.Type === "AWS::IAM::Role") r.Properties = { ...r.Properties, PermissionsBoundary: boundary };
    const t = addSafeDeploy(bounded, { shift: "Canary10Percent5Minutes" });
    expect(res(t, CODEDEPLOY_ROLE_ID).Properties.PermissionsBoundary).toEqual(boundary);
    // A pipeline's deploy role creates only roles with the boundary: without it this role could not be created.
    expect(
      res(addSafeDeploy(service(), { shift: "AllAtOnce" }), CODEDEPLOY_ROLE_ID).Properties
        .PermissionsBoundary,
    ).toBeUndefined();
    const mixed = service();
    const roles = Object.values(mixed.Resources).filter((r) => r.Type === "AWS::IAM::Role");
    roles[0]!.Properties = { ...roles[0]!.Properties, PermissionsBoundary: boundary };
    expect(
      res(addSafeDeploy(mixed, { shift: "AllAtOnce" }), CODEDEPLOY_ROLE_ID).Properties.PermissionsBoundary,
    ).toBeUndefined();
  });

  it("grants provisioned-concurrency reads on the aliases only: Lambda configures it on a qualified ARN", () => {
    const t = addSafeDeploy(service(), { shift: "Canary10Percent5Minutes" });
    const statements = (
      res(t, CODEDEPLOY_ROLE_ID).Properties.Policies as {
        PolicyDocument: { Statement: { Action: string[]; Resource: unknown[] }[] };
      }[]
    )[0]!.PolicyDocument.Statement;
    const pc = statements.find((s) => s.Action.includes("lambda:GetProvisionedConcurrencyConfig"))!;
    expect(pc.Action).toEqual(["lambda:GetProvisionedConcurrencyConfig"]);
    expect(pc.Resource).toEqual([
      { "Fn::Sub": "${ApiFunction.Arn}:*" },
      { "Fn::Sub": "${WorkerFunction.Arn}:*" },
    ]);
  });

  it("stops a deployment on errors of the version being rolled out, watched through the alias", () => {
    const t = addSafeDeploy(service(), {
      shift: "Linear10PercentEvery1Minute",
      newVersionErrors: { threshold: 3 },
    });
    const version = versionIds(t).find((id) => id.startsWith("ApiFunction"))!;
    expect(res(t, "ApiFunctionNewVersionErrorsAlarm").Properties).toMatchObject({
      MetricName: "Errors",
      Dimensions: [
        { Name: "Resource", Value: { "Fn::Sub": "${ApiFunction}:live" } },
        { Name: "FunctionName", Value: { Ref: "ApiFunction" } },
        { Name: "ExecutedVersion", Value: { "Fn::GetAtt": [version, "Version"] } },
      ],
      Threshold: 3,
      Statistic: "Sum",
    });
    expect((t.Resources.ApiFunctionAlias as { DependsOn?: unknown }).DependsOn).toEqual([
      "ApiFunctionNewVersionErrorsAlarm",
    ]);
    expect(res(t, "ApiFunctionDeploymentGroup").Properties).toMatchObject({
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: "ApiFunctionNewVersionErrorsAlarm" } }] },
      AutoRollbackConfiguration: {
        Enabled: true,
        Events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
      },
    });
    expect(() =>
      addSafeDeploy(service(), { shift: "AllAtOnce", newVersionErrors: { threshold: 0.5 } }),
    ).toThrow(/whole number of errors per minute/);
    expect(addSafeDeploy(service()).Resources.ApiFunctionNewVersionErrorsAlarm).toBeUndefined();
  });

  it("leaves a function set to false alone", () => {
    const t = addSafeDeploy(service(), { functions: { WorkerFunction: false } });
    expect(t.Resources.WorkerFunctionAlias).toBeUndefined();
    expect(res(t, "WorkerSqs0Mapping").Properties.FunctionName).toEqual({ Ref: "WorkerFunction" });
  });

  it("is idempotent", () => {
    const once = addSafeDeploy(service(), { shift: "Linear10PercentEvery1Minute" });
    const twice = addSafeDeploy(structuredClone(once), { shift: "Linear10PercentEvery1Minute" });
    expect(twice).toEqual(once);
  });

  it("guards conditional functions in the role with Fn::If and copies their Condition", () => {
    const t = service();
    t.Resources.WorkerFunction!.Condition = "HasWorker";
    addSafeDeploy(t, { shift: "AllAtOnce" });
    expect(t.Resources.WorkerFunctionAlias!.Condition).toBe("HasWorker");
    expect(t.Resources.WorkerFunctionDeploymentGroup!.Condition).toBe("HasWorker");
    expect(JSON.stringify(t.Resources[CODEDEPLOY_ROLE_ID])).toContain(
      '{"Fn::If":["HasWorker",{"Fn::GetAtt":["WorkerFunction","Arn"]},{"Ref":"AWS::NoValue"}]}',
    );
  });

  it("rejects an unknown shift, a bad alias name and an unknown function", () => {
    expect(() => addSafeDeploy(service(), { shift: "Canary50Percent" as TrafficShift })).toThrow(
      InvalidOptionError,
    );
    expect(() => addSafeDeploy(service(), { shift: "Canary50Percent" as TrafficShift })).toThrow(
      /Use one of: AllAtOnce, Canary10Percent5Minutes/,
    );
    expect(() => addSafeDeploy(service(), { alias: "123" })).toThrow(/not only digits/);
    expect(() => addSafeDeploy(service(), { functions: { Nope: false } })).toThrow(UnknownFunctionError);
  });
});

describe("addSafeDeploy on many functions", () => {
  /** `n` functions like the fixture's ApiFunction. */
  const many = (n: number) => {
    const t = service();
    const api = res(t, "ApiFunction");
    for (let i = 0; i < n; i++) t.Resources[`Many${i}Function`] = structuredClone(api);
    return t;
  };
  const shifted = (t: ReturnType<typeof service>) =>
    Object.values(t.Resources).filter((r) => r.Type === "AWS::CodeDeploy::DeploymentGroup").length;

  it(`shares one CodeDeploy role up to ${SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS} shifted functions`, () => {
    const t = addSafeDeploy(many(SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS - 5), { shift: "AllAtOnce" });
    expect(shifted(t)).toBeLessThanOrEqual(SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS);
    expect(t.Resources[CODEDEPLOY_ROLE_ID]).toBeDefined();
    expect(t.Resources[codeDeployRoleLogicalId("ApiFunction")]).toBeUndefined();
  });

  it("gives each function a role of its own above that (IAM's inline policy size), scoped to that function", () => {
    const t = addSafeDeploy(many(SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS), { shift: "AllAtOnce" });
    expect(shifted(t)).toBeGreaterThan(SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS);
    expect(t.Resources[CODEDEPLOY_ROLE_ID]).toBeUndefined();
    const id = codeDeployRoleLogicalId("Many3Function");
    expect(t.Resources.Many3FunctionDeploymentGroup?.Properties?.ServiceRoleArn).toEqual({
      "Fn::GetAtt": [id, "Arn"],
    });
    const policy = JSON.stringify(t.Resources[id]?.Properties?.Policies);
    expect(policy).toContain("Many3Function");
    expect(policy).not.toContain("Many4Function");
  });
});
