import { fileURLToPath } from "node:url";
import { safeDeploy } from "@sparta/operations";
import { describe, expect, it } from "vitest";
import { ServiceDefinitionError } from "../src/errors.js";
import { invokeConfig } from "../src/invoke.js";
import { marshalService } from "../src/marshal.js";
import type { ServiceDefinition, TemplateDocument } from "../src/service.js";
import { validateService } from "../src/validate.js";

const serviceDir = fileURLToPath(new URL("./fixtures/basic/", import.meta.url));
const code = {
  api: { key: "api-0123456789abcdef.zip", handler: "index.handler" },
  worker: { key: "worker-0123456789abcdef.zip", handler: "index.handler" },
};
const BOUNDARY = "arn:aws:iam::123456789012:policy/team-boundary";

const service = (extra: Partial<ServiceDefinition> = {}): ServiceDefinition => ({
  name: "secure",
  functions: [
    {
      name: "api",
      handler: "src/ok.ts#handler",
      events: [{ type: "s3", existingBucket: "my-data-bucket" }],
    },
    { name: "worker", handler: "src/ok.ts#handler" },
  ],
  ...extra,
});

const roles = (t: TemplateDocument) =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === "AWS::IAM::Role");
type Statement = { Effect: string; Action: string[]; Resource: unknown[]; Condition?: unknown };
const statementsOf = (t: TemplateDocument, role: string): Statement[] =>
  (t.Resources[role]?.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[])[0]!
    .PolicyDocument.Statement;

describe("permissionsBoundary", () => {
  it("puts the boundary on every role: the functions', the S3 notification function's, and those decorators add", async () => {
    const t = await marshalService(
      service({
        permissionsBoundary: BOUNDARY,
        decorators: [
          safeDeploy({ shift: "AllAtOnce" }),
          () => ({
            Resources: {
              ExtraRole: {
                Type: "AWS::IAM::Role",
                Properties: {
                  AssumeRolePolicyDocument: {
                    Version: "2012-10-17",
                    Statement: [
                      {
                        Effect: "Allow",
                        Principal: { Service: "lambda.amazonaws.com" },
                        Action: "sts:AssumeRole",
                      },
                    ],
                  },
                },
              },
            },
          }),
        ],
      }),
      code,
    );
    const ids = roles(t).map(([id]) => id);
    expect(ids.sort()).toEqual([
      "ApiRole",
      "ExtraRole",
      "SpartaCodeDeployRole",
      "SpartaS3NotificationRole",
      "WorkerRole",
    ]);
    for (const [id, r] of roles(t)) expect([id, r.Properties?.PermissionsBoundary]).toEqual([id, BOUNDARY]);
  });

  it("leaves a role a decorator gave its own boundary alone, and adds none without the setting", async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
    const own = { "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/other" };
    const t = await marshalService(
      service({
        permissionsBoundary: BOUNDARY,
        decorators: [
          () => ({
            Resources: {
              Own: {
                Type: "AWS::IAM::Role",
                Properties: { AssumeRolePolicyDocument: {}, PermissionsBoundary: own },
              },
            },
          }),
        ],
      }),
      code,
    );
    expect(t.Resources.Own?.Properties?.PermissionsBoundary).toEqual(own);
    const plain = await marshalService(service(), code);
    for (const [, r] of roles(plain)) expect(r.Properties?.PermissionsBoundary).toBeUndefined();
  });

  it("names what an intrinsic boundary refers to when the template lacks it (a decorator forgotten)", async () => {
    const boundary = {
      "Fn::If": [
        "SpartaPermissionsBoundaryGiven",
        { Ref: "SpartaPermissionsBoundary" },
        { Ref: "AWS::NoValue" },
      ],
    };
    await expect(marshalService(service({ permissionsBoundary: boundary }), code)).rejects.toThrow(
      /service\.permissionsBoundary: names SpartaPermissionsBoundaryGiven, SpartaPermissionsBoundary, which the template lacks; .*add pipeline\.decorator/,
    );
  });

  it("is validated: a managed policy's ARN or an intrinsic", async () => {
    const problems = async (permissionsBoundary: unknown) => {
      try {
        await validateService({ ...service(), permissionsBoundary }, { serviceDir });
        return "";
      } catch (error) {
        expect(error).toBeInstanceOf(ServiceDefinitionError);
        return (error as Error).message;
      }
    };
    expect(await problems(BOUNDARY)).toBe("");
    expect(await problems({ "Fn::ImportValue": "boundary-arn" })).toBe("");
    expect(await problems("team-boundary")).toMatch(
      /service\.permissionsBoundary: must be a managed policy's ARN .* received "team-boundary"/,
    );
    expect(await problems("arn:aws:iam::123456789012:role/x")).toMatch(/service\.permissionsBoundary/);
  });
});

