import { parseArgs } from "node:util";
import { isStackName } from "@sparta/converge/names";
import { applyEnv, awsOverrides, checkProfile, checkRegion } from "./aws-env.js";
import { buildService } from "./build.js";
import { BUILTINS } from "./commands/index.js";
import type { BuiltinContext } from "./commands/types.js";
import { COMPLETE_COMMAND, complete, formatCompletion, serviceHints } from "./complete.js";
import { ExitCode, SpartaCliError, UsageError } from "./errors.js";
import { commandHelp, flagUsage, helpText } from "./help.js";
import { setInterruptNotes } from "./interrupt.js";
import { type LoadedService, loadService, resolveServicePath } from "./load.js";
import {
  camelCase,
  checkConfigKeys,
  type FlagValues,
  GLOBAL_FLAGS,
  globalOptions,
  kebabCase,
  normalizeFlags,
  readConfigFile,
  resolveFlags,
} from "./options.js";
import { createReporter, type OutputStream } from "./reporter.js";
import type {
  BuildResult,
  CommandContext,
  CommandDefinition,
  CommandFlag,
  GlobalOptions,
} from "./service.js";
import { applyStage, checkStage, stageParameters, stageStackName } from "./stage.js";
import { didYouMean } from "./suggest.js";

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
  /**
   * True when a person can answer `ask` (stdin is a terminal). Commands that ask before a destructive change
   * refuse without `--yes` when false. Default false.
   */
  interactive?: boolean;
}

/** Commands users of other tools type, and the sparta command that does it. */
const SYNONYMS: Record<string, string> = {
  deploy: "provision",
  up: "provision",
  synth: "provision",
  package: "provision",
  build: "provision",
  destroy: "delete",
  remove: "delete",
  rm: "delete",
  info: "status",
  new: "init",
  create: "init",
  local: "explore",
  serve: "explore",
  start: "explore",
  run: "invoke",
  diff: "provision",
};

