import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "converge",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // emulator round trips are fast, but the machine is shared; don't fail on a slow moment
    testTimeout: 30_000,
  },
});
