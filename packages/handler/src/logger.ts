import type { LambdaHandlerOptions } from "./lambda.js";
import type { LogLevel, LogSink } from "./types.js";

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

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

/** @internal The logger of one invocation, as `lambdaHandler()`'s options configure it. */
export function loggerFor(
  options: Readonly<LambdaHandlerOptions>,
  requestId: string | undefined,
  name: string,
): Logger {
  return new Logger(options.logger ?? stdoutSink, options.logLevel ?? levelFromEnv(), {
    requestId,
    function: name,
  });
}

/**
 * A structured logger: one JSON object per line, carrying the request id and function name.
 *
 * @example
 * logger(req).info("order stored", { orderId });
 * // {"timestamp":"2026-11-26T17:00:00.000Z","level":"INFO","requestId":"c6af9ac6-...","function":"orders","message":"order stored","orderId":"42"}
 */
export class Logger {
  // debug(), info(), warn() and error() are made in the static block below.
  declare debug: (message: string, fields?: Record<string, unknown>) => void;
  declare info: (message: string, fields?: Record<string, unknown>) => void;
  declare warn: (message: string, fields?: Record<string, unknown>) => void;
  declare error: (message: string, fields?: Record<string, unknown>) => void;
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
    const child = new Logger(this.#sink, "DEBUG", { ...this.#fields, ...fields });
    child.#threshold = this.#threshold;
    return child;
  }

  isEnabled(level: LogLevel): boolean {
    return RANK[level] >= this.#threshold;
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (!this.isEnabled(level)) return;
    const head = { timestamp: new Date().toISOString(), level, ...this.#fields, message };
    const record: Record<string, unknown> = { ...head };
    for (const key in fields) record[key] = serialise(fields[key]);
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify(head);
    }
    this.#sink.write(`${line}\n`);
  }

  static {
    // One method per level, named after RANK's keys (debug, info, warn, error).
    for (const level in RANK) {
      Logger.prototype[level.toLowerCase() as Lowercase<LogLevel>] = function (
        this: Logger,
        message,
        fields,
      ) {
        this.log(level as LogLevel, message, fields);
      };
    }
  }
}
