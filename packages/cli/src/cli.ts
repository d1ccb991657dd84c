import { parseArgs } from "node:util";
import { isStackName } from "@sparta/converge/names";
import { buildService } from "./build.js";
import { BUILTINS } from "./commands/index.js";
import type { BuiltinContext } from "./commands/types.js";
import { ExitCode, SpartaCliError, UsageError } from "./errors.js";
import { type LoadedService, loadService, resolveServicePath } from "./load.js";
import { type FlagValues, GLOBAL_FLAGS, globalOptions, readConfigFile, resolveFlags } from "./options.js";
import { createReporter, type OutputStream } from "./reporter.js";
import type {
  BuildResult,
  CommandContext,
  CommandDefinition,
  CommandFlag,
  GlobalOptions,
} from "./service.js";

// The `sparta` entry: global flags, dispatch to a built-in (commands/) or a service command, help and the one
// top-level error report. A command's own logic lives in its file under commands/.

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIO {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: OutputStream;
  stderr: OutputStream;
  /** Resolves when the user asks a long-running command (explore) to stop. Default: SIGINT/SIGTERM. */
  waitForStop?: () => Promise<void>;
  /** Aborted on Ctrl-C: a deployment stops waiting, drops a change set not yet executed and reports the stack. */
  signal?: AbortSignal;
  /** Asks the user one question and resolves with the line they typed ("" when there is no one to ask). */
  ask?: (question: string) => Promise<string>;
}

const flagRows = (flags: Record<string, CommandFlag>) =>
  Object.entries(flags).map(
    ([n, f]) =>
      `  --${n}${f.type === "string" ? " VALUE" : ""}`.padEnd(24) +
      (f.description ?? "") +
      (f.required ? " (required)" : "") +
      (f.multiple ? " (repeatable)" : ""),
  );

/** Help of one command: its description and its own flags. */
function commandHelp(command: {
  name: string;
  args?: string;
  description: string;
  flags?: Record<string, CommandFlag>;
}): string {
  const own = Object.keys(command.flags ?? {}).length > 0;
  return [
    `usage: sparta ${command.name}${command.args ? ` ${command.args}` : ""} [flags]`,
    "",
    command.description,
    ...(own ? ["", "flags:", ...flagRows(command.flags!)] : []),
    "",
    "global flags: --level, --format, --noop, --no-color, --service, --stackName, --no-checkValues (sparta help)",
  ].join("\n");
}

function helpText(extra: CommandDefinition[]): string {
  const rows = [
    ...BUILTINS.map((c) => [c.name, c.description]),
    ...extra.map((c) => [c.name, c.description]),
    ["help", "show this help"],
  ];
  return [
    "usage: sparta <command> [flags]      (sparta <command> --help for its flags)",
    "",
    "commands:",
    ...rows.map(([n, d]) => `  ${n!.padEnd(20)}${d}`),
    "",
    "global flags (also SPARTA_<FLAG> environment variables and .spartarc.json; flags win):",
    ...flagRows(GLOBAL_FLAGS),
    "",
    "exit codes: 0 success or unchanged, 1 internal error, 2 user error, 3 deployment failure (invoke: function error)",
  ].join("\n");
}

