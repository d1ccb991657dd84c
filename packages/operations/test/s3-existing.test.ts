import { describe, expect, it } from "vitest";
import {
  addAlarms,
  addDashboard,
  addSafeDeploy,
  alarmsIn,
  CODEDEPLOY_ROLE_ID,
  UnknownFunctionError,
} from "../src/index.js";
import { res, s3ExistingService, scenarios, type Tpl } from "./scenarios.js";

/** The plumbing of `@sparta/cli`'s existing-bucket S3 triggers (its `S3_NOTIFICATION_IDS`). */
const PLUMBING = "SpartaS3NotificationFunction";
const NOTIFICATIONS = [
  "ResizeS3Trigger0Notification",
  "ResizeS3Trigger1Notification",
  "AuditS3Trigger0Notification",
];

type Notification = { Events: string[]; LambdaFunctionArn: unknown };
const configurations = (t: Tpl, id: string) =>
  res(t, id).Properties.NotificationConfigurations as Notification[];

/**
 * What S3 checks when the custom resource writes the configuration: every destination it is told to call must
 * be invokable by s3.amazonaws.com, i.e. the permission the custom resource waits for (`DependsOn`) must name the
 * same (qualified or not) function ARN. Returns the mismatches as text.
 */
function unmatchedDestinations(t: Tpl): string[] {
  const out: string[] = [];
  for (const [id, r] of Object.entries(t.Resources)) {
    if (r.Type !== "Custom::SpartaS3Notification") continue;
    const dependsOn = [r.DependsOn ?? []].flat() as string[];
    const permitted = dependsOn.flatMap((d) => {
      const p = t.Resources[d];
      return p?.Type === "AWS::Lambda::Permission" && p.Properties?.Principal === "s3.amazonaws.com"
        ? [JSON.stringify(p.Properties.FunctionName)]
        : [];
    });
    for (const c of configurations(t, id)) {
      const arn = JSON.stringify(c.LambdaFunctionArn);
      if (!permitted.includes(arn))
        out.push(`${id} calls ${arn}, permitted: ${permitted.join(" ") || "none"}`);
    }
  }
  return out;
}

