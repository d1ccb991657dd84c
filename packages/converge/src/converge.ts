import type { Capability, Parameter, Change as SdkChange, Stack, Tag } from "@aws-sdk/client-cloudformation";
import {
  deleteAndWait,
  type Engine,
  getStack,
  makeEngine,
  outputsOf,
  pollDelay,
  recordOf,
  waitForStack,
} from "./engine.js";
import { ChangeSetTimeoutError, InvalidInputError, StackBusyError, TemplateTooLargeError } from "./errors.js";
import { describeCause, EventFollower, findRootCause } from "./events.js";
import { isStackName } from "./names.js";
import {
  canonicalJson,
  effectiveParameters,
  inferCapabilities,
  noEchoParameters,
  parseDeployedTemplate,
  sha256Hex,
  TEMPLATE_BODY_LIMIT,
} from "./template.js";
import type {
  Change,
  ConvergeInput,
  ConvergeResult,
  EngineDeps,
  RollbackTrigger,
  StackEvent,
} from "./types.js";
import { putIfAbsent, uploadArtifacts } from "./upload.js";

/** Change sets this engine creates are named with this prefix; stale ones with it are cleaned up. */
export const CHANGE_SET_PREFIX = "sparta-";
const NO_CHANGES = /didn't contain changes|No updates are to be performed|no changes/i;
/** Stable states from which the deployed template can be compared and an UPDATE change set created. */
const UPDATABLE = new Set([
  "CREATE_COMPLETE",
  "UPDATE_COMPLETE",
  "UPDATE_ROLLBACK_COMPLETE",
  "IMPORT_COMPLETE",
  "IMPORT_ROLLBACK_COMPLETE",
]);

/** Another operation is running; REVIEW_IN_PROGRESS (a stack with only change sets) is not one. */
function isBusy(status: string | undefined): boolean {
  return !!status && status.endsWith("_IN_PROGRESS") && status !== "REVIEW_IN_PROGRESS";
}

function validate(input: ConvergeInput): void {
  if (!input || typeof input.stackName !== "string" || !isStackName(input.stackName)) {
    throw new InvalidInputError(
      `converge: stackName ${JSON.stringify(input?.stackName)} is not a valid CloudFormation stack name; ` +
        'use a letter followed by letters, digits and hyphens (max 128), e.g. "hello-world-dev".',
    );
  }
  if (!input.template || typeof input.template !== "object" || Array.isArray(input.template)) {
    throw new InvalidInputError(
      `converge(${input.stackName}): template must be a CloudFormation template object, e.g. { Resources: { ... } }.`,
    );
  }
  if (input.artifacts?.length && !input.bucket) {
    throw new InvalidInputError(
      `converge(${input.stackName}): ${input.artifacts.length} artifact(s) given but no \`bucket\` to upload them to; pass bucket: "my-deploy-bucket".`,
    );
  }
  for (const t of input.rollbackTriggers ?? []) {
    if (!TRIGGER_TYPES.has(t?.Type) || typeof t.Arn !== "string" || !t.Arn.startsWith("arn:")) {
      throw new InvalidInputError(
        `converge(${input.stackName}): rollbackTriggers has ${JSON.stringify(t)}; each trigger is an alarm ARN with its type, ` +
          'e.g. { Arn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:shop-rollback", Type: "AWS::CloudWatch::CompositeAlarm" } ' +
          '(or "AWS::CloudWatch::Alarm").',
      );
    }
  }
  const count = rollbackTriggersOf(input).length;
  if (count > MAX_ROLLBACK_TRIGGERS) {
    throw new InvalidInputError(
      `converge(${input.stackName}): ${count} rollback triggers (rollbackAlarms + rollbackTriggers); CloudFormation accepts at most ${MAX_ROLLBACK_TRIGGERS}. ` +
        "Combine the alarms into one composite alarm and pass it as a trigger of type AWS::CloudWatch::CompositeAlarm.",
    );
  }
}

