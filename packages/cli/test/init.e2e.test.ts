import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateTemplate } from "@sparta/template";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childEnv, runBin, runBinAsync } from "./example.js";

const cliDir = fileURLToPath(new URL("..", import.meta.url));
const handlerDir = fileURLToPath(new URL("../../handler", import.meta.url));
const workspace = createRequire(fileURLToPath(new URL("../../../package.json", import.meta.url)));
const packageDir = (name: string) => dirname(workspace.resolve(`${name}/package.json`));
const version = (JSON.parse(readFileSync(join(cliDir, "package.json"), "utf8")) as { version: string })
  .version;

// An API Gateway HTTP API (payload 2.0) request for GET /hello?name=Ada, as Lambda receives it.
const httpApiEvent = {
  version: "2.0",
  routeKey: "GET /hello",
  rawPath: "/hello",
  rawQueryString: "name=Ada",
  headers: { host: "abc123.execute-api.eu-west-1.amazonaws.com", "user-agent": "curl/8.5.0" },
  queryStringParameters: { name: "Ada" },
  requestContext: {
    accountId: "123456789012",
    apiId: "abc123",
    domainName: "abc123.execute-api.eu-west-1.amazonaws.com",
    domainPrefix: "abc123",
    http: {
      method: "GET",
      path: "/hello",
      protocol: "HTTP/1.1",
      sourceIp: "203.0.113.7",
      userAgent: "curl/8.5.0",
    },
    requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    routeKey: "GET /hello",
    stage: "$default",
    time: "26/Nov/2026:21:00:00 +0000",
    timeEpoch: 1795726800000,
  },
  isBase64Encoded: false,
};

