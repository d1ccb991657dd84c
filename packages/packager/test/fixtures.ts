import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Writes a small service folder: two handlers sharing a helper, one importing the AWS SDK. */
export async function writeService(dir: string, files: Record<string, string> = {}): Promise<void> {
  const all: Record<string, string> = {
    "src/lib/greet.ts":
      'export function greet(name: string): string {\n  return "hello " + name;\n}\nexport function unused(): string {\n  return "TREE_SHAKEN_AWAY";\n}\n',
    "src/hello.ts":
      'import { greet } from "./lib/greet";\n\nexport const handler = async (event: { name?: string }) => ({ statusCode: 200, body: greet(event.name ?? "world") });\n',
    "src/upload.ts":
      'import { S3Client } from "@aws-sdk/client-s3";\n\nexport const handler = async () => new S3Client({}).config.region;\n',
    ...files,
  };
  for (const [name, content] of Object.entries(all)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
}
