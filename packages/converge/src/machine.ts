/**
 * The decisions of a converge run, apart from its calls (as CDK toolkit-lib's deploy-stack keeps them): the stack's
 * state as last observed and this run's intent decide the next step. `decide` is pure; `steps.ts` carries a step
 * out and returns the state it leads to. Every race the engine handles is one transition here, with its test.
 *
 *   start ─describe→ observed ─┬─ no stack / settings differ ─prepare→ prepared ─create─→ created ─wait→ evaluated
 *                              ├─ busy (another operation) ─wait-for-stack→ observed
 *                              ├─ ROLLBACK_COMPLETE ─recreate→ observed      UPDATE_ROLLBACK_FAILED ─continue→ observed
 *                              ├─ REVIEW_IN_PROGRESS ─list→ review ─prepare→ prepared
 *                              └─ same settings ─compare→ compared ─(same)→ done: unchanged
 *   evaluated ─ready→ [confirm] → verify (nobody else acted?) → execute → follow → settled → done
 *             └ empty / refused / plan / declined / interrupted ─discard→ discarded → done (or retag)
 *   another run deployed (change set gone, foreign events, execute refused) → contended ─discard→ restart | refuse
 */
import type { Stack } from "@aws-sdk/client-cloudformation";
import type { ChangeSetOutcome, ChangeSetRef } from "./changeset.js";
import { outputsOf, type WaitOutcome } from "./engine.js";
import {
  ChangeSetTimeoutError,
  ConcurrentDeployError,
  type ConvergeError,
  StackBusyError,
} from "./errors.js";
import { sameSettings, sameTags } from "./inputs.js";
import type { Change, ConvergeInput, ConvergeResult, StackEvent } from "./types.js";
import type { PreparedTemplate } from "./upload.js";

/** Why this run deletes its own change set instead of executing it. */
export type Discard = "plan" | "declined" | "interrupted" | "empty" | "refused" | "contended" | "timeout";

export type Phase =
  | { at: "start" }
  /** DescribeStacks answered (undefined: no stack). */
  | { at: "observed"; stack: Stack | undefined }
  /** A REVIEW_IN_PROGRESS stack (only change sets, nothing created) and the other runs' change sets on it. */
  | { at: "review"; stack: Stack; others: string[] }
  /** The deployed template compared with the input's (parameters and tags already matched). */
  | { at: "compared"; stack: Stack; same: boolean }
  /** Artifacts and template uploaded (or the template is inline). */
  | { at: "prepared"; stack: Stack | undefined; template: PreparedTemplate }
  | { at: "created"; cs: ChangeSetRef }
  | { at: "evaluated"; cs: ChangeSetRef; outcome: ChangeSetOutcome }
  | { at: "approved"; cs: ChangeSetRef; changes: Change[] }
  | { at: "declined"; cs: ChangeSetRef; changes: Change[] }
  /** Nobody else touched the stack since the change set was planned: safe to execute. */
  | { at: "verified"; cs: ChangeSetRef; changes: Change[] }
  | { at: "executing"; cs: ChangeSetRef; changes: Change[] }
  /** Our execution reached a final status, or the wait was interrupted. */
  | {
      at: "settled";
      cs: ChangeSetRef;
      changes: Change[];
      outcome: WaitOutcome;
      rootCause?: StackEvent[];
      /** Another change set was executed after ours before its outputs could be read: it names that run. */
      supersededBy?: string;
    }
  /**
   * Another run deployed the stack while this one was under way, or goes first; `cs` is ours if it may still exist.
   * `stop` says why this run must not plan again (it waited its limit for the other run).
   */
  | { at: "contended"; cs?: ChangeSetRef; other: string; sparta: boolean; stop?: string }
  /** Our change set is deleted (and the stack our CREATE made, when nobody else uses it). */
  | {
      at: "discarded";
      cs: ChangeSetRef;
      why: Discard;
      changes?: Change[];
      reason?: string;
      /** The stack our CREATE made was left in place, and why (another run is creating it). */
      left?: string;
      stop?: string;
    }
  /** Only the tags differ and CloudFormation saw no change: the tags update was asked about (confirm). */
  | { at: "tags-approved"; stack: Stack }
  | { at: "tags-declined"; stack: Stack }
  | { at: "done"; result: ConvergeResult };

