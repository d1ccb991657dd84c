import {
  ApiGatewayV2Client,
  GetApiCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStagesCommand,
} from "@aws-sdk/client-apigatewayv2";
import { CloudWatchClient, GetDashboardCommand } from "@aws-sdk/client-cloudwatch";
import {
  CodeDeployClient,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
} from "@aws-sdk/client-codedeploy";
import {
  GetAliasCommand,
  GetPolicyCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
} from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { deleteStack, deploy, outputs, type Template, useEmulator } from "./emulator-helpers.js";

// What examples/hello and examples/operations deploy beyond functions (an HTTP API, versions and a `live` alias
// shifted by CodeDeploy, a dashboard), in the shapes @sparta/cli and @sparta/operations generate, through the SDK.
const ctx = useEmulator();
const clients = () => {
  const config = { ...ctx.emu.clientConfig, maxAttempts: 1 };
  return {
    api: new ApiGatewayV2Client(config),
    cw: new CloudWatchClient(config),
    deploy: new CodeDeployClient(config),
    lambda: new LambdaClient(config),
  };
};
const sub = (text: string) => ({ "Fn::Sub": text });
const trust = (service: string) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole"] }],
});

/** One function behind an HTTP API through its `live` alias, deployed as safeDeploy() does; `code` changes it. */
function service(code: string, version: string): Template {
  return {
    Resources: {
      Role: {
        Type: "AWS::IAM::Role",
        Properties: { AssumeRolePolicyDocument: trust("lambda.amazonaws.com") },
      },
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          Role: { "Fn::GetAtt": ["Role", "Arn"] },
          Code: { S3Bucket: "code", S3Key: code },
        },
      },
      [`FnVersion${version}`]: {
        Type: "AWS::Lambda::Version",
        DeletionPolicy: "Retain",
        Properties: { FunctionName: { Ref: "Fn" }, Description: `Fn ${version}` },
      },
      App: { Type: "AWS::CodeDeploy::Application", Properties: { ComputePlatform: "Lambda" } },
      DeployRole: {
        Type: "AWS::IAM::Role",
        Properties: { AssumeRolePolicyDocument: trust("codedeploy.amazonaws.com") },
      },
      Errors: {
        Type: "AWS::CloudWatch::Alarm",
        Properties: {
          Namespace: "AWS/Lambda",
          MetricName: "Errors",
          Statistic: "Sum",
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
        },
      },
      Group: {
        Type: "AWS::CodeDeploy::DeploymentGroup",
        Properties: {
          ApplicationName: { Ref: "App" },
          ServiceRoleArn: { "Fn::GetAtt": ["DeployRole", "Arn"] },
          DeploymentConfigName: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
          DeploymentStyle: { DeploymentType: "BLUE_GREEN", DeploymentOption: "WITH_TRAFFIC_CONTROL" },
          AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: "Errors" } }] },
          AutoRollbackConfiguration: {
            Enabled: true,
            Events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
          },
        },
      },
      Alias: {
        Type: "AWS::Lambda::Alias",
        Properties: {
          FunctionName: { Ref: "Fn" },
          FunctionVersion: { "Fn::GetAtt": [`FnVersion${version}`, "Version"] },
          Name: "live",
        },
        UpdatePolicy: {
          CodeDeployLambdaAliasUpdate: {
            ApplicationName: { Ref: "App" },
            DeploymentGroupName: { Ref: "Group" },
          },
        },
      },
      HttpApi: {
        Type: "AWS::ApiGatewayV2::Api",
        Properties: { Name: { Ref: "AWS::StackName" }, ProtocolType: "HTTP" },
      },
      Stage: {
        Type: "AWS::ApiGatewayV2::Stage",
        Properties: { ApiId: { Ref: "HttpApi" }, StageName: "$default", AutoDeploy: true },
      },
      Integration: {
        Type: "AWS::ApiGatewayV2::Integration",
        Properties: {
          ApiId: { Ref: "HttpApi" },
          IntegrationType: "AWS_PROXY",
          IntegrationUri: { Ref: "Alias" },
          PayloadFormatVersion: "2.0",
        },
      },
      Route: {
        Type: "AWS::ApiGatewayV2::Route",
        Properties: {
          ApiId: { Ref: "HttpApi" },
          RouteKey: "GET /hello",
          Target: { "Fn::Join": ["/", ["integrations", { Ref: "Integration" }]] },
        },
      },
      Permission: {
        Type: "AWS::Lambda::Permission",
        Properties: {
          Action: "lambda:InvokeFunction",
          FunctionName: { Ref: "Alias" },
          Principal: "apigateway.amazonaws.com",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
          SourceArn: sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*"),
        },
      },
      Dashboard: {
        Type: "AWS::CloudWatch::Dashboard",
        Properties: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
          DashboardName: sub("${AWS::StackName}"),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
          DashboardBody: sub('{"widgets":[{"type":"text","properties":{"markdown":"## ${Fn}"}}]}'),
        },
      },
    },
    Outputs: {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      HttpApiUrl: { Value: sub("https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}") },
      ApiEndpoint: { Value: { "Fn::GetAtt": ["HttpApi", "ApiEndpoint"] } },
      AliasArn: { Value: { Ref: "Alias" } },
      VersionArn: { Value: { Ref: `FnVersion${version}` } },
      FunctionName: { Value: { Ref: "Fn" } },
      GroupName: { Value: { Ref: "Group" } },
      AppName: { Value: { Ref: "App" } },
    },
  };
}

