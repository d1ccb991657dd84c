import { describe, expect, it } from "vitest";
import {
  addHealthRoute,
  addSafeDeploy,
  InvalidOptionError,
  integrationTargets,
  TemplateShapeError,
} from "../src/index.js";
import { res, service } from "./scenarios.js";

describe("addHealthRoute", () => {
  it("routes GET /health to the API's existing integration of the function", () => {
    const t = addHealthRoute(service());
    expect(t.Resources.HttpApiHealthRoute!.Properties).toEqual({
      ApiId: { Ref: "HttpApi" },
      RouteKey: "GET /health",
      AuthorizationType: "NONE",
      Target: { "Fn::Join": ["/", ["integrations", { Ref: "ApiHttpIntegration" }]] },
    });
    expect(t.Resources.ApiFunctionHealthIntegration).toBeUndefined();
  });

  it("follows the alias when safeDeploy rewired the integration", () => {
    const t = addHealthRoute(addSafeDeploy(service()), { path: "/ping" });
    expect(res(t, "HttpApiHealthRoute").Properties.RouteKey).toBe("GET /ping");
    expect(res(t, "ApiHttpIntegration").Properties.IntegrationUri).toEqual({ Ref: "ApiFunctionAlias" });
  });

  it("adds an integration and a permission for a function the API does not integrate yet, through its alias", () => {
    const t = addHealthRoute(addSafeDeploy(service()), { function: "WorkerFunction" });
    expect(t.Resources.WorkerFunctionHealthIntegration!.Properties).toMatchObject({
      ApiId: { Ref: "HttpApi" },
      IntegrationType: "AWS_PROXY",
      IntegrationUri: { Ref: "WorkerFunctionAlias" },
      PayloadFormatVersion: "2.0",
    });
    expect(t.Resources.WorkerFunctionHealthPermission!.Properties).toMatchObject({
      FunctionName: { Ref: "WorkerFunctionAlias" },
      Principal: "apigateway.amazonaws.com",
      SourceArn: {
        "Fn::Sub":
          "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/GET/health",
      },
    });
  });

  it("leaves a GET /health route the user wrote alone, with a warning", () => {
    const t = service();
    (t.Resources.ApiRouteA1B2C3D4!.Properties as { RouteKey: string }).RouteKey = "GET /health";
    const warnings: string[] = [];
    addHealthRoute(t, { reporter: { warn: (m) => warnings.push(m) } });
    expect(t.Resources.HttpApiHealthRoute).toBeUndefined();
    expect(warnings).toEqual([
      'No health route added: ApiRouteA1B2C3D4 already routes "GET /health" on HttpApi.',
    ]);
  });

  it("makes an explicit API deployment depend on the route", () => {
    const t = service();
    t.Resources.HttpApiDeployment = {
      Type: "AWS::ApiGatewayV2::Deployment",
      Properties: { ApiId: { Ref: "HttpApi" } },
    };
    addHealthRoute(t);
    expect((t.Resources.HttpApiDeployment as { DependsOn?: unknown }).DependsOn).toEqual([
      "HttpApiHealthRoute",
    ]);
  });

  it("asks which function when the API integrates several", () => {
    const t = service();
    t.Resources.WorkerHttpIntegration = {
      Type: "AWS::ApiGatewayV2::Integration",
      Properties: {
        ApiId: { Ref: "HttpApi" },
        IntegrationType: "AWS_PROXY",
        IntegrationUri: { "Fn::GetAtt": ["WorkerFunction", "Arn"] },
        PayloadFormatVersion: "2.0",
      },
    };
    expect(() => addHealthRoute(t)).toThrow(TemplateShapeError);
    expect(() => addHealthRoute(t)).toThrow(
      /ApiFunction, WorkerFunction could.*healthRoute\(\{ function: "ApiFunction" \}\)/,
    );
    expect(
      res(addHealthRoute(t, { function: "WorkerFunction" }), "HttpApiHealthRoute").Properties.Target,
    ).toEqual({
      "Fn::Join": ["/", ["integrations", { Ref: "WorkerHttpIntegration" }]],
    });
  });

  it("explains how to get an HTTP API when there is none", () => {
    const t = service();
    delete t.Resources.HttpApi;
    expect(() => addHealthRoute(t)).toThrow(/needs an HTTP API.*has none.*type: "httpApi"/s);
  });

  it("rejects a path that is not a plain path", () => {
    expect(() => addHealthRoute(service(), { path: "health" })).toThrow(InvalidOptionError);
    expect(() => addHealthRoute(service(), { path: "/h ealth" })).toThrow(/starts with "\/"/);
  });
});

describe("integrationTargets", () => {
  const resource = (Type: string, Properties: Record<string, unknown>) => ({ Type, Properties });
  it("names the function each HTTP API integration invokes: directly, through safeDeploy's alias or the user's own", () => {
    const integration = (uri: unknown) =>
      resource("AWS::ApiGatewayV2::Integration", {
        ApiId: { Ref: "Api" },
        IntegrationType: "AWS_PROXY",
        IntegrationUri: uri,
      });
    const template = {
      Resources: {
        Orders: resource("AWS::Lambda::Function", {}),
        Files: resource("AWS::Lambda::Function", {}),
        FilesProd: resource("AWS::Lambda::Alias", {
          FunctionName: { Ref: "Files" },
          FunctionVersion: "1",
          Name: "prod",
        }),
        Direct: integration({ "Fn::GetAtt": ["Orders", "Arn"] }),
        ViaSub: integration({
          "Fn::Sub":
            "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/functions/${Orders.Arn}/invocations",
        }),
        ViaUserAlias: integration({ Ref: "FilesProd" }),
        Elsewhere: integration("arn:aws:lambda:us-east-1:123456789012:function:other"),
      },
    };
    expect(Object.fromEntries(integrationTargets(template as never))).toEqual({
      Direct: "Orders",
      ViaSub: "Orders",
      ViaUserAlias: "Files",
    });
    // safeDeploy's `live` alias (re-pointed integration) still leads to its function.
    const deployed = addSafeDeploy(structuredClone(template) as never, { shift: "AllAtOnce" });
    expect(integrationTargets(deployed as never).get("Direct")).toBe("Orders");
  });
});
