import { describe, expect, it } from "vitest";
import { json, jsonBody, lambdaContext, lambdaHandler, rawEvent, text } from "../src/index.js";
import { captureSink, loadEvent, makeContext } from "./helpers.js";

type Seen = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  cookies: string | null;
};

/** A handler that records what it saw of the request and answers a JSON echo. */
function recorder() {
  const seen: Seen[] = [];
  const entry = lambdaHandler(
    async (req) => {
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => {
        headers[k] = v;
      });
      seen.push({
        method: req.method,
        url: req.url,
        headers,
        body: await req.text(),
        cookies: req.headers.get("cookie"),
      });
      return json({ ok: true }, { headers: { "x-answer": "42" } });
    },
    { logger: captureSink() },
  );
  return { seen, entry };
}

describe("API Gateway HTTP API (v2)", () => {
  it("turns the event into a request and the response into a v2 result", async () => {
    const { seen, entry } = recorder();
    const event = loadEvent("apigw-v2", "iam");
    const result = (await entry(event, makeContext())) as any;
    expect(seen[0]).toMatchObject({
      method: "GET",
      url: "https://id.execute-api.us-east-1.amazonaws.com/my/path?parameter1=value1&parameter1=value2&parameter2=value",
      cookies: "cookie1; cookie2",
    });
    // names are case-insensitive: the fixture sends "Header1"
    expect(seen[0]!.headers.header1).toBe("value1");
    expect(result).toEqual({
      statusCode: 200,
      headers: { "content-type": "application/json", "x-answer": "42" },
      body: '{"ok":true}',
      isBase64Encoded: false,
    });
  });

  it("uses the host header for the URL", async () => {
    const { seen, entry } = recorder();
    await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext());
    expect(seen[0]!.url).toBe("https://aaaaaaaaaa.execute-api.us-west-2.amazonaws.com/");
  });

  it("decodes base64 request bodies and returns cookies in the v2 cookies field", async () => {
    const event = loadEvent("apigw-v2", "no-authorizer");
    event.requestContext.http.method = "POST";
    event.body = Buffer.from("héllo").toString("base64");
    event.isBase64Encoded = true;
    const entry = lambdaHandler(async (req) => {
      const res = text(await req.text());
      res.headers.append("set-cookie", "a=1; Path=/");
      res.headers.append("set-cookie", "b=2; Path=/");
      return res;
    });
    const result = (await entry(event, makeContext())) as any;
    expect(result.body).toBe("héllo");
    expect(result.cookies).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(result.headers["set-cookie"]).toBeUndefined();
  });

  it("base64-encodes binary response bodies", async () => {
    const entry = lambdaHandler(
      () => new Response(new Uint8Array([0, 1, 2, 255]), { headers: { "content-type": "image/png" } }),
    );
    const result = (await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext())) as any;
    expect(result).toMatchObject({ statusCode: 200, isBase64Encoded: true, body: "AAEC/w==" });
    expect(result.headers["content-type"]).toBe("image/png");
  });

  it("gives the handler the raw event and the Lambda context", async () => {
    const event = loadEvent("apigw-v2", "no-authorizer");
    const context = makeContext();
    let seenEvent: unknown;
    let seenContext: unknown;
    const entry = lambdaHandler((req) => {
      seenEvent = rawEvent(req);
      seenContext = lambdaContext(req);
      return json(null);
    });
    await entry(event, context);
    expect(seenEvent).toBe(event);
    expect(seenContext).toBe(context);
  });
});

describe("Function URL", () => {
  it("reads the request like HTTP API v2", async () => {
    const { seen, entry } = recorder();
    const event = loadEvent("function-url", "request");
    // the fixture's domain is the placeholder "<url-id>.lambda-url.us-west-2.on.aws"; use a real-looking one
    event.requestContext.domainName = "abcdefg.lambda-url.us-west-2.on.aws";
    const result = (await entry(event, makeContext())) as any;
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: "https://abcdefg.lambda-url.us-west-2.on.aws/my/path?parameter1=value1&parameter1=value2&parameter2=value",
      body: "Hello from client!",
      cookies: "cookie1; cookie2",
    });
    expect(seen[0]!.headers.header2).toBe("value1,value2");
    expect(result.statusCode).toBe(200);
  });
});

