import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Change, RollbackTrigger } from "@sparta/converge";
import { isStackName } from "@sparta/converge/names";
import { buildService } from "./build.js";
import { describeTrigger, renderDescribeHtml } from "./describe.js";
import { DeploymentError, ExitCode, SpartaCliError, StackNotDeployedError, UsageError } from "./errors.js";
import { initService } from "./init.js";
import { type LoadedService, loadService, resolveServicePath } from "./load.js";
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
} from "./logs.js";
import { ARTIFACT_BUCKET_PARAMETER, functionLogicalIds, pascalId } from "./marshal.js";
import {
  type FlagValues,
  GLOBAL_FLAGS,
  globalOptions,
  parsePairs,
  readConfigFile,
  resolveFlags,
} from "./options.js";
import { createReporter, type OutputStream } from "./reporter.js";
import type {
  BuildResult,
  CommandContext,
  CommandDefinition,
  CommandFlag,
  GlobalOptions,
  TemplateDocument,
} from "./service.js";

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIO {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: OutputStream;
  stderr: OutputStream;
  /** Resolves when the user asks a long-running command (explore) to stop. Default: SIGINT/SIGTERM. */
  waitForStop?: () => Promise<void>;
  /** Aborted on Ctrl-C: a deployment stops waiting, drops a change set not yet executed and reports the stack. */
  signal?: AbortSignal;
  /** Asks the user one question and resolves with the line they typed ("" when there is no one to ask). */
  ask?: (question: string) => Promise<string>;
}

export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

type BuiltinContext = CommandContext & {
  loaded: LoadedService;
  waitForStop: () => Promise<void>;
  signal: AbortSignal | undefined;
  ask: (question: string) => Promise<string>;
  /** Write a chunk of a streamed result (logs) to stdout, after any progress line. */
  write: (text: string) => void;
  /** Positional arguments after the command name (only for a command that declares `args`). */
  args: string[];
  /** The folder sparta runs in (relative paths of flags are read from it). */
  cwd: string;
  /** Write raw text to stderr, after any progress line (a function's own output in invoke). */
  writeErr: (text: string) => void;
};

interface BuiltinCommand {
  name: string;
  description: string;
  flags: Record<string, CommandFlag>;
  needsService: boolean;
  /** Usage of the positional arguments it takes, e.g. "[DIR]" (one at most); none when absent. */
  args?: string;
  run(ctx: BuiltinContext): Promise<number | undefined>;
}

function stackNameOf(ctx: CommandContext): string {
  return (ctx.flags.stackName as string | undefined) ?? ctx.service.name;
}

function formatEvent(e: {
  timestamp: string;
  logicalId: string;
  resourceType: string;
  status: string;
  reason?: string;
}) {
  return `${e.timestamp.slice(11, 19)}  ${e.status.padEnd(20)} ${e.resourceType.padEnd(32)} ${e.logicalId}${
    e.reason ? `  ${e.reason}` : ""
  }`;
}

function convergeReporter(ctx: BuiltinContext) {
  return {
    event: (e: Parameters<typeof formatEvent>[0]) => ctx.reporter.event(formatEvent(e)),
    progress: (p: { done: number; total: number; stackName: string }) =>
      ctx.reporter.progress(`${p.stackName}: ${p.done}/${p.total} resources`),
    info: (m: string) => ctx.reporter.info(m),
    warn: (m: string) => ctx.reporter.warn(m),
  };
}

function checkParameters(ctx: CommandContext, params: Record<string, string>, deploying: boolean) {
  const defs = ctx.service.parameters ?? {};
  const declared = Object.keys(defs);
  if (deploying) {
    const missing = declared.filter((k) => defs[k]?.default === undefined && !(k in params));
    if (missing.length > 0)
      throw new UsageError(
        `the service's parameter${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ha${missing.length > 1 ? "ve" : "s"} no default: pass ${missing.map((k) => `--param ${k}=VALUE`).join(" ")}`,
      );
  }
  for (const k of Object.keys(params)) {
    if (k === ARTIFACT_BUCKET_PARAMETER)
      throw new UsageError(`--param ${k}: set the code bucket with --s3Bucket instead`);
    if (!declared.includes(k))
      throw new UsageError(
        `--param ${k}: the service declares no parameter "${k}"; declared: ${declared.length ? declared.join(", ") : "none"}`,
      );
  }
}

/**
 * `provision --noop --list`: every ZIP of the build (each function's, then the CodePipeline package) listed as
 * `unzip -l` lists it, the archive named relative to the service folder.
 */
