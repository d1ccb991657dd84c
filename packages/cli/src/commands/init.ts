import { isAbsolute, relative, resolve } from "node:path";
import { ExitCode } from "../errors.js";
import { initService } from "../init.js";
import { SCAFFOLDS, TEMPLATE_NAMES, type TemplateName } from "../scaffolds.js";
import { cliVersion } from "../version.js";
import type { BuiltinCommand } from "./types.js";

/** A path as a POSIX shell reads it back: bare when it is plain, else in single quotes. */
export function shellPath(path: string): string {
  return /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

export const init: BuiltinCommand = {
  name: "init",
  description: `write a new service into DIR (default .): sparta.config.ts, a function with its test and a sample event, package.json, ... (--template ${TEMPLATE_NAMES.join("|")})`,
  needsService: false,
  args: "[DIR]",
  examples: [
    "sparta init hello-api",
    "sparta init jobs --template queue",
    "sparta init . --name orders --force",
  ],
  flags: {
    template: {
      type: "string",
      values: TEMPLATE_NAMES,
      description: `what the function is behind: ${TEMPLATE_NAMES.map((t) => `${t}, ${SCAFFOLDS[t].summary}`).join("; ")} (default http)`,
    },
    name: {
      type: "string",
      valueName: "NAME",
      description: "service and stack name (default: DIR's folder name)",
    },
    force: { type: "boolean", description: "overwrite the files the new service has that DIR already has" },
  },
  async run(ctx) {
    const template = (ctx.flags.template as TemplateName | undefined) ?? "http";
    const result = await initService({
      dir: resolve(ctx.serviceDir, ctx.args[0] ?? "."),
      version: cliVersion(),
      noop: ctx.options.noop,
      force: ctx.flags.force === true,
      template,
      ...(typeof ctx.flags.name === "string" ? { name: ctx.flags.name } : {}),
    });
    const scaffold = SCAFFOLDS[template];
    // A `cd` that works from where sparta ran: relative when the folder is below it, else absolute.
    const rel = relative(ctx.serviceDir, result.dir);
    const cd = rel === "" ? undefined : rel.startsWith("..") || isAbsolute(rel) ? result.dir : rel;
    const mark = (f: string) =>
      result.overwritten.includes(f) ? (ctx.options.noop ? " (would overwrite)" : " (overwritten)") : "";
    ctx.result(
      {
        dir: result.dir,
        name: result.name,
        template,
        files: result.files,
        ...(ctx.options.noop ? { noop: true } : {}),
      },
      [
        ctx.options.noop
          ? `noop: would create service ${result.name} in ${result.dir}; nothing was written`
          : `created service ${result.name} in ${result.dir}`,
        ...result.files.map((f) => `  ${f}${mark(f)}`),
        "",
        "next steps:",
        ...(cd ? [`  cd ${shellPath(cd)}`] : []),
        "  npm install",
        "  npm test                        # the function's test",
        "  npx sparta provision --noop     # build the template and the ZIP into .sparta/, touch no AWS",
        ...(scaffold.fn === "hello"
          ? [
              "  npx sparta explore              # serve it locally: curl 'http://127.0.0.1:9999/hello?name=Ada'",
            ]
          : [
              `  npx sparta invoke ${scaffold.fn} --event events/${scaffold.eventFile}   # run it once, as Lambda would`,
            ]),
        "  npx sparta provision            # deploy (the first run makes the deployment bucket)",
      ].join("\n"),
    );
    return ExitCode.ok;
  },
};
