import { describe, expect, it } from "vitest";
import {
  And,
  Base64,
  Cidr,
  Equals,
  FindInMap,
  GetAtt,
  GetAZs,
  If,
  ImportValue,
  InvalidLogicalIdError,
  Join,
  LogicalIdAllocator,
  LogicalIdConflictError,
  logicalId,
  mergeTemplates,
  Not,
  Or,
  Pseudo,
  Ref,
  Select,
  Split,
  Sub,
  Template,
  TemplateError,
  ToJsonString,
  toJson,
  toYaml,
  validateTemplate,
} from "../src/index.js";

describe("intrinsics", () => {
  it("build the long-form JSON CloudFormation expects", () => {
    expect(Ref("Bucket")).toEqual({ Ref: "Bucket" });
    expect(GetAtt("Fn", "Arn")).toEqual({ "Fn::GetAtt": ["Fn", "Arn"] });
    expect(Sub("${AWS::Region}")).toEqual({ "Fn::Sub": "${AWS::Region}" });
    expect(Sub("${A}", { A: Ref("B") })).toEqual({ "Fn::Sub": ["${A}", { A: { Ref: "B" } }] });
    expect(Join(",", ["a", "b"])).toEqual({ "Fn::Join": [",", ["a", "b"]] });
    expect(Select(1, Ref("L"))).toEqual({ "Fn::Select": [1, { Ref: "L" }] });
    expect(Split(",", "a,b")).toEqual({ "Fn::Split": [",", "a,b"] });
    expect(If("C", 1, Pseudo.NoValue)).toEqual({ "Fn::If": ["C", 1, { Ref: "AWS::NoValue" }] });
    expect(Equals(Ref("S"), "prod")).toEqual({ "Fn::Equals": [{ Ref: "S" }, "prod"] });
    expect(And({ Condition: "A" }, { Condition: "B" })).toEqual({
      "Fn::And": [{ Condition: "A" }, { Condition: "B" }],
    });
    expect(Or({ Condition: "A" }, { Condition: "B" })).toEqual({
      "Fn::Or": [{ Condition: "A" }, { Condition: "B" }],
    });
    expect(Not({ Condition: "A" })).toEqual({ "Fn::Not": [{ Condition: "A" }] });
    expect(FindInMap("M", "k", "v")).toEqual({ "Fn::FindInMap": ["M", "k", "v"] });
    expect(GetAZs()).toEqual({ "Fn::GetAZs": "" });
    expect(ImportValue("x")).toEqual({ "Fn::ImportValue": "x" });
    expect(Base64("x")).toEqual({ "Fn::Base64": "x" });
    expect(Cidr("10.0.0.0/16", 2, 8)).toEqual({ "Fn::Cidr": ["10.0.0.0/16", 2, 8] });
    expect(ToJsonString({ a: 1 })).toEqual({ "Fn::ToJsonString": { a: 1 } });
  });

  it("offers every pseudo parameter as a frozen Ref", () => {
    expect(Pseudo.Region).toEqual({ Ref: "AWS::Region" });
    expect(Object.keys(Pseudo).sort()).toEqual([
      "AccountId",
      "NoValue",
      "NotificationARNs",
      "Partition",
      "Region",
      "StackId",
      "StackName",
      "URLSuffix",
    ]);
    expect(Object.isFrozen(Pseudo.AccountId)).toBe(true);
  });
});

