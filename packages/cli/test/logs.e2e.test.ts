import { spawn } from "node:child_process";
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { createCfnClient } from "@sparta/converge";
import type { Emulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorWithBucket } from "./emulator.js";
import { binPath, childEnv, copyExample, removeCopies, runBinAsync } from "./example.js";

const BUCKET = "sparta-logs-artifacts";
const REQUEST_ID = "c6af9ac6-1b2c-4d5e-8f90-123456789abc";

/** `HH:MM:SS.mmm` of a time, as `sparta logs` prints it (UTC). */
const hms = (t: number) => new Date(t).toISOString().slice(11, 23);

// examples/hello provisioned once on the emulator; log events put through the real SDK; the built `sparta` reads them.
describe("sparta logs against the AWS emulator", () => {
  let emu: Emulator;
  let dir: string;
  let cwl: CloudWatchLogsClient;
  const groups: Record<string, string> = {};
  const now = Date.now();
  const at = {
    old: now - 3 * 3_600_000,
    json: now - 5 * 60_000,
    report: now - 4 * 60_000,
    upload: now - 3 * 60_000,
  };
  const jsonLine = JSON.stringify({
    timestamp: new Date(at.json).toISOString(),
    level: "INFO",
    requestId: REQUEST_ID,
    function: "hello",
    message: "order stored",
    orderId: "42",
    note: "two words",
  });
  const reportLine = `REPORT RequestId: ${REQUEST_ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 71 MB\t\n`;
  const sparta = (...args: string[]) => runBinAsync(["logs", ...args], dir, emu.env);
  const put = async (fn: string, stream: string, events: { timestamp: number; message: string }[]) => {
    await cwl.send(new CreateLogStreamCommand({ logGroupName: groups[fn], logStreamName: stream }));
    await cwl.send(
      new PutLogEventsCommand({ logGroupName: groups[fn], logStreamName: stream, logEvents: events }),
    );
  };

  beforeAll(async () => {
    emu = await emulatorWithBucket(BUCKET);
    dir = copyExample();
    const provisioned = await runBinAsync(["provision", "--s3Bucket", BUCKET, "--yes"], dir, emu.env);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    cwl = new CloudWatchLogsClient(emu.clientConfig);
    // The template points each function's LoggingConfig at its own AWS::Logs::LogGroup (a Ref): the group's name is
    // the one CloudFormation gave that resource.
    const resources = await createCfnClient(emu.clientConfig).listStackResources({ StackName: "hello" });
    for (const fn of ["hello", "uploads", "nightly"]) {
      const id = `${fn[0]!.toUpperCase()}${fn.slice(1)}LogGroup`;
      const group = resources.StackResourceSummaries?.find(
        (r) => r.LogicalResourceId === id,
      )?.PhysicalResourceId;
      expect(group, id).toEqual(expect.any(String));
      groups[fn] = group as string;
    }
    await put("hello", "2026/11/26/[$LATEST]a1", [
      { timestamp: at.old, message: "an old line\n" },
      { timestamp: at.json, message: `${jsonLine}\n` },
      { timestamp: at.report, message: reportLine },
    ]);
    await put("uploads", "2026/11/26/[$LATEST]b1", [
      { timestamp: at.upload, message: "START RequestId: 42 Version: $LATEST\n" },
    ]);
    // nightly never ran: no log group.
    await cwl.send(new DeleteLogGroupCommand({ logGroupName: groups.nightly }));
  }, 300_000);

  afterAll(async () => {
    await emu?.stop();
    removeCopies();
  });

  const helloJson = `${hms(at.json)} hello   INFO  order stored requestId=c6af9ac6 orderId=42 note="two words"`;
  const helloReport = `${hms(at.report)} hello   ${reportLine.trimEnd()}`;
  const uploadsStart = `${hms(at.upload)} uploads START RequestId: 42 Version: $LATEST`;

  it("prints every function's last 10 minutes interleaved by time; a function that never ran has no logs yet", async () => {
    const r = await sparta();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${helloJson}\n${helloReport}\n${uploadsStart}\n`);
    expect(r.stderr).toContain(
      `no logs yet for nightly (log group ${groups.nightly} does not exist: it has not run)`,
    );
  });

  it("says so when no event came in the window, instead of printing nothing", async () => {
    const r = await sparta(
      "--function",
      "hello",
      "--since",
      "2020-01-01T00:00:00Z",
      "--until",
      "2020-01-02T00:00:00Z",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      "no log events for hello since 2020-01-01T00:00:00.000Z until 2020-01-02T00:00:00.000Z; look further back with --since (e.g. --since 1d), or wait with --follow",
    );
  });

  it("--function reads one function's log group", async () => {
    const r = await sparta("--function", "uploads");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${hms(at.upload)} uploads START RequestId: 42 Version: $LATEST\n`);
    expect(r.stderr).not.toContain("no logs yet");
  });

  it("--since takes a duration or an ISO-8601 time", async () => {
    const hours = await sparta("--function", "hello", "--since", "4h");
    expect(hours.code, hours.stderr).toBe(0);
    expect(hours.stdout.split("\n")[0]).toBe(`${hms(at.old)} hello an old line`);
    expect(hours.stdout.split("\n")).toHaveLength(4);
    const iso = await sparta("--function", "hello", "--since", new Date(at.report).toISOString());
    expect(iso.stdout).toBe(`${hms(at.report)} hello ${reportLine.trimEnd()}\n`);
  });

  it("--until ends the window: a duration back from now or an ISO-8601 time", async () => {
    const window = await sparta(
      "--function",
      "hello",
      "--since",
      "4h",
      "--until",
      new Date(at.report - 1000).toISOString(),
    );
    expect(window.code, window.stderr).toBe(0);
    expect(window.stdout).toBe(
      `${hms(at.old)} hello an old line\n${helloJson.replace("hello   ", "hello ")}\n`,
    );
    const hourAgo = await sparta("--since", "4h", "--until", "1h");
    expect(hourAgo.stdout).toBe(`${hms(at.old)} hello   an old line\n`);
    const json = await sparta("--until", "1h", "--since", "4h", "--noop", "--format", "json");
    expect(JSON.parse(json.stdout).until).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it("--until before --since, or with --follow, is a usage error saying why", async () => {
    const backwards = await sparta("--since", "1h", "--until", "2h");
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toMatch(
      /--until 2h \(.*\) is not after --since \(.*\): give an earlier --since/,
    );
    const follow = await sparta("--until", "1h", "--follow");
    expect(follow.code).toBe(2);
    expect(follow.stderr).toContain("--until 1h cannot be combined with --follow");
    const bad = await sparta("--until", "soon");
    expect(bad.stderr).toMatch(/--until "soon": expected a duration/);
  });

  it("--filter passes a CloudWatch filter pattern (a term, a quoted phrase)", async () => {
    const term = await sparta("--filter", "REPORT");
    expect(term.code, term.stderr).toBe(0);
    expect(term.stdout).toBe(`${helloReport}\n`);
    const phrase = await sparta("--filter", '"order stored"');
    expect(phrase.stdout).toBe(`${helloJson}\n`);
  });

  it("--limit stops after N events and says so", async () => {
    const r = await sparta("--limit", "1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${helloJson}\n`);
    expect(r.stderr).toContain("stopped at --limit 1 events");
  });

  it("--format json prints one JSON object per event, the handler's line parsed", async () => {
    const r = await sparta("--format", "json");
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events.map((e) => [e.function, e.timestamp])).toEqual([
      ["hello", new Date(at.json).toISOString()],
      ["hello", new Date(at.report).toISOString()],
      ["uploads", new Date(at.upload).toISOString()],
    ]);
    expect(events[0]).toMatchObject({
      logGroup: groups.hello,
      logStream: "2026/11/26/[$LATEST]a1",
      message: jsonLine,
      record: { level: "INFO", requestId: REQUEST_ID, message: "order stored", orderId: "42" },
    });
    expect(events[0].eventId).toEqual(expect.any(String));
    expect(events[1].record).toBeUndefined();
  });

  it("an unknown --function is a usage error listing the functions", async () => {
    const r = await sparta("--function", "nope");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--function nope: the service has no function "nope"; functions: hello, uploads, nightly',
    );
    expect(r.stdout).toBe("");
  });

  it("a bad --since is a usage error naming the flag and the accepted forms", async () => {
    const r = await sparta("--since", "yesterday");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--since "yesterday": expected a duration .*30s, 10m, 2h, 1d.* or an ISO-8601 time/,
    );
  });

  it("a stack that does not exist is a user error telling to provision", async () => {
    const r = await sparta("--stackName", "hello-missing");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("stack hello-missing does not exist; run sparta provision first");
  });

  it("honours the service-specific endpoint setting AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", async () => {
    const dead = "http://127.0.0.1:9";
    const env = {
      ...emu.env,
      AWS_ENDPOINT_URL: dead,
      AWS_ENDPOINT_URL_CLOUDFORMATION: emu.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: emu.endpoint,
    };
    const r = await runBinAsync(["logs", "--function", "uploads"], dir, env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${hms(at.upload)} uploads START RequestId: 42 Version: $LATEST\n`);
    // And a CloudWatch Logs that cannot be reached is an error naming the function and its log group.
    const down = await runBinAsync(["logs", "--function", "uploads"], dir, {
      ...env,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: dead,
    });
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`error: reading the logs of uploads (log group ${groups.uploads}) failed:`);
  });

  it("--follow prints events put after it started, and stops on Ctrl-C", async () => {
    const child = spawn(process.execPath, [binPath, "logs", "--function", "hello", "--follow"], {
      cwd: dir,
      env: childEnv(emu.env),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((done) => child.on("close", done));
    const until = async (check: () => boolean, what: string) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(check(), `${what}; stdout: ${stdout}; stderr: ${stderr}`).toBe(true);
    };
    try {
      await until(() => stderr.includes("following new events"), "follow started");
      expect(stdout).toBe(
        `${hms(at.json)} hello INFO  order stored requestId=c6af9ac6 orderId=42 note="two words"\n${hms(at.report)} hello ${reportLine.trimEnd()}\n`,
      );
      const later = Date.now();
      await put("hello", "2026/11/26/[$LATEST]a2", [{ timestamp: later, message: "END RequestId: 7\n" }]);
      await until(() => stdout.includes("END RequestId: 7"), "the new event printed");
      expect(stdout.split("\n").filter(Boolean).at(-1)).toBe(`${hms(later)} hello END RequestId: 7`);
      // Shown once, however many polls see it.
      await new Promise((r) => setTimeout(r, 2500));
      expect(stdout.match(/END RequestId: 7/g)).toHaveLength(1);
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
