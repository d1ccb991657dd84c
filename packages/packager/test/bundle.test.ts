import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { BundleError, bundleFunction } from "../src/index.js";
import { writeService } from "./fixtures.js";
import { tempDir } from "./helpers.js";

describe("bundleFunction", () => {
  it("bundles an entry into index.mjs, tree-shaken, runnable as an ES module", async () => {
    const dir = await tempDir();
    await writeService(dir);
    const bundle = await bundleFunction({
      name: "hello",
      entry: join(dir, "src/hello.ts"),
      outDir: join(dir, "out"),
      workingDir: dir,
    });

    expect(bundle.name).toBe("hello");
    expect(bundle.files).toEqual([{ name: "index.mjs", path: join(dir, "out/index.mjs"), mode: 0o644 }]);
    const code = await readFile(join(dir, "out/index.mjs"), "utf8");
    expect(bundle.bytes).toBe(Buffer.byteLength(code));
    expect(code).not.toContain("TREE_SHAKEN_AWAY");
    // paths in the bundle are relative to workingDir, so nothing machine-specific leaks into the ZIP
    expect(code).not.toContain(dir);
    expect(code).toContain("// src/lib/greet.ts");
    const mod = (await import(pathToFileURL(join(dir, "out/index.mjs")).href)) as {
      handler: (e: { name?: string }) => Promise<unknown>;
    };
    expect(await mod.handler({ name: "sparta" })).toEqual({ statusCode: 200, body: "hello sparta" });
  });

  it("leaves the AWS SDK v3 external, and adds source maps and minification on request", async () => {
    const dir = await tempDir();
    await writeService(dir);
    const bundle = await bundleFunction({
      name: "upload",
      entry: "src/upload.ts",
      workingDir: dir,
      outDir: "out",
      minify: true,
      sourcemap: true,
    });
    const code = await readFile(join(dir, "out/index.mjs"), "utf8");
    expect(code).toMatch(/from\s*"@aws-sdk\/client-s3"/);
    expect(code).toContain("//# sourceMappingURL=index.mjs.map");
    expect(bundle.files.map((f) => f.name)).toEqual(["index.mjs", "index.mjs.map"]);
    const map = JSON.parse(await readFile(join(dir, "out/index.mjs.map"), "utf8")) as { sources: string[] };
    expect(map.sources).toEqual(["../src/upload.ts"]);
  });

  it("bundles extra externals only when asked", async () => {
    const dir = await tempDir();
    await writeService(dir, {
      "src/ext.ts": 'import left from "left-pad";\nexport const handler = () => left;\n',
    });
    await expect(
      bundleFunction({ name: "ext", entry: "src/ext.ts", workingDir: dir, outDir: "out" }),
    ).rejects.toThrow(/Could not resolve "left-pad"/);
    await bundleFunction({
      name: "ext",
      entry: "src/ext.ts",
      workingDir: dir,
      outDir: "out",
      external: ["left-pad"],
    });
    expect(await readFile(join(dir, "out/index.mjs"), "utf8")).toMatch(/from\s*"left-pad"/);
  });

  it("names the function, the file and esbuild's message when bundling fails", async () => {
    const dir = await tempDir();
    await writeService(dir, { "src/broken.ts": "export const handler = ( => 1;\n" });
    const attempt = bundleFunction({
      name: "broken",
      entry: "src/broken.ts",
      workingDir: dir,
      outDir: "out",
    });
    await expect(attempt).rejects.toBeInstanceOf(BundleError);
    await expect(attempt).rejects.toMatchObject({ code: "SPARTA_PACKAGER_BUNDLE", functionName: "broken" });
    await expect(attempt).rejects.toThrow(
      /Function "broken" failed to bundle from ".*src\/broken\.ts":\n {2}src\/broken\.ts:1:\d+: /,
    );
  });

  it("says when the entry does not exist", async () => {
    const dir = await tempDir();
    await expect(
      bundleFunction({ name: "ghost", entry: "src/ghost.ts", workingDir: dir, outDir: "out" }),
    ).rejects.toThrow(/Function "ghost": entry file ".*src\/ghost\.ts" does not exist/);
  });
});
