import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { ConvergeInput, ConvergeResult, EngineDeps } from "@sparta/converge";
import { validateTemplate } from "@sparta/template";
import { buildspec, type PackageManager } from "./buildspec.js";
import type { PipelineCommand, PipelineCommandContext, PipelineCommandFlag } from "./cli-types.js";
import {
  createEnvironmentRegistry,
  defaultEnvironmentRegistry,
  type EnvironmentRegistry,
  type EnvironmentValue,
  type PipelineEnvironment,
} from "./environments.js";
import {
  DeployPipelineError,
  InvalidPipelineOptionsError,
  PipelineNotDeployedError,
  RunPipelineError,
  SourceCredentialsError,
} from "./errors.js";
import type { IamStatement } from "./permissions.js";
import { parseGitHubRepo } from "./repo.js";
import {
  type CodePipelinePackage,
  codePipelinePackageFor,
  environmentsDecorator,
  PIPELINE_PERMISSIONS_BOUNDARY,
  type TemplateJson,
} from "./service.js";
import {
  CONNECTION_PARAMETER,
  OAUTH_TOKEN_PARAMETER,
  type PipelineSource,
  type PipelineStage,
  type PullRequestBuilds,
  pipelineTemplate,
  resolveAlarmGates,
  resolveStages,
} from "./template.js";

/** How the pipeline is built and promoted; every field is optional. */
export interface CodePipelineOptions {
  /** Environments; default a new registry (fill it with `pipeline.registerEnvironment`). Pass
   * `defaultEnvironmentRegistry()` to use the process-wide `registerEnvironment`. */
  registry?: EnvironmentRegistry;
  /** Default: one stage per environment, in registration order, each with a manual approval. */
  stages?: readonly PipelineStage[];
  /** Test pull requests to the branch with a CodeBuild webhook. */
  pullRequests?: boolean | PullRequestBuilds;
  /** Folder of the service file relative to the repository root; default found from the `.git` folder. */
  serviceDir?: string;
  /** Default: found from the repository's lockfile. */
  packageManager?: PackageManager;
  /** Build commands run at the repository root after installing, e.g. `["pnpm run build"]` in a monorepo. */
  preBuild?: readonly string[];
  /** Deploy-role statements for resource types without built-in least-privilege actions. */
  deploy?: { statements?: readonly IamStatement[]; allowTypes?: readonly string[] };
  /** Node.js major version of the build. Default 20. */
  nodeVersion?: number;
  /** Replaces the artifact store, the secret resolver and the stack engine's clients of `runPipeline` (tests). */
  runDeps?: import("./run/runner.js").RunPipelineInput["deps"];
  /** Replaces `@sparta/converge`'s `converge` (tests use a recording fake; no test calls AWS). */
  converge?: (input: ConvergeInput, deps?: EngineDeps) => Promise<ConvergeResult>;
  /** Where `--oauth -` reads the token from; default the process's standard input. */
  stdin?: AsyncIterable<string | Uint8Array>;
}

/** What `codePipeline()` gives a service: the pieces to put into `defineService`. */
export interface CodePipeline {
  /**
   * Adds an environment (a pipeline stage and a `<name>.json`); a name registered twice is an error. A value is a
   * string, or a secret: `{ secretsManager: "prod/api-key" }` or `{ ssmParameter: "/prod/api-key" }`.
   */
  registerEnvironment(name: string, variables: Record<string, EnvironmentValue>): PipelineEnvironment;
  /** The environments, in registration (stage) order. */
  environments(): readonly PipelineEnvironment[];
  /** Service decorator: one parameter per variable key, mapped into every function's environment. */
  decorator: (ctx: { template: TemplateJson; service?: { permissionsBoundary?: unknown } }) => undefined;
  /**
   * The permissions boundary the pipeline creates, for `defineService({ permissionsBoundary })`: every role of the
   * service carries it when a stage deploys it (none in a plain `sparta provision`). The deploy role creates no role
   * without it.
   */
  permissionsBoundary: typeof PIPELINE_PERMISSIONS_BOUNDARY;
  /** The `provisionPipeline` command (kept for services written before `commands`). */
  command: PipelineCommand;
  /** The `runPipeline` command. */
  runCommand: PipelineCommand;
  /** Both commands, for `defineService({ commands: pipeline.commands })`. */
  commands: PipelineCommand[];
  /** The `codePipelinePackage` option of `@sparta/packager`'s `writeBuildOutput` (what `--codePipelinePackage` needs). */
  packageFor(fileName: string): CodePipelinePackage;
}

