import { describe, expect, it } from "vitest";
import {
  type AuthorizerRequest,
  allow,
  authorizer,
  authorizerResponse,
  deny,
  unauthorized,
} from "../src/authorizer.js";
import { json, lambdaHandler } from "../src/index.js";
import { captureSink, loadEvent, makeContext } from "./helpers.js";

// Real authorizer events (test/events/authorizer, see SOURCE.md): REST TOKEN and REQUEST, HTTP API payloads
// 1.0 and 2.0. The answers are checked against the shapes AWS documents (the documented REST answer is
// test/events/authorizer/rest-policy.response.json).
const policy = (effect: "Allow" | "Deny", resource: string) => ({
  Version: "2012-10-17",
  Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }],
});

describe("authorizer()", () => {
  it("reads a REST TOKEN event and answers an IAM policy with the documented fields", async () => {
    const seen: AuthorizerRequest[] = [];
    const entry = authorizer((request) => {
      seen.push(request);
      return request.token === "allow"
        ? allow({
            principalId: "user-1",
            context: { tenant: "t1", admin: false, level: 3 },
            usageIdentifierKey: "key-1",
          })
        : deny();
    });
    const event = loadEvent("authorizer", "rest-token");
    const answer = await entry(event, makeContext());
    expect(seen[0]).toMatchObject({ type: "TOKEN", format: "rest", token: "allow", arn: event.methodArn });
    expect(answer).toEqual({
      principalId: "user-1",
      policyDocument: policy("Allow", "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/"),
      context: { tenant: "t1", admin: false, level: 3 },
      usageIdentifierKey: "key-1",
    });
    // the documented answer has the same keys
    expect(Object.keys(answer as object).sort()).toEqual(
      Object.keys(loadEvent("authorizer", "rest-policy.response")).sort(),
    );
    event.authorizationToken = "nope";
    expect(await entry(event, makeContext())).toEqual({
      principalId: "anonymous",
      policyDocument: policy("Deny", event.methodArn),
    });
  });

  it("reads a REST REQUEST event's headers, query and method", async () => {
    let seen: AuthorizerRequest | undefined;
    const entry = authorizer((request) => {
      seen = request;
      return allow({ principalId: "p" });
    });
    const event = loadEvent("authorizer", "rest-request");
    const answer = await entry(event, makeContext());
    expect(seen).toMatchObject({ type: "REQUEST", format: "rest", method: "GET", path: "/request" });
    expect(seen!.headers.get("headerauth1")).toBe("headerValue1");
    expect(seen!.query.get("QueryString1")).toBe("queryValue1");
    expect(answer).toEqual({ principalId: "p", policyDocument: policy("Allow", event.methodArn) });
  });

  it("answers an HTTP API payload 2.0 event in the simple format by default, or as a policy", async () => {
    const event = loadEvent("authorizer", "http-v2-request");
    const decide = ({ identitySource, token }: AuthorizerRequest) =>
      identitySource.join(",") === "user1,123" && token === "user1"
        ? allow({ context: { user: "user1", roles: ["admin"] } })
        : deny();
    expect(await authorizer(decide)(event, makeContext())).toEqual({
      isAuthorized: true,
      context: { user: "user1", roles: ["admin"] },
    });
    expect(await authorizer(() => deny())(event, makeContext())).toEqual({ isAuthorized: false });
    expect(
      await authorizer(() => allow({ principalId: "user1" }), { response: "policy" })(event, makeContext()),
    ).toEqual({
      principalId: "user1",
      policyDocument: policy("Allow", event.routeArn),
    });
  });

  it("answers an HTTP API payload 1.0 event with a policy", async () => {
    const event = loadEvent("authorizer", "http-v1-request");
    let seen: AuthorizerRequest | undefined;
    const answer = await authorizer((request) => {
      seen = request;
      return allow({ principalId: "user1", resource: "stage" });
    })(event, makeContext());
    expect(seen).toMatchObject({ format: "http-1.0", token: "user1,123", identitySource: ["user1", "123"] });
    expect(answer).toEqual({
      principalId: "user1",
      policyDocument: policy("Allow", "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/*"),
    });
  });

  it("answers 401 (the Unauthorized error) on REST, a denial on HTTP APIs", async () => {
    const entry = authorizer(() => unauthorized());
    await expect(entry(loadEvent("authorizer", "rest-token"), makeContext())).rejects.toThrow(
      /^Unauthorized$/,
    );
    expect(await entry(loadEvent("authorizer", "http-v2-request"), makeContext())).toEqual({
      isAuthorized: false,
    });
  });

  it("never lets a request through when the function fails: logged, and the invocation fails", async () => {
    const sink = captureSink();
    const entry = authorizer(
      () => {
        throw new Error("JWKS unreachable");
      },
      { logger: sink },
    );
    await expect(entry(loadEvent("authorizer", "http-v2-request"), makeContext())).rejects.toThrow(
      "JWKS unreachable",
    );
    expect(sink.lines[0]).toMatchObject({ level: "ERROR", error: { message: "JWKS unreachable" } });
  });

  it("refuses answers API Gateway could not read, with the fix in the message", async () => {
    const bad = authorizer(() => allow({ context: { roles: ["admin"] } }));
    await expect(bad(loadEvent("authorizer", "rest-token"), makeContext())).rejects.toMatchObject({
      code: "AUTHORIZER_CONTEXT",
      message: expect.stringContaining('"roles" is a list'),
    });
    const missing = authorizer((() => undefined) as never);
    await expect(missing(loadEvent("authorizer", "rest-token"), makeContext())).rejects.toMatchObject({
      code: "AUTHORIZER_DECISION",
    });
    const other = authorizer(() => allow());
    await expect(other(loadEvent("sqs", "receive"), makeContext())).rejects.toMatchObject({
      code: "NOT_AN_AUTHORIZER_EVENT",
    });
    expect(() => authorizer(() => allow(), { response: "iam" as never })).toThrow(/"simple" or "policy"/);
  });

  it("authorizerResponse() gives the same shapes without the wrapper", () => {
    const arn = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request";
    expect(authorizerResponse({ format: "rest", arn }, deny({ resource: [arn, `${arn}/*`] }))).toEqual({
      principalId: "anonymous",
      policyDocument: policy("Deny", [arn, `${arn}/*`] as never),
    });
  });

  it("lambdaHandler() no longer answers an authorizer event as an HTTP request", async () => {
    for (const variant of ["rest-token", "rest-request", "http-v1-request", "http-v2-request"]) {
      const entry = lambdaHandler((req) => json({ url: req.url }), { logger: captureSink() });
      expect(await entry(loadEvent("authorizer", variant), makeContext())).toEqual({
        url: "https://lambda.invalid/events/authorizer",
      });
    }
  });
});
