import { relative, resolve } from "node:path";
import { ExitCode } from "../errors.js";
import { initService } from "../init.js";
import { cliVersion } from "../version.js";
import type { BuiltinCommand } from "./types.js";

export const init: BuiltinCommand = {
  name: "init",
  description:
    "write a new service into DIR (default .): sparta.config.ts, src/hello.ts behind GET /hello, package.json, ...",
  needsService: false,
  args: "[DIR]",
  examples: ["sparta init hello-api", "sparta init . --name orders --force"],
  flags: {
    name: {
      type: "string",
      valueName: "NAME",
      description: "service and stack name (default: DIR's folder name)",
    },
    force: { type: "boolean", description: "overwrite the files the new service has that DIR already has" },
  },
  async run(ctx) {
    const result = await initService({
      dir: resolve(ctx.serviceDir, ctx.args[0] ?? "."),
      version: cliVersion(),
      noop: ctx.options.noop,
      force: ctx.flags.force === true,
      ...(typeof ctx.flags.name === "string" ? { name: ctx.flags.name } : {}),
    });
    const where = relative(ctx.serviceDir, result.dir);
    const mark = (f: string) =>
      result.overwritten.includes(f) ? (ctx.options.noop ? " (would overwrite)" : " (overwritten)") : "";
    ctx.result(
      {
        dir: result.dir,
        name: result.name,
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
        ...(where ? [`  cd ${/^[\w./-]+$/.test(where) ? where : JSON.stringify(where)}`] : []),
        "  npm install",
        "  npx sparta provision --noop     # build the template and the ZIP into .sparta/, touch no AWS",
        "  npx sparta explore              # serve it locally: curl 'http://127.0.0.1:9999/hello?name=Ada'",
        "  npx sparta provision --s3Bucket YOUR-BUCKET   # deploy (a bucket you own holds the code ZIPs)",
      ].join("\n"),
    );
    return ExitCode.ok;
  },
};
