import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "packager",
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
