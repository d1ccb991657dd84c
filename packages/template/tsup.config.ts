import { cpSync, rmSync } from "node:fs";
import { defineConfig } from "tsup";
import { base } from "../../tsup.base";

// The generated files ship beside the bundle instead of inside it: the runtime spec and the value constraints, read
// from disk on the first validateTemplate call, and the resource property types (one declaration file a service, which
// dist/index.d.ts reaches through ./generated/resource-types.js and ./generated/resource-bodies.js). tsup's own clean
// would delete the copied .d.ts files (its declaration build runs after onSuccess), so dist is cleaned here instead.
rmSync("dist", { recursive: true, force: true });

export default defineConfig(
  base({
    clean: false,
    external: [/generated\//],
    onSuccess: async () => {
      cpSync("src/generated", "dist/generated", { recursive: true });
    },
  }),
);
