/**
 * The calls of a converge run: each step of `machine.ts` carried out, returning the state it leads to. No step
 * decides what comes next; what a step observes (a vanished change set, a foreign event, a refusal) goes into the
 * state for `decide` to act on.
 */
import type { ChangeSetSummary, Stack } from "@aws-sdk/client-cloudformation";
import {
  CHANGE_SET_PREFIX,
  type ChangeSetRef,
  changeSetDescription,
  deleteChangeSet,
  identifyOtherRun,
  isExecuted,
  isNotFound,
  listChangeSets,
  nameRun,
  sortChangeSets,
  waitForChangeSet,
} from "./changeset.js";
import {
  deleteAndWait,
  type Engine,
  getStack,
  isFinalStatus,
  outputsOf,
  pollDelay,
  waitForStack,
} from "./engine.js";
import { ConcurrentDeployError, StackBusyError } from "./errors.js";
import { EventFollower, findRootCause, isStackEvent } from "./events.js";
import { capabilitiesOf, rollbackTriggersOf, toParameters, toTags } from "./inputs.js";
import { at, type Run, type RunState, type Step } from "./machine.js";
import { retag } from "./retag.js";
import { canonicalJson, hasNestedStacks, parseDeployedTemplate } from "./template.js";
import type { Change, ConvergeResult, StackEvent } from "./types.js";
import { type PreparedTemplate, prepareTemplate } from "./upload.js";

/** CreateChangeSet refusals that mean another run got there first (created, is updating, or deleted the stack). */
const CREATE_CONTENDED =
  /already exists and cannot be created again|is in \w+_IN_PROGRESS state|^Stack \[[^\]]+\] does not exist|^Stack with id \S+ does not exist/i;
/** ExecuteChangeSet refusals that mean another run executed first (ours was deleted or made obsolete). */
const EXECUTE_CONTENDED =
  /is in \w+_IN_PROGRESS state|cannot be executed in its current (status|state)|OBSOLETE/i;

/** The change set name and idempotency token of the run's n-th plan (a new pair after each restart). */
function attemptNames(run: Run, restarts: number): { changeSetName: string; token: string } {
  const suffix = restarts > 0 ? `-r${restarts}` : "";
  const changeSetName = `${run.name}${suffix}`;
  // A retried CreateChangeSet with the same token is the same request. The other request tokens derive from the
  // run-unique change set name, so a clientToken reused across runs cannot make CloudFormation take a new
  // ExecuteChangeSet/DeleteStack for a retry of an old one.
  const token = (run.input.clientToken ? `${run.input.clientToken}${suffix}` : changeSetName)
    .replace(/[^A-Za-z0-9-]/g, "-")
    .slice(0, 128);
  return { changeSetName, token };
}

function failedResult(
  run: Run,
  stack: Stack | undefined,
  state: RunState,
  message: string,
  extra: Partial<ConvergeResult> = {},
): RunState {
  return at(state, {
    at: "done",
    result: {
      kind: "failed",
      stackName: run.input.stackName,
      ...(stack?.StackId ? { stackId: stack.StackId } : {}),
      outputs: outputsOf(stack),
      events: state.events,
      message,
      ...extra,
    },
  });
}

