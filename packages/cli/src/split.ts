/**
 * Splitting a service's template into a root stack and nested stacks (`AWS::CloudFormation::Stack`) when it would
 * pass one of CloudFormation's per-template quotas. A pure function over the final template (after decorators):
 *
 *   - Each Lambda function is a group, with what belongs to it alone: what references it (versions, aliases,
 *     permissions, integrations, routes, alarms, deployment groups...) and, named after it and used by nothing
 *     else, what it uses (its role, its log group). Everything else (shared or referenced by two groups: the HTTP
 *     API, buckets, the composite alarm, the dashboard) stays in the root.
 *   - A group's nested stack is named after its function (`<FunctionLogicalId>Stack`), so adding, removing or
 *     changing a function changes only its own nested stack and the root, never the others'.
 *   - What a child reads from the root (a resource's Ref or attribute, a parameter, the stack name) becomes a
 *     parameter of the child, given by the root; what the root reads from a child becomes an output of the child,
 *     read with `Fn::GetAtt [Child, Outputs.X]`. A child reads another child's values through the root.
 *   - `AWS::StackName` in a child is the ROOT stack's name (a parameter), so names built from it (alarm names
 *     `<stack>-<Function>-<Kind>`, which pipelines and deploy roles rely on) do not change with the split.
 *   - Outputs: the root keeps the outputs of its own resources (the API URL, the rollback alarm, bucket names);
 *     a function's outputs (its ARN, code key, alarm ARNs) move to its nested stack (`sparta status` and the
 *     alarm readers read them there), since 300 functions would need 1,500 root outputs; a child gets no other
 *     output than these and the values the root reads.
 */
import { createHash } from "node:crypto";
import { ExitCode, SpartaCliError } from "./errors.js";
import type { TemplateDocument } from "./service.js";
import { isObject } from "./values.js";

/** CloudFormation's per-template quotas a split keeps every template under. */
export const STACK_QUOTAS = Object.freeze({
  resources: 500,
  outputs: 200,
  parameters: 200,
  bytes: 1_048_576,
});

export type StackQuotas = { -readonly [K in keyof typeof STACK_QUOTAS]: number };

/** Parameter of every nested stack carrying the root stack's name (its `AWS::StackName`). */
export const STACK_NAME_PARAMETER = "SpartaStackName";
const NESTED_TYPE = "AWS::CloudFormation::Stack";
const FUNCTION_TYPE = "AWS::Lambda::Function";

type Resource = TemplateDocument["Resources"][string];
type Output = NonNullable<TemplateDocument["Outputs"]>[string];

/** One nested stack of a split service. */
export interface NestedTemplate {
  /** Logical id of its `AWS::CloudFormation::Stack` resource in the root, e.g. `HelloFunctionStack`. */
  logicalId: string;
  /** Logical ids of the Lambda functions it holds. */
  functions: string[];
  template: TemplateDocument;
  /** The template as uploaded (`serialize`d), its SHA-256 (hex) and its content-addressed key. */
  body: string;
  sha256: string;
  key: string;
}

export interface SplitResult {
  /** The template to deploy: the input itself when no quota is passed. */
  root: TemplateDocument;
  /** Empty when the template fits in one stack. */
  nested: NestedTemplate[];
  /** Why it was split (the quotas the single template would pass), empty when not. */
  reasons: string[];
}

export interface SplitOptions {
  /** The template's text as uploaded (default: 2-space JSON and a final newline, as `.sparta/` holds it). */
  serialize?: (template: TemplateDocument) => string;
  /** The TemplateURL of a nested template stored at `key` in the artifact bucket. */
  templateUrl: (key: string) => unknown;
  quotas?: Partial<StackQuotas>;
  /** Split even when no quota is passed (the service's `stacks: "nested"`). */
  force?: boolean;
}

const defaultSerialize = (t: TemplateDocument) => `${JSON.stringify(t, null, 2)}\n`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The quotas `template` passes, as sentences; empty when it fits in one stack. */
export function quotaProblems(
  template: TemplateDocument,
  quotas: Partial<StackQuotas> = {},
  serialize: (t: TemplateDocument) => string = defaultSerialize,
): string[] {
  const q = { ...STACK_QUOTAS, ...quotas };
  const out: string[] = [];
  const count = (section: string, n: number, max: number) => {
    if (n > max) out.push(`${n} ${section} (CloudFormation allows ${max})`);
  };
  count("resources", Object.keys(template.Resources ?? {}).length, q.resources);
  count("outputs", Object.keys(template.Outputs ?? {}).length, q.outputs);
  count("parameters", Object.keys(template.Parameters ?? {}).length, q.parameters);
  const bytes = Buffer.byteLength(serialize(template));
  if (bytes > q.bytes) out.push(`${bytes} bytes (CloudFormation allows ${q.bytes})`);
  return out;
}

