import type { StackEvent as SdkStackEvent } from "@aws-sdk/client-cloudformation";
import type { CallOptions, CfnClient, Reporter, StackEvent } from "./types.js";

function iso(value: Date | string | undefined): string {
  if (value instanceof Date) return value.toISOString();
  return value ? new Date(value).toISOString() : new Date(0).toISOString();
}

export function toStackEvent(e: SdkStackEvent): StackEvent {
  return {
    eventId: e.EventId ?? `${e.LogicalResourceId}-${e.ResourceStatus}-${iso(e.Timestamp)}`,
    stackId: e.StackId ?? "",
    stackName: e.StackName ?? "",
    logicalId: e.LogicalResourceId ?? "",
    ...(e.PhysicalResourceId ? { physicalId: e.PhysicalResourceId } : {}),
    resourceType: e.ResourceType ?? "",
    status: e.ResourceStatus ?? "",
    ...(e.ResourceStatusReason ? { reason: e.ResourceStatusReason } : {}),
    timestamp: iso(e.Timestamp),
    ...(e.ClientRequestToken ? { clientRequestToken: e.ClientRequestToken } : {}),
  };
}

/** True for the stack's own events (as opposed to one of its resources). */
export function isStackEvent(e: StackEvent): boolean {
  return (
    e.resourceType === "AWS::CloudFormation::Stack" &&
    (e.logicalId === e.stackName || (e.physicalId !== undefined && e.physicalId === e.stackId))
  );
}

const TERMINAL = /_(COMPLETE|FAILED|SKIPPED)$/;
const NESTED_TYPE = "AWS::CloudFormation::Stack";
/**
 * Nested stacks whose own events are followed at once (the first to start): enough to watch a change to a few
 * functions of a split service without a DescribeStackEvents per nested stack per poll when hundreds are created.
 */
const MAX_FOLLOWED_NESTED = 5;
const NESTED_SLACK_MS = 5_000;

/** A nested stack being followed: its id, when its operation started (in the parent), the events already shown. */
interface FollowedNested {
  stackId: string;
  since: number;
  seen: Set<string>;
  done: boolean;
}
const CANCELLED_ECHO = /resource (creation|update|deletion) cancelled/i;
const MAX_PAGES = 20;

/**
 * Streams the events of one stack operation: remembers what was there before (`baseline`), then each
 * `poll()` fetches only the new events, emits them oldest first, and reports "N of M" progress.
 */
export class EventFollower {
  readonly events: StackEvent[] = [];
  private readonly seen = new Set<string>();
  private readonly startedAt = new Map<string, number>();
  private readonly finished = new Set<string>();
  private readonly nested = new Map<string, FollowedNested>();
  total = 0;

  constructor(
    private readonly cfn: CfnClient,
    private readonly stackId: string,
    private readonly stackName: string,
    private readonly reporter: Reporter,
    private readonly options: CallOptions = {},
  ) {}

  /** Remember the events that already exist so they are not reported as part of this operation. */
  async baseline(): Promise<void> {
    const out = await this.cfn.describeStackEvents({ StackName: this.stackId }, this.options);
    for (const e of out.StackEvents ?? []) this.seen.add(toStackEvent(e).eventId);
  }

  /**
   * Fetch the events that appeared since the last poll and emit them (oldest first). `quiet` only marks them
   * seen and returns them: a check that nobody else touched the stack, reporting nothing.
   */
  async poll(options: { quiet?: boolean } = {}): Promise<StackEvent[]> {
    const fresh: StackEvent[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.cfn.describeStackEvents(
        { StackName: this.stackId, NextToken: token },
        this.options,
      );
      let reachedSeen = false;
      for (const raw of out.StackEvents ?? []) {
        const e = toStackEvent(raw);
        if (this.seen.has(e.eventId)) {
          reachedSeen = true;
          break;
        }
        fresh.push(e);
      }
      token = out.NextToken;
      if (reachedSeen || !token) break;
    }
    fresh.reverse(); // the API lists newest first
    if (options.quiet) for (const e of fresh) this.seen.add(e.eventId);
    else {
      for (const e of fresh) this.accept(e);
      await this.pollNested();
    }
    return fresh;
  }

  /**
   * Show the events of the nested stacks under way (their resources as `<NestedStack>.<LogicalId>`), so a split
   * service's progress is followed into the nested stack a change is in. Display only: they are not this
   * operation's events (`events`), and a nested stack that cannot be read is skipped.
   */
  private async pollNested(): Promise<void> {
    for (const [logicalId, n] of this.nested) {
      try {
        const out = await this.cfn.describeStackEvents({ StackName: n.stackId }, this.options);
        const fresh = (out.StackEvents ?? [])
          .map(toStackEvent)
          .filter((e) => !n.seen.has(e.eventId) && Date.parse(e.timestamp) >= n.since && !isStackEvent(e))
          .reverse();
        for (const e of fresh) {
          n.seen.add(e.eventId);
          this.reporter.event?.({ ...e, logicalId: `${logicalId}.${e.logicalId}` });
        }
      } catch {
        n.done = true;
      }
      if (n.done) this.nested.delete(logicalId);
    }
  }

