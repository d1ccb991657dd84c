import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateTemplate } from "@sparta/template";
import { describe, expect, it } from "vitest";
import {
  ALARM_OUTPUT_PREFIX,
  addAlarms,
  addDashboard,
  addSafeDeploy,
  alarmArnsFrom,
  alarmNamesFor,
  alarmsIn,
  checkPromotionGate,
  InvalidOptionError,
  ROLLBACK_ALARM_ID,
  rollbackAlarmsFrom,
  UnknownApiError,
} from "../src/index.js";
import { FakeCloudWatch } from "./fake-cloudwatch.js";
import { res, restDeploymentStageService, restService, scenarios, service, type Tpl } from "./scenarios.js";

type Metric = { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] };
type Query = {
  Id: string;
  MetricStat?: { Metric: Metric; Period: number; Stat: string };
  Expression?: string;
};

const props = (t: Tpl, id: string) => res(t, id).Properties;
const queries = (t: Tpl, id: string) => props(t, id).Metrics as Query[];
const rule = (t: Tpl) => (props(t, ROLLBACK_ALARM_ID).AlarmRule as { "Fn::Sub": string })["Fn::Sub"];

/** Every metric of every metric widget of the dashboard, with the `Fn::Sub` variable map if there is one. */
function dashboardMetrics(t: Tpl): { metrics: unknown[][]; vars: Record<string, unknown> } {
  const body = props(t, "SpartaDashboard").DashboardBody as { "Fn::Sub": string | [string, object] };
  const [text, vars] = typeof body["Fn::Sub"] === "string" ? [body["Fn::Sub"], {}] : body["Fn::Sub"];
  const widgets = (JSON.parse(text) as { widgets: { properties: { metrics?: unknown[][] } }[] }).widgets;
  return {
    metrics: widgets.flatMap((w) => w.properties.metrics ?? []),
    vars: vars as Record<string, unknown>,
  };
}

const CFN_LINT = [process.env.CFN_LINT, "/root/.pyenv/shims/cfn-lint", "cfn-lint"].find(
  (bin) => bin !== undefined && spawnSync(bin, ["--version"], { encoding: "utf8" }).status === 0,
);

/** cfn-lint's error lines (E....) for these templates. */
function lintErrors(templates: Record<string, Tpl>): string[] {
  const dir = mkdtempSync(join(tmpdir(), "ops-api-alarms-"));
  const files = Object.entries(templates).map(([name, t]) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(t));
    return file;
  });
  const run = spawnSync(String(CFN_LINT), ["--format", "parseable", ...files], { encoding: "utf8" });
  return run.stdout.split("\n").filter((l) => /:E\d{4}:/.test(l));
}