/** What stays fixed for one run: the input, its template text, the run's own name. */
export interface Run {
  input: ConvergeInput;
  body: string;
  /** `sparta-<template hash>-<time>`: names the run's change sets and prefixes its request tokens. */
  name: string;
  prepared?: PreparedTemplate;
}

export interface RunState {
  phase: Phase;
  /** Events of the operations this run started or waited for, oldest first. */
  events: StackEvent[];
  /** This run's CREATE change set made the stack (none existed when it looked). */
  madeStack: boolean;
  /** Times this run planned again because another run deployed the stack meanwhile. */
  restarts: number;
}

export type Step =
  | { do: "describe"; restart?: boolean }
  | { do: "wait-for-stack"; stack: Stack }
  /** Another operation runs and this run may not wait: name it and stop. */
  | { do: "refuse-busy"; stack: Stack }
  | { do: "fail"; error: ConvergeError }
  | { do: "recreate"; stack: Stack }
  | { do: "continue-rollback"; stack: Stack }
  | { do: "list-review"; stack: Stack }
  | { do: "compare"; stack: Stack }
  | { do: "prepare"; stack: Stack | undefined }
  | { do: "create-change-set"; stack: Stack | undefined; template: PreparedTemplate }
  | { do: "wait-change-set"; cs: ChangeSetRef }
  | { do: "confirm"; cs: ChangeSetRef; changes: Change[] }
  | { do: "verify"; cs: ChangeSetRef; changes: Change[] }
  | { do: "execute"; cs: ChangeSetRef; changes: Change[] }
  | { do: "follow"; cs: ChangeSetRef; changes: Change[] }
  | { do: "discard"; cs: ChangeSetRef; why: Discard; changes?: Change[]; reason?: string; stop?: string }
  | { do: "retag"; stack: Stack }
  /** Ask (confirm, with no resource changes) before applying new tags with UpdateStack. */
  | { do: "confirm-tags"; stack: Stack }
  | { do: "finish"; result: ConvergeResult };

/** What the run wants, fixed for its whole length. */
export interface Intent {
  /** Only show the changes (nothing executed, recovered or left behind). */
  plan: boolean;
  /** Ask before executing. */
  confirm: boolean;
  /** Wait for another operation or run, then plan again; else stop naming it. */
  waitForOthers: boolean;
  recreateFailed: boolean;
}

export interface DecideContext {
  input: ConvergeInput;
  intent: Intent;
  /** Ctrl-C has been pressed. */
  aborted: boolean;
  commands: { deploy: string; status: string };
}

/** Times a run plans again after another run deployed the stack, before it stops naming that run. */
export const MAX_RESTARTS = 3;

/** Stable states from which the deployed template can be compared and an UPDATE change set created. */
export const UPDATABLE = new Set([
  "CREATE_COMPLETE",
  "UPDATE_COMPLETE",
  "UPDATE_ROLLBACK_COMPLETE",
  "IMPORT_COMPLETE",
  "IMPORT_ROLLBACK_COMPLETE",
]);

/** Another operation is running; REVIEW_IN_PROGRESS (a stack with only change sets) is not one. */
export function isBusy(status: string | undefined): boolean {
  return !!status && status.endsWith("_IN_PROGRESS") && status !== "REVIEW_IN_PROGRESS";
}

/** The stack a change set updates (not one only this run's CREATE change set made). */
function deployedOf(cs: ChangeSetRef): Stack | undefined {
  return cs.base && cs.base.StackStatus !== "REVIEW_IN_PROGRESS" ? cs.base : undefined;
}

function statusFollow(ctx: DecideContext): string {
  return ctx.commands.status;
}

/** Ctrl-C before anything was changed. */
function interruptedEarly(ctx: DecideContext, stack: Stack | undefined, what: string): ConvergeResult {
  return {
    kind: "failed",
    interrupted: true,
    stackName: ctx.input.stackName,
    ...(stack?.StackId ? { stackId: stack.StackId } : {}),
    outputs: outputsOf(stack),
    events: [],
    message: `Interrupted ${what}; nothing was changed. Stack ${ctx.input.stackName} is ${stack?.StackStatus ?? "not created"}.`,
  };
}

