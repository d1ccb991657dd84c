import { readFileSync } from "node:fs";
import { SpecLoadError } from "./errors.js";

/**
 * One node of the constraints table written by scripts/constraints.mjs from the CloudFormation registry schemas:
 * e allowed values, n/x minimum/maximum, l/L minLength/maxLength, r pattern, i/I minItems/maxItems,
 * t the node of each list item, p nodes of an object's properties, d a shared definition (key in defs).
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

const NL = 10;

/**
 * The table stays a Buffer (outside the JavaScript heap, so the garbage collector never copies it); a resource's
 * line is found with Buffer#indexOf and only that line is decoded and parsed, on first use.
 */
class LazyConstraints implements ConstraintTable {
  private readonly parsed = new Map<string, Record<string, ConstraintNode> | null>();
  private readonly parsedDefs = new Map<number, ConstraintNode | null>();
  private defStarts: number[] | undefined;
  constructor(
    readonly source: string,
    private readonly buf: Buffer,
    private readonly resourcesAt: number,
    private readonly defsAt: number,
  ) {}

  private line(start: number): string {
    let end = this.buf.indexOf(NL, start);
    if (end < 0) end = this.buf.length;
    if (this.buf[end - 1] === 44 /* , */) end--;
    return this.buf.toString("latin1", start, end);
  }

  resource(type: string): Record<string, ConstraintNode> | undefined {
    let r = this.parsed.get(type);
    if (r === undefined) {
      const key = `\n${JSON.stringify(type)}:`;
      const at = this.buf.indexOf(key, this.resourcesAt, "latin1");
      r =
        at < 0 || at > this.defsAt
          ? null
          : (JSON.parse(this.line(at + key.length)) as Record<string, ConstraintNode>);
      this.parsed.set(type, r);
    }
    return r ?? undefined;
  }

  def(index: number): ConstraintNode | undefined {
    let d = this.parsedDefs.get(index);
    if (d === undefined) {
      let at: number;
      if (this.defStarts) at = this.defStarts[index] ?? -1;
      else {
        const key = `\n"${index}":`;
        at = this.buf.indexOf(key, this.defsAt, "latin1");
        if (at >= 0) at += key.length;
      }
      d = at < 0 ? null : (JSON.parse(this.line(at)) as ConstraintNode);
      this.parsedDefs.set(index, d);
      // A search costs ~0.25 ms; a template that uses many definitions (QuickSight dashboards) pays ~2 ms once to
      // find every line instead.
      if (!this.defStarts && this.parsedDefs.size >= 8) this.defStarts = this.indexDefs();
    }
    return d ?? undefined;
  }

  /** Where each definition's value starts: definition i is the i-th line of the defs section. */
  private indexDefs(): number[] {
    const starts: number[] = [];
    for (let i = this.buf.indexOf(NL, this.defsAt + 1) + 1; i > 0 && this.buf[i] === 34 /* " */; ) {
      starts.push(this.buf.indexOf(58 /* : */, i) + 1);
      i = this.buf.indexOf(NL, i) + 1;
    }
    return starts;
  }
}

/**
 * Index constraints.json without parsing it whole. The generator writes the source line, then one resource
 * (`"Type":{...},`) per line after `"resources":{`, then one definition (`"<index>":{...},`) per line after
 * `"defs":{`; the file stays plain JSON, in ASCII (non-ASCII characters as \u escapes).
 */
export function indexConstraints(data: string | Buffer): ConstraintTable {
  const buf = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  const resourcesAt = buf.indexOf('\n"resources":{\n', 0, "latin1");
  const defsAt = buf.indexOf('\n"defs":{\n', 0, "latin1");
  if (resourcesAt < 0 || defsAt < resourcesAt)
    throw new Error("no resources or defs section: the file is not in the generator's format");
  const head = /"source":("(?:[^"\\]|\\.)*")/.exec(buf.toString("latin1", 0, resourcesAt));
  const source = head ? (JSON.parse(head[1]!) as string) : "unknown";
  return new LazyConstraints(source, buf, resourcesAt, defsAt);
}

let cached: ConstraintTable | undefined;

/** Load the constraints table on first use (src/generated/ in the source tree, dist/generated/ once built). */
export function loadConstraints(): ConstraintTable {
  if (cached) return cached;
  const url = new URL("./generated/constraints.json", import.meta.url);
  try {
    cached = indexConstraints(readFileSync(url));
  } catch (cause) {
    throw new SpecLoadError(url.pathname, cause);
  }
  return cached;
}

/** The problem codes of the value checks, the ones `validateTemplate(t, { checkValues: false })` turns off. */
export const VALUE_PROBLEM_CODES = [
  "VALUE_OUT_OF_RANGE",
  "VALUE_NOT_ALLOWED",
  "LENGTH_OUT_OF_RANGE",
  "PATTERN_MISMATCH",
  "ITEM_COUNT_OUT_OF_RANGE",
] as const;

/** A value that breaks a constraint: what kind, and the words for the problem. */
export interface Violation {
  code: (typeof VALUE_PROBLEM_CODES)[number];
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
  // A dynamic reference ({{resolve:ssm:...}}, {{resolve:secretsmanager:...}}) is replaced at deploy time too.
  if (typeof value === "string" && value.includes("{{resolve:")) return out;
  if (node.d !== undefined) {
    const def = table.def(node.d);
    if (def) checkConstraints(table, def, value, path, suggest, out);
  }
  const scalar = typeof value === "string" || typeof value === "number" || typeof value === "boolean";
  if (node.e && scalar && !node.e.includes(value)) {
    const s = String(value).toLowerCase();
    // Case is forgiven (a few services accept any case, and a false alarm costs more than a miss), and so is a
    // number written as a string.
    if (!node.e.some((a) => String(a).toLowerCase() === s)) {
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
