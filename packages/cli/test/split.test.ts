import { alarmNamesFor, alarms, SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS, safeDeploy } from "@sparta/operations";
import { validateTemplate } from "@sparta/template";
import { describe, expect, it } from "vitest";
import { marshalService } from "../src/marshal.js";
import type { ServiceDefinition, TemplateDocument } from "../src/service.js";
import {
  groupResources,
  quotaProblems,
  SplitError,
  STACK_NAME_PARAMETER,
  splitTemplate,
} from "../src/split.js";

/** A service of `n` one-route HTTP functions, with the operations decorators on. */
function service(names: string[]): ServiceDefinition {
  return {
    name: "many",
    description: "many functions",
    functions: names.map((name) => ({
      name,
      handler: "src/h.ts#handler",
      events: [{ type: "httpApi" as const, method: "GET" as const, path: `/${name}` }],
    })),
    decorators: [safeDeploy({ shift: "Canary10Percent5Minutes" }), alarms()],
  };
}
const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `f${i + from}`);

async function templateOf(fns: string[], key = (name: string) => `${name}-0000000000000000.zip`) {
  const code = Object.fromEntries(fns.map((f) => [f, { key: key(f), handler: "index.handler" }]));
  return marshalService(service(fns), code, { warn() {} });
}

const URL = (key: string) => ({
  "Fn::Sub": `https://\${ArtifactBucket}.s3.\${AWS::Region}.\${AWS::URLSuffix}/${key}`,
});

describe("groupResources", () => {
  it("gives each function its role, log group, route, integration, permission, versions, alias, deployment group and alarms; keeps shared ones in the root", async () => {
    // over SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS: each function has its own CodeDeploy role
    const t = await templateOf(names(SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS + 1));
    const group = groupResources(t);
    const of = (g: string) =>
      Object.keys(t.Resources)
        .filter((id) => group.get(id) === g)
        .sort();
    const f1 = of("F1Function");
    expect(f1.filter((id) => !/^F1(FunctionVersion[0-9a-f]+|Route[0-9A-F]+)$/.test(id))).toEqual([
      "F1Function",
      "F1FunctionAlias",
      "F1FunctionCodeDeployRole",
      "F1FunctionDeploymentGroup",
      "F1FunctionDurationAlarm",
      "F1FunctionErrorRateAlarm",
      "F1FunctionNewVersionErrorsAlarm",
      "F1FunctionThrottlesAlarm",
      "F1HttpIntegration",
      "F1HttpPermission",
      "F1LogGroup",
      "F1Role",
    ]);
    expect(f1.length).toBe(14); // and its version and route
    const root = Object.keys(t.Resources).filter((id) => !group.has(id));
    expect(root.sort()).toEqual([
      "HttpApi",
      "HttpApi5xxAlarm",
      "HttpApiDefaultStage",
      "SpartaCodeDeployApplication",
      "SpartaRollbackAlarm",
    ]);
  });

  it("a function named like a shared resource's prefix does not take it", async () => {
    const t = await templateOf(["http", "other"]);
    const group = groupResources(t);
    expect(group.get("HttpApi")).toBeUndefined();
    expect(group.get("HttpRole")).toBe("HttpFunction");
  });
});

