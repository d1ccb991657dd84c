import type { Stack } from "@aws-sdk/client-cloudformation";
import { describe, expect, it } from "vitest";
import type { ChangeSetRef } from "../src/changeset.js";
import { ChangeSetTimeoutError, ConcurrentDeployError, StackBusyError } from "../src/errors.js";
import { type DecideContext, decide, type Intent, type Phase, type RunState } from "../src/machine.js";
import type { ConvergeInput } from "../src/types.js";

// The decisions alone: no calls, no clock. Each transition the engine makes is one line of this table.

const input: ConvergeInput = {
  stackName: "app",
  template: { Resources: { Q: { Type: "AWS::SQS::Queue" } } },
  tags: { team: "a" },
};
const deploy: Intent = { plan: false, confirm: false, waitForOthers: true, recreateFailed: true };

function ctx(intent: Partial<Intent> = {}, aborted = false): DecideContext {
  return {
    input,
    intent: { ...deploy, ...intent },
    aborted,
    commands: { deploy: "sparta provision", status: "sparta status" },
  };
}
function stack(status: string, extra: Partial<Stack> = {}): Stack {
  return {
    StackId: "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1",
    StackName: "app",
    StackStatus: status as never,
    CreationTime: new Date(0),
    Tags: [{ Key: "team", Value: "a" }],
    Outputs: [{ OutputKey: "Url", OutputValue: "https://x" }],
    ...extra,
  };
}
function state(phase: Phase, extra: Partial<RunState> = {}): RunState {
  return { phase, events: [], madeStack: false, restarts: 0, ...extra };
}
const cs = (base?: Stack, type: "CREATE" | "UPDATE" = "UPDATE"): ChangeSetRef => ({
  id: "arn:cs/1",
  name: "sparta-abc-1",
  type,
  stackId: base?.StackId ?? "arn:new",
  base,
  follower: {} as never,
  executedBefore: new Set(),
});
const add = [{ action: "Add", logicalId: "T", resourceType: "AWS::SNS::Topic" }];

