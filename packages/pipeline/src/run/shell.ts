import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";

/** One line of a command's output, with the stream it came on. */
export type OutputSink = (line: string, stream: "stdout" | "stderr") => void;

/**
 * One shell session kept open across commands, as CodeBuild runs a buildspec (version 0.2): `cd`, `export` and
 * shell variables carry from one command and phase to the next. Each command reads /dev/null as its input; its
 * exit status comes back on a separate file descriptor, so what it prints is never mistaken for it.
 */
export class ShellSession {
  private child: ChildProcess;
  private control = "";
  private readonly marker = `__sparta_${randomBytes(6).toString("hex")}`;
  private pending?: { resolve: (r: { status: number; output: string; exited: boolean }) => void };
  private exitCode: number | undefined;
  private partial = { stdout: "", stderr: "" };

  constructor(
    shell: "bash" | "sh",
    cwd: string,
    env: Record<string, string>,
    private readonly sink: OutputSink,
  ) {
    const args = shell === "bash" ? ["--noprofile", "--norc"] : [];
    this.child = spawn(shell, args, { cwd, env, stdio: ["pipe", "pipe", "pipe", "pipe"], detached: true });
    this.child.stdout!.on("data", (d: Buffer) => this.output("stdout", d.toString("utf8")));
    this.child.stderr!.on("data", (d: Buffer) => this.output("stderr", d.toString("utf8")));
    (this.child.stdio[3] as Readable).on("data", (d: Buffer) => {
      this.control += d.toString("utf8");
      this.settle();
    });
    this.child.stdin!.on("error", () => undefined);
    this.child.on("exit", (code, signal) => {
      this.exitCode = code ?? (signal ? 128 + 15 : 1);
      this.flush();
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve({ status: this.exitCode, output: "", exited: true });
    });
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  private output(stream: "stdout" | "stderr", text: string): void {
    const lines = (this.partial[stream] + text).split("\n");
    this.partial[stream] = lines.pop() ?? "";
    for (const line of lines) this.sink(line, stream);
  }

  private flush(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      if (this.partial[stream]) this.sink(this.partial[stream], stream);
      this.partial[stream] = "";
    }
  }

  private settle(): void {
    const match = new RegExp(`\\n${this.marker} (\\d+)\\n`).exec(this.control);
    if (!match || !this.pending) return;
    const output = this.control.slice(0, match.index);
    this.control = this.control.slice(match.index + match[0].length);
    const pending = this.pending;
    this.pending = undefined;
    // What the command printed may still be in the pipes; give them a turn before reporting it done.
    setImmediate(() => {
      this.flush();
      pending.resolve({ status: Number(match[1]), output, exited: false });
    });
  }

  private send(script: string): Promise<{ status: number; output: string; exited: boolean }> {
    if (!this.alive) return Promise.resolve({ status: this.exitCode ?? 1, output: "", exited: true });
    return new Promise((resolve) => {
      this.pending = { resolve };
      this.child.stdin!.write(script);
    });
  }

  /** Runs one buildspec command; `exited` when the command ended the shell (e.g. `exit 1`). */
  run(command: string): Promise<{ status: number; exited: boolean }> {
    return this.send(`{\n${command}\n} </dev/null 3>&-\nprintf '\\n%s %d\\n' ${this.marker} "$?" >&3\n`);
  }

  /** The current values of shell variables (the buildspec's `exported-variables`). */
  async read(names: readonly string[]): Promise<Record<string, string>> {
    if (names.length === 0 || !this.alive) return {};
    const script = names
      .filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n))
      .map((n) => `printf '%s\\t' ${n}; printf '%s' "\${${n}-}" | base64 | tr -d '\\n'; printf '\\n'`)
      .join("; ");
    const { output } = await this.send(
      `{ ${script}; } >&3 2>/dev/null </dev/null\nprintf '\\n%s %d\\n' ${this.marker} 0 >&3\n`,
    );
    const values: Record<string, string> = {};
    for (const line of output.split("\n")) {
      const [name, encoded] = line.split("\t");
      if (name && encoded !== undefined) values[name] = Buffer.from(encoded, "base64").toString("utf8");
    }
    return values;
  }

  /** Ends the session and every process it started (its process group). */
  kill(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin!.end("exit 0\n");
    const timer = setTimeout(() => this.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
