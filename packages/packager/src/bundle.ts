import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { build, type Message, type OutputFile } from "esbuild";
import { BundleError } from "./errors.js";
import { portableNames, renameModules, renameSources } from "./portable-paths.js";

export interface BundleFunctionOptions {
  /** The function's logical name; it appears in every error. */
  name: string;
  /** The handler module, e.g. `src/hello.ts`. */
  entry: string;
  /** Folder that receives `index.mjs` (and `index.mjs.map`). Created if missing. */
  outDir: string;
  minify?: boolean;
  /** Write `index.mjs.map` beside the bundle; run the function with `NODE_OPTIONS=--enable-source-maps` to use it. */
  sourcemap?: boolean;
  /** Extra packages left out of the bundle, on top of `@aws-sdk/*`. */
  external?: string[];
  /** esbuild target. Default `node22`. */
  target?: string;
  /**
   * Folder that names in the bundle and its source map are relative to. Default: the current folder. A file
   * outside it is named `node_modules/<package>/<path in the package>`, so the bundle never depends on
   * where the folder is.
   */
  workingDir?: string;
}

export interface BundleFile {
  /** Name inside the function's ZIP. */
  name: string;
  path: string;
  mode?: number;
}

export interface Bundle {
  name: string;
  files: BundleFile[];
  /** Total size of `files`. */
  bytes: number;
}

/** The Lambda Node runtime ships AWS SDK v3, so it is left out of bundles by default. */
export const DEFAULT_EXTERNAL: readonly string[] = ["@aws-sdk/*"];

// CommonJS dependencies bundled into ESM still call `require` for Node built-ins.
const REQUIRE_SHIM =
  'import { createRequire as __spartaCreateRequire } from "node:module";\nconst require = __spartaCreateRequire(import.meta.url);';

function formatMessages(messages: readonly Message[]): string {
  return messages
    .map((m) => {
      const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : "";
      return `  ${where}${m.text}`;
    })
    .join("\n");
}

/**
 * Bundles one function's entry with esbuild into `<outDir>/index.mjs`: ESM for the Lambda Node runtime,
 * tree-shaken, AWS SDK v3 external. The Lambda handler string is then `index.<exported function>`.
 *
 * @example
 * const bundle = await bundleFunction({ name: "hello", entry: "src/hello.ts", outDir: ".sparta/build/hello" });
 * // bundle.files → [{ name: "index.mjs", path: ".../.sparta/build/hello/index.mjs", mode: 0o644 }]
 */
export async function bundleFunction(options: BundleFunctionOptions): Promise<Bundle> {
  const { name, entry } = options;
  const workingDir = resolve(options.workingDir ?? process.cwd());
  const entryPath = resolve(workingDir, entry);
  const outDir = resolve(workingDir, options.outDir);
  const outfile = join(outDir, "index.mjs");
  try {
    await stat(entryPath);
  } catch (cause) {
    throw new BundleError(
      name,
      entryPath,
      `Function "${name}": entry file "${entryPath}" does not exist. Check the function's "entry" in the service definition.`,
      { cause },
    );
  }
  await mkdir(outDir, { recursive: true });
  let outputs: OutputFile[];
  let inputs: string[];
  try {
    const result = await build({
      entryPoints: [entryPath],
      outfile,
      absWorkingDir: workingDir,
      bundle: true,
      platform: "node",
      format: "esm",
      target: options.target ?? "node22",
      minify: options.minify ?? false,
      sourcemap: options.sourcemap ? "linked" : false,
      sourcesContent: true,
      treeShaking: true,
      external: [...DEFAULT_EXTERNAL, ...(options.external ?? [])],
      banner: { js: REQUIRE_SHIM },
      // Lambda and Node resolve the `module` condition like this too; `main` last for CommonJS-only packages.
      mainFields: ["module", "main"],
      legalComments: "none",
      logLevel: "silent",
      // Written below, once the names of modules outside workingDir are made portable.
      write: false,
      metafile: true,
    });
    if (result.errors.length > 0) {
      throw new Error(formatMessages(result.errors));
    }
    outputs = result.outputFiles;
    inputs = Object.keys(result.metafile.inputs);
  } catch (cause) {
    const detail =
      cause &&
      typeof cause === "object" &&
      "errors" in cause &&
      Array.isArray((cause as { errors: unknown }).errors)
        ? formatMessages((cause as { errors: Message[] }).errors)
        : `  ${cause instanceof Error ? cause.message : String(cause)}`;
    throw new BundleError(
      name,
      entryPath,
      `Function "${name}" failed to bundle from "${entryPath}":\n${detail}\nFix the error above, or mark a package that cannot be bundled as external.`,
      { cause },
    );
  }
  const names = await portableNames(inputs, workingDir);
  const code = outputs.find((o) => o.path === outfile);
  const map = outputs.find((o) => o.path === `${outfile}.map`);
  if (!code) throw new BundleError(name, entryPath, `Function "${name}": esbuild wrote no "${outfile}".`);
  const renamed = renameModules(code.text, names);
  await writeFile(outfile, names.size === 0 ? code.contents : renamed.code);
  if (map) {
    await writeFile(map.path, renameSources(map.text, dirname(map.path), workingDir, names, renamed.edits));
  }
  const files: BundleFile[] = [{ name: "index.mjs", path: outfile, mode: 0o644 }];
  if (options.sourcemap) files.push({ name: "index.mjs.map", path: `${outfile}.map`, mode: 0o644 });
  let bytes = 0;
  for (const file of files) bytes += (await stat(file.path)).size;
  return { name, files, bytes };
}
