import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Problem, validateTemplate } from "../src/index.js";
import { findCfnLint, type LintFinding, runCfnLint } from "./cfn-lint.js";

// Templates are plain JSON mutated in place, so the test type is deliberately loose.
// biome-ignore lint/suspicious/noExplicitAny: any shape goes, that is the point of a bad-value test
type Loose = any;
type Props = Record<string, Loose>;

interface Case {
  name: string;
  type: string;
  /** Valid properties, with the constrained value at its boundary: we and cfn-lint both accept them. */
  good: Props;
  /** Make one value bad. */
  bad(p: Props): void;
  code: string;
  /** Below Properties. */
  path: string;
  /** Words the message and fix must contain: the value received and the allowed range or values. */
  mentions: string[];
}

const ROLE = "arn:aws:iam::123456789012:role/service-role";
const lambda = (extra: Props = {}): Props => ({
  Runtime: "nodejs22.x",
  Handler: "index.handler",
  Role: ROLE,
  Code: { ZipFile: "exports.handler = async () => 1;" },
  ...extra,
});
const alarm = (extra: Props = {}): Props => ({
  ComparisonOperator: "GreaterThanThreshold",
  EvaluationPeriods: 1,
  MetricName: "Errors",
  Namespace: "AWS/Lambda",
  Period: 60,
  Statistic: "Sum",
  Threshold: 1,
  ...extra,
});
const table = (extra: Props = {}): Props => ({
  BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
  ...extra,
});

