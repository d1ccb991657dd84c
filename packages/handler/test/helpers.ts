import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LambdaContext, LogSink } from "../src/index.js";

const cache = new Map<string, unknown>();

/** A real event fixture from test/events/<source>/<variant>.json, copied with structuredClone. */
export function loadEvent<T = any>(source: string, variant: string): T {
  const key = `${source}/${variant}`;
  if (!cache.has(key)) {
    cache.set(
      key,
      JSON.parse(readFileSync(join(import.meta.dirname, "events", source, `${variant}.json`), "utf8")),
    );
  }
  return structuredClone(cache.get(key)) as T;
}

export function makeContext(
  overrides: Partial<LambdaContext> & { remainingMs?: number } = {},
): LambdaContext {
  const deadline = Date.now() + (overrides.remainingMs ?? 30_000);
  return {
    functionName: "orders",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:orders",
    memoryLimitInMB: "128",
    awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
    logGroupName: "/aws/lambda/orders",
    logStreamName: "2026/11/26/[$LATEST]abc",
    getRemainingTimeInMillis: () => deadline - Date.now(),
    ...overrides,
  };
}

/** A log sink that keeps the parsed JSON lines. */
export function captureSink(): LogSink & { lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  return {
    lines,
    write(line: string) {
      for (const l of line.split("\n")) if (l.trim()) lines.push(JSON.parse(l));
    },
  };
}
