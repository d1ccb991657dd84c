import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { json, lambdaHandler } from "../src/index.js";
import { captureSink, loadEvent, makeContext } from "./helpers.js";

// Every real event fixture (test/events/<source>/<variant>.json, see SOURCE.md) gets its source and result shape.
// The folder names the source: HTTP sources are answered as HTTP results, every other event arrives as
// `POST https://lambda.invalid/events/<source>` and its JSON answer is the function's result.
const HTTP = new Set(["apigw-v1", "apigw-v2", "alb", "function-url"]);
// Read through their own entries (tests beside them): Lattice needs `latticeHandler`.
const ELSEWHERE = new Set(["lattice"]);
// Folders whose source has another name; `unknown` holds events of services AWS has discontinued (IoT 1-Click,
// Kinesis Data Analytics for SQL), left unnamed.
const SOURCE_OF: Record<string, string> = { "cloudwatch-logs": "logs" };

const dir = join(import.meta.dirname, "events");
const fixtures = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !ELSEWHERE.has(d.name))
  .flatMap((d) =>
    readdirSync(join(dir, d.name))
      .filter((f) => f.endsWith(".json") && !f.endsWith(".response.json"))
      .filter((f) => !(d.name === "dynamodb" && f === "malformed.json")) // not JSON: see local.test.ts
      .map((f) => [d.name, f.replace(/\.json$/, "")] as [string, string]),
  );

describe("every real event fixture", () => {
  it("covers the sources the issue names", () => {
    const names = new Set(fixtures.map(([source]) => source));
    for (const source of [
      "kafka",
      "selfmanagedkafka",
      "firehose",
      "cloudformation",
      "appsync",
      "appsync-events",
      "s3-object-lambda",
      "s3-batch",
      "transfer",
      "cognito",
      "ses",
      "connect",
      "websocket",
      "authorizer",
    ]) {
      expect(names).toContain(source);
    }
    expect(fixtures.length).toBeGreaterThan(90);
  });

  it.each(
    fixtures.filter(([source]) => !HTTP.has(source)),
  )("%s/%s reaches the handler as POST /events/<its source> and gets its JSON answer back", async (source, variant) => {
    const event = loadEvent(source, variant);
    let url = "";
    let body: unknown;
    const entry = lambdaHandler(
      async (req) => {
        url = req.url;
        body = await req.json();
        return json({ handled: true });
      },
      { logger: captureSink() },
    );
    const result = await entry(event, makeContext());
    expect(url).toBe(`https://lambda.invalid/events/${SOURCE_OF[source] ?? source}`);
    expect(body).toEqual(loadEvent(source, variant));
    if (source === "websocket") {
      // API Gateway's WebSocket integration reads a status (>= 400 on $connect refuses the connection).
      expect(result).toEqual({
        statusCode: 200,
        headers: { "content-type": "application/json" },
        body: '{"handled":true}',
        isBase64Encoded: false,
      });
    } else {
      expect(result).toEqual({ handled: true });
    }
  });

  it.each(
    fixtures.filter(([source]) => HTTP.has(source)),
  )("%s/%s is an HTTP request answered with its source's result shape", async (source, variant) => {
    const event = loadEvent(source, variant);
    // The Function URL fixture's domain is a placeholder ("<url-id>..."), answered 400 (see http-events.test.ts).
    if (source === "function-url") event.requestContext.domainName = "abcdefg.lambda-url.us-west-2.on.aws";
    const entry = lambdaHandler((req) => json({ url: new URL(req.url).pathname }), { logger: captureSink() });
    const result = (await entry(event, makeContext())) as Record<string, unknown>;
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body as string)).toEqual({ url: expect.stringMatching(/^\//) });
    if (source === "alb") expect(result.statusDescription).toBe("200 OK");
    else expect(result).not.toHaveProperty("statusDescription");
  });

  it("answers a WebSocket $connect with the status the handler chose, so a 401 refuses the connection", async () => {
    const entry = lambdaHandler(() => json({ error: "no token" }, { status: 401 }));
    expect(await entry(loadEvent("websocket", "connect"), makeContext())).toMatchObject({ statusCode: 401 });
  });
});
