import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { converge } from "@sparta/converge";
import { type Emulator, startEmulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONNECTION_ARN, commitRepo, testPipeline } from "../bench/fixture.mjs";
import { createEnvironmentRegistry } from "../src/environments.js";
import { RunPipelineError } from "../src/errors.js";
import { parseGitHubRepo } from "../src/repo.js";
import { runPipeline, stageSummary } from "../src/run/runner.js";
import type { RunRecord } from "../src/run/types.js";
import { pipelineTemplate } from "../src/template.js";

// Actions of one stage with the same RunOrder, as the CodePipeline user guide describes them: "actions with the
// same runOrder value run in parallel"; a later RunOrder starts when every earlier action succeeded; an action that
// fails does not stop the ones in progress beside it, and the stage fails. The pipeline stack is deployed to the
// emulator; its Build stage holds two CodeBuild actions at RunOrder 1 (each sleeps a second and writes a file) and
// one at RunOrder 2 that reads both outputs. Every command appends to one events file: its order says what ran
// beside what, with no wall-clock threshold.
const BUILDSPEC = `version: 0.2
phases:
  build:
    commands:
      - echo "start $WHO" >> "$EVENTS"
      - if [ "$WHO" = "$FAIL" ]; then echo "fail $WHO" >> "$EVENTS"; exit 7; fi
      - sleep 1
      - echo "$WHO was here" > "$WHO.txt"
      - echo "end $WHO" >> "$EVENTS"
artifacts:
  files:
    - "*.txt"
`;

const build = (name: string, runOrder: number, inputs: string[], output: string) => ({
  Name: name,
  ActionTypeId: { Category: "Build", Owner: "AWS", Provider: "CodeBuild", Version: "1" },
  Configuration: {
    ProjectName: { Ref: "BuildProject" },
    PrimarySource: inputs[0],
    EnvironmentVariables: JSON.stringify([{ name: "WHO", value: name, type: "PLAINTEXT" }]),
  },
  InputArtifacts: inputs.map((Name) => ({ Name })),
  OutputArtifacts: [{ Name: output }],
  RunOrder: runOrder,
});

function parallelTemplate() {
  const template = testPipeline(
    { createEnvironmentRegistry, parseGitHubRepo, pipelineTemplate },
    "Parallel",
    BUILDSPEC,
  ) as unknown as { Resources: Record<string, { Properties: Record<string, unknown> }> };
  const stages = template.Resources.Pipeline!.Properties.Stages as { Name: string; Actions: unknown[] }[];
  template.Resources.Pipeline!.Properties.Stages = [
    stages[0]!,
    {
      Name: "Build",
      Actions: [
        build("Left", 1, ["SourceOutput"], "LeftOutput"),
        build("Right", 1, ["SourceOutput"], "RightOutput"),
        build("Join", 2, ["LeftOutput", "RightOutput"], "JoinOutput"),
      ],
    },
    { Name: "After", Actions: [build("Last", 1, ["JoinOutput"], "LastOutput")] },
  ];
  return template;
}