/** Flags of `sparta runPipeline`: those of provisionPipeline (to build the same template), and the run's own. */
export const RUN_PIPELINE_FLAGS = {
  pipeline: { type: "string", description: "pipeline name (its stack's name), e.g. SpartaCodePipeline" },
  repo: { type: "string", description: "GitHub repository URL, as given to provisionPipeline" },
  connection: {
    type: "string",
    description: "as given to provisionPipeline (default: read from the deployed stack)",
  },
  oauth: {
    type: "string",
    description: "as given to provisionPipeline (default: read from the deployed stack)",
  },
  s3Bucket: { type: "string", description: "as given to provisionPipeline" },
  approve: {
    type: "string",
    multiple: true,
    description: "approve manual approvals without asking: all, or stage names (repeat or comma-separate)",
  },
  reject: {
    type: "string",
    multiple: true,
    description: "reject the manual approval of a stage: the run stops there",
  },
  from: {
    type: "string",
    description: "resume at this stage, with the artifacts of the previous run (.sparta/runs)",
  },
  source: { type: "string", description: "head (the committed HEAD, default) or working-tree" },
  concurrency: {
    type: "string",
    description:
      "most actions of one RunOrder to run at once (default: all, in parallel as on CodePipeline; 1: one after the other)",
  },
} satisfies Record<string, PipelineCommandFlag>;

/** Flags of `sparta provisionPipeline` (`--noop` is the CLI's global flag). */
export const PROVISION_PIPELINE_FLAGS = {
  pipeline: { type: "string", description: "pipeline name; also its stack's name, e.g. SpartaCodePipeline" },
  repo: {
    type: "string",
    description: "GitHub repository URL, optional branch as #branch or /tree/branch (default main)",
  },
  connection: { type: "string", description: "ARN of a CodeStar connection to GitHub (recommended)" },
  oauth: {
    type: "string",
    description:
      "GitHub token: - reads it from stdin (or set SPARTA_OAUTH; on the command line other users can see it), or secretsmanager:SECRET[#jsonKey]",
  },
  s3Bucket: { type: "string", description: "bucket for function code and the pipeline template" },
} satisfies Record<string, PipelineCommandFlag>;

const CONNECTION_ARN =
  /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:[0-9]{12}:connection\/[A-Za-z0-9-]+$/;

/** The resolved source: the template's view (no secret) and the parameter values converge passes. */
interface SourceInput {
  source: PipelineSource;
  parameters: Record<string, string>;
  /** Strings that must never be printed or written. */
  secrets: string[];
}

/** Reads `--connection` / `--oauth` (exactly one) into a pipeline source; the token is only ever a parameter value. */
export function resolveSource(flags: { connection?: unknown; oauth?: unknown }): SourceInput {
  const connection = typeof flags.connection === "string" ? flags.connection.trim() : undefined;
  const oauth = typeof flags.oauth === "string" ? flags.oauth.trim() : undefined;
  const how =
    "Give exactly one of --connection arn:aws:codestar-connections:REGION:ACCOUNT:connection/ID (recommended) or " +
    "--oauth - (the token on standard input; or SPARTA_OAUTH=TOKEN in the environment, or --oauth secretsmanager:SECRET#jsonKey).";
  if (connection && oauth)
    throw new SourceCredentialsError(`Both --connection and --oauth were given. ${how}`);
  if (!connection && !oauth) {
    throw new SourceCredentialsError(
      `provisionPipeline needs GitHub credentials: no --connection or --oauth. ${how}`,
    );
  }
  if (connection) {
    if (!CONNECTION_ARN.test(connection)) {
      throw new SourceCredentialsError(
        `--connection ${JSON.stringify(connection)} is not a CodeStar connection ARN. Copy it from the console ` +
          `(Developer Tools > Connections), e.g. arn:aws:codestar-connections:us-east-1:123456789012:connection/0a1b2c3d-....`,
      );
    }
    return {
      source: { kind: "connection" },
      parameters: { [CONNECTION_PARAMETER]: connection },
      secrets: [],
    };
  }
  const token = oauth!;
  if (token.startsWith("secretsmanager:")) {
    const [secretId, jsonKey] = token.slice("secretsmanager:".length).split("#");
    if (!secretId) {
      throw new SourceCredentialsError(
        `--oauth secretsmanager: needs a secret name or ARN, e.g. --oauth secretsmanager:github/token#token.`,
      );
    }
    return {
      source: { kind: "oauthSecret", secretId, ...(jsonKey ? { jsonKey } : {}) },
      parameters: {},
      secrets: [],
    };
  }
  if (token.startsWith("{{resolve:")) {
    throw new SourceCredentialsError(
      `--oauth takes a Secrets Manager secret as secretsmanager:SECRET[#jsonKey], not a {{resolve:...}} reference.`,
    );
  }
  if (/\s/.test(token)) {
    throw new SourceCredentialsError(
      `--oauth: the token contains whitespace; check what was pasted (it is not shown).`,
    );
  }
  return { source: { kind: "oauthToken" }, parameters: { [OAUTH_TOKEN_PARAMETER]: token }, secrets: [token] };
}

