import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeResult, encodeInvocation } from "@sparta/handler/envelope";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, childEnv, copyExample, removeCopies } from "./example.js";

// The real `sparta explore` process, on a copy of examples/hello, answering on loopback.
describe("sparta explore", () => {
  let child: ChildProcess;
  let url: string;
  let dir: string;
  let stderr = "";

  let routes: unknown;

  beforeAll(async () => {
    dir = copyExample();
    child = spawn(process.execPath, [binPath, "explore", "--port", "0", "--format", "json"], {
      cwd: dir,
      env: childEnv(),
    });
    let stdout = "";
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    url = await new Promise<string>((resolveUrl, reject) => {
      child.stdout!.on("data", (d) => {
        stdout += d;
        try {
          const started = JSON.parse(stdout);
          routes = started.routes;
          resolveUrl(started.url);
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

  it("serves the service's HTTP API routes at their own paths, as API Gateway would", async () => {
    // The template's routes: the functions' httpApi events and the one healthRoute() of @sparta/operations adds.
    expect(routes).toEqual([
      { route: "GET /hello", function: "hello" },
      { route: "POST /hello", function: "hello" },
      { route: "GET /health", function: "hello" },
    ]);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
    const res = await fetch(`${url}/hello?name=Ada`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: "Hello, Ada!" });
    const post = await fetch(`${url}/hello`, { method: "POST", body: JSON.stringify({ name: "Lin" }) });
    expect(await post.json()).toEqual({ message: "Hello, Lin!" });
    // No route: API Gateway's answer, with what is served.
    const missing = await fetch(`${url}/hello`, { method: "DELETE" });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      message: "Not Found",
      error: expect.stringContaining(
        "No route matches DELETE /hello. Routes: GET /hello, POST /hello, GET /health",
      ),
    });
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

  it("serves a function's new code after its source changes, and keeps the last good code on a broken change", async () => {
    const source = join(dir, "src/hello.ts");
    const original = readFileSync(source, "utf8");
    const greet = async () =>
      ((await (await fetch(`${url}/http/hello/hello?name=Ada`)).json()) as { message: string }).message;
    // Polls: esbuild's watcher notices a change within a second or two.
    const until = async (ok: () => Promise<boolean>, what: string) => {
      for (let i = 0; i < 100; i++) {
        if (await ok()) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`timed out waiting for ${what}; explore said:\n${stderr}`);
    };
    writeFileSync(
      source,
      original.replace('`${process.env.GREETING ?? "Hello"}, ${name}!`', "`Howdy, ${name}!`"),
    );
    await until(async () => (await greet()) === "Howdy, Ada!", "the new code");
    expect(stderr).toMatch(/hello: recompiled, serving the new code/);

    writeFileSync(source, `${original}\nexport const broken = ;\n`);
    await until(
      async () => /hello: the change does not compile, still serving the last good code/.test(stderr),
      "the compile error",
    );
    expect(await greet()).toBe("Howdy, Ada!");

    writeFileSync(source, original);
    await until(async () => (await greet()) === "Hello, Ada!", "the original code again");
  }, 60_000);
});