describe("decide: what the stack's state and the run's intent lead to", () => {
  it("starts by describing the stack, unless interrupted already", () => {
    expect(decide(state({ at: "start" }), ctx()).do).toBe("describe");
    const early = decide(state({ at: "start" }), ctx({}, true));
    expect(early).toMatchObject({ do: "finish", result: { kind: "failed", interrupted: true } });
  });

  it.each([
    ["no stack", undefined, {}, "prepare"],
    ["another operation running", stack("UPDATE_IN_PROGRESS"), {}, "wait-for-stack"],
    [
      "another operation, told not to wait",
      stack("UPDATE_IN_PROGRESS"),
      { waitForOthers: false },
      "refuse-busy",
    ],
    ["another operation, a plan", stack("CREATE_IN_PROGRESS"), { plan: true }, "refuse-busy"],
    ["a failed first create", stack("ROLLBACK_COMPLETE"), {}, "recreate"],
    ["a failed rollback", stack("UPDATE_ROLLBACK_FAILED"), {}, "continue-rollback"],
    ["only change sets on it", stack("REVIEW_IN_PROGRESS"), {}, "list-review"],
    ["deployed, same settings", stack("UPDATE_COMPLETE"), {}, "compare"],
    ["deployed, a plan still compares first", stack("UPDATE_COMPLETE"), { plan: true }, "compare"],
    ["deployed, other tags", stack("UPDATE_COMPLETE", { Tags: [] }), {}, "prepare"],
  ])("observed %s → %s", (_label, observed, intent, next) => {
    expect(decide(state({ at: "observed", stack: observed }), ctx(intent as Partial<Intent>)).do).toBe(next);
  });

  it("after three restarts, a busy stack is no longer waited for", () => {
    const step = decide(
      state({ at: "observed", stack: stack("UPDATE_IN_PROGRESS") }, { restarts: 3 }),
      ctx(),
    );
    expect(step.do).toBe("refuse-busy");
  });

  it("a plan never recovers a stack: ROLLBACK_COMPLETE and UPDATE_ROLLBACK_FAILED are reported, not touched", () => {
    for (const status of ["ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED"]) {
      const step = decide(state({ at: "observed", stack: stack(status) }), ctx({ plan: true }));
      expect(step.do).toBe("fail");
      expect((step as { error: Error }).error).toBeInstanceOf(StackBusyError);
      expect((step as { error: Error }).error.message).toMatch(/sparta provision/);
    }
    const kept = decide(
      state({ at: "observed", stack: stack("ROLLBACK_COMPLETE") }),
      ctx({ recreateFailed: false }),
    );
    expect(kept.do).toBe("fail");
  });

  it("a stack needing manual attention (DELETE_FAILED) is refused", () => {
    const step = decide(state({ at: "observed", stack: stack("DELETE_FAILED") }), ctx());
    expect(step).toMatchObject({ do: "fail" });
    expect((step as { error: Error }).error.message).toMatch(/DELETE_FAILED[\s\S]*sparta status/);
  });

  it("another run's first create in review: go ahead alongside it, or stop naming it when not waiting", () => {
    const review: Phase = {
      at: "review",
      stack: stack("REVIEW_IN_PROGRESS"),
      others: ["change set sparta-x (pid 1 on a)"],
    };
    expect(decide(state(review), ctx()).do).toBe("prepare");
    const stop = decide(state(review), ctx({ waitForOthers: false }));
    expect((stop as { error: Error }).error).toBeInstanceOf(ConcurrentDeployError);
    expect((stop as { error: Error }).error.message).toMatch(/change set sparta-x \(pid 1 on a\)/);
  });

  it("the same template is unchanged without a change set; another one is prepared", () => {
    const same = decide(state({ at: "compared", stack: stack("UPDATE_COMPLETE"), same: true }), ctx());
    expect(same).toMatchObject({
      do: "finish",
      result: { kind: "unchanged", outputs: { Url: "https://x" } },
    });
    expect(decide(state({ at: "compared", stack: stack("UPDATE_COMPLETE"), same: false }), ctx()).do).toBe(
      "prepare",
    );
  });

  it.each([
    ["ready, deploy", { kind: "ready", changes: add }, {}, false, "verify"],
    ["ready, a plan", { kind: "ready", changes: add }, { plan: true }, false, "discard"],
    ["ready, asking first", { kind: "ready", changes: add }, { confirm: true }, false, "confirm"],
    ["ready, interrupted", { kind: "ready", changes: add }, {}, true, "discard"],
    ["no changes", { kind: "empty" }, {}, false, "discard"],
    ["refused", { kind: "failed", reason: "bad" }, {}, false, "discard"],
    ["gone (another run executed)", { kind: "gone" }, {}, false, "describe"],
    ["timed out", { kind: "timeout", status: "CREATE_PENDING", waitedMs: 600_000 }, {}, false, "discard"],
  ])("a change set %s → %s", (_label, outcome, intent, aborted, next) => {
    const s = state({ at: "evaluated", cs: cs(stack("UPDATE_COMPLETE")), outcome: outcome as never });
    expect(decide(s, ctx(intent as Partial<Intent>, aborted as boolean)).do).toBe(next);
  });

  it("executes only what was verified, and not once interrupted", () => {
    const verified: Phase = { at: "verified", cs: cs(stack("UPDATE_COMPLETE")), changes: add };
    expect(decide(state(verified), ctx()).do).toBe("execute");
    expect(decide(state(verified), ctx({}, true))).toMatchObject({ do: "discard", why: "interrupted" });
    expect(decide(state({ at: "declined", cs: cs(), changes: add }), ctx())).toMatchObject({
      do: "discard",
      why: "declined",
    });
  });

  it("contention: the run's change set is discarded, then it plans again, or stops naming the other run", () => {
    const contended: Phase = {
      at: "contended",
      cs: cs(stack("UPDATE_COMPLETE")),
      other: "change set sparta-y",
      sparta: true,
    };
    expect(decide(state(contended), ctx())).toMatchObject({ do: "discard", why: "contended" });
    const discarded: Phase = {
      at: "discarded",
      cs: cs(stack("UPDATE_COMPLETE")),
      why: "contended",
      reason: "change set sparta-y",
    };
    expect(decide(state(discarded), ctx())).toEqual({ do: "describe", restart: true });
    for (const [intent, restarts] of [
      [{ waitForOthers: false }, 0],
      [{}, 3],
      [{ plan: true }, 0],
    ] as const) {
      const step = decide(state(discarded, { restarts }), ctx(intent));
      expect((step as { error: Error }).error).toBeInstanceOf(ConcurrentDeployError);
      expect((step as { error: Error }).error.message).toMatch(/another run: change set sparta-y/);
    }
  });

  it("after discarding: plan and decline are unchanged with the changes; empty retags when only tags differ", () => {
    const deployed = stack("UPDATE_COMPLETE");
    const plan = decide(
      state({ at: "discarded", cs: cs(deployed), why: "plan", changes: add }),
      ctx({ plan: true }),
    );
    expect(plan).toMatchObject({
      do: "finish",
      result: { kind: "unchanged", changes: add, outputs: { Url: "https://x" } },
    });
    const left = decide(
      state({
        at: "discarded",
        cs: cs(undefined, "CREATE"),
        why: "plan",
        changes: add,
        left: "Stack app was left in place.",
      }),
      ctx({ plan: true }),
    );
    expect((left as { result: { message: string } }).result.message).toMatch(/left in place/);
    const retagged = stack("UPDATE_COMPLETE", { Tags: [{ Key: "team", Value: "b" }] });
    expect(decide(state({ at: "discarded", cs: cs(retagged), why: "empty" }), ctx()).do).toBe("retag");
    expect(decide(state({ at: "discarded", cs: cs(retagged), why: "empty" }), ctx({ plan: true })).do).toBe(
      "finish",
    );
    const timeout = decide(
      state({ at: "discarded", cs: cs(deployed), why: "timeout", reason: "CREATE_PENDING@600000" }),
      ctx(),
    );
    expect((timeout as { error: Error }).error).toBeInstanceOf(ChangeSetTimeoutError);
  });

  it("settled: the outcome of this run's own change set, never another's outputs", () => {
    const done = stack("UPDATE_COMPLETE", { Outputs: [{ OutputKey: "Url", OutputValue: "https://new" }] });
    const settled = (extra: object, status = "UPDATE_COMPLETE") =>
      decide(
        state({
          at: "settled",
          cs: cs(stack("UPDATE_COMPLETE")),
          changes: add,
          outcome: { status, stack: done },
          ...extra,
        }),
        ctx(),
      );
    expect(settled({})).toMatchObject({
      do: "finish",
      result: { kind: "updated", outputs: { Url: "https://new" } },
    });
    expect(settled({ supersededBy: "change set sparta-z" })).toMatchObject({
      result: { kind: "updated", outputs: {} },
    });
    const failed = settled({ rootCause: [] }, "UPDATE_ROLLBACK_COMPLETE");
    expect(failed).toMatchObject({ result: { kind: "failed" } });
    expect((failed as { result: { message: string } }).result.message).toMatch(
      /rolled back to its previous state/,
    );
  });

  it("settled after Ctrl-C: the real outcome when known, else it says CloudFormation keeps deploying", () => {
    const base = { at: "settled" as const, cs: cs(undefined, "CREATE"), changes: add };
    const known = decide(
      state({ ...base, outcome: { status: "CREATE_COMPLETE", interrupted: true } }),
      ctx(),
    );
    expect(known).toMatchObject({ result: { kind: "created", interrupted: true } });
    const running = decide(
      state({ ...base, outcome: { status: "CREATE_IN_PROGRESS", interrupted: true } }),
      ctx(),
    );
    expect(running).toMatchObject({ result: { kind: "failed", interrupted: true } });
    expect((running as { result: { message: string } }).result.message).toMatch(
      /CREATE_IN_PROGRESS: CloudFormation keeps deploying it on its own\. Follow it with `sparta status`/,
    );
  });
});
