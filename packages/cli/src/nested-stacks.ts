import { readFile } from "node:fs/promises";
import type { StackDescription } from "@sparta/converge";
import { assessChanges, type PlannedChange, type Risk } from "./approval.js";
import type { BuildResult, TemplateDocument } from "./service.js";

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

type Template = Pick<TemplateDocument, "Resources">;

/**
 * The risks of a change set (see `assessChanges`) of a split service, looking into its nested stacks: a nested
 * stack added, modified or removed in the root is compared resource by resource with the one deployed (read with
 * GetTemplate), so a function granted more, or a log group deleted with its function, asks as it does unsplit.
 * A resource inside is named `<Stack>.<LogicalId>`. Replacements inside a nested stack are not known here (the root's
 * change set does not say them).
 */
export async function assessServiceChanges(
  changes: readonly PlannedChange[],
  current: Template | undefined,
  build: Pick<BuildResult, "template" | "nestedTemplates" | "stackName">,
  deployedChild?: (logicalId: string) => Promise<Template | undefined>,
): Promise<Risk[]> {
  const nested = new Map((build.nestedTemplates ?? []).map((n) => [n.logicalId, n]));
  const own = changes.filter((c) => c.resourceType !== NESTED_TYPE);
  const risks = assessChanges(own, current, build.template);
  const readDeployed = deployedChild ?? deployedChildReader(build.stackName);
  for (const c of changes) {
    if (c.resourceType !== NESTED_TYPE) continue;
    const artifact = nested.get(c.logicalId);
    const next: Template = artifact
      ? (JSON.parse(await readFile(artifact.path, "utf8")) as Template)
      : { Resources: {} };
    const before = c.action === "Add" ? undefined : await readDeployed(c.logicalId);
    const ids = new Set([...Object.keys(before?.Resources ?? {}), ...Object.keys(next.Resources)]);
    const inner: PlannedChange[] = [];
    for (const id of ids) {
      const was = before?.Resources?.[id];
      const is = next.Resources[id];
      const action = !was
        ? "Add"
        : !is
          ? "Remove"
          : JSON.stringify(was) !== JSON.stringify(is)
            ? "Modify"
            : "";
      if (action) inner.push({ action, logicalId: id, resourceType: (is ?? was)!.Type });
    }
    for (const r of assessChanges(inner, before, next))
      risks.push({ ...r, logicalId: `${c.logicalId}.${r.logicalId}` });
  }
  return risks;
}

const NESTED_TYPE = "AWS::CloudFormation::Stack";

/** Reads the deployed template of a nested stack of `stackName` by its logical id in the root. */
function deployedChildReader(stackName: string): (logicalId: string) => Promise<Template | undefined> {
  let physical: Promise<Map<string, string>> | undefined;
  return async (logicalId) => {
    const { createCfnClient, describeStack } = await import("@sparta/converge");
    physical ??= describeStack({ stackName }).then(
      (s) =>
        new Map(
          (s?.resources ?? [])
            .filter((r) => r.type === NESTED_TYPE && r.physicalId)
            .map((r) => [r.logicalId, r.physicalId!]),
        ),
    );
    const id = (await physical).get(logicalId);
    if (!id) return undefined;
    const cfn = createCfnClient({ maxAttempts: Number(process.env.AWS_MAX_ATTEMPTS) || 3 });
    const body = (await cfn.getTemplate({ StackName: id, TemplateStage: "Original" })).TemplateBody;
    return body ? (JSON.parse(body) as Template) : undefined;
  };
}

/**
 * The resources and templates of the nested stacks of `functionIds` (`<Function>Stack` in a split service), for
 * commands about a few functions (`invoke --remote`, `logs`): only their stacks are read. Empty for a service
 * deployed as one stack.
 */
export async function functionStacks(
  root: Pick<StackDescription, "resources">,
  functionIds: readonly string[],
): Promise<{ resources: StackDescription["resources"]; template: Template }> {
  const wanted = new Set(functionIds.map((id) => `${id}Stack`));
  const stacks = root.resources.filter(
    (r) => r.type === NESTED_TYPE && r.physicalId && wanted.has(r.logicalId),
  );
  const out = { resources: [] as StackDescription["resources"], template: { Resources: {} } as Template };
  if (stacks.length === 0) return out;
  const { createCfnClient, describeStack } = await import("@sparta/converge");
  const cfn = createCfnClient({ maxAttempts: Number(process.env.AWS_MAX_ATTEMPTS) || 3 });
  for (const s of stacks) {
    const child = await describeStack({ stackName: s.physicalId! });
    out.resources.push(...(child?.resources ?? []));
    const body = (await cfn.getTemplate({ StackName: s.physicalId! })).TemplateBody;
    if (body) Object.assign(out.template.Resources, (JSON.parse(body) as Template).Resources);
  }
  return out;
}

/**
 * What to tell before the first deploy of a service as nested stacks over a stack that holds its functions itself
 * (or back into one stack): CloudFormation cannot move a resource between stacks, so each function and what is its
 * own is created anew in its new stack and the old one deleted. Undefined when that is not the case.
 */
export function splitTransition(
  current: Template | undefined,
  build: Pick<BuildResult, "nestedTemplates" | "stackName">,
): string | undefined {
  if (!current) return undefined;
  const resources = Object.values(current.Resources ?? {});
  const nestedNow = resources.filter(
    (r) =>
      r.Type === NESTED_TYPE && (r.Metadata as Record<string, unknown> | undefined)?.["Sparta::NestedStack"],
  ).length;
  if (!build.nestedTemplates?.length) {
    // back under the quotas: the functions move back into the root stack, the same way
    return nestedNow > 0
      ? `${build.stackName} fits in one stack again and no longer deploys as nested stacks: its functions and what is ` +
          `theirs are created anew in the root stack and the ${nestedNow} nested stacks deleted (CloudFormation cannot ` +
          "move a resource between stacks); their physical names and ARNs change"
      : undefined;
  }
  if (resources.some((r) => r.Type === NESTED_TYPE)) return undefined;
  const functions = resources.filter((r) => r.Type === "AWS::Lambda::Function").length;
  if (functions === 0) return undefined;
  return (
    `${build.stackName} passes a CloudFormation quota and now deploys as a root and ${build.nestedTemplates.length} nested stacks: ` +
    `its ${functions} function(s) and what is theirs (roles, log groups, alarms...) are created anew in their nested stacks and ` +
    "the old ones deleted (CloudFormation cannot move a resource between stacks); their physical names and ARNs change"
  );
}