describe("splitTemplate", () => {
  it("leaves a template under the quotas alone", async () => {
    const t = await templateOf(names(3));
    const r = splitTemplate(t, { templateUrl: URL });
    expect(r.nested).toEqual([]);
    expect(r.root).toBe(t);
  });

  it("splits 120 functions with alarms into a root and one nested stack per function, each under the quotas and valid", async () => {
    const t = await templateOf(names(120));
    expect(quotaProblems(t)).toEqual([
      expect.stringMatching(/^\d+ resources \(CloudFormation allows 500\)$/),
      expect.stringMatching(/^\d+ outputs \(CloudFormation allows 200\)$/),
      expect.stringMatching(/^\d+ bytes \(CloudFormation allows 1048576\)$/),
    ]);
    const { root, nested, reasons } = splitTemplate(t, { templateUrl: URL });
    expect(reasons.length).toBe(3);
    expect(nested).toHaveLength(120);
    // the stacks; HttpApi, its stage and 5xx alarm, the CodeDeploy application, the rollback alarm and its parts
    const parts = Object.keys(root.Resources).filter((id) => id.startsWith("SpartaRollbackAlarmPart"));
    expect(parts.length).toBeGreaterThan(1);
    expect(Object.keys(root.Resources).length).toBe(120 + 5 + parts.length);
    for (const tpl of [root, ...nested.map((n) => n.template)]) {
      expect(quotaProblems(tpl)).toEqual([]);
      expect(validateTemplate(tpl as never).map((p) => `${p.path}: ${p.message}`)).toEqual([]);
    }
    // every resource is in exactly one template, the stacks added
    const all = [...Object.keys(root.Resources), ...nested.flatMap((n) => Object.keys(n.template.Resources))];
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(Object.keys(t.Resources).length + 120);
  });

  it("passes root values down as parameters and reads child values back as outputs", async () => {
    const t = await templateOf(names(SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS + 1));
    const { root, nested } = splitTemplate(t, { templateUrl: URL, force: true });
    const f0 = nested.find((n) => n.logicalId === "F0FunctionStack")!;
    expect(f0.functions).toEqual(["F0Function"]);
    expect(f0.key).toMatch(/^templates\/F0FunctionStack-[0-9a-f]{16}\.json$/);
    const stack = root.Resources.F0FunctionStack!;
    expect(stack.Type).toBe("AWS::CloudFormation::Stack");
    expect(stack.Properties).toEqual({
      TemplateURL: URL(f0.key),
      Parameters: {
        ArtifactBucket: { Ref: "ArtifactBucket" },
        HttpApi: { Ref: "HttpApi" },
        SpartaCodeDeployApplication: { Ref: "SpartaCodeDeployApplication" },
        [STACK_NAME_PARAMETER]: { Ref: "AWS::StackName" },
      },
    });
    const child = f0.template;
    expect(Object.keys(child.Parameters ?? {}).sort()).toEqual([
      "ArtifactBucket",
      "HttpApi",
      "SpartaCodeDeployApplication",
      STACK_NAME_PARAMETER,
    ]);
    expect(child.Resources.F0FunctionDeploymentGroup?.Properties?.ServiceRoleArn).toEqual({
      "Fn::GetAtt": ["F0FunctionCodeDeployRole", "Arn"],
    });
    // names built from the stack name keep the ROOT stack's name
    expect(child.Resources.F0FunctionErrorRateAlarm?.Properties?.AlarmName).toEqual({
      "Fn::Sub": `\${${STACK_NAME_PARAMETER}}-F0Function-ErrorRate`,
    });
    // the composite alarm (root) reads the alarm names from the children's outputs
    const rule = root.Resources.SpartaRollbackAlarm?.Properties?.AlarmRule as {
      "Fn::Sub": [string, Record<string, unknown>];
    };
    expect(rule["Fn::Sub"][0]).toContain(`ALARM("\${F0FunctionStackF0FunctionErrorRateAlarm}")`);
    expect(rule["Fn::Sub"][1].F0FunctionStackF0FunctionErrorRateAlarm).toEqual({
      "Fn::GetAtt": ["F0FunctionStack", "Outputs.F0FunctionErrorRateAlarm"],
    });
    // the function's outputs moved with it; the root keeps its own
    expect(Object.keys(child.Outputs ?? {}).sort()).toEqual([
      "F0Arn",
      "F0CodeKey",
      "F0FunctionDurationAlarm",
      "F0FunctionErrorRateAlarm",
      "F0FunctionThrottlesAlarm",
      "SpartaAlarmF0FunctionDuration",
      "SpartaAlarmF0FunctionErrorRate",
      "SpartaAlarmF0FunctionThrottles",
    ]);
    expect(Object.keys(root.Outputs ?? {}).sort()).toEqual([
      "HttpApiUrl",
      "SpartaAlarmHttpApi5xx",
      "SpartaRollbackAlarmArn",
    ]);
    // alarm names are what they were before the split (pipelines name them in advance)
    expect(alarmNamesFor(t as never, "many")).toContain("many-F0Function-ErrorRate");
  });

  it("is stable: adding, removing or changing one function changes only its nested stack and the root", async () => {
    const split = async (fns: string[], key?: (n: string) => string) =>
      splitTemplate(await templateOf(fns, key), { templateUrl: URL, force: true });
    const before = await split(names(40));
    const bodies = (r: Awaited<ReturnType<typeof split>>) =>
      new Map(r.nested.map((n) => [n.logicalId, n.body]));
    const diff = (a: Map<string, string>, b: Map<string, string>) =>
      [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
    const added = await split([...names(40), "extra"]);
    expect(diff(bodies(before), bodies(added))).toEqual(["ExtraFunctionStack"]);
    const removed = await split(names(39));
    expect(diff(bodies(before), bodies(removed))).toEqual(["F39FunctionStack"]);
    const changed = await split(names(40), (n) =>
      n === "f7" ? "f7-1111111111111111.zip" : `${n}-0000000000000000.zip`,
    );
    expect(diff(bodies(before), bodies(changed))).toEqual(["F7FunctionStack"]);
    // the root changes only in that stack's TemplateURL
    const rootDiff = Object.keys(before.root.Resources).filter(
      (id) => JSON.stringify(before.root.Resources[id]) !== JSON.stringify(changed.root.Resources[id]),
    );
    expect(rootDiff).toEqual(["F7FunctionStack"]);
  });

  it("a GetAtt of a root resource becomes a parameter of the child", () => {
    const t: TemplateDocument = {
      Resources: {
        Key: { Type: "AWS::KMS::Key", Properties: { KeyPolicy: {} } },
        AFunction: {
          Type: "AWS::Lambda::Function",
          Properties: {
            Role: "r",
            KmsKeyArn: { "Fn::GetAtt": ["Key", "Arn"] },
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax
            Description: { "Fn::Sub": "key ${Key.Arn} in ${AWS::Region} of ${AWS::StackName}" },
          },
        },
      },
    };
    const { root, nested } = splitTemplate(t, { templateUrl: (k) => k, force: true });
    expect(root.Resources.AFunctionStack?.Properties?.Parameters).toEqual({
      KeyArn: { "Fn::GetAtt": ["Key", "Arn"] },
      [STACK_NAME_PARAMETER]: { Ref: "AWS::StackName" },
    });
    expect(nested[0]?.template.Resources.AFunction?.Properties).toEqual({
      Role: "r",
      KmsKeyArn: { Ref: "KeyArn" },
      Description: { "Fn::Sub": `key \${KeyArn} in \${AWS::Region} of \${${STACK_NAME_PARAMETER}}` },
    });
  });

  it("gives a child the parameters and conditions it uses: a list joined, a NoEcho kept, a condition with its own", () => {
    const t: TemplateDocument = {
      Parameters: {
        Subnets: { Type: "List<AWS::EC2::Subnet::Id>" },
        Token: { Type: "String", NoEcho: true },
        Stage: { Type: "String" },
        Unused: { Type: "String" },
      },
      Conditions: {
        IsProd: { "Fn::Equals": [{ Ref: "Stage" }, "prod"] },
        Traced: { "Fn::And": [{ Condition: "IsProd" }, { "Fn::Equals": ["a", "a"] }] },
        Other: { "Fn::Equals": ["b", "b"] },
      },
      Resources: {
        AFunction: {
          Type: "AWS::Lambda::Function",
          Properties: {
            Role: "arn:aws:iam::123456789012:role/r",
            Code: { ZipFile: "exports.handler = async () => 1" },
            Handler: "index.handler",
            Runtime: "nodejs22.x",
            VpcConfig: { SubnetIds: { Ref: "Subnets" } },
            Environment: { Variables: { TOKEN: { Ref: "Token" } } },
            TracingConfig: { "Fn::If": ["Traced", { Mode: "Active" }, { Ref: "AWS::NoValue" }] },
          },
        },
        AAlarm: {
          Type: "AWS::SNS::Topic",
          Condition: "IsProd",
          Properties: { DisplayName: { Ref: "AFunction" } },
        },
      },
    };
    const { root, nested } = splitTemplate(t, { templateUrl: (k) => k, force: true });
    const a = nested[0]!.template;
    expect(a.Parameters).toEqual({
      Stage: { Type: "String" },
      Subnets: { Type: "CommaDelimitedList" },
      Token: { Type: "String", NoEcho: true },
    });
    expect(root.Resources.AFunctionStack?.Properties?.Parameters).toEqual({
      Stage: { Ref: "Stage" },
      Subnets: { "Fn::Join": [",", { Ref: "Subnets" }] },
      Token: { Ref: "Token" },
    });
    expect(Object.keys(a.Conditions ?? {}).sort()).toEqual(["IsProd", "Traced"]);
    expect(a.Resources.AAlarm?.Condition).toBe("IsProd");
    expect(validateTemplate(a as never).map((p) => p.message)).toEqual([]);
    expect(validateTemplate(root as never).map((p) => p.message)).toEqual([]);
  });

  it("a child reading another child's value gets it through the root", () => {
    const t: TemplateDocument = {
      Resources: {
        AFunction: {
          Type: "AWS::Lambda::Function",
          Properties: {
            Role: "r",
            Environment: { Variables: { B: { "Fn::GetAtt": ["BFunction", "Arn"] } } },
          },
        },
        BFunction: { Type: "AWS::Lambda::Function", Properties: { Role: "r" } },
        ATopic: { Type: "AWS::SNS::Topic", DependsOn: "Shared" },
        Shared: { Type: "AWS::SNS::Topic" },
      },
    };
    const { root, nested } = splitTemplate(t, { templateUrl: (k) => k, force: true });
    expect(root.Resources.AFunctionStack).toMatchObject({
      DependsOn: ["BFunctionStack"],
      Properties: {
        Parameters: { BFunctionArn: { "Fn::GetAtt": ["BFunctionStack", "Outputs.BFunctionArn"] } },
      },
    });
    const a = nested.find((n) => n.logicalId === "AFunctionStack")!.template;
    expect(a.Resources.AFunction?.Properties?.Environment).toEqual({
      Variables: { B: { Ref: "BFunctionArn" } },
    });
    const b = nested.find((n) => n.logicalId === "BFunctionStack")!.template;
    expect(b.Outputs).toEqual({ BFunctionArn: { Value: { "Fn::GetAtt": ["BFunction", "Arn"] } } });
    // ATopic (named after A, used by nothing) stays in the root: only what A's group uses joins it
    expect(root.Resources.ATopic).toEqual({ Type: "AWS::SNS::Topic", DependsOn: ["Shared"] });
  });

  it("refuses, naming the quota, when one function alone is over the quotas", () => {
    const resources: TemplateDocument["Resources"] = {
      BigFunction: { Type: "AWS::Lambda::Function", Properties: {} },
    };
    for (let i = 0; i < 600; i++)
      resources[`BigAlarm${i}`] = {
        Type: "AWS::SNS::Topic",
        Properties: { DisplayName: { Ref: "BigFunction" } },
      };
    expect(() => splitTemplate({ Resources: resources }, { templateUrl: (k) => k })).toThrow(SplitError);
    expect(() => splitTemplate({ Resources: resources }, { templateUrl: (k) => k })).toThrow(
      /nested stack BigFunctionStack: 601 resources \(CloudFormation allows 500\)/,
    );
  });
});
