import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CliIO, runCli } from "../src/cli.js";

export const exampleDir = fileURLToPath(new URL("../../../examples/hello/", import.meta.url));
export const binPath = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

const copies: string[] = [];

/** Remove the copies this test file made (the node_modules symlink is removed, not followed). */
export function removeCopies(): void {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A private copy of examples/hello (its sources and service file) whose node_modules is a symlink to the
 * example's, so tests can build and edit it in parallel without touching the real folder.
 */
export function copyExample(): string {
  const dir = mkdtempSync(join(tmpdir(), "sparta-hello-"));
  copies.push(dir);
  for (const f of ["package.json", "sparta.config.ts", "src"])
    cpSync(join(exampleDir, f), join(dir, f), { recursive: true });
  symlinkSync(join(exampleDir, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** Environment for a child `sparta`: no colour, no inherited SPARTA_* settings. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("SPARTA_") && !k.startsWith("AWS_")) env[k] = v;
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Run the built `sparta` binary to completion. */
export function runBin(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [binPath, ...args], { cwd, env: childEnv(env), encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run the built `sparta` binary asynchronously (for long runs that must not block the event loop). */
export function runBinAsync(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  input = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd, env: childEnv(env) });
    child.stdin.end(input); // what the user types at a prompt (--confirm); nothing by default
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** Run the CLI in-process with captured output. */
export async function runInProcess(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
  io: Pick<CliIO, "ask" | "interactive" | "signal"> = {},
) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    ...io,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdout: {
      write: (s: string) => {
        stdout += s;
      },
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
      },
    },
  });
  return { code, stdout, stderr };
}
