import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type BuildActionInput, runBuildAction } from "../src/run/codebuild.js";
import { createRedactor } from "../src/run/secrets.js";

// CodeBuild's documented behaviour, run on this machine: one shell session for the phases (buildspec 0.2),
// finally blocks, on-failure, the precedence of environment variables (start-build/action > project >
// buildspec), exported variables and the artifacts section. The secret resolver is a fake: it stands for
// Parameter Store and Secrets Manager and returns fixed values.
const work = mkdtempSync(join(tmpdir(), "run-codebuild-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
async function build(buildspec: string, extra: Partial<BuildActionInput> = {}) {
  const dir = join(work, `src${n++}`);
  mkdirSync(join(dir, "sub", "deep"), { recursive: true });
  writeFileSync(join(dir, "a.txt"), "a");
  writeFileSync(join(dir, "sub", "b.json"), "{}");
  writeFileSync(join(dir, "sub", "deep", "c.json"), "{}");
  const lines: string[] = [];
  const redact = createRedactor();
  const result = await runBuildAction({
    projectName: "hello-build",
    project: {
      Source: { BuildSpec: buildspec },
      Environment: {
        Image: "aws/codebuild/standard:7.0",
        EnvironmentVariables: [
          { Name: "FROM_PROJECT", Value: "project" },
          { Name: "BOTH", Value: "project" },
        ],
      },
    },
    actionVariables: [],
    inputs: [{ name: "SourceOutput", dir, location: { bucket: "artifacts", key: "p/SourceOutp/abc1234" } }],
    outputs: [],
    pipelineName: "hello",
    region: "eu-west-1",
    account: "123456789012",
    partition: "aws",
    commit: "0123456789abcdef0123456789abcdef01234567",
    baseEnv: { PATH: process.env.PATH, HOME: process.env.HOME, FROM_MACHINE: "machine" },
    secrets: {
      parameter: async (name) => `param-value-of-${name}`,
      secret: async (ref) => `secret-value-of-${ref}`,
    },
    redact,
    output: (line) => lines.push(line),
    ...extra,
  });
  return { result, lines, out: lines.join("\n"), dir };
}

const spec = (phases: string, rest = "") => `version: 0.2\n${rest}phases:\n${phases}`;

describe("runBuildAction", () => {
  it("keeps one shell session across commands and phases, as CodeBuild does with buildspec 0.2", async () => {
    const { result, out } = await build(
      spec(`  install:
    commands:
      - export FOO=from-install
      - BAR=shell-variable
      - cd sub
  build:
    commands:
      - echo "FOO=$FOO BAR=$BAR PWD=$(basename $PWD)"
`),
    );
    expect(result.status).toBe("Succeeded");
    expect(out).toContain("FOO=from-install BAR=shell-variable PWD=sub");
    expect(result.commands.map((c) => `${c.phase}:${c.exitCode}`)).toEqual([
      "install:0",
      "install:0",
      "install:0",
      "build:0",
    ]);
  });

  it("sets CodeBuild's variables and the variables in CodeBuild's order of precedence", async () => {
    const { out } = await build(
      spec(
        `  build:
    commands:
      - echo "src=$CODEBUILD_SRC_DIR ver=$CODEBUILD_RESOLVED_SOURCE_VERSION id=$CODEBUILD_BUILD_ID"
      - echo "source=$CODEBUILD_SOURCE_VERSION initiator=$CODEBUILD_INITIATOR ok=$CODEBUILD_BUILD_SUCCEEDING region=$AWS_REGION"
      - echo "machine=$FROM_MACHINE spec=$FROM_SPEC project=$FROM_PROJECT both=$BOTH action=$FROM_ACTION"
`,
        "env:\n  variables:\n    FROM_SPEC: spec\n    BOTH: spec\n",
      ),
      { actionVariables: [{ name: "FROM_ACTION", value: "action" }] },
    );
    expect(out).toMatch(
      /src=\S+src\d+ ver=0123456789abcdef0123456789abcdef01234567 id=hello-build:[0-9a-f-]{36}/,
    );
    expect(out).toContain(
      "source=arn:aws:s3:::artifacts/p/SourceOutp/abc1234 initiator=codepipeline/hello ok=1 region=eu-west-1",
    );
    expect(out).toContain("machine=machine spec=spec project=project both=project action=action");
  });

  it("reads parameter-store and secrets-manager values and never prints them", async () => {
    const { out } = await build(
      spec(
        `  build:
    commands:
      - echo "token is $TOKEN and db is $DB"
`,
        "env:\n  parameter-store:\n    TOKEN: /hello/token\n  secrets-manager:\n    DB: hello/db:password\n",
      ),
    );
    expect(out).toContain("token is *** and db is ***");
    expect(out).not.toContain("param-value-of");
    expect(out).not.toContain("secret-value-of");
  });

  it("runs finally after a failing command, skips the rest of the phase and the phases after install/pre_build", async () => {
    const { result, out } = await build(
      spec(`  pre_build:
    commands:
      - echo before
      - echo to-stderr >&2; false
      - echo never
    finally:
      - echo cleanup
  build:
    commands:
      - echo not-built
`),
    );
    expect(result.status).toBe("Failed");
    expect(out).toContain("cleanup");
    expect(out).not.toContain("never");
    expect(out).not.toMatch(/^not-built$/m);
    expect(result.failure).toMatchObject({
      phase: "pre_build",
      command: "echo to-stderr >&2; false",
      exitCode: 1,
    });
    expect(result.failure?.tail).toContain("to-stderr");
    expect(result.phases.map((p) => `${p.name}:${p.status}`)).toEqual([
      "install:SUCCEEDED",
      "pre_build:FAILED",
      "build:SKIPPED",
      "post_build:SKIPPED",
    ]);
    expect(result.message).toContain("exit status 1");
  });

  it("runs post_build after a failed build with CODEBUILD_BUILD_SUCCEEDING=0, and goes on after on-failure: CONTINUE", async () => {
    const { result, out } = await build(
      spec(`  pre_build:
    on-failure: CONTINUE
    commands:
      - exit 3
  build:
    commands:
      - echo "building anyway, succeeding=$CODEBUILD_BUILD_SUCCEEDING"
  post_build:
    commands:
      - echo "post_build ran"
`),
    );
    expect(result.status).toBe("Failed");
    expect(result.failure).toMatchObject({ command: "exit 3", exitCode: 3 });
    expect(out).toContain("building anyway, succeeding=0");
    expect(out).toContain("post_build ran");
  });

  it("exports the variables the buildspec names", async () => {
    const { result } = await build(
      spec(
        `  build:
    commands:
      - export VERSION=1.2.3
      - NOTE="two words"
`,
        "env:\n  exported-variables:\n    - VERSION\n    - NOTE\n    - UNSET\n",
      ),
    );
    expect(result.exportedVariables).toEqual({ VERSION: "1.2.3", NOTE: "two words", UNSET: "" });
  });

  it("collects artifacts: files, base-directory, discard-paths, exclude-paths and secondary artifacts", async () => {
    const artifacts = `artifacts:
  files:
    - "**/*.json"
  exclude-paths:
    - sub/deep/*
  secondary-artifacts:
    Flat:
      base-directory: sub
      discard-paths: yes
      files:
        - "**/*"
`;
    const { result } = await build(spec("  build:\n    commands:\n      - true\n", "") + artifacts, {
      outputs: ["Main", "Flat"],
    });
    expect(result.status).toBe("Succeeded");
    expect(result.outputs.map((o) => [o.name, o.files.map((f) => f.name)])).toEqual([
      ["Main", ["sub/b.json"]],
      ["Flat", ["b.json", "c.json"]],
    ]);
    await expect(
      build(`${spec("  build:\n    commands:\n      - true\n")}artifacts:\n  files:\n    - missing/*\n`, {
        outputs: ["Main"],
      }),
    ).rejects.toThrow(/no matching artifact paths found \(files missing\/\*\)/);
  });

  it("names a runtime this machine does not have, with the version and how to get it", async () => {
    const { preflightBuild } = await import("../src/run/codebuild.js");
    const project = (v: string) => ({
      Source: { BuildSpec: spec(`  install:\n    runtime-versions:\n      nodejs: ${v}\n`) },
    });
    const major = process.versions.node.split(".")[0]!;
    await expect(preflightBuild(project(major), "p", process.env)).resolves.toBeDefined();
    await expect(preflightBuild(project("8"), "hello-build", process.env)).rejects.toThrow(
      new RegExp(
        `nodejs 8: this machine has nodejs ${process.versions.node.replaceAll(".", "\\.")} \\(and no nodejs 8 in nvm, [^;]*\\); install Node\\.js 8`,
      ),
    );
    await expect(preflightBuild(project("20"), "p", { PATH: "/nonexistent", HOME: work })).rejects.toThrow(
      /nodejs 20: `node` is not on PATH \(and no nodejs 20 in nvm, fnm, Volta, asdf, mise, n or \.tools\/node<major>\); install Node\.js 20/,
    );
  });

  it("uses a matching Node of a version manager, first on the build's PATH, as CodeBuild's image switches runtimes", async () => {
    // An nvm layout under a HOME of its own: ~/.nvm/versions/node/v<version>/bin/node (a stand-in printing its version).
    const home = join(work, "home-nvm");
    for (const v of ["v7.1.0", "v7.3.0", "v6.0.0"]) {
      const bin = join(home, ".nvm", "versions", "node", v, "bin");
      mkdirSync(bin, { recursive: true });
      writeFileSync(join(bin, "node"), `#!/bin/sh\necho ${v}\n`, { mode: 0o755 });
    }
    const { result, out } = await build(
      spec(
        "  install:\n    runtime-versions:\n      nodejs: 7\n  build:\n    commands:\n      - node --version\n",
      ),
      { baseEnv: { PATH: process.env.PATH, HOME: home } },
    );
    expect(result.status).toBe("Succeeded");
    expect(out).toContain(
      `(runtime-versions: using ${join(home, ".nvm", "versions", "node", "v7.3.0", "bin")})`,
    );
    expect(out).toMatch(/^v7\.3\.0$/m);
  });

  it("refuses buildspec versions other than 0.2", async () => {
    await expect(build("version: 0.1\nphases:\n  build:\n    commands:\n      - true\n")).rejects.toThrow(
      /has version "?0\.1"?; runPipeline runs version 0\.2/,
    );
  });
});
