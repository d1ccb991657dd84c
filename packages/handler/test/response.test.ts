import { describe, expect, it } from "vitest";
import { empty, json, LambdaRequest, LiteResponse, lambdaHandler, text } from "../src/index.js";
import { loadEvent, makeContext } from "./helpers.js";

describe("response helpers", () => {
  it("json() is usable as a standard Response", async () => {
    const res = json({ id: 42 }, { status: 201, headers: { "x-trace": "t" } });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    // As the spec's Response: statusText is what init gave, "" by default (ALB results get the reason phrase).
    expect(res.statusText).toBe(new Response(null, { status: 201 }).statusText);
    expect(json(null, { status: 201, statusText: "Made" }).statusText).toBe("Made");
    expect(res.headers.get("Content-Type")).toBe("application/json");
    expect(res.headers.get("x-trace")).toBe("t");
    expect(await res.clone().json()).toEqual({ id: 42 });
    expect(new TextDecoder().decode(await res.clone().arrayBuffer())).toBe('{"id":42}');
    const reader = res.body!.getReader();
    const chunk = await reader.read();
    expect(new TextDecoder().decode(chunk.value)).toBe('{"id":42}');
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
  });

  it("text() and empty() set their defaults", async () => {
    const t = text("hi");
    expect(t.headers.get("content-type")).toBe("text/plain;charset=UTF-8");
    expect(await t.text()).toBe("hi");
    const e = empty();
    expect(e.status).toBe(204);
    expect(e.body).toBeNull();
  });

  it("converts to a real global Response", async () => {
    const res = (json({ a: 1 }) as LiteResponse).toResponse();
    expect(res).toBeInstanceOf(Response);
    expect(await res.json()).toEqual({ a: 1 });
    expect(res.headers.get("content-type")).toBe("application/json");
  });

  it("a handler returning a global Response works the same", async () => {
    const entry = lambdaHandler(
      () =>
        new Response(JSON.stringify({ a: 1 }), {
          status: 202,
          headers: { "content-type": "application/json" },
        }),
    );
    expect(await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext())).toEqual({
      statusCode: 202,
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
      isBase64Encoded: false,
    });
  });
});

describe("the request", () => {
  it("implements the Request interface lazily and converts to a real Request", async () => {
    const event = loadEvent("apigw-v1", "proxy");
    let checked = false;
    const entry = lambdaHandler(async (req) => {
      expect(req).toBeInstanceOf(LambdaRequest);
      expect(Object.prototype.toString.call(req)).toBe("[object Request]");
      req.headers.get("accept");
      const copy = req.clone();
      copy.headers.set("x-only-on-copy", "1");
      expect(req.headers.has("x-only-on-copy")).toBe(false);
      const real = (req as LambdaRequest).toRequest();
      expect(real).toBeInstanceOf(Request);
      expect(real.method).toBe("POST");
      expect(real.url).toBe(req.url);
      expect(await real.text()).toBe('{\r\n\t"a": 1\r\n}');
      expect(await copy.json()).toEqual({ a: 1 });
      expect(await req.text()).toBe('{\r\n\t"a": 1\r\n}');
      expect(req.bodyUsed).toBe(true);
      await expect(req.text()).rejects.toThrow("Body is unusable");
      checked = true;
      return empty();
    });
    await entry(event, makeContext());
    expect(checked).toBe(true);
  });

  it("exposes the body as a stream", async () => {
    const event = loadEvent("function-url", "request");
    event.requestContext.domainName = "x.lambda-url.us-east-1.on.aws";
    let streamed = "";
    await lambdaHandler(async (req) => {
      streamed = await new Response(req.body).text();
      return empty();
    })(event, makeContext());
    expect(streamed).toBe("Hello from client!");
  });
});

describe("the rarely used body readers (delegated to a global Request/Response)", () => {
  it("read a base64 request body as bytes, a blob and form data, once each", async () => {
    const event = loadEvent("apigw-v2", "no-authorizer");
    event.requestContext.http.method = "POST";
    event.headers["content-type"] = "application/x-www-form-urlencoded";
    event.body = Buffer.from("a=1&b=%C3%A9").toString("base64");
    event.isBase64Encoded = true;
    const seen: unknown[] = [];
    await lambdaHandler(async (req) => {
      const copy = req.clone();
      const other = req.clone();
      seen.push(new TextDecoder().decode(await req.bytes()));
      expect(req.bodyUsed).toBe(true);
      await expect(req.arrayBuffer()).rejects.toThrow(TypeError);
      await expect(req.json()).rejects.toThrow("Body is unusable");
      const blob = await copy.blob();
      seen.push(blob.type, await blob.text());
      seen.push((await other.formData()).get("b"));
      return empty();
    })(event, makeContext());
    expect(seen).toEqual(["a=1&b=%C3%A9", "application/x-www-form-urlencoded", "a=1&b=%C3%A9", "é"]);
  });

  it("read the body of a GET request too (an ALB may forward one)", async () => {
    const event = loadEvent("alb", "headers-only");
    event.httpMethod = "GET";
    event.body = "ping";
    event.isBase64Encoded = false;
    let got = "";
    let streamed = "";
    await lambdaHandler(async (req) => {
      streamed = await new Response(req.clone().body).text();
      got = new TextDecoder().decode(await req.bytes());
      return empty();
    })(event, makeContext());
    expect([got, streamed]).toEqual(["ping", "ping"]);
  });

  it("read a response body as bytes or a blob, and a read body stays read", async () => {
    const res = json({ a: 1 });
    expect(res.bodyUsed).toBe(false);
    expect(new TextDecoder().decode(await res.clone().bytes())).toBe('{"a":1}');
    const blob = await res.clone().blob();
    expect(blob.type).toBe("application/json");
    expect(await res.json()).toEqual({ a: 1 });
    expect(res.bodyUsed).toBe(true);
    expect(() => res.clone()).toThrow(TypeError);
    expect(empty().body).toBeNull();
  });
});

describe("LiteResponse construction", () => {
  it("accepts headers as a record, a Headers, pairs or a Map, and validates the status", async () => {
    for (const headers of [
      { "X-A": "1" },
      new Headers({ "x-a": "1" }),
      [["x-a", "1"]] as [string, string][],
      new Map([["x-a", "1"]]),
    ]) {
      const res = new LiteResponse("ok", { headers: headers as HeadersInit });
      expect(res.headers.get("x-a")).toBe("1");
      expect(res.headers.get("content-type")).toBe("text/plain;charset=UTF-8");
    }
    expect(() => new LiteResponse(null, { status: 99 })).toThrow(RangeError);
  });
});
