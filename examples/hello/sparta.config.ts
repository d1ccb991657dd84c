import { defineService } from "@sparta/cli";
import { alarms, healthRoute, stackBucketArn } from "@sparta/operations";

/** The hello service: one program describes its functions, their triggers and their privileges. */
export const service = defineService({
  name: "hello",
  description: "Sparta hello: an HTTP API, an S3 upload listener and a scheduled job",
  tags: { project: "sparta-hello" },
  functions: [
    {
      name: "hello",
      handler: "src/hello.ts#handler",
      description: "Says hello over the HTTP API",
      memorySize: 256,
      timeout: 5,
      environment: { GREETING: "Hello" },
      events: [
        { type: "httpApi", method: "GET", path: "/hello" },
        { type: "httpApi", method: "POST", path: "/hello" },
      ],
    },
    {
      name: "uploads",
      handler: "src/uploads.ts#handler",
      description: "Reads the size of each object uploaded under incoming/",
      events: [{ type: "s3", bucket: "hello-uploads", prefix: "incoming/" }],
      privileges: [
        {
          actions: ["s3:GetObject"],
          // The bucket the trigger creates, named per stack (so two stages can deploy side by side).
          resources: [stackBucketArn("hello-uploads", "incoming/*")],
        },
      ],
    },
    {
      name: "nightly",
      handler: "src/nightly.ts#handler",
      description: "A scheduled job",
      timeout: 60,
      events: [{ type: "schedule", expression: "cron(0 3 * * ? *)" }],
    },
  ],
  // Operations built in: error-rate, throttle and duration alarms per function (combined into the composite alarm
  // that rolls the next `sparta provision` back, shown by `sparta status`) and GET /health on the HTTP API.
  // Add dashboard() and safeDeploy({ shift: "Canary10Percent5Minutes" }) for a dashboard and canary deploys (README).
  decorators: [alarms(), healthRoute()],
});
