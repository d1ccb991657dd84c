import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { writeWrappers } from "./build.js";
import { ExitCode, InvokeError, StackNotDeployedError, UsageError } from "./errors.js";
import { localBundleOptions } from "./explore.js";
import {
  DEFAULT_MEMORY,
  DEFAULT_TIMEOUT,
  type FunctionCode,
  functionLogicalIds,
  marshalService,
} from "./marshal.js";
import { SAMPLE_ACCOUNT, sampleEvent } from "./samples.js";
import type { CliReporter, ServiceDefinition } from "./service.js";

/** How long a function's module may take to load, as Lambda's init phase allows (10 s). */
export const INIT_TIMEOUT_MS = 10_000;
/** After the configured timeout, how long a function that blocks its event loop gets before it is killed. */
const KILL_GRACE_MS = 1000;

/** The configuration a local invocation runs with, as the deployed function would have it. */
export interface InvokeConfig {
  /** The service's name for the function (`functions[].name`). */
  name: string;
  /** The name Lambda knows it by: its configured `FunctionName`, else the service's name for it. */
  functionName: string;
  memorySize: number;
  /** Seconds. */
  timeout: number;
  environment: Record<string, string>;
}

/** Lambda's shape of a function error (the `Payload` of an Invoke answered with `FunctionError`). */
export interface FunctionErrorShape {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

/** What one invocation gave: the function's result, or its error. */
export type InvokeOutcome =
  | { kind: "result"; function: string; requestId: string; durationMs: number; result: unknown }
  | { kind: "error"; function: string; requestId: string; durationMs: number; error: FunctionErrorShape };

/** A usage error naming the function, with the service's function names. */
export function unknownFunction(service: ServiceDefinition, name: string | undefined): UsageError {
  const names = service.functions.map((f) => f.name).join(", ");
  return new UsageError(
    name === undefined
      ? `sparta invoke needs a function name: sparta invoke <function> [--event FILE]; functions: ${names}`
      : `sparta invoke ${name}: the service has no function "${name}"; functions: ${names}`,
  );
}

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/**
 * Where JSON text stops being JSON: the offset of the first character the grammar (RFC 8259) does not allow, or the
 * text's length when it ends early. JSON.parse says so only in some Node versions' messages.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const string = () => {
    i++; // the opening quote
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === "\\") {
        i++;
        if (text[i] === "u") {
          HEX4.lastIndex = i + 1;
          if (!HEX4.test(text)) throw i;
          i += 5;
          continue;
        }
        if (i >= text.length || !'"\\/bfnrt'.includes(text[i]!)) throw i;
      } else if (c < " ") throw i;
      i++;
    }
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === "{") {
          ws();
          if (text[i] !== '"') throw i;
          string();
          ws();
          if (text[i] !== ":") throw i;
          i++;
        }
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === close) {
          i++;
          return;
        } else throw i;
      }
    }
    if (c === '"') {
      string();
      return;
    }
    NUMBER.lastIndex = i;
    if (!NUMBER.test(text)) throw i;
    i = NUMBER.lastIndex;
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    if (typeof at === "number") return Math.min(at, text.length);
    return text.length; // nested too deep to scan: say where it ends
  }
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/**
 * The event of `--event`: a JSON file, `-` for stdin, `{}` without the flag. The text is passed on as it is (the
 * bytes Lambda would receive) once it parses as JSON; a file that is missing or not JSON is a usage error naming the
 * file and the parse position.
 */
export async function readEvent(
  arg: string | undefined,
  cwd: string,
  stdin: AsyncIterable<Buffer | string> = process.stdin,
): Promise<{ text: string; source: string }> {
  if (arg === undefined) return { text: "{}", source: "(no --event: {})" };
  let text: string;
  let source: string;
  if (arg === "-") {
    source = "stdin";
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    text = Buffer.concat(chunks).toString("utf8");
  } else {
    source = arg;
    const path = resolve(cwd, arg);
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new UsageError(
        code === "ENOENT"
          ? `--event ${arg}: no such file (${path}); give a JSON event file, e.g. --event events/get.json, or --event - to read stdin`
          : `--event ${arg}: cannot read ${path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  // Editors on Windows save UTF-8 with a byte-order mark; it is no part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    JSON.parse(text);
  } catch (error) {
    const offset = jsonErrorOffset(text);
    const { line, column } = lineColumn(text, offset);
    const what =
      offset >= text.length
        ? text.trim() === ""
          ? "it is empty"
          : "it ends before the JSON value does"
        : `unexpected ${JSON.stringify(text.slice(offset, offset + 1))}`;
    throw new UsageError(
      `--event ${source}: not JSON: ${what} at position ${offset} (line ${line}, column ${column})\nThe event is the JSON a trigger sends, e.g. {"Records": []} (sparta invoke <function> --event event.json).`,
      { cause: error },
    );
  }
  return { text, source };
}

/**
 * The configuration a function is invoked with locally: memory, timeout, environment and physical name from the
 * template the service marshals to (so a decorator's changes count), falling back to the defaults a deployment uses.
 * Environment values that are CloudFormation expressions (`{"Ref": ...}`) cannot be resolved locally: they are
 * reported and left out.
 */
export async function invokeConfig(
  service: ServiceDefinition,
  name: string,
  reporter: Pick<CliReporter, "warn">,
): Promise<InvokeConfig> {
  const fn = service.functions.find((f) => f.name === name);
  if (!fn) throw unknownFunction(service, name);
  const code: Record<string, FunctionCode> = {};
  for (const f of service.functions) code[f.name] = { key: `${f.name}-local.zip`, handler: "index.handler" };
  const template = await marshalService(service, code, { warn: () => {} });
  const properties = template.Resources[functionLogicalIds(fn).function]?.Properties ?? {};
  const environment: Record<string, string> = {};
  const variables = (properties.Environment as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables;
  for (const [k, v] of Object.entries(variables ?? fn.environment ?? {})) {
    // A dynamic reference ({{resolve:secretsmanager:...}}) is a secret CloudFormation resolves when it deploys.
    const resolvedOnDeploy = typeof v === "string" && v.startsWith("{{resolve:");
    if ((typeof v === "string" && !resolvedOnDeploy) || typeof v === "number" || typeof v === "boolean")
      environment[k] = String(v);
    else
      reporter.warn(
        `${name}: environment variable ${k} is ${JSON.stringify(v)}, resolved only when deployed; not set locally`,
      );
  }
  return {
    name,
    functionName: typeof properties.FunctionName === "string" ? properties.FunctionName : name,
    memorySize:
      typeof properties.MemorySize === "number" ? properties.MemorySize : (fn.memorySize ?? DEFAULT_MEMORY),
    timeout: typeof properties.Timeout === "number" ? properties.Timeout : (fn.timeout ?? DEFAULT_TIMEOUT),
    environment,
  };
}

/**
 * Bundle one function exactly as `sparta explore` does (the entry wrapper the packager ZIPs, compiled with the same
 * esbuild options) into `.sparta/invoke/<name>.mjs`; returns that file.
 */
export async function buildForInvoke(
  service: ServiceDefinition,
  serviceDir: string,
  name: string,
  reporter: Pick<CliReporter, "progress">,
): Promise<string> {
  reporter.progress(`compiling ${name} for invoke`);
  const entries = await writeWrappers(serviceDir, service);
  const outfile = resolve(serviceDir, ".sparta", "invoke", `${name}.mjs`);
  try {
    await build(localBundleOptions(resolve(serviceDir, entries[name]!), outfile));
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { file: string; line: number } }[] })
      .errors?.[0];
    const at = first?.location ? ` (${first.location.file}:${first.location.line})` : "";
    throw new UsageError(
      `${name}: its code does not compile: ${first ? `${first.text}${at}` : (error as Error).message}`,
      { cause: error },
    );
  }
  return outfile;
}

// Runs in the child process: loads the bundle (Lambda's init), then calls it once through @sparta/handler's
// runInvocation, the in-process call its local invoke server makes, and sends the result back over IPC.
const RUNNER = `
const send = (m) => new Promise((done) => process.send(m, done));
const errorOf = (e) => e instanceof Error
  ? { errorType: e.name, errorMessage: e.message, stackTrace: (e.stack ?? "").split("\\n").slice(1).map((l) => l.trim()) }
  : { errorType: "Error", errorMessage: String(e) };
process.once("message", async (m) => {
  let entry;
  let runInvocation;
  try {
    ({ runInvocation } = await import(m.local));
    entry = (await import(m.bundle)).handler;
    if (typeof entry !== "function") throw Object.assign(new Error(m.name + ": its compiled entry exports no handler"), { name: "Runtime.HandlerNotFound" });
  } catch (e) {
    await send({ type: "done", error: errorOf(e), durationUs: 0 });
    process.exit(0);
  }
  await send({ type: "ready" });
  const r = await runInvocation(entry, { ...m.invocation, event: new TextEncoder().encode(m.event) }, m.timeoutMs);
  await send({ type: "done", durationUs: r.durationUs, error: r.error, payload: r.payload ? new TextDecoder().decode(r.payload) : undefined });
  process.exit(0);
});
`;

type ChildMessage =
  | { type: "ready" }
  | { type: "done"; durationUs?: number; error?: FunctionErrorShape; payload?: string };

export interface InvokeLocalOptions {
  /** The compiled bundle (`buildForInvoke`). */
  bundle: string;
  config: InvokeConfig;
  /** The event JSON text. */
  event: string;
  serviceDir: string;
  /** Where the function's own output goes (its stdout and stderr, as written). */
  onLog: (chunk: string) => void;
  /** Environment the function starts from (default `process.env`); its configured variables are set over it. */
  env?: Record<string, string | undefined>;
  /** Stops the invocation (Ctrl-C): the function's process is killed. */
  signal?: AbortSignal;
  requestId?: string;
}

/**
 * Run a compiled function once, the way Lambda does, in a child Node process: its configured environment (and
 * Lambda's `AWS_LAMBDA_*` variables) set, its module loaded, then `handler(event, context)` called through
 * @sparta/handler's `runInvocation` with a Lambda context (function name, memory, a fresh request id, a countdown
 * from the configured timeout, an ARN with a fake account). The function's output goes to `onLog`. A function that
 * outlives its timeout is reported as Lambda reports it ("Task timed out after N seconds") and killed.
 */
export async function invokeLocal(options: InvokeLocalOptions): Promise<InvokeOutcome> {
  const { config } = options;
  const base = options.env ?? process.env;
  const region = base.AWS_REGION ?? base.AWS_DEFAULT_REGION ?? "us-east-1";
  const requestId = options.requestId ?? randomUUID();
  const logGroupName = `/aws/lambda/${config.functionName}`;
  const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll("-", "/")}/[$LATEST]local`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  Object.assign(env, {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: base.AWS_DEFAULT_REGION ?? region,
    AWS_LAMBDA_FUNCTION_NAME: config.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    ...config.environment,
  });
  const timeoutMs = config.timeout * 1000;
  const message = {
    name: config.name,
    bundle: `${pathToFileURL(options.bundle).href}?v=${Date.now()}`,
    local: import.meta.resolve("@sparta/handler/local"),
    event: options.event,
    timeoutMs,
    invocation: {
      functionName: config.functionName,
      functionVersion: "$LATEST",
      invokedFunctionArn: `arn:aws:lambda:${region}:${SAMPLE_ACCOUNT}:function:${config.functionName}`,
      memoryLimitInMb: config.memorySize,
      awsRequestId: requestId,
      logGroupName,
      logStreamName,
    },
  };
  const started = performance.now();
  const outcome = (
    error: FunctionErrorShape | undefined,
    payload: string | undefined,
    durationUs?: number,
  ) => {
    const durationMs =
      durationUs === undefined ? Math.round(performance.now() - started) : Math.round(durationUs / 100) / 10;
    if (error) return { kind: "error" as const, function: config.name, requestId, durationMs, error };
    let result: unknown = null;
    if (payload !== undefined && payload !== "") result = JSON.parse(payload);
    return { kind: "result" as const, function: config.name, requestId, durationMs, result };
  };
  const child: ChildProcess = spawn(
    process.execPath,
    ["--enable-source-maps", "--input-type=module", "-e", RUNNER],
    { cwd: options.serviceDir, env, stdio: ["ignore", "pipe", "pipe", "ipc"] },
  );
  child.stdout!.setEncoding("utf8").on("data", options.onLog);
  child.stderr!.setEncoding("utf8").on("data", options.onLog);
  const outputClosed = Promise.all(
    [child.stdout!, child.stderr!].map((s) => new Promise<void>((done) => s.once("close", () => done()))),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const onAbort = () => kill();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const result = await new Promise<InvokeOutcome>((settle, reject) => {
      let invokedAt = 0;
      const timedOut = (phase: "init" | "invoke") => {
        kill();
        settle(
          outcome(
            phase === "init"
              ? {
                  errorType: "Runtime.InitTimeout",
                  errorMessage: `${config.name}: its module did not load within ${INIT_TIMEOUT_MS / 1000} seconds (Lambda's init limit)`,
                }
              : {
                  errorType: "Sandbox.Timedout",
                  errorMessage: `Task timed out after ${config.timeout.toFixed(2)} seconds`,
                },
            undefined,
            phase === "invoke" ? (performance.now() - invokedAt) * 1000 : undefined,
          ),
        );
      };
      timer = setTimeout(() => timedOut("init"), INIT_TIMEOUT_MS);
      child.on("message", (m: ChildMessage) => {
        if (m.type === "ready") {
          clearTimeout(timer);
          invokedAt = performance.now();
          // runInvocation reports the timeout itself; this only fires when the function blocks the event loop.
          timer = setTimeout(() => timedOut("invoke"), timeoutMs + KILL_GRACE_MS);
          return;
        }
        clearTimeout(timer);
        try {
          settle(outcome(m.error, m.payload, m.durationUs));
        } catch (error) {
          reject(error);
        }
      });
      child.once("error", (error) =>
        reject(new InvokeError(`${config.name}: could not start node: ${error.message}`, { cause: error })),
      );
      // "close", not "exit": the IPC channel and the output are read to the end first.
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        settle(
          outcome(
            {
              errorType: "Runtime.ExitError",
              errorMessage: `RequestId: ${requestId} Error: Runtime exited ${
                signal ? `with signal ${signal}` : `with error: exit status ${code}`
              }`,
            },
            undefined,
          ),
        );
      });
      child.send(message);
    });
    await outputClosed;
    return result;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    kill();
  }
}

/** The one Lambda call `sparta invoke --remote` makes, as the SDK's `InvokeCommand` takes and answers it. */
export interface LambdaInvokeClient {
  invoke(input: {
    FunctionName: string;
    Payload: Uint8Array;
    LogType: "Tail";
    InvocationType: "RequestResponse";
  }): Promise<{
    StatusCode?: number;
    /** "Unhandled" (or "Handled") when the function failed; the Payload is then the error. */
    FunctionError?: string;
    Payload?: Uint8Array;
    /** Base64 of the last 4 KB of the invocation's log. */
    LogResult?: string;
    ExecutedVersion?: string;
    $metadata?: { requestId?: string };
  }>;
}

/**
 * The SDK-backed client: `@aws-sdk/client-lambda` is imported only here. Endpoint (AWS_ENDPOINT_URL_LAMBDA,
 * AWS_ENDPOINT_URL), region, credentials and retries (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, the profile's `max_attempts`
 * and `retry_mode`) come from the SDK's standard chain like every other client of the CLI, as `aws lambda invoke`
 * does: throttled calls are retried, and so, rarely, is an Invoke whose answer was lost (AWS_MAX_ATTEMPTS=1 never
 * retries).
 */
export async function createLambdaInvokeClient(): Promise<LambdaInvokeClient> {
  const { InvokeCommand, LambdaClient } = await import("@aws-sdk/client-lambda");
  const client = new LambdaClient({});
  return { invoke: (input) => client.send(new InvokeCommand(input)) };
}

/** The `sparta invoke --remote` result of an Invoke, plus the decoded log tail. */
export async function invokeRemote(input: {
  client: LambdaInvokeClient;
  /** The service's name for the function. */
  name: string;
  /** The deployed function's name (its physical id in the stack). */
  physicalName: string;
  event: string;
}): Promise<InvokeOutcome & { logTail: string; statusCode: number | undefined }> {
  const started = performance.now();
  let out: Awaited<ReturnType<LambdaInvokeClient["invoke"]>>;
  try {
    out = await input.client.invoke({
      FunctionName: input.physicalName,
      Payload: new TextEncoder().encode(input.event),
      LogType: "Tail",
      InvocationType: "RequestResponse",
    });
  } catch (error) {
    const e = error as { name?: string; message?: string };
    throw new InvokeError(
      `invoking ${input.name} (${input.physicalName}) failed: ${e.name && e.name !== "Error" ? `${e.name}: ` : ""}${e.message}\nThe credentials need lambda:InvokeFunction on it; the endpoint is AWS_ENDPOINT_URL_LAMBDA or AWS_ENDPOINT_URL when set.`,
      { cause: error },
    );
  }
  const durationMs = Math.round(performance.now() - started);
  const requestId = out.$metadata?.requestId ?? "";
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : "";
  const logTail = out.LogResult ? Buffer.from(out.LogResult, "base64").toString("utf8") : "";
  const base = { function: input.name, requestId, durationMs, logTail, statusCode: out.StatusCode };
  let parsed: unknown;
  let isJson = true;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    isJson = false;
  }
  if (out.FunctionError) {
    const shape = parsed as Partial<FunctionErrorShape> | null;
    const error: FunctionErrorShape =
      isJson && typeof shape?.errorMessage === "string"
        ? {
            errorType: typeof shape.errorType === "string" ? shape.errorType : out.FunctionError,
            errorMessage: shape.errorMessage,
            ...(Array.isArray((shape as { trace?: unknown }).trace)
              ? { stackTrace: (shape as { trace: string[] }).trace }
              : Array.isArray(shape.stackTrace)
                ? { stackTrace: shape.stackTrace }
                : {}),
          }
        : // Not Lambda's error shape (e.g. an emulator's message): reported as it came.
          { errorType: `FunctionError: ${out.FunctionError}`, errorMessage: text };
    return { ...base, kind: "error", error };
  }
  return { ...base, kind: "result", result: isJson ? parsed : text };
}

