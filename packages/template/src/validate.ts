import { type ConstraintTable, checkConstraints, loadConstraints } from "./constraints.js";
import { TemplateValidationError } from "./errors.js";
import { PSEUDO_PARAMETERS } from "./intrinsics.js";
import { LOGICAL_ID_PATTERN } from "./logical-id.js";
import type { Problem } from "./problem.js";
import { LAMBDA_RUNTIME_LIFECYCLE } from "./runtimes.js";
import { RESOURCE_ATTRIBUTES, TEMPLATE_SECTIONS } from "./sections.js";
import { resolveTemplate, type TemplateLike } from "./serialize.js";
import { loadSpec, type ResourceSpec, type RuntimeSpec, type StructSpec, type TypeEnc } from "./spec.js";

/** Options of `validateTemplate`. */
export interface ValidateOptions {
  /**
   * How the body reaches CloudFormation: `"s3"` (TemplateURL, up to 1,048,576 bytes; the default) or `"inline"`
   * (TemplateBody, up to 51,200 bytes).
   */
  upload?: "inline" | "s3";
  /** The date runtime deprecations are judged against; defaults to now. */
  now?: Date;
  /**
   * Check literal property values against the allowed values, ranges, lengths, patterns and item counts of the
   * CloudFormation registry schemas (default true). Set false if AWS accepts a value the bundled table does not
   * know yet, e.g. a Lambda runtime newer than the table.
   */
  checkValues?: boolean;
}

/** CloudFormation quotas checked by `validateTemplate`. */
export const QUOTAS = Object.freeze({
  resources: 500,
  parameters: 200,
  outputs: 200,
  mappings: 200,
  inlineBodyBytes: 51_200,
  s3BodyBytes: 1_048_576,
  descriptionBytes: 1_024,
  logicalIdLength: 255,
});

// Hooks are accepted but not checked, and not given a place of their own when serialising. Rules are checked.
const SECTIONS = [...TEMPLATE_SECTIONS, "Hooks"];
const DELETION_POLICIES = ["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"];
const UPDATE_REPLACE_POLICIES = ["Delete", "Retain", "Snapshot"];
const PARAMETER_TYPES = ["String", "Number", "List<Number>", "CommaDelimitedList"];
const FUNCTIONS = [
  "Fn::GetAtt",
  "Fn::Sub",
  "Fn::Join",
  "Fn::Select",
  "Fn::Split",
  "Fn::If",
  "Fn::Equals",
  "Fn::And",
  "Fn::Or",
  "Fn::Not",
  "Fn::FindInMap",
  "Fn::GetAZs",
  "Fn::ImportValue",
  "Fn::Base64",
  "Fn::Cidr",
  "Fn::ToJsonString",
  "Fn::Length",
  "Fn::ForEach",
  "Fn::Transform",
  "Fn::GetStackOutput",
];

/** What a rule's condition and assertions may call (besides Ref to parameters). */
const RULE_FUNCTIONS = [
  "Fn::And",
  "Fn::Contains",
  "Fn::EachMemberEquals",
  "Fn::EachMemberIn",
  "Fn::Equals",
  "Fn::Not",
  "Fn::Or",
  "Fn::RefAll",
  "Fn::ValueOf",
  "Fn::ValueOfAll",
];
const RULE_KEYS = ["RuleCondition", "Assertions"];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};
const kindOf = (v: unknown): string =>
  v === null
    ? "null"
    : Array.isArray(v)
      ? "a list"
      : typeof v === "object"
        ? "an object"
        : `${typeof v} ${show(v)}`;

