import { defineService } from "@sparta/cli";
import { alarms, dashboard, healthRoute, safeDeploy } from "@sparta/operations";

/** An orders API and an hourly report, with every operations feature of @sparta/operations on. */
export const service = defineService({
  name: "orders",
  description: "Sparta operations example: an HTTP API and a scheduled report, deployed safely and watched",
  tags: { project: "sparta-operations" },
  functions: [
    {
      name: "orders",
      handler: "src/orders.ts#handler",
      description: "Takes orders over the HTTP API",
      memorySize: 256,
      timeout: 5,
      events: [
        { type: "httpApi", method: "GET", path: "/orders" },
        { type: "httpApi", method: "POST", path: "/orders" },
      ],
    },
    {
      name: "report",
      handler: "src/report.ts#handler",
      description: "An hourly report",
      timeout: 60,
      events: [{ type: "schedule", expression: "rate(1 hour)" }],
    },
  ],
  // Canary deploys through CodeDeploy, three alarms per function (rollback triggers from the second provision on),
  // GET /health on the HTTP API and a CloudWatch dashboard: the whole of the operations setup.
  decorators: [safeDeploy({ shift: "Canary10Percent5Minutes" }), alarms(), healthRoute(), dashboard()],
});
