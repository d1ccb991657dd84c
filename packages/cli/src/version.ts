import { readFileSync } from "node:fs";

/** The version of @sparta/cli, read from its package.json: one folder above this module, in src/ and dist/ alike. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
