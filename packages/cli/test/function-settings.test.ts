import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateTemplate } from "@sparta/template";
import { describe, expect, it } from "vitest";
import { renderDescribeHtml } from "../src/describe.js";
import { ServiceDefinitionError } from "../src/errors.js";
import { marshalService } from "../src/marshal.js";
import type { FunctionDef, ServiceDefinition } from "../src/service.js";
import { validateService } from "../src/validate.js";
import { cfnLint, hasCfnLint } from "./helpers.js";

// A function's runtime settings beyond memory and timeout: architecture, reserved concurrency, /tmp size,
// X-Ray tracing, layers, VPC and a dead-letter target, as SAM and Serverless users set them.

const serviceDir = fileURLToPath(new URL("./fixtures/basic/", import.meta.url));
const code = {
  tuned: { key: "tuned-0123456789abcdef.zip", handler: "index.handler" },
  plain: { key: "plain-0123456789abcdef.zip", handler: "index.handler" },
};

const tuned: FunctionDef = {
  name: "tuned",
  handler: "src/ok.ts#handler",
  architecture: "arm64",
  reservedConcurrency: 5,
  ephemeralStorage: 2048,
  tracing: "Active",
  layers: ["arn:aws:lambda:us-east-1:123456789012:layer:shared:3", { Ref: "ExtraLayer" }],
  vpc: { subnetIds: { Ref: "Subnets" }, securityGroupIds: ["sg-0123456789abcdef0"] },
  deadLetter: { queueArn: { "Fn::GetAtt": ["Failed", "Arn"] } },
};

const service = (fn: Partial<FunctionDef> = {}): ServiceDefinition => ({
  name: "settings",
  functions: [
    { ...tuned, ...fn },
    { name: "plain", handler: "src/ok.ts#handler" },
  ],
  decorators: [
    () => ({
      Parameters: {
        Subnets: { Type: "List<AWS::EC2::Subnet::Id>" },
        ExtraLayer: { Type: "String" },
      },
      Resources: { Failed: { Type: "AWS::SQS::Queue" } },
    }),
  ],
});

type Statement = { Action: string[]; Resource: unknown[] };
const statementsOf = (t: Awaited<ReturnType<typeof marshalService>>, role: string): Statement[] =>
  (t.Resources[role]?.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[])[0]!
    .PolicyDocument.Statement;

async function problemsOf(fn: Record<string, unknown>): Promise<string> {
  const def = { name: "demo", functions: [{ name: "f", handler: "src/ok.ts#handler", ...fn }] };
  try {
    await validateService(def, { serviceDir });
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceDefinitionError);
    return (error as Error).message;
  }
  throw new Error("expected the definition to be rejected");
}

