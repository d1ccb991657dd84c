import { describe, expect, it } from "vitest";
import { HttpError, json, lambdaContext } from "../src/index.js";
import { streamingLambdaHandler } from "../src/streaming.js";
import type { LambdaContext } from "../src/types.js";
import { fakeAwsLambda, fakeResponseStream } from "./fake-awslambda.js";
import { loadEvent, makeContext } from "./helpers.js";

type Streaming = (event: unknown, stream: unknown, context: LambdaContext) => Promise<void>;

function urlEvent() {
  const event = loadEvent("function-url", "request");
  event.requestContext.domainName = "abcdefg.lambda-url.us-west-2.on.aws";
  return event;
}

describe("streamingLambdaHandler", () => {
  it("sends the prelude first, then the body as the handler's stream produces it", async () => {
    const handler = streamingLambdaHandler(
      () => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (const part of ["one ", "two ", "three"]) controller.enqueue(new TextEncoder().encode(part));
            controller.close();
          },
        });
        const headers = new Headers({ "content-type": "text/plain" });
        headers.append("set-cookie", "a=1");
        return new Response(body, { status: 200, headers });
      },
      { awslambda: fakeAwsLambda },
    ) as Streaming;
    const stream = fakeResponseStream();
    await handler(urlEvent(), stream, makeContext());
    expect(stream.prelude).toEqual({
      statusCode: 200,
      headers: { "content-type": "text/plain" },
      cookies: ["a=1"],
    });
    expect(stream.chunks.map((c) => new TextDecoder().decode(c))).toEqual(["one ", "two ", "three"]);
    expect(stream.ended).toBe(true);
  });

  it("writes a helper response in one piece and maps thrown errors", async () => {
    const ok = streamingLambdaHandler((req) => json({ id: lambdaContext(req).awsRequestId }), {
      awslambda: fakeAwsLambda,
    }) as Streaming;
    const s1 = fakeResponseStream();
    await ok(urlEvent(), s1, makeContext());
    expect(s1.prelude).toEqual({ statusCode: 200, headers: { "content-type": "application/json" } });
    expect(JSON.parse(s1.text())).toEqual({ id: "c6af9ac6-7b61-11e6-9a41-93e812345678" });

    const failing = streamingLambdaHandler(
      () => {
        throw new HttpError(403, "not yours");
      },
      { awslambda: fakeAwsLambda },
    ) as Streaming;
    const s2 = fakeResponseStream();
    await failing(urlEvent(), s2, makeContext());
    expect(s2.prelude?.statusCode).toBe(403);
    expect(JSON.parse(s2.text()).error).toBe("not yours");
  });

  it("is the buffered lambdaHandler outside Lambda's runtime", async () => {
    const handler = streamingLambdaHandler(() => json({ ok: true })) as (
      e: unknown,
      c: LambdaContext,
    ) => Promise<unknown>;
    expect(await handler(urlEvent(), makeContext())).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
  });
});
