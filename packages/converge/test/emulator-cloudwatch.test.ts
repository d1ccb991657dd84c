import { ListStackResourcesCommand } from "@aws-sdk/client-cloudformation";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutCompositeAlarmCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { describe, expect, it } from "vitest";
import { deleteStack, deploy, outputs, type Template, useEmulator } from "./emulator-helpers.js";

// CloudWatch alarms created through CloudFormation into the emulator's CloudWatch (what the pipeline's alarm gate
// and `sparta status` read), through the real SDK clients.
const ctx = useEmulator();
const cw = () => new CloudWatchClient({ ...ctx.emu.clientConfig, maxAttempts: 1 });
const ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:";

/** The shapes operations' alarms() generates: a plain metric alarm, a metric-math one, and the composite of both. */
function alarms(threshold = 1, errorsName?: string): Template {
  return {
    Resources: {
      Topic: { Type: "AWS::SNS::Topic" },
      Errors: {
        Type: "AWS::CloudWatch::Alarm",
        Properties: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
          AlarmName: errorsName ?? { "Fn::Sub": "${AWS::StackName}-Errors" },
          AlarmDescription: "errors",
          Namespace: "AWS/Lambda",
          MetricName: "Errors",
          Dimensions: [{ Name: "FunctionName", Value: { "Fn::GetAtt": ["Topic", "TopicName"] } }],
          Statistic: "Sum",
          Period: 60,
          EvaluationPeriods: 3,
          DatapointsToAlarm: 2,
          Threshold: threshold,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
          TreatMissingData: "notBreaching",
          AlarmActions: [{ Ref: "Topic" }],
        },
      },
      Rate: {
        Type: "AWS::CloudWatch::Alarm",
        Properties: {
          EvaluationPeriods: 3,
          Threshold: 5,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
          Metrics: [
            {
              Id: "errors",
              MetricStat: {
                Metric: { Namespace: "AWS/Lambda", MetricName: "Errors" },
                Period: 60,
                Stat: "Sum",
              },
              ReturnData: false,
            },
            { Id: "rate", Expression: "100 * errors", Label: "error rate", ReturnData: true },
          ],
        },
      },
      Rollback: {
        Type: "AWS::CloudWatch::CompositeAlarm",
        Properties: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
          AlarmName: { "Fn::Sub": "${AWS::StackName}-rollback" },
          ActionsEnabled: false,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
          AlarmRule: { "Fn::Sub": 'ALARM("${Errors}") OR ALARM("${Rate}")' },
        },
      },
    },
    Outputs: {
      ErrorsArn: { Value: { "Fn::GetAtt": ["Errors", "Arn"] } },
      RateName: { Value: { Ref: "Rate" } },
      RollbackArn: { Value: { "Fn::GetAtt": ["Rollback", "Arn"] } },
    },
  };
}

async function alarmsNamed(names: string[]) {
  const r = await cw().send(
    new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }),
  );
  return { metric: r.MetricAlarms ?? [], composite: r.CompositeAlarms ?? [] };
}

