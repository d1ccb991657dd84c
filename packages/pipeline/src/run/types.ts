/** Types of a local pipeline run, shared by the runner, its output and the command (imports nothing). */

/** Where an artifact of a run lives in the artifact store. */
export interface RunArtifact {
  name: string;
  bucket: string;
  key: string;
  /** Stage and action that produced it. */
  producedBy: string;
  /** The run that produced it (another one for stages skipped by --from). */
  executionId: string;
}

export type ActionStatus = "Succeeded" | "Failed" | "Skipped";

export interface ActionRecord {
  name: string;
  /** e.g. Build/AWS/CodeBuild. */
  type: string;
  runOrder: number;
  status: ActionStatus;
  /** When the action started (actions of one RunOrder start together). */
  startedAt: string;
  durationMs: number;
  /**
   * Time spent in the action's own work: build commands, CloudFormation calls and waits, an approval, reading the
   * repository.
   */
  workMs: number;
  /** durationMs less workMs: fetching and unzipping inputs, zipping and storing outputs, starting the build. */
  overheadMs: number;
  summary: string;
  error?: string;
  /** The deploy role a CloudFormation action names; recorded, not assumed (the run uses your credentials). */
  roleArn?: string;
  stackName?: string;
  stackResult?: string;
  changes?: number;
  buildId?: string;
  commands?: { phase: string; command: string; exitCode: number; durationMs: number }[];
  failure?: { phase: string; command: string; exitCode: number; tail: string[] };
  approval?: { decision: "approved" | "rejected"; by: "flag" | "terminal" };
  outputArtifacts: string[];
  variables?: Record<string, string>;
}

export interface StageRecord {
  name: string;
  status: "Succeeded" | "Failed" | "Skipped" | "NotRun";
  durationMs: number;
  /**
   * Stage duration less its actions' own work (of the actions of one RunOrder, which run together, the longest):
   * what the run itself added. Waiting for a slot under a `concurrency` below a group's size counts here.
   */
  overheadMs: number;
  /** For a stage skipped by --from: the run whose result it keeps. */
  fromExecutionId?: string;
  actions: ActionRecord[];
}

/** What `runPipeline --format json` prints and `.sparta/runs/<executionId>.json` keeps. */
export interface RunRecord {
  executionId: string;
  pipelineName: string;
  pipelineStack: string;
  status: "Succeeded" | "Failed";
  startedAt: string;
  durationMs: number;
  source: { mode: "head" | "working-tree"; commit: string };
  artifactBucket: string;
  /** Builds ran on this machine with the caller's credentials, not in CodeBuild containers. */
  local: true;
  from?: { stage: string; executionId: string };
  warnings: string[];
  stages: StageRecord[];
  artifacts: RunArtifact[];
  /** Exported variables by action namespace (for `#{Namespace.VAR}`). */
  variables: Record<string, Record<string, string>>;
}