/** The next step of a run: a pure function of its state and intent. */
export function decide(state: RunState, ctx: DecideContext): Step {
  const { phase } = state;
  const { input, intent } = ctx;
  const name = input.stackName;
  switch (phase.at) {
    case "start":
      return ctx.aborted
        ? { do: "finish", result: interruptedEarly(ctx, undefined, "before anything started") }
        : { do: "describe" };

    case "observed": {
      const stack = phase.stack;
      if (!stack) {
        return ctx.aborted
          ? { do: "finish", result: interruptedEarly(ctx, undefined, "before uploading") }
          : { do: "prepare", stack: undefined };
      }
      const status = stack.StackStatus ?? "UNKNOWN";
      if (isBusy(status)) {
        if (intent.plan || !intent.waitForOthers || state.restarts >= MAX_RESTARTS || ctx.aborted)
          return { do: "refuse-busy", stack };
        return { do: "wait-for-stack", stack };
      }
      if (ctx.aborted) return { do: "finish", result: interruptedEarly(ctx, stack, "before uploading") };
      if (status === "ROLLBACK_COMPLETE" || status === "ROLLBACK_FAILED") {
        if (intent.plan || !intent.recreateFailed) {
          const next = intent.plan
            ? `\`${ctx.commands.deploy}\` deletes it and creates it again; a plan changes nothing, so it cannot show the changes yet.`
            : `Delete it (aws cloudformation delete-stack --stack-name ${name}), or allow recreateFailedStack, and run again.`;
          return {
            do: "fail",
            error: new StackBusyError(
              name,
              status,
              statusFollow(ctx),
              "a failed first create left it holding nothing",
              next,
            ),
          };
        }
        return { do: "recreate", stack };
      }
      if (status === "UPDATE_ROLLBACK_FAILED") {
        if (intent.plan) {
          return {
            do: "fail",
            error: new StackBusyError(
              name,
              status,
              statusFollow(ctx),
              "a failed update could not be rolled back",
              `\`${ctx.commands.deploy}\` resumes the rollback (continue-update-rollback) first; a plan changes nothing, so it cannot show the changes yet.`,
            ),
          };
        }
        return { do: "continue-rollback", stack };
      }
      if (status === "REVIEW_IN_PROGRESS") return { do: "list-review", stack };
      if (UPDATABLE.has(status)) {
        return sameSettings(input, stack) ? { do: "compare", stack } : { do: "prepare", stack };
      }
      return { do: "fail", error: new StackBusyError(name, status, statusFollow(ctx)) };
    }

    case "review":
      if (phase.others.length > 0 && !intent.waitForOthers) {
        return {
          do: "fail",
          error: new ConcurrentDeployError(
            name,
            phase.others[0]!,
            "Its first create of the stack is waiting for review or execution; this run changed nothing.",
            statusFollow(ctx),
          ),
        };
      }
      if (ctx.aborted)
        return { do: "finish", result: interruptedEarly(ctx, phase.stack, "before uploading") };
      return { do: "prepare", stack: phase.stack };

    case "compared":
      if (phase.same) {
        return {
          do: "finish",
          result: {
            kind: "unchanged",
            stackName: name,
            stackId: phase.stack.StackId!,
            outputs: outputsOf(phase.stack),
            events: state.events,
            ...(intent.plan ? { changes: [] } : {}),
            message: `Stack ${name} is up to date (${phase.stack.StackStatus}); no change set needed.`,
          },
        };
      }
      return { do: "prepare", stack: phase.stack };

    case "prepared":
      if (ctx.aborted) {
        return {
          do: "finish",
          result: interruptedEarly(
            ctx,
            phase.stack,
            "before the change set was created (uploaded artifacts stay; their keys are content-addressed)",
          ),
        };
      }
      return { do: "create-change-set", stack: phase.stack, template: phase.template };

    case "created":
      return { do: "wait-change-set", cs: phase.cs };

    case "evaluated": {
      const { cs, outcome } = phase;
      switch (outcome.kind) {
        case "ready":
          if (ctx.aborted) return { do: "discard", cs, why: "interrupted", changes: outcome.changes };
          if (intent.plan) return { do: "discard", cs, why: "plan", changes: outcome.changes };
          if (intent.confirm) return { do: "confirm", cs, changes: outcome.changes };
          return { do: "verify", cs, changes: outcome.changes };
        case "empty":
          return { do: "discard", cs, why: "empty", changes: [] };
        case "failed":
          return { do: "discard", cs, why: "refused", reason: outcome.reason };
        case "interrupted":
          return { do: "discard", cs, why: "interrupted" };
        case "timeout":
          return { do: "discard", cs, why: "timeout", reason: `${outcome.status}@${outcome.waitedMs}` };
        case "gone":
          return { do: "describe", restart: true };
      }
      break;
    }

    case "approved":
      return ctx.aborted
        ? { do: "discard", cs: phase.cs, why: "interrupted", changes: phase.changes }
        : { do: "verify", cs: phase.cs, changes: phase.changes };

    case "declined":
      return { do: "discard", cs: phase.cs, why: "declined", changes: phase.changes };

    case "verified":
      return ctx.aborted
        ? { do: "discard", cs: phase.cs, why: "interrupted", changes: phase.changes }
        : { do: "execute", cs: phase.cs, changes: phase.changes };

    case "executing":
      return { do: "follow", cs: phase.cs, changes: phase.changes };

    case "settled":
      return { do: "finish", result: settledResult(state, phase, ctx) };

    case "contended":
      if (phase.cs) {
        return {
          do: "discard",
          cs: phase.cs,
          why: "contended",
          reason: phase.other,
          ...(phase.stop ? { stop: phase.stop } : {}),
        };
      }
      return afterContention(state, ctx, phase.other, phase.stop);

    case "discarded":
      return afterDiscard(state, phase, ctx);

    case "tags-approved":
      return ctx.aborted
        ? { do: "finish", result: interruptedEarly(ctx, phase.stack, "before the tags update") }
        : { do: "retag", stack: phase.stack };

    case "tags-declined":
      return {
        do: "finish",
        result: {
          kind: "unchanged",
          stackName: name,
          stackId: phase.stack.StackId!,
          outputs: outputsOf(phase.stack),
          events: state.events,
          changes: [],
          message: `Not executed: only the tags of stack ${name} differ, and their update was declined.`,
        },
      };

    case "done":
      return { do: "finish", result: phase.result };
  }
  throw new Error(`converge: no transition from ${JSON.stringify(phase)}`);
}

