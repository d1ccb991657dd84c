import { execFile } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { EmulatorError } from "./errors.js";

/** The moto release the emulator's fixes are tested with; installed into the project's virtualenv when needed. */
export const MOTO_VERSION = "5.2.1";
const MOTO_REQUIREMENT = `moto[server]==${MOTO_VERSION}`;
/** The moto major the fixes are written for. */
const SUPPORTED = /^5\./;

/** A Python that can run the emulator, and where it came from. */
export interface EmulatorPython {
  /** The interpreter to run `emulator/server.py` with. */
  python: string;
  /** Its moto version. */
  moto: string;
  /** `env`: SPARTA_EMULATOR_PYTHON; `path`: a python3 already on the machine; `venv`: the project's virtualenv. */
  source: "env" | "path" | "venv";
}

/** Settings read from the environment (all optional). */
export interface EmulatorEnv {
  /** A Python to use, and only that one: it must have moto 5.x with its server extras. */
  SPARTA_EMULATOR_PYTHON?: string;
  /** The Pythons looked at, in order, separated by the path delimiter (default: see `candidatePythons`). */
  SPARTA_EMULATOR_CANDIDATES?: string;
  /** Where to create the virtualenv moto is installed into (default `<project>/.tools/aws-emulator-venv`). */
  SPARTA_EMULATOR_VENV?: string;
  /** Set by `prepareEmulator()` (e.g. in a vitest globalSetup) for the test processes: the result, as JSON. */
  SPARTA_EMULATOR_RESOLVED?: string;
  [name: string]: string | undefined;
}

/** `<package>/emulator`: the launcher (`server.py`) and its fixes to moto, shipped in the package. */
export function emulatorDir(): string {
  // src/emulator-python.ts in the repository, dist/testing.js once built: the package is one level up either way.
  return join(dirname(fileURLToPath(import.meta.url)), "..", "emulator");
}

/**
 * The project the tests run in: the folder holding the outermost `node_modules` this package is installed in,
 * or, in the repository itself, the workspace root above it. The virtualenv goes in its `.tools/`.
 */
export function projectRoot(packageDir = join(emulatorDir(), "..")): string {
  const parts = resolve(packageDir).split(sep);
  const installed = parts.indexOf("node_modules");
  if (installed > 0) return parts.slice(0, installed).join(sep) || sep;
  for (let dir = resolve(packageDir); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml")) || existsSync(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return resolve(packageDir);
  }
}

/** Where moto is installed when no Python on the machine has it. */
export function venvDir(env: EmulatorEnv = process.env): string {
  return env.SPARTA_EMULATOR_VENV
    ? resolve(env.SPARTA_EMULATOR_VENV)
    : join(projectRoot(), ".tools", "aws-emulator-venv");
}

function venvPython(dir: string): string {
  return process.platform === "win32" ? join(dir, "Scripts", "python.exe") : join(dir, "bin", "python");
}

type Probe = { ok: true; moto: string } | { ok: false; runs: boolean; reason: string };

function run(
  file: string,
  args: string[],
  timeout: number,
): Promise<{ code: number | string | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      { timeout, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number | string }).code ?? 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split("\n")
      .filter((l) => l.trim())
      .at(-1) ?? ""
  ).trim();
}

/** Can `python` run the emulator? `server.py --probe` imports moto and its server dependencies. */
export async function probePython(python: string): Promise<Probe> {
  const r = await run(python, ["-B", join(emulatorDir(), "server.py"), "--probe"], 60_000);
  if (r.code === "ENOENT" || r.code === "EACCES") return { ok: false, runs: false, reason: "not found" };
  if (r.code !== 0) {
    const reason = lastLine(r.stderr) || `exit code ${r.code}`;
    // "ModuleNotFoundError: No module named 'moto'": a working Python without moto (can make a virtualenv).
    return { ok: false, runs: /^\w+Error\b/.test(reason), reason };
  }
  const moto = r.stdout.trim();
  if (!SUPPORTED.test(moto))
    return { ok: false, runs: true, reason: `moto ${moto} is installed; the emulator needs moto 5.x` };
  return { ok: true, moto };
}

/** The Pythons tried, in order, when SPARTA_EMULATOR_PYTHON is not set. */
export function candidatePythons(env: EmulatorEnv = process.env): string[] {
  if (env.SPARTA_EMULATOR_CANDIDATES) return env.SPARTA_EMULATOR_CANDIDATES.split(delimiter).filter(Boolean);
  const list =
    process.platform === "win32"
      ? ["python3", "python", "py"]
      : [
          "python3",
          join(homedir(), ".pyenv", "shims", "python3"),
          "/usr/local/bin/python3",
          "/opt/homebrew/bin/python3",
          "/usr/bin/python3",
        ];
  return [...new Set(list)];
}

const LOCK_STALE_MS = 15 * 60_000;

