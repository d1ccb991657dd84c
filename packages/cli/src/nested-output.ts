import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { ARTIFACT_BUCKET_PARAMETER } from "./marshal.js";
import type { NestedTemplateArtifact } from "./service.js";
import type { NestedTemplate } from "./split.js";

/** Folder (under `.sparta/`) of the nested templates of a split service, named as their S3 keys are. */
export const NESTED_DIR = "templates";

/**
 * TemplateURL of a nested template: its object in the artifact bucket (the stack parameter the ZIPs' S3Bucket
 * reads too), virtual-hosted style in the stack's region.
 */
export function nestedTemplateUrl(key: string): unknown {
  return {
    "Fn::Sub": `https://\${${ARTIFACT_BUCKET_PARAMETER}}.s3.\${AWS::Region}.\${AWS::URLSuffix}/${key}`,
  };
}

/**
 * Write each nested template to `.sparta/<key>` (keys are `templates/<Stack>-<sha256 prefix>.json`) and remove the
 * ones of earlier builds, so `.sparta/templates/` holds exactly this build's set.
 */
export async function writeNestedTemplates(
  serviceDir: string,
  nested: readonly NestedTemplate[],
): Promise<NestedTemplateArtifact[]> {
  const base = resolve(serviceDir, ".sparta");
  const dir = join(base, NESTED_DIR);
  if (nested.length === 0) {
    await rm(dir, { recursive: true, force: true });
    return [];
  }
  await mkdir(dir, { recursive: true });
  const keep = new Set(nested.map((n) => n.key.slice(NESTED_DIR.length + 1)));
  for (const file of await readdir(dir)) if (!keep.has(file)) await rm(join(dir, file), { force: true });
  const out: NestedTemplateArtifact[] = [];
  for (const n of nested) {
    const path = join(base, n.key);
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, n.body);
    await rename(temp, path);
    out.push({
      logicalId: n.logicalId,
      functions: n.functions,
      resources: Object.keys(n.template.Resources),
      path,
      key: n.key,
      sha256: n.sha256,
      size: Buffer.byteLength(n.body),
      entries: [],
    });
  }
  return out;
}

/** What `provision --noop` reports of a split service: each nested stack, its functions and template. */
export function nestedStacksSummary(nested: readonly NestedTemplateArtifact[]) {
  return nested.map((n) => ({ logicalId: n.logicalId, functions: n.functions, key: n.key, size: n.size }));
}

/** The text lines of that report (one a nested stack), files named relative to `.sparta/`'s parent. */
export function nestedStacksLines(
  nested: ReturnType<typeof nestedStacksSummary>,
  spartaDir: string,
): string[] {
  return [
    `  nested stacks: ${nested.length}, one a function (the root stack holds the shared resources)`,
    ...nested.map(
      (n) =>
        `    ${n.logicalId}: ${n.functions.join(", ")} <- ${relative(resolve(spartaDir, ".."), join(spartaDir, n.key))} (${n.size} bytes)`,
    ),
  ];
}
