// Types of engines.mjs, for the tests that use its reference writers.
export interface EngineEntry {
  name: string;
  path?: string;
  content?: Buffer | string;
  /** 0o644 or 0o755. */
  mode: number;
}
export interface EngineResult {
  path: string;
  sha256: string;
  size: number;
}
export type Engine = (entries: readonly EngineEntry[], outFile: string) => Promise<EngineResult>;
export declare const ENGINES: Record<"sparta" | "archiver" | "yazl" | "fflate", Engine>;
export declare const ENGINE_NAMES: readonly ("sparta" | "archiver" | "yazl" | "fflate")[];