describe("5xx alarm of an HTTP API", () => {
  it("is 100 x 5xx / Count by metric math over the API's ApiId, at 5% by default", () => {
    const t = addAlarms(service());
    const p = props(t, "HttpApi5xxAlarm");
    expect(p).toMatchObject({
      AlarmName: { "Fn::Sub": "${AWS::StackName}-HttpApi-5xx" },
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 5,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: "notBreaching",
    });
    const dims = [{ Name: "ApiId", Value: { Ref: "HttpApi" } }];
    expect(queries(t, "HttpApi5xxAlarm")).toEqual([
      {
        Id: "errors",
        MetricStat: {
          Metric: { Namespace: "AWS/ApiGateway", MetricName: "5xx", Dimensions: dims },
          Period: 60,
          Stat: "Sum",
        },
        ReturnData: false,
      },
      {
        Id: "requests",
        MetricStat: {
          Metric: { Namespace: "AWS/ApiGateway", MetricName: "Count", Dimensions: dims },
          Period: 60,
          Stat: "Sum",
        },
        ReturnData: false,
      },
      {
        Id: "rate",
        Expression: "IF(requests > 0, 100 * errors / requests, 0)",
        Label: "5xx rate (%)",
        ReturnData: true,
      },
    ]);
  });

  it("is part of the composite rollback alarm, has an output, and a name the pipeline can know", () => {
    const t = addAlarms(service());
    expect(rule(t)).toContain('ALARM("${HttpApi5xxAlarm}")');
    expect(t.Outputs[`${ALARM_OUTPUT_PREFIX}HttpApi5xx`]?.Value).toEqual({
      "Fn::GetAtt": ["HttpApi5xxAlarm", "Arn"],
    });
    expect(alarmsIn(t)).toContainEqual({
      logicalId: "HttpApi5xxAlarm",
      api: "HttpApi",
      kind: "api5xx",
      outputKey: "SpartaAlarmHttpApi5xx",
    });
    expect(alarmNamesFor(t, "shop-prod")).toContain("shop-prod-HttpApi-5xx");
  });

  it("takes a threshold and window, globally and per API, over the defaults", () => {
    const t = addAlarms(service(), {
      api5xx: { thresholdPercent: 2, periodSeconds: 300 },
      apis: { HttpApi: { api5xx: { evaluationPeriods: 5, datapointsToAlarm: 4 } } },
    });
    expect(props(t, "HttpApi5xxAlarm")).toMatchObject({
      Threshold: 2,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 4,
      AlarmDescription: "HttpApi: 5xx responses at or above 2% of requests",
    });
    expect(queries(t, "HttpApi5xxAlarm")[0]?.MetricStat?.Period).toBe(300);
  });

  it.each([
    ["api5xx: false", { api5xx: false as const }],
    ["apis: { HttpApi: false }", { apis: { HttpApi: false as const } }],
    ["apis: { HttpApi: { api5xx: false } }", { apis: { HttpApi: { api5xx: false as const } } }],
  ])("%s turns it off: no alarm, output, rule member or name", (_label, options) => {
    const t = addAlarms(service(), options);
    expect(t.Resources.HttpApi5xxAlarm).toBeUndefined();
    expect(t.Outputs.SpartaAlarmHttpApi5xx).toBeUndefined();
    expect(rule(t)).not.toContain("HttpApi");
    expect(alarmNamesFor(t, "shop-prod").some((n) => n.endsWith("-5xx"))).toBe(false);
    // The function alarms stay.
    expect(alarmsIn(t)).toHaveLength(6);
  });

  it("removes the alarm and its output when applied again with it off", () => {
    const t = addAlarms(service());
    addAlarms(t, { api5xx: false });
    expect(JSON.stringify(t)).toBe(JSON.stringify(addAlarms(service(), { api5xx: false })));
  });

  it("sends notifications to the given topics, like the function alarms", () => {
    const t = addAlarms(service(), { notify: [{ Ref: "OpsTopic" }] });
    expect(props(t, "HttpApi5xxAlarm")).toMatchObject({
      AlarmActions: [{ Ref: "OpsTopic" }],
      OKActions: [{ Ref: "OpsTopic" }],
    });
  });

  it("names the API and the known ones when an override names an API that does not exist", () => {
    const run = () => addAlarms(service(), { apis: { Api: false } });
    expect(run).toThrow(UnknownApiError);
    expect(run).toThrow(/"Api".*\n.*APIs in the template: HttpApi\./);
  });

  it.each([
    [
      { api5xx: { thresholdPercent: 0 } },
      /alarms\(HttpApi\)\.api5xx\.thresholdPercent must be in \(0, 100\]/,
    ],
    [{ apis: { HttpApi: { api5xx: { periodSeconds: 90 } } } }, /alarms\(HttpApi\)\.api5xx\.periodSeconds/],
  ])("rejects %j", (options, message) => {
    expect(() => addAlarms(service(), options)).toThrow(InvalidOptionError);
    expect(() => addAlarms(service(), options)).toThrow(message);
  });

  it("leaves WebSocket APIs alone", () => {
    const t = service();
    res(t, "HttpApi").Properties.ProtocolType = "WEBSOCKET";
    addAlarms(t);
    expect(t.Resources.HttpApi5xxAlarm).toBeUndefined();
  });

  it("copies the API's Condition and stays out of the composite alarm, with a warning", () => {
    const t = service();
    t.Resources.HttpApi!.Condition = "HasApi";
    const warnings: string[] = [];
    addAlarms(t, { reporter: { warn: (m) => warnings.push(m) } });
    expect(t.Resources.HttpApi5xxAlarm!.Condition).toBe("HasApi");
    expect((t.Outputs.SpartaAlarmHttpApi5xx as { Condition?: string }).Condition).toBe("HasApi");
    expect(rule(t)).not.toContain("HttpApi5xxAlarm");
    expect(alarmNamesFor(t, "shop-prod")).not.toContain("shop-prod-HttpApi-5xx");
    expect(warnings).toContainEqual(
      expect.stringMatching(/^1 alarm\(s\) of functions or APIs with a Condition/),
    );
  });

  it("is not a CodeDeploy alarm: deployment groups keep watching their function's alarms only", () => {
    const t = addAlarms(addSafeDeploy(service(), { shift: "AllAtOnce" }));
    expect(JSON.stringify(props(t, "ApiFunctionDeploymentGroup").AlarmConfiguration)).not.toContain("5xx");
  });
});

