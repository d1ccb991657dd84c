import { sampleFor } from "./samples.js";
import type { EventSource, FunctionDef } from "./service.js";

// The templates of `sparta init --template NAME`: one function behind one kind of trigger each, with its test and a
// sample event (the payload AWS delivers for that trigger, from samples.ts), so `npm test`, `sparta invoke` and
// `sparta provision --noop` work in the new folder before anything is deployed.

/** The kinds of service `sparta init --template` writes. */
export const TEMPLATE_NAMES = ["http", "queue", "schedule", "pipeline"] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** What one template adds to the files every service has. */
export interface Scaffold {
  /** One line for help and the README: what the function is behind. */
  summary: string;
  /** The function's name (its file is `src/<fn>.ts`, its test `test/<fn>.test.ts`). */
  fn: string;
  /** The sample event's file, under `events/`. */
  eventFile: string;
  config: (name: string) => string;
  handler: string;
  test: string;
  event: () => unknown;
  /** Extra devDependencies (`@sparta/*` ones at the cli's version). */
  spartaDevDependencies: string[];
  /** README lines after the title: what it is, then the commands. */
  readme: (name: string) => string[];
}

export const lines = (...text: string[]) => `${text.join("\n")}\n`;

const http = (method: "GET" | "POST", path: string): EventSource => ({ type: "httpApi", method, path });
const sample = (fn: string, e: EventSource) => sampleFor({ name: fn, handler: "" } as FunctionDef, e);

/** The commands every README lists after its own (deploy, stages, logs, delete). */
const deployLines = (name: string, fn: string) => [
  "npx sparta provision            # deploy: creates or updates the stack " + name,
  "                                # (the first run makes the deployment bucket: sparta bootstrap)",
  `npx sparta provision --stage dev   # another copy side by side: stack ${name}-dev`,
  "npx sparta status               # the stack's status and outputs",
  `npx sparta logs --function ${fn} --since 1h   # its CloudWatch logs`,
  "npx sparta delete               # remove the stack (asks first; --yes in scripts)",
];

const readmeTail = [
  "",
  "`sparta provision` asks before a change that grants new permissions or deletes data; `--yes` answers for CI.",
  "`npx sparta help` lists every command; `npx sparta completion bash` (or zsh, fish) completes them in your shell.",
];

const HELLO_HANDLER = lines(
  'import { compose, errorMapper, HttpError, json, jsonBody, lambdaHandler, normalizeHeaders } from "@sparta/handler";',
  "",
  "// First listed = outermost: errorMapper() turns a thrown HttpError into its status and a JSON error body.",
  "const withDefaults = compose(errorMapper(), normalizeHeaders(), jsonBody());",
  "",
  "/**",
  ' * GET /hello?name=Ada -> {"message":"Hello, Ada!"}; POST /hello with {"name":"Ada"} does the same.',
  " * A standard (request: Request) => Response handler: test/hello.test.ts calls it with a plain Request.",
  " */",
  "export const app = withDefaults(async (req) => {",
  '  let name = new URL(req.url).searchParams.get("name") ?? "world";',
  '  if (req.method === "POST") {',
  "    // Parsed once by jsonBody(): a body that is not JSON already got a 400.",
  "    const body = (await req.json()) as { name?: unknown };",
  '    if (typeof body.name !== "string") throw new HttpError(422, "name must be a string");',
  "    name = body.name;",
  "  }",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the generated handler's own template literal
  '  return json({ message: `${process.env.GREETING ?? "Hello"}, ${name}!` });',
  "});",
  "",
  "/** What Lambda calls: API Gateway's event in, its result out. */",
  "export const handler = lambdaHandler(app);",
);

/** The Lambda context a test passes with a sample event (what the runtime gives a function). */
const TEST_CONTEXT = [
  "/** What the Lambda runtime passes besides the event. */",
  "const context = {",
  '  functionName: "FN",',
  '  functionVersion: "$LATEST",',
  '  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:FN",',
  "  memoryLimitInMB: 256,",
  '  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",',
  '  logGroupName: "/aws/lambda/FN",',
  '  logStreamName: "2026/11/26/[$LATEST]0123456789abcdef",',
  "  getRemainingTimeInMillis: () => 5000,",
  "};",
];

