// No-op converge benchmark: API calls and wall time of converging a stack that is already up to date,
// against the local AWS emulator (started and stopped here), through the real AWS SDK.
// Target: 0 change sets, <= 3 API calls. Prints one JSON line. Run after `pnpm build`.
import { performance } from "node:perf_hooks";
import { converge, createCfnClient, createS3Client, deleteStack } from "../dist/index.js";
import { startEmulator } from "../dist/testing.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const emulator = await startEmulator();
try {
  const options = {
    endpoint: emulator.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  };
  const byOperation = {};
  const cfnReal = createCfnClient(options);
  const cfn = new Proxy(cfnReal, {
    get(target, prop) {
      const fn = target[prop];
      return (...args) => {
        byOperation[prop] = (byOperation[prop] ?? 0) + 1;
        return fn(...args);
      };
    },
  });
  const deps = { cfn, s3: createS3Client(options), pollSchedule: [50, 100, 250] };
  const template = {
    Parameters: { Stage: { Type: "String", Default: "dev" } },
    Resources: { Queue: { Type: "AWS::SQS::Queue" }, Topic: { Type: "AWS::SNS::Topic" } },
    Outputs: { QueueUrl: { Value: { Ref: "Queue" } } },
  };
  const input = { stackName: "bench-noop", template, parameters: { Stage: "dev" }, tags: { app: "bench" } };
  const first = await converge(input, deps);
  if (first.kind !== "created") throw new Error(`setup converge was ${first.kind}: ${first.message}`);

  for (const k of Object.keys(byOperation)) delete byOperation[k];
  const times = [];
  const calls = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await converge(input, deps);
    times.push(performance.now() - t0);
    calls.push(r.apiCalls);
    if (r.kind !== "unchanged") throw new Error(`no-op converge was ${r.kind}`);
  }
  const perOperation = Object.fromEntries(Object.entries(byOperation).map(([k, v]) => [k, v / RUNS]));
  await deleteStack({ stackName: input.stackName }, deps);
  times.sort((a, b) => a - b);
  const changeSetsCreated = perOperation.createChangeSet ?? 0;
  const apiCallsPerNoop = Math.max(...calls);
  const result = {
    bench: "converge-noop",
    runs: RUNS,
    changeSetsCreated,
    apiCallsPerNoop,
    callsByOperation: perOperation,
    wallMsMedian: Math.round(times[Math.floor(RUNS / 2)] * 10) / 10,
    wallMsMin: Math.round(times[0] * 10) / 10,
    wallMsMax: Math.round(times[RUNS - 1] * 10) / 10,
    targetMet: changeSetsCreated === 0 && apiCallsPerNoop <= 3,
  };
  console.log(JSON.stringify(result));
  if (!result.targetMet) process.exitCode = 1;
} finally {
  await emulator.stop();
}
