// An unchanged `sparta provision` of examples/hello (alarms() on, the deployment bucket of the toolkit stack) against
// `aws cloudformation deploy --no-fail-on-empty-changeset` of the same template, parameters and tags on the same
// stack, both on the local AWS emulator, timed as processes (what a user waits for). Each sparta run must report
// `unchanged`; the AWS CLI makes a change set, finds it empty and deletes it. Skipped when the emulator or the `aws`
// command is not there.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

/**
 * @param {{ dir: string, bin: string, runs: number, median: (xs: number[]) => number }} o
 * @returns {Promise<{ sparta: number, aws: number, calls: number } | { skipped: string }>}
 */
export async function benchUnchanged({ dir, bin, runs, median }) {
  const aws = spawnSync("aws", ["--version"], { encoding: "utf8" });
  if (aws.status !== 0) return { skipped: "no `aws` command" };
  // The emulator's process and its readiness checks do not hold the event loop open; this does, meanwhile.
  const alive = setInterval(() => {}, 1000);
  try {
    return await run({ dir, bin, runs, median });
  } finally {
    clearInterval(alive);
  }
}

async function run({ dir, bin, runs, median }) {
  let emu;
  try {
    const { startEmulator } = await import("@sparta/converge/testing");
    emu = await startEmulator();
  } catch (error) {
    return { skipped: `no emulator (${error.message.split("\n")[0]})` };
  }
  try {
    const env = { ...process.env, ...emu.env, NO_COLOR: "1" };
    for (const k of Object.keys(env)) if (k.startsWith("SPARTA_")) delete env[k];
    const sparta = () => {
      const t = performance.now();
      const r = spawnSync(process.execPath, [bin, "provision", "--yes", "--format", "json"], {
        cwd: dir,
        env,
        encoding: "utf8",
      });
      const ms = performance.now() - t;
      if (r.status !== 0) throw new Error(`sparta provision exited ${r.status}: ${r.stderr}`);
      return { ms, result: JSON.parse(r.stdout) };
    };
    if (sparta().result.kind !== "created") throw new Error("the first provision did not create the stack");
    const { describeStack } = await import("@sparta/converge");
    const deployed = await describeStack({ stackName: "hello" }, { aws: emu.clientConfig });
    const pairs = (o) => Object.entries(o).map(([k, v]) => `${k}=${v}`);
    const awsDeploy = () => {
      const t = performance.now();
      const r = spawnSync(
        "aws",
        [
          "cloudformation",
          "deploy",
          "--endpoint-url",
          emu.endpoint,
          "--region",
          emu.env.AWS_REGION,
          "--stack-name",
          "hello",
          "--template-file",
          join(dir, ".sparta", "cloudformation.json"),
          "--capabilities",
          "CAPABILITY_IAM",
          "CAPABILITY_NAMED_IAM",
          "--parameter-overrides",
          ...pairs(deployed.parameters),
          "--tags",
          ...pairs(deployed.tags),
          "--no-fail-on-empty-changeset",
        ],
        { env, encoding: "utf8" },
      );
      const ms = performance.now() - t;
      if (r.status !== 0) throw new Error(`aws cloudformation deploy exited ${r.status}: ${r.stderr}`);
      return ms;
    };
    const spartaTimes = [];
    const awsTimes = [];
    let calls = 0;
    for (let i = 0; i < runs; i++) {
      const s = sparta();
      if (s.result.kind !== "unchanged")
        throw new Error(`run ${i + 1}: sparta provision was ${s.result.kind}`);
      calls = s.result.apiCalls; // converge's; the read of the toolkit stack is one more
      spartaTimes.push(s.ms);
      awsTimes.push(awsDeploy());
    }
    return { sparta: median(spartaTimes), aws: median(awsTimes), calls };
  } finally {
    await emu.stop();
  }
}