describe("5xx alarm of a REST API", () => {
  const dims = (t: Tpl) => queries(t, "RestApi5xxAlarm")[0]?.MetricStat?.Metric.Dimensions ?? [];

  it("is 100 x 5XXError / SampleCount of Count over ApiName and the one stage", () => {
    const t = addAlarms(restService());
    const name = { "Fn::Sub": "${AWS::StackName}-rest" };
    const metric = (MetricName: string) => ({
      Namespace: "AWS/ApiGateway",
      MetricName,
      Dimensions: [
        { Name: "ApiName", Value: name },
        { Name: "Stage", Value: "prod" },
      ],
    });
    expect(queries(t, "RestApi5xxAlarm")).toEqual([
      {
        Id: "errors",
        MetricStat: { Metric: metric("5XXError"), Period: 60, Stat: "Sum" },
        ReturnData: false,
      },
      {
        Id: "requests",
        MetricStat: { Metric: metric("Count"), Period: 60, Stat: "SampleCount" },
        ReturnData: false,
      },
      {
        Id: "rate",
        Expression: "IF(requests > 0, 100 * errors / requests, 0)",
        Label: "5xx rate (%)",
        ReturnData: true,
      },
    ]);
    expect(props(t, "RestApi5xxAlarm")).toMatchObject({
      AlarmName: { "Fn::Sub": "${AWS::StackName}-RestApi-5xx" },
      Threshold: 5,
    });
    expect(rule(t)).toContain('ALARM("${RestApi5xxAlarm}")');
    expect(t.Outputs.SpartaAlarmRestApi5xx?.Value).toEqual({ "Fn::GetAtt": ["RestApi5xxAlarm", "Arn"] });
    expect(alarmNamesFor(t, "orders-prod")).toEqual([
      "orders-prod-OrdersFunction-ErrorRate",
      "orders-prod-OrdersFunction-Throttles",
      "orders-prod-OrdersFunction-Duration",
      "orders-prod-RestApi-5xx",
    ]);
  });

  it("takes the stage from a Deployment's StageName when there is no Stage resource", () => {
    const t = addAlarms(restDeploymentStageService());
    expect(dims(t)).toEqual([
      { Name: "ApiName", Value: { "Fn::Join": ["-", [{ Ref: "AWS::StackName" }, "rest"]] } },
      { Name: "Stage", Value: "live" },
    ]);
  });

  it("filters by ApiName alone when the API has several stages, or a stage under another Condition", () => {
    const t = restService();
    t.Resources.RestApiTestStage = {
      Type: "AWS::ApiGateway::Stage",
      Properties: {
        RestApiId: { Ref: "RestApi" },
        DeploymentId: { Ref: "RestApiDeployment" },
        StageName: "test",
      },
    };
    expect(dims(addAlarms(t))).toEqual([{ Name: "ApiName", Value: { "Fn::Sub": "${AWS::StackName}-rest" } }]);
    const u = restService();
    u.Resources.RestApiProdStage!.Condition = "IsProd";
    expect(dims(addAlarms(u)).map((d) => d.Name)).toEqual(["ApiName"]);
    // A stage of another API does not count.
    const v = restService();
    res(v, "RestApiProdStage").Properties.RestApiId = { Ref: "OtherApi" };
    expect(dims(addAlarms(v)).map((d) => d.Name)).toEqual(["ApiName"]);
  });

  it("uses the name as API Gateway publishes it: non-ASCII dropped, the API id when nothing is left", () => {
    const t = restService();
    res(t, "RestApi").Properties.Name = "Bestellungen-Büro";
    expect(dims(addAlarms(t))[0]).toEqual({ Name: "ApiName", Value: "Bestellungen-Bro" });
    res(t, "RestApi").Properties.Name = "注文";
    expect(dims(addAlarms(t))[0]).toEqual({ Name: "ApiName", Value: { Ref: "RestApi" } });
  });

  it("takes the name from an inline OpenAPI Body's info.title when the API has no Name", () => {
    const t = restService();
    const api = res(t, "RestApi").Properties;
    delete api.Name;
    api.Body = { openapi: "3.0.1", info: { title: "orders", version: "1" }, paths: {} };
    expect(dims(addAlarms(t))[0]).toEqual({ Name: "ApiName", Value: "orders" });
  });

  it("is skipped with a warning (alarm and dashboard) when the name is unknown before deploy", () => {
    const t = restService();
    const api = res(t, "RestApi").Properties;
    delete api.Name;
    api.BodyS3Location = { Bucket: { Ref: "ArtifactBucket" }, Key: "openapi.yaml" };
    const warnings: string[] = [];
    addDashboard(addAlarms(t, { reporter: { warn: (m) => warnings.push(m) } }), {
      reporter: { warn: (m) => warnings.push(m) },
    });
    expect(t.Resources.RestApi5xxAlarm).toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/No 5xx alarm for the REST API RestApi: .*no Name property/);
    expect(warnings[0]).toContain("alarms({ apis: { RestApi: false } })");
    expect(warnings[1]).toMatch(/leaves out the REST API\(s\) RestApi/);
    expect(dashboardMetrics(t).metrics.some((m) => m[0] === "AWS/ApiGateway")).toBe(false);
    // Turning the alarm off silences its warning (the dashboard, refreshed by alarms(), still says its own).
    warnings.length = 0;
    addAlarms(t, { apis: { RestApi: false }, reporter: { warn: (m) => warnings.push(m) } });
    expect(warnings.filter((w) => w.includes("No 5xx alarm"))).toEqual([]);
  });

  it("copies the API's Condition", () => {
    const t = restService();
    t.Resources.RestApi!.Condition = "HasRest";
    t.Resources.RestApiProdStage!.Condition = "HasRest";
    addAlarms(t);
    expect(t.Resources.RestApi5xxAlarm!.Condition).toBe("HasRest");
    // The stage shares the API's Condition, so it still filters the metric.
    expect(dims(t).map((d) => d.Name)).toEqual(["ApiName", "Stage"]);
    expect(rule(t)).not.toContain("RestApi5xxAlarm");
  });

  it.skipIf(CFN_LINT === undefined)(
    "variants pass cfn-lint and validateTemplate with no error",
    () => {
      const twoStages = restService();
      twoStages.Resources.RestApiTestStage = {
        Type: "AWS::ApiGateway::Stage",
        Properties: {
          RestApiId: { Ref: "RestApi" },
          DeploymentId: { Ref: "RestApiDeployment" },
          StageName: "test",
        },
      };
      const unicode = restService();
      res(unicode, "RestApi").Properties.Name = "注文";
      const conditional = service();
      (conditional as { Conditions?: object }).Conditions = {
        HasApi: { "Fn::Equals": [{ Ref: "AWS::Region" }, "eu-west-1"] },
      };
      for (const id of [
        "HttpApi",
        "HttpApiDefaultStage",
        "ApiHttpIntegration",
        "ApiHttpPermission",
        "ApiRouteA1B2C3D4",
        "ApiRouteE5F6A7B8",
      ]) {
        res(conditional, id).Condition = "HasApi";
      }
      delete conditional.Outputs.HttpApiUrl;
      const templates = {
        twoStages: addDashboard(
          addAlarms(twoStages, { api5xx: { thresholdPercent: 1, periodSeconds: 300 } }),
        ),
        unicode: addDashboard(addAlarms(unicode)),
        conditional: addDashboard(addAlarms(conditional, { notify: [{ Ref: "OrdersTopicArn" }] })),
        off: addDashboard(addAlarms(restService(), { api5xx: false })),
      };
      for (const tpl of Object.values(templates)) expect(validateTemplate(tpl)).toEqual([]);
      expect(lintErrors(templates)).toEqual([]);
    },
    120_000,
  );
});

