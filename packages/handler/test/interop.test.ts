import { Hono } from "hono";
import { cors as honoCors } from "hono/cors";
import { describe, expect, it } from "vitest";
import { compose, errorMapper, jsonBody, lambdaHandler } from "../src/index.js";
import { loadEvent, makeContext } from "./helpers.js";

describe("fetch-style code from elsewhere", () => {
  it("a Hono app runs as the handler, with its own middleware, on the lazy request", async () => {
    const app = new Hono();
    app.use("*", honoCors({ origin: "https://app.example.com" }));
    app.post("/orders/:id", async (c) => {
      const body = await c.req.json();
      return c.json({
        id: c.req.param("id"),
        qty: body.qty,
        q: c.req.query("verbose"),
        ua: c.req.header("User-Agent"),
      });
    });
    const entry = lambdaHandler(compose(errorMapper(), jsonBody())((req) => app.fetch(req)));
    const event = loadEvent("apigw-v2", "no-authorizer");
    event.requestContext.http.method = "POST";
    event.rawPath = "/orders/42";
    event.rawQueryString = "verbose=1";
    event.headers["content-type"] = "application/json";
    event.headers.origin = "https://app.example.com";
    event.body = '{"qty":3}';
    const result = (await entry(event, makeContext())) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ id: "42", qty: 3, q: "1", ua: "curl/7.58.0" });
    expect(result.headers["access-control-allow-origin"]).toBe("https://app.example.com");
  });
});
