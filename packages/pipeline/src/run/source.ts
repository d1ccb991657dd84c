import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { RunPipelineError } from "../errors.js";
import { readFiles, zipFiles } from "./artifacts.js";

const run = promisify(execFile);

/** What the Source action hands on: the source artifact's ZIP and the commit it was made from. */
export interface SourceArtifact {
  zip: Uint8Array;
  /** The commit id (CODEBUILD_RESOLVED_SOURCE_VERSION). */
  commit: string;
  mode: "head" | "working-tree";
  /** Files changed but not committed: what a HEAD run leaves out. */
  uncommitted: string[];
  /** The commit's message and author date (a CodeStar source action's CommitMessage and AuthorDate variables). */
  message: string;
  authorDate: string;
}

async function git(root: string, args: string[], encoding: "utf8" | "buffer" = "utf8") {
  try {
    const out = await run("git", ["-C", root, ...args], {
      encoding: encoding === "utf8" ? "utf8" : "buffer",
      maxBuffer: 1024 * 1024 * 1024,
    });
    return out.stdout as string | Buffer;
  } catch (e) {
    const err = e as { stderr?: string | Buffer; message?: string };
    throw new RunPipelineError(
      `git ${args[0]} failed in ${root}: ${String(err.stderr ?? err.message).trim()}. runPipeline reads the source ` +
        "from the service's git repository: commit your service (git init; git add .; git commit) and run again.",
      { cause: e },
    );
  }
}

/**
 * The source artifact as a CodeStar connection hands it to CodeBuild (`OutputArtifactFormat: CODE_ZIP`): the
 * repository's files at the root of a ZIP. `head` is the committed HEAD (`git archive`); `working-tree` is every
 * tracked or untracked, not ignored, file as it is on disk.
 */
export async function sourceArtifact(root: string, mode: "head" | "working-tree"): Promise<SourceArtifact> {
  const commit = String(await git(root, ["rev-parse", "HEAD"])).trim();
  const [authorDate = "", ...messageLines] = String(
    await git(root, ["log", "-1", "--format=%aI%n%B", "HEAD"]),
  ).split("\n");
  const message = messageLines.join("\n").trim();
  const status = String(await git(root, ["status", "--porcelain", "--untracked-files=all"]))
    .split("\n")
    .filter(Boolean)
    .map((l) => l.slice(3));
  if (mode === "head") {
    const zip = (await git(root, ["archive", "--format=zip", "HEAD"], "buffer")) as Buffer;
    return { zip: new Uint8Array(zip), commit, mode, uncommitted: status, message, authorDate };
  }
  const names = String(await git(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]))
    .split("\0")
    .filter(Boolean);
  const { existsSync } = await import("node:fs");
  const { join } = await import("node:path");
  const present = names.filter((n) => existsSync(join(root, n)));
  return {
    zip: await zipFiles(await readFiles(root, present)),
    commit,
    mode,
    uncommitted: status,
    message,
    authorDate,
  };
}