const cases: Case[] = [
  {
    name: "Lambda timeout over 15 minutes",
    type: "AWS::Lambda::Function",
    good: lambda({ Timeout: 900 }),
    bad: (p) => {
      p.Timeout = 1000;
    },
    code: "VALUE_OUT_OF_RANGE",
    path: "Timeout",
    mentions: ["1000", "1 to 900"],
  },
  {
    name: "Lambda memory under 128 MB",
    type: "AWS::Lambda::Function",
    good: lambda({ MemorySize: 128 }),
    bad: (p) => {
      p.MemorySize = 64;
    },
    code: "VALUE_OUT_OF_RANGE",
    path: "MemorySize",
    mentions: ["64", "128 to 32768"],
  },
  {
    name: "Lambda ephemeral storage under 512 MB (a nested property type)",
    type: "AWS::Lambda::Function",
    good: lambda({ EphemeralStorage: { Size: 512 } }),
    bad: (p) => {
      p.EphemeralStorage.Size = 100;
    },
    code: "VALUE_OUT_OF_RANGE",
    path: "EphemeralStorage.Size",
    mentions: ["100", "512 to 10240"],
  },
  {
    name: "Lambda runtime that does not exist",
    type: "AWS::Lambda::Function",
    good: lambda({ Runtime: "nodejs22.x" }),
    bad: (p) => {
      p.Runtime = "nodejs22";
    },
    code: "VALUE_NOT_ALLOWED",
    path: "Runtime",
    mentions: ['"nodejs22"', 'Did you mean "nodejs22.x"?'],
  },
  {
    name: "Lambda with two architectures",
    type: "AWS::Lambda::Function",
    good: lambda({ Architectures: ["arm64"] }),
    bad: (p) => {
      p.Architectures = ["arm64", "x86_64"];
    },
    code: "ITEM_COUNT_OUT_OF_RANGE",
    path: "Architectures",
    mentions: ["2 items", "exactly 1"],
  },
  {
    name: "Lambda architecture misspelt (a list item)",
    type: "AWS::Lambda::Function",
    good: lambda({ Architectures: ["x86_64"] }),
    bad: (p) => {
      p.Architectures = ["x86"];
    },
    code: "VALUE_NOT_ALLOWED",
    path: "Architectures[0]",
    mentions: ['"x86"', '"x86_64", "arm64"'],
  },
  {
    name: "SQS visibility timeout over 12 hours",
    type: "AWS::SQS::Queue",
    good: { VisibilityTimeout: 43200 },
    bad: (p) => {
      p.VisibilityTimeout = 50000;
    },
    code: "VALUE_OUT_OF_RANGE",
    path: "VisibilityTimeout",
    mentions: ["50000", "0 to 43200"],
  },
  {
    name: "SQS retention under a minute",
    type: "AWS::SQS::Queue",
    good: { MessageRetentionPeriod: 60 },
    bad: (p) => {
      p.MessageRetentionPeriod = 30;
    },
    code: "VALUE_OUT_OF_RANGE",
    path: "MessageRetentionPeriod",
    mentions: ["30", "60 to 1209600"],
  },
  {
    name: "log retention that CloudWatch Logs does not offer",
    type: "AWS::Logs::LogGroup",
    good: { RetentionInDays: 14 },
    bad: (p) => {
      p.RetentionInDays = 10;
    },
    code: "VALUE_NOT_ALLOWED",
    path: "RetentionInDays",
    mentions: ["10", "1, 3, 5, 7, 14, 30"],
  },
  {
    name: "event source mapping batch size 0",
    type: "AWS::Lambda::EventSourceMapping",
    good: {
      FunctionName: "worker",
      EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:jobs",
      BatchSize: 1,
    },
    bad: (p) => {
      p.BatchSize = 0;
    },
    code: "VALUE_OUT_OF_RANGE",
    path: "BatchSize",
    mentions: ["0", "1 to 10000"],
  },
  {
    name: "DynamoDB attribute type that does not exist (list item of a property type)",
    type: "AWS::DynamoDB::Table",
    good: table(),
    bad: (p) => {
      p.AttributeDefinitions[0].AttributeType = "STRING";
    },
    code: "VALUE_NOT_ALLOWED",
    path: "AttributeDefinitions[0].AttributeType",
    mentions: ['"STRING"', '"B", "N", "S"'],
  },
  {
    name: "DynamoDB table name over 1024 characters",
    type: "AWS::DynamoDB::Table",
    good: table({ TableName: "t".repeat(1024) }),
    bad: (p) => {
      p.TableName = "t".repeat(1025);
    },
    code: "LENGTH_OUT_OF_RANGE",
    path: "TableName",
    mentions: ["1025 characters", "1 to 1024 characters"],
  },
  {
    name: "API Gateway V2 routing rule priority 0",
    type: "AWS::ApiGatewayV2::RoutingRule",
    good: {
      DomainNameArn: "arn:aws:apigateway:us-east-1::/domainnames/api.example.com",
      Priority: 1,
      Conditions: [{ MatchBasePaths: { AnyOf: ["orders"] } }],
      Actions: [{ InvokeApi: { ApiId: "a1b2c3", Stage: "prod" } }],
    },
    bad: (p) => {
      p.Priority = 0;
    },
    code: "VALUE_OUT_OF_RANGE",
    path: "Priority",
    mentions: ["0", "1 to 1000000"],
  },
  {
    name: "EventBridge rule state ON",
    type: "AWS::Events::Rule",
    good: { ScheduleExpression: "rate(5 minutes)", State: "ENABLED" },
    bad: (p) => {
      p.State = "ON";
    },
    code: "VALUE_NOT_ALLOWED",
    path: "State",
    mentions: ['"ON"', '"DISABLED", "ENABLED"'],
  },
  {
    name: "EventBridge rule name with a space",
    type: "AWS::Events::Rule",
    good: { ScheduleExpression: "rate(5 minutes)", Name: "nightly-report_1.0" },
    bad: (p) => {
      p.Name = "nightly report";
    },
    code: "PATTERN_MISMATCH",
    path: "Name",
    mentions: ['"nightly report"', "^[\\.\\-_A-Za-z0-9]+$"],
  },
  {
    name: "CloudWatch alarm comparison operator misspelt",
    type: "AWS::CloudWatch::Alarm",
    good: alarm(),
    bad: (p) => {
      p.ComparisonOperator = "GreaterThan";
    },
    code: "VALUE_NOT_ALLOWED",
    path: "ComparisonOperator",
    mentions: ['"GreaterThan"', "GreaterThanThreshold"],
  },
  {
    name: "CloudWatch alarm over 0 evaluation periods",
    type: "AWS::CloudWatch::Alarm",
    good: alarm({ EvaluationPeriods: 1 }),
    bad: (p) => {
      p.EvaluationPeriods = 0;
    },
    code: "VALUE_OUT_OF_RANGE",
    path: "EvaluationPeriods",
    mentions: ["0", "at least 1"],
  },
  {
    name: "Lambda permission source account that is not 12 digits",
    type: "AWS::Lambda::Permission",
    good: {
      Action: "lambda:InvokeFunction",
      FunctionName: "worker",
      Principal: "s3.amazonaws.com",
      SourceAccount: "123456789012",
    },
    bad: (p) => {
      p.SourceAccount = "12345";
    },
    code: "LENGTH_OUT_OF_RANGE",
    path: "SourceAccount",
    mentions: ['"12345"', "exactly 12 characters"],
  },
];

