/**
 * The slice of `@sparta/cli`'s command and decorator contracts this package uses, declared structurally so the
 * pipeline builds (and its types resolve) without the CLI: a `PipelineCommand` is a `CommandDefinition`.
 */

/** `CliReporter` of `@sparta/cli`. */
export interface CommandReporter {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  progress(message: string): void;
  event(message: string): void;
}

/** The part of `@sparta/cli`'s `CommandContext` that `provisionPipeline` reads. */
export interface PipelineCommandContext {
  service: { name: string };
  serviceDir: string;
  reporter: CommandReporter;
  options: { noop: boolean };
  flags: Record<string, string | boolean | string[] | undefined>;
  /** Builds the service into `.sparta/` (no AWS) and returns its template. */
  build(options?: { s3Bucket?: string }): Promise<{
    template: { Resources: Record<string, { Type: string; [key: string]: unknown }>; [key: string]: unknown };
    /** When the service is split into a root and nested stacks: the whole template (`template` is the root's). */
    serviceTemplate?: {
      Resources: Record<string, { Type: string; [key: string]: unknown }>;
      [key: string]: unknown;
    };
  }>;
  result(value: unknown, text?: string): void;
  /** Asks the user one question (the CLI gives it; `runPipeline` uses it for approvals on a terminal). */
  ask?(question: string): Promise<string>;
  /** Ctrl-C. */
  signal?: AbortSignal;
}

/** A flag of a custom command (`CommandFlag` of `@sparta/cli`). */
export interface PipelineCommandFlag {
  type: "string" | "boolean";
  description?: string;
  /** The flag may be given more than once (its value is then a list). */
  multiple?: boolean;
}

/** A custom command (`CommandDefinition` of `@sparta/cli`): give it to `defineService({ commands })`. */
export interface PipelineCommand {
  name: string;
  description: string;
  flags: Record<string, PipelineCommandFlag>;
  run(ctx: PipelineCommandContext): Promise<number>;
}
