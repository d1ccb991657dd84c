import { healthCheck, json, lambdaHandler } from "@sparta/handler";

/**
 * POST /orders with {"item":"book"} -> 202 {"accepted":"book"}; GET /orders -> {"orders":[]}.
 * GET /health -> {"status":"ok"} (the route `healthRoute()` adds in sparta.config.ts).
 */
export const handler = lambdaHandler(
  healthCheck()(async (req) => {
    if (req.method === "POST") {
      const body = (await req.json().catch(() => ({}))) as { item?: unknown };
      if (typeof body.item !== "string")
        return json({ error: 'expected {"item": "<name>"}' }, { status: 400 });
      return json({ accepted: body.item }, { status: 202 });
    }
    return json({ orders: [] });
  }),
);
