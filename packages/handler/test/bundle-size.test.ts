import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundleHello, helloSources } from "../bench/hello.mjs";

// The cold-start hello of the benchmark, bundled from source with the benchmark's own esbuild options.
// Bytes are deterministic for a given esbuild version (the lockfile pins it), so this is a hard budget;
// import time is measured by `pnpm --filter @sparta/handler bench`, never here.
const BUDGET_BYTES = 14_150;
const root = join(import.meta.dirname, "..");

describe("the hello bundle", () => {
  it(`stays under ${BUDGET_BYTES} bytes minified and leaves unused features out`, async () => {
    const { sparta } = helloSources(join(root, "src/index.ts"));
    const bundle = await bundleHello(sparta, root);
    const byModule = Object.entries(bundle.modules)
      .sort((a, b) => b[1] - a[1])
      .map(([path, bytes]) => `${path.split("/").pop()} ${bytes}`)
      .join(", ");
    expect(bundle.bytes, `hello bundle by module: ${byModule}`).toBeLessThanOrEqual(BUDGET_BYTES);
    // Structural tree-shaking: the streaming path, the local server and the protobuf envelope are other
    // modules, and the unused middleware (cors, healthCheck, requestLog) drops out of middleware.ts.
    const modules = bundle.inputs.map((p) => p.split("/").pop());
    expect(modules).not.toContain("streaming.ts");
    expect(modules).not.toContain("local.ts");
    expect(modules).not.toContain("envelope.ts");
    // Authorizers, Lattice and custom resources have their own entries a plain HTTP function does not load.
    expect(modules).not.toContain("authorizer.ts");
    expect(modules).not.toContain("lattice.ts");
    expect(modules).not.toContain("custom-resource.ts");
    expect(modules).not.toContain("local.ts");
    expect(bundle.code).not.toContain("access-control-");
    expect(bundle.code).not.toContain('"/health"');
    expect(bundle.code).not.toContain("durationMs");
    // No dependency at all: only Node built-ins may stay external.
    expect(bundle.code).not.toMatch(/from\s*"(?!node:)[^"]+"/);
  });
});
