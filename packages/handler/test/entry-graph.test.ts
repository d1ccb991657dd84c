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

  it("the envelope entry uses the statically generated code, not .proto parsing", async () => {
    const { inputs, externals } = await importsOf("src/envelope.ts");
    expect(externals).toEqual(["protobufjs/minimal.js"]);
    expect(inputs.some((p) => p.endsWith("generated/envelope.js"))).toBe(true);
  });
});
