#!/usr/bin/env node
// Type-checks the published declarations of @sparta/handler as a plain Node project sees them: an empty
// project with only the package (as packed) and @types/node, `lib: ["ES2023"]` (no DOM library),
// `types: ["node"]` and `skipLibCheck: false`, importing every entry of the `exports` map.
//
//   node scripts/check-types.mjs                 pnpm pack the package (dist must be built) and check the tarball
//   node scripts/check-types.mjs --tarball t.tgz check that tarball
//   node scripts/check-types.mjs --dist <dir>    check package.json + <dir> as if packed (what the test uses)
//
// Exits 1 and prints tsc's errors when the declarations do not type-check. `checkTypes()` is the same, as a
// function returning { ok, output }.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** The compiler options of a plain Node project (the point of the check: no DOM library). */
export const PLAIN_NODE_OPTIONS = Object.freeze({
  target: "ES2023",
  lib: ["ES2023"],
  types: ["node"],
  module: "NodeNext",
  moduleResolution: "NodeNext",
  strict: true,
  skipLibCheck: false,
  noEmit: true,
});

/** Where a dependency of this package is installed (its folder), resolved as Node resolves it from here. */
function installed(name, from = packageDir) {
  const require = createRequire(join(from, "package.json"));
  const dir = dirname(require.resolve(`${name}/package.json`));
  return dir;
}

/**
 * Checks the package's declarations in a temporary plain Node project. `tarball`: a packed .tgz; `dist`: a built
 * dist folder used with this package's package.json instead (as `files: ["dist"]` packs it).
 */
export function checkTypes({ tarball, dist } = {}) {
  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  const work = mkdtempSync(join(tmpdir(), "sparta-handler-types-"));
  try {
    const modules = join(work, "node_modules");
    const target = join(modules, ...manifest.name.split("/"));
    mkdirSync(target, { recursive: true });
    if (dist) {
      cpSync(join(packageDir, "package.json"), join(target, "package.json"));
      cpSync(dist, join(target, "dist"), { recursive: true });
    } else {
      execFileSync("tar", ["-xzf", tarball, "-C", target, "--strip-components=1"]);
    }
    // The package's runtime dependencies and @types/node (with its own dependency), linked from this workspace.
    mkdirSync(join(modules, "@types"), { recursive: true });
    const nodeTypes = installed("@types/node");
    symlinkSync(nodeTypes, join(modules, "@types", "node"), "dir");
    symlinkSync(installed("undici-types", nodeTypes), join(modules, "undici-types"), "dir");
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      mkdirSync(dirname(join(modules, dep)), { recursive: true });
      symlinkSync(installed(dep), join(modules, dep), "dir");
    }
    const entries = Object.keys(manifest.exports).filter((key) => key !== "./package.json");
    const source = entries
      .map((key, i) => `import * as entry${i} from "${manifest.name}${key.slice(1)}";\nexport { entry${i} };`)
      .join("\n");
    writeFileSync(join(work, "check.ts"), `${source}\n`);
    writeFileSync(
      join(work, "package.json"),
      JSON.stringify({ name: "plain-node", private: true, type: "module" }),
    );
    writeFileSync(
      join(work, "tsconfig.json"),
      JSON.stringify({ compilerOptions: PLAIN_NODE_OPTIONS, files: ["check.ts"] }, null, 2),
    );
    const tsc = join(installed("typescript"), "bin", "tsc");
    try {
      execFileSync(process.execPath, [tsc, "-p", work], { cwd: work, encoding: "utf8", stdio: "pipe" });
      return { ok: true, output: "", entries };
    } catch (error) {
      return { ok: false, output: `${error.stdout ?? ""}${error.stderr ?? ""}`.trim(), entries };
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  let tarball = flag("--tarball");
  const dist = flag("--dist");
  let packed;
  if (!tarball && !dist) {
    packed = mkdtempSync(join(tmpdir(), "sparta-handler-pack-"));
    const out = execFileSync("pnpm", ["pack", "--pack-destination", packed, "--json"], {
      cwd: packageDir,
      encoding: "utf8",
    });
    tarball = JSON.parse(out).filename;
  }
  const { ok, output, entries } = checkTypes({ tarball, dist });
  if (packed) rmSync(packed, { recursive: true, force: true });
  if (ok) {
    process.stdout.write(
      `ok: the declarations of ${entries.length} entries type-check in a plain Node project (lib ES2023, types node, skipLibCheck false)\n`,
    );
  } else {
    process.stdout.write(
      `${output}\nFAIL: the published declarations do not type-check without the DOM library\n`,
    );
    process.exit(1);
  }
}