/** Reads a secret from a stream (standard input) to its end, without the trailing newline. */
async function readSecret(input: AsyncIterable<string | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8").trim();
}

/**
 * The `--oauth` value: read from standard input for `-`. A token typed on the command line (not from
 * `SPARTA_OAUTH`) is visible to other users of the machine in the process list and the shell's history: warned.
 */
async function oauthFlag(
  ctx: PipelineCommandContext,
  stdin: AsyncIterable<string | Uint8Array> | undefined,
): Promise<unknown> {
  const value = ctx.flags.oauth;
  if (value === "-") {
    const token = await readSecret(stdin ?? (process.stdin as AsyncIterable<Uint8Array>));
    if (!token)
      throw new SourceCredentialsError(
        "--oauth -: standard input held no token; pipe it in, e.g. `... --oauth - < token.txt`.",
      );
    return token;
  }
  if (
    typeof value === "string" &&
    !value.trim().startsWith("secretsmanager:") &&
    value !== process.env.SPARTA_OAUTH
  ) {
    ctx.reporter.warn(
      "--oauth: a token on the command line is visible to other users of this machine (process list, shell " +
        "history). Give it on standard input (--oauth - < token.txt), in SPARTA_OAUTH, or keep it in Secrets " +
        "Manager (--oauth secretsmanager:NAME).",
    );
  }
  return value;
}

/** The repository root (the closest folder above `dir` holding `.git`), or `dir` itself. */
function repositoryRoot(dir: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return resolve(dir);
  }
}

/** The package manager of the lockfile closest above `serviceDir` (up to the repository root). Default npm. */
export function detectPackageManager(serviceDir: string, root = repositoryRoot(serviceDir)): PackageManager {
  for (let d = resolve(serviceDir); ; d = dirname(d)) {
    if (existsSync(join(d, "pnpm-lock.yaml"))) return "pnpm";
    if (existsSync(join(d, "yarn.lock"))) return "yarn";
    if (existsSync(join(d, "package-lock.json"))) return "npm";
    if (d === root || dirname(d) === d) return "npm";
  }
}

function requireFlag(
  ctx: PipelineCommandContext,
  name: "pipeline" | "repo",
  example: string,
  command = "provisionPipeline",
): string {
  const value = ctx.flags[name];
  if (typeof value !== "string" || value.trim() === "") {
    throw new InvalidPipelineOptionsError(`${command} needs --${name}, e.g. --${name} ${example}.`);
  }
  return value.trim();
}

/** Removes every secret from a text before it is printed or written. */
function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join("***");
  return out;
}

/**
 * A service's delivery pipeline: environments, the service decorator, and the `provisionPipeline` command.
 * @example
 * const pipeline = codePipeline();
 * pipeline.registerEnvironment("test", { MESSAGE: "Hello from test" });
 * pipeline.registerEnvironment("production", { MESSAGE: "Hello from production" });
 * export const service = defineService({ name: "SpartaCodePipeline", functions,
 *   decorators: [pipeline.decorator], commands: [pipeline.command] });
 */
