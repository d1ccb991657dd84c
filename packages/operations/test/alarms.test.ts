import { describe, expect, it } from "vitest";
import {
  addAlarms,
  addSafeDeploy,
  alarmsIn,
  InvalidOptionError,
  ROLLBACK_ALARM_ID,
  UnknownFunctionError,
} from "../src/index.js";
import { res, service } from "./scenarios.js";

const props = (t: ReturnType<typeof service>, id: string) => res(t, id).Properties;

describe("addAlarms", () => {
  it("adds error-rate, throttle and duration alarms per function with the documented defaults", () => {
    const t = addAlarms(service());
    expect(alarmsIn(t).map((a) => a.logicalId)).toEqual([
      "ApiFunctionErrorRateAlarm",
      "ApiFunctionThrottlesAlarm",
      "ApiFunctionDurationAlarm",
      "WorkerFunctionErrorRateAlarm",
      "WorkerFunctionThrottlesAlarm",
      "WorkerFunctionDurationAlarm",
      "HttpApi5xxAlarm",
    ]);
    const rate = props(t, "ApiFunctionErrorRateAlarm");
    expect(rate.Threshold).toBe(5);
    expect(rate.EvaluationPeriods).toBe(3);
    expect(rate.DatapointsToAlarm).toBe(2);
    expect(rate.Metrics).toContainEqual({
      Id: "errorRate",
      Expression: "IF(invocations > 0, 100 * errors / invocations, 0)",
      Label: "Error rate (%)",
      ReturnData: true,
    });
    // 80% of the function's Timeout (10 s and 60 s in the fixture), in milliseconds.
    expect(props(t, "ApiFunctionDurationAlarm").Threshold).toBe(8000);
    expect(props(t, "WorkerFunctionDurationAlarm").Threshold).toBe(48000);
    expect(props(t, "ApiFunctionDurationAlarm").ExtendedStatistic).toBe("p99");
    expect(props(t, "ApiFunctionThrottlesAlarm").Threshold).toBe(1);
  });

  it("merges per-function overrides over the defaults and turns alarms off", () => {
    const t = addAlarms(service(), {
      errorRate: { thresholdPercent: 2 },
      duration: { percentOfTimeout: 50 },
      functions: {
        ApiFunction: { errorRate: { evaluationPeriods: 5, datapointsToAlarm: 5 }, throttles: false },
        WorkerFunction: { duration: { thresholdMs: 1234 } },
      },
    });
    expect(props(t, "ApiFunctionErrorRateAlarm")).toMatchObject({
      Threshold: 2,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
    });
    expect(t.Resources.ApiFunctionThrottlesAlarm).toBeUndefined();
    expect(t.Outputs.SpartaAlarmApiFunctionThrottles).toBeUndefined();
    expect(props(t, "ApiFunctionDurationAlarm").Threshold).toBe(5000);
    expect(props(t, "WorkerFunctionDurationAlarm").Threshold).toBe(1234);
    expect(props(t, "WorkerFunctionErrorRateAlarm").Threshold).toBe(2);
  });

  it("skips every alarm of a function set to false", () => {
    const t = addAlarms(service(), { functions: { WorkerFunction: false }, api5xx: false });
    expect(alarmsIn(t).every((a) => a.kind !== "api5xx" && a.function === "ApiFunction")).toBe(true);
  });

  it("names the function and the known ones when an override names a function that does not exist", () => {
    const run = () => addAlarms(service(), { functions: { Api: { throttles: false } } });
    expect(run).toThrow(UnknownFunctionError);
    expect(run).toThrow(/"Api".*\n.*ApiFunction, WorkerFunction/);
  });

  it.each([
    [{ errorRate: { thresholdPercent: 0 } }, /thresholdPercent must be in \(0, 100\]; received 0/],
    [
      { throttles: { periodSeconds: 45 } },
      /periodSeconds must be 10, 20, 30 or a multiple of 60; received 45/,
    ],
    [{ duration: { evaluationPeriods: 2, datapointsToAlarm: 3 } }, /datapointsToAlarm must be between 1 and/],
    [{ errorRate: { periodSeconds: 3600, evaluationPeriods: 25 } }, /at most one day/],
  ])("rejects %j", (options, message) => {
    expect(() => addAlarms(service(), options)).toThrow(InvalidOptionError);
    expect(() => addAlarms(service(), options)).toThrow(message);
  });

  it("warns and skips the duration alarm when Timeout is an intrinsic, unless thresholdMs is given", () => {
    const t = service();
    res(t, "ApiFunction").Properties.Timeout = { Ref: "ApiTimeout" };
    const warnings: string[] = [];
    addAlarms(t, { reporter: { warn: (m) => warnings.push(m) } });
    expect(t.Resources.ApiFunctionDurationAlarm).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("ApiFunction");
    expect(warnings[0]).toContain("thresholdMs");
    addAlarms(t, { functions: { ApiFunction: { duration: { thresholdMs: 2500 } } } });
    expect(props(t, "ApiFunctionDurationAlarm").Threshold).toBe(2500);
  });

  it("uses Lambda's default timeout of 3 s when the function sets none", () => {
    const t = service();
    delete res(t, "ApiFunction").Properties.Timeout;
    addAlarms(t);
    expect(props(t, "ApiFunctionDurationAlarm").Threshold).toBe(2400);
  });

  it("sends alarm and OK notifications to the given topics", () => {
    const topic = { Ref: "OpsTopic" };
    const t = addAlarms(service(), { notify: [topic] });
    expect(props(t, "ApiFunctionThrottlesAlarm")).toMatchObject({
      AlarmActions: [topic],
      OKActions: [topic],
    });
  });

  it("combines all alarms into one composite rollback alarm", () => {
    const t = addAlarms(service(), { functions: { WorkerFunction: false } });
    expect(props(t, ROLLBACK_ALARM_ID).AlarmRule).toEqual({
      "Fn::Sub":
        'ALARM("${ApiFunctionErrorRateAlarm}") OR ALARM("${ApiFunctionThrottlesAlarm}") OR ALARM("${ApiFunctionDurationAlarm}") OR ALARM("${HttpApi5xxAlarm}")',
    });
  });

  it("leaves alarms of a conditional function out of the composite alarm, with a warning", () => {
    const t = service();
    t.Resources.WorkerFunction!.Condition = "HasWorker";
    const warnings: string[] = [];
    addAlarms(t, { reporter: { warn: (m) => warnings.push(m) } });
    expect(t.Resources.WorkerFunctionErrorRateAlarm!.Condition).toBe("HasWorker");
    expect((t.Outputs.SpartaAlarmWorkerFunctionErrorRate as { Condition?: string }).Condition).toBe(
      "HasWorker",
    );
    expect(JSON.stringify(props(t, ROLLBACK_ALARM_ID).AlarmRule)).not.toContain("Worker");
    expect(warnings[0]).toMatch(/3 alarm\(s\) of functions or APIs with a Condition/);
  });

  it("is idempotent: applying it again with other options replaces what it added", () => {
    const t = addAlarms(service());
    addAlarms(t, { throttles: false });
    expect(alarmsIn(t).map((a) => a.kind)).toEqual([
      "errorRate",
      "duration",
      "errorRate",
      "duration",
      "api5xx",
    ]);
    expect(Object.keys(t.Outputs).filter((k) => k.includes("Throttles"))).toEqual([]);
    expect(JSON.stringify(t)).toBe(JSON.stringify(addAlarms(service(), { throttles: false })));
  });

  it("links deployment groups whichever decorator runs first", () => {
    const a = addSafeDeploy(addAlarms(service()), { shift: "AllAtOnce" });
    const b = addAlarms(addSafeDeploy(service(), { shift: "AllAtOnce" }));
    const groupOf = (t: ReturnType<typeof service>) => t.Resources.WorkerFunctionDeploymentGroup!.Properties;
    expect(groupOf(a)).toEqual(groupOf(b));
    expect(groupOf(a)!.AlarmConfiguration).toMatchObject({ Enabled: true });
  });

  it("does not overwrite a resource of the user's with the same logical id", () => {
    const t = service();
    t.Resources.ApiFunctionErrorRateAlarm = { Type: "AWS::SNS::Topic" };
    expect(() => addAlarms(t)).toThrow(/already has a resource of type AWS::SNS::Topic with that logical id/);
  });
});

