import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EmulatorError } from "./errors.js";

/** A running local AWS emulator (moto with the CloudFormation fixes of `shared/aws-emulator`). */
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
  /** Clear all emulator state. */
  reset(): Promise<void>;
  /** Stop the emulator process; safe to call twice. */
  stop(): Promise<void>;
}

/** `<repo root>/../shared`, overridable by `SPARTA_SHARED_DIR`. The repo root is two levels above this package. */
export function sharedDir(env: Record<string, string | undefined> = process.env): string {
  if (env.SPARTA_SHARED_DIR) return resolve(env.SPARTA_SHARED_DIR);
  const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  return resolve(packageRoot, "..", "..", "..", "shared");
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Start the AWS emulator on a free loopback port (runs `<shared>/aws-emulator/start`).
 * Always `stop()` it (e.g. in vitest `globalSetup` teardown or `afterAll`).
 *
 * @example
 * const emu = await startEmulator();
 * const cfn = createCfnClient({ endpoint: emu.endpoint, region: "us-east-1" });
 * await emu.stop();
 */
export async function startEmulator(options: { port?: number } = {}): Promise<Emulator> {
  const script = join(sharedDir(), "aws-emulator", "start");
  if (!existsSync(script)) {
    throw new EmulatorError(
      `The AWS emulator script is missing: ${script}.\nSet SPARTA_SHARED_DIR to the folder that holds aws-emulator/ (the repository's sibling "shared").`,
    );
  }
  const port = options.port ?? (await freePort());
  const pid = await new Promise<number>((resolvePid, reject) => {
    execFile(script, [String(port)], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === 3) {
        reject(
          new EmulatorError(
            `Cannot start the AWS emulator: no python3 with moto found (${stderr.trim()}).\n` +
              "Install it with `python3 -m pip install 'moto[server,cloudformation]' cfn-lint`, or run on the project's machine image.",
            error,
          ),
        );
        return;
      }
      const parsed = Number.parseInt(stdout.trim(), 10);
      if (error || !Number.isInteger(parsed)) {
        reject(
          new EmulatorError(
            `Cannot start the AWS emulator on port ${port}: ${stderr.trim() || error?.message}`,
            error,
          ),
        );
        return;
      }
      resolvePid(parsed);
    });
  });
  const endpoint = `http://localhost:${port}`;
  const region = "us-east-1";
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
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
    async reset() {
      const res = await fetch(`http://127.0.0.1:${port}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new EmulatorError(`Resetting the AWS emulator failed: HTTP ${res.status}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (!alive(pid)) return;
      process.kill(pid, "SIGTERM");
      for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) process.kill(pid, "SIGKILL");
    },
  };
}