const readEvent = (file: string) => [
  `/** The sample event AWS delivers (events/${file}: also \`sparta invoke --event events/${file}\`). */`,
  `const event = JSON.parse(readFileSync(new URL("../events/${file}", import.meta.url), "utf8"));`,
];

const context = (fn: string) => TEST_CONTEXT.map((l) => l.replaceAll("FN", fn));

const HELLO_TEST = lines(
  'import { readFileSync } from "node:fs";',
  'import { describe, expect, it } from "vitest";',
  'import { app, handler } from "../src/hello.js";',
  "",
  "// The handler is plain web code: call it with a Request, read the Response (no Lambda event needed).",
  "const post = (body: string) =>",
  "  app(",
  '    new Request("https://example.com/hello", {',
  '      method: "POST",',
  '      headers: { "content-type": "application/json" },',
  "      body,",
  "    }),",
  "  );",
  "",
  ...readEvent("hello-get.json"),
  ...context("hello"),
  "",
  'describe("hello", () => {',
  '  it("greets the name in the query", async () => {',
  '    const res = await app(new Request("https://example.com/hello?name=Ada"));',
  "    expect(res.status).toBe(200);",
  '    expect(await res.json()).toEqual({ message: "Hello, Ada!" });',
  "  });",
  "",
  '  it("greets the name in a JSON body, and answers 422 or 400 for a bad one", async () => {',
  '    expect(await (await post(JSON.stringify({ name: "Lin" }))).json()).toEqual({ message: "Hello, Lin!" });',
  "    expect((await post(JSON.stringify({ name: 3 }))).status).toBe(422);",
  '    expect((await post("{not json")).status).toBe(400);',
  "  });",
  "",
  '  it("answers API Gateway\'s event as Lambda calls it", async () => {',
  "    const result = (await handler(structuredClone(event), context)) as { statusCode: number; body: string };",
  "    expect(result.statusCode).toBe(200);",
  '    expect(JSON.parse(result.body)).toEqual({ message: "Hello, world!" });',
  "  });",
  "});",
);

const HTTP_EVENTS = [http("GET", "/hello"), http("POST", "/hello")];

const helloConfig = (extraImports: string[], before: string[], after: string[]) => (name: string) =>
  lines(
    'import { defineService } from "@sparta/cli";',
    ...extraImports,
    "",
    ...before,
    `/** The ${name} service: one program describes its functions, their triggers and their privileges. */`,
    "export const service = defineService({",
    `  name: ${JSON.stringify(name)}, // also the CloudFormation stack name (<name>-<stage> with --stage)`,
    "  functions: [",
    "    {",
    '      name: "hello",',
    '      handler: "src/hello.ts#handler", // export `handler` of src/hello.ts',
    '      description: "Says hello over the HTTP API",',
    "      memorySize: 256,",
    "      timeout: 5,",
    "      events: [",
    '        { type: "httpApi", method: "GET", path: "/hello" },',
    '        { type: "httpApi", method: "POST", path: "/hello" },',
    "      ],",
    '      // privileges: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::my-bucket/*"] }],',
    "    },",
    "  ],",
    ...after,
    "});",
  );

