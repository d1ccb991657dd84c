import { describe, expect, it } from "vitest";
import {
  compose,
  cors,
  errorMapper,
  HttpError,
  healthCheck,
  json,
  jsonBody,
  lambdaHandler,
  normalizeHeaders,
  requestLog,
} from "../src/index.js";
import { captureSink, loadEvent, makeContext } from "./helpers.js";

type Result = { statusCode: number; headers: Record<string, string>; body: string };

function postV2(body: string | undefined, contentType?: string) {
  const event = loadEvent("apigw-v2", "no-authorizer");
  event.requestContext.http.method = "POST";
  if (contentType) event.headers["content-type"] = contentType;
  event.body = body;
  return event;
}

const echo = compose(
  errorMapper(),
  normalizeHeaders(),
  jsonBody(),
)(async (req) => json({ got: await req.json() }));

describe("jsonBody", () => {
  it("parses the body once; the handler reads it with req.json()", async () => {
    const entry = lambdaHandler(echo);
    const result = (await entry(
      postV2('{"name":"sparta"}', "application/json; charset=utf-8"),
      makeContext(),
    )) as Result;
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ got: { name: "sparta" } });
  });

  it("accepts +json media types", async () => {
    const entry = lambdaHandler(echo);
    const result = (await entry(postV2("[1]", "application/vnd.api+json"), makeContext())) as Result;
    expect(JSON.parse(result.body)).toEqual({ got: [1] });
  });

  it("answers 400 with the parser's message for invalid JSON", async () => {
    const entry = lambdaHandler(echo, { logger: captureSink() });
    const result = (await entry(postV2('{"name":', "application/json"), makeContext())) as Result;
    expect(result.statusCode).toBe(400);
    const body = JSON.parse(result.body);
    expect(body.error).toMatch(/^Invalid JSON body: /);
    expect(body.requestId).toBe("c6af9ac6-7b61-11e6-9a41-93e812345678");
  });

  it("answers 415 naming the content type it received", async () => {
    const entry = lambdaHandler(echo, { logger: captureSink() });
    const result = (await entry(
      postV2("name=sparta", "application/x-www-form-urlencoded"),
      makeContext(),
    )) as Result;
    expect(result.statusCode).toBe(415);
    expect(JSON.parse(result.body).error).toBe(
      'Expected a JSON body (content-type: application/json), received "application/x-www-form-urlencoded"',
    );
  });

  it("lets requests without a body through", async () => {
    const entry = lambdaHandler(compose(errorMapper(), jsonBody())(() => json({ ok: true })));
    const result = (await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext())) as Result;
    expect(result.statusCode).toBe(200);
  });

  it("parses base64-encoded JSON bodies (API Gateway v1 with isBase64Encoded)", async () => {
    const event = loadEvent("apigw-v1", "proxy");
    event.body = Buffer.from('{"a":1}').toString("base64");
    event.isBase64Encoded = true;
    const result = (await lambdaHandler(echo)(event, makeContext())) as Result;
    expect(JSON.parse(result.body)).toEqual({ got: { a: 1 } });
  });
  it("finds the content type in any casing or only in multiValueHeaders, and sees a middleware's change", async () => {
    const alb = loadEvent("alb", "multi-value-headers");
    alb.httpMethod = "POST";
    alb.multiValueHeaders["Content-Type"] = ["application/json"];
    alb.body = '{"from":"alb"}';
    const fromAlb = (await lambdaHandler(echo)(alb, makeContext())) as any;
    expect(JSON.parse(fromAlb.body)).toEqual({ got: { from: "alb" } });

    // A middleware that rewrites the request's headers is what jsonBody() then checks.
    const retype = compose(
      errorMapper(),
      (next) => (req) => {
        req.headers.set("content-type", "text/plain");
        return next(req);
      },
      jsonBody(),
    )(async (req) => json({ got: await req.json() }));
    const refused = (await lambdaHandler(retype, { logger: captureSink() })(
      postV2("{}", "application/json"),
      makeContext(),
    )) as Result;
    expect(refused.statusCode).toBe(415);
  });
});

describe("errorMapper", () => {
  it("keeps an HttpError's status and exposes its message below 500", async () => {
    const entry = lambdaHandler(
      errorMapper()(() => {
        throw new HttpError(404, "No order 42", { headers: { "x-reason": "missing" } });
      }),
    );
    const result = (await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext())) as Result;
    expect(result.statusCode).toBe(404);
    expect(result.headers["x-reason"]).toBe("missing");
    expect(JSON.parse(result.body)).toEqual({
      error: "No order 42",
      status: 404,
      requestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
    });
  });

  it("hides the message of a 5xx HttpError unless expose is set, and logs it", async () => {
    const sink = captureSink();
    const entry = lambdaHandler(
      errorMapper()(async () => {
        throw new HttpError(503, "replica lag 30s");
      }),
      { logger: sink },
    );
    const result = (await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext())) as Result;
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body).error).toBe("Service Unavailable");
    expect(sink.lines[0]).toMatchObject({ level: "ERROR", message: "replica lag 30s" });
  });

  it("maps any other error to a 500 without a stack trace", async () => {
    const entry = lambdaHandler(
      errorMapper()(() => {
        throw new TypeError("cannot read properties of undefined");
      }),
      { logger: captureSink() },
    );
    const result = (await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext())) as Result;
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain("TypeError");
    expect(result.body).not.toContain("at ");
  });

  it("rejects an HttpError status outside 400-599", () => {
    expect(() => new HttpError(200, "ok")).toThrow(RangeError);
  });
});

