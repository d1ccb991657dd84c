import { json } from "@sparta/handler";

/**
 * Runs on an EventBridge schedule. A plain `(request) => Response` export: sparta wraps it with
 * `lambdaHandler` when it packages the function.
 */
export async function handler(req: Request): Promise<Response> {
  const event = (await req.json()) as { time?: string; "detail-type"?: string };
  return json({ ran: true, scheduledAt: event.time ?? null, kind: event["detail-type"] ?? "direct" });
}