const TRIGGER_TYPES = new Set<unknown>(["AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"]);
/** CloudFormation's limit on rollback triggers per stack operation. */
const MAX_ROLLBACK_TRIGGERS = 5;

function toParameters(params: Record<string, string> | undefined): Parameter[] {
  return Object.entries(params ?? {}).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
}

function toTags(tags: Record<string, string> | undefined): Tag[] {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && a[k] === b[k]);
}

function sameTags(input: ConvergeInput, stack: Stack): boolean {
  return sameRecord(input.tags ?? {}, recordOf(stack.Tags));
}

/** The capabilities given, else those the template needs. */
function capabilitiesOf(input: ConvergeInput): Capability[] {
  return (input.capabilities ?? inferCapabilities(input.template)) as Capability[];
}

/** Everything but the template itself: parameters and tags. Cheap (no extra call). */
function sameSettings(input: ConvergeInput, stack: Stack): boolean {
  if (noEchoParameters(input.template).length > 0) return false;
  const want = effectiveParameters(input.template, input.parameters ?? {});
  const have: Record<string, string> = {};
  for (const p of stack.Parameters ?? []) if (p.ParameterKey) have[p.ParameterKey] = p.ParameterValue ?? "";
  if (!sameRecord(want, have)) return false;
  if (!sameTags(input, stack)) return false;
  // Rollback triggers are not compared: they guard an operation, they are not a change of the stack (a change
  // set differing only in them has no changes), and the first deploy after a create always gains one.
  return true;
}

/** `rollbackAlarms` (typed as metric alarms) and `rollbackTriggers` as one list, each ARN once. */
function rollbackTriggersOf(input: ConvergeInput): RollbackTrigger[] {
  const byArn = new Map<string, RollbackTrigger>();
  for (const Arn of input.rollbackAlarms ?? []) byArn.set(Arn, { Arn, Type: "AWS::CloudWatch::Alarm" });
  for (const t of input.rollbackTriggers ?? []) byArn.set(t.Arn, { Arn: t.Arn, Type: t.Type });
  return [...byArn.values()];
}

interface Prepared {
  templateBody?: string;
  templateUrl?: string;
  hash: string;
}

async function prepareTemplate(engine: Engine, input: ConvergeInput, body: string): Promise<Prepared> {
  const hash = sha256Hex(body);
  if (!input.bucket) {
    const size = Buffer.byteLength(body);
    if (size > TEMPLATE_BODY_LIMIT)
      throw new TemplateTooLargeError(input.stackName, size, TEMPLATE_BODY_LIMIT);
    return { templateBody: body, hash };
  }
  const s3 = engine.s3();
  if (input.artifacts?.length) {
    const { uploaded, present } = await uploadArtifacts(s3, input.bucket, input.artifacts, engine.reporter);
    engine.reporter.info?.(`Artifacts: ${uploaded} uploaded, ${present} already in s3://${input.bucket}`);
  }
  const prefix = input.keyPrefix ? input.keyPrefix.replace(/\/+$/, "") + "/" : "";
  const key = `${prefix}templates/${hash}.json`;
  await putIfAbsent(s3, input.bucket, key, async () => body, "application/json");
  const templateUrl = s3.objectUrl
    ? await s3.objectUrl(input.bucket, key)
    : `https://${input.bucket}.s3.amazonaws.com/${key}`;
  return { templateUrl, hash };
}

async function cleanupStaleChangeSets(engine: Engine, stack: Stack): Promise<void> {
  let token: string | undefined;
  const stale: string[] = [];
  do {
    const out = await engine.cfn.listChangeSets({ StackName: stack.StackId!, NextToken: token });
    for (const s of out.Summaries ?? []) {
      const ours = s.ChangeSetName?.startsWith(CHANGE_SET_PREFIX);
      const sameStack = s.StackId === stack.StackId || (!s.StackId && s.StackName === stack.StackName);
      if (ours && sameStack && !/^EXECUTE_(IN_PROGRESS|COMPLETE)$/.test(s.ExecutionStatus ?? ""))
        stale.push(s.ChangeSetId ?? s.ChangeSetName!);
    }
    token = out.NextToken;
  } while (token);
  for (const id of stale) {
    await engine.cfn.deleteChangeSet({ ChangeSetName: id, StackName: stack.StackId });
  }
  if (stale.length > 0)
    engine.reporter.info?.(`Deleted ${stale.length} stale change set(s) of stack ${stack.StackName}`);
}

