import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmulatorPython, emulatorDir, findEmulatorPython } from "./emulator-python.js";
import { EmulatorError } from "./errors.js";

export {
  type EmulatorEnv,
  type EmulatorPython,
  emulatorDir,
  findEmulatorPython,
  MOTO_VERSION,
} from "./emulator-python.js";

/** A running local AWS emulator: moto with the fixes and resource types of this package's `emulator/`. */
export interface Emulator {
  /** `http://localhost:PORT` (localhost, so S3 TemplateURLs on it are understood). */
  endpoint: string;
  /** Environment for SDK clients and child processes: endpoint, dummy credentials, region. */
  env: Record<string, string>;
  /** The same as an SDK client configuration: `new LambdaClient(emu.clientConfig)`. */
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** The server's log file (requests and Python errors), removed by `stop()`. */
  log: string;
  /** Clear all emulator state. */
  reset(): Promise<void>;
  /** Stop the emulator process; safe to call twice. */
  stop(): Promise<void>;
}

/** What `prepareEmulator` hands to the test processes through SPARTA_EMULATOR_RESOLVED. */
interface Prepared {
  python?: EmulatorPython;
  error?: string;
  /** A folder only the first process to report `error` can create: the others give the short form. */
  marker?: string;
}

let found: Promise<EmulatorPython> | undefined;
let reported = false;

function shortForm(message: string): EmulatorError {
  const first = message.split("\n")[0] ?? message;
  const error = new EmulatorError(
    `${first}\n(What was tried and how to fix it: in the first test file that failed on this, or set SPARTA_EMULATOR_PYTHON.)`,
  );
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

function fullForm(message: string): EmulatorError {
  const error = new EmulatorError(message);
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/**
 * The Python `startEmulator` runs the emulator with: the one `prepareEmulator` found for this test run, or else the
 * one `findEmulatorPython` finds (once a process). When there is none, the first caller of the run gets the full
 * explanation and the others a one-line reminder (an `EmulatorError` without a stack trace either way).
 */
export async function emulatorPython(): Promise<EmulatorPython> {
  const shared = process.env.SPARTA_EMULATOR_RESOLVED;
  if (shared) {
    const prepared = JSON.parse(shared) as Prepared;
    if (prepared.python) return prepared.python;
    const message = prepared.error ?? "The AWS emulator cannot start.";
    if (!prepared.marker) throw fullForm(message);
    try {
      mkdirSync(prepared.marker);
    } catch {
      throw shortForm(message);
    }
    throw fullForm(message);
  }
  found ??= findEmulatorPython();
  try {
    return await found;
  } catch (error) {
    if (reported) throw shortForm((error as Error).message);
    reported = true;
    throw error;
  }
}

/**
 * For a test runner's global setup (vitest `globalSetup`): find, or install, the emulator's Python once for the
 * whole run and hand the result to every test process (through the environment), so that `startEmulator` does not
 * search again in each. Never throws: when no Python can run the emulator, the first `startEmulator` of the run
 * fails with the full explanation and the others with a one-line reminder. Returns the teardown.
 *
 * @example
 * // vitest.config.ts: test: { globalSetup: ["./emulator-setup.ts"] }
 * // emulator-setup.ts:
 * import { prepareEmulator } from "@sparta/converge/testing";
 * export default () => prepareEmulator();
 */
export async function prepareEmulator(): Promise<() => void> {
  if (process.env.SPARTA_EMULATOR_RESOLVED) return () => {};
  let prepared: Prepared;
  let scratch: string | undefined;
  try {
    prepared = { python: await findEmulatorPython() };
  } catch (error) {
    scratch = mkdtempSync(join(tmpdir(), "sparta-emulator-"));
    prepared = { error: (error as Error).message, marker: join(scratch, "reported") };
  }
  process.env.SPARTA_EMULATOR_RESOLVED = JSON.stringify(prepared);
  return () => {
    delete process.env.SPARTA_EMULATOR_RESOLVED;
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

// Emulators still running when the test process exits are stopped with it (the server also watches its parent).
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

function tail(file: string, lines = 12): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

const START_TIMEOUT_MS = 90_000;

/** Wait until the server answers, or say why it never will. */
async function ready(child: ChildProcess, port: number, log: string): Promise<"ready" | "port-taken"> {
  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = signal ? `signal ${signal}` : `exit code ${code}`;
  });
  child.once("error", (error) => {
    exited = error.message;
  });
  for (const deadline = Date.now() + START_TIMEOUT_MS; Date.now() < deadline; ) {
    if (exited !== undefined) {
      const out = tail(log);
      if (/Address already in use/i.test(out)) return "port-taken";
      throw new EmulatorError(
        `The AWS emulator exited while starting (${exited}); its log ${log} ends:\n${out}`,
      );
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return "ready";
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new EmulatorError(
    `The AWS emulator did not answer on port ${port} within ${START_TIMEOUT_MS / 1000} s; its log ${log} ends:\n${tail(log)}`,
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  // The child is unref'd so a forgotten stop() never keeps a process alive; while stop() awaits it, it must hold
  // the event loop (else a plain script awaiting stop() ends with "unsettled top-level await", exit 13).
  child.ref();
  child.kill("SIGTERM");
  const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 5_000).unref());
  if ((await Promise.race([exited, timer])) === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
}

/**
 * Start the AWS emulator (moto with this package's fixes, `emulator/server.py`) on a free loopback port, with the
 * Python `findEmulatorPython` picks (SPARTA_EMULATOR_PYTHON, a python3 with moto 5.x, or the project's virtualenv).
 * Always `stop()` it (e.g. in `afterAll`); it also stops when the process that started it ends.
 *
 * @example
 * const emu = await startEmulator();
 * const cfn = createCfnClient(emu.clientConfig);
 * await emu.stop();
 */
export async function startEmulator(options: { port?: number } = {}): Promise<Emulator> {
  const { python } = await emulatorPython();
  const server = join(emulatorDir(), "server.py");
  const scratch = mkdtempSync(join(tmpdir(), "sparta-emulator-"));
  const log = join(scratch, "server.log");
  let child: ChildProcess;
  let port: number;
  for (let attempt = 1; ; attempt++) {
    port = options.port ?? (await freePort());
    const fd = openSync(log, "w");
    child = spawn(python, ["-B", server, "-H", "127.0.0.1", "-p", String(port), "--exit-with-parent"], {
      stdio: ["ignore", fd, fd],
      env: { ...process.env, PYTHONUNBUFFERED: "1" },
    });
    closeSync(fd);
    child.unref();
    running.add(child);
    try {
      if ((await ready(child, port, log)) === "ready") break;
    } catch (error) {
      running.delete(child);
      throw error;
    }
    running.delete(child);
    if (options.port !== undefined || attempt === 3)
      throw new EmulatorError(`Cannot start the AWS emulator: port ${port} is in use (log: ${log}).`);
  }
  const endpoint = `http://localhost:${port}`;
  const region = "us-east-1";
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  const proc = child;
  let stopped = false;
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
    },
    clientConfig: { endpoint, region, credentials },
    log,
    async reset() {
      const res = await fetch(`http://127.0.0.1:${port}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new EmulatorError(`Resetting the AWS emulator failed: HTTP ${res.status}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(proc);
      running.delete(proc);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
