import { randomBytes } from "node:crypto";
import { type Engine, makeEngine } from "./engine.js";
import { InvalidInputError } from "./errors.js";
import { validate } from "./inputs.js";
import { decide, type Intent, type Run, type RunState } from "./machine.js";
import { perform } from "./steps.js";
import { sha256Hex } from "./template.js";
import type { Change, ConvergeInput, ConvergeResult, EngineDeps } from "./types.js";

export { CHANGE_SET_PREFIX } from "./changeset.js";

/** More steps than any run takes (a few dozen at most, restarts included): a transition loop is a bug. */
const MAX_STEPS = 500;

/** Run the state machine: decide the next step from the state, carry it out, until a result. */
async function run(engine: Engine, input: ConvergeInput): Promise<ConvergeResult> {
  const body = JSON.stringify(input.template);
  const runState: Run = {
    input,
    body,
    // the random part keeps two runs of one template in the same millisecond apart (else their change sets and
    // idempotency tokens would be the same, and CloudFormation would take the second for a retry of the first)
    name: `sparta-${sha256Hex(body).slice(0, 12)}-${engine.now().toString(36)}-${randomBytes(3).toString("hex")}`,
  };
  const intent: Intent = {
    plan: engine.plan,
    confirm: engine.confirm !== undefined,
    waitForOthers: input.waitForRunningOperation !== false,
    recreateFailed: input.recreateFailedStack !== false,
  };
  if (input.inplace) {
    engine.reporter.warn?.("inplace updates are not supported by @sparta/converge; using a change set.");
  }
  let state: RunState = { phase: { at: "start" }, events: [], madeStack: false, restarts: 0 };
  for (let i = 0; i < MAX_STEPS; i++) {
    const step = decide(state, {
      input,
      intent,
      aborted: engine.signal?.aborted === true,
      commands: engine.commands,
    });
    if (step.do === "finish") return step.result;
    state = await perform(engine, runState, state, step);
  }
  throw new Error(
    `converge(${input.stackName}): no result after ${MAX_STEPS} steps (last phase ${state.phase.at})`,
  );
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
  const result = await run(engine, input);
  return { ...result, apiCalls: engine.ctx.calls };
}

/**
 * The changes converging would make, from a change set that is created, read and deleted again (none when the
 * deployed template, parameters and tags already match). Nothing is left behind: a stack created only for the
 * change set is removed too, unless another run is creating it meanwhile.
 */
export async function planChanges(input: ConvergeInput, deps: EngineDeps = {}): Promise<Change[]> {
  validate(input);
  const engine = makeEngine({ ...deps, plan: true });
  const result = await run(engine, input);
  if (result.kind === "failed")
    throw new InvalidInputError(result.message ?? `planChanges(${input.stackName}) failed`);
  return result.changes ?? [];
}
