import { completionScript, SHELLS, type Shell } from "../complete.js";
import { ExitCode, UsageError } from "../errors.js";
import { didYouMean } from "../suggest.js";
import type { BuiltinCommand } from "./types.js";

export const completion: BuiltinCommand = {
  name: "completion",
  description:
    "print the shell completion script for bash, zsh or fish: commands, flags, their values, and the service's own commands, functions and stages",
  needsService: false,
  args: "<bash|zsh|fish>",
  flags: {},
  examples: [
    "sparta completion fish > ~/.config/fish/completions/sparta.fish",
    "source <(sparta completion bash)          # in ~/.bashrc",
    "source <(sparta completion zsh)           # in ~/.zshrc, after compinit",
  ],
  async run(ctx) {
    const shell = ctx.args[0];
    if (!shell || !(SHELLS as readonly string[]).includes(shell))
      throw new UsageError(
        `sparta completion needs a shell: ${SHELLS.join(", ")}${shell ? `, not ${JSON.stringify(shell)}.${didYouMean(shell, SHELLS)}` : "."} E.g. source <(sparta completion bash)`,
      );
    ctx.write(completionScript(shell as Shell));
    return ExitCode.ok;
  },
};
