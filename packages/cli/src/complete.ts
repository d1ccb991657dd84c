import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { knownProfiles } from "./aws-env.js";
import type { HelpCommand } from "./help.js";
import { loadService, resolveServicePath } from "./load.js";
import { camelCase, kebabCase } from "./options.js";
import type { CommandFlag } from "./service.js";

// Shell completion: `sparta completion bash|zsh|fish` prints a script that asks `sparta __complete WORDS...` for the
// candidates of the word being typed. One model (the commands' and global flags' specs, the service's functions,
// stages and commands) answers all three shells; the scripts only hand words over and show the answer.

/** The hidden command the scripts call: `sparta __complete WORDS...`. */
export const COMPLETE_COMMAND = "__complete";

/** The shells `sparta completion` writes a script for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** What completion knows of the service in the folder, read from its file (and cached in `.sparta/`). */
export interface ServiceHints {
  functions: string[];
  stages: string[];
  commands: HelpCommand[];
}

/** One candidate: the word and, for zsh and fish, a description. */
export interface Candidate {
  value: string;
  description?: string;
}

/** The answer: words to offer, or "let the shell complete file (or folder) names". */
export type Completion = { kind: "words"; candidates: Candidate[] } | { kind: "files" | "dirs" };

/** Commercial AWS regions offered for `--region`. */
export const REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-east-1",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-7",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-south-1",
  "eu-south-2",
  "eu-north-1",
  "il-central-1",
  "me-south-1",
  "me-central-1",
  "mx-central-1",
  "sa-east-1",
];

/** Flags whose value is a file or folder name. */
const FILE_FLAGS = new Set(["service", "out", "event", "codePipelinePackage"]);

