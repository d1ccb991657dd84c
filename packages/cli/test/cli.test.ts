import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliVersion } from "../src/version.js";
import { copyExample, removeCopies, runInProcess } from "./example.js";

const fixture = fileURLToPath(new URL("./fixtures/basic/", import.meta.url));
let hello: string;

beforeAll(() => {
  hello = copyExample();
});
afterAll(removeCopies);

describe("sparta flags and usage errors (exit 2, message names the flag)", () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    [
      "unknown command",
      ["deploy"],
      {},
      /unknown command "deploy"\. Did you mean provision\? Commands: init, bootstrap, provision, delete, describe, explore, invoke, status, logs,/,
    ],
    [
      "unknown flag",
      ["provision", "--noop", "--bucket", "x"],
      {},
      /sparta provision: unknown flag --bucket\. Did you mean --s3-bucket\?\nflags of provision: --s3-bucket, --toolkit-stack-name, --yes,/,
    ],
    ["bad --format", ["provision", "--noop", "--format", "yaml"], {}, /--format yaml: expected text or json/],
    [
      "bad --level",
      ["version", "--level", "loud"],
      {},
      /--level loud: expected one of debug, info, warn, error/,
    ],
    [
      "--param without =",
      ["provision", "--noop", "--param", "Stage"],
      {},
      /--param Stage: expected KEY=VALUE/,
    ],
    [
      "--param not declared",
      ["provision", "--noop", "--param", "Stage=prod"],
      {},
      /--param Stage: the service declares no parameter "Stage"; declared: none/,
    ],
    ["--tag without =", ["provision", "--noop", "--tag", "team"], {}, /--tag team: expected KEY=VALUE/],
    [
      "invalid bucket name",
      ["provision", "--s3Bucket", "Bad_Bucket"],
      {},
      /--s3-bucket Bad_Bucket: not a valid S3 bucket name/,
    ],
    [
      "missing --service file",
      ["provision", "--noop", "--service", "nope.ts"],
      {},
      /--service nope\.ts: no such file/,
    ],
    ["bad SPARTA_FORMAT", ["version"], { SPARTA_FORMAT: "xml" }, /--format xml: expected text or json/],
    [
      "bad boolean env",
      ["provision"],
      { SPARTA_NOOP: "maybe" },
      /SPARTA_NOOP=maybe: expected true, false, 1 or 0/,
    ],
    ["bad explore port", ["explore", "--port", "http"], {}, /--port http: expected a port number/],
    [
      "--plan with --noop",
      ["provision", "--noop", "--plan"],
      {},
      /--plan shows CloudFormation's change set, which --noop and --inplace do not make/,
    ],
    [
      "--plan with --confirm",
      ["provision", "--s3Bucket", "b-u-c", "--plan", "--confirm"],
      {},
      /--plan executes nothing; --confirm asks before executing: pick one/,
    ],
    [
      "invalid --stackName, even with --noop",
      ["provision", "--noop", "--stackName", "bad name!"],
      {},
      /--stack-name "bad name!" is not a CloudFormation stack name: a letter, then letters, digits or "-"/,
    ],
    ["stray argument", ["provision", "now", "--noop"], {}, /sparta provision: unexpected argument "now"/],
    [
      "missing string value",
      ["provision", "--noop", "--s3Bucket"],
      {},
      /Option '--s3-bucket <value>' argument missing/,
    ],
  ];
  it.each(cases)("%s", async (_label, args, env, expected) => {
    const r = await runInProcess(args, hello, env);
    expect(r.stderr).toMatch(expected);
    expect(r.code, r.stderr).toBe(2);
  });

  it("reports a folder with no service file", async () => {
    const r = await runInProcess(["provision", "--noop"], mkdtempSync(join(tmpdir(), "sparta-empty-")));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /No service file in .*: run `sparta init` to start a new service here, create sparta\.config\.ts exporting/,
    );
  });

  it("reports a service file that exports nothing, or throws while loading", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sparta-bad-"));
    writeFileSync(join(dir, "none.ts"), "export const notAService = 1;\n");
    writeFileSync(
      join(dir, "throws.ts"),
      'throw new Error("config exploded");\nexport const service = {};\n',
    );
    writeFileSync(join(dir, "syntax.ts"), "export const service = {\n");
    writeFileSync(
      join(dir, "invalid.ts"),
      'export const service = { name: "x", functions: [{ name: "f" }] };\n',
    );
    const none = await runInProcess(["provision", "--noop", "--service", "none.ts"], dir);
    expect(none.stderr).toMatch(/none\.ts exports no service: add `export const service = defineService/);
    const throws = await runInProcess(["provision", "--noop", "--service", "throws.ts"], dir);
    expect(throws.stderr).toMatch(/throws\.ts failed while loading: config exploded/);
    const syntax = await runInProcess(["provision", "--noop", "--service", "syntax.ts"], dir);
    expect(syntax.stderr).toMatch(/syntax\.ts does not compile/);
    const invalid = await runInProcess(["provision", "--noop", "--service", "invalid.ts"], dir);
    expect(invalid.stderr).toMatch(
      /functions\[f\]\.handler: must be "path\/to\/module\.ts#exportName", received nothing/,
    );
    writeFileSync(
      join(dir, "uninstalled.ts"),
      'import { defineService } from "@sparta/not-installed";\nexport const service = defineService({});\n',
    );
    const uninstalled = await runInProcess(["provision", "--noop", "--service", "uninstalled.ts"], dir);
    expect(uninstalled.stderr).toMatch(
      /uninstalled\.ts imports "@sparta\/not-installed", which is not installed where the service is: run `npm install @sparta\/not-installed`/,
    );
    expect(uninstalled.stderr).not.toMatch(/\.mjs/);
    writeFileSync(join(dir, "relative.ts"), 'import "./src/gone.ts";\nexport const service = {};\n');
    const relative = await runInProcess(["provision", "--noop", "--service", "relative.ts"], dir);
    expect(relative.stderr).toMatch(
      /relative\.ts does not compile:[\s\S]*Could not resolve "\.\/src\/gone\.ts"/,
    );
    expect(relative.stderr).not.toMatch(/\.mjs/);
    for (const r of [none, throws, syntax, invalid, uninstalled, relative]) expect(r.code, r.stderr).toBe(2);
  });

  it("rejects a property value CloudFormation would refuse, and --no-checkValues skips that check", async () => {
    // A decorator gives a queue a visibility timeout above SQS's 43,200 seconds.
    writeFileSync(
      join(hello, "bad-value.config.ts"),
      [
        'import { service as base } from "./sparta.config.ts";',
        "export const service = {",
        "  ...base,",
        '  decorators: [() => ({ Resources: { Jobs: { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 50000 } } } })],',
        "};",
        "",
      ].join("\n"),
    );
    const refused = await runInProcess(["provision", "--noop", "--service", "bad-value.config.ts"], hello);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/Resources\.Jobs\.Properties\.VisibilityTimeout: .*50000.*43200/);
    expect(refused.stderr).toMatch(/--no-checkValues skips those checks/);
    const skipped = await runInProcess(
      ["provision", "--noop", "--no-checkValues", "--service", "bad-value.config.ts"],
      hello,
    );
    expect(skipped.code, skipped.stderr).toBe(0);
  });

  it("checks --param against the service's parameters: declared names, and values for those without default", async () => {
    const dir = copyExample();
    writeFileSync(
      join(dir, "params.config.ts"),
      'import { service as base } from "./sparta.config.ts";\nexport const service = { ...base, parameters: { Stage: { allowedValues: ["dev", "prod"] } } };\n',
    );
    const missing = await runInProcess(
      ["provision", "--service", "params.config.ts", "--s3Bucket", "my-bucket"],
      dir,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/the service's parameter Stage has no default: pass --param Stage=VALUE/);
    const given = await runInProcess(
      [
        "provision",
        "--noop",
        "--service",
        "params.config.ts",
        "--param",
        "Stage=prod",
        "--tag",
        "team=core",
        "--format",
        "json",
      ],
      dir,
    );
    expect(given.code, given.stderr).toBe(0);
    const summary = JSON.parse(given.stdout);
    expect(summary.parameters).toEqual({ Stage: "prod" });
    expect(summary.tags).toMatchObject({
      project: "sparta-hello",
      team: "core",
      "sparta:buildId": expect.any(String),
    });
  });

  it("reads .spartarc.json, overridden by SPARTA_* variables, overridden by flags", async () => {
    const dir = copyExample();
    writeFileSync(join(dir, ".spartarc.json"), JSON.stringify({ format: "json" }));
    const fromFile = await runInProcess(["version"], dir);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ version: cliVersion() });
    const fromEnv = await runInProcess(["version"], dir, { SPARTA_FORMAT: "text" });
    expect(fromEnv.stdout).toBe(`sparta ${cliVersion()} (node ${process.version})\n`);
    const fromFlag = await runInProcess(["version", "--format", "json"], dir, { SPARTA_FORMAT: "text" });
    expect(JSON.parse(fromFlag.stdout).version).toBe(cliVersion());
    writeFileSync(join(dir, ".spartarc.json"), "{ not json");
    const broken = await runInProcess(["version"], dir);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/\.spartarc\.json is not valid JSON/);
  });

  it("refuses a secret in .spartarc.json, a file easily committed, and says where it goes instead", async () => {
    const dir = copyExample();
    writeFileSync(join(dir, ".spartarc.json"), JSON.stringify({ s3Bucket: "b", oauth: "ghp_notARealToken" }));
    const r = await runInProcess(["version"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.spartarc\.json sets "oauth", which carries a secret/);
    expect(r.stderr).toContain("SPARTA_OAUTH=");
    expect(r.stderr).toContain("--oauth -");
    expect(r.stderr).not.toContain("ghp_notARealToken");
    writeFileSync(join(dir, ".spartarc.json"), JSON.stringify({ githubToken: "x" }));
    expect((await runInProcess(["version"], dir)).stderr).toMatch(
      /sets "githubToken", which carries a secret/,
    );
  });
});

describe("sparta commands", () => {
  it("version and help", async () => {
    const v = await runInProcess(["version"], hello);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(`sparta ${cliVersion()}`);
    const h = await runInProcess(["help"], fixture);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/usage: sparta <command>/);
    expect(h.stdout).toMatch(/greet\s+says hello with the service's name/);
    expect(h.stdout).toMatch(
      /exit codes: 0 success or unchanged, 1 internal error, 2 user error, 3 deployment failure/,
    );
    const provisionHelp = await runInProcess(["provision", "--help"], hello);
    expect(provisionHelp.stdout).toMatch(/^usage: sparta provision \[flags\]\n/);
    expect(provisionHelp.stdout).toMatch(/\n {2}--param KEY=VALUE {2,}stack parameter \(repeatable\)\n/);
    const greetHelp = await runInProcess(["help", "greet"], fixture);
    expect(greetHelp.stdout).toMatch(/--who VALUE\s+\(required\)/);
  });

  it("runs a service's own command with its parsed flags, the service and the options", async () => {
    const r = await runInProcess(["greet", "--who", "Ada", "--loud"], fixture);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("HELLO ADA FROM CUSTOM\n");
    const json = await runInProcess(
      ["greet", "--who", "Ada", "--format", "json", "--level", "warn"],
      fixture,
    );
    expect(JSON.parse(json.stdout)).toEqual({ who: "Ada", service: "custom", loud: false, level: "warn" });
    const missing = await runInProcess(["greet"], fixture);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--who is required/);
    const unknown = await runInProcess(["greet", "--who", "x", "--whom", "y"], fixture);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/sparta greet: unknown flag --whom\. Did you mean --who\?/);
  });

  it("gives a command ctx.build(), which runs the workflow hooks", async () => {
    const r = await runInProcess(["buildIt", "--format", "json"], fixture);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.keys).toEqual([expect.stringMatching(/^fn-[0-9a-f]{16}\.zip$/)]);
    expect(out.calls).toEqual(["preBuild", "postMarshal:5"]);
  });

  it("an unexpected error exits 1 with one line, and the stack only at --level debug", async () => {
    const r = await runInProcess(["explode"], fixture);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe("internal error: boom (run with --level debug for the stack)\n");
    const debug = await runInProcess(["explode", "--level", "debug"], fixture);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/internal error: boom\nError: boom\n\s+at /);
  });

  it("describe writes a self-contained HTML report of functions, triggers, privileges and resources", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "sparta-describe-")), "report.html");
    const r = await runInProcess(["describe", "--out", out, "--format", "json"], hello);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      report: out,
      stackName: "hello",
      picture: { nodes: expect.any(Number), edges: expect.any(Number) },
    });
    const html = readFileSync(out, "utf8");
    for (const s of [
      "<!doctype html>",
      "hello",
      "uploads",
      "nightly",
      "HTTP API GET /hello",
      "EventBridge schedule cron(0 3 * * ? *)",
    ])
      expect(html).toContain(s);
    expect(html).toContain("<code>s3:GetObject</code>");
    expect(html).toContain("AWS::ApiGatewayV2::Route");
    // Self-contained: no scripts and nothing fetched from elsewhere.
    expect(html).not.toMatch(/<script|<link|src=/i);
  });
});
