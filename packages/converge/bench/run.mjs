// Unchanged-deploy benchmark, side by side in one run against the local AWS emulator (started and stopped here):
//   - converge in-process: API calls (counted by an SDK middleware) and wall time of a no-op converge;
//   - converge as a user runs it: a fresh `node` process that imports @sparta/converge and converges;
//   - `aws cloudformation deploy --no-fail-on-empty-changeset` (the AWS CLI) on the same stack and template;
//   - what importing @aws-sdk/client-s3 would add (converge loads it only when something must be uploaded).
// Targets: 0 change sets, <= 3 API calls, and a fresh converge at most half the AWS CLI's wall time.
// Prints one JSON line. Run after `pnpm build`. BENCH_RUNS (default 10) / BENCH_CLI_RUNS (default 5).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { converge, deleteStack } from "../dist/index.js";
import { startEmulator } from "../dist/testing.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? 5);
const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist", "index.js");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;

function hasAwsCli() {
  return spawnSync("aws", ["--version"], { stdio: "ignore" }).status === 0;
}

const emulator = await startEmulator();
try {
  const env = { ...process.env, ...emulator.env, AWS_PAGER: "" };
  const byOperation = {};
  const aws = {
    ...emulator.clientConfig,
    onRequest: (r) => {
      byOperation[r.operation] = (byOperation[r.operation] ?? 0) + 1;
    },
  };
  const deps = { aws, pollSchedule: [50, 100, 250] };
  // The AWS CLI's deploy asks GetTemplateSummary, which the emulator answers only with AWSTemplateFormatVersion.
  const template = {
    AWSTemplateFormatVersion: "2010-09-09",
    Parameters: { Stage: { Type: "String", Default: "dev" } },
    Resources: { Queue: { Type: "AWS::SQS::Queue" }, Topic: { Type: "AWS::SNS::Topic" } },
    Outputs: { QueueUrl: { Value: { Ref: "Queue" } } },
  };
  const stackName = "bench-noop";
  const input = { stackName, template, parameters: { Stage: "dev" } };
  const first = await converge(input, deps);
  if (first.kind !== "created") throw new Error(`setup converge was ${first.kind}: ${first.message}`);

  // 1. in-process
  for (const k of Object.keys(byOperation)) delete byOperation[k];
  const inProcess = [];
  const calls = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await converge(input, deps);
    inProcess.push(performance.now() - t0);
    calls.push(r.apiCalls);
    if (r.kind !== "unchanged") throw new Error(`no-op converge was ${r.kind}`);
  }
  const perOperation = Object.fromEntries(Object.entries(byOperation).map(([k, v]) => [k, v / RUNS]));

  // 2. a fresh process, as `sparta provision` pays it: node start, import, converge
  const dir = mkdtempSync(join(tmpdir(), "converge-bench-"));
  const script = join(dir, "noop.mjs");
  writeFileSync(
    script,
    `import { converge } from ${JSON.stringify(dist)};\n` +
      `const r = await converge(${JSON.stringify(input)}, { pollSchedule: [50, 100, 250] });\n` +
      `if (r.kind !== "unchanged") { console.error(r.kind, r.message); process.exit(1); }\n`,
  );
  const fresh = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [script], { env, stdio: ["ignore", "ignore", "pipe"] });
    fresh.push(performance.now() - t0);
  }

  // 3. the AWS CLI on the same stack and template
  const templateFile = join(dir, "template.json");
  writeFileSync(templateFile, JSON.stringify(template));
  const cli = [];
  if (hasAwsCli()) {
    for (let i = 0; i < CLI_RUNS; i++) {
      const t0 = performance.now();
      const out = spawnSync(
        "aws",
        [
          "cloudformation",
          "deploy",
          "--template-file",
          templateFile,
          "--stack-name",
          stackName,
          "--parameter-overrides",
          "Stage=dev",
          "--no-fail-on-empty-changeset",
          "--endpoint-url",
          emulator.endpoint,
          "--region",
          emulator.clientConfig.region,
        ],
        { env, encoding: "utf8" },
      );
      cli.push(performance.now() - t0);
      if (out.status !== 0) throw new Error(`aws cloudformation deploy failed: ${out.stderr}`);
    }
  }

  // 4. what the S3 client would cost to import, were it loaded eagerly
  const importMs = (specifier) => {
    const code = `const t0 = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t0);`;
    const samples = [];
    for (let i = 0; i < 5; i++) {
      samples.push(
        Number(
          execFileSync(process.execPath, ["--input-type=module", "-e", code], {
            cwd: here,
            env,
            encoding: "utf8",
          }),
        ),
      );
    }
    return round(median(samples));
  };

  await deleteStack({ stackName }, deps);
  const changeSetsCreated = perOperation.CreateChangeSet ?? 0;
  const apiCallsPerNoop = Math.max(...calls);
  const freshMs = median(fresh);
  const cliMs = cli.length ? median(cli) : undefined;
  const result = {
    bench: "converge-noop",
    runs: RUNS,
    changeSetsCreated,
    apiCallsPerNoop,
    callsByOperation: perOperation,
    inProcessMsMedian: round(median(inProcess)),
    freshProcessMsMedian: round(freshMs),
    awsCliDeployMsMedian: cliMs === undefined ? "aws CLI not installed" : round(cliMs),
    freshVsAwsCli: cliMs === undefined ? undefined : Math.round((freshMs / cliMs) * 100) / 100,
    importMs: {
      "@sparta/converge": importMs(dist),
      "@aws-sdk/client-s3 (not loaded when unchanged)": importMs("@aws-sdk/client-s3"),
    },
    targetMet:
      changeSetsCreated === 0 && apiCallsPerNoop <= 3 && (cliMs === undefined || freshMs <= cliMs / 2),
  };
  console.log(JSON.stringify(result));
  if (!result.targetMet) process.exitCode = 1;
} finally {
  await emulator.stop();
}
