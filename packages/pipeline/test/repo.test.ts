import { describe, expect, it } from "vitest";
import { InvalidRepoUrlError, parseGitHubRepo } from "../src/index.js";

describe("parseGitHubRepo", () => {
  it.each([
    ["https://github.com/acme/hello", { owner: "acme", name: "hello", branch: "main" }],
    ["https://github.com/acme/hello.git", { owner: "acme", name: "hello", branch: "main" }],
    ["https://github.com/acme/hello#master", { owner: "acme", name: "hello", branch: "master" }],
    ["https://github.com/acme/hello/tree/master", { owner: "acme", name: "hello", branch: "master" }],
    [
      "https://github.com/acme/hello/tree/release/1.x",
      { owner: "acme", name: "hello", branch: "release/1.x" },
    ],
    ["https://github.com/acme/hello.git#feature/x", { owner: "acme", name: "hello", branch: "feature/x" }],
  ])("parses %s", (url, expected) => {
    expect(parseGitHubRepo(url)).toEqual(expected);
  });

  it("uses the given default branch", () => {
    expect(parseGitHubRepo("https://github.com/acme/hello", "master").branch).toBe("master");
  });

  it.each([
    ["", /it is empty/],
    ["acme/hello", /not a URL/],
    ["http://github.com/acme/hello", /use https/],
    ["https://gitlab.com/acme/hello", /host is gitlab.com/],
    ["https://github.com/acme", /both an owner and a repository name/],
    ["https://github.com/acme/hello/blob/main/README.md", /unexpected path/],
    ["https://github.com/acme/hello/tree/main#dev", /give the branch once/],
    ["https://github.com/acme/hello#bad..branch", /not a valid branch name/],
    ["https://user:secret@github.com/acme/hello", /must not contain credentials/],
    ["https://github.com/-acme/hello", /not a GitHub owner name/],
  ])("rejects %j with a message naming the flag", (url, why) => {
    expect(() => parseGitHubRepo(url)).toThrow(InvalidRepoUrlError);
    expect(() => parseGitHubRepo(url)).toThrow(why);
    expect(() => parseGitHubRepo(url)).toThrow(/--repo .* e\.g\. https:\/\/github\.com\/owner\/repo/);
  });
});
