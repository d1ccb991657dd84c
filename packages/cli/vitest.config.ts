import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "cli",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Most tests build real bundles or spawn the real `sparta`; on a loaded 2-core CI box that takes seconds.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