async function listArtifacts(serviceDir: string, build: BuildResult): Promise<string[]> {
  const { listArtifact } = await import("@sparta/packager");
  const paths = [
    ...build.artifacts.map((a) => a.path),
    ...(build.pipelinePackage ? [build.pipelinePackage.path] : []),
  ];
  return Promise.all(
    paths.map(async (path) => {
      const listing = await listArtifact(path);
      return listing.replace(/^Archive: {2}.*$/m, () => `Archive:  ${relative(serviceDir, path)}`);
    }),
  );
}

/** Minutes CloudFormation watches the rollback alarms after a deployment before it completes. */
export const ROLLBACK_MONITORING_MINUTES = 5;

/**
 * The rollback triggers of the next deployment: the composite alarm `alarms()` of @sparta/operations put in the
 * DEPLOYED stack (output `SpartaRollbackAlarmArn`), when the template about to be deployed keeps it. None on a
 * first create: the alarms do not exist yet, so they protect the deploys after the one that creates them.
 */
export async function rollbackSettings(
  ctx: Pick<CommandContext, "reporter">,
  stackName: string,
  template: object,
  describe?: (stackName: string) => Promise<{ outputs: Record<string, string> } | undefined>,
): Promise<{ rollbackTriggers?: RollbackTrigger[]; monitoringTimeMinutes?: number }> {
  const { ROLLBACK_ALARM_OUTPUT, rollbackTriggersFrom } = await import("@sparta/operations");
  const next = template as Parameters<typeof rollbackTriggersFrom>[1] & object;
  if (next.Outputs?.[ROLLBACK_ALARM_OUTPUT] === undefined) return {};
  const read =
    describe ??
    (async (name: string) => (await import("@sparta/converge")).describeStack({ stackName: name }));
  const current = await read(stackName);
  const triggers = rollbackTriggersFrom(current?.outputs, next);
  if (triggers.length === 0) {
    ctx.reporter.info(
      `${stackName}: no rollback trigger yet (the alarms are created by this deployment and guard the next ones)`,
    );
    return {};
  }
  ctx.reporter.info(
    `${stackName}: rolls back if ${triggers.map((t) => t.Arn).join(", ")} goes to ALARM within ${ROLLBACK_MONITORING_MINUTES} minutes`,
  );
  return { rollbackTriggers: triggers, monitoringTimeMinutes: ROLLBACK_MONITORING_MINUTES };
}

/** One line per change set entry: action, logical id, type, and whether the resource is replaced. */
function formatChanges(changes: Change[]): string[] {
  if (changes.length === 0) return ["  (no resource changes)"];
  return changes.map(
    (c) =>
      `  ${c.action.padEnd(7)} ${c.logicalId.padEnd(32)} ${c.resourceType}${
        c.replacement && c.replacement !== "False" ? `  (replacement: ${c.replacement})` : ""
      }`,
  );
}

