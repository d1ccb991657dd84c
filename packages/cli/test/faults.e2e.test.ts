import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Emulator, startEmulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binPath, childEnv, copyExample, removeCopies, runBinAsync } from "./example.js";

/** Preloaded into a spawned `sparta` to record the @aws-sdk/* packages it imports. */
const moduleLog = fileURLToPath(new URL("./fixtures/module-log/register.mjs", import.meta.url));

/**
 * A pass-through proxy in front of the emulator that every AWS call of a spawned `sparta` goes through: it names
 * each call (CloudFormation's and STS's `Action`, S3's method and path), and lets a test act when one arrives
 * (`on`), before its answer is forwarded, and rewrite an answer (`rewrite`). The rewrite stands in for what moto
 * cannot do: moto finishes a stack operation inside ExecuteChangeSet, so a stack is never seen deploying; real
 * CloudFormation answers DescribeStacks with `CREATE_IN_PROGRESS` for minutes (that status, as the XML
 * DescribeStacks answer carries it, is what the rewrite puts in).
 */
function startProxy(target: string) {
  const calls: string[] = [];
  const hooks: {
    on?: (call: string) => Promise<void> | void;
    rewrite?: (call: string, body: string) => string;
  } = {};
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString("latin1"))?.[1];
    const call = action ?? `S3 ${req.method} ${req.url?.split("?")[0]}`;
    calls.push(call);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (
        typeof v === "string" &&
        !["host", "connection", "content-length", "expect", "transfer-encoding"].includes(k)
      )
        headers[k] = v;
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      ...(req.method === "GET" || req.method === "HEAD" ? {} : { body }),
    });
    let out = Buffer.from(await upstream.arrayBuffer());
    await hooks.on?.(call);
    if (hooks.rewrite) out = Buffer.from(hooks.rewrite(call, out.toString("utf8")));
    const back: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (!["content-length", "transfer-encoding", "content-encoding", "connection"].includes(k)) back[k] = v;
    });
    res.writeHead(upstream.status, { ...back, "content-length": String(out.length) });
    res.end(out);
  });
  return {
    calls,
    hooks,
    server,
    listen: () =>
      new Promise<string>((done) =>
        // "localhost": moto reads the bucket of a TemplateURL from the path only for such a host.
        server.listen(0, () => done(`http://localhost:${(server.address() as AddressInfo).port}`)),
      ),
  };
}

/** A spawned `sparta` whose output can be waited on while it runs. */
function spawnSparta(args: string[], cwd: string, env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [binPath, ...args], { cwd, env: childEnv(env) });
  child.stdin?.end();
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; done: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters])
      if (w.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.done();
      }
  };
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
    check();
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string; at: number }>((done) =>
    child.on("close", (code) => done({ code, stdout, stderr, at: Date.now() })),
  );
  return {
    child,
    exited,
    /** Resolves when stderr matches. */
    waitFor: (pattern: RegExp) =>
      new Promise<void>((done) => {
        waiters.push({ pattern, done });
        check();
      }),
  };
}

