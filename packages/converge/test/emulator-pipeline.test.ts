import { BatchGetProjectsCommand, CodeBuildClient } from "@aws-sdk/client-codebuild";
import { CodePipelineClient, GetPipelineCommand, ListPipelinesCommand } from "@aws-sdk/client-codepipeline";
import { describe, expect, it } from "vitest";
import { deleteStack, deploy, outputs, type Template, useEmulator } from "./emulator-helpers.js";

// The resources of a pipeline stack (what @sparta/pipeline generates: a CodeBuild project and a CodePipeline with
// a GitHub source, a build and CloudFormation deploy actions), through CloudFormation into the emulator's
// CodePipeline and CodeBuild, read back through the SDK as a local pipeline runner reads them.
const ctx = useEmulator();
const TOKEN = "ghp_PipelineTokenThatMustNotShow000000";
const trust = (service: string) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole"] }],
});

function pipelineStack(branch: string, pipelineTrusts = "codepipeline.amazonaws.com"): Template {
  return {
    Parameters: { GitHubOAuthToken: { Type: "String", NoEcho: true } },
    Resources: {
      ArtifactBucket: { Type: "AWS::S3::Bucket" },
      PipelineRole: {
        Type: "AWS::IAM::Role",
        Properties: { AssumeRolePolicyDocument: trust(pipelineTrusts) },
      },
      BuildRole: {
        Type: "AWS::IAM::Role",
        Properties: { AssumeRolePolicyDocument: trust("codebuild.amazonaws.com") },
      },
      DeployRole: {
        Type: "AWS::IAM::Role",
        Properties: { AssumeRolePolicyDocument: trust("cloudformation.amazonaws.com") },
      },
      BuildProject: {
        Type: "AWS::CodeBuild::Project",
        Properties: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
          Name: { "Fn::Sub": "${AWS::StackName}-build" },
          ServiceRole: { "Fn::GetAtt": ["BuildRole", "Arn"] },
          Source: {
            Type: "CODEPIPELINE",
            BuildSpec: "version: 0.2\nphases:\n  build:\n    commands:\n      - npm test\n",
          },
          Artifacts: { Type: "CODEPIPELINE" },
          Environment: {
            Type: "LINUX_CONTAINER",
            ComputeType: "BUILD_GENERAL1_SMALL",
            Image: "aws/codebuild/standard:7.0",
            EnvironmentVariables: [{ Name: "STAGE", Value: "ci", Type: "PLAINTEXT" }],
          },
          TimeoutInMinutes: 20,
        },
      },
      Pipeline: {
        Type: "AWS::CodePipeline::Pipeline",
        Properties: {
          RoleArn: { "Fn::GetAtt": ["PipelineRole", "Arn"] },
          ArtifactStore: { Type: "S3", Location: { Ref: "ArtifactBucket" } },
          RestartExecutionOnUpdate: true,
          Stages: [
            {
              Name: "Source",
              Actions: [
                {
                  Name: "GitHub",
                  ActionTypeId: { Category: "Source", Owner: "ThirdParty", Provider: "GitHub", Version: "1" },
                  Configuration: {
                    Owner: "acme",
                    Repo: "svc",
                    Branch: branch,
                    OAuthToken: { Ref: "GitHubOAuthToken" },
                    PollForSourceChanges: false,
                  },
                  OutputArtifacts: [{ Name: "SourceOutput" }],
                },
              ],
            },
            {
              Name: "Build",
              Actions: [
                {
                  Name: "Package",
                  ActionTypeId: { Category: "Build", Owner: "AWS", Provider: "CodeBuild", Version: "1" },
                  Configuration: { ProjectName: { Ref: "BuildProject" } },
                  InputArtifacts: [{ Name: "SourceOutput" }],
                  OutputArtifacts: [{ Name: "BuildOutput" }],
                },
              ],
            },
            {
              Name: "Test",
              Actions: [
                {
                  Name: "Deploy",
                  ActionTypeId: {
                    Category: "Deploy",
                    Owner: "AWS",
                    Provider: "CloudFormation",
                    Version: "1",
                  },
                  Configuration: {
                    ActionMode: "CREATE_UPDATE",
                    StackName: "svc-test",
                    TemplatePath: "BuildOutput::cloudformation.json",
                    ParameterOverrides: '{"ArtifactBucket": "code"}',
                    RoleArn: { "Fn::GetAtt": ["DeployRole", "Arn"] },
                  },
                  InputArtifacts: [{ Name: "BuildOutput" }],
                  RunOrder: 2,
                },
              ],
            },
          ],
        },
      },
    },
    Outputs: {
      PipelineName: { Value: { Ref: "Pipeline" } },
      PipelineVersion: { Value: { "Fn::GetAtt": ["Pipeline", "Version"] } },
      ProjectArn: { Value: { "Fn::GetAtt": ["BuildProject", "Arn"] } },
    },
  };
}

