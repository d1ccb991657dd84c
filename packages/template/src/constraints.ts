import { readFileSync } from "node:fs";
import { SpecLoadError } from "./errors.js";

/**
 * One node of the constraints table written by scripts/constraints.mjs from the CloudFormation registry schemas:
 * e allowed values, n/x minimum/maximum, l/L minLength/maxLength, r pattern, i/I minItems/maxItems,
 * t the node of each list item, p nodes of an object's properties, d a shared definition (index into defs).
 */
export interface ConstraintNode {
  e?: (string | number | boolean)[];
  n?: number;
  x?: number;
  l?: number;
  L?: number;
  r?: string;
  i?: number;
  I?: number;
  t?: ConstraintNode;
  p?: Record<string, ConstraintNode>;
  d?: number;
}

/** Read access to the table; each resource's line and each definition is parsed on first use. */
export interface ConstraintTable {
  readonly source: string;
  resource(type: string): Record<string, ConstraintNode> | undefined;
  def(index: number): ConstraintNode | undefined;
}

class LazyConstraints implements ConstraintTable {
  private readonly parsed = new Map<string, Record<string, ConstraintNode>>();
  private readonly parsedDefs: (ConstraintNode | undefined)[] = [];
  constructor(
    readonly source: string,
    private readonly raw: Map<string, string>,
    private readonly text: string,
    /** Where each definition's line starts in text. */
    private readonly defStarts: number[],
  ) {}

  resource(type: string): Record<string, ConstraintNode> | undefined {
    let r = this.parsed.get(type);
    if (r === undefined) {
      const text = this.raw.get(type);
      if (text === undefined) return undefined;
      r = JSON.parse(text) as Record<string, ConstraintNode>;
      this.parsed.set(type, r);
    }
    return r;
  }

  def(index: number): ConstraintNode | undefined {
    let d = this.parsedDefs[index];
    if (d === undefined) {
      const start = this.defStarts[index];
      if (start === undefined) return undefined;
      let line = this.text.slice(start, this.text.indexOf("\n", start));
      if (line.endsWith(",")) line = line.slice(0, -1);
      d = JSON.parse(line) as ConstraintNode;
      this.parsedDefs[index] = d;
    }
    return d;
  }
}

/**
 * Index constraints.json without parsing it whole: the generator writes one resource (`"Type":{...},`) per line
 * between `"resources":{` and `"defs":[`, then one definition per line; the file stays plain JSON. Only the resource
 * lines are split here; definitions are found by offset when first used.
 */
export function indexConstraints(text: string): ConstraintTable {
  const raw = new Map<string, string>();
  let source = "unknown";
  const defsAt = text.indexOf('\n"defs":[\n');
  if (defsAt < 0) throw new Error('no "defs" section: the file is not in the generator\'s format');
  const strip = (l: string) => (l.endsWith(",") ? l.slice(0, -1) : l);
  let inResources = false;
  for (const line of text.slice(0, defsAt).split("\n")) {
    if (line.startsWith('"source":')) source = JSON.parse(strip(line).slice('"source":'.length)) as string;
    else if (line === '"resources":{') inResources = true;
    else if (inResources && line.startsWith('"')) {
      const end = line.indexOf('":');
      raw.set(line.slice(1, end), strip(line).slice(end + 2));
    }
  }
  if (raw.size === 0) throw new Error("no resource types found: the file is not in the generator's format");
  const defStarts: number[] = [];
  for (let i = defsAt + '\n"defs":[\n'.length; i < text.length && text[i] === "{"; ) {
    defStarts.push(i);
    const nl = text.indexOf("\n", i);
    if (nl < 0) break;
    i = nl + 1;
  }
  return new LazyConstraints(source, raw, text, defStarts);
}

let cached: ConstraintTable | undefined;

/** Load the constraints table on first use (src/generated/ in the source tree, dist/generated/ once built). */
export function loadConstraints(): ConstraintTable {
  if (cached) return cached;
  const url = new URL("./generated/constraints.json", import.meta.url);
  try {
    // The generator escapes every non-ASCII character, so latin1 reads it exactly, faster than UTF-8 decoding.
    cached = indexConstraints(readFileSync(url, "latin1"));
  } catch (cause) {
    throw new SpecLoadError(url.pathname, cause);
  }
  return cached;
}

