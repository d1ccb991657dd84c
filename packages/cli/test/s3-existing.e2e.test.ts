import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  type NotificationConfiguration,
  PutBucketNotificationConfigurationCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { type Emulator, startEmulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { S3_NOTIFICATION_HANDLER } from "../src/s3-notifications.js";

// The custom resource's inline code itself, written out as index.js and required, runs against the emulator's S3
// (moto), answering CloudFormation on a local HTTP server that stands in for the pre-signed ResponseURL.
// What moto checks on PutBucketNotificationConfiguration: the ARN's service and region and the event names; it does
// not check that the function, queue or topic exists, and its GET never returns EventBridgeConfiguration (that part is
// covered by the `merge` test at the end).

const cliRoot = fileURLToPath(new URL("..", import.meta.url));
const fixture = (name: string): CfnEvent =>
  structuredClone(
    JSON.parse(readFileSync(join(cliRoot, "test/fixtures/s3-existing", `${name}.json`), "utf8")),
  );

interface CfnEvent {
  RequestType: "Create" | "Update" | "Delete";
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: { Bucket: string; NotificationConfigurations: Record<string, unknown>[] };
  OldResourceProperties?: { Bucket: string };
  [key: string]: unknown;
}
interface CfnResponse {
  Status: "SUCCESS" | "FAILED";
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
}
type Handler = (event: CfnEvent, context: unknown) => Promise<void>;

const ACCOUNT = "123456789012";
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:ingest-ResizeFunction-7G8H9I0J1K2L`;
const OURS_ID = "ingest-ResizeS3Trigger0Notification-0";
// A bucket's configuration as its owner left it: a queue, a topic and another team's function.
const USER_CONFIG: NotificationConfiguration = {
  QueueConfigurations: [
    {
      Id: "user-queue",
      QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:uploads`,
      Events: ["s3:ObjectCreated:*"],
    },
  ],
  TopicConfigurations: [
    {
      Id: "user-topic",
      TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:removed`,
      Events: ["s3:ObjectRemoved:*"],
    },
  ],
  LambdaFunctionConfigurations: [
    {
      Id: "user-function",
      LambdaFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:other-team`,
      Events: ["s3:ObjectCreated:Put"],
      Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "other/" }] } },
    },
  ],
};
const context = (remainingMs = 60_000) => ({
  getRemainingTimeInMillis: () => remainingMs,
  logStreamName: "2026/11/26/[$LATEST]0123456789abcdef",
});

