import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isStackName, STACK_NAME_PATTERN } from "../src/names.js";

describe("stack names (@sparta/converge/names)", () => {
  it("follow CloudFormation's rule: a letter, then letters, digits or '-', at most 128 characters", () => {
    for (const ok of ["a", "hello", "Hello-dev-2", `a${"b".repeat(127)}`]) expect(isStackName(ok)).toBe(true);
    for (const bad of ["", "1abc", "-abc", "bad name", "under_score", `a${"b".repeat(128)}`, 42, undefined])
      expect(isStackName(bad)).toBe(false);
    expect(STACK_NAME_PATTERN.source).toBe("^[A-Za-z][A-Za-z0-9-]{0,127}$");
  });

  it("load without the AWS SDK (the CLI checks --stackName at start-up with them): the entry imports nothing", () => {
    const built = readFileSync(fileURLToPath(new URL("../dist/names.js", import.meta.url)), "utf8");
    expect(built).not.toMatch(/\bimport\b|\brequire\(/);
    expect(built).toContain("isStackName");
  });
});
