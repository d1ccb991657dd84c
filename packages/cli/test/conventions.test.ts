import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import * as nodeModule from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { stackAlarmStatuses } from "../src/alarms.js";
import { awsOverrides } from "../src/aws-env.js";
import { BUILTINS } from "../src/commands/index.js";
import { columns, flagUsage } from "../src/help.js";
import { createLambdaInvokeClient } from "../src/invoke.js";
import { createLogsClient } from "../src/logs.js";
import { camelCase, kebabCase, normalizeFlags } from "../src/options.js";
import { suggest } from "../src/suggest.js";
import { cliVersion } from "../src/version.js";
import { copyExample, removeCopies, runInProcess } from "./example.js";

// The conventions AWS CLI, SAM, CDK and Serverless users type by habit (issue 16): --version, kebab-case flags,
// "did you mean", --profile/--region/AWS_DEFAULT_REGION, retries from the SDK's own settings, readable help.

const fixture = fileURLToPath(new URL("./fixtures/basic/", import.meta.url));
let hello: string;
const empty = () => mkdtempSync(join(tmpdir(), "sparta-conv-"));

beforeAll(() => {
  hello = copyExample();
});
afterAll(removeCopies);
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("sparta --version and -v", () => {
  it.each([
    [["--version"]],
    [["-v"]],
    [["version"]],
    [["provision", "--version"]],
  ])("%j prints the version, in any folder", async (args) => {
    const r = await runInProcess(args, empty());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`sparta ${cliVersion()} (node ${process.version})\n`);
  });

  it("--version --format json prints it as JSON", async () => {
    const r = await runInProcess(["--version", "--format", "json"], empty());
    expect(JSON.parse(r.stdout)).toEqual({ version: cliVersion(), node: process.version });
  });
});

describe("the sparta process", () => {
  // Node 22.1+ keeps V8's code cache of the CLI and the AWS SDK in <tmpdir>/node-compile-cache (Node 20 has no
  // such cache: there the bin loads as before).
  const hasCompileCache = "enableCompileCache" in nodeModule;
  it.runIf(hasCompileCache)("turns on Node's compile cache before the CLI and the SDK load", () => {
    const tmp = empty();
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
    delete env.NODE_COMPILE_CACHE;
    delete env.NODE_DISABLE_COMPILE_CACHE;
    const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
    const out = execFileSync(process.execPath, [bin, "--version"], { env, encoding: "utf8" });
    expect(out).toContain("sparta ");
    expect(readdirSync(join(tmp, "node-compile-cache")).length).toBeGreaterThan(0);
  });
});

describe("flags in kebab-case, as the AWS CLI writes them, and in camelCase", () => {
  it("spells names both ways", () => {
    expect(kebabCase("s3Bucket")).toBe("s3-bucket");
    expect(kebabCase("codePipelinePackage")).toBe("code-pipeline-package");
    expect(camelCase("stack-name")).toBe("stackName");
    const specs = { stackName: { type: "string" as const }, checkValues: { type: "boolean" as const } };
    expect(
      normalizeFlags(
        ["provision", "--stack-name=a", "--no-check-values", "--x-y", "--", "--stack-name"],
        specs,
      ),
    ).toEqual(["provision", "--stackName=a", "--no-checkValues", "--x-y", "--", "--stack-name"]);
  });

  it("--stack-name and --stackName both name the stack; .spartarc.json may use either key", async () => {
    for (const flag of ["--stack-name", "--stackName"]) {
      const r = await runInProcess(["provision", "--noop", flag, "hello-x", "--format", "json"], hello);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).stackName).toBe("hello-x");
    }
    const dir = copyExample();
    writeFileSync(join(dir, ".spartarc.json"), JSON.stringify({ "stack-name": "from-rc" }));
    const rc = await runInProcess(["provision", "--noop", "--format", "json"], dir);
    expect(JSON.parse(rc.stdout).stackName).toBe("from-rc");
  }, 120_000);

  it("a service command's camelCase flags are typed in kebab-case too", async () => {
    for (const flag of ["--greeting-word", "--greetingWord"]) {
      const r = await runInProcess(["greet", "--who", "Ada", flag, "hi"], fixture);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("hi Ada from custom\n");
    }
  });
});

