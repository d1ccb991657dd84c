import { LogsReadError, UsageError } from "./errors.js";
import { functionLogicalIds } from "./marshal.js";
import type { CliReporter, FunctionDef, TemplateDocument } from "./service.js";

/** Default `--since`: the last ten minutes. */
export const DEFAULT_SINCE = "10m";
/** Default `--limit`: events printed before `sparta logs` stops reading (follow mode then goes on). */
export const DEFAULT_LOG_LIMIT = 1000;
/** How often `--follow` asks CloudWatch Logs for new events. */
export const FOLLOW_INTERVAL_MS = 2000;

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * The time of `--since` (or `--until`, named by `flag`): a duration back from `now` (`30s`, `10m`, `2h`, `1d`) or an
 * ISO-8601 time.
 *
 * @example
 * parseSince("2h", Date.parse("2026-11-26T12:00:00Z")) // Date.parse("2026-11-26T10:00:00Z")
 */
export function parseSince(text: string, now: number, flag = "--since"): number {
  const duration = /^(\d+)([smhd])$/.exec(text.trim());
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const time = Date.parse(text);
    if (!Number.isNaN(time)) return time;
  }
  throw new UsageError(
    `${flag} ${JSON.stringify(text)}: expected a duration back from now (a number and s, m, h or d: 30s, 10m, 2h, 1d) or an ISO-8601 time (2026-11-26T17:00:00Z)`,
  );
}

/** `--limit`: a whole number of events, at least 1. */
export function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LOG_LIMIT;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--limit ${JSON.stringify(text)}: expected a whole number of events, at least 1`);
  return n;
}

/**
 * Where a function's logs are: its log group, or (`unresolved`) why it is not known: not deployed, or, for a build
 * that was not deployed, which resource's name it will be.
 */
export type LogTarget =
  | { function: string; kind: "group"; logGroup: string }
  | { function: string; kind: "unresolved"; reason: string };

type Resource = { logicalId: string; physicalId?: string };

/**
 * The log group of each function: the template's `LoggingConfig.LogGroup` when it has one (a name, or a `Ref` to a
 * log group resolved through the stack's resources), else Lambda's default `/aws/lambda/<function name>`. Without
 * `resources` (a build that was not deployed) only names the template itself fixes are known.
 */
export function logTargets(
  functions: readonly Pick<FunctionDef, "name">[],
  template: Pick<TemplateDocument, "Resources"> | undefined,
  resources?: readonly Resource[],
): LogTarget[] {
  const physical = (id: string) => resources?.find((r) => r.logicalId === id)?.physicalId;
  return functions.map((fn): LogTarget => {
    const id = functionLogicalIds({ name: fn.name, handler: "" }).function;
    const properties = template?.Resources?.[id]?.Properties ?? {};
    const group = (properties.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
    const unresolved = (reason: string): LogTarget => ({ function: fn.name, kind: "unresolved", reason });
    if (typeof group === "string") return { function: fn.name, kind: "group", logGroup: group };
    if (group !== undefined) {
      const ref = (group as { Ref?: unknown }).Ref;
      if (typeof ref !== "string")
        return unresolved(`its LoggingConfig.LogGroup ${JSON.stringify(group)} is neither a name nor a Ref`);
      const name = template?.Resources?.[ref]?.Properties?.LogGroupName;
      if (typeof name === "string") return { function: fn.name, kind: "group", logGroup: name };
      const deployed = physical(ref);
      if (deployed) return { function: fn.name, kind: "group", logGroup: deployed };
      return unresolved(
        resources
          ? `its log group ${ref} is not in the stack (run sparta provision)`
          : `the stack's log group ${ref} (its name is given when the stack is deployed)`,
      );
    }
    const name = typeof properties.FunctionName === "string" ? properties.FunctionName : physical(id);
    if (name) return { function: fn.name, kind: "group", logGroup: `/aws/lambda/${name}` };
    return unresolved(
      resources
        ? `${id} is not in the stack (run sparta provision)`
        : `/aws/lambda/<the name of ${id}, given when the stack is deployed>`,
    );
  });
}

/** One log event of one function. */
export interface LogEvent {
  function: string;
  logGroup: string;
  logStream?: string;
  eventId: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  message: string;
}

/** The one CloudWatch Logs call `sparta logs` makes, as the SDK's FilterLogEvents takes and answers it. */
export interface LogsClient {
  /** Throws an error named `ResourceNotFoundException` when the log group does not exist. */
  filterLogEvents(input: {
    logGroupName: string;
    startTime?: number;
    endTime?: number;
    filterPattern?: string;
    nextToken?: string;
    limit?: number;
  }): Promise<{
    events?: { eventId?: string; timestamp?: number; message?: string; logStreamName?: string }[];
    nextToken?: string;
  }>;
}

