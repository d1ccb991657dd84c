import { describe, expect, it } from "vitest";
import { json, lambdaHandler, pathname } from "../src/index.js";
import { captureSink, loadEvent, makeContext } from "./helpers.js";

// How each source delivers the path (checked against AWS's documentation and public captures): HTTP API decodes
// it (payload 2.0 `rawPath` and payload 1.0 `path` alike), REST, ALB and Function URLs pass it as the client sent
// it, percent-encoded. The request URL must keep every character of the path in the path.
type Seen = { url: string; pathname: string; fast: string; search: string };

async function see(event: unknown): Promise<Seen> {
  let seen: Seen | undefined;
  const entry = lambdaHandler(
    (req) => {
      const url = new URL(req.url);
      seen = { url: req.url, pathname: url.pathname, fast: pathname(req), search: url.search };
      return json(null);
    },
    { logger: captureSink() },
  );
  await entry(event, makeContext());
  return seen!;
}

/** An event of each source whose path is `path` and whose query is `x=1`. */
function eventOf(source: string, path: string): unknown {
  switch (source) {
    case "http-api-2.0": {
      const e = loadEvent("apigw-v2", "no-authorizer");
      return Object.assign(e, { rawPath: path, rawQueryString: "x=1" });
    }
    case "http-api-1.0": {
      const e = loadEvent("apigw-v1", "proxy");
      return Object.assign(e, {
        version: "1.0",
        path,
        queryStringParameters: { x: "1" },
        multiValueQueryStringParameters: { x: ["1"] },
      });
    }
    case "rest": {
      const e = loadEvent("apigw-v1", "proxy");
      return Object.assign(e, {
        path,
        queryStringParameters: { x: "1" },
        multiValueQueryStringParameters: { x: ["1"] },
      });
    }
    case "alb":
      return Object.assign(loadEvent("alb", "headers-only"), { path, queryStringParameters: { x: "1" } });
    case "function-url": {
      const e = loadEvent("function-url", "request");
      e.requestContext.domainName = "abcdefg.lambda-url.us-west-2.on.aws";
      return Object.assign(e, { rawPath: path, rawQueryString: "x=1" });
    }
    default:
      throw new Error(source);
  }
}

// A decoded path: every character is literal. [delivered path, pathname expected]
const DECODED: [string, string][] = [
  ["/notes/a#b", "/notes/a%23b"],
  ["/notes/a?b", "/notes/a%3Fb"],
  ["/deals/50%off", "/deals/50%25off"],
  ["/deals/100%25", "/deals/100%2525"], // a decoded "%25" is the three characters, not an escape
  ["/files/a b", "/files/a%20b"],
  ["/café/☕", "/caf%C3%A9/%E2%98%95"],
  ["/emoji/😀", "/emoji/%F0%9F%98%80"],
  ['/q/"<>`{}|^[]\\', "/q/%22%3C%3E%60%7B%7D%7C%5E%5B%5D%5C"],
  ["/tab/\t\u0001", "/tab/%09%01"],
  ["/keep/-._~!$&'()*+,;=:@", "/keep/-._~!$&'()*+,;=:@"],
];

// A path as sent: escapes are kept, characters that cannot appear in a URL path are encoded.
const RAW: [string, string][] = [
  ["/notes/a%23b", "/notes/a%23b"],
  ["/files/a%20b", "/files/a%20b"],
  ["/caf%C3%A9", "/caf%C3%A9"],
  ["/deals/50%off", "/deals/50%25off"], // a bare % is not an escape
  ["/notes/a#b", "/notes/a%23b"],
  ["/notes/a?b", "/notes/a%3Fb"],
  ["/files/a b", "/files/a%20b"],
  ["/café", "/caf%C3%A9"],
];

describe("paths in the request URL", () => {
  for (const source of ["http-api-2.0", "http-api-1.0"]) {
    it.each(
      DECODED,
    )(`${source} (decoded): %j is pathname %j and the query survives`, async (path, expected) => {
      const seen = await see(eventOf(source, path));
      expect(seen.pathname).toBe(expected);
      expect(seen.fast).toBe(expected);
      expect(seen.search).toBe("?x=1");
      expect(decodeURIComponent(seen.pathname)).toBe(path);
    });
  }

  for (const source of ["rest", "alb", "function-url"]) {
    it.each(RAW)(`${source} (as sent): %j is pathname %j and the query survives`, async (path, expected) => {
      const seen = await see(eventOf(source, path));
      expect(seen.pathname).toBe(expected);
      expect(seen.fast).toBe(expected);
      expect(seen.search).toBe("?x=1");
    });
  }

  it("every ASCII character of a decoded path is kept or percent-encoded, and the query survives", async () => {
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      const seen = await see(eventOf("http-api-2.0", `/a${ch}b`));
      const expected = `/a${/[\w\-.~!$&'()*+,;=:@/]/.test(ch) ? ch : encodeURIComponent(ch)}b`;
      expect([c, seen.pathname, seen.fast, seen.search]).toEqual([c, expected, expected, "?x=1"]);
    }
  });

  it("pathname(req) matches the URL parser on dot segments too", async () => {
    for (const path of ["/a/../b", "/a/./b/", "/a/%2e%2e/b"]) {
      const seen = await see(eventOf("rest", path));
      expect(seen.fast).toBe(seen.pathname);
    }
  });

  it("pathname(req) works on any Request", () => {
    expect(pathname(new Request("https://example.com/a%20b?c=1"))).toBe("/a%20b");
  });

  it.each([
    ["rest", "path", 123],
    ["rest", "path", "foo"],
    ["http-api-2.0", "rawPath", "hello"],
  ])("%s: a %s of %j is a 400 naming the field, not https://host%s", async (source, field, value) => {
    const event = eventOf(source, "/") as Record<string, unknown>;
    event[field] = value;
    const entry = lambdaHandler((req) => json({ url: req.url }), { logger: captureSink() });
    const result = (await entry(event, makeContext())) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toBe(
      `The "${field}" field of the HTTP event must be a path starting with "/", received ${typeof value}`,
    );
  });
});
