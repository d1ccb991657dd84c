import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GetFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { converge, createCfnClient } from "@sparta/converge";
import { type Emulator, startEmulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, childEnv, runBinAsync, runInProcess } from "./example.js";

// Issue 16's "done when", against the local AWS emulator: from a `sparta init` scaffold, `sparta bootstrap`, then
// `sparta provision` with no bucket flag, `--stage dev` and `--stage prod` side by side, `delete --yes` for both; with
// the conventions around them: the managed bucket made on first need and found again, the questions before a
// broadening deploy and a delete, --profile and a lone AWS_DEFAULT_REGION, and the toolkit's clear errors.

const cliDir = fileURLToPath(new URL("..", import.meta.url));
const handlerDir = fileURLToPath(new URL("../../handler", import.meta.url));
/** util-linux `script`, to run `sparta` at a pseudo-terminal as a person would. */
const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;

describe("the first real deploy, from a sparta init scaffold", () => {
  let emu: Emulator;
  let root: string;
  let app: string;
  const sparta = (args: string[], env: Record<string, string> = {}, input = "") =>
    runBinAsync(args, app, { ...emu.env, ...env }, input);
  const cfn = () => createCfnClient(emu.clientConfig);
  const stackStatus = async (name: string) => {
    try {
      return (await cfn().describeStacks({ StackName: name })).Stacks?.[0]?.StackStatus;
    } catch {
      return undefined;
    }
  };

  beforeAll(async () => {
    emu = await startEmulator();
    root = mkdtempSync(join(tmpdir(), "sparta-first-"));
    mkdirSync(join(root, "node_modules", "@sparta"), { recursive: true });
    symlinkSync(cliDir, join(root, "node_modules", "@sparta", "cli"), "dir");
    symlinkSync(handlerDir, join(root, "node_modules", "@sparta", "handler"), "dir");
    const init = await runBinAsync(["init", "app"], root);
    expect(init.code, init.stderr).toBe(0);
    app = join(root, "app");
    // Per-stage settings, as the README shows them.
    const config = join(app, "sparta.config.ts");
    writeFileSync(
      config,
      readFileSync(config, "utf8").replace(
        "  functions: [",
        '  stages: { dev: { environment: { LOG_LEVEL: "debug" } }, prod: { environment: { LOG_LEVEL: "warn" }, tags: { cost: "prod" } } },\n  functions: [',
      ),
    );
  }, 180_000);

  afterAll(async () => {
    await emu?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("provision with no bucket flag makes the deployment bucket first and says so; without a terminal it asks for --yes", async () => {
    const refused = await sparta(["provision", "--stage", "dev"]);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(
      "no deployment bucket yet in this account and region: creating stack SpartaToolkit first, as `sparta bootstrap` does",
    );
    expect(refused.stderr).toMatch(/This deployment grants new permissions:\n {2}\+ HelloHttpPermission/);
    expect(refused.stderr).toMatch(
      / {2}\+ HelloRole \(AWS::IAM::Role\): may logs:CreateLogStream on HelloLogGroup\.Arn/,
    );
    expect(refused.stderr).toMatch(
      /error: sparta provision: stack app-dev was not changed: .* stdin is not a terminal, so no one can answer\. Review them with `sparta provision --plan`, then pass --yes/,
    );
    expect(await stackStatus("SpartaToolkit")).toBe("CREATE_COMPLETE");
    // Nothing half-made: the declined change set took its empty stack with it.
    expect(await stackStatus("app-dev")).toBeUndefined();
  }, 300_000);

  it("sparta bootstrap again changes nothing and names the bucket", async () => {
    const r = await sparta(["bootstrap", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      kind: "unchanged",
      stackName: "SpartaToolkit",
      bucket: expect.stringMatching(/^spartatoolkit-/),
      account: "123456789012",
      region: "us-east-1",
    });
  }, 120_000);

  it("--stage dev and --stage prod deploy side by side into the managed bucket, each with its settings", async () => {
    const bucket = JSON.parse((await sparta(["bootstrap", "--format", "json"])).stdout).bucket as string;
    for (const stage of ["dev", "prod"]) {
      const r = await sparta(["provision", "--stage", stage, "--yes", "--format", "json"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("--yes: deploying them without asking");
      expect(r.stderr).toMatch(new RegExp(`Artifacts: \\d+ uploaded, \\d+ already in s3://${bucket}\\b`));
      expect(JSON.parse(r.stdout)).toMatchObject({ kind: "created", stackName: `app-${stage}` });
    }
    const lambda = new LambdaClient({ ...emu.clientConfig, maxAttempts: 1 });
    for (const [stage, level] of [
      ["dev", "debug"],
      ["prod", "warn"],
    ] as const) {
      const stack = (await cfn().describeStacks({ StackName: `app-${stage}` })).Stacks?.[0];
      expect(stack?.StackStatus).toBe("CREATE_COMPLETE");
      expect(stack?.Tags).toEqual(expect.arrayContaining([{ Key: "sparta:stage", Value: stage }]));
      const arn = stack?.Outputs?.find((o) => o.OutputKey === "HelloArn")?.OutputValue;
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: arn }));
      expect(fn.Configuration?.Environment?.Variables).toMatchObject({
        SPARTA_STAGE: stage,
        LOG_LEVEL: level,
      });
    }
    // Side by side: no physical resource is shared by the two stages (an HTTP API stage's id, "$default", names
    // it within its own API, so it is no shared resource).
    const physical = async (stack: string) =>
      new Set(
        ((await cfn().listStackResources({ StackName: stack })).StackResourceSummaries ?? [])
          .filter((r) => r.ResourceType !== "AWS::ApiGatewayV2::Stage")
          .map((r) => r.PhysicalResourceId)
          .filter(Boolean), // the emulator leaves a few empty
      );
    const dev = await physical("app-dev");
    expect(dev.size).toBeGreaterThan(0);
    expect([...(await physical("app-prod"))].filter((id) => dev.has(id))).toEqual([]);
    const prod = (await cfn().describeStacks({ StackName: "app-prod" })).Stacks?.[0];
    expect(prod?.Tags).toEqual(expect.arrayContaining([{ Key: "cost", Value: "prod" }]));
    // Again: unchanged, nothing asked.
    const again = await sparta(["provision", "--stage", "dev", "--format", "json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).kind).toBe("unchanged");
  }, 600_000);

  it("an update granting more asks at a terminal: n leaves the stack as it is, y deploys it", async () => {
    const config = join(app, "sparta.config.ts");
    const original = readFileSync(config, "utf8");
    writeFileSync(
      config,
      original.replace(
        '      // privileges: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::my-bucket/*"] }],',
        '      privileges: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::my-bucket/*"] }],',
      ),
    );
    const questions: string[] = [];
    const asking = (answer: string) => ({
      interactive: true,
      ask: async (question: string) => {
        questions.push(question);
        return answer;
      },
    });
    const no = await runInProcess(
      ["provision", "--stage", "dev", "--format", "json"],
      app,
      emu.env,
      asking("n"),
    );
    expect(no.code, no.stderr).toBe(0);
    expect(no.stderr).toContain(
      "This deployment grants new permissions:\n  + HelloRole (AWS::IAM::Role): may s3:GetObject on arn:aws:s3:::my-bucket/*\n",
    );
    expect(questions).toEqual(["Deploy these changes to stack app-dev? [y/N] "]);
    expect(JSON.parse(no.stdout)).toMatchObject({
      kind: "unchanged",
      message: expect.stringMatching(/declined/),
    });
    const yes = await runInProcess(
      ["provision", "--stage", "dev", "--format", "json"],
      app,
      emu.env,
      asking("y"),
    );
    expect(yes.code, yes.stderr).toBe(0);
    expect(JSON.parse(yes.stdout).kind).toBe("updated");
    writeFileSync(config, original);
    // Taking the grant away again asks nothing (without a terminal, without --yes).
    const narrower = await sparta(["provision", "--stage", "dev", "--format", "json"]);
    expect(narrower.code, narrower.stderr).toBe(0);
    expect(JSON.parse(narrower.stdout).kind).toBe("updated");
  }, 300_000);

  it("--plan changes nothing, not even the tags", async () => {
    const r = await sparta([
      "provision",
      "--stage",
      "dev",
      "--plan",
      "--tag",
      "team=core",
      "--format",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: "planned", changes: [], tagChanges: ["+ team=core"] });
    const tags = (await cfn().describeStacks({ StackName: "app-dev" })).Stacks?.[0]?.Tags ?? [];
    expect(tags.map((t) => t.Key)).not.toContain("team");
  }, 120_000);

  it("describe --stage prod writes the report with its picture", async () => {
    const r = await sparta(["describe", "--stage", "prod", "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const { report, stackName, picture } = JSON.parse(r.stdout);
    expect(stackName).toBe("app-prod");
    expect(picture.nodes).toBeGreaterThanOrEqual(5); // API, 2 routes, hello, its log group
    const html = readFileSync(report, "utf8");
    expect(html).toMatch(/<svg [^>]*class="sparta-diagram"/);
    expect(html).toContain('data-function="hello"');
    expect(html).toContain("Stack <code>app-prod</code>");
  }, 120_000);

  it("a stage the service does not declare is refused with a suggestion", async () => {
    const r = await sparta(["provision", "--stage", "prd", "--yes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--stage prd: the service declares the stages dev, prod, not "prd"\. Did you mean prod\?/,
    );
  });

  it("status works with a lone AWS_DEFAULT_REGION, and with --profile from a credentials file alone", async () => {
    const { AWS_REGION: _region, ...env } = emu.env;
    const r = await runBinAsync(["status", "--stage", "dev", "--format", "json"], app, env);
    expect(r.code, `lone AWS_DEFAULT_REGION: ${r.stderr}`).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe("UPDATE_COMPLETE");

    const files = mkdtempSync(join(tmpdir(), "sparta-aws-"));
    writeFileSync(join(files, "config"), "[profile emu]\nregion = us-east-1\n");
    writeFileSync(
      join(files, "credentials"),
      "[emu]\naws_access_key_id = test\naws_secret_access_key = test\n",
    );
    const profileEnv = {
      AWS_ENDPOINT_URL: emu.endpoint,
      AWS_CONFIG_FILE: join(files, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(files, "credentials"),
    };
    const withProfile = await runBinAsync(
      ["status", "--stage", "prod", "--profile", "emu", "--format", "json"],
      app,
      profileEnv,
    );
    expect(withProfile.code, `--profile: ${withProfile.stderr}`).toBe(0);
    expect(JSON.parse(withProfile.stdout).status).toBe("CREATE_COMPLETE");
    const noProfile = await runBinAsync(["status", "--profile", "nope"], app, profileEnv);
    expect(noProfile.code).toBe(2);
    expect(noProfile.stderr).toMatch(/--profile nope: no such profile in .* \(profiles: emu\)/);
  }, 120_000);

  it("delete asks first: refused without a terminal, declined with n, done with --yes", async () => {
    const refused = await sparta(["delete", "--stage", "dev"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /refusing to delete stack app-dev in account 123456789012, region us-east-1 without a yes: stdin is not a terminal.* Pass --yes/,
    );
    const declined = await runInProcess(["delete", "--stage", "dev"], app, emu.env, {
      interactive: true,
      ask: async (question) => {
        expect(question).toMatch(
          /^Delete stack app-dev \(\d+ resources\) in account 123456789012, region us-east-1\? \[y\/N\] $/,
        );
        return "n";
      },
    });
    expect(declined.code, declined.stderr).toBe(0);
    expect(declined.stdout).toBe("app-dev: not deleted\n");
    expect(await stackStatus("app-dev")).toBe("UPDATE_COMPLETE");
  }, 120_000);

  it.runIf(hasScript)(
    "at a terminal, `y` deletes (util-linux script gives sparta a pseudo-terminal)",
    async () => {
      const command = [process.execPath, binPath, "delete", "--stage", "dev"].map((a) => `'${a}'`).join(" ");
      const r = spawnSync("script", ["-qec", command, "/dev/null"], {
        cwd: app,
        env: childEnv(emu.env),
        input: "y\n",
        encoding: "utf8",
        timeout: 120_000,
      });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(
        /Delete stack app-dev \(\d+ resources\) in account 123456789012, region us-east-1\? \[y\/N\]/,
      );
      expect(r.stdout).toContain("app-dev: deleted");
      expect(await stackStatus("app-dev")).toBeUndefined();
    },
    180_000,
  );

  it("delete --yes deletes stage prod; the dev stack is gone too", async () => {
    const r = await sparta(["delete", "--stage", "prod", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("app-prod: deleted\n");
    if (!hasScript) expect((await sparta(["delete", "--stage", "dev", "--yes"])).code).toBe(0);
    expect(await stackStatus("app-prod")).toBeUndefined();
    expect(await stackStatus("app-dev")).toBeUndefined();
    // The toolkit stays for the next deploys.
    expect(await stackStatus("SpartaToolkit")).toBe("CREATE_COMPLETE");
  }, 180_000);

  it("a toolkit stack whose bucket was deleted by hand is a clear error; bootstrap makes it again", async () => {
    const made = await sparta(["bootstrap", "--toolkit-stack-name", "OtherToolkit", "--format", "json"]);
    expect(made.code, made.stderr).toBe(0);
    const bucket = JSON.parse(made.stdout).bucket as string;
    const removed = await fetch(`${emu.endpoint}/${bucket}`, { method: "DELETE" });
    expect(removed.status).toBe(204);
    const r = await sparta(["provision", "--toolkit-stack-name", "OtherToolkit", "--yes"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      `error: the deployment bucket ${bucket} of stack OtherToolkit no longer exists (deleted by hand?); run \`sparta bootstrap\`, which makes a new one`,
    );
    const again = await sparta(["bootstrap", "--toolkit-stack-name", "OtherToolkit", "--format", "json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      `its bucket ${bucket} no longer exists; deleting the stack and making it again`,
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ kind: "created", recreated: true });
    expect(JSON.parse(again.stdout).bucket).not.toBe(bucket);
  }, 300_000);

  it("a stack that is not a toolkit is a clear error; --plan makes no toolkit", async () => {
    const other = await converge(
      { stackName: "NotAToolkit", template: { Resources: { Topic: { Type: "AWS::SNS::Topic" } } } },
      { cfn: cfn() },
    );
    expect(other.kind).toBe("created");
    const notToolkit = await sparta(["provision", "--toolkit-stack-name", "NotAToolkit", "--plan"]);
    expect(notToolkit.code).toBe(3);
    expect(notToolkit.stderr).toMatch(
      /error: stack NotAToolkit \(account 123456789012, region us-east-1\) has no ArtifactBucketName output: it is not a Sparta toolkit stack/,
    );
    const plan = await sparta(["provision", "--toolkit-stack-name", "NoSuchToolkit", "--plan"]);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(
      /--plan changes nothing, and there is no deployment bucket yet \(no stack NoSuchToolkit\): run `sparta bootstrap` first/,
    );
    expect(await stackStatus("NoSuchToolkit")).toBeUndefined();
  }, 120_000);
});
