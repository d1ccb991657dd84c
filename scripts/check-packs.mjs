#!/usr/bin/env node
// Proves piecemeal adoption: each package's `pnpm pack` tarball installs into an empty folder with plain
// `npm install` (alone, or with only the tarballs of its declared @sparta/* dependencies, install scripts off),
// every entry of its `exports` imports there, its published `.d.ts` type-check in a plain Node project (no DOM
// library, `skipLibCheck: false`), `require()` of each entry works on Node 22, and its installed size is printed.
// Packages are discovered, so packages added later are checked too.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeBinary } from "./node-binary.mjs";

const root = new URL("..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "sparta-packs-"));
const tarballs = join(work, "tarballs");
mkdirSync(tarballs);

const NPM_INSTALL = ["install", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"];

// A plain Node project's TypeScript: its tsconfig lists no DOM library and checks every declaration file.
const PLAIN_TSCONFIG = {
  compilerOptions: {
    target: "ES2023",
    lib: ["ES2023"],
    types: ["node"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  },
  files: ["check.mts"],
};
// TypeScript and @types/node one folder up from every adopter, so each adopter's tsconfig finds them.
writeFileSync(join(work, "package.json"), JSON.stringify({ name: "adopters", private: true }));
execFileSync("npm", [...NPM_INSTALL, "typescript@5.9.3", "@types/node@22"], {
  cwd: work,
  stdio: ["ignore", "ignore", "inherit"],
});
const tsc = join(work, "node_modules", "typescript", "bin", "tsc");
let node22;
try {
  node22 = nodeBinary(22);
} catch (error) {
  process.stdout.write(`FAIL node 22 for the require() check: ${error.message}\n`);
}

/** `du -sk` of a folder, in kB. */
const sizeKb = (dir) => Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split("\t")[0]);

/** The subpaths of an `exports` map that are code (not `./package.json`), as import specifiers. */
function entriesOf(name, manifest) {
  const keys = Object.keys(manifest.exports ?? { ".": {} }).filter((k) => !k.endsWith(".json"));
  return keys.map((k) => (k === "." ? name : `${name}/${k.slice(2)}`));
}

const packages = new Map();
for (const dir of readdirSync(join(root, "packages"))) {
  const manifest = JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8"));
  if (manifest.private) continue;
  packages.set(manifest.name, { dir: join(root, "packages", dir), manifest });
}

for (const [name, pkg] of packages) {
  const out = execFileSync("pnpm", ["pack", "--pack-destination", tarballs, "--json"], {
    cwd: pkg.dir,
    encoding: "utf8",
  });
  pkg.tarball = JSON.parse(out).filename;
  process.stdout.write(`packed ${name} -> ${pkg.tarball}\n`);
}

function spartaDeps(name, seen = new Set()) {
  const deps = packages.get(name).manifest.dependencies ?? {};
  for (const dep of Object.keys(deps)) {
    if (packages.has(dep) && !seen.has(dep)) {
      seen.add(dep);
      spartaDeps(dep, seen);
    }
  }
  return seen;
}

let failures = node22 ? 0 : 1;
const sizes = [];
for (const [name, pkg] of packages) {
  const dir = join(work, name.replace("/", "__"));
  mkdirSync(dir);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "adopter", private: true, type: "module" }),
  );
  const deps = [...spartaDeps(name)].map((d) => packages.get(d).tarball);
  try {
    execFileSync("npm", [...NPM_INSTALL, pkg.tarball, ...deps], {
      cwd: dir,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const entries = entriesOf(name, pkg.manifest);
    const keys = execFileSync(
      "node",
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(name)}); console.log(Object.keys(m).length);` +
          entries
            .slice(1)
            .map((e) => `await import(${JSON.stringify(e)});`)
            .join(""),
      ],
      { cwd: dir, encoding: "utf8" },
    ).trim();
    if (Number(keys) === 0) throw new Error("the public entry exports nothing");
    // The published types in a plain Node project: lib ES2023 only, @types/node, every .d.ts checked.
    writeFileSync(
      join(dir, "check.mts"),
      `${entries.map((e, i) => `import * as entry${i} from ${JSON.stringify(e)};`).join("\n")}\n` +
        `export const entries = [${entries.map((_, i) => `entry${i}`).join(", ")}];\n`,
    );
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(PLAIN_TSCONFIG, null, 2));
    try {
      execFileSync("node", [tsc, "-p", dir], {
        cwd: dir,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      throw new Error(
        `its .d.ts do not type-check in a plain Node project (lib ES2023, types node, skipLibCheck false):\n${error.stdout}`,
      );
    }
    // CommonJS users on Node 22: require() of every entry loads it (require(esm)) or fails with a clear message.
    if (node22) {
      const required = execFileSync(
        node22,
        [
          "-e",
          `for (const e of ${JSON.stringify(entries)}) { try { require(e); } catch (err) { console.log(e + ": " + err.message.split("\\n")[0]); process.exitCode = 1; } }`,
        ],
        { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
      );
      if (required.trim()) throw new Error(`require() on Node 22: ${required.trim()}`);
    }
    const runtime = Object.keys(pkg.manifest.dependencies ?? {});
    sizes.push({
      name,
      own: sizeKb(join(dir, "node_modules", ...name.split("/"))),
      total: sizeKb(join(dir, "node_modules")),
      runtime,
    });
    process.stdout.write(
      `ok ${name}: installs with npm${deps.length ? ` (+${deps.length} @sparta deps)` : " alone"}, imports ` +
        `${keys} exports (${entries.length} entr${entries.length === 1 ? "y" : "ies"}), types check without DOM` +
        `${node22 ? ", require() works on Node 22" : ""}\n`,
    );
  } catch (error) {
    failures++;
    process.stdout.write(`FAIL ${name}: ${error.message}\n`);
  }
}
// A newcomer's path: the CLI installed from its tarball writes a new service of every template (`sparta init
// --template http|queue|schedule|pipeline`), which installs with plain npm (its ^version @sparta dependencies from the
// tarballs, the rest from the registry), builds with `sparta provision --noop`, type-checks, and its own test passes
// (`npm test`). The registry packages come from npm's cache after the first template, so the others install quickly.
{
  const tarballsOf = (...names) => [
    ...new Set(
      names.flatMap((n) => [
        packages.get(n).tarball,
        ...[...spartaDeps(n)].map((d) => packages.get(d).tarball),
      ]),
    ),
  ];
  const npmInstall = (cwd, tarballList) =>
    execFileSync("npm", [...NPM_INSTALL, ...tarballList], {
      cwd,
      stdio: ["ignore", "ignore", "inherit"],
    });
  // Template, the @sparta packages it depends on, and how many tests its own suite has.
  const TEMPLATES = [
    ["http", ["@sparta/cli"], 3],
    ["queue", ["@sparta/cli"], 2],
    ["schedule", ["@sparta/cli"], 2],
    ["pipeline", ["@sparta/cli", "@sparta/pipeline"], 3],
  ];
  const scratch = join(work, "init-cli");
  mkdirSync(scratch);
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", private: true }));
  let cliInstalled = true;
  try {
    npmInstall(scratch, tarballsOf("@sparta/cli"));
  } catch (error) {
    cliInstalled = false;
    failures++;
    process.stdout.write(`FAIL sparta init scaffold: the cli does not install: ${error.message}\n`);
  }
  for (const [template, spartaPackages, tests] of cliInstalled ? TEMPLATES : []) {
    const started = Date.now();
    try {
      const app = join(work, `init-${template}`);
      execFileSync(
        "node",
        [join(scratch, "node_modules/@sparta/cli/dist/bin.js"), "init", app, "--template", template],
        { stdio: ["ignore", "ignore", "inherit"] },
      );
      npmInstall(app, tarballsOf(...spartaPackages));
      const out = execFileSync("npx", ["--no-install", "sparta", "provision", "--noop"], {
        cwd: app,
        encoding: "utf8",
      });
      if (!out.startsWith(`noop: would provision stack init-${template}`))
        throw new Error(`unexpected output: ${out}`);
      execFileSync("npx", ["--no-install", "tsc", "--noEmit"], {
        cwd: app,
        stdio: ["ignore", "inherit", "inherit"],
      });
      const tested = execFileSync("npm", ["test", "--silent"], {
        cwd: app,
        encoding: "utf8",
        env: { ...process.env, CI: "true", NO_COLOR: "1" },
      });
      if (!new RegExp(`Tests\\s+${tests} passed`).test(tested))
        throw new Error(`npm test in the scaffold: ${tested}`);
      process.stdout.write(
        `ok sparta init --template ${template}: installs from the tarballs, provision --noop builds, tsc and npm test pass (${Math.round((Date.now() - started) / 1000)} s)\n`,
      );
    } catch (error) {
      failures++;
      process.stdout.write(`FAIL sparta init --template ${template} scaffold: ${error.message}\n`);
    }
  }
}

// The root README's table: what installing each package alone costs.
process.stdout.write(
  "\n| package | installed alone (with its dependencies) | package itself | runtime dependencies |\n",
);
process.stdout.write("| --- | --- | --- | --- |\n");
const mb = (kb) => (kb >= 1024 ? `${(kb / 1024).toFixed(1)} MB` : `${kb} kB`);
for (const s of sizes) {
  process.stdout.write(
    `| \`${s.name}\` | ${mb(s.total)} | ${mb(s.own)} | ${s.runtime.length ? s.runtime.map((d) => `\`${d}\``).join(", ") : "none"} |\n`,
  );
}

rmSync(work, { recursive: true, force: true });
if (failures > 0) {
  process.stdout.write(`${failures} package(s) failed the piecemeal-adoption check\n`);
  process.exit(1);
}
