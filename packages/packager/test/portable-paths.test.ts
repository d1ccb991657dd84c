import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { SourceMap } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { packageFunctions } from "../src/index.js";
import { renameModules, renameSources } from "../src/portable-paths.js";
import { writeService } from "./fixtures.js";
import { run, tempDir } from "./helpers.js";

/** A package outside every service folder, as a linked package or a global store would be. */
async function writeOutsidePackage(dir: string): Promise<void> {
  await mkdir(join(dir, "lib"), { recursive: true });
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "@acme/greeter", version: "1.2.3", main: "index.js" }),
  );
  // CommonJS: esbuild wraps it in __commonJS({ "<path>"(exports, module) { ... } })
  await writeFile(
    join(dir, "index.js"),
    'const { shout } = require("./lib/shout.js");\nexports.greet = function greet(name) {\n  return shout("GREETER_MARK " + name);\n};\n',
  );
  await writeFile(join(dir, "lib/shout.js"), "exports.shout = (text) => text.toUpperCase();\n");
}

/** A service that imports the outside package through node_modules/@acme/greeter, a symbolic link. */
async function writeServiceUsing(serviceDir: string, outside: string): Promise<void> {
  await writeService(serviceDir, {
    "src/greet.ts":
      'import { greet } from "@acme/greeter";\nimport { greet as hello } from "./lib/greet";\n\nexport const handler = async (event: { name?: string }) => ({ statusCode: 200, body: greet(hello(event.name ?? "world")) });\n',
  });
  await mkdir(join(serviceDir, "node_modules/@acme"), { recursive: true });
  await symlink(outside, join(serviceDir, "node_modules/@acme/greeter"));
}

const FUNCTIONS = [
  { name: "greet", entry: "src/greet.ts" },
  { name: "mapped", entry: "src/greet.ts", sourcemap: true },
  { name: "small", entry: "src/greet.ts", minify: true, sourcemap: true },
];

