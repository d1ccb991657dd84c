import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENGINES } from "../bench/engines.mjs";
import {
  assertSafeEntryName,
  collectEntries,
  createZip,
  EntryNameError,
  listArtifact,
  PackagerInputError,
  readZipEntries,
  SymlinkError,
} from "../src/index.js";
import { crc32, crc32Reference } from "../src/zip/crc32.js";
import { encodeHere } from "../src/zip/encode.js";
import { run, tempDir } from "./helpers.js";

const FILES: Record<string, string> = {
  "index.mjs": "export const handler = async () => ({ statusCode: 200 });\n",
  "lib/util.js": "module.exports.util = () => 'util';\n".repeat(40),
  "lib/deep/data.json": JSON.stringify({ a: 1, b: [1, 2, 3] }),
  "bin/tool": "#!/bin/sh\necho tool\n",
  "empty.txt": "",
  "assets/noise.bin": "", // replaced by random bytes, the same in both trees
  "ünïcode/名前.txt": "unicode names are UTF-8\n",
};
const NOISE = randomBytes(20_000);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

async function makeTree(root: string, order: string[], mtime: Date): Promise<void> {
  for (const name of order) {
    const path = join(root, name);
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, name === "assets/noise.bin" ? NOISE : (FILES[name] as string));
    await chmod(path, name === "bin/tool" ? 0o775 : 0o600);
    await utimes(path, mtime, mtime);
  }
}

