import type { ChangeSetSummary, Change as SdkChange, Stack } from "@aws-sdk/client-cloudformation";
import { type Engine, pollDelay, ReadFailures } from "./engine.js";
import type { EventFollower } from "./events.js";
import type { Change, StackEvent } from "./types.js";

/** Change sets this engine creates are named with this prefix, followed by the template hash and the run's time. */
export const CHANGE_SET_PREFIX = "sparta-";
/** The description of our change sets starts with this, followed by who runs the deploy (`pid N on HOST`). */
const DESCRIPTION_PREFIX = "@sparta/converge run by ";
/** A change set of ours older than this, from a run we cannot check, is stale (a killed run left it). */
const STALE_AFTER_MS = 60 * 60_000;
const NO_CHANGES = /didn't contain changes|No updates are to be performed|no changes/i;

/** One change set this run created, and what it was planned against. */
export interface ChangeSetRef {
  id: string;
  name: string;
  type: "CREATE" | "UPDATE";
  stackId: string;
  /** The stack as described when the change was planned (undefined for a stack this run's CREATE made). */
  base: Stack | undefined;
  /** Follows the stack's events from before the change set was made: a foreign event means another run acted. */
  follower: EventFollower;
  /** The change sets already executed on the stack when this one was planned: one executed since is another run's. */
  executedBefore: Set<string>;
}

export type ChangeSetOutcome =
  | { kind: "ready"; changes: Change[] }
  | { kind: "empty" }
  | { kind: "failed"; reason: string }
  /** It vanished: CloudFormation deletes a stack's other change sets when one is executed (another run's). */
  | { kind: "gone" }
  | { kind: "interrupted" }
  | { kind: "timeout"; status: string; waitedMs: number };

export function changeSetDescription(engine: Engine): string {
  return `${DESCRIPTION_PREFIX}${engine.runLabel}`.slice(0, 1024);
}

export function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; Code?: string; message?: string };
  return (
    err?.name === "ChangeSetNotFoundException" ||
    err?.name === "ChangeSetNotFound" ||
    err?.Code === "ChangeSetNotFound" ||
    (err?.name === "ValidationError" && /does not exist/i.test(err.message ?? ""))
  );
}

export function toChanges(raw: SdkChange[] | undefined): Change[] {
  return (raw ?? []).flatMap((c) => {
    const r = c.ResourceChange;
    if (!r) return [];
    return [
      {
        action: r.Action ?? "",
        logicalId: r.LogicalResourceId ?? "",
        ...(r.PhysicalResourceId ? { physicalId: r.PhysicalResourceId } : {}),
        resourceType: r.ResourceType ?? "",
        ...(r.Replacement ? { replacement: r.Replacement } : {}),
        ...(r.Scope?.length ? { scope: r.Scope as string[] } : {}),
      },
    ];
  });
}

/**
 * Wait for a change set to be created: poll 250 ms → 5 s until CREATE_COMPLETE or FAILED. It vanishing is
 * reported (`gone`), as is a timeout (the caller deletes it). Failed reads are retried within the wait budget.
 */
export async function waitForChangeSet(
  engine: Engine,
  stackName: string,
  cs: ChangeSetRef,
): Promise<ChangeSetOutcome> {
  const started = engine.now();
  const failures = new ReadFailures(engine, stackName, `change set ${cs.name}`);
  let status = "CREATE_PENDING";
  for (let i = 0; ; i++) {
    if (engine.signal?.aborted) return { kind: "interrupted" };
    try {
      const out = await engine.cfn.describeChangeSet(
        { ChangeSetName: cs.id, StackName: cs.stackId },
        engine.read,
      );
      status = out.Status ?? "";
      if (status === "CREATE_COMPLETE") {
        const changes = toChanges(out.Changes);
        let token = out.NextToken;
        while (token) {
          const page = await engine.cfn.describeChangeSet(
            { ChangeSetName: cs.id, StackName: cs.stackId, NextToken: token },
            engine.read,
          );
          changes.push(...toChanges(page.Changes));
          token = page.NextToken;
        }
        return { kind: "ready", changes };
      }
      if (status === "FAILED") {
        const reason = out.StatusReason ?? "no reason given";
        return NO_CHANGES.test(reason) ? { kind: "empty" } : { kind: "failed", reason };
      }
      failures.ok();
    } catch (error) {
      if (engine.signal?.aborted) return { kind: "interrupted" };
      if (isNotFound(error)) return { kind: "gone" };
      await failures.failed(error, cs.base?.StackStatus ?? "REVIEW_IN_PROGRESS");
      continue;
    }
    const waited = engine.now() - started;
    if (waited >= engine.changeSetTimeoutMs)
      return { kind: "timeout", status: status || "pending", waitedMs: waited };
    await engine.sleep(pollDelay(engine, i));
  }
}

