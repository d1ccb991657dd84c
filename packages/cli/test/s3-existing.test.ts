import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateTemplate } from "@sparta/template";
import { describe, expect, it } from "vitest";
import { ServiceDefinitionError } from "../src/errors.js";
import { marshalService } from "../src/marshal.js";
import {
  S3_NOTIFICATION_HANDLER,
  S3_NOTIFICATION_RESOURCE_TYPE,
  s3EventProblems,
} from "../src/s3-notifications.js";
import type { EventSource, ServiceDefinition, TemplateDocument } from "../src/service.js";
import { cfnLint, expectGolden, hasCfnLint } from "./helpers.js";

const golden = fileURLToPath(new URL("./golden/s3-existing.template.json", import.meta.url));

// Two functions, three existing-bucket triggers (two on one named bucket, one on a bucket given as a parameter) and
// one bucket the service creates.
const service = (): ServiceDefinition => ({
  name: "ingest",
  parameters: { DataBucket: { description: "Name of the bucket another stack created" } },
  functions: [
    {
      name: "resize",
      handler: "src/ok.ts#handler",
      events: [
        { type: "s3", existingBucket: "my-data-bucket", prefix: "in/", suffix: ".png" },
        { type: "s3", existingBucket: { Ref: "DataBucket" }, events: ["s3:ObjectCreated:Put"] },
        { type: "s3", bucket: "uploads", prefix: "raw/" },
      ],
    },
    {
      name: "audit",
      handler: "src/ok.ts#audit",
      events: [{ type: "s3", existingBucket: "my-data-bucket", events: ["s3:ObjectRemoved:*"] }],
    },
  ],
});
const code = {
  resize: { key: "resize-0123456789abcdef.zip", handler: "index.handler" },
  audit: { key: "audit-fedcba9876543210.zip", handler: "index.handler" },
};
/** A resource of the template, or a failed expectation naming the missing logical id. */
const res = (t: TemplateDocument, id: string) => {
  const r = t.Resources[id];
  if (!r) throw new Error(`the template has no resource ${id}`);
  return r;
};
type Statement = { Effect: string; Action: string[]; Resource: unknown[] };
const statementsOf = (t: TemplateDocument, role: string): Statement[] =>
  (res(t, role).Properties!.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
const dataBucketArn = { "Fn::Sub": `arn:\${AWS::Partition}:s3:::my-data-bucket` };
const paramBucketArn = {
  "Fn::Sub": [`arn:\${AWS::Partition}:s3:::\${Bucket}`, { Bucket: { Ref: "DataBucket" } }],
};

describe("s3 triggers on existing buckets (marshalled template)", () => {
  it("one shared custom-resource function, and per trigger a permission and a notification resource (golden)", async () => {
    const t = await marshalService(service(), code);
    expectGolden(golden, `${JSON.stringify(t, null, 2)}\n`);

    const fns = Object.entries(t.Resources).filter(([, r]) => r.Type === "AWS::Lambda::Function");
    expect(fns.map(([id]) => id).sort()).toEqual([
      "AuditFunction",
      "ResizeFunction",
      "SpartaS3NotificationFunction",
    ]);
    const cr = res(t, "SpartaS3NotificationFunction").Properties!;
    expect(cr).toMatchObject({
      Runtime: "nodejs22.x",
      Handler: "index.handler",
      Code: { ZipFile: S3_NOTIFICATION_HANDLER },
    });
    expect((cr.Code as { ZipFile: string }).ZipFile.length).toBeLessThan(4096);

    const notifications = Object.entries(t.Resources).filter(
      ([, r]) => r.Type === S3_NOTIFICATION_RESOURCE_TYPE,
    );
    expect(notifications.map(([id]) => id)).toEqual([
      "ResizeS3Trigger0Notification",
      "ResizeS3Trigger1Notification",
      "AuditS3Trigger0Notification",
    ]);
    expect(t.Resources.ResizeS3Trigger0Notification).toEqual({
      Type: "Custom::SpartaS3Notification",
      DependsOn: ["ResizeS3Trigger0Permission"],
      Properties: {
        ServiceToken: { "Fn::GetAtt": ["SpartaS3NotificationFunction", "Arn"] },
        ServiceTimeout: 120,
        Bucket: "my-data-bucket",
        NotificationConfigurations: [
          {
            Events: ["s3:ObjectCreated:*"],
            LambdaFunctionArn: { "Fn::GetAtt": ["ResizeFunction", "Arn"] },
            Filter: {
              Key: {
                FilterRules: [
                  { Name: "prefix", Value: "in/" },
                  { Name: "suffix", Value: ".png" },
                ],
              },
            },
          },
        ],
      },
    });
    // Each runs after its permission (S3 checks it can invoke the function) and after the previous one (each is a
    // read-modify-write of a bucket's whole configuration).
    expect(res(t, "ResizeS3Trigger1Notification").DependsOn).toEqual([
      "ResizeS3Trigger1Permission",
      "ResizeS3Trigger0Notification",
    ]);
    expect(res(t, "AuditS3Trigger0Notification").DependsOn).toEqual([
      "AuditS3Trigger0Permission",
      "ResizeS3Trigger1Notification",
    ]);
    expect(res(t, "ResizeS3Trigger1Notification").Properties!.Bucket).toEqual({ Ref: "DataBucket" });
    expect(res(t, "ResizeS3Trigger1Permission").Properties).toEqual({
      Action: "lambda:InvokeFunction",
      FunctionName: { "Fn::GetAtt": ["ResizeFunction", "Arn"] },
      Principal: "s3.amazonaws.com",
      SourceArn: paramBucketArn,
      SourceAccount: { Ref: "AWS::AccountId" },
    });
    expect(res(t, "AuditS3Trigger0Permission").Properties).toMatchObject({
      Principal: "s3.amazonaws.com",
      SourceArn: dataBucketArn,
      SourceAccount: { Ref: "AWS::AccountId" },
    });

    // The bucket the service creates is still created, with its notification, and no custom resource.
    expect(res(t, "UploadsBucket").Properties!.NotificationConfiguration).toEqual({
      LambdaConfigurations: [
        {
          Event: "s3:ObjectCreated:*",
          Function: { "Fn::GetAtt": ["ResizeFunction", "Arn"] },
          Filter: { S3Key: { Rules: [{ Name: "prefix", Value: "raw/" }] } },
        },
      ],
    });
    expect(t.Resources.MyDataBucketBucket).toBeUndefined();
  });

  it("the custom resource's role may only read and write the notifications of exactly these buckets, and log", async () => {
    const t = await marshalService(service(), code);
    const statements = statementsOf(t, "SpartaS3NotificationRole");
    expect(statements).toEqual([
      {
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [{ "Fn::GetAtt": ["SpartaS3NotificationLogGroup", "Arn"] }],
      },
      {
        Effect: "Allow",
        Action: ["s3:GetBucketNotification", "s3:PutBucketNotification"],
        Resource: [dataBucketArn, paramBucketArn],
      },
    ]);
    for (const s of statements) {
      expect(s.Action.filter((a) => a.includes("*"))).toEqual([]);
      expect(s.Resource).not.toContain("*");
    }
    expect(res(t, "SpartaS3NotificationFunction").Properties!.Role).toEqual({
      "Fn::GetAtt": ["SpartaS3NotificationRole", "Arn"],
    });
    // The user's functions get nothing extra on the buckets.
    expect(JSON.stringify(statementsOf(t, "ResizeRole"))).not.toContain("s3:");
  });

  it("passes @sparta/template's validateTemplate", async () => {
    expect(validateTemplate((await marshalService(service(), code)) as never)).toEqual([]);
  });

  it.skipIf(!hasCfnLint)(
    "passes cfn-lint",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "sparta-s3-existing-"));
      const file = join(dir, "template.json");
      writeFileSync(file, JSON.stringify(await marshalService(service(), code)));
      const lint = cfnLint(file);
      expect(lint.output).toBe("");
      expect(lint.status).toBe(0);
    },
    120_000,
  );

  it("a service without existing-bucket triggers gets no custom-resource function", async () => {
    const def = service();
    def.functions = [
      { name: "resize", handler: "src/ok.ts#handler", events: [{ type: "s3", bucket: "uploads" }] },
    ];
    const t = await marshalService(def, { resize: code.resize });
    expect(Object.keys(t.Resources).filter((id) => id.startsWith("Sparta"))).toEqual([]);
  });

  const withEvent = (event: unknown): ServiceDefinition => ({
    name: "ingest",
    functions: [{ name: "resize", handler: "src/ok.ts#handler", events: [event as EventSource] }],
  });
  const problemOf = async (event: unknown): Promise<string> => {
    const error = await marshalService(withEvent(event), { resize: code.resize }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServiceDefinitionError);
    return (error as Error).message;
  };

  it("both bucket and existingBucket, or neither: an error naming the function, the event and both fields", async () => {
    const both = await problemOf({ type: "s3", bucket: "uploads", existingBucket: "my-data-bucket" });
    expect(both).toBe(
      [
        "The service definition has 1 problem:",
        '  - functions[resize].events[0]: sets both "bucket" and "existingBucket"; set exactly one: bucket: "uploads" ' +
          "(a bucket this service creates, named uploads-<account>-<stack id suffix>, unique per stack) or existingBucket: " +
          '"my-data-bucket" (a bucket that already exists; a name or an intrinsic such as { Ref: "DataBucket" })',
      ].join("\n"),
    );
    expect(await problemOf({ type: "s3", prefix: "in/" })).toMatch(
      /functions\[resize\]\.events\[0\]: sets neither of "bucket" and "existingBucket"; set exactly one/,
    );
  });

  it("an existingBucket that is not a bucket name or one intrinsic is refused with the valid forms", async () => {
    expect(await problemOf({ type: "s3", existingBucket: "arn:aws:s3:::my-data-bucket" })).toMatch(
      /functions\[resize\]\.events\[0\]\.existingBucket: invalid \("arn:aws:s3:::my-data-bucket"\).*\), not its ARN/,
    );
    expect(await problemOf({ type: "s3", existingBucket: { Ref: "A", Other: 1 } })).toMatch(
      /existingBucket: invalid .*one intrinsic such as \{ Ref: "DataBucket" \}/,
    );
    expect(await problemOf({ type: "s3", existingBucket: "my-data-bucket", suffix: "" })).toMatch(
      /events\[0\]\.suffix: invalid \(""\): a key suffix of 1-1024 characters/,
    );
    // Valid forms: a name with dots, an import, a Sub.
    for (const existingBucket of [
      "logs.example.com",
      { "Fn::ImportValue": "shared-bucket" },
      { "Fn::Sub": `data-\${AWS::Region}` },
    ])
      expect(s3EventProblems({ type: "s3", existingBucket }, "e")).toEqual([]);
  });
});