describe("the existing-bucket notification custom resource (its inline code on the emulator's S3)", () => {
  let emu: Emulator;
  let s3: S3Client;
  let dir: string;
  let handler: Handler;
  let merge: (cur: unknown, prefix: string, ours: unknown[]) => Record<string, unknown>;
  let responder: Server;
  let responderUrl: string;
  const responses = new Map<string, CfnResponse>();
  const savedEnv = { ...process.env };
  let n = 0;
  // The handler logs one line per request through console, as a Lambda function does (CloudWatch Logs).
  let log: MockInstance<(...args: unknown[]) => void>;

  /** Run the handler on an event, answering to a fresh ResponseURL; returns what it PUT there. */
  const invoke = async (event: CfnEvent, ctx: unknown = context()): Promise<CfnResponse> => {
    const key = `/response/${++n}?X-Amz-Signature=0000`;
    event.ResponseURL = `${responderUrl}${key}`;
    await handler(event, ctx);
    const answer = responses.get(key);
    if (!answer) throw new Error(`the handler returned without answering ${key}`);
    return answer;
  };
  const config = async (bucket: string) => {
    const { $metadata: _, ...rest } = await s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: bucket }),
    );
    return rest;
  };
  const createBucket = async (bucket: string, notifications?: NotificationConfiguration) => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    if (notifications)
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: notifications,
        }),
      );
  };
  const ours = (prefix: string, id = OURS_ID) => ({
    Id: id,
    LambdaFunctionArn: FN,
    Events: ["s3:ObjectCreated:*"],
    Filter: { Key: { FilterRules: [{ Name: "prefix", Value: prefix }] } },
  });

  beforeAll(async () => {
    emu = await startEmulator();
    // The handler's S3Client reads the endpoint, credentials and region from the environment, as in Lambda.
    Object.assign(process.env, emu.env);
    s3 = new S3Client({
      ...emu.clientConfig,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    // index.js next to a node_modules holding the SDK, as the nodejs22.x runtime provides it.
    dir = mkdtempSync(join(tmpdir(), "sparta-s3n-"));
    writeFileSync(join(dir, "index.js"), S3_NOTIFICATION_HANDLER);
    mkdirSync(join(dir, "node_modules", "@aws-sdk"), { recursive: true });
    symlinkSync(
      realpathSync(join(cliRoot, "node_modules", "@aws-sdk", "client-s3")),
      join(dir, "node_modules", "@aws-sdk", "client-s3"),
      "dir",
    );
    const mod = createRequire(join(dir, "index.js"))("./index.js");
    handler = mod.handler;
    merge = mod.merge;
    responder = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        // A pre-signed S3 URL takes a PUT; the body is the JSON CloudFormation reads.
        if (req.method === "PUT") responses.set(req.url!, JSON.parse(body));
        res.writeHead(req.method === "PUT" ? 200 : 405).end();
      });
    });
    await new Promise<void>((r) => responder.listen(0, "127.0.0.1", r));
    const address = responder.address();
    responderUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await emu?.stop();
    await new Promise((r) => responder?.close(r));
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await emu.reset();
    log = vi.spyOn(console, "log").mockImplementation(() => {});
    return () => log.mockRestore();
  });

  it("inline code is CommonJS under CloudFormation's 4,096-character ZipFile limit", () => {
    expect(S3_NOTIFICATION_HANDLER.length).toBeLessThan(4096);
    expect(typeof handler).toBe("function");
  });

  it("Create adds its configuration and keeps the queue, topic and other function; Update replaces it; Delete removes only it", async () => {
    await createBucket("my-data-bucket", USER_CONFIG);

    const created = await invoke(fixture("create"));
    expect(created).toEqual({
      Status: "SUCCESS",
      PhysicalResourceId: "ingest-ResizeS3Trigger0Notification",
      StackId:
        "arn:aws:cloudformation:us-east-1:123456789012:stack/ingest/5b918d10-cd98-11ea-90d5-0a9cd3354c10",
      RequestId: "4d1b7c3e-6f2a-4b8e-9c1d-2e3f4a5b6c7d",
      LogicalResourceId: "ResizeS3Trigger0Notification",
    });
    expect(await config("my-data-bucket")).toEqual({
      ...USER_CONFIG,
      LambdaFunctionConfigurations: [...USER_CONFIG.LambdaFunctionConfigurations!, ours("in/")],
    });

    // Create delivered again (Lambda retries an async invocation): still one configuration of ours.
    expect((await invoke(fixture("create"))).Status).toBe("SUCCESS");
    expect((await config("my-data-bucket")).LambdaFunctionConfigurations).toHaveLength(2);

    const updated = await invoke(fixture("update"));
    expect(updated.Status).toBe("SUCCESS");
    // Same physical id: CloudFormation treats it as an update, never a replacement followed by a Delete.
    expect(updated.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(await config("my-data-bucket")).toEqual({
      ...USER_CONFIG,
      LambdaFunctionConfigurations: [...USER_CONFIG.LambdaFunctionConfigurations!, ours("incoming/")],
    });

    const deleted = await invoke(fixture("delete"));
    expect(deleted.Status).toBe("SUCCESS");
    expect(deleted.PhysicalResourceId).toBe(created.PhysicalResourceId);
    expect(await config("my-data-bucket")).toEqual(USER_CONFIG);
  });

  it("two triggers on one bucket keep each other's configuration", async () => {
    await createBucket("my-data-bucket", USER_CONFIG);
    await invoke(fixture("create"));
    const other = fixture("create");
    other.LogicalResourceId = "AuditS3Trigger0Notification";
    other.ResourceProperties.NotificationConfigurations = [
      { Events: ["s3:ObjectRemoved:*"], LambdaFunctionArn: `${FN}-audit` },
    ];
    expect((await invoke(other)).Status).toBe("SUCCESS");
    const audit = {
      Id: "ingest-AuditS3Trigger0Notification-0",
      LambdaFunctionArn: `${FN}-audit`,
      Events: ["s3:ObjectRemoved:*"],
    };
    expect((await config("my-data-bucket")).LambdaFunctionConfigurations).toEqual([
      ...USER_CONFIG.LambdaFunctionConfigurations!,
      ours("in/"),
      audit,
    ]);
    // Deleting the first trigger leaves the second.
    expect(
      (await invoke({ ...fixture("delete"), ResourceProperties: fixture("create").ResourceProperties }))
        .Status,
    ).toBe("SUCCESS");
    expect(await config("my-data-bucket")).toEqual({
      ...USER_CONFIG,
      LambdaFunctionConfigurations: [...USER_CONFIG.LambdaFunctionConfigurations!, audit],
    });
  });

  it("an Update to another bucket adds there first, then removes its entry from the old bucket only", async () => {
    await createBucket("my-data-bucket", USER_CONFIG);
    await createBucket("my-new-bucket");
    await invoke(fixture("create"));
    const move = fixture("update");
    move.ResourceProperties.Bucket = "my-new-bucket";
    expect((await invoke(move)).Status).toBe("SUCCESS");
    expect(await config("my-new-bucket")).toEqual({ LambdaFunctionConfigurations: [ours("incoming/")] });
    expect(await config("my-data-bucket")).toEqual(USER_CONFIG);
    // Removing the last configuration of a bucket leaves it with none.
    const remove = fixture("delete");
    remove.ResourceProperties.Bucket = "my-new-bucket";
    expect((await invoke(remove)).Status).toBe("SUCCESS");
    expect(await config("my-new-bucket")).toEqual({});
  });

  it("a missing bucket fails with a Reason naming the bucket and S3's error; the rollback's Delete then succeeds", async () => {
    const create = fixture("create");
    create.ResourceProperties.Bucket = "no-such-bucket-for-sparta";
    const failed = await invoke(create);
    expect(failed.Status).toBe("FAILED");
    expect(failed.Reason).toMatch(
      /^bucket no-such-bucket-for-sparta does not exist or is not in this account\/region \(NoSuchBucket: .+\) \(log stream 2026\/11\/26\/\[\$LATEST\]0123456789abcdef\)$/,
    );
    // A physical id is still returned: CloudFormation sends it back in the Delete of the rollback.
    expect(failed.PhysicalResourceId).toBe("ingest-ResizeS3Trigger0Notification");
    expect(log).toHaveBeenCalledWith(
      expect.stringMatching(
        /^Create ingest-ResizeS3Trigger0Notification on no-such-bucket-for-sparta: FAILED: bucket/,
      ),
    );
    const rollback = fixture("delete");
    rollback.ResourceProperties.Bucket = "no-such-bucket-for-sparta";
    expect((await invoke(rollback)).Status).toBe("SUCCESS");
  });

  it("a long stack name and logical id give a physical id (and entry ids) of at most 100 characters, the same every time", async () => {
    await createBucket("my-data-bucket");
    const create = fixture("create");
    create.StackId = `arn:aws:cloudformation:us-east-1:123456789012:stack/${"s".repeat(128)}/5b918d10-cd98-11ea-90d5-0a9cd3354c10`;
    create.LogicalResourceId = `${"L".repeat(200)}Notification`;
    const first = await invoke(create);
    expect(first.Status).toBe("SUCCESS");
    expect(first.PhysicalResourceId).toMatch(/^s{83}-[0-9a-f]{16}$/);
    expect((await invoke(structuredClone(create))).PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect((await config("my-data-bucket")).LambdaFunctionConfigurations?.map((c) => c.Id)).toEqual([
      `${first.PhysicalResourceId}-0`,
    ]);
  });

  it("a Delete on a bucket holding nothing of ours leaves its configuration untouched", async () => {
    await createBucket("my-data-bucket", USER_CONFIG);
    expect((await invoke(fixture("delete"))).Status).toBe("SUCCESS");
    expect(await config("my-data-bucket")).toEqual(USER_CONFIG);
  });

  it("S3 that never answers: FAILED is sent before the Lambda timeout, never a hang", async () => {
    const sockets: Socket[] = [];
    const silent: TcpServer = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const address = silent.address();
    const endpoint = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    try {
      const started = Date.now();
      // 6.5 s left of the invocation: the handler gives up 5 s before the end.
      const answer = await invoke(fixture("create"), context(6_500));
      const took = Date.now() - started;
      expect(answer.Status).toBe("FAILED");
      expect(answer.Reason).toMatch(/^bucket my-data-bucket: no answer from S3 within 1500 ms/);
      expect(took).toBeGreaterThanOrEqual(1_400);
      expect(took).toBeLessThan(6_500);
    } finally {
      process.env.AWS_ENDPOINT_URL = endpoint;
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  // S3 refusals moto does not produce (it enforces no IAM, has one region, checks no overlaps), from a stand-in that
  // answers as S3 does: the status and the <Error><Code/><Message/></Error> body of S3's REST API.
  it.each([
    [
      "another account's bucket",
      { get: [403, "AccessDenied", "Access Denied"] },
      /^bucket my-data-bucket denies access \(another account's bucket, or its policy denies s3:Get\/PutBucketNotification\) \(AccessDenied: Access Denied\)/,
    ],
    [
      "a bucket in another region",
      {
        get: [
          301,
          "PermanentRedirect",
          "The bucket you are attempting to access must be addressed using the specified endpoint.",
        ],
      },
      /^bucket my-data-bucket is in another region than the stack \(PermanentRedirect: /,
    ],
    [
      "an overlapping configuration",
      {
        put: [
          400,
          "InvalidArgument",
          "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
        ],
      },
      /^bucket my-data-bucket refused the notification configuration \(InvalidArgument: Configurations overlap\./,
    ],
  ] as const)("%s: FAILED with the bucket and S3's error", async (_label, refuse, reason) => {
    const seen: string[] = [];
    const fake = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume().on("end", () => {
        const error =
          req.method === "GET"
            ? (refuse as { get?: readonly [number, string, string] }).get
            : (refuse as { put?: readonly [number, string, string] }).put;
        if (error) {
          res.writeHead(error[0], { "content-type": "application/xml" });
          res.end(
            `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error[1]}</Code><Message>${error[2]}</Message><RequestId>R1</RequestId></Error>`,
          );
        } else if (req.method === "GET") {
          res.writeHead(200, { "content-type": "application/xml" });
          res.end(
            '<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>',
          );
        } else res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    const address = fake.address();
    const endpoint = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    try {
      const answer = await invoke(fixture("create"));
      expect(answer.Status).toBe("FAILED");
      expect(answer.Reason).toMatch(reason);
      expect(seen[0]).toBe("GET /my-data-bucket/?notification=");
      // Only the overlap gets as far as the write.
      expect(seen.slice(1)).toEqual("put" in refuse ? ["PUT /my-data-bucket/?notification="] : []);
    } finally {
      process.env.AWS_ENDPOINT_URL = endpoint;
      await new Promise((r) => fake.close(r));
    }
  });

  it("a bucket sending to EventBridge keeps it (S3's XML read and written through the SDK; moto's GET omits it)", async () => {
    const puts: string[] = [];
    // As S3 returns it: Lambda entries are <CloudFunctionConfiguration>, EventBridge an empty element.
    const current =
      '<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      "<QueueConfiguration><Id>user-queue</Id><Queue>arn:aws:sqs:us-east-1:123456789012:uploads</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>" +
      "<EventBridgeConfiguration></EventBridgeConfiguration></NotificationConfiguration>";
    const fake = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        if (req.method === "PUT") puts.push(body);
        res.writeHead(200, { "content-type": "application/xml" });
        res.end(req.method === "GET" ? current : "");
      });
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    const address = fake.address();
    const endpoint = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    try {
      expect((await invoke(fixture("create"))).Status).toBe("SUCCESS");
      expect(puts).toHaveLength(1);
      expect(puts[0]).toContain("<EventBridgeConfiguration/>");
      expect(puts[0]).toContain(
        "<QueueConfiguration><Queue>arn:aws:sqs:us-east-1:123456789012:uploads</Queue><Event>s3:ObjectCreated:*</Event><Id>user-queue</Id></QueueConfiguration>",
      );
      expect(puts[0]).toContain(`<CloudFunction>${FN}</CloudFunction>`);
      expect(puts[0]).toContain(`<Id>${OURS_ID}</Id>`);
    } finally {
      process.env.AWS_ENDPOINT_URL = endpoint;
      await new Promise((r) => fake.close(r));
    }
  });

  it("merge keeps EventBridge and every other entry, and replaces only the entries it owns", () => {
    const current = {
      $metadata: { httpStatusCode: 200 },
      EventBridgeConfiguration: {},
      QueueConfigurations: [
        { Id: "q", QueueArn: "arn:aws:sqs:us-east-1:1:q", Events: ["s3:ObjectCreated:*"] },
      ],
      LambdaFunctionConfigurations: [
        { Id: "stack-Res-0", LambdaFunctionArn: "old", Events: ["s3:ObjectCreated:*"] },
        // Not ours: another resource whose id merely starts like ours.
        { Id: "stack-Res-0-copy", LambdaFunctionArn: "keep", Events: ["s3:ObjectCreated:*"] },
        { Id: "stack-ResB-0", LambdaFunctionArn: "keep2", Events: ["s3:ObjectCreated:*"] },
      ],
    };
    const next = merge(current, "stack-Res-", [{ LambdaFunctionArn: "new", Events: ["s3:ObjectRemoved:*"] }]);
    expect(next).toEqual({
      EventBridgeConfiguration: {},
      QueueConfigurations: current.QueueConfigurations,
      LambdaFunctionConfigurations: [
        current.LambdaFunctionConfigurations[1],
        current.LambdaFunctionConfigurations[2],
        { Id: "stack-Res-0", LambdaFunctionArn: "new", Events: ["s3:ObjectRemoved:*"] },
      ],
    });
    // Removing everything of ours drops an emptied list but keeps EventBridge.
    expect(
      merge(
        {
          EventBridgeConfiguration: {},
          LambdaFunctionConfigurations: [current.LambdaFunctionConfigurations[0]],
        },
        "stack-Res-",
        [],
      ),
    ).toEqual({
      EventBridgeConfiguration: {},
    });
  });
});
