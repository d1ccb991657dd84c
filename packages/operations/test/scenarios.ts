import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  addAlarms,
  addDashboard,
  addHealthRoute,
  addSafeDeploy,
  applyOperations,
  type TemplateJson,
} from "../src/index.js";

export type Tpl = TemplateJson & {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>;
  Outputs: Record<string, { Value: unknown; Description?: string }>;
};

const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL("./fixtures/service.json", import.meta.url)), "utf8"),
) as Tpl;

/**
 * `examples/hello` as `@sparta/cli`'s `marshalService` generated it (three functions: HTTP API, S3, schedule),
 * code keys made up. Regenerate by running marshalService on examples/hello/sparta.config.ts when the CLI's
 * output changes.
 */
const hello = JSON.parse(
  readFileSync(fileURLToPath(new URL("./fixtures/hello.json", import.meta.url)), "utf8"),
) as Tpl;

/**
 * One function behind a REST API (`AWS::ApiGateway::RestApi`, a `{proxy+}` resource, a deployment and the stage
 * `prod`). `@sparta/cli` emits HTTP APIs only; this is what a service decorator adding a REST API produces.
 */
const rest = JSON.parse(
  readFileSync(fileURLToPath(new URL("./fixtures/rest.json", import.meta.url)), "utf8"),
) as Tpl;

/**
 * `@sparta/cli`'s golden `packages/cli/test/golden/s3-existing.template.json` (commit b6373cb), the same JSON
 * (biome formats it here): two functions with S3 triggers on existing buckets (`existingBucket`), so one shared custom-resource
 * function `SpartaS3NotificationFunction` behind three `Custom::SpartaS3Notification` resources, plus one bucket the
 * stack creates. Copy it again when the CLI's golden changes.
 */
const s3Existing = JSON.parse(
  readFileSync(fileURLToPath(new URL("./fixtures/s3-existing.json", import.meta.url)), "utf8"),
) as Tpl;

export function s3ExistingService(): Tpl {
  return structuredClone(s3Existing);
}

export function restService(): Tpl {
  return structuredClone(rest);
}

/**
 * The REST service with the API named by an `Fn::Join` (not expressible as `${...}` text) and deployed by its
 * `AWS::ApiGateway::Deployment`'s `StageName` instead of a separate `AWS::ApiGateway::Stage`.
 */
export function restDeploymentStageService(): Tpl {
  const t = restService();
  delete t.Resources.RestApiProdStage;
  res(t, "RestApi").Properties.Name = { "Fn::Join": ["-", [{ Ref: "AWS::StackName" }, "rest"]] };
  res(t, "RestApiDeployment").Properties.StageName = "live";
  t.Outputs.RestApiUrl!.Value = {
    "Fn::Sub": "https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live",
  };
  return t;
}

export function helloService(): Tpl {
  return structuredClone(hello);
}

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
  "hello-all": () =>
    applyOperations(helloService(), {
      alarms: true,
      dashboard: true,
      safeDeploy: { shift: "Canary10Percent5Minutes" },
      healthRoute: true,
    }),
  "rest-all": () =>
    applyOperations(restService(), {
      alarms: true,
      dashboard: true,
      safeDeploy: { shift: "Canary10Percent5Minutes" },
    }),
  "s3-existing-all": () =>
    applyOperations(s3ExistingService(), {
      alarms: true,
      dashboard: true,
      safeDeploy: { shift: "Canary10Percent5Minutes" },
    }),
  "rest-deployment-stage": () =>
    applyOperations(restDeploymentStageService(), {
      alarms: { api5xx: { thresholdPercent: 1 } },
      dashboard: true,
    }),
};

type Res = Tpl["Resources"][string];

/** The resource `id` of `t`, with its properties; fails the test when there is none. */
export function res(t: Tpl, id: string): Res & { Properties: Record<string, unknown> } {
  const r = t.Resources[id];
  if (r === undefined) throw new Error(`The template has no resource ${id}`);
  return r as Res & { Properties: Record<string, unknown> };
}
