import { describe, expect, it } from "vitest";
import { FunctionResultError, json, lambdaHandler, rawEvent, text } from "../src/index.js";
import { captureSink, loadEvent, makeContext } from "./helpers.js";

const FIXTURES: [source: string, variant: string, expectedSource: string][] = [
  ["s3", "put", "s3"],
  ["sns", "notification", "sns"],
  ["sqs", "receive", "sqs"],
  ["dynamodb", "stream", "dynamodb"],
  ["kinesis", "stream", "kinesis"],
  ["eventbridge", "codebuild-state-change", "eventbridge"],
  ["cloudwatch-logs", "subscription", "logs"],
  ["codepipeline", "job", "codepipeline"],
];

describe("non-HTTP events", () => {
  it.each(
    FIXTURES,
  )("%s/%s reaches the handler as a POST whose body is the event JSON", async (source, variant, expected) => {
    const event = loadEvent(source, variant);
    const seen: { method: string; url: string; type: string | null; from: string | null; body: unknown }[] =
      [];
    const entry = lambdaHandler(async (req) => {
      seen.push({
        method: req.method,
        url: req.url,
        type: req.headers.get("content-type"),
        from: req.headers.get("x-sparta-event-source"),
        body: await req.json(),
      });
      return json({ handled: expected });
    });
    const result = await entry(event, makeContext());
    expect(seen[0]).toEqual({
      method: "POST",
      url: `https://lambda.invalid/events/${expected}`,
      type: "application/json",
      from: expected,
      body: loadEvent(source, variant),
    });
    // a JSON response body becomes the function's result
    expect(result).toEqual({ handled: expected });
  });

  it("returns null for an empty response and the text for a non-JSON one", async () => {
    const empty = lambdaHandler(() => new Response(null, { status: 204 }));
    expect(await empty(loadEvent("sqs", "receive"), makeContext())).toBeNull();
    const plain = lambdaHandler(() => text("done"));
    expect(await plain(loadEvent("sqs", "receive"), makeContext())).toBe("done");
  });

  it("turns a status >= 400 into a function error, so retries and dead-letter queues work", async () => {
    const entry = lambdaHandler(() => json({ error: "bucket is gone" }, { status: 503 }), {
      name: "thumbnailer",
    });
    const failure = entry(loadEvent("s3", "put"), makeContext());
    await expect(failure).rejects.toBeInstanceOf(FunctionResultError);
    await expect(failure).rejects.toMatchObject({
      code: "FUNCTION_RESULT_ERROR",
      status: 503,
      message: 'Function thumbnailer answered status 503 to a non-HTTP event: {"error":"bucket is gone"}',
    });
  });

  it("rethrows a handler's error as a function error", async () => {
    const boom = new Error("queue poisoned");
    const entry = lambdaHandler(() => {
      throw boom;
    });
    await expect(entry(loadEvent("sqs", "receive"), makeContext())).rejects.toBe(boom);
  });

  it.each([
    ["null", null],
    ["a string", "hello"],
    ["a number", 42],
    ["an array", [1, 2]],
    ["an unknown object", { foo: "bar" }],
    ["a v2-looking object without requestContext.http", { version: "2.0", requestContext: {} }],
  ])("never crashes on %s: it is delivered as an unknown event", async (_label, event) => {
    let body: unknown;
    const entry = lambdaHandler(async (req) => {
      body = await req.json();
      return json({ got: rawEvent(req) });
    });
    const result = await entry(structuredClone(event), makeContext());
    expect(body).toEqual(event);
    expect(result).toEqual({ got: event });
  });

  it("answers undefined events too (a direct invoke without payload)", async () => {
    const entry = lambdaHandler(async (req) => json({ url: req.url, body: await req.text() }), {
      logger: captureSink(),
    });
    expect(await entry(undefined, makeContext())).toEqual({
      url: "https://lambda.invalid/events/unknown",
      body: "null",
    });
  });
});
