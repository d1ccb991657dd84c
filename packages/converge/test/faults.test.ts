import { describe, expect, it } from "vitest";
import { converge, planChanges } from "../src/converge.js";
import { StillDeployingError } from "../src/errors.js";
import type { EngineDeps, Reporter } from "../src/types.js";
import { FakeClock, FakeCloudFormation } from "./fake-cloudformation.js";

// Faults the emulator cannot produce, on the fake (see FAKE.md): lost answers, long runs of throttling and
// connection resets while a stack operation runs, a rollback that cannot finish, Ctrl-C at chosen moments.

const template = {
  Resources: { Bucket: { Type: "AWS::S3::Bucket" }, Queue: { Type: "AWS::SQS::Queue" } },
  Outputs: { BucketName: { Value: { Ref: "Bucket" } } },
};
const withTopic = { ...template, Resources: { ...template.Resources, Topic: { Type: "AWS::SNS::Topic" } } };
const reset = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });

function setup(extra: Partial<EngineDeps> = {}) {
  const clock = new FakeClock();
  const fake = new FakeCloudFormation(clock);
  const warn: string[] = [];
  const info: string[] = [];
  const reporter: Reporter = { warn: (m) => warn.push(m), info: (m) => info.push(m) };
  const deps: EngineDeps = {
    cfn: fake,
    reporter,
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0.5,
    ...extra,
  };
  return { clock, fake, warn, info, deps };
}

describe("faults while converging", () => {
  it("a lost DeleteChangeSet answer: the retry's not-found is success, so a plan does not fail", async () => {
    const { fake, deps } = setup();
    await converge({ stackName: "app", template }, deps);
    fake.loseAnswer("deleteChangeSet");
    const changes = await planChanges({ stackName: "app", template: withTopic }, deps);
    expect(changes.map((c) => c.logicalId)).toEqual(["Topic"]);
    expect(fake.count("deleteChangeSet")).toBe(2);
    expect([...fake.changeSets.values()].filter((c) => c.executionStatus === "AVAILABLE")).toEqual([]);
  });

  it("keeps waiting through more than six throttles in a row while the stack deploys", async () => {
    const { fake, warn, deps } = setup();
    fake.intercept("executeChangeSet", () => fake.throttle("describeStackEvents", 20));
    const r = await converge({ stackName: "app", template }, deps);
    expect(r.kind).toBe("created");
    expect(
      warn.some((w) =>
        /Reading the stack's events failed \(Throttling: Rate exceeded\); still waiting/.test(w),
      ),
    ).toBe(true);
  });

  it("keeps waiting through connection resets in a row while the stack deploys", async () => {
    const { fake, deps } = setup();
    fake.intercept("executeChangeSet", () => fake.failNext("describeStackEvents", 15, reset));
    const r = await converge({ stackName: "app", template }, deps);
    expect(r).toMatchObject({ kind: "created", outputs: { BucketName: "BucketName-value" } });
  });

  it("gives up within its bound, saying CloudFormation is still working and how to follow it", async () => {
    const { fake, clock, deps } = setup({ waitErrorBudgetMs: 60_000 });
    fake.intercept("executeChangeSet", () => {
      fake.throttle("describeStackEvents", 1_000_000);
      fake.throttle("describeStacks", 1_000_000);
    });
    const started = clock.now();
    const err = await converge({ stackName: "app", template }, deps).catch((e) => e);
    expect(err).toBeInstanceOf(StillDeployingError);
    expect(err.code).toBe("SPARTA_CONVERGE_STILL_DEPLOYING");
    expect(err.message).toMatch(
      /Gave up waiting for stack "app": \d+ reads of the stack's events failed in a row/,
    );
    expect(err.message).toMatch(
      /CloudFormation is still working on it \(last seen CREATE_IN_PROGRESS\).*`sparta status`/,
    );
    // bounded: about the budget, not forever
    expect(clock.now() - started).toBeLessThan(5 * 60_000);
  });

  it("the same bound holds while a change set is being created", async () => {
    const { fake, deps } = setup({ waitErrorBudgetMs: 30_000 });
    fake.throttle("describeChangeSet", 1_000_000);
    const err = await converge({ stackName: "app", template }, deps).catch((e) => e);
    expect(err).toBeInstanceOf(StillDeployingError);
    expect(err.message).toMatch(/reads of change set sparta-\S+ failed in a row/);
  });

  it("UPDATE_ROLLBACK_FAILED: the message names the resources to skip and the flag; resourcesToSkip resumes", async () => {
    const { fake, deps } = setup();
    fake.seedStack({ name: "app", status: "UPDATE_ROLLBACK_FAILED", template });
    fake.failRollback("Queue", "Queue cannot be restored: Access denied");
    const stuck = await converge({ stackName: "app", template: withTopic }, deps);
    expect(stuck.kind).toBe("failed");
    expect(stuck.rootCause?.map((e) => e.logicalId)).toEqual(["Queue"]);
    expect(stuck.message).toMatch(
      /resourcesToSkip: \["Queue"\] \(`sparta provision --resources-to-skip Queue`\)/,
    );
    const resumed = await converge(
      { stackName: "app", template: withTopic, resourcesToSkip: ["Queue"] },
      deps,
    );
    expect(resumed.kind).toBe("updated");
    const call = fake.calls.filter((c) => c.op === "continueUpdateRollback").at(-1)!.input as Record<
      string,
      unknown
    >;
    expect(call.ResourcesToSkip).toEqual(["Queue"]);
  });

  it("refuses resourcesToSkip that are not logical ids, before any call", async () => {
    const { fake, deps } = setup();
    await expect(
      converge({ stackName: "app", template, resourcesToSkip: ["arn:aws:sqs:us-east-1:1:q"] }, deps),
    ).rejects.toThrow(/resourcesToSkip is \["arn:aws:sqs:us-east-1:1:q"\]; it lists the logical ids/);
    expect(fake.calls).toEqual([]);
  });

  it("Ctrl-C once the stack has finished returns its real outcome", async () => {
    const controller = new AbortController();
    const { deps } = setup({ signal: controller.signal });
    const reporter: Reporter = {
      // the last resource is done; the stack's own final event comes next
      event: (e) => {
        if (e.logicalId === "Queue" && e.status === "CREATE_COMPLETE") controller.abort();
      },
    };
    const r = await converge({ stackName: "app", template }, { ...deps, reporter });
    expect(r).toMatchObject({
      kind: "created",
      interrupted: true,
      outputs: { BucketName: "BucketName-value" },
    });
    expect(r.message).toMatch(/Interrupted, but the stack had already reached CREATE_COMPLETE/);
  });

  it("Ctrl-C while another run's operation is waited for changes nothing and says so", async () => {
    const controller = new AbortController();
    const { fake, deps } = setup({ signal: controller.signal });
    fake.seedStack({ name: "app", status: "UPDATE_IN_PROGRESS", template, finishAs: "UPDATE_COMPLETE" });
    fake.intercept("describeStackEvents", () => controller.abort());
    const r = await converge({ stackName: "app", template: withTopic }, deps);
    expect(r).toMatchObject({ kind: "failed", interrupted: true });
    expect(r.message).toMatch(/Interrupted while waiting for .*; this run changed nothing/);
    expect(fake.count("createChangeSet")).toBe(0);
  });
});
