import { describe, expect, it } from "vitest";
import { GetAtt, Ref, Template } from "../src/index.js";

describe("addResource typing", () => {
  it("types Properties by resource type (checked by tsc in `pnpm typecheck`)", () => {
    const t = new Template();
    t.addResource("Fn", {
      Type: "AWS::Lambda::Function",
      Properties: {
        Code: { ZipFile: "x" },
        Role: GetAtt("Role", "Arn"),
        MemorySize: 256,
        Runtime: "nodejs22.x",
      },
    });
    t.addResource("Fn2", {
      Type: "AWS::Lambda::Function",
      // @ts-expect-error MemorySzie is not a property of AWS::Lambda::Function
      Properties: { Code: { ZipFile: "x" }, Role: "arn", MemorySzie: 256 },
    });
    t.addResource("Fn3", {
      Type: "AWS::Lambda::Function",
      // @ts-expect-error MemorySize must be a number or an intrinsic
      Properties: { Code: { ZipFile: "x" }, Role: "arn", MemorySize: [256] },
    });
    // @ts-expect-error Code and Role are required
    t.addResource("Fn4", { Type: "AWS::Lambda::Function", Properties: { Handler: "index.handler" } });
    t.addResource("Q", { Type: "AWS::SQS::Queue" });
    t.addResource("C", { Type: "Custom::Thing", Properties: { ServiceToken: Ref("Fn"), Anything: 1 } });
    expect(Object.keys(t.toJSON().Resources)).toEqual(["C", "Fn", "Fn2", "Fn3", "Fn4", "Q"]);
  });
});
