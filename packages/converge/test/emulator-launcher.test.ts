import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { emulatorDir, findEmulatorPython, projectRoot, venvDir } from "../src/emulator-python.js";
import { EmulatorError } from "../src/errors.js";

// How the launcher finds its Python and what it says when there is none. "moto made unimportable": a wrapper around
// the machine's python3 whose sitecustomize blocks `import moto`, exactly what a Python without moto answers.
const work = mkdtempSync(join(tmpdir(), "emulator-launcher-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

const realPython = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], {
  encoding: "utf8",
}).trim();

function pythonWithoutMoto(): string {
  const shadow = join(work, "shadow");
  mkdirSync(shadow, { recursive: true });
  writeFileSync(join(shadow, "sitecustomize.py"), 'import sys\nsys.modules["moto"] = None\n');
  const wrapper = join(work, "python3-without-moto");
  writeFileSync(wrapper, `#!/bin/sh\nPYTHONPATH=${shadow} exec ${realPython} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** A fresh copy of the testing module (its once-per-process memory of the Python reset). */
async function freshTesting() {
  vi.resetModules();
  return import("../src/testing.js");
}

describe("the emulator's Python", () => {
  it("ships server.py in the package's emulator folder and keeps the virtualenv in the project's .tools", () => {
    expect(existsSync(join(emulatorDir(), "server.py"))).toBe(true);
    const repo = resolve(emulatorDir(), "..", "..", "..");
    expect(projectRoot()).toBe(repo);
    expect(venvDir({})).toBe(join(repo, ".tools", "aws-emulator-venv"));
    expect(venvDir({ SPARTA_EMULATOR_VENV: "/opt/venv" })).toBe("/opt/venv");
    // installed from the registry: the project is the folder that holds node_modules
    expect(projectRoot("/home/u/app/node_modules/.pnpm/x/node_modules/@sparta/converge")).toBe("/home/u/app");
  });

  it("uses SPARTA_EMULATOR_PYTHON when it has moto 5.x", async () => {
    const { python } = await (await freshTesting()).emulatorPython(); // the one this test run uses
    const found = await findEmulatorPython({ env: { SPARTA_EMULATOR_PYTHON: python } });
    expect(found).toEqual({ python, moto: expect.stringMatching(/^5\./), source: "env" });
  });

  it("fails with one clear message, no stack trace, when SPARTA_EMULATOR_PYTHON cannot import moto", async () => {
    const python = pythonWithoutMoto();
    const error = await findEmulatorPython({ env: { SPARTA_EMULATOR_PYTHON: python } }).catch((e) => e);
    expect(error).toBeInstanceOf(EmulatorError);
    expect(error.message).toBe(
      [
        `The AWS emulator cannot start: SPARTA_EMULATOR_PYTHON=${python} cannot run it (ModuleNotFoundError: import of moto halted; None in sys.modules).`,
        "It needs moto 5.x with its server extras. Install them into that Python:",
        `  ${python} -m pip install 'moto[server]==5.2.1'`,
        "or unset SPARTA_EMULATOR_PYTHON to let the tests find a python3 with moto (or install it into .tools/).",
      ].join("\n"),
    );
    expect(error.stack).not.toMatch(/\n\s+at /);
  });

  it("without moto anywhere, installs it into the virtualenv and, when pip cannot, says what to install and how", async () => {
    const venv = join(work, "venv");
    // pip with no index at all: the install fails here as it does on a machine without PyPI
    vi.stubEnv("PIP_NO_INDEX", "1");
    vi.stubEnv("PIP_FIND_LINKS", "");
    const log: string[] = [];
    const error = await findEmulatorPython({
      env: {
        SPARTA_EMULATOR_CANDIDATES: [pythonWithoutMoto(), join(work, "no-such-python3")].join(delimiter),
        SPARTA_EMULATOR_VENV: venv,
      },
      log: (l) => log.push(l),
    }).catch((e) => e);
    expect(log).toEqual([
      `aws emulator: installing moto[server]==5.2.1 into ${venv} (once; later runs reuse it)`,
    ]);
    expect(existsSync(join(venv, "bin", "python"))).toBe(true); // the virtualenv was made; pip found no moto
    expect(error).toBeInstanceOf(EmulatorError);
    const lines = error.message.split("\n");
    expect(lines[0]).toBe(
      "The AWS emulator cannot start: it needs Python 3 with moto 5.x (moto[server]==5.2.1), and none was found or installed.",
    );
    expect(error.message).toContain(`python3-without-moto: ModuleNotFoundError: import of moto halted`);
    expect(error.message).toContain(`${join(work, "no-such-python3")}: not found`);
    expect(error.message).toMatch(
      /Installing it failed: `pip install 'moto\[server\]==5\.2\.1'` in .* failed: .*moto/,
    );
    expect(error.message).toContain(
      "  python3 -m pip install 'moto[server]==5.2.1'      # into the python3 on your PATH",
    );
    expect(error.message).toContain("export SPARTA_EMULATOR_PYTHON=/path/to/python3");
    expect(existsSync(`${venv}.lock`)).toBe(false);
  }, 180_000);

  it("in a test run, only the first test file that needs the emulator carries the long message", async () => {
    vi.stubEnv("SPARTA_EMULATOR_RESOLVED", undefined);
    vi.stubEnv("SPARTA_EMULATOR_PYTHON", pythonWithoutMoto());
    // the run's global setup (as the root vitest.config.ts does) ...
    const setup = await freshTesting();
    const teardown = await setup.prepareEmulator();
    const prepared = JSON.parse(process.env.SPARTA_EMULATOR_RESOLVED ?? "{}");
    expect(prepared.error).toMatch(/^The AWS emulator cannot start: SPARTA_EMULATOR_PYTHON=/);
    // ... then three test files (each with its own module instance, as in separate workers) start the emulator
    const errors: Error[] = [];
    for (let i = 0; i < 3; i++) errors.push(await (await freshTesting()).startEmulator().catch((e) => e));
    // (each fresh module has its own EmulatorError class: compare the stable code)
    expect(errors.map((e) => (e as EmulatorError).code)).toEqual(Array(3).fill("SPARTA_CONVERGE_EMULATOR"));
    expect(errors[0]?.message).toBe(prepared.error);
    for (const e of errors.slice(1)) {
      expect(e.message).toBe(
        `${prepared.error.split("\n")[0]}\n(What was tried and how to fix it: in the first test file that failed on this, or set SPARTA_EMULATOR_PYTHON.)`,
      );
      expect(e.stack).not.toMatch(/\n\s+at /);
    }
    teardown();
    expect(process.env.SPARTA_EMULATOR_RESOLVED).toBeUndefined();
  });
});

describe("startEmulator", () => {
  it("starts moto on a free port, answers through the SDK, resets, and stops its process", async () => {
    const { startEmulator } = await freshTesting();
    const emu = await startEmulator();
    try {
      expect(emu.endpoint).toMatch(/^http:\/\/localhost:\d+$/);
      const s3 = new S3Client({ ...emu.clientConfig, forcePathStyle: true, maxAttempts: 1 });
      expect((await fetch(`${emu.endpoint}/launcher-bucket`, { method: "PUT" })).ok).toBe(true);
      expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([
        "launcher-bucket",
      ]);
      await emu.reset();
      expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
      expect(readFileSync(emu.log, "utf8")).toMatch(/Running on http:\/\/127\.0\.0\.1/);
    } finally {
      await emu.stop();
    }
    await expect(fetch(`${emu.endpoint}/moto-api/`)).rejects.toThrow();
    expect(existsSync(emu.log)).toBe(false);
    await emu.stop(); // twice is fine
  }, 120_000);
});
