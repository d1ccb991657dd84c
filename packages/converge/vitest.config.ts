import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "converge",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
