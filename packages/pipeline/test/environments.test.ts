import { describe, expect, it } from "vitest";
import {
  createEnvironmentRegistry,
  DuplicateEnvironmentError,
  InvalidEnvironmentError,
  pipelineEnvironments,
  registerEnvironment,
} from "../src/index.js";

describe("environment registry", () => {
  it("keeps environments in registration order, with frozen copies of their variables", () => {
    const registry = createEnvironmentRegistry();
    const vars = { MESSAGE: "hello test" };
    registry.register("test", vars);
    registry.register("production", { MESSAGE: "hello production" });
    vars.MESSAGE = "changed";
    expect(registry.list().map((e) => e.name)).toEqual(["test", "production"]);
    expect(registry.list()[0]?.variables).toEqual({ MESSAGE: "hello test" });
    expect(Object.isFrozen(registry.list()[0]?.variables)).toBe(true);
    expect(registry.warnings()).toEqual([]);
  });

  it("rejects registering the same name twice, naming it", () => {
    const registry = createEnvironmentRegistry();
    registry.register("test", { MESSAGE: "a" });
    expect(() => registry.register("test", { MESSAGE: "b" })).toThrow(DuplicateEnvironmentError);
    expect(() => registry.register("test", { MESSAGE: "b" })).toThrow(
      /Environment "test" is registered twice/,
    );
    expect(registry.list()).toHaveLength(1);
  });

  it("warns, naming the keys, when environments' variable keys differ", () => {
    const warnings: string[] = [];
    const registry = createEnvironmentRegistry({ reporter: { warn: (m) => warnings.push(m) } });
    registry.register("test", { MESSAGE: "a", TABLE: "t" });
    registry.register("production", { MESSAGE: "b", LEVEL: "info" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Environment "production" lacks TABLE and adds LEVEL compared with "test"');
    expect(registry.warnings()).toEqual(warnings);
  });

  it.each([
    ["Test", { A: "1" }],
    ["has space", { A: "1" }],
    ["", { A: "1" }],
    ["test", { "BAD-KEY": "1" }],
    ["test", { AWS_REGION: "eu-west-1" }],
    ["test", { COUNT: 3 as unknown as string }],
  ])("rejects environment %j with variables %j", (name, vars) => {
    expect(() => createEnvironmentRegistry().register(name, vars)).toThrow(InvalidEnvironmentError);
  });

  it("has a process-wide registry behind registerEnvironment", () => {
    const before = pipelineEnvironments().length;
    registerEnvironment("global-one", { MESSAGE: "x" });
    expect(pipelineEnvironments().map((e) => e.name)).toContain("global-one");
    expect(pipelineEnvironments()).toHaveLength(before + 1);
    expect(() => registerEnvironment("global-one", { MESSAGE: "y" })).toThrow(DuplicateEnvironmentError);
  });
});
