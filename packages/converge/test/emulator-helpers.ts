import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Stack,
} from "@aws-sdk/client-cloudformation";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll } from "vitest";
import { type Emulator, startEmulator } from "../src/testing.js";

/** One emulator for a test file, started before its tests and stopped after them. */
export function useEmulator(): { readonly emu: Emulator; cfn(): CloudFormationClient; s3(): S3Client } {
  const state: { emu?: Emulator } = {};
  beforeAll(async () => {
    state.emu = await startEmulator();
  }, 120_000);
  afterAll(async () => {
    await state.emu?.stop();
  });
  const emu = () => {
    if (!state.emu) throw new Error("the emulator has not started");
    return state.emu;
  };
  return {
    get emu() {
      return emu();
    },
    cfn: () => new CloudFormationClient({ ...emu().clientConfig, maxAttempts: 1 }),
    s3: () => new S3Client({ ...emu().clientConfig, forcePathStyle: true, maxAttempts: 1 }),
  };
}

export type Template = Record<string, unknown> & { Resources: Record<string, unknown> };

const params = (p: Record<string, string>) =>
  Object.entries(p).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));

/**
 * Create or update a stack as the engine does: a change set (CREATE or UPDATE), executed, then the stack described.
 * Returns the change set (its Changes) and the stack after execution.
 */
export async function deploy(
  cfn: CloudFormationClient,
  stackName: string,
  template: Template | { url: string },
  parameters: Record<string, string> = {},
): Promise<{ changeSet: DescribeChangeSetCommandOutput; stack: Stack }> {
  let exists = false;
  try {
    const found = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    exists = found.Stacks?.[0]?.StackStatus !== "REVIEW_IN_PROGRESS";
  } catch {}
  const name = `cs-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  await cfn.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: name,
      ChangeSetType: exists ? "UPDATE" : "CREATE",
      ...("url" in template
        ? { TemplateURL: template.url as string }
        : { TemplateBody: JSON.stringify(template) }),
      Parameters: params(parameters),
      Capabilities: ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    }),
  );
  const changeSet = await cfn.send(
    new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: name }),
  );
  if (changeSet.Status !== "CREATE_COMPLETE")
    throw new Error(`change set ${changeSet.Status}: ${changeSet.StatusReason}`);
  await cfn.send(new ExecuteChangeSetCommand({ StackName: stackName, ChangeSetName: name }));
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  if (!stack) throw new Error(`stack ${stackName} is gone after executing its change set`);
  return { changeSet, stack };
}

/** The stack's outputs as a plain object. */
export function outputs(stack: Stack): Record<string, string> {
  return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]));
}

export async function deleteStack(cfn: CloudFormationClient, stackName: string): Promise<void> {
  await cfn.send(new DeleteStackCommand({ StackName: stackName }));
}

/** Put a template in the emulator's S3 and return its TemplateURL (on `localhost`, which moto reads back). */
export async function uploadTemplate(
  emu: Emulator,
  s3: S3Client,
  bucket: string,
  key: string,
  template: Template,
) {
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => {});
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(template) }));
  return `${emu.endpoint}/${bucket}/${key}`;
}