/** Carry out one step and return the state it leads to. */
export async function perform(engine: Engine, run: Run, state: RunState, step: Step): Promise<RunState> {
  const name = run.input.stackName;
  switch (step.do) {
    case "describe": {
      if (step.restart) {
        engine.reporter.info?.(
          `Another deploy changed stack ${name} while this run was under way; planning again (${state.restarts + 1} of at most 3).`,
        );
      }
      const stack = await getStack(engine, name);
      return at(
        state,
        { at: "observed", stack },
        step.restart ? { restarts: state.restarts + 1, madeStack: false } : {},
      );
    }

    case "wait-for-stack": {
      const { stack } = step;
      const other = await identifyOtherRun(engine, stack, undefined);
      engine.reporter.info?.(
        `Stack ${name} is ${stack.StackStatus}: ${other.label} is deploying it; waiting for it to finish, then this run plans again.`,
      );
      const follower = new EventFollower(engine.cfn, stack.StackId!, name, engine.reporter, engine.read);
      await follower.baseline();
      const waited = await waitForStack(engine, follower, stack.StackId!, name, stack.StackStatus);
      const events = [...state.events, ...follower.events];
      if (waited.interrupted) {
        return failedResult(
          run,
          waited.stack ?? stack,
          { ...state, events },
          `Interrupted while waiting for ${other.label}; this run changed nothing. Stack ${name} is ${waited.status}.`,
          { interrupted: true },
        );
      }
      return at(
        state,
        { at: "observed", stack: waited.status === "DELETE_COMPLETE" ? undefined : waited.stack },
        { events },
      );
    }

    case "refuse-busy": {
      const other = await identifyOtherRun(engine, step.stack, undefined);
      const follow = engine.commands.status;
      if (other.sparta) {
        throw new ConcurrentDeployError(
          name,
          other.label,
          `The stack is ${step.stack.StackStatus}; this run changed nothing${engine.plan ? " (a plan does not wait)" : ""}.`,
          follow,
        );
      }
      throw new StackBusyError(
        name,
        step.stack.StackStatus ?? "UNKNOWN",
        follow,
        `${other.label} is running on it${engine.plan ? " (a plan does not wait)" : ""}`,
      );
    }

    case "fail":
      throw step.error;

    case "recreate": {
      const { stack } = step;
      const status = stack.StackStatus;
      engine.reporter.info?.(
        `Stack ${name} is ${status} after a failed first create and holds nothing usable; deleting it and creating it again.`,
      );
      const { outcome, follower } = await deleteAndWait(engine, stack.StackId!, name, `${run.name}-del`);
      const events = [...state.events, ...follower.events];
      if (outcome.status !== "DELETE_COMPLETE") {
        const rootCause = await findRootCause(follower.events, engine.cfn);
        return failedResult(
          run,
          stack,
          { ...state, events },
          outcome.interrupted
            ? `Interrupted while deleting the failed stack ${name}; CloudFormation carries on (${outcome.status}).`
            : `Stack ${name} was ${status}; deleting it to create it again ended in ${outcome.status}.`,
          { rootCause, outputs: {}, ...(outcome.interrupted ? { interrupted: true } : {}) },
        );
      }
      return at(state, { at: "observed", stack: undefined }, { events });
    }

    case "continue-rollback": {
      const { stack } = step;
      const skip = run.input.resourcesToSkip ?? [];
      engine.reporter.info?.(
        `Stack ${name} is UPDATE_ROLLBACK_FAILED; resuming the rollback (continue-update-rollback${skip.length ? `, skipping ${skip.join(", ")}` : ""}).`,
      );
      const follower = new EventFollower(engine.cfn, stack.StackId!, name, engine.reporter, engine.read);
      await follower.baseline();
      await engine.cfn.continueUpdateRollback({
        StackName: stack.StackId!,
        ClientRequestToken: `${run.name}-cur`,
        ...(skip.length ? { ResourcesToSkip: skip } : {}),
      });
      const outcome = await waitForStack(
        engine,
        follower,
        stack.StackId!,
        name,
        "UPDATE_ROLLBACK_IN_PROGRESS",
      );
      const events = [...state.events, ...follower.events];
      if (outcome.status !== "UPDATE_ROLLBACK_COMPLETE") {
        const rootCause = await findRootCause(follower.events, engine.cfn);
        const ids = rootCause.map((e) => e.logicalId).filter((id) => id && id !== name);
        const example = ids.length ? ids : ["LogicalId"];
        return failedResult(
          run,
          outcome.stack ?? stack,
          { ...state, events },
          outcome.interrupted
            ? `Interrupted while resuming the rollback of stack ${name}; CloudFormation carries on (${outcome.status}).`
            : `Stack ${name}: continue-update-rollback ended in ${outcome.status}.\n` +
                "Fix the resources named in the root cause so they can be rolled back, or skip them (they stay as they are now and " +
                `CloudFormation marks them rolled back): resourcesToSkip: ${JSON.stringify(example)}` +
                ` (\`${engine.commands.deploy} --resources-to-skip ${example.join(",")}\`), then run again.`,
          { rootCause, ...(outcome.interrupted ? { interrupted: true } : {}) },
        );
      }
      engine.reporter.info?.(
        `Stack ${name} is back to UPDATE_ROLLBACK_COMPLETE; continuing with the update.`,
      );
      return at(state, { at: "observed", stack: outcome.stack }, { events });
    }

    case "list-review": {
      const { stack } = step;
      const summaries = await listChangeSets(engine, stack);
      const { stale, others } = sortChangeSets(engine, summaries, undefined, hostOf(engine));
      for (const s of stale)
        await deleteChangeSet(engine, { id: s.ChangeSetId ?? s.ChangeSetName!, stackId: stack.StackId! });
      if (stale.length > 0)
        engine.reporter.info?.(`Deleted ${stale.length} stale change set(s) of stack ${name}`);
      const names = others.map(nameRun);
      if (names.length > 0) {
        engine.reporter.info?.(
          `Stack ${name} is REVIEW_IN_PROGRESS: ${names[0]} is creating it too. Whichever run executes first creates it; ` +
            "the other then plans again against it.",
        );
      }
      return at(state, { at: "review", stack, others: names });
    }

    case "compare": {
      const deployed = await engine.cfn.getTemplate(
        { StackName: step.stack.StackId!, TemplateStage: "Original" },
        engine.read,
      );
      const parsed = parseDeployedTemplate(deployed.TemplateBody);
      const same = parsed !== undefined && canonicalJson(parsed) === canonicalJson(run.input.template);
      return at(state, { at: "compared", stack: step.stack, same });
    }

    case "prepare": {
      run.prepared ??= await prepareTemplate(engine, run.input, run.body, step.stack);
      return at(state, { at: "prepared", stack: step.stack, template: run.prepared });
    }

    case "create-change-set":
      return createChangeSet(engine, run, state, step.stack, step.template);

    case "wait-change-set": {
      const outcome = await waitForChangeSet(engine, name, step.cs);
      if (outcome.kind === "gone") {
        const other = await identifyOtherRun(
          engine,
          { StackId: step.cs.stackId, StackName: name },
          step.cs.name,
        );
        engine.reporter.info?.(
          `The change set of this run vanished: ${other.label} executed its own on stack ${name}.`,
        );
        return at(state, { at: "contended", other: other.label, sparta: other.sparta });
      }
      return at(state, { at: "evaluated", cs: step.cs, outcome });
    }

    case "confirm": {
      const ok = await engine.confirm!(step.changes, name);
      return at(state, { at: ok ? "approved" : "declined", cs: step.cs, changes: step.changes });
    }

    case "verify":
      return verify(engine, run, state, step.cs, step.changes);

    case "execute": {
      const { cs, changes } = step;
      engine.reporter.info?.(
        `${cs.type === "CREATE" ? "Creating" : "Updating"} stack ${name}: ${changes.length} resource change(s)`,
      );
      cs.follower.total = changes.length;
      try {
        await engine.cfn.executeChangeSet({
          ChangeSetName: cs.id,
          StackName: cs.stackId,
          ClientRequestToken: `${cs.name}-exec`,
        });
      } catch (e) {
        const contended =
          isNotFound(e) ||
          (e as Error).name === "InvalidChangeSetStatusException" ||
          EXECUTE_CONTENDED.test((e as Error).message ?? "");
        if (!contended) throw e;
        const other = await identifyOtherRun(engine, { StackId: cs.stackId, StackName: name }, cs.name);
        return at(state, { at: "contended", cs, other: other.label, sparta: other.sparta });
      }
      return at(state, { at: "executing", cs, changes });
    }

    case "follow":
      return follow(engine, run, state, step.cs, step.changes);

    case "discard": {
      const { cs } = step;
      await deleteChangeSet(engine, cs);
      const left =
        state.madeStack && cs.type === "CREATE" ? await removeReviewStack(engine, run, cs) : undefined;
      if (left) engine.reporter.info?.(left);
      return at(state, {
        at: "discarded",
        cs,
        why: step.why,
        ...(step.changes ? { changes: step.changes } : {}),
        ...(step.reason ? { reason: step.reason } : {}),
        ...(left ? { left } : {}),
        ...(step.stop ? { stop: step.stop } : {}),
      });
    }

    case "retag":
      return retag(engine, run, state, step.stack);

    case "confirm-tags": {
      const ok = await engine.confirm!([], name);
      return at(state, { at: ok ? "tags-approved" : "tags-declined", stack: step.stack });
    }

    case "finish":
      return at(state, { at: "done", result: step.result });
  }
}

