import { readFileSync } from "node:fs";
import { SpecLoadError } from "./errors.js";

/**
 * The compact runtime spec written by scripts/generate.mjs. Type encoding: S string, I integer, N number,
 * B boolean, J json, D date-time, T tag, "L<enc>" list, "M<enc>" map, "#<n>" struct n, ["U", ...] union;
 * a leading "!" marks a required property.
 */
export type TypeEnc = string | string[];
export interface ResourceSpec {
  p: Record<string, TypeEnc>;
  a: string[];
}
export type StructSpec = Record<string, TypeEnc>;

/** Read access to the spec; entries are parsed on first use, so validating a template parses only what it uses. */
export interface RuntimeSpec {
  readonly source: string;
  resource(type: string): ResourceSpec | undefined;
  struct(index: number): StructSpec | undefined;
  resourceTypes(): string[];
}

class LazySpec implements RuntimeSpec {
  private readonly parsedResources = new Map<string, ResourceSpec>();
  private readonly parsedStructs: (StructSpec | undefined)[] = [];
  constructor(
    readonly source: string,
    private readonly rawResources: Map<string, string>,
    private readonly rawStructs: string[],
  ) {}

  resource(type: string): ResourceSpec | undefined {
    let r = this.parsedResources.get(type);
    if (r === undefined) {
      const raw = this.rawResources.get(type);
      if (raw === undefined) return undefined;
      r = JSON.parse(raw) as ResourceSpec;
      this.parsedResources.set(type, r);
    }
    return r;
  }

  struct(index: number): StructSpec | undefined {
    let s = this.parsedStructs[index];
    if (s === undefined) {
      const raw = this.rawStructs[index];
      if (raw === undefined) return undefined;
      s = JSON.parse(raw) as StructSpec;
      this.parsedStructs[index] = s;
    }
    return s;
  }

  resourceTypes(): string[] {
    return [...this.rawResources.keys()];
  }
}

/**
 * Index the spec file without parsing it whole. The generator writes one resource (`"Type":{...},`) or one struct
 * (`{...},`) per line between the `"resources":{` and `"structs":[` lines; the file stays plain JSON.
 */
export function indexSpec(text: string): RuntimeSpec {
  const lines = text.split("\n");
  const rawResources = new Map<string, string>();
  const rawStructs: string[] = [];
  let source = "unknown";
  let section: "head" | "resources" | "structs" = "head";
  const strip = (l: string) => (l.endsWith(",") ? l.slice(0, -1) : l);
  for (const line of lines) {
    if (line.startsWith('"source":')) source = JSON.parse(strip(line).slice('"source":'.length)) as string;
    else if (line === '"resources":{') section = "resources";
    else if (line === '"structs":[') section = "structs";
    else if (section === "resources" && line.startsWith('"')) {
      const end = line.indexOf('":');
      rawResources.set(line.slice(1, end), strip(line).slice(end + 2));
    } else if (section === "structs" && line.startsWith("{")) rawStructs.push(strip(line));
  }
  if (rawResources.size === 0)
    throw new Error("no resource types found: the file is not in the generator's format");
  return new LazySpec(source, rawResources, rawStructs);
}

let cached: RuntimeSpec | undefined;

/**
 * Load the resource spec on first use only, so importing the package costs nothing. The file sits next to the
 * module: src/generated/spec.json in the source tree, dist/generated/spec.json once built.
 */
export function loadSpec(): RuntimeSpec {
  if (cached) return cached;
  const url = new URL("./generated/spec.json", import.meta.url);
  try {
    cached = indexSpec(readFileSync(url, "utf8"));
  } catch (cause) {
    throw new SpecLoadError(url.pathname, cause);
  }
  return cached;
}
