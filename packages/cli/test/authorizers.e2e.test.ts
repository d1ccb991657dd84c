import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetPolicyCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { Emulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorWithBucket } from "./emulator.js";
import { copyExample, removeCopies, runBinAsync } from "./example.js";

const BUCKET = "sparta-guarded-artifacts";

// A service whose HTTP API routes are protected by a Lambda authorizer of its own (written with @sparta/handler's
// authorizer()), a JWT authorizer and AWS_IAM, as a user writes it, deployed with `sparta provision`.
const AUTH = `import { allow, authorizer, unauthorized } from "@sparta/handler/authorizer";

export const handler = authorizer(async ({ token }) =>
  token === "Bearer sample-token" ? allow({ context: { user: "ada" } }) : unauthorized(),
);
`;
const CONFIG = `import { defineService } from "@sparta/cli";

export const service = defineService({
  name: "guarded",
  functions: [
    {
      name: "hello",
      handler: "src/hello.ts#handler",
      events: [
        { type: "httpApi", method: "GET", path: "/hello" },
        { type: "httpApi", method: "GET", path: "/open", authorizer: "NONE" },
        { type: "httpApi", method: "GET", path: "/me", authorizer: "cognito", scopes: ["profile"] },
        { type: "httpApi", method: "POST", path: "/admin", authorizer: "AWS_IAM" },
      ],
    },
    { name: "auth", handler: "src/auth.ts#handler" },
  ],
  httpApi: {
    authorizers: {
      users: { type: "lambda", function: "auth", identitySource: ["$request.header.Authorization"], resultTtl: 60 },
      cognito: {
        type: "jwt",
        issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE",
        audience: ["1example23456789"],
      },
    },
    defaultAuthorizer: "users",
  },
});
`;

/**
 * A GET on the emulator's API Gateway v2 REST API: moto routes a request by the service in its credential scope and
 * does not check the signature, so a well-formed header is enough (the CLI's tests have no API Gateway v2 SDK).
 */
async function apigw(endpoint: string, path: string): Promise<{ items: Record<string, unknown>[] }> {
  const authorization =
    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0";
  const r = await fetch(`${endpoint}${path}`, { headers: { authorization } });
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as { items: Record<string, unknown>[] };
}

describe("HTTP API authorizers on the AWS emulator", () => {
  let emu: Emulator;
  let dir: string;

  beforeAll(async () => {
    emu = await emulatorWithBucket(BUCKET);
    dir = copyExample();
    writeFileSync(join(dir, "src", "auth.ts"), AUTH);
    writeFileSync(join(dir, "guarded.config.ts"), CONFIG);
  }, 120_000);

  afterAll(async () => {
    await emu?.stop();
    removeCopies();
  });

  it("deploys the authorizers, the routes name them, and only that authorizer may invoke its function", async () => {
    const r = await runBinAsync(
      ["provision", "--service", "guarded.config.ts", "--s3Bucket", BUCKET, "--yes", "--format", "json"],
      dir,
      emu.env,
    );
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.kind).toBe("created");
    const apiId = /^https:\/\/([a-z0-9]+)\./.exec(result.outputs.HttpApiUrl)?.[1];
    expect(apiId).toBeTruthy();

    const authorizers = (await apigw(emu.endpoint, `/v2/apis/${apiId}/authorizers`)).items;
    const users = authorizers.find((a) => a.name === "users");
    expect(users).toMatchObject({
      authorizerType: "REQUEST",
      authorizerPayloadFormatVersion: "2.0",
      enableSimpleResponses: true,
      identitySource: ["$request.header.Authorization"],
      authorizerResultTtlInSeconds: 60,
      authorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${result.outputs.AuthArn}/invocations`,
    });
    const cognito = authorizers.find((a) => a.name === "cognito");
    expect(cognito).toMatchObject({
      authorizerType: "JWT",
      jwtConfiguration: {
        issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE",
        audience: ["1example23456789"],
      },
    });

    const routes = (await apigw(emu.endpoint, `/v2/apis/${apiId}/routes`)).items;
    const route = (key: string) => routes.find((x) => x.routeKey === key);
    expect(route("GET /hello")).toMatchObject({
      authorizationType: "CUSTOM",
      authorizerId: users?.authorizerId,
    });
    expect(route("GET /open")).toMatchObject({ authorizationType: "NONE" });
    expect(route("GET /me")).toMatchObject({
      authorizationType: "JWT",
      authorizerId: cognito?.authorizerId,
      authorizationScopes: ["profile"],
    });
    expect(route("POST /admin")).toMatchObject({ authorizationType: "AWS_IAM" });

    // API Gateway may invoke the authorizer function for that authorizer only.
    const lambda = new LambdaClient({ ...emu.clientConfig, maxAttempts: 1 });
    const policy = JSON.parse(
      (await lambda.send(new GetPolicyCommand({ FunctionName: result.outputs.AuthArn }))).Policy ?? "{}",
    ) as { Statement: { Principal: unknown; Condition?: { ArnLike?: Record<string, string> } }[] };
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({
      Principal: { Service: "apigateway.amazonaws.com" },
      Condition: {
        ArnLike: {
          "AWS:SourceArn": `arn:aws:execute-api:us-east-1:123456789012:${apiId}/authorizers/${users?.authorizerId}`,
        },
      },
    });
  }, 300_000);

  it("sparta invoke auth --sample runs the authorizer on the event API Gateway sends it", async () => {
    const r = await runBinAsync(
      ["invoke", "auth", "--sample", "--service", "guarded.config.ts", "--format", "json"],
      dir,
      emu.env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("sample event for auth as the authorizer httpApi.authorizers.users");
    expect(JSON.parse(r.stdout)).toMatchObject({ result: { isAuthorized: true, context: { user: "ada" } } });
  }, 120_000);
});
