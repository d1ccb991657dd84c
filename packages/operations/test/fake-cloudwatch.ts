import type { AlarmsClient, DescribedAlarm } from "../src/index.js";

/**
 * A fake of CloudWatch's DescribeAlarms, reproducing what the helpers rely on:
 * - only alarms named in `AlarmNames` are returned; unknown names are silently absent (not an error);
 * - more than 100 names is a validation error; results come `pageSize` per page with an opaque `NextToken`;
 * - `AlarmTypes: ["MetricAlarm"]` returns metric alarms only (composite alarms are never in `MetricAlarms`).
 */
export class FakeCloudWatch implements AlarmsClient {
  readonly calls: { AlarmNames: string[]; NextToken?: string }[] = [];
  constructor(
    private readonly alarms: DescribedAlarm[],
    private readonly pageSize = 50,
  ) {}

  async describeAlarms(input: Parameters<AlarmsClient["describeAlarms"]>[0]) {
    this.calls.push({
      AlarmNames: input.AlarmNames,
      ...(input.NextToken ? { NextToken: input.NextToken } : {}),
    });
    if (input.AlarmNames.length > 100)
      throw new Error("ValidationError: AlarmNames has more than 100 members");
    const matching = this.alarms.filter((a) => input.AlarmNames.includes(a.AlarmName ?? ""));
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const page = matching.slice(start, start + this.pageSize);
    const next = start + this.pageSize < matching.length ? String(start + this.pageSize) : undefined;
    return { MetricAlarms: page, ...(next === undefined ? {} : { NextToken: next }) };
  }
}