function parseCommandLine(args: string[], flags: Record<string, CommandFlag>, command: string) {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const [name, f] of Object.entries(flags)) {
    options[name] = {
      type: f.type,
      ...(f.multiple ? { multiple: true } : {}),
      ...(f.short ? { short: f.short } : {}),
    };
  }
  try {
    return parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: true,
      allowNegative: true,
    } as never) as unknown as {
      values: Record<string, unknown>;
      positionals: string[];
    };
  } catch (error) {
    const known = Object.keys(flags)
      .map((f) => `--${f}`)
      .join(", ");
    throw new UsageError(
      `sparta ${command}: ${(error as Error).message.split("\n")[0]}\nknown flags: ${known}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Run the `sparta` command line and return the process exit code. This is the one top-level catch: known
 * errors print their message and exit with their code; unknown ones print one line (stack with --level debug).
 */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let options: GlobalOptions = {
    level: "info",
    format: "text",
    noop: false,
    color: io.env.NO_COLOR === undefined,
  };
  let reporter = createReporter(io.stderr, options);
  try {
    const pre = parseArgs({
      args: argv,
      options: {
        level: { type: "string" },
        format: { type: "string" },
        service: { type: "string" },
        stackName: { type: "string" },
      },
      strict: false,
      allowPositionals: true,
    });
    const commandName = pre.positionals[0];
    const config = readConfigFile(io.cwd);
    // Options of the global flags alone first, so even a usage error prints at the right level.
    const preGlobals = resolveFlags(
      { level: GLOBAL_FLAGS.level!, format: GLOBAL_FLAGS.format! },
      pre.values as Record<string, unknown>,
      io.env,
      config,
    );
    options = globalOptions(preGlobals, io.env);
    reporter = createReporter(io.stderr, options);

    const builtin = BUILTINS.find((c) => c.name === commandName);
    const wantsHelp =
      commandName === undefined ||
      commandName === "help" ||
      pre.values.help === true ||
      pre.values.h === true;
    let loaded: LoadedService | undefined;
    const serviceFlag =
      (pre.values.service as string | undefined) ??
      io.env.SPARTA_SERVICE ??
      (config.service as string | undefined);
    if (!wantsHelp && (builtin === undefined || builtin.needsService)) {
      loaded = await loadService(resolveServicePath(io.cwd, serviceFlag));
    }
    if (wantsHelp) {
      let extra: CommandDefinition[] = [];
      try {
        extra =
          (await loadService(resolveServicePath(io.cwd, serviceFlag), { checkHandlers: false })).service
            .commands ?? [];
      } catch {
        // help works without a service
      }
      const named =
        commandName === "help" ? pre.positionals[1] : commandName === undefined ? undefined : commandName;
      const one = BUILTINS.find((c) => c.name === named) ?? extra.find((c) => c.name === named);
      io.stdout.write(`${one ? commandHelp(one) : helpText(extra)}\n`);
      return ExitCode.ok;
    }
    const custom = loaded?.service.commands?.find((c) => c.name === commandName);
    if (!builtin && !custom) {
      const names = [...BUILTINS.map((c) => c.name), ...(loaded?.service.commands ?? []).map((c) => c.name)];
      throw new UsageError(`unknown command "${commandName}"; commands: ${names.join(", ")} (sparta help)`);
    }
    const commandFlags: Record<string, CommandFlag> = {
      ...GLOBAL_FLAGS,
      ...(builtin?.flags ?? custom?.flags ?? {}),
    };
    const parsed = parseCommandLine(argv, commandFlags, commandName!);
    const allowed = builtin?.args ? 2 : 1;
    if (parsed.positionals.length > allowed) {
      throw new UsageError(`sparta ${commandName}: unexpected argument "${parsed.positionals[allowed]}"`);
    }
    const flags: FlagValues = resolveFlags(commandFlags, parsed.values, io.env, config);
    const stackName = flags.stackName;
    if (typeof stackName === "string" && !isStackName(stackName)) {
      throw new UsageError(
        `--stackName ${JSON.stringify(stackName)} is not a CloudFormation stack name: a letter, then letters, digits or "-", at most 128 characters (e.g. --stackName hello-dev)`,
      );
    }
    options = globalOptions(flags, io.env);
    reporter = createReporter(io.stderr, options);

    const result = (value: unknown, text?: string) => {
      reporter.done();
      if (options.format === "json") io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else if (text !== undefined) io.stdout.write(`${text}\n`);
    };
    const ctx: BuiltinContext = {
      service: loaded?.service as CommandContext["service"],
      serviceDir: loaded?.serviceDir ?? io.cwd,
      servicePath: loaded?.servicePath ?? "",
      loaded: loaded as LoadedService,
      reporter,
      options,
      flags,
      result,
      waitForStop: io.waitForStop ?? waitForSignal,
      ask: io.ask ?? (async () => ""),
      signal: io.signal,
      write: (text: string) => {
        reporter.done();
        io.stdout.write(text);
      },
      args: parsed.positionals.slice(1),
      cwd: io.cwd,
      writeErr: (text: string) => {
        reporter.done();
        io.stderr.write(text);
      },
      build: (o = {}): Promise<BuildResult> =>
        buildService({
          service: loaded!.service,
          serviceDir: loaded!.serviceDir,
          reporter,
          noop: options.noop,
          ...(o.buildId ? { buildId: o.buildId } : {}),
          ...(o.codePipelinePackage ? { codePipelinePackage: o.codePipelinePackage } : {}),
          ...(flags.stackName ? { stackName: flags.stackName as string } : {}),
          checkValues: flags.checkValues !== false,
        }),
    };
    let code: number | undefined;
    if (builtin) code = await builtin.run(ctx);
    else {
      const value = await custom!.run(ctx);
      if (typeof value === "number") code = value;
    }
    reporter.done();
    return code ?? ExitCode.ok;
  } catch (error) {
    reporter.done();
    return reportError(error, reporter, options);
  }
}

function reportError(
  error: unknown,
  reporter: ReturnType<typeof createReporter>,
  options: GlobalOptions,
): number {
  if (error instanceof SpartaCliError) {
    reporter.error(`error: ${error.message}`);
    if (options.level === "debug" && error.stack) reporter.debug(error.stack);
    return error.exitCode;
  }
  // Errors of the packages the CLI drives carry a stable `code`; the package tells who is to blame.
  const e = error as { name?: string; code?: unknown; message?: string; stack?: string; exitCode?: unknown };
  if (typeof e?.code === "string" && (e.exitCode === 2 || e.exitCode === 3)) {
    // A SpartaCliError from another copy of this package (e.g. thrown by a service's own command).
    reporter.error(`error: ${e.message}`);
    return e.exitCode;
  }
  // Node's own errors (TypeError with code ERR_*) are internal errors, not the packages' errors.
  const known =
    typeof e?.code === "string" &&
    !e.code.startsWith("ERR_") &&
    typeof e.name === "string" &&
    e.name.endsWith("Error") &&
    !["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError"].includes(e.name);
  if (known) {
    // @sparta/converge codes are SPARTA_CONVERGE_*: the stack operation could not be carried out.
    const deployment = (e.code as string).startsWith("SPARTA_CONVERGE");
    reporter.error(`error: ${e.message}`);
    if (options.level === "debug" && e.stack) reporter.debug(e.stack);
    return deployment ? ExitCode.deployment : ExitCode.user;
  }
  reporter.error(
    `internal error: ${e?.message ?? String(error)}${options.level === "debug" ? "" : " (run with --level debug for the stack)"}`,
  );
  if (options.level === "debug" && e?.stack) reporter.error(e.stack);
  return ExitCode.internal;
}

function waitForSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
