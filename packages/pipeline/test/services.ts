/**
 * Service templates built by the real `@sparta/cli` (its loader and marshaller) and `@sparta/operations`: the three
 * examples, a `sparta init` scaffold, and a service using every setting that grows IAM. Function code keys are
 * fake (no bundling): IAM does not depend on them.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type FunctionCode,
  loadService,
  marshalService,
  type ServiceDefinition,
  scaffoldFiles,
} from "@sparta/cli";
import { alarms, dashboard, healthRoute, safeDeploy } from "@sparta/operations";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");

// biome-ignore lint/suspicious/noExplicitAny: template JSON, checked by each caller
type Json = Record<string, any>;

const codeFor = (service: ServiceDefinition): Record<string, FunctionCode> =>
  Object.fromEntries(
    service.functions.map((f) => [
      f.name,
      { key: `${f.name}-0123456789abcdef.zip`, handler: "index.handler" },
    ]),
  );

export async function marshal(service: ServiceDefinition): Promise<Json> {
  const warnings: string[] = [];
  return (await marshalService(service, codeFor(service), { warn: (m) => warnings.push(m) })) as Json;
}

/** An example of the repository (`examples/<name>/sparta.config.ts`), as the CLI loads it. */
export async function exampleService(name: string): Promise<ServiceDefinition> {
  const { service } = await loadService(join(repoRoot, "examples", name, "sparta.config.ts"), {
    checkHandlers: false,
  });
  return service;
}

/** The service `sparta init` scaffolds (written under this package, where @sparta/cli resolves). */
export async function scaffoldService(): Promise<ServiceDefinition> {
  const dir = join(here, "..", `.scaffold-${process.pid}`);
  try {
    for (const file of scaffoldFiles("scaffolded", "0.1.0")) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.content);
    }
    const { service } = await loadService(join(dir, "sparta.config.ts"), { checkHandlers: false });
    return service;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every setting of the service model that adds an IAM statement, a role or a policy, with every operation. */
export function everySettingService(): ServiceDefinition {
  return {
    name: "everything",
    parameters: { DataBucket: { description: "an existing bucket" } },
    functions: [
      {
        name: "api",
        handler: "src/api.ts#handler",
        privileges: [
          {
            actions: ["dynamodb:GetItem", "dynamodb:PutItem"],
            resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/orders"],
          },
        ],
        tracing: "Active",
        vpc: { subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] },
        layers: ["arn:aws:lambda:us-east-1:123456789012:layer:shared:3"],
        deadLetter: { queueArn: "arn:aws:sqs:us-east-1:123456789012:failed" },
        environment: {
          STAGE: "prod",
          API_KEY: { secretsManager: "prod/api-key", jsonKey: "key" },
          DB_PASSWORD: {
            ssmParameter: "/prod/db/password",
            kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
          },
        },
        events: [
          { type: "httpApi", method: "GET", path: "/items" },
          { type: "functionUrl" },
          { type: "s3", bucket: "uploads", prefix: "in/" },
          { type: "s3", existingBucket: "my-data-bucket", suffix: ".csv" },
          { type: "s3", existingBucket: { Ref: "DataBucket" } },
          { type: "sns", topicArn: "arn:aws:sns:us-east-1:123456789012:orders" },
          { type: "sqs", queueArn: "arn:aws:sqs:us-east-1:123456789012:queue" },
          {
            type: "dynamodb",
            streamArn: "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2020-01-01T00:00:00.000",
          },
          { type: "kinesis", streamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s" },
          { type: "schedule", expression: "rate(5 minutes)" },
          { type: "eventPattern", pattern: { source: ["aws.ec2"] } },
          { type: "cloudwatchLogs", logGroupName: "/aws/lambda/other" },
        ],
      },
      {
        name: "notify",
        handler: "src/notify.ts#handler",
        deadLetter: { topicArn: "arn:aws:sns:us-east-1:123456789012:dead-letters" },
      },
    ],
    permissionsBoundary: "arn:aws:iam::123456789012:policy/team-boundary",
    decorators: [safeDeploy({ shift: "Canary10Percent5Minutes" }), alarms(), healthRoute(), dashboard()],
  };
}
