import { describe, expect, it, vi } from "vitest";
import {
  compose,
  type DeadlineExceededError,
  InvalidHandlerError,
  json,
  type LambdaContext,
  lambdaContext,
  lambdaHandler,
  legacy,
  logger,
  type Middleware,
} from "../src/index.js";
import { captureSink, loadEvent, makeContext } from "./helpers.js";

const DEPRECATED =
  "DEPRECATED: (event, context) handler signature provided. Please migrate to the standard (request: Request) => Response handler. Name=";

describe("legacy (event, context) handlers", () => {
  it("runs them unchanged and warns once per function with the exact DEPRECATED text", async () => {
    const sink = captureSink();
    const entry = lambdaHandler(
      async (event: { Records: unknown[] }, context: LambdaContext) => ({
        records: event.Records.length,
        fn: context.functionName,
      }),
      { name: "orders-legacy", logger: sink },
    );
    const event = loadEvent("sqs", "receive");
    expect(await entry(event, makeContext())).toEqual({ records: 1, fn: "orders" });
    expect(await entry(event, makeContext())).toEqual({ records: 1, fn: "orders" });
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).toMatchObject({ level: "WARN", message: `${DEPRECATED}orders-legacy` });
  });

  it("warns separately for each legacy function, naming the Lambda function when no name is given", async () => {
    const sink = captureSink();
    const a = lambdaHandler((_e: unknown, _c: unknown) => "a", { logger: sink });
    const b = lambdaHandler((_e: unknown, _c: unknown) => "b", { logger: sink });
    await a({}, makeContext());
    await b({}, makeContext({ functionName: "billing" }));
    await a({}, makeContext());
    expect(sink.lines.map((l) => l.message)).toEqual([`${DEPRECATED}orders`, `${DEPRECATED}billing`]);
  });

  it("treats a legacy() wrapped one-argument function as legacy", async () => {
    const sink = captureSink();
    const entry = lambdaHandler(
      legacy((event: { n: number }) => event.n * 2),
      { logger: sink },
    );
    expect(await entry({ n: 21 }, makeContext())).toBe(42);
    expect(sink.lines[0]!.message).toBe(`${DEPRECATED}orders`);
  });

  it("supports the callback style", async () => {
    const entry = lambdaHandler(
      (event: { n: number }, _context: LambdaContext, callback?: (e: unknown, r?: unknown) => void) => {
        setTimeout(() => callback?.(null, event.n + 1), 1);
      },
      { logger: captureSink() },
    );
    expect(await entry({ n: 1 }, makeContext())).toBe(2);
    const failing = lambdaHandler(
      (_e: unknown, _c: LambdaContext, callback?: (e: unknown) => void) => callback?.(new Error("nope")),
      {
        logger: captureSink(),
      },
    );
    await expect(failing({}, makeContext())).rejects.toThrow("nope");
  });

  it("rejects something that is not a function with a message showing the valid form", () => {
    expect(() => lambdaHandler("handler.js" as never)).toThrow(InvalidHandlerError);
    expect(() => lambdaHandler(42 as never)).toThrow(/export const handler = lambdaHandler/);
  });
});

describe("request accessors", () => {
  it("logger(req) writes JSON lines carrying the request id and function name", async () => {
    const sink = captureSink();
    const entry = lambdaHandler(
      (req) => {
        logger(req).info("order stored", { orderId: "42" });
        logger(req).debug("hidden at INFO");
        return json({ ok: true });
      },
      { logger: sink, logLevel: "INFO", name: "orders-api" },
    );
    await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext());
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).toMatchObject({
      level: "INFO",
      requestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
      function: "orders-api",
      message: "order stored",
      orderId: "42",
    });
    expect(typeof sink.lines[0]!.timestamp).toBe("string");
  });

  it("lambdaContext(req) gives the remaining time", async () => {
    let remaining = 0;
    const entry = lambdaHandler((req) => {
      remaining = lambdaContext(req).getRemainingTimeInMillis();
      return json({});
    });
    await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext({ remainingMs: 10_000 }));
    expect(remaining).toBeGreaterThan(9_000);
    expect(remaining).toBeLessThanOrEqual(10_000);
  });

  it("the accessors explain themselves when given a request lambdaHandler did not create", () => {
    expect(() => logger(new Request("https://example.com"))).toThrow(
      /needs the request lambdaHandler\(\) passed/,
    );
  });
});

describe("deadline signal", () => {
  it("aborts deadlineMarginMs before the Lambda deadline so the handler can answer 504", async () => {
    vi.useFakeTimers();
    try {
      const entry = lambdaHandler(
        (req) =>
          new Promise<Response>((resolve) => {
            req.signal.addEventListener("abort", () => {
              const reason = req.signal.reason as DeadlineExceededError;
              resolve(json({ error: reason.message, code: reason.code }, { status: reason.status }));
            });
          }),
        { deadlineMarginMs: 200, logger: captureSink() },
      );
      const start = Date.now();
      const pending = entry(loadEvent("apigw-v2", "no-authorizer"), makeContext({ remainingMs: 1_000 }));
      await vi.advanceTimersByTimeAsync(799);
      let settled = false;
      void pending.then(() => {
        settled = true;
      });
      await Promise.resolve();
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(2);
      const result = (await pending) as { statusCode: number; body: string };
      expect(Date.now() - start).toBeGreaterThanOrEqual(800);
      expect(result.statusCode).toBe(504);
      expect(JSON.parse(result.body).code).toBe("DEADLINE_EXCEEDED");
    } finally {
      vi.useRealTimers();
    }
  });

  it("clears the deadline timer when the invocation ends", async () => {
    const entry = lambdaHandler((req) => {
      expect(req.signal.aborted).toBe(false);
      return json({});
    });
    const realSetTimeout = globalThis.setTimeout;
    const timers: unknown[] = [];
    const setSpy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      const timer = realSetTimeout(fn, ms);
      // the deadline timer: remaining time (30 s) minus the 500 ms margin
      if (typeof ms === "number" && ms > 29_000 && ms <= 29_500) timers.push(timer);
      return timer;
    }) as typeof setTimeout);
    const clearSpy = vi.spyOn(globalThis, "clearTimeout");
    try {
      await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext());
    } finally {
      setSpy.mockRestore();
    }
    expect(timers).toHaveLength(1);
    expect(clearSpy).toHaveBeenCalledWith(timers[0]);
    clearSpy.mockRestore();
  });
});

describe("compose", () => {
  it("runs the first listed middleware outermost", async () => {
    const order: string[] = [];
    const tag =
      (name: string): Middleware =>
      (next) =>
      async (req) => {
        order.push(`>${name}`);
        const res = await next(req);
        order.push(`<${name}`);
        return res;
      };
    const entry = lambdaHandler(
      compose(
        tag("a"),
        tag("b"),
        tag("c"),
      )(() => {
        order.push("handler");
        return json({});
      }),
    );
    await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext());
    expect(order).toEqual([">a", ">b", ">c", "handler", "<c", "<b", "<a"]);
  });
});
