import type { Problem } from "./problem.js";

/** Base class of every error `@sparta/template` throws; `code` is stable across versions. */
export class TemplateError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A template failed `assertValidTemplate`; `problems` holds every problem found, not only the first. */
export class TemplateValidationError extends TemplateError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[], options?: { cause?: unknown }) {
    super("TEMPLATE_INVALID", formatProblems(problems), options);
    this.problems = problems;
  }
}

/** The same logical id was defined twice with different content (in `addResource`, `merge`, `mergeTemplates`). */
export class LogicalIdConflictError extends TemplateError {
  readonly section: string;
  readonly logicalId: string;
  constructor(section: string, logicalId: string, existing: unknown, incoming: unknown) {
    super(
      "TEMPLATE_LOGICAL_ID_CONFLICT",
      `${section}.${logicalId} is defined twice with different content.\n` +
        `  first:  ${summarise(existing)}\n` +
        `  second: ${summarise(incoming)}\n` +
        `Fix: give one of them another logical id (logicalId() and LogicalIdAllocator make unique ids), ` +
        `or make both definitions identical.`,
    );
    this.section = section;
    this.logicalId = logicalId;
  }
}

/** A logical id that CloudFormation would reject (it must match /^[A-Za-z0-9]{1,255}$/). */
export class InvalidLogicalIdError extends TemplateError {
  readonly logicalId: string;
  constructor(where: string, logicalId: string) {
    super(
      "TEMPLATE_INVALID_LOGICAL_ID",
      `${where}: logical id ${JSON.stringify(logicalId)} is invalid: it must be 1 to 255 letters or digits ` +
        `(A-Z, a-z, 0-9).\nFix: use logicalId(${JSON.stringify(logicalId)}) → ${JSON.stringify(suggest(logicalId))}.`,
    );
    this.logicalId = logicalId;
  }
}

/** The bundled resource specification could not be loaded (a broken install). */
export class SpecLoadError extends TemplateError {
  constructor(path: string, cause: unknown) {
    super(
      "TEMPLATE_SPEC_LOAD_FAILED",
      `Could not load the resource specification at ${path}.\nFix: reinstall @sparta/template; the file ships in its dist/ folder.`,
      { cause },
    );
  }
}

function suggest(id: string): string {
  const cleaned = id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
  return cleaned.slice(0, 255) || "Resource";
}

function summarise(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

/** One readable multi-line message listing every problem. */
export function formatProblems(problems: readonly Problem[]): string {
  const head = `The template has ${problems.length} problem${problems.length === 1 ? "" : "s"}:`;
  const lines = problems.map(
    (p, i) => `  ${i + 1}. ${p.path}: ${p.message} [${p.code}]${p.fix ? `\n     Fix: ${p.fix}` : ""}`,
  );
  return [head, ...lines].join("\n");
}
