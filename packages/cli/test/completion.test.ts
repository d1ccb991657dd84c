import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTINS } from "../src/commands/index.js";
import {
  type Completion,
  complete,
  completionScript,
  formatCompletion,
  serviceHints,
} from "../src/complete.js";
import { GLOBAL_FLAGS } from "../src/options.js";
import { binPath, childEnv, copyExample, removeCopies, runInProcess } from "./example.js";

// Shell completion (sparta completion bash|zsh|fish): the candidates (`sparta __complete`), then each script run in
// its real shell: bash always, zsh and fish where they are installed (the test names say which ran).

const fixture = fileURLToPath(new URL("./fixtures/basic/", import.meta.url));
const has = (shell: string) => spawnSync(shell, ["-c", "exit 0"]).status === 0;
const hasZsh = has("zsh");
const hasFish = has("fish");

let hello: string;
let bin: string;
beforeAll(() => {
  hello = copyExample();
  writeFileSync(
    join(hello, "sparta.config.ts"),
    readFileSync(join(hello, "sparta.config.ts"), "utf8").replace(
      "  functions: [",
      "  stages: { dev: {}, prod: {} },\n  functions: [",
    ),
  );
  // `sparta` on the PATH, as an installed CLI is: the built bin.
  bin = mkdtempSync(join(tmpdir(), "sparta-bin-"));
  writeFileSync(join(bin, "sparta"), `#!/bin/sh\nexec "${process.execPath}" "${binPath}" "$@"\n`);
  chmodSync(join(bin, "sparta"), 0o755);
});
afterAll(() => {
  removeCopies();
  rmSync(bin, { recursive: true, force: true });
});

const values = (c: Completion) => (c.kind === "words" ? c.candidates.map((x) => x.value) : [`:${c.kind}`]);
const model = (cwd: string) => ({
  commands: BUILTINS,
  globalFlags: GLOBAL_FLAGS,
  hints: () => serviceHints(cwd),
  env: {},
});

describe("the candidates", () => {
  it.each([
    [["pro"], ["provision"]],
    [
      ["provision", "--st"],
      ["--stage", "--stack-name"],
    ],
    [["provision", "--s3"], ["--s3-bucket"]],
    [
      ["provision", "--no-c"],
      ["--no-color", "--no-check-values"],
    ],
    [
      ["provision", "--format", ""],
      ["text", "json"],
    ],
    [["provision", "--format=j"], ["--format=json"]],
    [["--level", "d"], ["debug"]],
    [
      ["init", "--template", ""],
      ["http", "queue", "schedule", "pipeline"],
    ],
    [
      ["completion", ""],
      ["bash", "zsh", "fish"],
    ],
    [
      ["provision", "--region", "eu-west-"],
      ["eu-west-1", "eu-west-2", "eu-west-3"],
    ],
    [["provision", "--service", ""], [":files"]],
    [["init", ""], [":dirs"]],
    [
      ["invoke", ""],
      ["hello", "uploads", "nightly"],
    ],
    [["logs", "--function", "u"], ["uploads"]],
    [
      ["provision", "--stage", ""],
      ["dev", "prod"],
    ],
    [["--stage", "prod", "del"], ["delete"]],
  ])("%j", async (typed, expected) => {
    const answer = await complete(typed, model(hello));
    const current = typed.at(-1) ?? "";
    const shown = values(answer).filter((v) => v.startsWith(current) || v.startsWith(":"));
    expect(shown).toEqual(expected);
  });

  it("a service's own commands and their kebab-case flags", async () => {
    expect(values(await complete(["gr"], model(fixture)))).toContain("greet");
    const flags = values(await complete(["greet", "--gr"], model(fixture))).filter((v) =>
      v.startsWith("--gr"),
    );
    expect(flags).toEqual(["--greeting-word"]);
    expect(values(await complete(["greet", "--greeting-word", ""], model(fixture)))).toEqual(["hello", "hi"]);
  });

  it("without a service file: the built-ins, and no error", async () => {
    const empty = mkdtempSync(join(tmpdir(), "sparta-none-"));
    expect(values(await complete([""], model(empty)))).toEqual([...BUILTINS.map((c) => c.name), "help"]);
    expect(values(await complete(["invoke", ""], model(empty)))).toEqual([]);
    const r = await runInProcess(["__complete", "invoke", ""], empty);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, "", ""]);
  });

  it("reads the service once, then from .sparta/completion.json until the file changes", async () => {
    const dir = copyExample();
    const cache = join(dir, ".sparta", "completion.json");
    expect(existsSync(cache)).toBe(false);
    expect((await serviceHints(dir))?.functions).toEqual(["hello", "uploads", "nightly"]);
    expect(JSON.parse(readFileSync(cache, "utf8")).functions).toEqual(["hello", "uploads", "nightly"]);
    // A cache that says otherwise is believed while the service file is unchanged...
    const stamped = JSON.parse(readFileSync(cache, "utf8"));
    writeFileSync(cache, JSON.stringify({ ...stamped, functions: ["cached"] }));
    expect((await serviceHints(dir))?.functions).toEqual(["cached"]);
    // ...and dropped once it changes.
    const config = join(dir, "sparta.config.ts");
    writeFileSync(config, readFileSync(config, "utf8").replace('name: "nightly"', 'name: "weekly"'));
    expect((await serviceHints(dir))?.functions).toEqual(["hello", "uploads", "weekly"]);
  });

  it("prints value<TAB>description lines of those starting with the word", () => {
    expect(
      formatCompletion(
        { kind: "words", candidates: [{ value: "dev", description: "stage" }, { value: "prod" }] },
        "d",
      ),
    ).toBe("dev\tstage\n");
    expect(formatCompletion({ kind: "files" }, "")).toBe(":files\n");
  });

  it("sparta completion SHELL prints the script; anything else is refused", async () => {
    for (const shell of ["bash", "zsh", "fish"] as const) {
      const r = await runInProcess(["completion", shell], hello);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(completionScript(shell));
    }
    const bad = await runInProcess(["completion", "fsh"], hello);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /sparta completion needs a shell: bash, zsh, fish, not "fsh"\. Did you mean fish or zsh\? E\.g\. source <\(sparta completion bash\)/,
    );
  });
});

