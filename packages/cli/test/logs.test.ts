import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import {
  followLogs,
  formatLogLine,
  formatLogMessage,
  type LogsClient,
  logTargets,
  parseLimit,
  parseSince,
  readLogs,
} from "../src/logs.js";

const NOW = Date.parse("2026-11-26T12:00:00.000Z");

describe("parseSince", () => {
  it("takes a duration back from now or an ISO-8601 time", () => {
    expect(parseSince("30s", NOW)).toBe(NOW - 30_000);
    expect(parseSince("10m", NOW)).toBe(NOW - 600_000);
    expect(parseSince("2h", NOW)).toBe(Date.parse("2026-11-26T10:00:00Z"));
    expect(parseSince("1d", NOW)).toBe(Date.parse("2026-11-25T12:00:00Z"));
    expect(parseSince("2026-11-26T11:30:00Z", NOW)).toBe(Date.parse("2026-11-26T11:30:00Z"));
    expect(parseSince("2026-11-26", NOW)).toBe(Date.parse("2026-11-26T00:00:00Z"));
  });

  it("rejects anything else, naming the flag and the forms", () => {
    for (const bad of ["yesterday", "10", "5y", "-1h", "2026-13-45T00:00:00Z", ""]) {
      expect(() => parseSince(bad, NOW)).toThrow(UsageError);
      expect(() => parseSince(bad, NOW)).toThrow(/^--since .*30s, 10m, 2h, 1d.*ISO-8601/);
    }
    expect(() => parseSince("soon", NOW, "--until")).toThrow(
      /^--until "soon": expected a duration back from now/,
    );
  });
});

describe("parseLimit", () => {
  it("is a whole number of at least 1, 1000 by default", () => {
    expect(parseLimit(undefined)).toBe(1000);
    expect(parseLimit("5")).toBe(5);
    for (const bad of ["0", "-3", "1.5", "ten"]) expect(() => parseLimit(bad)).toThrow(/^--limit /);
  });
});

describe("formatLogMessage", () => {
  it("shows a line of @sparta/handler's logger as LEVEL message key=value, the request id shortened", () => {
    const line = JSON.stringify({
      timestamp: "2026-11-26T17:00:00.000Z",
      level: "ERROR",
      requestId: "c6af9ac6-1b2c-4d5e-8f90-123456789abc",
      function: "orders",
      message: "order failed",
      orderId: "42",
      count: 3,
      tags: ["a", "b"],
      err: { name: "TypeError", message: "x is undefined", stack: "TypeError: x is undefined\n    at f" },
    });
    expect(formatLogMessage(`${line}\n`)).toBe(
      'ERROR order failed requestId=c6af9ac6 orderId=42 count=3 tags=["a","b"] err="TypeError: x is undefined"',
    );
  });

  it("leaves Lambda's own lines and other JSON as they are, without the trailing newline", () => {
    const report = "REPORT RequestId: 1\tDuration: 1.00 ms\t";
    expect(formatLogMessage(`${report}\n`)).toBe(report.trimEnd());
    expect(formatLogMessage('{"some":"json"}\n')).toBe('{"some":"json"}');
    expect(formatLogMessage("{not json}")).toBe("{not json}");
  });

  it("prefixes the UTC time and the function name", () => {
    expect(
      formatLogLine(
        {
          function: "hello",
          logGroup: "g",
          eventId: "1",
          timestamp: Date.parse("2026-11-26T17:01:02.345Z"),
          message: "hi\n",
        },
        7,
      ),
    ).toBe("17:01:02.345 hello   hi");
  });
});

describe("logTargets", () => {
  const fns = [{ name: "hello" }, { name: "worker" }, { name: "fixed" }, { name: "gone" }];
  const template = {
    Resources: {
      HelloFunction: {
        Type: "AWS::Lambda::Function",
        Properties: { LoggingConfig: { LogGroup: { Ref: "HelloLogGroup" } } },
      },
      HelloLogGroup: { Type: "AWS::Logs::LogGroup", Properties: {} },
      WorkerFunction: { Type: "AWS::Lambda::Function", Properties: {} },
      FixedFunction: {
        Type: "AWS::Lambda::Function",
        Properties: { LoggingConfig: { LogGroup: "/shared/fixed" } },
      },
    },
  };
  it("resolves a Ref through the stack's resources, else /aws/lambda/<physical name>", () => {
    const resources = [
      { logicalId: "HelloLogGroup", physicalId: "hello-HelloLogGroup-X1" },
      { logicalId: "HelloFunction", physicalId: "hello-HelloFunction-Y2" },
      { logicalId: "WorkerFunction", physicalId: "hello-WorkerFunction-Z3" },
    ];
    expect(logTargets(fns, template, resources)).toEqual([
      { function: "hello", kind: "group", logGroup: "hello-HelloLogGroup-X1" },
      { function: "worker", kind: "group", logGroup: "/aws/lambda/hello-WorkerFunction-Z3" },
      { function: "fixed", kind: "group", logGroup: "/shared/fixed" },
      {
        function: "gone",
        kind: "unresolved",
        reason: "GoneFunction is not in the stack (run sparta provision)",
      },
    ]);
  });

  it("without a stack, names only what the template fixes", () => {
    const t = structuredClone(template);
    (t.Resources.HelloLogGroup.Properties as Record<string, unknown>).LogGroupName = "/named/hello";
    (t.Resources.WorkerFunction.Properties as Record<string, unknown>).FunctionName = "worker-fn";
    expect(logTargets(fns.slice(0, 3), t).map((x) => (x.kind === "group" ? x.logGroup : x.reason))).toEqual([
      "/named/hello",
      "/aws/lambda/worker-fn",
      "/shared/fixed",
    ]);
  });
});