const provision: BuiltinCommand = {
  name: "provision",
  description: "build the service and create or update its stack (--noop: build only, touch no AWS)",
  needsService: true,
  flags: {
    s3Bucket: {
      type: "string",
      description: "S3 bucket for code ZIPs and the template (required without --noop)",
    },
    buildId: { type: "string", description: "build identifier, recorded as the sparta:buildId stack tag" },
    param: { type: "string", multiple: true, description: "stack parameter KEY=VALUE (repeatable)" },
    tag: { type: "string", multiple: true, description: "stack tag KEY=VALUE (repeatable)" },
    inplace: {
      type: "boolean",
      description: "when only code changed, update the functions directly (else a change set is used)",
    },
    codePipelinePackage: {
      type: "string",
      description:
        "also write .sparta/FILE.zip: the template and one <env>.json per environment, for CodePipeline",
    },
    list: {
      type: "boolean",
      description: "with --noop: list every ZIP's entries as `unzip -l` shows them",
    },
    plan: {
      type: "boolean",
      description: "show the changes CloudFormation would make (a change set, then deleted); execute nothing",
    },
    confirm: {
      type: "boolean",
      description: "show the changes and ask before executing them",
    },
  },
  async run(ctx) {
    const parameters = parsePairs("param", ctx.flags.param as string[] | undefined);
    const tags = parsePairs("tag", ctx.flags.tag as string[] | undefined);
    checkParameters(ctx, parameters, !ctx.options.noop);
    const bucket = ctx.flags.s3Bucket as string | undefined;
    if (!ctx.options.noop && !bucket) {
      throw new UsageError(
        "provision needs --s3Bucket BUCKET (or SPARTA_S3_BUCKET) for the code ZIPs; use --noop to build without deploying",
      );
    }
    if (bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new UsageError(
        `--s3Bucket ${bucket}: not a valid S3 bucket name (3-63 lowercase letters, digits, "." or "-")`,
      );
    }
    const plan = ctx.flags.plan === true;
    const confirm = ctx.flags.confirm === true;
    for (const [flag, on] of [
      ["plan", plan],
      ["confirm", confirm],
    ] as const) {
      if (on && (ctx.options.noop || ctx.flags.inplace)) {
        throw new UsageError(
          `--${flag} shows CloudFormation's change set, which --noop and --inplace do not make; drop one of them`,
        );
      }
    }
    if (plan && confirm)
      throw new UsageError("--plan executes nothing; --confirm asks before executing: pick one");
    if (ctx.flags.list && !ctx.options.noop) {
      throw new UsageError(
        "--list shows what a build would deploy; use it with --noop (sparta provision --noop --list)",
      );
    }
    const packageName = ctx.flags.codePipelinePackage as string | undefined;
    if (packageName !== undefined && !ctx.service.codePipelinePackage) {
      throw new UsageError(
        "--codePipelinePackage needs the service's environments: add `codePipelinePackage: pipeline.packageFor` to defineService (pipeline = codePipeline() from @sparta/pipeline)",
      );
    }
    const build = await ctx.build({
      ...(packageName ? { codePipelinePackage: ctx.service.codePipelinePackage!(packageName) } : {}),
      ...(bucket ? { s3Bucket: bucket } : {}),
      ...(ctx.flags.buildId ? { buildId: ctx.flags.buildId as string } : {}),
    });
    Object.assign(build.parameters, parameters);
    Object.assign(build.tags, tags);
    if (ctx.options.noop) {
      const summary = {
        noop: true,
        stackName: build.stackName,
        templatePath: build.templatePath,
        manifestPath: build.manifestPath,
        resources: Object.keys(build.template.Resources).length,
        functions: ctx.service.functions.map((fn, i) => ({
          name: fn.name,
          key: build.artifacts[i]!.key,
          sha256: build.artifacts[i]!.sha256,
          size: build.artifacts[i]!.size,
          triggers: (fn.events ?? []).map(describeTrigger),
        })),
        parameters: build.parameters,
        tags: build.tags,
        ...(build.pipelinePackage
          ? {
              pipelinePackage: {
                path: build.pipelinePackage.path,
                sha256: build.pipelinePackage.sha256,
                size: build.pipelinePackage.size,
              },
            }
          : {}),
        ...(ctx.flags.list ? { listings: await listArtifacts(ctx.serviceDir, build) } : {}),
      };
      ctx.result(
        summary,
        [
          `noop: would provision stack ${build.stackName} (${summary.resources} resources); nothing was deployed`,
          ...summary.functions.map(
            (f) =>
              `  ${f.name}: ${f.key} (${f.size} bytes)${f.triggers.length ? ` <- ${f.triggers.join("; ")}` : ""}`,
          ),
          `  template: ${build.templatePath}`,
          `  manifest: ${build.manifestPath}`,
          ...(build.pipelinePackage ? [`  pipeline package: ${build.pipelinePackage.path}`] : []),
          ...(summary.listings ? ["", summary.listings.map((l) => l.trimEnd()).join("\n\n")] : []),
        ].join("\n"),
      );
      return ExitCode.ok;
    }
    if (ctx.flags.inplace) {
      const { provisionInplace } = await import("./inplace.js");
      const inplace = await provisionInplace({
        service: ctx.service,
        build,
        bucket: bucket!,
        reporter: ctx.reporter,
      });
      if (inplace.kind !== "needs-change-set") {
        ctx.result(
          { kind: inplace.kind, stackName: build.stackName, functions: inplace.functions },
          inplace.kind === "unchanged"
            ? `${build.stackName}: unchanged (every function already runs this code)`
            : [
                `${build.stackName}: code updated in place`,
                ...inplace.functions.map((f) => `  ${f.name}: ${f.key}`),
              ].join("\n"),
        );
        return ExitCode.ok;
      }
      ctx.reporter.warn(`--inplace: ${inplace.reason}; deploying through a change set`);
    }
    const { converge } = await import("@sparta/converge");
    const rollback = await rollbackSettings(ctx, build.stackName, build.template);
    ctx.reporter.info(`provisioning stack ${build.stackName}`);
    const result = await converge(
      {
        stackName: build.stackName,
        template: build.template,
        parameters: { ...build.parameters, [ARTIFACT_BUCKET_PARAMETER]: bucket! },
        tags: build.tags,
        bucket: bucket!,
        artifacts: build.artifacts.map((a) => ({ path: a.path, key: a.key, sha256: a.sha256, size: a.size })),
        ...rollback,
      },
      {
        reporter: convergeReporter(ctx),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(plan || confirm
          ? {
              confirm: async (changes: Change[], stackName: string) => {
                for (const line of formatChanges(changes)) ctx.reporter.info(line);
                if (plan) return false;
                const answer = await ctx.ask(
                  `Execute these ${changes.length} change(s) to stack ${stackName}? [y/N] `,
                );
                return /^\s*y(es)?\s*$/i.test(answer);
              },
            }
          : {}),
      },
    );
    if (plan && result.kind === "unchanged") {
      const changes = result.changes ?? [];
      ctx.result(
        { kind: "planned", stackName: result.stackName, changes },
        changes.length
          ? `plan: ${changes.length} change(s) to stack ${result.stackName}; nothing was executed`
          : `plan: stack ${result.stackName} is up to date; nothing to change`,
      );
      return ExitCode.ok;
    }
    if (result.kind === "failed") {
      const causes = (result.rootCause ?? []).map(formatEvent);
      try {
        await ctx.service.hooks?.rollback?.({
          service: ctx.service,
          serviceDir: ctx.serviceDir,
          reporter: ctx.reporter,
          noop: false,
          error: result,
        });
      } catch (error) {
        ctx.reporter.warn(`hooks.rollback threw: ${(error as Error).message}`);
      }
      ctx.result({
        kind: result.kind,
        stackName: result.stackName,
        message: result.message,
        rootCause: result.rootCause,
      });
      throw new DeploymentError(
        [
          `provision ${build.stackName} failed${result.message ? `: ${result.message}` : ""}`,
          ...(causes.length ? ["root cause:", ...causes.map((c) => `  ${c}`)] : []),
        ].join("\n"),
        { ...(causes[0] ? { rootCause: causes[0] } : {}) },
      );
    }
    ctx.result(
      {
        kind: result.kind,
        stackName: result.stackName,
        outputs: result.outputs,
        changes: result.changes ?? [],
        apiCalls: result.apiCalls,
      },
      [
        `${build.stackName}: ${result.kind}${result.message ? ` (${result.message})` : ""}`,
        ...Object.entries(result.outputs).map(([k, v]) => `  ${k} = ${v}`),
      ].join("\n"),
    );
    return ExitCode.ok;
  },
};

