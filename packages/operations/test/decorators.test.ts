import { describe, expect, it } from "vitest";
import { alarms, applyOperations, dashboard, healthRoute, operations, safeDeploy } from "../src/index.js";
import { res, scenarios, service } from "./scenarios.js";

/** The CLI calls each service decorator with `{ service, template }` and merges what it returns. */
const cliContext = () => ({ service: { name: "shop", functions: [] }, template: service() });

describe("decorators", () => {
  it("mutate the template the CLI hands them and return nothing to merge", () => {
    const ctx = cliContext();
    for (const d of [
      safeDeploy({ shift: "Canary10Percent5Minutes" }),
      alarms(),
      healthRoute(),
      dashboard(),
    ]) {
      expect(d(ctx)).toBeUndefined();
    }
    expect(ctx.template.Resources.SpartaDashboard?.Type).toBe("AWS::CloudWatch::Dashboard");
    expect(ctx.template.Resources.ApiFunctionAlias?.Type).toBe("AWS::Lambda::Alias");
  });

  it("operations() with everything on equals the all-features golden scenario", () => {
    const ctx = cliContext();
    operations({
      alarms: true,
      dashboard: true,
      safeDeploy: {
        shift: "Canary10Percent5Minutes",
        functions: { WorkerFunction: { shift: "Linear10PercentEvery1Minute" } },
      },
      healthRoute: true,
    })(ctx);
    expect(ctx.template).toEqual(scenarios.all!());
  });

  it("turns a feature off with false or by leaving it out", () => {
    const t = applyOperations(service(), { alarms: true, dashboard: false });
    expect(t.Resources.SpartaDashboard).toBeUndefined();
    expect(t.Resources.ApiFunctionErrorRateAlarm).toBeDefined();
    expect(applyOperations(service(), {})).toEqual(service());
  });

  it("passes the context's reporter on when the options have none", () => {
    const ctx = { ...cliContext(), reporter: { warn: (m: string) => warnings.push(m) } };
    const warnings: string[] = [];
    res(ctx.template, "ApiFunction").Properties.Timeout = { Ref: "T" };
    alarms()(ctx);
    expect(warnings).toHaveLength(1);
  });
});

describe("dashboard", () => {
  it("has per-function and per-API widgets, the alarms, and its URL as an output", () => {
    const t = scenarios.all!();
    const d = res(t, "SpartaDashboard").Properties;
    expect(d.DashboardName).toEqual({ "Fn::Sub": "${AWS::StackName}" });
    const body = JSON.parse((d.DashboardBody as { "Fn::Sub": string })["Fn::Sub"]) as {
      widgets: { type: string; properties: { title?: string; metrics?: unknown[][]; alarms?: string[] } }[];
    };
    const metrics = body.widgets
      .flatMap((w) => w.properties.metrics ?? [])
      .map((m) => `${m[1]} ${m[3]} ${JSON.stringify(m[4])}`);
    for (const fn of ["ApiFunction", "WorkerFunction"]) {
      for (const expected of [
        `Invocations \${${fn}} {"stat":"Sum","label":"Invocations"}`,
        `Errors \${${fn}} {"stat":"Sum","label":"Errors"}`,
        `Duration \${${fn}} {"stat":"p50","label":"p50"}`,
        `Duration \${${fn}} {"stat":"p99","label":"p99"}`,
        `Throttles \${${fn}} {"stat":"Sum","label":"Throttles"}`,
        `ConcurrentExecutions \${${fn}} {"stat":"Maximum","label":"Concurrent executions"}`,
      ]) {
        expect(metrics).toContain(expected);
      }
    }
    for (const expected of ["Latency ${HttpApi}", "4xx ${HttpApi}", "5xx ${HttpApi}"]) {
      expect(metrics.some((m) => m.startsWith(expected))).toBe(true);
    }
    const alarmWidget = body.widgets.find((w) => w.type === "alarm");
    // Three per function and the HTTP API's 5xx alarm.
    expect(alarmWidget?.properties.alarms).toHaveLength(7);
    expect(alarmWidget?.properties.alarms).toContain("${HttpApi5xxAlarm.Arn}");
    // Widgets never overlap: each starts where the previous row ended.
    const cells = body.widgets as unknown as { x: number; y: number; width: number; height: number }[];
    for (const a of cells) {
      for (const b of cells) {
        if (a === b) continue;
        const overlap =
          a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap).toBe(false);
      }
    }
    expect(t.Outputs.SpartaDashboardUrl!.Value).toEqual({
      "Fn::Sub":
        "https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards/dashboard/${SpartaDashboard}",
    });
  });
});

describe("CloudFormation limits", () => {
  it("warns when the features push the template over 500 resources", () => {
    const t = service();
    for (let i = 0; i < 80; i++) {
      t.Resources[`Extra${i}Function`] = structuredClone(t.Resources.WorkerFunction!);
    }
    const warnings: string[] = [];
    applyOperations(t, { alarms: true, safeDeploy: true, reporter: { warn: (m) => warnings.push(m) } });
    expect(Object.keys(t.Resources).length).toBeGreaterThan(500);
    expect(warnings.some((w) => /template has \d+ resources; CloudFormation allows 500/.test(w))).toBe(true);
    expect(warnings.some((w) => /outputs; CloudFormation allows 200/.test(w))).toBe(true);
    // past 100 alarms, the rollback alarm combines composite parts (a rule names at most 100 alarms)
    expect(warnings.some((w) => /alarm rule names at most 100/.test(w))).toBe(false);
    const parts = Object.keys(t.Resources).filter((id) => /^SpartaRollbackAlarmPart\d+$/.test(id));
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.length).toBeLessThanOrEqual(16);
  });
});

describe("decorator order", () => {
  const make = () => [
    safeDeploy({
      shift: "Canary10Percent5Minutes",
      functions: { WorkerFunction: { shift: "Linear10PercentEvery1Minute" } },
    }),
    alarms(),
    healthRoute({ function: "WorkerFunction" }),
    dashboard(),
  ];
  const permutations = <T>(xs: T[]): T[][] =>
    xs.length <= 1
      ? [xs]
      : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));

  it("does not matter: all 24 orders give the same template", () => {
    const expected = cliContext();
    for (const d of make()) d(expected);
    // The health route's new integration goes through the alias, and the dashboard shows the alarms.
    expect(res(expected.template, "WorkerFunctionHealthIntegration").Properties.IntegrationUri).toEqual({
      Ref: "WorkerFunctionAlias",
    });
    expect(JSON.stringify(res(expected.template, "SpartaDashboard").Properties)).toContain(
      '\\"type\\":\\"alarm\\"',
    );
    for (const order of permutations([0, 1, 2, 3])) {
      const ctx = cliContext();
      const ds = make();
      for (const i of order) ds[i]!(ctx);
      expect(ctx.template, `order ${order.join(",")}`).toEqual(expected.template);
    }
  });
});
