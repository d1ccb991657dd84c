import type { AlarmStatus, AlarmsClient } from "@sparta/operations";
import type { CliReporter } from "./service.js";

/**
 * The states of the function alarms of a deployed stack (outputs `SpartaAlarm<Function><Kind>` from
 * `alarms()` of @sparta/operations), for `sparta status`. The CloudWatch SDK is imported only when the stack has
 * alarms and no client is passed, so a stack without them, `import "@sparta/cli"` and `provision --noop` never
 * load it. A failed DescribeAlarms (no permission, throttled) is a warning: status still prints the stack.
 */
export async function stackAlarmStatuses(
  outputs: Record<string, string>,
  reporter: Pick<CliReporter, "warn">,
  client?: AlarmsClient,
): Promise<AlarmStatus[] | undefined> {
  const { alarmArnsFrom, readAlarmStatuses } = await import("@sparta/operations");
  if (alarmArnsFrom(outputs).length === 0) return undefined;
  try {
    return await readAlarmStatuses(client ?? (await cloudWatchAlarmsClient()), outputs);
  } catch (error) {
    reporter.warn(
      `could not read the stack's alarm states (cloudwatch:DescribeAlarms): ${(error as Error).message}`,
    );
    return undefined;
  }
}

async function cloudWatchAlarmsClient(): Promise<AlarmsClient> {
  const { CloudWatchClient, DescribeAlarmsCommand } = await import("@aws-sdk/client-cloudwatch");
  const cw = new CloudWatchClient({});
  return {
    describeAlarms: async (input) => {
      const out = await cw.send(new DescribeAlarmsCommand(input));
      return {
        ...(out.MetricAlarms ? { MetricAlarms: out.MetricAlarms } : {}),
        ...(out.NextToken ? { NextToken: out.NextToken } : {}),
      };
    },
  };
}
