import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCfnClient, describeStack } from "@sparta/converge";
import { type Emulator, startEmulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalArtifact, runCloudFormationAction } from "../src/run/cloudformation.js";

// The CloudFormation deploy action's modes as the CodePipeline user guide describes them, against the emulator:
// CREATE_UPDATE, REPLACE_ON_FAILURE, DELETE_ONLY, CHANGE_SET_REPLACE/EXECUTE, what an unchanged template does in
// each, ParameterOverrides with Fn::GetParam and Fn::GetArtifactAtt, TemplateConfiguration and OutputFileName.
const TOPIC = {
  Parameters: { Name: { Type: "String" }, Owner: { Type: "String", Default: "nobody" } },
  Resources: { Topic: { Type: "AWS::SNS::Topic", Properties: { DisplayName: { Ref: "Name" } } } },
  Outputs: { TopicArn: { Value: { Ref: "Topic" } }, Owner: { Value: { Ref: "Owner" } } },
};
// A first create that fails (the function's code is in no bucket), leaving ROLLBACK_COMPLETE.
const BROKEN = {
  Resources: {
    Role: {
      Type: "AWS::IAM::Role",
      Properties: {
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        },
      },
    },
    Fn: {
      Type: "AWS::Lambda::Function",
      Properties: {
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: { "Fn::GetAtt": ["Role", "Arn"] },
        Code: { S3Bucket: "no-such-bucket", S3Key: "none.zip" },
      },
    },
  },
};

