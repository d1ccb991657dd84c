import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "operations",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
