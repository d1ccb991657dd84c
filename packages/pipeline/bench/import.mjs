// What importing @sparta/pipeline costs a service file (every sparta command loads it, not only the pipeline ones):
// the package's entry in a fresh Node, against the same entry followed by the modules runPipeline loads only when it
// runs (the YAML parser, the ZIP library), in the same run. Run after `pnpm build`: `pnpm --filter @sparta/pipeline
// bench:import`.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const cwd = fileURLToPath(new URL("..", import.meta.url));
const timed = (imports) =>
  `const t = performance.now(); ${imports.map((m) => `await import(${JSON.stringify(m)});`).join(" ")} ` +
  "console.log(performance.now() - t);";

function median(imports, runs = 9) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", timed(imports)], {
      cwd,
      encoding: "utf8",
    });
    times.push(Number(out.trim()));
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

const lazy = median([entry]);
const eager = median([entry, "yaml", "fflate"]);
console.log(`import @sparta/pipeline:                      ${lazy.toFixed(1).padStart(6)} ms (median of 9)`);
console.log(`the same, with the YAML parser and fflate:    ${eager.toFixed(1).padStart(6)} ms`);
console.log(`lazy loading saves ${(eager - lazy).toFixed(1)} ms, ${(eager / lazy).toFixed(1)}x`);
