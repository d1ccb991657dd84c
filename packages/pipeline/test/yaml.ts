import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const PYTHON = "/root/.pyenv/shims/python3";

/** Whether PyYAML (installed with cfn-lint) can be used as an independent YAML reader. */
export const canParseYaml =
  existsSync(PYTHON) &&
  (() => {
    try {
      execFileSync(PYTHON, ["-c", "import yaml"]);
      return true;
    } catch {
      return false;
    }
  })();

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, checked by each expectation
export function parseYaml(text: string): any {
  const json = execFileSync(
    PYTHON,
    ["-c", "import sys, yaml, json; print(json.dumps(yaml.safe_load(sys.stdin)))"],
    {
      input: text,
      encoding: "utf8",
    },
  );
  return JSON.parse(json);
}
