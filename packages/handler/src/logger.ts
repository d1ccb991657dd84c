import type { LogLevel, LogSink, RequestRuntime } from "./types.js";

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

/** The keys every line carries; fields cannot overwrite them, so a line always says what it is and whose. */
const RESERVED = /^(timestamp|level|message|requestId|function)$/;

/** Copies `fields` into `record`, as JSON-ready values, leaving the reserved keys alone. */
function assign(
  record: Record<string, unknown>,
  fields: Record<string, unknown> | undefined,
): Record<string, unknown> {
  for (const key in fields) if (!RESERVED.test(key)) record[key] = serialise(fields[key]);
  return record;
}

/** An error as JSON (undefined fields drop out of the line). */
function serialise(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const { name, message, stack, cause, code } = value as Error & { code?: unknown };
  return { name, message, stack, code, cause: cause === undefined ? undefined : serialise(cause) };
}

/** Reads the threshold from `AWS_LAMBDA_LOG_LEVEL` (set by Lambda's advanced logging) or `LOG_LEVEL`. */
export function levelFromEnv(env: Record<string, string | undefined> = process.env): LogLevel {
  const raw = (env.AWS_LAMBDA_LOG_LEVEL ?? env.LOG_LEVEL ?? "INFO").toUpperCase();
  if (raw === "TRACE") return "DEBUG";
  if (raw === "FATAL") return "ERROR";
  return raw in RANK ? (raw as LogLevel) : "INFO";
}

// process.stdout is created lazily by Node and costs milliseconds at cold start: touch it only to log.
const stdoutSink: LogSink = { write: (line) => process.stdout.write(line) };

/** One JSON line: the timestamp, level, fixed fields and message first, then `fields` (never over those). */
function write(
  sink: LogSink,
  level: LogLevel,
  fixed: Readonly<Record<string, unknown>>,
  message: string,
  fields?: Record<string, unknown>,
): void {
  const head = { timestamp: new Date().toISOString(), level, ...fixed, message };
  let line: string;
  try {
    line = JSON.stringify(assign({ ...head }, fields));
  } catch {
    line = JSON.stringify(head);
  }
  sink.write(`${line}\n`);
}

/** @internal The logger of one invocation, as `lambdaHandler()`'s options configure it. */
export function loggerFor(options: RequestRuntime, requestId: string | undefined, name: string): Logger {
  return new Logger(options.logger ?? stdoutSink, options.logLevel ?? levelFromEnv(), {
    requestId,
    function: name,
  });
}

/**
 * @internal One line as `loggerFor(options, requestId, name)` would write it, without a `Logger` (so code that
 * only reports errors does not carry the class).
 */
export function logLine(
  options: RequestRuntime,
  requestId: string | undefined,
  name: string,
  level: LogLevel,
  message: string,
  fields?: Record<string, unknown>,
): void {
  if (RANK[level] >= RANK[options.logLevel ?? levelFromEnv()]) {
    write(options.logger ?? stdoutSink, level, { requestId, function: name }, message, fields);
  }
}

/**
 * A structured logger: one JSON object per line, carrying the request id and function name. Fields named
 * `timestamp`, `level`, `message`, `requestId` or `function` are dropped: those keys are the logger's own.
 *
 * @example
 * logger(req).info("order stored", { orderId });
 * // {"timestamp":"2026-11-26T17:00:00.000Z","level":"INFO","requestId":"c6af9ac6-...","function":"orders","message":"order stored","orderId":"42"}
 */
export class Logger {
  #sink: LogSink;
  #threshold: number;
  #fields: Readonly<Record<string, unknown>>;

  constructor(sink: LogSink, threshold: LogLevel, fields: Readonly<Record<string, unknown>>) {
    this.#sink = sink;
    this.#threshold = RANK[threshold];
    this.#fields = fields;
  }

  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger {
    const child = new Logger(this.#sink, "DEBUG", assign({ ...this.#fields }, fields));
    child.#threshold = this.#threshold;
    return child;
  }

  isEnabled(level: LogLevel): boolean {
    return RANK[level] >= this.#threshold;
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (this.isEnabled(level)) write(this.#sink, level, this.#fields, message, fields);
  }

  // Plain methods (no static block), so a bundle that never builds a Logger leaves the class out.
  debug(message: string, fields?: Record<string, unknown>): void {
    this.log("DEBUG", message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.log("INFO", message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.log("WARN", message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.log("ERROR", message, fields);
  }
}
