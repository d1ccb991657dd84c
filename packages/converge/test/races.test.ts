import { describe, expect, it } from "vitest";
import { converge, planChanges } from "../src/converge.js";
import { ConcurrentDeployError } from "../src/errors.js";
import type { ConvergeResult, EngineDeps, StackEvent } from "../src/types.js";
import { FakeClock, FakeCloudFormation } from "./fake-cloudformation.js";

// Two runs of converge on one CloudFormation (the fake, which reproduces what AWS documents: executing a change set
// deletes the stack's other change sets, events carry the operation's ClientRequestToken, DescribeStacks names the
// change set last executed). The interleavings are forced with `intercept`: the other run acts at a chosen call.

const base = {
  Resources: { Bucket: { Type: "AWS::S3::Bucket" } },
  Outputs: { BucketName: { Value: { Ref: "Bucket" } } },
};
const withTopic = {
  Resources: { ...base.Resources, Topic: { Type: "AWS::SNS::Topic" } },
  Outputs: { ...base.Outputs, TopicArn: { Value: { Ref: "Topic" } } },
};
const withQueue = {
  Resources: { ...base.Resources, Queue: { Type: "AWS::SQS::Queue" } },
  Outputs: { ...base.Outputs, QueueUrl: { Value: { Ref: "Queue" } } },
};

function world() {
  const clock = new FakeClock();
  const fake = new FakeCloudFormation(clock);
  const info: Record<"a" | "b", string[]> = { a: [], b: [] };
  const run = (who: "a" | "b", extra: Partial<EngineDeps> = {}): EngineDeps => ({
    cfn: fake,
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0.5,
    runLabel: who === "a" ? "pid 1111 on host-a" : "pid 2222 on host-b",
    reporter: { info: (m) => info[who].push(m) },
    ...extra,
  });
  return { clock, fake, info, a: run("a"), b: run("b"), run };
}

/**
 * Run A until its change set is ready (it waits at its confirmation prompt), so that its change set is made before
 * the other run's; `go()` lets it execute.
 */
function paused(deps: EngineDeps, input: Parameters<typeof converge>[0]) {
  let ready!: () => void;
  let go!: () => void;
  const atPrompt = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const released = new Promise<void>((resolve) => {
    go = resolve;
  });
  const done = converge(input, {
    ...deps,
    confirm: async () => {
      ready();
      await released;
      return true;
    },
  });
  return { atPrompt, go, done };
}