function unknownCommand(name: string, commands: readonly { name: string }[]): UsageError {
  const names = [...commands.map((c) => c.name), "help"];
  const synonym = SYNONYMS[name.toLowerCase()];
  const hint =
    synonym && names.includes(synonym)
      ? ` Did you mean ${synonym}?${name === "diff" ? " (sparta provision --plan shows the changes)" : ""}`
      : didYouMean(name, names);
  return new UsageError(`unknown command "${name}".${hint} Commands: ${names.join(", ")} (sparta help)`);
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
      args: normalizeFlags(args, flags),
      options,
      strict: true,
      allowPositionals: true,
      allowNegative: true,
    } as never) as unknown as {
      values: Record<string, unknown>;
      positionals: string[];
    };
  } catch (error) {
    const e = error as Error & { code?: string };
    const typed = e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'(-[^']+)'/.exec(e.message)?.[1] : undefined;
    const known = Object.entries(flags)
      .filter(([name]) => !(name in GLOBAL_FLAGS))
      .map(([name, f]) =>
        flagUsage(name, f)
          .replace(/^-\w, /, "")
          .replace(/ .*$/, ""),
      );
    if (typed !== undefined) {
      const all = Object.entries(flags).flatMap(([name, f]) =>
        f.type === "boolean" && f.default === true
          ? [`--no-${kebabCase(name)}`, `--${kebabCase(name)}`]
          : [`--${kebabCase(name)}`],
      );
      throw new UsageError(
        `sparta ${command}: unknown flag ${typed}.${didYouMean(typed.replace(/=.*$/, ""), all)}\n${
          known.length ? `flags of ${command}: ${known.join(", ")}; ` : ""
        }global flags: sparta help`,
        { cause: error },
      );
    }
    // Node names the flag as it was declared (camelCase); say it as it is typed.
    const message = (e.message.split("\n")[0] ?? "").replace(
      /'--([A-Za-z0-9]+)/g,
      (_, n: string) => `'--${kebabCase(n)}`,
    );
    throw new UsageError(`sparta ${command}: ${message}`, { cause: error });
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
  let restoreEnv = () => {};
  let wroteResult = false;
  setInterruptNotes(undefined);
  // The shells' completion scripts ask here (sparta completion): candidates on stdout, never an error.
  if (argv[0] === COMPLETE_COMMAND) {
    try {
      const typed = argv.slice(1);
      const at = typed.findIndex((w) => w === "--service");
      const serviceFlag = (at >= 0 ? typed[at + 1] : undefined) ?? io.env.SPARTA_SERVICE;
      const answer = await complete(typed, {
        commands: BUILTINS,
        globalFlags: GLOBAL_FLAGS,
        hints: () => serviceHints(io.cwd, serviceFlag),
        env: io.env,
      });
      io.stdout.write(formatCompletion(answer, typed.at(-1) ?? ""));
    } catch {
      // a completion that fails offers nothing
    }
    return ExitCode.ok;
  }
  try {
    const pre = parseArgs({
      args: normalizeFlags(argv, GLOBAL_FLAGS),
      options: Object.fromEntries(
        Object.entries(GLOBAL_FLAGS).map(([name, f]) => [
          name,
          { type: f.type, ...(f.short ? { short: f.short } : {}) },
        ]),
      ),
      strict: false,
      allowPositionals: true,
    });
    const typedName = pre.positionals[0];
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

    const findBuiltin = (name: string | undefined) =>
      name === undefined ? undefined : BUILTINS.find((c) => c.name === name || c.name === camelCase(name));
    // `sparta --version`, `sparta -v` (and after a built-in command) print the version, as every CLI does.
    const wantsVersion = pre.values.version === true && (typedName === undefined || findBuiltin(typedName));
    const commandName = wantsVersion ? "version" : typedName;
    const builtin = findBuiltin(commandName);
    const wantsHelp =
      !wantsVersion && (commandName === undefined || commandName === "help" || pre.values.help === true);
    let loaded: LoadedService | undefined;
    const serviceFlag =
      (pre.values.service as string | undefined) ??
      io.env.SPARTA_SERVICE ??
      (config.service as string | undefined);
    if (wantsHelp) {
      let extra: CommandDefinition[] = [];
      try {
        extra =
          (await loadService(resolveServicePath(io.cwd, serviceFlag), { checkHandlers: false })).service
            .commands ?? [];
      } catch {
        // help works without a service
      }
      const named = commandName === "help" ? pre.positionals[1] : commandName;
      const one =
        findBuiltin(named) ??
        extra.find((c) => named !== undefined && (c.name === named || c.name === camelCase(named)));
      if (named !== undefined && named !== "help" && !one)
        throw unknownCommand(named, [...BUILTINS, ...extra]);
      io.stdout.write(
        `${one ? commandHelp(one, GLOBAL_FLAGS) : helpText([...BUILTINS, ...extra], GLOBAL_FLAGS)}\n`,
      );
      return ExitCode.ok;
    }
    if (!builtin) {
      // A service's own command, or a typo: without a service file, a typo.
      let path: string;
      try {
        path = resolveServicePath(io.cwd, serviceFlag);
      } catch (error) {
        if (serviceFlag === undefined) throw unknownCommand(commandName!, BUILTINS);
        throw error;
      }
      loaded = await loadService(path);
    } else if (builtin.needsService) {
      loaded = await loadService(resolveServicePath(io.cwd, serviceFlag));
    }
    const custom = loaded?.service.commands?.find(
      (c) => c.name === commandName || c.name === camelCase(commandName!),
    );
    if (!builtin && !custom)
      throw unknownCommand(commandName!, [...BUILTINS, ...(loaded?.service.commands ?? [])]);
    // The service's own commands add flags (and keys): without the service loaded, only a folder without a service
    // file can be checked.
    let serviceFile = loaded !== undefined;
    if (!serviceFile)
      try {
        resolveServicePath(io.cwd, serviceFlag);
        serviceFile = true;
      } catch {
        // no service here: the built-in commands' flags are all there are
      }
    if (loaded !== undefined || !serviceFile)
      checkConfigKeys(config, [
        GLOBAL_FLAGS,
        ...[...BUILTINS, ...(loaded?.service.commands ?? [])].map((c) => c.flags ?? {}),
      ]);
    const name = builtin?.name ?? custom!.name;
    const commandFlags: Record<string, CommandFlag> = {
      ...GLOBAL_FLAGS,
      ...(builtin?.flags ?? custom?.flags ?? {}),
    };
    // A command's own short flag (e.g. -v) wins over the global one.
    for (const [flagName, f] of Object.entries(GLOBAL_FLAGS))
      if (
        f.short &&
        commandFlags[flagName] === f &&
        Object.entries(commandFlags).some(([other, g]) => other !== flagName && g.short === f.short)
      )
        commandFlags[flagName] = { ...f, short: undefined } as CommandFlag;
    const parsed = parseCommandLine(
      wantsVersion ? argv.filter((a) => a !== typedName) : argv,
      commandFlags,
      name,
    );
    const allowed = builtin?.args ? 2 : 1;
    if (parsed.positionals.length > allowed) {
      throw new UsageError(`sparta ${name}: unexpected argument "${parsed.positionals[allowed]}"`);
    }
    const flags: FlagValues = resolveFlags(commandFlags, parsed.values, io.env, config);
    const explicitStack = flags.stackName;
    if (typeof explicitStack === "string" && !isStackName(explicitStack)) {
      throw new UsageError(
        `--stack-name ${JSON.stringify(explicitStack)} is not a CloudFormation stack name: a letter, then letters, digits or "-", at most 128 characters (e.g. --stack-name hello-dev)`,
      );
    }
    options = globalOptions(flags, io.env);
    reporter = createReporter(io.stderr, options);

    const stage = flags.stage as string | undefined;
    if (stage !== undefined) checkStage(stage, loaded?.service);
    const service = loaded ? applyStage(loaded.service, stage) : undefined;
    const stackName =
      (explicitStack as string | undefined) ?? (service ? stageStackName(service.name, stage) : "");
    if (service && !isStackName(stackName))
      throw new UsageError(
        `--stage ${stage}: the stack name ${stackName} is longer than CloudFormation's 128 characters; pick a shorter stage or --stack-name`,
      );
    const region = flags.region as string | undefined;
    if (region !== undefined) checkRegion(region);
    const profile = flags.profile as string | undefined;
    if (profile !== undefined && builtin?.usesAws && !options.noop) checkProfile(profile, io.env);
    // The SDK reads process.env; an embedder's io.env (tests, other tools) is the environment of this run.
    const given =
      io.env === process.env
        ? {}
        : Object.fromEntries(Object.entries(io.env).filter(([k]) => k.startsWith("AWS_")));
    restoreEnv = applyEnv({
      ...given,
      ...awsOverrides({ ...(profile ? { profile } : {}), ...(region ? { region } : {}) }, io.env),
    });

    const result = (value: unknown, text?: string) => {
      reporter.done();
      wroteResult = true;
      if (options.format === "json") io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      else if (text !== undefined) io.stdout.write(`${text}\n`);
    };
    const ctx: BuiltinContext = {
      service: service as CommandContext["service"],
      ...(stage !== undefined ? { stage } : {}),
      stackName,
      serviceDir: loaded?.serviceDir ?? io.cwd,
      servicePath: loaded?.servicePath ?? "",
      loaded: loaded as LoadedService,
      reporter,
      options,
      flags,
      result,
      waitForStop: io.waitForStop ?? waitForSignal,
      ask: io.ask ?? (async () => ""),
      interactive: io.interactive === true,
      signal: io.signal,
      commands: [...BUILTINS, ...(loaded?.service.commands ?? [])],
      globalFlags: GLOBAL_FLAGS,
      write: (text: string) => {
        reporter.done();
        wroteResult = true;
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
          service: service!,
          serviceDir: loaded!.serviceDir,
          reporter,
          noop: options.noop,
          parameters: stageParameters(service!, stage),
          ...(o.buildId ? { buildId: o.buildId } : {}),
          ...(o.codePipelinePackage ? { codePipelinePackage: o.codePipelinePackage } : {}),
          ...(o.whileBundling ? { whileBundling: o.whileBundling } : {}),
          stackName,
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
    const code = reportError(error, reporter, options);
    // With --format json, stdout is one JSON document whatever happens: the error, unless a result was written.
    if (options.format === "json" && !wroteResult)
      io.stdout.write(`${JSON.stringify(errorJson(error, code), null, 2)}\n`);
    return code;
  } finally {
    setInterruptNotes(undefined);
    restoreEnv();
  }
}

/** The error as `--format json` prints it on stdout: `{ "error": { code, exitCode, message, problems? } }`. */
function errorJson(error: unknown, exitCode: number): { error: Record<string, unknown> } {
  const e = error as { code?: unknown; message?: unknown; problems?: unknown };
  return {
    error: {
      code: typeof e?.code === "string" && exitCode !== ExitCode.internal ? e.code : "INTERNAL",
      exitCode,
      message: typeof e?.message === "string" ? e.message : String(error),
      ...(Array.isArray(e?.problems) ? { problems: e.problems } : {}),
    },
  };
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
    // @sparta/converge codes are SPARTA_CONVERGE_*: the stack operation could not be carried out, unless the
    // error says the user's own configuration or input is at fault (`userError`: region, endpoint, profile, bucket).
    const deployment =
      (e.code as string).startsWith("SPARTA_CONVERGE") &&
      (error as { userError?: unknown }).userError !== true;
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
