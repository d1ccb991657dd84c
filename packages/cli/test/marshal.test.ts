import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HookError } from "../src/errors.js";
import { marshalService, RUNTIME } from "../src/marshal.js";
import type { ServiceDefinition } from "../src/service.js";
import { cfnLint, expectGolden, hasCfnLint } from "./helpers.js";

const golden = fileURLToPath(new URL("./golden/all-sources.template.json", import.meta.url));

const service = (): ServiceDefinition => ({
  name: "demo",
  parameters: { Stage: { default: "dev", allowedValues: ["dev", "prod"] } },
  functions: [
    {
      name: "hello",
      handler: "src/ok.ts#handler",
      environment: { STAGE: "dev" },
      privileges: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::data-bucket/*"] }],
      events: [
        { type: "httpApi", method: "POST", path: "/items/{id}" },
        { type: "httpApi", method: "GET", path: "/items" },
        { type: "functionUrl", authType: "NONE" },
        { type: "s3", bucket: "my-uploads", prefix: "in/" },
        { type: "sns", topicArn: "arn:aws:sns:us-east-1:123456789012:topic" },
        { type: "sqs", queueArn: "arn:aws:sqs:us-east-1:123456789012:queue", batchSize: 5 },
        {
          type: "dynamodb",
          streamArn: "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2020-01-01T00:00:00.000",
          startingPosition: "TRIM_HORIZON",
        },
        { type: "kinesis", streamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s" },
        { type: "schedule", expression: "rate(5 minutes)" },
        { type: "eventPattern", pattern: { source: ["aws.ec2"] } },
        { type: "cloudwatchLogs", logGroupName: "/aws/lambda/other" },
      ],
    },
    {
      name: "other-fn",
      handler: "src/ok.ts#other",
      roleName: "existing-role",
      events: [{ type: "s3", bucket: "my-uploads", suffix: ".png" }],
    },
  ],
});
const code = {
  hello: { key: "hello-0123456789abcdef.zip", handler: "index.handler" },
  "other-fn": { key: "other-fn-fedcba9876543210.zip", handler: "index.handler" },
};

describe("marshalService", () => {
  it("generates every trigger with least-privilege permissions (golden)", async () => {
    const t = await marshalService(service(), code);
    expectGolden(golden, `${JSON.stringify(t, null, 2)}\n`);
    const fn = t.Resources.HelloFunction!;
    expect(fn.Properties).toMatchObject({
      Runtime: RUNTIME,
      Handler: "index.handler",
      Code: { S3Bucket: { Ref: "ArtifactBucket" }, S3Key: "hello-0123456789abcdef.zip" },
    });
    const statements = (
      t.Resources.HelloRole?.Properties?.Policies as { PolicyDocument: { Statement: unknown[] } }[]
    )[0]!.PolicyDocument.Statement as { Action: string[]; Resource: unknown[] }[];
    // Nothing is granted on "*" but what AWS's reference gives no resource type (dynamodb:ListStreams): logs on its
    // own group, the user's privilege, and each pull source on its ARN.
    const onAnything = statements.filter((s) => s.Resource.includes("*"));
    expect(onAnything).toEqual([{ Effect: "Allow", Action: ["dynamodb:ListStreams"], Resource: ["*"] }]);
    expect(statements).toContainEqual({
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: ["arn:aws:sqs:us-east-1:123456789012:queue"],
    });
    // Push sources get a permission scoped to their source.
    const perms = Object.values(t.Resources).filter((r) => r.Type === "AWS::Lambda::Permission");
    expect(perms.map((p) => p.Properties!.Principal).sort()).toEqual([
      "*",
      "apigateway.amazonaws.com",
      "events.amazonaws.com",
      "events.amazonaws.com",
      "logs.amazonaws.com",
      "s3.amazonaws.com",
      "s3.amazonaws.com",
      "sns.amazonaws.com",
    ]);
    for (const p of perms) if (p.Properties!.Principal !== "*") expect(p.Properties!.SourceArn).toBeDefined();
    // Two functions on one bucket share one bucket with both notifications.
    const bucket = t.Resources.MyUploadsBucket!;
    expect(
      (bucket.Properties!.NotificationConfiguration as { LambdaConfigurations: unknown[] })
        .LambdaConfigurations,
    ).toHaveLength(2);
    expect(bucket.DependsOn).toEqual(["HelloS3Trigger3Permission", "OtherFnS3Trigger0Permission"]);
    // A given role name is used instead of generating one.
    expect(t.Resources.OtherFnRole).toBeUndefined();
    expect(t.Resources.OtherFnFunction?.Properties?.Role).toEqual({
      "Fn::Sub": `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/existing-role`,
    });
  });

  it.skipIf(!hasCfnLint)(
    "passes cfn-lint",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "sparta-marshal-"));
      const file = join(dir, "template.json");
      writeFileSync(file, JSON.stringify(await marshalService(service(), code)));
      // W2001: the declared Stage parameter is the user's to use (in a decorator or environment).
      const lint = cfnLint(file, ["W2001"]);
      expect(lint.output).toBe("");
      expect(lint.status).toBe(0);
    },
    120_000,
  );

  it("merges decorator fragments and runs function decorators before service decorators", async () => {
    const order: string[] = [];
    const def = service();
    def.functions[0]!.decorator = ({ logicalIds, template }) => {
      order.push(`fn:${logicalIds.function}:${Object.keys(template.Resources).length > 0}`);
      return { Outputs: { HelloName: { Value: { Ref: logicalIds.function } } } };
    };
    def.decorators = [
      ({ template }) => {
        order.push("service");
        template.Description = "decorated";
      },
    ];
    const t = await marshalService(def, code);
    expect(order).toEqual(["fn:HelloFunction:true", "service"]);
    expect(t.Outputs!.HelloName).toEqual({ Value: { Ref: "HelloFunction" } });
    expect(t.Description).toBe("decorated");
  });

  it("names the decorator that returns a clashing logical id", async () => {
    const def = service();
    def.decorators = [() => ({ Resources: { HelloFunction: { Type: "AWS::SNS::Topic" } } })];
    await expect(marshalService(def, code)).rejects.toThrow(HookError);
    await expect(marshalService(def, code)).rejects.toThrow(
      /service\.decorators\[0\] returned Resources\.HelloFunction, which already exists/,
    );
  });
});
