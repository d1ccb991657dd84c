import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { RunPipelineError } from "../errors.js";

/** The four command phases of a buildspec, in the order CodeBuild runs them. */
export const PHASES = ["install", "pre_build", "build", "post_build"] as const;
export type PhaseName = (typeof PHASES)[number];

/** One artifact of a buildspec's `artifacts` (or one of its `secondary-artifacts`). */
export interface ArtifactSpec {
  files: string[];
  baseDirectory?: string;
  discardPaths: boolean;
  excludePaths: string[];
}

export interface PhaseSpec {
  name: PhaseName;
  commands: string[];
  finally: string[];
  onFailure: "ABORT" | "CONTINUE";
  runtimeVersions: Record<string, string>;
}

/** A buildspec (version 0.2), read into what the build runner needs. */
export interface BuildspecFile {
  shell: "bash" | "sh";
  variables: Record<string, string>;
  parameterStore: Record<string, string>;
  secretsManager: Record<string, string>;
  exportedVariables: string[];
  phases: PhaseSpec[];
  artifacts?: ArtifactSpec;
  secondaryArtifacts: Record<string, ArtifactSpec>;
  /** Keys that do nothing on this machine (cache, reports, run-as, proxy), to say so. */
  ignored: string[];
}

const yes = (v: unknown) => v === true || (typeof v === "string" && /^(yes|true)$/i.test(v));
const strings = (v: unknown) => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map(String);

