import type { TemplateDocument } from "./service.js";

type Resource = TemplateDocument["Resources"][string];

/** Lambda runtime of every generated function (cfn-lint rejects creating nodejs20.x). */
export const RUNTIME = "nodejs22.x";

/** An IAM role that Lambda assumes, with one inline policy: the execution role of a generated function. */
export function lambdaRole(policyName: string, statements: readonly unknown[]): Resource {
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      },
      Policies: [
        { PolicyName: policyName, PolicyDocument: { Version: "2012-10-17", Statement: statements } },
      ],
    },
  };
}
