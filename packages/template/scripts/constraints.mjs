// Builds the value-constraints table (src/generated/constraints.json) from the CloudFormation resource provider
// (registry) schemas that cfn-lint ships, as cfn-lint itself uses them: data/schemas/providers/<region>.py maps each
// resource type to a hash, data/schemas/resources/<hash>.json is that type's schema with cfn-lint's patches applied.
// The types are us-east-1's; where regions' schemas differ, only what all of them enforce is kept (see merge).
// @aws-cdk/aws-service-spec has no enums, ranges or patterns, hence this second source.
//
// Node encoding (only nodes with a constraint at or below them are kept):
//   e enum (values), n / x minimum / maximum (numbers), l / L minLength / maxLength, r pattern,
//   i / I minItems / maxItems, t list item node, p { property: node }, d a definition (an index into "defs").
// The file: { source, resources: { Type: { property: node } }, defs: { "<index>": node } }, one entry per line.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Enums longer than this (EC2 instance types, RDS engine versions...) grow faster than the table is regenerated. */
export const MAX_ENUM = 100;

/** The cfn-lint package folder: $CFN_LINT_DIR, or asked of python3. */
export function findCfnLintDir() {
  if (process.env.CFN_LINT_DIR) return process.env.CFN_LINT_DIR;
  for (const py of ["python3", "/root/.pyenv/shims/python3"]) {
    try {
      const dir = execFileSync(py, ["-c", "import cfnlint,os;print(os.path.dirname(cfnlint.__file__))"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
      if (dir && existsSync(join(dir, "data", "schemas"))) return dir;
    } catch {
      // try the next interpreter
    }
  }
  return undefined;
}

export function cfnLintVersion(dir) {
  const m = /__version__\s*=\s*"([^"]+)"/.exec(readFileSync(join(dir, "version.py"), "utf8"));
  return m ? m[1] : "unknown";
}

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const typesOf = (s) => (Array.isArray(s.type) ? s.type : typeof s.type === "string" ? [s.type] : []);

/** Whether a pattern means the same to JavaScript: it must compile with the "u" flag (no Python-only escapes). */
function jsPattern(p) {
  try {
    new RegExp(p, "u");
    return true;
  } catch {
    return false;
  }
}

/**
 * Encode one schema node. Only keywords at the node's own level count: anything under oneOf/anyOf/allOf/if is
 * skipped, since which branch applies is not known without evaluating the others.
 */
function encodeNode(s, stats) {
  if (!isObj(s)) return undefined;
  const o = {};
  const types = typesOf(s);
  if (typeof s.$ref === "string") {
    const m = /^#\/definitions\/(.+)$/.exec(s.$ref);
    if (m) o.d = m[1];
  }
  if (Array.isArray(s.enum)) {
    if (s.enum.length <= MAX_ENUM && s.enum.every((v) => ["string", "number", "boolean"].includes(typeof v)))
      o.e = s.enum;
    else stats.skippedEnums++;
  }
  const numeric = types.length > 0 && types.every((t) => t === "integer" || t === "number");
  if (numeric) {
    if (typeof s.minimum === "number") o.n = s.minimum;
    if (typeof s.maximum === "number") o.x = s.maximum;
  }
  const stringy = types.includes("string");
  if (stringy) {
    if (typeof s.minLength === "number" && s.minLength > 0) o.l = s.minLength;
    if (typeof s.maxLength === "number") o.L = s.maxLength;
    if (typeof s.pattern === "string") {
      if (jsPattern(s.pattern)) o.r = s.pattern;
      else stats.skippedPatterns++;
    }
  }
  if (types.includes("array") || s.items !== undefined) {
    if (typeof s.minItems === "number" && s.minItems > 0) o.i = s.minItems;
    if (typeof s.maxItems === "number") o.I = s.maxItems;
    const t = encodeNode(s.items, stats);
    if (t) o.t = t;
  }
  if (isObj(s.properties)) {
    const p = encodeProps(s.properties, stats);
    if (p) o.p = p;
  }
  return Object.keys(o).length ? o : undefined;
}

function encodeProps(props, stats) {
  const o = {};
  for (const name of Object.keys(props).sort()) {
    const n = encodeNode(props[name], stats);
    if (n) o[name] = n;
  }
  return Object.keys(o).length ? o : undefined;
}