describe("runCloudFormationAction against the AWS emulator", () => {
  let emu: Emulator;
  let work: string;
  let input: LocalArtifact;
  const deps = () => ({ cfn: createCfnClient(emu.clientConfig) });
  const act = (configuration: Record<string, unknown>, outputs: string[] = []) =>
    runCloudFormationAction({
      actionName: "Deploy/Stack",
      configuration,
      inputs: [input],
      outputs,
      bucket: "artifacts",
      deps: deps(),
    });

  beforeAll(async () => {
    emu = await startEmulator();
    work = mkdtempSync(join(tmpdir(), "run-cfn-"));
    const dir = join(work, "BuildOutput");
    mkdirSync(dir);
    writeFileSync(join(dir, "topic.json"), JSON.stringify(TOPIC));
    writeFileSync(join(dir, "broken.json"), JSON.stringify(BROKEN));
    writeFileSync(
      join(dir, "test.json"),
      JSON.stringify({ Parameters: { Name: "from-config" }, Tags: { env: "test" } }),
    );
    writeFileSync(join(dir, "values.json"), JSON.stringify({ owner: "team-a" }));
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ Parameters: { Name: "x", Nope: "y" } }));
    input = {
      name: "BuildOutput",
      dir,
      location: { bucket: "artifacts", key: "p/BuildOutpu/abc1234" },
      url: "http://localhost/artifacts/p/BuildOutpu/abc1234",
    };
  }, 120_000);
  afterAll(async () => {
    await emu?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("CREATE_UPDATE creates, is unchanged on the same template, and writes the outputs to OutputFileName", async () => {
    const config = {
      ActionMode: "CREATE_UPDATE",
      StackName: "topic-stack",
      TemplatePath: "BuildOutput::topic.json",
      TemplateConfiguration: "BuildOutput::test.json",
      ParameterOverrides: JSON.stringify({
        Owner: { "Fn::GetParam": ["BuildOutput", "values.json", "owner"] },
      }),
      OutputFileName: "outputs.json",
      RoleArn: "arn:aws:iam::123456789012:role/deploy",
    };
    const first = await act(config, ["StackOutput"]);
    expect(first.result.kind).toBe("created");
    expect(first.roleArn).toBe("arn:aws:iam::123456789012:role/deploy");
    const file = first.outputs[0]?.files[0];
    expect(file?.name).toBe("outputs.json");
    const outputs = JSON.parse(new TextDecoder().decode(file?.data));
    expect(outputs.Owner).toBe("team-a");
    const stack = await describeStack({ stackName: "topic-stack" }, deps());
    expect(stack?.parameters).toEqual({ Name: "from-config", Owner: "team-a" });
    expect(stack?.tags).toEqual({ env: "test" });
    expect((await act(config, ["StackOutput"])).result.kind).toBe("unchanged");
  });

  it("ParameterOverrides win over the configuration and read artifact attributes (Fn::GetArtifactAtt)", async () => {
    const r = await act({
      ActionMode: "CREATE_UPDATE",
      StackName: "topic-stack",
      TemplatePath: "BuildOutput::topic.json",
      TemplateConfiguration: "BuildOutput::test.json",
      ParameterOverrides: JSON.stringify({
        Name: "overridden",
        Owner: { "Fn::GetArtifactAtt": ["BuildOutput", "ObjectKey"] },
      }),
    });
    expect(r.result.kind).toBe("updated");
    const stack = await describeStack({ stackName: "topic-stack" }, deps());
    expect(stack?.parameters).toEqual({ Name: "overridden", Owner: "p/BuildOutpu/abc1234" });
  });

  it("CHANGE_SET_REPLACE then CHANGE_SET_EXECUTE; an unchanged template makes both no-ops", async () => {
    const replace = {
      ActionMode: "CHANGE_SET_REPLACE",
      StackName: "cs-stack",
      ChangeSetName: "Release",
      TemplatePath: "BuildOutput::topic.json",
      TemplateConfiguration: "BuildOutput::test.json",
    };
    const execute = { ActionMode: "CHANGE_SET_EXECUTE", StackName: "cs-stack", ChangeSetName: "Release" };
    expect((await act(replace)).result.kind).toBe("changeSetReady");
    expect((await describeStack({ stackName: "cs-stack" }, deps()))?.status).toBe("REVIEW_IN_PROGRESS");
    expect((await act(execute)).result.kind).toBe("created");
    expect((await act(replace)).result.kind).toBe("unchanged");
    expect((await act(execute)).result.kind).toBe("unchanged");
    const missing = await act({ ...execute, ChangeSetName: "Other" });
    expect(missing.result.kind).toBe("failed");
    expect(missing.result.message).toContain("ChangeSet [Other] does not exist");
  });

  it("REPLACE_ON_FAILURE replaces a stack a failed create left in ROLLBACK_COMPLETE; CREATE_UPDATE refuses it", async () => {
    const broken = await act({
      ActionMode: "CREATE_UPDATE",
      StackName: "fragile",
      TemplatePath: "BuildOutput::broken.json",
    });
    expect(broken.result.kind).toBe("failed");
    expect((await describeStack({ stackName: "fragile" }, deps()))?.status).toBe("ROLLBACK_COMPLETE");
    const good = {
      StackName: "fragile",
      TemplatePath: "BuildOutput::topic.json",
      TemplateConfiguration: "BuildOutput::test.json",
    };
    const refused = await act({ ActionMode: "CREATE_UPDATE", ...good });
    expect(refused.result.kind).toBe("failed");
    expect(refused.result.message).toMatch(/ROLLBACK_COMPLETE and cannot be updated.*REPLACE_ON_FAILURE/);
    expect((await act({ ActionMode: "REPLACE_ON_FAILURE", ...good })).result.kind).toBe("created");
    expect((await act({ ActionMode: "REPLACE_ON_FAILURE", ...good })).result.kind).toBe("unchanged");
  });

  it("DELETE_ONLY deletes the stack; a stack that is not there is a success", async () => {
    expect((await act({ ActionMode: "DELETE_ONLY", StackName: "fragile" })).result.kind).toBe("deleted");
    expect(await describeStack({ stackName: "fragile" }, deps())).toBeUndefined();
    expect((await act({ ActionMode: "DELETE_ONLY", StackName: "fragile" })).result.kind).toBe("unchanged");
  });

  it("names a template-configuration parameter the template does not declare, and a bad artifact path", async () => {
    await expect(
      act({
        ActionMode: "CREATE_UPDATE",
        StackName: "x",
        TemplatePath: "BuildOutput::topic.json",
        TemplateConfiguration: "BuildOutput::bad.json",
      }),
    ).rejects.toThrow(
      /TemplateConfiguration BuildOutput::bad.json sets parameter Nope, which BuildOutput::topic.json does not declare/,
    );
    await expect(
      act({ ActionMode: "CREATE_UPDATE", StackName: "x", TemplatePath: "Other::topic.json" }),
    ).rejects.toThrow(
      /reads artifact Other, which is not an input artifact of the action \(inputs: BuildOutput\)/,
    );
    expect(readFileSync(join(input.dir, "topic.json"), "utf8")).toContain("AWS::SNS::Topic");
  });
});
