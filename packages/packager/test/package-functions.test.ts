import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LambdaLimitError, listArtifact, PackagerInputError, packageFunctions } from "../src/index.js";
import { writeService } from "./fixtures.js";
import { run, tempDir } from "./helpers.js";

const FUNCTIONS = [
  { name: "hello", entry: "src/hello.ts" },
  { name: "upload", entry: "src/upload.ts", sourcemap: true },
];

describe("packageFunctions", () => {
  it("writes one content-addressed ZIP per function into .sparta/", async () => {
    const dir = await tempDir();
    await writeService(dir);
    const progress: string[] = [];
    const artifacts = await packageFunctions({
      serviceDir: dir,
      functions: FUNCTIONS,
      reporter: { progress: (m) => progress.push(m) },
    });
    expect(artifacts.map((a) => a.key)).toEqual([
      expect.stringMatching(/^hello-[0-9a-f]{16}\.zip$/),
      expect.stringMatching(/^upload-[0-9a-f]{16}\.zip$/),
    ]);
    for (const a of artifacts) {
      expect(a.path).toBe(join(dir, ".sparta", a.key));
      expect(run("unzip", ["-tq", a.path]).status).toBe(0);
    }
    expect(artifacts[0]?.entries.map((e) => e.name)).toEqual(["index.mjs"]);
    expect(artifacts[1]?.entries.map((e) => e.name)).toEqual(["index.mjs", "index.mjs.map"]);
    expect(await listArtifact(artifacts[0]?.path as string)).toContain("1980-01-01 00:00   index.mjs\n");
    expect(progress).toContain(`zipped hello: ${artifacts[0]?.key} (${artifacts[0]?.size} bytes)`);
  });

  it("keeps a function's key when its code is unchanged and changes it exactly when the code does", async () => {
    const one = await tempDir();
    const two = await tempDir();
    await writeService(one);
    await writeService(two);
    const first = await packageFunctions({ serviceDir: one, functions: FUNCTIONS });
    const second = await packageFunctions({ serviceDir: two, functions: FUNCTIONS });
    expect(second.map((a) => a.sha256)).toEqual(first.map((a) => a.sha256));
    expect(
      Buffer.compare(await readFile(first[1]?.path as string), await readFile(second[1]?.path as string)),
    ).toBe(0);

    await writeFile(
      join(two, "src/lib/greet.ts"),
      "export function greet(name: string): string {\n  return 'hi ' + name;\n}\n",
    );
    const third = await packageFunctions({ serviceDir: two, functions: FUNCTIONS });
    expect(third[0]?.key).not.toBe(first[0]?.key);
    expect(third[1]?.key).toBe(first[1]?.key);
    // the earlier hello ZIP is gone; only what this build produced stays
    const zips = (await readdir(join(two, ".sparta"))).filter((f) => f.endsWith(".zip")).sort();
    expect(zips).toEqual(third.map((a) => a.key).sort());
  });

  it("refuses a ZIP over the zipped limit, naming the function and the sizes", async () => {
    const dir = await tempDir();
    await writeService(dir);
    const attempt = packageFunctions({ serviceDir: dir, functions: FUNCTIONS, limits: { zipped: 100 } });
    await expect(attempt).rejects.toBeInstanceOf(LambdaLimitError);
    await expect(attempt).rejects.toMatchObject({
      code: "SPARTA_PACKAGER_LAMBDA_LIMIT",
      functionName: "hello",
      limit: "zipped",
      limitBytes: 100,
    });
    await expect(attempt).rejects.toThrow(
      /Function "hello": its ZIP is .* over Lambda's 0\.0 MB limit for a direct upload \(100 bytes\)/,
    );
    expect((await readdir(join(dir, ".sparta"))).filter((f) => f.endsWith(".zip"))).toEqual([]);
  });

  it("refuses code over the unzipped limit", async () => {
    const dir = await tempDir();
    await writeService(dir);
    const attempt = packageFunctions({ serviceDir: dir, functions: FUNCTIONS, limits: { unzipped: 150 } });
    await expect(attempt).rejects.toMatchObject({
      functionName: "hello",
      limit: "unzipped",
      limitBytes: 150,
    });
    await expect(attempt).rejects.toThrow(/unzipped .* over Lambda's .* limit \(150 bytes\)/);
  });

  it("rejects function names that cannot name a file, and duplicates", async () => {
    const dir = await tempDir();
    await expect(
      packageFunctions({ serviceDir: dir, functions: [{ name: "../x", entry: "a.ts" }] }),
    ).rejects.toBeInstanceOf(PackagerInputError);
    await expect(
      packageFunctions({
        serviceDir: dir,
        functions: [
          { name: "a", entry: "a.ts" },
          { name: "a", entry: "b.ts" },
        ],
      }),
    ).rejects.toThrow(/"a" is listed twice/);
  });
});