/** The physical name of a deployed function from its stack's resources, or why there is none. */
export function deployedFunctionName(
  name: string,
  stackName: string,
  resources: readonly { logicalId: string; physicalId?: string }[],
): string {
  const id = functionLogicalIds({ name, handler: "" }).function;
  const physical = resources.find((r) => r.logicalId === id)?.physicalId;
  if (!physical)
    throw new UsageError(
      `sparta invoke ${name} --remote: stack ${stackName} has no ${id}; run sparta provision (or pass the deployed stack's --stage or --stack-name)`,
    );
  return physical;
}

/** The result printed on stdout: the function's result, or Lambda's `{errorType, errorMessage}` (stack at debug). */
export function printable(outcome: InvokeOutcome, withStack: boolean): unknown {
  if (outcome.kind === "result") return outcome.result;
  const { errorType, errorMessage, stackTrace } = outcome.error;
  return withStack && stackTrace?.length
    ? { errorType, errorMessage, stackTrace }
    : { errorType, errorMessage };
}

/** `--format json`: `{function, requestId, durationMs, result}` or `{..., error}`. */
export function outcomeJson(outcome: InvokeOutcome, withStack: boolean): Record<string, unknown> {
  const head = { function: outcome.function, requestId: outcome.requestId, durationMs: outcome.durationMs };
  return outcome.kind === "result"
    ? { ...head, result: outcome.result }
    : { ...head, error: printable(outcome, withStack) };
}

