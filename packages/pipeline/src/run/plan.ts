import { RunPipelineError, UnsupportedActionError } from "../errors.js";

// The pipeline resource read into the actions runPipeline runs, checked before anything runs: every action is of a
// type this machine can run, one source, and each artifact is read only after the action producing it has ended.

type Json = Record<string, unknown>;

/** One action of the pipeline resource, its intrinsics resolved. */
export interface PlannedAction {
  stage: string;
  name: string;
  category: string;
  owner: string;
  provider: string;
  runOrder: number;
  configuration: Json;
  inputs: string[];
  outputs: string[];
  namespace?: string;
}

const SUPPORTED = [
  "Source/AWS/CodeStarSourceConnection",
  "Source/ThirdParty/GitHub",
  "Source/AWS/CodeCommit",
  "Build/AWS/CodeBuild",
  "Test/AWS/CodeBuild",
  "Deploy/AWS/CloudFormation",
  "Approval/AWS/Manual",
];

/** Reads the pipeline resource's stages into actions, in RunOrder, and names every action this machine cannot run. */
export function planActions(pipeline: Json): PlannedAction[] {
  const stages = (pipeline.Stages ?? []) as { Name: string; Actions: Json[] }[];
  const actions: PlannedAction[] = [];
  const unsupported: string[] = [];
  for (const stage of stages) {
    const list = stage.Actions.map((a) => {
      const type = a.ActionTypeId as Record<string, string>;
      const action: PlannedAction = {
        stage: stage.Name,
        name: String(a.Name),
        category: type.Category!,
        owner: type.Owner!,
        provider: type.Provider!,
        runOrder: Number(a.RunOrder ?? 1),
        configuration: (a.Configuration ?? {}) as Json,
        inputs: ((a.InputArtifacts ?? []) as { Name: string }[]).map((x) => x.Name),
        outputs: ((a.OutputArtifacts ?? []) as { Name: string }[]).map((x) => x.Name),
        ...(a.Namespace ? { namespace: String(a.Namespace) } : {}),
      };
      const key = `${action.category}/${action.owner}/${action.provider}`;
      if (!SUPPORTED.includes(key)) unsupported.push(`${stage.Name}/${action.name} (${key})`);
      return action;
    });
    actions.push(...list.sort((a, b) => a.runOrder - b.runOrder));
  }
  if (unsupported.length > 0) {
    throw new UnsupportedActionError(
      `runPipeline cannot run ${unsupported.length === 1 ? "this action" : "these actions"} of the pipeline, so nothing was run:\n` +
        unsupported.map((u) => `  - ${u}`).join("\n") +
        `\nIt runs ${SUPPORTED.join(", ")} (a source is this repository's git HEAD or working tree).`,
    );
  }
  // An action reads artifacts of actions that ended before it starts: an earlier stage, or an earlier RunOrder of its
  // stage (CodePipeline refuses any other structure; actions of one RunOrder run at the same time).
  const stageIndex = (a: PlannedAction) => stages.findIndex((s) => s.Name === a.stage);
  const before = (b: PlannedAction, a: PlannedAction) =>
    stageIndex(b) < stageIndex(a) || (b.stage === a.stage && b.runOrder < a.runOrder);
  for (const a of actions) {
    for (const name of a.inputs) {
      const producers = actions.filter((b) => b.outputs.includes(name));
      if (producers.length === 0) {
        throw new RunPipelineError(
          `Action ${a.stage}/${a.name} reads artifact ${name}, which no action of the pipeline produces; name an ` +
            "OutputArtifacts of an earlier action in its InputArtifacts.",
        );
      }
      if (producers.some((b) => before(b, a))) continue;
      const b = producers[0]!;
      throw new RunPipelineError(
        `Action ${a.stage}/${a.name} (RunOrder ${a.runOrder}) reads artifact ${name}, which ${b.stage}/${b.name} ` +
          `(RunOrder ${b.runOrder}) produces ${b.stage === a.stage && b.runOrder === a.runOrder ? "at the same time" : "after it"}; ` +
          `actions of one RunOrder run in parallel. Give ${a.name} a RunOrder above ${b.runOrder}.`,
      );
    }
  }
  const sources = actions.filter((a) => a.category === "Source");
  if (sources.length > 1) {
    throw new UnsupportedActionError(
      `The pipeline has ${sources.length} source actions (${sources.map((s) => `${s.stage}/${s.name}`).join(", ")}); ` +
        "runPipeline runs one source, this repository.",
    );
  }
  return actions;
}

/** `#{Namespace.Variable}` in an action's configuration, from the exported variables of earlier actions. */
export function substituteVariables(
  value: unknown,
  variables: Record<string, Record<string, string>>,
  where: string,
): unknown {
  if (typeof value === "string") {
    return value.replace(/#\{([^.}]+)\.([^}]+)\}/g, (_, ns: string, name: string) => {
      const v = variables[ns]?.[name];
      if (v === undefined)
        throw new RunPipelineError(`${where} uses #{${ns}.${name}}, which no earlier action exported.`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v) => substituteVariables(v, variables, where));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteVariables(v, variables, where)]),
    );
  }
  return value;
}

/** A stage's actions (in RunOrder) cut into the groups of one RunOrder each. */
export function runOrderGroups(actions: readonly PlannedAction[]): PlannedAction[][] {
  const groups: PlannedAction[][] = [];
  for (const a of actions) {
    const last = groups.at(-1);
    if (last && last[0]!.runOrder === a.runOrder) last.push(a);
    else groups.push([a]);
  }
  return groups;
}
