#!/usr/bin/env node
// Regenerates src/generated/ from the CloudFormation resource database in @aws-cdk/aws-service-spec:
//   resource-types.d.ts  TypeScript property types for every resource type (types only, no runtime cost)
//   spec.json            a compact runtime spec for validateTemplate (loaded lazily, one resource per line)
//   constraints.json     enums, ranges, lengths, patterns and item counts from the CloudFormation registry schemas
//                        that cfn-lint ships (see constraints.mjs; needs cfn-lint installed, or CFN_LINT_DIR)
// Run: pnpm --filter @sparta/template generate      (--out <dir> writes elsewhere, used by the freshness test)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { buildConstraints, findCfnLintDir } from "./constraints.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.indexOf("--out");
const out = outArg > 0 ? process.argv[outArg + 1] : join(here, "..", "src", "generated");
const require = createRequire(import.meta.url);
const pkgJson = require.resolve("@aws-cdk/aws-service-spec/package.json");
const pkgVersion = JSON.parse(readFileSync(pkgJson, "utf8")).version;
const db = JSON.parse(gunzipSync(readFileSync(join(dirname(pkgJson), "db.json.gz"))).toString("utf8"));

const resources = [...db.schema.resource.entities].sort((a, b) =>
  a.cloudFormationType < b.cloudFormationType ? -1 : a.cloudFormationType > b.cloudFormationType ? 1 : 0,
);
const typeDefs = new Map(db.schema.typeDefinition.entities.map((t) => [t.$id, t]));

// ---------- runtime spec ----------
// Type encoding: S string, I integer, N number, B boolean, J json, D date-time, T tag,
// "L<enc>" list of, "M<enc>" map of, "#<n>" struct n in "structs", ["U", enc...] union.
// A leading "!" on a property's encoding marks it required.
const structIndex = new Map(); // typedef $id -> index in structs
const structs = [];
function encType(t) {
  switch (t.type) {
    case "string":
      return "S";
    case "integer":
      return "I";
    case "number":
      return "N";
    case "boolean":
      return "B";
    case "json":
      return "J";
    case "date-time":
      return "D";
    case "tag":
      return "T";
    case "null":
      return "J";
    case "array": {
      const e = encType(t.element);
      return typeof e === "string" ? "L" + e : "LJ";
    }
    case "map": {
      const e = encType(t.element);
      return typeof e === "string" ? "M" + e : "MJ";
    }
    case "ref":
      return "#" + structRef(t.reference.$ref);
    case "union":
      return ["U", ...t.types.map(encType)];
    default:
      throw new Error(`unknown type kind ${t.type}`);
  }
}
function structRef(id) {
  if (structIndex.has(id)) return structIndex.get(id);
  const idx = structs.length;
  structIndex.set(id, idx);
  structs.push(null);
  const def = typeDefs.get(id);
  if (!def) throw new Error(`missing typedef ${id}`);
  structs[idx] = encProps(def.properties);
  return idx;
}
function encProps(props) {
  const o = {};
  for (const name of Object.keys(props).sort()) {
    const p = props[name];
    const e = encType(p.type);
    o[name] = p.required ? (typeof e === "string" ? "!" + e : ["!", ...e]) : e;
  }
  return o;
}
const specResources = {};
for (const r of resources) {
  const entry = { p: encProps(r.properties), a: Object.keys(r.attributes ?? {}).sort() };
  specResources[r.cloudFormationType] = entry;
}
// Dedupe identical structs to keep the file small.
const canon = new Map();
const remap = [];
const finalStructs = [];
// Two passes are enough in practice; structs referring to deduped structs keep their original index
// mapping through remap applied at the end.
structs.forEach((s, i) => {
  const key = JSON.stringify(s);
  if (canon.has(key)) remap[i] = canon.get(key);
  else {
    canon.set(key, finalStructs.length);
    remap[i] = finalStructs.length;
    finalStructs.push(s);
  }
});
const fix = (e) =>
  Array.isArray(e)
    ? e.map((x, i) => (i === 0 ? x : fix(x)))
    : e.replace(/#(\d+)$/, (_, n) => "#" + remap[Number(n)]);
const fixProps = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fix(v)]));
const lines = [];
lines.push("{");
lines.push(`"source":${JSON.stringify(`@aws-cdk/aws-service-spec@${pkgVersion}`)},`);
lines.push('"resources":{');
const resNames = Object.keys(specResources);
resNames.forEach((name, i) => {
  const r = specResources[name];
  const v = JSON.stringify({ p: fixProps(r.p), a: r.a });
  lines.push(`${JSON.stringify(name)}:${v}${i < resNames.length - 1 ? "," : ""}`);
});
lines.push("},");
lines.push('"structs":[');
finalStructs.forEach((s, i) => {
  lines.push(JSON.stringify(fixProps(s)) + (i < finalStructs.length - 1 ? "," : ""));
});
lines.push("]}");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "spec.json"), lines.join("\n") + "\n");