/**
 * Just before executing: is the change set still the next thing to happen to the stack? Not if anything happened
 * to the stack since it was planned (a foreign event), nor if another run's change set made before ours is still
 * pending (it goes first: this run waits for it, bounded, then plans again). On AWS, executing a change set deletes
 * the others, which catches the rest; the emulator does not, and this order keeps two runs apart there too.
 * Stale change sets of ours that dead runs left are deleted on the way.
 */
async function verify(
  engine: Engine,
  run: Run,
  state: RunState,
  cs: ChangeSetRef,
  changes: Change[],
): Promise<RunState> {
  const name = run.input.stackName;
  const stack = { StackId: cs.stackId, StackName: name };
  const contended = async (fresh: StackEvent[] = [], stop?: string) => {
    const other = await identifyOtherRun(engine, stack, cs.name, fresh);
    return at(state, {
      at: "contended",
      cs,
      other: other.label,
      sparta: other.sparta,
      ...(stop ? { stop } : {}),
    });
  };
  const started = engine.now();
  for (let i = 0; ; i++) {
    const summaries = await listChangeSets(engine, stack);
    const mine = summaries.find((s) => s.ChangeSetName === cs.name);
    if (!mine) return contended();
    // a change set executed since this run planned (the emulator keeps executed ones listed; AWS deletes ours then)
    const executed = summaries.filter(
      (s) =>
        s.ChangeSetName !== cs.name &&
        isExecuted(s) &&
        !cs.executedBefore.has(s.ChangeSetId ?? s.ChangeSetName!),
    );
    if (executed.length > 0) return contended();
    const { others } = sortChangeSets(engine, summaries, cs.name, hostOf(engine));
    const ahead = others.filter((s) => s.ChangeSetName?.startsWith(CHANGE_SET_PREFIX) && madeBefore(s, mine));
    if (ahead.length === 0) {
      // last, the events: anything that happened to the stack since this run planned
      const fresh = await cs.follower.poll({ quiet: true });
      if (fresh.length > 0) return contended(fresh);
      return at(state, { at: "verified", cs, changes });
    }
    const first = nameRun(ahead[0]!);
    if (run.input.waitForRunningOperation === false) {
      return at(state, {
        at: "contended",
        cs,
        other: first,
        sparta: true,
        stop: "Its change set was made before this run's and has not been executed yet.",
      });
    }
    const waited = engine.now() - started;
    if (waited >= engine.changeSetTimeoutMs) {
      return at(state, {
        at: "contended",
        cs,
        other: first,
        sparta: true,
        stop:
          `Its change set was made before this run's and was still pending after ${Math.round(waited / 1000)} s ` +
          `(waiting for a confirmation?). If that run is gone, delete it: aws cloudformation delete-change-set --stack-name ${name} --change-set-name ${ahead[0]!.ChangeSetName}.`,
      });
    }
    if (i === 0) {
      engine.reporter.info?.(
        `${first} was made before this run's and is not executed yet; it goes first: waiting for it, then this run plans again.`,
      );
    }
    if (engine.signal?.aborted) return at(state, { at: "approved", cs, changes });
    await engine.sleep(pollDelay(engine, i));
  }
}