describe("normalizeHeaders", () => {
  it("gives lower-case names and trimmed values whatever the event sent", async () => {
    const event = loadEvent("apigw-v1", "proxy");
    event.multiValueHeaders = null;
    event.headers = { "X-Custom": "  padded  ", "Content-Type": "application/json" };
    let seen: [string, string][] = [];
    const entry = lambdaHandler(
      normalizeHeaders()((req) => {
        seen = [...req.headers];
        return json({});
      }),
    );
    await entry(event, makeContext());
    expect(seen).toEqual([
      ["content-type", "application/json"],
      ["x-custom", "padded"],
    ]);
  });

  it("keeps an already-normal record as is", async () => {
    const event = loadEvent("apigw-v2", "no-authorizer");
    let accept: string | null = null;
    const entry = lambdaHandler(
      normalizeHeaders()((req) => {
        accept = req.headers.get("Accept");
        return json({});
      }),
    );
    await entry(event, makeContext());
    expect(accept).toBe("*/*");
  });
});

describe("cors", () => {
  it("answers a preflight itself", async () => {
    const event = loadEvent("apigw-v2", "no-authorizer");
    event.requestContext.http.method = "OPTIONS";
    event.headers.origin = "https://app.example.com";
    event.headers["access-control-request-method"] = "PUT";
    event.headers["access-control-request-headers"] = "content-type";
    let called = false;
    const entry = lambdaHandler(
      cors({ origin: ["https://app.example.com"], credentials: true, maxAge: 600 })(() => {
        called = true;
        return json({});
      }),
    );
    const result = (await entry(event, makeContext())) as Result;
    expect(called).toBe(false);
    expect(result.statusCode).toBe(204);
    expect(result.headers).toEqual({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-allow-credentials": "true",
      "access-control-allow-methods": "GET,HEAD,PUT,PATCH,POST,DELETE",
      "access-control-allow-headers": "content-type",
      "access-control-max-age": "600",
      vary: "Origin",
    });
  });

  it("adds the headers to responses, including a global Response", async () => {
    const event = loadEvent("apigw-v2", "no-authorizer");
    event.headers.origin = "https://elsewhere.example";
    const entry = lambdaHandler(cors({ exposeHeaders: ["x-total"] })(() => new Response("ok")));
    const result = (await entry(event, makeContext())) as Result;
    expect(result.headers["access-control-allow-origin"]).toBe("*");
    expect(result.headers["access-control-expose-headers"]).toBe("x-total");
    expect(result.body).toBe("ok");
  });

  it("adds nothing for an origin that is not allowed", async () => {
    const event = loadEvent("apigw-v2", "no-authorizer");
    event.headers.origin = "https://evil.example";
    const entry = lambdaHandler(cors({ origin: "https://app.example.com" })(() => json({})));
    const result = (await entry(event, makeContext())) as Result;
    expect(result.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("healthCheck", () => {
  it("answers GET /health without calling the handler", async () => {
    const event = loadEvent("apigw-v2", "no-authorizer");
    event.rawPath = "/health";
    const entry = lambdaHandler(
      healthCheck()(() => {
        throw new Error("handler must not run");
      }),
    );
    const result = (await entry(event, makeContext())) as Result;
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ status: "ok" });
  });

  it("passes other paths through", async () => {
    const entry = lambdaHandler(healthCheck("/_ping")(() => json({ from: "handler" })));
    const result = (await entry(loadEvent("apigw-v1", "proxy"), makeContext())) as Result;
    expect(JSON.parse(result.body)).toEqual({ from: "handler" });
  });
});

describe("requestLog", () => {
  it("logs method, path, status and duration with the request id", async () => {
    const sink = captureSink();
    const entry = lambdaHandler(
      requestLog()(() => json({}, { status: 201 })),
      { logger: sink },
    );
    await entry(loadEvent("apigw-v1", "proxy"), makeContext());
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).toMatchObject({
      level: "INFO",
      message: "request",
      method: "POST",
      path: "/hello/world",
      status: 201,
      requestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
    });
    expect(typeof sink.lines[0]!.durationMs).toBe("number");
  });
});
