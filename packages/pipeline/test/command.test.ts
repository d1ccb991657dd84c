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
import type { ConvergeInput, ConvergeResult } from "@sparta/converge";
import { addAlarms } from "@sparta/operations";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type CodePipelineOptions,
  codePipeline,
  DeployPipelineError,
  DuplicateEnvironmentError,
  environmentsDecorator,
  InvalidPipelineOptionsError,
  InvalidRepoUrlError,
  type PipelineCommandContext,
  pipelineEnvironments,
  provisionPipeline,
  registerEnvironment,
  SourceCredentialsError,
  UnknownEnvironmentError,
} from "../src/index.js";
import { builtForPipeline, fixture } from "./golden.js";

const TOKEN = "ghp_S3cr3tT0k3nThatMustNeverLeak0123456789";
const CONNECTION =
  "arn:aws:codestar-connections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789";

let root: string;
let serviceDir: string;

beforeEach(() => {
  // A repository with a pnpm lockfile at its root and the service in a subfolder, like this monorepo.
  root = mkdtempSync(join(tmpdir(), "pipeline-command-"));
  mkdirSync(join(root, ".git"));
  writeFileSync(join(root, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
  serviceDir = join(root, "services", "hello");
  mkdirSync(serviceDir, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A CommandContext like @sparta/cli's: records what the command reports, prints and builds. */
function context(flags: PipelineCommandContext["flags"], noop: boolean) {
  const log: string[] = [];
  const printed: string[] = [];
  let builds = 0;
  const ctx: PipelineCommandContext = {
    service: { name: "SpartaCodePipeline" },
    serviceDir,
    reporter: {
      info: (m) => log.push(`info ${m}`),
      warn: (m) => log.push(`warn ${m}`),
      debug: (m) => log.push(`debug ${m}`),
      progress: (m) => log.push(`progress ${m}`),
      event: (m) => log.push(`event ${m}`),
    },
    options: { noop },
    flags,
    async build() {
      builds++;
      return { template: builtForPipeline(JSON.parse(fixture("hello-service.json"))) };
    },
    result: (value, text) => printed.push(JSON.stringify(value), text ?? ""),
  };
  return { ctx, log, printed, builds: () => builds };
}

function pipeline(options: CodePipelineOptions = {}) {
  const p = codePipeline(options);
  p.registerEnvironment("test", { MESSAGE: "Hello from test" });
  p.registerEnvironment("production", { MESSAGE: "Hello from production" });
  return p;
}

const good = {
  pipeline: "SpartaCodePipeline",
  repo: "https://github.com/acme/hello#master",
  connection: CONNECTION,
};

/** Every file the command wrote, as text. */
function written(): string {
  const dir = join(serviceDir, ".sparta");
  if (!existsSync(dir)) return "";
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");
}

describe("provisionPipeline --noop", () => {
  it("writes and prints .sparta/pipeline.json and .sparta/buildspec.yml, deploying nothing", async () => {
    const converged: ConvergeInput[] = [];
    const p = pipeline({
      converge: async (input) => {
        converged.push(input);
        throw new Error("must not be called");
      },
    });
    const { ctx, printed, builds } = context(good, true);
    expect(await p.command.run(ctx)).toBe(0);
    expect(builds()).toBe(1);
    expect(converged).toEqual([]);
    const template = JSON.parse(readFileSync(join(serviceDir, ".sparta", "pipeline.json"), "utf8"));
    expect(template.Parameters.ConnectionArn.Type).toBe("String");
    expect(template.Resources.Pipeline.Properties.Stages.map((s: { Name: string }) => s.Name)).toEqual([
      "Source",
      "Build",
      "Test",
      "Production",
    ]);
    const spec = readFileSync(join(serviceDir, ".sparta", "buildspec.yml"), "utf8");
    expect(spec).toContain("pnpm install --frozen-lockfile");
    expect(spec).toContain('cd "$CODEBUILD_SRC_DIR/services/hello"');
    expect(spec).toContain("base-directory: services/hello/.sparta");
    expect(template.Resources.BuildProject.Properties.Source.BuildSpec).toBe(spec);
    const text = printed[1]!;
    expect(text).toContain('"AWS::CodePipeline::Pipeline"');
    expect(text).toContain("test -> Test-SpartaCodePipeline-master (manual approval)");
    expect(text).toContain("production -> Prod-SpartaCodePipeline-master (manual approval)");
  });

  it("promotes production when the test stack's alarms, named from the built template, stay quiet", async () => {
    const p = pipeline({
      stages: [
        { environment: "test", approval: "none" },
        { environment: "production", approval: { gate: "alarms", quietMinutes: 15 } },
      ],
    });
    const { ctx, printed } = context(good, true);
    // The service as built with alarms() of @sparta/operations among its decorators.
    ctx.build = async () => ({
      template: addAlarms(builtForPipeline(JSON.parse(fixture("hello-service.json")))),
    });
    expect(await p.command.run(ctx)).toBe(0);
    const template = JSON.parse(readFileSync(join(serviceDir, ".sparta", "pipeline.json"), "utf8"));
    const names = ["ErrorRate", "Throttles", "Duration"].map(
      (k) => `Test-SpartaCodePipeline-master-HelloFunction-${k}`,
    );
    const variables = template.Resources.PromotionGateProduction.Properties.Environment.EnvironmentVariables;
    expect(variables[0]).toEqual({ Name: "SPARTA_ALARMS", Type: "PLAINTEXT", Value: names.join(" ") });
    expect(JSON.stringify(template.Resources.DeployRole)).toContain("alarm:Prod-SpartaCodePipeline-master-*");
    expect(printed[1]).toContain("test -> Test-SpartaCodePipeline-master (no approval)");
    expect(printed[1]).toContain(
      `production -> Prod-SpartaCodePipeline-master (alarm gate: ${names.join(", ")} quiet for 15 min)`,
    );
  });

  it("refuses an alarm gate when the built service has no alarms, naming alarms() as the fix", async () => {
    const p = pipeline({
      stages: [
        { environment: "test" },
        { environment: "production", approval: { gate: "alarms", quietMinutes: 5 } },
      ],
    });
    const { ctx } = context(good, true);
    await expect(p.command.run(ctx)).rejects.toThrow(/has no alarms\. Add alarms\(\) of @sparta\/operations/);
    expect(existsSync(join(serviceDir, ".sparta", "pipeline.json"))).toBe(false);
  });

  it("scopes the deploy role to the service's resource types", async () => {
    const { ctx } = context(good, true);
    await pipeline().command.run(ctx);
    const template = JSON.parse(readFileSync(join(serviceDir, ".sparta", "pipeline.json"), "utf8"));
    const actions = JSON.stringify(template.Resources.DeployRole.Properties.Policies);
    expect(actions).toContain("lambda:CreateFunction");
    expect(actions).not.toContain("apigateway:");
  });
});

describe("provisionPipeline without --s3Bucket", () => {
  it("deploys the template inline and keeps function code in the pipeline's own artifact bucket", async () => {
    const converged: ConvergeInput[] = [];
    const converge = async (input: ConvergeInput) => {
      converged.push(input);
      return { kind: "created", stackName: input.stackName, outputs: {}, events: [] } as ConvergeResult;
    };
    const { ctx, printed } = context(good, false);
    expect(await pipeline({ converge }).command.run(ctx)).toBe(0);
    expect(converged).toHaveLength(1);
    expect(converged[0]!.bucket).toBeUndefined();
    expect(converged[0]!.parameters).toEqual({ ConnectionArn: CONNECTION });
    expect(JSON.stringify(converged[0]!.template).length).toBeLessThan(51_200);
    const template = converged[0]!.template as {
      Resources: { BuildProject: { Properties: { Environment: { EnvironmentVariables: unknown } } } };
    };
    const build = template.Resources.BuildProject.Properties.Environment.EnvironmentVariables;
    expect(build).toEqual([
      { Name: "SPARTA_S3_BUCKET", Type: "PLAINTEXT", Value: { Ref: "ArtifactBucket" } },
    ]);
    expect(printed[1]).toContain("SpartaCodePipeline: created");
  });
});

describe("provisionPipeline with a GitHub token", () => {
  it("passes the token only as the NoEcho parameter's value: never in a template, file, log or printed result", async () => {
    const converged: ConvergeInput[] = [];
    const converge = async (
      input: ConvergeInput,
      deps?: { reporter?: { info?(m: string): void; warn?(m: string): void } },
    ) => {
      converged.push(input);
      // A chatty engine: whatever it reports goes through the command's reporter.
      deps?.reporter?.info?.(`parameters: ${JSON.stringify(input.parameters)}`);
      deps?.reporter?.warn?.(`token ${TOKEN} looks old`);
      return {
        kind: "created",
        stackName: input.stackName,
        outputs: { PipelineName: "p-1" },
        events: [],
      } as ConvergeResult;
    };
    for (const noop of [true, false]) {
      const { ctx, log, printed } = context(
        { ...good, connection: undefined, oauth: TOKEN, s3Bucket: "my-artifacts" },
        noop,
      );
      expect(await pipeline({ converge, pullRequests: true }).command.run(ctx)).toBe(0);
      const everything = [log.join("\n"), printed.join("\n"), written()].join("\n");
      expect(everything.length).toBeGreaterThan(1000);
      expect(everything).not.toContain(TOKEN);
      expect(everything).not.toContain(TOKEN.slice(4, 20));
    }
    expect(converged).toHaveLength(1);
    const [input] = converged;
    expect(input!.parameters).toEqual({ GitHubOAuthToken: TOKEN });
    expect(JSON.stringify(input!.template)).not.toContain(TOKEN);
    expect(input).toMatchObject({ stackName: "SpartaCodePipeline", bucket: "my-artifacts" });
  });

  it("reads the token from standard input with --oauth -, and warns when it is typed on the command line", async () => {
    const converged: ConvergeInput[] = [];
    const converge = async (input: ConvergeInput) => {
      converged.push(input);
      return { kind: "created", stackName: input.stackName, outputs: {}, events: [] } as ConvergeResult;
    };
    const stdin = (async function* () {
      yield `${TOKEN}\n`;
    })();
    const piped = context({ ...good, connection: undefined, oauth: "-" }, false);
    expect(await pipeline({ converge, stdin }).command.run(piped.ctx)).toBe(0);
    expect(converged[0]!.parameters).toEqual({ GitHubOAuthToken: TOKEN });
    expect(piped.log.filter((l) => l.startsWith("warn"))).toEqual([]);

    const typed = context({ ...good, connection: undefined, oauth: TOKEN }, true);
    expect(await pipeline().command.run(typed.ctx)).toBe(0);
    const warning = typed.log.find((l) => l.startsWith("warn --oauth"));
    expect(warning).toMatch(/visible to other users of this machine/);
    expect(warning).toContain("--oauth - < token.txt");
    expect(typed.log.join("\n")).not.toContain(TOKEN);

    // From the environment (SPARTA_OAUTH, which the CLI reads into the flag) there is nothing to warn about.
    process.env.SPARTA_OAUTH = TOKEN;
    try {
      const fromEnv = context({ ...good, connection: undefined, oauth: TOKEN }, true);
      expect(await pipeline().command.run(fromEnv.ctx)).toBe(0);
      expect(fromEnv.log.filter((l) => l.startsWith("warn"))).toEqual([]);
    } finally {
      delete process.env.SPARTA_OAUTH;
    }

    const empty = context({ ...good, connection: undefined, oauth: "-" }, true);
    const none = (async function* () {})();
    await expect(pipeline({ stdin: none }).command.run(empty.ctx)).rejects.toThrow(
      /--oauth -: standard input held no token/,
    );
  });

  it("says pull-request builds with a token use the Region's imported GitHub credential, which it leaves alone", async () => {
    const { ctx, log } = context(
      { ...good, connection: undefined, oauth: "secretsmanager:github/token" },
      true,
    );
    expect(await pipeline({ pullRequests: true }).command.run(ctx)).toBe(0);
    expect(log.join("\n")).toMatch(
      /neither creates nor replaces: import it once \(`aws codebuild import-source-credentials/,
    );
    const template = JSON.parse(readFileSync(join(serviceDir, ".sparta", "pipeline.json"), "utf8"));
    expect(JSON.stringify(template)).not.toContain("AWS::CodeBuild::SourceCredential");
  });

  it("turns a failed converge into a DeployPipelineError naming the root cause, with the token removed", async () => {
    const converge = async (input: ConvergeInput) =>
      ({
        kind: "failed",
        stackName: input.stackName,
        outputs: {},
        events: [],
        message: `rolled back (token ${TOKEN})`,
        rootCause: [
          {
            eventId: "1",
            stackId: "s",
            stackName: input.stackName,
            logicalId: "Pipeline",
            resourceType: "AWS::CodePipeline::Pipeline",
            status: "CREATE_FAILED",
            reason: "Webhook could not be registered",
            timestamp: "2026-01-01T00:00:00Z",
          },
        ],
      }) as ConvergeResult;
    const { ctx } = context(
      { ...good, connection: undefined, oauth: TOKEN, s3Bucket: "my-artifacts" },
      false,
    );
    const error = await pipeline({ converge })
      .command.run(ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployPipelineError);
    expect((error as Error).message).toContain("Pipeline CREATE_FAILED: Webhook could not be registered");
    expect((error as Error).message).not.toContain(TOKEN);
  });

  it("uses a Secrets Manager secret as a dynamic reference, with no parameter at all", async () => {
    const { ctx } = context(
      { ...good, connection: undefined, oauth: "secretsmanager:github/token#token" },
      true,
    );
    await pipeline().command.run(ctx);
    const template = JSON.parse(readFileSync(join(serviceDir, ".sparta", "pipeline.json"), "utf8"));
    expect(template.Parameters).toBeUndefined();
    expect(template.Resources.Pipeline.Properties.Stages[0].Actions[0].Configuration.OAuthToken).toBe(
      "{{resolve:secretsmanager:github/token:SecretString:token}}",
    );
  });
});

describe("provisionPipeline rejects bad input before building anything", () => {
  const cases: [
    string,
    PipelineCommandContext["flags"],
    (new (...a: never[]) => Error) | typeof Error,
    RegExp,
  ][] = [
    [
      "no --pipeline",
      { ...good, pipeline: undefined },
      InvalidPipelineOptionsError,
      /needs --pipeline, e\.g\./,
    ],
    [
      "a malformed --repo",
      { ...good, repo: "github.com/acme" },
      InvalidRepoUrlError,
      /--repo "github.com\/acme"/,
    ],
    [
      "a non-GitHub --repo",
      { ...good, repo: "https://gitlab.com/a/b" },
      InvalidRepoUrlError,
      /not github\.com/,
    ],
    [
      "no token or connection",
      { ...good, connection: undefined },
      SourceCredentialsError,
      /no --connection or --oauth/,
    ],
    [
      "both token and connection",
      { ...good, oauth: TOKEN },
      SourceCredentialsError,
      /Both --connection and --oauth/,
    ],
    [
      "a bad connection ARN",
      { ...good, connection: "conn-123" },
      SourceCredentialsError,
      /not a CodeStar connection ARN/,
    ],
    [
      "an empty secret id",
      { ...good, connection: undefined, oauth: "secretsmanager:" },
      SourceCredentialsError,
      /needs a secret name/,
    ],
  ];

  it.each(cases)("%s", async (_name, flags, type, message) => {
    const { ctx, builds } = context(flags, true);
    const error = await pipeline()
      .command.run(ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(TOKEN);
    expect(builds()).toBe(0);
    expect(existsSync(join(serviceDir, ".sparta"))).toBe(false);
  });

  it("an unknown environment in a stage", async () => {
    const { ctx, builds } = context(good, true);
    const p = pipeline({ stages: [{ environment: "test" }, { environment: "staging" }] });
    await expect(p.command.run(ctx)).rejects.toThrow(UnknownEnvironmentError);
    await expect(p.command.run(ctx)).rejects.toThrow(
      /stage 2 deploys environment "staging", which is not registered/,
    );
    expect(builds()).toBe(0);
  });

  it("a duplicate environment (rejected when registered, so the service file fails to load)", () => {
    const p = pipeline();
    expect(() => p.registerEnvironment("production", { MESSAGE: "again" })).toThrow(
      DuplicateEnvironmentError,
    );
    expect(p.environments().map((e) => e.name)).toEqual(["test", "production"]);
  });

  it("no environment at all", async () => {
    const { ctx, builds } = context(good, true);
    await expect(codePipeline().command.run(ctx)).rejects.toThrow(/no environment to deploy to/);
    expect(builds()).toBe(0);
  });

  it("reports environments whose keys differ as a warning", async () => {
    const p = codePipeline();
    p.registerEnvironment("test", { MESSAGE: "a", DEBUG: "1" });
    p.registerEnvironment("production", { MESSAGE: "b" });
    const { ctx, log } = context(good, true);
    await p.command.run(ctx);
    expect(log).toContain(
      'warn Environment "production" lacks DEBUG compared with "test". Functions read an empty string for a key an environment does not set; give every environment the same keys.',
    );
  });
});

describe("provisionPipeline() over the process-wide registry", () => {
  it("uses the environments of registerEnvironment, in registration order", async () => {
    registerEnvironment("global-test", { MESSAGE: "from test" });
    registerEnvironment("global-prod", { MESSAGE: "from prod" });
    const { ctx } = context(good, true);
    const command = provisionPipeline({
      stages: [{ environment: "global-test" }, { environment: "global-prod" }],
    });
    expect(command.name).toBe("provisionPipeline");
    expect(await command.run(ctx)).toBe(0);
    const template = JSON.parse(readFileSync(join(serviceDir, ".sparta", "pipeline.json"), "utf8"));
    expect(template.Resources.Pipeline.Properties.Stages.map((s: { Name: string }) => s.Name)).toEqual([
      "Source",
      "Build",
      "GlobalTest",
      "GlobalProd",
    ]);
    const service = builtForPipeline(JSON.parse(fixture("hello-service.json")));
    environmentsDecorator(pipelineEnvironments)({ template: service });
    expect(service.Parameters.EnvMESSAGE.Default).toBe("from test");
  });
});

describe("codePipeline() commands", () => {
  it("gives provisionPipeline and runPipeline; `command` is still provisionPipeline", () => {
    const p = pipeline();
    expect(p.commands.map((c) => c.name)).toEqual(["provisionPipeline", "runPipeline"]);
    expect(p.command).toBe(p.commands[0]);
    expect(p.runCommand).toBe(p.commands[1]);
    expect(Object.keys(p.runCommand.flags)).toEqual(
      expect.arrayContaining([
        "pipeline",
        "repo",
        "connection",
        "oauth",
        "approve",
        "reject",
        "from",
        "source",
        "concurrency",
      ]),
    );
    expect(p.runCommand.flags.approve!.multiple).toBe(true);
  });

  it("runPipeline checks its flags before it builds anything", async () => {
    const { ctx, builds } = context({ ...good, source: "index" }, false);
    await expect(pipeline().runCommand.run(ctx)).rejects.toThrow(
      "--source index: use head (the committed HEAD, default) or working-tree.",
    );
    for (const concurrency of ["0", "two", "1.5"]) {
      const bad = context({ ...good, concurrency }, false);
      await expect(pipeline().runCommand.run(bad.ctx)).rejects.toThrow(
        `--concurrency ${concurrency}: give a whole number of 1 or more, e.g. --concurrency 2`,
      );
    }
    const noop = context(good, true);
    await expect(pipeline().runCommand.run(noop.ctx)).rejects.toThrow(
      /runPipeline deploys the stage stacks, so it has no --noop/,
    );
    const bare = context({ repo: good.repo }, false);
    await expect(pipeline().runCommand.run(bare.ctx)).rejects.toThrow(
      "runPipeline needs --pipeline, e.g. --pipeline SpartaCodePipeline.",
    );
    expect(builds()).toBe(0);
  });
});
