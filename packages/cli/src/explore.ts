import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { startInvokeServer as StartInvokeServer } from "@sparta/handler/local";
import { build } from "esbuild";
import { writeWrappers } from "./build.js";
import { SpartaCliError } from "./errors.js";
import type { CliReporter, ServiceDefinition } from "./service.js";

type LambdaEntry = Parameters<typeof StartInvokeServer>[0]["functions"][string];

export interface ExploreOptions {
  service: ServiceDefinition;
  serviceDir: string;
  reporter: CliReporter;
  host?: string;
  port?: number;
}

export interface ExploreServer {
  url: string;
  port: number;
  functions: string[];
  close(): Promise<void>;
}

const REQUIRE_SHIM =
  'import { createRequire as __spartaCreateRequire } from "node:module";\nconst require = __spartaCreateRequire(import.meta.url);';

/**
 * Run the service locally: bundle each function's entry (the same wrapper the packager ZIPs), import it, and
 * serve them all with the handler package's invoke server on loopback.
 */
export async function startExplore(options: ExploreOptions): Promise<ExploreServer> {
  const { service, serviceDir, reporter } = options;
  const entries = await writeWrappers(serviceDir, service);
  const outDir = resolve(serviceDir, ".sparta", "explore");
  const functions: Record<string, LambdaEntry> = {};
  for (const fn of service.functions) {
    reporter.progress(`compiling ${fn.name} for explore`);
    const outfile = join(outDir, `${fn.name}.mjs`);
    await build({
      entryPoints: [resolve(serviceDir, entries[fn.name]!)],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      external: ["@aws-sdk/*"],
      banner: { js: REQUIRE_SHIM },
      sourcemap: "inline",
      logLevel: "silent",
    });
    const hash = createHash("sha256")
      .update(await readFile(outfile))
      .digest("hex")
      .slice(0, 12);
    const mod = (await import(`${pathToFileURL(outfile).href}?v=${hash}`)) as { handler?: unknown };
    if (typeof mod.handler !== "function") {
      throw new SpartaCliError(
        "EXPLORE_LOAD_FAILED",
        `functions[${fn.name}]: its compiled entry exports no handler`,
      );
    }
    functions[fn.name] = mod.handler as LambdaEntry;
  }
  // Loaded only when exploring, so the other commands do not pay for the local server.
  const { startInvokeServer } = await import("@sparta/handler/local");
  const server = await startInvokeServer({
    functions,
    host: options.host ?? "127.0.0.1",
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return {
    url: server.url,
    port: server.port,
    functions: Object.keys(functions),
    close: async () => {
      await server.close();
    },
  };
}
