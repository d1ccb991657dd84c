import { randomBytes } from "node:crypto";
import { existsSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { ServiceLoadError } from "./errors.js";
import type { ServiceDefinition } from "./service.js";
import { validateService } from "./validate.js";

/** File names looked up, in order, when no `--service` is given. */
export const SERVICE_FILES = [
  "sparta.config.ts",
  "sparta.config.mts",
  "sparta.config.js",
  "sparta.config.mjs",
];

export interface LoadedService {
  service: ServiceDefinition;
  /** Absolute path of the service file. */
  servicePath: string;
  /** Folder of the service file; handler paths are relative to it. */
  serviceDir: string;
}

/** Find the service file: the given path, or `sparta.config.ts` in `cwd`. */
export function resolveServicePath(cwd: string, given?: string): string {
  if (given) {
    const p = resolve(cwd, given);
    if (!existsSync(p) || !statSync(p).isFile())
      throw new ServiceLoadError(`--service ${given}: no such file (resolved to ${p})`);
    return p;
  }
  for (const name of SERVICE_FILES) {
    const p = join(cwd, name);
    if (existsSync(p)) return p;
  }
  throw new ServiceLoadError(
    `No service file in ${cwd}: run \`sparta init\` to start a new service here, create sparta.config.ts exporting \`service = defineService({ ... })\`, or pass --service PATH`,
  );
}

/**
 * Load a service file: bundle it with esbuild into a temporary `.mjs` beside it (so bare imports resolve from the
 * user's folder), import it, remove the temporary file, and validate the exported definition.
 */
export async function loadService(
  servicePath: string,
  options: { checkHandlers?: boolean } = {},
): Promise<LoadedService> {
  const serviceDir = dirname(servicePath);
  const tmp = join(
    serviceDir,
    `.${basename(servicePath)}.${process.pid}.${randomBytes(4).toString("hex")}.mjs`,
  );
  let mod: Record<string, unknown>;
  try {
    await build({
      entryPoints: [servicePath],
      outfile: tmp,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      logLevel: "silent",
      sourcemap: "inline",
    });
  } catch (error) {
    throw new ServiceLoadError(`${servicePath} does not compile:\n${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    mod = (await import(pathToFileURL(tmp).href)) as Record<string, unknown>;
  } catch (error) {
    const err = error as Error & { code?: string };
    // The message names the temporary compiled copy; name the service file and say what to install instead.
    const missing =
      err.code === "ERR_MODULE_NOT_FOUND"
        ? /Cannot find package '([^']+)'/.exec(err.message)?.[1]
        : undefined;
    throw new ServiceLoadError(
      missing
        ? `${servicePath} imports "${missing}", which is not installed where the service is: run \`npm install ${missing}\` (or pnpm add) in ${serviceDir}`
        : `${servicePath} failed while loading: ${err.message.replaceAll(pathToFileURL(tmp).href, servicePath).replaceAll(tmp, servicePath)}`,
      { cause: error },
    );
  } finally {
    rmSync(tmp, { force: true });
  }
  const value = mod.service ?? mod.default;
  if (value === undefined) {
    throw new ServiceLoadError(
      `${servicePath} exports no service: add \`export const service = defineService({ name, functions: [...] })\``,
    );
  }
  const service = await validateService(value, {
    serviceDir,
    source: servicePath,
    ...(options.checkHandlers === undefined ? {} : { checkHandlers: options.checkHandlers }),
  });
  return { service, servicePath, serviceDir };
}
