/** One thing wrong with a template: where (`path`, e.g. `Resources.MyFn.Properties.MemorySize`), what, and how to fix it. */
export interface Problem {
  /** A stable identifier of the kind of problem, e.g. `UNKNOWN_PROPERTY`. */
  code: string;
  /** Dotted path to the culprit inside the template. */
  path: string;
  /** What is wrong, naming the culprit and what was received. */
  message: string;
  /** How to fix it. */
  fix?: string;
}
