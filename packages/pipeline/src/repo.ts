import { InvalidRepoUrlError } from "./errors.js";

/** A GitHub repository and the branch the pipeline follows. */
export interface GitHubRepo {
  owner: string;
  name: string;
  branch: string;
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const NAME = /^[A-Za-z0-9._-]{1,100}$/;
// git check-ref-format, simplified: no spaces, no "..", no control or special characters, no leading "-" or "/".
const BRANCH = /^(?![-/])(?!.*\.\.)(?!.*\/\/)(?!.*[/.]$)[A-Za-z0-9._/-]{1,200}$/;

const EXAMPLES =
  "e.g. https://github.com/owner/repo, https://github.com/owner/repo#main or https://github.com/owner/repo/tree/main";

/**
 * Parses a GitHub repository URL with an optional branch (`#branch` or `/tree/branch`; default `defaultBranch`).
 * @example
 * parseGitHubRepo("https://github.com/acme/hello/tree/release/1.x");
 * // { owner: "acme", name: "hello", branch: "release/1.x" }
 */
export function parseGitHubRepo(url: string, defaultBranch = "main"): GitHubRepo {
  const shown = typeof url === "string" ? url.replace(/\/\/[^@/]*@/, "//***@") : String(url);
  const fail = (why: string): never => {
    throw new InvalidRepoUrlError(
      `--repo ${JSON.stringify(shown)} is not a GitHub repository URL: ${why}; ${EXAMPLES}.`,
    );
  };
  if (typeof url !== "string" || url.trim() === "") fail("it is empty");
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return fail("it is not a URL");
  }
  if (parsed.protocol !== "https:") fail(`use https, not ${parsed.protocol.replace(":", "")}`);
  if (parsed.hostname !== "github.com" && parsed.hostname !== "www.github.com") {
    fail(`the host is ${parsed.hostname}, not github.com`);
  }
  if (parsed.username || parsed.password) fail("it must not contain credentials; pass a token with --oauth");
  if (parsed.search) fail("it must not have a query string");
  const segments = parsed.pathname.split("/").filter((s) => s !== "");
  const [owner, rawName, ...rest] = segments;
  if (!owner || !rawName) return fail("it needs both an owner and a repository name");
  const name = rawName.endsWith(".git") ? rawName.slice(0, -4) : rawName;
  if (!OWNER.test(owner)) fail(`"${owner}" is not a GitHub owner name`);
  if (!NAME.test(name) || name === "." || name === "..") fail(`"${name}" is not a GitHub repository name`);

  let branch: string | undefined;
  if (rest.length > 0) {
    if (rest[0] !== "tree" || rest.length < 2)
      fail(`unexpected path "/${rest.join("/")}" after the repository`);
    branch = decodeURIComponent(rest.slice(1).join("/"));
  }
  if (parsed.hash) {
    if (branch !== undefined) fail("give the branch once, either as #branch or as /tree/branch");
    branch = decodeURIComponent(parsed.hash.slice(1));
  }
  branch ??= defaultBranch;
  if (!BRANCH.test(branch)) fail(`"${branch}" is not a valid branch name`);
  return { owner, name, branch };
}
