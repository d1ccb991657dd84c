import { readFile } from "node:fs/promises";
import { functionLogicalIds } from "./marshal.js";
import type { BuildResult, CliReporter, ServiceDefinition, TemplateDocument } from "./service.js";

/** What `provision --inplace` did. */
export type InplaceResult =
  | { kind: "updated-inplace" | "unchanged"; functions: { name: string; physicalId: string; key: string }[] }
  /** The stack is missing or more than code changed: the caller deploys through a change set instead. */
  | { kind: "needs-change-set"; reason: string };

/** The template with each function's code key blanked, to compare "everything but code". */
function withoutCode(template: TemplateDocument): string {
  const copy = structuredClone(template) as TemplateDocument;
  for (const r of Object.values(copy.Resources)) {
    const code =
      r.Type === "AWS::Lambda::Function"
        ? (r.Properties?.Code as { S3Key?: unknown } | undefined)
        : undefined;
    if (code) code.S3Key = "";
  }
  for (const [id, output] of Object.entries(copy.Outputs ?? {}))
    if (id.endsWith("CodeKey")) output.Value = "";
  return JSON.stringify(copy);
}

/**
 * `provision --inplace`: when only function code changed since the deployed template, upload the new ZIPs and
 * point each changed function at its new key with Lambda's UpdateFunctionCode, skipping CloudFormation (seconds
 * instead of a change set). The stack's template keeps the old keys until the next plain `provision`, which
 * converges it (Sparta's in-place update works the same way).
 */
export async function provisionInplace(input: {
  service: ServiceDefinition;
  build: BuildResult;
  bucket: string;
  reporter: CliReporter;
}): Promise<InplaceResult> {
  const { build, bucket, reporter } = input;
  // a function's code key is in its nested stack's template, which a code change replaces: only a change set
  // updates a split service (one nested stack a changed function)
  if (build.nestedTemplates)
    return {
      kind: "needs-change-set",
      reason: `${build.stackName} deploys as a root and ${build.nestedTemplates.length} nested stacks`,
    };
  const { createCfnClient, createS3Client, describeStack } = await import("@sparta/converge");
  const stack = await describeStack({ stackName: build.stackName });
  if (!stack) return { kind: "needs-change-set", reason: `stack ${build.stackName} does not exist yet` };
  if (!stack.status.endsWith("_COMPLETE") || stack.status.includes("ROLLBACK")) {
    return { kind: "needs-change-set", reason: `stack ${build.stackName} is ${stack.status}` };
  }
  const body = (
    await createCfnClient().getTemplate({ StackName: build.stackName, TemplateStage: "Original" })
  ).TemplateBody;
  let deployed: TemplateDocument;
  try {
    deployed = JSON.parse(body ?? "") as TemplateDocument;
  } catch {
    return { kind: "needs-change-set", reason: "the deployed template is not JSON" };
  }
  if (withoutCode(deployed) !== withoutCode(build.template)) {
    return { kind: "needs-change-set", reason: "more than function code changed" };
  }
  const parameters = { ...build.parameters, ArtifactBucket: bucket };
  for (const [k, v] of Object.entries(parameters)) {
    if (stack.parameters[k] !== undefined && stack.parameters[k] !== v)
      return { kind: "needs-change-set", reason: `parameter ${k} changed` };
  }
  // Compare with what the functions run now: a previous --inplace may already have moved them.
  const { GetFunctionCommand, LambdaClient, UpdateFunctionCodeCommand } = await import(
    "@aws-sdk/client-lambda"
  );
  const lambda = new LambdaClient({});
  const s3 = createS3Client();
  const updated: { name: string; physicalId: string; key: string }[] = [];
  for (const [i, fn] of input.service.functions.entries()) {
    const artifact = build.artifacts[i]!;
    const physicalId = stack.resources.find(
      (r) => r.logicalId === functionLogicalIds(fn).function,
    )?.physicalId;
    if (!physicalId) return { kind: "needs-change-set", reason: `function ${fn.name} is not deployed` };
    const deployedKey = (
      deployed.Resources[functionLogicalIds(fn).function]?.Properties?.Code as { S3Key?: string }
    )?.S3Key;
    const current = await lambda.send(new GetFunctionCommand({ FunctionName: physicalId }));
    const runningSha = current.Configuration?.CodeSha256;
    const wantedSha = Buffer.from(artifact.sha256, "hex").toString("base64");
    if (runningSha === wantedSha || (runningSha === undefined && deployedKey === artifact.key)) continue;
    const exists = await s3.headObject({ Bucket: bucket, Key: artifact.key }).then(
      () => true,
      () => false,
    );
    if (!exists) {
      reporter.progress(`uploading ${artifact.key}`);
      await s3.putObject({ Bucket: bucket, Key: artifact.key, Body: await readFile(artifact.path) });
    }
    reporter.progress(`updating the code of ${fn.name} (${physicalId}) in place`);
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: physicalId, S3Bucket: bucket, S3Key: artifact.key }),
    );
    reporter.event(`${fn.name}: code ${artifact.key} (in place)`);
    updated.push({ name: fn.name, physicalId, key: artifact.key });
  }
  return { kind: updated.length > 0 ? "updated-inplace" : "unchanged", functions: updated };
}