  private accept(e: StackEvent): void {
    this.seen.add(e.eventId);
    const key = e.logicalId;
    const t = Date.parse(e.timestamp);
    if (e.status.endsWith("_IN_PROGRESS") && !this.startedAt.has(key)) this.startedAt.set(key, t);
    if (TERMINAL.test(e.status) && this.startedAt.has(key))
      e.durationMs = Math.max(0, t - this.startedAt.get(key)!);
    this.events.push(e);
    this.reporter.event?.(e);
    if (e.resourceType === NESTED_TYPE && !isStackEvent(e) && e.physicalId?.startsWith("arn:")) {
      const followed = this.nested.get(key);
      if (followed)
        followed.done ||= TERMINAL.test(e.status); // shown once more, then left
      else if (e.status.endsWith("_IN_PROGRESS") && this.nested.size < MAX_FOLLOWED_NESTED)
        // a little before the parent's event: the nested stack's first events may carry an earlier time (the
        // emulator writes the parent's after the child's work; clocks differ by milliseconds on AWS)
        this.nested.set(key, {
          stackId: e.physicalId,
          since: t - NESTED_SLACK_MS,
          seen: new Set(),
          done: false,
        });
    }
    if (!isStackEvent(e) && TERMINAL.test(e.status) && !this.finished.has(key)) {
      this.finished.add(key);
      if (this.total > 0) {
        this.reporter.progress?.({
          done: Math.min(this.finished.size, this.total),
          total: this.total,
          stackName: this.stackName,
        });
      }
    }
  }
}

function isRollbackStart(e: StackEvent): boolean {
  return isStackEvent(e) && /^(UPDATE_)?ROLLBACK_IN_PROGRESS$/.test(e.status);
}

/**
 * The root cause of a failed operation: the earliest `*_FAILED` resource events (before the rollback
 * started), without the "Resource creation cancelled" echoes, following failed nested stacks into
 * their own events. Falls back to the stack's own failure reason when no resource failed.
 */
export async function findRootCause(
  events: StackEvent[],
  cfn: CfnClient | undefined,
  depth = 0,
): Promise<StackEvent[]> {
  const rollbackAt = events.findIndex(isRollbackStart);
  const window = rollbackAt >= 0 ? events.slice(0, rollbackAt + 1) : events;
  let failed = window.filter(
    (e) => !isStackEvent(e) && e.status.endsWith("_FAILED") && !CANCELLED_ECHO.test(e.reason ?? ""),
  );
  if (failed.length === 0) {
    failed = events.filter(
      (e) => !isStackEvent(e) && e.status.endsWith("_FAILED") && !CANCELLED_ECHO.test(e.reason ?? ""),
    );
  }
  if (failed.length === 0) {
    const stackLevel = events.find(
      (e) => isStackEvent(e) && e.reason && (e.status.endsWith("_FAILED") || isRollbackStart(e)),
    );
    return stackLevel ? [stackLevel] : [];
  }
  const firstPerResource = new Map<string, StackEvent>();
  for (const e of failed) if (!firstPerResource.has(e.logicalId)) firstPerResource.set(e.logicalId, e);
  const causes: StackEvent[] = [];
  for (const e of firstPerResource.values()) {
    if (
      cfn &&
      depth < 5 &&
      e.resourceType === "AWS::CloudFormation::Stack" &&
      e.physicalId?.startsWith("arn:")
    ) {
      const nested = await nestedEvents(cfn, e.physicalId, events, e.logicalId);
      const inner = nested.length > 0 ? await findRootCause(nested, cfn, depth + 1) : [];
      if (inner.length > 0) {
        causes.push(...inner);
        continue;
      }
    }
    causes.push(e);
  }
  return causes;
}

/** The nested stack's events of this operation (since its resource went IN_PROGRESS in the parent), oldest first. */
async function nestedEvents(
  cfn: CfnClient,
  nestedStackId: string,
  parentEvents: StackEvent[],
  logicalId: string,
): Promise<StackEvent[]> {
  const since = parentEvents.find((e) => e.logicalId === logicalId && e.status.endsWith("_IN_PROGRESS"));
  const sinceMs = since ? Date.parse(since.timestamp) : 0;
  const out: StackEvent[] = [];
  let token: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await cfn.describeStackEvents({ StackName: nestedStackId, NextToken: token });
      let older = false;
      for (const raw of res.StackEvents ?? []) {
        const e = toStackEvent(raw);
        if (Date.parse(e.timestamp) < sinceMs) {
          older = true;
          break;
        }
        out.push(e);
      }
      token = res.NextToken;
      if (older || !token) break;
    }
  } catch {
    return [];
  }
  return out.reverse();
}

/** One line per root-cause event, for messages. */
export function describeCause(events: StackEvent[]): string {
  return events
    .map((e) => `${e.logicalId} (${e.resourceType}) ${e.status}: ${e.reason ?? "no reason given"}`)
    .join("\n");
}
