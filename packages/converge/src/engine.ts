import { hostname } from "node:os";
import type { Stack } from "@aws-sdk/client-cloudformation";
import { createCfnClient, createS3Client, createStsClient, RETRIES_ITSELF } from "./clients.js";
import { StillDeployingError } from "./errors.js";
import { EventFollower, isStackEvent } from "./events.js";
import { backoffDelay, type CallContext, instrument, isTransient } from "./retry.js";
import type { CallOptions, CfnClient, EngineDeps, Reporter, S3Like, StackEvent, StsLike } from "./types.js";

export const DEFAULT_POLL_SCHEDULE = [250, 500, 1000, 2000, 3000, 5000];
const DEFAULT_WAIT_ERROR_BUDGET_MS = 5 * 60_000;

/** Everything one operation needs: instrumented clients, clock, reporter, what the caller's user types. */
export interface Engine {
  cfn: CfnClient;
  s3(): S3Like;
  sts(): StsLike;
  ctx: CallContext;
  reporter: Reporter;
  /** Sleeps; returns early when the run is interrupted. */
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
  schedule: number[];
  changeSetTimeoutMs: number;
  waitErrorBudgetMs: number;
  signal?: AbortSignal;
  /** Options for calls that only read: they are abandoned on Ctrl-C. Changes are never aborted mid-call. */
  read: CallOptions;
  confirm?: EngineDeps["confirm"];
  plan: boolean;
  commands: { deploy: string; status: string };
  runLabel: string;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A sleep that an abort ends at once. */
function abortable(sleep: (ms: number) => Promise<void>, signal: AbortSignal | undefined) {
  if (!signal) return sleep;
  return (ms: number) => {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      sleep(ms).then(done, done);
    });
  };
}

function retriesItself(client: object): boolean {
  return (client as Record<symbol, unknown>)[RETRIES_ITSELF] === true;
}

export function makeEngine(deps: EngineDeps = {}): Engine {
  const reporter = deps.reporter ?? {};
  const sleep = abortable(deps.sleep ?? realSleep, deps.signal);
  const random = deps.random ?? Math.random;
  const ctx: CallContext = {
    calls: 0,
    byOperation: {},
    sleep,
    random,
    maxAttempts: deps.maxAttempts ?? 6,
    reporter,
  };
  const rawCfn = deps.cfn ?? createCfnClient(deps.aws);
  const cfn = instrument(rawCfn, ctx, retriesItself(rawCfn));
  let s3: S3Like | undefined;
  let sts: StsLike | undefined;
  return {
    cfn,
    s3: () => {
      if (!s3) {
        const raw = deps.s3 ?? createS3Client(deps.aws);
        s3 = instrument(raw, ctx, retriesItself(raw));
      }
      return s3;
    },
    sts: () => {
      if (!sts) {
        const raw = deps.sts ?? createStsClient(deps.aws);
        sts = instrument(raw, ctx, retriesItself(raw));
      }
      return sts;
    },
    ctx,
    reporter,
    sleep,
    now: deps.now ?? Date.now,
    random,
    schedule: deps.pollSchedule && deps.pollSchedule.length > 0 ? deps.pollSchedule : DEFAULT_POLL_SCHEDULE,
    changeSetTimeoutMs: deps.changeSetTimeoutMs ?? 10 * 60_000,
    waitErrorBudgetMs: deps.waitErrorBudgetMs ?? DEFAULT_WAIT_ERROR_BUDGET_MS,
    ...(deps.signal ? { signal: deps.signal } : {}),
    read: deps.signal ? { abortSignal: deps.signal } : {},
    ...(deps.confirm ? { confirm: deps.confirm } : {}),
    plan: deps.plan === true,
    commands: {
      deploy: deps.commands?.deploy ?? "sparta provision",
      status: deps.commands?.status ?? "sparta status",
    },
    runLabel: deps.runLabel ?? `pid ${process.pid} on ${hostname()}`,
  };
}

/** Adaptive polling: the i-th wait of an operation (sub-second first, then backing off). */
export function pollDelay(engine: Engine, i: number): number {
  return engine.schedule[Math.min(i, engine.schedule.length - 1)]!;
}

function isMissingStack(e: unknown): boolean {
  const err = e as { name?: string; message?: string };
  return err?.name === "ValidationError" && /does not exist/i.test(err.message ?? "");
}

/** DescribeStacks for one stack; undefined when there is none. Pass `read` options to make it abortable. */
export async function getStack(
  engine: Engine,
  nameOrId: string,
  options: CallOptions = engine.read,
): Promise<Stack | undefined> {
  try {
    const out = await engine.cfn.describeStacks({ StackName: nameOrId }, options);
    const stack = out.Stacks?.[0];
    return stack && stack.StackStatus !== "DELETE_COMPLETE"
      ? stack
      : stack?.StackId === nameOrId
        ? stack
        : undefined;
  } catch (e) {
    if (isMissingStack(e)) return undefined;
    throw e;
  }
}

export function outputsOf(stack: Stack | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of stack?.Outputs ?? []) if (o.OutputKey) out[o.OutputKey] = o.OutputValue ?? "";
  return out;
}

export function recordOf(list: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) if (t.Key) out[t.Key] = t.Value ?? "";
  return out;
}

