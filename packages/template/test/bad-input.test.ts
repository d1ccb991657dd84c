import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  assertValidTemplate,
  type Problem,
  TemplateValidationError,
  toJson,
  type ValidateOptions,
  validateTemplate,
} from "../src/index.js";
import { findCfnLint, type LintFinding, runCfnLint } from "./cfn-lint.js";
import { helloApi } from "./fixtures.js";

// Bad templates are built by mutating plain JSON, so the test type is deliberately loose.
// biome-ignore lint/suspicious/noExplicitAny: any shape goes, that is the point of a bad-input test
type Loose = any;
type T = { [section: string]: Loose; Resources: Record<string, Loose> };

interface Case {
  name: string;
  /** Make the valid base template bad. */
  mutate(t: T): void;
  code: string;
  path: string;
  /** Words the message must contain: the culprit (and what was received). */
  mentions: string[];
  /** cfn-lint also rejects this template, with this rule (a prefix such as "E3" is enough). */
  cfnLint?: string;
  opts?: ValidateOptions;
}

const NOW = new Date("2026-11-26T00:00:00Z");
const FN = "HelloHandler";
const fnProps = (t: T) => t.Resources[FN]!.Properties as Record<string, Loose>;
const many = (n: number, make: (i: number) => unknown) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`Item${i}`, make(i)]));

