import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeResult, encodeInvocation, invocationToJson, resultFromJson } from "../src/envelope.js";
import {
  compose,
  errorMapper,
  HttpError,
  json,
  jsonBody,
  lambdaHandler,
  logger,
  rawEvent,
} from "../src/index.js";
import { type InvokeServer, type LocalRoute, matchRoute, startInvokeServer } from "../src/local.js";
import { captureSink, loadEvent } from "./helpers.js";

const sink = captureSink();
const hello = lambdaHandler(
  compose(
    errorMapper(),
    jsonBody(),
  )(async (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/missing") throw new HttpError(404, "nothing at /missing");
    logger(req).info("hello called");
    const res = json({
      method: req.method,
      path: url.pathname,
      query: url.search,
      body: req.method === "POST" ? await req.json() : null,
      cookie: req.headers.get("cookie"),
    });
    res.headers.append("set-cookie", "session=abc; HttpOnly");
    return res;
  }),
  { logger: sink },
);
const worker = lambdaHandler(async (req) => {
  const event = await req.json();
  if (event.Records?.[0]?.eventSource === "aws:s3") return json({ error: "no bucket" }, { status: 500 });
  return json({ records: event.Records?.length ?? 0 });
});

let server: InvokeServer;
beforeAll(async () => {
  server = await startInvokeServer({ functions: { hello, worker } });
});
afterAll(async () => {
  await server.close();
});

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b?: Uint8Array) => new TextDecoder().decode(b);

describe("POST /invoke/<name>", () => {
  it("runs a protobuf Invocation through the Lambda entry and answers a protobuf Result", async () => {
    const event = loadEvent("apigw-v2", "no-authorizer");
    const res = await fetch(`${server.url}/invoke/hello`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: encodeInvocation({ awsRequestId: "req-1", event: utf8(JSON.stringify(event)) }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    const result = decodeResult(new Uint8Array(await res.arrayBuffer()));
    expect(result.awsRequestId).toBe("req-1");
    expect(result.error).toBeUndefined();
    const payload = JSON.parse(text(result.payload));
    expect(payload.statusCode).toBe(200);
    expect(payload.cookies).toEqual(["session=abc; HttpOnly"]);
    expect(JSON.parse(payload.body)).toMatchObject({ method: "GET", path: "/" });
    expect(sink.lines.find((l) => l.message === "hello called")).toMatchObject({
      requestId: "req-1",
      function: "hello",
    });
  });

  it("accepts proto3 JSON and answers proto3 JSON", async () => {
    const res = await fetch(`${server.url}/invoke/worker`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(invocationToJson({ event: utf8(JSON.stringify(loadEvent("sqs", "receive"))) })),
    });
    expect(res.headers.get("content-type")).toBe("application/json");
    const result = resultFromJson(await res.json());
    expect(JSON.parse(text(result.payload))).toEqual({ records: 1 });
  });

  it("reports a function error in the Result, as Lambda would", async () => {
    const res = await fetch(`${server.url}/invoke/worker`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: encodeInvocation({ event: utf8(JSON.stringify(loadEvent("s3", "put"))) }),
    });
    const result = decodeResult(new Uint8Array(await res.arrayBuffer()));
    expect(result.payload).toBeUndefined();
    expect(result.error).toMatchObject({ errorType: "FunctionResultError" });
    expect(result.error!.errorMessage).toContain("answered status 500");
  });

  it("answers an event that is not JSON (the malformed DynamoDB fixture) with a clear error result", async () => {
    const bytes = readFileSync(join(import.meta.dirname, "events/dynamodb/malformed.json"));
    const res = await fetch(`${server.url}/invoke/worker`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: encodeInvocation({ event: bytes }),
    });
    const result = decodeResult(new Uint8Array(await res.arrayBuffer()));
    expect(result.error).toMatchObject({ errorType: "InvalidRequestContentException" });
    expect(result.error!.errorMessage).toMatch(/^Could not parse the event as JSON/);
  });

  it("answers 404 listing the known functions, 415 and 400 for bad requests", async () => {
    const missing = await fetch(`${server.url}/invoke/nope`, { method: "POST" });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toBe('No function named "nope". Known functions: hello, worker.');
    const wrongType = await fetch(`${server.url}/invoke/hello`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hi",
    });
    expect(wrongType.status).toBe(415);
    const garbage = await fetch(`${server.url}/invoke/hello`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array([0x0a, 0xff, 0xff]),
    });
    expect(garbage.status).toBe(400);
    expect((await garbage.json()).error).toMatch(/Could not decode the Invocation envelope/);
  });

  it("serves a client that is not JavaScript: protoc encodes the request and decodes the answer", async (ctx) => {
    try {
      execFileSync("protoc", ["--version"], { stdio: "ignore" });
    } catch {
      if (process.env.CI === "true") throw new Error("protoc is required in CI (Debian protobuf-compiler)");
      ctx.skip("protoc not found: install Debian's protobuf-compiler to run this test");
    }
    const protoPath = join(import.meta.dirname, "../proto");
    const event = JSON.stringify(loadEvent("sqs", "receive")).replace(/\\/g, "\\\\").replace(/"/g, '\\"');
    const request = execFileSync(
      "protoc",
      ["--proto_path", protoPath, "--encode=sparta.handler.v1.Invocation", "envelope.proto"],
      { input: `function_name: "worker"\naws_request_id: "from-protoc"\nevent: "${event}"\n` },
    );
    const res = await fetch(`${server.url}/invoke/worker`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: request,
    });
    const answer = execFileSync(
      "protoc",
      ["--proto_path", protoPath, "--decode=sparta.handler.v1.Result", "envelope.proto"],
      { input: Buffer.from(await res.arrayBuffer()) },
    ).toString("utf8");
    expect(answer).toContain('aws_request_id: "from-protoc"');
    expect(answer).toContain('payload: "{\\"records\\":1}"');
  });
});

