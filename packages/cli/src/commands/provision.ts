import { relative } from "node:path";
import type { Change } from "@sparta/converge";
import { formatRisks, type Risk } from "../approval.js";
import { describeTrigger } from "../describe.js";
import { DeploymentError, ExitCode, InterruptedError, UsageError } from "../errors.js";
import { setInterruptNotes } from "../interrupt.js";
import { ARTIFACT_BUCKET_PARAMETER } from "../marshal.js";
import { nestedStacksLines, nestedStacksSummary } from "../nested-output.js";
import { assessServiceChanges, splitTransition } from "../nested-stacks.js";
import { parsePairs } from "../options.js";
import type { BuildResult, CommandContext, TemplateDocument } from "../service.js";
import { stageParameters } from "../stage.js";
import {
  bootstrapToolkit,
  checkToolkitBucket,
  createBucketProbe,
  describeToolkitStack,
  TOOLKIT_STACK,
  type ToolkitStack,
  toolkitBucket,
} from "../toolkit.js";
import { convergeReporter, formatEvent, TOOLKIT_STACK_FLAG } from "./stack.js";
import type { BuiltinCommand, BuiltinContext } from "./types.js";

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
      throw new UsageError(`--param ${k}: set the code bucket with --s3-bucket instead`);
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
 * DEPLOYED stack (output `SpartaRollbackAlarmArn`), when the template about to be deployed keeps it. Converge reads
 * the deployed output from the stack it describes anyway (no extra call) and says which trigger it set; none on a
 * first create: the alarms do not exist yet, so they protect the deploys after the one that creates them.
 */