/** Delete a change set; one already gone counts as deleted (a retried call whose first answer was lost). */
export async function deleteChangeSet(engine: Engine, cs: { id: string; stackId: string }): Promise<void> {
  try {
    await engine.cfn.deleteChangeSet({ ChangeSetName: cs.id, StackName: cs.stackId });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** The change sets of one stack (ListChangeSets, every page; some emulators list every stack's, so filter). */
export async function listChangeSets(
  engine: Engine,
  stack: { StackId?: string; StackName?: string },
): Promise<ChangeSetSummary[]> {
  const out: ChangeSetSummary[] = [];
  let token: string | undefined;
  do {
    const page = await engine.cfn.listChangeSets(
      { StackName: stack.StackId ?? stack.StackName, NextToken: token },
      engine.read,
    );
    for (const s of page.Summaries ?? []) {
      if (s.StackId === stack.StackId || (!s.StackId && s.StackName === stack.StackName)) out.push(s);
    }
    token = page.NextToken;
  } while (token);
  return out;
}

export function isExecuted(s: ChangeSetSummary): boolean {
  return /^EXECUTE_(IN_PROGRESS|COMPLETE|FAILED)$/.test(s.ExecutionStatus ?? "");
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

/**
 * Whether a change set of ours (by name) was left by a run that is gone: one from this host whose process has
 * ended, or one older than an hour. A younger one from elsewhere may belong to a run still deciding (a prompt).
 */
export function isStale(engine: Engine, s: ChangeSetSummary, host: string): boolean {
  const who = /pid (\d+) on (\S+)/.exec(s.Description ?? "");
  if (who && who[2] === host) return !processAlive(Number(who[1]));
  const created = s.CreationTime ? new Date(s.CreationTime).getTime() : undefined;
  return created === undefined || engine.now() - created > STALE_AFTER_MS;
}

/** What a stack's change sets say about other runs: ours left behind by dead runs, and other live ones. */
export function sortChangeSets(
  engine: Engine,
  summaries: ChangeSetSummary[],
  ownName: string | undefined,
  host: string,
): { stale: ChangeSetSummary[]; others: ChangeSetSummary[] } {
  const stale: ChangeSetSummary[] = [];
  const others: ChangeSetSummary[] = [];
  for (const s of summaries) {
    if (s.ChangeSetName === ownName || isExecuted(s)) continue;
    if (s.ChangeSetName?.startsWith(CHANGE_SET_PREFIX) && isStale(engine, s, host)) stale.push(s);
    else others.push(s);
  }
  return { stale, others };
}

/** "change set sparta-… (@sparta/converge run by pid 42 on ci-7)": how a message names another run. */
export function nameRun(s: { ChangeSetName?: string; Description?: string }): string {
  const who = s.Description?.startsWith(DESCRIPTION_PREFIX)
    ? ` (${s.Description.slice(DESCRIPTION_PREFIX.length)})`
    : s.Description
      ? ` ("${s.Description}")`
      : "";
  return `change set ${s.ChangeSetName ?? "?"}${who}`;
}

/**
 * Name the run that is operating on (or last operated on) a stack, as far as CloudFormation tells: the change set it
 * executed (the stack's ChangeSetId, else a change set listed as executing or executed), else the request token on
 * the stack's events. Costs one or two reads; used only on the contended path.
 */
export async function identifyOtherRun(
  engine: Engine,
  stack: { StackId?: string; StackName?: string; ChangeSetId?: string } | undefined,
  ownName: string | undefined,
  events: StackEvent[] = [],
): Promise<{ label: string; sparta: boolean }> {
  if (stack?.StackId) {
    try {
      const summaries = await listChangeSets(engine, stack);
      const byId = stack.ChangeSetId ? summaries.find((s) => s.ChangeSetId === stack.ChangeSetId) : undefined;
      const running = summaries.filter((s) => s.ChangeSetName !== ownName && isExecuted(s));
      running.sort(
        (a, b) =>
          Number(b.ExecutionStatus === "EXECUTE_IN_PROGRESS") -
            Number(a.ExecutionStatus === "EXECUTE_IN_PROGRESS") ||
          new Date(b.CreationTime ?? 0).getTime() - new Date(a.CreationTime ?? 0).getTime(),
      );
      const pending = summaries.filter((s) => s.ChangeSetName !== ownName && !isExecuted(s));
      const found = (byId?.ChangeSetName !== ownName ? byId : undefined) ?? running[0] ?? pending[0];
      if (found)
        return { label: nameRun(found), sparta: !!found.ChangeSetName?.startsWith(CHANGE_SET_PREFIX) };
    } catch {
      // naming the other run is a courtesy; the decision does not depend on it
    }
  }
  const token = events.findLast((e) => e.clientRequestToken)?.clientRequestToken;
  if (token) {
    const sparta = token.startsWith(CHANGE_SET_PREFIX);
    return {
      label: sparta
        ? `change set ${token.replace(/-(exec|tags|cur|del|clean)$/, "")}`
        : `an operation with client request token ${token}`,
      sparta,
    };
  }
  return { label: "an operation started outside this run (console, CLI or another tool)", sparta: false };
}
