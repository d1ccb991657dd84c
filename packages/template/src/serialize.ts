import type { CfnTemplate } from "./types.js";

/** Anything that serialises to a template: the plain JSON or a builder with `toJSON()`. */
export type TemplateLike = CfnTemplate | { toJSON(): CfnTemplate };

const SECTION_ORDER = [
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Transform",
  "Parameters",
  "Rules",
  "Mappings",
  "Conditions",
  "Resources",
  "Outputs",
];
const RESOURCE_ORDER = [
  "Type",
  "Condition",
  "DependsOn",
  "Properties",
  "Metadata",
  "CreationPolicy",
  "UpdatePolicy",
  "DeletionPolicy",
  "UpdateReplacePolicy",
];

export function resolveTemplate(t: TemplateLike): CfnTemplate {
  return typeof (t as { toJSON?: unknown }).toJSON === "function"
    ? (t as { toJSON(): CfnTemplate }).toJSON()
    : (t as CfnTemplate);
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Keys in code-point order; most objects are already sorted (built by this package), so check before sorting. */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return keys.sort(byCodePoint);
  return keys;
}

function orderKeys(keys: string[], preferred: readonly string[]): string[] {
  const known = preferred.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !preferred.includes(k)).sort(byCodePoint);
  return [...known, ...rest];
}

/** A deep copy with object keys sorted by code point and `undefined` members dropped. */
export function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonicalValue(v)));
  if (value !== null && typeof value === "object") {
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of sortedKeys(src)) {
      if (src[k] !== undefined) out[k] = canonicalValue(src[k]);
    }
    return out;
  }
  return value;
}

/**
 * A deep copy of the template in canonical key order: template sections in CloudFormation's documented order
 * (AWSTemplateFormatVersion, Description, Metadata, Transform, Parameters, Rules, Mappings, Conditions,
 * Resources, Outputs); resource attributes as Type, Condition, DependsOn, Properties, Metadata,
 * CreationPolicy, UpdatePolicy, DeletionPolicy, UpdateReplacePolicy; every other object's keys (logical ids,
 * property names, map keys) sorted by code point. Array order is kept; `undefined` members are dropped.
 */
export function canonicalTemplate(t: TemplateLike): CfnTemplate {
  const src = resolveTemplate(t) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const section of orderKeys(Object.keys(src), SECTION_ORDER)) {
    const v = src[section];
    if (v === undefined) continue;
    if (section === "Resources" && v !== null && typeof v === "object" && !Array.isArray(v)) {
      const resources: Record<string, unknown> = {};
      const r = v as Record<string, unknown>;
      for (const id of sortedKeys(r)) {
        const res = r[id];
        if (res !== null && typeof res === "object" && !Array.isArray(res)) {
          const rr = res as Record<string, unknown>;
          const o: Record<string, unknown> = {};
          for (const k of orderKeys(Object.keys(rr), RESOURCE_ORDER)) {
            if (rr[k] !== undefined) o[k] = canonicalValue(rr[k]);
          }
          resources[id] = o;
        } else resources[id] = canonicalValue(res);
      }
      out[section] = resources;
    } else out[section] = canonicalValue(v);
  }
  return out as unknown as CfnTemplate;
}

function isCanonicalValue(v: unknown): boolean {
  if (Array.isArray(v)) {
    for (const x of v) if (x === undefined || !isCanonicalValue(x)) return false;
    return true;
  }
  if (v !== null && typeof v === "object") {
    let prev: string | undefined;
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if ((prev !== undefined && prev > k) || x === undefined || !isCanonicalValue(x)) return false;
      prev = k;
    }
  }
  return true;
}

function inOrder(o: object, preferred: readonly string[]): boolean {
  let rank = -1;
  let prevRest: string | undefined;
  for (const k in o) {
    const r = preferred.indexOf(k);
    if (r >= 0) {
      if (r < rank || prevRest !== undefined) return false;
      rank = r;
    } else {
      if (prevRest !== undefined && prevRest > k) return false;
      prevRest = k;
    }
  }
  return true;
}

/**
 * The template itself when it is already in canonical order (as `Template#toJSON()` returns it), else a canonical
 * copy. Checking is much cheaper than copying a 500-resource template.
 */