describe("two first creates of one stack at once", () => {
  it("the run whose change set vanishes never deletes the stack: it waits, plans again and finds it up to date", async () => {
    const { clock, fake, info, a, b } = world();
    // A made its CREATE change set first and is at its prompt; B makes its own on the same REVIEW_IN_PROGRESS stack.
    const first = paused(a, { stackName: "app", template: base });
    await first.atPrompt;
    clock.t += 1000;
    // Before B reads its change set, A executes (CloudFormation deletes B's) and creates the stack.
    fake.intercept("describeChangeSet", async () => {
      first.go();
      await first.done;
    });
    const second = await converge({ stackName: "app", template: base }, b);
    expect((await first.done).kind).toBe("created");
    expect(info.b.join("\n")).toMatch(
      /REVIEW_IN_PROGRESS: change set sparta-\S+ \(pid 1111 on host-a\) is creating it too/,
    );
    expect(info.b.join("\n")).toMatch(
      /change set of this run vanished: change set sparta-\S+ \(pid 1111 on host-a\)/,
    );
    expect(second.kind).toBe("unchanged");
    expect(fake.count("deleteStack")).toBe(0);
    expect(fake.live("app")?.status).toBe("CREATE_COMPLETE");
    expect(second.stackId).toBe((await first.done).stackId);
  });

  it("with a different template, the second run updates the stack the first created, reporting its own outputs", async () => {
    const { clock, fake, a, b } = world();
    const first = paused(a, { stackName: "app", template: base });
    await first.atPrompt;
    clock.t += 1000;
    fake.intercept("describeChangeSet", async () => {
      first.go();
      await first.done;
    });
    const second = await converge({ stackName: "app", template: withTopic }, b);
    expect(await first.done).toMatchObject({ kind: "created", outputs: { BucketName: "BucketName-value" } });
    expect(second).toMatchObject({
      kind: "updated",
      outputs: { BucketName: "BucketName-value", TopicArn: "TopicArn-value" },
    });
    expect(second.changes?.map((c) => `${c.action} ${c.logicalId}`)).toEqual(["Add Topic"]);
    expect(fake.count("deleteStack")).toBe(0);
  });

  it("a run arriving while another's first create waits at its prompt waits for it (its change set was first)", async () => {
    const { clock, fake, info, a, b } = world();
    fake.keepOtherChangeSets = true; // as the emulator: nothing makes B's change set vanish
    const first = paused(a, { stackName: "app", template: base });
    await first.atPrompt;
    clock.t += 1000;
    const second = converge(
      { stackName: "app", template: withTopic },
      {
        ...b,
        reporter: {
          info: (m) => {
            info.b.push(m);
            if (/goes first: waiting for it/.test(m)) first.go();
          },
        },
      },
    );
    expect((await first.done).kind).toBe("created");
    expect(await second).toMatchObject({ kind: "updated", outputs: { TopicArn: "TopicArn-value" } });
    expect(info.b.join("\n")).toMatch(
      /change set sparta-\S+ \(pid 1111 on host-a\) was made before this run's/,
    );
    expect(fake.count("deleteStack")).toBe(0);
  });

  it("a plan of a new stack leaves it in place when another run's change set is on it", async () => {
    const { fake, info, b } = world();
    // When B's plan is read and about to be deleted, A (at its confirmation prompt) has its change set on the stack.
    fake.intercept("deleteChangeSet", async () => {
      await fake.createChangeSet({
        StackName: "app",
        ChangeSetName: "sparta-aaaa-1",
        ChangeSetType: "CREATE",
        TemplateBody: JSON.stringify(base),
        Description: "@sparta/converge run by pid 1111 on host-a",
      });
    });
    const changes = await planChanges({ stackName: "app", template: base }, b);
    expect(changes.map((c) => c.logicalId)).toEqual(["Bucket"]);
    expect(fake.count("deleteStack")).toBe(0);
    expect(fake.live("app")?.status).toBe("REVIEW_IN_PROGRESS");
    expect([...fake.changeSets.values()].map((c) => c.name)).toEqual(["sparta-aaaa-1"]);
    expect(info.b.join("\n")).toMatch(
      /left in place \(REVIEW_IN_PROGRESS\): change set sparta-aaaa-1 \(pid 1111 on host-a\) is creating it too/,
    );
  });

  it("a declined confirmation of a new stack leaves it in place when another run is already creating it", async () => {
    const { fake, b } = world();
    const r = await converge(
      { stackName: "app", template: base },
      {
        ...b,
        confirm: async () => {
          // while B's user reads the changes, A executes its own first create
          const cs = await fake.createChangeSet({
            StackName: "app",
            ChangeSetName: "sparta-aaaa-1",
            ChangeSetType: "CREATE",
            TemplateBody: JSON.stringify(base),
          });
          fake.changeSets.get(cs.Id)!.status = "CREATE_COMPLETE";
          fake.changeSets.get(cs.Id)!.executionStatus = "AVAILABLE";
          await fake.executeChangeSet({ ChangeSetName: cs.Id, StackName: "app" });
          return false;
        },
      },
    );
    expect(r.kind).toBe("unchanged");
    expect(r.message).toMatch(/declined[\s\S]*left in place: it is CREATE_IN_PROGRESS/);
    expect(fake.count("deleteStack")).toBe(0);
    expect(fake.live("app")).toBeDefined();
  });

  it("a declined confirmation of a new stack nobody else touches removes the empty stack it made", async () => {
    const { fake, b } = world();
    const r = await converge({ stackName: "app", template: base }, { ...b, confirm: () => false });
    expect(r.kind).toBe("unchanged");
    expect(fake.count("deleteStack")).toBe(1);
    expect(fake.live("app")).toBeUndefined();
  });

  it("a stack someone else left in REVIEW_IN_PROGRESS is not deleted by a plan that did not make it", async () => {
    const { fake, b } = world();
    await fake.createChangeSet({
      StackName: "app",
      ChangeSetName: "console-review",
      ChangeSetType: "CREATE",
      TemplateBody: JSON.stringify(base),
    });
    await fake.deleteChangeSet({ ChangeSetName: "console-review", StackName: "app" });
    expect(fake.live("app")?.status).toBe("REVIEW_IN_PROGRESS");
    await planChanges({ stackName: "app", template: base }, b);
    expect(fake.count("deleteStack")).toBe(0);
    expect(fake.live("app")?.status).toBe("REVIEW_IN_PROGRESS");
  });
});

