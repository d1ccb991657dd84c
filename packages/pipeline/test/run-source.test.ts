import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { unzipInto } from "../src/run/artifacts.js";
import { sourceArtifact } from "../src/run/source.js";

const work = mkdtempSync(join(tmpdir(), "run-source-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" });
const repo = join(work, "repo");
execFileSync("mkdir", ["-p", join(repo, "src")]);
writeFileSync(join(repo, "src", "a.ts"), "committed\n");
writeFileSync(join(repo, "build.sh"), "#!/bin/sh\necho hi\n");
chmodSync(join(repo, "build.sh"), 0o755);
writeFileSync(join(repo, ".gitignore"), "node_modules\n");
git("init", "-q", "-b", "main");
git("add", "-A");
git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "first commit");
writeFileSync(join(repo, "src", "a.ts"), "changed\n");
writeFileSync(join(repo, "new.ts"), "untracked\n");
execFileSync("mkdir", ["-p", join(repo, "node_modules")]);
writeFileSync(join(repo, "node_modules", "ignored.js"), "ignored\n");

describe("the source artifact", () => {
  it("is the committed HEAD (git archive), the uncommitted changes counted, execute bits kept", async () => {
    const src = await sourceArtifact(repo, "head");
    expect(src.commit).toBe(git("rev-parse", "HEAD").trim());
    expect(src.message).toBe("first commit");
    expect(src.uncommitted.sort()).toEqual(["new.ts", "src/a.ts"]);
    const dir = join(work, "head");
    expect(await unzipInto(src.zip, dir, "SourceOutput")).toEqual([".gitignore", "build.sh", "src/a.ts"]);
    expect(readFileSync(join(dir, "src", "a.ts"), "utf8")).toBe("committed\n");
    expect(statSync(join(dir, "build.sh")).mode & 0o111).not.toBe(0);
  });

  it("is the working tree with --source working-tree: tracked and untracked files, not ignored ones", async () => {
    const src = await sourceArtifact(repo, "working-tree");
    const dir = join(work, "tree");
    expect(await unzipInto(src.zip, dir, "SourceOutput")).toEqual([
      ".gitignore",
      "build.sh",
      "new.ts",
      "src/a.ts",
    ]);
    expect(readFileSync(join(dir, "src", "a.ts"), "utf8")).toBe("changed\n");
  });

  it("says how to fix a folder that is not a git repository", async () => {
    await expect(sourceArtifact(work, "head")).rejects.toThrow(
      /commit your service \(git init; git add \.; git commit\)/,
    );
  });
});
