import type {
  ContinueUpdateRollbackCommandInput,
  CreateChangeSetCommandInput,
  DeleteChangeSetCommandInput,
  DeleteStackCommandInput,
  DescribeChangeSetCommandInput,
  DescribeStackEventsCommandInput,
  DescribeStacksCommandInput,
  ExecuteChangeSetCommandInput,
  GetTemplateCommandInput,
  ListChangeSetsCommandInput,
  ListStackResourcesCommandInput,
  StackEvent as SdkEvent,
  UpdateStackCommandInput,
} from "@aws-sdk/client-cloudformation";
import type { CfnClient } from "../src/types.js";

/** A virtual clock: `sleep` advances time instantly, so polling tests take no wall time. */
export class FakeClock {
  t = Date.parse("2026-01-01T00:00:00Z");
  readonly sleeps: number[] = [];
  now = () => this.t;
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.t += ms;
  };
}

class AwsError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

type Template = {
  Resources?: Record<string, { Type: string; Properties?: unknown }>;
  Outputs?: Record<string, { Value: unknown }>;
};

interface FakeStack {
  id: string;
  name: string;
  status: string;
  template: Template;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  outputs: Record<string, string>;
  events: SdkEvent[]; // oldest first
  pending: { event: SdkEvent; then?: () => void }[]; // released one per poll
  resources: Map<string, { type: string; status: string; physicalId: string }>;
  rollbackConfiguration?: unknown;
  /** The ClientRequestToken of the operation under way; every event it causes carries it. */
  token?: string;
  /** The change set the stack last executed (DescribeStacks `ChangeSetId`). */
  changeSetId?: string;
}

interface FakeChangeSet {
  id: string;
  name: string;
  stackId: string;
  type: "CREATE" | "UPDATE";
  token?: string;
  status: string;
  executionStatus: string;
  reason?: string;
  template: Template;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  input: CreateChangeSetCommandInput;
  polls: number;
  created: Date;
}

/** See FAKE.md for the documented CloudFormation behaviour each part reproduces. */
export class FakeCloudFormation implements CfnClient {
  readonly calls: { op: string; input: unknown }[] = [];
  readonly stacks = new Map<string, FakeStack>();
  readonly changeSets = new Map<string, FakeChangeSet>();
  /** Change sets never leave CREATE_PENDING. */
  stuckChangeSets = false;
  /** A change set that differs from the stack only in its tags FAILS with "didn't contain changes". */
  tagsOnlyChangeSetsFail = false;
  /** Executing a change set leaves the stack's other change sets in place (the emulator does; AWS deletes them). */
  keepOtherChangeSets = false;
  private readonly throttles = new Map<string, number>();
  private readonly resourceFailures = new Map<
    string,
    { reason: string; nested?: { logicalId: string; reason: string } }
  >();
  private readonly rollbackFailures = new Map<string, string>();
  private readonly deleteFailures = new Map<string, string>();
  private readonly failures = new Map<string, { left: number; make: () => Error }>();
  private readonly lostAnswers = new Map<string, number>();
  private readonly hooks = new Map<string, ((input: unknown) => unknown)[]>();
  private seq = 0;

  constructor(private readonly clock: FakeClock = new FakeClock()) {}

