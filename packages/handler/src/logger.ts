import type { LogLevel, LogSink } from "./types.js";

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message, stack: value.stack };
    if ((value as { code?: unknown }).code !== undefined) out.code = (value as { code?: unknown }).code;
    if (value.cause !== undefined) out.cause = serialise(value.cause);
    return out;
  }
  return value;
}

/** Reads the threshold from `AWS_LAMBDA_LOG_LEVEL` (set by Lambda's advanced logging) or `LOG_LEVEL`. */
export function levelFromEnv(env: Record<string, string | undefined> = process.env): LogLevel {
  const raw = (env.AWS_LAMBDA_LOG_LEVEL ?? env.LOG_LEVEL ?? "INFO").toUpperCase();
  if (raw === "TRACE") return "DEBUG";
  if (raw === "FATAL") return "ERROR";
  return raw in RANK ? (raw as LogLevel) : "INFO";
}

/**
 * A structured logger: one JSON object per line, carrying the request id and function name.
 *
 * @example
 * logger(req).info("order stored", { orderId });
 * // {"timestamp":"2026-11-26T17:00:00.000Z","level":"INFO","requestId":"c6af9ac6-...","function":"orders","message":"order stored","orderId":"42"}
 */
export class Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly threshold: LogLevel,
    private readonly fields: Readonly<Record<string, unknown>>,
  ) {}

  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger {
    return new Logger(this.sink, this.threshold, { ...this.fields, ...fields });
  }

  isEnabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.threshold];
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (RANK[level] < RANK[this.threshold]) return;
    const record: Record<string, unknown> = {
      timestamp: new Date().toISOString(),
      level,
      ...this.fields,
      message,
    };
    if (fields) for (const key in fields) record[key] = serialise(fields[key]);
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch {
      line = JSON.stringify({ timestamp: record.timestamp, level, ...this.fields, message });
    }
    this.sink.write(line + "\n");
  }

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