describe("REST API dashboard widgets", () => {
  it("show latency p50/p99, 4XXError, 5XXError and requests by ApiName and Stage", () => {
    const tpl = scenarios["rest-all"]!();
    const { metrics, vars } = dashboardMetrics(tpl);
    expect(vars).toEqual({});
    const dims = ["ApiName", "${AWS::StackName}-rest", "Stage", "prod"];
    const rest = metrics.filter((m) => m[0] === "AWS/ApiGateway");
    expect(rest).toEqual([
      ["AWS/ApiGateway", "Latency", ...dims, { stat: "p50", label: "p50" }],
      ["AWS/ApiGateway", "Latency", ...dims, { stat: "p99", label: "p99" }],
      ["AWS/ApiGateway", "4XXError", ...dims, { stat: "Sum", label: "4xx" }],
      ["AWS/ApiGateway", "5XXError", ...dims, { stat: "Sum", label: "5xx" }],
      ["AWS/ApiGateway", "Count", ...dims, { stat: "SampleCount", label: "Requests" }],
    ]);
    const body = JSON.stringify(props(tpl, "SpartaDashboard").DashboardBody);
    expect(body).toContain("## REST API RestApi");
    // The alarm widget shows the REST API's 5xx alarm too.
    expect(body).toContain("${RestApi5xxAlarm.Arn}");
  });

  it("pass a name that is not text (Fn::Join) through the Fn::Sub variable map", () => {
    const { metrics, vars } = dashboardMetrics(scenarios["rest-deployment-stage"]!());
    expect(vars).toEqual({
      SpartaApiNameRestApi: { "Fn::Join": ["-", [{ Ref: "AWS::StackName" }, "rest"]] },
    });
    expect(metrics.filter((m) => m[0] === "AWS/ApiGateway").map((m) => m.slice(2, 6))).toEqual(
      Array(5).fill(["ApiName", "${SpartaApiNameRestApi}", "Stage", "live"]),
    );
  });

  it("escape a literal name's ${ so Fn::Sub keeps it, and leave out the Stage when it is not one", () => {
    const tpl = restService();
    res(tpl, "RestApi").Properties.Name = "orders-${literal}";
    delete tpl.Resources.RestApiProdStage;
    delete tpl.Outputs.RestApiUrl;
    const { metrics } = dashboardMetrics(addDashboard(tpl));
    const rest = metrics.filter((m) => m[0] === "AWS/ApiGateway");
    expect(rest.map((m) => m.slice(2, 4))).toEqual(Array(5).fill(["ApiName", "orders-${!literal}"]));
    expect(rest[0]).toHaveLength(5);
  });

  it("leave out a REST API under a Condition, with a warning", () => {
    const tpl = restService();
    tpl.Resources.RestApi!.Condition = "HasRest";
    const warnings: string[] = [];
    addDashboard(tpl, { reporter: { warn: (m) => warnings.push(m) } });
    expect(dashboardMetrics(tpl).metrics.some((m) => m[0] === "AWS/ApiGateway")).toBe(false);
    expect(warnings[0]).toMatch(/leaves out RestApi: they have a Condition/);
  });

  it("keep the HTTP API widgets as they were (dimension ApiId)", () => {
    const { metrics } = dashboardMetrics(addDashboard(service()));
    expect(metrics.filter((m) => m[0] === "AWS/ApiGateway").map((m) => `${m[1]} ${m[2]}=${m[3]}`)).toEqual([
      "Latency ApiId=${HttpApi}",
      "Latency ApiId=${HttpApi}",
      "4xx ApiId=${HttpApi}",
      "5xx ApiId=${HttpApi}",
      "Count ApiId=${HttpApi}",
    ]);
  });
});