/** The SDK-backed client: imported only here, so no other command loads `@aws-sdk/client-cloudwatch-logs`. */
export async function createLogsClient(): Promise<LogsClient> {
  const { CloudWatchLogsClient, FilterLogEventsCommand } = await import("@aws-sdk/client-cloudwatch-logs");
  const client = new CloudWatchLogsClient({});
  return {
    filterLogEvents: async (input) => {
      const out = await client.send(new FilterLogEventsCommand(input));
      return {
        ...(out.events ? { events: out.events } : {}),
        ...(out.nextToken ? { nextToken: out.nextToken } : {}),
      };
    },
  };
}

const isMissingGroup = (error: unknown) => (error as { name?: string })?.name === "ResourceNotFoundException";

type Group = Extract<LogTarget, { kind: "group" }>;

/** Events of one group from `startTime`, page by page, at most `limit`; `undefined` when the group does not exist. */
async function readGroup(
  client: LogsClient,
  target: Group,
  options: { startTime: number; endTime?: number; filterPattern?: string; limit: number },
): Promise<{ events: LogEvent[]; more: boolean } | undefined> {
  const events: LogEvent[] = [];
  let nextToken: string | undefined;
  do {
    let page: Awaited<ReturnType<LogsClient["filterLogEvents"]>>;
    try {
      page = await client.filterLogEvents({
        logGroupName: target.logGroup,
        startTime: options.startTime,
        ...(options.endTime === undefined ? {} : { endTime: options.endTime }),
        ...(options.filterPattern ? { filterPattern: options.filterPattern } : {}),
        ...(nextToken ? { nextToken } : {}),
        limit: Math.min(10_000, options.limit - events.length),
      });
    } catch (error) {
      if (isMissingGroup(error)) return undefined;
      throw new LogsReadError(
        `reading the logs of ${target.function} (log group ${target.logGroup}) failed: ${(error as Error).message}\nThe credentials need logs:FilterLogEvents on that log group.`,
        { cause: error },
      );
    }
    for (const e of page.events ?? []) {
      events.push({
        function: target.function,
        logGroup: target.logGroup,
        ...(e.logStreamName ? { logStream: e.logStreamName } : {}),
        eventId: e.eventId ?? `${e.logStreamName}:${e.timestamp}:${e.message}`,
        timestamp: e.timestamp ?? 0,
        message: e.message ?? "",
      });
    }
    nextToken = page.nextToken;
  } while (nextToken && events.length < options.limit);
  return { events: events.slice(0, options.limit), more: nextToken !== undefined };
}

export interface ReadLogsOptions {
  client: LogsClient;
  targets: readonly Group[];
  startTime: number;
  /** Milliseconds since the epoch: no event after it (`--until`). */
  endTime?: number;
  filterPattern?: string;
  limit: number;
}

/**
 * The events of every target from `startTime`, interleaved by timestamp, the oldest `limit` of them. `missing` names
 * the functions whose log group does not exist (they never ran); `truncated` is true when more events matched.
 */
export async function readLogs(
  options: ReadLogsOptions,
): Promise<{ events: LogEvent[]; missing: string[]; truncated: boolean }> {
  const results = await Promise.all(
    options.targets.map(async (target) => ({
      target,
      read: await readGroup(options.client, target, {
        startTime: options.startTime,
        limit: options.limit,
        ...(options.endTime === undefined ? {} : { endTime: options.endTime }),
        ...(options.filterPattern ? { filterPattern: options.filterPattern } : {}),
      }),
    })),
  );
  const all = results.flatMap((r) => r.read?.events ?? []).sort((a, b) => a.timestamp - b.timestamp);
  return {
    events: all.slice(0, options.limit),
    missing: results.filter((r) => r.read === undefined).map((r) => r.target.function),
    truncated: all.length > options.limit || results.some((r) => r.read?.more),
  };
}

export interface FollowLogsOptions extends Omit<ReadLogsOptions, "limit"> {
  /** Events already shown (their ids are skipped). */
  seen: readonly LogEvent[];
  onEvent(event: LogEvent): void;
  /** Resolves (or is already settled) when following should stop. */
  stop: Promise<void>;
  reporter: Pick<CliReporter, "warn">;
  intervalMs?: number;
}

/**
 * Poll every target for events newer than the last one seen, every `intervalMs`, until `stop` settles. Each poll
 * starts at the newest timestamp seen (events of the same millisecond may arrive later), so events are deduplicated
 * by id. A failed poll is a warning: the next one tries again.
 */