describe("bundles do not depend on where the service folder is", () => {
  it("builds the same functions from two different absolute folders into identical ZIP bytes", async () => {
    const base = await tempDir();
    const outside = join(base, "store", "greeter");
    await writeOutsidePackage(outside);
    const a = join(base, "a", "service");
    const b = join(base, "b", "much", "deeper", "checkout", "service");
    await writeServiceUsing(a, outside);
    await writeServiceUsing(b, outside);

    const fromA = await packageFunctions({ serviceDir: a, functions: FUNCTIONS });
    const fromB = await packageFunctions({ serviceDir: b, functions: FUNCTIONS });
    for (const [i, artifact] of fromA.entries()) {
      const other = fromB[i]!;
      expect(other.sha256, artifact.key).toBe(artifact.sha256);
      expect(other.key).toBe(artifact.key);
      expect(Buffer.compare(await readFile(artifact.path), await readFile(other.path))).toBe(0);
      // Nothing of the build machine's folders inside, in the code or in the map
      for (const entry of artifact.entries) {
        const text = run("unzip", ["-p", artifact.path, entry.name]).stdout;
        expect(text).not.toContain(base);
        expect(text).not.toContain("store/greeter");
        expect(text).not.toMatch(/\.\.\/\.\.\/\.\.\/\.\.\//);
      }
    }

    const code = await readFile(join(a, ".sparta/build/greet/index.mjs"), "utf8");
    expect(code).toContain("// node_modules/@acme/greeter/index.js\n");
    expect(code).toContain('  "node_modules/@acme/greeter/index.js"(exports) {');
    expect(code).toContain("// node_modules/@acme/greeter/lib/shout.js\n");
    // files inside the service folder keep their path relative to it
    expect(code).toContain("// src/lib/greet.ts\n");
    const mod = (await import(pathToFileURL(join(a, ".sparta/build/greet/index.mjs")).href)) as {
      handler: (e: { name?: string }) => Promise<{ body: string }>;
    };
    expect((await mod.handler({ name: "x" })).body).toBe("GREETER_MARK HELLO X");

    const map = JSON.parse(await readFile(join(a, ".sparta/build/mapped/index.mjs.map"), "utf8")) as {
      sources: string[];
    };
    expect([...map.sources].sort()).toEqual([
      "../../../node_modules/@acme/greeter/index.js",
      "../../../node_modules/@acme/greeter/lib/shout.js",
      "../../../src/greet.ts",
      "../../../src/lib/greet.ts",
    ]);
  });

  it("keeps the source map pointing at the right code after renaming, minified or not", async () => {
    const base = await tempDir();
    const outside = join(base, "store", "greeter");
    await writeOutsidePackage(outside);
    const service = join(base, "service");
    await writeServiceUsing(service, outside);
    await packageFunctions({ serviceDir: service, functions: FUNCTIONS });
    for (const fn of ["mapped", "small"]) {
      const dir = join(service, ".sparta/build", fn);
      const code = await readFile(join(dir, "index.mjs"), "utf8");
      const map = new SourceMap(JSON.parse(await readFile(join(dir, "index.mjs.map"), "utf8")));
      const lines = code.split("\n");
      const line = lines.findIndex((l) => l.includes('"GREETER_MARK '));
      const column = (lines[line] as string).indexOf('"GREETER_MARK ');
      const entry = map.findEntry(line, column) as { originalSource?: string; originalLine?: number };
      expect(entry.originalSource, fn).toMatch(/node_modules\/@acme\/greeter\/index\.js$/);
      expect(entry.originalLine, fn).toBe(2); // 0-based: the line of "GREETER_MARK" in index.js
    }
  });
});

describe("renameModules and renameSources", () => {
  it("shift the generated columns of a renamed line, so later segments still map where they did", () => {
    const from = "../../home/dev/store/greeter/index.js";
    const to = "node_modules/greeter/index.js";
    const names = new Map([[from, to]]);
    const code = `// ${from}\n  "${from}"(exports) { foo(); }\n`;
    const renamed = renameModules(code, names);
    expect(renamed.code).toBe(`// ${to}\n  "${to}"(exports) { foo(); }\n`);
    // line 1: "foo" at its original column, mapped to source 0, line 0, column 0
    const column = code.split("\n")[1]!.indexOf("foo");
    const vlq = (n: number) => {
      let v = n < 0 ? -n * 2 + 1 : n * 2;
      let s = "";
      do {
        let d = v % 32;
        v = Math.floor(v / 32);
        if (v > 0) d |= 32;
        s += "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[d];
      } while (v > 0);
      return s;
    };
    const mapJson = JSON.stringify({
      version: 3,
      sources: [`../${from}`],
      mappings: `;AAAA,${vlq(column)}AAAA`,
      names: [],
    });
    const out = JSON.parse(renameSources(mapJson, "/srv/app/out", "/srv/app", names, renamed.edits)) as {
      sources: string[];
      mappings: string;
    };
    expect(out.sources).toEqual([`../${to}`]);
    const newColumn = renamed.code.split("\n")[1]!.indexOf("foo");
    expect(out.mappings).toBe(`;AAAA,${vlq(newColumn)}AAAA`);
    const map = new SourceMap({ ...out, version: 3, names: [] } as never);
    expect(map.findEntry(1, newColumn)).toMatchObject({ originalLine: 0, originalColumn: 0 });
  });

  it("leave a bundle with nothing outside its folder untouched", () => {
    const code = "// src/a.ts\nvar a = 1;\n";
    expect(renameModules(code, new Map())).toEqual({ code, edits: new Map() });
    const mapJson = '{\n  "version": 3,\n  "sources": ["../src/a.ts"],\n  "mappings": "AAAA"\n}\n';
    expect(renameSources(mapJson, "/srv/app/out", "/srv/app", new Map(), new Map())).toBe(mapJson);
  });
});
