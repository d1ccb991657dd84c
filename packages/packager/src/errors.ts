/** Stable error codes of `@sparta/packager`; the CLI maps them to exit messages. */
export type PackagerErrorCode =
  | "SPARTA_PACKAGER_BUNDLE"
  | "SPARTA_PACKAGER_ENTRY_NAME"
  | "SPARTA_PACKAGER_SYMLINK"
  | "SPARTA_PACKAGER_LAMBDA_LIMIT"
  | "SPARTA_PACKAGER_INPUT"
  | "SPARTA_PACKAGER_ZIP_FORMAT";

/** Base class of every error this package throws. */
export class PackagerError extends Error {
  readonly code: PackagerErrorCode;

  constructor(code: PackagerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** esbuild could not bundle a function's entry. */
export class BundleError extends PackagerError {
  readonly functionName: string;
  readonly entry: string;

  constructor(functionName: string, entry: string, message: string, options?: { cause?: unknown }) {
    super("SPARTA_PACKAGER_BUNDLE", message, options);
    this.functionName = functionName;
    this.entry = entry;
  }
}

/** Which rule an unsafe ZIP entry name breaks. */
export type EntryNameRule =
  | "empty"
  | "control-character"
  | "invalid-unicode"
  | "backslash"
  | "absolute"
  | "dot-segment"
  | "empty-segment"
  | "component-too-long"
  | "too-long";

/**
 * A ZIP entry name is unsafe: absolute, with `..`, a backslash or an empty segment, with control characters,
 * or longer than file systems allow (255 bytes a component, 1,024 bytes in all).
 */
export class EntryNameError extends PackagerError {
  readonly entryName: string;
  readonly rule: EntryNameRule;

  constructor(entryName: string, message: string, rule: EntryNameRule) {
    super("SPARTA_PACKAGER_ENTRY_NAME", message);
    this.entryName = entryName;
    this.rule = rule;
  }
}

/** A symbolic link points outside the folder being zipped, or is dangling. */
export class SymlinkError extends PackagerError {
  readonly linkPath: string;

  constructor(linkPath: string, message: string, options?: { cause?: unknown }) {
    super("SPARTA_PACKAGER_SYMLINK", message, options);
    this.linkPath = linkPath;
  }
}

/** A function's artifact exceeds a Lambda deployment-package limit. */
export class LambdaLimitError extends PackagerError {
  readonly functionName: string;
  readonly limit: "zipped" | "unzipped";
  readonly actualBytes: number;
  readonly limitBytes: number;

  constructor(
    functionName: string,
    limit: "zipped" | "unzipped",
    actualBytes: number,
    limitBytes: number,
    message: string,
  ) {
    super("SPARTA_PACKAGER_LAMBDA_LIMIT", message);
    this.functionName = functionName;
    this.limit = limit;
    this.actualBytes = actualBytes;
    this.limitBytes = limitBytes;
  }
}

/** An argument is missing or malformed (an entry without content, a bad package file name, ...). */
export class PackagerInputError extends PackagerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("SPARTA_PACKAGER_INPUT", message, options);
  }
}

/** A file given to `listArtifact` is not a ZIP this package can read. */
export class ZipFormatError extends PackagerError {
  readonly path: string;

  constructor(path: string, message: string) {
    super("SPARTA_PACKAGER_ZIP_FORMAT", message);
    this.path = path;
  }
}