function toChanges(raw: SdkChange[] | undefined): Change[] {
  return (raw ?? []).flatMap((c) => {
    const r = c.ResourceChange;
    if (!r) return [];
    return [
      {
        action: r.Action ?? "",
        logicalId: r.LogicalResourceId ?? "",
        ...(r.PhysicalResourceId ? { physicalId: r.PhysicalResourceId } : {}),
        resourceType: r.ResourceType ?? "",
        ...(r.Replacement ? { replacement: r.Replacement } : {}),
        ...(r.Scope?.length ? { scope: r.Scope as string[] } : {}),
      },
    ];
  });
}

type ChangeSetOutcome =
  | { kind: "ready"; changes: Change[] }
  | { kind: "empty" }
  | { kind: "failed"; reason: string }
  | { kind: "interrupted" };

async function waitForChangeSet(
  engine: Engine,
  stackName: string,
  stackId: string,
  changeSetId: string,
  changeSetName: string,
): Promise<ChangeSetOutcome> {
  const started = engine.now();
  for (let i = 0; ; i++) {
    if (engine.signal?.aborted) return { kind: "interrupted" };
    const out = await engine.cfn.describeChangeSet({ ChangeSetName: changeSetId, StackName: stackId });
    const status = out.Status ?? "";
    if (status === "CREATE_COMPLETE") {
      const changes = toChanges(out.Changes);
      let token = out.NextToken;
      while (token) {
        const page = await engine.cfn.describeChangeSet({
          ChangeSetName: changeSetId,
          StackName: stackId,
          NextToken: token,
        });
        changes.push(...toChanges(page.Changes));
        token = page.NextToken;
      }
      return { kind: "ready", changes };
    }
    if (status === "FAILED") {
      const reason = out.StatusReason ?? "no reason given";
      return NO_CHANGES.test(reason) ? { kind: "empty" } : { kind: "failed", reason };
    }
    const waited = engine.now() - started;
    if (waited >= engine.changeSetTimeoutMs) {
      await engine.cfn.deleteChangeSet({ ChangeSetName: changeSetId, StackName: stackId });
      throw new ChangeSetTimeoutError(stackName, changeSetName, status || "pending", waited);
    }
    await engine.sleep(pollDelay(engine, i));
  }
}

