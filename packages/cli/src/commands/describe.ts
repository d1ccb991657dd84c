import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { renderDescribeHtml, stacksOf } from "../describe.js";
import { ExitCode } from "../errors.js";
import type { BuiltinCommand } from "./types.js";

export const describe: BuiltinCommand = {
  name: "describe",
  description:
    "build the service and write a self-contained HTML report with its picture: triggers, functions, what they touch, alarms, pipeline stages (--out FILE)",
  needsService: true,
  flags: {
    out: { type: "string", valueName: "FILE", description: "report file (default .sparta/describe.html)" },
  },
  examples: ["sparta describe", "sparta describe --stage prod --out prod.html"],
  async run(ctx) {
    const build = await ctx.build();
    const out = resolve(
      ctx.loaded.serviceDir,
      (ctx.flags.out as string | undefined) ?? ".sparta/describe.html",
    );
    const { diagramLegend, pipelineStagesOf, renderDiagram, serviceGraph } = await import("../diagram.js");
    // The pipeline as `provision-pipeline --noop` last wrote it, else the environments in order.
    const pipelineFile = join(ctx.serviceDir, ".sparta", "pipeline.json");
    let pipeline = existsSync(pipelineFile)
      ? pipelineStagesOf(JSON.parse(readFileSync(pipelineFile, "utf8")))
      : undefined;
    if (!pipeline && ctx.service.codePipelinePackage) {
      const environments = Object.keys(ctx.service.codePipelinePackage("describe.zip").environments);
      if (environments.length)
        pipeline = {
          stages: [
            { name: "Source", actions: ["Source"] },
            { name: "Build", actions: ["Package"] },
            ...environments.map((e) => ({ name: e, actions: ["CreateChangeSet", "ExecuteChangeSet"] })),
          ],
        };
    }
    // a split service is pictured whole; the report says which stack holds what
    const graph = await serviceGraph(ctx.service, build.serviceTemplate ?? build.template, pipeline);
    const diagram = await renderDiagram(graph, `${build.stackName}: triggers, functions and what they touch`);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, renderDescribeHtml(ctx.service, build, { diagram, legend: diagramLegend() }));
    ctx.result(
      {
        report: out,
        stackName: build.stackName,
        picture: { nodes: graph.nodes.length, edges: graph.edges.length },
        ...(build.nestedTemplates ? { stacks: stacksOf(build) } : {}),
      },
      `wrote ${out} (picture: ${graph.nodes.length} boxes, ${graph.edges.length} arrows)`,
    );
    return ExitCode.ok;
  },
};
