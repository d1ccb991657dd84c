import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEvent } from "../src/invoke.js";
import { copyExample, removeCopies, runInProcess } from "./example.js";

// Input AWS accepts into a template but refuses only when the stack deploys (or that would deploy something other
// than meant): each is refused by `sparta provision` before anything is built or sent, with exit code 2 and a
// message naming the setting and the fix. An HTTP server stands in for every AWS endpoint and counts the requests
// that reach it: none may.

/** One function of the example, with `patch` written over it as TypeScript source. */
const service = (fn: string, extra = "") => `import { defineService } from "@sparta/cli";
export const service = defineService({
  name: "hello",
  ${extra}
  functions: [{ name: "hello", handler: "src/hello.ts#handler", ${fn} }],
});
`;

interface Case {
  name: string;
  /** sparta.config.ts of the service. */
  config: string;
  /** Other files to write (path relative to the service folder: contents). */
  files?: Record<string, string>;
  /** Every expression must match stderr. */
  says: RegExp[];
  /** The build ran (a decorator's result is only known once the template is made); nothing was sent either way. */
  built?: boolean;
}

const cases: Case[] = [
  {
    name: "cron with five fields (a Unix crontab line)",
    config: service(`events: [{ type: "schedule", expression: "cron(0 12 * * *)" }]`),
    says: [
      /functions\[hello\]\.events\[0\]\.expression: "cron\(0 12 \* \* \*\)": cron\(\.\.\.\) needs six fields/,
      /cron\(0 12 \* \* \? \*\)/,
    ],
  },
  {
    name: 'cron with "?" in both day fields',
    config: service(`events: [{ type: "schedule", expression: "cron(0 12 ? * ? *)" }]`),
    says: [/events\[0\]\.expression: .*"\?" may stand in only one of day-of-month and day-of-week/],
  },
  {
    name: 'cron without "?" in either day field',
    config: service(`events: [{ type: "schedule", expression: "cron(0 12 1 * MON *)" }]`),
    says: [
      /events\[0\]\.expression: .*exactly one of day-of-month \("1"\) and day-of-week \("MON"\) must be "\?"/,
    ],
  },
  {
    name: 'cron with "?" in the hours',
    config: service(`events: [{ type: "schedule", expression: "cron(0 ? * * ? *)" }]`),
    says: [/"\?" may stand only in day-of-month or day-of-week, not in hours/],
  },
  {
    name: "rate with a singular unit for 5",
    config: service(`events: [{ type: "schedule", expression: "rate(5 minute)" }]`),
    says: [/events\[0\]\.expression: "rate\(5 minute\)": use "minutes" with 5: rate\(5 minutes\)/],
  },
  {
    name: "rate of 0",
    config: service(`events: [{ type: "schedule", expression: "rate(0 minutes)" }]`),
    says: [/events\[0\]\.expression: "rate\(0 minutes\)": the rate must be a whole number of at least 1/],
  },
  {
    name: "a reserved environment variable (AWS_REGION)",
    config: service(`environment: { AWS_REGION: "eu-west-1" }`),
    says: [
      /functions\[hello\]\.environment\.AWS_REGION: AWS_REGION is reserved: Lambda sets it/,
      /rename the variable/,
    ],
  },
  {
    name: "a reserved environment variable in functionDefaults (AWS_LAMBDA_FUNCTION_NAME)",
    config: service("", `functionDefaults: { environment: { AWS_LAMBDA_FUNCTION_NAME: "x" } },`),
    says: [
      /service\.functionDefaults\.environment\.AWS_LAMBDA_FUNCTION_NAME: AWS_LAMBDA_FUNCTION_NAME is reserved/,
    ],
  },
  {
    name: "a reserved environment variable of Lambda's own (_HANDLER)",
    config: service(`environment: { _HANDLER: "index.other" }`),
    says: [/environment\._HANDLER: _HANDLER is reserved/],
  },
  {
    name: "an environment over Lambda's 4 KB",
    config: service(`environment: { A: "x".repeat(3000), B: "y".repeat(1200) }`),
    says: [/functions\[hello\]\.environment: takes 4202 bytes .*Lambda's limit is 4 KB \(4096 bytes\)/],
  },
  {
    name: "an environment over 4 KB only in a stage",
    config: service(
      `environment: { A: "x".repeat(3000) }`,
      `stages: { prod: { environment: { B: "y".repeat(1200) } } },`,
    ),
    says: [
      /functions\[hello\]\.environment: takes \d+ bytes \(names and values, with stage prod's settings\)/,
    ],
  },
  {
    name: "an HTTP API path with an unclosed brace",
    config: service(`events: [{ type: "httpApi", method: "GET", path: "/items/{id" }]`),
    says: [/events\[0\]\.path: "\/items\/\{id": segment "\{id" is not a parameter/],
  },
  {
    name: "an HTTP API path with a greedy parameter before the end",
    config: service(`events: [{ type: "httpApi", method: "GET", path: "/files/{proxy+}/meta" }]`),
    says: [/events\[0\]\.path: .*the greedy parameter "\{proxy\+\}" must be the last segment/],
  },
  {
    name: "an HTTP API path naming a parameter twice",
    config: service(`events: [{ type: "httpApi", method: "GET", path: "/a/{id}/b/{id}" }]`),
    says: [/events\[0\]\.path: .*names the parameter "id" twice/],
  },
  {
    name: "a queue name where the queue's ARN is needed",
    config: service(`events: [{ type: "sqs", queueArn: "orders-queue" }]`),
    says: [
      /events\[0\]\.queueArn: "orders-queue" is a name, not an ARN/,
      /arn:aws:sqs:us-east-1:123456789012:orders-queue/,
    ],
  },
  {
    name: "a bucket name where a privilege needs an ARN",
    config: service(`privileges: [{ actions: ["s3:GetObject"], resources: ["my-bucket"] }]`),
    says: [
      /functions\[hello\]\.privileges\[0\]\.resources: "my-bucket" is not an ARN .*"arn:aws:s3:::my-bucket\/\*"/,
    ],
  },
  {
    name: "a malformed topic ARN in deadLetter",
    config: service(`deadLetter: { topicArn: "arn:aws:sqs:us-east-1:123456789012:q" }`),
    says: [/functions\[hello\]\.deadLetter\.topicArn: "arn:aws:sqs:.*" is not an SNS ARN/],
  },
  {
    name: "a handler export that is not a function",
    config: service("").replace("src/hello.ts#handler", "src/answer.ts#handler"),
    files: { "src/answer.ts": "export const handler = 42;\n" },
    says: [/functions\[hello\]\.handler: module .*answer\.ts: the export "handler" is 42, not a function/],
  },
  {
    name: "a handler file that does not compile (esbuild's whole error)",
    config: service("").replace("src/hello.ts#handler", "src/broken.ts#handler"),
    files: { "src/broken.ts": "export const handler = async () => {\n  return { statusCode: 200 ;\n};\n" },
    says: [
      /functions\[hello\]\.handler: module .*broken\.ts does not compile:/,
      /Build failed with 1 error/,
      /broken\.ts:2:\d+: ERROR: Expected "}" but found ";"/,
    ],
  },
  {
    name: "a function description over 256 characters",
    config: service(`description: "d".repeat(300)`),
    says: [/functions\[hello\]\.description: is 300 characters; Lambda takes at most 256/],
  },
  {
    name: "an SQS batch size over 10,000",
    config: service(
      `events: [{ type: "sqs", queueArn: "arn:aws:sqs:us-east-1:123456789012:q", batchSize: 20000 }]`,
    ),
    says: [/events\[0\]\.batchSize: 20000 is more than SQS allows: a batch has 1 to 10000 records/],
  },
  {
    name: "a Kinesis batch size over 10,000",
    config: service(
      `events: [{ type: "kinesis", streamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s", batchSize: 20000 }]`,
    ),
    says: [/events\[0\]\.batchSize: 20000 is more than Kinesis allows/],
  },
  {
    name: 'a parameter of type "Strin"',
    config: service("", `parameters: { Domain: { type: "Strin", default: "x" } },`),
    says: [
      /service\.parameters\.Domain\.type: "Strin" is not a CloudFormation parameter type\. Did you mean String\?/,
    ],
  },
  {
    name: "a decorator that returns a number",
    config: service(`decorator: () => 42 as never`),
    says: [/functions\[hello\]\.decorator returned 42; a decorator returns a template fragment/],
    built: true,
  },
  {
    name: "a decorator that returns a fragment with a misspelled section",
    config: service("", `decorators: [() => ({ resources: {} }) as never],`),
    says: [
      /service\.decorators\[0\] returned a fragment with "resources", which is not a section it may add\. Did you mean Resources\?/,
    ],
    built: true,
  },
  {
    name: "an unknown .spartarc.json key",
    config: service(""),
    files: { ".spartarc.json": JSON.stringify({ s3bucket: "my-bucket" }) },
    says: [/\.spartarc\.json: unknown key "s3bucket"\. Did you mean s3Bucket\?/],
  },
];

describe("bad input is refused before anything is deployed", () => {
  let server: Server;
  /** Each request's CloudFormation/STS Action, or S3's method and path. */
  const requests: string[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      let body = "";
      for await (const chunk of req) body += chunk;
      requests.push(/(?:^|&)Action=(\w+)/.exec(body)?.[1] ?? `S3 ${req.method} ${req.url}`);
      res.statusCode = 500;
      res.end();
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    env = {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_MAX_ATTEMPTS: "1",
    };
  });
  afterAll(async () => {
    removeCopies();
    await new Promise((done) => server.close(done));
  });

  it.each(cases)("$name", async (c) => {
    const dir = copyExample();
    writeFileSync(join(dir, "sparta.config.ts"), c.config);
    for (const [path, text] of Object.entries(c.files ?? {})) writeFileSync(join(dir, path), text);
    const before = requests.length;
    const r = await runInProcess(["provision", "--yes"], dir, env);
    expect(r.code, r.stderr).toBe(2);
    for (const says of c.says) expect(r.stderr).toMatch(says);
    // One report, no stack trace for a user's mistake.
    expect(r.stderr).not.toMatch(/internal error|\n\s+at .+:\d+:\d+\)?\n/);
    const sent = requests.slice(before);
    // A build that fails has read the deployment bucket's stack at most (provision reads it while bundling).
    if (c.built)
      expect(
        sent.filter((a) => a !== "DescribeStacks"),
        "requests sent to AWS",
      ).toEqual([]);
    else expect(sent, "requests sent to AWS").toEqual([]);
    const zips = existsSync(join(dir, ".sparta"))
      ? readdirSync(join(dir, ".sparta")).filter((f) => f.endsWith(".zip"))
      : [];
    if (!c.built) expect(zips, "nothing is bundled before the definition is checked").toEqual([]);
  });

  it(".spartarc.json may hold a service command's flag: known where the service is, for every command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sparta-rc-"));
    try {
      cpSync(fileURLToPath(new URL("./fixtures/basic/", import.meta.url)), dir, { recursive: true });
      writeFileSync(join(dir, ".spartarc.json"), JSON.stringify({ $schema: "./rc.schema.json", who: "Ada" }));
      const greet = await runInProcess(["greet"], dir);
      expect(greet.code, greet.stderr).toBe(0);
      expect(greet.stdout).toMatch(/Ada/);
      const version = await runInProcess(["version"], dir);
      expect(version.code, version.stderr).toBe(0);
      writeFileSync(join(dir, ".spartarc.json"), JSON.stringify({ whom: "Ada" }));
      const typo = await runInProcess(["greet", "--who", "x"], dir);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toMatch(/\.spartarc\.json: unknown key "whom"\. Did you mean who\?/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("with --format json a usage error is JSON on stdout too", async () => {
    const dir = copyExample();
    const r = await runInProcess(["provision", "--s3-bukket", "b", "--format", "json"], dir, env);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: {
        code: "USAGE",
        exitCode: 2,
        message: expect.stringMatching(
          /^sparta provision: unknown flag --s3-bukket\. Did you mean --s3-bucket\?/,
        ),
      },
    });
    const definition = copyExample();
    writeFileSync(join(definition, "sparta.config.ts"), service(`environment: { AWS_REGION: "x" }`));
    const d = await runInProcess(["provision", "--format", "json"], definition, env);
    expect(d.code).toBe(2);
    expect(JSON.parse(d.stdout).error).toMatchObject({
      code: "SERVICE_DEFINITION_INVALID",
      problems: [
        { path: "functions[hello].environment.AWS_REGION", message: expect.stringMatching(/reserved/) },
      ],
    });
  });

  it("reads an event file that starts with a UTF-8 byte-order mark", async () => {
    const dir = copyExample();
    writeFileSync(join(dir, "event.json"), `\uFEFF${JSON.stringify({ Records: [] })}`);
    await expect(readEvent("event.json", dir)).resolves.toEqual({
      text: '{"Records":[]}',
      source: "event.json",
    });
  });
});
