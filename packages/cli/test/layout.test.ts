import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BUILTINS } from "../src/commands/index.js";
import { BUILTIN_COMMANDS } from "../src/validate.js";

// The layout contributors rely on: one file per built-in command under src/commands/, listed in
// src/commands/index.ts; cli.ts only dispatches; imports go one way (cli.ts -> commands -> the rest), no circles.

const src = fileURLToPath(new URL("../src/", import.meta.url));
const commandsDir = join(src, "commands");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")
        ? [join(dir, e.name)]
        : [],
  );
}

/** The src/ modules a module imports: static, type-only, re-exports and dynamic `import()`, by path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [
    ...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gm),
    ...text.matchAll(/^import\s+"(\.[^"]+)"/gm),
    ...text.matchAll(/\bimport\(\s*"(\.[^"]+)"\s*\)/g),
  ].map((m) => m[1]!);
  return [
    ...new Set(
      specifiers
        .map((s) => resolve(dirname(file), s.replace(/\.js$/, ".ts")))
        .filter((target) => existsSync(target))
        .map((target) => relative(src, target)),
    ),
  ];
}

const graph = new Map(sourceFiles(src).map((f) => [relative(src, f), importsOf(f)]));

const isCommand = (value: unknown): boolean =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { name?: unknown }).name === "string" &&
  typeof (value as { run?: unknown }).run === "function" &&
  typeof (value as { needsService?: unknown }).needsService === "boolean";

describe("the CLI's layout: one file per command", () => {
  it("each built-in command is defined in src/commands/<its name>.ts", async () => {
    for (const command of BUILTINS) {
      const file = join(commandsDir, `${command.name}.ts`);
      expect(existsSync(file), `src/commands/${command.name}.ts (the file of "${command.name}")`).toBe(true);
      const module = (await import(file)) as Record<string, unknown>;
      expect(Object.values(module), `src/commands/${command.name}.ts exports "${command.name}"`).toContain(
        command,
      );
    }
  });

  it("every command a file of src/commands/ defines is listed in commands/index.ts", async () => {
    for (const name of readdirSync(commandsDir).filter((f) => f.endsWith(".ts"))) {
      const module = (await import(join(commandsDir, name))) as Record<string, unknown>;
      for (const value of Object.values(module).filter(isCommand)) {
        expect(BUILTINS, `${(value as { name: string }).name} of commands/${name}`).toContain(value);
      }
    }
  });

  it("cli.ts defines no command: it only dispatches, parses global flags, prints help and reports errors", async () => {
    const cli = readFileSync(join(src, "cli.ts"), "utf8");
    expect(cli).not.toMatch(/needsService\s*:/);
    expect(Object.keys(await import("../src/cli.js"))).toEqual(["runCli"]);
  });

  it("a service command may not take a built-in's name: BUILTIN_COMMANDS reserves exactly the built-ins and help", () => {
    expect([...BUILTIN_COMMANDS].sort()).toEqual([...BUILTINS.map((c) => c.name), "help"].sort());
  });
});

describe("the CLI's imports go one way", () => {
  it("only the entry points import cli.ts, and only cli.ts imports the commands", () => {
    for (const [file, imports] of graph) {
      if (imports.includes("cli.ts"))
        expect(["bin.ts", "index.ts"], `${file} imports cli.ts`).toContain(file);
      if (!file.startsWith("commands/") && imports.some((i) => i.startsWith("commands/")))
        expect(file, `${file} imports from commands/`).toBe("cli.ts");
    }
  });

  it("has no import circle among the modules of src/ (type-only and dynamic imports included)", () => {
    const state = new Map<string, "open" | "done">();
    const circles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        circles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, "open");
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });
});
