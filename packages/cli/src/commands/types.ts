import type { HelpCommand } from "../help.js";
import type { LoadedService } from "../load.js";
import type { CommandContext, CommandFlag } from "../service.js";

/** What a built-in command gets: a service command's context, plus what only the built-ins need. */
export type BuiltinContext = CommandContext & {
  loaded: LoadedService;
  waitForStop: () => Promise<void>;
  signal: AbortSignal | undefined;
  ask: (question: string) => Promise<string>;
  /** True when a person can answer `ask` (stdin is a terminal); a command that asks refuses without --yes otherwise. */
  interactive: boolean;
  /** Every command `sparta` knows in this folder (built-ins, then the service's), for help and completion. */
  commands: readonly HelpCommand[];
  /** The flags every command accepts. */
  globalFlags: Record<string, CommandFlag>;
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
  /** Command lines `sparta <name> --help` shows, one per line (a `# comment` may follow). */
  examples?: string[];
  /** It calls AWS (unless --noop): a --profile none of the shared files defines is refused up front. */
  usesAws?: boolean;
  run(ctx: BuiltinContext): Promise<number | undefined>;
}
