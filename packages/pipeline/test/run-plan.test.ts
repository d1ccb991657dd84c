import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RunPipelineError, UnsupportedActionError } from "../src/errors.js";
import { createResolver } from "../src/run/intrinsics.js";
import { planActions, runOrderGroups } from "../src/run/plan.js";

// The pipeline runPipeline executes is the golden pipeline template's own Pipeline resource, resolved against a
// deployed stack as DescribeStacks/ListStackResources describe it (moto creates no CodeBuild project: the
// resolver falls back to the project's Name, which is what Ref gives for a project).
const template = JSON.parse(
  readFileSync(new URL("./golden/pipeline.connection-alarm-gate.json", import.meta.url), "utf8"),
);
const stack = {
  stackName: "SpartaCodePipeline",
  stackId:
    "arn:aws:cloudformation:eu-west-1:123456789012:stack/SpartaCodePipeline/f794c185-9055-4b72-8f3b-cb65c74603d3",
  parameters: { ConnectionArn: "arn:aws:codestar-connections:eu-west-1:123456789012:connection/abc" },
  physicalIds: {
    ArtifactBucket: "spartacodepipeline-artifactbucket-1a2b3c",
    DeployRole: "SpartaCodePipeline-DeployRole-XYZ",
    PipelineRole: "SpartaCodePipeline-PipelineRole-XYZ",
    BuildRole: "SpartaCodePipeline-BuildRole-XYZ",
    PromotionGateRole: "SpartaCodePipeline-PromotionGateRole-XYZ",
    Pipeline: "SpartaCodePipeline-Pipeline-ABC",
  },
};

describe("the pipeline resource, resolved against the deployed stack", () => {
  const resolver = createResolver(template, stack);
  const pipeline = resolver.resolve(template.Resources.Pipeline.Properties) as Record<string, unknown>;

  it("resolves Ref to parameters, resources and pseudo parameters, GetAtt Arn and Sub", () => {
    expect(pipeline.ArtifactStore).toEqual({
      Type: "S3",
      Location: "spartacodepipeline-artifactbucket-1a2b3c",
    });
    const actions = planActions(pipeline);
    const create = actions.find((a) => a.stage === "Test" && a.name === "CreateChangeSet")!;
    expect(create.configuration.RoleArn).toBe(
      "arn:aws:iam::123456789012:role/SpartaCodePipeline-DeployRole-XYZ",
    );
    expect(create.configuration.ParameterOverrides).toBe(
      '{"ArtifactBucket": "spartacodepipeline-artifactbucket-1a2b3c", "SpartaPermissionsBoundary": ' +
        '"arn:aws:iam::123456789012:policy/sparta/SpartaCodePipeline-eu-west-1-boundary"}',
    );
    const source = actions.find((a) => a.category === "Source")!;
    expect(source.configuration.ConnectionArn).toBe(stack.parameters.ConnectionArn);
    expect(actions.find((a) => a.name === "Package")!.configuration.ProjectName).toBe(
      "SpartaCodePipeline-build",
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
    expect(resolver.resolve({ "Fn::Sub": "${AWS::Region}/${!Literal}/${AWS::AccountId}" })).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      "eu-west-1/${Literal}/123456789012",
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
    expect(resolver.resolve({ "Fn::Sub": ["${A}-x", { A: { Ref: "AWS::StackName" } }] })).toBe(
      "SpartaCodePipeline-x",
    );
  });

  it("plans the stages' actions in RunOrder", () => {
    expect(planActions(pipeline).map((a) => `${a.stage}/${a.name}@${a.runOrder}`)).toEqual([
      "Source/GitHub@1",
      "Build/Package@1",
      "Test/CreateChangeSet@1",
      "Test/ExecuteChangeSet@2",
      "Production/CreateChangeSet@1",
      "Production/PromotionGate@2",
      "Production/ExecuteChangeSet@3",
    ]);
  });

  it("groups a stage's actions by RunOrder (one group runs in parallel)", () => {
    const production = planActions(pipeline).filter((a) => a.stage === "Production");
    expect(runOrderGroups(production).map((g) => g.map((a) => a.name))).toEqual([
      ["CreateChangeSet"],
      ["PromotionGate"],
      ["ExecuteChangeSet"],
    ]);
  });

  it("refuses an input artifact no action produces, or one produced in the same RunOrder", () => {
    const copy = structuredClone(pipeline) as {
      Stages: { Name: string; Actions: Record<string, unknown>[] }[];
    };
    const packageAction = copy.Stages.find((s) => s.Name === "Build")?.Actions[0];
    if (packageAction) packageAction.InputArtifacts = [{ Name: "Nowhere" }];
    expect(() => planActions(copy)).toThrow(RunPipelineError);
    expect(() => planActions(copy)).toThrow(
      "Action Build/Package reads artifact Nowhere, which no action of the pipeline produces",
    );
    const same = structuredClone(pipeline) as typeof copy;
    same.Stages[1]!.Actions.push({
      Name: "Lint",
      ActionTypeId: { Category: "Test", Owner: "AWS", Provider: "CodeBuild", Version: "1" },
      InputArtifacts: [{ Name: "BuildOutput" }],
      RunOrder: 1,
    });
    expect(() => planActions(same)).toThrow(
      "Action Build/Lint (RunOrder 1) reads artifact BuildOutput, which Build/Package (RunOrder 1) produces at the same time",
    );
  });

  it("names every action it cannot run before anything runs", () => {
    const copy = structuredClone(pipeline) as {
      Stages: { Name: string; Actions: Record<string, unknown>[] }[];
    };
    copy.Stages[2]!.Actions.push({
      Name: "Smoke",
      ActionTypeId: { Category: "Invoke", Owner: "AWS", Provider: "Lambda", Version: "1" },
      RunOrder: 3,
    });
    const source = copy.Stages[0]?.Actions[0];
    if (source)
      source.ActionTypeId = {
        Category: "Source",
        Owner: "AWS",
        Provider: "S3",
        Version: "1",
      };
    expect(() => planActions(copy)).toThrow(UnsupportedActionError);
    expect(() => planActions(copy)).toThrow(
      /Source\/GitHub \(Source\/AWS\/S3\)\n {2}- Test\/Smoke \(Invoke\/AWS\/Lambda\)/,
    );
  });

  it("says the deployed stack lacks a resource the template refers to", () => {
    const bare = createResolver(template, { ...stack, physicalIds: {} });
    expect(() => bare.resolve(template.Resources.Pipeline.Properties)).toThrow(
      /resource PipelineRole \(AWS::IAM::Role\) is not in the deployed stack.*sparta provisionPipeline/,
    );
  });
});
