import type { StackEvent as SdkStackEvent } from "@aws-sdk/client-cloudformation";
import { describe, expect, it } from "vitest";
import { EventFollower } from "../src/events.js";
import type { CfnClient, StackEvent } from "../src/types.js";

// A stub of DescribeStackEvents only (newest first, as the API lists them): the parent's events, then a nested
// stack's. What it copies from AWS: a nested stack resource's PhysicalResourceId is the child stack's ARN, and the
// child has events of its own, its older ones (an earlier operation) included.
const ROOT = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1";
const CHILD = "arn:aws:cloudformation:us-east-1:123456789012:stack/app-FnStack-X/2";
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const ev = (
  stackId: string,
  stackName: string,
  id: string,
  type: string,
  status: string,
  s: number,
  physical?: string,
): SdkStackEvent => ({
  EventId: `${stackName}-${id}-${status}-${s}`,
  StackId: stackId,
  StackName: stackName,
  LogicalResourceId: id,
  ResourceType: type,
  ResourceStatus: status as SdkStackEvent["ResourceStatus"],
  Timestamp: at(s),
  ...(physical ? { PhysicalResourceId: physical } : {}),
});

describe("EventFollower and nested stacks", () => {
  it("shows the resources of a nested stack under way as <Stack>.<LogicalId>, not its older events, and keeps them out of the operation's events", async () => {
    const root: SdkStackEvent[] = [];
    const child: SdkStackEvent[] = [
      ev(CHILD, "app-FnStack-X", "Fn", "AWS::Lambda::Function", "CREATE_COMPLETE", 0), // an earlier operation
    ];
    const cfn = {
      describeStackEvents: async (input: { StackName?: string }) => ({
        StackEvents: [...(input.StackName === CHILD ? child : root)].reverse(),
      }),
    } as unknown as CfnClient;
    const shown: StackEvent[] = [];
    const follower = new EventFollower(cfn, ROOT, "app", { event: (e) => shown.push(e) });
    await follower.baseline();
    root.push(ev(ROOT, "app", "app", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", 100, ROOT));
    root.push(ev(ROOT, "app", "FnStack", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", 101, CHILD));
    child.push(
      ev(
        CHILD,
        "app-FnStack-X",
        "app-FnStack-X",
        "AWS::CloudFormation::Stack",
        "UPDATE_IN_PROGRESS",
        101,
        CHILD,
      ),
    );
    child.push(ev(CHILD, "app-FnStack-X", "Fn", "AWS::Lambda::Function", "UPDATE_IN_PROGRESS", 102));
    await follower.poll();
    child.push(ev(CHILD, "app-FnStack-X", "Fn", "AWS::Lambda::Function", "UPDATE_COMPLETE", 103));
    root.push(ev(ROOT, "app", "FnStack", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", 104, CHILD));
    await follower.poll();
    expect(shown.map((e) => `${e.logicalId} ${e.status}`)).toEqual([
      "app UPDATE_IN_PROGRESS",
      "FnStack UPDATE_IN_PROGRESS",
      "FnStack.Fn UPDATE_IN_PROGRESS",
      "FnStack UPDATE_COMPLETE",
      "FnStack.Fn UPDATE_COMPLETE",
    ]);
    expect(follower.events.map((e) => e.logicalId)).toEqual(["app", "FnStack", "FnStack"]);
    // done: the nested stack is no longer read
    const reads: string[] = [];
    const before = cfn.describeStackEvents;
    cfn.describeStackEvents = (async (input: { StackName?: string }) => {
      reads.push(input.StackName ?? "");
      return before(input as never);
    }) as never;
    await follower.poll();
    expect(reads).toEqual([ROOT]);
  });
});
