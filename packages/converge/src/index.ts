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
export { type ClientOptions, createCfnClient, createS3Client, createStsClient } from "./clients.js";
export { CHANGE_SET_PREFIX, converge, planChanges } from "./converge.js";
export {
  ArtifactMismatchError,
  AwsCallError,
  BucketMissingError,
  BucketOwnerMismatchError,
  ChangeSetTimeoutError,
  ConcurrentDeployError,
  ConvergeError,
  CredentialsMissingError,
  EmulatorError,
  EndpointInvalidError,
  EndpointNotAwsError,
  EndpointTimeoutError,
  EndpointUnreachableError,
  InvalidInputError,
  ProfileNotFoundError,
  RegionInvalidError,
  RegionMissingError,
  StackBusyError,
  StillDeployingError,
  TemplateTooLargeError,
} from "./errors.js";
export { findRootCause } from "./events.js";
export { isStackName, STACK_NAME_PATTERN } from "./names.js";
export { deleteStack, describeStack } from "./stack.js";
export { inferCapabilities } from "./template.js";
export type {
  Artifact,
  CallOptions,
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
  StsLike,
} from "./types.js";