describe("a mistyped flag or command gets a suggestion", () => {
  it("ranks close names", () => {
    expect(suggest("stak-name", ["stack-name", "service"])).toEqual(["stack-name"]);
    expect(suggest("bucket", ["s3-bucket", "build-id"])).toEqual(["s3-bucket"]);
    expect(suggest("provison", ["provision", "version"])).toEqual(["provision"]);
    expect(suggest("zzz", ["provision"])).toEqual([]);
  });

  it.each([
    [["provision", "--noop", "--stak-name", "x"], /unknown flag --stak-name\. Did you mean --stack-name\?/],
    [["provision", "--noop", "--s3bucket", "x"], /unknown flag --s3bucket\. Did you mean --s3-bucket\?/],
    [["logs", "--funtion", "hello"], /unknown flag --funtion\. Did you mean --function\?/],
    [["provison"], /unknown command "provison"\. Did you mean provision\?/],
    [["destroy"], /unknown command "destroy"\. Did you mean delete\?/],
    [["help", "stauts"], /unknown command "stauts"\. Did you mean status\?/],
  ])("%j", async (args, expected) => {
    const r = await runInProcess(args, hello);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(expected);
  });

  it("a service command's flag too, and an unknown command in a folder with no service file", async () => {
    const flag = await runInProcess(["greet", "--who", "x", "--greting-word", "hi"], fixture);
    expect(flag.stderr).toMatch(/unknown flag --greting-word\. Did you mean --greeting-word\?/);
    const command = await runInProcess(["deploy"], empty());
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(
      /^error: unknown command "deploy"\. Did you mean provision\? Commands: init, /,
    );
  });
});

