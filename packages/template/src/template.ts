import { InvalidLogicalIdError, LogicalIdConflictError } from "./errors.js";
import { LOGICAL_ID_PATTERN } from "./logical-id.js";
import {
  canonicalResource,
  canonicalValue,
  copyData,
  resolveTemplate,
  sortedObject,
  type TemplateLike,
} from "./serialize.js";
import type { CfnOutput, CfnParameter, CfnTemplate, ResourceTypeName, TypedResource } from "./types.js";

type Section = "Parameters" | "Mappings" | "Conditions" | "Resources" | "Outputs";

/** Options of `new Template()`. */
export interface TemplateOptions {
  /** The template's `Description` (at most 1,024 bytes). */
  description?: string;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(canonicalValue(a)) === JSON.stringify(canonicalValue(b));
}

function checkId(where: string, id: string): void {
  if (!LOGICAL_ID_PATTERN.test(id)) throw new InvalidLogicalIdError(where, id);
}

/**
 * A CloudFormation template builder. Every `add*` returns the template, so calls chain; `toJSON()` gives the
 * plain `CfnTemplate` in canonical key order.
 * @example
 * const t = new Template({ description: "hello" })
 *   .addResource("Queue", { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 60 } })
 *   .addOutput("QueueUrl", { Value: Ref("Queue") });
 */
export class Template {
  private description: string | undefined;
  private readonly metadata: Record<string, unknown> = {};
  private readonly transforms: string[] = [];
  private readonly sections: Record<Section, Record<string, unknown>> = {
    Parameters: {},
    Mappings: {},
    Conditions: {},
    Resources: {},
    Outputs: {},
  };

  constructor(options: TemplateOptions = {}) {
    this.description = options.description;
  }

  private put(section: Section, id: string, value: unknown, where: string): this {
    checkId(where, id);
    const existing = this.sections[section][id];
    if (existing !== undefined && !deepEqual(existing, value)) {
      throw new LogicalIdConflictError(section, id, existing, value);
    }
    // Stored in canonical form, so toJSON only has to sort logical ids and copy.
    this.sections[section][id] = section === "Resources" ? canonicalResource(value) : canonicalValue(value);
    return this;
  }

  /**
   * Add a resource; its `Properties` are typed by its `Type`. Adding the same id again with identical content is a
   * no-op; with different content it throws `LogicalIdConflictError`.
   * @example t.addResource("Fn", { Type: "AWS::Lambda::Function", Properties: { Code: {...}, Role: GetAtt("Role", "Arn") } })
   */
  // The default is never inferred (Type always gives T); it is what an editor offers while `Type` is still being typed.
  addResource<T extends string = ResourceTypeName>(logicalId: string, resource: TypedResource<T>): this {
    return this.put("Resources", logicalId, resource, `addResource(${JSON.stringify(logicalId)})`);
  }

  /** Add a parameter. */
  addParameter(logicalId: string, parameter: CfnParameter): this {
    return this.put("Parameters", logicalId, parameter, `addParameter(${JSON.stringify(logicalId)})`);
  }

  /** Add an output. */
  addOutput(logicalId: string, output: CfnOutput): this {
    return this.put("Outputs", logicalId, output, `addOutput(${JSON.stringify(logicalId)})`);
  }

  /** Add a mapping: `{ topLevelKey: { secondLevelKey: value } }`, read with `FindInMap`. */
  addMapping(name: string, mapping: { [topLevelKey: string]: { [secondLevelKey: string]: unknown } }): this {
    return this.put("Mappings", name, mapping, `addMapping(${JSON.stringify(name)})`);
  }

  /** Add a named condition, e.g. `addCondition("IsProd", Equals(Ref("Stage"), "prod"))`. */
  addCondition(name: string, condition: unknown): this {
    return this.put("Conditions", name, condition, `addCondition(${JSON.stringify(name)})`);
  }

  /** Set a top-level `Metadata` key. */
  setMetadata(key: string, value: unknown): this {
    this.metadata[key] = canonicalValue(value);
    return this;
  }

  /** Add a transform (e.g. `AWS::Serverless-2016-10-31`, `AWS::LanguageExtensions`); duplicates are ignored. */
  addTransform(name: string): this {
    if (!this.transforms.includes(name)) this.transforms.push(name);
    return this;
  }

  /**
   * Merge a fragment (a `CfnTemplate` or another `Template`) into this one. An id already present with identical
   * content is kept once; with different content it throws `LogicalIdConflictError`. The first description wins.
   */
  merge(fragment: TemplateLike): this {
    const f = resolveTemplate(fragment);
    if (this.description === undefined && f.Description !== undefined) this.description = f.Description;
    for (const [k, v] of Object.entries(f.Metadata ?? {})) {
      if (k in this.metadata && !deepEqual(this.metadata[k], v)) {
        throw new LogicalIdConflictError("Metadata", k, this.metadata[k], v);
      }
      this.metadata[k] = canonicalValue(v);
    }
    const transforms =
      f.Transform === undefined ? [] : Array.isArray(f.Transform) ? f.Transform : [f.Transform];
    for (const tr of transforms) this.addTransform(tr);
    for (const section of Object.keys(this.sections) as Section[]) {
      for (const [id, value] of Object.entries((f[section] ?? {}) as Record<string, unknown>)) {
        this.put(section, id, value, `merge: ${section}`);
      }
    }
    return this;
  }

  /** The template as plain JSON, in canonical key order (see `toJson`). */
  toJSON(): CfnTemplate {
    const t: Record<string, unknown> = { AWSTemplateFormatVersion: "2010-09-09" };
    if (this.description !== undefined) t.Description = this.description;
    if (Object.keys(this.metadata).length > 0) t.Metadata = sortedObject(this.metadata);
    if (this.transforms.length === 1) t.Transform = this.transforms[0];
    else if (this.transforms.length > 1) t.Transform = [...this.transforms];
    for (const section of Object.keys(this.sections) as Section[]) {
      if (section === "Resources" || Object.keys(this.sections[section]).length > 0) {
        t[section] = sortedObject(this.sections[section]);
      }
    }
    // Everything stored is already canonical; a deep copy keeps callers from mutating the builder.
    return copyData(t) as unknown as CfnTemplate;
  }
}

/**
 * Merge template fragments into one template; throws `LogicalIdConflictError` when a logical id is defined twice
 * with different content.
 * @example mergeTemplates(apiFragment, tableFragment)
 */
export function mergeTemplates(...fragments: TemplateLike[]): CfnTemplate {
  const t = new Template();
  for (const f of fragments) t.merge(f);
  return t.toJSON();
}