// ---- references ----------------------------------------------------------------------------------------------

/** `${X}` / `${X.Attr}` in an Fn::Sub string (not `${!Literal}`). */
const SUB_TOKEN = /\$\{([^!}][^}]*)\}/g;

interface Reference {
  id: string;
  /** The attribute of a GetAtt, undefined for a Ref. */
  attr?: string;
}

/** Every Ref / GetAtt / Fn::Sub reference in `value` (ids may be parameters or pseudo parameters). */
function referencesIn(value: unknown, out: Reference[] = []): Reference[] {
  if (Array.isArray(value)) {
    for (const v of value) referencesIn(v, out);
    return out;
  }
  if (!isObject(value)) return out;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const k = keys[0]!;
    const v = value[k];
    if (k === "Ref" && typeof v === "string") {
      out.push({ id: v });
      return out;
    }
    if (k === "Fn::GetAtt") {
      const parts = Array.isArray(v) ? v : typeof v === "string" ? splitAttr(v) : undefined;
      if (parts && typeof parts[0] === "string") {
        out.push({ id: parts[0], attr: typeof parts[1] === "string" ? parts[1] : undefined });
        if (!Array.isArray(v) || typeof parts[1] === "string") return out;
        referencesIn(parts[1], out);
        return out;
      }
    }
    if (k === "Fn::Sub") {
      const [text, vars] = Array.isArray(v) ? [v[0], v[1]] : [v, undefined];
      const local = isObject(vars) ? new Set(Object.keys(vars)) : new Set<string>();
      if (typeof text === "string") {
        for (const m of text.matchAll(SUB_TOKEN)) {
          const [id, attr] = splitAttr(m[1]!.trim());
          if (!local.has(id!)) out.push({ id: id!, ...(attr ? { attr } : {}) });
        }
      }
      if (isObject(vars)) referencesIn(vars, out);
      return out;
    }
  }
  for (const v of Object.values(value)) referencesIn(v, out);
  return out;
}

function splitAttr(s: string): [string, string | undefined] {
  const i = s.indexOf(".");
  return i === -1 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/** Condition names used in `value` (`Fn::If` and `{ Condition: name }`). */
function conditionsIn(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) conditionsIn(v, out);
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === "Fn::If" && Array.isArray(v) && typeof v[0] === "string") out.add(v[0]);
      if (k === "Condition" && typeof v === "string") out.add(v);
      conditionsIn(v, out);
    }
  }
  return out;
}

function usesFindInMap(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(usesFindInMap);
  if (!isObject(value)) return false;
  return Object.entries(value).some(([k, v]) => k === "Fn::FindInMap" || usesFindInMap(v));
}

const dependsOn = (r: Resource): string[] =>
  typeof r.DependsOn === "string"
    ? [r.DependsOn]
    : Array.isArray(r.DependsOn)
      ? (r.DependsOn as string[])
      : [];

/** The resources `r` refers to: Ref, GetAtt, Fn::Sub and DependsOn (the Type is no reference). */
function resourceRefs(r: Resource, resources: Record<string, Resource>): Set<string> {
  const out = new Set<string>();
  for (const ref of referencesIn({ ...r, Type: undefined, DependsOn: undefined }))
    if (ref.id in resources) out.add(ref.id);
  for (const id of dependsOn(r)) if (id in resources) out.add(id);
  return out;
}

// ---- grouping ------------------------------------------------------------------------------------------------

/** `HelloFunction` -> `Hello`: resources named after the function start with it. */
const prefixOf = (fnId: string) => (fnId.endsWith("Function") && fnId.length > 8 ? fnId.slice(0, -8) : fnId);

/**
 * The function group of every resource (absent: the root). A function owns itself; a resource joins the one
 * function whose group it references (all it references, transitively, belongs to that one function) when it is
 * named after the function (its prefix) or used by that group; a resource named after a function, used only by
 * that function's group and using nothing of another group joins it too (the role, the log group). Anything else
 * stays in the root, so that whether a resource is in a function's stack never depends on the other functions.
 */
