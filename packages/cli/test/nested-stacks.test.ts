import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assessServiceChanges, splitTransition } from "../src/nested-stacks.js";
import type { NestedTemplateArtifact, TemplateDocument } from "../src/service.js";

const role = (actions: string[]) => ({
  Type: "AWS::IAM::Role",
  Properties: {
    AssumeRolePolicyDocument: {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    },
    Policies: [
      {
        PolicyName: "p",
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: actions, Resource: ["*"] }],
        },
      },
    ],
  },
});
const child = (actions: string[]): TemplateDocument => ({
  Resources: {
    F0Role: role(actions),
    F0LogGroup: { Type: "AWS::Logs::LogGroup", Properties: { RetentionInDays: 14 } },
  },
});

/** A built split service whose F0FunctionStack's template is `next`. */
function built(next: TemplateDocument) {
  const dir = mkdtempSync(join(tmpdir(), "sparta-nested-"));
  const path = join(dir, "F0FunctionStack.json");
  writeFileSync(path, JSON.stringify(next));
  const artifact: NestedTemplateArtifact = {
    logicalId: "F0FunctionStack",
    functions: ["F0Function"],
    resources: Object.keys(next.Resources),
    path,
    key: "templates/F0FunctionStack-0000000000000000.json",
    sha256: "0".repeat(64),
    size: 1,
    entries: [],
  };
  return {
    stackName: "many",
    template: { Resources: { F0FunctionStack: { Type: "AWS::CloudFormation::Stack" } } },
    nestedTemplates: [artifact],
  };
}
const modify = [
  { action: "Modify", logicalId: "F0FunctionStack", resourceType: "AWS::CloudFormation::Stack" },
];

describe("assessServiceChanges", () => {
  it("looks into a modified nested stack: a function granted more asks", async () => {
    const risks = await assessServiceChanges(
      modify,
      undefined,
      built(child(["s3:GetObject", "s3:PutObject"])),
      async () => child(["s3:GetObject"]),
    );
    expect(risks).toEqual([
      expect.objectContaining({
        kind: "broadens",
        logicalId: "F0FunctionStack.F0Role",
        detail: expect.stringContaining("s3:PutObject"),
      }),
    ]);
  });

  it("an unchanged grant inside a modified nested stack does not ask", async () => {
    const next = child(["s3:GetObject"]);
    next.Resources.F0LogGroup!.Properties = { RetentionInDays: 30 };
    expect(
      await assessServiceChanges(modify, undefined, built(next), async () => child(["s3:GetObject"])),
    ).toEqual([]);
  });

  it("a removed nested stack deletes what its resources hold", async () => {
    const risks = await assessServiceChanges(
      [{ action: "Remove", logicalId: "F0FunctionStack", resourceType: "AWS::CloudFormation::Stack" }],
      undefined,
      { ...built(child([])), nestedTemplates: [] },
      async () => child(["s3:GetObject"]),
    );
    expect(risks).toEqual([
      expect.objectContaining({ kind: "loses-data", logicalId: "F0FunctionStack.F0LogGroup" }),
    ]);
  });
});

describe("splitTransition", () => {
  const fn = { Type: "AWS::Lambda::Function" };
  it("warns once, on the deploy that moves a stack's functions into nested stacks", () => {
    const build = built(child([]));
    expect(splitTransition({ Resources: { AFunction: fn, BFunction: fn } }, build)).toMatch(
      /many passes a CloudFormation quota and now deploys as a root and 1 nested stacks: its 2 function\(s\)/,
    );
    expect(
      splitTransition({ Resources: { F0FunctionStack: { Type: "AWS::CloudFormation::Stack" } } }, build),
    ).toBe(undefined);
    expect(splitTransition(undefined, build)).toBeUndefined();
    expect(
      splitTransition({ Resources: { AFunction: fn } }, { ...build, nestedTemplates: [] }),
    ).toBeUndefined();
  });

  it("warns when a split service fits in one stack again", () => {
    const nested = {
      Type: "AWS::CloudFormation::Stack",
      Metadata: { "Sparta::NestedStack": { functions: ["F0Function"] } },
    };
    expect(
      splitTransition(
        { Resources: { F0FunctionStack: nested } },
        { ...built(child([])), nestedTemplates: [] },
      ),
    ).toMatch(
      /many fits in one stack again and no longer deploys as nested stacks: .* the 1 nested stacks deleted/,
    );
  });
});
