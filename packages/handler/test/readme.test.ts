import { afterAll, describe, expect, it } from "vitest";
import {
  compose,
  errorMapper,
  HttpError,
  json,
  jsonBody,
  lambdaHandler,
  logger,
  normalizeHeaders,
} from "../src/index.js";
import { startInvokeServer } from "../src/local.js";
import { captureSink, loadEvent, makeContext } from "./helpers.js";

// The README's Usage example, verbatim apart from the injected log sink, and the outputs it shows.
const sink = captureSink();
const withDefaults = compose(errorMapper(), normalizeHeaders(), jsonBody());
const handler = lambdaHandler(
  withDefaults(async (req) => {
    const order = await req.json();
    if (!order.sku) throw new HttpError(422, "sku is required");
    logger(req).info("order received", { sku: order.sku });
    return json({ accepted: order.sku }, { status: 201 });
  }),
  { logger: sink },
);

function post(body: string) {
  const event = loadEvent("apigw-v2", "no-authorizer");
  event.requestContext.http.method = "POST";
  event.headers["content-type"] = "application/json";
  event.body = body;
  return event;
}

describe("README usage", () => {
  it("answers as the README shows", async () => {
    expect(await handler(post('{"sku":"A1"}'), makeContext())).toEqual({
      statusCode: 201,
      headers: { "content-type": "application/json" },
      body: '{"accepted":"A1"}',
      isBase64Encoded: false,
    });
    expect(sink.lines.at(-1)).toMatchObject({
      level: "INFO",
      requestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
      function: "orders",
      message: "order received",
      sku: "A1",
    });
    const invalid = (await handler(post("{}"), makeContext())) as { statusCode: number; body: string };
    expect(invalid.statusCode).toBe(422);
    expect(JSON.parse(invalid.body).error).toBe("sku is required");
  });

  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it("serves it locally over plain HTTP", async () => {
    const server = await startInvokeServer({ functions: { orders: handler } });
    servers.push(server);
    const res = await fetch(`${server.url}/http/orders/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"sku":"A1"}',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ accepted: "A1" });
  });
});