describe("HTTP API, versions, a CodeDeploy-shifted alias and a dashboard through CloudFormation", () => {
  let out: Record<string, string> = {};
  beforeAll(async () => {
    await ctx.s3().send(new CreateBucketCommand({ Bucket: "code" }));
    for (const key of ["v1.zip", "v2.zip"])
      await ctx.s3().send(new PutObjectCommand({ Bucket: "code", Key: key, Body: `code of ${key}` }));
  });

  it("creates them all, nothing skipped, with the ids AWS gives", async () => {
    const { stack } = await deploy(ctx.cfn(), "svc", service("v1.zip", "a1"));
    expect(stack.StackStatus).toBe("CREATE_COMPLETE");
    out = outputs(stack);
    const apiId = out.HttpApiUrl?.match(
      /^https:\/\/([a-z0-9]+)\.execute-api\.us-east-1\.amazonaws\.com$/,
    )?.[1];
    expect(apiId).toBeTruthy();
    expect(out.ApiEndpoint).toBe(out.HttpApiUrl);
    const { api, lambda, deploy: cd, cw } = clients();

    expect(await api.send(new GetApiCommand({ ApiId: apiId }))).toMatchObject({
      Name: "svc",
      ProtocolType: "HTTP",
    });
    expect((await api.send(new GetStagesCommand({ ApiId: apiId }))).Items?.map((s) => s.StageName)).toEqual([
      "$default",
    ]);
    const integrations = (await api.send(new GetIntegrationsCommand({ ApiId: apiId }))).Items ?? [];
    expect(integrations).toEqual([
      expect.objectContaining({
        IntegrationType: "AWS_PROXY",
        IntegrationUri: out.AliasArn,
        PayloadFormatVersion: "2.0",
      }),
    ]);
    expect((await api.send(new GetRoutesCommand({ ApiId: apiId }))).Items).toEqual([
      expect.objectContaining({
        RouteKey: "GET /hello",
        Target: `integrations/${integrations[0]?.IntegrationId}`,
      }),
    ]);

    expect(out.VersionArn).toBe(
      `${(await lambda.send(new GetAliasCommand({ FunctionName: out.FunctionName, Name: "live" }))).AliasArn?.replace(/:live$/, "")}:1`,
    );
    expect(out.AliasArn).toMatch(
      new RegExp(`^arn:aws:lambda:us-east-1:\\d+:function:${out.FunctionName}:live$`),
    );
    expect(
      await lambda.send(new GetAliasCommand({ FunctionName: out.FunctionName, Name: "live" })),
    ).toMatchObject({
      FunctionVersion: "1",
    });
    const policy = JSON.parse(
      (await lambda.send(new GetPolicyCommand({ FunctionName: out.AliasArn }))).Policy ?? "{}",
    );
    expect(policy.Statement?.[0]?.Principal?.Service ?? policy.Statement?.[0]?.Principal).toMatch(
      /apigateway/,
    );

    const groups = await cd.send(
      new GetDeploymentGroupCommand({ applicationName: out.AppName, deploymentGroupName: out.GroupName }),
    );
    expect(groups.deploymentGroupInfo).toMatchObject({
      deploymentConfigName: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
      computePlatform: "Lambda",
      deploymentStyle: { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" },
      alarmConfiguration: { enabled: true, alarms: [{ name: expect.stringMatching(/^svc-Errors-/) }] },
    });

    const dashboard = await cw.send(new GetDashboardCommand({ DashboardName: "svc" }));
    expect(JSON.parse(dashboard.DashboardBody ?? "{}").widgets[0].properties.markdown).toBe(
      `## ${out.FunctionName}`,
    );
  });

  it("a code change publishes a new version and shifts the alias through a CodeDeploy deployment", async () => {
    const { changeSet, stack } = await deploy(ctx.cfn(), "svc", service("v2.zip", "b2"));
    expect(stack.StackStatus).toBe("UPDATE_COMPLETE");
    expect(
      changeSet.Changes?.map(
        (c) => `${c.ResourceChange?.Action} ${c.ResourceChange?.LogicalResourceId}`,
      ).sort(),
    ).toEqual(["Add FnVersionb2", "Modify Alias", "Modify Fn", "Remove FnVersiona1"]);
    const { lambda, deploy: cd, api } = clients();
    expect(
      await lambda.send(new GetAliasCommand({ FunctionName: out.FunctionName, Name: "live" })),
    ).toMatchObject({
      FunctionVersion: "2",
    });
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: out.FunctionName }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "1", "2"]); // version 1 retained
    const ids =
      (
        await cd.send(
          new ListDeploymentsCommand({ applicationName: out.AppName, deploymentGroupName: out.GroupName }),
        )
      ).deployments ?? [];
    expect(ids).toHaveLength(1);
    const deployment = (await cd.send(new GetDeploymentCommand({ deploymentId: ids[0] }))).deploymentInfo;
    expect(deployment).toMatchObject({
      applicationName: out.AppName,
      deploymentGroupName: out.GroupName,
      status: "Succeeded",
    });
    const appSpec = JSON.parse(deployment?.revision?.appSpecContent?.content ?? "{}");
    expect(appSpec.Resources[0].target.Properties).toEqual({
      Name: out.FunctionName,
      Alias: "live",
      CurrentVersion: "1",
      TargetVersion: "2",
    });
    // the API and its ids are untouched by a code change
    const apiId = out.HttpApiUrl?.split("//")[1]?.split(".")[0];
    expect(outputs(stack).HttpApiUrl).toBe(out.HttpApiUrl);
    expect((await api.send(new GetRoutesCommand({ ApiId: apiId }))).Items).toHaveLength(1);
  });

  it("updates an HTTP API route in place and deletes everything with the stack", async () => {
    const changed = service("v2.zip", "b2");
    (changed.Resources.Route as { Properties: { RouteKey: string } }).Properties.RouteKey = "POST /hello";
    const { changeSet } = await deploy(ctx.cfn(), "svc", changed);
    expect(
      changeSet.Changes?.map((c) => `${c.ResourceChange?.Action} ${c.ResourceChange?.LogicalResourceId}`),
    ).toEqual(["Modify Route"]);
    const { api, cw, deploy: cd } = clients();
    const apiId = out.HttpApiUrl?.split("//")[1]?.split(".")[0];
    const routes = (await api.send(new GetRoutesCommand({ ApiId: apiId }))).Items ?? [];
    expect(routes.map((r) => r.RouteKey)).toEqual(["POST /hello"]);

    await deleteStack(ctx.cfn(), "svc");
    expect(await api.send(new GetApiCommand({ ApiId: apiId })).catch((e) => e.name)).toBe(
      "NotFoundException",
    );
    expect(await cw.send(new GetDashboardCommand({ DashboardName: "svc" })).catch((e) => e.name)).toMatch(
      /NotFound/,
    );
    expect(
      await cd
        .send(
          new GetDeploymentGroupCommand({ applicationName: out.AppName, deploymentGroupName: out.GroupName }),
        )
        .catch((e) => e.name),
    ).toMatch(/ApplicationDoesNotExist/);
  });
});
