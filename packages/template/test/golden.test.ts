import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { mergeTemplates, Template, toJson, toYaml, validateTemplate } from "../src/index.js";
import { findCfnLint, runCfnLint } from "./cfn-lint.js";
import { fixtures } from "./fixtures.js";

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), "golden");
const update = process.env.UPDATE === "1";

function golden(file: string, actual: string): void {
  const path = join(goldenDir, file);
  if (update) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(path, actual);
  }
  expect(actual, `${file} differs from the golden file; review and rerun with UPDATE=1`).toBe(
    readFileSync(path, "utf8"),
  );
}

const NOW = new Date("2026-11-26T00:00:00Z");

describe("golden templates", () => {
  for (const [name, build] of Object.entries(fixtures)) {
    it(`${name}: JSON and YAML match the golden files and validate clean`, () => {
      const t = build();
      expect(validateTemplate(t, { now: NOW })).toEqual([]);
      golden(`${name}.json`, toJson(t));
      golden(`${name}.yaml`, toYaml(t));
    });
  }

  it("merged fragments match the golden file", () => {
    const merged = mergeTemplates(fixtures.helloApi!(), fixtures.queueWorker!());
    expect(validateTemplate(merged, { now: NOW })).toEqual([]);
    golden("merged.json", toJson(merged));
  });

  it("serialises byte-identically whatever order the model was built in", () => {
    const a = fixtures.queueWorker!().toJSON();
    const reversed = (o: object) => Object.fromEntries(Object.entries(o).reverse());
    const b: Record<string, unknown> = {};
    for (const [section, value] of Object.entries(a).reverse()) {
      b[section] =
        value !== null && typeof value === "object" && !Array.isArray(value) ? reversed(value) : value;
    }
    expect(toJson(b as never)).toBe(toJson(a));
    expect(toYaml(b as never)).toBe(toYaml(a));
    expect(toJson(fixtures.queueWorker!())).toBe(toJson(fixtures.queueWorker!()));
    const rebuilt = new Template().merge(JSON.parse(toJson(a)));
    expect(toJson(rebuilt)).toBe(toJson(a));
  });

  const bin = findCfnLint();
  it.skipIf(!bin)(
    "every golden file passes cfn-lint with no finding",
    () => {
      const files = [
        ...Object.keys(fixtures).flatMap((n) => [join(goldenDir, `${n}.json`), join(goldenDir, `${n}.yaml`)]),
        join(goldenDir, "merged.json"),
      ];
      const { status, findings } = runCfnLint(bin!, files);
      const all = [...findings].flatMap(([f, list]) => list.map((x) => `${f}: ${x.rule} ${x.message}`));
      expect(all).toEqual([]);
      expect(status).toBe(0);
    },
    120_000,
  );
  if (!bin)
    it("cfn-lint is not installed: the cfn-lint assertion on golden files is skipped", () => {
      expect(bin).toBeUndefined();
    });
});
