import {
  AwsCallError,
  CredentialsMissingError,
  EndpointUnreachableError,
  RegionMissingError,
} from "./errors.js";
import type { Reporter } from "./types.js";

const RETRYABLE_NAMES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalFailure",
  "InternalError",
  "ServiceUnavailable",
  "TimeoutError",
]);
const RETRYABLE_CODES = new Set(["ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ECONNABORTED"]);

interface SdkErrorLike {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Throttling, 5xx and dropped connections are worth another try; validation errors are not. */
export function isRetryable(error: unknown): boolean {
  const e = error as SdkErrorLike | undefined;
  if (!e || typeof e !== "object") return false;
  if (e.$retryable) return true;
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.Code && RETRYABLE_NAMES.has(e.Code)) return true;
  if (e.code && RETRYABLE_CODES.has(e.code)) return true;
  if (typeof e.message === "string" && /rate exceeded/i.test(e.message)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status === 429 || (status !== undefined && status >= 500);
}

/** Turn SDK configuration failures into errors that say how to fix them; leave API errors alone. */
export function translateError(operation: string, error: unknown): unknown {
  const e = error as SdkErrorLike | undefined;
  if (!e || typeof e !== "object") return new AwsCallError(operation, error);
  if (e.name === "CredentialsProviderError" || /could not load credentials/i.test(e.message ?? "")) {
    return new CredentialsMissingError(error);
  }
  if (/region is missing/i.test(e.message ?? "")) return new RegionMissingError(error);
  if (e.code === "ECONNREFUSED" || e.code === "ENOTFOUND")
    return new EndpointUnreachableError(operation, error);
  return error;
}

/** Shared per-operation state: API call counter, clock, retry policy. */
export interface CallContext {
  calls: number;
  /** Calls per operation name, e.g. { CreateChangeSet: 1 }. */
  byOperation: Record<string, number>;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  maxAttempts: number;
  reporter: Reporter;
}

const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 20_000;

/** "Full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export function backoffDelay(attempt: number, random: () => number): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

function operationName(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1);
}

/**
 * Wrap every method of a client so each call is counted and retried on throttling/transient errors.
 * The wrapped client has the same interface.
 */
export function instrument<T extends object>(client: T, ctx: CallContext): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string" || prop === "objectUrl") {
        return typeof value === "function" ? value.bind(target) : value;
      }
      const op = operationName(prop);
      return async (...args: unknown[]) => {
        for (let attempt = 0; ; attempt++) {
          ctx.calls++;
          ctx.byOperation[op] = (ctx.byOperation[op] ?? 0) + 1;
          try {
            return await value.apply(target, args);
          } catch (error) {
            if (!isRetryable(error) || attempt + 1 >= ctx.maxAttempts) throw translateError(op, error);
            const delay = backoffDelay(attempt, ctx.random);
            ctx.reporter.warn?.(
              `${op} was throttled or failed transiently (${(error as Error).name ?? "error"}); retry ${attempt + 1} of ${ctx.maxAttempts - 1} in ${delay} ms`,
            );
            await ctx.sleep(delay);
          }
        }
      };
    },
  });
}
