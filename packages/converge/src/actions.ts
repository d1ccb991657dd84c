import type { Capability, Change as SdkChange, Stack } from "@aws-sdk/client-cloudformation";
import { converge } from "./converge.js";
import { type Engine, getStack, makeEngine, outputsOf, pollDelay, waitForStack } from "./engine.js";
import { InvalidInputError, StackBusyError } from "./errors.js";
import { describeCause, EventFollower, findRootCause } from "./events.js";
import { isStackName } from "./names.js";
import { deleteStack } from "./stack.js";
import {
  canonicalJson,
  inferCapabilities,
  parseDeployedTemplate,
  sha256Hex,
  TEMPLATE_BODY_LIMIT,
} from "./template.js";
import type { Change, EngineDeps, StackEvent } from "./types.js";
import { prepareTemplate } from "./upload.js";

/**
 * The stack operations of CodePipeline's CloudFormation deploy action (`ActionMode`), one function each, with the
 * behaviour the CodePipeline user guide documents: a named change set replaced and executed as two separate actions,
 * create-or-update, replace-on-failure and delete-only. `@sparta/pipeline`'s `runPipeline` drives them.
 */

/** What a CloudFormation action gives CloudFormation, resolved from the action's configuration and artifacts. */
export interface StackActionInput {
  stackName: string;
  /** Plain CloudFormation template (JSON or the object parsed from YAML). */
  template: object;
  parameters?: Record<string, string>;
  tags?: Record<string, string>;
  /** `Capabilities` of the action; default: what the template needs. */
  capabilities?: string[];
  /** Bucket for a template over CloudFormation's inline limit (CodePipeline uses the artifact store). */
  bucket?: string;
  keyPrefix?: string;
}

/** The outcome of one action, a tagged union: "nothing to do" is `unchanged`, a success. */
export interface StackActionResult {
  kind: "created" | "updated" | "deleted" | "unchanged" | "changeSetReady" | "failed";
  stackName: string;
  stackId?: string;
  /** Stack outputs after the action (what `OutputFileName` writes). */
  outputs: Record<string, string>;
  changes?: Change[];
  events: StackEvent[];
  rootCause?: StackEvent[];
  message?: string;
}

const NO_CHANGES = /didn't contain changes|No updates are to be performed|no changes/i;
const UPDATABLE = new Set([
  "CREATE_COMPLETE",
  "UPDATE_COMPLETE",
  "UPDATE_ROLLBACK_COMPLETE",
  "IMPORT_COMPLETE",
  "IMPORT_ROLLBACK_COMPLETE",
]);
/** States REPLACE_ON_FAILURE deletes the stack from before creating it again. */
const FAILED_STATES = new Set([
  "ROLLBACK_COMPLETE",
  "ROLLBACK_FAILED",
  "CREATE_FAILED",
  "DELETE_FAILED",
  "UPDATE_ROLLBACK_FAILED",
]);

function checkName(what: string, stackName: unknown): asserts stackName is string {
  if (!isStackName(stackName)) {
    throw new InvalidInputError(
      `${what}: StackName ${JSON.stringify(stackName)} is not a CloudFormation stack name; use a letter followed by ` +
        'letters, digits and hyphens (max 128), e.g. "Test-Hello-main".',
    );
  }
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
      },
    ];
  });
}

async function templateSource(
  engine: Engine,
  input: StackActionInput,
): Promise<{ TemplateBody: string } | { TemplateURL: string }> {
  const body = JSON.stringify(input.template);
  if (Buffer.byteLength(body) <= TEMPLATE_BODY_LIMIT || !input.bucket) return { TemplateBody: body };
  // Over the inline limit: uploaded content-addressed and verified (owner, checksum), as converge uploads.
  const prepared = await prepareTemplate(
    engine,
    {
      stackName: input.stackName,
      template: input.template,
      bucket: input.bucket,
      ...(input.keyPrefix ? { keyPrefix: input.keyPrefix } : {}),
    },
    body,
    undefined,
  );
  return prepared.templateUrl ? { TemplateURL: prepared.templateUrl } : { TemplateBody: body };
}

function isMissingChangeSet(e: unknown): boolean {
  const err = e as { name?: string; message?: string };
  return (
    err?.name === "ChangeSetNotFoundException" ||
    err?.name === "ChangeSetNotFound" ||
    /does not exist/i.test(err?.message ?? "")
  );
}