describe("Template", () => {
  it("builds every section and emits them in CloudFormation's order", () => {
    const t = new Template({ description: "all sections" })
      .addOutput("Out", { Value: Ref("Q") })
      .addResource("Q", { Type: "AWS::SQS::Queue" })
      .addCondition("IsProd", Equals(Ref("Stage"), "prod"))
      .addMapping("M", { a: { b: 1 } })
      .addParameter("Stage", { Type: "String", Default: "dev" })
      .addTransform("AWS::LanguageExtensions")
      .addTransform("AWS::LanguageExtensions")
      .setMetadata("k", { v: 1 });
    const json = t.toJSON();
    expect(Object.keys(json)).toEqual([
      "AWSTemplateFormatVersion",
      "Description",
      "Metadata",
      "Transform",
      "Parameters",
      "Mappings",
      "Conditions",
      "Resources",
      "Outputs",
    ]);
    expect(json.Transform).toBe("AWS::LanguageExtensions");
    expect(validateTemplate(t)).toEqual([]);
  });

  it("copies what it is given, so later mutation of the input does not change the template", () => {
    const props = { VisibilityTimeout: 30 };
    const t = new Template().addResource("Q", { Type: "AWS::SQS::Queue", Properties: props });
    props.VisibilityTimeout = 99;
    expect(t.toJSON().Resources.Q!.Properties).toEqual({ VisibilityTimeout: 30 });
  });

  it("gives a copy from toJSON, so mutating what it returned does not change the template", () => {
    const t = new Template()
      .addResource("Q", {
        Type: "AWS::SQS::Queue",
        Properties: { VisibilityTimeout: 30, Tags: [{ Key: "a", Value: "b" }] },
      })
      .setMetadata("k", { v: [1, 2] });
    const first = t.toJSON();
    const props = first.Resources.Q?.Properties as { VisibilityTimeout: number; Tags: { Key: string }[] };
    props.VisibilityTimeout = 99;
    props.Tags[0]!.Key = "changed";
    (first.Metadata!.k as { v: number[] }).v.push(3);
    delete first.Resources.Q;
    const second = t.toJSON();
    expect(second.Resources.Q!.Properties).toEqual({
      Tags: [{ Key: "a", Value: "b" }],
      VisibilityTimeout: 30,
    });
    expect(second.Metadata).toEqual({ k: { v: [1, 2] } });
    expect(toJson(second)).toBe(toJson(t));
  });

  it("accepts the same definition twice but rejects a different one under the same id", () => {
    const t = new Template().addResource("Q", { Type: "AWS::SQS::Queue" });
    expect(() => t.addResource("Q", { Type: "AWS::SQS::Queue" })).not.toThrow();
    expect(() => t.addResource("Q", { Type: "AWS::SNS::Topic" })).toThrow(LogicalIdConflictError);
    expect(() => t.addResource("Q", { Type: "AWS::SNS::Topic" })).toThrow(/Resources\.Q is defined twice/);
  });

  it("rejects an invalid logical id at the call site, suggesting a valid one", () => {
    let error: unknown;
    try {
      new Template().addResource("my-queue", { Type: "AWS::SQS::Queue" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidLogicalIdError);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as InvalidLogicalIdError).code).toBe("TEMPLATE_INVALID_LOGICAL_ID");
    expect((error as Error).message).toContain('addResource("my-queue")');
    expect((error as Error).message).toContain('"MyQueue"');
  });
});

describe("merging fragments", () => {
  const api = new Template({ description: "api" })
    .addResource("Fn", { Type: "AWS::SNS::Topic" })
    .addTransform("AWS::Serverless-2016-10-31");
  const table = { Resources: { Table: { Type: "AWS::SQS::Queue" }, Fn: { Type: "AWS::SNS::Topic" } } };

  it("unions sections, keeps identical duplicates once and the first description", () => {
    const merged = mergeTemplates(api, table, {
      Description: "later",
      Resources: { Other: { Type: "AWS::SQS::Queue" } },
    });
    expect(Object.keys(merged.Resources)).toEqual(["Fn", "Other", "Table"]);
    expect(merged.Description).toBe("api");
    expect(merged.Transform).toBe("AWS::Serverless-2016-10-31");
  });

  it("rejects a logical id defined twice with different content, naming both", () => {
    const clash = { Resources: { Fn: { Type: "AWS::SNS::Topic", Properties: { DisplayName: "x" } } } };
    let error: unknown;
    try {
      mergeTemplates(api, clash);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LogicalIdConflictError);
    const err = error as LogicalIdConflictError;
    expect(err.code).toBe("TEMPLATE_LOGICAL_ID_CONFLICT");
    expect(err.logicalId).toBe("Fn");
    expect(err.message).toContain('"DisplayName":"x"');
    expect(err.message).toContain('{"Type":"AWS::SNS::Topic"}');
  });

  it("treats key order as irrelevant when comparing duplicates", () => {
    const a = { Resources: { Q: { Type: "AWS::SQS::Queue", Properties: { A: 1, B: 2 } } } };
    const b = { Resources: { Q: { Properties: { B: 2, A: 1 }, Type: "AWS::SQS::Queue" } } };
    expect(() => mergeTemplates(a, b)).not.toThrow();
  });
});

