import { describe, expect, it } from "vitest";
import { alarmsIn, ROLLBACK_ALARM_ID, ROLLBACK_ALARM_OUTPUT } from "../src/index.js";
import { res, scenarios, type Tpl } from "./scenarios.js";

/** Every logical id an `${X}` / `${X.Attr}` in a Fn::Sub string names. */
function subRefs(text: string): string[] {
  return [...text.matchAll(/\$\{([^}!]+)\}/g)]
    .map((m) => String(m[1]).split(".")[0] as string)
    .filter((id) => !id.startsWith("AWS::"));
}

/** Every logical id the template refers to through Ref, GetAtt, Sub or DependsOn. */
function references(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const n of node) references(n, out);
  } else if (node !== null && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "Ref" && typeof v === "string" && !v.startsWith("AWS::")) out.push(v);
      else if (k === "Fn::GetAtt") out.push(Array.isArray(v) ? String(v[0]) : String(v).split(".")[0]!);
      else if (k === "Fn::Sub" && typeof v === "string") out.push(...subRefs(v));
      else if (k === "Fn::Sub") {
        // The list form: names of its variable map are not references to the template.
        const [text, vars] = v as [string, Record<string, unknown>];
        out.push(...subRefs(text).filter((id) => !(id in vars)));
      } else if (k === "DependsOn") out.push(...(Array.isArray(v) ? v : [v]).map(String));
      references(v, out);
    }
  }
  return out;
}

function statements(t: Tpl): { Action?: unknown; NotAction?: unknown }[] {
  const out: { Action?: unknown }[] = [];
  for (const r of Object.values(t.Resources)) {
    const p = r.Properties ?? {};
    const docs: unknown[] = [];
    if (r.Type === "AWS::IAM::Role") {
      docs.push(
        p.AssumeRolePolicyDocument,
        ...((p.Policies as { PolicyDocument: unknown }[]) ?? []).map((x) => x.PolicyDocument),
      );
    }
    if (r.Type === "AWS::IAM::Policy" || r.Type === "AWS::IAM::ManagedPolicy") docs.push(p.PolicyDocument);
    for (const d of docs) out.push(...((d as { Statement: { Action?: unknown }[] }).Statement ?? []));
  }
  return out;
}

describe.each(Object.entries(scenarios))("%s", (_name, make) => {
  const t = make();
  const params = new Set(Object.keys((t as { Parameters?: object }).Parameters ?? {}));

  it("refers only to resources and parameters the template has", () => {
    const missing = references({ Resources: t.Resources, Outputs: t.Outputs }).filter(
      (id) => !(id in t.Resources) && !params.has(id),
    );
    expect(missing).toEqual([]);
  });

  it("every alarm named by a deployment group or the rollback alarm is an alarm of this template", () => {
    const alarmIds = new Set(
      Object.entries(t.Resources)
        .filter(([, r]) => r.Type === "AWS::CloudWatch::Alarm")
        .map(([id]) => id),
    );
    const named: string[] = [];
    for (const r of Object.values(t.Resources)) {
      if (r.Type === "AWS::CodeDeploy::DeploymentGroup") {
        const alarms = (
          r.Properties?.AlarmConfiguration as { Alarms?: { Name: { Ref: string } }[] } | undefined
        )?.Alarms;
        named.push(...(alarms ?? []).map((a) => a.Name.Ref));
      }
      if (r.Type === "AWS::CloudWatch::CompositeAlarm") {
        named.push(...subRefs((r.Properties?.AlarmRule as { "Fn::Sub": string })["Fn::Sub"]));
      }
    }
    for (const id of named) expect(alarmIds.has(id), `${id} is referenced but is not an alarm`).toBe(true);
    // The rollback trigger output points at the composite alarm, which exists whenever alarms do.
    if (alarmsIn(t).length > 0) {
      expect(t.Resources[ROLLBACK_ALARM_ID]?.Type).toBe("AWS::CloudWatch::CompositeAlarm");
      expect(t.Outputs[ROLLBACK_ALARM_OUTPUT]?.Value).toEqual({ "Fn::GetAtt": [ROLLBACK_ALARM_ID, "Arn"] });
      for (const a of alarmsIn(t)) {
        expect(t.Outputs[a.outputKey]?.Value).toEqual({ "Fn::GetAtt": [a.logicalId, "Arn"] });
      }
    }
  });

  it("no IAM statement has a wildcard action", () => {
    const actions = statements(t).flatMap((s) => {
      expect(s.NotAction).toBeUndefined();
      return Array.isArray(s.Action) ? s.Action : [s.Action];
    });
    expect(actions.length).toBeGreaterThan(0);
    for (const a of actions) expect(String(a)).not.toContain("*");
  });
});

it("the all-features template wires deployment groups to every alarm of their function", () => {
  const t = scenarios.all!();
  const group = res(t, "ApiFunctionDeploymentGroup").Properties;
  expect(group.AlarmConfiguration).toEqual({
    Enabled: true,
    Alarms: [
      { Name: { Ref: "ApiFunctionNewVersionErrorsAlarm" } },
      { Name: { Ref: "ApiFunctionErrorRateAlarm" } },
      { Name: { Ref: "ApiFunctionThrottlesAlarm" } },
      { Name: { Ref: "ApiFunctionDurationAlarm" } },
    ],
  });
  expect(group.AutoRollbackConfiguration).toEqual({
    Enabled: true,
    Events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
  });
});
