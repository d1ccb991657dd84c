import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const generated = join(pkg, "src", "generated");
const NO_CHECK = /^\/\/ @ts-nocheck[^\n]*\n/;

// What a plain Node consumer compiles with: no DOM, Node's types, strict.
const consumerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2023.d.ts"],
  types: ["node"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  skipLibCheck: false,
};

/** A program over `files` (name -> text, in the test folder) beside the package's real files. */
function program(
  files: Record<string, string>,
  options: ts.CompilerOptions,
  transform = (_: string, text: string) => text,
) {
  const host = ts.createCompilerHost(options);
  const virtual = new Map(Object.entries(files).map(([name, text]) => [join(pkg, "test", name), text]));
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists(f);
  host.readFile = (f) => virtual.get(f) ?? readFile(f);
  host.getSourceFile = (f, v, onError, create) => {
    const text = virtual.get(f);
    if (text !== undefined) return ts.createSourceFile(f, text, v);
    const sf = getSourceFile(f, v, onError, create);
    return sf && ts.createSourceFile(f, transform(f, sf.text), v);
  };
  return ts.createProgram({ rootNames: [...virtual.keys()], options, host });
}

const message = (d: ts.Diagnostic) => ts.flattenDiagnosticMessageText(d.messageText, "\n");
const where = (d: ts.Diagnostic) =>
  d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";

describe("generated resource types", () => {
  it("type-check without errors, strict, skipLibCheck false, with their @ts-nocheck marker removed", () => {
    const services = readdirSync(join(generated, "types"));
    expect(services.length).toBeGreaterThan(300);
    // The root imports every entry point of the generated declarations; ResourceBodies and the CfnTypes namespace
    // reach every service file.
    const files = {
      "all-generated.ts": [
        'import type { CfnTypes, ResourceAttributes, ResourceTypes } from "../src/index.js";',
        'import type { ResourceBodies } from "../src/generated/resource-bodies.js";',
        "export type All = [CfnTypes.LambdaFunctionProps, ResourceAttributes, ResourceTypes, ResourceBodies];",
      ].join("\n"),
    };
    let stripped = 0;
    const p = program(files, consumerOptions, (f, text) => {
      if (!f.startsWith(generated)) return text;
      expect(text, `${f} starts with the @ts-nocheck marker`).toMatch(NO_CHECK);
      stripped++;
      return text.replace(NO_CHECK, "");
    });
    const inGenerated = p.getSourceFiles().filter((f) => f.fileName.startsWith(generated));
    // base, resource-types, resource-bodies and one file a service: all in the program, all checked.
    expect(inGenerated.length).toBe(services.length + 3);
    // Only the generated files are asked for diagnostics: Node's own types are not ours to check.
    const diagnostics = [
      ...p.getGlobalDiagnostics(),
      ...inGenerated.flatMap((f) => [...p.getSyntacticDiagnostics(f), ...p.getSemanticDiagnostics(f)]),
    ];
    expect(diagnostics.map((d) => `${where(d)} ${message(d)}`)).toEqual([]);
    expect(stripped).toBe(services.length + 3);
  }, 120_000);
});

// Each line of the user file that must fail carries `// error: <part of the message>`.
const USER_FILE = `import { GetAtt, Ref, Sub, Template, type TypedResource } from "../src/index.js";
const t = new Template();
t.addResource("Fn", {
  Type: "AWS::Lambda::Function",
  Properties: {
    Code: { ZipFile: "x" },
    Role: GetAtt("Role", "Arn"),
    MemorySize: 256,
    Runtime: "nodejs22.x",
    Architectures: ["arm64"],
    PackageType: "Zip",
    Environment: { Variables: { A: "1", B: Ref("Queue") } },
  },
  DeletionPolicy: "Retain",
});
t.addResource("Q", { Type: "AWS::SQS::Queue" });
t.addResource("Logs", { Type: "AWS::Logs::LogGroup", Properties: { LogGroupName: Sub("/aws/lambda/\${Fn}"), RetentionInDays: 14 } });
t.addResource("C", { Type: "Custom::Thing", Properties: { ServiceToken: Ref("Fn"), Anything: [1, { deep: true }] } });
const dynamicType: string = "AWS::SNS::Topic";
t.addResource("D", { Type: dynamicType, Properties: { Whatever: 1 } });
const typed: TypedResource<"AWS::SQS::Queue"> = { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 60 } };
t.addResource("Q2", typed);
t.addResource("E1", { Type: "AWS::Lambda::Function", Properties: { Code: { ZipFile: "x" }, Role: "r", MemorySzie: 1 } }); // error: 'MemorySzie' does not exist in type 'LambdaFunctionProps'. Did you mean to write 'MemorySize'?
t.addResource("E2", { Type: "AWS::Lambda::Function", Properties: { Code: { ZipFile: "x" }, Role: "r", MemorySize: [256] } }); // error: Type 'number[]' is not assignable to type 'Num | undefined'
t.addResource("E3", { Type: "AWS::Lambda::Function", Properties: { Handler: "index.handler" } }); // error: missing the following properties from type 'LambdaFunctionProps': Code, Role
t.addResource("E4", { Type: "AWS::Lambda::Function" }); // error: Property 'Properties' is missing
t.addResource("E5", { Type: "AWS::Lambda::Function", Properties: { Code: { ZipFle: "x" }, Role: "r" } }); // error: 'ZipFle' does not exist in type 'Value<LambdaFunctionCode>'
t.addResource("E6", { Type: "AWS::Lambda::Function", Properties: { Code: { ZipFile: "x" }, Role: "r", PackageType: 1 } }); // error: Type 'number' is not assignable to type 'Enum<
t.addResource("E7", { Type: "AWS::SQS::Queue", DeletionPolicy: "Keep" }); // error: Type '"Keep"' is not assignable to type
t.addResource("E8", { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 60, FifoQueue: "yes" } }); // error: Type 'string' is not assignable to type 'Bool | undefined'
const wrong: TypedResource<"AWS::Lambda::Function"> = { Type: "AWS::Lambda::Function", Properties: { Handler: "x" } }; // error: missing the following properties from type 'LambdaFunctionProps': Code, Role
`;