const deleteCommand: BuiltinCommand = {
  name: "delete",
  description: "delete the service's stack",
  needsService: true,
  flags: {},
  async run(ctx) {
    const stackName = stackNameOf(ctx);
    if (ctx.options.noop) {
      ctx.result({ noop: true, stackName }, `noop: would delete stack ${stackName}`);
      return ExitCode.ok;
    }
    const { deleteStack } = await import("@sparta/converge");
    const result = await deleteStack(
      { stackName },
      { reporter: convergeReporter(ctx), ...(ctx.signal ? { signal: ctx.signal } : {}) },
    );
    if (result.kind === "failed") {
      ctx.result(result);
      throw new DeploymentError(
        [
          `delete ${stackName} failed${result.message ? `: ${result.message}` : ""}`,
          ...(result.rootCause ?? []).map((e) => `  ${formatEvent(e)}`),
        ].join("\n"),
      );
    }
    ctx.result(
      { kind: result.kind, stackName },
      result.kind === "unchanged"
        ? `${stackName}: no such stack, nothing to delete`
        : `${stackName}: deleted`,
    );
    return ExitCode.ok;
  },
};

const describe: BuiltinCommand = {
  name: "describe",
  description: "build the service and write a self-contained HTML report (--out FILE)",
  needsService: true,
  flags: { out: { type: "string", description: "report file (default .sparta/describe.html)" } },
  async run(ctx) {
    const build = await ctx.build();
    const out = resolve(
      ctx.loaded.serviceDir,
      (ctx.flags.out as string | undefined) ?? ".sparta/describe.html",
    );
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, renderDescribeHtml(ctx.service, build));
    ctx.result({ report: out, stackName: build.stackName }, `wrote ${out}`);
    return ExitCode.ok;
  },
};