describe("ANY /http/<name>/<path...>", () => {
  it("turns a plain HTTP request into an HTTP API v2 event and the result into the HTTP response", async () => {
    const res = await fetch(`${server.url}/http/hello/orders/42?verbose=1`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "a=1; b=2" },
      body: JSON.stringify({ qty: 3 }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.getSetCookie()).toEqual(["session=abc; HttpOnly"]);
    expect(await res.json()).toEqual({
      method: "POST",
      path: "/orders/42",
      query: "?verbose=1",
      body: { qty: 3 },
      cookie: "a=1; b=2",
    });
  });

  it("keeps error statuses from the function", async () => {
    const res = await fetch(`${server.url}/http/hello/missing`);
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBe("nothing at /missing");
    const bad = await fetch(`${server.url}/http/hello/x`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{oops",
    });
    expect(bad.status).toBe(400);
  });
});

describe("startInvokeServer", () => {
  it("refuses to listen beyond loopback", async () => {
    await expect(startInvokeServer({ functions: {}, host: "0.0.0.0" })).rejects.toThrow(
      'The invoke server only listens on loopback, received host "0.0.0.0"',
    );
  });
});

describe("runInvocation", () => {
  it("reports a timeout at the deadline, as Lambda does", async () => {
    const { runInvocation } = await import("../src/local.js");
    const never = lambdaHandler(() => new Promise<Response>(() => {}));
    const result = await runInvocation(never, { event: utf8("{}") }, 50);
    expect(result.error).toMatchObject({
      errorType: "Sandbox.Timedout",
      errorMessage: "Task timed out after 0.05 seconds",
    });
  });
});

describe("HTTP API routes served at their own paths", () => {
  // What the handler saw: route key, path parameters, path and method, from the event itself.
  const echo = (tag: string) =>
    lambdaHandler(async (req) => {
      const event = rawEvent<Record<string, unknown>>(req);
      return json({
        tag,
        routeKey: event.routeKey,
        pathParameters: event.pathParameters ?? null,
        path: new URL(req.url).pathname,
        method: req.method,
      });
    });
  const routes: LocalRoute[] = [
    { method: "GET", path: "/items", function: "list" },
    { method: "GET", path: "/items/{id}", function: "get" },
    { method: "ANY", path: "/items/{id}", function: "any" },
    { method: "GET", path: "/items/special", function: "special" },
    { method: "ANY", path: "/files/{proxy+}", function: "files" },
  ];
  let routed: InvokeServer;
  beforeAll(async () => {
    routed = await startInvokeServer({
      functions: Object.fromEntries(routes.map((r) => [r.function, echo(r.function)])),
      routes,
    });
  });
  afterAll(async () => {
    await routed.close();
  });
  const call = async (method: string, path: string) => {
    const res = await fetch(`${routed.url}${path}`, { method });
    return { status: res.status, body: await res.json() };
  };

  it("fills routeKey and pathParameters the way API Gateway does", async () => {
    expect((await call("GET", "/items")).body).toEqual({
      tag: "list",
      routeKey: "GET /items",
      pathParameters: null,
      path: "/items",
      method: "GET",
    });
    expect((await call("GET", "/items/a%20b")).body).toMatchObject({
      tag: "get",
      routeKey: "GET /items/{id}",
      pathParameters: { id: "a b" },
    });
    expect((await call("GET", "/files/2026/11/report.pdf")).body).toMatchObject({
      tag: "files",
      routeKey: "ANY /files/{proxy+}",
      pathParameters: { proxy: "2026/11/report.pdf" },
    });
  });

  it("prefers the most specific path, then the request's method over ANY", async () => {
    expect((await call("GET", "/items/special")).body.tag).toBe("special");
    expect((await call("GET", "/items/42")).body.tag).toBe("get");
    expect((await call("DELETE", "/items/42")).body).toMatchObject({ tag: "any", method: "DELETE" });
    expect(matchRoute(routes, "POST", "/items/special")?.routeKey).toBe("ANY /items/{id}");
  });

  it("answers 404 Not Found for a path no route matches, naming the routes", async () => {
    for (const [method, path] of [
      ["POST", "/items"],
      ["GET", "/items/1/2"],
      ["GET", "/files"],
      ["GET", "/"],
    ] as const) {
      const r = await call(method, path);
      expect(r.status).toBe(404);
      expect(r.body.message).toBe("Not Found");
      expect(r.body.error).toContain(
        `No route matches ${method} ${path}. Routes: GET /items, GET /items/{id}`,
      );
    }
  });

  it("keeps /invoke/<name> and /http/<name>/<path> working beside the routes", async () => {
    expect((await call("GET", "/http/get/items/7")).body).toMatchObject({ tag: "get", routeKey: "$default" });
  });

  it("refuses a route naming a function it does not serve", async () => {
    await expect(
      startInvokeServer({ functions: {}, routes: [{ method: "GET", path: "/x", function: "ghost" }] }),
    ).rejects.toMatchObject({
      code: "UNKNOWN_ROUTE_FUNCTION",
      message: 'Route GET /x names function "ghost", which is not served. Known functions: (none).',
    });
  });
});