describe("AWS::CloudWatch::Alarm and CompositeAlarm through CloudFormation", () => {
  it("creates both kinds into CloudWatch, with Ref the name and GetAtt Arn the ARN", async () => {
    const { stack } = await deploy(ctx.cfn(), "alarms", alarms());
    expect(stack.StackStatus).toBe("CREATE_COMPLETE");
    const out = outputs(stack);
    expect(out.ErrorsArn).toBe(`${ARN}alarms-Errors`);
    expect(out.RateName).toMatch(/^alarms-Rate-[A-Z0-9]+$/); // a generated name, as CloudFormation makes
    expect(out.RollbackArn).toBe(`${ARN}alarms-rollback`);

    const { metric, composite } = await alarmsNamed(["alarms-Errors", out.RateName!, "alarms-rollback"]);
    const errors = metric.find((a) => a.AlarmName === "alarms-Errors");
    expect(errors).toMatchObject({
      AlarmArn: out.ErrorsArn,
      AlarmDescription: "errors",
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 1,
      TreatMissingData: "notBreaching",
      StateValue: "INSUFFICIENT_DATA", // not evaluated yet, as a new alarm on AWS
    });
    expect(errors?.Dimensions?.[0]?.Name).toBe("FunctionName");
    expect(errors?.AlarmActions?.[0]).toMatch(/^arn:aws:sns:us-east-1:\d+:alarms-Topic-/);
    const rate = metric.find((a) => a.AlarmName === out.RateName);
    expect(rate?.Metrics?.map((m) => m.Id)).toEqual(["errors", "rate"]);
    expect(rate?.Metrics?.[1]).toMatchObject({ Expression: "100 * errors", ReturnData: true });
    expect(composite).toEqual([
      expect.objectContaining({
        AlarmName: "alarms-rollback",
        AlarmArn: out.RollbackArn,
        AlarmRule: `ALARM("alarms-Errors") OR ALARM("${out.RateName}")`,
        ActionsEnabled: false,
        StateValue: "OK",
      }),
    ]);
    const resources = await ctx.cfn().send(new ListStackResourcesCommand({ StackName: "alarms" }));
    expect(
      resources.StackResourceSummaries?.filter((r) => r.ResourceType?.startsWith("AWS::CloudWatch")).map(
        (r) => `${r.LogicalResourceId}=${r.PhysicalResourceId}`,
      ),
    ).toEqual(["Errors=alarms-Errors", `Rate=${out.RateName}`, "Rollback=alarms-rollback"]);
  });

  it("SetAlarmState works, and the composite alarm follows its rule", async () => {
    const rollback = async () => (await alarmsNamed(["alarms-rollback"])).composite[0]?.StateValue;
    await cw().send(
      new SetAlarmStateCommand({ AlarmName: "alarms-Errors", StateValue: "ALARM", StateReason: "test" }),
    );
    expect((await alarmsNamed(["alarms-Errors"])).metric[0]?.StateValue).toBe("ALARM");
    expect(await rollback()).toBe("ALARM");
    await cw().send(
      new SetAlarmStateCommand({ AlarmName: "alarms-Errors", StateValue: "OK", StateReason: "test" }),
    );
    expect(await rollback()).toBe("OK");
  });

  it("updates an alarm in place, keeping its state, and replaces it when AlarmName changes", async () => {
    await cw().send(
      new SetAlarmStateCommand({ AlarmName: "alarms-Errors", StateValue: "ALARM", StateReason: "kept" }),
    );
    const { changeSet, stack } = await deploy(ctx.cfn(), "alarms", alarms(3));
    expect(stack.StackStatus).toBe("UPDATE_COMPLETE");
    expect(
      changeSet.Changes?.map((c) => `${c.ResourceChange?.Action} ${c.ResourceChange?.LogicalResourceId}`),
    ).toEqual(["Modify Errors"]);
    const errors = (await alarmsNamed(["alarms-Errors"])).metric[0];
    expect(errors).toMatchObject({ Threshold: 3, StateValue: "ALARM", StateReason: "kept" });

    const renamed = await deploy(ctx.cfn(), "alarms", alarms(3, "alarms-Errors-v2"));
    expect(renamed.stack.StackStatus).toBe("UPDATE_COMPLETE");
    expect(outputs(renamed.stack).ErrorsArn).toBe(`${ARN}alarms-Errors-v2`);
    expect((await alarmsNamed(["alarms-Errors"])).metric).toEqual([]);
    expect((await alarmsNamed(["alarms-Errors-v2"])).metric).toHaveLength(1);
    // the composite's rule names the new alarm
    expect((await alarmsNamed(["alarms-rollback"])).composite[0]?.AlarmRule).toMatch(
      /^ALARM\("alarms-Errors-v2"\)/,
    );
  });

  it("deletes the alarms with the stack", async () => {
    const before = await cw().send(new DescribeAlarmsCommand({ AlarmNamePrefix: "alarms-" }));
    expect((before.MetricAlarms?.length ?? 0) + (before.CompositeAlarms?.length ?? 0)).toBe(3);
    await deleteStack(ctx.cfn(), "alarms");
    const after = await cw().send(new DescribeAlarmsCommand({ AlarmNamePrefix: "alarms-" }));
    expect([...(after.MetricAlarms ?? []), ...(after.CompositeAlarms ?? [])]).toEqual([]);
  });
});

describe("CloudWatch's own API", () => {
  it("has PutCompositeAlarm, refusing a rule that names an alarm that does not exist", async () => {
    await cw().send(
      new PutMetricAlarmCommand({
        AlarmName: "api-child",
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      }),
    );
    await cw().send(
      new PutCompositeAlarmCommand({ AlarmName: "api-composite", AlarmRule: `NOT OK(${ARN}api-child)` }),
    );
    // the child is INSUFFICIENT_DATA, so NOT OK(...) holds
    expect((await alarmsNamed(["api-composite"])).composite[0]).toMatchObject({ StateValue: "ALARM" });
    const refused = await cw()
      .send(new PutCompositeAlarmCommand({ AlarmName: "api-bad", AlarmRule: 'ALARM("no-such-alarm")' }))
      .catch((e) => e);
    expect(refused.name).toMatch(/^Validation/);
    expect(refused.message).toBe(
      "Could not save the composite alarm as alarms [no-such-alarm] in the alarm rule do not exist",
    );
  });
});