function canonicalForm(t: TemplateLike): CfnTemplate {
  const src = resolveTemplate(t) as unknown as Record<string, unknown>;
  if (!inOrder(src, SECTION_ORDER)) return canonicalTemplate(src as unknown as CfnTemplate);
  for (const section in src) {
    const v = src[section];
    if (v === undefined) return canonicalTemplate(src as unknown as CfnTemplate);
    if (section === "Resources" && v !== null && typeof v === "object" && !Array.isArray(v)) {
      let prev: string | undefined;
      for (const id in v) {
        const r = (v as Record<string, unknown>)[id];
        if (prev !== undefined && prev > id) return canonicalTemplate(src as unknown as CfnTemplate);
        prev = id;
        if (r !== null && typeof r === "object" && !Array.isArray(r)) {
          if (!inOrder(r, RESOURCE_ORDER)) return canonicalTemplate(src as unknown as CfnTemplate);
          for (const k in r) {
            const x = (r as Record<string, unknown>)[k];
            if (x === undefined || !isCanonicalValue(x))
              return canonicalTemplate(src as unknown as CfnTemplate);
          }
        } else if (r === undefined) return canonicalTemplate(src as unknown as CfnTemplate);
      }
    } else if (!isCanonicalValue(v)) return canonicalTemplate(src as unknown as CfnTemplate);
  }
  return src as unknown as CfnTemplate;
}

/**
 * The template as JSON text: canonical key order (see `canonicalTemplate`), two-space indent, trailing newline.
 * The same model always gives byte-identical output, whatever order it was built in.
 */
export function toJson(t: TemplateLike): string {
  return `${JSON.stringify(canonicalForm(t), null, 2)}\n`;
}

/**
 * The template as YAML text, in the same canonical order as `toJson`. Intrinsics stay in their long form
 * (`Fn::Sub:`); strings that YAML could read as something else are double-quoted.
 */
export function toYaml(t: TemplateLike): string {
  const lines: string[] = [];
  emitMapping(canonicalForm(t) as unknown as Record<string, unknown>, 0, lines);
  return `${lines.join("\n")}\n`;
}

const PLAIN_SAFE = /^[A-Za-z_/.$][A-Za-z0-9_ ./:$@=+,()-]*$/;
const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~|\.inf|\.nan|-\.inf)$/i;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number")
    return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
  if (typeof value === "boolean") return value ? "true" : "false";
  const s = String(value);
  if (
    s.length > 0 &&
    PLAIN_SAFE.test(s) &&
    !RESERVED.test(s) &&
    !s.endsWith(" ") &&
    !s.endsWith(":") &&
    !s.includes(": ") &&
    !s.includes(" #")
  )
    return s;
  return JSON.stringify(s);
}

function key(k: string): string {
  return scalar(k);
}

function isEmptyCollection(v: unknown): string | undefined {
  if (Array.isArray(v) && v.length === 0) return "[]";
  if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) return "{}";
  return undefined;
}

function emitValueAfterKey(prefix: string, v: unknown, indent: number, lines: string[]): void {
  const empty = isEmptyCollection(v);
  if (empty) lines.push(`${prefix} ${empty}`);
  else if (Array.isArray(v)) {
    lines.push(prefix);
    emitSequence(v, indent + 2, lines);
  } else if (v !== null && typeof v === "object") {
    lines.push(prefix);
    emitMapping(v as Record<string, unknown>, indent + 2, lines);
  } else lines.push(`${prefix} ${scalar(v)}`);
}

function emitMapping(obj: Record<string, unknown>, indent: number, lines: string[]): void {
  const pad = " ".repeat(indent);
  for (const k of Object.keys(obj)) emitValueAfterKey(`${pad}${key(k)}:`, obj[k], indent, lines);
}

function emitSequence(arr: unknown[], indent: number, lines: string[]): void {
  const pad = " ".repeat(indent);
  for (const item of arr) {
    const empty = isEmptyCollection(item);
    if (empty) lines.push(`${pad}- ${empty}`);
    else if (Array.isArray(item)) {
      lines.push(`${pad}-`);
      emitSequence(item, indent + 2, lines);
    } else if (item !== null && typeof item === "object") {
      // First key on the dash line, the rest aligned under it.
      const sub: string[] = [];
      emitMapping(item as Record<string, unknown>, indent + 2, sub);
      sub[0] = `${pad}- ${sub[0]!.slice(indent + 2)}`;
      lines.push(...sub);
    } else lines.push(`${pad}- ${scalar(item)}`);
  }
}
