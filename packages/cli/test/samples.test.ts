import { gunzipSync } from "node:zlib";
import { json, lambdaHandler } from "@sparta/handler";
import { allow, authorizer, unauthorized } from "@sparta/handler/authorizer";
import { describe, expect, it } from "vitest";
import { SAMPLE_ACCOUNT, SAMPLE_REGION, sampleEvent, sampleFor } from "../src/samples.js";
import type { EventSource, FunctionDef, ServiceDefinition } from "../src/service.js";

// `sparta invoke --sample`: each trigger's sample event, filled in from the trigger, goes through @sparta/handler's
// real event reading the way the deployed event would (HTTP events as requests, others as POST /events/<source>).
const fn = (events: EventSource[]): FunctionDef => ({ name: "worker", handler: "src/ok.ts#handler", events });

const seen = lambdaHandler(async (req) => {
  const url = new URL(req.url);
  return json({
    method: req.method,
    path: url.pathname,
    body: req.method === "POST" ? await req.text() : null,
  });
});
const run = async (event: unknown) =>
  (await seen(event, {
    functionName: "worker",
    awsRequestId: "r1",
    getRemainingTimeInMillis: () => 3000,
  } as never)) as {
    statusCode?: number;
    body?: string;
    path?: string;
    method?: string;
  };
const httpBody = (r: { body?: string }) => JSON.parse(r.body ?? "null");