export function codePipeline(options: CodePipelineOptions = {}): CodePipeline {
  const registry = options.registry ?? createEnvironmentRegistry();
  const environments = () => registry.list();

  /**
   * Everything both commands share, checked before anything is built: the flags, the buildspec, the built service
   * and the pipeline template. `runPipeline` runs the pipeline resource of exactly this template.
   */
  async function preparePipeline(ctx: PipelineCommandContext, command: string, sourceInput?: SourceInput) {
    const pipelineName = requireFlag(ctx, "pipeline", "SpartaCodePipeline", command);
    const repo = parseGitHubRepo(requireFlag(ctx, "repo", "https://github.com/owner/repo#main", command));
    const { source, parameters, secrets } =
      sourceInput ??
      resolveSource({ connection: ctx.flags.connection, oauth: await oauthFlag(ctx, options.stdin) });
    const codeBucket = typeof ctx.flags.s3Bucket === "string" ? ctx.flags.s3Bucket : undefined;
    const checked = resolveStages(environments(), options.stages, pipelineName, repo.branch);
    for (const warning of registry.warnings()) ctx.reporter.warn(warning);

    const root = repositoryRoot(ctx.serviceDir);
    const serviceDir = options.serviceDir ?? (relative(root, ctx.serviceDir).split(sep).join("/") || ".");
    const packageFileName = `${pipelineName}.zip`;
    const spec = buildspec({
      packageFileName,
      environments: checked.map((s) => s.environment),
      packageManager: options.packageManager ?? detectPackageManager(ctx.serviceDir, root),
      serviceDir,
      ...(options.nodeVersion ? { nodeVersion: options.nodeVersion } : {}),
      ...(options.preBuild ? { preBuild: options.preBuild } : {}),
    });

    ctx.reporter.progress("building the service to learn its resource types");
    const build = await ctx.build(codeBucket ? { s3Bucket: codeBucket } : {});
    // A service over CloudFormation's quotas deploys as a root and nested stacks: the deploy role needs the types of
    // the whole service, and to manage the nested stacks.
    const whole = build.serviceTemplate ?? build.template;
    const resourceTypes = [
      ...Object.values(whole.Resources).map((r) => r.Type),
      ...(build.serviceTemplate ? ["AWS::CloudFormation::Stack"] : []),
    ];
    // An alarm gate watches the previous stage's alarms, named from the built template.
    const stages = resolveAlarmGates(checked, whole);
    const template = pipelineTemplate({
      pipelineName,
      repo,
      source,
      environments: environments(),
      stages,
      buildspec: spec,
      resourceTypes,
      serviceTemplate: whole,
      ...(codeBucket ? { codeBucket } : {}),
      ...(options.pullRequests ? { pullRequests: options.pullRequests } : {}),
      ...(options.deploy ? { deploy: options.deploy } : {}),
    });
    const problems = validateTemplate(template as never);
    if (problems.length > 0) {
      throw new InvalidPipelineOptionsError(
        [
          `The pipeline template has ${problems.length} problem(s):`,
          ...problems.map((p) => `  - ${p.path}: ${p.message}`),
        ].join("\n"),
      );
    }
    if (options.pullRequests && source.kind !== "connection") {
      ctx.reporter.info(
        "pull-request builds use the GitHub credential CodeBuild holds for this account and Region, which the " +
          "stack neither creates nor replaces: import it once (`aws codebuild import-source-credentials " +
          "--server-type GITHUB --auth-type PERSONAL_ACCESS_TOKEN --cli-input-json file://token.json`), or use " +
          "--connection.",
      );
    }
    const stackLine = stages.map((s) => {
      const how =
        s.approval === "manual"
          ? "manual approval"
          : s.approval === "none"
            ? "no approval"
            : `alarm gate: ${s.approval.alarms.join(", ")} quiet for ${s.approval.quietMinutes} min`;
      return `${s.environment} -> ${s.stackName} (${how})`;
    });
    return { pipelineName, repo, parameters, secrets, codeBucket, spec, stages, template, root, stackLine };
  }

  const command: PipelineCommand = {
    name: "provisionPipeline",
    description:
      "create or update the service's CodePipeline (--noop: write .sparta/pipeline.json and buildspec.yml only)",
    flags: PROVISION_PIPELINE_FLAGS,
    async run(ctx) {
      const { pipelineName, repo, parameters, secrets, codeBucket, spec, stages, template, stackLine } =
        await preparePipeline(ctx, "provisionPipeline");
      const dir = join(ctx.serviceDir, ".sparta");
      await mkdir(dir, { recursive: true });
      const templateText = redact(`${JSON.stringify(template, null, 2)}\n`, secrets);
      const templatePath = join(dir, "pipeline.json");
      const buildspecPath = join(dir, "buildspec.yml");
      await writeFile(templatePath, templateText);
      await writeFile(buildspecPath, redact(spec, secrets));

      if (ctx.options.noop) {
        ctx.result(
          {
            noop: true,
            stackName: pipelineName,
            templatePath,
            buildspecPath,
            stages,
            template: JSON.parse(templateText),
          },
          redact(
            [
              templateText.trimEnd(),
              "",
              `noop: wrote ${relative(ctx.serviceDir, templatePath)} and ${relative(ctx.serviceDir, buildspecPath)}; nothing was deployed`,
              `  pipeline stack ${pipelineName}: ${repo.owner}/${repo.name}#${repo.branch}`,
              ...stackLine.map((l) => `  ${l}`),
            ].join("\n"),
            secrets,
          ),
        );
        return 0;
      }

      const converge = options.converge ?? (await import("@sparta/converge")).converge;
      ctx.reporter.info(`provisioning pipeline stack ${pipelineName}`);
      const say = (m: string) => redact(m, secrets);
      const result = await converge(
        {
          stackName: pipelineName,
          template,
          parameters,
          tags: { "sparta:pipeline": pipelineName, "sparta:service": ctx.service.name },
          ...(codeBucket ? { bucket: codeBucket, keyPrefix: `${pipelineName}/pipeline` } : {}),
        },
        {
          reporter: {
            event: (e) =>
              ctx.reporter.event(
                say(
                  `${e.status.padEnd(20)} ${e.resourceType.padEnd(32)} ${e.logicalId}${e.reason ? `  ${e.reason}` : ""}`,
                ),
              ),
            progress: (p) => ctx.reporter.progress(`${p.stackName}: ${p.done}/${p.total} resources`),
            info: (m) => ctx.reporter.info(say(m)),
            warn: (m) => ctx.reporter.warn(say(m)),
          },
        },
      );
      if (result.kind === "failed") {
        const causes = (result.rootCause ?? []).map((e) => `  ${e.logicalId} ${e.status}: ${e.reason ?? ""}`);
        throw new DeployPipelineError(
          say(
            [
              `Pipeline stack ${pipelineName} failed${result.message ? `: ${result.message}` : ""}`,
              ...causes,
            ].join("\n"),
          ),
        );
      }
      ctx.result(
        { kind: result.kind, stackName: pipelineName, outputs: result.outputs, stages },
        say(
          [
            `${pipelineName}: ${result.kind}`,
            ...Object.entries(result.outputs).map(([k, v]) => `  ${k} = ${v}`),
            ...stackLine.map((l) => `  ${l}`),
          ].join("\n"),
        ),
      );
      return 0;
    },
  };

  const runCommand: PipelineCommand = {
    name: "runPipeline",
    description:
      "run the deployed pipeline on this machine: the repository's HEAD, its builds (here, not in CodeBuild containers), its stage stacks",
    flags: RUN_PIPELINE_FLAGS,
    async run(ctx) {
      if (ctx.options.noop) {
        throw new RunPipelineError(
          "runPipeline deploys the stage stacks, so it has no --noop; `sparta provisionPipeline --noop` shows the pipeline.",
        );
      }
      const list = (v: unknown) =>
        (Array.isArray(v) ? v : typeof v === "string" ? [v] : []).flatMap((x) => String(x).split(","));
      const approveList = list(ctx.flags.approve)
        .map((s) => s.trim())
        .filter(Boolean);
      const reject = list(ctx.flags.reject)
        .map((s) => s.trim())
        .filter(Boolean);
      const sourceFlag = typeof ctx.flags.source === "string" ? ctx.flags.source : "head";
      if (sourceFlag !== "head" && sourceFlag !== "working-tree") {
        throw new RunPipelineError(
          `--source ${sourceFlag}: use head (the committed HEAD, default) or working-tree.`,
        );
      }
      const concurrencyFlag = ctx.flags.concurrency;
      if (concurrencyFlag !== undefined && !/^[1-9][0-9]*$/.test(String(concurrencyFlag).trim())) {
        throw new RunPipelineError(
          `--concurrency ${String(concurrencyFlag)}: give a whole number of 1 or more, e.g. --concurrency 2 ` +
            "(1 runs the actions of one RunOrder one after the other; without it they all run at once).",
        );
      }
      const pipelineName = requireFlag(ctx, "pipeline", "SpartaCodePipeline", "runPipeline");
      const sourceInput =
        ctx.flags.connection !== undefined || ctx.flags.oauth !== undefined
          ? resolveSource({ connection: ctx.flags.connection, oauth: await oauthFlag(ctx, options.stdin) })
          : await deployedSource(pipelineName);
      const prepared = await preparePipeline(ctx, "runPipeline", sourceInput);
      const { runPipeline, stageSummary } = await import("./run/runner.js");
      const interactive = process.stdin.isTTY === true && ctx.ask !== undefined;
      const say = (m: string) => ctx.reporter.info(redact(m, prepared.secrets));
      say(
        `runPipeline ${pipelineName}: builds run on this machine with your credentials, not in CodeBuild containers; ` +
          "CloudFormation actions deploy through the AWS SDK's configured endpoint",
      );
      const record = await runPipeline({
        template: prepared.template as never,
        stackName: pipelineName,
        repositoryRoot: prepared.root,
        source: sourceFlag,
        approve: {
          all: approveList.some((s) => s.toLowerCase() === "all"),
          stages: approveList.filter((s) => s.toLowerCase() !== "all"),
        },
        reject,
        ...(interactive ? { ask: (q: string) => ctx.ask!(q) } : {}),
        ...(typeof ctx.flags.from === "string" ? { from: ctx.flags.from } : {}),
        runsDir: join(ctx.serviceDir, ".sparta", "runs"),
        env: process.env,
        secrets: prepared.secrets,
        say,
        stream: (line) => ctx.reporter.event(`    | ${redact(line, prepared.secrets)}`),
        warn: (m) => ctx.reporter.warn(redact(m, prepared.secrets)),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...(options.runDeps ? { deps: options.runDeps } : {}),
        ...(concurrencyFlag !== undefined ? { concurrency: Number(String(concurrencyFlag).trim()) } : {}),
      });
      ctx.result(
        record,
        [
          `${pipelineName} run ${record.executionId.slice(0, 8)}: ${record.status} in ${(record.durationMs / 1000).toFixed(1)} s ` +
            `(${record.source.mode === "head" ? "HEAD" : "working tree"} ${record.source.commit.slice(0, 7)})`,
          ...stageSummary(record).map((l) => `  ${l}`),
        ].join("\n"),
      );
      return record.status === "Succeeded" ? 0 : 3;
    },
  };

  return {
    registerEnvironment: (name, variables) => registry.register(name, variables),
    environments,
    decorator: environmentsDecorator(environments),
    permissionsBoundary: PIPELINE_PERMISSIONS_BOUNDARY,
    command,
    runCommand,
    commands: [command, runCommand],
    packageFor: (fileName) => codePipelinePackageFor(environments(), fileName),
  };
}

