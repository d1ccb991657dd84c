import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { safeDeploy } from "@sparta/operations";
import { validateTemplate } from "@sparta/template";
import { describe, expect, it } from "vitest";
import { serviceGraph } from "../src/diagram.js";
import { ServiceDefinitionError } from "../src/errors.js";
import { marshalService } from "../src/marshal.js";
import { templateRoutes } from "../src/routes.js";
import type { ServiceDefinition } from "../src/service.js";
import { validateService } from "../src/validate.js";
import { cfnLint, hasCfnLint } from "./helpers.js";

// HTTP API authorizers in the service model: a Lambda REQUEST authorizer (a function of the service), a JWT
// authorizer, the API's default and each route's own choice (an authorizer, AWS_IAM or NONE).

const serviceDir = fileURLToPath(new URL("./fixtures/basic/", import.meta.url));
const code = {
  api: { key: "api-0123456789abcdef.zip", handler: "index.handler" },
  auth: { key: "auth-0123456789abcdef.zip", handler: "index.handler" },
};

const service = (over: Partial<ServiceDefinition> = {}): ServiceDefinition => ({
  name: "guarded",
  functions: [
    {
      name: "api",
      handler: "src/ok.ts#handler",
      events: [
        { type: "httpApi", method: "GET", path: "/orders" }, // the default: users
        { type: "httpApi", method: "GET", path: "/open", authorizer: "NONE" },
        { type: "httpApi", method: "POST", path: "/admin", authorizer: "AWS_IAM" },
        { type: "httpApi", method: "GET", path: "/me", authorizer: "cognito", scopes: ["profile"] },
      ],
    },
    { name: "auth", handler: "src/ok.ts#handler" },
  ],
  httpApi: {
    authorizers: {
      users: {
        type: "lambda",
        function: "auth",
        identitySource: ["$request.header.X-Api-Key"],
        resultTtl: 300,
      },
      cognito: {
        type: "jwt",
        issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE",
        audience: ["1example23456789"],
      },
    },
    defaultAuthorizer: "users",
  },
  ...over,
});

const routeProps = (t: Awaited<ReturnType<typeof marshalService>>, key: string) =>
  Object.values(t.Resources).find(
    (r) => r.Type === "AWS::ApiGatewayV2::Route" && r.Properties?.RouteKey === key,
  )?.Properties;

async function problemsOf(def: unknown): Promise<string> {
  try {
    await validateService(def, { serviceDir, checkHandlers: false });
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceDefinitionError);
    return (error as Error).message;
  }
  throw new Error("the definition was accepted");
}