async function stackLevelRecovery(
  engine: Engine,
  input: ConvergeInput,
  stack: Stack,
  token: string,
): Promise<{ stack: Stack | undefined; failure?: ConvergeResult; events: StackEvent[] }> {
  const status = stack.StackStatus ?? "";
  const name = input.stackName;
  if (status === "ROLLBACK_COMPLETE" || status === "ROLLBACK_FAILED") {
    if (input.recreateFailedStack === false) {
      throw new StackBusyError(
        name,
        `${status} (a failed first create; delete it or allow recreateFailedStack)`,
      );
    }
    engine.reporter.info?.(
      `Stack ${name} is ${status} after a failed first create and holds nothing usable; deleting it and creating it again.`,
    );
    const { outcome, follower } = await deleteAndWait(engine, stack.StackId!, name, `${token}-del`);
    if (outcome.status !== "DELETE_COMPLETE") {
      const rootCause = await findRootCause(follower.events, engine.cfn);
      return {
        stack: undefined,
        events: follower.events,
        failure: {
          kind: "failed",
          stackName: name,
          stackId: stack.StackId!,
          outputs: {},
          events: follower.events,
          rootCause,
          message: `Stack ${name} was ${status}; deleting it to create it again ended in ${outcome.status}.\n${describeCause(rootCause)}`,
        },
      };
    }
    return { stack: undefined, events: follower.events };
  }
  if (status === "UPDATE_ROLLBACK_FAILED") {
    const skip = input.resourcesToSkip ?? [];
    engine.reporter.info?.(
      `Stack ${name} is UPDATE_ROLLBACK_FAILED; resuming the rollback (continue-update-rollback${skip.length ? `, skipping ${skip.join(", ")}` : ""}).`,
    );
    const follower = new EventFollower(engine.cfn, stack.StackId!, name, engine.reporter);
    await follower.baseline();
    await engine.cfn.continueUpdateRollback({
      StackName: stack.StackId!,
      ClientRequestToken: `${token}-cur`,
      ...(skip.length ? { ResourcesToSkip: skip } : {}),
    });
    const outcome = await waitForStack(engine, follower, stack.StackId!);
    if (outcome.status !== "UPDATE_ROLLBACK_COMPLETE") {
      const rootCause = await findRootCause(follower.events, engine.cfn);
      return {
        stack: outcome.stack,
        events: follower.events,
        failure: {
          kind: "failed",
          stackName: name,
          stackId: stack.StackId!,
          outputs: outputsOf(outcome.stack),
          events: follower.events,
          rootCause,
          message:
            `Stack ${name}: continue-update-rollback ended in ${outcome.status}.\n${describeCause(rootCause)}\n` +
            "Fix the resources named above, or pass resourcesToSkip: [logical ids] to skip them, and run again.",
        },
      };
    }
    engine.reporter.info?.(`Stack ${name} is back to UPDATE_ROLLBACK_COMPLETE; continuing with the update.`);
    return { stack: outcome.stack, events: follower.events };
  }
  if (status === "REVIEW_IN_PROGRESS" || UPDATABLE.has(status)) return { stack, events: [] };
  throw new StackBusyError(name, status);
}

function interruptedMessage(name: string, status: string): string {
  return (
    `Interrupted. Stack ${name} is ${status}. CloudFormation carries on with the operation on its own; ` +
    `follow it with \`aws cloudformation describe-stack-events --stack-name ${name}\`` +
    (status.startsWith("UPDATE_") && status.endsWith("_IN_PROGRESS") && !status.includes("ROLLBACK")
      ? ` or stop it with \`aws cloudformation cancel-update-stack --stack-name ${name}\`.`
      : ".")
  );
}

/** An API refusal of the request itself (bad template, missing capability): a failed result, not a crash. */
function refusalMessage(e: unknown): string | undefined {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err?.$metadata?.httpStatusCode;
  if (!status || status >= 500) return undefined;
  const hint =
    err.name === "InsufficientCapabilitiesException"
      ? '\nPass the capabilities it names, e.g. capabilities: ["CAPABILITY_NAMED_IAM"], or omit `capabilities` to infer them.'
      : "";
  return `${err.name}: ${err.message}${hint}`;
}

interface RunOptions {
  execute: boolean;
}

