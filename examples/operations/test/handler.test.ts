import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { handler } from "../src/orders.js";

type ApiEvent = {
  rawPath: string;
  body?: string;
  headers: Record<string, string>;
  requestContext: { http: { method: string; path: string } };
};
type ApiResult = { statusCode: number; body: string };

const fixture: ApiEvent = JSON.parse(
  readFileSync(new URL("./events/apigw-v2/no-authorizer.json", import.meta.url), "utf8"),
);
const context = { awsRequestId: "r-1", functionName: "orders", getRemainingTimeInMillis: () => 5000 };

/** The real API Gateway v2 event, copied, with the method, path and body of this request. */
async function invoke(method: string, path: string, body?: unknown): Promise<ApiResult> {
  const event = structuredClone(fixture);
  event.rawPath = path;
  event.requestContext.http = { ...event.requestContext.http, method, path };
  if (body !== undefined) {
    event.body = JSON.stringify(body);
    event.headers["content-type"] = "application/json";
    event.headers["content-length"] = String(event.body.length);
  }
  return (await (handler as (e: unknown, c: unknown) => Promise<ApiResult>)(event, context)) as ApiResult;
}

describe("the orders function behind the HTTP API", () => {
  it("answers GET /health (the route healthRoute() adds) through healthCheck()", async () => {
    const r = await invoke("GET", "/health");
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ status: "ok" });
  });

  it("accepts an order and rejects a malformed one", async () => {
    const ok = await invoke("POST", "/orders", { item: "book" });
    expect(ok.statusCode).toBe(202);
    expect(JSON.parse(ok.body)).toEqual({ accepted: "book" });
    const bad = await invoke("POST", "/orders", { item: 3 });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/item/);
  });

  it("lists orders on GET /orders", async () => {
    const r = await invoke("GET", "/orders");
    expect(r.statusCode).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ orders: [] });
  });
});
