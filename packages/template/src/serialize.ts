import { RESOURCE_ATTRIBUTES, TEMPLATE_SECTIONS } from "./sections.js";
import type { CfnTemplate } from "./types.js";

/** Anything that serialises to a template: the plain JSON or a builder with `toJSON()`. */
export type TemplateLike = CfnTemplate | { toJSON(): CfnTemplate };

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
 * A deep copy of plain data (objects, arrays, primitives) keeping key order. For a canonical model this costs a fifth
 * of `structuredClone` on a first run (no serializer round trip), and keeps every primitive as it is.
 */
export function copyData<T>(value: T): T {
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyData(value[i]);
    return out as T;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k in value) out[k] = copyData((value as Record<string, unknown>)[k]);
    return out as T;
  }
  return value;
}

/** A deep copy of one resource in canonical order: its attributes in RESOURCE_ATTRIBUTES, everything else sorted. */
export function canonicalResource(res: unknown): unknown {
  if (res === null || typeof res !== "object" || Array.isArray(res)) return canonicalValue(res);
  const rr = res as Record<string, unknown>;
  const o: Record<string, unknown> = {};
  for (const k of orderKeys(Object.keys(rr), RESOURCE_ATTRIBUTES)) {
    if (rr[k] !== undefined) o[k] = canonicalValue(rr[k]);
  }
  return o;
}

/** Keys sorted by code point (integer-like keys still enumerate first, in numeric order, as JavaScript requires). */
export function sortedObject<V>(o: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const k of sortedKeys(o)) out[k] = o[k]!;
  return out;
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
  for (const section of orderKeys(Object.keys(src), TEMPLATE_SECTIONS)) {
    const v = src[section];
    if (v === undefined) continue;
    if (section === "Resources" && v !== null && typeof v === "object" && !Array.isArray(v)) {
      const resources: Record<string, unknown> = {};
      const r = v as Record<string, unknown>;
      for (const id of sortedKeys(r)) {
        const res = r[id];
        resources[id] = canonicalResource(res);
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
  if (!inOrder(src, TEMPLATE_SECTIONS)) return canonicalTemplate(src as unknown as CfnTemplate);
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
          if (!inOrder(r, RESOURCE_ATTRIBUTES)) return canonicalTemplate(src as unknown as CfnTemplate);
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
 * (`Fn::Sub:`); strings that YAML could read as something else are double-quoted (JSON escapes are valid YAML).
 */
export function toYaml(t: TemplateLike): string {
  return mapping(canonicalForm(t) as unknown as Record<string, unknown>, 0, "");
}

const PLAIN_SAFE = /^[A-Za-z_/$][A-Za-z0-9_ ./:$@=+,()-]*$/;
const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~|\.inf|\.nan|-\.inf)$/i;
const pads: string[] = [];
const pad = (n: number): string => {
  pads[n] ??= " ".repeat(n);
  return pads[n];
};

function scalar(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return JSON.stringify(String(value));
    // YAML 1.1 reads "1e+21" as a string; its floats need a dot before the exponent.
    const n = String(value);
    return n.includes("e") && !n.includes(".") ? n.replace("e", ".0e") : n;
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  const s = String(value);
  if (
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

function isEmptyCollection(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length === 0 ? "[]" : undefined;
  if (v !== null && typeof v === "object") {
    for (const _ in v) return undefined;
    return "{}";
  }
  return undefined;
}

/** The text after "key:" or "-": a scalar on the same line, or a nested block on the following lines. */
function after(v: unknown, indent: number): string {
  const empty = isEmptyCollection(v);
  if (empty) return ` ${empty}\n`;
  if (Array.isArray(v)) return `\n${sequence(v, indent + 2)}`;
  if (v !== null && typeof v === "object")
    return `\n${mapping(v as Record<string, unknown>, indent + 2, "")}`;
  return ` ${scalar(v)}\n`;
}

/** A block mapping; `first` replaces the indent of the first line (used for "- " in sequences). */
function mapping(obj: Record<string, unknown>, indent: number, first: string): string {
  let out = "";
  let lead = first === "" ? pad(indent) : first;
  for (const k in obj) {
    out += `${lead}${scalar(k)}:${after(obj[k], indent)}`;
    lead = pad(indent);
  }
  return out;
}

function sequence(arr: unknown[], indent: number): string {
  let out = "";
  const dash = `${pad(indent)}- `;
  for (const item of arr) {
    const empty = isEmptyCollection(item);
    if (empty) out += `${dash}${empty}\n`;
    else if (Array.isArray(item)) out += `${pad(indent)}-\n${sequence(item, indent + 2)}`;
    else if (item !== null && typeof item === "object") {
      out += mapping(item as Record<string, unknown>, indent + 2, dash);
    } else out += `${dash}${scalar(item)}\n`;
  }
  return out;
}