/** A stack-level event that starts an operation. */
const OPERATION_START = /^(CREATE|UPDATE|DELETE|IMPORT)_IN_PROGRESS$/;

/**
 * Follow this run's execution to its end. The outcome is this run's own: when the events show another operation
 * after ours (their request tokens say whose; without tokens, an operation we cannot prove ours), or the stack's
 * ChangeSetId is another change set, the stack's outputs are not reported as this run's.
 */
async function follow(
  engine: Engine,
  run: Run,
  state: RunState,
  cs: ChangeSetRef,
  changes: Change[],
): Promise<RunState> {
  const name = run.input.stackName;
  const verb = cs.type === "CREATE" ? "CREATE" : "UPDATE";
  const outcome = await waitForStack(engine, cs.follower, cs.stackId, name, `${verb}_IN_PROGRESS`);
  const events = [...state.events, ...cs.follower.events];
  const own = `${cs.name}-exec`;
  const mine = (e: StackEvent) => isStackEvent(e) && e.stackId === cs.stackId;
  const starts = cs.follower.events.filter((e) => mine(e) && OPERATION_START.test(e.status));
  let status = outcome.status;
  let supersededBy: string | undefined;
  if (starts.length > 1 && starts.at(-1)!.clientRequestToken !== own) {
    const ourStart = cs.follower.events.findIndex(
      (e) => mine(e) && e.clientRequestToken === own && OPERATION_START.test(e.status),
    );
    const ourEnd =
      ourStart >= 0
        ? cs.follower.events.slice(ourStart).find((e) => mine(e) && isFinalStatus(e.status))
        : undefined;
    if (ourEnd) status = ourEnd.status;
    const other = await identifyOtherRun(
      engine,
      { StackId: cs.stackId, StackName: name },
      cs.name,
      starts.slice(-1),
    );
    supersededBy = other.label;
  }
  // CloudFormation records the change set a stack last executed: if it is not ours, its outputs are not either.
  const last = outcome.stack?.ChangeSetId;
  if (!supersededBy && last && last !== cs.id)
    supersededBy = `change set ${/changeSet\/([^/]+)/.exec(last)?.[1] ?? last}`;
  const final = isFinalStatus(status);
  const success = status === "CREATE_COMPLETE" || status === "UPDATE_COMPLETE";
  const rootCause = final && !success ? await findRootCause(cs.follower.events, engine.cfn) : undefined;
  return at(
    state,
    {
      at: "settled",
      cs,
      changes,
      outcome: { ...outcome, status },
      ...(rootCause ? { rootCause } : {}),
      ...(supersededBy && success ? { supersededBy } : {}),
    },
    { events },
  );
}

