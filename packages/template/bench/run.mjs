#!/usr/bin/env node
// Build, validate and serialise (to JSON, what gets uploaded) a 500-resource template; print the times and one
// JSON line of the figures. YAML serialisation is timed too but reported apart from the target total.
// Run after `pnpm --filter @sparta/template build`: pnpm --filter @sparta/template bench
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { performance } from "node:perf_hooks";

const t0 = performance.now();
const lib = await import("../dist/index.js");
const importMs = performance.now() - t0;
const { GetAtt, Ref, Sub, Template, logicalId, toJson, toYaml, validateTemplate } = lib;

const SERVICES = 125; // 4 resources each = 500, CloudFormation's per-template maximum

function build() {
  const t = new Template({ description: "benchmark: 125 functions with role, log group and queue" });
  for (let i = 0; i < SERVICES; i++) {
    const fn = logicalId("service", String(i), "handler");
    t.addResource(`${fn}Role`, {
      Type: "AWS::IAM::Role",
      Properties: {
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        },
        Policies: [
          {
            PolicyName: "queue",
            PolicyDocument: {
              Version: "2012-10-17",
              Statement: [
                { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: GetAtt(`${fn}Queue`, "Arn") },
              ],
            },
          },
        ],
      },
    })
      .addResource(`${fn}Logs`, {
        Type: "AWS::Logs::LogGroup",
        Properties: { LogGroupName: Sub(`/aws/lambda/\${AWS::StackName}-${i}`), RetentionInDays: 14 },
      })
      .addResource(`${fn}Queue`, { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 60 } })
      .addResource(fn, {
        Type: "AWS::Lambda::Function",
        Properties: {
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          MemorySize: 256,
          Timeout: 10,
          Role: GetAtt(`${fn}Role`, "Arn"),
          Code: { S3Bucket: "artifacts", S3Key: `service-${i}.zip` },
          Environment: { Variables: { QUEUE_URL: Ref(`${fn}Queue`), INDEX: String(i) } },
          LoggingConfig: { LogGroup: Ref(`${fn}Logs`) },
        },
      });
  }
  return t.toJSON();
}

function time(fn) {
  const s = performance.now();
  const value = fn();
  return [performance.now() - s, value];
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r = (x) => Math.round(x * 100) / 100;

// First run: what a CLI invocation pays, including loading the resource spec on the first validate.
const [buildCold, tpl] = time(build);
const [validateCold, problems] = time(() => validateTemplate(tpl));
const [serialiseCold, json] = time(() => toJson(tpl));
const [yamlCold, yaml] = time(() => toYaml(tpl));
const text = [json, yaml];
if (problems.length > 0)
  throw new Error(`benchmark template is invalid: ${JSON.stringify(problems.slice(0, 3))}`);
if (Object.keys(tpl.Resources).length !== 500) throw new Error("expected 500 resources");

const runs = { build: [], validate: [], serialise: [], yaml: [] };
for (let i = 0; i < 15; i++) {
  const [b, t] = time(build);
  const [v] = time(() => validateTemplate(t));
  const [s] = time(() => toJson(t));
  const [y] = time(() => toYaml(t));
  runs.yaml.push(y);
  runs.build.push(b);
  runs.validate.push(v);
  runs.serialise.push(s);
}
const warm = {
  build: median(runs.build),
  validate: median(runs.validate),
  serialise: median(runs.serialise),
};
const cold = { build: buildCold, validate: validateCold, serialise: serialiseCold };
const load = Math.round(loadavg()[0] * 10) / 10;
const total = (o) => o.build + o.validate + o.serialise;

// For scale, with BENCH_CFN_LINT=1: cfn-lint (the CloudFormation linter, a Python process) on the same template.
function cfnLintMs() {
  const bin = [...(process.env.PATH ?? "").split(delimiter), "/root/.pyenv/shims"]
    .map((d) => join(d, "cfn-lint"))
    .find((p) => existsSync(p));
  if (!bin) return undefined;
  const file = join(mkdtempSync(join(tmpdir(), "sparta-bench-")), "template.json");
  writeFileSync(file, json);
  const s = performance.now();
  const res = spawnSync(bin, [file], { encoding: "utf8" });
  return res.status === null ? undefined : performance.now() - s;
}
const lintMs = process.env.BENCH_CFN_LINT === "1" ? cfnLintMs() : undefined;

process.stdout.write(
  [
    `@sparta/template: 500 resources, JSON ${text[0].length} bytes, YAML ${text[1].length} bytes (load average ${load} on ${cpus().length} CPUs)`,
    `  import           ${r(importMs)} ms`,
    `  first run        build ${r(cold.build)} ms, validate ${r(cold.validate)} ms (includes loading the spec), toJson ${r(cold.serialise)} ms, total ${r(total(cold))} ms; toYaml ${r(yamlCold)} ms`,
    `  warm (median/15) build ${r(warm.build)} ms, validate ${r(warm.validate)} ms, toJson ${r(warm.serialise)} ms, total ${r(total(warm))} ms; toYaml ${r(median(runs.yaml))} ms`,
    `  cfn-lint         ${lintMs === undefined ? "skipped (set BENCH_CFN_LINT=1; it takes tens of seconds)" : `${r(lintMs)} ms for the same template, for scale`}`,
    `  target           < 100 ms for build + validate + toJson: ${total(cold) < 100 ? "met" : "NOT met"} on the first run, ${total(warm) < 100 ? "met" : "NOT met"} warm`,
    "",
  ].join("\n"),
);
process.stdout.write(
  `${JSON.stringify({
    bench: "template",
    resources: 500,
    loadAverage: load,
    cpus: cpus().length,
    importMs: r(importMs),
    firstRunMs: {
      build: r(cold.build),
      validate: r(cold.validate),
      toJson: r(cold.serialise),
      total: r(total(cold)),
      toYaml: r(yamlCold),
    },
    warmMedianMs: {
      build: r(warm.build),
      validate: r(warm.validate),
      toJson: r(warm.serialise),
      total: r(total(warm)),
      toYaml: r(median(runs.yaml)),
    },
    cfnLintMs: lintMs === undefined ? null : r(lintMs),
    jsonBytes: text[0].length,
    yamlBytes: text[1].length,
  })}\n`,
);
