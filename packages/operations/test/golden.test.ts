import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { validateTemplate } from "@sparta/template";
import { describe, expect, it } from "vitest";
import { scenarios } from "./scenarios.js";

const goldenDir = fileURLToPath(new URL("./golden/", import.meta.url));
const update = process.env.UPDATE === "1";
/** cfn-lint from $CFN_LINT, the pyenv shim this workspace's machines have, or the PATH; the lint test skips without it. */
const CFN_LINT = [process.env.CFN_LINT, "/root/.pyenv/shims/cfn-lint", "cfn-lint"].find(
  (bin) => bin !== undefined && spawnSync(bin, ["--version"], { encoding: "utf8" }).status === 0,
);

describe("golden templates", () => {
  for (const [name, make] of Object.entries(scenarios)) {
    it(`${name} matches test/golden/${name}.json`, () => {
      const text = `${JSON.stringify(make(), null, 2)}\n`;
      const file = `${goldenDir}${name}.json`;
      if (update || !existsSync(file)) {
        if (!update) throw new Error(`Missing golden file ${file}; run UPDATE=1 pnpm exec vitest run`);
        mkdirSync(goldenDir, { recursive: true });
        writeFileSync(file, text);
      }
      expect(text).toBe(readFileSync(file, "utf8"));
    });

    it(`${name} passes @sparta/template's validateTemplate`, () => {
      expect(validateTemplate(make())).toEqual([]);
    });
  }

  it.skipIf(CFN_LINT === undefined)(
    "every golden template passes cfn-lint with no error",
    () => {
      const files = Object.keys(scenarios).map((n) => `${goldenDir}${n}.json`);
      const run = spawnSync(String(CFN_LINT), ["--format", "parseable", ...files], { encoding: "utf8" });
      // cfn-lint's exit code is a bit mask: 2 = errors, 4 = warnings, 8 = informational.
      const errors = run.stdout.split("\n").filter((l) => /:E\d{4}:/.test(l));
      expect(errors).toEqual([]);
      expect(run.status === null ? -1 : run.status & 2).toBe(0);
    },
    120_000,
  );
});
