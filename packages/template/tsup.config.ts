import { cpSync, mkdirSync, rmSync } from "node:fs";
import { defineConfig } from "tsup";
import { base } from "../../tsup.base";

// Three generated files ship beside the bundle instead of inside it: the runtime spec and the value constraints, read
// from disk on the first validateTemplate call, and the resource property types (~3 MB of declarations, too big to bundle quickly), which
// dist/index.d.ts imports from ./generated/resource-types.js. tsup's own clean would delete the copied .d.ts
// (its declaration build runs after onSuccess), so dist is cleaned here instead.
rmSync("dist", { recursive: true, force: true });

export default defineConfig(
  base({
    clean: false,
    external: [/generated\/resource-types/],
    onSuccess: async () => {
      mkdirSync("dist/generated", { recursive: true });
      cpSync("src/generated/spec.json", "dist/generated/spec.json");
      cpSync("src/generated/constraints.json", "dist/generated/constraints.json");
      cpSync("src/generated/resource-types.d.ts", "dist/generated/resource-types.d.ts");
    },
  }),
);