// ---------- TypeScript types ----------
const typeNames = new Map(); // typedef $id -> TS name
const usedNames = new Set();
function pascal(s) {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}
function baseName(cfnType) {
  const parts = cfnType.split("::");
  if (parts[0] === "AWS") parts.shift();
  return pascal(parts.join("_"));
}
function uniqueName(n) {
  let name = n;
  let i = 2;
  while (usedNames.has(name)) name = `${n}${i++}`;
  usedNames.add(name);
  return name;
}
const decls = [];
function tsType(t, owner) {
  switch (t.type) {
    case "string":
    case "date-time":
      if (t.allowedValues?.length && t.allowedValues.length <= 30)
        return `Value<${t.allowedValues.map((v) => JSON.stringify(v)).join(" | ")} | (string & {})>`;
      return "Str";
    case "integer":
    case "number":
      return "Num";
    case "boolean":
      return "Bool";
    case "json":
    case "null":
      return "unknown";
    case "tag":
      return "Tag";
    case "array":
      return `List<${tsType(t.element, owner)}>`;
    case "map":
      return `Value<{ [key: string]: ${tsType(t.element, owner)} }>`;
    case "ref":
      return `Value<${structName(t.reference.$ref, owner)}>`;
    case "union":
      return t.types.map((x) => tsType(x, owner)).join(" | ");
    default:
      throw new Error(`unknown type kind ${t.type}`);
  }
}
function propKey(k) {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k);
}
function propsBody(props, owner) {
  return Object.keys(props)
    .sort()
    .map((k) => {
      const p = props[k];
      const dep = p.deprecated ? "  /** @deprecated */\n" : "";
      return `${dep}  ${propKey(k)}${p.required ? "" : "?"}: ${tsType(p.type, owner)};`;
    })
    .join("\n");
}
function structName(id, owner) {
  if (typeNames.has(id)) return typeNames.get(id);
  const def = typeDefs.get(id);
  const name = uniqueName(owner + pascal(def.name));
  typeNames.set(id, name);
  const body = propsBody(def.properties, owner);
  decls.push(`export interface ${name} {\n${body}\n}`);
  return name;
}
const map = [];
for (const r of resources) {
  const owner = baseName(r.cloudFormationType);
  const name = uniqueName(owner + "Props");
  const body = propsBody(r.properties, owner);
  decls.push(`/** Properties of \`${r.cloudFormationType}\`. */\nexport interface ${name} {\n${body}\n}`);
  map.push(`  ${JSON.stringify(r.cloudFormationType)}: ${name};`);
}
const attrMap = resources.map(
  (r) =>
    `  ${JSON.stringify(r.cloudFormationType)}: ${
      Object.keys(r.attributes ?? {}).length
        ? Object.keys(r.attributes)
            .sort()
            .map((a) => JSON.stringify(a))
            .join(" | ")
        : "never"
    };`,
);
const dts = `// Generated by scripts/generate.mjs from @aws-cdk/aws-service-spec@${pkgVersion}. Do not edit.
// Property types of every CloudFormation resource type. Types only: nothing here exists at run time.
import type { Intrinsic } from "../index.js";

/** A property value: the literal type, or an intrinsic function that resolves to it at deploy time. */
export type Value<T> = T | Intrinsic;
/** A string property value. */
export type Str = Value<string>;
/** A numeric property value. */
export type Num = Value<number>;
/** A boolean property value. */
export type Bool = Value<boolean>;
/** A list property value. */
export type List<T> = Value<T[]>;
/** A resource tag. */
export interface Tag {
  Key: Value<string>;
  Value: Value<string>;
}

${decls.join("\n")}

/** Every resource type CloudFormation knows, mapped to the type of its \`Properties\`. */
export interface ResourceTypes {
${map.join("\n")}
}

/** Every resource type mapped to the names \`Fn::GetAtt\` accepts for it. */
export interface ResourceAttributes {
${attrMap.join("\n")}
}
`;
writeFileSync(join(out, "resource-types.d.ts"), dts);
const kb = (f) => Math.round(readFileSync(join(out, f)).length / 1024);
process.stdout.write(
  `generated ${resources.length} resource types, ${finalStructs.length} structs: spec.json ${kb("spec.json")} KiB, resource-types.d.ts ${kb("resource-types.d.ts")} KiB\n`,
);

// ---------- value constraints ----------
const cfnLintDir = findCfnLintDir();
if (!cfnLintDir) {
  process.stderr.write(
    "cfn-lint not found (pip install cfn-lint, or set CFN_LINT_DIR to its package folder): constraints.json left as it was\n",
  );
} else {
  const c = buildConstraints(cfnLintDir, new Set(Object.keys(specResources)));
  writeFileSync(join(out, "constraints.json"), c.text);
  process.stdout.write(
    `constraints from cfn-lint ${c.version}: ${c.stats.resources} resource types (${c.stats.regionalTypes} merged across ${c.stats.regions} regions), ${c.stats.defs} definitions, constraints.json ${kb("constraints.json")} KiB ` +
      `(${c.stats.skippedEnums} enums over the size limit and ${c.stats.skippedPatterns} patterns JavaScript reads differently left out)\n`,
  );
}
