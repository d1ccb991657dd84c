import type { Options } from "tsup";

/**
 * The one tsup configuration every package shares: ESM, `.d.ts`, Node 20 target, no bundled dependencies.
 * A package's `tsup.config.ts` is `export default defineConfig(base({ entry: [...] }))`.
 */
export function base(overrides: Options = {}): Options {
  return {
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    ...overrides,
  };
}