/** A description short enough for a completion menu: up to the first ": ", "; " or " (", at most 60 characters. */
export function shortDescription(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const cut = text.split(/: |; | \(/)[0]!.trim();
  return cut.length > 60 ? `${cut.slice(0, 59).trimEnd()}…` : cut;
}

/** How a flag is typed, every spelling: `--stack-name`, and `--no-check-values` for one that is on by default. */
function flagWords(name: string, flag: CommandFlag): Candidate[] {
  const description = shortDescription(flag.description);
  const out: Candidate[] = [];
  if (flag.type === "boolean" && (flag.default === true || name === "color"))
    out.push({ value: `--no-${kebabCase(name)}`, ...(description ? { description } : {}) });
  if (!(flag.type === "boolean" && flag.default === true))
    out.push({ value: `--${kebabCase(name)}`, ...(description ? { description } : {}) });
  return out;
}

/** The spec of a typed flag (`--stack-name`, `--stackName`, `--stage=dev` up to the `=`). */
function specOf(word: string, flags: Record<string, CommandFlag>): [string, CommandFlag] | undefined {
  const typed = word.replace(/^--?/, "").replace(/=.*$/, "");
  if (!word.startsWith("--")) {
    const byShort = Object.entries(flags).find(([, f]) => f.short === typed);
    return byShort;
  }
  const camel = camelCase(typed);
  return Object.entries(flags).find(([n]) => n === typed || camelCase(n) === camel);
}

const words = (values: readonly string[], description?: string): Completion => ({
  kind: "words",
  candidates: values.map((value) => ({ value, ...(description ? { description } : {}) })),
});

/**
 * The candidates for the last of `typed` (the words after `sparta`, the last one being typed, possibly "").
 *
 * @example complete(["provision", "--st"], ...) // --stage, --stack-name
 */
export async function complete(
  typed: readonly string[],
  model: {
    commands: readonly HelpCommand[];
    globalFlags: Record<string, CommandFlag>;
    /** Read only when the answer needs the service (a command name, a function, a stage). */
    hints: () => Promise<ServiceHints | undefined>;
    env: Record<string, string | undefined>;
  },
): Promise<Completion> {
  // bash splits `--stage=dev` into `--stage`, `=`, `dev`: put it back together as one value after its flag.
  const all = typed.filter((w) => w !== "=");
  const current = all.at(-1) ?? "";
  const before = all.slice(0, -1);
  let read: Promise<ServiceHints | undefined> | undefined;
  const hints = () => {
    read ??= model.hints();
    return read;
  };
  const commands = async () => [...model.commands, ...((await hints())?.commands ?? [])];

  // Walk the words before the current one: the command, its positional arguments, and a flag awaiting its value.
  let command: HelpCommand | undefined;
  const positionals: string[] = [];
  let awaiting: [string, CommandFlag] | undefined;
  const flagsOf = () => ({ ...model.globalFlags, ...(command?.flags ?? {}) });
  for (const w of before) {
    if (awaiting) {
      awaiting = undefined;
      continue;
    }
    if (w.startsWith("-") && w !== "-") {
      const spec = specOf(w, flagsOf());
      if (spec && spec[1].type === "string" && !w.includes("=")) awaiting = spec;
      continue;
    }
    if (!command) {
      const known = model.commands.find((c) => c.name === w) ? model.commands : await commands();
      command = known.find((c) => c.name === w || c.name === camelCase(w));
      if (!command) positionals.push(w);
    } else positionals.push(w);
  }
  const flags = flagsOf();

  const valueFor = async ([name, flag]: [string, CommandFlag]): Promise<Completion> => {
    if (flag.values) return words(flag.values);
    if (FILE_FLAGS.has(name)) return { kind: "files" };
    if (name === "function") return words((await hints())?.functions ?? [], "function");
    if (name === "stage") return words((await hints())?.stages ?? [], "stage");
    if (name === "profile") return words(knownProfiles(model.env).profiles, "profile");
    if (name === "region") return words(REGIONS);
    return words([]);
  };
  if (awaiting) return valueFor(awaiting);
  // `--stage=` / `--format=j`: the value of that flag, offered with its flag.
  if (current.startsWith("--") && current.includes("=")) {
    const spec = specOf(current, flags);
    const prefix = current.slice(0, current.indexOf("=") + 1);
    if (!spec) return words([]);
    const values = await valueFor(spec);
    return values.kind === "words"
      ? { kind: "words", candidates: values.candidates.map((c) => ({ ...c, value: `${prefix}${c.value}` })) }
      : values;
  }
  if (current.startsWith("-"))
    return {
      kind: "words",
      candidates: Object.entries(flags)
        .filter(([name]) => name !== "version" || !command)
        .flatMap(([name, flag]) => flagWords(name, flag)),
    };
  if (!command)
    return {
      kind: "words",
      candidates: [
        ...(await commands()).map((c) => ({
          value: c.name,
          description: shortDescription(c.description) ?? c.name,
        })),
        { value: "help", description: "show help" },
      ],
    };
  if (command.name === "help" || positionals.length > 0) return words([]);
  if (command.name === "invoke") return words((await hints())?.functions ?? [], "function");
  if (command.name === "completion") return words(SHELLS);
  if (command.name === "init") return { kind: "dirs" };
  return words([]);
}

/** The answer as `__complete` prints it: `value<TAB>description` lines, or `:files` / `:dirs`. */
export function formatCompletion(completion: Completion, current: string): string {
  if (completion.kind !== "words") return `:${completion.kind}\n`;
  const matching = completion.candidates.filter((c) => c.value.startsWith(current.replace(/^=$/, "")));
  return (
    matching.map((c) => (c.description ? `${c.value}\t${c.description}` : c.value)).join("\n") +
    (matching.length ? "\n" : "")
  );
}

/**
 * The service's functions, stages and commands for completion, from `.sparta/completion.json` while the service file
 * is unchanged (same size and modification time), else by loading it (and writing the cache). Undefined when there is
 * no service file or it does not load: completion then offers the built-ins alone, and prints no error.
 */
export async function serviceHints(cwd: string, serviceFlag?: string): Promise<ServiceHints | undefined> {
  let path: string;
  try {
    path = resolveServicePath(cwd, serviceFlag);
  } catch {
    return undefined;
  }
  const stat = statSync(path);
  const stamp = { path, size: stat.size, mtimeMs: stat.mtimeMs };
  const cache = join(dirname(path), ".sparta", "completion.json");
  try {
    const cached = JSON.parse(readFileSync(cache, "utf8")) as typeof stamp & ServiceHints;
    if (cached.path === stamp.path && cached.size === stamp.size && cached.mtimeMs === stamp.mtimeMs)
      return { functions: cached.functions, stages: cached.stages, commands: cached.commands };
  } catch {
    // no cache yet, or an unreadable one: load the service
  }
  let hints: ServiceHints;
  try {
    const { service } = await loadService(path, { checkHandlers: false });
    hints = {
      functions: service.functions.map((f) => f.name),
      stages: Object.keys(service.stages ?? {}),
      commands: (service.commands ?? []).map((c) => ({
        name: c.name,
        description: c.description,
        ...(c.flags ? { flags: c.flags } : {}),
      })),
    };
  } catch {
    return undefined;
  }
  try {
    if (!existsSync(dirname(cache))) mkdirSync(dirname(cache), { recursive: true });
    writeFileSync(cache, `${JSON.stringify({ ...stamp, ...hints })}\n`);
  } catch {
    // a read-only folder: answer without caching
  }
  return hints;
}

/** The script of `sparta completion SHELL`: it hands the words to `sparta __complete` and shows the answer. */
export function completionScript(shell: Shell): string {
  switch (shell) {
    case "bash":
      return `# sparta completion for bash. Load it now:  source <(sparta completion bash)
# or for every shell:  sparta completion bash > ~/.local/share/bash-completion/completions/sparta
_sparta() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" out
  out="$(sparta __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" || return 0
  local IFS=$'\\n'
  case "$out" in
    :files) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
    :dirs) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
    *)
      [[ "$cur" == "=" ]] && cur=""
      COMPREPLY=($(compgen -W "$(printf '%s\\n' "$out" | cut -f1)" -- "$cur")) ;;
  esac
}
complete -F _sparta sparta
`;
    case "zsh":
      return `#compdef sparta
# sparta completion for zsh. Load it now:  source <(sparta completion zsh)
# or for every shell:  sparta completion zsh > "\${fpath[1]}/_sparta"  (with compinit in ~/.zshrc)
_sparta() {
  local -a lines described
  local line value description
  lines=("\${(@f)$(sparta __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  case "\${lines[1]}" in
    :files) _files; return ;;
    :dirs) _files -/; return ;;
  esac
  for line in "\${lines[@]}"; do
    [[ -z "$line" ]] && continue
    value="\${line%%$'\\t'*}"
    description="\${line#*$'\\t'}"
    described+=("\${value//:/\\\\:}:\${description}")
  done
  _describe -t sparta 'sparta' described
}
if (( $+functions[compdef] )); then compdef _sparta sparta; fi
`;
    case "fish":
      return `# sparta completion for fish. Load it now:  sparta completion fish | source
# or for every shell:  sparta completion fish > ~/.config/fish/completions/sparta.fish
function __sparta_candidates
    set -l tokens (commandline -opc) (commandline -ct)
    set -e tokens[1]
    set -l out (sparta __complete $tokens 2>/dev/null)
    switch "$out[1]"
        case ':files'
            __fish_complete_path (commandline -ct)
        case ':dirs'
            __fish_complete_directories (commandline -ct)
        case '*'
            printf '%s\\n' $out
    end
end
complete -c sparta -f -a '(__sparta_candidates)'
`;
  }
}
