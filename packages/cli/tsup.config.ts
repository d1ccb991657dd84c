import { defineConfig } from "tsup";
import { base } from "../../tsup.base";

// One shared chunk: `sparta` (bin) and a service file's `import ... from "@sparta/cli"` load the same code once.
export default defineConfig(base({ entry: ["src/index.ts", "src/bin.ts"], splitting: true }));