describe("secrets in a function's environment", () => {
  const withSecrets = (): ServiceDefinition => ({
    name: "secrets",
    functions: [
      {
        name: "api",
        handler: "src/ok.ts#handler",
        environment: {
          STAGE: "prod",
          API_KEY: { secretsManager: "prod/api-key", jsonKey: "key" },
          WEBHOOK: { secretsManager: "arn:aws:secretsmanager:us-east-1:123456789012:secret:hook-AbCdEf" },
          DB_PASSWORD: {
            ssmParameter: "/prod/db/password",
            kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
          },
          PLAIN_PARAMETER: { ssmParameter: "plain-name" },
        },
      },
    ],
  });

  it("gives a Secrets Manager secret as a dynamic reference and a SecureString by name, with read access to it", async () => {
    const t = await marshalService(withSecrets(), { api: code.api });
    expect(t.Resources.ApiFunction?.Properties?.Environment).toEqual({
      Variables: {
        STAGE: "prod",
        API_KEY: "{{resolve:secretsmanager:prod/api-key:SecretString:key}}",
        WEBHOOK:
          "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:hook-AbCdEf}}",
        DB_PASSWORD: "/prod/db/password",
        PLAIN_PARAMETER: "plain-name",
      },
    });
    const statements = statementsOf(t, "ApiRole");
    expect(statements).toContainEqual({
      Effect: "Allow",
      Action: ["ssm:GetParameter"],
      Resource: [
        {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
          "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/prod/db/password",
        },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
        { "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/plain-name" },
      ],
    });
    expect(statements).toContainEqual({
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: ["arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      Condition: { StringEquals: { "kms:ViaService": { "Fn::Sub": "ssm.${AWS::Region}.amazonaws.com" } } },
    });
    // CloudFormation resolves the Secrets Manager reference when it deploys: the function's role needs nothing for it.
    expect(JSON.stringify(statements)).not.toContain("secretsmanager");
  });

  it("does not set a secret when a function runs locally: it exists only once deployed", async () => {
    const warnings: string[] = [];
    const config = await invokeConfig(withSecrets(), "api", { warn: (m) => warnings.push(m) });
    expect(config.environment).toEqual({
      STAGE: "prod",
      DB_PASSWORD: "/prod/db/password",
      PLAIN_PARAMETER: "plain-name",
    });
    expect(warnings.join("\n")).toMatch(
      /environment variable API_KEY is .*resolved only when deployed; not set locally/,
    );
  });

  it("warns about a plain value that looks like a credential, naming where to keep it, without printing it", async () => {
    const warnings: string[] = [];
    const def = withSecrets();
    def.functions[0]!.environment = { AWS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", GREETING: "hello" };
    await marshalService(def, { api: code.api }, { warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/functions\[api\]\.environment\.AWS_KEY_ID looks like an AWS access key id/);
    expect(warnings[0]).toContain('{ secretsManager: "api/aws_key_id" }');
    expect(warnings[0]).not.toContain("AKIAIOSFODNN7EXAMPLE");
  });

  it.each([
    [{ secretsManager: "" }, /secretsManager must be a secret's name or ARN/],
    [{ secretsManager: "a b" }, /secretsManager must be a secret's name or ARN/],
    [{ secretsManager: "prod/k", jsonKey: "a:b" }, /jsonKey must be a key of the secret's JSON/],
    [{ ssmParameter: "has space" }, /ssmParameter must be a Parameter Store name/],
    [
      { secret: "x" },
      /must be a string or a secret, received \{"secret":"x"\}; a secret is \{ secretsManager/,
    ],
  ])("rejects the secret %j with a message naming the fix", async (value, message) => {
    const def = {
      name: "demo",
      functions: [{ name: "f", handler: "src/ok.ts#handler", environment: { K: value } }],
    };
    await expect(validateService(def, { serviceDir })).rejects.toThrow(message);
  });
});
