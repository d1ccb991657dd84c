import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// A service file imports @sparta/pipeline for every sparta command (`sparta provision`, `describe`, ...), not only
// for provisionPipeline and runPipeline: the YAML parser, the ZIP library, the AWS SDK and the stack engine load
// when those commands run, not on import. The check runs the built package (dist/) in a child process, with a
// resolution hook that names each heavy import on stderr (fixtures/heavy-imports).
const hook = fileURLToPath(new URL("./fixtures/heavy-imports/register.mjs", import.meta.url));
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const node = (code: string) =>
  spawnSync(process.execPath, ["--import", hook, "--input-type=module", "-e", code], {
    cwd: packageDir,
    encoding: "utf8",
  });

describe("importing @sparta/pipeline loads nothing heavy", () => {
  it("the built package is there (pnpm build)", () => {
    expect(existsSync(new URL("../dist/index.js", import.meta.url))).toBe(true);
  });

  it("the hook does name a heavy import (so the check below means something)", () => {
    const r = node('await import("yaml"); await import("fflate");');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("heavy import: yaml");
    expect(r.stderr).toContain("heavy import: fflate");
  });

  it("import, codePipeline() and its commands load no YAML parser, ZIP library, AWS SDK or stack engine", () => {
    const r = node(
      [
        'const { codePipeline } = await import("@sparta/pipeline");',
        "const p = codePipeline();",
        'p.registerEnvironment("test", { MESSAGE: "hi" });',
        "console.log(p.commands.map((c) => c.name).join(','));",
      ].join("\n"),
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("provisionPipeline,runPipeline\n");
  });
});
