// What `runPipeline` adds to each stage beyond the work its actions do (the build's commands, the CloudFormation
// calls): a small pipeline (Source -> Build -> Test with a change set and its execution) deployed to the local AWS
// emulator and run three times in this process. The baseline is the same buildspec's commands run straight in
// bash, in the same process. Run after `pnpm build`: `pnpm --filter @sparta/pipeline bench:run`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { converge } from "@sparta/converge";
import { startEmulator } from "@sparta/converge/testing";
import { createEnvironmentRegistry, parseGitHubRepo, pipelineTemplate, runPipeline } from "../dist/index.js";
import { CONNECTION_ARN, commitRepo, testPipeline } from "./fixture.mjs";

const COMMANDS = [
  "mkdir -p .sparta",
  "cp stack.json .sparta/cloudformation.json",
  "cp test.json .sparta/test.json",
];
const BUILDSPEC = [
  "version: 0.2",
  "phases:",
  "  build:",
  "    commands:",
  ...COMMANDS.map((c) => `      - ${c}`),
  "artifacts:",
  "  base-directory: .sparta",
  "  discard-paths: yes",
  "  files:",
  "    - cloudformation.json",
  "    - test.json",
  "",
].join("\n");
const STACK = {
  // The parameters every stage's change set passes (ParameterOverrides): the artifact bucket and the boundary.
  Parameters: {
    EnvMESSAGE: { Type: "String" },
    ArtifactBucket: { Type: "String" },
    SpartaPermissionsBoundary: { Type: "String" },
  },
  Resources: { Topic: { Type: "AWS::SNS::Topic", Properties: { DisplayName: { Ref: "EnvMESSAGE" } } } },
};

const emu = await startEmulator();
Object.assign(process.env, emu.env);
const work = mkdtempSync(join(tmpdir(), "bench-run-pipeline-"));
try {
  const repo = join(work, "repo");
  commitRepo(repo, {
    "stack.json": JSON.stringify(STACK),
    "test.json": JSON.stringify({ Parameters: { EnvMESSAGE: "hello" } }),
  });
  const template = testPipeline(
    { createEnvironmentRegistry, parseGitHubRepo, pipelineTemplate },
    "Bench",
    BUILDSPEC,
  );
  const deployed = await converge({
    stackName: "Bench",
    template,
    parameters: { ConnectionArn: CONNECTION_ARN },
  });
  if (deployed.kind === "failed") throw new Error(deployed.message);

  // Baseline: the buildspec's commands, straight in bash.
  const baseline = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    execFileSync("bash", ["-c", COMMANDS.join("\n")], { cwd: repo });
    baseline.push(performance.now() - t);
  }
  execFileSync("rm", ["-rf", join(repo, ".sparta")]);

  const rows = [];
  for (let i = 0; i < 3; i++) {
    const record = await runPipeline({
      template,
      stackName: "Bench",
      repositoryRoot: repo,
      source: "head",
      approve: { all: true, stages: [] },
      reject: [],
      runsDir: join(work, "runs"),
      env: process.env,
      say: () => {},
      stream: () => {},
      warn: () => {},
    });
    if (record.status !== "Succeeded") throw new Error(JSON.stringify(record, null, 2));
    for (const s of record.stages) rows.push({ run: i + 1, ...s });
  }
  const ms = (n) => `${n.toFixed(0).padStart(6)} ms`;
  const base = baseline.reduce((a, b) => a + b, 0) / baseline.length;
  console.log(`baseline: the build's ${COMMANDS.length} commands straight in bash: ${ms(base)}`);
  console.log("run stage        duration       work   overhead  (target: overhead < 1000 ms)");
  for (const r of rows) {
    const work = r.durationMs - r.overheadMs;
    console.log(
      `${String(r.run).padEnd(3)} ${r.name.padEnd(10)} ${ms(r.durationMs)} ${ms(work)} ${ms(r.overheadMs)}` +
        (r.name === "Build" ? `  (commands ${(work / base).toFixed(1)}x the baseline)` : ""),
    );
  }
  const worst = Math.max(...rows.map((r) => r.overheadMs));
  console.log(`worst overhead of a stage: ${ms(worst)} ${worst < 1000 ? "(under 1 s)" : "(OVER 1 s)"}`);
} finally {
  // The emulator's child is unref'd: without a handle here, waiting for it to exit would end the process (exit 13).
  const alive = setInterval(() => {}, 1000);
  await emu.stop();
  clearInterval(alive);
  rmSync(work, { recursive: true, force: true });
}