describe("sparta provision under interruption, failure and no change (emulator)", () => {
  let emu: Emulator;
  let proxy: ReturnType<typeof startProxy>;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    emu = await startEmulator();
    proxy = startProxy(emu.endpoint);
    env = { ...emu.env, AWS_ENDPOINT_URL: await proxy.listen() };
    dir = copyExample();
  }, 120_000);

  afterAll(async () => {
    proxy?.server.close();
    await emu?.stop();
    removeCopies();
  });

  it("an unchanged provision of examples/hello (alarms() on) makes 3 calls, no change set, and loads no S3 client", async () => {
    const first = await runBinAsync(["provision", "--yes", "--format", "json"], dir, env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).kind).toBe("created");
    proxy.calls.length = 0;
    const log = join(mkdtempSync(join(tmpdir(), "sparta-modules-")), "aws-sdk.log");
    writeFileSync(log, "");
    const again = await runBinAsync(["provision", "--yes", "--format", "json"], dir, {
      ...env,
      NODE_OPTIONS: `--import=${pathToFileURL(moduleLog).href}`,
      SPARTA_TEST_MODULE_LOG: log,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).kind).toBe("unchanged");
    // The toolkit stack (the deployment bucket), then converge's two: the stack and its template.
    expect(proxy.calls).toEqual(["DescribeStacks", "DescribeStacks", "GetTemplate"]);
    const loaded = new Set(readFileSync(log, "utf8").split("\n").filter(Boolean));
    expect(loaded).toContain("@aws-sdk/client-cloudformation");
    expect(loaded).not.toContain("@aws-sdk/client-s3");
  }, 300_000);

  it("Ctrl-C during the build: acknowledged at once, nothing is uploaded or deployed, exit 130", async () => {
    proxy.calls.length = 0;
    const run = spawnSparta(["provision", "--yes", "--stack-name", "hello-build"], dir, env);
    await run.waitFor(/bundling/);
    run.child.kill("SIGINT");
    await run.waitFor(
      /Ctrl-C: stopping once the build's current step ends; nothing will be uploaded or deployed/,
    );
    const r = await run.exited;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(
      /error: interrupted during the build: nothing was uploaded and no change set was made; stack hello-build is as it was/,
    );
    // At most the read of the deployment bucket's stack, made while bundling: no upload, no change set.
    expect(proxy.calls.filter((c) => c !== "DescribeStacks")).toEqual([]);
  }, 120_000);

  it("Ctrl-C once the change set executes and the stack is still deploying: says it keeps deploying, exit 130", async () => {
    let run: ReturnType<typeof spawnSparta> | undefined;
    proxy.hooks.on = async (call) => {
      if (call !== "ExecuteChangeSet") return;
      run!.child.kill("SIGINT");
      await run!.waitFor(/Ctrl-C: stopping\. A change set not yet executed is deleted/);
    };
    // CloudFormation still at work: every read of the stack says CREATE_IN_PROGRESS.
    proxy.hooks.rewrite = (call, body) =>
      call === "DescribeStacks" && body.includes("hello-slow")
        ? body.replaceAll(
            "<StackStatus>CREATE_COMPLETE</StackStatus>",
            "<StackStatus>CREATE_IN_PROGRESS</StackStatus>",
          )
        : body;
    try {
      run = spawnSparta(["provision", "--yes", "--stack-name", "hello-slow", "--format", "json"], dir, env);
      const r = await run.exited;
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toMatch(
        /error: Interrupted\. Stack hello-slow is CREATE_IN_PROGRESS: CloudFormation keeps deploying it on its own\. Follow it with `sparta status`/,
      );
      expect(JSON.parse(r.stdout)).toMatchObject({ kind: "interrupted", stackName: "hello-slow" });
    } finally {
      proxy.hooks.on = undefined;
      proxy.hooks.rewrite = undefined;
    }
  }, 300_000);

  it("Ctrl-C once the change set executes and the stack is done: exits with the stack's outcome (0)", async () => {
    let run: ReturnType<typeof spawnSparta> | undefined;
    proxy.hooks.on = async (call) => {
      if (call !== "ExecuteChangeSet") return;
      run!.child.kill("SIGINT");
      await run!.waitFor(/Ctrl-C: stopping\./);
    };
    try {
      run = spawnSparta(["provision", "--yes", "--stack-name", "hello-done", "--format", "json"], dir, env);
      const r = await run.exited;
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        kind: "created",
        message: expect.stringMatching(/Interrupted, but the stack had already reached CREATE_COMPLETE/),
      });
    } finally {
      proxy.hooks.on = undefined;
    }
  }, 300_000);

  it("a second Ctrl-C exits at once, saying what may be left", async () => {
    let run: ReturnType<typeof spawnSparta> | undefined;
    let release = () => {};
    const held = new Promise<void>((done) => {
      release = done;
    });
    proxy.hooks.on = async (call) => {
      if (call !== "ExecuteChangeSet") return;
      run!.child.kill("SIGINT");
      await run!.waitFor(/Ctrl-C: stopping\./);
      run!.child.kill("SIGINT");
      await held; // the answer never comes while sparta runs
    };
    try {
      run = spawnSparta(["provision", "--yes", "--stack-name", "hello-twice"], dir, env);
      const r = await run.exited;
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(
        /Ctrl-C again: exited at once\. Stack hello-twice may still be deploying in CloudFormation \(follow it with `sparta status`\), and a change set this run made may be left on it/,
      );
    } finally {
      release();
      proxy.hooks.on = undefined;
    }
  }, 300_000);

  it("a failed deploy exits 3, prints its root cause once, last, and names sparta provision", async () => {
    await fetch(`${emu.endpoint}/taken-bucket-name`, { method: "PUT" });
    writeFileSync(
      join(dir, "broken.config.ts"),
      [
        'import { service as base } from "./sparta.config.ts";',
        "export const service = {",
        "  ...base,",
        '  decorators: [...base.decorators, () => ({ Resources: { Clash: { Type: "AWS::S3::Bucket", Properties: { BucketName: "taken-bucket-name" } } } })],',
        "};",
        "",
      ].join("\n"),
    );
    const r = await runBinAsync(
      ["provision", "--service", "broken.config.ts", "--stack-name", "hello-broken", "--yes"],
      dir,
      env,
    );
    expect(r.code, r.stderr).toBe(3);
    const error = r.stderr.slice(r.stderr.indexOf("error: provision"));
    expect(error).toMatch(/^error: provision hello-broken failed: Stack hello-broken create failed/);
    expect(error).toMatch(/the next `sparta provision` deletes it and creates it again/);
    expect(error).not.toMatch(/converge/);
    const lines = error.trimEnd().split("\n");
    const at = lines.indexOf("root cause:");
    expect(at).toBeGreaterThan(0);
    // Once in the report, last: the bucket's failure, with CloudFormation's reason (BucketAlreadyExists).
    expect(error.match(/CREATE_FAILED\s+AWS::S3::Bucket\s+Clash/g), error).toHaveLength(1);
    expect(lines.slice(at + 1).join("\n")).toMatch(
      /CREATE_FAILED\s+AWS::S3::Bucket\s+Clash\s+.*BucketAlreadyExists/,
    );
  }, 300_000);
});
