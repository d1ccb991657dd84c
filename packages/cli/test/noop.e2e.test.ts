import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateTemplate } from "@sparta/template";
import { describe, expect, it } from "vitest";
import { exampleDir, runBinAsync } from "./example.js";
import { cfnLint, expectGolden, hasCfnLint } from "./helpers.js";

const golden = fileURLToPath(new URL("./golden/hello.template.json", import.meta.url));
const out = join(exampleDir, ".sparta");

function snapshot() {
  const files = readdirSync(out)
    .filter((f) => f.endsWith(".zip") || f.endsWith(".json"))
    .sort();
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(out, f)).toString("base64")]));
}

// One test file builds examples/hello itself (the others work on copies), so runs here are sequential.
describe("sparta provision --noop on examples/hello", () => {
  let first: Record<string, string>;

  it("builds a valid template, ZIPs and a manifest, touching no AWS", async () => {
    const r = await runBinAsync(["provision", "--noop", "--format", "json"], exampleDir);
    expect(r.stderr).not.toMatch(/^(internal )?error:/im);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ noop: true, stackName: "hello", resources: expect.any(Number) });
    expect(summary.functions.map((f: { name: string }) => f.name)).toEqual(["hello", "uploads", "nightly"]);
    const template = JSON.parse(readFileSync(join(out, "cloudformation.json"), "utf8"));
    expect(validateTemplate(template)).toEqual([]);
    // Keys are content hashes of bundles that include @sparta/handler; the golden file pins the rest.
    expectGolden(
      golden,
      readFileSync(join(out, "cloudformation.json"), "utf8").replace(/-[0-9a-f]{16}\.zip/g, "-<sha256>.zip"),
    );
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(manifest.artifacts.map((a: { key: string }) => a.key).sort()).toEqual(
      summary.functions.map((f: { key: string }) => f.key).sort(),
    );
    for (const f of summary.functions) {
      const test = spawnSync("unzip", ["-t", join(out, f.key)], { encoding: "utf8" });
      expect(test.stdout).toMatch(/No errors detected/);
      expect(test.status).toBe(0);
      // Each function's S3Key is its content-addressed artifact.
      expect(JSON.stringify(template)).toContain(`"S3Key": "${f.key}"`.replace(": ", ":"));
    }
    first = snapshot();
  }, 120_000);

  it("puts the alarms alarms() adds and their composite rollback alarm in the same template", () => {
    const template = JSON.parse(readFileSync(join(out, "cloudformation.json"), "utf8")) as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
      Outputs: Record<string, { Value: unknown }>;
    };
    const alarms = Object.keys(template.Resources).filter(
      (id) => template.Resources[id]!.Type === "AWS::CloudWatch::Alarm",
    );
    // Three per function (error rate, throttles, duration) and a 5xx-rate alarm for the HTTP API.
    expect(alarms.sort()).toEqual(
      ["Hello", "Uploads", "Nightly"]
        .flatMap((f) => ["ErrorRate", "Throttles", "Duration"].map((k) => `${f}Function${k}Alarm`))
        .concat("HttpApi5xxAlarm")
        .sort(),
    );
    const rollback = template.Resources.SpartaRollbackAlarm!;
    expect(rollback.Type).toBe("AWS::CloudWatch::CompositeAlarm");
    // Every alarm the composite rule names is a resource of this template, and every alarm is named.
    const rule = JSON.stringify(rollback.Properties?.AlarmRule);
    const named = [...rule.matchAll(/ALARM\(\\"\$\{(\w+)\}\\"\)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    expect([...new Set(named)].sort()).toEqual(alarms.sort());
    // The output provision reads to pass the composite as the next deploy's rollback trigger.
    expect(template.Outputs.SpartaRollbackAlarmArn!.Value).toEqual({
      "Fn::GetAtt": ["SpartaRollbackAlarm", "Arn"],
    });
    // GET /health goes to the hello function's integration.
    expect(template.Resources.HttpApiHealthRoute!.Properties).toMatchObject({
      RouteKey: "GET /health",
      Target: { "Fn::Join": ["/", ["integrations", { Ref: "HelloHttpIntegration" }]] },
    });
  });

  it("gives byte-identical artifacts, template and manifest on a second run", async () => {
    const r = await runBinAsync(["provision", "--noop"], exampleDir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^noop: would provision stack hello \(\d+ resources\); nothing was deployed/);
    expect(snapshot()).toEqual(first);
  }, 120_000);

  it.skipIf(!hasCfnLint)(
    "passes cfn-lint",
    () => {
      const lint = cfnLint(join(out, "cloudformation.json"));
      expect(lint.output).toBe("");
      expect(lint.status).toBe(0);
    },
    120_000,
  );
});