/** Run the bundled Lambda entry (index.mjs of the function's ZIP) on one event in a fresh Node. */
function invokeBundle(bundle: string, event: unknown) {
  const script = `const { handler } = await import(${JSON.stringify(bundle)});
const context = { awsRequestId: "r-1", functionName: "hello-api-hello", getRemainingTimeInMillis: () => 5000 };
process.stdout.write(JSON.stringify(await handler(JSON.parse(process.argv[1]), context)));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify(event)], {
    env: childEnv({ AWS_LAMBDA_LOG_LEVEL: "ERROR" }),
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { statusCode: number; headers: Record<string, string>; body: string };
}

// The scaffold in a temporary folder whose node_modules holds this workspace's @sparta/cli and @sparta/handler
// (symlinks, as a pnpm workspace links them), typescript, @types/node and vitest: what `npm install` would give it.
let templatesRoot: string;
afterAll(() => {
  if (templatesRoot) rmSync(templatesRoot, { recursive: true, force: true });
});

describe("sparta init writes a service that builds, type-checks and answers", () => {
  let root: string;
  let dir: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "sparta-init-"));
    mkdirSync(join(root, "node_modules", "@sparta"), { recursive: true });
    mkdirSync(join(root, "node_modules", "@types"));
    symlinkSync(cliDir, join(root, "node_modules", "@sparta", "cli"), "dir");
    symlinkSync(handlerDir, join(root, "node_modules", "@sparta", "handler"), "dir");
    symlinkSync(packageDir("typescript"), join(root, "node_modules", "typescript"), "dir");
    symlinkSync(packageDir("@types/node"), join(root, "node_modules", "@types", "node"), "dir");
    symlinkSync(packageDir("vitest"), join(root, "node_modules", "vitest"), "dir");
    dir = join(root, "hello-api");
    templatesRoot = root;
  });

  // The folder is removed once every template's describe has run too (see the end of the file).

  it("creates the folder and its files, named after the folder, and prints the next steps", () => {
    const r = runBin(["init", "hello-api"], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      [
        `created service hello-api in ${dir}`,
        "  package.json",
        "  sparta.config.ts",
        "  src/hello.ts",
        "  test/hello.test.ts",
        "  events/hello-get.json",
        "  tsconfig.json",
        "  .gitignore",
        "  README.md",
        "",
        "next steps:",
        "  cd hello-api",
        "  npm install",
        "  npm test                        # the function's test",
        "  npx sparta provision --noop     # build the template and the ZIP into .sparta/, touch no AWS",
        "  npx sparta explore              # serve it locally: curl 'http://127.0.0.1:9999/hello?name=Ada'",
        "  npx sparta provision            # deploy (the first run makes the deployment bucket)",
        "",
      ].join("\n"),
    );
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg).toMatchObject({
      name: "hello-api",
      type: "module",
      scripts: {
        noop: "sparta provision --noop",
        provision: "sparta provision",
        explore: "sparta explore",
        test: "vitest run",
      },
      dependencies: { "@sparta/handler": `^${version}` },
      devDependencies: {
        "@sparta/cli": `^${version}`,
        typescript: expect.stringMatching(/^~5\.9\./),
        vitest: expect.stringMatching(/^\^4\./),
      },
    });
    expect(pkg.devDependencies["@types/node"]).toBeDefined();
    expect(readFileSync(join(dir, "sparta.config.ts"), "utf8")).toContain('name: "hello-api"');
    expect(readFileSync(join(dir, ".gitignore"), "utf8").split("\n")).toEqual(
      expect.arrayContaining(["node_modules/", ".sparta/"]),
    );
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    for (const command of [
      "npm install",
      "npx sparta provision --noop",
      "npx sparta explore",
      "npm test",
      "npx sparta invoke hello --event events/hello-get.json",
      "npx sparta provision            # deploy",
      "npx sparta provision --stage dev",
      "npx sparta delete",
    ])
      expect(readme).toContain(command);
    expect(readme).not.toMatch(/--s3|YOUR-BUCKET/);
  });

  it("sparta invoke hello --sample, as its README says, answers the sample GET /hello", async () => {
    const r = await runBinAsync(["invoke", "hello", "--sample"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ statusCode: 200, body: '{"message":"Hello, world!"}' });
  });

  it("provision --noop builds it: the hello function behind GET and POST /hello of an HTTP API", async () => {
    const r = await runBinAsync(["provision", "--noop", "--format", "json"], dir);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ noop: true, stackName: "hello-api" });
    expect(summary.functions).toEqual([
      expect.objectContaining({ name: "hello", triggers: ["HTTP API GET /hello", "HTTP API POST /hello"] }),
    ]);
    const template = JSON.parse(readFileSync(join(dir, ".sparta", "cloudformation.json"), "utf8")) as {
      Resources: Record<string, { Type: string; Properties?: { RouteKey?: string } }>;
    };
    expect(validateTemplate(template)).toEqual([]);
    const resources = Object.values(template.Resources);
    expect(resources.filter((x) => x.Type === "AWS::Lambda::Function")).toHaveLength(1);
    expect(resources.filter((x) => x.Type === "AWS::ApiGatewayV2::Api")).toHaveLength(1);
    expect(
      resources
        .filter((x) => x.Type === "AWS::ApiGatewayV2::Route")
        .map((x) => x.Properties?.RouteKey)
        .sort(),
    ).toEqual(["GET /hello", "POST /hello"]);
  }, 120_000);

  it("type-checks with tsc --noEmit -p, which checks its handler and service file", () => {
    const tsc = join(packageDir("typescript"), "bin", "tsc");
    const ok = spawnSync(process.execPath, [tsc, "--noEmit", "-p", dir], { encoding: "utf8" });
    expect(ok.status, ok.stdout).toBe(0);
    expect(ok.stdout).toBe("");
    // The check above means something only if the project holds the scaffold's own files.
    const files = spawnSync(process.execPath, [tsc, "--listFilesOnly", "-p", dir], { encoding: "utf8" });
    expect(files.stdout.split("\n")).toEqual(
      expect.arrayContaining([
        join(dir, "src", "hello.ts"),
        join(dir, "test", "hello.test.ts"),
        join(dir, "sparta.config.ts"),
      ]),
    );
  }, 60_000);

  it("its own test passes (npm test: vitest run), calling the handler with plain Requests", () => {
    const vitest = join(packageDir("vitest"), "vitest.mjs");
    const r = spawnSync(process.execPath, [vitest, "run", "--root", dir], {
      cwd: dir,
      env: childEnv({ CI: "true", NO_COLOR: "1" }),
      encoding: "utf8",
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+3 passed \(3\)/);
  }, 120_000);

  it("its Lambda bundle answers 200 with the JSON greeting; a bad POST body gets the middleware's 400/422", () => {
    const summary = JSON.parse(readFileSync(join(dir, ".sparta", "manifest.json"), "utf8")) as {
      artifacts: { key: string }[];
    };
    const unzipped = join(root, "unzipped");
    const u = spawnSync("unzip", ["-q", join(dir, ".sparta", summary.artifacts[0]!.key), "-d", unzipped], {
      encoding: "utf8",
    });
    expect(u.status, u.stderr).toBe(0);
    const bundle = join(unzipped, "index.mjs");

    const get = invokeBundle(bundle, structuredClone(httpApiEvent));
    expect(get.statusCode).toBe(200);
    expect(get.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(get.body)).toEqual({ message: "Hello, Ada!" });

    const post = (body: string) => {
      const event = structuredClone(httpApiEvent) as Record<string, unknown> & typeof httpApiEvent;
      event.routeKey = "POST /hello";
      event.rawQueryString = "";
      delete (event as { queryStringParameters?: unknown }).queryStringParameters;
      event.requestContext.http.method = "POST";
      Object.assign(event.headers, { "content-type": "application/json" });
      return invokeBundle(bundle, { ...event, body });
    };
    const lin = post('{"name":"Lin"}');
    expect([lin.statusCode, JSON.parse(lin.body)]).toEqual([200, { message: "Hello, Lin!" }]);
    expect(post("{not json").statusCode).toBe(400); // jsonBody()
    const wrong = post('{"name":3}');
    expect([wrong.statusCode, JSON.parse(wrong.body).error]).toEqual([422, "name must be a string"]); // errorMapper()
  });

  it("refuses to init the same folder again, naming every clashing file; --force overwrites them", () => {
    const before = readFileSync(join(dir, "src", "hello.ts"), "utf8");
    const again = runBin(["init", "hello-api", "--name", "other"], root);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `${dir} already has package.json, sparta.config.ts, src/hello.ts, test/hello.test.ts, events/hello-get.json, tsconfig.json, .gitignore, README.md; nothing was written. Pass --force`,
    );
    expect(readFileSync(join(dir, "sparta.config.ts"), "utf8")).toContain('name: "hello-api"');

    const forced = runBin(["init", "hello-api", "--name", "other", "--force"], root);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain("  src/hello.ts (overwritten)");
    expect(readFileSync(join(dir, "sparta.config.ts"), "utf8")).toContain('name: "other"');
    expect(readFileSync(join(dir, "src", "hello.ts"), "utf8")).toBe(before);
    expect(existsSync(join(dir, ".sparta", "cloudformation.json"))).toBe(true); // other files are left alone
  });
});

// Every template, as CI runs it: written by init, built by provision --noop, type-checked, and its own test passing.
// (The folder above holds this workspace's packages, as the first describe links them, plus @sparta/pipeline.)
describe.each([
  ["queue", "worker", ["SQS queue"], 2],
  ["schedule", "nightly", ["EventBridge schedule cron(0 3 * * ? *)"], 2],
  ["pipeline", "hello", ["HTTP API GET /hello", "HTTP API POST /hello"], 3],
])("sparta init --template %s", (template, fn, triggers, tests) => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(join(templatesRoot, "node_modules", "@sparta", "pipeline")))
      symlinkSync(
        packageDir("@sparta/pipeline"),
        join(templatesRoot, "node_modules", "@sparta", "pipeline"),
        "dir",
      );
    dir = join(templatesRoot, `t-${template}`);
    const r = runBin(["init", `t-${template}`, "--template", template], templatesRoot);
    expect(r.code, r.stderr).toBe(0);
  });

  it("provision --noop builds it, its function behind its trigger", async () => {
    const r = await runBinAsync(["provision", "--noop", "--format", "json"], dir);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.functions).toEqual([expect.objectContaining({ name: fn })]);
    for (const t of triggers) expect(summary.functions[0].triggers.join("; ")).toContain(t);
    const template = JSON.parse(readFileSync(join(dir, ".sparta", "cloudformation.json"), "utf8"));
    expect(validateTemplate(template)).toEqual([]);
  }, 120_000);

  it("type-checks, and its own test passes on the sample event", () => {
    const tsc = join(packageDir("typescript"), "bin", "tsc");
    const ok = spawnSync(process.execPath, [tsc, "--noEmit", "-p", dir], { encoding: "utf8" });
    expect(ok.status, ok.stdout).toBe(0);
    const vitest = join(packageDir("vitest"), "vitest.mjs");
    const r = spawnSync(process.execPath, [vitest, "run", "--root", dir], {
      cwd: dir,
      env: childEnv({ CI: "true", NO_COLOR: "1" }),
      encoding: "utf8",
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Tests\\s+${tests} passed \\(${tests}\\)`));
  }, 120_000);

  it(`sparta invoke runs it once on the sample event, as its README says`, async () => {
    const event = readdirSync(join(dir, "events"))[0]!;
    const r = await runBinAsync(["invoke", fn, "--event", `events/${event}`], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain(
      `npx sparta invoke ${fn} --event events/${event}`,
    );
  }, 120_000);
});