describe("two updates of one stack at once", () => {
  async function deployed() {
    const w = world();
    const created = await converge({ stackName: "app", template: base }, w.a);
    expect(created.kind).toBe("created");
    return w;
  }

  it("the second waits for the first, plans again, and each reports the outputs of its own change set (AWS)", async () => {
    const { clock, fake, info, a, b } = await deployed();
    const first = paused(a, { stackName: "app", template: withTopic });
    await first.atPrompt;
    clock.t += 1000;
    fake.intercept("describeChangeSet", async () => {
      first.go();
      await first.done;
    });
    const second = await converge({ stackName: "app", template: withQueue }, b);
    const one = await first.done;
    expect(one).toMatchObject({ kind: "updated", outputs: { TopicArn: "TopicArn-value" } });
    expect(one.outputs).not.toHaveProperty("QueueUrl");
    expect(second).toMatchObject({ kind: "updated", outputs: { QueueUrl: "QueueUrl-value" } });
    expect(second.outputs).not.toHaveProperty("TopicArn");
    expect(info.b.join("\n")).toMatch(/planning again \(1 of at most 3\)/);
    expect(fake.live("app")?.template).toEqual(withQueue);
  });

  it("when executed change sets stay listed (the emulator), one executed since planning makes it plan again", async () => {
    const { clock, fake, a, b } = await deployed();
    fake.keepOtherChangeSets = true;
    // B has read the stack; just before B creates its change set, A plans and executes in full
    fake.intercept("createChangeSet", async () => {
      clock.t += 1000;
      expect((await converge({ stackName: "app", template: withTopic }, a)).kind).toBe("updated");
    });
    const second = await converge({ stackName: "app", template: withQueue }, b);
    expect(second).toMatchObject({ kind: "updated", outputs: { QueueUrl: "QueueUrl-value" } });
    const executed = fake.calls.filter((c) => c.op === "executeChangeSet");
    expect(executed).toHaveLength(3); // the first create, A's update, B's second plan (never its stale first one)
    expect(fake.live("app")?.template).toEqual(withQueue);
  });

  it("told not to wait, the second stops with a message naming the other run, and changes nothing", async () => {
    const { clock, fake, a, b } = await deployed();
    const first = paused(a, { stackName: "app", template: withTopic });
    await first.atPrompt;
    clock.t += 1000;
    const err = await converge(
      { stackName: "app", template: withQueue, waitForRunningOperation: false },
      b,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ConcurrentDeployError);
    expect(err.code).toBe("SPARTA_CONVERGE_CONCURRENT_DEPLOY");
    expect(err.message).toMatch(
      /Stack "app" is being deployed by another run: change set sparta-\S+ \(pid 1111 on host-a\)/,
    );
    expect(err.message).toMatch(/made before this run's and has not been executed yet[\s\S]*sparta status/);
    expect(fake.live("app")?.template).toEqual(base);
    first.go();
    expect((await first.done).kind).toBe("updated");
  });

  it("a deploy already executing when the run starts is named, and waited for", async () => {
    const { fake, info, a, b } = await deployed();
    // A executes and is still in progress when B starts
    fake.intercept("describeStacks", async () => {
      const cs = await fake.createChangeSet({
        StackName: "app",
        ChangeSetName: "sparta-aaaa-2",
        TemplateBody: JSON.stringify(withTopic),
        Description: "@sparta/converge run by pid 1111 on host-a",
      });
      await fake.describeChangeSet({ ChangeSetName: cs.Id });
      await fake.describeChangeSet({ ChangeSetName: cs.Id });
      await fake.executeChangeSet({
        ChangeSetName: cs.Id,
        StackName: "app",
        ClientRequestToken: "sparta-aaaa-2-exec",
      });
    });
    void a;
    const r = await converge({ stackName: "app", template: withQueue }, b);
    expect(info.b.join("\n")).toMatch(
      /app is UPDATE_IN_PROGRESS: change set sparta-aaaa-2 \(pid 1111 on host-a\) is deploying it; waiting/,
    );
    expect(r).toMatchObject({ kind: "updated", outputs: { QueueUrl: "QueueUrl-value" } });
  });

  it("never reports another run's outputs: a change set executed right after ours is named instead", async () => {
    const { fake, a, b } = await deployed();
    let second: ConvergeResult | undefined;
    const reporter = {
      event: (e: StackEvent) => {
        // A saw its own UPDATE_COMPLETE; before A reads the stack, B deploys in full.
        if (e.logicalId === "app" && e.status === "UPDATE_COMPLETE") {
          fake.intercept("describeStacks", async () => {
            second = await converge({ stackName: "app", template: withQueue }, b);
          });
        }
      },
    };
    const first = await converge({ stackName: "app", template: withTopic }, { ...a, reporter });
    expect(second?.kind).toBe("updated");
    expect(first.kind).toBe("updated");
    expect(first.outputs).toEqual({});
    expect(first.message).toMatch(
      /this run's change set sparta-\S+ was executed \(UPDATE_COMPLETE\), then change set sparta-\S+ was executed after it/,
    );
  });
});
