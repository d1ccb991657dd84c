import type { Capability, Parameter, Stack, Tag } from "@aws-sdk/client-cloudformation";
import { outputsOf, recordOf } from "./engine.js";
import { InvalidInputError } from "./errors.js";
import { isStackName } from "./names.js";
import { effectiveParameters, inferCapabilities, noEchoParameters } from "./template.js";
import type { ConvergeInput, RollbackTrigger } from "./types.js";

const TRIGGER_TYPES = new Set<unknown>(["AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"]);
/** CloudFormation's limit on rollback triggers per stack operation. */
const MAX_ROLLBACK_TRIGGERS = 5;
const LOGICAL_ID = /^[A-Za-z0-9]+(\.[A-Za-z0-9]+)?$/;
const ACCOUNT_ID = /^\d{12}$/;

/** Refuse malformed input before any call, naming the field and showing the valid form. */
export function validate(input: ConvergeInput): void {
  if (!input || typeof input.stackName !== "string" || !isStackName(input.stackName)) {
    throw new InvalidInputError(
      `converge: stackName ${JSON.stringify(input?.stackName)} is not a valid CloudFormation stack name; ` +
        'use a letter followed by letters, digits and hyphens (max 128), e.g. "hello-world-dev".',
    );
  }
  const name = input.stackName;
  if (!input.template || typeof input.template !== "object" || Array.isArray(input.template)) {
    throw new InvalidInputError(
      `converge(${name}): template must be a CloudFormation template object, e.g. { Resources: { ... } }.`,
    );
  }
  if (input.artifacts?.length && !input.bucket) {
    throw new InvalidInputError(
      `converge(${name}): ${input.artifacts.length} artifact(s) given but no \`bucket\` to upload them to; pass bucket: "my-deploy-bucket".`,
    );
  }
  if (input.bucketOwner !== undefined && !ACCOUNT_ID.test(String(input.bucketOwner))) {
    throw new InvalidInputError(
      `converge(${name}): bucketOwner is ${JSON.stringify(input.bucketOwner)}; it is the 12-digit id of the account that owns the bucket, e.g. "123456789012".`,
    );
  }
  for (const t of input.rollbackTriggers ?? []) {
    if (!TRIGGER_TYPES.has(t?.Type) || typeof t.Arn !== "string" || !t.Arn.startsWith("arn:")) {
      throw new InvalidInputError(
        `converge(${name}): rollbackTriggers has ${JSON.stringify(t)}; each trigger is an alarm ARN with its type, ` +
          'e.g. { Arn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:shop-rollback", Type: "AWS::CloudWatch::CompositeAlarm" } ' +
          '(or "AWS::CloudWatch::Alarm").',
      );
    }
  }
  for (const o of input.rollbackTriggerOutputs ?? []) {
    if (!TRIGGER_TYPES.has(o?.type) || typeof o.output !== "string" || o.output === "") {
      throw new InvalidInputError(
        `converge(${name}): rollbackTriggerOutputs has ${JSON.stringify(o)}; each entry names a stack output holding an alarm ARN, ` +
          'e.g. { output: "SpartaRollbackAlarmArn", type: "AWS::CloudWatch::CompositeAlarm" }.',
      );
    }
  }
  const count =
    new Set([...(input.rollbackAlarms ?? []), ...(input.rollbackTriggers ?? []).map((t) => t.Arn)]).size +
    (input.rollbackTriggerOutputs?.length ?? 0);
  if (count > MAX_ROLLBACK_TRIGGERS) {
    throw new InvalidInputError(
      `converge(${name}): ${count} rollback triggers (rollbackAlarms + rollbackTriggers + rollbackTriggerOutputs); CloudFormation accepts at most ${MAX_ROLLBACK_TRIGGERS}. ` +
        "Combine the alarms into one composite alarm and pass it as a trigger of type AWS::CloudWatch::CompositeAlarm.",
    );
  }
  const skip = input.resourcesToSkip;
  if (
    skip !== undefined &&
    (!Array.isArray(skip) || skip.some((id) => typeof id !== "string" || !LOGICAL_ID.test(id)))
  ) {
    throw new InvalidInputError(
      `converge(${name}): resourcesToSkip is ${JSON.stringify(skip)}; it lists the logical ids of resources to skip when ` +
        'resuming a failed rollback, e.g. ["Queue", "NestedStack.Fn"] (a nested stack\'s resource as Stack.LogicalId).',
    );
  }
}

export function toParameters(params: Record<string, string> | undefined): Parameter[] {
  return Object.entries(params ?? {}).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
}

export function toTags(tags: Record<string, string> | undefined): Tag[] {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && a[k] === b[k]);
}

export function sameTags(input: ConvergeInput, stack: Stack): boolean {
  return sameRecord(input.tags ?? {}, recordOf(stack.Tags));
}

/** The capabilities given, else those the template needs. */
export function capabilitiesOf(input: ConvergeInput): Capability[] {
  return (input.capabilities ?? inferCapabilities(input.template)) as Capability[];
}

/** Everything but the template itself: parameters and tags. Cheap (no extra call). */
export function sameSettings(input: ConvergeInput, stack: Stack): boolean {
  if (noEchoParameters(input.template).length > 0) return false;
  const want = effectiveParameters(input.template, input.parameters ?? {});
  const have: Record<string, string> = {};
  for (const p of stack.Parameters ?? []) if (p.ParameterKey) have[p.ParameterKey] = p.ParameterValue ?? "";
  if (!sameRecord(want, have)) return false;
  // Rollback triggers are not compared: they guard an operation, they are not a change of the stack (a change
  // set differing only in them has no changes), and the first deploy after a create always gains one.
  return sameTags(input, stack);
}

/**
 * `rollbackAlarms` (typed as metric alarms), `rollbackTriggers`, and the alarms named by `rollbackTriggerOutputs` in
 * the deployed stack's outputs (when the template still declares that output), as one list, each ARN once.
 */
export function rollbackTriggersOf(input: ConvergeInput, deployed: Stack | undefined): RollbackTrigger[] {
  const byArn = new Map<string, RollbackTrigger>();
  for (const Arn of input.rollbackAlarms ?? []) byArn.set(Arn, { Arn, Type: "AWS::CloudWatch::Alarm" });
  for (const t of input.rollbackTriggers ?? []) byArn.set(t.Arn, { Arn: t.Arn, Type: t.Type });
  const outputs = outputsOf(deployed);
  const declared = (input.template as { Outputs?: Record<string, unknown> }).Outputs ?? {};
  for (const o of input.rollbackTriggerOutputs ?? []) {
    const arn = outputs[o.output];
    if (arn?.startsWith("arn:") && declared[o.output] !== undefined)
      byArn.set(arn, { Arn: arn, Type: o.type });
  }
  return [...byArn.values()];
}