describe("addResource typing, as a consumer's tsc sees it", () => {
  it("types Properties by the Type string, rejects wrong names and types with TypeScript's usual messages", () => {
    const p = program({ "user.ts": USER_FILE }, { ...consumerOptions, skipLibCheck: true });
    const diagnostics = p.getSemanticDiagnostics(p.getSourceFile(join(pkg, "test", "user.ts")));
    const lines = USER_FILE.split("\n");
    const expected = lines.flatMap((l, i) => {
      const m = /\/\/ error: (.*)$/.exec(l);
      return m ? [{ line: i + 1, message: m[1] as string }] : [];
    });
    const actual = diagnostics.map((d) => ({
      line: d.file!.getLineAndCharacterOfPosition(d.start!).line + 1,
      message: message(d),
    }));
    expect(actual.map((a) => a.line)).toEqual(expected.map((e) => e.line));
    actual.forEach((a, i) => {
      expect(a.message).toContain(expected[i]!.message);
    });
  }, 60_000);

  it("an editor completes the Type string, the Properties of that type and their nested properties", () => {
    const files = new Map<string, string>();
    const put = (name: string, text: string, marker: string) => {
      files.set(join(pkg, "test", name), text);
      return { file: join(pkg, "test", name), pos: text.indexOf(marker) + marker.length };
    };
    const head = 'import { Template } from "../src/index.js";\nnew Template().addResource("Fn", ';
    const type = put("c1.ts", `${head}{ Type: "AWS::Lambda::F" });\n`, "AWS::Lambda::F");
    const props = put("c2.ts", `${head}{ Type: "AWS::Lambda::Function", Properties: { Mem } });\n`, "Mem");
    const nested = put(
      "c3.ts",
      `${head}{ Type: "AWS::Lambda::Function", Properties: { Code: { Zip } } });\n`,
      "Zip",
    );
    const enumValue = put(
      "c4.ts",
      `${head}{ Type: "AWS::Lambda::Function", Properties: { PackageType: "Z" } });\n`,
      'PackageType: "Z',
    );
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => [...files.keys()],
      getScriptVersion: () => "1",
      getScriptSnapshot: (f) => {
        const text = files.get(f) ?? ts.sys.readFile(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => pkg,
      getCompilationSettings: () => ({ ...consumerOptions, skipLibCheck: true }),
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => files.has(f) || ts.sys.fileExists(f),
      readFile: (f) => files.get(f) ?? ts.sys.readFile(f),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    const ls = ts.createLanguageService(host);
    const names = (at: { file: string; pos: number }) =>
      (ls.getCompletionsAtPosition(at.file, at.pos, {})?.entries ?? []).map((e) => e.name);
    const types = names(type);
    expect(types).toContain("AWS::Lambda::Function");
    expect(types).toContain("AWS::SQS::Queue");
    expect(types.length).toBeGreaterThan(1000);
    expect(names(props)).toEqual(expect.arrayContaining(["MemorySize", "Runtime", "Code", "Role"]));
    expect(names(props)).not.toContain("VisibilityTimeout");
    expect(names(nested)).toEqual(expect.arrayContaining(["ZipFile", "S3Bucket", "S3Key"]));
    expect(names(enumValue).sort()).toEqual(["Image", "Zip"]);
  }, 60_000);
});
