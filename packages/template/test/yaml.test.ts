import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { toJson, toYaml } from "../src/index.js";

// Strings a naive YAML writer gets wrong: YAML 1.1 booleans, nulls, numbers, dates, indicators, escapes.
const NASTY = [
  "",
  " ",
  "yes",
  "No",
  "ON",
  "off",
  "y",
  "null",
  "Null",
  "~",
  "123",
  "1e3",
  "0x1F",
  "0o17",
  "017",
  ".5",
  "._",
  "-1",
  "+1",
  "1_000",
  "2010-09-09",
  "12:30",
  "a: b",
  "a #b",
  "#x",
  "- x",
  "-",
  "? x",
  "@x",
  "`x",
  "!x",
  "&x",
  "*x",
  "*",
  "|x",
  ">x",
  "%x",
  "{x}",
  "[x]",
  "x,y",
  "'x'",
  '"x"',
  "x\ny",
  "\t",
  "é",
  "💥",
  "a\\b",
  "${AWS::Region}",
  "arn:aws:s3:::bucket/*",
  "x:",
  "x :",
  "Fn::Sub",
  ".inf",
  "-.inf",
  ".NaN",
  "=",
  "<<",
  "true ",
  " true",
  "/aws/lambda/x",
  "index.handler",
  "a=b+c (d), e@f $g",
];

const python = ["/root/.pyenv/shims/python3", "python3"].find(
  (p) => spawnSync(p, ["-c", "import yaml"], { encoding: "utf8" }).status === 0,
);

describe("toYaml", () => {
  const template = {
    Resources: {
      P: {
        Type: "AWS::SSM::Parameter",
        Properties: {
          Type: "String",
          Value: "v",
          Strings: NASTY,
          Keys: Object.fromEntries(NASTY.filter((s) => s !== "").map((s, i) => [s, i])),
          Numbers: [0, -1, 1.5, 1e21, 123456789],
          Booleans: [true, false],
          Nothing: null,
          Empty: { list: [], map: {} },
          Nested: [[1, [2]], [{ a: [] }], { "Fn::Sub": ["${X}", { X: "y" }] }],
        },
      },
    },
  };

  it.skipIf(!python)(
    "round-trips every tricky string through a YAML 1.1 parser (PyYAML) to the same JSON",
    () => {
      const yaml = toYaml(template);
      const r = spawnSync(
        python!,
        ["-c", "import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))"],
        { input: yaml, encoding: "utf8" },
      );
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(toJson(template)));
    },
  );
  if (!python)
    it("PyYAML is not installed: the YAML round-trip check is skipped", () => expect(python).toBeUndefined());

  it("is deterministic", () => {
    expect(toYaml(template)).toBe(toYaml(structuredClone(template)));
  });
});