describe("logical ids", () => {
  it("sanitises human names into PascalCase alphanumerics, the same every time", () => {
    expect(logicalId("orders", "create-order")).toBe("OrdersCreateOrder");
    expect(logicalId("my fn_v2.handler")).toBe("MyFnV2Handler");
    expect(logicalId("--")).toBe("Resource");
    expect(logicalId("x".repeat(300))).toHaveLength(255);
    expect(logicalId("x".repeat(300))).toBe(logicalId("x".repeat(300)));
  });

  it("keeps ids unique in an allocator without changing ids already handed out", () => {
    const ids = new LogicalIdAllocator();
    const first = ids.allocate("my-fn");
    const second = ids.allocate("my_fn");
    expect(first).toBe("MyFn");
    expect(second).toMatch(/^MyFn[0-9A-F]{8}$/);
    expect(ids.allocate("my-fn")).toBe(first);
    expect(ids.allocate("my_fn")).toBe(second);
    const other = new LogicalIdAllocator();
    other.allocate("my-fn");
    expect(other.allocate("my_fn")).toBe(second);
    ids.reserve("Queue");
    expect(ids.allocate("queue")).not.toBe("Queue");
  });
});

describe("serialisation", () => {
  it("quotes YAML scalars that would otherwise change meaning", () => {
    const yaml = toYaml({
      Resources: {
        P: {
          Type: "AWS::SSM::Parameter",
          Properties: {
            Type: "String",
            Value: "yes",
            Description: "a: b # c",
            AllowedPattern: "123",
            Tier: "",
            DataType: "line1\nline2",
          },
        },
      },
    });
    expect(yaml).toContain('Value: "yes"');
    expect(yaml).toContain('Description: "a: b # c"');
    expect(yaml).toContain('AllowedPattern: "123"');
    expect(yaml).toContain('Tier: ""');
    expect(yaml).toContain('DataType: "line1\\nline2"');
    expect(yaml).toContain("Type: AWS::SSM::Parameter");
  });

  it("writes JSON with two-space indent, sorted keys and a trailing newline", () => {
    const json = toJson({
      Resources: {
        B: { Type: "AWS::SQS::Queue" },
        A: { Properties: { z: 1, a: 2 }, Type: "AWS::SNS::Topic" },
      },
    });
    expect(json).toBe(
      '{\n  "Resources": {\n    "A": {\n      "Type": "AWS::SNS::Topic",\n      "Properties": {\n        "a": 2,\n        "z": 1\n      }\n    },\n    "B": {\n      "Type": "AWS::SQS::Queue"\n    }\n  }\n}\n',
    );
  });
});

describe("Lambda runtime lifecycle", () => {
  const fn = (runtime: string) => ({
    Resources: {
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Runtime: runtime,
          Handler: "i.h",
          Role: "arn:aws:iam::123456789012:role/r",
          Code: { ZipFile: "x" },
        },
      },
    },
  });
  const codes = (runtime: string, now: string) =>
    validateTemplate(fn(runtime), { now: new Date(now) }).map((p) => p.code);

  it("reports a runtime only once Lambda blocks creating functions with it", () => {
    expect(codes("nodejs20.x", "2026-05-15")).toEqual([]); // deprecated, still deployable
    expect(codes("nodejs20.x", "2026-06-01")).toEqual(["DEPRECATED_RUNTIME"]);
    expect(codes("nodejs22.x", "2026-11-26")).toEqual([]);
    expect(codes("python3.13", "2026-11-26")).toEqual([]);
  });
});