const template = (type: string, props: Props): Loose => ({
  AWSTemplateFormatVersion: "2010-09-09",
  Resources: { Subject: { Type: type, Properties: props } },
});
const goodOf = (c: Case) => template(c.type, structuredClone(c.good));
const badOf = (c: Case) => {
  const p = structuredClone(c.good);
  c.bad(p);
  return template(c.type, p);
};

const bin = findCfnLint();
const dir = mkdtempSync(join(tmpdir(), "sparta-template-constraints-"));
const lint = new Map<string, LintFinding[]>();
const file = (i: number, kind: "good" | "bad") => join(dir, `${kind}${String(i).padStart(2, "0")}.json`);

describe("allowed values and ranges from the registry schemas", () => {
  beforeAll(() => {
    if (!bin) return;
    const files = cases.flatMap((c, i) => {
      writeFileSync(file(i, "good"), JSON.stringify(goodOf(c), null, 2));
      writeFileSync(file(i, "bad"), JSON.stringify(badOf(c), null, 2));
      return [file(i, "good"), file(i, "bad")];
    });
    // cfn-lint needs seconds per run, so every template goes through one run.
    for (const [f, list] of runCfnLint(bin, files).findings) lint.set(f, list);
  }, 300_000);

  it("has at least 10 cases across Lambda, SQS, Logs, DynamoDB, API Gateway V2, EventBridge and CloudWatch", () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    const services = new Set(cases.map((c) => c.type.split("::")[1]));
    for (const s of ["Lambda", "SQS", "Logs", "DynamoDB", "ApiGatewayV2", "Events", "CloudWatch"])
      expect(services).toContain(s);
  });

  cases.forEach((c, i) => {
    it(`${c.name}: ${c.code} at ${c.path}, and cfn-lint rejects it too`, () => {
      // The value at its boundary is valid, for us and for cfn-lint: the constraint is not stricter than the schema.
      expect(validateTemplate(goodOf(c))).toEqual([]);
      const problems = validateTemplate(badOf(c));
      const path = `Resources.Subject.Properties.${c.path}`;
      const hit = problems.find((p: Problem) => p.code === c.code && p.path === path);
      expect(hit, `expected ${c.code} at ${path}, got ${JSON.stringify(problems, null, 2)}`).toBeDefined();
      const text = `${hit!.message} ${hit!.fix ?? ""}`;
      for (const word of [c.path, '"Subject"', c.type, ...c.mentions]) expect(text).toContain(word);
      expect(hit!.fix).toBeTruthy();
      expect(text).not.toMatch(/\n\s+at /); // no stack trace
      if (bin) {
        const errors = (f: string) => (lint.get(f) ?? []).filter((x) => x.rule.startsWith("E"));
        expect(errors(file(i, "good")), "cfn-lint accepts the good template").toEqual([]);
        // E3030 allowed values, E3031 pattern, E3032 item count, E3033 length, E3034 range.
        expect(
          errors(file(i, "bad")).some((x) => /^E303[0-4]$/.test(x.rule)),
          `cfn-lint findings: ${JSON.stringify(lint.get(file(i, "bad")))}`,
        ).toBe(true);
      }
    });
  });

  it("can be switched off, for a value AWS accepts that the bundled table does not know yet", () => {
    expect(validateTemplate(badOf(cases[0]!), { checkValues: false })).toEqual([]);
  });

  it("reports a bad value like every other problem: resource, path, value, range and fix", () => {
    const c = cases[0]!;
    expect(validateTemplate(badOf(c))).toEqual([
      {
        code: "VALUE_OUT_OF_RANGE",
        path: "Resources.Subject.Properties.Timeout",
        message: 'Timeout of "Subject" (AWS::Lambda::Function) is 1000; it must be from 1 to 900.',
        fix: "Set Timeout to a value from 1 to 900.",
      },
    ]);
  });
});