describe("sample events (sparta invoke --sample)", () => {
  it("an httpApi route gives an HTTP API v2 event with its route key and path parameters", async () => {
    const event = sampleFor(fn([]), {
      type: "httpApi",
      method: "GET",
      path: "/orders/{id}/files/{rest+}",
    }) as Record<string, unknown>;
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "GET /orders/{id}/files/{rest+}",
      rawPath: "/orders/id-1/files/a/b",
      pathParameters: { id: "id-1", rest: "a/b" },
    });
    const r = await run(event);
    expect(r.statusCode).toBe(200);
    expect(httpBody(r)).toMatchObject({ method: "GET", path: "/orders/id-1/files/a/b" });
    // A POST route carries a JSON body.
    const post = await run(sampleFor(fn([]), { type: "httpApi", method: "POST", path: "/orders" }));
    expect(httpBody(post)).toMatchObject({ method: "POST", body: "{}" });
  });

  it("a Function URL gives the $default route on the URL's domain", async () => {
    const event = sampleFor(fn([]), { type: "functionUrl" }) as {
      routeKey: string;
      requestContext: { domainName: string };
    };
    expect(event.routeKey).toBe("$default");
    expect(event.requestContext.domainName).toMatch(/\.lambda-url\.us-east-1\.on\.aws$/);
    expect((await run(event)).statusCode).toBe(200);
  });

  it("an s3 trigger names its bucket (generated or existing), prefix, suffix and event", async () => {
    const made = sampleFor(fn([]), {
      type: "s3",
      bucket: "uploads",
      prefix: "in/",
      suffix: ".png",
      events: ["s3:ObjectRemoved:*"],
    }) as { Records: { eventName: string; s3: { bucket: { name: string }; object: { key: string } } }[] };
    expect(made.Records[0]).toMatchObject({
      eventName: "ObjectRemoved:Delete",
      s3: {
        // Named as the stack names it: account, then the end of the stack id.
        bucket: { name: expect.stringMatching(new RegExp(`^uploads-${SAMPLE_ACCOUNT}-[0-9a-f]{12}$`)) },
        object: { key: "in/example.png" },
      },
    });
    const existing = sampleFor(fn([]), {
      type: "s3",
      existingBucket: "team-data",
    } as EventSource) as typeof made;
    expect(existing.Records[0]!.s3.bucket.name).toBe("team-data");
    expect(existing.Records[0]!.eventName).toBe("ObjectCreated:Put");
    expect(await run(made)).toMatchObject({ method: "POST", path: "/events/s3" });
  });

  it("queues, topics and streams carry their ARN when it is a literal, an example ARN for an intrinsic", async () => {
    const queue = "arn:aws:sqs:eu-west-1:111122223333:orders";
    const sqs = sampleFor(fn([]), { type: "sqs", queueArn: queue }) as { Records: Record<string, unknown>[] };
    expect(sqs.Records[0]).toMatchObject({
      eventSource: "aws:sqs",
      eventSourceARN: queue,
      awsRegion: "eu-west-1",
    });
    const viaRef = sampleFor(fn([]), { type: "sqs", queueArn: { "Fn::GetAtt": ["Q", "Arn"] } }) as typeof sqs;
    expect(viaRef.Records[0]!.eventSourceARN).toBe(
      `arn:aws:sqs:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:example-queue`,
    );
    const topic = "arn:aws:sns:us-east-1:111122223333:alerts";
    const sns = sampleFor(fn([]), { type: "sns", topicArn: topic }) as {
      Records: { Sns: { TopicArn: string } }[];
    };
    expect(sns.Records[0]!.Sns.TopicArn).toBe(topic);
    const kinesis = sampleFor(fn([]), {
      type: "kinesis",
      streamArn: "arn:aws:kinesis:us-east-1:1:stream/s",
    }) as {
      Records: { kinesis: { data: string } }[];
    };
    expect(JSON.parse(Buffer.from(kinesis.Records[0]!.kinesis.data, "base64").toString())).toEqual({
      hello: "from Kinesis",
    });
    const ddb = sampleFor(fn([]), {
      type: "dynamodb",
      streamArn: "arn:aws:dynamodb:us-east-1:1:table/t/stream/x",
    });
    for (const [event, source] of [
      [sqs, "sqs"],
      [sns, "sns"],
      [kinesis, "kinesis"],
      [ddb, "dynamodb"],
    ] as const)
      expect(await run(event)).toMatchObject({ method: "POST", path: `/events/${source}` });
  });

  it("schedules, event patterns and log subscriptions", async () => {
    const schedule = sampleFor(fn([]), { type: "schedule", expression: "rate(1 hour)" });
    expect(schedule).toMatchObject({ "detail-type": "Scheduled Event", source: "aws.events" });
    expect(await run(schedule)).toMatchObject({ path: "/events/schedule" });
    const pattern = sampleFor(fn([]), {
      type: "eventPattern",
      pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
    });
    expect(pattern).toMatchObject({
      source: "aws.ec2",
      "detail-type": "EC2 Instance State-change Notification",
    });
    expect(await run(pattern)).toMatchObject({ path: "/events/eventbridge" });
    const logs = sampleFor(fn([]), { type: "cloudwatchLogs", logGroupName: "/aws/lambda/other" }) as {
      awslogs: { data: string };
    };
    const batch = JSON.parse(gunzipSync(Buffer.from(logs.awslogs.data, "base64")).toString());
    expect(batch).toMatchObject({ messageType: "DATA_MESSAGE", logGroup: "/aws/lambda/other" });
    expect(batch.logEvents).toHaveLength(2);
    expect(await run(logs)).toMatchObject({ path: "/events/logs" });
  });

  it("uses the first trigger, says so, and refuses a function without a trigger", () => {
    const both = sampleEvent(fn([{ type: "schedule", expression: "rate(1 day)" }, { type: "functionUrl" }]));
    expect(both.trigger + both.note).toBe(
      "events[0] (schedule); it has 1 more trigger(s): give their events with --event",
    );
    expect(() => sampleEvent(fn([]))).toThrow(
      "--sample: function worker has no trigger to make a sample event for; give one with --event FILE (or - for stdin)",
    );
  });

  it("an HTTP API Lambda authorizer gets the REQUEST event of its payload format, for a route it protects", async () => {
    const service = (format: "1.0" | "2.0"): ServiceDefinition => ({
      name: "guarded",
      functions: [
        {
          name: "api",
          handler: "src/ok.ts#handler",
          events: [
            { type: "httpApi", method: "GET", path: "/open", authorizer: "NONE" },
            { type: "httpApi", method: "GET", path: "/orders/{id}" },
          ],
        },
        { name: "auth", handler: "src/ok.ts#handler" },
      ],
      httpApi: {
        authorizers: {
          users: {
            type: "lambda",
            function: "auth",
            payloadFormat: format,
            identitySource: ["$request.header.Authorization", "$request.querystring.tenant"],
          },
        },
        defaultAuthorizer: "users",
      },
    });
    const auth = service("2.0").functions[1]!;
    const v2 = sampleEvent(auth, service("2.0"));
    expect(v2.trigger + v2.note).toBe("as the authorizer httpApi.authorizers.users");
    expect(v2.event).toMatchObject({
      version: "2.0",
      type: "REQUEST",
      routeArn: `arn:aws:execute-api:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:abcdef1234/$default/GET/orders/id-1`,
      identitySource: ["Bearer sample-token", "sample-tenant"],
      routeKey: "GET /orders/{id}",
      rawPath: "/orders/id-1",
      rawQueryString: "tenant=sample-tenant",
      headers: expect.objectContaining({ authorization: "Bearer sample-token" }),
      queryStringParameters: { tenant: "sample-tenant" },
      pathParameters: { id: "id-1" },
    });
    // @sparta/handler's authorizer() reads it as API Gateway's, and answers in the simple format.
    const check = authorizer(({ token, format, path, query }) =>
      token === "Bearer sample-token"
        ? allow({ context: { format, path: path ?? "", tenant: query.get("tenant") ?? "" } })
        : unauthorized(),
    );
    const ctx = { functionName: "auth", awsRequestId: "r1" } as never;
    expect(await check(v2.event, ctx)).toEqual({
      isAuthorized: true,
      context: { format: "http-2.0", path: "/orders/id-1", tenant: "sample-tenant" },
    });
    // One identity source: payload 1.0 gives them joined by "," in authorizationToken, which authorizer() reads.
    const one = service("1.0");
    const users = one.httpApi?.authorizers?.users as { identitySource?: string[] };
    users.identitySource = ["$request.header.Authorization"];
    const v1 = sampleEvent(auth, one).event as Record<string, unknown>;
    expect(v1).toMatchObject({
      version: "1.0",
      type: "REQUEST",
      methodArn: `arn:aws:execute-api:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:abcdef1234/$default/GET/orders/id-1`,
      identitySource: "Bearer sample-token",
      authorizationToken: "Bearer sample-token",
      httpMethod: "GET",
      path: "/orders/id-1",
      resource: "/orders/{id}",
    });
    expect(await check(v1, ctx)).toMatchObject({
      principalId: "anonymous",
      policyDocument: { Statement: [{ Effect: "Allow", Resource: v1.methodArn }] },
      context: { format: "http-1.0" },
    });
  });
});
