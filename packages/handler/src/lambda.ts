import { adapterFor } from "./adapters.js";
import { FunctionResultError, InvalidHandlerError } from "./errors.js";
import { logLine } from "./logger.js";
import { errorResponse, UNMAPPED } from "./middleware.js";
import { LambdaRequest, requestFunctionName } from "./request.js";
import { responseParts } from "./response.js";
import type {
  EventAdapter,
  Handler,
  LambdaContext,
  LambdaEntry,
  LambdaHandlerOptions,
  LegacyHandler,
  Middleware,
  ResponseParts,
} from "./types.js";

export type { LambdaHandlerOptions } from "./types.js";

const kLegacy = Symbol.for("sparta.handler.legacy");

/**
 * Marks a function as a legacy `(event, context)` Lambda handler, so `lambdaHandler()` calls it that way
 * even when its declared arity is below 2 (e.g. `(event) => ...` or a rest-parameter function).
 */
export function legacy<F extends LegacyHandler>(fn: F): F {
  Object.defineProperty(fn, kLegacy, { value: true });
  return fn;
}

function isLegacy(fn: Function): fn is LegacyHandler {
  return (fn as unknown as Record<symbol, unknown>)[kLegacy] === true || fn.length >= 2;
}

/** `compose(a, b, c)(handler)` is `a(b(c(handler)))`: the first middleware listed is the outermost. */
export function compose(...middleware: Middleware[]): Middleware {
  return (next) => middleware.reduceRight((handler, wrap) => wrap(handler), next);
}

/** Calls a legacy handler: its promise, or the result it passes to the callback (when it declares one). */
function callLegacy(fn: LegacyHandler, event: unknown, context: LambdaContext): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const maybe = fn(event, context, (error, result) => (error ? reject(error) : resolve(result)));
    if (fn.length < 3 || typeof (maybe as Promise<unknown>)?.then === "function") resolve(maybe);
  });
}

/**
 * Turns a standard `(request: Request) => Response` handler into the function Lambda calls.
 * Legacy `(event, context)` functions (arity >= 2, or wrapped in `legacy()`) still run, with a one-time
 * DEPRECATED warning.
 *
 * @example
 * export const handler = lambdaHandler(async (req) => json({ hello: (await req.json()).name }));
 */
export function lambdaHandler(fn: Handler, options?: LambdaHandlerOptions): LambdaEntry;
/** @deprecated Pass a standard `(request: Request) => Response` handler instead. */
export function lambdaHandler(fn: LegacyHandler, options?: LambdaHandlerOptions): LambdaEntry;
export function lambdaHandler(
  fn: Handler | LegacyHandler,
  options: LambdaHandlerOptions = {},
  /** @internal How each event's adapter is picked (`latticeHandler()` puts the Lattice adapter first). */
  pick: (event: unknown) => EventAdapter = adapterFor,
): LambdaEntry {
  if (typeof fn !== "function") throw new InvalidHandlerError(fn);
  // A snapshot, so later changes to the caller's object do not reach running requests.
  const runtime = { ...options };

  if (isLegacy(fn)) {
    let warned = false;
    return (event, context) => {
      if (!warned) {
        warned = true;
        const name = options.name ?? context?.functionName ?? (fn.name || "anonymous");
        logLine(
          runtime,
          context?.awsRequestId,
          name,
          "WARN",
          "DEPRECATED: (event, context) handler signature provided. Please migrate to the standard " +
            `(request: Request) => Response handler. Name=${name}`,
        );
      }
      return callLegacy(fn, event, context);
    };
  }

  const handler = fn as Handler & { [UNMAPPED]?: Handler };
  // errorMapper() as the outermost middleware does for HTTP events what the catch below does: skip it there.
  const unmapped = handler[UNMAPPED] ?? handler;
  return async (event, context) => {
    const adapter = pick(event);
    const req = new LambdaRequest(event, context ?? ({} as LambdaContext), adapter, runtime);
    let parts: ResponseParts | Promise<ResponseParts>;
    try {
      try {
        parts = responseParts(await (adapter.http ? unmapped : handler)(req));
        // A LiteResponse is read synchronously: no second await on the common path.
        if (parts instanceof Promise) parts = await parts;
      } catch (error) {
        // A thrown error, or something that is not a Response: for HTTP events a 500 like any handler bug;
        // for any other event a function error, so retries and dead-letter queues work.
        if (!adapter.http) throw error;
        parts = await responseParts(errorResponse(error, req));
      }
    } finally {
      req.dispose();
    }
    // parts: [status, statusText, headers, cookies, body, base64]
    if (!adapter.http && parts[0] >= 400) {
      throw new FunctionResultError(requestFunctionName(req), parts[0], parts[4]);
    }
    return adapter.result(parts, event);
  };
}
