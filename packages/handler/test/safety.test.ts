import { describe, expect, it } from "vitest";
import { cors, json, LiteHeaders, LiteResponse, lambdaHandler, logger, text } from "../src/index.js";
import { captureSink, loadEvent, makeContext } from "./helpers.js";

// Issue 15's findings in this package, each with the test that would have caught it.

describe("cors() with credentials", () => {
  it.each([
    ["the default origin", { credentials: true }],
    ['origin "*"', { origin: "*", credentials: true }],
  ])("refuses %s at setup, with the fix in the message", (_label, options) => {
    expect(() => cors(options)).toThrow(
      expect.objectContaining({
        name: "InvalidOptionError",
        code: "CORS_CREDENTIALS_ANY_ORIGIN",
        message: expect.stringContaining('cors({ origin: ["https://app.example.com"], credentials: true })'),
      }),
    );
  });

  it("never echoes an unlisted Origin with allow-credentials", async () => {
    const handler = cors({ origin: ["https://app.example.com"], credentials: true })(() => text("ok"));
    const evil = await handler(
      new Request("https://api.example.com/", { headers: { origin: "https://evil.example" } }),
    );
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    expect(evil.headers.get("access-control-allow-credentials")).toBeNull();
    const app = await handler(
      new Request("https://api.example.com/", { headers: { origin: "https://app.example.com" } }),
    );
    expect(app.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(app.headers.get("access-control-allow-credentials")).toBe("true");
  });

  it("still allows any origin without credentials", async () => {
    const res = await cors()(() => text("ok"))(
      new Request("https://api.example.com/", { headers: { origin: "https://evil.example" } }),
    );
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });
});

describe("header names and values with CR, LF or NUL", () => {
  // WHATWG Headers throws a TypeError for these: a header injection otherwise (a second header, a split response).
  it.each([
    ["a value with CR LF", "x-note", "a\r\nset-cookie: admin=1"],
    ["a value with LF", "x-note", "a\nb"],
    ["a value with NUL", "x-note", "a\0b"],
    ["a name with LF", "x-a\nb", "1"],
    ["a name with NUL", "x-a\0", "1"],
  ])("rejects %s as WHATWG Headers does, naming the header", (_label, name, value) => {
    expect(() => new Headers([[name, value]])).toThrow(TypeError); // the reference behaviour
    for (const write of [
      (h: LiteHeaders) => h.set(name, value),
      (h: LiteHeaders) => h.append(name, value),
      () => new LiteHeaders({ [name]: value }),
      () => json({}, { headers: { [name]: value } }),
      () => new LiteResponse("x", { headers: [[name, value]] }),
    ]) {
      expect(() => write(new LiteHeaders())).toThrow(
        expect.objectContaining({
          name: "TypeError",
          message: expect.stringContaining(JSON.stringify(name)),
        }),
      );
    }
  });

  it("answers a handler that sets such a header with a 500, never with the injected header", async () => {
    const entry = lambdaHandler(
      () => {
        const res = json({ ok: true });
        res.headers.set("location", "/next\r\nset-cookie: admin=1");
        return res;
      },
      { logger: captureSink() },
    );
    const result = (await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext())) as any;
    expect(result.statusCode).toBe(500);
    expect(JSON.stringify(result)).not.toContain("admin=1");
  });

  it("keeps what WHATWG Headers keeps: surrounding whitespace is trimmed, tabs inside are fine", () => {
    const h = new LiteHeaders({ "x-a": "  b\tc \r\n" });
    expect(h.get("x-a")).toBe(new Headers({ "x-a": "  b\tc \r\n" }).get("x-a"));
  });
});

describe("logger fields", () => {
  it("cannot overwrite level, requestId, message, timestamp or function", async () => {
    const sink = captureSink();
    const entry = lambdaHandler(
      (req) => {
        logger(req).error("payment failed", {
          level: "DEBUG",
          requestId: "forged",
          message: "all good",
          timestamp: "1970-01-01T00:00:00.000Z",
          function: "other",
          orderId: 42,
        });
        logger(req).child({ level: "INFO", requestId: "forged", step: "charge" }).warn("retrying");
        return json(null);
      },
      { logger: sink },
    );
    await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext());
    const requestId = makeContext().awsRequestId;
    expect(sink.lines[0]).toMatchObject({
      level: "ERROR",
      requestId,
      message: "payment failed",
      function: "orders",
      orderId: 42,
    });
    expect(sink.lines[0]!.timestamp).not.toBe("1970-01-01T00:00:00.000Z");
    expect(sink.lines[1]).toMatchObject({ level: "WARN", requestId, message: "retrying", step: "charge" });
  });
});

describe("bytes returned without a content-type", () => {
  it.each([
    ["a LiteResponse", () => new LiteResponse(new Uint8Array([0xff, 0xfe, 0x00, 0x80]))],
    ["a global Response", () => new Response(new Uint8Array([0xff, 0xfe, 0x00, 0x80]))],
  ])("are sent base64 as application/octet-stream from %s, byte for byte", async (_label, make) => {
    const entry = lambdaHandler(make);
    for (const [source, variant] of [
      ["apigw-v2", "no-authorizer"],
      ["apigw-v1", "proxy"],
      ["alb", "headers-only"],
    ]) {
      const result = (await entry(loadEvent(source!, variant!), makeContext())) as any;
      expect(result.isBase64Encoded).toBe(true);
      expect([...Buffer.from(result.body, "base64")]).toEqual([0xff, 0xfe, 0x00, 0x80]);
      expect(result.headers["content-type"]).toBe("application/octet-stream");
    }
  });

  it("text with a text content-type is still sent as text", async () => {
    const entry = lambdaHandler(
      () =>
        new LiteResponse(new TextEncoder().encode("héllo"), { headers: { "content-type": "text/plain" } }),
    );
    const result = (await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext())) as any;
    expect(result).toMatchObject({ isBase64Encoded: false, body: "héllo" });
  });
});
