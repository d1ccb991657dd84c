export {
  createOrUpdateStack,
  deleteStackOnly,
  deployedTemplate,
  executeNamedChangeSet,
  replaceChangeSet,
  type StackActionInput,
  type StackActionResult,
  sameTemplate,
  setStackPolicy,
} from "./actions.js";
export { type ClientOptions, createCfnClient, createS3Client } from "./clients.js";
export { CHANGE_SET_PREFIX, converge, planChanges } from "./converge.js";
export {
  AwsCallError,
  BucketMissingError,
  ChangeSetTimeoutError,
  ConvergeError,
  CredentialsMissingError,
  EmulatorError,
  EndpointUnreachableError,
  InvalidInputError,
  RegionMissingError,
  StackBusyError,
  TemplateTooLargeError,
} from "./errors.js";
export { findRootCause } from "./events.js";
export { isStackName, STACK_NAME_PATTERN } from "./names.js";
export { deleteStack, describeStack } from "./stack.js";
export { inferCapabilities } from "./template.js";
export type {
  Artifact,
  CfnClient,
  Change,
  ConvergeInput,
  ConvergeKind,
  ConvergeResult,
  DeleteResult,
  EngineDeps,
  Reporter,
  RollbackTrigger,
  S3Like,
  StackDescription,
  StackEvent,
} from "./types.js";