async function run(engine: Engine, input: ConvergeInput, opts: RunOptions): Promise<ConvergeResult> {
  const name = input.stackName;
  const body = JSON.stringify(input.template);
  const changeSetName = `${CHANGE_SET_PREFIX}${sha256Hex(body).slice(0, 12)}-${engine.now().toString(36)}`;
  // Idempotency: a retried CreateChangeSet with the same token is the same request. The other request
  // tokens derive from the run-unique change set name, so a clientToken reused across runs cannot make
  // CloudFormation take a new ExecuteChangeSet/DeleteStack for a retry of an old one.
  const token = (input.clientToken ?? changeSetName).replace(/[^A-Za-z0-9-]/g, "-").slice(0, 100);
  const runToken = changeSetName;
  const priorEvents: StackEvent[] = [];
  if (input.inplace) {
    engine.reporter.warn?.("inplace updates are not supported by @sparta/converge; using a change set.");
  }

  let stack = await getStack(engine, name);
  if (
    stack &&
    !opts.execute &&
    !UPDATABLE.has(stack.StackStatus ?? "") &&
    stack.StackStatus !== "REVIEW_IN_PROGRESS"
  ) {
    throw new StackBusyError(name, stack.StackStatus ?? "UNKNOWN");
  }
  if (stack && isBusy(stack.StackStatus)) {
    if (input.waitForRunningOperation === false)
      throw new StackBusyError(name, stack.StackStatus ?? "UNKNOWN");
    engine.reporter.info?.(
      `Stack ${name} is ${stack.StackStatus} (an operation started elsewhere or by an interrupted run); waiting for it to finish.`,
    );
    const follower = new EventFollower(engine.cfn, stack.StackId!, name, engine.reporter);
    await follower.baseline();
    const waited = await waitForStack(engine, follower, stack.StackId!);
    priorEvents.push(...follower.events);
    if (waited.interrupted) {
      return {
        kind: "failed",
        stackName: name,
        stackId: stack.StackId!,
        outputs: outputsOf(waited.stack),
        events: priorEvents,
        message: interruptedMessage(name, waited.status),
      };
    }
    stack = waited.status === "DELETE_COMPLETE" ? undefined : waited.stack;
  }
  if (stack) {
    const recovered = await stackLevelRecovery(engine, input, stack, runToken);
    priorEvents.push(...recovered.events);
    if (recovered.failure) return recovered.failure;
    stack = recovered.stack;
  }
  const existing = stack && stack.StackStatus !== "REVIEW_IN_PROGRESS" ? stack : undefined;

  // 2. The cheap no-op: same parameters, tags and template -> no change set at all.
  if (opts.execute && existing && sameSettings(input, existing)) {
    const deployed = await engine.cfn.getTemplate({
      StackName: existing.StackId!,
      TemplateStage: "Original",
    });
    const parsed = parseDeployedTemplate(deployed.TemplateBody);
    if (parsed !== undefined && canonicalJson(parsed) === canonicalJson(input.template)) {
      return {
        kind: "unchanged",
        stackName: name,
        stackId: existing.StackId!,
        outputs: outputsOf(existing),
        events: priorEvents,
        message: `Stack ${name} is up to date (${existing.StackStatus}); no change set needed.`,
      };
    }
  }

  const prepared = await prepareTemplate(engine, input, body);
  if (stack) await cleanupStaleChangeSets(engine, stack);

  const changeSetType = existing ? "UPDATE" : "CREATE";
  const triggers = rollbackTriggersOf(input);
  let created: { Id?: string; StackId?: string };
  try {
    created = await engine.cfn.createChangeSet({
      StackName: name,
      ChangeSetName: changeSetName,
      ChangeSetType: changeSetType,
      ClientToken: token,
      Description: "Created by @sparta/converge",
      ...(prepared.templateUrl
        ? { TemplateURL: prepared.templateUrl }
        : { TemplateBody: prepared.templateBody }),
      Parameters: toParameters(input.parameters),
      Tags: toTags(input.tags),
      Capabilities: capabilitiesOf(input),
      ...(triggers.length
        ? {
            RollbackConfiguration: {
              RollbackTriggers: triggers,
              MonitoringTimeInMinutes: input.monitoringTimeMinutes ?? 0,
            },
          }
        : {}),
    });
  } catch (e) {
    const refusal = refusalMessage(e);
    if (!refusal) throw e;
    return {
      kind: "failed",
      stackName: name,
      ...(stack?.StackId ? { stackId: stack.StackId } : {}),
      outputs: outputsOf(existing),
      events: priorEvents,
      message: `CloudFormation refused the change set for stack ${name}: ${refusal}`,
    };
  }
  const changeSetId = created.Id!;
  const stackId = created.StackId ?? stack?.StackId ?? name;
  // A CREATE change set makes a REVIEW_IN_PROGRESS stack; if we do not execute, it must go too.
  const removeEmptyStack = async () => {
    if (changeSetType === "CREATE") {
      await engine.cfn.deleteStack({ StackName: stackId, ClientRequestToken: `${runToken}-clean` });
    }
  };
  const discardChangeSet = async () => {
    await engine.cfn.deleteChangeSet({ ChangeSetName: changeSetId, StackName: stackId });
    await removeEmptyStack();
  };

  let outcome: ChangeSetOutcome;
  try {
    outcome = await waitForChangeSet(engine, name, stackId, changeSetId, changeSetName);
  } catch (e) {
    await removeEmptyStack().catch(() => undefined);
    throw e;
  }
  const base = { stackName: name, stackId };
  if (outcome.kind === "interrupted") {
    await discardChangeSet();
    return {
      ...base,
      kind: "failed",
      outputs: outputsOf(existing),
      events: priorEvents,
      message: `Interrupted before executing; the change set was deleted. Stack ${name} is ${existing?.StackStatus ?? "not created"}.`,
    };
  }
  if (outcome.kind === "empty") {
    await discardChangeSet();
    if (opts.execute && existing && !sameTags(input, existing)) {
      return retag(engine, input, existing, runToken, priorEvents);
    }
    return {
      ...base,
      kind: "unchanged",
      outputs: outputsOf(existing),
      events: priorEvents,
      changes: [],
      message: `Stack ${name} is up to date: CloudFormation found no changes (the change set was deleted).`,
    };
  }
  if (outcome.kind === "failed") {
    await discardChangeSet();
    return {
      ...base,
      kind: "failed",
      outputs: outputsOf(existing),
      events: priorEvents,
      message: `CloudFormation refused the change set for stack ${name}: ${outcome.reason}`,
    };
  }
  const changes = outcome.changes;
  if (!opts.execute) {
    await discardChangeSet();
    return { ...base, kind: "unchanged", outputs: outputsOf(existing), events: priorEvents, changes };
  }
  if (engine.confirm && !(await engine.confirm(changes, name))) {
    await discardChangeSet();
    return {
      ...base,
      kind: "unchanged",
      outputs: outputsOf(existing),
      events: priorEvents,
      changes,
      message: `Not executed: the ${changes.length} change(s) to stack ${name} were declined; the change set was deleted.`,
    };
  }

  engine.reporter.info?.(
    `${changeSetType === "CREATE" ? "Creating" : "Updating"} stack ${name}: ${changes.length} resource change(s)`,
  );
  const follower = new EventFollower(engine.cfn, stackId, name, engine.reporter);
  follower.total = changes.length;
  await follower.baseline();
  await engine.cfn.executeChangeSet({
    ChangeSetName: changeSetId,
    StackName: stackId,
    ClientRequestToken: `${runToken}-exec`,
  });
  const waited = await waitForStack(engine, follower, stackId);
  const events = [...priorEvents, ...follower.events];
  const outputs = outputsOf(waited.stack);
  if (waited.interrupted) {
    return {
      ...base,
      kind: "failed",
      outputs,
      events,
      changes,
      message: interruptedMessage(name, waited.status),
    };
  }
  if (waited.status === "CREATE_COMPLETE" || waited.status === "UPDATE_COMPLETE") {
    return { ...base, kind: changeSetType === "CREATE" ? "created" : "updated", outputs, events, changes };
  }
  const rootCause = await findRootCause(follower.events, engine.cfn);
  const next =
    waited.status === "ROLLBACK_COMPLETE"
      ? " The stack holds nothing now; the next converge deletes it and creates it again."
      : waited.status === "UPDATE_ROLLBACK_COMPLETE"
        ? " The stack was rolled back to its previous state."
        : "";
  return {
    ...base,
    kind: "failed",
    outputs,
    events,
    changes,
    rootCause,
    message: `Stack ${name} ${changeSetType === "CREATE" ? "create" : "update"} failed and ended in ${waited.status}.${next}\n${describeCause(rootCause)}`,
  };
}

