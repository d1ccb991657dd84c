import { lstatSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ServiceDefinitionError, UsageError } from "./errors.js";
import { lines, SCAFFOLDS, TEMPLATE_NAMES, type TemplateName } from "./scaffolds.js";
import { didYouMean } from "./suggest.js";
import { validateService } from "./validate.js";

/** One file of a new service: its path relative to the service folder (with "/") and its text. */
export interface ScaffoldFile {
  path: string;
  content: string;
}

/** Options of {@link initService}. */
export interface InitOptions {
  /** Folder to write into; created when missing. */
  dir: string;
  /** Service (and stack) name. Default: the folder's base name. */
  name?: string;
  /** Overwrite the scaffold's files where they already exist. */
  force?: boolean;
  /** Check everything and report what would be written; write nothing. */
  noop?: boolean;
  /** Version of @sparta/cli the new service depends on (`^version`), e.g. the running cli's own. */
  version: string;
  /** What the function is behind: `http` (default), `queue`, `schedule` or `pipeline`. */
  template?: TemplateName;
}

/** What {@link initService} wrote (or, with `noop`, would write). */
export interface InitResult {
  /** Absolute path of the service folder. */
  dir: string;
  name: string;
  /** Paths relative to `dir`, in the order written. */
  files: string[];
  /** The subset of `files` that existed and were (or would be) overwritten (only with `force`). */
  overwritten: string[];
  /** False with `noop`. */
  written: boolean;
}

/** TypeScript the scaffold type-checks with (the workspace's own line). */
const TYPESCRIPT_RANGE = "~5.9.3";
/** Node types of the oldest Node the cli supports. */
const NODE_TYPES_RANGE = "^20.19.0";
/** The test runner of the scaffold's own test (the one this repository uses). */
const VITEST_RANGE = "^4.1.12";

/**
 * The files of a new service named `name` whose @sparta dependencies are `^version`, of one of the templates (default
 * `http`: one function `hello` behind `GET /hello` and `POST /hello` of an HTTP API): sparta.config.ts, the function,
 * its test and a sample event, package.json, tsconfig.json, .gitignore and a README with the next commands.
 */