describe("AWS::CodePipeline::Pipeline and AWS::CodeBuild::Project through CloudFormation", () => {
  const pipelines = () => new CodePipelineClient({ ...ctx.emu.clientConfig, maxAttempts: 1 });
  const builds = () => new CodeBuildClient({ ...ctx.emu.clientConfig, maxAttempts: 1 });
  let out: Record<string, string> = {};

  it("creates the pipeline, whose declaration GetPipeline returns with the token masked", async () => {
    const { stack } = await deploy(ctx.cfn(), "pipe", pipelineStack("main"), { GitHubOAuthToken: TOKEN });
    expect(stack.StackStatus).toBe("CREATE_COMPLETE");
    out = outputs(stack);
    expect(out.PipelineName).toMatch(/^pipe-Pipeline-[A-Z0-9]+$/);
    expect(out.PipelineVersion).toBe("1");
    const { pipeline } = await pipelines().send(new GetPipelineCommand({ name: out.PipelineName }));
    expect(JSON.stringify(pipeline)).not.toContain(TOKEN);
    expect(pipeline).toMatchObject({
      name: out.PipelineName,
      roleArn: expect.stringMatching(/:role\/pipe-PipelineRole-/),
      artifactStore: { type: "S3", location: expect.stringMatching(/^pipe-artifactbucket-/) },
      version: 1,
    });
    expect(
      pipeline?.stages?.map((s) => `${s.name}: ${s.actions?.map((a) => a.actionTypeId?.provider).join()}`),
    ).toEqual(["Source: GitHub", "Build: CodeBuild", "Test: CloudFormation"]);
    expect(pipeline?.stages?.[0]?.actions?.[0]?.configuration).toEqual({
      Owner: "acme",
      Repo: "svc",
      Branch: "main",
      OAuthToken: "****",
      PollForSourceChanges: "false",
    });
    expect(pipeline?.stages?.[1]?.actions?.[0]).toMatchObject({
      configuration: { ProjectName: "pipe-build" },
      inputArtifacts: [{ name: "SourceOutput" }],
      outputArtifacts: [{ name: "BuildOutput" }],
      runOrder: 1,
    });
    expect(pipeline?.stages?.[2]?.actions?.[0]).toMatchObject({
      configuration: {
        ActionMode: "CREATE_UPDATE",
        RoleArn: expect.stringMatching(/:role\/pipe-DeployRole-/),
      },
      runOrder: 2,
    });

    const { projects } = await builds().send(new BatchGetProjectsCommand({ names: ["pipe-build"] }));
    expect(projects?.[0]).toMatchObject({
      name: "pipe-build",
      arn: out.ProjectArn,
      serviceRole: expect.stringMatching(/:role\/pipe-BuildRole-/),
      source: { type: "CODEPIPELINE", buildspec: expect.stringContaining("npm test") },
      environment: {
        image: "aws/codebuild/standard:7.0",
        environmentVariables: [{ name: "STAGE", value: "ci", type: "PLAINTEXT" }],
      },
      timeoutInMinutes: 20,
    });
  });

  it("an update changes the pipeline in place and raises its version", async () => {
    const { changeSet, stack } = await deploy(ctx.cfn(), "pipe", pipelineStack("release"), {
      GitHubOAuthToken: TOKEN,
    });
    expect(
      changeSet.Changes?.map((c) => `${c.ResourceChange?.Action} ${c.ResourceChange?.LogicalResourceId}`),
    ).toEqual(["Modify Pipeline"]);
    expect(outputs(stack)).toMatchObject({ PipelineName: out.PipelineName, PipelineVersion: "2" });
    const { pipeline } = await pipelines().send(new GetPipelineCommand({ name: out.PipelineName }));
    expect(pipeline?.version).toBe(2);
    expect(pipeline?.stages?.[0]?.actions?.[0]?.configuration?.Branch).toBe("release");
  });

  it("refuses a role CodePipeline cannot assume, as AWS does, and deletes with the stack", async () => {
    const { stack } = await deploy(ctx.cfn(), "pipe-bad", pipelineStack("main", "lambda.amazonaws.com"), {
      GitHubOAuthToken: TOKEN,
    });
    expect(stack.StackStatus).toBe("ROLLBACK_COMPLETE");
    expect(stack.StackStatusReason).toMatch(
      /^InvalidStructureException: CodePipeline is not authorized to perform AssumeRole on role arn:aws:iam::/,
    );

    await deleteStack(ctx.cfn(), "pipe");
    expect((await pipelines().send(new ListPipelinesCommand({}))).pipelines).toEqual([]);
    expect((await builds().send(new BatchGetProjectsCommand({ names: ["pipe-build"] }))).projects).toEqual(
      [],
    );
  });
});
