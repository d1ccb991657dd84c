import { json } from "@sparta/handler";

/** Runs every hour on an EventBridge schedule; sparta wraps the plain export with `lambdaHandler` when it packages it. */
export async function handler(req: Request): Promise<Response> {
  const event = (await req.json()) as { time?: string };
  return json({ reported: true, at: event.time ?? null });
}
