import { ExitCode, StackNotDeployedError, UsageError } from "../errors.js";
import {
  createLogsClient,
  DEFAULT_LOG_LIMIT,
  DEFAULT_SINCE,
  followLogs,
  formatLogLine,
  type LogEvent,
  logEventJson,
  logTargets,
  parseLimit,
  parseSince,
  readLogs,
} from "../logs.js";
import { functionLogicalIds } from "../marshal.js";
import type { TemplateDocument } from "../service.js";
import { stackNameOf } from "./stack.js";
import type { BuiltinCommand } from "./types.js";

export const logs: BuiltinCommand = {
  name: "logs",
  description:
    "print the deployed functions' CloudWatch logs, interleaved by time (--follow to keep polling)",
  needsService: true,
  usesAws: true,
  examples: [
    "sparta logs --since 1h",
    "sparta logs --function hello --filter ERROR --follow",
    "sparta logs --stage prod --since 2026-11-26T17:00:00Z --until 2026-11-26T18:00:00Z --format json",
  ],
  flags: {
    function: {
      type: "string",
      valueName: "NAME",
      description: "only this function's logs (default: every function)",
    },
    since: {
      type: "string",
      valueName: "TIME",
      description: `from how long ago (30s, 10m, 2h, 1d) or an ISO-8601 time (default ${DEFAULT_SINCE})`,
    },
    until: {
      type: "string",
      valueName: "TIME",
      description:
        "up to how long ago (30s, 10m, 2h, 1d) or an ISO-8601 time (default now; not with --follow)",
    },
    filter: {
      type: "string",
      valueName: "PATTERN",
      description: "CloudWatch Logs filter pattern, e.g. ERROR or '\"order stored\"'",
    },
    follow: { type: "boolean", description: "keep printing new events (every 2 s) until Ctrl-C" },
    limit: {
      type: "string",
      valueName: "N",
      description: `stop after N events (default ${DEFAULT_LOG_LIMIT})`,
    },
  },
  async run(ctx) {
    const names = ctx.service.functions.map((f) => f.name);
    const only = ctx.flags.function as string | undefined;
    if (only !== undefined && !names.includes(only)) {
      throw new UsageError(
        `--function ${only}: the service has no function "${only}"; functions: ${names.join(", ")}`,
      );
    }
    const now = Date.now();
    const startTime = parseSince((ctx.flags.since as string | undefined) ?? DEFAULT_SINCE, now);
    const untilText = ctx.flags.until as string | undefined;
    const endTime = untilText === undefined ? undefined : parseSince(untilText, now, "--until");
    if (endTime !== undefined && ctx.flags.follow)
      throw new UsageError(
        `--until ${untilText} cannot be combined with --follow, which reads events as they come`,
      );
    if (endTime !== undefined && endTime <= startTime)
      throw new UsageError(
        `--until ${untilText} (${new Date(endTime).toISOString()}) is not after --since (${new Date(startTime).toISOString()}): give an earlier --since or a later --until`,
      );
    const limit = parseLimit(ctx.flags.limit as string | undefined);
    const filterPattern = ctx.flags.filter as string | undefined;
    const functions = ctx.service.functions.filter((f) => only === undefined || f.name === only);
    const since = new Date(startTime).toISOString();
    const until = endTime === undefined ? undefined : new Date(endTime).toISOString();
    if (ctx.options.noop) {
      const build = await ctx.build();
      const targets = logTargets(functions, build.serviceTemplate ?? build.template);
      ctx.result(
        {
          noop: true,
          stackName: build.stackName,
          since,
          until: until ?? null,
          filter: filterPattern ?? null,
          limit,
          targets,
        },
        [
          `noop: would read the logs of stack ${build.stackName} since ${since}${until ? ` until ${until}` : ""}${filterPattern ? ` matching ${JSON.stringify(filterPattern)}` : ""}; nothing was read`,
          ...targets.map((t) => `  ${t.function}: ${t.kind === "group" ? t.logGroup : t.reason}`),
        ].join("\n"),
      );
      return ExitCode.ok;
    }
    const stackName = stackNameOf(ctx);
    const { describeStack, createCfnClient } = await import("@sparta/converge");
    const stack = await describeStack({ stackName });
    if (!stack) throw new StackNotDeployedError(stackName);
    let template: TemplateDocument | undefined;
    try {
      // converge's client makes one attempt unless told; AWS_MAX_ATTEMPTS, when set, says how many.
      const maxAttempts = Number(process.env.AWS_MAX_ATTEMPTS) || 3;
      const body = (await createCfnClient({ maxAttempts }).getTemplate({ StackName: stack.stackId }))
        .TemplateBody;
      template = body ? (JSON.parse(body) as TemplateDocument) : undefined;
    } catch (error) {
      ctx.reporter.warn(
        `could not read the deployed template of ${stackName} (${(error as Error).message}); assuming each function logs to /aws/lambda/<its name>`,
      );
    }
    // a split service's functions, and their log groups, are in their own nested stacks
    const { functionStacks } = await import("../nested-stacks.js");
    const nested = await functionStacks(
      stack,
      functions.map((f) => functionLogicalIds({ name: f.name, handler: "" }).function),
    );
    const targets = logTargets(
      functions,
      template && { Resources: { ...template.Resources, ...nested.template.Resources } },
      [...stack.resources, ...nested.resources],
    );
    for (const t of targets)
      if (t.kind === "unresolved") ctx.reporter.warn(`${t.function}: no logs read: ${t.reason}`);
    const groups = targets.filter((t) => t.kind === "group");
    if (groups.length === 0) return ExitCode.ok;
    const client = await createLogsClient();
    const width = Math.max(...groups.map((g) => g.function.length));
    const print = (event: LogEvent) =>
      ctx.write(
        `${ctx.options.format === "json" ? JSON.stringify(logEventJson(event)) : formatLogLine(event, width)}\n`,
      );
    const read = await readLogs({
      client,
      targets: groups,
      startTime,
      ...(endTime === undefined ? {} : { endTime }),
      limit,
      ...(filterPattern ? { filterPattern } : {}),
    });
    for (const fn of read.missing)
      ctx.reporter.info(
        `no logs yet for ${fn} (log group ${groups.find((g) => g.function === fn)?.logGroup} does not exist: it has not run)`,
      );
    for (const event of read.events) print(event);
    if (read.events.length === 0) {
      const withGroups = groups.filter((g) => !read.missing.includes(g.function)).map((g) => g.function);
      if (withGroups.length > 0)
        ctx.reporter.info(
          `no log events${filterPattern ? ` matching ${JSON.stringify(filterPattern)}` : ""} for ${withGroups.join(", ")} since ${since}${until ? ` until ${until}` : ""}${
            ctx.flags.follow
              ? ""
              : "; look further back with --since (e.g. --since 1d), or wait with --follow"
          }`,
        );
    }
    if (read.truncated)
      ctx.reporter.warn(
        `stopped at --limit ${limit} events; narrow with --since or --filter, or raise --limit`,
      );
    if (!ctx.flags.follow) return ExitCode.ok;
    ctx.reporter.info("following new events (Ctrl-C to stop)");
    const stop = new Promise<void>((done) => {
      if (ctx.signal?.aborted) return done();
      ctx.signal?.addEventListener("abort", () => done(), { once: true });
      void ctx.waitForStop().then(done);
    });
    await followLogs({
      client,
      targets: groups,
      startTime,
      ...(filterPattern ? { filterPattern } : {}),
      seen: read.events,
      onEvent: print,
      stop,
      reporter: ctx.reporter,
    });
    return ExitCode.ok;
  },
};
