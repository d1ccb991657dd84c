import type { TemplateDocument } from "./service.js";

type Resource = TemplateDocument["Resources"][string];

/** A CloudFormation logical id from free-form parts: `hello-world` -> `HelloWorld`. */
export function pascalId(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}

/** Lambda runtime of every generated function (cfn-lint rejects creating nodejs20.x). */
export const RUNTIME = "nodejs22.x";

/**
 * An IAM role that Lambda assumes, with one inline policy: the execution role of a generated function; with the
 * service's permissions boundary when it has one.
 */
export function lambdaRole(
  policyName: string,
  statements: readonly unknown[],
  permissionsBoundary?: unknown,
): Resource {
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      ...(permissionsBoundary === undefined ? {} : { PermissionsBoundary: permissionsBoundary }),
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

/**
 * Gives every IAM role of the template that has none the permissions boundary (roles a decorator added included).
 * Mutates and returns `template`.
 */
export function applyPermissionsBoundary<T extends TemplateDocument>(
  template: T,
  permissionsBoundary: unknown,
): T {
  if (permissionsBoundary === undefined) return template;
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== "AWS::IAM::Role") continue;
    resource.Properties ??= {};
    resource.Properties.PermissionsBoundary ??= permissionsBoundary;
  }
  return template;
}
