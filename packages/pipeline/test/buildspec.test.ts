import { describe, expect, it } from "vitest";
import { yamlScalar } from "../src/buildspec.js";
import { buildspec, InvalidPipelineOptionsError } from "../src/index.js";
import { expectGolden } from "./golden.js";
import { canParseYaml, parseYaml } from "./yaml.js";

const basic = { packageFileName: "SpartaCodePipeline.zip", environments: ["test", "production"] };

describe("buildspec", () => {
  it("matches the golden buildspec (npm, service at the repository root)", () => {
    expectGolden("buildspec.npm.yml", buildspec(basic));
  });

  it("matches the golden buildspec (pnpm, service in a subfolder)", () => {
    expectGolden(
      "buildspec.pnpm-subfolder.yml",
      buildspec({
        ...basic,
        packageManager: "pnpm",
        serviceDir: "examples/codepipeline",
        preBuild: ["pnpm run build"],
      }),
    );
  });

  it.skipIf(!canParseYaml)("is YAML with the phases and artifacts CodeBuild expects", () => {
    const spec = parseYaml(buildspec(basic));
    expect(spec.version).toBe(0.2);
    expect(spec.phases.pre_build.commands).toEqual(["npm ci"]);
    expect(spec.phases.build.commands[0]).toBe(
      'npx --no-install sparta provision --codePipelinePackage "$SPARTA_CODEPIPELINE_PACKAGE" --noop --s3Bucket "$SPARTA_S3_BUCKET"',
    );
    expect(spec.phases.post_build.commands).toEqual([
      'unzip -o ".sparta/$SPARTA_CODEPIPELINE_PACKAGE" -d .sparta',
    ]);
    expect(spec.artifacts).toEqual({
      "base-directory": ".sparta",
      "discard-paths": true, // YAML 1.1 reads `yes` as true, as CodeBuild does
      files: ["cloudformation.json", "test.json", "production.json"],
    });
    expect(spec.env.variables.SPARTA_CODEPIPELINE_PACKAGE).toBe("SpartaCodePipeline.zip");
  });

  it.skipIf(!canParseYaml)("runs in the service's folder and collects artifacts from its .sparta", () => {
    const spec = parseYaml(buildspec({ ...basic, serviceDir: "./examples/codepipeline/" }));
    expect(spec.phases.build.commands[0]).toBe('cd "$CODEBUILD_SRC_DIR/examples/codepipeline"');
    expect(spec.artifacts["base-directory"]).toBe("examples/codepipeline/.sparta");
  });

  it.skipIf(!canParseYaml)("writes every command so that YAML reads back exactly the same string", () => {
    const values = [
      "npm ci",
      "yes",
      "123",
      '"quoted" start',
      "a: b",
      "x #comment",
      "it's",
      'it\'s "both": here',
      "- dash",
      "{brace}",
      "echo $HOME > out.txt; cat out.txt | wc -l",
    ];
    const doc = `list:\n${values.map((v) => `  - ${yamlScalar(v)}`).join("\n")}\n`;
    expect(parseYaml(doc).list).toEqual(values);
    expect(yamlScalar("npm ci")).toBe("npm ci");
  });

  it("rejects a package name that is not a .zip file, no environments, and a folder outside the repository", () => {
    expect(() => buildspec({ ...basic, packageFileName: "../x.zip" })).toThrow(InvalidPipelineOptionsError);
    expect(() => buildspec({ ...basic, packageFileName: "pkg.tar" })).toThrow(/ending in ".zip"/);
    expect(() => buildspec({ ...basic, environments: [] })).toThrow(/at least one environment/);
    expect(() => buildspec({ ...basic, serviceDir: "../elsewhere" })).toThrow(/inside the repository/);
  });
});