describe("API alarms for sparta status, rollback triggers and the promotion gate", () => {
  const arn = (name: string) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`;
  /** Outputs of a deployed stack made from `addAlarms(restService())`: every output key mapped to an alarm ARN. */
  const deployed = () => {
    const t = addAlarms(restService());
    const outputs: Record<string, string> = {
      RestApiUrl: "https://abc.execute-api.eu-west-1.amazonaws.com/prod",
    };
    for (const a of alarmsIn(t)) outputs[a.outputKey] = arn(`orders-${a.logicalId}`);
    outputs.SpartaRollbackAlarmArn = arn("orders-rollback");
    return { t, outputs };
  };

  it("are read by sparta status and ranked right after the error rates as rollback alarms", () => {
    const { t, outputs } = deployed();
    expect(alarmArnsFrom(outputs)).toContain(arn("orders-RestApi5xxAlarm"));
    expect(rollbackAlarmsFrom(outputs, t).arns).toEqual([
      arn("orders-OrdersFunctionErrorRateAlarm"),
      arn("orders-RestApi5xxAlarm"),
      arn("orders-OrdersFunctionThrottlesAlarm"),
      arn("orders-OrdersFunctionDurationAlarm"),
    ]);
    // A next template with the API alarm off does not name it as a trigger.
    expect(rollbackAlarmsFrom(outputs, addAlarms(restService(), { api5xx: false })).arns).not.toContain(
      arn("orders-RestApi5xxAlarm"),
    );
  });

  it("block promotion while the API's 5xx alarm is in ALARM", async () => {
    const { outputs } = deployed();
    const cw = new FakeCloudWatch([
      { AlarmName: "orders-OrdersFunctionErrorRateAlarm", StateValue: "OK" },
      { AlarmName: "orders-OrdersFunctionThrottlesAlarm", StateValue: "OK" },
      { AlarmName: "orders-OrdersFunctionDurationAlarm", StateValue: "OK" },
      { AlarmName: "orders-RestApi5xxAlarm", StateValue: "ALARM", StateReason: "Threshold Crossed" },
    ]);
    const gate = await checkPromotionGate(cw, outputs);
    expect(gate).toEqual({
      kind: "blocked",
      checked: 4,
      alarms: [{ name: "orders-RestApi5xxAlarm", state: "ALARM", reason: "Threshold Crossed" }],
    });
  });
});