/** The loosest node both a and b imply: a constraint only where both have one, with the wider bounds. */
export function merge(a, b) {
  if (!a || !b) return undefined;
  const o = {};
  if (a.d !== undefined && a.d === b.d) o.d = a.d;
  if (a.e && b.e) o.e = [...a.e, ...b.e.filter((v) => !a.e.includes(v))];
  for (const k of ["n", "l", "i"]) if (a[k] !== undefined && b[k] !== undefined) o[k] = Math.min(a[k], b[k]);
  for (const k of ["x", "L", "I"]) if (a[k] !== undefined && b[k] !== undefined) o[k] = Math.max(a[k], b[k]);
  if (a.r !== undefined && a.r === b.r) o.r = a.r;
  const t = merge(a.t, b.t);
  if (t) o.t = t;
  const p = a.p && b.p ? mergeProps(a.p, b.p) : undefined;
  if (p) o.p = p;
  return Object.keys(o).length ? o : undefined;
}

function mergeProps(a, b) {
  const o = {};
  for (const k of Object.keys(a)) {
    const m = merge(a[k], b[k]);
    if (m) o[k] = m;
  }
  return Object.keys(o).length ? o : undefined;
}

/** Drop references to definitions that carry no constraint, and the nodes left empty by that, until nothing changes. */
function prune(resource) {
  const d = resource.d ?? {};
  let changed = true;
  const clean = (n) => {
    if (n.d !== undefined && !(n.d in d)) {
      delete n.d;
      changed = true;
    }
    if (n.t) {
      clean(n.t);
      if (!Object.keys(n.t).length) {
        delete n.t;
        changed = true;
      }
    }
    if (n.p) {
      cleanProps(n.p);
      if (!Object.keys(n.p).length) {
        delete n.p;
        changed = true;
      }
    }
  };
  const cleanProps = (p) => {
    for (const k of Object.keys(p)) {
      clean(p[k]);
      if (!Object.keys(p[k]).length) {
        delete p[k];
        changed = true;
      }
    }
  };
  while (changed) {
    changed = false;
    for (const name of Object.keys(d)) {
      clean(d[name]);
      if (!Object.keys(d[name]).length) {
        delete d[name];
        changed = true;
      }
    }
    if (resource.p) cleanProps(resource.p);
  }
  if (resource.d && !Object.keys(resource.d).length) delete resource.d;
  if (resource.p && !Object.keys(resource.p).length) delete resource.p;
  // Keep only the definitions still reachable from the properties.
  if (resource.d) {
    const used = new Set();
    const visit = (n) => {
      if (n.d !== undefined && !used.has(n.d)) {
        used.add(n.d);
        visit(resource.d[n.d]);
      }
      if (n.t) visit(n.t);
      if (n.p) for (const c of Object.values(n.p)) visit(c);
    };
    for (const c of Object.values(resource.p ?? {})) visit(c);
    for (const k of Object.keys(resource.d)) if (!used.has(k)) delete resource.d[k];
    if (!Object.keys(resource.d).length) delete resource.d;
  }
}

/**
 * Read cfn-lint's us-east-1 provider schemas and return the text of constraints.json (one resource per line, like
 * spec.json, so it can be indexed without parsing it whole) and figures for the generator's summary.
 */