export function groupResources(template: TemplateDocument): Map<string, string> {
  const resources = template.Resources;
  const ids = Object.keys(resources);
  const functions = ids.filter((id) => resources[id]!.Type === FUNCTION_TYPE);
  const refs = new Map(ids.map((id) => [id, resourceRefs(resources[id]!, resources)]));
  const referrers = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [id, rs] of refs) for (const r of rs) referrers.get(r)!.push(id);
  const owners = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]));
  for (const f of functions) owners.get(f)!.add(f);
  const fixed = new Set(functions);
  // longest function prefix first, so `F10Role` is F10's and not F1's
  const prefixes = functions
    .map((f) => [prefixOf(f), f] as const)
    .sort((a, b) => b[0].length - a[0].length || (a[0] < b[0] ? -1 : 1));
  const namedAfter = (id: string) => prefixes.find(([p]) => id.startsWith(p) && id !== p)?.[1];
  const only = (s: Set<string>) => (s.size === 1 ? [...s][0] : undefined);

  for (let changed = true; changed; ) {
    changed = false;
    // upward: a resource owns what the resources it references own
    for (const id of ids) {
      if (fixed.has(id)) continue;
      const mine = owners.get(id)!;
      for (const r of refs.get(id)!)
        for (const o of owners.get(r)!)
          if (!mine.has(o)) {
            mine.add(o);
            changed = true;
          }
    }
    // downward: an unowned resource named after F, used only by F's group, using nothing of another group
    for (const id of ids) {
      if (fixed.has(id) || owners.get(id)!.size > 0) continue;
      const f = namedAfter(id);
      if (!f) continue;
      const users = referrers.get(id)!;
      if (users.length === 0 || !users.every((u) => only(owners.get(u)!) === f)) continue;
      if (![...refs.get(id)!].every((r) => owners.get(r)!.size === 0 || only(owners.get(r)!) === f)) continue;
      owners.get(id)!.add(f);
      fixed.add(id);
      changed = true;
    }
  }
  // A resource that only one function's group uses joins it when it is named after the function, or when that group
  // references it (else the two stacks would read each other). One that is neither (a part of the composite alarm
  // that holds only that function's alarms, say) stays in the root: the next function could share it.
  const group = new Map<string, string>();
  for (const f of functions) group.set(f, f);
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of ids) {
      if (group.has(id)) continue;
      const o = only(owners.get(id)!);
      if (!o) continue;
      if (namedAfter(id) === o || referrers.get(id)!.some((u) => group.get(u) === o)) {
        group.set(id, o);
        changed = true;
      }
    }
  }
  return group;
}

// ---- rewriting -----------------------------------------------------------------------------------------------

/** How a reference in one template reads a value that lives in another. */
type Rewrite = (ref: Reference) => { ref: unknown; subName: string } | undefined;

/**
 * `value` with its references rewritten by `rewrite` (undefined: keep). Fn::Sub tokens become variables of the
 * two-argument form (`${Name}` with `{ Name: <rewritten> }`), or stay tokens when the rewrite is a plain Ref.
 */
function rewriteRefs(value: unknown, rewrite: Rewrite): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, rewrite));
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const k = keys[0]!;
    const v = value[k];
    if (k === "Ref" && typeof v === "string") return rewrite({ id: v })?.ref ?? value;
    if (k === "Fn::GetAtt") {
      const parts = Array.isArray(v) ? v : typeof v === "string" ? splitAttr(v) : undefined;
      if (parts && typeof parts[0] === "string" && typeof parts[1] === "string")
        return rewrite({ id: parts[0], attr: parts[1] })?.ref ?? value;
    }
    if (k === "Fn::Sub") {
      const [text, vars] = Array.isArray(v) ? [v[0], v[1]] : [v, undefined];
      if (typeof text !== "string") return { [k]: rewriteRefs(v, rewrite) };
      const local = isObject(vars) ? new Set(Object.keys(vars)) : new Set<string>();
      const added: Record<string, unknown> = {};
      const newText = text.replace(SUB_TOKEN, (whole, inner: string) => {
        const [id, attr] = splitAttr(inner.trim());
        if (local.has(id!)) return whole;
        const r = rewrite({ id: id!, ...(attr ? { attr } : {}) });
        if (!r) return whole;
        const plain = isObject(r.ref) && Object.keys(r.ref).length === 1 ? r.ref.Ref : undefined;
        if (typeof plain === "string" && !local.has(plain)) return `\${${plain}}`;
        added[r.subName] = r.ref;
        return `\${${r.subName}}`;
      });
      const newVars = isObject(vars) ? (rewriteRefs(vars, rewrite) as Record<string, unknown>) : undefined;
      if (Object.keys(added).length === 0 && !newVars) return { [k]: newText };
      return { [k]: [newText, { ...(newVars ?? {}), ...added }] };
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = rewriteRefs(v, rewrite);
  return out;
}

