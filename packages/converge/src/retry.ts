import {
  AwsCallError,
  ConvergeError,
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

/** A condition that may pass: what `isRetryable` says, or one of converge's own transient errors (a timeout). */
export function isTransient(error: unknown): boolean {
  return isRetryable(error) || (error instanceof ConvergeError && error.transient);
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

/**
 * Turn SDK configuration failures into errors that say how to fix them; leave API errors alone. (The clients of
 * `createCfnClient` translate their own errors with more context; this covers clients given by the caller.)
 */
export function translateError(operation: string, error: unknown): unknown {
  const e = error as SdkErrorLike | undefined;
  if (!e || typeof e !== "object") return new AwsCallError(operation, error);
  if (e instanceof ConvergeError) return e;
  if (e.name === "CredentialsProviderError" || /could not load credentials/i.test(e.message ?? "")) {
    return new CredentialsMissingError(error);
  }
  if (/region is missing/i.test(e.message ?? "")) return new RegionMissingError(error);
  if (e.code === "ECONNREFUSED" || e.code === "ENOTFOUND")
    return new EndpointUnreachableError(operation, error);
  return error;
}

/** HTTP attempts behind one call: the SDK reports its own retries in `$metadata.attempts`. */
function attemptsOf(outcome: unknown): number {
  const direct = (outcome as SdkErrorLike | undefined)?.$metadata as { attempts?: number } | undefined;
  const viaCause = ((outcome as { cause?: SdkErrorLike } | undefined)?.cause?.$metadata ?? undefined) as
    | { attempts?: number }
    | undefined;
  const n = direct?.attempts ?? viaCause?.attempts;
  return typeof n === "number" && n > 0 ? n : 1;
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
 * Wrap every method of a client so each call is counted (with the SDK's own retries) and, unless the client
 * retries on its own (`retriesItself`), retried on throttling/transient errors. Same interface as the client.
 */
export function instrument<T extends object>(client: T, ctx: CallContext, retriesItself = false): T {
  const maxAttempts = retriesItself ? 1 : ctx.maxAttempts;
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string" || prop === "objectUrl") {
        return typeof value === "function" ? value.bind(target) : value;
      }
      const op = operationName(prop);
      return async (...args: unknown[]) => {
        for (let attempt = 0; ; attempt++) {
          const count = (outcome: unknown) => {
            const n = attemptsOf(outcome);
            ctx.calls += n;
            ctx.byOperation[op] = (ctx.byOperation[op] ?? 0) + n;
          };
          try {
            const result = await value.apply(target, args);
            count(result);
            return result;
          } catch (error) {
            count(error);
            if (!isRetryable(error) || attempt + 1 >= maxAttempts) throw translateError(op, error);
            const delay = backoffDelay(attempt, ctx.random);
            ctx.reporter.warn?.(
              `${op} was throttled or failed transiently (${(error as Error).name ?? "error"}); retry ${attempt + 1} of ${maxAttempts - 1} in ${delay} ms`,
            );
            await ctx.sleep(delay);
          }
        }
      };
    },
  });
}
