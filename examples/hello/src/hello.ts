import { healthCheck, json, lambdaHandler } from "@sparta/handler";

/**
 * GET /hello?name=Ada -> {"message":"Hello, Ada!"}; POST /hello with {"name":"Ada"} does the same.
 * GET /health -> {"status":"ok"} (the route `healthRoute()` adds in sparta.config.ts).
 */
export const handler = lambdaHandler(
  healthCheck()(async (req) => {
    const url = new URL(req.url);
    let name = url.searchParams.get("name") ?? "world";
    if (req.method === "POST") {
      const body = (await req.json().catch(() => ({}))) as { name?: unknown };
      if (typeof body.name === "string") name = body.name;
    }
    return json({ message: `${process.env.GREETING ?? "Hello"}, ${name}!` });
  }),
);
