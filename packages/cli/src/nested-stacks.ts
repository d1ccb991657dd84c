import type { StackDescription } from "@sparta/converge";

/** How many nested stacks are described at once. */
const CONCURRENCY = 8;

/** A deployed service: its root stack and, when it was split, its nested stacks read alongside. */
export interface ServiceStacks {
  root: StackDescription;
  /** The outputs of the root and of every nested stack (a function's outputs live in its nested stack). */
  outputs: Record<string, string>;
  /** The resources of the root and of every nested stack, each with the stack that holds it. */
  resources: (StackDescription["resources"][number] & { stack?: string })[];
  nested: { logicalId: string; stackId: string; status: string }[];
}

/**
 * Describe a deployed service: the root stack, and its nested stacks (`AWS::CloudFormation::Stack` resources) when
 * the service was split, so what a function's outputs say (its code key, its alarms) is found wherever it lives.
 */
export async function describeService(
  stackName: string,
  describe?: (input: { stackName: string }) => Promise<StackDescription | undefined>,
): Promise<ServiceStacks | undefined> {
  const read = describe ?? (await import("@sparta/converge")).describeStack;
  const root = await read({ stackName });
  if (!root) return undefined;
  const stacks = root.resources.filter((r) => r.type === "AWS::CloudFormation::Stack" && r.physicalId);
  const children: (StackDescription | undefined)[] = new Array(stacks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < stacks.length; i = next++)
      children[i] = await read({ stackName: stacks[i]?.physicalId ?? "" });
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, stacks.length) }, worker));
  const outputs: Record<string, string> = {};
  const resources: ServiceStacks["resources"] = [...root.resources];
  const nested: ServiceStacks["nested"] = [];
  stacks.forEach((s, i) => {
    const child = children[i];
    nested.push({ logicalId: s.logicalId, stackId: s.physicalId!, status: child?.status ?? "DELETED" });
    if (!child) return;
    Object.assign(outputs, child.outputs);
    for (const r of child.resources) resources.push({ ...r, stack: s.logicalId });
  });
  Object.assign(outputs, root.outputs);
  return { root, outputs, resources, nested };
}
