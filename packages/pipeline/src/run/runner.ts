import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineDeps } from "@sparta/converge";
import { PipelineNotDeployedError, RunPipelineError } from "../errors.js";
import {
  artifactKey,
  type ObjectStore,
  s3ObjectStore,
  unzipInto,
  type ZipFile,
  zipFiles,
} from "./artifacts.js";
import { type LocalArtifact, runCloudFormationAction } from "./cloudformation.js";
import { type BuildProject, preflightBuild, runBuildAction, type SecretResolver } from "./codebuild.js";
import { createResolver, type DeployedStack } from "./intrinsics.js";
import { type PlannedAction, planActions, runOrderGroups, substituteVariables } from "./plan.js";
import { createRedactor, sdkSecretResolver } from "./secrets.js";
import { sourceArtifact } from "./source.js";
import type { ActionRecord, RunArtifact, RunRecord, StageRecord } from "./types.js";

type Json = Record<string, unknown>;

export interface RunPipelineInput {
  /** The pipeline stack's template, as `provisionPipeline` builds it. */
  template: { Resources: Record<string, unknown>; [k: string]: unknown };
  /** The deployed pipeline stack's name. */
  stackName: string;
  repositoryRoot: string;
  source: "head" | "working-tree";
  approve: { all: boolean; stages: readonly string[] };
  reject: readonly string[];
  /** Asks on a terminal; absent without one. */
  ask?: (question: string) => Promise<string>;
  from?: string;
  /** Folder of the run records (`.sparta/runs`). */
  runsDir: string;
  env: Record<string, string | undefined>;
  /** Values never to print or write (an OAuth token). */
  secrets?: readonly string[];
  /** A line of progress (action start and end). */
  say(line: string): void;
  /** A line of a build's output. */
  stream(line: string): void;
  warn(message: string): void;
  deps?: { store?: ObjectStore; secrets?: SecretResolver; engine?: EngineDeps };
  signal?: AbortSignal;
  /**
   * The most actions of one stage and RunOrder that run at once. Default: all of them, as CodePipeline runs
   * them; 1 runs them one after the other.
   */
  concurrency?: number;
}

/** Where one action's lines go: prefixed with its name while other actions run beside it. */
interface ActionLog {
  say(line: string): void;
  stream(line: string): void;
}

/** Runs `task` over `items`, at most `limit` at once; the results in the items' order. Every item runs. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The deployed pipeline stack: parameters, physical ids and ARN; a clear error when it is not deployed. */
async function deployedStack(stackName: string, deps: EngineDeps): Promise<DeployedStack> {
  const { describeStack } = await import("@sparta/converge");
  const how = `Deploy it first: \`sparta provisionPipeline --pipeline ${stackName} --repo ... --connection ...\` (the same flags runPipeline takes).`;
  const stack = await describeStack({ stackName }, deps);
  if (!stack) {
    throw new PipelineNotDeployedError(
      `The pipeline stack ${stackName} is not deployed in this account and Region; runPipeline runs the deployed ` +
        `pipeline (its artifact bucket and projects). ${how}`,
    );
  }
  if (!/_COMPLETE$/.test(stack.status) || /ROLLBACK_COMPLETE$|DELETE/.test(stack.status)) {
    throw new PipelineNotDeployedError(
      `The pipeline stack ${stackName} is ${stack.status}, not deployed. ${how}`,
    );
  }
  return {
    stackName,
    stackId: stack.stackId,
    parameters: stack.parameters,
    physicalIds: Object.fromEntries(
      stack.resources.flatMap((r) => (r.physicalId ? [[r.logicalId, r.physicalId]] : [])),
    ),
  };
}

async function previousRun(runsDir: string): Promise<RunRecord> {
  const path = join(runsDir, "latest.json");
  if (!existsSync(path)) {
    throw new RunPipelineError(
      `--from needs a previous run of this pipeline, and ${path} does not exist; run \`sparta runPipeline\` without --from first.`,
    );
  }
  return JSON.parse(await readFile(path, "utf8")) as RunRecord;
}