/** A value that is an intrinsic function call: a one-key object whose key is `Ref` or `Fn::*`. */
function intrinsicName(v: unknown): string | undefined {
  if (!isObj(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  const k = keys[0]!;
  return k === "Ref" || k.startsWith("Fn::") ? k : undefined;
}

/** Suggestions cost a distance computation per candidate; a template with hundreds of problems gets the first 200. */
let suggestionBudget = 0;

function distance(a: string, b: string): number {
  const al = a.toLowerCase();
  const bl = b.toLowerCase();
  const prev = Array.from({ length: bl.length + 1 }, (_, i) => i);
  for (let i = 1; i <= al.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= bl.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (al[i - 1] === bl[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[bl.length]!;
}

/** The closest candidate, if it is close enough to be a likely typo. */
function closest(name: string, candidates: Iterable<string>): string | undefined {
  if (suggestionBudget-- <= 0) return undefined;
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) >= bestD) continue;
    const d = distance(name, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function listing(names: string[], max = 12): string {
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown}, ... (${names.length} in all)` : shown || "(none)";
}

const ENC_NAMES: Record<string, string> = {
  S: "a string",
  I: "an integer",
  N: "a number",
  B: "a boolean",
  J: "JSON (an object or a string)",
  D: "a date-time string",
  T: "a tag { Key, Value }",
};

class Validator {
  readonly problems: Problem[] = [];
  private spec: RuntimeSpec | undefined;
  private constraints: ConstraintTable | undefined;
  private readonly parameters: Obj;
  private readonly resources: Obj;
  private readonly conditions: Obj;
  private readonly mappings: Obj;
  private readonly transforms: string[];
  private readonly edges = new Map<string, Set<string>>();
  private readonly now: Date;

  constructor(
    private readonly t: Obj,
    private readonly opts: ValidateOptions,
  ) {
    this.parameters = isObj(t.Parameters) ? t.Parameters : {};
    this.resources = isObj(t.Resources) ? t.Resources : {};
    this.conditions = isObj(t.Conditions) ? t.Conditions : {};
    this.mappings = isObj(t.Mappings) ? t.Mappings : {};
    const tr = t.Transform;
    this.transforms =
      typeof tr === "string" ? [tr] : Array.isArray(tr) ? tr.filter((x) => typeof x === "string") : [];
    this.now = opts.now ?? new Date();
    this.sam = this.transforms.includes("AWS::Serverless-2016-10-31");
  }

  /**
   * Under the SAM transform, SAM generates resources (e.g. `<Function>Role`, `ServerlessRestApi`) that templates
   * may name; undefined names are then not reported, since they may exist after the transform.
   */
  private readonly sam: boolean;

  private add(code: string, path: string, message: string, fix?: string): void {
    this.problems.push(fix === undefined ? { code, path, message } : { code, path, message, fix });
  }

  private getSpec(): RuntimeSpec {
    this.spec ??= loadSpec();
    return this.spec;
  }

  run(): Problem[] {
    this.checkTopLevel();
    this.checkQuotas();
    this.checkParameters();
    this.checkMappings();
    this.checkConditions();
    this.checkRules();
    this.checkResources();
    this.checkOutputs();
    this.checkCycles();
    return this.problems;
  }

  private checkTopLevel(): void {
    const t = this.t;
    for (const k of Object.keys(t)) {
      if (!SECTIONS.includes(k) && !(this.sam && k === "Globals")) {
        const guess = closest(k, SECTIONS);
        this.add(
          "UNKNOWN_SECTION",
          k,
          `Unknown top-level section "${k}".`,
          guess ? `Did you mean "${guess}"?` : `Valid sections: ${SECTIONS.join(", ")}.`,
        );
      }
    }
    if (t.AWSTemplateFormatVersion !== undefined && t.AWSTemplateFormatVersion !== "2010-09-09") {
      this.add(
        "INVALID_FORMAT_VERSION",
        "AWSTemplateFormatVersion",
        `AWSTemplateFormatVersion is ${show(t.AWSTemplateFormatVersion)}; the only valid version is "2010-09-09".`,
        `Set AWSTemplateFormatVersion to "2010-09-09" or leave it out.`,
      );
    }
    if (t.Description !== undefined) {
      if (typeof t.Description !== "string") {
        this.add(
          "INVALID_DESCRIPTION",
          "Description",
          `Description must be a string, got ${kindOf(t.Description)}.`,
        );
      } else if (Buffer.byteLength(t.Description) > QUOTAS.descriptionBytes) {
        this.add(
          "DESCRIPTION_TOO_LONG",
          "Description",
          `Description is ${Buffer.byteLength(t.Description)} bytes; CloudFormation allows ${QUOTAS.descriptionBytes}.`,
          "Shorten the description.",
        );
      }
    }
    if (!isObj(t.Resources) || Object.keys(t.Resources).length === 0) {
      this.add(
        "NO_RESOURCES",
        "Resources",
        "The template has no Resources; CloudFormation requires at least one resource.",
        'Add a resource, e.g. { "Type": "AWS::CloudFormation::WaitConditionHandle" } as a placeholder.',
      );
    }
  }

  private checkQuotas(): void {
    const count = (section: string, code: string, max: number) => {
      const v = this.t[section];
      if (isObj(v) && Object.keys(v).length > max) {
        this.add(
          code,
          section,
          `${section} has ${Object.keys(v).length} entries; CloudFormation allows at most ${max} per template.`,
          "Split the service into several stacks (e.g. nested stacks), or merge entries.",
        );
      }
    };
    count("Resources", "TOO_MANY_RESOURCES", QUOTAS.resources);
    count("Parameters", "TOO_MANY_PARAMETERS", QUOTAS.parameters);
    count("Outputs", "TOO_MANY_OUTPUTS", QUOTAS.outputs);
    count("Mappings", "TOO_MANY_MAPPINGS", QUOTAS.mappings);
    // Key order does not change the length, so this is the size of toJson's output without sorting anything.
    const bytes = Buffer.byteLength(JSON.stringify(this.t, null, 2)) + 1;
    const inline = this.opts.upload === "inline";
    const max = inline ? QUOTAS.inlineBodyBytes : QUOTAS.s3BodyBytes;
    if (bytes > max) {
      this.add(
        "TEMPLATE_TOO_LARGE",
        "",
        `The template body is ${bytes} bytes (as written by toJson); CloudFormation accepts at most ${max} bytes ` +
          (inline ? "inline (TemplateBody)." : "from S3 (TemplateURL)."),
        inline
          ? "Upload the template to S3 and deploy it by TemplateURL (up to 1,048,576 bytes)."
          : "Split the template into nested stacks.",
      );
    }
  }

  private checkId(section: string, id: string): void {
    if (!LOGICAL_ID_PATTERN.test(id)) {
      const fixed = id.replace(/[^A-Za-z0-9]/g, "").slice(0, QUOTAS.logicalIdLength);
      this.add(
        "INVALID_LOGICAL_ID",
        `${section}.${id}`,
        `Logical id "${id}" is invalid: it must be 1 to 255 letters or digits (A-Z, a-z, 0-9).`,
        fixed ? `Rename it, e.g. to "${fixed}" (logicalId() makes valid ids from any name).` : "Rename it.",
      );
    }
  }

  private checkParameters(): void {
    for (const [id, p] of Object.entries(this.parameters)) {
      const path = `Parameters.${id}`;
      this.checkId("Parameters", id);
      if (id in this.resources) {
        this.add(
          "DUPLICATE_LOGICAL_ID",
          path,
          `"${id}" is both a parameter and a resource; Ref could not tell them apart.`,
          "Rename one of them.",
        );
      }
      if (!isObj(p)) {
        this.add("INVALID_PARAMETER", path, `Parameter "${id}" must be an object, got ${kindOf(p)}.`);
        continue;
      }
      const type = p.Type;
      const valid =
        typeof type === "string" &&
        (PARAMETER_TYPES.includes(type) ||
          /^(List<)?AWS::[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+>?$/.test(type) ||
          /^AWS::SSM::Parameter::(Name|Value<.+>)$/.test(type));
      if (!valid) {
        this.add(
          type === undefined ? "MISSING_PARAMETER_TYPE" : "INVALID_PARAMETER_TYPE",
          `${path}.Type`,
          type === undefined
            ? `Parameter "${id}" has no Type.`
            : `Parameter "${id}" has Type ${show(type)}, which CloudFormation does not know.`,
          `Use one of ${PARAMETER_TYPES.join(", ")}, an AWS-specific type (e.g. AWS::EC2::VPC::Id) or an SSM type.`,
        );
      }
      if (Array.isArray(p.AllowedValues) && p.Default !== undefined && !p.AllowedValues.includes(p.Default)) {
        this.add(
          "DEFAULT_NOT_ALLOWED",
          `${path}.Default`,
          `Parameter "${id}" defaults to ${show(p.Default)}, which is not in its AllowedValues ${show(p.AllowedValues)}.`,
          "Make the default one of the allowed values.",
        );
      }
    }
  }

  private checkMappings(): void {
    for (const [id, m] of Object.entries(this.mappings)) {
      this.checkId("Mappings", id);
      if (!isObj(m) || Object.values(m).some((v) => !isObj(v))) {
        this.add(
          "INVALID_MAPPING",
          `Mappings.${id}`,
          `Mapping "${id}" must be an object of objects: { TopLevelKey: { SecondLevelKey: value } }.`,
        );
      }
    }
  }

  private checkConditions(): void {
    for (const [id, c] of Object.entries(this.conditions)) {
      this.checkId("Conditions", id);
      this.walk(c, `Conditions.${id}`, { inCondition: true });
    }
  }

  /**
   * Rules: each an object with `Assertions` (a non-empty list of `{ Assert, AssertDescription? }`) and an optional
   * `RuleCondition`. Rules run before any resource exists, so they may use only the rule functions and `Ref` to
   * parameters (CloudFormation user guide, "Rules": rule-specific intrinsic functions).
   */
  private checkRules(): void {
    const rules = this.t.Rules;
    if (rules === undefined) return;
    if (!isObj(rules)) {
      this.add("INVALID_RULE", "Rules", `Rules must be an object of named rules, got ${kindOf(rules)}.`);
      return;
    }
    for (const [id, rule] of Object.entries(rules)) {
      const path = `Rules.${id}`;
      this.checkId("Rules", id);
      if (!isObj(rule)) {
        this.add("INVALID_RULE", path, `Rule "${id}" must be an object, got ${kindOf(rule)}.`);
        continue;
      }
      for (const key of Object.keys(rule)) {
        if (key !== "RuleCondition" && key !== "Assertions") {
          const guess = closest(key, RULE_KEYS);
          this.add(
            "INVALID_RULE",
            `${path}.${key}`,
            `Rule "${id}" has the unknown key "${key}"; a rule has only RuleCondition and Assertions.`,
            guess ? `Did you mean "${guess}"?` : undefined,
          );
        }
      }
      if (rule.RuleCondition !== undefined) this.walkRule(rule.RuleCondition, `${path}.RuleCondition`);
      const assertions = rule.Assertions;
      if (!Array.isArray(assertions) || assertions.length === 0) {
        this.add(
          "INVALID_RULE",
          `${path}.Assertions`,
          assertions === undefined
            ? `Rule "${id}" has no Assertions.`
            : `Rule "${id}" has Assertions ${show(assertions)}; it must be a non-empty list.`,
          'Add Assertions: [{ "Assert": { "Fn::Contains": [["a", "b"], { "Ref": "Param" }] }, "AssertDescription": "..." }].',
        );
        continue;
      }
      assertions.forEach((a, i) => {
        const at = `${path}.Assertions[${i}]`;
        if (!isObj(a) || a.Assert === undefined) {
          this.add(
            "INVALID_RULE",
            at,
            `Assertion ${i} of rule "${id}" must be { Assert, AssertDescription? }, got ${show(a)}.`,
          );
          return;
        }
        if (a.AssertDescription !== undefined && typeof a.AssertDescription !== "string")
          this.add(
            "INVALID_RULE",
            `${at}.AssertDescription`,
            `AssertDescription must be a string, got ${kindOf(a.AssertDescription)}.`,
          );
        this.walkRule(a.Assert, `${at}.Assert`);
      });
    }
  }

  /** A rule's condition or assertion: rule functions and Ref to parameters only. */
  private walkRule(v: unknown, path: string): void {
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        this.walkRule(item, `${path}[${i}]`);
      });
      return;
    }
    const name = intrinsicName(v);
    if (name === undefined) {
      if (isObj(v)) for (const [k, x] of Object.entries(v)) this.walkRule(x, `${path}.${k}`);
      return;
    }
    const arg = (v as Obj)[name];
    const p = `${path}.${name}`;
    if (name === "Ref") {
      if (typeof arg === "string" && arg in this.resources && !(arg in this.parameters)) {
        this.add(
          "REF_RESOURCE_IN_RULE",
          p,
          `Rules can only Ref parameters and pseudo parameters, not the resource "${arg}": rules run before any resource exists (CloudFormation: "Unresolved resource dependencies ... in the Rules block").`,
        );
        return;
      }
      this.checkRef(arg, p, { inCondition: true });
      return;
    }
    if (!RULE_FUNCTIONS.includes(name)) {
      this.add(
        "RULE_FUNCTION_NOT_ALLOWED",
        p,
        `${name} cannot be used in a rule; rules take ${RULE_FUNCTIONS.join(", ")} and Ref to parameters.`,
      );
      return;
    }
    if ((name === "Fn::ValueOf" || name === "Fn::ValueOfAll") && Array.isArray(arg)) {
      const param = arg[0];
      if (name === "Fn::ValueOf" && typeof param === "string" && !(param in this.parameters)) {
        const guess = closest(param, Object.keys(this.parameters));
        this.add(
          "UNDEFINED_REFERENCE",
          `${p}[0]`,
          `Fn::ValueOf names "${param}", which is not a parameter of this template.`,
          guess ? `Did you mean "${guess}"?` : undefined,
        );
      }
      for (const x of arg.slice(1)) this.walkRule(x, p);
      return;
    }
    this.walkRule(arg, p);
  }

  private checkResources(): void {
    for (const [id, r] of Object.entries(this.resources)) {
      const path = `Resources.${id}`;
      this.checkId("Resources", id);
      this.edges.set(id, new Set());
      if (!isObj(r)) {
        this.add("INVALID_RESOURCE", path, `Resource "${id}" must be an object, got ${kindOf(r)}.`);
        continue;
      }
      for (const k of Object.keys(r)) {
        if (!RESOURCE_ATTRIBUTES.includes(k)) {
          const guess = closest(k, RESOURCE_ATTRIBUTES);
          this.add(
            "UNKNOWN_RESOURCE_ATTRIBUTE",
            `${path}.${k}`,
            `Resource "${id}" has an unknown attribute "${k}".`,
            guess
              ? `Did you mean "${guess}"? Resource properties go inside "Properties".`
              : `Valid attributes: ${RESOURCE_ATTRIBUTES.join(", ")}; properties go inside "Properties".`,
          );
        }
      }
      this.checkResourceType(id, r, path);
      this.checkDependsOn(id, r.DependsOn, `${path}.DependsOn`);
      if (r.Condition !== undefined) this.checkConditionName(r.Condition, `${path}.Condition`);
      if (r.DeletionPolicy !== undefined && !DELETION_POLICIES.includes(r.DeletionPolicy as string)) {
        this.add(
          "INVALID_DELETION_POLICY",
          `${path}.DeletionPolicy`,
          `DeletionPolicy ${show(r.DeletionPolicy)} of "${id}" is not valid.`,
          `Use one of ${DELETION_POLICIES.join(", ")}.`,
        );
      }
      if (
        r.UpdateReplacePolicy !== undefined &&
        !UPDATE_REPLACE_POLICIES.includes(r.UpdateReplacePolicy as string)
      ) {
        this.add(
          "INVALID_UPDATE_REPLACE_POLICY",
          `${path}.UpdateReplacePolicy`,
          `UpdateReplacePolicy ${show(r.UpdateReplacePolicy)} of "${id}" is not valid.`,
          `Use one of ${UPDATE_REPLACE_POLICIES.join(", ")}.`,
        );
      }
      if (r.Properties !== undefined) this.walk(r.Properties, `${path}.Properties`, { from: id });
    }
  }

  private checkResourceType(id: string, r: Obj, path: string): void {
    const type = r.Type;
    if (typeof type !== "string" || type.length === 0) {
      this.add(
        "MISSING_RESOURCE_TYPE",
        `${path}.Type`,
        `Resource "${id}" has no Type${type === undefined ? "" : ` (got ${kindOf(type)})`}.`,
        'Set Type to a resource type such as "AWS::Lambda::Function".',
      );
      return;
    }
    const props = r.Properties;
    if (props !== undefined && !isObj(props)) {
      this.add(
        "INVALID_PROPERTIES",
        `${path}.Properties`,
        `Properties of "${id}" must be an object, got ${kindOf(props)}.`,
      );
      return;
    }
    if (type.startsWith("Custom::")) {
      if (!isObj(props) || props.ServiceToken === undefined) {
        this.add(
          "MISSING_REQUIRED_PROPERTY",
          `${path}.Properties.ServiceToken`,
          `Custom resource "${id}" (${type}) is missing its required property ServiceToken.`,
          "Set ServiceToken to the ARN of the Lambda function or SNS topic that handles the resource.",
        );
      }
      return;
    }
    if (type.endsWith("::MODULE")) return;
    const spec = this.getSpec();
    const rs = spec.resource(type);
    if (!rs) {
      const guess = closest(type, spec.resourceTypes());
      this.add(
        "UNKNOWN_RESOURCE_TYPE",
        `${path}.Type`,
        `Resource "${id}" has type "${type}", which is not in the CloudFormation resource specification (${spec.source}).`,
        guess
          ? `Did you mean "${guess}"?`
          : 'Check the spelling (Service::Resource is case-sensitive) or use "Custom::Name" for a custom resource.',
      );
      return;
    }
    if (isObj(props) && intrinsicName(props) === undefined) {
      this.checkProps(props, rs.p, `${path}.Properties`, type, rs.structs);
      if (this.opts.checkValues !== false) this.checkAllowedValues(id, type, props, `${path}.Properties`);
    } else if (props === undefined) {
      this.checkProps({}, rs.p, `${path}.Properties`, type, rs.structs);
    }
    if (type === "AWS::Lambda::Function" && isObj(props))
      this.checkRuntime(props.Runtime, `${path}.Properties.Runtime`);
  }

  /** Allowed values, ranges, lengths, patterns and item counts from the registry schemas, for literal values only. */
  private checkAllowedValues(id: string, type: string, props: Obj, path: string): void {
    this.constraints ??= loadConstraints();
    const table = this.constraints;
    const nodes = table.resource(type);
    if (!nodes) return;
    // "nodejs22" is closer to "nodejs" than to "nodejs22.x" by edit distance; a value that starts a candidate wins.
    const suggest = (v: string, candidates: string[]) =>
      (v ? candidates.find((c) => c.toLowerCase().startsWith(v.toLowerCase())) : undefined) ??
      closest(v, candidates);
    for (const name in props) {
      const node = nodes[name];
      if (node === undefined) continue;
      // The runtime table here may know a Lambda runtime newer than the schemas'.
      if (
        type === "AWS::Lambda::Function" &&
        name === "Runtime" &&
        Object.hasOwn(LAMBDA_RUNTIME_LIFECYCLE, props[name] as string)
      )
        continue;
      for (const v of checkConstraints(table, node, props[name], name, suggest)) {
        this.add(v.code, `${path}.${v.path}`, `${v.path} of "${id}" (${type}) ${v.what}.`, v.fix);
      }
    }
  }

  private checkRuntime(runtime: unknown, path: string): void {
    if (typeof runtime !== "string") return;
    const life = LAMBDA_RUNTIME_LIFECYCLE[runtime];
    if (!life) return;
    // Reported once Lambda refuses to create functions with it, i.e. when the deployment would fail; merely
    // deprecated runtimes still deploy, and a Problem always means "this will not deploy".
    const today = this.now.toISOString().slice(0, 10);
    if (today < life.createBlock) return;
    this.add(
      "DEPRECATED_RUNTIME",
      path,
      `Runtime "${runtime}" was deprecated on ${life.deprecated}; Lambda blocks creating functions with it since ` +
        `${life.createBlock} and updating them ${today >= life.updateBlock ? "since" : "from"} ${life.updateBlock}.`,
      life.successor ? `Use "${life.successor}".` : "Use a supported runtime.",
    );
  }

  /** `structs`: those of the resource's service, which `#<n>` encodings index. */
  private checkProps(
    props: Obj,
    specProps: Record<string, TypeEnc>,
    path: string,
    owner: string,
    structs: readonly StructSpec[],
  ): void {
    for (const name in props) {
      const value = props[name];
      const enc = specProps[name];
      if (enc === undefined) {
        const guess = closest(name, Object.keys(specProps));
        this.add(
          "UNKNOWN_PROPERTY",
          `${path}.${name}`,
          `Unknown property "${name}" on ${owner}.`,
          guess ? `Did you mean "${guess}"?` : `Valid properties: ${listing(Object.keys(specProps))}.`,
        );
        continue;
      }
      this.checkValue(value, enc, `${path}.${name}`, owner, structs);
    }
    for (const name in specProps) {
      const enc = specProps[name]!;
      const required = typeof enc === "string" ? enc.charCodeAt(0) === 33 /* ! */ : enc[0] === "!";
      if (required && props[name] === undefined) {
        this.add(
          "MISSING_REQUIRED_PROPERTY",
          `${path}.${name}`,
          `${owner} is missing its required property "${name}".`,
          `Add ${name} (${this.describe(enc, structs)}).`,
        );
      }
    }
  }

  private strip(enc: TypeEnc): TypeEnc {
    if (typeof enc === "string") return enc.startsWith("!") ? enc.slice(1) : enc;
    return enc[0] === "!" ? enc.slice(1) : enc;
  }

  private describe(enc: TypeEnc, structs: readonly StructSpec[]): string {
    const e = this.strip(enc);
    if (typeof e !== "string")
      return e
        .slice(1)
        .map((x) => this.describe(x, structs))
        .join(" or ");
    if (e.startsWith("L")) return `a list of ${this.describe(e.slice(1), structs).replace(/^an? /, "")}s`;
    if (e.startsWith("M")) return `a map of ${this.describe(e.slice(1), structs).replace(/^an? /, "")}s`;
    if (e.startsWith("#")) {
      const s = structs[Number(e.slice(1))];
      return `an object with ${s ? listing(Object.keys(s), 6) : "properties"}`;
    }
    return ENC_NAMES[e] ?? e;
  }

  /** Whether a value fits a type, without reporting (used for unions). */
  private fits(v: unknown, e: string): boolean {
    if (intrinsicName(v)) return true;
    switch (e[0]) {
      case "S":
      case "D":
        return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
      case "I":
        return (typeof v === "number" && Number.isInteger(v)) || (typeof v === "string" && /^-?\d+$/.test(v));
      case "N":
        return (
          typeof v === "number" || (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)))
        );
      case "B":
        return typeof v === "boolean" || (typeof v === "string" && /^(true|false)$/i.test(v));
      case "J":
        return true;
      case "L":
        return Array.isArray(v);
      case "M":
      case "T":
      case "#":
        return isObj(v);
      default:
        return true;
    }
  }

  private checkValue(
    v: unknown,
    enc: TypeEnc,
    path: string,
    owner: string,
    structs: readonly StructSpec[],
  ): void {
    if (intrinsicName(v)) return;
    const e = this.strip(enc);
    if (typeof e !== "string") {
      const options = e.slice(1);
      if (!options.some((o) => this.fits(v, typeof o === "string" ? o : "J"))) {
        this.wrongType(v, e, path, owner, structs);
        return;
      }
      const firstFit = options.find((o) => this.fits(v, typeof o === "string" ? o : "J"));
      if (firstFit !== undefined) this.checkValue(v, firstFit, path, owner, structs);
      return;
    }
    if (!this.fits(v, e)) {
      this.wrongType(v, e, path, owner, structs);
      return;
    }
    if (e.startsWith("L")) {
      (v as unknown[]).forEach((item, i) => {
        this.checkValue(item, e.slice(1), `${path}[${i}]`, owner, structs);
      });
    } else if (e.startsWith("M")) {
      for (const [k, item] of Object.entries(v as Obj))
        this.checkValue(item, e.slice(1), `${path}.${k}`, owner, structs);
    } else if (e === "T") {
      this.checkProps(v as Obj, { Key: "!S", Value: "!S" }, path, "Tag", structs);
    } else if (e.startsWith("#")) {
      const s = structs[Number(e.slice(1))];
      if (s)
        this.checkProps(
          v as Obj,
          s,
          path,
          `${owner} ${path
            .split(".")
            .pop()
            ?.replace(/\[\d+\]$/, "")}`,
          structs,
        );
    }
  }

  private wrongType(
    v: unknown,
    enc: TypeEnc,
    path: string,
    owner: string,
    structs: readonly StructSpec[],
  ): void {
    this.add(
      "WRONG_TYPE",
      path,
      `${path.split(".").pop()} of ${owner.split(" ")[0]} must be ${this.describe(enc, structs)}, got ${kindOf(v)}.`,
      `Set it to ${this.describe(enc, structs)} or an intrinsic function that resolves to one.`,
    );
  }

  private checkDependsOn(id: string, dependsOn: unknown, path: string): void {
    if (dependsOn === undefined) return;
    const names =
      typeof dependsOn === "string" ? [dependsOn] : Array.isArray(dependsOn) ? dependsOn : undefined;
    if (!names || names.some((n) => typeof n !== "string")) {
      this.add("INVALID_DEPENDS_ON", path, `DependsOn of "${id}" must be a logical id or a list of them.`);
      return;
    }
    names.forEach((n: string, i) => {
      const p = typeof dependsOn === "string" ? path : `${path}[${i}]`;
      if (n === id)
        this.add(
          "SELF_DEPENDENCY",
          p,
          `Resource "${id}" depends on itself.`,
          `Remove "${id}" from DependsOn.`,
        );
      else if (!(n in this.resources)) this.undefinedResource(n, p, "DependsOn");
      else this.edges.get(id)?.add(n);
    });
  }

  private undefinedResource(name: string, path: string, what: string): void {
    if (this.sam) return;
    const guess = closest(name, Object.keys(this.resources));
    this.add(
      "UNDEFINED_RESOURCE",
      path,
      `${what} names "${name}", which is not a resource in this template.`,
      guess ? `Did you mean "${guess}"?` : `Define a resource "${name}" or fix the name.`,
    );
  }

  private checkConditionName(name: unknown, path: string): void {
    if (typeof name !== "string" || !(name in this.conditions)) {
      const guess = typeof name === "string" ? closest(name, Object.keys(this.conditions)) : undefined;
      this.add(
        "UNDEFINED_CONDITION",
        path,
        `Condition ${show(name)} is not defined in Conditions.`,
        guess
          ? `Did you mean "${guess}"?`
          : `Add it to Conditions, e.g. Conditions.${String(name)}: Equals(Ref("Stage"), "prod").`,
      );
    }
  }

  private checkRef(name: unknown, path: string, ctx: WalkContext, what = "Ref"): void {
    if (typeof name !== "string") return;
    if (PSEUDO_PARAMETERS.includes(name) || name in this.parameters) return;
    if (name in this.resources) {
      if (ctx.inCondition) {
        this.add(
          "REF_RESOURCE_IN_CONDITION",
          path,
          `Conditions can only Ref parameters and pseudo parameters, not the resource "${name}".`,
        );
      } else if (ctx.from) this.edges.get(ctx.from)?.add(name);
      return;
    }
    if (name.startsWith("AWS::")) {
      const guess = closest(name, PSEUDO_PARAMETERS);
      this.add(
        "UNKNOWN_PSEUDO_PARAMETER",
        path,
        `${what} names "${name}", which is not a pseudo parameter.`,
        guess ? `Did you mean "${guess}"?` : `Pseudo parameters: ${PSEUDO_PARAMETERS.join(", ")}.`,
      );
      return;
    }
    if (this.sam) return;
    const guess = closest(name, [...Object.keys(this.parameters), ...Object.keys(this.resources)]);
    this.add(
      "UNDEFINED_REFERENCE",
      path,
      `${what} names "${name}", which is neither a parameter nor a resource in this template.`,
      guess ? `Did you mean "${guess}"?` : `Define a parameter or resource "${name}", or fix the name.`,
    );
  }

  private checkGetAtt(
    resource: string,
    attribute: unknown,
    path: string,
    ctx: WalkContext,
    what = "Fn::GetAtt",
  ): void {
    if (!(resource in this.resources)) {
      this.undefinedResource(resource, path, what);
      return;
    }
    if (ctx.from) this.edges.get(ctx.from)?.add(resource);
    if (typeof attribute !== "string") return;
    const r = this.resources[resource];
    const type = isObj(r) ? r.Type : undefined;
    if (typeof type !== "string") return;
    const rs: ResourceSpec | undefined = this.getSpec().resource(type);
    if (!rs || type === "AWS::CloudFormation::CustomResource") return;
    if (type === "AWS::CloudFormation::Stack" && attribute.startsWith("Outputs.")) return;
    if (!rs.a.includes(attribute)) {
      const guess = closest(attribute, rs.a);
      this.add(
        "UNKNOWN_ATTRIBUTE",
        path,
        `${what} asks "${resource}" (${type}) for attribute "${attribute}", which that type does not have.`,
        guess ? `Did you mean "${guess}"? ${type} has: ${listing(rs.a)}.` : `${type} has: ${listing(rs.a)}.`,
      );
    }
  }

  private checkSub(arg: unknown, path: string, ctx: WalkContext): void {
    let text: unknown = arg;
    let vars: Obj = {};
    if (Array.isArray(arg)) {
      text = arg[0];
      if (isObj(arg[1])) {
        vars = arg[1];
        for (const [k, v] of Object.entries(vars)) this.walk(v, `${path}[1].${k}`, ctx);
      }
    }
    if (typeof text !== "string") return;
    for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
      const name = m[1]!.trim();
      if (name in vars) continue;
      const dot = name.indexOf(".");
      if (dot > 0 && !name.startsWith("AWS::")) {
        this.checkGetAtt(name.slice(0, dot), name.slice(dot + 1), path, ctx, "Fn::Sub");
      } else {
        this.checkRef(name, path, ctx, "Fn::Sub");
      }
    }
  }

  /** Visit every value, checking references inside intrinsic functions. */
  private walk(v: unknown, path: string, ctx: WalkContext): void {
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        this.walk(item, `${path}[${i}]`, ctx);
      });
      return;
    }
    if (!isObj(v)) return;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const k = keys[0]!;
      const arg = v[k];
      const p = `${path}.${k}`;
      if (k === "Ref") {
        this.checkRef(arg, p, ctx);
        return;
      }
      if (k === "Condition" && ctx.inCondition) {
        this.checkConditionName(arg, p);
        return;
      }
      if (k.startsWith("Fn::")) {
        if (!FUNCTIONS.includes(k)) {
          const guess = closest(k, FUNCTIONS);
          this.add(
            "UNKNOWN_FUNCTION",
            p,
            `Unknown intrinsic function "${k}".`,
            guess ? `Did you mean "${guess}"?` : `Known functions: Ref, ${FUNCTIONS.join(", ")}.`,
          );
          return;
        }
        switch (k) {
          case "Fn::GetAtt": {
            const parts =
              typeof arg === "string"
                ? [arg.slice(0, arg.indexOf(".")), arg.slice(arg.indexOf(".") + 1)]
                : Array.isArray(arg)
                  ? arg
                  : [];
            if (typeof parts[0] === "string" && parts.length === 2)
              this.checkGetAtt(parts[0], parts[1], p, ctx);
            else
              this.add(
                "INVALID_GETATT",
                p,
                `Fn::GetAtt takes [logicalId, attribute], got ${show(arg)}.`,
                'Write GetAtt("MyFn", "Arn").',
              );
            if (Array.isArray(arg) && typeof arg[1] !== "string") this.walk(arg[1], `${p}[1]`, ctx);
            return;
          }
          case "Fn::Sub":
            this.checkSub(arg, p, ctx);
            return;
          case "Fn::If": {
            if (!Array.isArray(arg) || arg.length !== 3) {
              this.add(
                "INVALID_IF",
                p,
                `Fn::If takes [conditionName, whenTrue, whenFalse], got ${show(arg)}.`,
              );
              return;
            }
            this.checkConditionName(arg[0], `${p}[0]`);
            this.walk(arg[1], `${p}[1]`, ctx);
            this.walk(arg[2], `${p}[2]`, ctx);
            return;
          }
          case "Fn::FindInMap": {
            if (Array.isArray(arg) && typeof arg[0] === "string") {
              const map = this.mappings[arg[0]];
              if (map === undefined) {
                const guess = closest(arg[0], Object.keys(this.mappings));
                this.add(
                  "UNDEFINED_MAPPING",
                  `${p}[0]`,
                  `Fn::FindInMap names mapping "${arg[0]}", which is not in Mappings.`,
                  guess ? `Did you mean "${guess}"?` : `Add Mappings.${arg[0]} or fix the name.`,
                );
              } else if (isObj(map) && typeof arg[1] === "string" && !(arg[1] in map)) {
                this.add(
                  "UNDEFINED_MAPPING_KEY",
                  `${p}[1]`,
                  `Mapping "${arg[0]}" has no top-level key "${arg[1]}".`,
                  `Keys: ${listing(Object.keys(map))}.`,
                );
              }
            }
            break;
          }
          case "Fn::ToJsonString":
          case "Fn::Length":
          case "Fn::ForEach":
            if (!this.transforms.includes("AWS::LanguageExtensions")) {
              this.add(
                "MISSING_TRANSFORM",
                p,
                `${k} needs the AWS::LanguageExtensions transform, which this template does not declare.`,
                'Add Transform: "AWS::LanguageExtensions" (template.addTransform("AWS::LanguageExtensions")).',
              );
            }
            break;
        }
        const inCondition = ctx.inCondition || ["Fn::And", "Fn::Or", "Fn::Not"].includes(k);
        this.walk(arg, p, inCondition === ctx.inCondition ? ctx : { ...ctx, inCondition });
        return;
      }
    }
    for (const k of keys) this.walk(v[k], `${path}.${k}`, ctx);
  }

  private checkOutputs(): void {
    const outputs = this.t.Outputs;
    if (!isObj(outputs)) return;
    for (const [id, o] of Object.entries(outputs)) {
      const path = `Outputs.${id}`;
      this.checkId("Outputs", id);
      if (!isObj(o) || o.Value === undefined) {
        this.add(
          "MISSING_OUTPUT_VALUE",
          `${path}.Value`,
          `Output "${id}" has no Value.`,
          `Set Value, e.g. { Value: Ref("MyResource") }.`,
        );
        continue;
      }
      this.walk(o.Value, `${path}.Value`, {});
      if (o.Condition !== undefined) this.checkConditionName(o.Condition, `${path}.Condition`);
      if (o.Export !== undefined) {
        if (!isObj(o.Export) || o.Export.Name === undefined) {
          this.add(
            "MISSING_EXPORT_NAME",
            `${path}.Export.Name`,
            `Output "${id}" has an Export without a Name.`,
          );
        } else this.walk(o.Export.Name, `${path}.Export.Name`, {});
      }
    }
  }

  private checkCycles(): void {
    const state = new Map<string, 1 | 2>();
    const stack: string[] = [];
    const reported = new Set<string>();
    const visit = (n: string): void => {
      state.set(n, 1);
      stack.push(n);
      for (const m of [...(this.edges.get(n) ?? [])].sort()) {
        if (state.get(m) === 1) {
          const cycle = [...stack.slice(stack.indexOf(m)), m];
          const key = [...cycle.slice(0, -1)].sort().join(",");
          if (!reported.has(key)) {
            reported.add(key);
            this.add(
              "DEPENDENCY_CYCLE",
              `Resources.${m}`,
              `Resources depend on each other in a cycle: ${cycle.join(" -> ")}.`,
              "Break the cycle: remove a DependsOn, or replace a Ref/GetAtt with a value known in advance " +
                "(e.g. a name built with Sub from the stack name).",
            );
          }
        } else if (state.get(m) === undefined) visit(m);
      }
      stack.pop();
      state.set(n, 2);
    };
    for (const n of [...this.edges.keys()].sort()) if (!state.has(n)) visit(n);
  }
}

interface WalkContext {
  /** The resource whose properties are being walked: its references become dependency edges. */
  from?: string;
  inCondition?: boolean;
}

/**
 * Check a template against the CloudFormation resource specification and quotas, locally, and return every
 * problem found (an empty list means valid). Loads the bundled spec on first call.
 * @example
 * validateTemplate(t) // [{ code: "UNKNOWN_PROPERTY", path: "Resources.Fn.Properties.MemorySzie", message: ..., fix: 'Did you mean "MemorySize"?' }]
 */
export function validateTemplate(t: TemplateLike, opts: ValidateOptions = {}): Problem[] {
  const plain = resolveTemplate(t) as unknown;
  if (!isObj(plain)) {
    return [
      { code: "INVALID_TEMPLATE", path: "", message: `A template must be an object, got ${kindOf(plain)}.` },
    ];
  }
  suggestionBudget = 200;
  return new Validator(plain, opts).run();
}

/** Like `validateTemplate`, but throws a `TemplateValidationError` listing every problem when there is any. */
export function assertValidTemplate(t: TemplateLike, opts: ValidateOptions = {}): void {
  const problems = validateTemplate(t, opts);
  if (problems.length > 0) throw new TemplateValidationError(problems);
}