/*
 * A fake of CloudWatch Logs FilterLogEvents over fixed events per group. What it reproduces: events at or after
 * startTime, oldest first; `limit` and at most `pageSize` events a page with an opaque nextToken; a filterPattern
 * that is one term matches messages containing it; an unknown group throws ResourceNotFoundException. Events can be
 * appended while a test runs (as a function logging).
 */
function fakeLogs(
  groups: Record<string, { eventId: string; timestamp: number; message: string }[]>,
  pageSize = 2,
) {
  const calls: Parameters<LogsClient["filterLogEvents"]>[0][] = [];
  const client: LogsClient = {
    async filterLogEvents(input) {
      calls.push(input);
      const all = groups[input.logGroupName];
      if (!all)
        throw Object.assign(new Error("The specified log group does not exist."), {
          name: "ResourceNotFoundException",
        });
      const matching = all
        .filter((e) => e.timestamp >= (input.startTime ?? 0))
        .filter((e) => !input.filterPattern || e.message.includes(input.filterPattern))
        .sort((a, b) => a.timestamp - b.timestamp);
      const from = input.nextToken ? Number(input.nextToken) : 0;
      const to = Math.min(from + Math.min(pageSize, input.limit ?? 10_000), matching.length);
      return {
        events: matching.slice(from, to).map((e) => ({ ...e, logStreamName: "s" })),
        ...(to < matching.length ? { nextToken: String(to) } : {}),
      };
    },
  };
  return { client, calls };
}

const ev = (id: string, timestamp: number, message = `m${id}`) => ({ eventId: id, timestamp, message });

describe("readLogs", () => {
  it("pages through nextToken, interleaves groups by time and reports missing groups", async () => {
    const { client, calls } = fakeLogs({
      a: [ev("1", 10), ev("2", 30), ev("3", 50)],
      b: [ev("4", 20), ev("5", 40)],
    });
    const read = await readLogs({
      client,
      targets: [
        { function: "fa", kind: "group", logGroup: "a" },
        { function: "fb", kind: "group", logGroup: "b" },
        { function: "fc", kind: "group", logGroup: "c" },
      ],
      startTime: 0,
      limit: 100,
    });
    expect(read.events.map((e) => `${e.function}:${e.eventId}`)).toEqual([
      "fa:1",
      "fb:4",
      "fa:2",
      "fb:5",
      "fa:3",
    ]);
    expect(read.missing).toEqual(["fc"]);
    expect(read.truncated).toBe(false);
    expect(calls.filter((c) => c.logGroupName === "a").map((c) => c.nextToken)).toEqual([undefined, "2"]);
  });

  it("stops at the limit (the oldest events) and says more matched", async () => {
    const { client, calls } = fakeLogs({
      a: [ev("1", 10), ev("2", 20), ev("3", 30), ev("4", 40), ev("5", 50)],
    });
    const read = await readLogs({
      client,
      targets: [{ function: "fa", kind: "group", logGroup: "a" }],
      startTime: 0,
      limit: 3,
    });
    expect(read.events.map((e) => e.eventId)).toEqual(["1", "2", "3"]);
    expect(read.truncated).toBe(true);
    expect(calls.map((c) => c.limit)).toEqual([3, 1]);
  });

  it("turns any other failure into a LogsReadError naming the function and group", async () => {
    const client: LogsClient = {
      filterLogEvents: async () => {
        throw Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" });
      },
    };
    await expect(
      readLogs({
        client,
        targets: [{ function: "fa", kind: "group", logGroup: "a" }],
        startTime: 0,
        limit: 3,
      }),
    ).rejects.toMatchObject({
      code: "LOGS_READ_FAILED",
      message: expect.stringMatching(
        /^reading the logs of fa \(log group a\) failed: User is not authorized/,
      ),
    });
  });
});

describe("followLogs", () => {
  it("prints each new event once, from the newest timestamp seen, until stopped", async () => {
    const a = [ev("1", 10), ev("2", 20)];
    const { client, calls } = fakeLogs({ a });
    const got: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((done) => {
      stop = done;
    });
    const following = followLogs({
      client,
      targets: [{ function: "fa", kind: "group", logGroup: "a" }],
      startTime: 0,
      seen: [{ function: "fa", logGroup: "a", eventId: "1", timestamp: 10, message: "m1" }],
      onEvent: (e) => {
        got.push(e.eventId);
        // Same millisecond as the last one seen, arriving after it was read.
        if (e.eventId === "2") a.push(ev("3", 20), ev("4", 25));
        if (e.eventId === "4") stop();
      },
      stop: stopped,
      reporter: { warn: () => {} },
      intervalMs: 5,
    });
    await following;
    expect(got).toEqual(["2", "3", "4"]);
    expect(calls[0]!.startTime).toBe(10);
    expect(calls[1]!.startTime).toBe(20);
  });
});