/** A value that breaks a constraint: what kind, and the words for the problem. */
export interface Violation {
  code: string;
  /** Path below the resource's Properties, e.g. `VpcConfig.SubnetIds[0]`. */
  path: string;
  /** "is 1000; it must be from 1 to 900" (completed with the culprit by the validator). */
  what: string;
  fix: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
/** Intrinsic functions resolve at deploy time: their value is unknown here, so they are never checked. */
const isIntrinsic = (v: unknown): boolean => {
  if (!isObj(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::"));
};
const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};
const range = (min: number | undefined, max: number | undefined, unit = ""): string =>
  min !== undefined && max !== undefined
    ? min === max
      ? `exactly ${min}${unit}`
      : `from ${min} to ${max}${unit}`
    : min !== undefined
      ? `at least ${min}${unit}`
      : `at most ${max}${unit}`;

const leaf = (path: string): string => path.slice(path.lastIndexOf(".") + 1);

const regexCache = new Map<string, RegExp | null>();
function regex(pattern: string): RegExp | null {
  let r = regexCache.get(pattern);
  if (r === undefined) {
    try {
      r = new RegExp(pattern, "u");
    } catch {
      r = null;
    }
    regexCache.set(pattern, r);
  }
  return r;
}
// Schemas' patterns are written for Python and Java regex engines: \w, \d, \b and $ differ from JavaScript's only on
// non-ASCII text and line breaks, so a mismatch is reported only for single-line ASCII values.
const PLAIN = /^[\x20-\x7e]*$/;

/**
 * Check a literal value against a node of the table and return every violation. Intrinsic functions anywhere are
 * skipped; values of the wrong type are left to the type check.
 */
export function checkConstraints(
  table: ConstraintTable,
  node: ConstraintNode,
  value: unknown,
  path: string,
  suggest: (value: string, candidates: string[]) => string | undefined = () => undefined,
  out: Violation[] = [],
): Violation[] {
  if (value === undefined || isIntrinsic(value)) return out;
  if (node.d !== undefined) {
    const def = table.def(node.d);
    if (def) checkConstraints(table, def, value, path, suggest, out);
  }
  const scalar = typeof value === "string" || typeof value === "number" || typeof value === "boolean";
  if (node.e && scalar) {
    const s = String(value).toLowerCase();
    // Case is forgiven: a few services accept any case, and a false alarm costs more than a miss.
    if (!node.e.some((a) => a === value || String(a).toLowerCase() === s)) {
      const allowed = node.e.map((a) => show(a));
      const shown =
        allowed.length > 30
          ? `${allowed.slice(0, 30).join(", ")}, ... (${allowed.length} in all)`
          : allowed.join(", ");
      const guess = typeof value === "string" ? suggest(value, node.e.map(String)) : undefined;
      out.push({
        code: "VALUE_NOT_ALLOWED",
        path,
        what: `is ${show(value)}, which is not one of its allowed values`,
        fix: `${guess ? `Did you mean "${guess}"? ` : ""}Use one of: ${shown}.`,
      });
    }
  }
  if (node.n !== undefined || node.x !== undefined) {
    const num =
      typeof value === "number"
        ? value
        : typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)
          ? Number(value)
          : undefined;
    if (
      num !== undefined &&
      ((node.n !== undefined && num < node.n) || (node.x !== undefined && num > node.x))
    ) {
      out.push({
        code: "VALUE_OUT_OF_RANGE",
        path,
        what: `is ${show(value)}; it must be ${range(node.n, node.x)}`,
        fix: `Set ${leaf(path)} to a value ${range(node.n, node.x)}.`,
      });
    }
  }
  if (typeof value === "string") {
    if (node.l !== undefined || node.L !== undefined) {
      const len = [...value].length;
      if ((node.l !== undefined && len < node.l) || (node.L !== undefined && len > node.L)) {
        out.push({
          code: "LENGTH_OUT_OF_RANGE",
          path,
          what: `is ${show(value)} (${len} characters); it must be ${range(node.l, node.L, " characters")} long`,
          fix:
            node.L !== undefined && len > node.L
              ? `Shorten ${leaf(path)} to at most ${node.L} characters.`
              : `Make ${leaf(path)} at least ${node.l} characters long.`,
        });
      }
    }
    if (node.r !== undefined && PLAIN.test(value)) {
      const re = regex(node.r);
      if (re && !re.test(value)) {
        out.push({
          code: "PATTERN_MISMATCH",
          path,
          what: `is ${show(value)}, which does not match the pattern ${node.r} of the resource schema`,
          fix: `Change ${leaf(path)} to match ${node.r}.`,
        });
      }
    }
  }
  if (Array.isArray(value)) {
    // An item that is an intrinsic may vanish (Fn::If with AWS::NoValue): only literal items are sure to be there.
    const sure = value.filter((v) => !isIntrinsic(v)).length;
    if ((node.i !== undefined && value.length < node.i) || (node.I !== undefined && sure > node.I)) {
      out.push({
        code: "ITEM_COUNT_OUT_OF_RANGE",
        path,
        what: `has ${value.length} item${value.length === 1 ? "" : "s"}; it must have ${range(node.i, node.I)}`,
        fix:
          node.I !== undefined && sure > node.I
            ? `Remove items to keep at most ${node.I}.`
            : `Add items to have at least ${node.i}.`,
      });
    }
    if (node.t) {
      const t = node.t;
      value.forEach((item, i) => {
        checkConstraints(table, t, item, `${path}[${i}]`, suggest, out);
      });
    }
  } else if (node.p && isObj(value)) {
    for (const [k, child] of Object.entries(node.p)) {
      if (value[k] !== undefined) checkConstraints(table, child, value[k], `${path}.${k}`, suggest, out);
    }
  }
  return out;
}
