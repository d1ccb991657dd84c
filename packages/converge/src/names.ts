/**
 * CloudFormation's rule for a stack name: a letter, then letters, digits or "-", at most 128 characters. Its own
 * entry point (`@sparta/converge/names`) so a caller can check a name without loading the AWS SDK.
 */
export const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** True when `name` is a valid CloudFormation stack name. */
export function isStackName(name: unknown): name is string {
  return typeof name === "string" && STACK_NAME_PATTERN.test(name);
}
