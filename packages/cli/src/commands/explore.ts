import { ExitCode, UsageError } from "../errors.js";
import type { BuiltinCommand } from "./types.js";

export const explore: BuiltinCommand = {
  name: "explore",
  description:
    "serve every function on loopback, reloading on change: the HTTP API routes at their paths, POST /invoke/<fn>, ANY /http/<fn>/<path>",
  needsService: true,
  examples: [
    "sparta explore                   # then: curl 'http://127.0.0.1:9999/hello?name=Ada'",
    "sparta explore --port 0 --no-watch",
  ],
  flags: {
    port: { type: "string", valueName: "PORT", description: "port (default 9999; 0 picks a free one)" },
    host: { type: "string", valueName: "HOST", description: "host (default 127.0.0.1)" },
    watch: {
      type: "boolean",
      default: true,
      description: "serve the start-up code only (by default a function whose sources change is recompiled)",
    },
  },
  async run(ctx) {
    const portText = (ctx.flags.port as string | undefined) ?? "9999";
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(`--port ${portText}: expected a port number from 0 to 65535`);
    }
    const { startExplore } = await import("../explore.js");
    const server = await startExplore({
      service: ctx.service,
      serviceDir: ctx.serviceDir,
      reporter: ctx.reporter,
      port,
      ...(ctx.flags.host ? { host: ctx.flags.host as string } : {}),
      watch: ctx.flags.watch !== false,
    });
    ctx.result(
      { url: server.url, port: server.port, functions: server.functions, routes: server.routes },
      [
        `explore: listening on ${server.url} (Ctrl-C to stop)`,
        ...server.routes.map(
          (r) =>
            `  ${r.route.padEnd(24)} ${server.url}${r.route.split(" ")[1]} -> ${r.function}` +
            (r.authorizer ? `  (authorizer ${r.authorizer} once deployed; open here)` : ""),
        ),
        ...server.functions.map((f) => `  POST ${server.url}/invoke/${f}    ANY ${server.url}/http/${f}/...`),
      ].join("\n"),
    );
    await ctx.waitForStop();
    await server.close();
    return ExitCode.ok;
  },
};
