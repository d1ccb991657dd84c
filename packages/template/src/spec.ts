import { readFileSync } from "node:fs";
import { SpecLoadError } from "./errors.js";

/**
 * The compact runtime spec written by scripts/generate.mjs. Type encoding: S string, I integer, N number,
 * B boolean, J json, D date-time, T tag, "L<enc>" list, "M<enc>" map, "#<n>" struct n, ["U", ...] union;
 * a leading "!" marks a required property.
 */
export type TypeEnc = string | string[];
export interface ResourceSpec {
  p: Record<string, TypeEnc>;
  a: string[];
}
export interface RuntimeSpec {
  source: string;
  resources: Record<string, ResourceSpec>;
  structs: Record<string, TypeEnc>[];
}

let cached: RuntimeSpec | undefined;

/**
 * Load the resource spec on first use only, so importing the package costs nothing. The file sits next to the
 * module: src/generated/spec.json in the source tree, dist/generated/spec.json once built.
 */
export function loadSpec(): RuntimeSpec {
  if (cached) return cached;
  const url = new URL("./generated/spec.json", import.meta.url);
  try {
    cached = JSON.parse(readFileSync(url, "utf8")) as RuntimeSpec;
  } catch (cause) {
    throw new SpecLoadError(url.pathname, cause);
  }
  return cached;
}