async function describeNamedChangeSet(engine: Engine, stackName: string, changeSetName: string) {
  try {
    return await engine.cfn.describeChangeSet({ StackName: stackName, ChangeSetName: changeSetName });
  } catch (e) {
    if (isMissingChangeSet(e)) return undefined;
    throw e;
  }
}

function refused(stackName: string, stack: Stack | undefined, message: string): StackActionResult {
  return {
    kind: "failed",
    stackName,
    ...(stack?.StackId ? { stackId: stack.StackId } : {}),
    outputs: outputsOf(stack),
    events: [],
    message,
  };
}

/**
 * `CHANGE_SET_REPLACE`: creates the change set `changeSetName` for the stack (a CREATE change set when there is no
 * stack yet), deleting a change set of that name first, and waits until CloudFormation has computed it. An
 * unchanged template is a success (`unchanged`): as on AWS, the change set stays, FAILED with "didn't contain
 * changes", and `CHANGE_SET_EXECUTE` then has nothing to do.
 * @example
 * await replaceChangeSet({ stackName: "Test-Hello-main", changeSetName: "SpartaChangeSet", template, parameters });
 * // { kind: "changeSetReady", changes: [{ action: "Add", logicalId: "HelloFunction", ... }], ... }
 */
export async function replaceChangeSet(
  input: StackActionInput & { changeSetName: string },
  deps: EngineDeps = {},
): Promise<StackActionResult> {
  checkName("CHANGE_SET_REPLACE", input.stackName);
  const engine = makeEngine(deps);
  const name = input.stackName;
  const stack = await getStack(engine, name);
  const status = stack?.StackStatus ?? "";
  const creating = !stack || status === "REVIEW_IN_PROGRESS";
  if (stack && !creating && !UPDATABLE.has(status)) {
    return refused(
      name,
      stack,
      `Stack ${name} is ${status}; CloudFormation cannot create a change set for it.` +
        (status === "ROLLBACK_COMPLETE"
          ? " A failed first create leaves nothing usable: delete the stack (or use ActionMode REPLACE_ON_FAILURE) and run again."
          : " Wait for the running operation, or repair the stack, and run again."),
    );
  }
  if (stack) {
    const old = await describeNamedChangeSet(engine, stack.StackId!, input.changeSetName);
    if (old?.ChangeSetId)
      await engine.cfn.deleteChangeSet({ ChangeSetName: old.ChangeSetId, StackName: stack.StackId! });
  }
  let created: { Id?: string; StackId?: string };
  try {
    created = await engine.cfn.createChangeSet({
      StackName: name,
      ChangeSetName: input.changeSetName,
      ChangeSetType: creating ? "CREATE" : "UPDATE",
      ...(await templateSource(engine, input)),
      Parameters: Object.entries(input.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
      Tags: Object.entries(input.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      Capabilities: (input.capabilities ?? inferCapabilities(input.template)) as Capability[],
      Description: "Created by sparta runPipeline (CodePipeline CHANGE_SET_REPLACE)",
    });
  } catch (e) {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const code = err.$metadata?.httpStatusCode;
    if (!code || code >= 500) throw e;
    return refused(
      name,
      stack,
      `CloudFormation refused the change set for stack ${name}: ${err.name}: ${err.message}`,
    );
  }
  const stackId = created.StackId ?? stack?.StackId ?? name;
  for (let i = 0; ; i++) {
    const out = await engine.cfn.describeChangeSet({ ChangeSetName: created.Id!, StackName: stackId });
    if (out.Status === "CREATE_COMPLETE") {
      const changes = toChanges(out.Changes);
      let token = out.NextToken;
      while (token) {
        const page = await engine.cfn.describeChangeSet({
          ChangeSetName: created.Id!,
          StackName: stackId,
          NextToken: token,
        });
        changes.push(...toChanges(page.Changes));
        token = page.NextToken;
      }
      return {
        kind: "changeSetReady",
        stackName: name,
        stackId,
        outputs: outputsOf(stack),
        changes,
        events: [],
      };
    }
    if (out.Status === "FAILED") {
      const reason = out.StatusReason ?? "no reason given";
      if (NO_CHANGES.test(reason)) {
        return {
          kind: "unchanged",
          stackName: name,
          stackId,
          outputs: outputsOf(stack),
          changes: [],
          events: [],
          message: `Stack ${name} is up to date: change set ${input.changeSetName} has no changes.`,
        };
      }
      return refused(
        name,
        stack,
        `CloudFormation could not create change set ${input.changeSetName} for stack ${name}: ${reason}`,
      );
    }
    if (engine.signal?.aborted)
      return refused(name, stack, "Interrupted while CloudFormation computed the change set.");
    await engine.sleep(pollDelay(engine, i));
  }
}

/**
 * `CHANGE_SET_EXECUTE`: executes the named change set and follows the stack's events until it settles. A change
 * set FAILED for having no changes is `unchanged`; a missing one is `failed`, as on AWS.
 */
export async function executeNamedChangeSet(
  input: { stackName: string; changeSetName: string },
  deps: EngineDeps = {},
): Promise<StackActionResult> {
  checkName("CHANGE_SET_EXECUTE", input.stackName);
  const engine = makeEngine(deps);
  const name = input.stackName;
  const stack = await getStack(engine, name);
  const changeSet = stack
    ? await describeNamedChangeSet(engine, stack.StackId!, input.changeSetName)
    : undefined;
  if (!stack || !changeSet) {
    return refused(
      name,
      stack,
      `ChangeSet [${input.changeSetName}] does not exist for stack ${name}; a CHANGE_SET_REPLACE action of the same ` +
        "StackName and ChangeSetName must run first (with --from, start at the stage that creates it).",
    );
  }
  if (changeSet.Status === "FAILED" && NO_CHANGES.test(changeSet.StatusReason ?? "")) {
    return {
      kind: "unchanged",
      stackName: name,
      stackId: stack.StackId!,
      outputs: outputsOf(stack),
      changes: [],
      events: [],
      message: `Stack ${name} is up to date: change set ${input.changeSetName} has no changes to execute.`,
    };
  }
  if (changeSet.ExecutionStatus !== "AVAILABLE") {
    return refused(
      name,
      stack,
      `Change set ${input.changeSetName} of stack ${name} cannot be executed: it is ${changeSet.Status}/${changeSet.ExecutionStatus}` +
        `${changeSet.StatusReason ? ` (${changeSet.StatusReason})` : ""}.`,
    );
  }
  const creating = stack.StackStatus === "REVIEW_IN_PROGRESS";
  const changes = toChanges(changeSet.Changes);
  const follower = new EventFollower(engine.cfn, stack.StackId!, name, engine.reporter);
  follower.total = changes.length;
  await follower.baseline();
  await engine.cfn.executeChangeSet({
    ChangeSetName: changeSet.ChangeSetId!,
    StackName: stack.StackId!,
    ClientRequestToken: `sparta-run-${sha256Hex(changeSet.ChangeSetId!).slice(0, 16)}`,
  });
  const waited = await waitForStack(engine, follower, stack.StackId!, name);
  const base = {
    stackName: name,
    stackId: stack.StackId!,
    outputs: outputsOf(waited.stack),
    changes,
    events: follower.events,
  };
  if (waited.status === "CREATE_COMPLETE" || waited.status === "UPDATE_COMPLETE") {
    return { ...base, kind: creating ? "created" : "updated" };
  }
  const rootCause = await findRootCause(follower.events, engine.cfn);
  return {
    ...base,
    kind: "failed",
    rootCause,
    message: waited.interrupted
      ? `Interrupted; stack ${name} is ${waited.status} and CloudFormation carries on.`
      : `Stack ${name} ${creating ? "create" : "update"} failed and ended in ${waited.status}.\n${describeCause(rootCause)}`,
  };
}

/**
 * `CREATE_UPDATE` (and, with `replaceOnFailure`, `REPLACE_ON_FAILURE`): creates the stack or updates it; no
 * changes is `unchanged`. A stack in a failed state (e.g. ROLLBACK_COMPLETE) fails CREATE_UPDATE, as on AWS;
 * REPLACE_ON_FAILURE deletes it first and creates it again.
 */
export async function createOrUpdateStack(
  input: StackActionInput & { replaceOnFailure?: boolean },
  deps: EngineDeps = {},
): Promise<StackActionResult> {
  const mode = input.replaceOnFailure ? "REPLACE_ON_FAILURE" : "CREATE_UPDATE";
  checkName(mode, input.stackName);
  const engine = makeEngine(deps);
  const stack = await getStack(engine, input.stackName);
  const status = stack?.StackStatus ?? "";
  const priorEvents: StackEvent[] = [];
  if (stack && FAILED_STATES.has(status)) {
    if (!input.replaceOnFailure) {
      return refused(
        input.stackName,
        stack,
        `Stack ${input.stackName} is ${status} and cannot be updated (CREATE_UPDATE); delete it, or use ActionMode ` +
          "REPLACE_ON_FAILURE, which deletes a failed stack and creates it again.",
      );
    }
    engine.reporter.info?.(
      `Stack ${input.stackName} is ${status}; REPLACE_ON_FAILURE deletes it and creates it again.`,
    );
    const deleted = await deleteStack({ stackName: input.stackName }, deps);
    priorEvents.push(...deleted.events);
    if (deleted.kind === "failed") {
      return { ...refused(input.stackName, stack, deleted.message ?? "delete failed"), events: priorEvents };
    }
  }
  try {
    const result = await converge(
      {
        stackName: input.stackName,
        template: input.template,
        parameters: input.parameters ?? {},
        tags: input.tags ?? {},
        ...(input.capabilities ? { capabilities: input.capabilities } : {}),
        // The template goes inline when it fits, as CodePipeline sends it; the bucket only carries a larger one.
        ...(input.bucket && Buffer.byteLength(JSON.stringify(input.template)) > TEMPLATE_BODY_LIMIT
          ? { bucket: input.bucket, ...(input.keyPrefix ? { keyPrefix: input.keyPrefix } : {}) }
          : {}),
        recreateFailedStack: false,
      },
      deps,
    );
    return {
      kind: result.kind,
      stackName: result.stackName,
      ...(result.stackId ? { stackId: result.stackId } : {}),
      outputs: result.outputs,
      ...(result.changes ? { changes: result.changes } : {}),
      events: [...priorEvents, ...result.events],
      ...(result.rootCause ? { rootCause: result.rootCause } : {}),
      ...(result.message ? { message: result.message } : {}),
    };
  } catch (e) {
    if (e instanceof StackBusyError) return refused(input.stackName, stack, e.message);
    throw e;
  }
}

/** `DELETE_ONLY`: deletes the stack; no such stack is a success (`unchanged`), as on AWS. */
export async function deleteStackOnly(
  input: { stackName: string },
  deps: EngineDeps = {},
): Promise<StackActionResult> {
  checkName("DELETE_ONLY", input.stackName);
  const result = await deleteStack(input, deps);
  return {
    kind: result.kind,
    stackName: result.stackName,
    ...(result.stackId ? { stackId: result.stackId } : {}),
    outputs: {},
    events: result.events,
    ...(result.rootCause ? { rootCause: result.rootCause } : {}),
    ...(result.message ? { message: result.message } : {}),
  };
}

/**
 * The template a stack was last deployed with (`GetTemplate`, Original stage), parsed; undefined when there is no
 * such stack. `sameTemplate` compares two templates as converge does (key order does not matter).
 */
export async function deployedTemplate(stackName: string, deps: EngineDeps = {}): Promise<unknown> {
  const engine = makeEngine(deps);
  const stack = await getStack(engine, stackName);
  if (!stack) return undefined;
  const out = await engine.cfn.getTemplate({ StackName: stack.StackId!, TemplateStage: "Original" });
  return parseDeployedTemplate(out.TemplateBody);
}

/** Whether two templates are the same JSON, whatever the order of their keys. */
export function sameTemplate(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** The stack's policy (a template configuration's `StackPolicy`), set with `SetStackPolicy` through the SDK. */
export async function setStackPolicy(
  input: { stackName: string; policy: object },
  options: { region?: string; endpoint?: string } = {},
): Promise<void> {
  checkName("StackPolicy", input.stackName);
  const { CloudFormationClient, SetStackPolicyCommand } = await import("@aws-sdk/client-cloudformation");
  const client = new CloudFormationClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  await client.send(
    new SetStackPolicyCommand({ StackName: input.stackName, StackPolicyBody: JSON.stringify(input.policy) }),
  );
}
