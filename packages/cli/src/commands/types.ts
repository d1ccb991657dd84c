import type { LoadedService } from "../load.js";
import type { CommandContext, CommandFlag } from "../service.js";

/** What a built-in command gets: a service command's context, plus what only the built-ins need. */
export type BuiltinContext = CommandContext & {
  loaded: LoadedService;
  waitForStop: () => Promise<void>;
  signal: AbortSignal | undefined;
  ask: (question: string) => Promise<string>;
  /** Write a chunk of a streamed result (logs) to stdout, after any progress line. */
  write: (text: string) => void;
  /** Positional arguments after the command name (only for a command that declares `args`). */
  args: string[];
  /** The folder sparta runs in (relative paths of flags are read from it). */
  cwd: string;
  /** Write raw text to stderr, after any progress line (a function's own output in invoke). */
  writeErr: (text: string) => void;
};

/** A built-in command: one file of this folder each, listed in order in `index.ts`. */
export interface BuiltinCommand {
  name: string;
  description: string;
  flags: Record<string, CommandFlag>;
  needsService: boolean;
  /** Usage of the positional arguments it takes, e.g. "[DIR]" (one at most); none when absent. */
  args?: string;
  run(ctx: BuiltinContext): Promise<number | undefined>;
}
