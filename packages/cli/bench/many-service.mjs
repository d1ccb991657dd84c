// A generated service of `n` one-route HTTP functions (a module each) with safeDeploy() and alarms(), past
// CloudFormation's per-template quotas from about 35 functions: what bench/nested.mjs times and
// test/nested.e2e.test.ts deploys. FUNCTIONS in the environment of the sparta process overrides `n` (a test adds or
// removes a function without rewriting the service).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** @param {string} dir @param {number} n @param {string} name */
export function writeManyService(dir, n, name) {
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  for (let i = 0; i < n; i++)
    writeFileSync(
      join(dir, "src", `f${i}.ts`),
      `export const handler = async (req: Request) => new Response("f${i} " + req.url);\n`,
    );
  writeFileSync(
    join(dir, "sparta.config.ts"),
    [
      'import { defineService } from "@sparta/cli";',
      'import { alarms, safeDeploy } from "@sparta/operations";',
      "export const service = defineService({",
      `  name: ${JSON.stringify(name)},`,
      `  functions: Array.from({ length: Number(process.env.FUNCTIONS ?? ${n}) }, (_, i) => ({`,
      '    name: "f" + i,',
      '    handler: "src/f" + i + ".ts#handler",',
      '    events: [{ type: "httpApi" as const, method: "GET" as const, path: "/f" + i }],',
      "  })),",
      '  decorators: [safeDeploy({ shift: "Canary10Percent5Minutes" }), alarms()],',
      "});",
      "",
    ].join("\n"),
  );
}
