import { relative } from "node:path";
import type { Change, RollbackTrigger } from "@sparta/converge";
import { describeTrigger } from "../describe.js";
import { DeploymentError, ExitCode, UsageError } from "../errors.js";
import { ARTIFACT_BUCKET_PARAMETER } from "../marshal.js";
import { parsePairs } from "../options.js";
import type { BuildResult, CommandContext } from "../service.js";
import { convergeReporter, formatEvent } from "./stack.js";
import type { BuiltinCommand } from "./types.js";

export function checkParameters(ctx: CommandContext, params: Record<string, string>, deploying: boolean) {
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
export async function listArtifacts(serviceDir: string, build: BuildResult): Promise<string[]> {
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
export function formatChanges(changes: Change[]): string[] {
  if (changes.length === 0) return ["  (no resource changes)"];
  return changes.map(
    (c) =>
      `  ${c.action.padEnd(7)} ${c.logicalId.padEnd(32)} ${c.resourceType}${
        c.replacement && c.replacement !== "False" ? `  (replacement: ${c.replacement})` : ""
      }`,
  );
}

export const provision: BuiltinCommand = {
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
      const { provisionInplace } = await import("../inplace.js");
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
