import type { Stack } from "@aws-sdk/client-cloudformation";
import { type Engine, outputsOf, recordOf, waitForStack } from "./engine.js";
import { EventFollower, findRootCause } from "./events.js";
import { capabilitiesOf, toTags } from "./inputs.js";
import { at, type Run, type RunState } from "./machine.js";
import type { ConvergeResult } from "./types.js";

const NO_CHANGES = /didn't contain changes|No updates are to be performed|no changes/i;

/**
 * Only the stack's tags differ, and CloudFormation refused the change set for having no changes (it does so
 * when none of the resources takes the tags; the emulator always does): apply them with UpdateStack on the
 * previous template and parameter values, which CloudFormation accepts for a tags-only update. Without this the
 * stack would keep its old tags and every converge would try again.
 */
export async function retag(engine: Engine, run: Run, state: RunState, stack: Stack): Promise<RunState> {
  const input = run.input;
  const name = input.stackName;
  const base = { stackName: name, stackId: stack.StackId! };
  const done = (result: ConvergeResult) => at(state, { at: "done", result });
  if (!engine.cfn.updateStack) {
    return done({
      ...base,
      kind: "failed",
      outputs: outputsOf(stack),
      events: state.events,
      message: `Only the tags of stack ${name} changed and the CloudFormation client given to converge cannot UpdateStack; the tags were not applied.`,
    });
  }
  engine.reporter.info?.(`Updating the tags of stack ${name} (no resource changes)`);
  const follower = new EventFollower(engine.cfn, stack.StackId!, name, engine.reporter, engine.read);
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
      ClientRequestToken: `${run.name}-tags`,
    });
  } catch (e) {
    if (NO_CHANGES.test((e as Error).message ?? "")) {
      const kept = Object.entries(recordOf(stack.Tags)).map(([k, v]) => `${k}=${v}`);
      const message =
        `Only the tags of stack ${name} differ, and CloudFormation applied them neither through a change set nor ` +
        `through UpdateStack ("${(e as Error).message}"). The stack keeps its tags (${kept.join(", ") || "none"}); ` +
        "change a resource or a parameter along with the tags to apply them.";
      engine.reporter.warn?.(message);
      return done({
        ...base,
        kind: "unchanged",
        outputs: outputsOf(stack),
        events: state.events,
        changes: [],
        message,
      });
    }
    throw e;
  }
  const waited = await waitForStack(engine, follower, stack.StackId!, name, "UPDATE_IN_PROGRESS");
  const events = [...state.events, ...follower.events];
  if (waited.status === "UPDATE_COMPLETE") {
    return done({ ...base, kind: "updated", outputs: outputsOf(waited.stack), events, changes: [] });
  }
  return done({
    ...base,
    kind: "failed",
    outputs: outputsOf(waited.stack),
    events,
    rootCause: await findRootCause(follower.events, engine.cfn),
    ...(waited.interrupted ? { interrupted: true } : {}),
    message: waited.interrupted
      ? `Interrupted. Stack ${name} is ${waited.status}; CloudFormation carries on with the tags update (\`${engine.commands.status}\`).`
      : `The tags update of stack ${name} ended in ${waited.status}.`,
  });
}