async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  for (const start = Date.now(); ; ) {
    try {
      mkdirSync(path);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      try {
        if (Date.now() - statSync(path).mtimeMs > LOCK_STALE_MS)
          rmSync(path, { recursive: true, force: true });
      } catch {}
      if (Date.now() - start > LOCK_STALE_MS)
        throw new EmulatorError(
          `Waited 15 minutes for ${path} (another install of moto); remove it and retry.`,
        );
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

/** Create the virtualenv (with `base`) and pip-install the pinned moto into it; returns what failed, if anything. */
async function installMoto(
  base: string,
  dir: string,
  log: (line: string) => void,
): Promise<string | undefined> {
  const python = venvPython(dir);
  log(`aws emulator: installing ${MOTO_REQUIREMENT} into ${dir} (once; later runs reuse it)`);
  if (!existsSync(python)) {
    const made = await run(base, ["-m", "venv", dir], 5 * 60_000);
    if (made.code !== 0)
      return `\`${base} -m venv ${dir}\` failed: ${lastLine(made.stderr || made.stdout) || `exit code ${made.code}`}`;
  }
  const pip = await run(
    python,
    ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", MOTO_REQUIREMENT],
    15 * 60_000,
  );
  if (pip.code !== 0) {
    const lines = `${pip.stdout}\n${pip.stderr}`
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("ERROR:"))
      .slice(-2);
    return `\`pip install '${MOTO_REQUIREMENT}'\` in ${dir} failed: ${lines.join(" / ") || lastLine(pip.stderr) || `exit code ${pip.code}`}`;
  }
  return undefined;
}

function message(lines: string[]): EmulatorError {
  const error = new EmulatorError(lines.join("\n"));
  // A missing Python is a machine setup matter, not a bug: the message is the whole story, no stack trace.
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

function overrideFailed(python: string, reason: string): EmulatorError {
  return message([
    `The AWS emulator cannot start: SPARTA_EMULATOR_PYTHON=${python} cannot run it (${reason}).`,
    "It needs moto 5.x with its server extras. Install them into that Python:",
    `  ${python} -m pip install '${MOTO_REQUIREMENT}'`,
    "or unset SPARTA_EMULATOR_PYTHON to let the tests find a python3 with moto (or install it into .tools/).",
  ]);
}

function notFound(tried: string[], installFailure: string, venv: string): EmulatorError {
  const here = relative(process.cwd(), venv) || venv;
  return message([
    `The AWS emulator cannot start: it needs Python 3 with moto 5.x (${MOTO_REQUIREMENT}), and none was found or installed.`,
    "Looked for:",
    ...tried.map((t) => `  ${t}`),
    installFailure,
    "Fix it one of these ways, then run the tests again:",
    `  python3 -m pip install '${MOTO_REQUIREMENT}'      # into the python3 on your PATH`,
    `  make PyPI reachable for pip (index, proxy): the tests then install moto into ${here} themselves`,
    "  export SPARTA_EMULATOR_PYTHON=/path/to/python3     # a Python that already has moto 5.x",
    "(Debian/Ubuntu without venv or pip: apt-get install python3-venv python3-pip.)",
  ]);
}

/**
 * Find a Python that can run the emulator: SPARTA_EMULATOR_PYTHON if set (and only it); else the first python3
 * on the machine with moto 5.x; else the project's virtualenv, installing the pinned moto into it with pip the
 * first time. Throws an `EmulatorError` saying what was tried and how to fix it when none works.
 */
export async function findEmulatorPython(
  options: { env?: EmulatorEnv; log?: (line: string) => void } = {},
): Promise<EmulatorPython> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const override = env.SPARTA_EMULATOR_PYTHON;
  if (override) {
    const p = await probePython(override);
    if (p.ok) return { python: override, moto: p.moto, source: "env" };
    throw overrideFailed(override, p.reason);
  }
  const tried: string[] = [];
  let base: string | undefined;
  for (const python of candidatePythons(env)) {
    const p = await probePython(python);
    if (p.ok) return { python, moto: p.moto, source: "path" };
    tried.push(`${python}: ${p.reason}`);
    if (p.runs && base === undefined) base = python;
  }
  const dir = venvDir(env);
  const inVenv = venvPython(dir);
  const existing = async () => (existsSync(inVenv) ? await probePython(inVenv) : undefined);
  const before = await existing();
  if (before?.ok) return { python: inVenv, moto: before.moto, source: "venv" };
  tried.push(`${inVenv}: ${before ? before.reason : "no virtualenv yet"}`);
  if (base === undefined)
    throw notFound(tried, "No working Python 3 was found to create the virtualenv with.", dir);
  return withLock(`${dir}.lock`, async () => {
    const again = await existing(); // another process may have installed it while this one waited
    if (again?.ok) return { python: inVenv, moto: again.moto, source: "venv" as const };
    const failure = await installMoto(base, dir, log);
    const after = failure ? undefined : await existing();
    if (after?.ok) return { python: inVenv, moto: after.moto, source: "venv" as const };
    throw notFound(tried, `Installing it failed: ${failure ?? after?.reason ?? "unknown reason"}`, dir);
  });
}
