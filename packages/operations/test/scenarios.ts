import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  addAlarms,
  addDashboard,
  addHealthRoute,
  addSafeDeploy,
  applyOperations,
  type TemplateLike,
} from "../src/index.js";

export type Tpl = TemplateLike & {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>;
  Outputs: Record<string, { Value: unknown; Description?: string }>;
};

const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL("./fixtures/service.json", import.meta.url)), "utf8"),
) as Tpl;

/** A fresh copy of the small two-function service (HTTP API, function URL, SQS, schedule, SNS, S3). */
export function service(): Tpl {
  return structuredClone(fixture);
}

/** Golden scenarios: each feature on alone, the canary variant, and everything on. */
export const scenarios: Record<string, () => Tpl> = {
  dashboard: () => addDashboard(service()),
  alarms: () => addAlarms(service()),
  "safe-deploy": () => addSafeDeploy(service()),
  "safe-deploy-canary": () => addSafeDeploy(service(), { shift: "Canary10Percent5Minutes" }),
  "health-route": () => addHealthRoute(service()),
  all: () =>
    applyOperations(service(), {
      alarms: true,
      dashboard: true,
      safeDeploy: {
        shift: "Canary10Percent5Minutes",
        functions: { WorkerFunction: { shift: "Linear10PercentEvery1Minute" } },
      },
      healthRoute: true,
    }),
};
