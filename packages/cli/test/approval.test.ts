import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assessChanges, formatRisks, type PlannedChange } from "../src/approval.js";
import type { TemplateDocument } from "../src/service.js";

// What `sparta provision` asks about (cdk deploy --require-approval broadening): grants that are new, and stateful
// resources deleted or replaced. The templates are the golden hello template (what marshal generates) and edits of it.

const hello = (): TemplateDocument =>
  JSON.parse(readFileSync(new URL("./golden/hello.template.json", import.meta.url), "utf8"));

/** A resource's properties (the test templates have them). */
const props = (t: TemplateDocument, id: string) => t.Resources[id]?.Properties ?? {};
/** The statements of a role's first inline policy. */
const statements = (t: TemplateDocument, role: string) =>
  (props(t, role).Policies as { PolicyDocument: { Statement: Record<string, unknown>[] } }[])[0]
    ?.PolicyDocument.Statement ?? [];

const add = (t: TemplateDocument): PlannedChange[] =>
  Object.entries(t.Resources).map(([logicalId, r]) => ({ action: "Add", logicalId, resourceType: r.Type }));

describe("assessChanges", () => {
  it("a new stack: every role statement, trust and invoke permission is new", () => {
    const next = hello();
    const risks = assessChanges(add(next), undefined, next);
    expect(risks.every((r) => r.kind === "broadens")).toBe(true);
    const lines = formatRisks(risks);
    expect(lines[0]).toBe("This deployment grants new permissions:");
    expect(lines).toContain("  + HelloRole (AWS::IAM::Role): may logs:CreateLogStream on HelloLogGroup.Arn");
    expect(lines).toContain("  + HelloRole (AWS::IAM::Role): lambda.amazonaws.com may sts:AssumeRole");
    expect(
      lines.some((l) =>
        /HelloHttpPermission \(AWS::Lambda::Permission\): apigateway\.amazonaws\.com may lambda:InvokeFunction on HelloFunction\.Arn from arn:\$\{AWS::Partition\}:execute-api:/.test(
          l,
        ),
      ),
    ).toBe(true);
  });

  it("an update that changes code only, or removes a grant, asks nothing", () => {
    const current = hello();
    const next = hello();
    (props(next, "HelloFunction").Code as { S3Key: string }).S3Key = "hello-0000000000000000.zip";
    expect(
      assessChanges(
        [
          {
            action: "Modify",
            logicalId: "HelloFunction",
            resourceType: "AWS::Lambda::Function",
            replacement: "False",
          },
        ],
        current,
        next,
      ),
    ).toEqual([]);
    const narrower = hello();
    const first = statements(narrower, "HelloRole")[0];
    if (first) first.Action = ["logs:PutLogEvents"];
    expect(
      assessChanges(
        [{ action: "Modify", logicalId: "HelloRole", resourceType: "AWS::IAM::Role" }],
        current,
        narrower,
      ),
    ).toEqual([]);
  });

  it("an update adding an action or a resource to a role asks, naming exactly what is new", () => {
    const current = hello();
    const next = hello();
    statements(next, "HelloRole").push({
      Effect: "Allow",
      Action: ["dynamodb:PutItem", "dynamodb:GetItem"],
      Resource: [{ "Fn::GetAtt": ["Orders", "Arn"] }],
    });
    const risks = assessChanges(
      [{ action: "Modify", logicalId: "HelloRole", resourceType: "AWS::IAM::Role", replacement: "False" }],
      current,
      next,
    );
    expect(risks.map((r) => r.detail)).toEqual([
      "may dynamodb:PutItem on Orders.Arn",
      "may dynamodb:GetItem on Orders.Arn",
    ]);
  });

  it("a public function URL, a bucket policy for anyone and an open ingress rule broaden access", () => {
    const next: TemplateDocument = {
      Resources: {
        Url: {
          Type: "AWS::Lambda::Url",
          Properties: { AuthType: "NONE", TargetFunctionArn: { "Fn::GetAtt": ["Fn", "Arn"] } },
        },
        Policy: {
          Type: "AWS::S3::BucketPolicy",
          Properties: {
            Bucket: "b",
            PolicyDocument: {
              Statement: [
                { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
              ],
            },
          },
        },
        Sg: {
          Type: "AWS::EC2::SecurityGroup",
          Properties: {
            SecurityGroupIngress: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/0" }],
          },
        },
      },
    };
    expect(assessChanges(add(next), { Resources: {} }, next).map((r) => r.detail)).toEqual([
      "a public URL: anyone may call Fn.Arn without signing",
      "anyone (*) may s3:GetObject on arn:aws:s3:::b/*",
      "accepts tcp port 22 from 0.0.0.0/0",
    ]);
  });

  it("removing a Deny broadens too", () => {
    const deny = { Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" };
    const policy = (statements: unknown[]): TemplateDocument => ({
      Resources: {
        P: { Type: "AWS::IAM::Policy", Properties: { PolicyDocument: { Statement: statements } } },
      },
    });
    expect(
      assessChanges(
        [{ action: "Modify", logicalId: "P", resourceType: "AWS::IAM::Policy" }],
        policy([deny]),
        policy([]),
      ).map((r) => r.detail),
    ).toEqual(["no longer denies s3:DeleteObject on *"]);
  });

  it("adding a Deny (a TLS-only bucket policy) narrows, so it asks nothing", () => {
    const tlsOnly = {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: "arn:aws:s3:::b",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
    const next: TemplateDocument = {
      Resources: {
        P: {
          Type: "AWS::S3::BucketPolicy",
          Properties: { Bucket: "b", PolicyDocument: { Statement: [tlsOnly] } },
        },
      },
    };
    expect(
      assessChanges(
        [{ action: "Add", logicalId: "P", resourceType: "AWS::S3::BucketPolicy" }],
        { Resources: {} },
        next,
      ),
    ).toEqual([]);
  });

  it("deleting or replacing a stateful resource loses data, unless its policy retains it", () => {
    const current: TemplateDocument = {
      Resources: {
        HelloLogGroup: { Type: "AWS::Logs::LogGroup" },
        Uploads: { Type: "AWS::S3::Bucket", DeletionPolicy: "Retain" },
        Table: { Type: "AWS::DynamoDB::Table" },
        Queue: { Type: "AWS::SQS::Queue", UpdateReplacePolicy: "Retain" },
        Fn: { Type: "AWS::Lambda::Function" },
      },
    };
    const changes: PlannedChange[] = [
      { action: "Remove", logicalId: "HelloLogGroup", resourceType: "AWS::Logs::LogGroup" },
      { action: "Remove", logicalId: "Uploads", resourceType: "AWS::S3::Bucket" },
      { action: "Modify", logicalId: "Table", resourceType: "AWS::DynamoDB::Table", replacement: "True" },
      { action: "Modify", logicalId: "Queue", resourceType: "AWS::SQS::Queue", replacement: "True" },
      { action: "Remove", logicalId: "Fn", resourceType: "AWS::Lambda::Function" },
    ];
    const risks = assessChanges(changes, current, { Resources: {} });
    expect(formatRisks(risks)).toEqual([
      "This deployment deletes or replaces resources that hold data:",
      "  - HelloLogGroup (AWS::Logs::LogGroup): deleted: what it holds is lost",
      "  - Table (AWS::DynamoDB::Table): replaced by a new one: what it holds does not move over",
    ]);
  });
});
