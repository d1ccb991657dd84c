import { json, lambdaHandler } from "@sparta/handler";

interface S3Notification {
  Records?: { s3: { bucket: { name: string }; object: { key: string; size?: number } } }[];
}

/** Triggered by S3 when an object lands under incoming/: reports what arrived. */
export const handler = lambdaHandler(async (req) => {
  const event = (await req.json()) as S3Notification;
  const objects = (event.Records ?? []).map((r) => ({
    bucket: r.s3.bucket.name,
    key: decodeURIComponent(r.s3.object.key.replace(/\+/g, " ")),
    size: r.s3.object.size ?? 0,
  }));
  return json({ received: objects.length, objects });
});
