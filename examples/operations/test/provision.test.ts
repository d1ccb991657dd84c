import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@sparta/cli";
import { validateTemplate } from "@sparta/template";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  UpdatePolicy?: Record<string, unknown>;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}

const exampleDir = fileURLToPath(new URL("..", import.meta.url));
const golden = fileURLToPath(new URL("./golden/orders.template.json", import.meta.url));
const FUNCTIONS = ["OrdersFunction", "ReportFunction"];
const KINDS = ["ErrorRate", "Throttles", "Duration"];

/** A private copy of the example (its node_modules a symlink), so the test never writes into the real folder. */
function copyExample(): string {
  const dir = mkdtempSync(join(tmpdir(), "sparta-operations-"));
  for (const f of ["package.json", "sparta.config.ts", "src"])
    cpSync(join(exampleDir, f), join(dir, f), { recursive: true });
  symlinkSync(join(exampleDir, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/** Every logical id a `{ Ref }`, `{ Fn::GetAtt }` or `${Id}` in `Fn::Sub` names inside `value`. */
function referencedIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencedIds(v, into);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "Ref" && typeof v === "string") into.add(v);
      else if (k === "Fn::GetAtt" && Array.isArray(v)) into.add(String(v[0]));
      else if (k === "Fn::Sub") {
        const text = Array.isArray(v) ? v[0] : v;
        for (const m of String(text).matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) into.add(m[1]!);
        referencedIds(v, into);
      } else referencedIds(v, into);
    }
  }
  return into;
}

/** `sparta provision --noop --format json` in `dir`, in process; the summary and the template's text. */
async function provisionNoop(dir: string) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(["provision", "--noop", "--format", "json"], {
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdout: {
      write: (s: string) => {
        stdout += s;
      },
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
      },
    },
  });
  expect(stderr).not.toMatch(/^(internal )?error:/im);
  expect(code, stderr).toBe(0);
  return {
    summary: JSON.parse(stdout) as { noop: boolean; stackName: string; functions: { name: string }[] },
    text: readFileSync(join(dir, ".sparta", "cloudformation.json"), "utf8"),
  };
}

const byType = (t: Template, type: string) =>
  Object.keys(t.Resources)
    .filter((id) => t.Resources[id]!.Type === type)
    .sort();

