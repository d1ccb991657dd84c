import {
  asTemplate,
  findFunctions,
  findHttpApis,
  findRestApis,
  markOf,
  type OperationsReporter,
  putOutput,
  putResource,
  removeFeature,
  sub,
  type Template,
  type TemplateJson,
  warnOverLimits,
} from "./cfn.js";

export interface DashboardOptions {
  /** Logical id of the `AWS::CloudWatch::Dashboard`. Default `SpartaDashboard`. */
  logicalId?: string;
  /** Metric period in seconds. Default 60. */
  periodSeconds?: number;
  reporter?: OperationsReporter;
}

/** Output holding the dashboard's console URL. */
export const DASHBOARD_URL_OUTPUT = "SpartaDashboardUrl";

type Widget = { type: string; x: number; y: number; width: number; height: number; properties: object };

/**
 * Text for a value inside the dashboard's `Fn::Sub` body: a literal (with `${` escaped), `${Id}` / `${Id.Attr}`
 * for a Ref / GetAtt, the string of a string `Fn::Sub`, else a variable of the `Fn::Sub` variable map.
 */
function subText(value: unknown, vars: Record<string, unknown>, varName: string): string {
  if (typeof value === "string") return value.replaceAll("${", "${!");
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (Object.keys(v).length === 1) {
      if (typeof v.Ref === "string") return "${" + v.Ref + "}";
      const g = v["Fn::GetAtt"];
      if (Array.isArray(g) && g.length === 2 && g.every((x) => typeof x === "string")) {
        return "${" + g.join(".") + "}";
      }
      if (typeof v["Fn::Sub"] === "string") return v["Fn::Sub"];
    }
  }
  vars[varName] = value;
  return "${" + varName + "}";
}

/** Re-renders a dashboard added earlier (after alarms were added, so it shows them). */
export function refreshDashboard(t: Template, reporter: OperationsReporter | undefined): void {
  const existing = Object.values(t.Resources).find((r) => markOf(r)?.feature === "dashboard");
  if (existing === undefined) return;
  addDashboard(t, { ...(markOf(existing)?.options as DashboardOptions), ...(reporter ? { reporter } : {}) });
}

/**
 * Adds one CloudWatch dashboard named after the stack (`${AWS::StackName}`) with, per function, invocations and
 * errors, duration p50/p99, throttles and concurrent executions; per HTTP API and REST API, latency p50/p99,
 * 4xx/5xx and requests; and the state of the alarms already in the template. Its console URL is the output
 * `SpartaDashboardUrl`. Functions and APIs under a `Condition` are left out (the dashboard could not refer to them
 * when it is false), and so are REST APIs whose name is unknown before deploy.
 */
