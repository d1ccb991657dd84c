import { describe, expect, it } from "vitest";
import {
  applyEnvironments,
  codePipelinePackageFor,
  createEnvironmentRegistry,
  environmentParameterName,
  environmentsDecorator,
  InvalidEnvironmentError,
  type TemplateJson,
} from "../src/index.js";
import { fixture } from "./golden.js";

const helloTemplate = (): TemplateJson => JSON.parse(fixture("hello-service.json"));

function twoEnvironments() {
  const registry = createEnvironmentRegistry();
  registry.register("test", { MESSAGE: "Hello from test", TABLE_NAME: "t-test" });
  registry.register("production", { MESSAGE: "Hello from production", TABLE_NAME: "t-prod" });
  return registry.list();
}

describe("environments in the service template", () => {
  it("names parameters after the variable key", () => {
    expect(environmentParameterName("MESSAGE")).toBe("EnvMESSAGE");
    expect(environmentParameterName("TABLE_NAME")).toBe("EnvTABLENAME");
  });

  it("adds one parameter per key and maps every key into each function's environment", () => {
    const template = applyEnvironments(helloTemplate(), twoEnvironments());
    expect(template.Parameters).toMatchObject({
      ArtifactBucket: { Type: "String" },
      EnvMESSAGE: { Type: "String", Default: "Hello from test" },
      EnvTABLENAME: { Type: "String", Default: "t-test" },
    });
    expect(template.Resources.HelloFunction?.Properties?.Environment).toEqual({
      Variables: { GREETING: "hi", MESSAGE: { Ref: "EnvMESSAGE" }, TABLE_NAME: { Ref: "EnvTABLENAME" } },
    });
    expect(template.Resources.HelloRole?.Properties?.Environment).toBeUndefined();
  });

  it("works as a @sparta/cli service decorator reading environments when the template is built", () => {
    const registry = createEnvironmentRegistry();
    const decorator = environmentsDecorator(() => registry.list());
    registry.register("test", { MESSAGE: "late" });
    const template = helloTemplate();
    expect(decorator({ template })).toBeUndefined();
    expect(template.Parameters?.EnvMESSAGE?.Default).toBe("late");
  });

  it("leaves a template alone when no environment is registered", () => {
    expect(applyEnvironments(helloTemplate(), [])).toEqual(helloTemplate());
  });

  it("rejects keys that collide on one parameter name, or a parameter the service already has", () => {
    const registry = createEnvironmentRegistry();
    registry.register("test", { TABLE_NAME: "a", TABLENAME: "b" });
    expect(() => applyEnvironments(helloTemplate(), registry.list())).toThrow(InvalidEnvironmentError);
    const clash = helloTemplate();
    clash.Parameters!.EnvMESSAGE = { Type: "String" };
    expect(() => applyEnvironments(clash, twoEnvironments())).toThrow(/already has a parameter "EnvMESSAGE"/);
  });
});

describe("codePipelinePackageFor", () => {
  it("gives each environment its own parameter values and an environment tag", () => {
    expect(codePipelinePackageFor(twoEnvironments(), "SpartaCodePipeline.zip", { team: "web" })).toEqual({
      fileName: "SpartaCodePipeline.zip",
      environments: {
        test: {
          Parameters: { EnvMESSAGE: "Hello from test", EnvTABLENAME: "t-test" },
          Tags: { team: "web", "sparta:environment": "test" },
        },
        production: {
          Parameters: { EnvMESSAGE: "Hello from production", EnvTABLENAME: "t-prod" },
          Tags: { team: "web", "sparta:environment": "production" },
        },
      },
    });
  });

  it("sets an empty value for a key an environment lacks, so the stack still deploys", () => {
    const registry = createEnvironmentRegistry();
    registry.register("test", { MESSAGE: "a", EXTRA: "x" });
    registry.register("production", { MESSAGE: "b" });
    expect(codePipelinePackageFor(registry.list(), "p.zip").environments.production?.Parameters).toEqual({
      EnvMESSAGE: "b",
      EnvEXTRA: "",
    });
  });
});