/**
 * Only the stack's tags differ, and CloudFormation refused the change set for having no changes (it does so
 * when none of the resources takes the tags; the emulator always does): apply them with UpdateStack on the
 * previous template and parameter values, which CloudFormation accepts for a tags-only update. Without this the
 * stack would keep its old tags and every converge would try again.
 */
async function retag(
  engine: Engine,
  input: ConvergeInput,
  stack: Stack,
  runToken: string,
  priorEvents: StackEvent[],
): Promise<ConvergeResult> {
  const name = input.stackName;
  const base = { stackName: name, stackId: stack.StackId! };
  if (!engine.cfn.updateStack) {
    return {
      ...base,
      kind: "failed",
      outputs: outputsOf(stack),
      events: priorEvents,
      message: `Only the tags of stack ${name} changed and the CloudFormation client given to converge cannot UpdateStack; the tags were not applied.`,
    };
  }
  engine.reporter.info?.(`Updating the tags of stack ${name} (no resource changes)`);
  const follower = new EventFollower(engine.cfn, stack.StackId!, name, engine.reporter);
  await follower.baseline();
  try {
    await engine.cfn.updateStack({
      StackName: stack.StackId!,
      UsePreviousTemplate: true,
      Parameters: (stack.Parameters ?? []).map((p) => ({
        ParameterKey: p.ParameterKey,
        UsePreviousValue: true,
      })),
      Tags: toTags(input.tags),
      Capabilities: capabilitiesOf(input),
      ClientRequestToken: `${runToken}-tags`,
    });
  } catch (e) {
    if (NO_CHANGES.test((e as Error).message ?? "")) {
      const kept = Object.entries(recordOf(stack.Tags)).map(([k, v]) => `${k}=${v}`);
      const message =
        `Only the tags of stack ${name} differ, and CloudFormation applied them neither through a change set nor ` +
        `through UpdateStack ("${(e as Error).message}"). The stack keeps its tags (${kept.join(", ") || "none"}); ` +
        "change a resource or a parameter along with the tags to apply them.";
      engine.reporter.warn?.(message);
      return {
        ...base,
        kind: "unchanged",
        outputs: outputsOf(stack),
        events: priorEvents,
        changes: [],
        message,
      };
    }
    throw e;
  }
  const waited = await waitForStack(engine, follower, stack.StackId!);
  const events = [...priorEvents, ...follower.events];
  if (waited.status === "UPDATE_COMPLETE") {
    return { ...base, kind: "updated", outputs: outputsOf(waited.stack), events, changes: [] };
  }
  return {
    ...base,
    kind: "failed",
    outputs: outputsOf(waited.stack),
    events,
    rootCause: await findRootCause(follower.events, engine.cfn),
    message: waited.interrupted
      ? interruptedMessage(name, waited.status)
      : `The tags update of stack ${name} ended in ${waited.status}.`,
  };
}

/**
 * Bring a CloudFormation stack to the state of `input.template`, its parameters and tags.
 * Nothing to do is a success (`unchanged`) found without creating a change set.
 *
 * @example
 * const result = await converge({ stackName: "hello-dev", template, parameters: { Stage: "dev" } }, { reporter });
 * if (result.kind === "failed") for (const e of result.rootCause ?? []) console.error(e.logicalId, e.reason);
 */
export async function converge(input: ConvergeInput, deps: EngineDeps = {}): Promise<ConvergeResult> {
  validate(input);
  const engine = makeEngine(deps);
  const result = await run(engine, input, { execute: true });
  return { ...result, apiCalls: engine.ctx.calls };
}

/**
 * The changes converging would make, from a change set that is created, read and deleted again.
 * Nothing is left behind (a stack created only for the change set is removed too).
 */
export async function planChanges(input: ConvergeInput, deps: EngineDeps = {}): Promise<Change[]> {
  validate(input);
  const engine = makeEngine(deps);
  const result = await run(engine, input, { execute: false });
  if (result.kind === "failed")
    throw new InvalidInputError(result.message ?? `planChanges(${input.stackName}) failed`);
  return result.changes ?? [];
}