function record(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new RunPipelineError(`${where} must be a map of names to values, e.g. MESSAGE: hello.`);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function artifactSpec(value: unknown, where: string): ArtifactSpec {
  const a = (value ?? {}) as Record<string, unknown>;
  const files = strings(a.files);
  if (files.length === 0) {
    throw new RunPipelineError(
      `${where}.files is empty; list the files the artifact holds, e.g. files: ["**/*"].`,
    );
  }
  return {
    files,
    ...(a["base-directory"] !== undefined ? { baseDirectory: String(a["base-directory"]) } : {}),
    discardPaths: yes(a["discard-paths"]),
    excludePaths: strings(a["exclude-paths"]),
  };
}

/**
 * Reads a buildspec as CodeBuild does (YAML, version 0.2). Version 0.1 (each command in its own shell) and batch
 * builds are refused with a clear error.
 * @example
 * await parseBuildspec("version: 0.2\nphases:\n  build:\n    commands:\n      - npm test\n", "project hello-build")
 */
export async function parseBuildspec(text: string, where: string): Promise<BuildspecFile> {
  // The YAML parser loads when a build runs, not when a service file imports the package.
  const { parse } = await import("yaml");
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new RunPipelineError(`The buildspec of ${where} is not valid YAML: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (!doc || typeof doc !== "object") throw new RunPipelineError(`The buildspec of ${where} is empty.`);
  if (String(doc.version) !== "0.2") {
    throw new RunPipelineError(
      `The buildspec of ${where} has version ${JSON.stringify(doc.version)}; runPipeline runs version 0.2 (one shell ` +
        "session for all phases, as CodeBuild does). Set version: 0.2.",
    );
  }
  if (doc.batch !== undefined) {
    throw new RunPipelineError(`The buildspec of ${where} is a batch build, which runPipeline does not run.`);
  }
  const env = (doc.env ?? {}) as Record<string, unknown>;
  const shell = env.shell === undefined ? "bash" : String(env.shell);
  if (shell !== "bash" && shell !== "sh") {
    throw new RunPipelineError(`The buildspec of ${where} asks for shell ${shell}; on Linux use bash or sh.`);
  }
  const rawPhases = (doc.phases ?? {}) as Record<string, Record<string, unknown> | null>;
  for (const name of Object.keys(rawPhases)) {
    if (!(PHASES as readonly string[]).includes(name)) {
      throw new RunPipelineError(
        `The buildspec of ${where} has a phase "${name}"; the phases are ${PHASES.join(", ")}.`,
      );
    }
  }
  const ignored = ["cache", "reports", "run-as", "proxy"].filter(
    (k) => doc[k] !== undefined || env[k] !== undefined,
  );
  const phases = PHASES.map((name): PhaseSpec => {
    const p = rawPhases[name] ?? {};
    const onFailure = p["on-failure"] === undefined ? "ABORT" : String(p["on-failure"]);
    if (onFailure !== "ABORT" && onFailure !== "CONTINUE") {
      throw new RunPipelineError(
        `The buildspec of ${where}: phases.${name}.on-failure is ${onFailure}; runPipeline knows ABORT and CONTINUE.`,
      );
    }
    if (p["run-as"] !== undefined) ignored.push(`phases.${name}.run-as`);
    return {
      name,
      commands: strings(p.commands),
      finally: strings(p.finally),
      onFailure,
      runtimeVersions:
        name === "install" ? record(p["runtime-versions"], `phases.install.runtime-versions`) : {},
    };
  });
  const secondary = (doc.artifacts as Record<string, unknown> | undefined)?.["secondary-artifacts"] as
    | Record<string, unknown>
    | undefined;
  return {
    shell,
    variables: record(env.variables, `${where}: env.variables`),
    parameterStore: record(env["parameter-store"], `${where}: env.parameter-store`),
    secretsManager: record(env["secrets-manager"], `${where}: env.secrets-manager`),
    exportedVariables: strings(env["exported-variables"]),
    phases,
    ...(doc.artifacts && (doc.artifacts as Record<string, unknown>).files !== undefined
      ? { artifacts: artifactSpec(doc.artifacts, `${where}: artifacts`) }
      : {}),
    secondaryArtifacts: Object.fromEntries(
      Object.entries(secondary ?? {}).map(([id, a]) => [
        id,
        artifactSpec(a, `${where}: artifacts.secondary-artifacts.${id}`),
      ]),
    ),
    ignored,
  };
}

const run = promisify(execFile);

/** How to ask this machine for a runtime named in `runtime-versions`, and how to get it. */
const RUNTIMES: Record<
  string,
  { command: string; args: string[]; version: RegExp; get: (v: string) => string }
> = {
  nodejs: {
    command: "node",
    args: ["--version"],
    version: /v(\d+(?:\.\d+)*)/,
    get: (v) =>
      `install Node.js ${v} (e.g. \`nvm install ${v}\` or \`fnm install ${v}\`) and put it first on PATH`,
  },
  python: {
    command: "python3",
    args: ["--version"],
    version: /Python (\d+(?:\.\d+)*)/,
    get: (v) => `install Python ${v} (e.g. \`pyenv install ${v}\`) and put it first on PATH`,
  },
  java: {
    command: "java",
    args: ["-version"],
    version: /version "(?:1\.)?(\d+(?:\.\d+)*)/,
    get: (v) => `install a JDK ${v.replace(/\D+/g, "")} (e.g. Amazon Corretto) and put it first on PATH`,
  },
  golang: {
    command: "go",
    args: ["version"],
    version: /go(\d+(?:\.\d+)*)/,
    get: (v) => `install Go ${v} (https://go.dev/dl) and put it first on PATH`,
  },
  ruby: {
    command: "ruby",
    args: ["--version"],
    version: /ruby (\d+(?:\.\d+)*)/,
    get: (v) => `install Ruby ${v} (e.g. \`rbenv install ${v}\`)`,
  },
  php: {
    command: "php",
    args: ["--version"],
    version: /PHP (\d+(?:\.\d+)*)/,
    get: (v) => `install PHP ${v}`,
  },
  dotnet: {
    command: "dotnet",
    args: ["--version"],
    version: /(\d+(?:\.\d+)*)/,
    get: (v) => `install the .NET SDK ${v}`,
  },
};

/** Whether `have` (e.g. 20.20.2) is what `want` asks for (20, 20.x, 3.12, corretto17, latest). */
export function runtimeMatches(want: string, have: string): boolean {
  if (want === "latest") return true;
  const wanted = (want.match(/\d+(?:\.\d+)*/)?.[0] ?? "").split(".").filter(Boolean);
  const got = have.split(".");
  return wanted.length > 0 && wanted.every((part, i) => part === got[i]);
}

/** The `bin` directories where Node version managers (and this repository's `.tools/node<major>`) keep their Nodes. */
export function nodeInstallDirs(
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
  home = homedir(),
): string[] {
  const out: string[] = [];
  const each = (dir: string | undefined, bin: (name: string) => string, only = /./) => {
    if (!dir || !existsSync(dir)) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) if (only.test(name)) out.push(join(dir, bin(name)));
  };
  each(join(env.NVM_DIR ?? join(home, ".nvm"), "versions", "node"), (v) => join(v, "bin"));
  for (const fnm of [env.FNM_DIR, join(home, ".local", "share", "fnm"), join(home, ".fnm")])
    each(fnm && join(fnm, "node-versions"), (v) => join(v, "installation", "bin"));
  each(join(env.VOLTA_HOME ?? join(home, ".volta"), "tools", "image", "node"), (v) => join(v, "bin"));
  each(join(env.ASDF_DATA_DIR ?? join(home, ".asdf"), "installs", "nodejs"), (v) => join(v, "bin"));
  each(join(env.MISE_DATA_DIR ?? join(home, ".local", "share", "mise"), "installs", "node"), (v) =>
    join(v, "bin"),
  );
  each(join(env.N_PREFIX ?? "/usr/local", "n", "versions", "node"), (v) => join(v, "bin"));
  // This repository's convention (scripts/node-binary.mjs): .tools/node<major>/node_modules/.bin in any ancestor.
  for (let dir = cwd; ; dir = dirname(dir)) {
    each(join(dir, ".tools"), (name) => join(name, "node_modules", ".bin"), /^node\d+$/);
    if (dirname(dir) === dir) break;
  }
  return out.filter((d) => existsSync(join(d, "node")));
}

async function versionAt(
  command: string,
  known: (typeof RUNTIMES)[string],
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  try {
    const out = await run(command, known.args, { env: env as NodeJS.ProcessEnv, encoding: "utf8" });
    return `${out.stdout}${out.stderr}`.match(known.version)?.[1];
  } catch {
    return undefined;
  }
}

const compareVersions = (a: string, b: string) => {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

/** Lookups made by this process (a run checks each build before anything runs, then again as it starts it). */
const lookups = new Map<string, Promise<{ have?: string; dir?: string }>>();

/**
 * The version of `runtime` on the build's PATH and, when that is not `version` (Node.js only), the `bin` directory
 * of the newest matching install a version manager or `.tools/node<major>` holds. Each candidate is asked its
 * version at once.
 */
function findRuntime(
  runtime: string,
  version: string,
  env: Record<string, string | undefined>,
): Promise<{ have?: string; dir?: string }> {
  const known = RUNTIMES[runtime]!;
  const home = env.HOME || homedir();
  const key = [runtime, version, env.PATH, home, process.cwd()].join("\0");
  let found = lookups.get(key);
  if (!found) {
    found = (async () => {
      const have = await versionAt(known.command, known, env);
      if ((have && runtimeMatches(version, have)) || runtime !== "nodejs") return have ? { have } : {};
      const dirs = nodeInstallDirs(env, process.cwd(), home);
      const versions = await Promise.all(dirs.map((d) => versionAt(join(d, "node"), known, env)));
      let best: { dir: string; v: string } | undefined;
      versions.forEach((v, i) => {
        if (v && runtimeMatches(version, v) && (!best || compareVersions(v, best.v) > 0))
          best = { dir: dirs[i]!, v };
      });
      return { ...(have ? { have } : {}), ...(best ? { dir: best.dir } : {}) };
    })();
    lookups.set(key, found);
  }
  return found;
}

/**
 * Checks `runtime-versions` against this machine, the way CodeBuild selects a runtime: the one on the build's
 * PATH when it is the version asked for, else (Node.js) the newest matching install of a version manager (nvm,
 * fnm, Volta, asdf, mise, n) or of `.tools/node<major>`, whose `bin` directory is returned to go first on the
 * build's PATH. Each runtime still missing is named with the version it asks for and how to get it.
 */
export async function checkRuntimes(
  spec: BuildspecFile,
  where: string,
  env: Record<string, string | undefined>,
): Promise<{ path: string[] }> {
  const wanted = spec.phases.find((p) => p.name === "install")?.runtimeVersions ?? {};
  const problems: string[] = [];
  const path: string[] = [];
  for (const [runtime, version] of Object.entries(wanted)) {
    const known = RUNTIMES[runtime];
    if (!known) {
      problems.push(
        `runtime-versions ${runtime}: ${version}: runPipeline does not know how to check ${runtime} here`,
      );
      continue;
    }
    const { have, dir } = await findRuntime(runtime, version, env);
    if (dir) path.push(dir);
    if (dir || (have && runtimeMatches(version, have))) continue;
    const elsewhere =
      runtime === "nodejs"
        ? ` (and no nodejs ${version} in nvm, fnm, Volta, asdf, mise, n or .tools/node<major>)`
        : "";
    if (!have) {
      problems.push(
        `${runtime} ${version}: \`${known.command}\` is not on PATH${elsewhere}; ${known.get(version)}`,
      );
    } else {
      problems.push(
        `${runtime} ${version}: this machine has ${runtime} ${have}${elsewhere}; ${known.get(version)}, or change the ` +
          "version the buildspec asks for (codePipeline({ nodeVersion }) for the pipeline's own build)",
      );
    }
  }
  if (problems.length > 0) {
    throw new RunPipelineError(
      [
        `The buildspec of ${where} asks for runtimes this machine does not have (runPipeline runs builds here, not in a CodeBuild container):`,
        ...problems.map((p) => `  - ${p}`),
      ].join("\n"),
    );
  }
  return { path };
}

/** `env` with `dirs` first on its PATH. */
export function withPath(env: Record<string, string>, dirs: string[]): Record<string, string> {
  if (dirs.length === 0) return env;
  return { ...env, PATH: [...dirs, ...(env.PATH ? [env.PATH] : [])].join(delimiter) };
}
