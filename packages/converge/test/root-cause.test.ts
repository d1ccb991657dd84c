import { describe, expect, it } from "vitest";
import { describeCause, findRootCause } from "../src/events.js";
import type { StackEvent } from "../src/types.js";

const STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1";
let n = 0;
function ev(logicalId: string, status: string, reason?: string, type = "AWS::Lambda::Function"): StackEvent {
  const own = logicalId === "app";
  return {
    eventId: `e${++n}`,
    stackId: STACK,
    stackName: "app",
    logicalId,
    ...(own ? { physicalId: STACK } : {}),
    resourceType: own ? "AWS::CloudFormation::Stack" : type,
    status,
    ...(reason ? { reason } : {}),
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  };
}

describe("findRootCause", () => {
  it("keeps the failures before the rollback, not the rollback's own failures or the cancellation echoes", async () => {
    const events = [
      ev("app", "UPDATE_IN_PROGRESS", "User Initiated"),
      ev("Fn", "UPDATE_IN_PROGRESS"),
      ev("Table", "UPDATE_IN_PROGRESS", undefined, "AWS::DynamoDB::Table"),
      ev("Fn", "UPDATE_FAILED", "Runtime nodejs14.x is no longer supported"),
      ev("Table", "UPDATE_FAILED", "Resource update cancelled", "AWS::DynamoDB::Table"),
      ev("app", "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [Fn]."),
      ev("Queue", "UPDATE_FAILED", "Rollback of Queue failed", "AWS::SQS::Queue"),
      ev("app", "UPDATE_ROLLBACK_FAILED"),
    ];
    const causes = await findRootCause(events, undefined);
    expect(causes.map((e) => e.logicalId)).toEqual(["Fn"]);
    expect(describeCause(causes)).toBe(
      "Fn (AWS::Lambda::Function) UPDATE_FAILED: Runtime nodejs14.x is no longer supported",
    );
  });

  it("reports each failed resource once, in order", async () => {
    const events = [
      ev("app", "CREATE_IN_PROGRESS", "User Initiated"),
      ev("A", "CREATE_FAILED", "A broke"),
      ev("B", "CREATE_FAILED", "B broke"),
      ev("A", "CREATE_FAILED", "A broke again"),
      ev("app", "ROLLBACK_IN_PROGRESS"),
    ];
    expect((await findRootCause(events, undefined)).map((e) => e.reason)).toEqual(["A broke", "B broke"]);
  });

  it("falls back to the stack's own reason when no resource failed", async () => {
    const events = [
      ev("app", "CREATE_IN_PROGRESS", "User Initiated"),
      ev("app", "ROLLBACK_IN_PROGRESS", "Resource creation failed: BucketAlreadyExists"),
      ev("app", "ROLLBACK_COMPLETE"),
    ];
    const causes = await findRootCause(events, undefined);
    expect(causes.map((e) => `${e.logicalId}:${e.status}`)).toEqual(["app:ROLLBACK_IN_PROGRESS"]);
  });

  it("is empty for an operation that did not fail", async () => {
    expect(await findRootCause([ev("app", "UPDATE_COMPLETE")], undefined)).toEqual([]);
  });
});
