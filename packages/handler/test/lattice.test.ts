import { describe, expect, it } from "vitest";
import { json, lambdaHandler, pathname } from "../src/index.js";
import { latticeHandler } from "../src/lattice.js";
import { captureSink, loadEvent, makeContext } from "./helpers.js";

// AWS's documented VPC Lattice events (test/events/lattice, see SOURCE.md), structures 1.0 and 2.0.
describe("VPC Lattice (latticeHandler)", () => {
  function recorder() {
    const seen: Record<string, unknown>[] = [];
    const entry = latticeHandler(
      async (req) => {
        seen.push({
          method: req.method,
          url: req.url,
          path: pathname(req),
          host: req.headers.get("host"),
          agent: req.headers.get("user-agent") ?? req.headers.get("user_agent"),
          body: await req.text(),
        });
        const res = json({ ok: true }, { status: 201, headers: { "x-answer": "42" } });
        res.headers.append("set-cookie", "a=1");
        return res;
      },
      { logger: captureSink() },
    );
    return { seen, entry };
  }

  it("reads a 1.0 event (raw_path, query_string_parameters, a base64 body) and answers Lattice's shape", async () => {
    const { seen, entry } = recorder();
    const result = await entry(loadEvent("lattice", "v1"), makeContext());
    expect(seen[0]).toEqual({
      method: "GET",
      url: "http://test-lambda-service-3908sdf9u3u.dkfjd93.vpc-lattice-svcs.us-east-2.on.aws/testpath?order-id=1",
      path: "/testpath",
      host: "test-lambda-service-3908sdf9u3u.dkfjd93.vpc-lattice-svcs.us-east-2.on.aws",
      agent: "curl/7.64.1",
      body: '{"test": "event"}',
    });
    expect(result).toEqual({
      statusCode: 201,
      statusDescription: "201 Created",
      headers: { "content-type": "application/json", "x-answer": "42", "set-cookie": "a=1" },
      body: '{"ok":true}',
      isBase64Encoded: false,
    });
  });

  it("reads a 2.0 event (lists of header and query values) and answers Lattice's shape", async () => {
    const { seen, entry } = recorder();
    const result = await entry(loadEvent("lattice", "v2"), makeContext());
    expect(seen[0]).toEqual({
      method: "POST",
      url: "http://lattice-111122223333.7d67968.vpc-lattice-svcs.us-east-2.on.aws/orders?order-id=1",
      path: "/orders",
      host: "lattice-111122223333.7d67968.vpc-lattice-svcs.us-east-2.on.aws",
      agent: "curl/7.64.1",
      body: '{"sku":"A1"}',
    });
    expect(result).toMatchObject({
      statusCode: 201,
      statusDescription: "201 Created",
      isBase64Encoded: false,
    });
    expect(result).not.toHaveProperty("multiValueHeaders");
  });

  it("still reads every other event as lambdaHandler does", async () => {
    const entry = latticeHandler((req) => json({ url: req.url }));
    const http = (await entry(loadEvent("apigw-v2", "no-authorizer"), makeContext())) as any;
    expect(JSON.parse(http.body).url).toBe("https://aaaaaaaaaa.execute-api.us-west-2.amazonaws.com/");
    expect(await entry(loadEvent("sqs", "receive"), makeContext())).toEqual({
      url: "https://lambda.invalid/events/sqs",
    });
  });

  it("answers a handler error with a 500 in Lattice's shape", async () => {
    const entry = latticeHandler(
      () => {
        throw new Error("boom");
      },
      { logger: captureSink() },
    );
    expect(await entry(loadEvent("lattice", "v2"), makeContext())).toMatchObject({
      statusCode: 500,
      statusDescription: "500 Internal Server Error",
    });
  });

  it("is left out of plain lambdaHandler (a Lattice event there is an unnamed event)", async () => {
    const entry = lambdaHandler((req) => json({ url: req.url }));
    expect(await entry(loadEvent("lattice", "v2"), makeContext())).toEqual({
      url: "https://lambda.invalid/events/unknown",
    });
  });
});
