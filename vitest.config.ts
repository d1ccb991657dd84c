import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "examples/*"],
    // The AWS emulator's Python (a python3 with moto, or moto installed into .tools/) is looked for once a run.
    globalSetup: ["./packages/converge/test/emulator-global-setup.ts"],
    reporters: ["default", ["json", { outputFile: ".ci/out/vitest-results.json" }]],
  },
});
