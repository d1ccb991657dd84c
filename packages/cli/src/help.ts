import { kebabCase } from "./options.js";
import type { CommandFlag } from "./service.js";

// What `sparta help` and `sparta <command> --help` print: aligned columns (the widest entry sets the width), descriptions
// wrapped under themselves, flags as they are typed (kebab-case), an example for each command.

/** What help shows of a command (a built-in or a service's). */
export interface HelpCommand {
  name: string;
  description: string;
  args?: string;
  flags?: Record<string, CommandFlag>;
  examples?: string[];
}

/** Help lines are wrapped to this width. */
export const HELP_WIDTH = 100;

/** How a flag is typed: `-y, --yes`, `--s3-bucket BUCKET`, `--format text|json`, `--no-check-values`. */
export function flagUsage(name: string, flag: CommandFlag): string {
  const typed = kebabCase(name);
  const short = flag.short ? `-${flag.short}, ` : "";
  if (flag.type === "boolean") {
    if (flag.default === true) return `--no-${typed}`;
    if (name === "color") return "--[no-]color";
    return `${short}--${typed}`;
  }
  const value = flag.values ? flag.values.join("|") : (flag.valueName ?? "VALUE");
  return `${short}--${typed} ${value}`;
}

/** `text` cut into lines of at most `width` characters at spaces (a longer word stays whole). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [""];
}

/**
 * Two columns, the first padded to the widest entry plus two spaces, the second wrapped and continued under
 * itself; a first column too wide for the page puts its text on the next line.
 */
export function columns(rows: readonly (readonly [string, string])[], indent = "  "): string[] {
  const widest = Math.max(0, ...rows.map(([left]) => left.length));
  const gap = Math.min(widest, 30) + 2;
  const width = Math.max(30, HELP_WIDTH - indent.length - gap);
  return rows.flatMap(([left, right]) => {
    const text = wrap(right, width);
    const pad = " ".repeat(indent.length + gap);
    if (left.length + 2 > gap) return [`${indent}${left}`, ...text.map((t) => `${pad}${t}`)];
    return [`${indent}${left.padEnd(gap)}${text[0]}`, ...text.slice(1).map((t) => `${pad}${t}`)];
  });
}

/** The rows of a set of flags: usage, then description with `(required)` / `(repeatable)` appended once. */
export function flagRows(flags: Record<string, CommandFlag>): [string, string][] {
  return Object.entries(flags).map(([name, flag]) => {
    const notes = [
      ...(flag.required ? ["(required)"] : []),
      ...(flag.multiple && !/\(repeatable\)/.test(flag.description ?? "") ? ["(repeatable)"] : []),
    ];
    return [flagUsage(name, flag), [flag.description ?? "", ...notes].filter(Boolean).join(" ")];
  });
}

/** `sparta <command> --help`. */
export function commandHelp(command: HelpCommand, globalFlags: Record<string, CommandFlag>): string {
  const own = Object.keys(command.flags ?? {}).length > 0;
  const globals = Object.entries(globalFlags)
    .filter(([name]) => name !== "help" && name !== "version")
    .map(([name, flag]) => flagUsage(name, flag).replace(/ .*$/, ""));
  return [
    `usage: sparta ${command.name}${command.args ? ` ${command.args}` : ""} [flags]`,
    "",
    ...wrap(command.description, HELP_WIDTH),
    ...(own ? ["", "flags:", ...columns(flagRows(command.flags!))] : []),
    ...(command.examples?.length ? ["", "examples:", ...command.examples.map((e) => `  ${e}`)] : []),
    "",
    ...wrap(`global flags: ${globals.join(", ")} (sparta help)`, HELP_WIDTH - 2).map((l, i) =>
      i === 0 ? l : `  ${l}`,
    ),
  ].join("\n");
}

/** `sparta help`: every command (built-ins, then the service's own), the global flags, examples, exit codes. */
export function helpText(commands: readonly HelpCommand[], globalFlags: Record<string, CommandFlag>): string {
  return [
    "usage: sparta <command> [flags]      (sparta <command> --help for its flags and examples)",
    "",
    "commands:",
    ...columns([...commands.map((c) => [c.name, c.description] as const), ["help", "show this help"]]),
    "",
    "global flags (also SPARTA_<FLAG> environment variables and .spartarc.json; flags win):",
    ...columns(flagRows(globalFlags)),
    "",
    "examples:",
    ...columns([
      ["sparta init hello-api", "write a new service into hello-api/"],
      ["sparta provision", "deploy it (the first run creates the deployment bucket)"],
      ["sparta provision --stage prod", "deploy stage prod: stack <service>-prod"],
      ["sparta logs --follow", "follow its functions' logs"],
      ["sparta delete --stage prod --yes", "delete stage prod's stack without asking"],
    ]),
    "",
    "exit codes: 0 success or unchanged, 1 internal error, 2 user error, 3 deployment failure (invoke: function error)",
  ].join("\n");
}