export function addDashboard<T extends TemplateJson>(template: T, options: DashboardOptions = {}): T {
  const t = asTemplate(template);
  removeFeature(t, "dashboard");
  const id = options.logicalId ?? "SpartaDashboard";
  const period = options.periodSeconds ?? 60;
  const widgets: Widget[] = [];
  let y = 0;
  const row = (cells: { title: string; properties: object }[], height = 6) => {
    const width = Math.floor(24 / cells.length);
    cells.forEach((c, i) => {
      widgets.push({
        type: "metric",
        x: i * width,
        y,
        width,
        height,
        properties: {
          title: c.title,
          view: "timeSeries",
          region: "${AWS::Region}",
          period,
          ...c.properties,
        },
      });
    });
    y += height;
  };
  const header = (markdown: string) => {
    widgets.push({ type: "text", x: 0, y, width: 24, height: 1, properties: { markdown } });
    y += 1;
  };

  const skipped: string[] = [];
  const vars: Record<string, unknown> = {};
  for (const fn of findFunctions(t)) {
    if (fn.condition !== undefined) {
      skipped.push(fn.logicalId);
      continue;
    }
    const f = "${" + fn.logicalId + "}";
    const m = (name: string, stat: string, label: string) => [
      "AWS/Lambda",
      name,
      "FunctionName",
      f,
      { stat, label },
    ];
    header(`## Function ${fn.logicalId}`);
    row([
      {
        title: `${fn.logicalId} invocations and errors`,
        properties: {
          stacked: false,
          metrics: [m("Invocations", "Sum", "Invocations"), m("Errors", "Sum", "Errors")],
        },
      },
      {
        title: `${fn.logicalId} duration`,
        properties: { metrics: [m("Duration", "p50", "p50"), m("Duration", "p99", "p99")] },
      },
      { title: `${fn.logicalId} throttles`, properties: { metrics: [m("Throttles", "Sum", "Throttles")] } },
      {
        title: `${fn.logicalId} concurrent executions`,
        properties: { metrics: [m("ConcurrentExecutions", "Maximum", "Concurrent executions")] },
      },
    ]);
  }
  for (const api of findHttpApis(t)) {
    if (api.condition !== undefined) {
      skipped.push(api.logicalId);
      continue;
    }
    const a = "${" + api.logicalId + "}";
    const m = (name: string, stat: string, label: string) => [
      "AWS/ApiGateway",
      name,
      "ApiId",
      a,
      { stat, label },
    ];
    header(`## HTTP API ${api.logicalId}`);
    row([
      {
        title: `${api.logicalId} latency`,
        properties: { metrics: [m("Latency", "p50", "p50"), m("Latency", "p99", "p99")] },
      },
      {
        title: `${api.logicalId} errors`,
        properties: {
          metrics: [m("4xx", "Sum", "4xx"), m("5xx", "Sum", "5xx"), m("Count", "Sum", "Requests")],
        },
      },
    ]);
  }
  const unnamed: string[] = [];
  for (const api of findRestApis(t)) {
    if (api.condition !== undefined) {
      skipped.push(api.logicalId);
      continue;
    }
    if (api.apiName === undefined) {
      unnamed.push(api.logicalId);
      continue;
    }
    // REST API metrics are filtered by the API's name (and stage), not its id.
    const dims = [
      "ApiName",
      subText(api.apiName, vars, `SpartaApiName${api.logicalId}`),
      ...(api.stage === undefined ? [] : ["Stage", subText(api.stage, vars, `SpartaStage${api.logicalId}`)]),
    ];
    const m = (name: string, stat: string, label: string) => [
      "AWS/ApiGateway",
      name,
      ...dims,
      { stat, label },
    ];
    header(`## REST API ${api.logicalId}`);
    row([
      {
        title: `${api.logicalId} latency`,
        properties: { metrics: [m("Latency", "p50", "p50"), m("Latency", "p99", "p99")] },
      },
      {
        title: `${api.logicalId} errors`,
        properties: {
          metrics: [
            m("4XXError", "Sum", "4xx"),
            m("5XXError", "Sum", "5xx"),
            m("Count", "SampleCount", "Requests"),
          ],
        },
      },
    ]);
  }
  const alarms = Object.entries(t.Resources)
    .filter(([, r]) => r.Type === "AWS::CloudWatch::Alarm" && markOf(r)?.feature === "alarms" && !r.Condition)
    .map(([alarmId]) => "${" + alarmId + ".Arn}");
  if (alarms.length > 0) {
    widgets.push({
      type: "alarm",
      x: 0,
      y,
      width: 24,
      height: Math.min(2 + Math.ceil(alarms.length / 4) * 2, 12),
      properties: { title: "Alarms", alarms },
    });
  }
  if (skipped.length > 0) {
    options.reporter?.warn(
      `The dashboard leaves out ${skipped.join(", ")}: they have a Condition, and a dashboard cannot refer to a resource that may not exist.`,
    );
  }
  if (unnamed.length > 0) {
    options.reporter?.warn(
      `The dashboard leaves out the REST API(s) ${unnamed.join(", ")}: their metrics are filtered by the API's name, ` +
        'and they have no Name property (nor an inline Body with info.title). Give each one, e.g. "Name": { "Ref": "AWS::StackName" }.',
    );
  }
  const body = JSON.stringify({ widgets });

  putResource(
    t,
    id,
    {
      Type: "AWS::CloudWatch::Dashboard",
      Properties: {
        DashboardName: sub("${AWS::StackName}"),
        DashboardBody: Object.keys(vars).length === 0 ? sub(body) : { "Fn::Sub": [body, vars] },
      },
    },
    {
      feature: "dashboard",
      options: {
        ...(options.logicalId === undefined ? {} : { logicalId: options.logicalId }),
        ...(options.periodSeconds === undefined ? {} : { periodSeconds: options.periodSeconds }),
      },
    },
  );
  putOutput(t, DASHBOARD_URL_OUTPUT, {
    Description: "CloudWatch dashboard of this stack",
    Value: sub(
      "https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards/dashboard/${" +
        id +
        "}",
    ),
  });
  warnOverLimits(t, "dashboard()", options.reporter);
  return template;
}