const status: BuiltinCommand = {
  name: "status",
  description: "show the stack's status, outputs, function code versions and alarm states",
  needsService: true,
  flags: {},
  async run(ctx) {
    const stackName = stackNameOf(ctx);
    const { describeStack } = await import("@sparta/converge");
    const stack = (await describeStack({ stackName })) as unknown as Record<string, unknown> | undefined;
    if (!stack || stack.exists === false) {
      ctx.result({ stackName, exists: false }, `${stackName}: not deployed`);
      return ExitCode.ok;
    }
    const outputs = (stack.outputs as Record<string, string> | undefined) ?? {};
    // A function's version is its content-addressed code key (the <Fn>CodeKey output of the template).
    const versions = Object.fromEntries(
      ctx.service.functions.flatMap((fn) => {
        const key = outputs[`${pascalId(fn.name)}CodeKey`];
        return key ? [[fn.name, key]] : [];
      }),
    );
    const resources = (stack.resources as { logicalId: string; physicalId?: string }[] | undefined) ?? [];
    const physical = (fn: string) =>
      resources.find((r) => r.logicalId === functionLogicalIds({ name: fn, handler: "" }).function)
        ?.physicalId;
    const { stackAlarmStatuses } = await import("./alarms.js");
    const alarms = await stackAlarmStatuses(outputs, ctx.reporter);
    const { formatAlarmStatuses } = await import("@sparta/operations");
    ctx.result(
      { ...stack, stackName, functionVersions: versions, ...(alarms ? { alarms } : {}) },
      [
        `${stackName}: ${String(stack.status ?? "unknown")}`,
        ...Object.entries(outputs).map(([k, v]) => `  ${k} = ${v}`),
        ...ctx.service.functions.map(
          (fn) =>
            `  function ${fn.name}: ${physical(fn.name) ?? "not deployed"} (code ${versions[fn.name] ?? "unknown"})`,
        ),
        ...(alarms ? ["  alarms:", ...formatAlarmStatuses(alarms).map((l) => `    ${l}`)] : []),
      ].join("\n"),
    );
    return ExitCode.ok;
  },
};

const explore: BuiltinCommand = {
  name: "explore",
  description:
    "serve every function on loopback, reloading on change: the HTTP API routes at their paths, POST /invoke/<fn>, ANY /http/<fn>/<path>",
  needsService: true,
  flags: {
    port: { type: "string", description: "port (default 9999; 0 picks a free one)" },
    host: { type: "string", description: "host (default 127.0.0.1)" },
    watch: {
      type: "boolean",
      default: true,
      description:
        "recompile a function when its sources change (--no-watch to serve the start-up code only)",
    },
  },
  async run(ctx) {
    const portText = (ctx.flags.port as string | undefined) ?? "9999";
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(`--port ${portText}: expected a port number from 0 to 65535`);
    }
    const { startExplore } = await import("./explore.js");
    const server = await startExplore({
      service: ctx.service,
      serviceDir: ctx.serviceDir,
      reporter: ctx.reporter,
      port,
      ...(ctx.flags.host ? { host: ctx.flags.host as string } : {}),
      watch: ctx.flags.watch !== false,
    });
    ctx.result(
      { url: server.url, port: server.port, functions: server.functions, routes: server.routes },
      [
        `explore: listening on ${server.url} (Ctrl-C to stop)`,
        ...server.routes.map(
          (r) => `  ${r.route.padEnd(24)} ${server.url}${r.route.split(" ")[1]} -> ${r.function}`,
        ),
        ...server.functions.map((f) => `  POST ${server.url}/invoke/${f}    ANY ${server.url}/http/${f}/...`),
      ].join("\n"),
    );
    await ctx.waitForStop();
    await server.close();
    return ExitCode.ok;
  },
};