describe("the rollback alarm of a large service", () => {
  /** The fixture with `n` more functions like its WorkerFunction. */
  const many = (n: number, from = 0) => {
    const t = service();
    for (let i = from; i < from + n; i++)
      t.Resources[`Extra${i}Function`] = structuredClone(t.Resources.WorkerFunction!);
    return t;
  };
  const rule = (t: ReturnType<typeof service>, id: string) =>
    (props(t, id).AlarmRule as { "Fn::Sub": string })["Fn::Sub"];
  const named = (r: string) => [...r.matchAll(/ALARM\("\$\{(\w+)\}"\)/g)].map((m) => m[1]);
  const partsOf = (t: ReturnType<typeof service>) =>
    Object.keys(t.Resources).filter((id) => id.startsWith(`${ROLLBACK_ALARM_ID}Part`));

  it("names every alarm in one rule up to 100 alarms", () => {
    const t = addAlarms(many(20));
    expect(partsOf(t)).toEqual([]);
    expect(named(rule(t, ROLLBACK_ALARM_ID)).length).toBeLessThanOrEqual(100);
  });

  it("past 100 alarms, combines composite parts of at most 100 alarms each, every alarm in exactly one", () => {
    const t = addAlarms(many(300));
    const parts = partsOf(t);
    expect(parts.length).toBeGreaterThan(1);
    expect(named(rule(t, ROLLBACK_ALARM_ID)).sort()).toEqual([...parts].sort());
    const members = parts.flatMap((p) => named(rule(t, p)));
    for (const p of parts) expect(named(rule(t, p)).length).toBeLessThanOrEqual(100);
    const alarms = Object.entries(t.Resources)
      .filter(([, r]) => r.Type === "AWS::CloudWatch::Alarm" && r.Condition === undefined)
      .map(([id]) => id);
    expect(members.sort()).toEqual(alarms.sort());
    // named after the stack, as the deploy roles of pipelines expect
    expect(props(t, parts[0]!).AlarmName).toEqual({
      "Fn::Sub": `\${AWS::StackName}-rollback-${parts[0]!.slice(`${ROLLBACK_ALARM_ID}Part`.length)}`,
    });
  });

  it("adding a function changes one part only", () => {
    const before = addAlarms(many(300));
    const after = addAlarms(many(301));
    const changed = partsOf(after).filter(
      (p) => JSON.stringify(before.Resources[p]) !== JSON.stringify(after.Resources[p]),
    );
    expect(changed).toHaveLength(1);
  });
});
