#!/usr/bin/env node
// Regenerates src/generated/ from the CloudFormation resource database in @aws-cdk/aws-service-spec:
//   resource-types.d.ts  TypeScript property types for every resource type (types only, no runtime cost)
//   spec/                a compact runtime spec for validateTemplate, one file a service read on first use
//                        (spec/aws-lambda.json), and spec/index.json (every type name)
//   constraints.json     enums, ranges, lengths, patterns and item counts from the CloudFormation registry schemas
//                        that cfn-lint ships (see constraints.mjs; needs cfn-lint installed, or CFN_LINT_DIR)
// Run: pnpm --filter @sparta/template generate      (--out <dir> writes elsewhere, used by the freshness test)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
// One file a service (spec/aws-lambda.json), so validating a template reads only the services it uses, plus
// spec/index.json: the source and every type name (for "did you mean" on an unknown type).
// Type encoding: S string, I integer, N number, B boolean, J json, D date-time, T tag,
// "L<enc>" list of, "M<enc>" map of, "#<n>" struct n in the service file's "structs", ["U", enc...] union.
// A leading "!" on a property's encoding marks it required.
/** `AWS::Lambda::Function` -> `aws-lambda`: the service's file (lower case: unique on any file system). */
function serviceFile(cfnType) {
  return cfnType.split("::").slice(0, 2).join("-").toLowerCase();
}
function encodeService(serviceResources) {
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
  const encoded = serviceResources.map((r) => [
    r.cloudFormationType,
    { p: encProps(r.properties), a: Object.keys(r.attributes ?? {}).sort() },
  ]);
  // Identical structs (same properties, same references) are written once.
  const canon = new Map();
  const remap = [];
  const finalStructs = [];
  structs.forEach((st, i) => {
    const key = JSON.stringify(st);
    if (canon.has(key)) remap[i] = canon.get(key);
    else {
      canon.set(key, finalStructs.length);
      remap[i] = finalStructs.length;
      finalStructs.push(st);
    }
  });
  const fix = (e) =>
    Array.isArray(e)
      ? e.map((x, i) => (i === 0 ? x : fix(x)))
      : e.replace(/#(\d+)$/, (_, n) => "#" + remap[Number(n)]);
  const fixProps = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, fix(v)]));
  // Plain JSON, one resource or struct a line (readable diffs when the spec is bumped).
  const lines = ['{"resources":{'];
  encoded.forEach(([type, r], i) => {
    const v = JSON.stringify({ p: fixProps(r.p), a: r.a });
    lines.push(`${JSON.stringify(type)}:${v}${i < encoded.length - 1 ? "," : ""}`);
  });
  lines.push("},");
  lines.push('"structs":[');
  finalStructs.forEach((st, i) => {
    lines.push(JSON.stringify(fixProps(st)) + (i < finalStructs.length - 1 ? "," : ""));
  });
  lines.push("]}");
  return { text: lines.join("\n") + "\n", structs: finalStructs.length };
}
const byService = new Map();
for (const r of resources) {
  const file = serviceFile(r.cloudFormationType);
  if (!byService.has(file)) byService.set(file, []);
  byService.get(file).push(r);
}
const specDir = join(out, "spec");
rmSync(specDir, { recursive: true, force: true });
mkdirSync(specDir, { recursive: true });
rmSync(join(out, "spec.json"), { force: true }); // the single-file spec of earlier versions
let specStructs = 0;
let specBytes = 0;
for (const [file, serviceResources] of byService) {
  const { text, structs } = encodeService(serviceResources);
  writeFileSync(join(specDir, `${file}.json`), text);
  specStructs += structs;
  specBytes += text.length;
}
writeFileSync(
  join(specDir, "index.json"),
  `{"source":${JSON.stringify(`@aws-cdk/aws-service-spec@${pkgVersion}`)},\n"types":[\n${resources.map((r) => JSON.stringify(r.cloudFormationType)).join(",\n")}\n]}\n`,
);

