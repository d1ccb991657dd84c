import {
  ApiGatewayV2Client,
  GetAuthorizerCommand,
  GetAuthorizersCommand,
  GetRoutesCommand,
} from "@aws-sdk/client-apigatewayv2";
import { describe, expect, it } from "vitest";
import { deleteStack, deploy, outputs, type Template, useEmulator } from "./emulator-helpers.js";

// HTTP API authorizers as @sparta/cli generates them (a REQUEST authorizer and a JWT one, a route protected by
// each), created, updated in place and deleted through CloudFormation, read back through the SDK.
const ctx = useEmulator();
const api = () => new ApiGatewayV2Client({ ...ctx.emu.clientConfig, maxAttempts: 1 });
const URI =
  "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations";

function template(request: Record<string, unknown>): Template {
  return {
    Resources: {
      HttpApi: {
        Type: "AWS::ApiGatewayV2::Api",
        Properties: { Name: { Ref: "AWS::StackName" }, ProtocolType: "HTTP" },
      },
      Users: {
        Type: "AWS::ApiGatewayV2::Authorizer",
        Properties: {
          ApiId: { Ref: "HttpApi" },
          Name: "users",
          AuthorizerType: "REQUEST",
          AuthorizerUri: URI,
          AuthorizerPayloadFormatVersion: "2.0",
          ...request,
        },
      },
      Cognito: {
        Type: "AWS::ApiGatewayV2::Authorizer",
        Properties: {
          ApiId: { Ref: "HttpApi" },
          Name: "cognito",
          AuthorizerType: "JWT",
          IdentitySource: ["$request.header.Authorization"],
          JwtConfiguration: { Issuer: "https://issuer.example.com", Audience: ["client-1"] },
        },
      },
      Orders: {
        Type: "AWS::ApiGatewayV2::Route",
        Properties: {
          ApiId: { Ref: "HttpApi" },
          RouteKey: "GET /orders",
          AuthorizationType: "CUSTOM",
          AuthorizerId: { Ref: "Users" },
        },
      },
      Me: {
        Type: "AWS::ApiGatewayV2::Route",
        Properties: {
          ApiId: { Ref: "HttpApi" },
          RouteKey: "GET /me",
          AuthorizationType: "JWT",
          AuthorizerId: { Ref: "Cognito" },
          AuthorizationScopes: ["profile"],
        },
      },
    },
    Outputs: {
      ApiId: { Value: { Ref: "HttpApi" } },
      UsersId: { Value: { Ref: "Users" } },
      UsersIdAttr: { Value: { "Fn::GetAtt": ["Users", "AuthorizerId"] } },
      CognitoId: { Value: { Ref: "Cognito" } },
    },
  };
}

describe("HTTP API authorizers through CloudFormation", () => {
  it("creates them, the routes name them, an update keeps their ids, a delete removes them", async () => {
    const first = await deploy(
      ctx.cfn(),
      "guarded",
      template({
        EnableSimpleResponses: true,
        IdentitySource: ["$request.header.X-Api-Key"],
        AuthorizerResultTtlInSeconds: 300,
      }),
    );
    expect(first.stack.StackStatus).toBe("CREATE_COMPLETE");
    const out = outputs(first.stack);
    expect(out.UsersIdAttr).toBe(out.UsersId);
    const items = (await api().send(new GetAuthorizersCommand({ ApiId: out.ApiId }))).Items ?? [];
    expect(items.find((a) => a.Name === "users")).toMatchObject({
      AuthorizerId: out.UsersId,
      AuthorizerType: "REQUEST",
      AuthorizerUri: URI,
      AuthorizerPayloadFormatVersion: "2.0",
      EnableSimpleResponses: true,
      IdentitySource: ["$request.header.X-Api-Key"],
      AuthorizerResultTtlInSeconds: 300,
    });
    expect(items.find((a) => a.Name === "cognito")).toMatchObject({
      AuthorizerId: out.CognitoId,
      AuthorizerType: "JWT",
      JwtConfiguration: { Issuer: "https://issuer.example.com", Audience: ["client-1"] },
    });
    const routes = (await api().send(new GetRoutesCommand({ ApiId: out.ApiId }))).Items ?? [];
    expect(routes.find((r) => r.RouteKey === "GET /orders")).toMatchObject({
      AuthorizationType: "CUSTOM",
      AuthorizerId: out.UsersId,
    });
    expect(routes.find((r) => r.RouteKey === "GET /me")).toMatchObject({
      AuthorizationType: "JWT",
      AuthorizerId: out.CognitoId,
      AuthorizationScopes: ["profile"],
    });

    // AWS updates an authorizer in place; a property left out of the new template goes back to its default.
    const second = await deploy(
      ctx.cfn(),
      "guarded",
      template({ IdentitySource: ["$request.header.Authorization"], AuthorizerResultTtlInSeconds: 0 }),
    );
    expect(second.stack.StackStatus).toBe("UPDATE_COMPLETE");
    expect(outputs(second.stack).UsersId).toBe(out.UsersId);
    const users = await api().send(new GetAuthorizerCommand({ ApiId: out.ApiId, AuthorizerId: out.UsersId }));
    expect(users).toMatchObject({
      Name: "users",
      IdentitySource: ["$request.header.Authorization"],
      AuthorizerResultTtlInSeconds: 0,
    });
    expect(users.EnableSimpleResponses).toBeFalsy();

    await deleteStack(ctx.cfn(), "guarded");
    await expect(api().send(new GetAuthorizersCommand({ ApiId: out.ApiId }))).rejects.toThrow();
  }, 120_000);
});