describe("API Gateway REST API (v1)", () => {
  it("turns the event into a request and the response into a v1 result", async () => {
    const { seen, entry } = recorder();
    const result = (await entry(loadEvent("apigw-v1", "proxy"), makeContext())) as any;
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: "https://gy415nuibc.execute-api.us-east-1.amazonaws.com/hello/world?name=me",
      body: '{\r\n\t"a": 1\r\n}',
    });
    expect(seen[0]!.headers["content-type"]).toBe("application/json");
    expect(seen[0]!.headers["x-forwarded-for"]).toBe("54.240.196.186, 54.182.214.83");
    expect(result).toEqual({
      statusCode: 200,
      headers: { "content-type": "application/json", "x-answer": "42" },
      body: '{"ok":true}',
      isBase64Encoded: false,
    });
  });

  it("sends several cookies as multiValueHeaders", async () => {
    const entry = lambdaHandler(() => {
      const h = new Headers();
      h.append("set-cookie", "a=1");
      h.append("set-cookie", "b=2");
      return new Response("ok", { headers: h });
    });
    const result = (await entry(loadEvent("apigw-v1", "proxy"), makeContext())) as any;
    expect(result.multiValueHeaders).toEqual({ "set-cookie": ["a=1", "b=2"] });
    expect(result.body).toBe("ok");
  });
});

describe("Application Load Balancer", () => {
  it("answers with single-value headers when the target group sent single-value headers", async () => {
    const { seen, entry } = recorder();
    const result = (await entry(loadEvent("alb", "headers-only"), makeContext())) as any;
    expect(seen[0]).toMatchObject({
      method: "GET",
      url: "http://lambda-test-alb-1334523864.us-east-1.elb.amazonaws.com/?key=hello",
      body: "",
    });
    expect(result).toEqual({
      statusCode: 200,
      statusDescription: "200 OK",
      headers: { "content-type": "application/json", "x-answer": "42" },
      body: '{"ok":true}',
      isBase64Encoded: false,
    });
  });

  it("answers with multiValueHeaders when the target group sent multi-value headers", async () => {
    const { seen, entry } = recorder();
    const result = (await entry(loadEvent("alb", "multi-value-headers"), makeContext())) as any;
    expect(seen[0]!.headers["x-myheader"]).toBe("123");
    expect(seen[0]!.url).toBe("http://lambda-test-alb-1234567.us-east-1.elb.amazonaws.com/?key=hello");
    expect(result).toEqual({
      statusCode: 200,
      statusDescription: "200 OK",
      multiValueHeaders: { "content-type": ["application/json"], "x-answer": ["42"] },
      body: '{"ok":true}',
      isBase64Encoded: false,
    });
  });
});

