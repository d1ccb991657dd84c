import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { converge, planChanges } from "../src/converge.js";
import {
  ChangeSetTimeoutError,
  CredentialsMissingError,
  EndpointUnreachableError,
  RegionMissingError,
  StackBusyError,
} from "../src/errors.js";
import { backoffDelay } from "../src/retry.js";
import { deleteStack } from "../src/stack.js";
import type { EngineDeps, Reporter, StackEvent } from "../src/types.js";
import { FakeClock, FakeCloudFormation } from "./fake-cloudformation.js";

const bucketTemplate = {
  Resources: { Bucket: { Type: "AWS::S3::Bucket" }, Queue: { Type: "AWS::SQS::Queue" } },
  Outputs: { BucketName: { Value: { Ref: "Bucket" } } },
};
const withTopic = {
  ...bucketTemplate,
  Resources: { ...bucketTemplate.Resources, Topic: { Type: "AWS::SNS::Topic" } },
};

function setup(extra: Partial<EngineDeps> = {}) {
  const clock = new FakeClock();
  const fake = new FakeCloudFormation(clock);
  const log: {
    events: StackEvent[];
    info: string[];
    warn: string[];
    progress: { done: number; total: number }[];
  } = {
    events: [],
    info: [],
    warn: [],
    progress: [],
  };
  const reporter: Reporter = {
    event: (e) => log.events.push(e),
    info: (m) => log.info.push(m),
    warn: (m) => log.warn.push(m),
    progress: (p) => log.progress.push({ done: p.done, total: p.total }),
  };
  const deps: EngineDeps = {
    cfn: fake,
    reporter,
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0.5,
    ...extra,
  };
  return { clock, fake, log, deps };
}

