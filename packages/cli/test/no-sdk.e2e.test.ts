import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { binPath, childEnv, copyExample, removeCopies } from "./example.js";

// Loaded with --import, this makes any resolution of an @aws-sdk/* module throw (see hooks.mjs beside it).
const noSdk = fileURLToPath(new URL("./fixtures/no-aws-sdk/register.mjs", import.meta.url));
const cliDir = fileURLToPath(new URL("..", import.meta.url));

describe("code that only builds never loads the AWS SDK", () => {
  afterAll(removeCopies);

  it("the hook does catch an SDK import (so the checks below mean something)", () => {
    const r = spawnSync(
      process.execPath,
      ["--import", noSdk, "--input-type=module", "-e", 'await import("@aws-sdk/client-cloudwatch")'],
      { cwd: cliDir, env: childEnv(), encoding: "utf8" },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/AWS SDK imported: @aws-sdk\/client-cloudwatch/);
  });

  it('import "@sparta/cli" loads no SDK', () => {
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        noSdk,
        "--input-type=module",
        "-e",
        'const cli = await import("@sparta/cli"); console.log(typeof cli.runCli)',
      ],
      { cwd: cliDir, env: childEnv(), encoding: "utf8" },
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("function\n");
  });

  it("sparta provision --noop --list on examples/hello (alarms and health route on) loads no SDK", () => {
    const dir = copyExample();
    const r = spawnSync(process.execPath, ["--import", noSdk, binPath, "provision", "--noop", "--list"], {
      cwd: dir,
      env: childEnv(),
      encoding: "utf8",
    });
    expect(r.stderr).not.toMatch(/AWS SDK imported/);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^noop: would provision stack hello/);
  }, 120_000);

  it("sparta init writes a new service in a folder with no service file, loading no SDK", () => {
    const dir = mkdtempSync(join(tmpdir(), "sparta-init-no-sdk-"));
    try {
      const r = spawnSync(process.execPath, ["--import", noSdk, binPath, "init", "fresh"], {
        cwd: dir,
        env: childEnv(),
        encoding: "utf8",
      });
      expect(r.stderr).not.toMatch(/AWS SDK imported/);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^created service fresh in /);
      expect(existsSync(join(dir, "fresh", "sparta.config.ts"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sparta logs --noop names the log groups it would read from the built template, loading no SDK", () => {
    const dir = copyExample();
    const r = spawnSync(process.execPath, ["--import", noSdk, binPath, "logs", "--noop", "--since", "1h"], {
      cwd: dir,
      env: childEnv(),
      encoding: "utf8",
    });
    expect(r.stderr).not.toMatch(/AWS SDK imported/);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(
      /^noop: would read the logs of stack hello since \d{4}-\d\d-\d\dT[\d:.]+Z; nothing was read$/,
    );
    // examples/hello gives each function its own AWS::Logs::LogGroup (LoggingConfig.LogGroup: {Ref}).
    expect(lines.slice(1)).toEqual([
      "  hello: the stack's log group HelloLogGroup (its name is given when the stack is deployed)",
      "  uploads: the stack's log group UploadsLogGroup (its name is given when the stack is deployed)",
      "  nightly: the stack's log group NightlyLogGroup (its name is given when the stack is deployed)",
    ]);
  }, 120_000);
});