/** Another run deployed under us and our change set is gone: plan again (it waits for that run), or stop. */
function afterContention(state: RunState, ctx: DecideContext, other: string, stop?: string): Step {
  if (stop || !ctx.intent.waitForOthers || state.restarts >= MAX_RESTARTS || ctx.intent.plan) {
    const why = stop
      ? `${stop} This run deleted its own change set and changed nothing.`
      : ctx.intent.plan
        ? "It changed the stack while this plan was being made; the plan would be out of date, so it was deleted."
        : !ctx.intent.waitForOthers
          ? "This run deleted its own change set and changed nothing (it was told not to wait: waitForRunningOperation: false)."
          : `This run planned again ${state.restarts} times and each time another deploy came first; it changed nothing.`;
    return {
      do: "fail",
      error: new ConcurrentDeployError(ctx.input.stackName, other, why, statusFollow(ctx)),
    };
  }
  return { do: "describe", restart: true };
}

function afterDiscard(state: RunState, phase: Extract<Phase, { at: "discarded" }>, ctx: DecideContext): Step {
  const { cs } = phase;
  const name = ctx.input.stackName;
  const deployed = deployedOf(cs);
  const base = {
    stackName: name,
    stackId: cs.stackId,
    outputs: outputsOf(deployed),
    events: state.events,
  };
  const left = phase.left ? ` ${phase.left}` : "";
  switch (phase.why) {
    case "plan":
      return {
        do: "finish",
        result: {
          ...base,
          kind: "unchanged",
          changes: phase.changes ?? [],
          message: `Planned ${phase.changes?.length ?? 0} change(s) to stack ${name}; nothing was executed (the change set was deleted).${left}`,
        },
      };
    case "declined":
      return {
        do: "finish",
        result: {
          ...base,
          kind: "unchanged",
          changes: phase.changes ?? [],
          message: `Not executed: the ${phase.changes?.length ?? 0} change(s) to stack ${name} were declined; the change set was deleted.${left}`,
        },
      };
    case "interrupted":
      return {
        do: "finish",
        result: {
          ...base,
          kind: "failed",
          interrupted: true,
          message: `Interrupted before executing; the change set was deleted. Stack ${name} is ${deployed?.StackStatus ?? "not created"}.${left}`,
        },
      };
    case "empty":
      // only the tags differ: apply them with UpdateStack, after asking when the run asks before changes
      if (!ctx.intent.plan && deployed && !sameTags(ctx.input, deployed))
        return ctx.intent.confirm
          ? { do: "confirm-tags", stack: deployed }
          : { do: "retag", stack: deployed };
      return {
        do: "finish",
        result: {
          ...base,
          kind: "unchanged",
          changes: [],
          message: `Stack ${name} is up to date: CloudFormation found no changes (the change set was deleted).`,
        },
      };
    case "refused":
      return {
        do: "finish",
        result: {
          ...base,
          kind: "failed",
          message: `CloudFormation refused the change set for stack ${name}: ${phase.reason ?? "no reason given"}${left}`,
        },
      };
    case "timeout": {
      const [status, waited] = (phase.reason ?? "pending@0").split("@");
      return {
        do: "fail",
        error: new ChangeSetTimeoutError(name, cs.name, status ?? "pending", Number(waited)),
      };
    }
    case "contended":
      return afterContention(state, ctx, phase.reason ?? "another run", phase.stop);
  }
}

