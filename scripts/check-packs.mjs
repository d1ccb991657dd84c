#!/usr/bin/env node
// Proves piecemeal adoption: each package's `pnpm pack` tarball installs into an empty folder with plain
// `npm install` (alone, or with only the tarballs of its declared @sparta/* dependencies) and its public
// entry imports there. Packages are discovered, so packages added later are checked too.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "sparta-packs-"));
const tarballs = join(work, "tarballs");
mkdirSync(tarballs);

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

let failures = 0;
for (const [name, pkg] of packages) {
  const dir = join(work, name.replace("/", "__"));
  mkdirSync(dir);
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "adopter", private: true, type: "module" }),
  );
  const deps = [...spartaDeps(name)].map((d) => packages.get(d).tarball);
  try {
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", pkg.tarball, ...deps], {
      cwd: dir,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const keys = execFileSync(
      "node",
      [
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(name)}); console.log(Object.keys(m).length);`,
      ],
      { cwd: dir, encoding: "utf8" },
    ).trim();
    if (Number(keys) === 0) throw new Error("the public entry exports nothing");
    process.stdout.write(
      `ok ${name}: installs with npm${deps.length ? ` (+${deps.length} @sparta deps)` : " alone"}, imports ${keys} exports\n`,
    );
  } catch (error) {
    failures++;
    process.stdout.write(`FAIL ${name}: ${error.message}\n`);
  }
}
// A newcomer's path: the CLI installed from its tarball writes a new service (`sparta init`), which installs with
// plain npm (its ^version @sparta dependencies from the tarballs, the rest from the registry), builds with
// `sparta provision --noop`, type-checks, and its own test passes (`npm test`).
{
  const cliTarballs = [
    packages.get("@sparta/cli").tarball,
    ...[...spartaDeps("@sparta/cli")].map((d) => packages.get(d).tarball),
  ];
  const npmInstall = (cwd) =>
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...cliTarballs], {
      cwd,
      stdio: ["ignore", "ignore", "inherit"],
    });
  try {
    const scratch = join(work, "init-cli");
    const app = join(work, "init-app");
    mkdirSync(scratch);
    writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", private: true }));
    npmInstall(scratch);
    execFileSync("node", [join(scratch, "node_modules/@sparta/cli/dist/bin.js"), "init", app], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    npmInstall(app);
    const out = execFileSync("npx", ["--no-install", "sparta", "provision", "--noop"], {
      cwd: app,
      encoding: "utf8",
    });
    if (!out.startsWith("noop: would provision stack init-app")) throw new Error(`unexpected output: ${out}`);
    execFileSync("npx", ["--no-install", "tsc", "--noEmit"], {
      cwd: app,
      stdio: ["ignore", "inherit", "inherit"],
    });
    const tested = execFileSync("npm", ["test", "--silent"], {
      cwd: app,
      encoding: "utf8",
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
    });
    if (!/Tests\s+2 passed/.test(tested)) throw new Error(`npm test in the scaffold: ${tested}`);
    process.stdout.write(
      "ok sparta init: the scaffold installs from the tarballs, provision --noop builds, tsc and npm test pass\n",
    );
  } catch (error) {
    failures++;
    process.stdout.write(`FAIL sparta init scaffold: ${error.message}\n`);
  }
}

rmSync(work, { recursive: true, force: true });
if (failures > 0) {
  process.stdout.write(`${failures} package(s) failed the piecemeal-adoption check\n`);
  process.exit(1);
}