describe("HTTP errors", () => {
  it("turns an uncaught error into a 500 carrying the request id, without a stack trace", async () => {
    const sink = captureSink();
    const entry = lambdaHandler(
      () => {
        throw new Error("database password is hunter2");
      },
      { logger: sink },
    );
    const result = (await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext())) as any;
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({
      error: "Internal Server Error",
      status: 500,
      requestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
    });
    expect(result.body).not.toContain("hunter2");
    expect(sink.lines[0]).toMatchObject({
      level: "ERROR",
      requestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
    });
    expect(sink.lines[0]!.error.stack).toContain("hunter2");
  });

  it("answers 500 when the handler returns something that is not a Response", async () => {
    const entry = lambdaHandler((() => ({ statusCode: 200 })) as never, { logger: captureSink() });
    const result = (await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext())) as any;
    expect(result.statusCode).toBe(500);
  });

  it("answers 400 for an event whose URL cannot be built (the Function URL fixture's placeholder domain)", async () => {
    const event = loadEvent("function-url", "request");
    const entry = lambdaHandler((req) => json({ url: req.url }), { logger: captureSink() });
    const result = (await entry(event, makeContext())) as any;
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toContain("invalid URL: https://<url-id>.lambda-url");
  });

  // A field of the wrong type is answered 400 naming it, by the reader that needed it: only when it mattered.
  it.each([
    [
      "apigw-v2",
      (e: any) => {
        e.cookies = "a=1";
      },
      '"cookies" field',
      "a list of strings",
    ],
    [
      "apigw-v2",
      (e: any) => {
        e.requestContext.http.method = 7;
      },
      '"method" field',
      "a string",
    ],
    [
      "apigw-v1",
      (e: any) => {
        e.body = { a: 1 };
      },
      '"body" field',
      "a string",
    ],
    [
      "apigw-v1",
      (e: any) => {
        e.path = 123;
      },
      '"path" field',
      'a path starting with "/"',
    ],
    [
      "apigw-v2",
      (e: any) => {
        e.rawPath = "foo";
      },
      '"rawPath" field',
      'a path starting with "/"',
    ],
  ])("answers 400 naming the field when a %s event is malformed (case %#)", async (source, spoil, field, expected) => {
    const event = loadEvent(
      source,
      { "apigw-v2": "no-authorizer", "apigw-v1": "proxy", alb: "headers-only" }[source]!,
    );
    spoil(event);
    const sink = captureSink();
    const entry = lambdaHandler(
      jsonBody()(async (req) =>
        json({ method: req.method, url: req.url, headers: [...req.headers], body: await req.text() }),
      ),
      { logger: sink },
    );
    const result = (await entry(event, makeContext())) as any;
    expect(result.statusCode).toBe(400);
    const { error } = JSON.parse(result.body);
    expect(error).toContain(`${field} of the HTTP event must be ${expected}`);
    expect(sink.lines).toEqual([]); // the client's mistake, not the function's: nothing to log
  });

  // Values that read sensibly as text are read as text: a number, or one value where a list is expected.
  it.each([
    ["apigw-v2", (e: any) => Object.assign(e, { headers: { ...e.headers, "x-count": 5 } }), "x-count", "5"],
    ["apigw-v1", (e: any) => Object.assign(e, { multiValueHeaders: { Accept: "*/*" } }), "accept", "*/*"],
    ["alb", (e: any) => Object.assign(e, { queryStringParameters: { key: 5 } }), "key", "5"],
  ])("reads a leniently typed %s field as text (case %#)", async (source, spoil, name, expected) => {
    const event = loadEvent(
      source,
      { "apigw-v2": "no-authorizer", "apigw-v1": "proxy", alb: "headers-only" }[source]!,
    );
    spoil(event);
    const entry = lambdaHandler((req) =>
      json({ header: req.headers.get(name), query: new URL(req.url).searchParams.get(name) }),
    );
    const body = JSON.parse(((await entry(event, makeContext())) as any).body);
    expect(body.header ?? body.query).toBe(expected);
  });

  it("answers a handler's own bug on an event with an unrelated mistyped field with a logged 500", async () => {
    const event = loadEvent("apigw-v2", "no-authorizer");
    event.queryStringParameters = { a: 1 }; // unrelated: HTTP API reads rawQueryString
    const sink = captureSink();
    const entry = lambdaHandler(
      () => {
        throw new Error("orders table is gone");
      },
      { logger: sink },
    );
    const result = (await entry(event, makeContext())) as any;
    expect(result.statusCode).toBe(500);
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).toMatchObject({ level: "ERROR", error: { message: "orders table is gone" } });
  });

  it("answers 400 naming the body's encoding for a body marked base64 that is not", async () => {
    const event = loadEvent("apigw-v2", "no-authorizer");
    Object.assign(event, { body: "not base64!", isBase64Encoded: true });
    const entry = lambdaHandler(async (req) => text(await req.text()), { logger: captureSink() });
    const result = (await entry(event, makeContext())) as any;
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toBe(
      "The event body is not valid base64 (isBase64Encoded is true)",
    );
    // a valid one still decodes
    Object.assign(event, { body: Buffer.from("héllo").toString("base64") });
    expect(((await entry(event, makeContext())) as any).body).toBe("héllo");
  });
});