const cases: Case[] = [
  {
    name: "unknown resource type",
    mutate: (t) => {
      t.Resources.HelloUrl!.Type = "AWS::Lambda::Ulr";
    },
    code: "UNKNOWN_RESOURCE_TYPE",
    path: "Resources.HelloUrl.Type",
    mentions: ["AWS::Lambda::Ulr", "AWS::Lambda::Url"],
    cfnLint: "E3006",
  },
  {
    name: "unknown property (typo)",
    mutate: (t) => {
      fnProps(t).MemorySzie = 512;
    },
    code: "UNKNOWN_PROPERTY",
    path: "Resources.HelloHandler.Properties.MemorySzie",
    mentions: ["MemorySzie", "AWS::Lambda::Function", "MemorySize"],
    cfnLint: "E3002",
  },
  {
    name: "unknown property inside a nested struct",
    mutate: (t) => {
      fnProps(t).Code = { ZipFiel: "x" };
    },
    code: "UNKNOWN_PROPERTY",
    path: "Resources.HelloHandler.Properties.Code.ZipFiel",
    mentions: ["ZipFiel", "ZipFile"],
    cfnLint: "E3002",
  },
  {
    name: "missing required property",
    mutate: (t) => {
      delete fnProps(t).Role;
    },
    code: "MISSING_REQUIRED_PROPERTY",
    path: "Resources.HelloHandler.Properties.Role",
    mentions: ["Role", "AWS::Lambda::Function"],
    cfnLint: "E3003",
  },
  {
    name: "missing required property of a custom resource",
    mutate: (t) => {
      t.Resources.Seed = { Type: "Custom::Seed", Properties: { Rows: 3 } };
    },
    code: "MISSING_REQUIRED_PROPERTY",
    path: "Resources.Seed.Properties.ServiceToken",
    mentions: ["Seed", "ServiceToken"],
    cfnLint: "E3003",
  },
  {
    name: "wrong primitive type",
    mutate: (t) => {
      fnProps(t).MemorySize = "lots";
    },
    code: "WRONG_TYPE",
    path: "Resources.HelloHandler.Properties.MemorySize",
    mentions: ["MemorySize", "integer", '"lots"'],
    cfnLint: "E3012",
  },
  {
    name: "list where a string is expected",
    mutate: (t) => {
      fnProps(t).Handler = ["index.handler"];
    },
    code: "WRONG_TYPE",
    path: "Resources.HelloHandler.Properties.Handler",
    mentions: ["Handler", "string", "list"],
    cfnLint: "E3012",
  },
  {
    name: "wrong type inside a list",
    mutate: (t) => {
      fnProps(t).Tags = [{ Key: "service", Value: { nested: true } }];
    },
    code: "WRONG_TYPE",
    path: "Resources.HelloHandler.Properties.Tags[0].Value",
    mentions: ["Value", "string", "object"],
    cfnLint: "E3012",
  },
  {
    name: "Ref to something undefined",
    mutate: (t) => {
      fnProps(t).Environment.Variables.TABLE = { Ref: "OrdersTable" };
    },
    code: "UNDEFINED_REFERENCE",
    path: "Resources.HelloHandler.Properties.Environment.Variables.TABLE.Ref",
    mentions: ["OrdersTable"],
    cfnLint: "E",
  },
  {
    name: "Ref to a misspelt pseudo parameter",
    mutate: (t) => {
      fnProps(t).Environment.Variables.REGION = { Ref: "AWS::Regoin" };
    },
    code: "UNKNOWN_PSEUDO_PARAMETER",
    path: "Resources.HelloHandler.Properties.Environment.Variables.REGION.Ref",
    mentions: ["AWS::Regoin", "AWS::Region"],
    cfnLint: "E",
  },
  {
    name: "GetAtt of an undefined resource",
    mutate: (t) => {
      t.Resources.HelloUrl.Properties!.TargetFunctionArn = { "Fn::GetAtt": ["HelloHandlr", "Arn"] };
    },
    code: "UNDEFINED_RESOURCE",
    path: "Resources.HelloUrl.Properties.TargetFunctionArn.Fn::GetAtt",
    mentions: ["HelloHandlr", "HelloHandler"],
    cfnLint: "E1010",
  },
  {
    name: "GetAtt of an attribute the type does not have",
    mutate: (t) => {
      t.Resources.HelloUrl.Properties!.TargetFunctionArn = { "Fn::GetAtt": [FN, "Arnn"] };
    },
    code: "UNKNOWN_ATTRIBUTE",
    path: "Resources.HelloUrl.Properties.TargetFunctionArn.Fn::GetAtt",
    mentions: ["Arnn", FN, "AWS::Lambda::Function", '"Arn"'],
    cfnLint: "E1010",
  },
  {
    name: "Sub naming an undefined variable",
    mutate: (t) => {
      fnProps(t).FunctionName = { "Fn::Sub": "${AWS::StackName}-${Stage}" };
    },
    code: "UNDEFINED_REFERENCE",
    path: "Resources.HelloHandler.Properties.FunctionName.Fn::Sub",
    mentions: ["Fn::Sub", "Stage"],
    cfnLint: "E1019",
  },
  {
    name: "Sub naming an attribute the type does not have",
    mutate: (t) => {
      t.Outputs.Url!.Value = { "Fn::Sub": "${HelloUrl.Url}" };
    },
    code: "UNKNOWN_ATTRIBUTE",
    path: "Outputs.Url.Value.Fn::Sub",
    mentions: ["HelloUrl", "Url", "FunctionUrl"],
    cfnLint: "E",
  },
  {
    name: "DependsOn naming an undefined resource",
    mutate: (t) => {
      t.Resources.HelloUrl!.DependsOn = ["HelloHandlerLog"];
    },
    code: "UNDEFINED_RESOURCE",
    path: "Resources.HelloUrl.DependsOn[0]",
    mentions: ["DependsOn", "HelloHandlerLog", "HelloHandlerLogs"],
    cfnLint: "E3005",
  },
  {
    name: "resource Condition naming an undefined condition",
    mutate: (t) => {
      t.Resources.HelloUrl!.Condition = "IsProd";
    },
    code: "UNDEFINED_CONDITION",
    path: "Resources.HelloUrl.Condition",
    mentions: ["IsProd"],
    cfnLint: "E",
  },
  {
    name: "Fn::If naming an undefined condition",
    mutate: (t) => {
      fnProps(t).MemorySize = { "Fn::If": ["IsProd", 1024, 256] };
    },
    code: "UNDEFINED_CONDITION",
    path: "Resources.HelloHandler.Properties.MemorySize.Fn::If[0]",
    mentions: ["IsProd"],
    cfnLint: "E",
  },
  {
    name: "dependency cycle",
    mutate: (t) => {
      t.Resources.HelloHandlerRole!.DependsOn = "HelloUrl";
    },
    code: "DEPENDENCY_CYCLE",
    path: "Resources.HelloHandler",
    mentions: ["HelloHandler -> HelloHandlerRole -> HelloUrl -> HelloHandler"],
    cfnLint: "E3004",
  },
  {
    name: "resource depending on itself",
    mutate: (t) => {
      t.Resources.HelloUrl!.DependsOn = "HelloUrl";
    },
    code: "SELF_DEPENDENCY",
    path: "Resources.HelloUrl.DependsOn",
    mentions: ["HelloUrl", "itself"],
    cfnLint: "E",
  },
  {
    name: "invalid logical id",
    mutate: (t) => {
      t.Resources["hello-topic"] = { Type: "AWS::SNS::Topic" };
    },
    code: "INVALID_LOGICAL_ID",
    path: "Resources.hello-topic",
    mentions: ["hello-topic", "hellotopic"],
    cfnLint: "E",
  },
  {
    name: "more than 500 resources",
    mutate: (t) => {
      Object.assign(
        t.Resources,
        many(501, () => ({ Type: "AWS::SNS::Topic" })),
      );
    },
    code: "TOO_MANY_RESOURCES",
    path: "Resources",
    mentions: ["506", "500"],
    cfnLint: "E",
  },
  {
    name: "more than 200 parameters",
    mutate: (t) => {
      t.Parameters = many(201, () => ({ Type: "String", Default: "x" }));
      fnProps(t).Environment.Variables = many(201, (i) => ({ Ref: `Item${i}` }));
    },
    code: "TOO_MANY_PARAMETERS",
    path: "Parameters",
    mentions: ["201", "200"],
    // cfn-lint 1.51 does not report this one; CloudFormation rejects it on upload.
    cfnLint: undefined,
  },
  {
    name: "more than 200 outputs",
    mutate: (t) => {
      t.Outputs = many(201, () => ({ Value: { Ref: FN } }));
    },
    code: "TOO_MANY_OUTPUTS",
    path: "Outputs",
    mentions: ["201", "200"],
    cfnLint: "E",
  },
  {
    name: "more than 200 mappings",
    mutate: (t) => {
      t.Mappings = many(201, () => ({ dev: { Size: 1 } }));
      fnProps(t).Environment.Variables = many(201, (i) => ({ "Fn::FindInMap": [`Item${i}`, "dev", "Size"] }));
    },
    code: "TOO_MANY_MAPPINGS",
    path: "Mappings",
    mentions: ["201", "200"],
    // cfn-lint 1.51 does not report this one; CloudFormation rejects it on upload.
    cfnLint: undefined,
  },
  {
    name: "body over 51,200 bytes when uploaded inline",
    mutate: (t) => {
      fnProps(t).Description = "x".repeat(250);
      Object.assign(
        t.Resources,
        many(400, () => ({ Type: "AWS::SNS::Topic", Properties: { DisplayName: "y".repeat(90) } })),
      );
    },
    opts: { upload: "inline" },
    code: "TEMPLATE_TOO_LARGE",
    path: "",
    mentions: ["51200", "TemplateURL"],
  },
  {
    name: "body over 1 MB via S3",
    mutate: (t) => {
      Object.assign(
        t.Resources,
        many(450, () => ({
          Type: "AWS::SSM::Parameter",
          Properties: { Type: "String", Value: "z".repeat(2400) },
        })),
      );
    },
    code: "TEMPLATE_TOO_LARGE",
    path: "",
    mentions: ["1048576", "nested stacks"],
  },
  {
    name: "unknown intrinsic function",
    mutate: (t) => {
      fnProps(t).FunctionName = { "Fn::Subb": "${AWS::StackName}-hello" };
    },
    code: "UNKNOWN_FUNCTION",
    path: "Resources.HelloHandler.Properties.FunctionName.Fn::Subb",
    mentions: ["Fn::Subb", "Fn::Sub"],
    cfnLint: "E",
  },
  {
    name: "Fn::ToJsonString without the AWS::LanguageExtensions transform",
    mutate: (t) => {
      fnProps(t).Environment.Variables.CONFIG = { "Fn::ToJsonString": { a: 1 } };
    },
    code: "MISSING_TRANSFORM",
    path: "Resources.HelloHandler.Properties.Environment.Variables.CONFIG.Fn::ToJsonString",
    mentions: ["Fn::ToJsonString", "AWS::LanguageExtensions"],
    cfnLint: "E",
  },
  {
    name: "retired Lambda runtime (nodejs20.x)",
    mutate: (t) => {
      fnProps(t).Runtime = "nodejs20.x";
    },
    code: "DEPRECATED_RUNTIME",
    path: "Resources.HelloHandler.Properties.Runtime",
    mentions: ["nodejs20.x", "2026-04-30", "nodejs24.x"],
    cfnLint: "",
  },
  {
    name: "FindInMap naming an undefined mapping",
    mutate: (t) => {
      fnProps(t).MemorySize = { "Fn::FindInMap": ["StageConfig", "dev", "MemorySize"] };
    },
    code: "UNDEFINED_MAPPING",
    path: "Resources.HelloHandler.Properties.MemorySize.Fn::FindInMap[0]",
    mentions: ["StageConfig"],
    cfnLint: "E",
  },
  {
    name: "parameter with an unknown Type",
    mutate: (t) => {
      t.Parameters = { Stage: { Type: "Strng", Default: "dev" } };
      fnProps(t).Environment.Variables.STAGE = { Ref: "Stage" };
    },
    code: "INVALID_PARAMETER_TYPE",
    path: "Parameters.Stage.Type",
    mentions: ["Stage", "Strng"],
    cfnLint: "E",
  },
  {
    name: "output without a Value",
    mutate: (t) => {
      t.Outputs!.Url = { Description: "The function URL" } as never;
    },
    code: "MISSING_OUTPUT_VALUE",
    path: "Outputs.Url.Value",
    mentions: ["Url", "Value"],
    cfnLint: "E",
  },
  {
    name: "invalid DeletionPolicy",
    mutate: (t) => {
      t.Resources.HelloHandlerLogs!.DeletionPolicy = "Keep" as never;
    },
    code: "INVALID_DELETION_POLICY",
    path: "Resources.HelloHandlerLogs.DeletionPolicy",
    mentions: ["Keep", "Retain"],
    cfnLint: "E",
  },
  {
    name: "resource without a Type",
    mutate: (t) => {
      t.Resources.Topic = { Properties: { DisplayName: "x" } } as never;
    },
    code: "MISSING_RESOURCE_TYPE",
    path: "Resources.Topic.Type",
    mentions: ["Topic", "Type"],
    cfnLint: "E",
  },
  {
    name: "misspelt resource attribute",
    mutate: (t) => {
      const r = t.Resources.HelloUrl!;
      r.Propertes = r.Properties;
      delete r.Properties;
    },
    code: "UNKNOWN_RESOURCE_ATTRIBUTE",
    path: "Resources.HelloUrl.Propertes",
    mentions: ["Propertes", "Properties"],
    cfnLint: "E",
  },
  {
    name: "condition referring to a resource",
    mutate: (t) => {
      t.Conditions = { HasFn: { "Fn::Equals": [{ Ref: FN }, ""] } };
    },
    code: "REF_RESOURCE_IN_CONDITION",
    path: "Conditions.HasFn.Fn::Equals[0].Ref",
    mentions: [FN],
    cfnLint: "E",
  },
  {
    name: "rule without assertions",
    mutate: (t) => {
      t.Parameters = { Stage: { Type: "String" } };
      t.Rules = { ProdOnly: { RuleCondition: { "Fn::Equals": [{ Ref: "Stage" }, "prod"] } } };
    },
    code: "INVALID_RULE",
    path: "Rules.ProdOnly.Assertions",
    mentions: ["ProdOnly", "no Assertions"],
    cfnLint: "E1700",
  },
  {
    name: "rule key misspelt",
    mutate: (t) => {
      t.Parameters = { Stage: { Type: "String" } };
      t.Rules = { ProdOnly: { Assertion: [{ Assert: { "Fn::Equals": [{ Ref: "Stage" }, "prod"] } }] } };
    },
    code: "INVALID_RULE",
    path: "Rules.ProdOnly.Assertion",
    mentions: ["Assertion", 'Did you mean "Assertions"?'],
    cfnLint: "E1700",
  },
  {
    name: "rule calling a function rules do not have",
    mutate: (t) => {
      t.Parameters = { Stage: { Type: "String" } };
      t.Rules = { Named: { Assertions: [{ Assert: { "Fn::Sub": "${Stage}" } }] } };
    },
    code: "RULE_FUNCTION_NOT_ALLOWED",
    path: "Rules.Named.Assertions[0].Assert.Fn::Sub",
    mentions: ["Fn::Sub", "Fn::Contains", "Ref to parameters"],
    cfnLint: "E1701",
  },
  {
    name: "rule naming an undefined parameter",
    mutate: (t) => {
      t.Parameters = { Stage: { Type: "String" } };
      t.Rules = {
        Known: { Assertions: [{ Assert: { "Fn::Equals": [{ Ref: "Stag" }, "prod"] } }] },
      };
    },
    code: "UNDEFINED_REFERENCE",
    path: "Rules.Known.Assertions[0].Assert.Fn::Equals[0].Ref",
    mentions: ["Stag", 'Did you mean "Stage"?'],
    cfnLint: "E1020",
  },
  {
    name: "rule naming a resource",
    mutate: (t) => {
      t.Rules = { Early: { Assertions: [{ Assert: { "Fn::Equals": [{ Ref: FN }, "x"] } }] } };
    },
    code: "REF_RESOURCE_IN_RULE",
    path: `Rules.Early.Assertions[0].Assert.Fn::Equals[0].Ref`,
    mentions: [FN, "before any resource exists"],
    // cfn-lint 1.51 accepts it; rules are evaluated before resources are created, on parameters only.
    cfnLint: undefined,
  },
  {
    name: "template without resources",
    mutate: (t) => {
      t.Resources = {};
      delete t.Outputs;
    },
    code: "NO_RESOURCES",
    path: "Resources",
    mentions: ["Resources"],
    // cfn-lint 1.51 does not report this one; CloudFormation rejects it on upload.
    cfnLint: undefined,
  },
];

