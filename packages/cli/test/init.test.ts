import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { scaffoldFiles, suggestServiceName } from "../src/init.js";
import { runInProcess } from "./example.js";

const FILES = [
  "package.json",
  "sparta.config.ts",
  "src/hello.ts",
  "test/hello.test.ts",
  "events/hello-get.json",
  "tsconfig.json",
  ".gitignore",
  "README.md",
];

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "sparta-init-unit-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("sparta init", () => {
  it("--format json: the folder, the name and the files written", async () => {
    const r = await runInProcess(["init", "orders", "--format", "json"], root);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      dir: join(root, "orders"),
      name: "orders",
      template: "http",
      files: FILES,
    });
    for (const f of FILES) expect(existsSync(join(root, "orders", f)), f).toBe(true);
  });

  it("without DIR writes into the current folder, named after it; the npm name is lower case", async () => {
    const dir = join(root, "Orders-API");
    mkdirSync(dir);
    writeFileSync(join(dir, "notes.txt"), "kept"); // other files do not count as a clash
    const r = await runInProcess(["init"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^created service Orders-API in ${dir}\\n`));
    expect(r.stdout).not.toContain("  cd "); // already there
    expect(readFileSync(join(dir, "sparta.config.ts"), "utf8")).toContain('name: "Orders-API"');
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name).toBe("orders-api");
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("kept");
  });

  it("--name overrides the folder name", async () => {
    const r = await runInProcess(["init", "svc", "--name", "billing"], root);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(root, "svc", "sparta.config.ts"), "utf8")).toContain('name: "billing"');
  });

  it("--noop prints what it would write and writes nothing, not even the folder", async () => {
    const r = await runInProcess(["init", "later", "--noop"], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n").slice(0, FILES.length + 1)).toEqual([
      `noop: would create service later in ${join(root, "later")}; nothing was written`,
      ...FILES.map((f) => `  ${f}`),
    ]);
    expect(existsSync(join(root, "later"))).toBe(false);
    const json = await runInProcess(["init", "later", "--noop", "--format", "json"], root);
    expect(JSON.parse(json.stdout)).toEqual({
      dir: join(root, "later"),
      name: "later",
      template: "http",
      files: FILES,
      noop: true,
    });
    expect(readdirSync(root)).toEqual([]);
  });

  it("a bad --name is a usage error suggesting a cleaned name; nothing is written", async () => {
    const r = await runInProcess(["init", "svc", "--name", "my_service.v2"], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--name "my_service.v2" is not a valid service name');
    expect(r.stderr).toContain('a letter, then letters, digits or "-", at most 64 characters');
    expect(r.stderr).toContain("e.g. --name my-service-v2");
    expect(existsSync(join(root, "svc"))).toBe(false);
    // 64 characters is the most a service name may have (the build's own rule); 65 is refused.
    expect((await runInProcess(["init", "a", "--name", `a${"b".repeat(64)}`, "--noop"], root)).code).toBe(2);
    expect((await runInProcess(["init", "a", "--name", `a${"b".repeat(63)}`, "--noop"], root)).code).toBe(0);
  });

  it("a folder name that is no service name asks for --name with a suggestion", async () => {
    const r = await runInProcess(["init", "2fast_app"], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the folder name "2fast_app" is not a valid service name');
    expect(r.stderr).toContain("--name service-2fast-app");
    expect(existsSync(join(root, "2fast_app"))).toBe(false);
  });

  it("refuses a folder holding some of the files, naming just those, and writes none of the others", async () => {
    const dir = join(root, "busy");
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), '{"name":"mine"}');
    writeFileSync(join(dir, "README.md"), "# mine");
    const r = await runInProcess(["init", "busy"], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error: sparta init: ${dir} already has package.json, README.md; nothing was written. Pass --force to overwrite them`,
    );
    expect(readdirSync(dir).sort()).toEqual(["README.md", "package.json"]);
    expect(readFileSync(join(dir, "package.json"), "utf8")).toBe('{"name":"mine"}');
    // --noop reports the same clash: it shows what the real run would do.
    expect((await runInProcess(["init", "busy", "--noop"], root)).code).toBe(2);

    const forced = await runInProcess(["init", "busy", "--force"], root);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain("  package.json (overwritten)\n  sparta.config.ts\n");
    expect(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name).toBe("busy");
  });

  it("a file where a folder goes (src) or a DIR that is a file is refused even with --force", async () => {
    const dir = join(root, "odd");
    mkdirSync(dir);
    writeFileSync(join(dir, "src"), "a file");
    const r = await runInProcess(["init", "odd", "--force"], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("has src (a file where the folder goes) where the new service's files go");
    expect(readdirSync(dir)).toEqual(["src"]);

    writeFileSync(join(root, "plain"), "x");
    const file = await runInProcess(["init", "plain"], root);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain(`${join(root, "plain")} exists and is not a folder`);
  });

  it("needs no service file: a broken sparta.config.ts in the current folder is never loaded", async () => {
    writeFileSync(join(root, "sparta.config.ts"), "export const service = ;\n");
    const r = await runInProcess(["init", "fresh"], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("  cd fresh\n");
  });

  it("takes one folder at most", async () => {
    const r = await runInProcess(["init", "a", "b"], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unexpected argument "b"');
    expect(readdirSync(root)).toEqual([]);
  });

  it("is listed by sparta help, and sparta help init shows its DIR and flags", async () => {
    const help = await runInProcess(["help"], root);
    expect(help.stdout).toMatch(/^ {2}init {2,}write a new service into DIR/m);
    const one = await runInProcess(["help", "init"], root);
    expect(one.stdout).toMatch(/^usage: sparta init \[DIR\] \[flags\]\n/);
    expect(one.stdout).toMatch(/--name NAME/);
    expect(one.stdout).toMatch(/--force/);
  });
});

describe("suggestServiceName", () => {
  it.each([
    ["My_App.v2", "My-App-v2"],
    ["my service", "my-service"],
    ["9lives", "service-9lives"],
    ["-x-", "x"],
    ["café", "cafe"],
    ["___", "my-service"],
    ["a".repeat(100), "a".repeat(64)],
  ])("%s -> %s", (raw, expected) => {
    expect(suggestServiceName(raw)).toBe(expected);
  });
});

describe("sparta init --template", () => {
  it.each([
    ["queue", ["src/worker.ts", "test/worker.test.ts", "events/worker-sqs.json"], /"sqs"/],
    ["schedule", ["src/nightly.ts", "test/nightly.test.ts", "events/nightly-schedule.json"], /"schedule"/],
    ["pipeline", ["src/hello.ts", "test/hello.test.ts", "events/hello-get.json"], /codePipeline\(\)/],
  ])("%s writes its function, test and sample event", async (template, files, config) => {
    const r = await runInProcess(["init", "svc", "--template", template, "--format", "json"], root);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).files).toEqual([
      "package.json",
      "sparta.config.ts",
      ...files,
      "tsconfig.json",
      ".gitignore",
      "README.md",
    ]);
    expect(readFileSync(join(root, "svc", "sparta.config.ts"), "utf8")).toMatch(config);
    expect(JSON.parse(readFileSync(join(root, "svc", files[2]!), "utf8"))).toBeTypeOf("object");
  });

  it("an unknown template is refused with a suggestion, writing nothing", async () => {
    const r = await runInProcess(["init", "svc", "--template", "queu"], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--template "queu": expected one of http, queue, schedule, pipeline. Did you mean queue?',
    );
    expect(existsSync(join(root, "svc"))).toBe(false);
  });

  it("prints a cd that works: relative below the current folder, absolute (quoted when needed) elsewhere", async () => {
    const below = await runInProcess(["init", "a b/c"], root);
    expect(below.stdout).toContain("  cd 'a b/c'\n");
    const here = join(root, "here");
    mkdirSync(here);
    const elsewhere = await runInProcess(["init", "../there"], here);
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(elsewhere.stdout).toContain(`  cd ${join(root, "there")}\n`);
    expect(elsewhere.stdout).toContain("  npx sparta provision            # deploy");
    expect(elsewhere.stdout).not.toContain("--s3");
  });
});

describe("scaffoldFiles", () => {
  it("puts the name in the service file, the README and (lower case) package.json; @sparta deps at ^version", () => {
    const files = Object.fromEntries(scaffoldFiles("Shop", "1.2.3").map((f) => [f.path, f.content]));
    expect(Object.keys(files)).toEqual(FILES);
    expect(files["sparta.config.ts"]).toContain('name: "Shop"');
    expect(files["README.md"]).toMatch(/^# Shop\n/);
    const pkg = JSON.parse(files["package.json"]!);
    expect(pkg.name).toBe("shop");
    expect(pkg.dependencies).toEqual({ "@sparta/handler": "^1.2.3" });
    expect(pkg.devDependencies["@sparta/cli"]).toBe("^1.2.3");
  });
});

describe("the scaffold's .gitignore", () => {
  it("keeps the build, the local flags file and .env files (where secrets end up) out of git", () => {
    const gitignore = scaffoldFiles("orders", "0.1.0")
      .find((f) => f.path === ".gitignore")!
      .content.split("\n");
    expect(gitignore).toEqual(
      expect.arrayContaining(["node_modules/", ".sparta/", ".spartarc.json", ".env", ".env.*"]),
    );
  });
});
