import type { Stack } from "@aws-sdk/client-cloudformation";
import { createCfnClient, createS3Client } from "./clients.js";
import { EventFollower, isStackEvent } from "./events.js";
import { type CallContext, instrument } from "./retry.js";
import type { CfnClient, EngineDeps, Reporter, S3Like, StackEvent } from "./types.js";

export const DEFAULT_POLL_SCHEDULE = [250, 500, 1000, 2000, 3000, 5000];

/** Everything one operation needs: instrumented clients, clock, reporter. */
export interface Engine {
  cfn: CfnClient;
  s3(): S3Like;
  ctx: CallContext;
  reporter: Reporter;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  schedule: number[];
  changeSetTimeoutMs: number;
  signal?: AbortSignal;
  confirm?: EngineDeps["confirm"];
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function makeEngine(deps: EngineDeps = {}): Engine {
  const reporter = deps.reporter ?? {};
  const sleep = deps.sleep ?? realSleep;
  const ctx: CallContext = {
    calls: 0,
    byOperation: {},
    sleep,
    random: deps.random ?? Math.random,
    maxAttempts: deps.maxAttempts ?? 6,
    reporter,
  };
  const cfn = instrument(deps.cfn ?? createCfnClient(), ctx);
  let s3: S3Like | undefined;
  return {
    cfn,
    s3: () => {
      s3 ??= instrument(deps.s3 ?? createS3Client(), ctx);
      return s3;
    },
    ctx,
    reporter,
    sleep,
    now: deps.now ?? Date.now,
    schedule: deps.pollSchedule && deps.pollSchedule.length > 0 ? deps.pollSchedule : DEFAULT_POLL_SCHEDULE,
    changeSetTimeoutMs: deps.changeSetTimeoutMs ?? 10 * 60_000,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.confirm ? { confirm: deps.confirm } : {}),
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

/** DescribeStacks for one stack; undefined when there is none. */
export async function getStack(engine: Engine, nameOrId: string): Promise<Stack | undefined> {
  try {
    const out = await engine.cfn.describeStacks({ StackName: nameOrId });
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
  interrupted?: boolean;
}

/**
 * Follow a running stack operation until the stack reaches a final status, streaming its events.
 * The stack's own final event ends the wait; DescribeStacks is asked now and then as a safety net.
 */
export async function waitForStack(
  engine: Engine,
  follower: EventFollower,
  stackId: string,
): Promise<WaitOutcome> {
  let sawFinal = false;
  for (let i = 0; ; i++) {
    if (engine.signal?.aborted) {
      const stack = await getStack(engine, stackId);
      return { status: stack?.StackStatus ?? "UNKNOWN", ...(stack ? { stack } : {}), interrupted: true };
    }
    const fresh = await follower.poll();
    const final = fresh.findLast(
      (e: StackEvent) => isStackEvent(e) && e.stackId === stackId && isFinalStatus(e.status),
    );
    sawFinal ||= final !== undefined;
    // after the final event, confirm every poll (DescribeStacks may lag the events briefly)
    if (sawFinal || i % 10 === 9) {
      const stack = await getStack(engine, stackId);
      if (stack && isFinalStatus(stack.StackStatus)) {
        if (!sawFinal) await follower.poll();
        return { status: stack.StackStatus!, stack };
      }
    }
    await engine.sleep(pollDelay(engine, i));
  }
}

/** Delete a stack and wait, with events. */
export async function deleteAndWait(
  engine: Engine,
  stackId: string,
  stackName: string,
  token: string,
  total = 0,
): Promise<{ outcome: WaitOutcome; follower: EventFollower }> {
  const follower = new EventFollower(engine.cfn, stackId, stackName, engine.reporter);
  follower.total = total;
  await follower.baseline();
  await engine.cfn.deleteStack({ StackName: stackId, ClientRequestToken: token });
  const outcome = await waitForStack(engine, follower, stackId);
  return { outcome, follower };
}