/** Change set `a` was made before `b` (creation time, then name: every run orders them the same way). */
function madeBefore(a: ChangeSetSummary, b: ChangeSetSummary): boolean {
  const ta = new Date(a.CreationTime ?? 0).getTime();
  const tb = new Date(b.CreationTime ?? 0).getTime();
  return ta < tb || (ta === tb && (a.ChangeSetName ?? "") < (b.ChangeSetName ?? ""));
}

function hostOf(engine: Engine): string {
  return /pid \d+ on (\S+)/.exec(engine.runLabel)?.[1] ?? "";
}

async function createChangeSet(
  engine: Engine,
  run: Run,
  state: RunState,
  stack: Stack | undefined,
  template: PreparedTemplate,
): Promise<RunState> {
  const input = run.input;
  const name = input.stackName;
  const { changeSetName, token } = attemptNames(run, state.restarts);
  const existing = stack && stack.StackStatus !== "REVIEW_IN_PROGRESS" ? stack : undefined;
  const type = existing ? "UPDATE" : "CREATE";
  let follower: EventFollower | undefined;
  const executedBefore = new Set<string>();
  if (existing) {
    const summaries = await listChangeSets(engine, existing);
    for (const s of summaries) if (isExecuted(s)) executedBefore.add(s.ChangeSetId ?? s.ChangeSetName!);
    const { stale } = sortChangeSets(engine, summaries, changeSetName, hostOf(engine));
    for (const s of stale)
      await deleteChangeSet(engine, { id: s.ChangeSetId ?? s.ChangeSetName!, stackId: existing.StackId! });
    if (stale.length > 0)
      engine.reporter.info?.(`Deleted ${stale.length} stale change set(s) of stack ${name}`);
    follower = new EventFollower(engine.cfn, existing.StackId!, name, engine.reporter, engine.read);
    await follower.baseline();
  }
  const triggers = rollbackTriggersOf(input, existing);
  if (input.rollbackTriggerOutputs?.length) {
    engine.reporter.info?.(
      triggers.length > 0
        ? `${name}: rolls back if ${triggers.map((t) => t.Arn).join(", ")} goes to ALARM within ${input.monitoringTimeMinutes ?? 0} minutes`
        : `${name}: no rollback trigger yet (the alarms are created by this deployment and guard the next ones)`,
    );
  }
  let created: { Id?: string; StackId?: string };
  try {
    created = await engine.cfn.createChangeSet({
      StackName: name,
      ChangeSetName: changeSetName,
      ChangeSetType: type,
      ClientToken: token,
      Description: changeSetDescription(engine),
      ...(template.templateUrl
        ? { TemplateURL: template.templateUrl }
        : { TemplateBody: template.templateBody }),
      Parameters: toParameters(input.parameters),
      Tags: toTags(input.tags),
      Capabilities: capabilitiesOf(input),
      // nested stacks' changes are planned with the root's (one change set, reviewed and executed as one)
      ...(hasNestedStacks(input.template) ? { IncludeNestedStacks: true } : {}),
      ...(triggers.length
        ? {
            RollbackConfiguration: {
              RollbackTriggers: triggers,
              MonitoringTimeInMinutes: input.monitoringTimeMinutes ?? 0,
            },
          }
        : {}),
    });
  } catch (e) {
    const refusal = refusalMessage(e);
    if (!refusal) throw e;
    if (CREATE_CONTENDED.test((e as Error).message ?? "")) {
      // e.g. a CREATE for a stack another run created since we looked, or an UPDATE while it is being updated
      const other = await identifyOtherRun(
        engine,
        await getStack(engine, name).catch(() => undefined),
        changeSetName,
      );
      return at(state, { at: "contended", other: other.label, sparta: other.sparta });
    }
    return failedResult(
      run,
      existing,
      state,
      `CloudFormation refused the change set for stack ${name}: ${refusal}`,
      {
        ...(stack?.StackId ? { stackId: stack.StackId } : {}),
      },
    );
  }
  const stackId = created.StackId ?? stack?.StackId ?? name;
  if (!follower) {
    follower = new EventFollower(engine.cfn, stackId, name, engine.reporter, engine.read);
    await follower.baseline();
  }
  const cs: ChangeSetRef = {
    id: created.Id!,
    name: changeSetName,
    type,
    stackId,
    base: stack,
    follower,
    executedBefore,
  };
  return at(state, { at: "created", cs }, { madeStack: type === "CREATE" && !stack });
}