/** What `sparta invoke` needs of the command context. */
export interface InvokeCommandContext {
  service: ServiceDefinition;
  serviceDir: string;
  /** The folder a relative `--event` path is read from. */
  cwd: string;
  stackName: string;
  args: string[];
  flags: Record<string, unknown>;
  options: { level: string; format: string; noop: boolean };
  reporter: CliReporter;
  result(value: unknown, text?: string): void;
  /** Raw text on stderr (the function's own output, the log tail). */
  writeErr(text: string): void;
  signal?: AbortSignal | undefined;
  /** Where `--event -` is read from (default process.stdin). */
  stdin?: AsyncIterable<Buffer | string>;
  /** The Lambda client of `--remote` (default: the SDK's, created lazily). */
  lambda?: () => Promise<LambdaInvokeClient>;
}

/**
 * `sparta invoke <function> [--event FILE | -] [--remote] [--noop]`: run one function once and print its result
 * (exit 0) or Lambda's `{errorType, errorMessage}` (exit 3).
 */
/** `--sample`: an event for the function's first trigger, filled in from its configuration. */
function sample(ctx: InvokeCommandContext, name: string): { text: string; source: string } {
  if (ctx.flags.event !== undefined)
    throw new UsageError(
      "--sample and --event both give the event: use --sample for one made from the trigger, --event for your own",
    );
  const fn = ctx.service.functions.find((f) => f.name === name)!;
  const { event, trigger, note } = sampleEvent(fn, ctx.service);
  ctx.reporter.info(`sample event for ${name} ${trigger}${note}`);
  return { text: JSON.stringify(event), source: `a sample for ${trigger}` };
}

