import { markOf, ref, type Template } from "./cfn.js";

/**
 * Points each CodeDeploy deployment group `safeDeploy` added at its function's new-version alarm and at the
 * alarms `alarms` added for that function, whichever of the two decorators ran first. A group without alarms
 * rolls back on failure only.
 */
export function linkDeploymentGroupAlarms(template: Template): void {
  const byFunction = new Map<string, string[]>();
  const add = (fn: string, id: string) => byFunction.set(fn, [...(byFunction.get(fn) ?? []), id]);
  // The new-version alarm first, then the function alarms, whichever decorator ran first.
  for (const [id, r] of Object.entries(template.Resources)) {
    const m = markOf(r);
    if (m?.kind === "newVersionAlarm" && m.function !== undefined) add(m.function, id);
  }
  for (const [id, r] of Object.entries(template.Resources)) {
    const m = markOf(r);
    if (m?.feature === "alarms" && m.function !== undefined) add(m.function, id);
  }
  for (const r of Object.values(template.Resources)) {
    const m = markOf(r);
    if (m?.feature !== "safeDeploy" || m.kind !== "deploymentGroup" || m.function === undefined) continue;
    const alarms = byFunction.get(m.function) ?? [];
    r.Properties ??= {};
    const props = r.Properties;
    if (alarms.length === 0) {
      delete props.AlarmConfiguration;
      props.AutoRollbackConfiguration = { Enabled: true, Events: ["DEPLOYMENT_FAILURE"] };
    } else {
      // CodeDeploy accepts at most 10 alarms per group; this package adds at most 3 per function.
      props.AlarmConfiguration = { Enabled: true, Alarms: alarms.map((id) => ({ Name: ref(id) })) };
      props.AutoRollbackConfiguration = {
        Enabled: true,
        Events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
      };
    }
  }
}
