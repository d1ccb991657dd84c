export { VALUE_PROBLEM_CODES } from "./constraints.js";
export {
  InvalidLogicalIdError,
  LogicalIdConflictError,
  SpecLoadError,
  TemplateError,
  TemplateValidationError,
} from "./errors.js";
/** Property types of every resource type, e.g. `CfnTypes.LambdaFunctionProps`. Types only. */
export type * as CfnTypes from "./generated/resource-types.js";
export type {
  Bool,
  Enum,
  List,
  Num,
  ResourceAttributes,
  ResourceTypes,
  Str,
  Tag,
  Value,
} from "./generated/resource-types.js";
export type {
  ConditionExpression,
  GetAttIntrinsic,
  Intrinsic,
  RefIntrinsic,
  SubIntrinsic,
} from "./intrinsic-types.js";
export {
  And,
  Base64,
  Cidr,
  Equals,
  FindInMap,
  GetAtt,
  GetAZs,
  If,
  ImportValue,
  Join,
  Not,
  Or,
  PSEUDO_PARAMETERS,
  Pseudo,
  Ref,
  Select,
  Split,
  Sub,
  ToJsonString,
} from "./intrinsics.js";
export { LOGICAL_ID_PATTERN, LogicalIdAllocator, logicalId } from "./logical-id.js";
export type { Problem } from "./problem.js";
export { LAMBDA_RUNTIME_LIFECYCLE, type RuntimeLifecycle } from "./runtimes.js";
export { credentialLike, tlsOnlyBucketPolicy } from "./security.js";
export { canonicalTemplate, type TemplateLike, toJson, toYaml } from "./serialize.js";
export { mergeTemplates, Template, type TemplateOptions } from "./template.js";
export type {
  CfnOutput,
  CfnParameter,
  CfnResource,
  CfnTemplate,
  ResourceTypeName,
  TypedResource,
} from "./types.js";
export { assertValidTemplate, QUOTAS, type ValidateOptions, validateTemplate } from "./validate.js";