/**
 * What the deployed pipeline stack's parameters say about its source, when runPipeline gets no --connection or
 * --oauth: the template it builds must be the deployed one.
 */
async function deployedSource(pipelineName: string): Promise<SourceInput> {
  const { describeStack } = await import("@sparta/converge");
  const stack = await describeStack({ stackName: pipelineName });
  if (!stack) {
    throw new PipelineNotDeployedError(
      `The pipeline stack ${pipelineName} is not deployed in this account and Region. Deploy it first with ` +
        `\`sparta provisionPipeline --pipeline ${pipelineName} --repo ... --connection ...\`, then run runPipeline with the same flags.`,
    );
  }
  if (stack.parameters[CONNECTION_PARAMETER] !== undefined) {
    return { source: { kind: "connection" }, parameters: {}, secrets: [] };
  }
  if (stack.parameters[OAUTH_TOKEN_PARAMETER] !== undefined) {
    return { source: { kind: "oauthToken" }, parameters: {}, secrets: [] };
  }
  throw new SourceCredentialsError(
    `runPipeline cannot tell how the deployed pipeline ${pipelineName} reaches GitHub; pass the same --connection or ` +
      "--oauth you gave provisionPipeline.",
  );
}

/** The `provisionPipeline` command over the process-wide registry of `registerEnvironment`. */
export function provisionPipeline(options: Omit<CodePipelineOptions, "registry"> = {}): PipelineCommand {
  return codePipeline({ ...options, registry: defaultEnvironmentRegistry() }).command;
}