describe("createZip: reproducible bytes", () => {
  it("gives byte-identical ZIPs for trees created in a different order with different mtimes", async () => {
    const base = await tempDir();
    const a = join(base, "a");
    const b = join(base, "b");
    const names = Object.keys(FILES);
    await makeTree(a, names, new Date("2001-02-03T04:05:06Z"));
    await makeTree(b, [...names].reverse(), new Date("2031-12-30T23:59:58Z"));

    const za = await createZip({ name: "fn", entries: await collectEntries(a), outDir: join(base, "out-a") });
    const zb = await createZip({ name: "fn", entries: await collectEntries(b), outDir: join(base, "out-b") });

    expect(za.sha256).toBe(zb.sha256);
    expect(za.key).toBe(zb.key);
    expect(za.key).toMatch(/^fn-[0-9a-f]{16}\.zip$/);
    expect(za.key.slice(3, 19)).toBe(za.sha256.slice(0, 16));
    expect(Buffer.compare(await readFile(za.path), await readFile(zb.path))).toBe(0);
    // nothing machine-specific: no temp path, no user name inside
    const bytes = (await readFile(za.path)).toString("latin1");
    expect(bytes).not.toContain(base);
    if (process.env.USER) expect(bytes).not.toContain(`/${process.env.USER}/`);
  });

  it("passes Info-ZIP's unzip -t, with sorted names, fixed times and normalised modes", async () => {
    const base = await tempDir();
    const tree = join(base, "tree");
    await makeTree(tree, Object.keys(FILES), new Date());
    const artifact = await createZip({ name: "fn", entries: await collectEntries(tree), outDir: base });

    const test = run("unzip", ["-t", artifact.path]);
    expect(test.stderr).toBe("");
    expect(test.status).toBe(0);
    expect(test.stdout).toContain("No errors detected");

    const info = run("unzip", ["-Z", artifact.path]).stdout;
    expect(info).toMatch(/-rwxr-xr-x .* 80-Jan-01 00:00 bin\/tool\n/);
    expect(info).toMatch(/-rw-r--r-- .* 80-Jan-01 00:00 index\.mjs\n/);
    expect(info).not.toMatch(/-rw------- /);

    const entries = await readZipEntries(artifact.path);
    const names = entries.map((e) => e.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(Object.keys(FILES).sort());
    expect(entries.every((e) => e.dosDate === 0x21 && e.dosTime === 0)).toBe(true);
    expect(entries.find((e) => e.name === "bin/tool")?.mode).toBe(0o755);
    expect(entries.find((e) => e.name === "assets/noise.bin")?.method).toBe(0);
    expect(entries.find((e) => e.name === "lib/util.js")?.method).toBe(8);
    expect(artifact.entries.map((e) => e.name)).toEqual(names);
    expect(artifact.entries.find((e) => e.name === "lib/util.js")).toEqual({
      name: "lib/util.js",
      size: Buffer.byteLength(FILES["lib/util.js"] as string),
      compressedSize: expect.any(Number),
    });

    const out = join(base, "x");
    expect(run("unzip", ["-q", artifact.path, "-d", out]).status).toBe(0);
    for (const name of Object.keys(FILES)) {
      const expected = name === "assets/noise.bin" ? NOISE : Buffer.from(FILES[name] as string);
      expect(Buffer.compare(await readFile(join(out, name)), expected), name).toBe(0);
    }
  });

  it("zip's own extractor and ours agree: content from buffers and strings, 0755 from a mode", async () => {
    const dir = await tempDir();
    const artifact = await createZip({
      outFile: join(dir, "inline.zip"),
      entries: [
        { name: "b.txt", content: "bee" },
        { name: "a.sh", content: Buffer.from("#!/bin/sh\n"), mode: 0o700 },
      ],
    });
    expect(artifact.path).toBe(join(dir, "inline.zip"));
    expect(artifact.key).toMatch(/^inline-[0-9a-f]{16}\.zip$/);
    expect(run("unzip", ["-p", artifact.path, "b.txt"]).stdout).toBe("bee");
    expect((await readZipEntries(artifact.path)).map((e) => [e.name, e.mode])).toEqual([
      ["a.sh", 0o755],
      ["b.txt", 0o644],
    ]);
  });

  it("archiver, yazl and fflate, the reference writers, read back the same entries from their own archives", async () => {
    const base = await tempDir();
    const tree = join(base, "tree");
    await makeTree(tree, Object.keys(FILES), new Date());
    const entries = await collectEntries(tree);
    const ours = await createZip({ name: "fn", entries, outDir: join(base, "ours") });
    const normalised = await Promise.all(
      entries.map(async (e) => ({ ...e, mode: (await stat(e.path as string)).mode & 0o111 ? 0o755 : 0o644 })),
    );
    const summary = (path: string) =>
      readZipEntries(path).then((list) =>
        list.map((e) => ({ name: e.name, size: e.size, crc: e.crc32, mode: e.mode, date: e.dosDate })),
      );
    for (const engine of ["archiver", "yazl", "fflate"] as const) {
      const ref = await ENGINES[engine](normalised, join(base, `${engine}.zip`));
      const again = await ENGINES[engine](normalised, join(base, `${engine}-again.zip`));
      expect(again.sha256, engine).toBe(ref.sha256);
      expect(run("unzip", ["-t", ref.path]).status, engine).toBe(0);
      expect(await summary(ref.path), engine).toEqual(await summary(ours.path));
    }
  });

  it('refuses the removed "archiver" engine with a clear error', async () => {
    const dir = await tempDir();
    await expect(
      createZip({ outDir: dir, entries: [{ name: "a", content: "1" }], engine: "archiver" as never }),
    ).rejects.toThrow(
      /engine "archiver" is not available: .* its own writer only \(archiver is no longer a dependency/,
    );
    // the default, spelled out, still works
    await expect(
      createZip({ outDir: dir, entries: [{ name: "a", content: "1" }], engine: "sparta" }),
    ).resolves.toMatchObject({ entries: [{ name: "a", size: 1 }] });
  });

  it("deflates large entries on the thread pool with the same bytes as in this thread", async () => {
    const base = await tempDir();
    // a bundle and its source map: two large compressible entries, plus a small one and a random one
    const code = Buffer.from("export const handler = async (event) => ({ statusCode: 200 });\n".repeat(3000));
    const map = Buffer.from(JSON.stringify({ mappings: "AAAA;".repeat(40000) }));
    const entries = [
      { name: "index.mjs", content: code },
      { name: "index.mjs.map", content: map },
      { name: "small.json", content: '{"a":1}' },
      { name: "noise.bin", content: NOISE },
    ];
    const pooled = await createZip({ name: "p", entries, outDir: join(base, "pooled") });
    // one large entry at a time: every deflate in this thread
    const one = await createZip({ name: "o", entries: entries.slice(0, 1), outDir: join(base, "one") });
    const two = await createZip({ name: "t", entries: entries.slice(1, 2), outDir: join(base, "two") });
    const byName = new Map((await readZipEntries(pooled.path)).map((e) => [e.name, e]));
    expect(byName.get("index.mjs")?.compressedSize).toBe((await readZipEntries(one.path))[0]?.compressedSize);
    expect(byName.get("index.mjs.map")?.compressedSize).toBe(
      (await readZipEntries(two.path))[0]?.compressedSize,
    );
    expect(byName.get("index.mjs")?.method).toBe(8);
    expect(byName.get("noise.bin")?.method).toBe(0);
    const pooledBytes = await readFile(pooled.path);
    const oneBytes = await readFile(one.path);
    const deflated = oneBytes.subarray(
      30 + "index.mjs".length,
      30 + "index.mjs".length + (byName.get("index.mjs")?.compressedSize ?? 0),
    );
    expect(pooledBytes.includes(deflated)).toBe(true);
    expect(run("unzip", ["-tq", pooled.path]).status).toBe(0);
  });

  it("crc32 matches the reference table implementation", () => {
    const data = randomBytes(10_000);
    expect(crc32(data)).toBe(crc32Reference(data));
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
  });

  it("stores incompressible data and deflates compressible data", () => {
    const method = (data: Buffer) => encodeHere({ data }, 6).method;
    expect(method(randomBytes(8192))).toBe(0);
    expect(method(Buffer.from("const x = 1;\n".repeat(1000)))).toBe(8);
    // high byte entropy but repetitive: LZ matching still pays, so it is deflated
    const block = randomBytes(400);
    expect(method(Buffer.concat(Array.from({ length: 20 }, () => block)))).toBe(8);
  });

  it("writes the same bytes with and without deflate workers", async () => {
    const base = await tempDir();
    const entries = Array.from({ length: 150 }, (_, i) => ({
      name: `f${String(i).padStart(3, "0")}.${i % 3 === 0 ? "bin" : "js"}`,
      content:
        i % 3 === 0 ? randomBytes(3000 + i) : `export const v${i} = ${"1 + ".repeat(i)}1;\n`.repeat(20),
    }));
    const here = await createZip({ name: "w", entries, outDir: join(base, "here"), workers: 0 });
    const pooled = await createZip({ name: "w", entries, outDir: join(base, "pooled"), workers: 2 });
    expect(pooled.sha256).toBe(here.sha256);
    expect(pooled.entries).toEqual(here.entries);
    expect(run("unzip", ["-tq", pooled.path]).status).toBe(0);
  });

  it("names the file it cannot read, with or without workers", async () => {
    const dir = await tempDir();
    for (const workers of [0, 1]) {
      await expect(
        createZip({ outDir: dir, workers, entries: [{ name: "gone.js", path: join(dir, "gone.js") }] }),
      ).rejects.toThrow(/Cannot read ".*gone\.js" for ZIP entry "gone\.js": .*ENOENT/);
    }
  });
});

describe("createZip: safety", () => {
  const bad = [
    "../evil.js",
    "a/../../evil.js",
    "/etc/passwd",
    "C:/Windows/evil.dll",
    "c:evil",
    "a\\..\\evil.js",
    "a//b",
    "a/./b",
    "dir/",
    "",
    "nul\0byte",
  ];
  it.each(bad)("rejects the zip-slip-prone name %j", async (name) => {
    const dir = await tempDir();
    const attempt = createZip({ outFile: join(dir, "x.zip"), entries: [{ name, content: "x" }] });
    await expect(attempt).rejects.toBeInstanceOf(EntryNameError);
    await expect(attempt).rejects.toMatchObject({ code: "SPARTA_PACKAGER_ENTRY_NAME" });
    expect(run("ls", [dir]).stdout).toBe("");
  });

  const control: [string, string][] = [
    ["line\nfeed.js", "U+000A"],
    ["carriage\rreturn.js", "U+000D"],
    ["tab\there.js", "U+0009"],
    ["escape\u001b[31m.js", "U+001B"],
    ["delete\u007f.js", "U+007F"],
    ["next-line\u0085.js", "U+0085"],
    ["lib/right-to-left\u202egnp.js", "U+202E"],
  ];
  it.each(control)("rejects the control character in %j, naming it and where it is", async (name, code) => {
    const dir = await tempDir();
    const attempt = createZip({ outFile: join(dir, "x.zip"), entries: [{ name, content: "x" }] });
    await expect(attempt).rejects.toMatchObject({
      code: "SPARTA_PACKAGER_ENTRY_NAME",
      rule: "control-character",
      entryName: name,
    });
    const error = (await attempt.catch((e: unknown) => e)) as Error;
    const at = name.search(/[^\x20-\x7e]/);
    expect(error.message).toMatch(
      new RegExp(
        `^Unsafe ZIP entry name ".*": it contains the control character ${escapeRegExp(code)} at position ${at}\\. Rename`,
      ),
    );
    // the message shows the character escaped, never raw (a raw ESC or U+202E would garble the terminal)
    expect(error.message).toMatch(/^[\x20-\x7e]*$/);
    expect(run("ls", [dir]).stdout).toBe("");
  });

  it("rejects a name that is not valid Unicode (a lone surrogate has no UTF-8 form)", () => {
    expect(() => assertSafeEntryName("bad\ud800.js")).toThrow(
      /not valid Unicode \(a lone surrogate U\+D800 at position 3\)/,
    );
    expect(() => assertSafeEntryName("ok-\ud83d\ude00.js")).not.toThrow();
  });

  it("accepts components up to 255 bytes and names up to 1,024 bytes, which unzip extracts", async () => {
    const dir = await tempDir();
    const component = "c".repeat(255);
    // four 200-byte folders, then a 219-byte file name: 4 * 201 + 219 = 1,023 bytes; one more byte is the limit
    const deep = `${Array.from({ length: 4 }, (_, i) => String(i).repeat(200)).join("/")}/${"f".repeat(220)}`;
    expect(Buffer.byteLength(deep)).toBe(1024);
    const artifact = await createZip({
      outFile: join(dir, "long.zip"),
      entries: [
        { name: component, content: "255" },
        { name: "é".repeat(127), content: "254 bytes in 127 characters" },
        { name: deep, content: "1024" },
      ],
    });
    expect(run("unzip", ["-q", artifact.path, "-d", join(dir, "x")]).status).toBe(0);
    expect(await readFile(join(dir, "x", deep), "utf8")).toBe("1024");
  });

  it("rejects a component over 255 bytes, counted in UTF-8 bytes, naming the component and the rule", () => {
    const attempt = () => assertSafeEntryName(`lib/${"a".repeat(256)}.js`);
    expect(attempt).toThrow(EntryNameError);
    expect(attempt).toThrow(
      /its component "a{60}"\.\.\. \(259 bytes\) is 259 bytes long, over the 255 bytes a file or folder name may have/,
    );
    // 128 two-byte characters: 128 characters, 256 bytes
    expect(() => assertSafeEntryName("é".repeat(128))).toThrow(/is 256 bytes long, over the 255 bytes/);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ rule: "component-too-long" });
    }
  });

  it("rejects a name over 1,024 bytes in all, saying how long it is", () => {
    const name = `${Array.from({ length: 4 }, (_, i) => String(i).repeat(200)).join("/")}/${"f".repeat(221)}`;
    expect(Buffer.byteLength(name)).toBe(1025);
    expect(() => assertSafeEntryName(name)).toThrow(
      /\(1025 bytes\): it is 1025 bytes long, over the 1024 bytes of a whole path .*Flatten the folder structure/,
    );
  });

  it("names the file on disk whose name is refused", async () => {
    const dir = await tempDir();
    const tree = join(dir, "tree");
    await mkdir(tree);
    await writeFile(join(tree, "index.mjs"), "export const handler = () => 1;\n");
    await writeFile(join(tree, "notes\n.txt"), "a newline in a file name\n");
    const attempt = createZip({ outDir: join(dir, "out"), entries: await collectEntries(tree) });
    await expect(attempt).rejects.toThrow(
      `Unsafe ZIP entry name "notes\\n.txt" (from ${JSON.stringify(join(tree, "notes\n.txt"))}): it contains the control character U+000A at position 5.`,
    );
  });

  it("explains what is wrong and how to fix it", () => {
    expect(() => assertSafeEntryName("../evil.js")).toThrow(
      /Unsafe ZIP entry name "..\/evil.js": .*escapes.*forward slashes/,
    );
  });

  it("rejects duplicate names and entries without exactly one source", async () => {
    const dir = await tempDir();
    await expect(
      createZip({
        outDir: dir,
        entries: [
          { name: "a", content: "1" },
          { name: "a", content: "2" },
        ],
      }),
    ).rejects.toThrow(/"a" is listed twice/);
    await expect(createZip({ outDir: dir, entries: [{ name: "a" }] })).rejects.toBeInstanceOf(
      PackagerInputError,
    );
    await expect(
      createZip({ outDir: dir, entries: [{ name: "a", content: "1", path: "/x" }] }),
    ).rejects.toThrow(/received both/);
  });

  it("stores a symlink to a file inside the folder as a regular file with the target's bytes", async () => {
    const dir = await tempDir();
    const tree = join(dir, "tree");
    await mkdir(join(tree, "lib"), { recursive: true });
    await writeFile(join(tree, "lib/real.js"), "real\n");
    await symlink("lib/real.js", join(tree, "link.js"));
    const entries = await collectEntries(tree);
    expect(entries.map((e) => e.name)).toEqual(["lib/real.js", "link.js"]);
    const artifact = await createZip({ outDir: dir, entries });
    expect(run("unzip", ["-p", artifact.path, "link.js"]).stdout).toBe("real\n");
    expect((await readZipEntries(artifact.path)).find((e) => e.name === "link.js")?.mode).toBe(0o644);
  });

  it("refuses symlinks that leave the folder, dangle, or point at a folder", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "secret"), "secret\n");
    const outside = join(dir, "outside");
    await mkdir(outside);
    await symlink(join(dir, "secret"), join(outside, "leak"));
    await expect(collectEntries(outside)).rejects.toBeInstanceOf(SymlinkError);
    await expect(collectEntries(outside)).rejects.toThrow(/points outside/);

    const dangling = join(dir, "dangling");
    await mkdir(dangling);
    await symlink("nowhere", join(dangling, "gone"));
    await expect(collectEntries(dangling)).rejects.toThrow(/dangling/);

    const folder = join(dir, "folder");
    await mkdir(join(folder, "sub"), { recursive: true });
    await symlink("sub", join(folder, "again"));
    await expect(collectEntries(folder)).rejects.toThrow(/points at a folder/);
  });
});

describe("listArtifact", () => {
  it("prints what unzip -l prints", async () => {
    const dir = await tempDir();
    const artifact = await createZip({
      outFile: join(dir, "list.zip"),
      entries: [
        { name: "index.mjs", content: "export const handler = () => 1;\n" },
        { name: "lib/a.js", content: "a".repeat(12345) },
      ],
    });
    const listing = await listArtifact(artifact.path);
    expect(listing).toBe(run("unzip", ["-l", artifact.path]).stdout);
    expect(listing).toContain("1980-01-01 00:00   lib/a.js");

    const single = await createZip({ outFile: join(dir, "one.zip"), entries: [{ name: "x", content: "" }] });
    expect(await listArtifact(single.path)).toBe(run("unzip", ["-l", single.path]).stdout);
  });

  it("names the file that is not a ZIP", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "no.zip"), "not a zip at all, just text that is long enough to scan");
    await expect(listArtifact(join(dir, "no.zip"))).rejects.toThrow(/no\.zip" is not a ZIP archive/);
  });
});
