import { deleteAndWait, getStack, makeEngine, outputsOf, recordOf } from "./engine.js";
import { InvalidInputError } from "./errors.js";
import { describeCause, findRootCause } from "./events.js";
import type { DeleteResult, EngineDeps, StackDescription } from "./types.js";

function requireName(fn: string, stackName: unknown): asserts stackName is string {
  if (typeof stackName !== "string" || stackName.length === 0) {
    throw new InvalidInputError(
      `${fn}: stackName must be a non-empty string, e.g. { stackName: "hello-dev" }.`,
    );
  }
}

/**
 * Delete a stack and wait for it, streaming events. No such stack is `unchanged`, not an error.
 *
 * @example
 * const r = await deleteStack({ stackName: "hello-dev" }, { reporter });  // { kind: "deleted", events: [...] }
 */
export async function deleteStack(
  input: { stackName: string },
  deps: EngineDeps = {},
): Promise<DeleteResult> {
  requireName("deleteStack", input?.stackName);
  const engine = makeEngine(deps);
  const name = input.stackName;
  const stack = await getStack(engine, name);
  if (!stack) {
    return {
      kind: "unchanged",
      stackName: name,
      events: [],
      message: `Stack ${name} does not exist.`,
      apiCalls: engine.ctx.calls,
    };
  }
  const resources = await engine.cfn.listStackResources({ StackName: stack.StackId! }).catch(() => undefined);
  const total = resources?.StackResourceSummaries?.length ?? 0;
  engine.reporter.info?.(`Deleting stack ${name} (${stack.StackStatus}, ${total} resource(s))`);
  const token = `sparta-delete-${engine.now().toString(36)}`;
  const { outcome, follower } = await deleteAndWait(engine, stack.StackId!, name, token, total);
  const base = { stackName: name, stackId: stack.StackId!, events: follower.events };
  if (outcome.status === "DELETE_COMPLETE") return { ...base, kind: "deleted", apiCalls: engine.ctx.calls };
  if (outcome.interrupted) {
    return {
      ...base,
      kind: "failed",
      message: `Interrupted. Stack ${name} is ${outcome.status}; CloudFormation carries on deleting it.`,
      apiCalls: engine.ctx.calls,
    };
  }
  const rootCause = await findRootCause(follower.events, engine.cfn);
  return {
    ...base,
    kind: "failed",
    rootCause,
    message:
      `Deleting stack ${name} ended in ${outcome.status}.\n${describeCause(rootCause)}\n` +
      "Empty or release the resources named above (e.g. a non-empty S3 bucket) and delete again.",
    apiCalls: engine.ctx.calls,
  };
}

/**
 * The stack's status, outputs, resources, parameters and tags; undefined when there is no such stack.
 */
export async function describeStack(
  input: { stackName: string },
  deps: EngineDeps = {},
): Promise<StackDescription | undefined> {
  requireName("describeStack", input?.stackName);
  const engine = makeEngine(deps);
  const stack = await getStack(engine, input.stackName);
  if (!stack) return undefined;
  const resources: StackDescription["resources"] = [];
  let token: string | undefined;
  do {
    const out = await engine.cfn.listStackResources({ StackName: stack.StackId!, NextToken: token });
    for (const r of out.StackResourceSummaries ?? []) {
      resources.push({
        logicalId: r.LogicalResourceId ?? "",
        type: r.ResourceType ?? "",
        ...(r.PhysicalResourceId ? { physicalId: r.PhysicalResourceId } : {}),
        status: r.ResourceStatus ?? "",
      });
    }
    token = out.NextToken;
  } while (token);
  const parameters: Record<string, string> = {};
  for (const p of stack.Parameters ?? [])
    if (p.ParameterKey) parameters[p.ParameterKey] = p.ParameterValue ?? "";
  const last = stack.LastUpdatedTime ?? stack.CreationTime;
  return {
    stackId: stack.StackId!,
    status: stack.StackStatus ?? "",
    ...(stack.StackStatusReason ? { statusReason: stack.StackStatusReason } : {}),
    outputs: outputsOf(stack),
    resources,
    parameters,
    tags: recordOf(stack.Tags),
    ...(last ? { lastUpdated: new Date(last).toISOString() } : {}),
  };
}