describe("existing-bucket S3 triggers (@sparta/cli's Custom::SpartaS3Notification)", () => {
  it("the fixture as the CLI writes it: S3 is told to call exactly what the permission allows", () => {
    expect(unmatchedDestinations(s3ExistingService())).toEqual([]);
  });

  it("safeDeploy points each notification's LambdaFunctionArn at the alias, like its permission", () => {
    const info: string[] = [];
    const t = addSafeDeploy(s3ExistingService(), { reporter: { warn: () => {}, info: (m) => info.push(m) } });
    expect(configurations(t, "ResizeS3Trigger0Notification")[0]!.LambdaFunctionArn).toEqual({
      Ref: "ResizeFunctionAlias",
    });
    expect(configurations(t, "ResizeS3Trigger1Notification")[0]!.LambdaFunctionArn).toEqual({
      Ref: "ResizeFunctionAlias",
    });
    expect(configurations(t, "AuditS3Trigger0Notification")[0]!.LambdaFunctionArn).toEqual({
      Ref: "AuditFunctionAlias",
    });
    expect(res(t, "ResizeS3Trigger0Permission").Properties.FunctionName).toEqual({
      Ref: "ResizeFunctionAlias",
    });
    // The regression: before, the permission named the alias while S3 was told to call the unqualified function.
    expect(unmatchedDestinations(t)).toEqual([]);
    // The rest of each configuration and the custom resource's own wiring are untouched.
    expect(configurations(t, "ResizeS3Trigger0Notification")[0]).toMatchObject({
      Events: ["s3:ObjectCreated:*"],
      Filter: {
        Key: {
          FilterRules: [
            { Name: "prefix", Value: "in/" },
            { Name: "suffix", Value: ".png" },
          ],
        },
      },
    });
    for (const id of NOTIFICATIONS) {
      expect(res(t, id).Properties.ServiceToken).toEqual({ "Fn::GetAtt": [PLUMBING, "Arn"] });
    }
    // The bucket the stack creates keeps being rewired as before.
    const uploads = res(t, "UploadsBucket").Properties.NotificationConfiguration as {
      LambdaConfigurations: { Function: unknown }[];
    };
    expect(uploads.LambdaConfigurations[0]!.Function).toEqual({ Ref: "ResizeFunctionAlias" });
    expect(info.find((m) => m.startsWith("AuditFunction:"))).toContain(
      "AuditS3Trigger0Notification (S3 notification on an existing bucket)",
    );
  });

  it("gives the custom-resource function no version, alias, CodeDeploy, alarms or dashboard widgets", () => {
    const t = scenarios["s3-existing-all"]!();
    const about = Object.entries(t.Resources)
      .filter(([id, r]) => id !== PLUMBING && JSON.stringify(r).includes(PLUMBING))
      .map(([id]) => id);
    // Only the cli's own resources mention it: the notifications' ServiceToken.
    expect(about.sort()).toEqual([...NOTIFICATIONS].sort());
    expect(
      Object.keys(t.Resources)
        .filter((id) => id.startsWith(PLUMBING))
        .sort(),
    ).toEqual([PLUMBING]);
    expect(JSON.stringify(res(t, CODEDEPLOY_ROLE_ID).Properties)).not.toContain(PLUMBING);
    expect(JSON.stringify(t.Outputs)).not.toContain(PLUMBING);
    expect([...new Set(alarmsIn(t).map((a) => ("function" in a ? a.function : a.api)))].sort()).toEqual([
      "AuditFunction",
      "ResizeFunction",
    ]);
    // The service's functions get all of it.
    for (const fn of ["ResizeFunction", "AuditFunction"]) {
      for (const suffix of ["Alias", "DeploymentGroup", "ErrorRateAlarm", "ThrottlesAlarm", "DurationAlarm"])
        expect(t.Resources[`${fn}${suffix}`], `${fn}${suffix}`).toBeDefined();
    }
    const body = JSON.stringify(res(t, "SpartaDashboard").Properties.DashboardBody);
    expect(body).toContain("ResizeFunction");
    expect(body).not.toContain(PLUMBING);
  });

  it("refuses options naming the custom-resource function, saying why", () => {
    const named = { functions: { [PLUMBING]: false as const } };
    for (const apply of [
      () => addSafeDeploy(s3ExistingService(), named),
      () => addAlarms(s3ExistingService(), named),
    ]) {
      expect(apply).toThrow(UnknownFunctionError);
      expect(apply).toThrow(
        /"SpartaS3NotificationFunction", which is the ServiceToken of the custom resource ResizeS3Trigger0Notification/,
      );
      expect(apply).toThrow(/Functions in the template: ResizeFunction, AuditFunction\./);
    }
    expect(() => addSafeDeploy(s3ExistingService(), { functions: { Nope: false } })).toThrow(
      /the template has no AWS::Lambda::Function with that logical id/,
    );
  });

  it("decides by the template's shape, not the CLI's tag: untagged functions stay the service's", () => {
    const t = s3ExistingService();
    // A function another decorator adds, without the `sparta:function` tag...
    t.Resources.ExtraFunction = structuredClone(res(t, "AuditFunction"));
    delete (res(t, "ExtraFunction").Properties as { Tags?: unknown }).Tags;
    // ...and a user's own custom-resource provider, its token written as Fn::Sub.
    t.Resources.SeedFunction = structuredClone(res(t, "ExtraFunction"));
    t.Resources.Seed = {
      Type: "AWS::CloudFormation::CustomResource",
      Properties: { ServiceToken: { "Fn::Sub": "${SeedFunction.Arn}" } },
    };
    addDashboard(addAlarms(addSafeDeploy(t)));
    expect(t.Resources.ExtraFunctionAlias).toBeDefined();
    expect(t.Resources.ExtraFunctionErrorRateAlarm).toBeDefined();
    expect(t.Resources.SeedFunctionAlias).toBeUndefined();
    expect(t.Resources.SeedFunctionErrorRateAlarm).toBeUndefined();
    expect(t.Resources[`${PLUMBING}Alias`]).toBeUndefined();
    const body = JSON.stringify(res(t, "SpartaDashboard").Properties.DashboardBody);
    expect(body).toContain("ExtraFunction");
    expect(body).not.toContain("SeedFunction");
  });
});
