import { execFileSync, spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudWatchClient, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";

// A throwaway git repository shaped like this monorepo (the example in examples/codepipeline, a pnpm lockfile at
// the root), so `sparta runPipeline` runs the example's real buildspec end to end without installing or building
// the workspace each time: the `pnpm` and `corepack` on the build's PATH are test doubles (`bin/` below) whose
// `install` links the workspace's already-installed node_modules and whose `run build` does nothing (the workspace
// packages are built before the tests run). Every other command of the buildspec is real: `pnpm exec sparta
// provision` (forwarded to the workspace's sparta), the AWS CLI's `aws s3 cp`, `unzip`.

export const exampleDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const spartaBin = join(
  dirname(createRequire(import.meta.url).resolve("@sparta/cli/package.json")),
  "dist",
  "bin.js",
);
const EXAMPLE_FILES = ["sparta.config.ts", "package.json", "tsconfig.json", "src"];

const PNPM_DOUBLE = `#!/bin/sh
# Test double of pnpm (see test/runpipeline-repo.ts): the workspace is installed and built already.
case "$1" in
  install) for d in . examples/codepipeline; do ln -sfn "$SPARTA_TEST_NODE_MODULES" "$d/node_modules"; done; echo "linked the workspace's node_modules";;
  run) echo "pnpm run $2: the workspace is built already";;
  exec) shift; bin="$1"; shift; exec "$PWD/node_modules/.bin/$bin" "$@";;
  *) echo "pnpm test double: unexpected pnpm $*" >&2; exit 2;;
esac
`;

/**
 * Puts a Node.js of `major` (the version the example's buildspec asks for) where nvm keeps its Nodes under `home`,
 * as a user with nvm has it: runPipeline finds it there when the `node` on PATH is another version. The binary is
 * the running Node when it is that major, else the npm registry's `node@<major>` that scripts/node-binary.mjs
 * installs into the repository's .tools/ (once).
 */
export function provideNode(home: string, major: number): void {
  const script = join(exampleDir, "..", "..", "scripts", "node-binary.mjs");
  const node = execFileSync(process.execPath, [script, String(major)], { encoding: "utf8" }).trim();
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  const bin = join(home, ".nvm", "versions", "node", version, "bin");
  mkdirSync(bin, { recursive: true });
  execFileSync("ln", ["-sfn", node, join(bin, "node")]);
}

/** The repository and connection both pipelines of the runPipeline tests are provisioned with. */
export const REPO = ["--repo", "https://github.com/acme/sparta-hello#master"];
export const CONNECTION = [
  "--connection",
  "arn:aws:codestar-connections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6789",
];

/** The environment `sparta` runs with in these tests: the emulator's, the doubles first on PATH, a gate of 0 s. */
export function runEnv(
  emulatorEnv: Record<string, string>,
  repo: TestRepo,
  home: string,
): Record<string, string> {
  return {
    ...emulatorEnv,
    PATH: repo.path,
    HOME: home,
    SPARTA_TEST_NODE_MODULES: join(repo.serviceDir, "node_modules"),
    SPARTA_GATE_MINUTE_SECONDS: "0",
  };
}

/**
 * Puts the alarms a stage's promotion gate watches (OK, as new alarms with no data are) into the emulator's
 * CloudWatch, as the stage stack's `alarms()` would create them.
 */
export async function putGateAlarms(
  clientConfig: ConstructorParameters<typeof CloudWatchClient>[0],
  names: Iterable<string>,
): Promise<void> {
  const cw = new CloudWatchClient({ ...clientConfig, maxAttempts: 1 });
  for (const AlarmName of names) {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName,
        MetricName: "Errors",
        Namespace: "AWS/Lambda",
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      }),
    );
  }
}

export interface TestRepo {
  root: string;
  serviceDir: string;
  /** PATH with the doubles first (and the AWS CLI's own folder, to skip pyenv's shim). */
  path: string;
  commit(message: string, files?: Record<string, string>): string;
  read(file: string): string;
}

function git(root: string, ...args: string[]): string {
  return execFileSync("git", ["-C", root, ...args], { encoding: "utf8" }).trim();
}

export function makeTestRepo(root: string): TestRepo {
  const serviceDir = join(root, "examples", "codepipeline");
  mkdirSync(serviceDir, { recursive: true });
  for (const f of EXAMPLE_FILES) cpSync(join(exampleDir, f), join(serviceDir, f), { recursive: true });
  writeFileSync(
    join(root, "package.json"),
    `${JSON.stringify({ name: "sparta-hello", private: true, scripts: { build: "true" } }, null, 2)}\n`,
  );
  writeFileSync(join(root, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
  writeFileSync(join(root, ".gitignore"), "node_modules\n.sparta/\n");
  // The CLI runs in the service folder of the repository, with the workspace's packages.
  execFileSync("ln", ["-sfn", join(exampleDir, "node_modules"), join(serviceDir, "node_modules")]);
  const bin = join(root, "..", "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "pnpm"), PNPM_DOUBLE);
  writeFileSync(join(bin, "corepack"), '#!/bin/sh\necho "corepack $*: test double, nothing to enable"\n');
  chmodSync(join(bin, "pnpm"), 0o755);
  chmodSync(join(bin, "corepack"), 0o755);
  git(root, "init", "-q", "-b", "master");
  git(root, "config", "user.email", "test@example.com");
  git(root, "config", "user.name", "test");
  const awsDir = ["/root/.pyenv/versions/3.11.7/bin"].find((d) => existsSync(join(d, "aws")));
  const path = [bin, ...(awsDir ? [awsDir] : []), process.env.PATH ?? ""].join(":");
  const repo: TestRepo = {
    root,
    serviceDir,
    path,
    commit(message, files = {}) {
      for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
      git(root, "add", "-A");
      git(root, "commit", "-q", "--allow-empty", "-m", message);
      return git(root, "rev-parse", "HEAD");
    },
    read: (file) => readFileSync(join(root, file), "utf8"),
  };
  repo.commit("the example");
  return repo;
}

export function sparta(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [spartaBin, ...args], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}
