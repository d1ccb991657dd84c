import { type ChildProcess, spawn } from "node:child_process";
import { decodeResult, encodeInvocation } from "@sparta/handler/envelope";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, childEnv, copyExample, removeCopies } from "./example.js";

// The real `sparta explore` process, on a copy of examples/hello, answering on loopback.
describe("sparta explore", () => {
  let child: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const dir = copyExample();
    child = spawn(process.execPath, [binPath, "explore", "--port", "0", "--format", "json"], {
      cwd: dir,
      env: childEnv(),
    });
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    url = await new Promise<string>((resolveUrl, reject) => {
      child.stdout!.on("data", (d) => {
        stdout += d;
        try {
          resolveUrl(JSON.parse(stdout).url);
        } catch {
          // not all of it yet
        }
      });
      child.on("exit", (code) => reject(new Error(`explore exited ${code}: ${stderr}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.on("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    removeCopies();
  });

  it("answers a real HTTP request for an HTTP API function", async () => {
    const res = await fetch(`${url}/http/hello/hello?name=Ada`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: "Hello, Ada!" });
    const post = await fetch(`${url}/http/hello/hello`, {
      method: "POST",
      body: JSON.stringify({ name: "Lin" }),
    });
    expect(await post.json()).toEqual({ message: "Hello, Lin!" });
  });

  it("answers a protobuf invocation envelope for the scheduled function", async () => {
    const event = {
      "detail-type": "Scheduled Event",
      source: "aws.events",
      time: "2026-01-01T03:00:00Z",
      detail: {},
    };
    const body = encodeInvocation({
      functionName: "nightly",
      awsRequestId: "req-1",
      event: new TextEncoder().encode(JSON.stringify(event)),
    });
    const res = await fetch(`${url}/invoke/nightly`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body,
    });
    expect(res.headers.get("content-type")).toMatch(/application\/x-protobuf/);
    const result = decodeResult(new Uint8Array(await res.arrayBuffer()));
    expect(result.error).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(result.payload))).toEqual({
      ran: true,
      scheduledAt: "2026-01-01T03:00:00Z",
      kind: "Scheduled Event",
    });
  });

  it("runs the S3-triggered function on a real S3 notification event (JSON envelope)", async () => {
    const s3 = {
      Records: [{ s3: { bucket: { name: "hello-uploads" }, object: { key: "incoming/a+b.txt", size: 12 } } }],
    };
    const res = await fetch(`${url}/invoke/uploads`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: Buffer.from(JSON.stringify(s3)).toString("base64") }),
    });
    const result = (await res.json()) as { payload: string };
    expect(JSON.parse(Buffer.from(result.payload, "base64").toString())).toEqual({
      received: 1,
      objects: [{ bucket: "hello-uploads", key: "incoming/a b.txt", size: 12 }],
    });
  });
});
