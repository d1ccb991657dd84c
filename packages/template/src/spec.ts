import { readFileSync } from "node:fs";
import { SpecLoadError } from "./errors.js";

/**
 * The compact runtime spec written by scripts/generate.mjs. Type encoding: S string, I integer, N number,
 * B boolean, J json, D date-time, T tag, "L<enc>" list, "M<enc>" map, "#<n>" struct n of the resource's service,
 * ["U", ...] union; a leading "!" marks a required property.
 */
export type TypeEnc = string | string[];
export type StructSpec = Record<string, TypeEnc>;
export interface ResourceSpec {
  /** Properties. */
  p: Record<string, TypeEnc>;
  /** Attributes `Fn::GetAtt` accepts. */
  a: string[];
  /** The structs of the resource's service, which `#<n>` encodings index. */
  structs: readonly StructSpec[];
}

/** Read access to the spec; a service's file is read on the first look-up of one of its types. */
export interface RuntimeSpec {
  readonly source: string;
  resource(type: string): ResourceSpec | undefined;
  resourceTypes(): string[];
}

/** Reads one of the spec's files, parsed: `index.json` (source and type names) or a service's, `aws-lambda.json`. */
export type SpecFiles = (name: string) => unknown;

/** `AWS::Lambda::Function` -> `aws-lambda`, the generator's name for the service's file. */
export function serviceFile(type: string): string {
  return type.split("::").slice(0, 2).join("-").toLowerCase();
}

interface ServiceFile {
  resources: Record<string, { p: Record<string, TypeEnc>; a: string[] }>;
  structs: StructSpec[];
}

class PerServiceSpec implements RuntimeSpec {
  /** Every type of the services read so far. */
  private readonly loaded = new Map<string, ResourceSpec>();
  constructor(
    readonly source: string,
    private readonly types: ReadonlySet<string>,
    private readonly read: SpecFiles,
  ) {}

  resource(type: string): ResourceSpec | undefined {
    const known = this.loaded.get(type);
    if (known) return known;
    // Only a known type names a file: "AWS::../x" never reaches the file system.
    if (!this.types.has(type)) return undefined;
    const { resources, structs } = this.read(`${serviceFile(type)}.json`) as ServiceFile;
    for (const [t, r] of Object.entries(resources)) this.loaded.set(t, { ...r, structs });
    return this.loaded.get(type);
  }

  resourceTypes(): string[] {
    return [...this.types];
  }
}

/** The spec read through `read`; only `index.json` is read here, a service's file on first use. */
export function openSpec(read: SpecFiles): RuntimeSpec {
  const index = read("index.json") as { source?: unknown; types?: unknown };
  if (typeof index?.source !== "string" || !Array.isArray(index.types) || index.types.length === 0)
    throw new Error("no source or resource types in index.json: the files are not in the generator's format");
  return new PerServiceSpec(index.source, new Set(index.types as string[]), read);
}

let cached: RuntimeSpec | undefined;

/**
 * Load the resource spec on first use only, so importing the package costs nothing; each service's file is read when
 * a template first uses one of its types. The files sit next to the module: src/generated/spec/ in the source tree,
 * dist/generated/spec/ once built.
 */
export function loadSpec(): RuntimeSpec {
  if (cached) return cached;
  const dir = new URL("./generated/spec/", import.meta.url);
  const read = (name: string): unknown => {
    const url = new URL(name, dir);
    try {
      return JSON.parse(readFileSync(url, "utf8"));
    } catch (cause) {
      throw new SpecLoadError(url.pathname, cause);
    }
  };
  try {
    cached = openSpec(read);
  } catch (cause) {
    throw cause instanceof SpecLoadError
      ? cause
      : new SpecLoadError(new URL("index.json", dir).pathname, cause);
  }
  return cached;
}
