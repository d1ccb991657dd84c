import { lambdaHandler } from "@sparta/handler";

/** GET /hello -> the MESSAGE of the environment this stack belongs to (test or production). */
export const handler = lambdaHandler(
  async () => new Response(process.env.MESSAGE ?? "", { headers: { "content-type": "text/plain" } }),
);