describe("function runtime settings", () => {
  it("become the function's properties", async () => {
    const t = await marshalService(service(), code);
    expect(t.Resources.TunedFunction!.Properties).toMatchObject({
      Architectures: ["arm64"],
      ReservedConcurrentExecutions: 5,
      EphemeralStorage: { Size: 2048 },
      TracingConfig: { Mode: "Active" },
      Layers: ["arn:aws:lambda:us-east-1:123456789012:layer:shared:3", { Ref: "ExtraLayer" }],
      VpcConfig: { SubnetIds: { Ref: "Subnets" }, SecurityGroupIds: ["sg-0123456789abcdef0"] },
      DeadLetterConfig: { TargetArn: { "Fn::GetAtt": ["Failed", "Arn"] } },
    });
    // A function without settings gets none of these properties: Lambda's defaults apply.
    const plain = t.Resources.PlainFunction?.Properties ?? {};
    for (const p of [
      "Architectures",
      "ReservedConcurrentExecutions",
      "EphemeralStorage",
      "TracingConfig",
      "Layers",
      "VpcConfig",
      "DeadLetterConfig",
    ])
      expect(plain).not.toHaveProperty(p);
  });

  it("grant the role only what each setting needs", async () => {
    const t = await marshalService(service(), code);
    const statements = statementsOf(t, "TunedRole");
    expect(statements).toContainEqual({
      Effect: "Allow",
      Action: ["sqs:SendMessage"],
      Resource: [{ "Fn::GetAtt": ["Failed", "Arn"] }],
    });
    expect(statements).toContainEqual({
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
      Resource: ["*"],
    });
    // "*" resources only for the actions that have no resource-level permissions; never a "*" action.
    for (const s of statements) {
      expect(s.Action.filter((a) => a.includes("*"))).toEqual([]);
      if (s.Resource.includes("*")) expect(s.Action.every((a) => /^(xray|ec2):/.test(a))).toBe(true);
    }
    expect(statements.find((s) => s.Action.includes("ec2:CreateNetworkInterface"))?.Action).toEqual([
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ]);
    // An SNS dead-letter target is granted sns:Publish on that topic instead.
    const sns = await marshalService(
      service({ deadLetter: { topicArn: "arn:aws:sns:us-east-1:123456789012:failed" } }),
      code,
    );
    expect(statementsOf(sns, "TunedRole")).toContainEqual({
      Effect: "Allow",
      Action: ["sns:Publish"],
      Resource: ["arn:aws:sns:us-east-1:123456789012:failed"],
    });
    // Without tracing, VPC or a dead-letter target, the role is what it was: logs on its own group.
    expect(statementsOf(t, "PlainRole")).toHaveLength(1);
    // PassThrough tracing records nothing itself, so it needs no X-Ray permission.
    const pass = await marshalService(service({ tracing: "PassThrough" }), code);
    expect(statementsOf(pass, "TunedRole").flatMap((s) => s.Action)).not.toContain("xray:PutTraceSegments");
  });

  it("pass the template's own validation and cfn-lint", async () => {
    const t = await marshalService(service(), code);
    expect(validateTemplate(t as never, { checkValues: true })).toEqual([]);
    if (!hasCfnLint) return;
    const file = join(mkdtempSync(join(tmpdir(), "sparta-settings-")), "template.json");
    writeFileSync(file, JSON.stringify(t));
    const lint = cfnLint(file);
    expect(lint.output).toBe("");
    expect(lint.status).toBe(0);
  }, 120_000);

  it("are validated up front, each problem naming the field and what it accepts", async () => {
    await expect(validateService(service(), { serviceDir })).resolves.toBeDefined();
    const message = await problemsOf({
      architecture: "arm",
      reservedConcurrency: -1,
      ephemeralStorage: 256,
      tracing: "on",
      layers: [],
      vpc: { subnetIds: [] },
      deadLetter: { queueArn: "q", topicArn: "t" },
    });
    expect(message).toContain('functions[f].architecture: must be "x86_64" or "arm64", received "arm"');
    expect(message).toContain(
      "functions[f].reservedConcurrency: must be an integer number of concurrent executions from 0 to 1000000, received -1",
    );
    expect(message).toContain(
      "functions[f].ephemeralStorage: must be an integer number of MB from 512 to 10240, received 256",
    );
    expect(message).toContain('functions[f].tracing: must be "Active" or "PassThrough", received "on"');
    expect(message).toContain("functions[f].layers: must list 1 to 5 layer version ARNs");
    expect(message).toContain("functions[f].vpc.subnetIds: must be a non-empty list of ids");
    expect(message).toContain("functions[f].vpc.securityGroupIds: must be a non-empty list of ids");
    expect(message).toContain(
      "functions[f].deadLetter: must be { queueArn: <SQS queue ARN> } or { topicArn: <SNS topic ARN> } (one of them)",
    );
    expect(await problemsOf({ layers: ["a", "b", "c", "d", "e", "f"] })).toContain(
      "1 to 5 layer version ARNs",
    );
    expect(await problemsOf({ vpc: ["subnet-1"] })).toContain(
      "functions[f].vpc: must be { subnetIds: [...], securityGroupIds: [...] }",
    );
  });

  it("are shown in the describe report", async () => {
    const def = service();
    const template = await marshalService(def, code);
    const html = renderDescribeHtml(def, {
      stackName: "settings",
      template,
      artifacts: [],
      dir: ".sparta",
      templatePath: ".sparta/template.json",
      manifestPath: ".sparta/manifest.json",
      parameters: {},
      tags: {},
    });
    expect(html).toContain(
      "<tr><th>runtime</th><td>arm64, 5 reserved concurrent executions, 2048 MB /tmp, X-Ray Active, 2 layer(s), in a VPC, failed async events to SQS</td></tr>",
    );
    expect(html).toContain("<tr><th>runtime</th><td>x86_64</td></tr>");
  });

  it("functionDefaults give every function a setting it does not set itself; environments merge", async () => {
    const def: ServiceDefinition = {
      name: "defaults",
      functionDefaults: {
        architecture: "arm64",
        memorySize: 512,
        tracing: "Active",
        environment: { STAGE: "prod", LEVEL: "info" },
      },
      functions: [
        { name: "tuned", handler: "src/ok.ts#handler" },
        { name: "plain", handler: "src/ok.ts#handler", memorySize: 1024, environment: { LEVEL: "debug" } },
      ],
    };
    // What the CLI loads (validateService applies them) and what marshalService makes agree.
    const loaded = await validateService(def, { serviceDir });
    expect(loaded.functions.map((f) => [f.architecture, f.memorySize, f.environment])).toEqual([
      ["arm64", 512, { STAGE: "prod", LEVEL: "info" }],
      ["arm64", 1024, { STAGE: "prod", LEVEL: "debug" }],
    ]);
    const t = await marshalService(def, code);
    for (const [id, memory, env] of [
      ["TunedFunction", 512, { STAGE: "prod", LEVEL: "info" }],
      ["PlainFunction", 1024, { STAGE: "prod", LEVEL: "debug" }],
    ] as const)
      expect(t.Resources[id]?.Properties).toMatchObject({
        Architectures: ["arm64"],
        MemorySize: memory,
        TracingConfig: { Mode: "Active" },
        Environment: { Variables: env },
      });
    expect(statementsOf(t, "PlainRole").flatMap((x) => x.Action)).toContain("xray:PutTraceSegments");
    expect(await marshalService(loaded, code)).toEqual(t);
  });

  it("functionDefaults are validated like a function's settings, and only the shareable ones are accepted", async () => {
    const def = {
      name: "demo",
      functionDefaults: { memorySize: 64, reservedConcurrency: 2, environment: { x: "1" } },
      functions: [{ name: "f", handler: "src/ok.ts#handler" }],
    };
    let message = "";
    try {
      await validateService(def, { serviceDir });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      "service.functionDefaults.memorySize: must be an integer number of MB from 128 to 10240, received 64",
    );
    expect(message).toContain(
      "service.functionDefaults.reservedConcurrency: cannot be a default for every function; defaults: memorySize, timeout, environment, architecture, tracing, ephemeralStorage, layers, vpc, deadLetter",
    );
    expect(message).toContain("service.functionDefaults.environment.x: variable names must match");
  });
});
