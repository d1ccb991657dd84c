import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

async function importsOf(entry: string): Promise<{ inputs: string[]; externals: string[] }> {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    packages: "external",
    metafile: true,
    logLevel: "silent",
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  return {
    inputs: Object.keys(result.metafile.inputs),
    externals: output.imports.filter((i) => i.external).map((i) => i.path),
  };
}

describe("entry points", () => {
  it("the root entry (the Lambda hot path) loads neither protobufjs nor the generated envelope code", async () => {
    const { inputs, externals } = await importsOf("src/index.ts");
    expect(externals.filter((p) => !p.startsWith("node:"))).toEqual([]);
    expect(inputs.some((p) => p.includes("generated"))).toBe(false);
  });

  it("the root entry leaves out the authorizer, Lattice and custom resource entries", async () => {
    const { inputs } = await importsOf("src/index.ts");
    for (const entry of ["authorizer.ts", "lattice.ts", "custom-resource.ts", "local.ts"]) {
      expect(inputs.some((p) => p.endsWith(`src/${entry}`))).toBe(false);
    }
  });

  it("the envelope entry uses the statically generated code, not .proto parsing", async () => {
    const { inputs, externals } = await importsOf("src/envelope.ts");
    expect(externals).toEqual(["protobufjs/minimal.js"]);
    expect(inputs.some((p) => p.endsWith("generated/envelope.js"))).toBe(true);
  });
});

/**
 * The modules in one-way layers: a module imports (values or types) only from a lower layer, so there is no
 * circle, type-only ones included. Shared types live in types.ts, which imports nothing; the event adapters sit
 * below the request, the request below the middleware and the entry points. A new module must be placed here.
 */
const LAYERS: string[][] = [
  ["types"],
  ["errors", "headers", "members", "events"],
  ["sources", "response", "logger"],
  ["adapters"],
  ["request"],
  ["middleware"],
  ["lambda"],
  ["streaming", "lattice", "envelope", "authorizer", "custom-resource"],
  ["local"],
  ["index"],
];

/** Every relative import of every module in src/ (`import`, `import type`, `export ... from`), by module. */
function importGraph(): Map<string, string[]> {
  const dir = join(root, "src");
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))) {
    const source = readFileSync(join(dir, file), "utf8");
    const imports = [...source.matchAll(/\bfrom\s+"\.\/([\w-]+)\.js"/g)].map((m) => m[1]!);
    graph.set(file.replace(/\.ts$/, ""), [...new Set(imports)]);
  }
  return graph;
}

describe("module graph", () => {
  const graph = importGraph();
  const layerOf = new Map(LAYERS.flatMap((names, i) => names.map((n) => [n, i] as const)));

  it("places every module in a layer", () => {
    expect([...graph.keys()].filter((m) => !layerOf.has(m))).toEqual([]);
  });

  it("imports only downwards: no circle, type-only imports included", () => {
    const upward: string[] = [];
    for (const [module, imports] of graph) {
      for (const target of imports) {
        if (!(layerOf.get(target)! < layerOf.get(module)!)) upward.push(`${module} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("keeps types.ts free of imports, the adapters below the request, the request below the entry points", () => {
    expect(graph.get("types")).toEqual([]);
    expect(graph.get("adapters")).not.toContain("request");
    for (const entry of ["lambda", "streaming", "middleware", "index", "local"]) {
      expect(graph.get("request")).not.toContain(entry);
      expect(graph.get("adapters")).not.toContain(entry);
    }
  });
});
