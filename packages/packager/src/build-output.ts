import { createHash } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import { PackagerInputError } from "./errors.js";
import { type Artifact, createZip } from "./zip/create.js";

/** One environment's values, written as a CloudFormation template-configuration file. */
export interface PipelineEnvironment {
  Parameters: Record<string, string>;
  Tags?: Record<string, string>;
}

export interface CodePipelinePackageOptions {
  /** File name inside `.sparta/`, e.g. `pipeline.zip`. */
  fileName: string;
  environments: Record<string, PipelineEnvironment>;
}

export interface WriteBuildOutputOptions {
  serviceDir: string;
  /** The CloudFormation template as plain JSON. */
  template: object;
  artifacts: Artifact[];
  codePipelinePackage?: CodePipelinePackageOptions;
}

export interface BuildOutput {
  /** `<serviceDir>/.sparta` */
  dir: string;
  templatePath: string;
  manifestPath: string;
  artifacts: Artifact[];
  pipelinePackage?: Artifact;
}

/** The shape of `.sparta/manifest.json`. */
export interface BuildManifest {
  version: 1;
  template: { file: "cloudformation.json"; sha256: string };
  artifacts: { key: string; file: string; sha256: string; size: number; entries: Artifact["entries"] }[];
  pipelinePackage?: { file: string; sha256: string; size: number; entries: Artifact["entries"] };
}

/** 2-space JSON with a final newline: the same value always gives the same bytes. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const PACKAGE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.zip$/;

async function writeText(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

function templateConfiguration(name: string, env: PipelineEnvironment): string {
  for (const [kind, values] of [
    ["Parameters", env.Parameters],
    ["Tags", env.Tags ?? {}],
  ] as const) {
    if (values === null || typeof values !== "object") {
      throw new PackagerInputError(
        `Environment "${name}": "${kind}" must be an object of strings, e.g. {"Stage":"prod"}.`,
      );
    }
    for (const [key, value] of Object.entries(values)) {
      if (typeof value !== "string") {
        throw new PackagerInputError(
          `Environment "${name}": ${kind}.${key} must be a string (CloudFormation template configuration); received ${JSON.stringify(value)}.`,
        );
      }
    }
  }
  return stableJson({ Parameters: env.Parameters, Tags: env.Tags ?? {} });
}

function sha256Of(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Writes a service's build into `<serviceDir>/.sparta/`: `cloudformation.json`, `manifest.json` and,
 * when asked, the CodePipeline package: a ZIP with `cloudformation.json` and one `<environment>.json`
 * template-configuration file per environment, all at the ZIP root.
 *
 * @example
 * await writeBuildOutput({ serviceDir: ".", template, artifacts,
 *   codePipelinePackage: { fileName: "pipeline.zip", environments: { prod: { Parameters: { Stage: "prod" } } } } });
 * // .sparta/cloudformation.json, .sparta/manifest.json, .sparta/pipeline.zip (cloudformation.json, prod.json)
 */
export async function writeBuildOutput(options: WriteBuildOutputOptions): Promise<BuildOutput> {
  const dir = join(resolve(options.serviceDir), ".sparta");
  await mkdir(dir, { recursive: true });
  const templateText = stableJson(options.template);
  const templatePath = join(dir, "cloudformation.json");
  await writeText(templatePath, templateText);

  let pipelinePackage: Artifact | undefined;
  const pkg = options.codePipelinePackage;
  if (pkg) {
    if (!PACKAGE_FILE_NAME.test(pkg.fileName)) {
      throw new PackagerInputError(
        `CodePipeline package name ${JSON.stringify(pkg.fileName)} must be a plain file name ending in ".zip", e.g. "pipeline.zip".`,
      );
    }
    const names = Object.keys(pkg.environments).sort();
    if (names.length === 0) {
      throw new PackagerInputError(
        `CodePipeline package "${pkg.fileName}" needs at least one environment, e.g. { prod: { Parameters: { Stage: "prod" } } }.`,
      );
    }
    const entries = [{ name: "cloudformation.json", content: templateText }];
    for (const name of names) {
      if (!ENVIRONMENT_NAME.test(name) || name.toLowerCase() === "cloudformation") {
        throw new PackagerInputError(
          `Environment name ${JSON.stringify(name)} cannot become "<name>.json" in the CodePipeline package. Use letters, digits, "_" or "-" (and not "cloudformation"), e.g. "prod".`,
        );
      }
      entries.push({
        name: `${name}.json`,
        content: templateConfiguration(name, pkg.environments[name] as PipelineEnvironment),
      });
    }
    pipelinePackage = await createZip({ entries, outFile: join(dir, pkg.fileName) });
  }

  const manifest: BuildManifest = {
    version: 1,
    template: { file: "cloudformation.json", sha256: sha256Of(templateText) },
    artifacts: [...options.artifacts]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((a) => ({
        key: a.key,
        // relative to `.sparta/` (a ZIP is at its top; a nested template under templates/)
        file: relative(dir, resolve(a.path)).split(sep).join("/"),
        sha256: a.sha256,
        size: a.size,
        entries: a.entries,
      })),
  };
  if (pipelinePackage) {
    manifest.pipelinePackage = {
      file: basename(pipelinePackage.path),
      sha256: pipelinePackage.sha256,
      size: pipelinePackage.size,
      entries: pipelinePackage.entries,
    };
  }
  const manifestPath = join(dir, "manifest.json");
  await writeText(manifestPath, stableJson(manifest));
  return {
    dir,
    templatePath,
    manifestPath,
    artifacts: options.artifacts,
    ...(pipelinePackage ? { pipelinePackage } : {}),
  };
}
