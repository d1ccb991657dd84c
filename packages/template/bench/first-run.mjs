#!/usr/bin/env node
// One first run, as a CLI invocation pays it: import the package, build the 500-resource template, validate it (which
// reads the resource spec and the constraints table) and serialise it to JSON. Prints one JSON line of wall and CPU
// milliseconds. run.mjs starts this in fresh processes.
import { performance } from "node:perf_hooks";
import { build, checkWorkload } from "./workload.mjs";

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const marks = [];
const mark = () => marks.push([performance.now(), cpu()]);

mark();
const lib = await import(process.env.BENCH_TEMPLATE_ENTRY ?? "../dist/index.js");
mark();
const tpl = build(lib);
mark();
const problems = lib.validateTemplate(tpl);
mark();
const json = lib.toJson(tpl);
mark();
checkWorkload(tpl, problems);
const phase = (i, k) => marks[i + 1][k] - marks[i][k];
const phases = (k) => ({
  import: phase(0, k),
  build: phase(1, k),
  validate: phase(2, k),
  toJson: phase(3, k),
  total: marks[4][k] - marks[1][k],
});
process.stdout.write(`${JSON.stringify({ wall: phases(0), cpu: phases(1), jsonBytes: json.length })}\n`);
