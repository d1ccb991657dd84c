import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { applyPermissionsBoundaryParameter, PIPELINE_PERMISSIONS_BOUNDARY } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));

/** Compares `text` with `test/golden/<name>`; `UPDATE=1` rewrites the file instead (review the diff). */
export function expectGolden(name: string, text: string): void {
  const path = join(here, "golden", name);
  if (process.env.UPDATE === "1") {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return;
  }
  if (!existsSync(path))
    throw new Error(`No golden file ${path}; run the tests once with UPDATE=1 and review it.`);
  expect(text).toBe(readFileSync(path, "utf8"));
}

export function fixture(name: string): string {
  return readFileSync(join(here, "fixtures", name), "utf8");
}

/**
 * A service template as the pipeline's build makes it: what `@sparta/cli` gives a service whose
 * `permissionsBoundary` is the pipeline's (every role carries it) plus the parameter `pipeline.decorator` adds.
 */
// biome-ignore lint/suspicious/noExplicitAny: template JSON
export function builtForPipeline<T extends Record<string, any>>(template: T): T {
  const resources = template.Resources as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
  for (const r of Object.values(resources))
    if (r.Type === "AWS::IAM::Role")
      r.Properties = { PermissionsBoundary: PIPELINE_PERMISSIONS_BOUNDARY, ...r.Properties };
  return applyPermissionsBoundaryParameter(template as never) as T;
}
