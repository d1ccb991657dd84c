import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import { basename, join, posix, relative, resolve, sep } from "node:path";
import { RunPipelineError } from "../errors.js";
import { type ArtifactLocation, readFiles, type ZipFile } from "./artifacts.js";
import {
  type ArtifactSpec,
  type BuildspecFile,
  checkRuntimes,
  parseBuildspec,
  withPath,
} from "./buildspec-file.js";
import { type OutputSink, ShellSession } from "./shell.js";

/** The slice of an `AWS::CodeBuild::Project`'s properties a build reads (resolved against the deployed stack). */
export interface BuildProject {
  Name?: string;
  Source?: { Type?: string; BuildSpec?: string };
  Environment?: {
    Image?: string;
    EnvironmentVariables?: { Name: string; Value: string; Type?: string }[];
  };
  TimeoutInMinutes?: number;
}

/** Reads values the buildspec and the project name in Parameter Store and Secrets Manager. */
export interface SecretResolver {
  parameter(name: string): Promise<string>;
  /** `secret-id[:json-key[:version-stage[:version-id]]]`, the buildspec's and CodeBuild's reference form. */
  secret(reference: string): Promise<string>;
}

export interface BuildInput {
  name: string;
  dir: string;
  location?: ArtifactLocation;
}

export interface BuildActionInput {
  projectName: string;
  project: BuildProject;
  /** The action's `EnvironmentVariables` (a JSON list in the action configuration); they win over the project's. */
  actionVariables: { name: string; value: string; type?: string }[];
  /** Input artifacts; the primary one (`PrimarySource`, else the first) is CODEBUILD_SRC_DIR. */
  inputs: BuildInput[];
  primarySource?: string;
  outputs: string[];
  pipelineName: string;
  region: string;
  account: string;
  partition: string;
  commit: string;
  /** The machine's environment the build starts from (PATH, credentials, AWS_ENDPOINT_URL...). */
  baseEnv: Record<string, string | undefined>;
  secrets: SecretResolver;
  /** Every secret value resolved here is added, so the caller can redact it from what it prints and writes. */
  redact: { add(secret: string): void; apply(text: string): string };
  output: OutputSink;
  signal?: AbortSignal;
}

export interface CommandRecord {
  phase: string;
  command: string;
  exitCode: number;
  durationMs: number;
}

export interface BuildActionResult {
  status: "Succeeded" | "Failed";
  buildId: string;
  phases: { name: string; status: "SUCCEEDED" | "FAILED" | "SKIPPED"; durationMs: number }[];
  commands: CommandRecord[];
  /** Time spent in the buildspec's commands. */
  commandMs: number;
  failure?: { phase: string; command: string; exitCode: number; tail: string[] };
  message?: string;
  outputs: { name: string; files: ZipFile[] }[];
  exportedVariables: Record<string, string>;
}

const TAIL_LINES = 30;

/** The project's buildspec: inline YAML, or a file of the primary source (default `buildspec.yml`). */
async function buildspecText(project: BuildProject, sourceDir: string, projectName: string): Promise<string> {
  const spec = project.Source?.BuildSpec;
  if (spec && /\n/.test(spec)) return spec;
  const file = spec || "buildspec.yml";
  const path = resolve(sourceDir, file);
  if (!existsSync(path)) {
    throw new RunPipelineError(
      `CodeBuild project ${projectName} reads its buildspec from ${file}, which the source artifact does not have.`,
    );
  }
  return readFile(path, "utf8");
}

/** Reads a build's buildspec and checks its runtimes before anything runs (inline buildspecs only). */
export async function preflightBuild(
  project: BuildProject,
  projectName: string,
  env: Record<string, string | undefined>,
): Promise<BuildspecFile | undefined> {
  const spec = project.Source?.BuildSpec;
  if (!spec || !/\n/.test(spec)) return undefined;
  const parsed = await parseBuildspec(spec, `CodeBuild project ${projectName}`);
  await checkRuntimes(parsed, `CodeBuild project ${projectName}`, env);
  return parsed;
}

function globRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

async function walk(root: string, dir = root, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, path, out);
    else if (entry.isFile() || (entry.isSymbolicLink() && (await lstat(path)).isFile()))
      out.push(relative(root, path).split(sep).join("/"));
  }
  return out;
}