/** A raw HTTP/1.1 request to the server with exactly these headers (fetch would not send a foreign Host). */
function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: server.port, method, path, headers, setHost: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(method === "POST" ? '{"a":1}' : undefined);
  });
}

describe("who may call the invoke server", () => {
  // A web page can reach a loopback server: by DNS rebinding (its own name now resolves to 127.0.0.1, but the Host
  // header still carries it), by a cross-origin fetch or form (Origin), by a link or an image (Sec-Fetch-Site).
  it.each([
    ["a DNS-rebound name", { host: "evil.example" }],
    ["a DNS-rebound name with the port", { host: "evil.example:PORT" }],
    ["another port", { host: "127.0.0.1:1" }],
    ["a cross-origin page", { host: "127.0.0.1:PORT", origin: "https://evil.example" }],
    ["a page on another local port", { host: "localhost:PORT", origin: "http://localhost:3000" }],
    ["an opaque origin (sandboxed frame, file://)", { host: "localhost:PORT", origin: "null" }],
    ["a cross-site link or image", { host: "localhost:PORT", "sec-fetch-site": "cross-site" }],
    ["a same-site page", { host: "localhost:PORT", "sec-fetch-site": "same-site" }],
  ])("refuses %s with a 403 saying why, before running anything", async (_label, headers) => {
    const before = sink.lines.length;
    const h = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v.replace("PORT", String(server.port))]),
    );
    for (const [method, path] of [
      ["GET", "/http/hello/"],
      ["POST", "/invoke/hello"],
    ] as const) {
      const res = await rawRequest(method, path, { ...h, "content-type": "application/json" });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).error).toMatch(/^Refused: (Host|Origin|A [\w-]+ request)/);
      expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    }
    expect(sink.lines.length).toBe(before); // the function never ran
  });

  it("refuses a request without Host (Node's HTTP/1.1 server answers 400 itself)", async () => {
    const before = sink.lines.length;
    expect((await rawRequest("GET", "/http/hello/", {})).status).toBe(400);
    expect(sink.lines.length).toBe(before);
  });

  it("refuses a CORS preflight from a web page", async () => {
    const res = await rawRequest("OPTIONS", "/http/hello/", {
      host: `127.0.0.1:${server.port}`,
      origin: "https://evil.example",
      "access-control-request-method": "POST",
    });
    expect(res.status).toBe(403);
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it.each([
    ["127.0.0.1 with the port", { host: "127.0.0.1:PORT" }],
    ["localhost with the port", { host: "localhost:PORT" }],
    ["[::1] with the port", { host: "[::1]:PORT" }],
    ["localhost without a port", { host: "localhost" }],
    ["its own origin", { host: "localhost:PORT", origin: "http://localhost:PORT" }],
    ["the address bar", { host: "localhost:PORT", "sec-fetch-site": "none" }],
  ])("answers %s", async (_label, headers) => {
    const h = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v.replace("PORT", String(server.port))]),
    );
    const res = await rawRequest("GET", "/http/hello/", h);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ method: "GET", path: "/" });
  });
});

describe("paths through the local server", () => {
  it("delivers the path decoded, as HTTP API does, so the handler sees the URL the client sent", async () => {
    for (const path of ["/a%20b", "/caf%C3%A9", "/notes/a%23b", "/deals/50%25off"]) {
      const res = await fetch(`${server.url}/http/hello${path}?x=1`);
      expect(await res.json()).toMatchObject({ path, query: "?x=1" });
    }
  });
});