const base = (): T => JSON.parse(toJson(helloApi())) as T;
const bin = findCfnLint();
const dir = mkdtempSync(join(tmpdir(), "sparta-template-bad-"));
const lint = new Map<string, LintFinding[]>();
const fileOf = (i: number) => join(dir, `case${String(i).padStart(2, "0")}.json`);

describe("bad input: every problem is named, with its path", () => {
  beforeAll(() => {
    if (!bin) return;
    mkdirSync(dir, { recursive: true });
    const files = cases.map((c, i) => {
      const t = base();
      c.mutate(t);
      writeFileSync(fileOf(i), JSON.stringify(t, null, 2));
      return fileOf(i);
    });
    // cfn-lint needs seconds per run, so all the bad templates go through one run.
    for (const [f, list] of runCfnLint(
      bin,
      files.filter((_, i) => cases[i]!.cfnLint !== undefined),
    ).findings) {
      lint.set(f, list);
    }
  }, 300_000);

  it("the base template (the helloApi golden, which passes cfn-lint) is valid", () => {
    expect(validateTemplate(base(), { now: NOW })).toEqual([]);
  });

  cases.forEach((c, i) => {
    it(`${c.name}: ${c.code} at ${c.path || "(template)"}`, () => {
      const t = base();
      c.mutate(t);
      const problems = validateTemplate(t, { now: NOW, ...c.opts });
      const hit = problems.find((p: Problem) => p.code === c.code && p.path === c.path);
      expect(hit, `expected ${c.code} at ${c.path}, got ${JSON.stringify(problems, null, 2)}`).toBeDefined();
      const text = `${hit!.message} ${hit!.fix ?? ""}`;
      for (const word of c.mentions) expect(text).toContain(word);
      if (c.cfnLint !== undefined && bin) {
        // cfn-lint catches this too (in seconds, in a Python process); we caught it above in-process, path first.
        const found = lint.get(fileOf(i)) ?? [];
        expect(
          found.some((f) => f.rule.startsWith(c.cfnLint!) && /^[EW]/.test(f.rule)),
          `cfn-lint findings: ${JSON.stringify(found)}`,
        ).toBe(true);
      }
    });
  });

  it("a rule made of rule functions and parameter Refs is valid (and cfn-lint agrees)", () => {
    const t = base();
    t.Parameters = { Stage: { Type: "String" }, Size: { Type: "String" } };
    t.Rules = {
      ProdIsLarge: {
        RuleCondition: { "Fn::Equals": [{ Ref: "Stage" }, "prod"] },
        Assertions: [
          {
            Assert: { "Fn::Contains": [["large", "xlarge"], { Ref: "Size" }] },
            AssertDescription: "production runs on a large size",
          },
          { Assert: { "Fn::Not": [{ "Fn::Equals": [{ Ref: "AWS::Region" }, "us-west-1"] }] } },
        ],
      },
    };
    expect(validateTemplate(t, { now: NOW })).toEqual([]);
    if (!bin) return;
    const file = join(dir, "good-rule.json");
    writeFileSync(file, JSON.stringify(t, null, 2));
    const findings = runCfnLint(bin, [file]).findings.get(file) ?? [];
    expect(findings.filter((f) => /^[EW]/.test(f.rule) && f.rule !== "W2001")).toEqual([]);
  }, 120_000);

  it("reports every problem at once, and assertValidTemplate lists them all in one message", () => {
    const t = base();
    fnProps(t).MemorySzie = 512;
    fnProps(t).Timeout = "soon";
    t.Resources.HelloUrl!.DependsOn = "Nope";
    t.Resources.Extra = { Type: "AWS::Lambda::Functon" };
    const problems = validateTemplate(t, { now: NOW });
    expect(problems.map((p) => p.code).sort()).toEqual([
      "UNDEFINED_RESOURCE",
      "UNKNOWN_PROPERTY",
      "UNKNOWN_RESOURCE_TYPE",
      "WRONG_TYPE",
    ]);
    let error: unknown;
    try {
      assertValidTemplate(t, { now: NOW });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateValidationError);
    const err = error as TemplateValidationError;
    expect(err.code).toBe("TEMPLATE_INVALID");
    expect(err.problems).toHaveLength(4);
    expect(err.message.split("\n")[0]).toBe("The template has 4 problems:");
    expect(err.message).toContain("Resources.HelloHandler.Properties.MemorySzie");
    expect(err.message).toContain('Fix: Did you mean "MemorySize"?');
    expect(err.message).toContain("Resources.Extra.Type");
  });
});
