import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { cfnLintVersion, findCfnLintDir, merge } from "../scripts/constraints.mjs";
import { indexConstraints } from "../src/constraints.js";
import { validateTemplate } from "../src/index.js";
import { openSpec, type StructSpec, serviceFile, type TypeEnc } from "../src/spec.js";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const committed = (f: string) => readFileSync(join(pkg, "src", "generated", f), "utf8");

describe("generated spec and types", () => {
  it("are what `pnpm generate` produces from the installed @aws-cdk/aws-service-spec (no hand edits, deterministic)", () => {
    const out = mkdtempSync(join(tmpdir(), "sparta-template-gen-"));
    execFileSync(process.execPath, [join(pkg, "scripts", "generate.mjs"), "--out", out]);
    // Declarations and the runtime spec: one file a service each, plus their index files.
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".d.ts") || (f.startsWith("spec/") && f.endsWith(".json")))
        .sort();
    const committedFiles = files(join(pkg, "src", "generated"));
    expect(files(out)).toEqual(committedFiles);
    expect(committedFiles.length).toBeGreaterThan(600);
    for (const f of committedFiles) expect(readFileSync(join(out, f), "utf8"), f).toBe(committed(f));
    // constraints.json comes from the installed cfn-lint; another cfn-lint version ships other schemas.
    const source = indexConstraints(committed("constraints.json")).source;
    const dir = findCfnLintDir() as string | undefined;
    if (dir && source.startsWith(`cfn-lint@${cfnLintVersion(dir)} `))
      expect(readFileSync(join(out, "constraints.json"), "utf8")).toBe(committed("constraints.json"));
    else
      console.warn(
        `constraints.json not compared: it is from ${source}, cfn-lint here is ${dir ? cfnLintVersion(dir) : "absent"}`,
      );
  }, 60_000);

  it("where regions' schemas differ, keeps only what all enforce, with the widest bounds", () => {
    expect(
      merge(
        { n: 1, x: 900, e: ["a", "b"], r: "^x$", l: 2, p: { A: { I: 5 }, B: { L: 3 } } },
        { n: 0, x: 1000, e: ["b", "c"], r: "^y$", p: { A: { I: 10 } } },
      ),
    ).toEqual({ n: 0, x: 1000, e: ["a", "b", "c"], p: { A: { I: 10 } } });
    expect(merge({ e: ["a"] }, { n: 1 })).toBeUndefined();
  });

  it("the constraints index reads exactly what a full JSON.parse of constraints.json reads", () => {
    const text = committed("constraints.json");
    expect([...text].every((c) => c.charCodeAt(0) < 128)).toBe(true); // ASCII only: the runtime reads it as latin1
    const full = JSON.parse(text) as {
      source: string;
      resources: Record<string, unknown>;
      defs: Record<string, unknown>;
    };
    const lazy = indexConstraints(text);
    expect(lazy.source).toBe(full.source);
    expect(Object.keys(full.resources).length).toBeGreaterThan(1000);
    for (const [type, nodes] of Object.entries(full.resources)) expect(lazy.resource(type)).toEqual(nodes);
    const defs = Object.values(full.defs);
    expect(Object.keys(full.defs)).toEqual(defs.map((_, i) => String(i)));
    defs.forEach((d, i) => {
      expect(lazy.def(i)).toEqual(d);
    });
    expect(lazy.def(defs.length)).toBeUndefined();
    // Found by search (the first few) and by the line index (after that) alike.
    const fresh = indexConstraints(text);
    expect(fresh.def(defs.length - 1)).toEqual(defs.at(-1));
    expect(fresh.def(defs.length)).toBeUndefined();
    expect(lazy.resource("AWS::Lambda::Function")?.Timeout).toEqual({ n: 1, x: 900 });
  });

  it("the runtime spec: every type in the index is in its service's file, every struct reference resolves there", () => {
    const dir = join(pkg, "src", "generated", "spec");
    const reads: string[] = [];
    const spec = openSpec((name) => {
      reads.push(name);
      return JSON.parse(readFileSync(join(dir, name), "utf8"));
    });
    expect(spec.source).toMatch(/^@aws-cdk\/aws-service-spec@\d/);
    expect(reads).toEqual(["index.json"]);
    const types = spec.resourceTypes();
    expect(types.length).toBeGreaterThan(1000);
    const services = readdirSync(dir).filter((f) => f !== "index.json");
    expect(new Set(types.map((t) => `${serviceFile(t)}.json`))).toEqual(new Set(services));
    // Every "#n" reaches a struct of the same file, at any depth.
    const refs = (enc: TypeEnc): number[] =>
      typeof enc === "string"
        ? [...(/#(\d+)$/.exec(enc)?.slice(1) ?? [])].map(Number)
        : enc.slice(1).flatMap((e) => refs(e));
    for (const type of types) {
      const rs = spec.resource(type)!;
      expect(rs, type).toBeDefined();
      const seen = new Set<StructSpec>();
      const walk = (props: Record<string, TypeEnc>) => {
        for (const enc of Object.values(props)) {
          for (const n of refs(enc)) {
            const s = rs.structs[n];
            expect(s, `${type}: struct #${n}`).toBeDefined();
            if (s && !seen.has(s)) {
              seen.add(s);
              walk(s);
            }
          }
        }
      };
      walk(rs.p);
    }
    // Each service's file was read once, when its first type was looked up.
    expect(reads.length).toBe(services.length + 1);
  });

  it("the runtime spec reads only the services looked up, and never a file for an unknown type", () => {
    const dir = join(pkg, "src", "generated", "spec");
    const reads: string[] = [];
    const spec = openSpec((name) => {
      reads.push(name);
      return JSON.parse(readFileSync(join(dir, name), "utf8"));
    });
    expect(spec.resource("AWS::Lambda::Function")?.a).toContain("Arn");
    expect(spec.resource("AWS::Lambda::Permission")).toBeDefined();
    expect(spec.resource("AWS::SQS::Queue")?.p.VisibilityTimeout).toBe("I");
    for (const unknown of ["AWS::Nope::Nope", "AWS::Lambda::Nope", "AWS::/../../x::Y", "Custom::Thing", ""])
      expect(spec.resource(unknown), unknown).toBeUndefined();
    expect(reads).toEqual(["index.json", "aws-lambda.json", "aws-sqs.json"]);
  });

  it("an index that is not the generator's is a clear error", () => {
    expect(() => openSpec(() => ({ resources: {} }))).toThrow(/not in the generator's format/);
  });

  it("knows Lambda's required properties and attributes", () => {
    const spec = openSpec((name) =>
      JSON.parse(readFileSync(join(pkg, "src", "generated", "spec", name), "utf8")),
    );
    const lambda = spec.resource("AWS::Lambda::Function")!;
    expect(lambda.p.Code).toMatch(/^!#\d+$/);
    expect(lambda.structs[Number((lambda.p.Code as string).slice(2))]).toHaveProperty("ZipFile", "S");
    expect(lambda.p.Role).toBe("!S");
    expect(lambda.p.MemorySize).toBe("I");
    expect(lambda.a).toContain("Arn");
  });
});

describe("SAM templates", () => {
  it("do not report names SAM generates, and accept Globals", () => {
    const problems = validateTemplate({
      Transform: "AWS::Serverless-2016-10-31",
      Globals: { Function: { Timeout: 10 } },
      Resources: {
        Fn: {
          Type: "AWS::Serverless::Function",
          Properties: { Runtime: "nodejs22.x", Handler: "index.handler", InlineCode: "x" },
        },
        Perm: {
          Type: "AWS::Lambda::Permission",
          Properties: {
            Action: "lambda:InvokeFunction",
            FunctionName: { Ref: "FnAliaslive" },
            Principal: "sns.amazonaws.com",
          },
        },
      },
      Outputs: { Role: { Value: { "Fn::GetAtt": ["FnRole", "Arn"] } } },
    } as never);
    expect(problems).toEqual([]);
  });
});
