export {
  type BuildManifest,
  type BuildOutput,
  type CodePipelinePackageOptions,
  type PipelineEnvironment,
  stableJson,
  type WriteBuildOutputOptions,
  writeBuildOutput,
} from "./build-output.js";
export {
  type Bundle,
  type BundleFile,
  type BundleFunctionOptions,
  bundleFunction,
  DEFAULT_EXTERNAL,
} from "./bundle.js";
export {
  BundleError,
  EntryNameError,
  type EntryNameRule,
  LambdaLimitError,
  PackagerError,
  type PackagerErrorCode,
  PackagerInputError,
  SymlinkError,
  ZipFormatError,
} from "./errors.js";
export {
  checkLambdaLimits,
  type FunctionSource,
  LAMBDA_LIMITS,
  type LambdaLimits,
  type PackageFunctionsOptions,
  type PackagerReporter,
  packageFunctions,
} from "./package-functions.js";
export {
  type Artifact,
  type ArtifactEntry,
  type CollectOptions,
  type CreateZipOptions,
  collectEntries,
  createZip,
  type ZipInput,
} from "./zip/create.js";
export { assertSafeEntryName, MAX_COMPONENT_BYTES, MAX_NAME_BYTES } from "./zip/names.js";
export { listArtifact, parseZipEntries, readZipEntries, type ZipEntryInfo } from "./zip/read.js";
