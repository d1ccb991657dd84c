import { ExitCode, UsageError } from "../errors.js";
import {
  bootstrapToolkit,
  DEFAULT_RETENTION_DAYS,
  NONCURRENT_DAYS,
  TOOLKIT_STACK,
  toolkitTemplate,
} from "../toolkit.js";
import { convergeReporter, TOOLKIT_STACK_FLAG } from "./stack.js";
import type { BuiltinCommand } from "./types.js";

export const bootstrap: BuiltinCommand = {
  name: "bootstrap",
  description: `create (or update) the deployment bucket provision uses when no --s3-bucket is given: one stack, ${TOOLKIT_STACK}, per account and region (cdk bootstrap, sam --resolve-s3). Running it again changes nothing`,
  needsService: false,
  usesAws: true,
  flags: {
    toolkitStackName: TOOLKIT_STACK_FLAG,
    retentionDays: {
      type: "string",
      valueName: "DAYS",
      description: `days an uploaded artifact is kept (default ${DEFAULT_RETENTION_DAYS}; replaced versions ${NONCURRENT_DAYS})`,
    },
  },
  examples: [
    "sparta bootstrap",
    "sparta bootstrap --profile prod --region eu-west-1",
    "sparta bootstrap --noop --format json   # print the toolkit stack's template",
  ],
  async run(ctx) {
    const stackName = (ctx.flags.toolkitStackName as string | undefined) ?? TOOLKIT_STACK;
    const daysText = ctx.flags.retentionDays as string | undefined;
    const retentionDays = daysText === undefined ? undefined : Number(daysText);
    if (retentionDays !== undefined && (!/^\d+$/.test(daysText!) || retentionDays < 1))
      throw new UsageError(`--retention-days ${daysText}: expected a whole number of days, at least 1`);
    if (ctx.options.noop) {
      ctx.result(
        { noop: true, stackName, template: toolkitTemplate() },
        `noop: would create or update stack ${stackName} (the deployment bucket); nothing was deployed`,
      );
      return ExitCode.ok;
    }
    ctx.reporter.info(`bootstrapping: stack ${stackName} holds the deployment bucket`);
    const result = await bootstrapToolkit({
      stackName,
      ...(retentionDays !== undefined ? { retentionDays } : {}),
      reporter: convergeReporter(ctx),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    const where = result.account ? ` (account ${result.account}, region ${result.region})` : "";
    ctx.result(
      result,
      result.kind === "unchanged"
        ? `${stackName}: unchanged${where}; deployment bucket ${result.bucket}`
        : `${stackName}: ${result.recreated ? "recreated" : result.kind}${where}; deployment bucket ${result.bucket}`,
    );
    return ExitCode.ok;
  },
};