/** An API refusal of the request itself (bad template, missing capability): a failed result, not a crash. */
function refusalMessage(e: unknown): string | undefined {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err?.$metadata?.httpStatusCode;
  if (!status || status >= 500) return undefined;
  const hint =
    err.name === "InsufficientCapabilitiesException"
      ? '\nPass the capabilities it names, e.g. capabilities: ["CAPABILITY_NAMED_IAM"], or omit `capabilities` to infer them.'
      : "";
  return `${err.name}: ${err.message}${hint}`;
}

/**
 * The stack this run's CREATE change set made, once that change set is deleted: removed only if it is still
 * REVIEW_IN_PROGRESS with no other change set (nothing in it, nobody else's). Otherwise another run is creating it:
 * it stays, and the returned text says why.
 */
async function removeReviewStack(engine: Engine, run: Run, cs: ChangeSetRef): Promise<string | undefined> {
  const name = run.input.stackName;
  // not abortable: after Ctrl-C this is the cleanup that must still happen
  const stack = await getStack(engine, cs.stackId, {});
  if (!stack || stack.StackStatus === "DELETE_COMPLETE") return undefined;
  if (stack.StackStatus !== "REVIEW_IN_PROGRESS") {
    return `Stack ${name} was left in place: it is ${stack.StackStatus}, another run executed its own change set on it.`;
  }
  const others = await listChangeSets(engine, stack);
  if (others.length > 0) {
    return `Stack ${name} was left in place (REVIEW_IN_PROGRESS): ${nameRun(others[0]!)} is creating it too.`;
  }
  await engine.cfn.deleteStack({ StackName: cs.stackId, ClientRequestToken: `${cs.name}-clean` });
  return undefined;
}
