import type { CliReporter, GlobalOptions } from "./service.js";

export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

const LEVELS = { debug: 0, info: 1, warn: 2, error: 3 } as const;

/**
 * Human progress on stderr: a live, rewritten line on a terminal, plain lines otherwise.
 * Results go to stdout separately so `--format json` output stays parseable.
 */
export function createReporter(
  stderr: OutputStream,
  options: Pick<GlobalOptions, "level" | "color">,
): CliReporter & { error(message: string): void; done(): void } {
  const live = stderr.isTTY === true;
  const color = options.color && live;
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  let pending = false;
  const clear = () => {
    if (pending) {
      stderr.write("\r\x1b[2K");
      pending = false;
    }
  };
  const line = (lvl: keyof typeof LEVELS, text: string) => {
    if (LEVELS[lvl] < LEVELS[options.level]) return;
    clear();
    stderr.write(`${text}\n`);
  };
  return {
    debug: (m) => line("debug", paint("2", m)),
    info: (m) => line("info", m),
    warn: (m) => line("warn", paint("33", `warning: ${m}`)),
    error: (m) => line("error", paint("31", m)),
    event: (m) => line("info", m),
    progress: (m) => {
      if (LEVELS.info < LEVELS[options.level]) return;
      if (live) {
        stderr.write(`\r\x1b[2K${paint("36", "…")} ${m.length > 150 ? `${m.slice(0, 147)}...` : m}`);
        pending = true;
      } else stderr.write(`${m}\n`);
    },
    done: clear,
  };
}