describe("converge against the fake CloudFormation", () => {
  it("creates through a change set, waiting with adaptive polling and reporting N of M progress", async () => {
    const { fake, log, deps, clock } = setup();
    const r = await converge({ stackName: "app", template: bucketTemplate, tags: { team: "a" } }, deps);
    expect(r.kind).toBe("created");
    expect(r.outputs).toEqual({ BucketName: "BucketName-value" });
    expect(r.changes?.map((c) => `${c.action} ${c.logicalId}`)).toEqual(["Add Bucket", "Add Queue"]);
    expect(fake.count("createChangeSet")).toBe(1);
    expect(
      (fake.calls.find((c) => c.op === "createChangeSet")?.input as { ChangeSetType: string }).ChangeSetType,
    ).toBe("CREATE");
    expect(log.progress).toEqual([
      { done: 1, total: 2 },
      { done: 2, total: 2 },
    ]);
    expect(r.events.map((e) => `${e.logicalId}:${e.status}`)).toEqual([
      "app:CREATE_IN_PROGRESS",
      "Bucket:CREATE_IN_PROGRESS",
      "Bucket:CREATE_COMPLETE",
      "Queue:CREATE_IN_PROGRESS",
      "Queue:CREATE_COMPLETE",
      "app:CREATE_COMPLETE",
    ]);
    expect(
      r.events.find((e) => e.logicalId === "Queue" && e.status === "CREATE_COMPLETE")?.durationMs,
    ).toBeTypeOf("number");
    // change set: one sub-second wait; stack: sub-second first polls, then backing off
    expect(clock.sleeps).toEqual([250, 250, 500, 1000, 2000]);
    expect(r.apiCalls).toBe(fake.calls.length);
  });

  it("returns unchanged without a change set when template, parameters and tags are the same", async () => {
    const { fake, deps } = setup();
    await converge({ stackName: "app", template: bucketTemplate, tags: { team: "a" } }, deps);
    const before = fake.calls.length;
    const r = await converge(
      { stackName: "app", template: structuredClone(bucketTemplate), tags: { team: "a" } },
      deps,
    );
    expect(r.kind).toBe("unchanged");
    expect(fake.calls.slice(before).map((c) => c.op)).toEqual(["describeStacks", "getTemplate"]);
    expect(r.apiCalls).toBe(2);
    expect(r.outputs).toEqual({ BucketName: "BucketName-value" });
  });

  it("deletes a change set that failed with no changes and reports unchanged", async () => {
    const { fake, deps } = setup();
    await converge({ stackName: "app", template: bucketTemplate, parameters: {} }, deps);
    // a NoEcho parameter can never be proven unchanged locally, so a change set is created
    const noEcho = {
      ...bucketTemplate,
      Parameters: { Secret: { Type: "String", NoEcho: true, Default: "x" } },
    };
    fake.live("app")!.template = noEcho;
    fake.live("app")!.parameters = { Secret: "x" };
    const r = await converge({ stackName: "app", template: noEcho, parameters: { Secret: "x" } }, deps);
    expect(r.kind).toBe("unchanged");
    expect(r.message).toMatch(/no changes/);
    expect(fake.count("createChangeSet")).toBe(2);
    expect(fake.count("deleteChangeSet")).toBe(1);
    expect([...fake.changeSets.values()].map((c) => c.executionStatus)).toEqual(["EXECUTE_COMPLETE"]);
  });

  it("applies a tags-only change: a change set with no resource changes is still executed", async () => {
    const { fake, deps } = setup();
    await converge({ stackName: "app", template: bucketTemplate, tags: { team: "a" } }, deps);
    const r = await converge({ stackName: "app", template: bucketTemplate, tags: { team: "b" } }, deps);
    expect(r.kind).toBe("updated");
    expect(r.changes).toEqual([]);
    expect(fake.count("executeChangeSet")).toBe(2);
    expect(fake.live("app")!.tags).toEqual({ team: "b" });
  });

  it("applies tags with UpdateStack when CloudFormation calls a tags-only change set empty", async () => {
    const { fake, deps } = setup();
    await converge({ stackName: "app", template: bucketTemplate, tags: { team: "a" } }, deps);
    fake.tagsOnlyChangeSetsFail = true;
    const r = await converge({ stackName: "app", template: bucketTemplate, tags: { team: "b" } }, deps);
    expect(r.kind).toBe("updated");
    expect(fake.count("deleteChangeSet")).toBe(1);
    const update = fake.calls.find((c) => c.op === "updateStack")!.input as Record<string, unknown>;
    expect(update).toMatchObject({ UsePreviousTemplate: true, Tags: [{ Key: "team", Value: "b" }] });
    expect(fake.live("app")!.tags).toEqual({ team: "b" });
    // The next run sees the same tags: nothing to do, no change set.
    const again = await converge({ stackName: "app", template: bucketTemplate, tags: { team: "b" } }, deps);
    expect(again.kind).toBe("unchanged");
    expect(fake.count("createChangeSet")).toBe(2);
  });

  it("a tags-only change is not applied by a plan, nor without confirmation when the run asks first", async () => {
    const { fake, deps } = setup();
    await converge({ stackName: "app", template: bucketTemplate, tags: { team: "a" } }, deps);
    fake.tagsOnlyChangeSetsFail = true;
    const input = { stackName: "app", template: bucketTemplate, tags: { team: "b" } };
    expect((await planChanges(input, deps)).length).toBe(0);
    const asked: number[] = [];
    const declined = await converge(input, {
      ...deps,
      confirm: (changes) => {
        asked.push(changes.length);
        return false;
      },
    });
    expect(declined, declined.message).toMatchObject({ kind: "unchanged" });
    expect(declined.message).toMatch(/only the tags of stack app differ, and their update was declined/);
    expect(asked).toEqual([0]);
    expect(fake.count("updateStack")).toBe(0);
    expect(fake.live("app")!.tags).toEqual({ team: "a" });
    const approved = await converge(input, { ...deps, confirm: () => true });
    expect(approved.kind).toBe("updated");
    expect(fake.live("app")!.tags).toEqual({ team: "b" });
  });

  it("updates with the template's capabilities, rollback triggers and an idempotent client token", async () => {
    const { fake, deps } = setup();
    await converge({ stackName: "app", template: bucketTemplate }, deps);
    const iam = {
      Resources: {
        ...bucketTemplate.Resources,
        Role: { Type: "AWS::IAM::Role", Properties: { RoleName: "named", AssumeRolePolicyDocument: {} } },
      },
    };
    const r = await converge(
      {
        stackName: "app",
        template: iam,
        rollbackAlarms: ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors"],
        monitoringTimeMinutes: 5,
        clientToken: "deploy-42",
      },
      deps,
    );
    expect(r.kind).toBe("updated");
    const input = fake.calls.filter((c) => c.op === "createChangeSet")[1]!.input as Record<string, unknown>;
    expect(input.ChangeSetType).toBe("UPDATE");
    expect(input.Capabilities).toEqual(["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]);
    expect(input.ClientToken).toBe("deploy-42");
    // execution tokens are per run, so reusing clientToken on a later run is never mistaken for a retry
    const exec = fake.calls.filter((c) => c.op === "executeChangeSet").at(-1)!.input as {
      ClientRequestToken: string;
    };
    expect(exec.ClientRequestToken).toMatch(/^sparta-[0-9a-f]{12}-[0-9a-z]+-[0-9a-f]{6}-exec$/);
    expect(input.RollbackConfiguration).toEqual({
      RollbackTriggers: [
        { Arn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors", Type: "AWS::CloudWatch::Alarm" },
      ],
      MonitoringTimeInMinutes: 5,
    });
    expect(input.TemplateBody).toBe(JSON.stringify(iam));
  });

  it("passes typed rollback triggers (a composite alarm) with rollbackAlarms, each ARN once", async () => {
    const { fake, deps } = setup();
    await converge({ stackName: "app", template: bucketTemplate }, deps);
    const composite = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:app-rollback";
    const metric = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors";
    const input = {
      stackName: "app",
      template: withTopic,
      rollbackAlarms: [metric, composite],
      rollbackTriggers: [{ Arn: composite, Type: "AWS::CloudWatch::CompositeAlarm" as const }],
      monitoringTimeMinutes: 5,
    };
    expect((await converge(input, deps)).kind).toBe("updated");
    const sent = fake.calls.filter((c) => c.op === "createChangeSet").at(-1)!.input as Record<
      string,
      unknown
    >;
    expect(sent.RollbackConfiguration).toEqual({
      RollbackTriggers: [
        { Arn: metric, Type: "AWS::CloudWatch::Alarm" },
        { Arn: composite, Type: "AWS::CloudWatch::CompositeAlarm" },
      ],
      MonitoringTimeInMinutes: 5,
    });
    // The same template and triggers again: nothing to do, no change set.
    const again = await converge(input, deps);
    expect(again.kind).toBe("unchanged");
    expect(fake.count("createChangeSet")).toBe(2);
    // Only the triggers differ: still nothing to deploy (triggers guard an operation; they are not a change).
    const fewer = await converge({ ...input, rollbackTriggers: [], rollbackAlarms: [] }, deps);
    expect(fewer.kind).toBe("unchanged");
    expect(fake.count("createChangeSet")).toBe(2);
  });

  it("rejects a rollback trigger of another type, and more than 5 triggers", async () => {
    const { fake, deps } = setup();
    const bad = { Arn: "arn:aws:sns:us-east-1:123456789012:topic", Type: "AWS::SNS::Topic" };
    await expect(
      converge({ stackName: "app", template: bucketTemplate, rollbackTriggers: [bad as never] }, deps),
    ).rejects.toThrow(/rollbackTriggers has .*AWS::SNS::Topic.*AWS::CloudWatch::CompositeAlarm/);
    const six = Array.from({ length: 6 }, (_, i) => `arn:aws:cloudwatch:us-east-1:1:alarm:a${i}`);
    await expect(
      converge({ stackName: "app", template: bucketTemplate, rollbackAlarms: six }, deps),
    ).rejects.toThrow(/6 rollback triggers .* at most 5/);
    expect(fake.calls).toEqual([]);
  });

  it("resumes an UPDATE_ROLLBACK_FAILED stack with continue-update-rollback, then updates it", async () => {
    const { fake, log, deps } = setup();
    fake.seedStack({ name: "app", status: "UPDATE_ROLLBACK_FAILED", template: bucketTemplate });
    const r = await converge({ stackName: "app", template: withTopic }, deps);
    expect(fake.count("continueUpdateRollback")).toBe(1);
    expect(log.info.join("\n")).toMatch(/UPDATE_ROLLBACK_FAILED; resuming the rollback/);
    expect(r.kind).toBe("updated");
    expect(r.events.map((e) => `${e.logicalId}:${e.status}`)).toContain("app:UPDATE_ROLLBACK_COMPLETE");
    expect(fake.live("app")!.status).toBe("UPDATE_COMPLETE");
  });

  it("reaches UPDATE_ROLLBACK_FAILED on a failed update and recovers on the next run, skipping named resources", async () => {
    const { fake, deps } = setup();
    await converge({ stackName: "app", template: bucketTemplate }, deps);
    const changed = {
      ...withTopic,
      Resources: {
        ...withTopic.Resources,
        Queue: { Type: "AWS::SQS::Queue", Properties: { DelaySeconds: 5 } },
      },
    };
    fake.failResource("Topic", "Topic limit exceeded");
    fake.failRollback("Queue", "Queue cannot be restored: Access denied");
    const failed = await converge({ stackName: "app", template: changed }, deps);
    expect(failed.kind).toBe("failed");
    expect(fake.live("app")!.status).toBe("UPDATE_ROLLBACK_FAILED");
    expect(failed.rootCause?.map((e) => `${e.logicalId}:${e.status}:${e.reason}`)).toEqual([
      "Topic:CREATE_FAILED:Topic limit exceeded",
    ]);

    // without skipping, the rollback fails again: reported, not hidden
    const again = await converge({ stackName: "app", template: changed }, deps);
    expect(again.kind).toBe("failed");
    expect(again.message).toMatch(/continue-update-rollback ended in UPDATE_ROLLBACK_FAILED/);
    expect(again.rootCause?.[0]?.logicalId).toBe("Queue");

    const fixed = await converge({ stackName: "app", template: changed, resourcesToSkip: ["Queue"] }, deps);
    const cur = fake.calls.filter((c) => c.op === "continueUpdateRollback").at(-1)!.input as Record<
      string,
      unknown
    >;
    expect(cur.ResourcesToSkip).toEqual(["Queue"]);
    expect(fixed.kind).toBe("updated");
  });

  it("finds the root cause: earliest failure, no cancellation echoes, nested stacks followed", async () => {
    const { fake, deps } = setup();
    const t = {
      Resources: {
        A: { Type: "AWS::SQS::Queue" },
        Nested: { Type: "AWS::CloudFormation::Stack", Properties: { TemplateURL: "https://x" } },
        C: { Type: "AWS::SNS::Topic" },
      },
    };
    fake.failResource(
      "Nested",
      "Embedded stack was not successfully created: The following resource(s) failed to create: [Fn].",
      {
        logicalId: "Fn",
        reason: "Resource handler returned message: Role is invalid",
      },
    );
    const r = await converge({ stackName: "app", template: t }, deps);
    expect(r.kind).toBe("failed");
    expect(r.events.filter((e) => e.reason === "Resource creation cancelled").length).toBe(2);
    expect(r.rootCause?.map((e) => `${e.logicalId}:${e.status}:${e.reason}`)).toEqual([
      "Fn:CREATE_FAILED:Resource handler returned message: Role is invalid",
    ]);
    expect(r.message).toMatch(/ROLLBACK_COMPLETE.*next `sparta provision` deletes it and creates it again/);
    // the root cause is in `rootCause`, not repeated in the message (the CLI prints it once)
    expect(r.message).not.toMatch(/Role is invalid/);
  });

  it("deletes a ROLLBACK_COMPLETE stack and creates it again, saying so", async () => {
    const { fake, log, deps } = setup();
    fake.failResource("Queue", "Queue name taken");
    const failed = await converge({ stackName: "app", template: bucketTemplate }, deps);
    expect(failed.kind).toBe("failed");
    expect(failed.rootCause?.map((e) => e.logicalId)).toEqual(["Queue"]);
    const firstId = failed.stackId;
    const r = await converge({ stackName: "app", template: bucketTemplate }, deps);
    expect(r.kind).toBe("created");
    expect(r.stackId).not.toBe(firstId);
    expect(log.info.join("\n")).toMatch(
      /ROLLBACK_COMPLETE after a failed first create .* deleting it and creating it again/,
    );
    expect(fake.stacks.get(firstId ?? "")?.status).toBe("DELETE_COMPLETE");
  });

  it("retries throttled calls with exponential backoff and full jitter", async () => {
    const { fake, log, deps, clock } = setup();
    fake.throttle("describeStacks", 3);
    fake.throttle("createChangeSet", 1);
    const r = await converge({ stackName: "app", template: bucketTemplate }, deps);
    expect(r.kind).toBe("created");
    expect(fake.count("createChangeSet")).toBe(2);
    expect(log.warn.filter((w) => /throttled/.test(w))).toHaveLength(4);
    // random() = 0.5 -> half of 250, 500, 1000 ms
    expect(clock.sleeps.slice(0, 3)).toEqual([125, 250, 500]);
    // the retried CreateChangeSet carried the same token, so only one change set exists
    const tokens = fake.calls
      .filter((c) => c.op === "createChangeSet")
      .map((c) => (c.input as { ClientToken: string }).ClientToken);
    expect(new Set(tokens).size).toBe(1);
    expect(r.apiCalls).toBe(fake.calls.length);
  });

  it("gives up after maxAttempts and surfaces the throttling error", async () => {
    const { fake, deps } = setup({ maxAttempts: 3 });
    fake.throttle("describeStacks", 10);
    await expect(converge({ stackName: "app", template: bucketTemplate }, deps)).rejects.toMatchObject({
      name: "Throttling",
    });
    expect(fake.count("describeStacks")).toBe(3);
  });

  it("backoff ceilings double and are capped; jitter spans [0, ceiling)", () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, () => 0.999))).toEqual([249, 499, 999, 1998]);
    expect(backoffDelay(20, () => 0.999)).toBe(19980);
    expect(backoffDelay(3, () => 0)).toBe(0);
  });

  it("deletes a stuck change set (and the empty stack it made) after the timeout", async () => {
    const { fake, deps } = setup({ changeSetTimeoutMs: 60_000 });
    fake.stuckChangeSets = true;
    const err = await converge({ stackName: "app", template: bucketTemplate }, deps).catch((e) => e);
    expect(err).toBeInstanceOf(ChangeSetTimeoutError);
    expect(err.code).toBe("SPARTA_CONVERGE_CHANGE_SET_TIMEOUT");
    expect(err.message).toMatch(/still CREATE_PENDING after 6\d s; it was deleted/);
    expect(fake.changeSets.size).toBe(0);
    expect(fake.live("app")).toBeUndefined();
  });

  it("deletes change sets of ours that runs left behind, never a live run's or someone else's", async () => {
    const { fake, clock, deps } = setup();
    await converge({ stackName: "app", template: bucketTemplate }, deps);
    const leave = (name: string, description?: string) =>
      fake.createChangeSet({
        StackName: "app",
        ChangeSetName: name,
        TemplateBody: JSON.stringify(withTopic),
        ...(description ? { Description: description } : {}),
      });
    // killed on this machine (its process is gone), and one from another machine more than an hour ago
    await leave("sparta-dead", `@sparta/converge run by pid 99999999 on ${hostname()}`);
    await leave("sparta-old", "@sparta/converge run by pid 42 on ci-runner-7");
    clock.t += 2 * 60 * 60_000;
    // a run on another machine that is still deciding (e.g. at its confirmation prompt), and a change set not ours
    await leave("sparta-live", "@sparta/converge run by pid 42 on ci-runner-8");
    await leave("theirs");
    const r = await converge({ stackName: "app", template: withTopic }, deps);
    expect(r.kind).toBe("updated");
    const deleted = fake.calls
      .filter((c) => c.op === "deleteChangeSet")
      .map((c) => /changeSet\/([^/]+)/.exec((c.input as { ChangeSetName: string }).ChangeSetName)?.[1]);
    expect(deleted.sort()).toEqual(["sparta-dead", "sparta-old"]);
  });

  it("planChanges shows the changes and leaves nothing behind", async () => {
    const { fake, deps } = setup();
    expect(
      (await planChanges({ stackName: "app", template: bucketTemplate }, deps)).map((c) => c.action),
    ).toEqual(["Add", "Add"]);
    expect(fake.live("app")).toBeUndefined();
    await converge({ stackName: "app", template: bucketTemplate }, deps);
    const changes = await planChanges({ stackName: "app", template: withTopic }, deps);
    expect(changes).toEqual([{ action: "Add", logicalId: "Topic", resourceType: "AWS::SNS::Topic" }]);
    expect([...fake.changeSets.values()].filter((c) => c.executionStatus !== "EXECUTE_COMPLETE")).toEqual([]);
  });

  it("shows the changes before executing and executes nothing when they are declined", async () => {
    const { fake, deps } = setup();
    await converge({ stackName: "app", template: bucketTemplate }, deps);
    const shown: string[] = [];
    const r = await converge(
      { stackName: "app", template: withTopic },
      {
        ...deps,
        confirm: (changes) => {
          shown.push(...changes.map((c) => `${c.action} ${c.logicalId}`));
          return false;
        },
      },
    );
    expect(shown).toEqual(["Add Topic"]);
    expect(r.kind).toBe("unchanged");
    expect(r.message).toMatch(/declined/);
    expect(fake.count("executeChangeSet")).toBe(1);
    expect(fake.live("app")!.template).toEqual(bucketTemplate);
    const approved = await converge(
      { stackName: "app", template: withTopic },
      { ...deps, confirm: async () => true },
    );
    expect(approved.kind).toBe("updated");
  });

  it("waits for an operation already running on the stack, then converges", async () => {
    const { fake, log, deps } = setup();
    fake.seedStack({
      name: "app",
      status: "UPDATE_IN_PROGRESS",
      template: bucketTemplate,
      finishAs: "UPDATE_COMPLETE",
    });
    const r = await converge({ stackName: "app", template: withTopic }, deps);
    expect(log.info.join("\n")).toMatch(
      /app is UPDATE_IN_PROGRESS: .* waiting for it to finish, then this run plans again/,
    );
    expect(r.kind).toBe("updated");
    expect(r.events.map((e) => `${e.logicalId}:${e.status}`)).toContain("app:UPDATE_COMPLETE");

    fake.seedStack({
      name: "other",
      status: "UPDATE_IN_PROGRESS",
      template: bucketTemplate,
      finishAs: "UPDATE_COMPLETE",
    });
    const busy = await converge(
      { stackName: "other", template: withTopic, waitForRunningOperation: false },
      deps,
    ).catch((e) => e);
    expect(busy).toBeInstanceOf(StackBusyError);
    expect(busy.message).toMatch(/Stack "other" is in state UPDATE_IN_PROGRESS/);
  });

  it("on Ctrl-C during execution stops waiting and says what state the stack is in", async () => {
    const controller = new AbortController();
    const { deps } = setup({ signal: controller.signal });
    const reporter: Reporter = {
      event: (e) => {
        if (e.logicalId === "Bucket") controller.abort();
      },
    };
    const r = await converge({ stackName: "app", template: bucketTemplate }, { ...deps, reporter });
    expect(r.kind).toBe("failed");
    expect(r.interrupted).toBe(true);
    expect(r.message).toMatch(
      /Interrupted\. Stack app is CREATE_IN_PROGRESS: CloudFormation keeps deploying it on its own\. Follow it with `sparta status`/,
    );
  });

  it("on Ctrl-C before anything started makes no call that changes anything", async () => {
    const controller = new AbortController();
    const { fake, deps } = setup({ signal: controller.signal });
    controller.abort();
    const r = await converge({ stackName: "app", template: bucketTemplate }, deps);
    expect(r).toMatchObject({ kind: "failed", interrupted: true });
    expect(r.message).toMatch(/Interrupted before anything started; nothing was changed/);
    expect(fake.calls).toEqual([]);
  });

  it("on Ctrl-C while the change set is being made deletes it and the empty stack it made", async () => {
    const controller = new AbortController();
    const { fake, deps } = setup({ signal: controller.signal });
    fake.intercept("describeChangeSet", () => controller.abort());
    const r = await converge({ stackName: "app", template: bucketTemplate }, deps);
    expect(r).toMatchObject({ kind: "failed", interrupted: true });
    expect(r.message).toMatch(/Interrupted before executing; the change set was deleted/);
    expect(fake.changeSets.size).toBe(0);
    expect(fake.live("app")).toBeUndefined();
    expect(fake.count("executeChangeSet")).toBe(0);
  });

  it("deleteStack waits with events and N of M progress; no stack is unchanged", async () => {
    const { fake, log, deps } = setup();
    await converge({ stackName: "app", template: bucketTemplate }, deps);
    log.progress.length = 0;
    const r = await deleteStack({ stackName: "app" }, deps);
    expect(r.kind).toBe("deleted");
    expect(r.events.at(-1)?.status).toBe("DELETE_COMPLETE");
    expect(log.progress.at(-1)).toEqual({ done: 2, total: 2 });
    expect(fake.live("app")).toBeUndefined();
    expect((await deleteStack({ stackName: "app" }, deps)).kind).toBe("unchanged");
  });

  it("reports a failed delete with its root cause and how to fix it", async () => {
    const { fake, deps } = setup();
    await converge({ stackName: "app", template: bucketTemplate }, deps);
    fake.failDelete("Bucket", "The bucket you tried to delete is not empty");
    const r = await deleteStack({ stackName: "app" }, deps);
    expect(r.kind).toBe("failed");
    expect(r.rootCause?.map((e) => `${e.logicalId}:${e.status}:${e.reason}`)).toEqual([
      "Bucket:DELETE_FAILED:The bucket you tried to delete is not empty",
    ]);
    expect(r.message).toMatch(/ended in DELETE_FAILED[\s\S]*non-empty S3 bucket/);
    // a DELETE_FAILED stack cannot be updated: converge says so instead of trying
    await expect(converge({ stackName: "app", template: bucketTemplate }, deps)).rejects.toBeInstanceOf(
      StackBusyError,
    );
  });

  it("turns a missing-credentials SDK error into CredentialsMissingError with how to fix it", async () => {
    const { fake, deps } = setup();
    fake.describeStacks = async () => {
      throw Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
      });
    };
    const err = await converge({ stackName: "app", template: bucketTemplate }, deps).catch((e) => e);
    expect(err).toBeInstanceOf(CredentialsMissingError);
    expect(err.message).toMatch(/AWS_PROFILE/);
  });

  it("turns a missing region and an unreachable endpoint into errors that say what to set", async () => {
    const { fake, deps } = setup();
    fake.describeStacks = async () => {
      throw new Error("Region is missing");
    };
    await expect(converge({ stackName: "app", template: bucketTemplate }, deps)).rejects.toBeInstanceOf(
      RegionMissingError,
    );
    let attempts = 0;
    fake.describeStacks = async () => {
      attempts++;
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    };
    const err = await converge({ stackName: "app", template: bucketTemplate }, deps).catch((e) => e);
    expect(err).toBeInstanceOf(EndpointUnreachableError);
    expect(err.message).toMatch(/DescribeStacks: cannot reach the AWS endpoint[\s\S]*AWS_ENDPOINT_URL/);
    expect(attempts).toBe(1); // a refused connection is not retried: fail fast
  });
});