// ---------- TypeScript types ----------
// One declaration file per service (types/aws-lambda.d.ts), reached from resource-types.d.ts through the type string:
// a consumer's tsc parses them all but resolves only the types its templates use (see README, "Type-checking cost").
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
let decls = []; // the declarations of the service being written
let baseUsed = new Set(); // the names it takes from base.d.ts
function base(name) {
  baseUsed.add(name);
  return name;
}
function tsType(t, owner) {
  switch (t.type) {
    case "string":
    case "date-time":
      if (t.allowedValues?.length && t.allowedValues.length <= 30)
        return `${base("Enum")}<${t.allowedValues.map((v) => JSON.stringify(v)).join(" | ")}>`;
      return base("Str");
    case "integer":
    case "number":
      return base("Num");
    case "boolean":
      return base("Bool");
    case "json":
    case "null":
      return "unknown";
    case "tag":
      return base("Tag");
    case "array":
      return `${base("List")}<${tsType(t.element, owner)}>`;
    case "map":
      return `${base("Value")}<{ [key: string]: ${tsType(t.element, owner)} }>`;
    case "ref":
      return `${base("Value")}<${structName(t.reference.$ref, owner)}>`;
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
// A consumer with `skipLibCheck: false` would otherwise type-check all 11,000 declarations on every build (about 1 s
// of a 2-core machine); test/generated-types.test.ts checks them, strict, without the marker.
const NO_CHECK = `// @ts-nocheck: generated, and type-checked by @sparta/template's own tests (test/generated-types.test.ts).`;
const header = (what) =>
  `${NO_CHECK}\n// Generated by scripts/generate.mjs from @aws-cdk/aws-service-spec@${pkgVersion}. Do not edit.\n// ${what} Types only: nothing here exists at run time.\n`;
const services = new Map(); // file -> { decls, types: [[cfnType, propsName, hasRequired]] }
for (const r of resources) {
  const file = serviceFile(r.cloudFormationType);
  if (!services.has(file)) services.set(file, { decls: [], types: [], baseUsed: new Set() });
  const svc = services.get(file);
  decls = svc.decls;
  baseUsed = svc.baseUsed;
  const owner = baseName(r.cloudFormationType);
  const name = uniqueName(owner + "Props");
  const body = propsBody(r.properties, owner);
  decls.push(`/** Properties of \`${r.cloudFormationType}\`. */\nexport interface ${name} {\n${body}\n}`);
  const hasRequired = Object.values(r.properties).some((p) => p.required);
  svc.types.push([r.cloudFormationType, name, hasRequired]);
}
const typesDir = join(out, "types");
rmSync(typesDir, { recursive: true, force: true });
mkdirSync(typesDir, { recursive: true });
for (const [file, svc] of services) {
  const used = [...svc.baseUsed].sort();
  const service = svc.types[0][0].split("::").slice(0, 2).join("::");
  const text =
    header(`Property types of the \`${service}::*\` resource types.`) +
    (used.length ? `import type { ${used.join(", ")} } from "../base.js";\n` : "") +
    `\n${svc.decls.join("\n")}\n`;
  writeFileSync(join(typesDir, `${file}.d.ts`), text);
}
writeFileSync(
  join(out, "base.d.ts"),
  `${header("The value types every resource type's properties are made of.")}import type { Intrinsic } from "../index.js";

/** A property value: the literal type, or an intrinsic function that resolves to it at deploy time. */
export type Value<T> = T | Intrinsic;
/** A string property value. */
export type Str = Value<string>;
/**
 * A string property with documented values, which editors offer; any other string is accepted too (AWS adds values
 * faster than the spec is released). \`validateTemplate\` checks the values where the registry schemas constrain them.
 */
export type Enum<T extends string> = Value<T | (string & {})>;
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
`,
);
const entries = [...services].flatMap(([file, svc]) => svc.types.map((t) => [file, ...t]));
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
writeFileSync(
  join(out, "resource-types.d.ts"),
  `${header("Property types of every CloudFormation resource type (the `CfnTypes` namespace), one file a service.")}
export type { Bool, Enum, List, Num, Str, Tag, Value } from "./base.js";
${[...services.keys()].map((f) => `export type * from "./types/${f}.js";`).join("\n")}

/** Every resource type CloudFormation knows, mapped to the type of its \`Properties\`. */
export interface ResourceTypes {
${entries.map(([file, type, name]) => `  ${JSON.stringify(type)}: import("./types/${file}.js").${name};`).join("\n")}
}

/** Every resource type mapped to the names \`Fn::GetAtt\` accepts for it. */
export interface ResourceAttributes {
${attrMap.join("\n")}
}
`,
);
// The Properties member of a typed resource, keyed by type string with no conditional type: looking one up costs one
// property access, and a type string the spec does not know (`Custom::*`, a newer type) meets the index signature.
writeFileSync(
  join(out, "resource-bodies.d.ts"),
  `${header("The `Properties` member of each resource type, for `TypedResource`.")}import type { ResourceTypes } from "./resource-types.js";

/**
 * Each resource type mapped to its \`Properties\` member: required when the type has a required property. Any other
 * type string (\`Custom::*\`, module types, types newer than the bundled spec) takes free-form properties.
 */
export interface ResourceBodies {
  // any, not unknown: an interface (LambdaFunctionProps) is assignable to { [name: string]: any } only.
  [type: string]: { Properties?: { [name: string]: any } };
${entries
  .map(
    ([, type, , required]) =>
      `  ${JSON.stringify(type)}: { Properties${required ? "" : "?"}: ResourceTypes[${JSON.stringify(type)}] };`,
  )
  .join("\n")}
}
`,
);
const kb = (f) => Math.round(readFileSync(join(out, f)).length / 1024);
process.stdout.write(
  `generated ${resources.length} resource types, ${specStructs} structs: runtime spec in ${byService.size} service files, ${Math.round(specBytes / 1024)} KiB, spec/index.json ${kb("spec/index.json")} KiB; declarations in ${services.size} service files, ${Math.round([...services.keys()].reduce((n, f) => n + readFileSync(join(typesDir, `${f}.d.ts`)).length, 0) / 1024)} KiB, resource-types.d.ts ${kb("resource-types.d.ts")} KiB, resource-bodies.d.ts ${kb("resource-bodies.d.ts")} KiB\n`,
);

// ---------- value constraints ----------
const cfnLintDir = findCfnLintDir();
if (!cfnLintDir) {
  process.stderr.write(
    "cfn-lint not found (pip install cfn-lint, or set CFN_LINT_DIR to its package folder): constraints.json left as it was\n",
  );
} else {
  const c = buildConstraints(cfnLintDir, new Set(resources.map((r) => r.cloudFormationType)));
  writeFileSync(join(out, "constraints.json"), c.text);
  process.stdout.write(
    `constraints from cfn-lint ${c.version}: ${c.stats.resources} resource types (${c.stats.regionalTypes} merged across ${c.stats.regions} regions), ${c.stats.defs} definitions, constraints.json ${kb("constraints.json")} KiB ` +
      `(${c.stats.skippedEnums} enums over the size limit and ${c.stats.skippedPatterns} patterns JavaScript reads differently left out)\n`,
  );
}