describe("the scripts, in their shells", () => {
  const env = () => childEnv({ PATH: `${bin}:${process.env.PATH}` });
  const run = (shell: string, script: string) => {
    const r = spawnSync(shell, ["-c", script], { cwd: hello, env: env(), encoding: "utf8", timeout: 60_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    return r.stdout.split("\n").filter(Boolean);
  };

  /** bash: what COMPREPLY holds after the function runs on these words (the last one being typed). */
  const bash = (...words: string[]) =>
    run(
      "bash",
      `source <(sparta completion bash)
COMP_WORDS=(sparta ${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length}
_sparta; printf '%s\\n' "\${COMPREPLY[@]}"`,
    );

  it("bash: commands, flags, their values, the service's functions and stages, files", () => {
    expect(bash("pro")).toEqual(["provision"]);
    expect(bash("provision", "--st").sort()).toEqual(["--stack-name", "--stage"]);
    expect(bash("provision", "--stage", "")).toEqual(["dev", "prod"]);
    expect(bash("invoke", "up")).toEqual(["uploads"]);
    expect(bash("provision", "--format", "=", "j")).toEqual(["json"]); // bash splits --format=j at "="
    expect(bash("provision", "--service", "sparta.")).toEqual(["sparta.config.ts"]);
    expect(bash("completion", "")).toEqual(["bash", "zsh", "fish"]);
    // The script registers itself for `sparta`.
    expect(run("bash", "source <(sparta completion bash); complete -p sparta")).toEqual([
      "complete -F _sparta sparta",
    ]);
  }, 60_000);

  it.runIf(hasZsh)(
    "zsh (installed here): the script parses, and offers value:description pairs to _describe",
    () => {
      const file = join(bin, "_sparta.zsh");
      writeFileSync(file, completionScript("zsh"));
      expect(spawnSync("zsh", ["-n", file]).status).toBe(0);
      // Outside a completion widget _describe and _files are stood in for by functions printing what they are given.
      const zsh = (...words: string[]) =>
        run(
          "zsh",
          `_describe() { local name=$4; print -rl -- "\${(@P)name}"; }
_files() { print -r -- "_files $*"; }
source ${file}
words=(sparta ${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length + 1}
_sparta`,
        );
      expect(zsh("provision", "--st")).toEqual([
        "--stage:deploy stage, e.g. dev or prod",
        "--stack-name:stack name",
      ]);
      expect(zsh("invoke", "")).toEqual(["hello:function", "uploads:function", "nightly:function"]);
      expect(zsh("provision", "--service", "")).toEqual(["_files "]);
      expect(zsh("init", "")).toEqual(["_files -/"]);
    },
    60_000,
  );

  it.runIf(hasFish)(
    "fish (installed here): complete -C gives the candidates with their descriptions",
    () => {
      const fish = (line: string) => run("fish", `sparta completion fish | source; complete -C '${line}'`);
      expect(fish("sparta provision --st")).toEqual([
        "--stack-name\tstack name",
        "--stage\tdeploy stage, e.g. dev or prod",
      ]);
      expect(fish("sparta invoke ")).toEqual(["hello\tfunction", "nightly\tfunction", "uploads\tfunction"]);
      expect(fish("sparta provision --stage ")).toEqual(["dev\tstage", "prod\tstage"]);
      expect(fish("sparta provision --service sparta.")).toContain("sparta.config.ts");
    },
    60_000,
  );
});

it("completion needs no AWS and no network: it answers in a folder without credentials", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sparta-nocreds-"));
  mkdirSync(join(dir, "sub"));
  const r = await runInProcess(["__complete", "init", "s"], dir, {});
  expect(r.stdout).toBe(":dirs\n");
});