/** `X` + `Arn` -> `XArn`; `X` + `Outputs.Y` -> `XOutputsY`: a valid logical id for a parameter or output. */
const valueName = (ref: Reference) => `${ref.id}${(ref.attr ?? "").replace(/[^A-Za-z0-9]/g, "")}`;

/** Names unique among `taken` (the template's ids): `name`, else `name` + `Value`, `Value2`... */
function unique(name: string, taken: Set<string>): string {
  let n = name;
  for (let i = 1; taken.has(n); i++) n = `${name}Value${i > 1 ? i : ""}`;
  taken.add(n);
  return n;
}

// ---- the split -----------------------------------------------------------------------------------------------

/** The stack resource of a function group: `<FunctionLogicalId>Stack`. */
export const nestedStackId = (functionId: string) => `${functionId}Stack`;

/**
 * Split `template` into a root and one nested stack per Lambda function when it passes a quota (else it is
 * returned as it is). Throws when the split cannot bring every template under the quotas.
 * @example
 * const { root, nested } = splitTemplate(template, { templateUrl: (key) => ({ "Fn::Sub": `https://\${Bucket}.s3.\${AWS::Region}.\${AWS::URLSuffix}/${key}` }) });
 */
export function splitTemplate(template: TemplateDocument, options: SplitOptions): SplitResult {
  const serialize = options.serialize ?? defaultSerialize;
  const reasons = quotaProblems(template, options.quotas, serialize);
  if (reasons.length === 0 && !options.force) return { root: template, nested: [], reasons };
  if (template.Transform !== undefined) {
    throw new SplitError(
      `the template passes CloudFormation's quotas (${reasons.join(", ")}) and has a Transform, which nested stacks cannot be split from: remove the Transform, or turn features off (e.g. alarms({ functions: { X: false } }))`,
    );
  }
  const resources = template.Resources;
  const parameters = template.Parameters ?? {};
  const conditions = (template.Conditions ?? {}) as Record<string, unknown>;
  const group = groupResources(template);
  const groups = [...new Set(group.values())].sort();
  if (groups.length === 0)
    throw new SplitError(
      `the template passes CloudFormation's quotas (${reasons.join(", ")}) and has no Lambda function to give a nested stack of its own`,
    );

  const taken = new Set<string>([
    ...Object.keys(resources),
    ...Object.keys(parameters),
    ...Object.keys(template.Outputs ?? {}),
    ...Object.keys(conditions),
  ]);
  const stackOf = new Map<string, string>(groups.map((g) => [g, unique(nestedStackId(g), taken)]));
  const home = (id: string): string | undefined => group.get(id); // undefined: root

  interface Child {
    fn: string;
    stackId: string;
    resources: Record<string, Resource>;
    parameters: Record<string, Record<string, unknown>>;
    /** Parameter name -> the value the root passes. */
    given: Record<string, unknown>;
    outputs: Record<string, Output>;
    conditions: Set<string>;
    conditionDefs?: Record<string, unknown>;
    dependsOn: Set<string>;
    mappings: boolean;
    /** `id` or `id.attr` -> the parameter or output name carrying it. */
    params: Map<string, string>;
    exported: Map<string, string>;
    /** Ids of the child's parameters, resources and conditions (one namespace). */
    taken: Set<string>;
    /** Its output keys (a namespace of their own): the service's outputs are reserved. */
    outputKeys: Set<string>;
  }
  const children = new Map<string, Child>();
  for (const g of groups) {
    children.set(g, {
      fn: g,
      stackId: stackOf.get(g)!,
      resources: {},
      parameters: {},
      given: {},
      outputs: {},
      conditions: new Set(),
      dependsOn: new Set(),
      mappings: false,
      params: new Map(),
      exported: new Map(),
      taken: new Set(),
      outputKeys: new Set(Object.keys(template.Outputs ?? {})),
    });
  }
  for (const [id, g] of group) children.get(g)!.taken.add(id);
  const rootResources: Record<string, Resource> = {};

  /** The child `c` exports `ref` (a value of one of its resources) as an output; the output's name. */
  const exportFrom = (c: Child, ref: Reference): string => {
    const key = ref.attr ? `${ref.id}.${ref.attr}` : ref.id;
    let name = c.exported.get(key);
    if (!name) {
      name = unique(valueName(ref), c.outputKeys);
      c.exported.set(key, name);
      c.outputs[name] = {
        Value: ref.attr ? { "Fn::GetAtt": [ref.id, ref.attr] } : { Ref: ref.id },
      };
    }
    return name;
  };
  /** How the root reads `ref` of a resource in child `c`. */
  const readFromChild = (c: Child, ref: Reference) => {
    const out = exportFrom(c, ref);
    return { ref: { "Fn::GetAtt": [c.stackId, `Outputs.${out}`] }, subName: `${c.stackId}${out}` };
  };

  /** How child `c` reads `ref`, a value of the root or of another child: a parameter the root gives. */
  const childParam = (c: Child, ref: Reference): { ref: unknown; subName: string } | undefined => {
    const { id } = ref;
    if (id === "AWS::StackName") {
      if (!c.params.has(id)) {
        c.params.set(id, STACK_NAME_PARAMETER);
        c.parameters[STACK_NAME_PARAMETER] = {
          Type: "String",
          Description: "Name of the root stack (its AWS::StackName)",
        };
        c.given[STACK_NAME_PARAMETER] = { Ref: "AWS::StackName" };
        c.taken.add(STACK_NAME_PARAMETER);
      }
      return { ref: { Ref: STACK_NAME_PARAMETER }, subName: STACK_NAME_PARAMETER };
    }
    if (id.startsWith("AWS::")) return undefined; // the same in every stack of the account and region
    const owner = home(id);
    if (owner === c.fn) return undefined;
    const isParam = id in parameters;
    if (!isParam && !(id in resources)) return undefined;
    const key = ref.attr ? `${id}.${ref.attr}` : id;
    let name = c.params.get(key);
    if (!name) {
      name = ref.attr ? unique(valueName(ref), c.taken) : id;
      c.taken.add(name);
      c.params.set(key, name);
      if (isParam) {
        const def = parameters[id]!;
        const type = String(def.Type ?? "String");
        const list = type.startsWith("List<") || type === "CommaDelimitedList";
        c.parameters[name] = {
          Type: list ? "CommaDelimitedList" : type === "Number" ? "Number" : "String",
          ...(def.NoEcho !== undefined ? { NoEcho: def.NoEcho } : {}),
        };
        // CloudFormation passes only strings to nested stacks: a list goes joined
        c.given[name] = list ? { "Fn::Join": [",", { Ref: id }] } : { Ref: id };
      } else {
        c.parameters[name] = { Type: "String" };
        const value = ref.attr ? { "Fn::GetAtt": [id, ref.attr] } : { Ref: id };
        c.given[name] = owner === undefined ? value : readFromChild(children.get(owner)!, ref).ref;
        if (owner !== undefined) c.dependsOn.add(children.get(owner)!.stackId);
      }
    }
    return { ref: { Ref: name }, subName: name };
  };

  // resources
  for (const [id, r] of Object.entries(resources)) {
    const g = home(id);
    if (g === undefined) {
      const rewritten = rewriteRefs({ ...r, DependsOn: undefined }, (ref) => {
        const owner = home(ref.id);
        return owner === undefined ? undefined : readFromChild(children.get(owner)!, ref);
      }) as Resource;
      const deps = dependsOn(r).map((d) => {
        const owner = home(d);
        return owner === undefined ? d : stackOf.get(owner)!;
      });
      if (deps.length) rewritten.DependsOn = [...new Set(deps)];
      else delete rewritten.DependsOn;
      rootResources[id] = rewritten;
      continue;
    }
    const c = children.get(g)!;
    const rewritten = rewriteRefs({ ...r, DependsOn: undefined }, (ref) => childParam(c, ref)) as Resource;
    const deps: string[] = [];
    for (const d of dependsOn(r)) {
      const owner = home(d);
      if (owner === g) deps.push(d);
      else c.dependsOn.add(owner === undefined ? d : stackOf.get(owner)!);
    }
    if (deps.length) rewritten.DependsOn = deps;
    else delete rewritten.DependsOn;
    conditionsIn(r, c.conditions);
    if (typeof r.Condition === "string") c.conditions.add(r.Condition);
    if (usesFindInMap(r)) c.mappings = true;
    c.resources[id] = rewritten;
  }

  // outputs: a function's stay with it; the root keeps its own, and reads from children what spans several
  const rootOutputs: Record<string, Output> = {};
  const prefixes = groups.map((g) => [prefixOf(g), g] as const).sort((a, b) => b[0].length - a[0].length);
  for (const [key, o] of Object.entries(template.Outputs ?? {})) {
    const homes = new Set(
      referencesIn(o)
        .filter((r) => r.id in resources)
        .map((r) => home(r.id) ?? "(root)"),
    );
    let target: string | undefined;
    if (homes.size === 1 && !homes.has("(root)")) target = [...homes][0];
    else if (homes.size === 0 && o.Export === undefined)
      target = prefixes.find(([p]) => key.startsWith(p) && key !== p)?.[1];
    if (target !== undefined) {
      const c = children.get(target)!;
      c.outputs[key] = rewriteRefs(o, (ref) => childParam(c, ref)) as Output;
      conditionsIn(o, c.conditions);
      continue;
    }
    rootOutputs[key] = rewriteRefs(o, (ref) => {
      const owner = home(ref.id);
      return owner === undefined ? undefined : readFromChild(children.get(owner)!, ref);
    }) as Output;
  }

  // conditions a child uses, with the conditions and parameters they use
  for (const c of children.values()) {
    const need = new Set<string>();
    const visit = (name: string) => {
      if (need.has(name) || !(name in conditions)) return;
      need.add(name);
      for (const d of conditionsIn(conditions[name], new Set())) visit(d);
    };
    for (const name of c.conditions) visit(name);
    if (need.size > 0) {
      const own: Record<string, unknown> = {};
      for (const name of [...need].sort())
        own[name] = rewriteRefs(conditions[name], (ref) => childParam(c, ref));
      c.conditionDefs = own;
    }
  }

  // the nested templates and their stack resources
  const nested: NestedTemplate[] = [];
  for (const c of children.values()) {
    const defs = c.conditionDefs;
    const child: TemplateDocument = {
      AWSTemplateFormatVersion: "2010-09-09",
      Description: `${c.fn} of ${template.Description ? `"${String(template.Description).slice(0, 200)}"` : "the service"} (a nested stack made by sparta)`,
      ...(Object.keys(c.parameters).length ? { Parameters: sortKeys(c.parameters) } : {}),
      ...(c.mappings && template.Mappings ? { Mappings: template.Mappings } : {}),
      ...(defs ? { Conditions: defs } : {}),
      Resources: c.resources,
      ...(Object.keys(c.outputs).length ? { Outputs: c.outputs } : {}),
    };
    const body = serialize(child);
    const hash = sha256(body);
    const key = `templates/${c.stackId}-${hash.slice(0, 16)}.json`;
    nested.push({ logicalId: c.stackId, functions: [c.fn], template: child, body, sha256: hash, key });
    rootResources[c.stackId] = {
      Type: NESTED_TYPE,
      ...(c.dependsOn.size ? { DependsOn: [...c.dependsOn].sort() } : {}),
      Properties: {
        TemplateURL: options.templateUrl(key),
        ...(Object.keys(c.given).length ? { Parameters: sortKeys(c.given) } : {}),
      },
      Metadata: { "Sparta::NestedStack": { functions: [c.fn] } },
    };
  }
  const root: TemplateDocument = { ...template, Resources: rootResources };
  if (Object.keys(rootOutputs).length) root.Outputs = rootOutputs;
  else delete root.Outputs;

  const over: string[] = [];
  const rootProblems = quotaProblems(root, options.quotas, serialize);
  if (rootProblems.length) over.push(`the root stack: ${rootProblems.join(", ")}`);
  for (const n of nested) {
    const p = quotaProblems(n.template, options.quotas, serialize);
    if (p.length) over.push(`nested stack ${n.logicalId}: ${p.join(", ")}`);
  }
  if (over.length)
    throw new SplitError(
      `the template passes CloudFormation's quotas (${reasons.join(", ")}), and splitting it into a root and one nested stack per function still leaves ${over.join("; ")}. Turn features off for some functions (e.g. alarms({ functions: { X: false } })) or deploy the functions as several services`,
    );
  return { root, nested, reasons };
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The split cannot bring the service under CloudFormation's quotas. */
export class SplitError extends SpartaCliError {
  constructor(message: string) {
    super("SPLIT_IMPOSSIBLE", `Cannot deploy this service as one stack: ${message}.`, {
      exitCode: ExitCode.user,
    });
  }
}