export const SCAFFOLDS: Record<TemplateName, Scaffold> = {
  http: {
    summary: "a function behind GET and POST /hello of an HTTP API",
    fn: "hello",
    eventFile: "hello-get.json",
    config: helloConfig(
      [],
      [],
      [
        "  // Settings per stage (sparta provision --stage prod), merged over the ones above:",
        '  // stages: { prod: { environment: { GREETING: "Hello" }, functionDefaults: { memorySize: 512 } } },',
      ],
    ),
    handler: HELLO_HANDLER,
    test: HELLO_TEST,
    event: () => sample("hello", HTTP_EVENTS[0]!),
    spartaDevDependencies: [],
    readme: (name) => [
      "A Sparta service: the function `hello` behind `GET /hello` and `POST /hello` of an HTTP API.",
      "`sparta.config.ts` defines the service, `src/hello.ts` is the function, `test/hello.test.ts` its test.",
      "",
      "```sh",
      "npm install",
      "npm test                        # its test: the handler called with plain Requests and a sample event",
      "npx sparta provision --noop     # build the template and the ZIP into .sparta/, touch no AWS",
      "npx sparta explore              # serve it on 127.0.0.1:9999 (reloads on change), then:",
      'curl \'http://127.0.0.1:9999/hello?name=Ada\'   # {"message":"Hello, Ada!"}',
      "npx sparta invoke hello --event events/hello-get.json   # run it once on API Gateway's event, as Lambda would",
      ...deployLines(name, "hello"),
      "```",
      ...readmeTail,
    ],
  },
  queue: {
    summary: "a worker of an SQS queue the service creates (with a dead-letter queue)",
    fn: "worker",
    eventFile: "worker-sqs.json",
    config: (name) =>
      lines(
        'import { defineService } from "@sparta/cli";',
        "",
        "/** The queue the worker reads, created with the stack (another stack's queue works too: its ARN). */",
        'const jobs = { "Fn::GetAtt": ["JobsQueue", "Arn"] };',
        "",
        `/** The ${name} service: a worker of the jobs queue. */`,
        "export const service = defineService({",
        `  name: ${JSON.stringify(name)}, // also the CloudFormation stack name (<name>-<stage> with --stage)`,
        "  functions: [",
        "    {",
        '      name: "worker",',
        '      handler: "src/worker.ts#handler",',
        '      description: "Handles each job sent to the jobs queue",',
        "      timeout: 30,",
        '      events: [{ type: "sqs", queueArn: jobs, batchSize: 10 }], // sparta grants the role what it needs to read',
        "    },",
        "  ],",
        "  decorators: [",
        "    // The queues, as plain CloudFormation: a message that fails 5 times moves to the dead-letter queue.",
        "    () => ({",
        "      Resources: {",
        "        JobsQueue: {",
        '          Type: "AWS::SQS::Queue",',
        "          Properties: {",
        "            VisibilityTimeout: 180, // at least 6 times the function's timeout, as AWS advises",
        '            RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"] }, maxReceiveCount: 5 },',
        "          },",
        "        },",
        '        JobsDeadLetterQueue: { Type: "AWS::SQS::Queue", Properties: { MessageRetentionPeriod: 1209600 } },',
        "      },",
        '      Outputs: { JobsQueueUrl: { Description: "Send jobs here", Value: { Ref: "JobsQueue" } } },',
        "    }),",
        "  ],",
        "});",
      ),
    handler: lines(
      'import { HttpError, json, lambdaHandler } from "@sparta/handler";',
      "",
      "/** The part of an SQS event the worker reads (the whole shape: events/worker-sqs.json). */",
      "interface SqsEvent {",
      "  Records?: { messageId: string; body: string }[];",
      "}",
      "",
      '/** A job as senders write it: `aws sqs send-message --message-body \'{"id":"42","task":"resize"}\'`. */',
      "interface Job {",
      "  id: string;",
      "  task: string;",
      "}",
      "",
      "/** Check a message's body: a job, or an error naming the message (the batch is then retried). */",
      "export function parseJob(messageId: string, body: string): Job {",
      "  let job: Partial<Job>;",
      "  try {",
      "    job = JSON.parse(body) as Partial<Job>;",
      "  } catch {",
      "    throw new HttpError(400, `message ${messageId}: the body is not JSON`);",
      "  }",
      '  if (typeof job.id !== "string" || typeof job.task !== "string")',
      '    throw new HttpError(400, `message ${messageId}: expected {"id": "...", "task": "..."}`);',
      "  return { id: job.id, task: job.task };",
      "}",
      "",
      "/**",
      " * SQS hands the worker a batch of messages. An error fails the whole batch: SQS delivers it again after the",
      " * queue's visibility timeout, and after 5 tries a message moves to the dead-letter queue.",
      " */",
      "export const app = async (req: Request): Promise<Response> => {",
      "  const event = (await req.json()) as SqsEvent;",
      "  const jobs = (event.Records ?? []).map((r) => parseJob(r.messageId, r.body));",
      "  // Do the work here: jobs are { id, task }.",
      "  return json({ done: jobs.map((j) => j.id) });",
      "};",
      "",
      "/** What Lambda calls: the SQS batch in, `{ done: [...] }` out (an error fails the batch). */",
      "export const handler = lambdaHandler(app);",
    ),
    test: lines(
      'import { readFileSync } from "node:fs";',
      'import { describe, expect, it } from "vitest";',
      'import { handler, parseJob } from "../src/worker.js";',
      "",
      ...readEvent("worker-sqs.json"),
      ...context("worker"),
      "",
      'describe("worker", () => {',
      '  it("handles a batch from SQS as Lambda delivers it", async () => {',
      '    expect(await handler(structuredClone(event), context)).toEqual({ done: ["job-1"] });',
      "  });",
      "",
      '  it("fails the batch on a message that is not a job, so SQS delivers it again", async () => {',
      "    const bad = structuredClone(event);",
      '    bad.Records[0].body = "not json";',
      "    await expect(handler(bad, context)).rejects.toThrow();",
      '    expect(() => parseJob("m-1", \'{"id":"1"}\')).toThrow(/message m-1: expected/);',
      "  });",
      "});",
    ),
    event: () => {
      const e = sample("worker", { type: "sqs", queueArn: { "Fn::GetAtt": ["JobsQueue", "Arn"] } }) as {
        Records: { body: string }[];
      };
      for (const r of e.Records) r.body = JSON.stringify({ id: "job-1", task: "resize" });
      return e;
    },
    spartaDevDependencies: [],
    readme: (name) => [
      "A Sparta service: the function `worker` handles the jobs sent to an SQS queue the stack creates",
      "(`JobsQueue`, whose URL is the stack output `JobsQueueUrl`); a message that fails 5 times moves to",
      "`JobsDeadLetterQueue`. `sparta.config.ts` defines the service and its queues, `src/worker.ts` is the function.",
      "",
      "```sh",
      "npm install",
      "npm test                        # its test: the handler called with a sample SQS event (events/worker-sqs.json)",
      "npx sparta provision --noop     # build the template and the ZIP into .sparta/, touch no AWS",
      "npx sparta invoke worker --event events/worker-sqs.json   # run it once on that event, as Lambda would",
      ...deployLines(name, "worker"),
      'aws sqs send-message --queue-url <JobsQueueUrl> --message-body \'{"id":"42","task":"resize"}\'',
      "```",
      ...readmeTail,
    ],
  },
  schedule: {
    summary: "a job an EventBridge schedule runs every day",
    fn: "nightly",
    eventFile: "nightly-schedule.json",
    config: (name) =>
      lines(
        'import { defineService } from "@sparta/cli";',
        "",
        `/** The ${name} service: a job that runs on a schedule. */`,
        "export const service = defineService({",
        `  name: ${JSON.stringify(name)}, // also the CloudFormation stack name (<name>-<stage> with --stage)`,
        "  functions: [",
        "    {",
        '      name: "nightly",',
        '      handler: "src/nightly.ts#handler",',
        '      description: "Runs at 03:00 UTC every day",',
        "      timeout: 60,",
        "      // cron(minutes hours day-of-month month day-of-week year), in UTC; or rate(1 hour)",
        '      events: [{ type: "schedule", expression: "cron(0 3 * * ? *)" }],',
        "    },",
        "  ],",
        "});",
      ),
    handler: lines(
      'import { json, lambdaHandler } from "@sparta/handler";',
      "",
      "/** The part of EventBridge's scheduled event the job reads (the whole shape: events/nightly-schedule.json). */",
      "interface ScheduledEvent {",
      "  time: string;",
      '  "detail-type": string;',
      "}",
      "",
      "/** The job. `time` is when the schedule fired (UTC), not when the function started. */",
      "export async function runJob(scheduledAt: Date): Promise<{ day: string }> {",
      "  // Do the work here.",
      "  return { day: scheduledAt.toISOString().slice(0, 10) };",
      "}",
      "",
      "export const app = async (req: Request): Promise<Response> => {",
      "  const event = (await req.json()) as ScheduledEvent;",
      '  return json({ ran: event["detail-type"], ...(await runJob(new Date(event.time))) });',
      "};",
      "",
      "/** What Lambda calls: EventBridge's scheduled event in; an error makes EventBridge retry. */",
      "export const handler = lambdaHandler(app);",
    ),
    test: lines(
      'import { readFileSync } from "node:fs";',
      'import { describe, expect, it } from "vitest";',
      'import { handler, runJob } from "../src/nightly.js";',
      "",
      ...readEvent("nightly-schedule.json"),
      ...context("nightly"),
      "",
      'describe("nightly", () => {',
      '  it("runs on the scheduled event as Lambda delivers it", async () => {',
      '    const scheduled = { ...structuredClone(event), time: "2026-11-26T03:00:00Z" };',
      '    expect(await handler(scheduled, context)).toEqual({ ran: "Scheduled Event", day: "2026-11-26" });',
      "  });",
      "",
      '  it("works on the day the schedule fired", async () => {',
      '    expect(await runJob(new Date("2026-12-31T23:59:59Z"))).toEqual({ day: "2026-12-31" });',
      "  });",
      "});",
    ),
    event: () => sample("nightly", { type: "schedule", expression: "cron(0 3 * * ? *)" }),
    spartaDevDependencies: [],
    readme: (name) => [
      "A Sparta service: the function `nightly` runs at 03:00 UTC every day on an EventBridge schedule.",
      "`sparta.config.ts` defines the service and its schedule, `src/nightly.ts` is the function.",
      "",
      "```sh",
      "npm install",
      "npm test                        # its test: the handler called with a sample scheduled event",
      "npx sparta provision --noop     # build the template and the ZIP into .sparta/, touch no AWS",
      "npx sparta invoke nightly --event events/nightly-schedule.json   # run it once now, as Lambda would",
      ...deployLines(name, "nightly"),
      "```",
      ...readmeTail,
    ],
  },
  pipeline: {
    summary:
      "the http function, delivered by its own CodePipeline (test, then production) from @sparta/pipeline",
    fn: "hello",
    eventFile: "hello-get.json",
    config: helloConfig(
      ['import { codePipeline } from "@sparta/pipeline";'],
      [
        "// The delivery pipeline: every push to the branch is built, deployed to `test`, then to `production` after a",
        "// manual approval; each environment is its own stack and gives the function its own GREETING.",
        "export const pipeline = codePipeline();",
        'pipeline.registerEnvironment("test", { GREETING: "Hello from test" });',
        'pipeline.registerEnvironment("production", { GREETING: "Hello" });',
        "",
      ],
      [
        "  decorators: [pipeline.decorator], // the parameter EnvGREETING, given to the function as GREETING",
        "  commands: [pipeline.command], // sparta provision-pipeline",
        "  codePipelinePackage: pipeline.packageFor, // what the pipeline's build hands each environment",
      ],
    ),
    handler: HELLO_HANDLER,
    test: HELLO_TEST,
    event: () => sample("hello", HTTP_EVENTS[0]!),
    spartaDevDependencies: ["@sparta/pipeline"],
    readme: (name) => [
      "A Sparta service delivered by its own pipeline: the function `hello` behind `GET /hello` and `POST /hello`",
      "of an HTTP API, and a CodePipeline (from `@sparta/pipeline`) that builds every push and deploys it to the",
      "`test` environment, then to `production` after a manual approval. `sparta.config.ts` defines both.",
      "",
      "```sh",
      "npm install",
      "npm test                        # its test: the handler called with plain Requests and a sample event",
      "npx sparta provision --noop     # build the template and the ZIP into .sparta/, touch no AWS",
      "npx sparta explore              # serve it on 127.0.0.1:9999 (reloads on change)",
      "npx sparta invoke hello --event events/hello-get.json   # run it once on API Gateway's event, as Lambda would",
      "npx sparta provision-pipeline --noop --pipeline " + `${name}-pipeline` + " \\",
      "  --repo https://github.com/OWNER/REPO#main --connection arn:aws:codestar-connections:REGION:ACCOUNT:connection/ID",
      "                                # the pipeline's template and buildspec.yml, deployed without --noop",
      ...deployLines(name, "hello"),
      "```",
      ...readmeTail,
    ],
  },
};