function settledResult(
  state: RunState,
  phase: Extract<Phase, { at: "settled" }>,
  ctx: DecideContext,
): ConvergeResult {
  const { cs, changes, outcome } = phase;
  const name = ctx.input.stackName;
  const verb = cs.type === "CREATE" ? "create" : "update";
  const base = { stackName: name, stackId: cs.stackId, events: state.events, changes };
  const outputs = outputsOf(outcome.stack);
  const success = outcome.status === "CREATE_COMPLETE" || outcome.status === "UPDATE_COMPLETE";
  const interrupted = outcome.interrupted ? { interrupted: true as const } : {};
  if (
    outcome.interrupted &&
    !success &&
    !outcome.status.endsWith("_COMPLETE") &&
    !outcome.status.endsWith("_FAILED")
  ) {
    return {
      ...base,
      ...interrupted,
      kind: "failed",
      outputs,
      message:
        `Interrupted. Stack ${name} is ${outcome.status}: CloudFormation keeps deploying it on its own. ` +
        `Follow it with \`${ctx.commands.status}\` (or aws cloudformation describe-stack-events --stack-name ${name})` +
        (outcome.status.startsWith("UPDATE_") && !outcome.status.includes("ROLLBACK")
          ? `; stop it with \`aws cloudformation cancel-update-stack --stack-name ${name}\`.`
          : "."),
    };
  }
  const note = outcome.interrupted
    ? ` (Interrupted, but the stack had already reached ${outcome.status}.)`
    : "";
  if (success) {
    if (phase.supersededBy) {
      return {
        ...base,
        ...interrupted,
        kind: cs.type === "CREATE" ? "created" : "updated",
        outputs: {},
        message:
          `Stack ${name}: this run's change set ${cs.name} was executed (${outcome.status}), then ${phase.supersededBy} ` +
          `was executed after it, before this run could read its outputs; they are not reported as this run's. ` +
          `The stack's current outputs: \`${ctx.commands.status}\`.${note}`,
      };
    }
    return {
      ...base,
      ...interrupted,
      kind: cs.type === "CREATE" ? "created" : "updated",
      outputs,
      ...(note ? { message: note.trim() } : {}),
    };
  }
  const rootCause = phase.rootCause ?? [];
  const next =
    outcome.status === "ROLLBACK_COMPLETE"
      ? ` The stack holds nothing now; the next \`${ctx.commands.deploy}\` deletes it and creates it again.`
      : outcome.status === "UPDATE_ROLLBACK_COMPLETE"
        ? " The stack was rolled back to its previous state."
        : outcome.status === "UPDATE_ROLLBACK_FAILED"
          ? ` The next \`${ctx.commands.deploy}\` resumes the rollback (continue-update-rollback).`
          : "";
  return {
    ...base,
    ...interrupted,
    kind: "failed",
    outputs,
    rootCause,
    // the root cause is in `rootCause`, printed once by the caller, not repeated here
    message: `Stack ${name} ${verb} failed and ended in ${outcome.status}.${next}${note}`,
  };
}

/** The state after a step: the new phase, and what else changed. */
export function at(state: RunState, phase: RunState["phase"], extra: Partial<RunState> = {}): RunState {
  return { ...state, ...extra, phase };
}
