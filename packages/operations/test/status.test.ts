import { describe, expect, it } from "vitest";
import {
  addAlarms,
  alarmArnsFrom,
  alarmNameFromArn,
  alarmNamesFor,
  alarmStatuses,
  checkPromotionGate,
  describeAlarmsRequests,
  formatAlarmStatuses,
  promotionGate,
  readAlarmStatuses,
  rollbackAlarmsFrom,
  rollbackTriggersFrom,
} from "../src/index.js";
import { FakeCloudWatch } from "./fake-cloudwatch.js";
import { res, service } from "./scenarios.js";

const arn = (name: string) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`;

/** Outputs as a deployed stack with every alarm would report them (converge's `Record<string, string>`). */
const deployed: Record<string, string> = {
  HttpApiUrl: "https://abc.execute-api.eu-west-1.amazonaws.com",
  SpartaAlarmApiFunctionErrorRate: arn("shop-ApiFunctionErrorRateAlarm-1"),
  SpartaAlarmApiFunctionThrottles: arn("shop-ApiFunctionThrottlesAlarm-2"),
  SpartaAlarmApiFunctionDuration: arn("shop-ApiFunctionDurationAlarm-3"),
  SpartaAlarmWorkerFunctionErrorRate: arn("shop-WorkerFunctionErrorRateAlarm-4"),
  SpartaAlarmWorkerFunctionThrottles: arn("shop-WorkerFunctionThrottlesAlarm-5"),
  SpartaAlarmWorkerFunctionDuration: arn("shop-WorkerFunctionDurationAlarm-6"),
  SpartaRollbackAlarmArn: arn("shop-SpartaRollbackAlarm-7"),
};

describe("rollback triggers", () => {
  it("are empty on a first create (no deployed stack)", () => {
    expect(rollbackTriggersFrom(undefined, addAlarms(service()))).toEqual([]);
    expect(rollbackAlarmsFrom(undefined, addAlarms(service()))).toEqual({ arns: [], omitted: 0 });
    // A stack deployed before alarms were turned on has no alarm outputs either.
    expect(rollbackTriggersFrom({ HttpApiUrl: "https://x" }, addAlarms(service()))).toEqual([]);
  });

  it("are the composite alarm of the deployed stack, typed for CloudFormation", () => {
    expect(rollbackTriggersFrom(deployed, addAlarms(service()))).toEqual([
      { Arn: arn("shop-SpartaRollbackAlarm-7"), Type: "AWS::CloudWatch::CompositeAlarm" },
    ]);
    // CloudFormation's own output shape works too.
    const list = Object.entries(deployed).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
    expect(rollbackTriggersFrom(list)).toHaveLength(1);
  });

  it("leave out an alarm the next template deletes (CloudFormation fails on a missing trigger)", () => {
    expect(rollbackTriggersFrom(deployed, service())).toEqual([]);
    const next = addAlarms(service(), { functions: { WorkerFunction: false }, duration: false });
    expect(rollbackAlarmsFrom(deployed, next)).toEqual({
      arns: [arn("shop-ApiFunctionErrorRateAlarm-1"), arn("shop-ApiFunctionThrottlesAlarm-2")],
      omitted: 0,
    });
  });

  it("as plain ARNs are at most 5, error-rate alarms first", () => {
    expect(rollbackAlarmsFrom(deployed, addAlarms(service()))).toEqual({
      arns: [
        arn("shop-ApiFunctionErrorRateAlarm-1"),
        arn("shop-WorkerFunctionErrorRateAlarm-4"),
        arn("shop-ApiFunctionThrottlesAlarm-2"),
        arn("shop-WorkerFunctionThrottlesAlarm-5"),
        arn("shop-ApiFunctionDurationAlarm-3"),
      ],
      omitted: 1,
    });
  });
});

describe("alarm states for sparta status and the promotion gate", () => {
  const described = [
    {
      AlarmName: "shop-ApiFunctionErrorRateAlarm-1",
      StateValue: "ALARM",
      StateReason: "Threshold Crossed",
      StateUpdatedTimestamp: new Date("2026-11-26T10:00:00Z"),
    },
    { AlarmName: "shop-ApiFunctionThrottlesAlarm-2", StateValue: "OK" },
    { AlarmName: "shop-ApiFunctionDurationAlarm-3", StateValue: "INSUFFICIENT_DATA" },
  ];

  it("lists every function alarm of the stack, not the composite", () => {
    expect(alarmArnsFrom(deployed)).toHaveLength(6);
    expect(alarmArnsFrom(undefined)).toEqual([]);
    expect(alarmNameFromArn(arn("a:b"))).toBe("a:b");
  });

  it("builds DescribeAlarms requests of at most 100 names", () => {
    const many = Array.from({ length: 205 }, (_, i) => arn(`a${i}`));
    const requests = describeAlarmsRequests(many);
    expect(requests.map((r) => r.AlarmNames.length)).toEqual([100, 100, 5]);
    expect(requests[0]).toMatchObject({ AlarmTypes: ["MetricAlarm"], MaxRecords: 100 });
    expect(requests[2]!.AlarmNames[4]).toBe("a204");
  });

  it("reports each alarm's state, MISSING when DescribeAlarms did not return it", () => {
    const statuses = alarmStatuses(alarmArnsFrom(deployed), described);
    expect(statuses[0]).toEqual({
      name: "shop-ApiFunctionErrorRateAlarm-1",
      state: "ALARM",
      reason: "Threshold Crossed",
      since: "2026-11-26T10:00:00.000Z",
    });
    expect(statuses.map((s) => s.state)).toEqual([
      "ALARM",
      "OK",
      "INSUFFICIENT_DATA",
      "MISSING",
      "MISSING",
      "MISSING",
    ]);
  });

  it("blocks promotion on an alarm in ALARM, passes on OK and INSUFFICIENT_DATA", () => {
    const statuses = alarmStatuses(alarmArnsFrom(deployed).slice(0, 3), described);
    expect(promotionGate(statuses)).toEqual({ kind: "blocked", checked: 3, alarms: [statuses[0]] });
    expect(promotionGate(statuses.slice(1))).toEqual({ kind: "pass", checked: 2 });
    const missing = alarmStatuses([arn("gone")], []);
    expect(promotionGate(missing).kind).toBe("pass");
    expect(promotionGate(missing, { missing: "block" }).kind).toBe("blocked");
  });
});

describe("reading alarm states through an injected CloudWatch client", () => {
  it("follows NextToken and batches names by 100", async () => {
    const outputs: Record<string, string> = {};
    const alarms = Array.from({ length: 130 }, (_, i) => {
      outputs[`SpartaAlarmF${i}ErrorRate`] = arn(`a${i}`);
      return { AlarmName: `a${i}`, StateValue: i === 129 ? "ALARM" : "OK" };
    });
    const cw = new FakeCloudWatch(alarms, 40);
    const statuses = await readAlarmStatuses(cw, outputs);
    expect(statuses).toHaveLength(130);
    expect(statuses.filter((s) => s.state === "OK")).toHaveLength(129);
    // 100 names: pages of 40, 40, 20; then 30 names: one page.
    expect(cw.calls.map((c) => [c.AlarmNames.length, c.NextToken])).toEqual([
      [100, undefined],
      [100, "40"],
      [100, "80"],
      [30, undefined],
    ]);
    const gate = await checkPromotionGate(cw, outputs);
    expect(gate.kind).toBe("blocked");
    expect(gate.kind === "blocked" && gate.alarms.map((a) => a.name)).toEqual(["a129"]);
  });

  it("passes a stack without alarms without calling CloudWatch", async () => {
    const cw = new FakeCloudWatch([]);
    expect(await checkPromotionGate(cw, { HttpApiUrl: "https://x" })).toEqual({ kind: "pass", checked: 0 });
    expect(cw.calls).toEqual([]);
  });

  it("formats one line per alarm", () => {
    expect(
      formatAlarmStatuses([
        { name: "a", state: "ALARM", reason: "Threshold Crossed", since: "2026-11-26T10:00:00.000Z" },
        { name: "b", state: "OK", reason: "fine" },
      ]),
    ).toEqual([
      "ALARM              a (since 2026-11-26T10:00:00.000Z): Threshold Crossed",
      "OK                 b",
    ]);
  });
});

describe("alarm names for a pipeline stage's promotion gate", () => {
  it("are <stack>-<Function>-<Kind>, the names the template gives the alarms", () => {
    const t = addAlarms(service(), { functions: { WorkerFunction: { throttles: false, duration: false } } });
    expect(alarmNamesFor(t, "shop-prod")).toEqual([
      "shop-prod-ApiFunction-ErrorRate",
      "shop-prod-ApiFunction-Throttles",
      "shop-prod-ApiFunction-Duration",
      "shop-prod-WorkerFunction-ErrorRate",
      "shop-prod-HttpApi-5xx",
    ]);
    expect(res(t, "ApiFunctionErrorRateAlarm").Properties.AlarmName).toEqual({
      "Fn::Sub": "${AWS::StackName}-ApiFunction-ErrorRate",
    });
    t.Resources.WorkerFunctionErrorRateAlarm!.Condition = "HasWorker";
    expect(alarmNamesFor(t, "shop-prod")).toHaveLength(4);
    // Every name keeps the `<stack>-` prefix a deploy role scoped to `alarm:<stack>-*` may manage.
    expect(alarmNamesFor(t, "shop-prod").every((n) => n.startsWith("shop-prod-"))).toBe(true);
  });
});
