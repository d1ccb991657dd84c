import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { startInvokeServer as StartInvokeServer } from "@sparta/handler/local";
import { type BuildContext, type BuildOptions, context } from "esbuild";
import { writeWrappers } from "./build.js";
import { SpartaCliError } from "./errors.js";
import { marshalService } from "./marshal.js";
import { type Route, templateRoutes } from "./routes.js";
import type { CliReporter, ServiceDefinition, TemplateDocument } from "./service.js";

type LambdaEntry = Parameters<typeof StartInvokeServer>[0]["functions"][string];

export interface ExploreOptions {
  service: ServiceDefinition;
  serviceDir: string;
  reporter: CliReporter;
  host?: string;
  port?: number;
  /** Recompile a function when its sources change and serve the new code (default true). */
  watch?: boolean;
}

export interface ExploreServer {
  url: string;
  port: number;
  functions: string[];
  /**
   * The HTTP API routes served at their own paths (`GET /hello`), with the function of each and the authorizer that
   * protects it once deployed (explore itself does not call authorizers: every route is open locally).
   */
  routes: { route: string; function: string; authorizer?: string }[];
  close(): Promise<void>;
}

const REQUIRE_SHIM =
  'import { createRequire as __spartaCreateRequire } from "node:module";\nconst require = __spartaCreateRequire(import.meta.url);';

/**
 * esbuild options of a function's local bundle (`sparta explore`, `sparta invoke`): the entry wrapper the packager
 * ZIPs, as one ESM file for Node with an inline source map; the AWS SDK stays external as in the Lambda runtime.
 */
export function localBundleOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["@aws-sdk/*"],
    banner: { js: REQUIRE_SHIM },
    sourcemap: "inline",
    logLevel: "silent",
  };
}

async function hashOf(file: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(file))
    .digest("hex")
    .slice(0, 12);
}

/** Imports a compiled entry under its content hash, so a changed bundle is a new module. */
async function importHandler(name: string, outfile: string, hash: string): Promise<LambdaEntry> {
  const mod = (await import(`${pathToFileURL(outfile).href}?v=${hash}`)) as { handler?: unknown };
  if (typeof mod.handler !== "function") {
    throw new SpartaCliError(
      "EXPLORE_LOAD_FAILED",
      `functions[${name}]: its compiled entry exports no handler`,
    );
  }
  return mod.handler as LambdaEntry;
}

/**
 * The HTTP API routes of the template the service marshals to, decorators included (so `healthRoute()`'s
 * `GET /health` is served too), each with the function its integration invokes. Falls back to the functions'
 * `httpApi` events, with a warning, when the service does not marshal (e.g. a decorator throws).
 */
export async function routesOf(service: ServiceDefinition, reporter: CliReporter): Promise<Route[]> {
  const declared = service.functions.flatMap((fn) =>
    (fn.events ?? []).flatMap((e) =>
      e.type === "httpApi" ? [{ method: e.method, path: e.path, function: fn.name }] : [],
    ),
  );
  if (declared.length === 0) return [];
  let template: TemplateDocument;
  try {
    // Decorators only look at the template; the code keys are placeholders (nothing is built or uploaded).
    const code = Object.fromEntries(
      service.functions.map((fn) => [fn.name, { key: `${fn.name}.zip`, handler: "index.handler" }]),
    );
    template = await marshalService(service, code, { warn: () => {} });
  } catch (error) {
    reporter.warn(
      `explore: serving the functions' httpApi routes only (the service's template could not be made: ${(error as Error).message})`,
    );
    return declared;
  }
  return (await templateRoutes(service, template)).map((r) => ({
    method: r.method,
    path: r.path,
    function: r.function,
    ...(r.authorizer ? { authorizer: r.authorizer } : {}),
  }));
}

/**
 * Run the service locally: bundle each function's entry (the same wrapper the packager ZIPs), import it, and
 * serve them all with the handler package's invoke server on loopback. With `watch` (the default) each
 * function is recompiled when one of its sources changes and the next request runs the new code; a change
 * that does not compile is reported and the last good code keeps serving.
 */
export async function startExplore(options: ExploreOptions): Promise<ExploreServer> {
  const { service, serviceDir, reporter } = options;
  const watch = options.watch !== false;
  const entries = await writeWrappers(serviceDir, service);
  const outDir = resolve(serviceDir, ".sparta", "explore");
  // The server calls through `current`, so a rebuilt function replaces the old one without a restart.
  const current: Record<string, LambdaEntry> = {};
  const functions: Record<string, LambdaEntry> = {};
  const contexts: BuildContext[] = [];
  try {
    for (const fn of service.functions) {
      reporter.progress(`compiling ${fn.name} for explore`);
      const outfile = join(outDir, `${fn.name}.mjs`);
      let served = ""; // hash of the bundle being served; "" until the first build is loaded
      const config: BuildOptions = {
        ...localBundleOptions(resolve(serviceDir, entries[fn.name]!), outfile),
        plugins: [
          {
            name: "sparta-explore-reload",
            setup(b) {
              b.onEnd(async (result) => {
                if (served === "") return; // the first build is loaded below, where its errors stop explore
                if (result.errors.length > 0) {
                  const first = result.errors[0]!;
                  const at = first.location ? ` (${first.location.file}:${first.location.line})` : "";
                  reporter.warn(
                    `${fn.name}: the change does not compile, still serving the last good code: ${first.text}${at}`,
                  );
                  return;
                }
                try {
                  const hash = await hashOf(outfile);
                  if (hash === served) return; // rebuilt to the same bytes (e.g. watch's first build)
                  current[fn.name] = await importHandler(fn.name, outfile, hash);
                  served = hash;
                  reporter.info(`${fn.name}: recompiled, serving the new code`);
                } catch (error) {
                  reporter.warn(
                    `${fn.name}: the new code failed to load, still serving the last good code: ${(error as Error).message}`,
                  );
                }
              });
            },
          },
        ],
      };
      const ctx = await context(config);
      contexts.push(ctx);
      await ctx.rebuild();
      const hash = await hashOf(outfile);
      current[fn.name] = await importHandler(fn.name, outfile, hash);
      functions[fn.name] = (event, lambdaContext) => current[fn.name]!(event, lambdaContext);
      served = hash;
      if (watch) await ctx.watch();
      else await ctx.dispose();
    }
  } catch (error) {
    await Promise.all(contexts.map((c) => c.dispose()));
    throw error;
  }
  // Loaded only when exploring, so the other commands do not pay for the local server.
  const { startInvokeServer } = await import("@sparta/handler/local");
  // The HTTP API routes are served at their own paths, as API Gateway would (GET /hello -> hello).
  const routes = await routesOf(service, reporter);
  const server = await startInvokeServer({
    functions,
    routes,
    host: options.host ?? "127.0.0.1",
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return {
    url: server.url,
    port: server.port,
    functions: Object.keys(functions),
    routes: routes.map((r) => ({
      route: `${r.method} ${r.path}`,
      function: r.function,
      ...(r.authorizer ? { authorizer: r.authorizer } : {}),
    })),
    close: async () => {
      await Promise.all(contexts.map((c) => c.dispose()));
      await server.close();
    },
  };
}
