// `npm run demo` from the repository root: build this example with `sparta provision --noop` (no AWS account
// needed) and print what would be deployed. Same as `pnpm --filter @sparta-examples/hello exec sparta provision --noop`.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const bin = fileURLToPath(new URL("./node_modules/@sparta/cli/dist/bin.js", import.meta.url));
const r = spawnSync(process.execPath, [bin, "provision", "--noop", ...process.argv.slice(2)], {
  cwd: here,
  stdio: "inherit",
});
process.exitCode = r.status ?? 1;