const logs: BuiltinCommand = {
  name: "logs",
  description:
    "print the deployed functions' CloudWatch logs, interleaved by time (--follow to keep polling)",
  needsService: true,
  flags: {
    function: { type: "string", description: "only this function's logs (default: every function)" },
    since: {
      type: "string",
      description: `from how long ago (30s, 10m, 2h, 1d) or an ISO-8601 time (default ${DEFAULT_SINCE})`,
    },
    until: {
      type: "string",
      description:
        "up to how long ago (30s, 10m, 2h, 1d) or an ISO-8601 time (default now; not with --follow)",
    },
    filter: {
      type: "string",
      description: "CloudWatch Logs filter pattern, e.g. ERROR or '\"order stored\"'",
    },
    follow: { type: "boolean", description: "keep printing new events (every 2 s) until Ctrl-C" },
    limit: { type: "string", description: `stop after N events (default ${DEFAULT_LOG_LIMIT})` },
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
      const targets = logTargets(functions, build.template);
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
      const body = (await createCfnClient({ maxAttempts: 3 }).getTemplate({ StackName: stack.stackId }))
        .TemplateBody;
      template = body ? (JSON.parse(body) as TemplateDocument) : undefined;
    } catch (error) {
      ctx.reporter.warn(
        `could not read the deployed template of ${stackName} (${(error as Error).message}); assuming each function logs to /aws/lambda/<its name>`,
      );
    }
    const targets = logTargets(functions, template, stack.resources);
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

const invoke: BuiltinCommand = {
  name: "invoke",
  description:
    "run one function once with an event, locally as Lambda would (or the deployed one with --remote); prints its result",
  needsService: true,
  args: "<function>",
  flags: {
    event: { type: "string", description: "the event JSON file, or - for stdin (default {})" },
    sample: {
      type: "boolean",
      description:
        "use a sample event for the function's first trigger, filled in from it (bucket, queue, route, ...)",
    },
    remote: {
      type: "boolean",
      description: "invoke the deployed function of the stack (Lambda Invoke) and print its log tail",
    },
  },
  async run(ctx) {
    const { runInvoke } = await import("./invoke.js");
    return runInvoke({ ...ctx, stackName: stackNameOf(ctx) });
  },
};

const version: BuiltinCommand = {
  name: "version",
  description: "print the sparta version",
  needsService: false,
  flags: {},
  async run(ctx) {
    ctx.result(
      { version: cliVersion(), node: process.version },
      `sparta ${cliVersion()} (node ${process.version})`,
    );
    return ExitCode.ok;
  },
};

const init: BuiltinCommand = {
  name: "init",
  description:
    "write a new service into DIR (default .): sparta.config.ts, src/hello.ts behind GET /hello, package.json, ...",
  needsService: false,
  args: "[DIR]",
  flags: {
    name: { type: "string", description: "service and stack name (default: DIR's folder name)" },
    force: { type: "boolean", description: "overwrite the files the new service has that DIR already has" },
  },
  async run(ctx) {
    const result = await initService({
      dir: resolve(ctx.serviceDir, ctx.args[0] ?? "."),
      version: cliVersion(),
      noop: ctx.options.noop,
      force: ctx.flags.force === true,
      ...(typeof ctx.flags.name === "string" ? { name: ctx.flags.name } : {}),
    });
    const where = relative(ctx.serviceDir, result.dir);
    const mark = (f: string) =>
      result.overwritten.includes(f) ? (ctx.options.noop ? " (would overwrite)" : " (overwritten)") : "";
    ctx.result(
      {
        dir: result.dir,
        name: result.name,
        files: result.files,
        ...(ctx.options.noop ? { noop: true } : {}),
      },
      [
        ctx.options.noop
          ? `noop: would create service ${result.name} in ${result.dir}; nothing was written`
          : `created service ${result.name} in ${result.dir}`,
        ...result.files.map((f) => `  ${f}${mark(f)}`),
        "",
        "next steps:",
        ...(where ? [`  cd ${/^[\w./-]+$/.test(where) ? where : JSON.stringify(where)}`] : []),
        "  npm install",
        "  npx sparta provision --noop     # build the template and the ZIP into .sparta/, touch no AWS",
        "  npx sparta explore              # serve it locally: curl 'http://127.0.0.1:9999/hello?name=Ada'",
        "  npx sparta provision --s3Bucket YOUR-BUCKET   # deploy (a bucket you own holds the code ZIPs)",
      ].join("\n"),
    );
    return ExitCode.ok;
  },
};

const BUILTINS: BuiltinCommand[] = [
  init,
  provision,
  deleteCommand,
  describe,
  explore,
  invoke,
  status,
  logs,
  version,
];

const flagRows = (flags: Record<string, CommandFlag>) =>
  Object.entries(flags).map(
    ([n, f]) =>
      `  --${n}${f.type === "string" ? " VALUE" : ""}`.padEnd(24) +
      (f.description ?? "") +
      (f.required ? " (required)" : "") +
      (f.multiple ? " (repeatable)" : ""),
  );

/** Help of one command: its description and its own flags. */
function commandHelp(command: {
  name: string;
  args?: string;
  description: string;
  flags?: Record<string, CommandFlag>;
}): string {
  const own = Object.keys(command.flags ?? {}).length > 0;
  return [
    `usage: sparta ${command.name}${command.args ? ` ${command.args}` : ""} [flags]`,
    "",
    command.description,
    ...(own ? ["", "flags:", ...flagRows(command.flags!)] : []),
    "",
    "global flags: --level, --format, --noop, --no-color, --service, --stackName, --no-checkValues (sparta help)",
  ].join("\n");
}

function helpText(extra: CommandDefinition[]): string {
  const rows = [
    ...BUILTINS.map((c) => [c.name, c.description]),
    ...extra.map((c) => [c.name, c.description]),
    ["help", "show this help"],
  ];
  return [
    "usage: sparta <command> [flags]      (sparta <command> --help for its flags)",
    "",
    "commands:",
    ...rows.map(([n, d]) => `  ${n!.padEnd(20)}${d}`),
    "",
    "global flags (also SPARTA_<FLAG> environment variables and .spartarc.json; flags win):",
    ...flagRows(GLOBAL_FLAGS),
    "",
    "exit codes: 0 success or unchanged, 1 internal error, 2 user error, 3 deployment failure (invoke: function error)",
  ].join("\n");
}

function parseCommandLine(args: string[], flags: Record<string, CommandFlag>, command: string) {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const [name, f] of Object.entries(flags)) {
    options[name] = {
      type: f.type,
      ...(f.multiple ? { multiple: true } : {}),
      ...(f.short ? { short: f.short } : {}),
    };
  }
  try {
    return parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: true,
      allowNegative: true,
    } as never) as unknown as {
      values: Record<string, unknown>;
      positionals: string[];
    };
  } catch (error) {
    const known = Object.keys(flags)
      .map((f) => `--${f}`)
      .join(", ");
    throw new UsageError(
      `sparta ${command}: ${(error as Error).message.split("\n")[0]}\nknown flags: ${known}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Run the `sparta` command line and return the process exit code. This is the one top-level catch: known
 * errors print their message and exit with their code; unknown ones print one line (stack with --level debug).
 */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let options: GlobalOptions = {
    level: "info",
    format: "text",
    noop: false,
    color: io.env.NO_COLOR === undefined,
  };
  let reporter = createReporter(io.stderr, options);
  try {
    const pre = parseArgs({
      args: argv,
      options: {
        level: { type: "string" },
        format: { type: "string" },
        service: { type: "string" },
        stackName: { type: "string" },
      },
      strict: false,
      allowPositionals: true,
    });
    const commandName = pre.positionals[0];
    const config = readConfigFile(io.cwd);
    // Options of the global flags alone first, so even a usage error prints at the right level.
    const preGlobals = resolveFlags(
      { level: GLOBAL_FLAGS.level!, format: GLOBAL_FLAGS.format! },
      pre.values as Record<string, unknown>,
      io.env,
      config,
    );
    options = globalOptions(preGlobals, io.env);
    reporter = createReporter(io.stderr, options);

    const builtin = BUILTINS.find((c) => c.name === commandName);
    const wantsHelp =
      commandName === undefined ||
      commandName === "help" ||
      pre.values.help === true ||
      pre.values.h === true;
    let loaded: LoadedService | undefined;
    const serviceFlag =
      (pre.values.service as string | undefined) ??
      io.env.SPARTA_SERVICE ??
      (config.service as string | undefined);
    if (!wantsHelp && (builtin === undefined || builtin.needsService)) {
      loaded = await loadService(resolveServicePath(io.cwd, serviceFlag));
    }
    if (wantsHelp) {
      let extra: CommandDefinition[] = [];
      try {
        extra =
          (await loadService(resolveServicePath(io.cwd, serviceFlag), { checkHandlers: false })).service
            .commands ?? [];
      } catch {
        // help works without a service
      }
      const named =
        commandName === "help" ? pre.positionals[1] : commandName === undefined ? undefined : commandName;
      const one = BUILTINS.find((c) => c.name === named) ?? extra.find((c) => c.name === named);
      io.stdout.write(`${one ? commandHelp(one) : helpText(extra)}\n`);
      return ExitCode.ok;
    }
    const custom = loaded?.service.commands?.find((c) => c.name === commandName);
    if (!builtin && !custom) {
      const names = [...BUILTINS.map((c) => c.name), ...(loaded?.service.commands ?? []).map((c) => c.name)];
      throw new UsageError(`unknown command "${commandName}"; commands: ${names.join(", ")} (sparta help)`);
    }
    const commandFlags: Record<string, CommandFlag> = {
      ...GLOBAL_FLAGS,
      ...(builtin?.flags ?? custom?.flags ?? {}),
    };
    const parsed = parseCommandLine(argv, commandFlags, commandName!);
    const allowed = builtin?.args ? 2 : 1;
    if (parsed.positionals.length > allowed) {
      throw new UsageError(`sparta ${commandName}: unexpected argument "${parsed.positionals[allowed]}"`);
    }
    const flags: FlagValues = resolveFlags(commandFlags, parsed.values, io.env, config);
    const stackName = flags.stackName;
    if (typeof stackName === "string" && !isStackName(stackName)) {
      throw new UsageError(
        `--stackName ${JSON.stringify(stackName)} is not a CloudFormation stack name: a letter, then letters, digits or "-", at most 128 characters (e.g. --stackName hello-dev)`,
      );
    }
    options = globalOptions(flags, io.env);
    reporter = createReporter(io.stderr, options);

    const result = (value: unknown, text?: string) => {
      reporter.done();
      if (options.format === "json") io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else if (text !== undefined) io.stdout.write(`${text}\n`);
    };
    const ctx: BuiltinContext = {
      service: loaded?.service as CommandContext["service"],
      serviceDir: loaded?.serviceDir ?? io.cwd,
      servicePath: loaded?.servicePath ?? "",
      loaded: loaded as LoadedService,
      reporter,
      options,
      flags,
      result,
      waitForStop: io.waitForStop ?? waitForSignal,
      ask: io.ask ?? (async () => ""),
      signal: io.signal,
      write: (text: string) => {
        reporter.done();
        io.stdout.write(text);
      },
      args: parsed.positionals.slice(1),
      cwd: io.cwd,
      writeErr: (text: string) => {
        reporter.done();
        io.stderr.write(text);
      },
      build: (o = {}): Promise<BuildResult> =>
        buildService({
          service: loaded!.service,
          serviceDir: loaded!.serviceDir,
          reporter,
          noop: options.noop,
          ...(o.buildId ? { buildId: o.buildId } : {}),
          ...(o.codePipelinePackage ? { codePipelinePackage: o.codePipelinePackage } : {}),
          ...(flags.stackName ? { stackName: flags.stackName as string } : {}),
          checkValues: flags.checkValues !== false,
        }),
    };
    let code: number | undefined;
    if (builtin) code = await builtin.run(ctx);
    else {
      const value = await custom!.run(ctx);
      if (typeof value === "number") code = value;
    }
    reporter.done();
    return code ?? ExitCode.ok;
  } catch (error) {
    reporter.done();
    return reportError(error, reporter, options);
  }
}

function reportError(
  error: unknown,
  reporter: ReturnType<typeof createReporter>,
  options: GlobalOptions,
): number {
  if (error instanceof SpartaCliError) {
    reporter.error(`error: ${error.message}`);
    if (options.level === "debug" && error.stack) reporter.debug(error.stack);
    return error.exitCode;
  }
  // Errors of the packages the CLI drives carry a stable `code`; the package tells who is to blame.
  const e = error as { name?: string; code?: unknown; message?: string; stack?: string; exitCode?: unknown };
  if (typeof e?.code === "string" && (e.exitCode === 2 || e.exitCode === 3)) {
    // A SpartaCliError from another copy of this package (e.g. thrown by a service's own command).
    reporter.error(`error: ${e.message}`);
    return e.exitCode;
  }
  // Node's own errors (TypeError with code ERR_*) are internal errors, not the packages' errors.
  const known =
    typeof e?.code === "string" &&
    !e.code.startsWith("ERR_") &&
    typeof e.name === "string" &&
    e.name.endsWith("Error") &&
    !["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError"].includes(e.name);
  if (known) {
    // @sparta/converge codes are SPARTA_CONVERGE_*: the stack operation could not be carried out, unless the
    // error says the user's own configuration or input is at fault (`userError`: region, endpoint, profile, bucket).
    const deployment =
      (e.code as string).startsWith("SPARTA_CONVERGE") &&
      (error as { userError?: unknown }).userError !== true;
    reporter.error(`error: ${e.message}`);
    if (options.level === "debug" && e.stack) reporter.debug(e.stack);
    return deployment ? ExitCode.deployment : ExitCode.user;
  }
  reporter.error(
    `internal error: ${e?.message ?? String(error)}${options.level === "debug" ? "" : " (run with --level debug for the stack)"}`,
  );
  if (options.level === "debug" && e?.stack) reporter.error(e.stack);
  return ExitCode.internal;
}

function waitForSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