export function scaffoldFiles(
  name: string,
  version: string,
  template: TemplateName = "http",
): ScaffoldFile[] {
  const scaffold = SCAFFOLDS[template];
  const packageJson = {
    name: name.toLowerCase(),
    version: "0.1.0",
    private: true,
    type: "module",
    engines: { node: ">=20" },
    scripts: {
      noop: "sparta provision --noop",
      provision: "sparta provision",
      explore: "sparta explore",
      test: "vitest run",
      typecheck: "tsc",
    },
    dependencies: { "@sparta/handler": `^${version}` },
    devDependencies: Object.fromEntries(
      [
        ["@sparta/cli", `^${version}`],
        ...scaffold.spartaDevDependencies.map((d) => [d, `^${version}`]),
        ["@types/node", NODE_TYPES_RANGE],
        ["typescript", TYPESCRIPT_RANGE],
        ["vitest", VITEST_RANGE],
      ].sort(([a], [b]) => a!.localeCompare(b!)),
    ),
  };
  const tsconfig = {
    compilerOptions: {
      target: "ES2023",
      lib: ["ES2023"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      types: ["node"],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      isolatedModules: true,
      verbatimModuleSyntax: true,
    },
    include: ["src", "test", "sparta.config.ts"],
  };
  return [
    { path: "package.json", content: `${JSON.stringify(packageJson, null, 2)}\n` },
    { path: "sparta.config.ts", content: scaffold.config(name) },
    { path: `src/${scaffold.fn}.ts`, content: scaffold.handler },
    { path: `test/${scaffold.fn}.test.ts`, content: scaffold.test },
    { path: `events/${scaffold.eventFile}`, content: `${JSON.stringify(scaffold.event(), null, 2)}\n` },
    { path: "tsconfig.json", content: `${JSON.stringify(tsconfig, null, 2)}\n` },
    {
      path: ".gitignore",
      // .spartarc.json holds this developer's flags (bucket, profile); .env files are where secrets end up.
      content: lines("node_modules/", ".sparta/", ".spartarc.json", ".env", ".env.*"),
    },
    { path: "README.md", content: lines(`# ${name}`, "", ...scaffold.readme(name)) },
  ];
}

/**
 * A valid service name made from `raw`: letters and digits kept, every other run of characters becomes "-",
 * a leading digit gets a `service-` prefix, at most 64 characters.
 *
 * @example suggestServiceName("My_App.v2") // "My-App-v2"
 */
export function suggestServiceName(raw: string): string {
  let name = raw
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (/^[0-9]/.test(name)) name = `service-${name}`;
  name = name.slice(0, 64).replace(/-+$/, "");
  return name || "my-service";
}

/**
 * Check `name` with the rule the build applies to a service name (it becomes the stack name: a letter, then
 * letters, digits or "-", at most 64 characters); throws a UsageError suggesting a cleaned name.
 */
async function checkName(name: string, fromFolder: boolean, dir: string): Promise<void> {
  // The validator is asked about the name alone: the empty function list is always a problem, so only a
  // service.name problem counts.
  try {
    await validateService({ name, functions: [] }, { serviceDir: dir, checkHandlers: false });
  } catch (error) {
    if (!(error instanceof ServiceDefinitionError)) throw error;
    if (!error.problems.some((p) => p.path === "service.name")) return;
    const fix = suggestServiceName(name);
    const rule =
      'it becomes the CloudFormation stack name: a letter, then letters, digits or "-", at most 64 characters';
    throw new UsageError(
      fromFolder
        ? `the folder name ${JSON.stringify(name)} is not a valid service name (${rule}); name the service with --name, e.g. --name ${fix}`
        : `--name ${JSON.stringify(name)} is not a valid service name (${rule}); e.g. --name ${fix}`,
      { cause: error },
    );
  }
}

function kindOf(path: string): "file" | "folder" | "other" | undefined {
  try {
    const stat = lstatSync(path);
    return stat.isFile() ? "file" : stat.isDirectory() ? "folder" : "other";
  } catch {
    return undefined;
  }
}

/**
 * Write a new service into `dir`. Everything is checked before anything is written: the name, and that none
 * of the files exists (unless `force`); a problem throws a {@link UsageError} naming the files.
 *
 * @example await initService({ dir: "hello-api", version: cliVersion() })
 * // writes hello-api/package.json, sparta.config.ts, src/hello.ts, test/hello.test.ts, tsconfig.json, .gitignore, README.md
 */
export async function initService(options: InitOptions): Promise<InitResult> {
  const dir = resolve(options.dir);
  const name = options.name ?? basename(dir);
  await checkName(name, options.name === undefined, dir);
  const template = options.template ?? "http";
  if (!(TEMPLATE_NAMES as readonly string[]).includes(template))
    throw new UsageError(
      `--template ${JSON.stringify(template)}: expected one of ${TEMPLATE_NAMES.join(", ")}.${didYouMean(template, TEMPLATE_NAMES)}`,
    );
  const files = scaffoldFiles(name, options.version, template);

  const dirKind = kindOf(dir);
  if (dirKind !== undefined && dirKind !== "folder")
    throw new UsageError(`${dir} exists and is not a folder; pick a folder for the new service`);
  const existing: string[] = [];
  const blocked: string[] = [];
  for (const file of files) {
    const parts = file.path.split("/");
    // A parent that is a file (src) blocks the file whatever --force says; so does a folder named as the file.
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      const kind = kindOf(join(dir, parent));
      if (kind !== undefined && kind !== "folder") blocked.push(`${parent} (a file where the folder goes)`);
    }
    const kind = kindOf(join(dir, file.path));
    if (kind === "file") existing.push(file.path);
    else if (kind !== undefined)
      blocked.push(`${file.path} (a ${kind === "folder" ? "folder" : "special file"})`);
  }
  if (blocked.length > 0)
    throw new UsageError(
      `sparta init: ${dir} has ${[...new Set(blocked)].join(", ")} where the new service's files go; nothing was written. Move ${blocked.length > 1 ? "them" : "it"} away or init into another folder`,
    );
  if (existing.length > 0 && !options.force)
    throw new UsageError(
      `sparta init: ${dir} already has ${existing.join(", ")}; nothing was written. Pass --force to overwrite ${existing.length > 1 ? "them" : "it"}, or init into a new folder: sparta init my-service`,
    );

  if (!options.noop) {
    for (const file of files) {
      const path = join(dir, file.path);
      await mkdir(dirname(path), { recursive: true });
      // Without --force, "wx" never replaces a file that appeared since the check.
      await writeFile(path, file.content, { flag: options.force ? "w" : "wx" });
    }
  }
  return {
    dir,
    name,
    files: files.map((f) => f.path),
    overwritten: existing,
    written: !options.noop,
  };
}