describe("--profile and --region set what every SDK client reads, for the run only", () => {
  it("ranks them as the AWS CLI does", () => {
    expect(awsOverrides({}, { AWS_DEFAULT_REGION: "eu-west-1" })).toEqual({ AWS_REGION: "eu-west-1" });
    expect(awsOverrides({}, { AWS_DEFAULT_REGION: "eu-west-1", AWS_REGION: "us-east-2" })).toEqual({});
    expect(awsOverrides({ region: "ap-south-1" }, { AWS_REGION: "us-east-2" })).toEqual({
      AWS_REGION: "ap-south-1",
      AWS_DEFAULT_REGION: "ap-south-1",
    });
    expect(awsOverrides({ profile: "dev" }, { AWS_ACCESS_KEY_ID: "A", AWS_SECRET_ACCESS_KEY: "S" })).toEqual({
      AWS_PROFILE: "dev",
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });
  });

  /** Shared config and credentials files with two profiles, as `aws configure` writes them. */
  function awsFiles() {
    const dir = empty();
    writeFileSync(
      join(dir, "config"),
      "[default]\nregion = us-west-2\n\n[profile dev]\nregion = eu-west-3\nmax_attempts = 4\nretry_mode = adaptive\n",
    );
    writeFileSync(
      join(dir, "credentials"),
      "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s\n\n[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n",
    );
    const env = {
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    };
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    for (const k of ["AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"])
      vi.stubEnv(k, undefined);
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAENV");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "s");
    return env;
  }

  const sdkView = async (args: string[], env: Record<string, string | undefined>) => {
    const r = await runInProcess(["awsEnv", "--format", "json", ...args], fixture, {
      ...process.env,
      ...env,
    });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it("--profile: the profile's credentials, region and retry settings, over the environment's keys", async () => {
    const env = awsFiles();
    expect(await sdkView(["--profile", "dev"], env)).toEqual({
      profile: "dev",
      region: "eu-west-3",
      accessKeyId: "AKIADEV",
      maxAttempts: 4,
      retryMode: "adaptive",
    });
    // Put back after the run.
    expect(process.env.AWS_PROFILE).toBeUndefined();
    expect(process.env.AWS_ACCESS_KEY_ID).toBe("AKIAENV");
  });

  it("--region over the profile's; AWS_DEFAULT_REGION alone is honoured; AWS_MAX_ATTEMPTS is not overridden", async () => {
    const env = awsFiles();
    expect(await sdkView(["--profile", "dev", "--region", "ca-central-1"], env)).toMatchObject({
      region: "ca-central-1",
      accessKeyId: "AKIADEV",
    });
    vi.stubEnv("AWS_CONFIG_FILE", join(empty(), "none"));
    vi.stubEnv("AWS_DEFAULT_REGION", "sa-east-1");
    vi.stubEnv("AWS_MAX_ATTEMPTS", "7");
    expect(await sdkView([], { ...env, AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE })).toEqual({
      profile: null,
      region: "sa-east-1",
      accessKeyId: "AKIAENV",
      maxAttempts: 7,
      retryMode: "standard",
    });
    expect(process.env.AWS_REGION).toBeUndefined();
  });

  it('SPARTA_PROFILE and .spartarc.json "region" work like the flags', async () => {
    const env = awsFiles();
    expect(await sdkView([], { ...env, SPARTA_PROFILE: "dev", SPARTA_REGION: "eu-north-1" })).toMatchObject({
      profile: "dev",
      region: "eu-north-1",
    });
  });

  it("refuses a region that is not one, and a profile no file defines (before any AWS call)", async () => {
    const env = awsFiles();
    const region = await runInProcess(["provision", "--noop", "--region", "useast1"], hello, env);
    expect(region.code).toBe(2);
    expect(region.stderr).toMatch(/--region "useast1" is not an AWS region name; e\.g\. --region us-east-1/);
    const profile = await runInProcess(["status", "--profile", "prod"], hello, env);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toMatch(
      /--profile prod: no such profile in .*config or .*credentials \(profiles: default, dev\)/,
    );
  });
});

describe("the CLI's own AWS clients take their retries from the SDK's settings", () => {
  let server: Server;
  let requests = 0;
  let endpoint: string;
  beforeAll(async () => {
    // Every call answers 503 Service Unavailable, which the SDK's standard and adaptive modes retry.
    server = createServer((req, res) => {
      requests++;
      req.resume();
      res.writeHead(503, { "content-type": "application/json" }).end('{"message":"unavailable"}');
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const calls = {
    logs: async () => (await createLogsClient()).filterLogEvents({ logGroupName: "/aws/lambda/x" }),
    invoke: async () =>
      (await createLambdaInvokeClient()).invoke({
        FunctionName: "x",
        Payload: new Uint8Array(),
        LogType: "Tail",
        InvocationType: "RequestResponse",
      }),
    alarms: async () => {
      const warn = vi.fn();
      await stackAlarmStatuses(
        { SpartaAlarmX: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:x" },
        { warn },
      );
      if (warn.mock.calls.length === 0) throw new Error("expected a warning");
      throw new Error("failed as expected");
    },
  };

  it.each(
    Object.keys(calls),
  )("%s: AWS_MAX_ATTEMPTS=2 makes 2 attempts, a profile's max_attempts = 4 makes 4", async (name) => {
    vi.stubEnv("AWS_ENDPOINT_URL", endpoint);
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    vi.stubEnv("AWS_MAX_ATTEMPTS", "2");
    requests = 0;
    await expect(calls[name as keyof typeof calls]()).rejects.toThrow();
    expect(requests).toBe(2);
    const config = join(empty(), "config");
    writeFileSync(config, "[default]\nmax_attempts = 4\n");
    vi.stubEnv("AWS_MAX_ATTEMPTS", undefined);
    vi.stubEnv("AWS_CONFIG_FILE", config);
    requests = 0;
    await expect(calls[name as keyof typeof calls]()).rejects.toThrow();
    expect(requests).toBe(4);
  }, 30_000);
});

describe("help: aligned columns, each note once, words apart, an example for every command", () => {
  it("lays out two columns, the second wrapped under itself", () => {
    expect(
      columns([
        ["--a", "x"],
        ["--long-flag VALUE", "y"],
      ]),
    ).toEqual(["  --a                x", "  --long-flag VALUE  y"]);
    expect(flagUsage("s3Bucket", { type: "string", valueName: "BUCKET" })).toBe("--s3-bucket BUCKET");
    expect(flagUsage("format", { type: "string", values: ["text", "json"] })).toBe("--format text|json");
    expect(flagUsage("checkValues", { type: "boolean", default: true })).toBe("--no-check-values");
  });

  it.each(BUILTINS.map((c) => c.name))("sparta %s --help", async (name) => {
    const r = await runInProcess([name, "--help"], hello);
    expect(r.code, r.stderr).toBe(0);
    const text = r.stdout;
    expect(text).not.toMatch(/\(repeatable\) \(repeatable\)/);
    expect(text).toMatch(/\nexamples:\n {2}sparta /);
    const rows = (text.split("\nflags:\n")[1] ?? "")
      .split("\n\n")[0]!
      .split("\n")
      .filter((l) => /^ {2}-/.test(l));
    // Every flag row has its description at one column, at least two spaces after the usage.
    const starts = new Set(
      rows.filter((l) => /\S {2,}\S/.test(l)).map((l) => /^ {2}\S.*? {2,}(?=\S)/.exec(l)![0].length),
    );
    expect(starts.size).toBeLessThanOrEqual(1);
    for (const row of rows) expect(row, row).toMatch(/^ {2}-\S+(?:, --\S+)?(?: \S+)?(?: {2,}\S.*)?$/);
    for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it("sparta help lists the built-ins and the service's commands in aligned columns", async () => {
    const r = await runInProcess(["help"], fixture);
    const rows =
      (r.stdout.split("commands:\n")[1] ?? "")
        .split("\n\n")[0]
        ?.split("\n")
        .filter((l) => /^ {2}\S/.test(l)) ?? [];
    expect(rows.map((l) => l.trim().split(/\s+/)[0])).toEqual(
      expect.arrayContaining(["init", "bootstrap", "provision", "greet", "awsEnv", "help"]),
    );
    expect(new Set(rows.map((l) => /^ {2}\S+ +/.exec(l)![0].length)).size).toBe(1);
  });
});