/** The files of one artifact spec, named as the ZIP will hold them (base-directory, discard-paths, exclude-paths). */
export async function collectArtifact(
  spec: ArtifactSpec,
  sourceDir: string,
  what: string,
): Promise<ZipFile[]> {
  const base = resolve(sourceDir, spec.baseDirectory ?? ".");
  if (!existsSync(base)) {
    throw new RunPipelineError(
      `${what}: base-directory ${spec.baseDirectory} does not exist after the build.`,
    );
  }
  const all = await walk(base);
  const include = spec.files.map((f) => globRegExp(posix.normalize(f.replace(/^\.\//, ""))));
  const exclude = spec.excludePaths.map((f) => globRegExp(f.replace(/^\.\//, "")));
  const names = all.filter((n) => include.some((r) => r.test(n)) && !exclude.some((r) => r.test(n))).sort();
  if (names.length === 0) {
    throw new RunPipelineError(
      `${what}: no matching artifact paths found (files ${spec.files.join(", ")}${spec.baseDirectory ? ` under ${spec.baseDirectory}` : ""}), as CodeBuild reports it.`,
    );
  }
  return readFiles(base, names, spec.discardPaths ? (n) => basename(n) : (n) => n);
}

/** CodeBuild's reserved variable names for the sources of a build (`CODEBUILD_SRC_DIR_<sourceIdentifier>`). */
const sourceVariable = (name: string) => `CODEBUILD_SRC_DIR_${name}`;

/**
 * Runs a CodeBuild action of a pipeline on this machine (not in a container): the project's buildspec, phase by
 * phase in one shell session, with CodeBuild's variables, the project's and the action's environment variables,
 * Parameter Store and Secrets Manager values resolved through the SDK, `finally` blocks and `on-failure`, then
 * collects `artifacts` (and `secondary-artifacts`) into the output artifacts.
 */
export async function runBuildAction(input: BuildActionInput): Promise<BuildActionResult> {
  const primary = input.inputs.find((i) => i.name === input.primarySource) ?? input.inputs[0];
  if (!primary) throw new RunPipelineError(`CodeBuild project ${input.projectName} has no input artifact.`);
  const where = `CodeBuild project ${input.projectName}`;
  const spec = await parseBuildspec(
    await buildspecText(input.project, primary.dir, input.projectName),
    where,
  );
  const buildId = `${input.projectName}:${randomUUID()}`;
  if (spec.ignored.length > 0) {
    input.output(
      `(${spec.ignored.join(", ")} of the buildspec: nothing on this machine; CodeBuild would use them)`,
      "stdout",
    );
  }

  // Precedence as CodeBuild documents it: the action's (start-build) values, then the project's, then the buildspec's.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.baseEnv)) if (v !== undefined) env[k] = v;
  const secret = async (value: Promise<string>) => {
    const v = await value;
    input.redact.add(v);
    return v;
  };
  Object.assign(env, spec.variables);
  for (const [k, name] of Object.entries(spec.parameterStore))
    env[k] = await secret(input.secrets.parameter(name));
  for (const [k, ref] of Object.entries(spec.secretsManager))
    env[k] = await secret(input.secrets.secret(ref));
  const typed = async (list: { name: string; value: string; type?: string }[]) => {
    for (const v of list) {
      const type = (v.type ?? "PLAINTEXT").toUpperCase();
      if (type === "PARAMETER_STORE") env[v.name] = await secret(input.secrets.parameter(v.value));
      else if (type === "SECRETS_MANAGER") env[v.name] = await secret(input.secrets.secret(v.value));
      else env[v.name] = v.value;
    }
  };
  await typed(
    (input.project.Environment?.EnvironmentVariables ?? []).map((v) => ({
      name: v.Name,
      value: String(v.Value),
      ...(v.Type ? { type: v.Type } : {}),
    })),
  );
  await typed(input.actionVariables);
  const started = Date.now();
  Object.assign(env, {
    CODEBUILD_CI: "true",
    CODEBUILD_BUILD_ID: buildId,
    CODEBUILD_BUILD_ARN: `arn:${input.partition}:codebuild:${input.region}:${input.account}:build/${buildId}`,
    CODEBUILD_BUILD_NUMBER: "1",
    CODEBUILD_BUILD_IMAGE: input.project.Environment?.Image ?? "",
    CODEBUILD_BUILD_SUCCEEDING: "1",
    CODEBUILD_INITIATOR: `codepipeline/${input.pipelineName}`,
    CODEBUILD_LOG_PATH: buildId.split(":")[1]!,
    CODEBUILD_RESOLVED_SOURCE_VERSION: input.commit,
    CODEBUILD_SOURCE_VERSION: primary.location
      ? `arn:${input.partition}:s3:::${primary.location.bucket}/${primary.location.key}`
      : input.commit,
    CODEBUILD_SRC_DIR: primary.dir,
    CODEBUILD_START_TIME: String(started),
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
  });
  for (const other of input.inputs) if (other !== primary) env[sourceVariable(other.name)] = other.dir;
  // runtime-versions: the matching runtime goes first on PATH, as CodeBuild's image switches to it.
  const runtimes = await checkRuntimes(spec, where, env);
  if (runtimes.path.length > 0) {
    Object.assign(env, withPath(env, runtimes.path));
    input.output(`(runtime-versions: using ${runtimes.path.join(", ")})`, "stdout");
  }

  const tail: string[] = [];
  const sink: OutputSink = (line, stream) => {
    const clean = input.redact.apply(line);
    tail.push(clean);
    if (tail.length > TAIL_LINES) tail.shift();
    input.output(clean, stream);
  };
  let shell = new ShellSession(spec.shell, primary.dir, env, sink);
  const timeoutMs = (input.project.TimeoutInMinutes ?? 60) * 60_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    shell.kill();
  }, timeoutMs);
  const onAbort = () => shell.kill();
  input.signal?.addEventListener("abort", onAbort);

  const result: BuildActionResult = {
    status: "Succeeded",
    buildId,
    phases: [],
    commands: [],
    commandMs: 0,
    outputs: [],
    exportedVariables: {},
  };
  let succeeding = true;
  let aborted = false;
  const runCommand = async (phase: string, command: string): Promise<boolean> => {
    if (!shell.alive)
      shell = new ShellSession(
        spec.shell,
        primary.dir,
        { ...env, CODEBUILD_BUILD_SUCCEEDING: succeeding ? "1" : "0" },
        sink,
      );
    input.output(`[${phase}] $ ${input.redact.apply(command)}`, "stdout");
    const t = Date.now();
    const { status } = await shell.run(command);
    const durationMs = Date.now() - t;
    result.commandMs += durationMs;
    result.commands.push({ phase, command: input.redact.apply(command), exitCode: status, durationMs });
    if (status !== 0 && !result.failure) {
      result.failure = { phase, command: input.redact.apply(command), exitCode: status, tail: [...tail] };
    }
    return status === 0;
  };
  try {
    for (const phase of spec.phases) {
      const t = Date.now();
      if (aborted || (phase.commands.length === 0 && phase.finally.length === 0)) {
        result.phases.push({ name: phase.name, status: aborted ? "SKIPPED" : "SUCCEEDED", durationMs: 0 });
        continue;
      }
      await shell.run(`export CODEBUILD_BUILD_SUCCEEDING=${succeeding ? 1 : 0}`);
      let ok = true;
      for (const command of phase.commands) {
        if (!(await runCommand(phase.name, command))) {
          ok = false;
          break;
        }
      }
      for (const command of phase.finally)
        if (!(await runCommand(`${phase.name} finally`, command))) ok = false;
      if (timedOut || input.signal?.aborted) ok = false;
      result.phases.push({
        name: phase.name,
        status: ok ? "SUCCEEDED" : "FAILED",
        durationMs: Date.now() - t,
      });
      if (!ok) {
        succeeding = false;
        // CodeBuild: a failed install or pre_build ends the build; a failed build still runs post_build.
        if (phase.onFailure === "ABORT" && phase.name !== "build") aborted = true;
        if (timedOut || input.signal?.aborted) aborted = true;
      }
    }
    result.exportedVariables = await shell.read(spec.exportedVariables);
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener("abort", onAbort);
    await shell.close();
  }
  if (timedOut) {
    result.status = "Failed";
    result.message = `${where} timed out after ${input.project.TimeoutInMinutes ?? 60} minutes (TimeoutInMinutes).`;
    return result;
  }
  if (!succeeding) {
    result.status = "Failed";
    const f = result.failure;
    result.message = f
      ? `Command did not exit successfully ${f.command} exit status ${f.exitCode} (phase ${f.phase})`
      : `${where} failed.`;
    return result;
  }

  // UPLOAD_ARTIFACTS: the primary artifact is the first output; secondary artifacts go by their identifier.
  if (input.outputs.length > 0) {
    if (input.outputs.length === 1 && spec.artifacts) {
      result.outputs.push({
        name: input.outputs[0]!,
        files: await collectArtifact(spec.artifacts, primary.dir, `${where} artifacts`),
      });
    } else {
      for (const name of input.outputs) {
        const a = spec.secondaryArtifacts[name] ?? (name === input.outputs[0] ? spec.artifacts : undefined);
        if (!a) {
          throw new RunPipelineError(
            `${where}: the action outputs artifact ${name}, but the buildspec has no artifacts for it; with several ` +
              `output artifacts, name each in artifacts.secondary-artifacts (e.g. ${name}: { files: ["**/*"] }).`,
          );
        }
        result.outputs.push({
          name,
          files: await collectArtifact(a, primary.dir, `${where} artifact ${name}`),
        });
      }
    }
  }
  return result;
}
