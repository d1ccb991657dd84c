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

describe("secrets of the environments in the service template", () => {
  function secretEnvironments() {
    const registry = createEnvironmentRegistry();
    registry.register("test", {
      API_KEY: { secretsManager: "test/api-key" },
      DB: { ssmParameter: "/test/db" },
    });
    registry.register("production", {
      API_KEY: { secretsManager: "prod/api-key", jsonKey: "key" },
      DB: { ssmParameter: "/prod/db" },
    });
    return registry.list();
  }

  it("gives a Secrets Manager secret as a dynamic reference and a SecureString by name, its parameter holding where it is kept", () => {
    const template = applyEnvironments(helloTemplate(), secretEnvironments());
    expect(template.Parameters?.EnvAPIKEY).toMatchObject({ Type: "String", Default: "test/api-key" });
    expect(template.Parameters?.EnvDB).toMatchObject({ Type: "String", Default: "/test/db" });
    expect(template.Resources.HelloFunction?.Properties?.Environment).toEqual({
      Variables: {
        GREETING: "hi",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
        API_KEY: { "Fn::Sub": "{{resolve:secretsmanager:${EnvAPIKEY}}}" },
        DB: { Ref: "EnvDB" },
      },
    });
    const statements = (
      template.Resources.HelloRole?.Properties?.Policies as { PolicyDocument: { Statement: unknown[] } }[]
    )[0]!.PolicyDocument.Statement;
    expect(statements).toContainEqual({
      Effect: "Allow",
      Action: ["ssm:GetParameter"],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's syntax, not a JavaScript template
      Resource: [
        { "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${EnvDB}" },
      ],
    });
  });

  it("writes where each environment's secret is kept into the CodePipeline package, never a value", () => {
    expect(codePipelinePackageFor(secretEnvironments(), "p.zip").environments).toEqual({
      test: {
        Parameters: { EnvAPIKEY: "test/api-key", EnvDB: "/test/db" },
        Tags: { "sparta:environment": "test" },
      },
      production: {
        Parameters: { EnvAPIKEY: "prod/api-key:SecretString:key", EnvDB: "/prod/db" },
        Tags: { "sparta:environment": "production" },
      },
    });
  });

  it("rejects a malformed secret, naming the variable and the valid forms", () => {
    const registry = createEnvironmentRegistry();
    expect(() => registry.register("test", { DB: { ssmParameter: "no-slash" } })).toThrow(
      /variable "DB" names the parameter "no-slash"; give a hierarchical Parameter Store name starting with "\/"/,
    );
    expect(() => registry.register("test", { K: { vault: "x" } as never })).toThrow(
      /variable "K" is \{"vault":"x"\}, neither a string nor a secret; e.g. K: \{ secretsManager: "test\/k" \}/,
    );
  });
});