describe("HTTP API authorizers", () => {
  it("generate a REQUEST authorizer calling the function, and a JWT authorizer", async () => {
    const t = await marshalService(service(), code);
    expect(t.Resources.HttpApiAuthorizerUsers).toEqual({
      Type: "AWS::ApiGatewayV2::Authorizer",
      Properties: {
        ApiId: { Ref: "HttpApi" },
        Name: "users",
        AuthorizerType: "REQUEST",
        AuthorizerUri: {
          "Fn::Sub":
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax
            "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${AuthFunction.Arn}/invocations",
        },
        AuthorizerPayloadFormatVersion: "2.0",
        EnableSimpleResponses: true,
        IdentitySource: ["$request.header.X-Api-Key"],
        AuthorizerResultTtlInSeconds: 300,
      },
    });
    expect(t.Resources.HttpApiAuthorizerCognito).toEqual({
      Type: "AWS::ApiGatewayV2::Authorizer",
      Properties: {
        ApiId: { Ref: "HttpApi" },
        Name: "cognito",
        AuthorizerType: "JWT",
        IdentitySource: ["$request.header.Authorization"],
        JwtConfiguration: {
          Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE",
          Audience: ["1example23456789"],
        },
      },
    });
  });

  it("let API Gateway invoke the authorizer function for that authorizer only", async () => {
    const t = await marshalService(service(), code);
    expect(t.Resources.HttpApiAuthorizerUsersPermission).toEqual({
      Type: "AWS::Lambda::Permission",
      Properties: {
        Action: "lambda:InvokeFunction",
        FunctionName: { "Fn::GetAtt": ["AuthFunction", "Arn"] },
        Principal: "apigateway.amazonaws.com",
        SourceArn: {
          "Fn::Sub":
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/authorizers/${HttpApiAuthorizerUsers}",
        },
      },
    });
    // A JWT authorizer calls no function: no permission.
    expect(Object.keys(t.Resources).filter((id) => id.startsWith("HttpApiAuthorizer"))).toEqual([
      "HttpApiAuthorizerUsers",
      "HttpApiAuthorizerUsersPermission",
      "HttpApiAuthorizerCognito",
    ]);
    // The authorizer function has no route of its own: API Gateway may not invoke it as an integration.
    expect(t.Resources.AuthHttpPermission).toBeUndefined();
  });

  it("protect each route with its own authorizer, else the default; NONE stays public", async () => {
    const t = await marshalService(service(), code);
    expect(routeProps(t, "GET /orders")).toMatchObject({
      AuthorizationType: "CUSTOM",
      AuthorizerId: { Ref: "HttpApiAuthorizerUsers" },
    });
    const open = routeProps(t, "GET /open");
    expect(open?.AuthorizationType).toBeUndefined();
    expect(open?.AuthorizerId).toBeUndefined();
    expect(routeProps(t, "POST /admin")).toMatchObject({ AuthorizationType: "AWS_IAM" });
    expect(routeProps(t, "POST /admin")?.AuthorizerId).toBeUndefined();
    expect(routeProps(t, "GET /me")).toMatchObject({
      AuthorizationType: "JWT",
      AuthorizerId: { Ref: "HttpApiAuthorizerCognito" },
      AuthorizationScopes: ["profile"],
    });
    // explore and describe show each route's authorizer.
    const routes = await templateRoutes(service(), t);
    expect(routes.map((r) => [`${r.method} ${r.path}`, r.authorizer])).toEqual([
      ["GET /orders", "users"],
      ["GET /open", undefined],
      ["POST /admin", "AWS_IAM"],
      ["GET /me", "cognito"],
    ]);
  });

  it("with safeDeploy(), the authorizer and its permission both name the function's live alias", async () => {
    const t = await marshalService(service({ decorators: [safeDeploy()] }), code);
    expect(t.Resources.HttpApiAuthorizerUsers?.Properties?.AuthorizerUri).toEqual({
      "Fn::Sub":
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${AuthFunctionAlias}/invocations",
    });
    expect(t.Resources.HttpApiAuthorizerUsersPermission?.Properties?.FunctionName).toEqual({
      Ref: "AuthFunctionAlias",
    });
  });

  it("describe's picture names each protected route's authorizer", async () => {
    const graph = await serviceGraph(service(), await marshalService(service(), code));
    const route = (label: string) => graph.nodes.find((n) => n.kind === "route" && n.label === label);
    expect(route("GET /orders")?.detail).toBe("authorizer users");
    expect(route("GET /me")?.detail).toBe("authorizer cognito");
    expect(route("POST /admin")?.detail).toBe("authorizer AWS_IAM");
    expect(route("GET /open")?.detail).toBeUndefined();
  });

  it("payload 1.0 answers a policy (no EnableSimpleResponses); a service without httpApi settings is unchanged", async () => {
    const t = await marshalService(
      service({
        functions: [
          {
            name: "api",
            handler: "src/ok.ts#handler",
            events: [{ type: "httpApi", method: "GET", path: "/orders" }],
          },
          { name: "auth", handler: "src/ok.ts#handler" },
        ],
        httpApi: { authorizers: { users: { type: "lambda", function: "auth", payloadFormat: "1.0" } } },
      }),
      code,
    );
    expect(t.Resources.HttpApiAuthorizerUsers?.Properties).toMatchObject({
      AuthorizerPayloadFormatVersion: "1.0",
      IdentitySource: ["$request.header.Authorization"],
      AuthorizerResultTtlInSeconds: 0,
    });
    expect(t.Resources.HttpApiAuthorizerUsers?.Properties?.EnableSimpleResponses).toBeUndefined();
    // No default: a route without an authorizer is public.
    expect(routeProps(t, "GET /orders")?.AuthorizationType).toBeUndefined();

    const plain = await marshalService(
      {
        name: "plain",
        functions: [
          {
            name: "api",
            handler: "src/ok.ts#handler",
            events: [{ type: "httpApi", method: "GET", path: "/" }],
          },
        ],
      },
      code,
    );
    expect(Object.values(plain.Resources).map((r) => r.Type)).not.toContain("AWS::ApiGatewayV2::Authorizer");
    expect(routeProps(plain, "GET /")).toEqual({
      ApiId: { Ref: "HttpApi" },
      RouteKey: "GET /",
      Target: { "Fn::Join": ["/", ["integrations", { Ref: "ApiHttpIntegration" }]] },
    });
  });

  it("pass the template's own validation and cfn-lint", async () => {
    const t = await marshalService(service(), code);
    expect(validateTemplate(t as never, { checkValues: true })).toEqual([]);
    if (!hasCfnLint) return;
    const file = join(mkdtempSync(join(tmpdir(), "sparta-authorizers-")), "template.json");
    writeFileSync(file, JSON.stringify(t));
    const lint = cfnLint(file);
    expect(lint.output).toBe("");
    expect(lint.status).toBe(0);
  }, 120_000);

  it("are validated before anything is built, each problem naming the setting", async () => {
    await expect(validateService(service(), { serviceDir, checkHandlers: false })).resolves.toBeDefined();
    const base = service();
    const message = await problemsOf({
      ...base,
      functions: [
        {
          name: "api",
          handler: "src/ok.ts#handler",
          events: [
            { type: "httpApi", method: "GET", path: "/a", authorizer: "nobody" },
            { type: "httpApi", method: "GET", path: "/b", authorizer: "users", scopes: ["x"] },
          ],
        },
        { name: "auth", handler: "src/ok.ts#handler" },
      ],
      httpApi: {
        authorizers: {
          users: { type: "lambda", function: "missing", identitySource: ["Authorization"], resultTtl: 7200 },
          jwt: { type: "jwt", audience: [] },
          odd: { type: "lambda", function: "auth", payloadFormat: "1.0", simpleResponses: true, cache: 1 },
          NONE: { type: "oauth" },
        },
        defaultAuthorizer: "ghost",
      },
    });
    expect(message).toContain(
      'functions[api].events[0].authorizer: "nobody" is no authorizer of service.httpApi.authorizers; give one of "users", "jwt", "odd", "AWS_IAM", "NONE"',
    );
    expect(message).toContain(
      'functions[api].events[1].scopes: scopes are checked by a JWT authorizer only, and this route\'s authorizer is "users"',
    );
    expect(message).toContain(
      'service.httpApi.authorizers.users.function: no function "missing" in the service: the name of the service function that decides (written with authorizer() of @sparta/handler/authorizer); functions: api, auth',
    );
    expect(message).toContain(
      'service.httpApi.authorizers.users.identitySource: must be a non-empty list of "$request.header.NAME"',
    );
    expect(message).toContain(
      "service.httpApi.authorizers.users.resultTtl: must be an integer number of seconds from 0 to 3600, received 7200",
    );
    expect(message).toContain(
      "service.httpApi.authorizers.jwt.issuer: missing: the token issuer's https:// URL",
    );
    expect(message).toContain("service.httpApi.authorizers.jwt.audience: invalid ([]): a non-empty list");
    expect(message).toContain(
      'service.httpApi.authorizers.odd.simpleResponses: simple responses ({ isAuthorized }) need payloadFormat "2.0"',
    );
    expect(message).toContain(
      "service.httpApi.authorizers.odd.cache: unknown field of a lambda authorizer; known fields: type, function, identitySource, payloadFormat, simpleResponses, resultTtl",
    );
    expect(message).toContain(
      'service.httpApi.authorizers.NONE: authorizer names are a letter, then letters, digits, "-" or "_" (at most 128), and not AWS_IAM or NONE',
    );
    expect(message).toContain('service.httpApi.authorizers.NONE: must be { type: "lambda"');
    expect(message).toContain(
      'service.httpApi.defaultAuthorizer: "ghost" is no authorizer of service.httpApi.authorizers; give one of "users", "jwt", "odd", "AWS_IAM"',
    );
    // A JWT authorizer reads one header or query parameter.
    expect(
      await problemsOf({
        ...base,
        httpApi: {
          authorizers: {
            cognito: {
              type: "jwt",
              issuer: "https://issuer.example.com",
              audience: ["a"],
              identitySource: ["$context.identity.sourceIp"],
            },
          },
        },
      }),
    ).toContain(
      'service.httpApi.authorizers.cognito.identitySource: a JWT authorizer reads one "$request.header.NAME" or "$request.querystring.NAME", received ["$context.identity.sourceIp"]',
    );
    // Authorizers with no route to protect are a mistake, not silently nothing.
    expect(
      await problemsOf({
        name: "lonely",
        functions: [{ name: "auth", handler: "src/ok.ts#handler" }],
        httpApi: { authorizers: { users: { type: "lambda", function: "auth" } } },
      }),
    ).toContain("service.httpApi: the service has no httpApi route for its authorizers to protect");
  });

  it("marshalling an unchecked definition refuses a bad authorizer too", async () => {
    await expect(
      marshalService(
        service({ httpApi: { authorizers: { users: { type: "lambda", function: "nobody" } } } }),
        code,
      ),
    ).rejects.toThrow(/service\.httpApi\.authorizers\.users\.function: no function "nobody"/);
  });
});
