import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ServiceDefinitionError } from "../src/errors.js";
import { validateService } from "../src/validate.js";

const serviceDir = fileURLToPath(new URL("./fixtures/basic/", import.meta.url));

const ok = () => ({
  name: "demo",
  functions: [
    {
      name: "hello",
      handler: "src/ok.ts#handler",
      events: [{ type: "httpApi", method: "GET", path: "/hello" }],
    },
  ],
});
type Def = ReturnType<typeof ok> & Record<string, unknown>;
type Fn = Record<string, unknown>;

async function problemsOf(def: unknown): Promise<string> {
  try {
    await validateService(def, { serviceDir });
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceDefinitionError);
    expect((error as ServiceDefinitionError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error("expected the definition to be rejected");
}

const withFn = (patch: Fn): Def => {
  const d = ok() as Def;
  d.functions = [{ ...d.functions[0]!, ...patch } as never];
  return d;
};
const withEvent = (event: unknown): Def => withFn({ events: [event] });

describe("validateService", () => {
  it("accepts a valid definition and returns it", async () => {
    const def = ok();
    await expect(validateService(def, { serviceDir })).resolves.toBe(def);
  });

  it("accepts every event source kind with its fields", async () => {
    const def = withFn({
      events: [
        { type: "httpApi", method: "POST", path: "/items/{id}" },
        { type: "functionUrl" },
        { type: "s3", bucket: "my-uploads", prefix: "in/" },
        { type: "sns", topicArn: "arn:aws:sns:us-east-1:123456789012:t" },
        { type: "sqs", queueArn: { "Fn::GetAtt": ["Q", "Arn"] }, batchSize: 5 },
        {
          type: "dynamodb",
          streamArn: "arn:aws:dynamodb:us-east-1:1:table/t/stream/x",
          startingPosition: "TRIM_HORIZON",
        },
        { type: "kinesis", streamArn: "arn:aws:kinesis:us-east-1:1:stream/s" },
        { type: "schedule", expression: "rate(5 minutes)" },
        { type: "eventPattern", pattern: { source: ["aws.ec2"] } },
        { type: "cloudwatchLogs", logGroupName: "/aws/lambda/other" },
      ],
    });
    await expect(validateService(def, { serviceDir })).resolves.toBe(def);
  });

  const cases: [string, () => unknown, RegExp][] = [
    ["not an object", () => "hello", /service: expected an object from defineService.*received "hello"/],
    [
      "missing name",
      () => ({ ...ok(), name: undefined }),
      /service\.name: must be a stack name.*received nothing/,
    ],
    ["bad service name", () => ({ ...ok(), name: "1bad name" }), /service\.name: .*received "1bad name"/],
    ["unknown service field", () => ({ ...ok(), fuctions: [] }), /service\.fuctions: unknown field/],
    ["no functions", () => ({ ...ok(), functions: [] }), /service\.functions: must be a non-empty array/],
    [
      "function without name",
      () => withFn({ name: undefined }),
      /functions\[0\]\.name: must start with a letter/,
    ],
    [
      "duplicate function names",
      () => ({ ...ok(), functions: [ok().functions[0], { name: "hello", handler: "src/ok.ts#other" }] }),
      /functions\[hello\]\.name: duplicate function name "hello"/,
    ],
    [
      "missing handler",
      () => withFn({ handler: undefined }),
      /functions\[hello\]\.handler: must be "path\/to\/module\.ts#exportName"/,
    ],
    [
      "names that collide as logical ids",
      () => ({
        ...ok(),
        functions: [
          { name: "hello-world", handler: "src/ok.ts" },
          { name: "hello_world", handler: "src/ok.ts" },
        ],
      }),
      /functions\[hello_world\]\.name: "hello_world" and "hello-world" both become the logical id HelloWorldFunction/,
    ],
    [
      "reserved tag prefix",
      () => ({ ...ok(), tags: { "aws:team": "x" } }),
      /service\.tags\.aws:team: the "aws:" prefix is reserved/,
    ],
    [
      "s3 bucket prefix too long",
      () => withEvent({ type: "s3", bucket: "a".repeat(36) }),
      /events\[0\]\.bucket: invalid/,
    ],
    [
      "handler module missing",
      () => withFn({ handler: "src/nope.ts#handler" }),
      /functions\[hello\]\.handler: module "src\/nope\.ts" not found/,
    ],
    [
      "handler export missing",
      () => withFn({ handler: "src/ok.ts#hander" }),
      /functions\[hello\]\.handler: module .*ok\.ts has no export "hander"; its exports: handler, other/,
    ],
    [
      "handler does not compile",
      () => withFn({ handler: "src/broken.ts#handler" }),
      /functions\[hello\]\.handler: module .*broken\.ts does not compile/,
    ],
    [
      "memory too small",
      () => withFn({ memorySize: 64 }),
      /functions\[hello\]\.memorySize: must be an integer number of MB from 128 to 10240, received 64/,
    ],
    [
      "timeout too long",
      () => withFn({ timeout: 901 }),
      /functions\[hello\]\.timeout: .*from 1 to 900, received 901/,
    ],
    [
      "environment value not a string",
      () => withFn({ environment: { PORT: 80 } }),
      /functions\[hello\]\.environment\.PORT: must be a string, received 80/,
    ],
    [
      "environment key invalid",
      () => withFn({ environment: { "1X": "a" } }),
      /functions\[hello\]\.environment\.1X: variable names must match/,
    ],
    [
      "privilege with no resource",
      () => withFn({ privileges: [{ actions: ["s3:GetObject"], resources: [] }] }),
      /functions\[hello\]\.privileges\[0\]\.resources: must list at least one resource ARN/,
    ],
    [
      "privilege with no actions",
      () => withFn({ privileges: [{ resources: ["arn:aws:s3:::b/*"] }] }),
      /functions\[hello\]\.privileges\[0\]\.actions: must list at least one action/,
    ],
    [
      "malformed action",
      () => withFn({ privileges: [{ actions: ["GetObject"], resources: ["*"] }] }),
      /functions\[hello\]\.privileges\[0\]\.actions: "GetObject" is not an IAM action/,
    ],
    [
      "roleName with privileges",
      () => withFn({ roleName: "r", privileges: [{ actions: ["s3:GetObject"], resources: ["*"] }] }),
      /functions\[hello\]\.privileges: cannot be combined with roleName/,
    ],
    ["unknown function field", () => withFn({ memory: 128 }), /functions\[hello\]\.memory: unknown field/],
    [
      "unknown event type",
      () => withEvent({ type: "carrierPigeon" }),
      /functions\[hello\]\.events\[0\]\.type: unknown event source "carrierPigeon"/,
    ],
    [
      "httpApi without path",
      () => withEvent({ type: "httpApi", method: "GET" }),
      /functions\[hello\]\.events\[0\]\.path: missing: a path starting with "\/"/,
    ],
    [
      "httpApi bad method",
      () => withEvent({ type: "httpApi", method: "FETCH", path: "/x" }),
      /events\[0\]\.method: invalid \("FETCH"\): one of ANY, GET/,
    ],
    [
      "duplicate route across functions",
      () => ({
        ...ok(),
        functions: [
          ok().functions[0],
          {
            name: "two",
            handler: "src/ok.ts#other",
            events: [{ type: "httpApi", method: "GET", path: "/hello" }],
          },
        ],
      }),
      /functions\[two\]\.events\[0\]\.path: route "GET \/hello" is already served by function hello/,
    ],
    [
      "s3 without bucket",
      () => withEvent({ type: "s3" }),
      /functions\[hello\]\.events\[0\]: sets neither of "bucket" and "existingBucket"; set exactly one/,
    ],
    [
      "s3 bad bucket",
      () => withEvent({ type: "s3", bucket: "My_Bucket" }),
      /events\[0\]\.bucket: invalid \("My_Bucket"\)/,
    ],
    [
      "sns without topic",
      () => withEvent({ type: "sns" }),
      /functions\[hello\]\.events\[0\]\.topicArn: missing/,
    ],
    [
      "sqs without queue",
      () => withEvent({ type: "sqs", batchSize: 0 }),
      /events\[0\]\.queueArn: missing[\s\S]*events\[0\]\.batchSize: invalid \(0\)/,
    ],
    [
      "stream bad starting position",
      () => withEvent({ type: "kinesis", streamArn: "arn:x", startingPosition: "NOW" }),
      /events\[0\]\.startingPosition: invalid \("NOW"\): "LATEST" or "TRIM_HORIZON"/,
    ],
    [
      "schedule bad expression",
      () => withEvent({ type: "schedule", expression: "every 5 minutes" }),
      /events\[0\]\.expression: invalid \("every 5 minutes"\): an EventBridge schedule/,
    ],
    [
      "eventPattern without pattern",
      () => withEvent({ type: "eventPattern" }),
      /events\[0\]\.pattern: missing: an EventBridge pattern object/,
    ],
    [
      "cloudwatchLogs without group",
      () => withEvent({ type: "cloudwatchLogs" }),
      /events\[0\]\.logGroupName: missing/,
    ],
    [
      "bad parameter name",
      () => ({ ...ok(), parameters: { "my-param": { type: "String" } } }),
      /service\.parameters\.my-param: parameter names must be alphanumeric/,
    ],
    [
      "reserved parameter",
      () => ({ ...ok(), parameters: { ArtifactBucket: {} } }),
      /service\.parameters\.ArtifactBucket: ArtifactBucket is reserved/,
    ],
    [
      "tag not a string",
      () => ({ ...ok(), tags: { team: 7 } }),
      /service\.tags\.team: must be a string, received 7/,
    ],
    [
      "unknown hook",
      () => ({ ...ok(), hooks: { beforeBuild: () => {} } }),
      /service\.hooks\.beforeBuild: unknown hook; known hooks: preBuild/,
    ],
    [
      "command reusing a built-in name",
      () => ({ ...ok(), commands: [{ name: "provision", description: "x", run: () => 0 }] }),
      /service\.commands\[provision\]\.name: "provision" is a built-in command/,
    ],
    [
      "command without run",
      () => ({ ...ok(), commands: [{ name: "provisionPipeline", description: "x" }] }),
      /service\.commands\[provisionPipeline\]\.run: must be a function/,
    ],
  ];

  it.each(cases)("rejects %s with a message naming the field", async (_label, make, expected) => {
    expect(await problemsOf(make())).toMatch(expected);
  });

  it("reports every problem at once, not just the first", async () => {
    const message = await problemsOf(withFn({ memorySize: 1, timeout: 0, handler: "src/ok.ts#nope" }));
    expect(message).toMatch(/has 3 problems/);
    expect(message).toMatch(/memorySize/);
    expect(message).toMatch(/timeout/);
    expect(message).toMatch(/no export "nope"/);
  });
});