export async function runInvoke(ctx: InvokeCommandContext): Promise<number> {
  const name = ctx.args[0];
  if (name === undefined || !ctx.service.functions.some((f) => f.name === name))
    throw unknownFunction(ctx.service, name);
  const remote = ctx.flags.remote === true;
  const event =
    ctx.flags.sample === true
      ? sample(ctx, name)
      : await readEvent(ctx.flags.event as string | undefined, ctx.cwd, ctx.stdin);
  const bytes = Buffer.byteLength(event.text);
  const withStack = ctx.options.level === "debug";
  const finish = (outcome: InvokeOutcome): number => {
    ctx.result(outcomeJson(outcome, withStack), JSON.stringify(printable(outcome, withStack), null, 2));
    return outcome.kind === "error" ? ExitCode.deployment : ExitCode.ok;
  };

  if (remote) {
    const logicalId = functionLogicalIds({ name, handler: "" }).function;
    if (ctx.options.noop) {
      ctx.result(
        { noop: true, function: name, remote: true, stackName: ctx.stackName, logicalId, eventBytes: bytes },
        `noop: would invoke ${name} (${logicalId} of stack ${ctx.stackName}) in AWS with a ${bytes}-byte event from ${event.source}; nothing was run`,
      );
      return ExitCode.ok;
    }
    const { describeStack } = await import("@sparta/converge");
    const stack = await describeStack({ stackName: ctx.stackName });
    if (!stack) throw new StackNotDeployedError(ctx.stackName);
    // a split service's function is in its own nested stack
    const { functionStacks } = await import("./nested-stacks.js");
    const nested = await functionStacks(stack, [logicalId]);
    const physicalName = deployedFunctionName(name, ctx.stackName, [...stack.resources, ...nested.resources]);
    ctx.reporter.progress(`invoking ${physicalName}`);
    const client = await (ctx.lambda ?? createLambdaInvokeClient)();
    const outcome = await invokeRemote({ client, name, physicalName, event: event.text });
    const code = finish(outcome);
    if (outcome.logTail)
      ctx.writeErr(outcome.logTail.endsWith("\n") ? outcome.logTail : `${outcome.logTail}\n`);
    return code;
  }

  const config = await invokeConfig(ctx.service, name, ctx.reporter);
  const bundle = await buildForInvoke(ctx.service, ctx.serviceDir, name, ctx.reporter);
  if (ctx.options.noop) {
    ctx.result(
      {
        noop: true,
        function: name,
        functionName: config.functionName,
        bundle,
        eventBytes: bytes,
        memorySize: config.memorySize,
        timeout: config.timeout,
      },
      `noop: would invoke ${name} locally (${config.memorySize} MB, ${config.timeout} s) with a ${bytes}-byte event from ${event.source}; compiled ${bundle}, nothing was run`,
    );
    return ExitCode.ok;
  }
  const requestId = randomUUID();
  ctx.reporter.info(`START RequestId: ${requestId} Version: $LATEST`);
  const outcome = await invokeLocal({
    bundle,
    config,
    event: event.text,
    serviceDir: ctx.serviceDir,
    onLog: (chunk) => ctx.writeErr(chunk),
    requestId,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  ctx.reporter.info(`END RequestId: ${requestId}`);
  ctx.reporter.info(
    `REPORT RequestId: ${requestId}\tDuration: ${outcome.durationMs} ms\tMemory Size: ${config.memorySize} MB`,
  );
  return finish(outcome);
}
