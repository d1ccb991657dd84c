import { readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { bundleFunction } from "./bundle.js";
import { LambdaLimitError, PackagerInputError } from "./errors.js";
import { type Artifact, createZip } from "./zip/create.js";

/** Lambda's deployment-package limits, in bytes. */
export interface LambdaLimits {
  /** Direct-upload ZIP size. Default 50 MB (52,428,800 bytes). */
  zipped: number;
  /** Unzipped size of the function code. Default 250 MB (262,144,000 bytes). */
  unzipped: number;
}

export const LAMBDA_LIMITS: Readonly<LambdaLimits> = {
  zipped: 50 * 1024 * 1024,
  unzipped: 250 * 1024 * 1024,
};

/** Progress and warnings go here; the CLI decides how they look. */
export interface PackagerReporter {
  progress?(message: string): void;
  warn?(message: string): void;
}

export interface FunctionSource {
  name: string;
  /** Entry module, relative to `serviceDir` or absolute. */
  entry: string;
  minify?: boolean;
  sourcemap?: boolean;
  external?: string[];
}

export interface PackageFunctionsOptions {
  serviceDir: string;
  functions: FunctionSource[];
  /** Override the limits (tests use small ones). */
  limits?: Partial<LambdaLimits>;
  /** esbuild target for every function. Default `node22`. */
  target?: string;
  reporter?: PackagerReporter;
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Throws a `LambdaLimitError` when an artifact breaks Lambda's size limits. */
export function checkLambdaLimits(
  functionName: string,
  artifact: Artifact,
  limits: LambdaLimits = LAMBDA_LIMITS,
): void {
  const unzipped = artifact.entries.reduce((n, e) => n + e.size, 0);
  if (artifact.size > limits.zipped) {
    throw new LambdaLimitError(
      functionName,
      "zipped",
      artifact.size,
      limits.zipped,
      `Function "${functionName}": its ZIP is ${mb(artifact.size)} (${artifact.size} bytes), over Lambda's ${mb(limits.zipped)} limit for a direct upload (${limits.zipped} bytes).\nMark large dependencies as "external" and ship them in a layer, turn on "minify", or drop "sourcemap".`,
    );
  }
  if (unzipped > limits.unzipped) {
    throw new LambdaLimitError(
      functionName,
      "unzipped",
      unzipped,
      limits.unzipped,
      `Function "${functionName}": its code is ${mb(unzipped)} unzipped (${unzipped} bytes), over Lambda's ${mb(limits.unzipped)} limit (${limits.unzipped} bytes).\nMark large dependencies as "external" and move them to a layer, or split the function.`,
    );
  }
}

const FUNCTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Removes the function's ZIPs from earlier builds (in `existing`, listed once), so `.sparta/` holds exactly what the manifest lists. */
async function pruneStale(
  outDir: string,
  existing: string[],
  functionName: string,
  keep: string,
): Promise<void> {
  const escaped = functionName.replace(/[.]/g, "\\.");
  const mine = new RegExp(`^${escaped}-[0-9a-f]{16}\\.zip$`);
  for (const file of existing) {
    if (file !== keep && mine.test(file)) await rm(join(outDir, file), { force: true });
  }
}

/**
 * Functions bundled and zipped at once: esbuild and zlib work off the main thread, so a few in flight keep both
 * cores busy while one waits on the disk (a service of 300 functions builds in about half the time).
 */
const CONCURRENCY = 4;

/**
 * Bundles every function and writes one reproducible ZIP per function into `<serviceDir>/.sparta/`,
 * named `<function>-<sha256 prefix>.zip`. Bundles are kept under `.sparta/build/<function>/`.
 * One ZIP per function (not a shared one): each holds only its own tree-shaken code, which keeps
 * cold starts small and lets an unchanged function keep its key when a sibling changes.
 *
 * @example
 * const artifacts = await packageFunctions({ serviceDir: ".", functions: [{ name: "hello", entry: "src/hello.ts" }] });
 * // [{ key: "hello-3f9a0c1d2e4b5a69.zip", path: ".../.sparta/hello-3f9a0c1d2e4b5a69.zip", sha256: "3f9a...", size: 412, entries: [...] }]
 */
export async function packageFunctions(options: PackageFunctionsOptions): Promise<Artifact[]> {
  const serviceDir = resolve(options.serviceDir);
  const outDir = join(serviceDir, ".sparta");
  const limits: LambdaLimits = { ...LAMBDA_LIMITS, ...options.limits };
  const names = new Set<string>();
  for (const fn of options.functions) {
    if (!FUNCTION_NAME.test(fn.name)) {
      throw new PackagerInputError(
        `Function name ${JSON.stringify(fn.name)} cannot name an artifact file. Use letters, digits, ".", "_" or "-", starting with a letter or digit, e.g. "helloWorld".`,
      );
    }
    if (names.has(fn.name)) {
      throw new PackagerInputError(
        `Function "${fn.name}" is listed twice; function names must be unique in a service.`,
      );
    }
    names.add(fn.name);
  }
  const existing = await readdir(outDir).catch(() => [] as string[]);
  const one = async (fn: FunctionSource): Promise<Artifact> => {
    options.reporter?.progress?.(`bundling ${fn.name} (${fn.entry})`);
    const bundle = await bundleFunction({
      name: fn.name,
      entry: fn.entry,
      outDir: join(outDir, "build", fn.name),
      workingDir: serviceDir,
      minify: fn.minify,
      sourcemap: fn.sourcemap,
      external: fn.external,
      target: options.target,
    });
    const artifact = await createZip({
      name: fn.name,
      outDir,
      entries: bundle.files.map((f) => ({ name: f.name, path: f.path, mode: f.mode })),
    });
    try {
      checkLambdaLimits(fn.name, artifact, limits);
    } catch (error) {
      await rm(artifact.path, { force: true });
      throw error;
    }
    options.reporter?.progress?.(`zipped ${fn.name}: ${artifact.key} (${artifact.size} bytes)`);
    await pruneStale(outDir, existing, fn.name, artifact.key);
    return artifact;
  };
  // in the functions' order, whatever order they finish in
  const artifacts: Artifact[] = new Array(options.functions.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    for (let i = next++; i < options.functions.length && !failed; i = next++) {
      try {
        artifacts[i] = await one(options.functions[i]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  // every worker finished before the first error is thrown: nothing is still writing into `.sparta/`
  const settled = await Promise.allSettled(
    Array.from({ length: Math.min(CONCURRENCY, options.functions.length) }, worker),
  );
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (rejected) throw rejected.reason;
  return artifacts;
}
