// How long generating a pipeline takes (what `provisionPipeline --noop` spends besides building the service),
// and how big the outputs are. Run after `pnpm build`: `pnpm --filter @sparta/pipeline bench`.
import { performance } from "node:perf_hooks";
import { buildspec, createEnvironmentRegistry, parseGitHubRepo, pipelineTemplate } from "../dist/index.js";

function generate(environmentCount) {
  const registry = createEnvironmentRegistry();
  for (let i = 0; i < environmentCount; i++)
    registry.register(`env${i}`, { MESSAGE: `hello ${i}`, TABLE: `t${i}` });
  const names = registry.list().map((e) => e.name);
  const spec = buildspec({ packageFileName: "Bench.zip", environments: names });
  const template = pipelineTemplate({
    pipelineName: "Bench",
    repo: parseGitHubRepo("https://github.com/acme/bench#main"),
    source: { kind: "connection" },
    environments: registry.list(),
    buildspec: spec,
    pullRequests: true,
  });
  return { spec, template };
}

for (const environments of [2, 10]) {
  for (let i = 0; i < 50; i++) generate(environments); // warm up
  const runs = 500;
  const start = performance.now();
  let last;
  for (let i = 0; i < runs; i++) last = generate(environments);
  const perRun = (performance.now() - start) / runs;
  const bytes = JSON.stringify(last.template).length;
  console.log(
    `${environments} environments: ${(perRun * 1000).toFixed(0)} µs per template+buildspec, ` +
      `template ${bytes} bytes compact JSON (inline limit 51,200), ${Object.keys(last.template.Resources).length} resources`,
  );
}