describe("actions of one RunOrder run in parallel (runPipeline against the AWS emulator)", () => {
  let emu: Emulator;
  let work: string;
  let repo: string;
  const template = parallelTemplate();
  let n = 0;

  /** Runs the pipeline (or `options.template`) from the repository's HEAD, approving every stage unless told. */
  async function run({
    fail,
    ...options
  }: { fail?: string } & Partial<Parameters<typeof runPipeline>[0]> = {}) {
    const events = join(work, `events-${n++}.txt`);
    writeFileSync(events, "");
    const said: string[] = [];
    const streamed: string[] = [];
    const record = await runPipeline({
      template: template as never,
      stackName: "Parallel",
      repositoryRoot: repo,
      source: "head",
      approve: { all: true, stages: [] },
      reject: [],
      runsDir: join(work, "runs"),
      env: { ...process.env, EVENTS: events, FAIL: fail ?? "" },
      say: (l) => said.push(l),
      stream: (l) => streamed.push(l),
      warn: () => {},
      ...options,
    });
    const lines = readFileSync(events, "utf8").trim().split("\n");
    return { record, said, streamed, events: lines, at: (e: string) => lines.indexOf(e) };
  }
  const buildStage = (r: RunRecord) => r.stages.find((s) => s.name === "Build")!;

  beforeAll(async () => {
    emu = await startEmulator();
    Object.assign(process.env, emu.env);
    work = mkdtempSync(join(tmpdir(), "run-parallel-"));
    repo = join(work, "repo");
    commitRepo(repo, { "README.md": "parallel\n" });
    const deployed = await converge({
      stackName: "Parallel",
      template: template as never,
      parameters: { ConnectionArn: CONNECTION_ARN },
    });
    expect(deployed.kind, JSON.stringify(deployed)).not.toBe("failed");
  }, 180_000);
  afterAll(async () => {
    await emu?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("starts both actions of RunOrder 1 before either ends, and RunOrder 2 after both succeeded", async () => {
    const { record, said, streamed, events, at } = await run();
    expect(record.status, JSON.stringify(record, null, 2)).toBe("Succeeded");
    expect(events).toHaveLength(8);
    // Overlap: each of the two started before the other ended.
    expect(at("start Right")).toBeLessThan(at("end Left"));
    expect(at("start Left")).toBeLessThan(at("end Right"));
    // RunOrder 2 waits for both; the next stage for the whole stage.
    expect(at("start Join")).toBeGreaterThan(Math.max(at("end Left"), at("end Right")));
    expect(at("start Last")).toBeGreaterThan(at("end Join"));

    const stage = buildStage(record);
    expect(stage.actions.map((a) => `${a.name}:${a.status}@${a.runOrder}`)).toEqual([
      "Left:Succeeded@1",
      "Right:Succeeded@1",
      "Join:Succeeded@2",
    ]);
    // The run record's times show the overlap too.
    const [left, right, join_] = stage.actions;
    const end = (a: typeof left) => Date.parse(a!.startedAt) + a!.durationMs;
    expect(Date.parse(right!.startedAt)).toBeLessThan(end(left));
    expect(Date.parse(join_!.startedAt)).toBeGreaterThanOrEqual(Math.max(end(left), end(right)));
    for (const a of stage.actions) {
      expect(a.workMs).toBeGreaterThanOrEqual(1000); // the sleep
      expect(a.overheadMs).toBe(a.durationMs - a.workMs);
    }
    // The stage's work is the longest of RunOrder 1 plus Join's, not the sum of all three.
    const critical = Math.max(left!.workMs, right!.workMs) + join_!.workMs;
    expect(stage.overheadMs).toBe(Math.max(0, stage.durationMs - critical));

    // Each action's lines carry its name while the two run together, and only then.
    expect(said).toContain("  RunOrder 1: Left, Right in parallel");
    expect(streamed).toContain("[Left] [build] $ sleep 1");
    expect(streamed).toContain("[Right] [build] $ sleep 1");
    expect(streamed).toContain("[build] $ sleep 1"); // Join and Last, alone in their RunOrder
    expect(said.some((l) => l.startsWith("  [Left] building with"))).toBe(true);
    // Join read both outputs; its own output holds the files of its primary source and its own.
    expect(record.artifacts.map((a) => a.name).sort()).toEqual([
      "JoinOutput",
      "LastOutput",
      "LeftOutput",
      "RightOutput",
      "SourceOutput",
    ]);
    expect(stageSummary(record)[1]).toMatch(/^Build +Succeeded +\d+\.\d s {2}overhead \d+\.\d s {2}/);
  }, 60_000);

  it("a failing action fails the stage after the action beside it finished; RunOrder 2 does not start", async () => {
    const { record, said, events, at } = await run({ fail: "Left" });
    expect(record.status).toBe("Failed");
    // Left failed while Right was still sleeping; Right ran to its end anyway.
    expect(at("fail Left")).toBeLessThan(at("end Right"));
    expect(at("start Right")).toBeGreaterThanOrEqual(0);
    expect(events).not.toContain("start Join");
    const stage = buildStage(record);
    expect(stage.status).toBe("Failed");
    expect(stage.actions.map((a) => `${a.name}:${a.status}`)).toEqual(["Left:Failed", "Right:Succeeded"]);
    expect(stage.actions[0]!.failure).toMatchObject({ exitCode: 7 });
    expect(stage.durationMs).toBeGreaterThanOrEqual(stage.actions[1]!.durationMs);
    expect(record.stages.map((s) => `${s.name}:${s.status}`)).toEqual([
      "Source:Succeeded",
      "Build:Failed",
      "After:NotRun",
    ]);
    // The failure's lines name the action; the summary names the failed one.
    expect(said).toContain("    [Left] exit status: 7");
    expect(stageSummary(record)[1]).toContain("Left: exit status 7");
    // The run record on disk shows both.
    const onDisk = JSON.parse(readFileSync(join(work, "runs", `${record.executionId}.json`), "utf8"));
    expect(
      buildStage(onDisk).actions.map((a: { name: string; status: string }) => `${a.name}:${a.status}`),
    ).toEqual(["Left:Failed", "Right:Succeeded"]);
  }, 60_000);

  it("--concurrency 1 runs the actions of one RunOrder one after the other, unprefixed", async () => {
    const { record, streamed, at } = await run({ concurrency: 1 });
    expect(record.status).toBe("Succeeded");
    expect(at("end Left")).toBeLessThan(at("start Right"));
    expect(streamed.some((l) => l.startsWith("[Left]"))).toBe(false);
  }, 60_000);

  it("two manual approvals of one RunOrder ask on the terminal one after the other", async () => {
    // A copy with a Gate stage of two approvals (the deployed stack differs from it: a warning, not an error).
    const copy = structuredClone(template);
    const stages = copy.Resources.Pipeline!.Properties.Stages as unknown[];
    const approval = (Name: string) => ({
      Name,
      ActionTypeId: { Category: "Approval", Owner: "AWS", Provider: "Manual", Version: "1" },
      RunOrder: 1,
    });
    stages.splice(1, 0, { Name: "Gate", Actions: [approval("Security"), approval("Product")] });
    const asked: string[] = [];
    let open = 0;
    let most = 0;
    const { record } = await run({
      template: copy as never,
      approve: { all: false, stages: [] },
      ask: async (question) => {
        most = Math.max(most, ++open);
        asked.push(question);
        await new Promise((r) => setTimeout(r, 50));
        open--;
        return "y";
      },
    });
    expect(record.status).toBe("Succeeded");
    expect(asked).toEqual(["Approve stage Gate (Security)? [y/N] ", "Approve stage Gate (Product)? [y/N] "]);
    expect(most).toBe(1);
    expect(record.stages[1]!.actions.map((a) => `${a.name}:${a.approval?.decision}`)).toEqual([
      "Security:approved",
      "Product:approved",
    ]);
  }, 60_000);

  it("refuses a concurrency below 1, and an action reading an artifact of its own RunOrder", async () => {
    await expect(run({ concurrency: 0.5 })).rejects.toThrow(RunPipelineError);
    const copy = structuredClone(template);
    const stages = copy.Resources.Pipeline!.Properties.Stages as { Actions: ReturnType<typeof build>[] }[];
    const joinAction = stages[1]?.Actions[2];
    if (joinAction) joinAction.RunOrder = 1;
    await expect(run({ template: copy as never })).rejects.toThrow(
      "Action Build/Join (RunOrder 1) reads artifact LeftOutput, which Build/Left (RunOrder 1) produces at the same time",
    );
  }, 60_000);
});
