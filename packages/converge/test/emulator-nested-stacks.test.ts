import {
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  type Stack,
} from "@aws-sdk/client-cloudformation";
import { CreateBucketCommand, ListBucketsCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import {
  deleteStack,
  deploy,
  outputs,
  type Template,
  uploadTemplate,
  useEmulator,
} from "./emulator-helpers.js";

// Nested stacks (AWS::CloudFormation::Stack) through the real SDK: their templates in the emulator's S3, the
// parent deployed with change sets as the engine does.
const ctx = useEmulator();
const BUCKET = "nested-templates";

const STACK_ARN = /^arn:aws:cloudformation:us-east-1:\d{12}:stack\/[\w-]+\/[\w-]+$/;

/** A child with a parameter and outputs: a queue named after the parameter, and the parameter echoed. */
function child(extra: Record<string, unknown> = {}): Template {
  return {
    Parameters: { Stage: { Type: "String" } },
    Resources: {
      Queue: { Type: "AWS::SQS::Queue" },
      Setting: {
        Type: "AWS::SSM::Parameter",
        Properties: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
          Name: { "Fn::Sub": "/${AWS::StackName}/stage" },
          Type: "String",
          Value: { Ref: "Stage" },
        },
      },
      ...extra,
    },
    Outputs: {
      QueueArn: { Value: { "Fn::GetAtt": ["Queue", "Arn"] } },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      Topic: { Value: { "Fn::Sub": "${Stage}-topic" } },
    },
  };
}

/** The parent: passes its Stage down, reads two outputs, one into a resource of its own. */
function parent(templateUrl: string): Template {
  return {
    Parameters: { Stage: { Type: "String" } },
    Resources: {
      Child: {
        Type: "AWS::CloudFormation::Stack",
        Properties: { TemplateURL: templateUrl, Parameters: { Stage: { Ref: "Stage" } } },
      },
      Topic: {
        Type: "AWS::SNS::Topic",
        Properties: { TopicName: { "Fn::GetAtt": ["Child", "Outputs.Topic"] } },
      },
    },
    Outputs: {
      ChildQueueArn: { Value: { "Fn::GetAtt": ["Child", "Outputs.QueueArn"] } },
      ChildStackId: { Value: { Ref: "Child" } },
      TopicArn: { Value: { Ref: "Topic" } },
    },
  };
}

const changes = (cs: {
  Changes?: { ResourceChange?: { Action?: string; LogicalResourceId?: string; ResourceType?: string } }[];
}) =>
  (cs.Changes ?? []).map(
    (c) =>
      `${c.ResourceChange?.Action} ${c.ResourceChange?.LogicalResourceId} ${c.ResourceChange?.ResourceType}`,
  );

async function stack(id: string): Promise<Stack> {
  const found = (await ctx.cfn().send(new DescribeStacksCommand({ StackName: id }))).Stacks?.[0];
  if (!found) throw new Error(`no stack ${id}`);
  return found;
}