describe("examples/operations: sparta provision --noop with every operations feature on", () => {
  const dir = copyExample();
  let template: Template;
  let text: string;
  let summary: { noop: boolean; stackName: string; functions: { name: string }[] };

  beforeAll(async () => {
    const r = await provisionNoop(dir);
    summary = r.summary;
    text = r.text;
    template = JSON.parse(text);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("builds both functions without deploying anything", () => {
    expect(summary).toMatchObject({ noop: true, stackName: "orders" });
    expect(summary.functions.map((f) => f.name)).toEqual(["orders", "report"]);
  });

  it("adds a dashboard and its URL output", () => {
    expect(byType(template, "AWS::CloudWatch::Dashboard")).toEqual(["SpartaDashboard"]);
    const body = JSON.stringify(template.Resources.SpartaDashboard!.Properties?.DashboardBody);
    for (const f of FUNCTIONS) expect(body).toContain(f);
    expect(JSON.stringify(template.Outputs.SpartaDashboardUrl!.Value)).toMatch(
      /console\.aws\.amazon\.com\/cloudwatch\/.*#dashboards\/dashboard\/\$\{SpartaDashboard\}/,
    );
  });

  it("adds three alarms per function, a 5xx alarm for the HTTP API and the composite rollback alarm over them", () => {
    const alarms = byType(template, "AWS::CloudWatch::Alarm");
    const functionAlarms = FUNCTIONS.flatMap((f) => KINDS.map((k) => `${f}${k}Alarm`))
      .concat("HttpApi5xxAlarm")
      .sort();
    // safeDeploy adds one more per function: errors of the new version alone, watched during the canary.
    expect(alarms).toEqual([...functionAlarms, ...FUNCTIONS.map((f) => `${f}NewVersionErrorsAlarm`)].sort());
    expect(byType(template, "AWS::CloudWatch::CompositeAlarm")).toEqual(["SpartaRollbackAlarm"]);
    const rule = template.Resources.SpartaRollbackAlarm!.Properties?.AlarmRule;
    expect([...referencedIds(rule)].sort()).toEqual(functionAlarms);
    expect(template.Outputs.SpartaRollbackAlarmArn!.Value).toEqual({
      "Fn::GetAtt": ["SpartaRollbackAlarm", "Arn"],
    });
    for (const id of functionAlarms)
      expect(template.Outputs[`SpartaAlarm${id.replace(/Alarm$/, "")}`]).toBeDefined();
  });

  it("publishes a Version and a `live` Alias per function, and points the triggers at the alias", () => {
    for (const f of FUNCTIONS) {
      const versions = byType(template, "AWS::Lambda::Version").filter((id) => id.startsWith(`${f}Version`));
      expect(versions).toHaveLength(1);
      const [version = ""] = versions;
      expect(template.Resources[version]?.Properties).toMatchObject({ FunctionName: { Ref: f } });
      const alias = template.Resources[`${f}Alias`]!;
      expect(alias.Type).toBe("AWS::Lambda::Alias");
      expect(alias.Properties).toMatchObject({
        Name: "live",
        FunctionName: { Ref: f },
        FunctionVersion: { "Fn::GetAtt": [version, "Version"] },
      });
    }
    expect(template.Resources.OrdersHttpIntegration!.Properties?.IntegrationUri).toEqual({
      Ref: "OrdersFunctionAlias",
    });
    expect(template.Resources.ReportScheduleTrigger0Rule!.Properties?.Targets).toEqual([
      expect.objectContaining({ Arn: { Ref: "ReportFunctionAlias" } }),
    ]);
  });

  it("shifts traffic with CodeDeploy, each deployment group stopping on alarms of this template", () => {
    expect(byType(template, "AWS::CodeDeploy::Application")).toEqual(["SpartaCodeDeployApplication"]);
    expect(byType(template, "AWS::CodeDeploy::DeploymentGroup")).toEqual(
      FUNCTIONS.map((f) => `${f}DeploymentGroup`).sort(),
    );
    for (const f of FUNCTIONS) {
      const group = template.Resources[`${f}DeploymentGroup`]?.Properties;
      expect(group).toMatchObject({
        ApplicationName: { Ref: "SpartaCodeDeployApplication" },
        DeploymentConfigName: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
        AutoRollbackConfiguration: {
          Enabled: true,
          Events: expect.arrayContaining(["DEPLOYMENT_STOP_ON_ALARM"]),
        },
      });
      const config = group?.AlarmConfiguration as { Enabled: boolean; Alarms: { Name: unknown }[] };
      expect(config.Enabled).toBe(true);
      const names = config.Alarms.map((a) => a.Name as { Ref: string });
      expect(names.length).toBeGreaterThanOrEqual(4);
      for (const name of names) {
        expect(template.Resources[name.Ref]?.Type, `${f}: alarm ${name.Ref}`).toBe("AWS::CloudWatch::Alarm");
      }
      expect(names.map((n) => n.Ref)).toEqual(expect.arrayContaining(KINDS.map((k) => `${f}${k}Alarm`)));
      // The alias update is what CodeDeploy performs.
      expect(template.Resources[`${f}Alias`]!.UpdatePolicy).toEqual({
        CodeDeployLambdaAliasUpdate: {
          ApplicationName: { Ref: "SpartaCodeDeployApplication" },
          DeploymentGroupName: { Ref: `${f}DeploymentGroup` },
        },
      });
    }
  });

  it("routes GET /health to the orders function's integration", () => {
    expect(template.Resources.HttpApiHealthRoute).toMatchObject({
      Type: "AWS::ApiGatewayV2::Route",
      Properties: {
        RouteKey: "GET /health",
        Target: { "Fn::Join": ["/", ["integrations", { Ref: "OrdersHttpIntegration" }]] },
      },
    });
  });

  it("references only resources and parameters it declares", () => {
    const declared = new Set([
      ...Object.keys(template.Resources),
      ...Object.keys((template as { Parameters?: object }).Parameters ?? {}),
    ]);
    const missing = [...referencedIds(template)].filter((id) => !declared.has(id) && !id.startsWith("AWS"));
    expect(missing).toEqual([]);
  });

  it("grants no IAM statement a `*` action", () => {
    const actions: string[] = [];
    for (const r of Object.values(template.Resources)) {
      if (r.Type !== "AWS::IAM::Role" && r.Type !== "AWS::IAM::Policy") continue;
      const docs = [
        ...((r.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).map(
          (p) => p.PolicyDocument,
        ),
        r.Properties?.PolicyDocument,
      ];
      for (const doc of docs) {
        for (const s of (doc as { Statement?: { Action: string | string[] }[] } | undefined)?.Statement ?? [])
          actions.push(...[s.Action].flat());
      }
    }
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a.includes("*"))).toEqual([]);
  });

  it("passes @sparta/template's validation", () => {
    expect(validateTemplate(template)).toEqual([]);
  });

  it("passes cfn-lint with no error", (ctx) => {
    const bin = ["/root/.pyenv/shims/cfn-lint", "cfn-lint"].find(
      (b) => spawnSync(b, ["--version"], { encoding: "utf8" }).status === 0,
    );
    if (bin === undefined) {
      if (process.env.CI)
        throw new Error("cfn-lint is not installed, and CI=true requires it (pip install cfn-lint)");
      ctx.skip("cfn-lint is not installed; pip install cfn-lint to run this check");
      return;
    }
    const r = spawnSync(bin, ["--", join(dir, ".sparta", "cloudformation.json")], { encoding: "utf8" });
    // Exit code bit 2 is set for errors; warnings (4) and informational (8) are printed for review.
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/^E\d{4}/m);
    expect((r.status ?? -1) & 2, `${r.stdout}${r.stderr}`).toBe(0);
  });

  it("matches the golden template (UPDATE=1 regenerates it)", () => {
    // Code keys and version ids hash the bundles, which include @sparta/handler; the golden pins the rest.
    const normalised = text
      .replace(/-[0-9a-f]{16}\.zip/g, "-<sha256>.zip")
      .replace(/(Function)Version[0-9a-f]{10}\b/g, "$1Version<hash>")
      .replace(/("Description": "\w+Function) [0-9a-f]{10}"/g, '$1 <hash>"');
    if (process.env.UPDATE === "1" || (!existsSync(golden) && !process.env.CI)) {
      mkdirSync(dirname(golden), { recursive: true });
      writeFileSync(golden, normalised);
      return;
    }
    expect(normalised).toBe(readFileSync(golden, "utf8"));
  });

  it("publishes a new version of a function whose code changed, and only of that one", async () => {
    const versionOf = (t: Template, f: string) =>
      byType(t, "AWS::Lambda::Version").filter((id) => id.startsWith(`${f}Version`));
    const source = join(dir, "src", "orders.ts");
    writeFileSync(source, readFileSync(source, "utf8").replace("{ orders: [] }", "{ orders: [], page: 1 }"));
    const next: Template = JSON.parse((await provisionNoop(dir)).text);
    expect(versionOf(next, "OrdersFunction")).toHaveLength(1);
    expect(versionOf(next, "OrdersFunction")).not.toEqual(versionOf(template, "OrdersFunction"));
    expect(next.Resources.OrdersFunctionAlias!.Properties?.FunctionVersion).toEqual({
      "Fn::GetAtt": [versionOf(next, "OrdersFunction")[0], "Version"],
    });
    expect(versionOf(next, "ReportFunction")).toEqual(versionOf(template, "ReportFunction"));
  }, 120_000);
});