export async function followLogs(options: FollowLogsOptions): Promise<void> {
  let stopped = false;
  void options.stop.then(() => {
    stopped = true;
  });
  const cursor = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const t of options.targets) cursor.set(t.logGroup, options.startTime);
  for (const e of options.seen) {
    seen.set(e.eventId, e.timestamp);
    cursor.set(e.logGroup, Math.max(cursor.get(e.logGroup) ?? 0, e.timestamp));
  }
  const interval = options.intervalMs ?? FOLLOW_INTERVAL_MS;
  let warned = false;
  while (!stopped) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      options.stop,
      new Promise((r) => {
        timer = setTimeout(r, interval);
      }),
    ]);
    clearTimeout(timer);
    if (stopped) break;
    const fresh: LogEvent[] = [];
    for (const target of options.targets) {
      try {
        const read = await readGroup(options.client, target, {
          startTime: cursor.get(target.logGroup) ?? options.startTime,
          limit: 10_000,
          ...(options.filterPattern ? { filterPattern: options.filterPattern } : {}),
        });
        for (const e of read?.events ?? []) {
          if (seen.has(e.eventId)) continue;
          seen.set(e.eventId, e.timestamp);
          fresh.push(e);
          cursor.set(target.logGroup, Math.max(cursor.get(target.logGroup) ?? 0, e.timestamp));
        }
      } catch (error) {
        if (!warned)
          options.reporter.warn(`${(error as Error).message} (retrying every ${interval / 1000} s)`);
        warned = true;
      }
    }
    // Ids older than every cursor can no longer come back: forget them.
    const oldest = Math.min(...cursor.values());
    for (const [id, ts] of seen) if (ts < oldest) seen.delete(id);
    if (stopped) break;
    for (const e of fresh.sort((a, b) => a.timestamp - b.timestamp)) options.onEvent(e);
  }
}

/** The JSON object @sparta/handler's logger writes, when `message` is one. */
export function handlerRecord(message: string): Record<string, unknown> | undefined {
  const text = message.trim();
  if (!text.startsWith("{") || !text.endsWith("}")) return undefined;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    if (typeof value.level !== "string" || typeof value.message !== "string") return undefined;
    return value;
  } catch {
    return undefined;
  }
}

const plain = (v: unknown): string => {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (
    v &&
    typeof v === "object" &&
    typeof (v as Error).name === "string" &&
    typeof (v as Error).message === "string"
  )
    return JSON.stringify(`${(v as Error).name}: ${(v as Error).message}`);
  return JSON.stringify(v) ?? String(v);
};

/**
 * A log message as `sparta logs` shows it: a line of @sparta/handler's logger as `LEVEL message key=value ...` (the
 * request id shortened to its first 8 characters, timestamp and function dropped: the line carries them); anything
 * else, Lambda's START/END/REPORT lines included, as it is, without its trailing newline.
 *
 * @example
 * formatLogMessage('{"timestamp":"...","level":"INFO","requestId":"c6af9ac6-1b2c-...","function":"orders","message":"order stored","orderId":"42"}')
 * // 'INFO  order stored requestId=c6af9ac6 orderId=42'
 */
export function formatLogMessage(message: string): string {
  const record = handlerRecord(message);
  if (!record) return message.replace(/\s+$/, "");
  const fields = Object.entries(record)
    .filter(([k, v]) => !["timestamp", "level", "message", "function"].includes(k) && v !== undefined)
    .map(([k, v]) => `${k}=${k === "requestId" && typeof v === "string" ? v.slice(0, 8) : plain(v)}`);
  return [(record.level as string).padEnd(5), record.message as string, ...fields].join(" ");
}

/** `HH:MM:SS.mmm <fn> <message>` (UTC), the function name padded to `width`. */
export function formatLogLine(event: LogEvent, width = 0): string {
  const time = new Date(event.timestamp).toISOString().slice(11, 23);
  return `${time} ${event.function.padEnd(width)} ${formatLogMessage(event.message)}`;
}

/** An event as `--format json` prints it: one object per line; `record` is the handler logger's line, parsed. */
export function logEventJson(event: LogEvent): Record<string, unknown> {
  const record = handlerRecord(event.message);
  return {
    timestamp: new Date(event.timestamp).toISOString(),
    function: event.function,
    logGroup: event.logGroup,
    ...(event.logStream ? { logStream: event.logStream } : {}),
    eventId: event.eventId,
    message: event.message.replace(/\s+$/, ""),
    ...(record ? { record } : {}),
  };
}