describe("only literal values are judged", () => {
  const fn = (extra: Props) => ({
    Parameters: { Timeout: { Type: "Number" }, IsArm: { Type: "String" } },
    Conditions: { Arm: { "Fn::Equals": [{ Ref: "IsArm" }, "yes"] } },
    Resources: { Fn: { Type: "AWS::Lambda::Function", Properties: lambda(extra) } },
  });
  const codes = (extra: Props) => validateTemplate(fn(extra)).map((p) => p.code);

  it("skips intrinsic functions: their value is only known at deploy time", () => {
    expect(codes({ Timeout: { Ref: "Timeout" } })).toEqual([]);
    expect(codes({ Runtime: { "Fn::If": ["Arm", "nodejs22.x", "bogus"] } })).toEqual([]);
    expect(
      codes({
        FunctionName: { "Fn::Sub": "${AWS::StackName}-a-name-far-longer-than-sixty-four-characters-xx" },
      }),
    ).toEqual([]);
  });

  it("skips dynamic references, which CloudFormation resolves at deploy time", () => {
    expect(codes({ Runtime: "{{resolve:ssm:/config/runtime}}" })).toEqual([]);
    expect(
      codes({
        FunctionName: "{{resolve:ssm:/config/a-parameter-whose-name-is-longer-than-sixty-four-chars}}",
      }),
    ).toEqual([]);
    const db = (MasterUsername: string) =>
      validateTemplate({
        Resources: {
          Db: {
            Type: "AWS::RDS::DBInstance",
            Properties: {
              Engine: "postgres",
              DBInstanceClass: "db.t4g.micro",
              MasterUsername,
              MasterUserPassword: "{{resolve:secretsmanager:prod/app/db:SecretString:password}}",
            },
          },
        },
      }).map((p) => p.code);
    const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app/db-AbCdEf";
    // MasterUsername must match ^[a-zA-Z][a-zA-Z0-9_]{0,127}$, which the reference itself does not.
    expect(db(`{{resolve:secretsmanager:${secret}:SecretString:username}}`)).toEqual([]);
    expect(db("app-user")).toEqual(["PATTERN_MISMATCH"]);
  });

  it("counts only the list items sure to be there against a maximum", () => {
    // The If may resolve to AWS::NoValue, leaving one item.
    expect(
      codes({ Architectures: ["arm64", { "Fn::If": ["Arm", "x86_64", { Ref: "AWS::NoValue" }] }] }),
    ).toEqual([]);
    expect(codes({ Architectures: ["arm64", "x86_64", { Ref: "AWS::NoValue" }] })).toEqual([
      "ITEM_COUNT_OUT_OF_RANGE",
    ]);
  });

  it("reads numbers written as strings, as CloudFormation does", () => {
    expect(codes({ Timeout: "1000" })).toEqual(["VALUE_OUT_OF_RANGE"]);
    expect(codes({ Timeout: "900" })).toEqual([]);
  });

  it("leaves a value of the wrong type to the type check (one problem, not two)", () => {
    expect(codes({ Timeout: "soon" })).toEqual(["WRONG_TYPE"]);
  });

  it("forgives the case of an allowed value rather than risk a false alarm", () => {
    expect(codes({ PackageType: "zip" })).toEqual([]);
    expect(codes({ PackageType: "Jar" })).toEqual(["VALUE_NOT_ALLOWED"]);
  });

  it("judges patterns on single-line ASCII values only (regex engines differ beyond that)", () => {
    const rule = (Name: string) =>
      validateTemplate({
        Resources: {
          R: { Type: "AWS::Events::Rule", Properties: { ScheduleExpression: "rate(1 hour)", Name } },
        },
      }).map((p) => p.code);
    expect(rule("règle")).toEqual([]);
    expect(rule("a rule")).toEqual(["PATTERN_MISMATCH"]);
  });
});