  // ---------------------------------------------------------------- knobs
  /** The next `times` calls of `op` (e.g. "describeStacks") fail with a Throttling error. */
  throttle(op: keyof CfnClient, times: number): void {
    this.throttles.set(op, times);
  }
  /** The next `times` calls of `op` fail with the error `make` returns (e.g. a connection reset), doing nothing. */
  failNext(op: keyof CfnClient, times: number, make: () => Error): void {
    this.failures.set(op, { left: times, make });
  }
  /**
   * The next `times` calls of `op` are carried out, but their answer is lost: the caller gets a connection reset
   * (the request reached CloudFormation; the response did not reach the caller).
   */
  loseAnswer(op: keyof CfnClient, times = 1): void {
    this.lostAnswers.set(op, times);
  }
  /**
   * Run `hook` before the next call of `op` is carried out (once), e.g. to let another run act at that moment.
   * The hook may be async; the call waits for it.
   */
  intercept(op: keyof CfnClient, hook: (input: unknown) => unknown): void {
    this.hooks.set(op, [...(this.hooks.get(op) ?? []), hook]);
  }
  /** The next operation that creates or updates `logicalId` fails there (optionally inside a nested stack). */
  failResource(logicalId: string, reason: string, nested?: { logicalId: string; reason: string }): void {
    this.resourceFailures.set(logicalId, nested ? { reason, nested } : { reason });
  }
  /** Rolling `logicalId` back fails (the stack ends UPDATE_ROLLBACK_FAILED) until it is skipped or this is cleared. */
  failRollback(logicalId: string, reason: string): void {
    this.rollbackFailures.set(logicalId, reason);
  }
  /** Deleting `logicalId` fails (e.g. a non-empty bucket): the stack ends DELETE_FAILED. */
  failDelete(logicalId: string, reason: string): void {
    this.deleteFailures.set(logicalId, reason);
  }
  clearRollbackFailure(logicalId: string): void {
    this.rollbackFailures.delete(logicalId);
  }
  /** Put a stack into any state, e.g. UPDATE_ROLLBACK_FAILED. */
  seedStack(s: {
    name: string;
    status: string;
    template: Template;
    parameters?: Record<string, string>;
    tags?: Record<string, string>;
    outputs?: Record<string, string>;
    /** For an *_IN_PROGRESS seed: the final status the running operation reaches a few polls later. */
    finishAs?: string;
  }): string {
    const stack = this.newStack(s.name, s.status);
    stack.template = s.template;
    stack.parameters = s.parameters ?? {};
    stack.tags = s.tags ?? {};
    stack.outputs = s.outputs ?? {};
    for (const [id, r] of Object.entries(s.template.Resources ?? {})) {
      stack.resources.set(id, {
        type: r.Type,
        status: "UPDATE_COMPLETE",
        physicalId: `${s.name}-${id}-phys`,
      });
    }
    this.emit(stack, s.name, "AWS::CloudFormation::Stack", s.status);
    if (s.finishAs) {
      for (const [id, r] of stack.resources) this.queue(stack, id, r.type, "UPDATE_COMPLETE");
      this.queue(stack, s.name, "AWS::CloudFormation::Stack", s.finishAs);
    }
    return stack.id;
  }
  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }
  live(name: string): FakeStack | undefined {
    return [...this.stacks.values()].find((s) => s.name === name && s.status !== "DELETE_COMPLETE");
  }

  // ---------------------------------------------------------------- helpers
  private async record(op: string, input: unknown): Promise<void> {
    const hooks = this.hooks.get(op);
    if (hooks?.length) {
      const hook = hooks.shift()!;
      await hook(input);
    }
    this.calls.push({ op, input });
    const left = this.throttles.get(op) ?? 0;
    if (left > 0) {
      this.throttles.set(op, left - 1);
      throw new AwsError("Throttling", "Rate exceeded");
    }
    const failure = this.failures.get(op);
    if (failure && failure.left > 0) {
      failure.left--;
      throw failure.make();
    }
  }
  /** After an operation was carried out: lose its answer if asked to. */
  private answer<T>(op: string, value: T): T {
    const lost = this.lostAnswers.get(op) ?? 0;
    if (lost > 0) {
      this.lostAnswers.set(op, lost - 1);
      throw Object.assign(new Error("socket hang up"), { name: "Error", code: "ECONNRESET" });
    }
    return value;
  }
  private newStack(name: string, status: string): FakeStack {
    const id = `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/${++this.seq}`;
    const stack: FakeStack = {
      id,
      name,
      status,
      template: {},
      parameters: {},
      tags: {},
      outputs: {},
      events: [],
      pending: [],
      resources: new Map(),
    };
    this.stacks.set(id, stack);
    return stack;
  }
  private find(nameOrId: string | undefined): FakeStack {
    const s = nameOrId ? (this.stacks.get(nameOrId) ?? this.live(nameOrId)) : undefined;
    if (!s) throw new AwsError("ValidationError", `Stack with id ${nameOrId} does not exist`);
    return s;
  }
  private event(
    stack: FakeStack,
    logicalId: string,
    type: string,
    status: string,
    reason?: string,
    physicalId?: string,
  ): SdkEvent {
    return {
      EventId: `ev-${++this.seq}`,
      StackId: stack.id,
      StackName: stack.name,
      LogicalResourceId: logicalId,
      PhysicalResourceId:
        physicalId ?? (logicalId === stack.name ? stack.id : `${stack.name}-${logicalId}-phys`),
      ResourceType: type,
      ResourceStatus: status as never,
      ...(reason ? { ResourceStatusReason: reason } : {}),
      ...(stack.token ? { ClientRequestToken: stack.token } : {}),
      Timestamp: new Date(this.clock.now()),
    };
  }
  private emit(stack: FakeStack, logicalId: string, type: string, status: string, reason?: string): void {
    stack.events.push(this.event(stack, logicalId, type, status, reason));
  }
  /** Queue an event; the stack's own events also move its status when they are released. */
  private queue(
    stack: FakeStack,
    logicalId: string,
    type: string,
    status: string,
    reason?: string,
    then?: () => void,
    physicalId?: string,
  ): void {
    stack.pending.push({
      event: this.event(stack, logicalId, type, status, reason, physicalId),
      ...(then ? { then } : {}),
    });
  }
  /** Operations advance one event per poll, like a real stack operation observed over time. */
  private tick(stack: FakeStack): void {
    const next = stack.pending.shift();
    if (!next) return;
    next.event.Timestamp = new Date(this.clock.now());
    stack.events.push(next.event);
    if (
      next.event.LogicalResourceId === stack.name &&
      next.event.ResourceType === "AWS::CloudFormation::Stack"
    ) {
      stack.status = next.event.ResourceStatus!;
    } else {
      const r = stack.resources.get(next.event.LogicalResourceId!);
      if (r) r.status = next.event.ResourceStatus!;
    }
    next.then?.();
  }
  private diff(from: Template, to: Template) {
    const a = from.Resources ?? {};
    const b = to.Resources ?? {};
    const changes: { action: string; logicalId: string; type: string }[] = [];
    for (const [id, r] of Object.entries(b)) {
      if (!(id in a)) changes.push({ action: "Add", logicalId: id, type: r.Type });
      else if (JSON.stringify(a[id]) !== JSON.stringify(r))
        changes.push({ action: "Modify", logicalId: id, type: r.Type });
    }
    for (const [id, r] of Object.entries(a))
      if (!(id in b)) changes.push({ action: "Remove", logicalId: id, type: r.Type });
    return changes;
  }

  // ---------------------------------------------------------------- API
  async describeStacks(input: DescribeStacksCommandInput) {
    await this.record("describeStacks", input);
    const s = this.find(input.StackName);
    this.tick(s);
    return {
      $metadata: {},
      Stacks: [
        {
          StackId: s.id,
          StackName: s.name,
          StackStatus: s.status as never,
          CreationTime: new Date(0),
          Parameters: Object.entries(s.parameters).map(([ParameterKey, ParameterValue]) => ({
            ParameterKey,
            ParameterValue,
          })),
          Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
          Outputs: Object.entries(s.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
          ...(s.rollbackConfiguration ? { RollbackConfiguration: s.rollbackConfiguration } : {}),
          ...(s.changeSetId ? { ChangeSetId: s.changeSetId } : {}),
        },
      ],
    };
  }

  async getTemplate(input: GetTemplateCommandInput) {
    await this.record("getTemplate", input);
    return { $metadata: {}, TemplateBody: JSON.stringify(this.find(input.StackName).template) };
  }

  async createChangeSet(input: CreateChangeSetCommandInput) {
    return this.answer("createChangeSet", await this.carryOutCreateChangeSet(input));
  }

  private async carryOutCreateChangeSet(input: CreateChangeSetCommandInput) {
    await this.record("createChangeSet", input);
    const existing = [...this.changeSets.values()].find(
      (c) => c.token && c.token === input.ClientToken && c.name === input.ChangeSetName,
    );
    if (existing) return { $metadata: {}, Id: existing.id, StackId: existing.stackId };
    const type = (input.ChangeSetType ?? "UPDATE") as "CREATE" | "UPDATE";
    let stack = this.live(input.StackName!);
    if (type === "CREATE") {
      if (stack && stack.status !== "REVIEW_IN_PROGRESS") {
        throw new AwsError(
          "ValidationError",
          `Stack [${input.StackName}] already exists and cannot be created again with the changeSet [${input.ChangeSetName}].`,
        );
      }
      if (!stack) {
        stack = this.newStack(input.StackName!, "REVIEW_IN_PROGRESS");
        this.emit(stack, stack.name, "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS", "User Initiated");
      }
    } else if (!stack) {
      throw new AwsError("ValidationError", `Stack [${input.StackName}] does not exist`);
    }
    if (!input.TemplateBody && !input.TemplateURL)
      throw new AwsError("ValidationError", "TemplateBody or TemplateURL required");
    const template: Template = input.TemplateBody
      ? JSON.parse(input.TemplateBody)
      : (this.templatesByUrl.get(input.TemplateURL!) ?? {});
    const cs: FakeChangeSet = {
      id: `arn:aws:cloudformation:us-east-1:123456789012:changeSet/${input.ChangeSetName}/${++this.seq}`,
      name: input.ChangeSetName!,
      stackId: stack.id,
      type,
      ...(input.ClientToken ? { token: input.ClientToken } : {}),
      status: "CREATE_PENDING",
      executionStatus: "UNAVAILABLE",
      template,
      parameters: Object.fromEntries(
        (input.Parameters ?? []).map((p) => [p.ParameterKey!, p.ParameterValue ?? ""]),
      ),
      tags: Object.fromEntries((input.Tags ?? []).map((t) => [t.Key!, t.Value ?? ""])),
      input,
      polls: 0,
      created: new Date(this.clock.now()),
    };
    this.changeSets.set(cs.id, cs);
    return { $metadata: {}, Id: cs.id, StackId: stack.id };
  }
  /** Templates "uploaded to S3" for TemplateURL change sets. */
  readonly templatesByUrl = new Map<string, Template>();

  private findChangeSet(name: string | undefined, stackName: string | undefined): FakeChangeSet {
    const cs =
      this.changeSets.get(name ?? "") ??
      [...this.changeSets.values()].find(
        (c) =>
          c.name === name &&
          (!stackName || stackName === c.stackId || this.stacks.get(c.stackId)?.name === stackName),
      );
    if (!cs) throw new AwsError("ChangeSetNotFoundException", `ChangeSet [${name}] does not exist`, 404);
    return cs;
  }

  async describeChangeSet(input: DescribeChangeSetCommandInput) {
    await this.record("describeChangeSet", input);
    const cs = this.findChangeSet(input.ChangeSetName, input.StackName);
    const stack = this.stacks.get(cs.stackId)!;
    const changes = this.diff(cs.type === "CREATE" ? {} : stack.template, cs.template);
    if (!this.stuckChangeSets && cs.status !== "CREATE_COMPLETE" && cs.status !== "FAILED") {
      cs.polls++;
      if (cs.polls === 1) cs.status = "CREATE_IN_PROGRESS";
      else {
        const same =
          changes.length === 0 &&
          JSON.stringify(cs.parameters) === JSON.stringify(stack.parameters) &&
          (this.tagsOnlyChangeSetsFail || JSON.stringify(cs.tags) === JSON.stringify(stack.tags));
        if (same && cs.type === "UPDATE") {
          cs.status = "FAILED";
          cs.reason =
            "The submitted information didn't contain changes. Submit different information to create a change set.";
        } else {
          cs.status = "CREATE_COMPLETE";
          cs.executionStatus = "AVAILABLE";
        }
      }
    }
    return {
      $metadata: {},
      ChangeSetId: cs.id,
      ChangeSetName: cs.name,
      StackId: cs.stackId,
      Status: cs.status as never,
      ExecutionStatus: cs.executionStatus as never,
      ...(cs.reason ? { StatusReason: cs.reason } : {}),
      Changes:
        cs.status === "CREATE_COMPLETE"
          ? changes.map((c) => ({
              Type: "Resource" as const,
              ResourceChange: {
                Action: c.action as never,
                LogicalResourceId: c.logicalId,
                ResourceType: c.type,
                ...(c.action === "Modify" ? { Replacement: "False" as const } : {}),
              },
            }))
          : [],
    };
  }

  async executeChangeSet(input: ExecuteChangeSetCommandInput) {
    return this.answer("executeChangeSet", await this.carryOutExecuteChangeSet(input));
  }

  private async carryOutExecuteChangeSet(input: ExecuteChangeSetCommandInput) {
    await this.record("executeChangeSet", input);
    const cs = this.findChangeSet(input.ChangeSetName, input.StackName);
    if (cs.executionStatus !== "AVAILABLE") {
      throw new AwsError(
        "InvalidChangeSetStatusException",
        `ChangeSet [${cs.id}] cannot be executed in its current status of [${cs.executionStatus}]`,
      );
    }
    const stack = this.stacks.get(cs.stackId)!;
    const changes = this.diff(cs.type === "CREATE" ? {} : stack.template, cs.template);
    cs.executionStatus = "EXECUTE_IN_PROGRESS";
    // AWS deletes the other change sets of a stack once one is executed.
    if (!this.keepOtherChangeSets)
      for (const other of [...this.changeSets.values()])
        if (other.stackId === stack.id && other !== cs) this.changeSets.delete(other.id);
    const verb = cs.type === "CREATE" ? "CREATE" : "UPDATE";
    const S = "AWS::CloudFormation::Stack";
    stack.token = input.ClientRequestToken;
    stack.changeSetId = cs.id;
    stack.status = `${verb}_IN_PROGRESS`;
    this.emit(stack, stack.name, S, `${verb}_IN_PROGRESS`, "User Initiated");
    const failing = changes.find((c) => this.resourceFailures.has(c.logicalId));
    const ok = changes.filter((c) => c !== failing);
    if (!failing) {
      for (const c of changes) {
        const rv = c.action === "Add" ? "CREATE" : c.action === "Remove" ? "DELETE" : "UPDATE";
        if (c.action === "Add")
          stack.resources.set(c.logicalId, {
            type: c.type,
            status: "CREATE_IN_PROGRESS",
            physicalId: `${stack.name}-${c.logicalId}-phys`,
          });
        this.queue(stack, c.logicalId, c.type, `${rv}_IN_PROGRESS`);
        this.queue(
          stack,
          c.logicalId,
          c.type,
          `${rv}_COMPLETE`,
          undefined,
          c.action === "Remove" ? () => stack.resources.delete(c.logicalId) : undefined,
        );
      }
      if (verb === "UPDATE") this.queue(stack, stack.name, S, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS");
      this.queue(stack, stack.name, S, `${verb}_COMPLETE`, undefined, () => {
        stack.template = cs.template;
        stack.parameters = cs.parameters;
        stack.tags = cs.tags;
        stack.outputs = Object.fromEntries(
          Object.keys(cs.template.Outputs ?? {}).map((k) => [k, `${k}-value`]),
        );
        stack.rollbackConfiguration = cs.input.RollbackConfiguration;
        cs.executionStatus = "EXECUTE_COMPLETE";
      });
      return { $metadata: {} };
    }
    const failure = this.resourceFailures.get(failing.logicalId)!;
    this.resourceFailures.delete(failing.logicalId);
    const rv = failing.action === "Add" ? "CREATE" : "UPDATE";
    // resources start in parallel; the failure cancels the ones still in progress
    for (const c of [...ok, failing])
      this.queue(stack, c.logicalId, c.type, `${c.action === "Add" ? "CREATE" : "UPDATE"}_IN_PROGRESS`);
    let nestedId: string | undefined;
    let fillNested: (() => void) | undefined;
    if (failure.nested) {
      const nested = this.newStack(`${stack.name}-${failing.logicalId}-NESTED`, "CREATE_IN_PROGRESS");
      const inner = failure.nested;
      nestedId = nested.id;
      fillNested = () => {
        this.emit(nested, nested.name, S, "CREATE_IN_PROGRESS", "User Initiated");
        this.emit(nested, inner.logicalId, "AWS::Lambda::Function", "CREATE_IN_PROGRESS");
        this.emit(nested, inner.logicalId, "AWS::Lambda::Function", "CREATE_FAILED", inner.reason);
        this.emit(
          nested,
          nested.name,
          S,
          "ROLLBACK_IN_PROGRESS",
          `The following resource(s) failed to create: [${inner.logicalId}].`,
        );
        this.emit(nested, nested.name, S, "ROLLBACK_COMPLETE");
        nested.status = "ROLLBACK_COMPLETE";
      };
    }
    this.queue(stack, failing.logicalId, failing.type, `${rv}_FAILED`, failure.reason, fillNested, nestedId);
    for (const c of ok)
      this.queue(
        stack,
        c.logicalId,
        c.type,
        `${c.action === "Add" ? "CREATE" : "UPDATE"}_FAILED`,
        `Resource ${c.action === "Add" ? "creation" : "update"} cancelled`,
      );
    cs.executionStatus = "EXECUTE_FAILED";
    if (verb === "CREATE") {
      this.queue(
        stack,
        stack.name,
        S,
        "ROLLBACK_IN_PROGRESS",
        `The following resource(s) failed to create: [${failing.logicalId}]. Rollback requested by user.`,
      );
      for (const c of changes) this.queue(stack, c.logicalId, c.type, "DELETE_COMPLETE");
      this.queue(stack, stack.name, S, "ROLLBACK_COMPLETE", undefined, () => stack.resources.clear());
      return { $metadata: {} };
    }
    this.queue(
      stack,
      stack.name,
      S,
      "UPDATE_ROLLBACK_IN_PROGRESS",
      `The following resource(s) failed to update: [${failing.logicalId}].`,
    );
    const stuck = [...changes].find((c) => this.rollbackFailures.has(c.logicalId));
    if (stuck) {
      this.queue(
        stack,
        stuck.logicalId,
        stuck.type,
        "UPDATE_FAILED",
        this.rollbackFailures.get(stuck.logicalId),
      );
      this.queue(
        stack,
        stack.name,
        S,
        "UPDATE_ROLLBACK_FAILED",
        `The following resource(s) failed to update: [${stuck.logicalId}].`,
      );
    } else {
      this.queue(stack, stack.name, S, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS");
      this.queue(stack, stack.name, S, "UPDATE_ROLLBACK_COMPLETE");
    }
    return { $metadata: {} };
  }

  /** Only the tags-only form converge uses: the previous template and parameter values, new tags. */
  async updateStack(input: UpdateStackCommandInput) {
    await this.record("updateStack", input);
    const stack = this.find(input.StackName);
    if (!input.UsePreviousTemplate)
      throw new AwsError("ValidationError", "the fake takes UsePreviousTemplate only");
    const tags = Object.fromEntries((input.Tags ?? []).map((t) => [t.Key!, t.Value ?? ""]));
    if (JSON.stringify(tags) === JSON.stringify(stack.tags)) {
      throw new AwsError("ValidationError", "No updates are to be performed.");
    }
    const S = "AWS::CloudFormation::Stack";
    stack.token = input.ClientRequestToken;
    stack.status = "UPDATE_IN_PROGRESS";
    this.emit(stack, stack.name, S, "UPDATE_IN_PROGRESS", "User Initiated");
    this.queue(stack, stack.name, S, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS");
    this.queue(stack, stack.name, S, "UPDATE_COMPLETE", undefined, () => {
      stack.tags = tags;
    });
    return { $metadata: {}, StackId: stack.id };
  }

  async continueUpdateRollback(input: ContinueUpdateRollbackCommandInput) {
    await this.record("continueUpdateRollback", input);
    const stack = this.find(input.StackName);
    if (stack.status !== "UPDATE_ROLLBACK_FAILED") {
      throw new AwsError(
        "ValidationError",
        `Stack ${stack.name} is in ${stack.status} state and can not be continued to rollback`,
      );
    }
    const S = "AWS::CloudFormation::Stack";
    const skip = new Set(input.ResourcesToSkip ?? []);
    stack.token = input.ClientRequestToken;
    stack.status = "UPDATE_ROLLBACK_IN_PROGRESS";
    this.emit(stack, stack.name, S, "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated");
    const still = [...this.rollbackFailures.keys()].find((id) => stack.resources.has(id) && !skip.has(id));
    for (const id of skip)
      this.queue(
        stack,
        id,
        stack.resources.get(id)?.type ?? "",
        "UPDATE_COMPLETE",
        "Resource skipped during rollback",
      );
    if (still) {
      this.queue(
        stack,
        still,
        stack.resources.get(still)!.type,
        "UPDATE_FAILED",
        this.rollbackFailures.get(still),
      );
      this.queue(
        stack,
        stack.name,
        S,
        "UPDATE_ROLLBACK_FAILED",
        `The following resource(s) failed to update: [${still}].`,
      );
    } else {
      this.queue(stack, stack.name, S, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS");
      this.queue(stack, stack.name, S, "UPDATE_ROLLBACK_COMPLETE");
    }
    return { $metadata: {} };
  }

  async deleteChangeSet(input: DeleteChangeSetCommandInput) {
    return this.answer("deleteChangeSet", await this.carryOutDeleteChangeSet(input));
  }

  private async carryOutDeleteChangeSet(input: DeleteChangeSetCommandInput) {
    await this.record("deleteChangeSet", input);
    const cs = this.findChangeSet(input.ChangeSetName, input.StackName);
    this.changeSets.delete(cs.id);
    return { $metadata: {} };
  }

  async listChangeSets(input: ListChangeSetsCommandInput) {
    await this.record("listChangeSets", input);
    const stack = this.find(input.StackName);
    return {
      $metadata: {},
      Summaries: [...this.changeSets.values()]
        .filter((c) => c.stackId === stack.id)
        .map((c) => ({
          ChangeSetId: c.id,
          ChangeSetName: c.name,
          StackId: c.stackId,
          StackName: stack.name,
          Status: c.status as never,
          ExecutionStatus: c.executionStatus as never,
          CreationTime: c.created,
          ...(c.input.Description ? { Description: c.input.Description } : {}),
        })),
    };
  }

  async describeStackEvents(input: DescribeStackEventsCommandInput) {
    await this.record("describeStackEvents", input);
    const stack = this.find(input.StackName);
    this.tick(stack);
    // Real pages hold up to 100 events; 3 here so pagination is exercised.
    const all = [...stack.events].reverse();
    const start = input.NextToken ? Number(input.NextToken) : 0;
    const page = all.slice(start, start + 3);
    return {
      $metadata: {},
      StackEvents: page,
      ...(start + 3 < all.length ? { NextToken: String(start + 3) } : {}),
    };
  }

  async listStackResources(input: ListStackResourcesCommandInput) {
    await this.record("listStackResources", input);
    const stack = this.find(input.StackName);
    return {
      $metadata: {},
      StackResourceSummaries: [...stack.resources].map(([id, r]) => ({
        LogicalResourceId: id,
        ResourceType: r.type,
        PhysicalResourceId: r.physicalId,
        ResourceStatus: r.status as never,
        LastUpdatedTimestamp: new Date(this.clock.now()),
      })),
    };
  }

  async deleteStack(input: DeleteStackCommandInput) {
    return this.answer("deleteStack", await this.carryOutDeleteStack(input));
  }

  private async carryOutDeleteStack(input: DeleteStackCommandInput) {
    await this.record("deleteStack", input);
    const stack = this.find(input.StackName);
    if (stack.status === "DELETE_COMPLETE") return { $metadata: {} };
    const S = "AWS::CloudFormation::Stack";
    stack.token = input.ClientRequestToken;
    if (stack.status === "REVIEW_IN_PROGRESS") {
      // nothing was created: gone at once
      this.emit(stack, stack.name, S, "DELETE_COMPLETE");
      stack.status = "DELETE_COMPLETE";
      for (const c of [...this.changeSets.values()]) if (c.stackId === stack.id) this.changeSets.delete(c.id);
      return { $metadata: {} };
    }
    stack.status = "DELETE_IN_PROGRESS";
    this.emit(stack, stack.name, S, "DELETE_IN_PROGRESS", "User Initiated");
    const blocked = [...stack.resources.keys()].find((id) => this.deleteFailures.has(id));
    for (const [id, r] of stack.resources) {
      this.queue(stack, id, r.type, "DELETE_IN_PROGRESS");
      if (id === blocked) this.queue(stack, id, r.type, "DELETE_FAILED", this.deleteFailures.get(id));
      else this.queue(stack, id, r.type, "DELETE_COMPLETE", undefined, () => stack.resources.delete(id));
    }
    if (blocked) {
      this.queue(
        stack,
        stack.name,
        S,
        "DELETE_FAILED",
        `The following resource(s) failed to delete: [${blocked}]. `,
      );
      return { $metadata: {} };
    }
    this.queue(stack, stack.name, S, "DELETE_COMPLETE", undefined, () => {
      stack.resources.clear();
      for (const c of [...this.changeSets.values()]) if (c.stackId === stack.id) this.changeSets.delete(c.id);
    });
    return { $metadata: {} };
  }
}