export function buildConstraints(cfnLintDir, knownTypes) {
  const schemas = join(cfnLintDir, "data", "schemas");
  const providerFiles = readdirSync(join(schemas, "providers"))
    .filter((f) => f.endsWith(".py") && f !== "__init__.py")
    .sort();
  // Every region's hash of each type: a type's schema differs between regions for a third of the types.
  const regional = new Map();
  for (const f of providerFiles) {
    for (const m of readFileSync(join(schemas, "providers", f), "utf8").matchAll(
      /"([A-Za-z0-9:]+)": "([0-9a-f]+)"/g,
    )) {
      if (!regional.has(m[1])) regional.set(m[1], new Set());
      regional.get(m[1]).add(m[2]);
    }
  }
  const usEast1 = new Map(
    [
      ...readFileSync(join(schemas, "providers", "us_east_1.py"), "utf8").matchAll(
        /"([A-Za-z0-9:]+)": "([0-9a-f]+)"/g,
      ),
    ].map((m) => [m[1], m[2]]),
  );
  const stats = {
    skippedEnums: 0,
    skippedPatterns: 0,
    resources: 0,
    regionalTypes: 0,
    regions: providerFiles.length,
  };
  const ignored = { skippedEnums: 0, skippedPatterns: 0 };
  const encodeSchema = (hash, st) => {
    const file = join(schemas, "resources", `${hash}.json`);
    if (!existsSync(file)) return undefined;
    const schema = JSON.parse(readFileSync(file, "utf8"));
    const readOnly = new Set(
      (schema.readOnlyProperties ?? [])
        .map((p) => p.replace(/^\/properties\//, ""))
        .filter((p) => !p.includes("/")),
    );
    const props = Object.fromEntries(
      Object.entries(schema.properties ?? {}).filter(([k]) => !readOnly.has(k)),
    );
    const d = {};
    for (const name of Object.keys(schema.definitions ?? {}).sort()) {
      const n = encodeNode(schema.definitions[name], st);
      if (n) d[name] = n;
    }
    return { p: encodeProps(props, st) ?? {}, d };
  };
  const out = {};
  for (const type of [...usEast1.keys()].sort()) {
    if (knownTypes && !knownTypes.has(type)) continue;
    let r = encodeSchema(usEast1.get(type), stats);
    if (!r) continue;
    // Where regions' schemas differ, keep only what every region enforces, loosened to the widest bounds: the
    // template may be deployed to any of them, and a false alarm costs more than a miss.
    const others = [...(regional.get(type) ?? [])].filter((h) => h !== usEast1.get(type));
    if (others.length) stats.regionalTypes++;
    for (const h of others) {
      const o = encodeSchema(h, ignored);
      if (!o) continue;
      r = { p: mergeProps(r.p, o.p) ?? {}, d: mergeProps(r.d, o.d) ?? {} };
    }
    if (!Object.keys(r.d).length) delete r.d;
    if (!Object.keys(r.p).length) delete r.p;
    prune(r);
    if (r.p) {
      out[type] = r;
      stats.resources++;
    }
  }
  // Definitions become one shared, deduplicated list (QuickSight's three big types share most of theirs): a node's
  // d is then an index into "defs".
  const index = new Map();
  let defs = [];
  for (const [type, r] of Object.entries(out))
    for (const name of Object.keys(r.d ?? {})) {
      index.set(`${type}#${name}`, defs.length);
      defs.push(r.d[name]);
    }
  const rewrite = (n, f) => {
    if (n.d !== undefined) n.d = f(n.d);
    if (n.t) rewrite(n.t, f);
    if (n.p) for (const c of Object.values(n.p)) rewrite(c, f);
  };
  for (const [type, r] of Object.entries(out)) {
    const local = (name) => index.get(`${type}#${name}`);
    for (const c of Object.values(r.p)) rewrite(c, local);
    for (const d of Object.values(r.d ?? {})) rewrite(d, local);
    delete r.d;
  }
  for (;;) {
    const canon = new Map();
    const remap = [];
    const unique = [];
    defs.forEach((d, i) => {
      const key = JSON.stringify(d);
      if (!canon.has(key)) {
        canon.set(key, unique.length);
        unique.push(d);
      }
      remap[i] = canon.get(key);
    });
    for (const d of unique) rewrite(d, (i) => remap[i]);
    for (const r of Object.values(out)) for (const c of Object.values(r.p)) rewrite(c, (i) => remap[i]);
    const done = unique.length === defs.length;
    defs = unique;
    if (done) break;
  }
  stats.defs = defs.length;
  const version = cfnLintVersion(cfnLintDir);
  const lines = [
    "{",
    `"source":${JSON.stringify(`cfn-lint@${version} us-east-1 provider schemas`)},`,
    '"resources":{',
  ];
  const names = Object.keys(out);
  names.forEach((name, i) => {
    lines.push(`${JSON.stringify(name)}:${JSON.stringify(out[name].p)}${i < names.length - 1 ? "," : ""}`);
  });
  lines.push("},");
  // Keyed by index rather than a JSON array, so the runtime finds a definition's line by searching for its key.
  lines.push('"defs":{');
  defs.forEach((d, i) => {
    lines.push(`"${i}":${JSON.stringify(d)}${i < defs.length - 1 ? "," : ""}`);
  });
  lines.push("}}");
  // ASCII only (non-ASCII as \u escapes), so the runtime can read the file as latin1, faster than UTF-8.
  const ascii = `${lines.join("\n")}\n`.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return { text: ascii, version, stats };
}
