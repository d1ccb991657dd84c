// What bench/run-pipeline.mjs and test/run-parallel.e2e.test.ts both set up: a git repository of one commit for the
// Source stage, and a pipeline of one `test` environment whose source is a CodeStar connection.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The connection ARN the pipeline stack's ConnectionArn parameter is deployed with. */
export const CONNECTION_ARN = "arn:aws:codestar-connections:us-east-1:123456789012:connection/abc";

/** Makes `dir` a git repository on branch main whose one commit holds `files` (name -> content). */
export function commitRepo(dir, files) {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  for (const args of [
    ["init", "-q", "-b", "main"],
    ["add", "-A"],
    ["-c", "user.email=t@example.com", "-c", "user.name=test", "commit", "-qm", "first"],
  ])
    execFileSync("git", ["-C", dir, ...args]);
}

/**
 * The pipeline template `name` of this package (`lib`: its createEnvironmentRegistry, parseGitHubRepo and
 * pipelineTemplate, from src or dist) with one `test` environment (MESSAGE=hello), deployed without approval, its
 * source github.com/acme/<name in lower case> through a connection, built by `buildspec`.
 */
export function testPipeline(lib, name, buildspec) {
  const registry = lib.createEnvironmentRegistry();
  registry.register("test", { MESSAGE: "hello" });
  return lib.pipelineTemplate({
    pipelineName: name,
    repo: lib.parseGitHubRepo(`https://github.com/acme/${name.toLowerCase()}#main`),
    source: { kind: "connection" },
    environments: registry.list(),
    stages: [{ environment: "test", approval: "none" }],
    buildspec,
  });
}