export async function rollbackSettings(template: object): Promise<{
  rollbackTriggerOutputs?: { output: string; type: "AWS::CloudWatch::CompositeAlarm" }[];
  monitoringTimeMinutes?: number;
}> {
  const { ROLLBACK_ALARM_OUTPUT } = await import("@sparta/operations");
  const next = template as { Outputs?: Record<string, unknown> };
  if (next.Outputs?.[ROLLBACK_ALARM_OUTPUT] === undefined) return {};
  return {
    rollbackTriggerOutputs: [{ output: ROLLBACK_ALARM_OUTPUT, type: "AWS::CloudWatch::CompositeAlarm" }],
    monitoringTimeMinutes: ROLLBACK_MONITORING_MINUTES,
  };
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

/**
 * `--resources-to-skip A,B --resources-to-skip C` -> `["A", "B", "C"]`: logical ids (a nested stack's resource as
 * `Stack.LogicalId`), checked here so a typo is named as the flag's.
 */
export function skippedResources(values: string[] | undefined): string[] {
  const ids = (values ?? []).flatMap((v) => v.split(",")).map((id) => id.trim());
  for (const id of ids)
    if (!/^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$/.test(id))
      throw new UsageError(
        `--resources-to-skip ${JSON.stringify(id)}: not a logical id; give the ids the failed rollback names (letters and digits, a nested stack's resource as Stack.LogicalId), e.g. --resources-to-skip Queue,Api.Handler`,
      );
  return [...new Set(ids)];
}

/** A yes typed at a prompt. */
const isYes = (answer: string) => /^\s*y(es)?\s*$/i.test(answer);

/**
 * The bucket provision uploads to: `--s3-bucket`, else the toolkit stack's (one DescribeStacks call), made first
 * when there is none yet, unless `plan` (which changes nothing). `explain` turns converge's error for a bucket that
 * is gone or not the account's into the toolkit's (checked only then, so an unchanged deploy makes no S3 call).
 */
async function deploymentBucket(
  ctx: BuiltinContext,
  plan: boolean,
  toolkitRead?: Promise<ToolkitStack | undefined>,
): Promise<{ bucket: string; explain: (error: unknown) => Promise<never> }> {
  const rethrow = async (error: unknown): Promise<never> => {
    throw error;
  };
  const given = ctx.flags.s3Bucket as string | undefined;
  if (given !== undefined) return { bucket: given, explain: rethrow };
  const toolkit = (ctx.flags.toolkitStackName as string | undefined) ?? TOOLKIT_STACK;
  const stack = await (toolkitRead ?? describeToolkitStack(toolkit));
  if (!stack) {
    if (plan)
      throw new UsageError(
        `--plan changes nothing, and there is no deployment bucket yet (no stack ${toolkit}): run \`sparta bootstrap\` first, or pass --s3-bucket BUCKET`,
      );
    ctx.reporter.info(
      `no deployment bucket yet in this account and region: creating stack ${toolkit} first, as \`sparta bootstrap\` does`,
    );
    const made = await bootstrapToolkit({
      stackName: toolkit,
      reporter: convergeReporter(ctx),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    ctx.reporter.info(`${toolkit}: ${made.kind}; deployment bucket ${made.bucket}`);
    return { bucket: made.bucket, explain: rethrow };
  }
  const found = toolkitBucket(toolkit, stack);
  ctx.reporter.debug(`deployment bucket ${found.bucket} (stack ${toolkit})`);
  return {
    bucket: found.bucket,
    explain: async (error) => {
      const code = (error as { code?: unknown }).code;
      if (code === "SPARTA_CONVERGE_BUCKET_MISSING" || code === "SPARTA_CONVERGE_BUCKET_OWNER")
        await checkToolkitBucket(await createBucketProbe(), toolkit, found);
      throw error;
    },
  };
}

/** The template the stack runs now; undefined for a stack being created (REVIEW_IN_PROGRESS) or none. */
async function deployedTemplate(stackName: string): Promise<TemplateDocument | undefined> {
  const { createCfnClient } = await import("@sparta/converge");
  const cfn = createCfnClient({ maxAttempts: Number(process.env.AWS_MAX_ATTEMPTS) || 3 });
  const stack = (await cfn.describeStacks({ StackName: stackName })).Stacks?.[0];
  if (!stack || stack.StackStatus === "REVIEW_IN_PROGRESS") return undefined;
  const body = (await cfn.getTemplate({ StackName: stackName })).TemplateBody;
  return body ? (JSON.parse(body) as TemplateDocument) : undefined;
}

/** Tags the stack would gain, change or lose: `+ team=core`, `~ sparta:buildId=...`, `- old`. */
function tagChanges(current: Record<string, string> | undefined, next: Record<string, string>): string[] {
  if (!current) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(next))
    if (current[k] === undefined) out.push(`+ ${k}=${v}`);
    else if (current[k] !== v) out.push(`~ ${k}=${v} (was ${current[k]})`);
  for (const k of Object.keys(current)) if (next[k] === undefined) out.push(`- ${k}`);
  return out;
}

export const provision: BuiltinCommand = {
  name: "provision",
  description:
    "build the service and create or update its stack (--noop: build only, touch no AWS). Asks before changes that grant new permissions or delete data (--yes skips)",
  needsService: true,
  usesAws: true,
  flags: {
    s3Bucket: {
      type: "string",
      valueName: "BUCKET",
      description: `S3 bucket for the code ZIPs and the template (default: the deployment bucket of sparta bootstrap, made on first need)`,
    },
    toolkitStackName: TOOLKIT_STACK_FLAG,
    yes: {
      type: "boolean",
      short: "y",
      description:
        "deploy changes that grant new permissions or delete or replace data without asking (needed for them when stdin is not a terminal)",
    },
    param: { type: "string", multiple: true, valueName: "KEY=VALUE", description: "stack parameter" },
    tag: { type: "string", multiple: true, valueName: "KEY=VALUE", description: "stack tag" },
    buildId: {
      type: "string",
      valueName: "ID",
      description: "build identifier, recorded as the sparta:buildId stack tag",
    },
    inplace: {
      type: "boolean",
      description: "when only code changed, update the functions directly (else a change set is used)",
    },
    codePipelinePackage: {
      type: "string",
      valueName: "FILE.zip",
      description:
        "also write .sparta/FILE.zip: the template and one <env>.json per environment, for CodePipeline",
    },
    list: {
      type: "boolean",
      description: "with --noop: list every ZIP's entries as `unzip -l` shows them",
    },
    plan: {
      type: "boolean",
      description: "show the changes CloudFormation would make (a change set, then deleted); change nothing",
    },
    confirm: {
      type: "boolean",
      description: "show every change and ask before executing them",
    },
    resourcesToSkip: {
      type: "string",
      multiple: true,
      valueName: "LOGICAL_ID[,...]",
      description:
        "for a stack in UPDATE_ROLLBACK_FAILED: resources the resumed rollback skips (left as they are, marked rolled back); a nested stack's as Stack.LogicalId",
    },
  },
  examples: [
    "sparta provision                 # the first run creates the deployment bucket (sparta bootstrap)",
    "sparta provision --stage prod --param Domain=api.example.com --tag team=core",
    "sparta provision --plan          # what would change; nothing is executed",
    "sparta provision --yes           # in CI: no questions",
    "sparta provision --noop --list   # build only, list the ZIPs",
    "sparta provision --resources-to-skip Queue   # resume a failed rollback, skipping Queue",
  ],
  async run(ctx) {
    const parameters = parsePairs("param", ctx.flags.param as string[] | undefined);
    const tags = parsePairs("tag", ctx.flags.tag as string[] | undefined);
    checkParameters(ctx, { ...stageParameters(ctx.service, ctx.stage), ...parameters }, !ctx.options.noop);
    const given = ctx.flags.s3Bucket as string | undefined;
    if (given !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(given)) {
      throw new UsageError(
        `--s3-bucket ${given}: not a valid S3 bucket name (3-63 lowercase letters, digits, "." or "-")`,
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
    const resourcesToSkip = skippedResources(ctx.flags.resourcesToSkip as string[] | undefined);
    if (resourcesToSkip.length > 0 && (ctx.options.noop || ctx.flags.inplace))
      throw new UsageError(
        "--resources-to-skip resumes a failed rollback, which only a change-set deploy does; drop --noop or --inplace",
      );
    const packageName = ctx.flags.codePipelinePackage as string | undefined;
    if (packageName !== undefined && !ctx.service.codePipelinePackage) {
      throw new UsageError(
        "--code-pipeline-package needs the service's environments: add `codePipelinePackage: pipeline.packageFor` to defineService (pipeline = codePipeline() from @sparta/pipeline)",
      );
    }
    const status = `sparta status${ctx.stage !== undefined ? ` --stage ${ctx.stage}` : ""}`;
    setInterruptNotes({
      first:
        "Ctrl-C: stopping once the build's current step ends; nothing will be uploaded or deployed (Ctrl-C again to exit at once)",
      second:
        "Ctrl-C again: exited at once during the build; nothing was uploaded or deployed (.sparta/ may hold a partial build)",
    });
    // While esbuild bundles, the AWS SDK loads and the deployment bucket's stack is read (a read: whatever the
    // build does, nothing is uploaded and no change set is made before it has succeeded).
    let toolkitRead: Promise<ToolkitStack | undefined> | undefined;
    let loading: Promise<typeof import("@sparta/converge")> | undefined;
    const whileBundling = () => {
      if (ctx.options.noop) return;
      loading = import("@sparta/converge");
      loading.catch(() => {}); // its error, if any, is thrown where it is awaited
      if (given !== undefined) return;
      toolkitRead = describeToolkitStack((ctx.flags.toolkitStackName as string | undefined) ?? TOOLKIT_STACK);
      toolkitRead.catch(() => {}); // its error, if any, is thrown where it is awaited
    };
    const build = await ctx.build({
      whileBundling,
      ...(packageName ? { codePipelinePackage: ctx.service.codePipelinePackage!(packageName) } : {}),
      ...(given ? { s3Bucket: given } : {}),
      ...(ctx.flags.buildId ? { buildId: ctx.flags.buildId as string } : {}),
    });
    Object.assign(build.parameters, parameters);
    Object.assign(build.tags, tags);
    if (ctx.options.noop) {
      const summary = {
        noop: true,
        stackName: build.stackName,
        ...(ctx.stage !== undefined ? { stage: ctx.stage } : {}),
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
        ...(build.nestedTemplates ? { nestedStacks: nestedStacksSummary(build.nestedTemplates) } : {}),
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
          ...(summary.nestedStacks ? nestedStacksLines(summary.nestedStacks, build.dir) : []),
          `  manifest: ${build.manifestPath}`,
          ...(build.pipelinePackage ? [`  pipeline package: ${build.pipelinePackage.path}`] : []),
          ...(summary.listings ? ["", summary.listings.map((l) => l.trimEnd()).join("\n\n")] : []),
        ].join("\n"),
      );
      return ExitCode.ok;
    }
    const stopped = (when: string) => {
      if (ctx.signal?.aborted)
        throw new InterruptedError(
          `interrupted ${when}: nothing was uploaded and no change set was made; stack ${build.stackName} is as it was`,
        );
    };
    stopped("during the build");
    setInterruptNotes({
      first:
        `Ctrl-C: stopping. A change set not yet executed is deleted; once one executes, stack ${build.stackName} ` +
        "keeps deploying in CloudFormation and this run reports where it is (Ctrl-C again to exit at once)",
      second:
        `Ctrl-C again: exited at once. Stack ${build.stackName} may still be deploying in CloudFormation (follow it with ` +
        `\`${status}\`), and a change set this run made may be left on it (the next \`sparta provision\` deletes it)`,
    });
    const { bucket, explain } = await deploymentBucket(ctx, plan, toolkitRead);
    stopped("before deploying");
    if (ctx.flags.inplace) {
      const { provisionInplace } = await import("../inplace.js");
      const inplace = await provisionInplace({
        service: ctx.service,
        build,
        bucket,
        reporter: ctx.reporter,
      }).catch(explain);
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
    const { converge, describeStack, planChanges } = await (loading ?? import("@sparta/converge"));
    const input = {
      stackName: build.stackName,
      template: build.template,
      parameters: { ...build.parameters, [ARTIFACT_BUCKET_PARAMETER]: bucket },
      tags: build.tags,
      bucket,
      // a split service's nested templates are uploaded with the ZIPs (content-addressed, like them)
      artifacts: [...build.artifacts, ...(build.nestedTemplates ?? [])].map((a) => ({
        path: a.path,
        key: a.key,
        sha256: a.sha256,
        size: a.size,
      })),
      ...(resourcesToSkip.length > 0 ? { resourcesToSkip } : {}),
    };
    const deps = { reporter: convergeReporter(ctx), ...(ctx.signal ? { signal: ctx.signal } : {}) };
    if (plan) {
      // A change set made, read and deleted: nothing else is called, whatever differs (tags included).
      const changes = await planChanges(input, deps).catch(explain);
      const current = changes.length ? await deployedTemplate(build.stackName) : undefined;
      const risks = changes.length ? await assessServiceChanges(changes, current, build) : [];
      const deployed = await describeStack({ stackName: build.stackName });
      const tagDiff = tagChanges(deployed?.tags, build.tags);
      for (const line of [...formatChanges(changes), ...formatRisks(risks)]) ctx.reporter.info(line);
      if (tagDiff.length) ctx.reporter.info(`  tags: ${tagDiff.join(", ")}`);
      ctx.result(
        { kind: "planned", stackName: build.stackName, changes, risks, tagChanges: tagDiff },
        changes.length || tagDiff.length
          ? `plan: ${changes.length} change(s)${tagDiff.length ? ` and ${tagDiff.length} tag change(s)` : ""} to stack ${build.stackName}${
              risks.length ? ` (${risks.length} need a yes: see above)` : ""
            }; nothing was executed`
          : `plan: stack ${build.stackName} is up to date; nothing to change`,
      );
      return ExitCode.ok;
    }
    const rollback = await rollbackSettings(build.template);
    ctx.reporter.info(`provisioning stack ${build.stackName}`);
    // Why the change set was not executed: declined at the prompt, or no one could be asked.
    let refused: { risks: Risk[] } | undefined;
    const result = await converge(
      { ...input, ...rollback },
      {
        ...deps,
        confirm: async (changes: Change[], stackName: string) => {
          // a split service's nested stacks are looked into
          const current = await deployedTemplate(stackName);
          const moving = splitTransition(current, build);
          if (moving) ctx.reporter.warn(moving);
          const risks = await assessServiceChanges(changes, current, build);
          if (confirm) for (const line of formatChanges(changes)) ctx.reporter.info(line);
          if (risks.length === 0 && !confirm) return true;
          for (const line of formatRisks(risks)) ctx.reporter.info(line);
          if (ctx.flags.yes === true) {
            if (risks.length) ctx.reporter.info("--yes: deploying them without asking");
            return true;
          }
          // --confirm asked for a question and reads the answer from stdin, a terminal or not.
          if (!ctx.interactive && !confirm) {
            refused = { risks };
            return false;
          }
          return isYes(
            await ctx.ask(
              confirm
                ? `Execute these ${changes.length} change(s) to stack ${stackName}? [y/N] `
                : `Deploy these changes to stack ${stackName}? [y/N] `,
            ),
          );
        },
      },
    ).catch(explain);
    if (refused)
      throw new UsageError(
        `sparta provision: stack ${build.stackName} was not changed: ${
          refused.risks.length
            ? "the changes above grant new permissions or delete or replace data and need a yes"
            : "--confirm asks before executing"
        }, and stdin is not a terminal, so no one can answer. Review them with \`sparta provision --plan\`, then pass --yes (sparta provision --yes)`,
      );
    if (result.interrupted && result.kind === "failed" && /^Interrupted/.test(result.message ?? "")) {
      // Stopped before the outcome was known: nothing changed, or CloudFormation carries on alone (the message says).
      ctx.result({ kind: "interrupted", stackName: result.stackName, message: result.message });
      throw new InterruptedError(result.message!);
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
        ...(result.message ? { message: result.message } : {}),
      },
      [
        `${build.stackName}: ${result.kind}${result.message ? ` (${result.message})` : ""}`,
        ...Object.entries(result.outputs).map(([k, v]) => `  ${k} = ${v}`),
      ].join("\n"),
    );
    return ExitCode.ok;
  },
};
