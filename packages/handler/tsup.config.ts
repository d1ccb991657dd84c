import { defineConfig } from "tsup";
import { base } from "../../tsup.base";

// The entries; splitting shares the core between them, so the root entry never loads protobufjs.
export default defineConfig(
  base({
    entry: [
      "src/index.ts",
      "src/local.ts",
      "src/envelope.ts",
      "src/lattice.ts",
      "src/authorizer.ts",
      "src/custom-resource.ts",
    ],
    splitting: true,
  }),
);