/**
 * Runs the `AWS::CodePipeline::Pipeline` resource of the pipeline template on this machine, stage by stage, in
 * RunOrder: the actions of one RunOrder run in parallel (at most `concurrency` at once), a later RunOrder starts when
 * all of them succeeded, and when one fails the others still run to their end and the stage fails, as on
 * CodePipeline. Against the deployed pipeline stack and whatever endpoint the AWS SDK is configured for. Returns
 * the run record; writes it under `runsDir`.
 */
export async function runPipeline(input: RunPipelineInput): Promise<RunRecord> {
  const started = Date.now();
  const concurrency = input.concurrency ?? Number.POSITIVE_INFINITY;
  if (!(concurrency >= 1) || (Number.isFinite(concurrency) && !Number.isInteger(concurrency))) {
    throw new RunPipelineError(
      `concurrency ${input.concurrency}: give a whole number of 1 or more (1 runs the actions of one RunOrder one after the other).`,
    );
  }
  // Two approvals of one RunOrder ask one after the other on the one terminal.
  let asking: Promise<unknown> = Promise.resolve();
  const ask = (question: string): Promise<string> => {
    const answer = asking.then(() => input.ask!(question));
    asking = answer.catch(() => undefined);
    return answer;
  };
  // Ctrl-C stops waiting on CloudFormation too (a change set not yet executed is left as it is, as on AWS).
  const engineDeps: EngineDeps = {
    ...(input.deps?.engine ?? {}),
    ...(input.signal ? { signal: input.signal } : {}),
  };
  const pipelineIds = Object.entries(input.template.Resources).filter(
    ([, r]) => (r as { Type?: string }).Type === "AWS::CodePipeline::Pipeline",
  );
  if (pipelineIds.length !== 1) {
    throw new RunPipelineError(
      `The pipeline template has ${pipelineIds.length} AWS::CodePipeline::Pipeline resources; runPipeline runs exactly one.`,
    );
  }
  const [pipelineId, pipelineResource] = pipelineIds[0]! as [string, { Properties: Json }];
  const stack = await deployedStack(input.stackName, engineDeps);
  const warnings: string[] = [];
  const { deployedTemplate, sameTemplate } = await import("@sparta/converge");
  const deployed = await deployedTemplate(input.stackName, engineDeps);
  if (deployed !== undefined && !sameTemplate(deployed, input.template)) {
    const warning =
      `The deployed pipeline stack ${input.stackName} differs from the template provisionPipeline builds now; this run ` +
      "follows the current template. Run `sparta provisionPipeline` to deploy it.";
    warnings.push(warning);
    input.warn(warning);
  }
  const resolver = createResolver(input.template as never, stack);
  const pipeline = resolver.resolve(pipelineResource.Properties) as Json;
  const pipelineName = stack.physicalIds[pipelineId] ?? input.stackName;
  const store = (pipeline.ArtifactStore ?? {}) as { Type?: string; Location?: string };
  if (store.Type !== "S3" || !store.Location) {
    throw new RunPipelineError(
      "The pipeline has no S3 ArtifactStore; runPipeline stores artifacts where CodePipeline does.",
    );
  }
  const bucket = store.Location;
  const actions = planActions(pipeline);
  const stageNames = [...new Set(actions.map((a) => a.stage))];
  const stageOf = (name: string) => stageNames.find((s) => same(s, name));
  for (const [flag, names] of [
    ["--approve", input.approve.stages],
    ["--reject", input.reject],
  ] as const) {
    for (const n of names) {
      if (!stageOf(n)) {
        throw new RunPipelineError(
          `${flag} ${n}: the pipeline has no stage ${n}; its stages are ${stageNames.join(", ")}.`,
        );
      }
    }
  }
  for (const n of input.reject) {
    if (input.approve.stages.some((a) => same(a, n))) {
      throw new RunPipelineError(
        `Stage ${n} is both approved and rejected; give it to --approve or to --reject.`,
      );
    }
  }

  // --from: the stages before it keep the previous run's results and artifacts.
  let fromIndex = 0;
  let previous: RunRecord | undefined;
  if (input.from) {
    const stage = stageOf(input.from);
    if (!stage)
      throw new RunPipelineError(
        `--from ${input.from}: the pipeline has no stage ${input.from}; its stages are ${stageNames.join(", ")}.`,
      );
    fromIndex = stageNames.indexOf(stage);
    previous = await previousRun(input.runsDir);
    if (previous.pipelineStack !== input.stackName) {
      throw new RunPipelineError(
        `--from: the last run was of pipeline ${previous.pipelineStack}, not ${input.stackName}.`,
      );
    }
  }
  const toRun = actions.filter((a) => stageNames.indexOf(a.stage) >= fromIndex);
  const artifacts = new Map<string, RunArtifact>();
  if (previous) for (const a of previous.artifacts) artifacts.set(a.name, a);
  for (const a of toRun) {
    for (const name of a.inputs) {
      const producedEarlier = toRun.some(
        (b) => b.outputs.includes(name) && toRun.indexOf(b) < toRun.indexOf(a),
      );
      if (!producedEarlier && !artifacts.has(name)) {
        throw new RunPipelineError(
          `--from ${input.from}: action ${a.stage}/${a.name} reads artifact ${name}, which the previous run (${previous?.executionId}) did not produce; run from an earlier stage.`,
        );
      }
    }
  }

  // Everything that can be checked is checked before anything runs: approvals and the builds' runtimes.
  for (const a of toRun.filter((x) => x.category === "Approval")) {
    const decided =
      input.approve.all ||
      input.approve.stages.some((s) => same(s, a.stage)) ||
      input.reject.some((s) => same(s, a.stage));
    if (!decided && !input.ask) {
      throw new RunPipelineError(
        `Stage ${a.stage} waits for a manual approval (${a.name}) and there is no terminal to ask: pass ` +
          `--approve ${a.stage} (or --approve all) to approve it, or --reject ${a.stage}.`,
      );
    }
  }
  const projectOf = (a: PlannedAction): { name: string; project: BuildProject } => {
    const name = String(a.configuration.ProjectName ?? "");
    for (const [id, r] of Object.entries(input.template.Resources)) {
      const resource = r as { Type?: string; Properties?: Json };
      if (resource.Type !== "AWS::CodeBuild::Project") continue;
      if (resolver.ref(id) === name)
        return { name, project: resolver.resolve(resource.Properties) as BuildProject };
    }
    throw new RunPipelineError(
      `Action ${a.stage}/${a.name} runs CodeBuild project ${name}, which is not in the pipeline template; runPipeline ` +
        "runs the projects the template defines.",
    );
  };
  for (const a of toRun.filter((x) => x.provider === "CodeBuild")) {
    const { name, project } = projectOf(a);
    await preflightBuild(project, name, input.env);
  }

  const executionId = randomUUID();
  const redact = createRedactor(input.secrets ?? []);
  const objects = input.deps?.store ?? (await s3ObjectStore(input.env));
  const secretResolver = input.deps?.secrets ?? sdkSecretResolver();
  const work = await mkdtemp(join(tmpdir(), "sparta-run-"));
  const variables: Record<string, Record<string, string>> = { ...(previous?.variables ?? {}) };
  const { "AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": partition } = resolver.pseudo;
  let commit = previous?.source.commit ?? "";
  const record: RunRecord = {
    executionId,
    pipelineName,
    pipelineStack: input.stackName,
    status: "Succeeded",
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    source: { mode: previous?.source.mode ?? input.source, commit },
    artifactBucket: bucket,
    local: true,
    ...(previous ? { from: { stage: stageNames[fromIndex]!, executionId: previous.executionId } } : {}),
    warnings,
    stages: [],
    artifacts: [],
    variables,
  };

  const objectUrl = (key: string) => {
    const endpoint = input.env.AWS_ENDPOINT_URL_S3 ?? input.env.AWS_ENDPOINT_URL;
    return endpoint
      ? `${endpoint.replace(/\/+$/, "")}/${bucket}/${key}`
      : `https://${bucket}.s3.${region}.amazonaws.com/${key}`;
  };
  const fetchInputs = async (a: PlannedAction, dir: string): Promise<LocalArtifact[]> => {
    const out: LocalArtifact[] = [];
    for (const name of a.inputs) {
      const art = artifacts.get(name)!;
      const target = join(dir, name);
      await mkdir(target, { recursive: true });
      await unzipInto(await objects.get(art), target, `Artifact ${name} (s3://${art.bucket}/${art.key})`);
      out.push({
        name,
        dir: target,
        location: { bucket: art.bucket, key: art.key },
        url: objectUrl(art.key),
      });
    }
    return out;
  };
  const storeOutput = async (a: PlannedAction, name: string, zip: Uint8Array) => {
    const key = artifactKey(pipelineName, name);
    await objects.put({ bucket, key }, zip);
    const art: RunArtifact = { name, bucket, key, producedBy: `${a.stage}/${a.name}`, executionId };
    artifacts.set(name, art);
  };

  const runAction = async (
    a: PlannedAction,
    index: number,
    visible: Record<string, Record<string, string>>,
    log: ActionLog,
  ): Promise<ActionRecord> => {
    const t = Date.now();
    const type = `${a.category}/${a.owner}/${a.provider}`;
    const base: ActionRecord = {
      name: a.name,
      type,
      runOrder: a.runOrder,
      status: "Succeeded",
      startedAt: "",
      durationMs: 0,
      workMs: 0,
      overheadMs: 0,
      summary: "",
      outputArtifacts: a.outputs,
    };
    const configuration = substituteVariables(
      a.configuration,
      visible,
      `Action ${a.stage}/${a.name}`,
    ) as Json;
    const dir = join(work, `${index}-${a.name.replace(/[^A-Za-z0-9._-]/g, "_")}`);
    await mkdir(dir, { recursive: true });
    if (a.category === "Source") {
      const src = await sourceArtifact(input.repositoryRoot, input.source);
      // The source's work is reading the repository (CodePipeline's fetch); storing the ZIP is the run's own.
      base.workMs = Date.now() - t;
      commit = src.commit;
      record.source = { mode: src.mode, commit };
      for (const name of a.outputs) await storeOutput(a, name, src.zip);
      // The variables a CodeStar connection (or GitHub) source action exports, for #{Namespace.CommitId}.
      if (a.namespace) {
        variables[a.namespace] = {
          CommitId: commit,
          CommitMessage: src.message,
          AuthorDate: src.authorDate,
          BranchName: String(configuration.BranchName ?? configuration.Branch ?? ""),
          FullRepositoryName: String(
            configuration.FullRepositoryId ??
              [configuration.Owner, configuration.Repo].filter(Boolean).join("/"),
          ),
          ...(configuration.ConnectionArn ? { ConnectionArn: String(configuration.ConnectionArn) } : {}),
        };
      }
      base.summary =
        `${src.mode === "head" ? "HEAD" : "working tree"} ${commit.slice(0, 7)}` +
        (src.mode === "head" && src.uncommitted.length > 0
          ? ` (${src.uncommitted.length} uncommitted change(s) left out; --source working-tree takes them)`
          : "");
      return base;
    }
    if (a.category === "Approval") {
      const approved = input.approve.all || input.approve.stages.some((s) => same(s, a.stage));
      const rejected = input.reject.some((s) => same(s, a.stage));
      let decision: "approved" | "rejected";
      let by: "flag" | "terminal" = "flag";
      if (rejected) decision = "rejected";
      else if (approved) decision = "approved";
      else {
        by = "terminal";
        const note = configuration.CustomData ? ` ${String(configuration.CustomData)}` : "";
        const answer = await ask(`Approve stage ${a.stage} (${a.name})?${note} [y/N] `);
        decision = /^y(es)?$/i.test(answer.trim()) ? "approved" : "rejected";
      }
      base.approval = { decision, by };
      base.workMs = Date.now() - t;
      if (decision === "rejected") {
        base.status = "Failed";
        base.summary = `Rejected${by === "flag" ? " (--reject)" : ""}`;
        base.error = `Approval ${a.stage}/${a.name} was rejected; the run stops here, as CodePipeline's does.`;
      } else base.summary = `Approved${by === "flag" ? " (--approve)" : ""}`;
      return base;
    }
    if (a.provider === "CodeBuild") {
      const { name, project } = projectOf(a);
      let actionVariables: { name: string; value: string; type?: string }[] = [];
      if (configuration.EnvironmentVariables) {
        try {
          actionVariables = JSON.parse(String(configuration.EnvironmentVariables));
        } catch {
          throw new RunPipelineError(`Action ${a.stage}/${a.name}: EnvironmentVariables is not a JSON list.`);
        }
      }
      const inputs = await fetchInputs(a, dir);
      log.say(`  building with ${name} on this machine (not in a CodeBuild container)`);
      const build = await runBuildAction({
        projectName: name,
        project,
        actionVariables,
        inputs,
        ...(configuration.PrimarySource ? { primarySource: String(configuration.PrimarySource) } : {}),
        outputs: a.outputs,
        pipelineName,
        region: region!,
        account: account!,
        partition: partition!,
        commit,
        baseEnv: input.env,
        secrets: secretResolver,
        redact,
        output: (line) => log.stream(line),
        ...(input.signal ? { signal: input.signal } : {}),
      });
      base.buildId = build.buildId;
      base.commands = build.commands;
      base.workMs = build.commandMs;
      if (build.status === "Failed") {
        base.status = "Failed";
        base.error = build.message ?? "The build failed.";
        if (build.failure) base.failure = build.failure;
        base.summary = build.failure ? `exit status ${build.failure.exitCode}` : "failed";
        return base;
      }
      for (const out of build.outputs) await storeOutput(a, out.name, await zipFiles(out.files));
      if (a.namespace) variables[a.namespace] = build.exportedVariables;
      if (Object.keys(build.exportedVariables).length > 0) base.variables = build.exportedVariables;
      base.summary = `${build.commands.length} command(s)${build.outputs.length ? `, ${build.outputs.map((o) => `${o.name}: ${o.files.length} file(s)`).join(", ")}` : ""}`;
      return base;
    }
    // CloudFormation
    const inputs = await fetchInputs(a, dir);
    const cfn = await runCloudFormationAction({
      actionName: `${a.stage}/${a.name}`,
      configuration,
      inputs,
      outputs: a.outputs,
      bucket,
      deps: engineDeps,
    });
    base.workMs = cfn.awsMs;
    base.stackName = cfn.stackName;
    base.stackResult = cfn.result.kind;
    if (cfn.roleArn) base.roleArn = cfn.roleArn;
    if (cfn.result.changes) base.changes = cfn.result.changes.length;
    for (const out of cfn.outputs) await storeOutput(a, out.name, await zipFiles(out.files));
    if (a.namespace) variables[a.namespace] = cfn.result.outputs;
    const what =
      cfn.result.kind === "changeSetReady"
        ? `change set ready: ${cfn.result.changes?.length ?? 0} change(s)`
        : cfn.result.kind;
    base.summary = `${cfn.mode} ${cfn.stackName}: ${what}`;
    if (cfn.result.kind === "failed") {
      base.status = "Failed";
      const causes = (cfn.result.rootCause ?? []).map(
        (e) => `  ${e.logicalId} ${e.status}: ${e.reason ?? ""}`,
      );
      base.error = [cfn.result.message ?? `${cfn.mode} ${cfn.stackName} failed.`, ...causes].join("\n");
    }
    return base;
  };

  try {
    for (const [i, stageName] of stageNames.entries()) {
      const stageActions = actions.filter((a) => a.stage === stageName);
      if (i < fromIndex) {
        const kept = previous!.stages.find((s) => s.name === stageName);
        record.stages.push({
          name: stageName,
          status: "Skipped",
          durationMs: 0,
          overheadMs: 0,
          fromExecutionId: previous!.executionId,
          actions: kept?.actions ?? [],
        });
        input.say(
          `${stageName}: skipped (--from ${stageNames[fromIndex]}; keeps run ${previous!.executionId.slice(0, 8)})`,
        );
        continue;
      }
      const failedBefore = record.status === "Failed";
      if (failedBefore) {
        record.stages.push({ name: stageName, status: "NotRun", durationMs: 0, overheadMs: 0, actions: [] });
        continue;
      }
      const stage: StageRecord = {
        name: stageName,
        status: "Succeeded",
        durationMs: 0,
        overheadMs: 0,
        actions: [],
      };
      record.stages.push(stage);
      const st = Date.now();
      input.say(`${stageName}`);
      // The longest work of each RunOrder group: what the stage would take with no overhead at all.
      let criticalWorkMs = 0;
      for (const group of runOrderGroups(stageActions)) {
        const together = group.length > 1 && concurrency > 1;
        if (together) {
          input.say(
            `  RunOrder ${group[0]!.runOrder}: ${group.map((a) => a.name).join(", ")} in parallel` +
              (concurrency < group.length ? ` (at most ${concurrency} at once, --concurrency)` : ""),
          );
        }
        // Actions of one RunOrder see the variables of earlier ones only, whatever order they finish in.
        const before = structuredClone(variables);
        const records = await mapConcurrently(group, concurrency, async (a) => {
          const tag = together ? `[${a.name}] ` : "";
          const log: ActionLog = {
            say: (line) => input.say(line.replace(/^( *)/, `$1${tag}`)),
            stream: (line) => input.stream(`${tag}${line}`),
          };
          input.say(`  ${a.name} (${a.provider}) InProgress`);
          const t = Date.now();
          let rec: ActionRecord;
          try {
            rec = await runAction(a, actions.indexOf(a), before, log);
          } catch (e) {
            const message = redact.apply((e as Error).message ?? String(e));
            rec = {
              name: a.name,
              type: `${a.category}/${a.owner}/${a.provider}`,
              runOrder: a.runOrder,
              status: "Failed",
              startedAt: "",
              durationMs: 0,
              workMs: 0,
              overheadMs: 0,
              summary: "error",
              error: message,
              outputArtifacts: a.outputs,
            };
          }
          rec.startedAt = new Date(t).toISOString();
          rec.durationMs = Date.now() - t;
          rec.overheadMs = Math.max(0, rec.durationMs - rec.workMs);
          // One synchronous block of lines: another action's output cannot land between them.
          input.say(
            `  ${a.name} ${rec.status} ${seconds(rec.durationMs)}${rec.summary ? `  ${redact.apply(rec.summary)}` : ""}`,
          );
          if (rec.status === "Failed") {
            if (rec.failure) {
              log.say(`    failed command: ${rec.failure.command}`);
              log.say(`    exit status: ${rec.failure.exitCode}`);
              log.say("    output (last lines):");
              for (const line of rec.failure.tail) log.say(`      ${line}`);
            } else if (rec.error) for (const line of rec.error.split("\n")) log.say(`    ${line}`);
          }
          return rec;
        });
        stage.actions.push(...records);
        criticalWorkMs += Math.max(0, ...records.map((r) => r.workMs));
        if (records.some((r) => r.status === "Failed")) {
          // As on CodePipeline, the actions already in progress finished; the next RunOrder does not start.
          stage.status = "Failed";
          record.status = "Failed";
          break;
        }
      }
      stage.durationMs = Date.now() - st;
      stage.overheadMs = Math.max(0, stage.durationMs - criticalWorkMs);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  record.artifacts = [...artifacts.values()];
  record.durationMs = Date.now() - started;
  await mkdir(input.runsDir, { recursive: true });
  const text = redact.apply(`${JSON.stringify(record, null, 2)}\n`);
  await writeFile(join(input.runsDir, `${executionId}.json`), text);
  await writeFile(join(input.runsDir, "latest.json"), text);
  return JSON.parse(text) as RunRecord;
}

/** The failed actions of a stage and why, named when the stage has more than one action. */
function failedDetail(s: StageRecord): string | undefined {
  const failed = s.actions.filter((a) => a.status === "Failed");
  if (failed.length === 0) return undefined;
  if (s.actions.length === 1) return failed[0]!.summary;
  return failed.map((a) => `${a.name}: ${a.summary}`).join("; ");
}

/** One line per stage, as the console's pipeline view ends, with what the run added beyond the actions' work. */
export function stageSummary(record: RunRecord): string[] {
  return record.stages.map((s) => {
    const last = s.actions.at(-1);
    const detail =
      s.status === "Skipped"
        ? `kept from run ${s.fromExecutionId?.slice(0, 8)}`
        : s.status === "NotRun"
          ? "not run"
          : (failedDetail(s) ?? last?.summary ?? "");
    const overhead =
      s.status === "Succeeded" || s.status === "Failed" ? `  overhead ${seconds(s.overheadMs)}` : "";
    return `${s.name.padEnd(14)} ${s.status.padEnd(9)} ${seconds(s.durationMs).padStart(8)}${overhead}  ${detail}`;
  });
}

export type { ZipFile };
