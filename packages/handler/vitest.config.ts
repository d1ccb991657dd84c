import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "handler",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