async function events(id: string): Promise<string[]> {
  const out = await ctx.cfn().send(new DescribeStackEventsCommand({ StackName: id }));
  return (out.StackEvents ?? []).map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`).reverse();
}

describe("nested stacks", () => {
  let childId = "";

  it("creates the child from its TemplateURL with the parameters, and GetAtt Outputs.X reads its outputs", async () => {
    const url = await uploadTemplate(ctx.emu, ctx.s3(), BUCKET, "child-1.json", child());
    const { changeSet, stack: root } = await deploy(ctx.cfn(), "app", parent(url), { Stage: "dev" });
    expect(changes(changeSet)).toEqual(["Add Child AWS::CloudFormation::Stack", "Add Topic AWS::SNS::Topic"]);
    expect(root.StackStatus).toBe("CREATE_COMPLETE");
    const out = outputs(root);
    childId = out.ChildStackId!;
    expect(childId).toMatch(STACK_ARN);
    expect(childId).toMatch(/:stack\/app-Child-[A-Z0-9]{12}\//); // AWS's <parent>-<logical id>-<suffix>
    const kid = await stack(childId);
    expect(kid).toMatchObject({
      StackStatus: "CREATE_COMPLETE",
      ParentId: root.StackId,
      RootId: root.StackId,
      Parameters: [{ ParameterKey: "Stage", ParameterValue: "dev" }],
    });
    expect(out.ChildQueueArn).toBe(outputs(kid).QueueArn);
    expect(out.ChildQueueArn).toMatch(/^arn:aws:sqs:us-east-1:\d+:app-Child-/);
    expect(out.TopicArn).toMatch(/:dev-topic$/); // a parent resource built from a child output
    const resources = await ctx.cfn().send(new ListStackResourcesCommand({ StackName: "app" }));
    expect(
      resources.StackResourceSummaries?.map((r) => [
        r.LogicalResourceId,
        r.ResourceType,
        r.PhysicalResourceId,
      ]),
    ).toContainEqual(["Child", "AWS::CloudFormation::Stack", childId]);
    // the parent's events name the child by its ARN; the child has its own
    const rootEvents = await ctx.cfn().send(new DescribeStackEventsCommand({ StackName: "app" }));
    expect(
      rootEvents.StackEvents?.filter((e) => e.LogicalResourceId === "Child").map((e) => [
        e.ResourceStatus,
        e.PhysicalResourceId,
      ]),
    ).toEqual([
      ["CREATE_COMPLETE", childId],
      ["CREATE_IN_PROGRESS", childId],
    ]);
    expect(await events(childId)).toEqual(
      expect.arrayContaining([
        "Queue CREATE_IN_PROGRESS",
        "Queue CREATE_COMPLETE",
        "Setting CREATE_COMPLETE",
      ]),
    );
    const listed = (await ctx.cfn().send(new ListStacksCommand({}))).StackSummaries ?? [];
    expect(listed.find((s) => s.StackId === childId)).toMatchObject({
      ParentId: root.StackId,
      RootId: root.StackId,
    });
    expect(listed.find((s) => s.StackName === "app")?.ParentId).toBeUndefined();
  });

  it("a changed parameter updates the child in place, and what reads its outputs", async () => {
    const url = await uploadTemplate(ctx.emu, ctx.s3(), BUCKET, "child-1.json", child());
    const { changeSet, stack: root } = await deploy(ctx.cfn(), "app", parent(url), { Stage: "prod" });
    expect(changes(changeSet)).toEqual(["Modify Child AWS::CloudFormation::Stack"]);
    expect(root.StackStatus).toBe("UPDATE_COMPLETE");
    expect(outputs(root).ChildStackId).toBe(childId); // the same child, updated
    const kid = await stack(childId);
    expect(kid.StackStatus).toBe("UPDATE_COMPLETE");
    expect(kid.Parameters).toEqual([{ ParameterKey: "Stage", ParameterValue: "prod" }]);
    expect(outputs(kid).Topic).toBe("prod-topic");
    expect(outputs(root).TopicArn).toMatch(/:prod-topic$/);
    expect((await events("app")).slice(-7)).toEqual([
      "app UPDATE_IN_PROGRESS",
      "Child UPDATE_IN_PROGRESS",
      "Child UPDATE_COMPLETE",
      "Topic UPDATE_IN_PROGRESS", // it reads the child's output, which changed
      "Topic UPDATE_COMPLETE",
      "app UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
      "app UPDATE_COMPLETE",
    ]);
  });

  it("a changed child template updates the child, at a new URL or behind the same one", async () => {
    const extra = { Extra: { Type: "AWS::SNS::Topic" } };
    const url2 = await uploadTemplate(ctx.emu, ctx.s3(), BUCKET, "child-2.json", child(extra));
    const moved = await deploy(ctx.cfn(), "app", parent(url2), { Stage: "prod" });
    expect(changes(moved.changeSet)).toEqual(["Modify Child AWS::CloudFormation::Stack"]);
    const name = (await stack(childId)).StackName;
    expect((await events(childId)).slice(-4)).toEqual([
      `${name} UPDATE_IN_PROGRESS`,
      "Extra CREATE_IN_PROGRESS",
      "Extra CREATE_COMPLETE",
      `${name} UPDATE_COMPLETE`,
    ]);
    const kidResources = await ctx.cfn().send(new ListStackResourcesCommand({ StackName: childId }));
    expect(kidResources.StackResourceSummaries?.map((r) => r.LogicalResourceId).sort()).toEqual([
      "Extra",
      "Queue",
      "Setting",
    ]);

    // the same URL, other content (a template overwritten in place)
    await uploadTemplate(ctx.emu, ctx.s3(), BUCKET, "child-2.json", child());
    const inPlace = await deploy(ctx.cfn(), "app", parent(url2), { Stage: "prod" });
    expect(changes(inPlace.changeSet)).toEqual(["Modify Child AWS::CloudFormation::Stack"]);
    const after = await ctx.cfn().send(new ListStackResourcesCommand({ StackName: childId }));
    expect(after.StackResourceSummaries?.map((r) => r.LogicalResourceId).sort()).toEqual([
      "Queue",
      "Setting",
    ]);

    // nothing changed: CloudFormation's "no changes" change set
    const none = await deploy(ctx.cfn(), "app", parent(url2), { Stage: "prod" }).catch((e) => e);
    expect(none.message).toMatch(/FAILED: The submitted information didn't contain changes/);
  });

  it("a failing child fails its resource in the parent, which rolls back; the cause is in the child's events", async () => {
    await ctx.s3().send(new CreateBucketCommand({ Bucket: "nested-taken" }));
    const bad = child({ Bucket: { Type: "AWS::S3::Bucket", Properties: { BucketName: "nested-taken" } } });
    const url = await uploadTemplate(ctx.emu, ctx.s3(), BUCKET, "child-bad.json", bad);
    const { stack: root } = await deploy(ctx.cfn(), "app", parent(url), { Stage: "prod" });
    expect(root.StackStatus).toBe("UPDATE_ROLLBACK_COMPLETE");
    const rootEvents =
      (await ctx.cfn().send(new DescribeStackEventsCommand({ StackName: "app" }))).StackEvents ?? [];
    const failed = rootEvents.find((e) => e.ResourceStatus === "UPDATE_FAILED");
    expect(failed).toMatchObject({ LogicalResourceId: "Child", PhysicalResourceId: childId });
    expect(failed?.ResourceStatusReason).toBe(
      `Embedded stack ${childId} was not successfully updated: The following resource(s) failed to update: [Bucket].`,
    );
    const kidEvents =
      (await ctx.cfn().send(new DescribeStackEventsCommand({ StackName: childId }))).StackEvents ?? [];
    expect(kidEvents.find((e) => e.ResourceStatus?.endsWith("_FAILED"))).toMatchObject({
      LogicalResourceId: "Bucket",
      ResourceStatusReason: expect.stringMatching(/^BucketAlreadyExists/),
    });
    expect((await stack(childId)).StackStatus).toBe("UPDATE_ROLLBACK_COMPLETE");
    expect(outputs(await stack("app")).TopicArn).toMatch(/:prod-topic$/); // the parent still runs what it ran
  });

  it("deletes the child when the parent is deleted, or when the parent no longer has it", async () => {
    const url = await uploadTemplate(ctx.emu, ctx.s3(), BUCKET, "child-1.json", child());
    const withTwo: Template = parent(url);
    withTwo.Resources.Second = {
      Type: "AWS::CloudFormation::Stack",
      Properties: { TemplateURL: url, Parameters: { Stage: "second" } },
    };
    const two = await deploy(ctx.cfn(), "app", withTwo, { Stage: "prod" });
    // (Child too: the parent ran child-2.json since the failed update)
    expect(changes(two.changeSet)).toEqual([
      "Add Second AWS::CloudFormation::Stack",
      "Modify Child AWS::CloudFormation::Stack",
    ]);
    const resources = await ctx.cfn().send(new ListStackResourcesCommand({ StackName: "app" }));
    const secondId = resources.StackResourceSummaries?.find(
      (r) => r.LogicalResourceId === "Second",
    )?.PhysicalResourceId;
    expect(secondId).toMatch(STACK_ARN);

    const one = await deploy(ctx.cfn(), "app", parent(url), { Stage: "prod" });
    expect(changes(one.changeSet)).toEqual(["Remove Second AWS::CloudFormation::Stack"]);
    expect((await stack(secondId!)).StackStatus).toBe("DELETE_COMPLETE");

    await deleteStack(ctx.cfn(), "app");
    expect((await stack(childId)).StackStatus).toBe("DELETE_COMPLETE");
    const live = (
      await ctx.cfn().send(
        new ListStacksCommand({
          StackStatusFilter: ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"],
        }),
      )
    ).StackSummaries;
    expect(live).toEqual([]);
    // the buckets are not the stacks': only the test's own remain
    expect((await ctx.s3().send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name).sort()).toEqual([
      "nested-taken",
      BUCKET,
    ]);
  });

  it("a nested stack of a nested stack has the top stack as RootId and its own parent as ParentId", async () => {
    const leaf = await uploadTemplate(ctx.emu, ctx.s3(), BUCKET, "leaf.json", child());
    const middle = await uploadTemplate(ctx.emu, ctx.s3(), BUCKET, "middle.json", {
      Resources: {
        Leaf: {
          Type: "AWS::CloudFormation::Stack",
          Properties: { TemplateURL: leaf, Parameters: { Stage: "deep" } },
        },
      },
      Outputs: {
        LeafTopic: { Value: { "Fn::GetAtt": ["Leaf", "Outputs.Topic"] } },
        LeafId: { Value: { Ref: "Leaf" } },
      },
    });
    const { stack: top } = await deploy(ctx.cfn(), "deep", {
      Resources: { Middle: { Type: "AWS::CloudFormation::Stack", Properties: { TemplateURL: middle } } },
      Outputs: {
        Topic: { Value: { "Fn::GetAtt": ["Middle", "Outputs.LeafTopic"] } },
        MiddleId: { Value: { Ref: "Middle" } },
      },
    });
    expect(outputs(top).Topic).toBe("deep-topic");
    const mid = await stack(outputs(top).MiddleId!);
    const leafStack = await stack(outputs(mid).LeafId!);
    expect(mid).toMatchObject({ ParentId: top.StackId, RootId: top.StackId });
    expect(leafStack).toMatchObject({ ParentId: mid.StackId, RootId: top.StackId });
    await deleteStack(ctx.cfn(), "deep");
    expect((await stack(leafStack.StackId!)).StackStatus).toBe("DELETE_COMPLETE");
  });

  it("of several children, the one whose TemplateURL (an Fn::Sub of the bucket parameter, as sparta writes it) changed is the only one updated", async () => {
    await uploadTemplate(ctx.emu, ctx.s3(), BUCKET, "templates/A-1.json", child());
    await uploadTemplate(ctx.emu, ctx.s3(), BUCKET, "templates/B-1.json", child());
    await uploadTemplate(
      ctx.emu,
      ctx.s3(),
      BUCKET,
      "templates/B-2.json",
      child({ Extra: { Type: "AWS::SNS::Topic" } }),
    );
    const url = (key: string) => ({
      "Fn::Sub": `https://\${Bucket}.s3.\${AWS::Region}.\${AWS::URLSuffix}/${key}`,
    });
    const root = (b: string): Template => ({
      Parameters: { Bucket: { Type: "String" }, Stage: { Type: "String" } },
      Resources: Object.fromEntries(
        [
          ["A", "templates/A-1.json"],
          ["B", b],
        ].map(([id, key]) => [
          id,
          {
            Type: "AWS::CloudFormation::Stack",
            Properties: { TemplateURL: url(key!), Parameters: { Stage: { Ref: "Stage" } } },
          },
        ]),
      ),
      Outputs: { A: { Value: { Ref: "A" } }, B: { Value: { Ref: "B" } } },
    });
    const first = await deploy(ctx.cfn(), "split", root("templates/B-1.json"), {
      Bucket: BUCKET,
      Stage: "dev",
    });
    const ids = outputs(first.stack);
    const second = await deploy(ctx.cfn(), "split", root("templates/B-2.json"), {
      Bucket: BUCKET,
      Stage: "dev",
    });
    expect(changes(second.changeSet)).toEqual(["Modify B AWS::CloudFormation::Stack"]);
    expect((await stack(ids.A!)).StackStatus).toBe("CREATE_COMPLETE");
    const b = await stack(ids.B!);
    expect(b.StackStatus).toBe("UPDATE_COMPLETE");
    expect(b.StackId).toBe(ids.B); // updated in place
    const resources = await ctx.cfn().send(new ListStackResourcesCommand({ StackName: ids.B }));
    expect(resources.StackResourceSummaries?.map((r) => r.LogicalResourceId)).toContain("Extra");
    await deleteStack(ctx.cfn(), "split");
    expect((await stack(ids.A!)).StackStatus).toBe("DELETE_COMPLETE");
    expect((await stack(ids.B!)).StackStatus).toBe("DELETE_COMPLETE");
  });
});