const FINAL_STACK_STATUS =
  /^(CREATE_COMPLETE|CREATE_FAILED|ROLLBACK_COMPLETE|ROLLBACK_FAILED|UPDATE_COMPLETE|UPDATE_FAILED|UPDATE_ROLLBACK_COMPLETE|UPDATE_ROLLBACK_FAILED|DELETE_COMPLETE|DELETE_FAILED|IMPORT_COMPLETE|IMPORT_ROLLBACK_COMPLETE|IMPORT_ROLLBACK_FAILED)$/;

export function isFinalStatus(status: string | undefined): boolean {
  return status !== undefined && FINAL_STACK_STATUS.test(status);
}

export interface WaitOutcome {
  status: string;
  stack?: Stack;
  /** Ctrl-C: the wait stopped; `status` is the stack's state at that moment (final or not). */
  interrupted?: boolean;
}

/**
 * Keeps a wait going through failed reads: throttling, dropped connections and timeouts are retried with
 * exponential backoff for as long as `waitErrorBudgetMs` (counted from the first failure in a row); past it,
 * StillDeployingError says CloudFormation carries on and how to follow it.
 */
export class ReadFailures {
  private since: number | undefined;
  private count = 0;
  constructor(
    private readonly engine: Engine,
    private readonly stackName: string,
    private readonly what: string,
  ) {}
  ok(): void {
    this.since = undefined;
    this.count = 0;
  }
  /** Rethrows what is not transient; else waits before the next try, or gives up past the budget. */
  async failed(error: unknown, lastStatus: string): Promise<void> {
    if (!isTransient(error)) throw error;
    const engine = this.engine;
    this.count++;
    this.since ??= engine.now();
    const elapsed = engine.now() - this.since;
    if (elapsed >= engine.waitErrorBudgetMs) {
      throw new StillDeployingError(
        this.stackName,
        lastStatus,
        `${this.count} reads of ${this.what} failed in a row over ${Math.round(elapsed / 1000)} s`,
        engine.commands.status,
        error,
      );
    }
    const delay = Math.max(pollDelay(engine, 0), backoffDelay(Math.min(this.count, 7), engine.random));
    if (this.count === 1 || this.count % 5 === 0) {
      engine.reporter.warn?.(
        `Reading ${this.what} failed (${(error as Error).name ?? "error"}: ${(error as Error).message ?? ""}); ` +
          `still waiting, next try in ${Math.round(delay / 100) / 10} s (${this.count} in a row).`,
      );
    }
    await engine.sleep(delay);
  }
}

/**
 * Follow a running stack operation until the stack reaches a final status, streaming its events.
 * The stack's own final event ends the wait; DescribeStacks is asked now and then as a safety net. On Ctrl-C it
 * stops at once and reports the stack's state (one unabortable DescribeStacks, bounded by the client's timeouts).
 */
export async function waitForStack(
  engine: Engine,
  follower: EventFollower,
  stackId: string,
  stackName: string,
  lastStatus = "UNKNOWN",
): Promise<WaitOutcome> {
  let sawFinal = false;
  let status = lastStatus;
  const failures = new ReadFailures(engine, stackName, "the stack's events");
  for (let i = 0; ; i++) {
    if (engine.signal?.aborted) return interrupted(engine, stackId, status);
    try {
      const fresh = await follower.poll();
      for (const e of fresh) if (isStackEvent(e) && e.stackId === stackId) status = e.status;
      const final = fresh.findLast(
        (e: StackEvent) => isStackEvent(e) && e.stackId === stackId && isFinalStatus(e.status),
      );
      sawFinal ||= final !== undefined;
      // after the final event, confirm every poll (DescribeStacks may lag the events briefly)
      if (sawFinal || i % 10 === 9) {
        const stack = await getStack(engine, stackId);
        if (stack?.StackStatus) status = stack.StackStatus;
        if (stack && isFinalStatus(stack.StackStatus)) {
          if (!sawFinal) await follower.poll();
          return { status: stack.StackStatus!, stack };
        }
      }
      failures.ok();
    } catch (error) {
      if (engine.signal?.aborted) return interrupted(engine, stackId, status);
      await failures.failed(error, status);
      continue;
    }
    await engine.sleep(pollDelay(engine, i));
  }
}

async function interrupted(engine: Engine, stackId: string, lastStatus: string): Promise<WaitOutcome> {
  const stack = await getStack(engine, stackId, {}).catch(() => undefined);
  return { status: stack?.StackStatus ?? lastStatus, ...(stack ? { stack } : {}), interrupted: true };
}

/** Delete a stack and wait, with events. */
export async function deleteAndWait(
  engine: Engine,
  stackId: string,
  stackName: string,
  token: string,
  total = 0,
): Promise<{ outcome: WaitOutcome; follower: EventFollower }> {
  const follower = new EventFollower(engine.cfn, stackId, stackName, engine.reporter, engine.read);
  follower.total = total;
  await follower.baseline();
  await engine.cfn.deleteStack({ StackName: stackId, ClientRequestToken: token });
  const outcome = await waitForStack(engine, follower, stackId, stackName, "DELETE_IN_PROGRESS");
  return { outcome, follower };
}
