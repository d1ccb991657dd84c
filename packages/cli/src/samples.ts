import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { bucketNameIn } from "@sparta/operations";
import { DEFAULT_IDENTITY_SOURCE, routeAuthorizer } from "./authorizers.js";
import { UsageError } from "./errors.js";
import type {
  EventSource,
  FunctionDef,
  HttpApiEvent,
  HttpApiLambdaAuthorizer,
  ServiceDefinition,
} from "./service.js";

/*
 * Sample events for `sparta invoke <fn> --sample`, what `sam local generate-event` gives, but filled in from the
 * function's own trigger (its bucket and prefix, queue, topic, stream, route, schedule, pattern, log group). Their
 * shapes are those of the real payloads AWS delivers, as recorded in the public aws/aws-lambda-go repository's
 * events/testdata (Apache License 2.0; copies in ../shared/events): s3-event.json, sqs-event.json, sns-event.json,
 * dynamodb-event.json, kinesis-event.json, cloudwatch-logs-event.json, apigw-v2-request-no-authorizer.json,
 * lambda-urls-request.json. The scheduled and EventBridge events follow the EventBridge event structure in the
 * Amazon EventBridge user guide; HTTP API authorizer events, the payload 2.0 and 1.0 examples of the API Gateway
 * developer guide ("AWS Lambda authorizers for HTTP APIs").
 */

/**
 * The fake account of local invocations (their context's ARN) and of sample events' ARNs and generated bucket
 * names, so the two agree; the one moto uses too. The region samples use.
 */
export const SAMPLE_ACCOUNT = "123456789012";
export const SAMPLE_REGION = "us-east-1";
/** The stack a sample event's generated bucket belongs to (its name ends in the stack id's suffix). */
const SAMPLE_STACK_ID = `arn:aws:cloudformation:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:stack/sample/0e6c6d5a-7b0f-4c1a-9d2e-5a4b3c2d1e0f`;

const NOW = () => new Date();

/** A literal string from a trigger field, or `fallback` when it is an intrinsic (unknown until deployed). */
const literal = (value: unknown, fallback: string): string => (typeof value === "string" ? value : fallback);

function httpEvent(
  method: string,
  path: string,
  routeKey: string,
  urlDomain?: string,
): Record<string, unknown> {
  const pathParameters: Record<string, string> = {};
  const rawPath = path.replace(/\{([^{}+]+)(\+?)\}/g, (_, name: string, greedy: string) => {
    const value = greedy ? "a/b" : `${name}-1`;
    pathParameters[name] = value;
    return value;
  });
  const m = method === "ANY" ? "GET" : method;
  const now = NOW();
  const domain = urlDomain ?? `abcdef1234.execute-api.${SAMPLE_REGION}.amazonaws.com`;
  const hasBody = m === "POST" || m === "PUT" || m === "PATCH";
  return {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString: "",
    headers: {
      accept: "*/*",
      "content-type": "application/json",
      host: domain,
      "user-agent": "curl/8.5.0",
      "x-forwarded-for": "192.0.2.1",
      "x-forwarded-port": "443",
      "x-forwarded-proto": "https",
    },
    requestContext: {
      accountId: SAMPLE_ACCOUNT,
      apiId: domain.split(".")[0],
      domainName: domain,
      domainPrefix: domain.split(".")[0],
      http: {
        method: m,
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: "192.0.2.1",
        userAgent: "curl/8.5.0",
      },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    ...(hasBody ? { body: "{}" } : {}),
    isBase64Encoded: false,
  };
}

/** `s3:ObjectCreated:*` -> `ObjectCreated:Put`, as S3 names the event it sends. */
function s3EventName(pattern: string | undefined): string {
  const name = (pattern ?? "s3:ObjectCreated:*").replace(/^s3:/, "");
  return name.endsWith(":*")
    ? `${name.slice(0, -2)}:${name.startsWith("ObjectRemoved") ? "Delete" : "Put"}`
    : name;
}

function s3Event(e: Extract<EventSource, { type: "s3" }>): Record<string, unknown> {
  const trigger = e as { bucket?: string; existingBucket?: unknown };
  const bucket =
    trigger.bucket !== undefined
      ? bucketNameIn(trigger.bucket, SAMPLE_ACCOUNT, SAMPLE_STACK_ID)
      : literal(trigger.existingBucket, "example-bucket");
  const key = `${e.prefix ?? ""}example${e.suffix ?? ".txt"}`;
  return {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: SAMPLE_REGION,
        eventTime: NOW().toISOString(),
        eventName: s3EventName(e.events?.[0]),
        userIdentity: { principalId: "EXAMPLE" },
        requestParameters: { sourceIPAddress: "192.0.2.1" },
        responseElements: { "x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "EXAMPLE" },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "sparta-sample",
          bucket: { name: bucket, ownerIdentity: { principalId: "EXAMPLE" }, arn: `arn:aws:s3:::${bucket}` },
          // S3 URL-encodes the key in the event (a space arrives as "+").
          object: {
            key: encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/"),
            size: 1024,
            eTag: "d41d8cd98f00b204e9800998ecf8427e",
            sequencer: "0A1B2C3D4E5F678901",
          },
        },
      },
    ],
  };
}

function cloudwatchLogsEvent(e: Extract<EventSource, { type: "cloudwatchLogs" }>): Record<string, unknown> {
  const now = Date.now();
  const payload = {
    messageType: "DATA_MESSAGE",
    owner: SAMPLE_ACCOUNT,
    logGroup: e.logGroupName,
    logStream: "2026/01/01/[$LATEST]0123456789abcdef",
    subscriptionFilters: ["sparta-sample"],
    logEvents: [
      { id: "0", timestamp: now - 1000, message: "sample log line 1" },
      { id: "1", timestamp: now, message: "sample log line 2" },
    ],
  };
  // CloudWatch Logs delivers the batch gzipped and base64-encoded.
  return { awslogs: { data: gzipSync(JSON.stringify(payload)).toString("base64") } };
}

function eventBridge(detailType: string, source: string, detail: unknown, resources: string[]) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": detailType,
    source,
    account: SAMPLE_ACCOUNT,
    time: NOW()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z"),
    region: SAMPLE_REGION,
    resources,
    detail,
  };
}

/** The first value a pattern field accepts, when it lists literal values. */
function firstValue(pattern: Record<string, unknown>, field: string, fallback: string): string {
  const v = pattern[field];
  return Array.isArray(v) && typeof v[0] === "string" ? v[0] : fallback;
}

/** A realistic event for one trigger of a function, with the trigger's own names filled in. */
export function sampleFor(fn: FunctionDef, e: EventSource): unknown {
  switch (e.type) {
    case "httpApi":
      return httpEvent(e.method, e.path, `${e.method} ${e.path}`);
    case "functionUrl":
      return httpEvent(
        "GET",
        "/",
        "$default",
        `abcdefghijklmnopqrstuvwxyz123456.lambda-url.${SAMPLE_REGION}.on.aws`,
      );
    case "s3":
      return s3Event(e);
    case "sns": {
      const topic = literal(e.topicArn, `arn:aws:sns:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:example-topic`);
      return {
        Records: [
          {
            EventVersion: "1.0",
            EventSubscriptionArn: `${topic}:${randomUUID()}`,
            EventSource: "aws:sns",
            Sns: {
              Type: "Notification",
              MessageId: randomUUID(),
              TopicArn: topic,
              Subject: "sample",
              Message: JSON.stringify({ hello: "from SNS" }),
              Timestamp: NOW().toISOString(),
              SignatureVersion: "1",
              Signature: "EXAMPLE",
              SigningCertUrl: "EXAMPLE",
              UnsubscribeUrl: "EXAMPLE",
              MessageAttributes: {},
            },
          },
        ],
      };
    }
    case "sqs": {
      const queue = literal(e.queueArn, `arn:aws:sqs:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:example-queue`);
      const sent = String(Date.now());
      return {
        Records: [
          {
            messageId: randomUUID(),
            receiptHandle: "MessageReceiptHandle",
            body: JSON.stringify({ hello: "from SQS" }),
            attributes: {
              ApproximateReceiveCount: "1",
              SentTimestamp: sent,
              SenderId: "AROAEXAMPLE:sender",
              ApproximateFirstReceiveTimestamp: sent,
            },
            messageAttributes: {},
            md5OfBody: "EXAMPLE",
            eventSource: "aws:sqs",
            eventSourceARN: queue,
            awsRegion: queue.split(":")[3] || SAMPLE_REGION,
          },
        ],
      };
    }
    case "dynamodb": {
      const stream = literal(
        e.streamArn,
        `arn:aws:dynamodb:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:table/example/stream/2026-01-01T00:00:00.000`,
      );
      return {
        Records: [
          {
            eventID: "1",
            eventName: "INSERT",
            eventVersion: "1.1",
            eventSource: "aws:dynamodb",
            awsRegion: stream.split(":")[3] || SAMPLE_REGION,
            dynamodb: {
              ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
              Keys: { Id: { N: "101" } },
              NewImage: { Id: { N: "101" }, Message: { S: "New item!" } },
              SequenceNumber: "111",
              SizeBytes: 26,
              StreamViewType: "NEW_AND_OLD_IMAGES",
            },
            eventSourceARN: stream,
          },
        ],
      };
    }
    case "kinesis": {
      const stream = literal(
        e.streamArn,
        `arn:aws:kinesis:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:stream/example`,
      );
      return {
        Records: [
          {
            kinesis: {
              kinesisSchemaVersion: "1.0",
              partitionKey: "1",
              sequenceNumber: "49590338271490256608559692538361571095921575989136588898",
              data: Buffer.from(JSON.stringify({ hello: "from Kinesis" })).toString("base64"),
              approximateArrivalTimestamp: Date.now() / 1000,
            },
            eventSource: "aws:kinesis",
            eventVersion: "1.0",
            eventID: "shardId-000000000000:49590338271490256608559692538361571095921575989136588898",
            eventName: "aws:kinesis:record",
            invokeIdentityArn: `arn:aws:iam::${SAMPLE_ACCOUNT}:role/example`,
            awsRegion: stream.split(":")[3] || SAMPLE_REGION,
            eventSourceARN: stream,
          },
        ],
      };
    }
    case "schedule":
      return eventBridge("Scheduled Event", "aws.events", {}, [
        `arn:aws:events:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:rule/${fn.name}-schedule`,
      ]);
    case "eventPattern":
      return eventBridge(
        firstValue(e.pattern, "detail-type", "Sample Event"),
        firstValue(e.pattern, "source", "sparta.sample"),
        {},
        [],
      );
    case "cloudwatchLogs":
      return cloudwatchLogsEvent(e);
  }
}

/** A sample value for an identity source: a bearer token for `Authorization`, `sample-<name>` otherwise. */
const identityValue = (name: string) =>
  name.toLowerCase() === "authorization" ? "Bearer sample-token" : `sample-${name}`;

/**
 * What API Gateway sends the Lambda authorizer `a` when a caller asks for `route` (a route it protects, else
 * `GET /`): a REQUEST event of payload 2.0 or 1.0, with each identity source filled in.
 */
export function authorizerSample(
  a: HttpApiLambdaAuthorizer,
  route: Pick<HttpApiEvent, "method" | "path"> | undefined,
): Record<string, unknown> {
  const method = route?.method ?? "GET";
  const http = httpEvent(method, route?.path ?? "/", route ? `${method} ${route.path}` : "$default");
  delete http.body;
  delete http.isBase64Encoded;
  const headers = http.headers as Record<string, string>;
  const query: Record<string, string> = {};
  const stageVariables: Record<string, string> = {};
  const identitySource = (a.identitySource ?? DEFAULT_IDENTITY_SOURCE).map((source) => {
    const [, where, name = ""] =
      /^\$(request\.header|request\.querystring|context|stageVariables)\.(.+)$/.exec(source) ?? [];
    const value = identityValue(name);
    if (where === "request.header") headers[name.toLowerCase()] = value;
    else if (where === "request.querystring") query[name] = value;
    else if (where === "stageVariables") stageVariables[name] = value;
    return value;
  });
  const rawQueryString = new URLSearchParams(query).toString();
  const context = http.requestContext as Record<string, unknown> & { http: { method: string; path: string } };
  const arn = `arn:aws:execute-api:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:${String(context.apiId)}/$default/${context.http.method}${context.http.path}`;
  const common = {
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(stageVariables).length > 0 ? { stageVariables } : {}),
  };
  if ((a.payloadFormat ?? "2.0") === "2.0")
    return {
      ...http,
      version: "2.0",
      type: "REQUEST",
      routeArn: arn,
      identitySource,
      rawQueryString,
      ...common,
    };
  return {
    version: "1.0",
    type: "REQUEST",
    methodArn: arn,
    identitySource: identitySource.join(","),
    authorizationToken: identitySource.join(","),
    resource: route?.path ?? "/",
    path: context.http.path,
    httpMethod: context.http.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    ...common,
    ...(http.pathParameters ? { pathParameters: http.pathParameters } : {}),
    requestContext: {
      ...context,
      path: context.http.path,
      httpMethod: context.http.method,
      resourcePath: route?.path ?? "/",
    },
  };
}

/** The HTTP API authorizer the function is, with the first route it protects, if it is one. */
function authorizerOf(
  service: ServiceDefinition | undefined,
  fn: FunctionDef,
): { name: string; event: Record<string, unknown> } | undefined {
  for (const [name, a] of Object.entries(service?.httpApi?.authorizers ?? {})) {
    if (a.type !== "lambda" || a.function !== fn.name) continue;
    const route = service!.functions
      .flatMap((f) => f.events ?? [])
      .find((e): e is HttpApiEvent => e.type === "httpApi" && routeAuthorizer(service!.httpApi, e) === name);
    return { name, event: authorizerSample(a, route) };
  }
  return undefined;
}

/**
 * The sample for the function's first trigger: `trigger` names it (`events[0] (s3)`), `note` says how many other
 * triggers it has, if any. A function that is an HTTP API Lambda authorizer of `service` gets the event API Gateway
 * sends it for the first route it protects.
 */
export function sampleEvent(
  fn: FunctionDef,
  service?: ServiceDefinition,
): { event: unknown; trigger: string; note: string } {
  const authorizer = authorizerOf(service, fn);
  if (authorizer)
    return {
      event: authorizer.event,
      trigger: `as the authorizer httpApi.authorizers.${authorizer.name}`,
      note: fn.events?.length ? "; give its triggers' events with --event" : "",
    };
  const e = fn.events?.[0];
  if (!e) {
    throw new UsageError(
      `--sample: function ${fn.name} has no trigger to make a sample event for; give one with --event FILE (or - for stdin)`,
    );
  }
  const others = (fn.events?.length ?? 1) - 1;
  return {
    event: sampleFor(fn, e),
    trigger: `events[0] (${e.type})`,
    note: others > 0 ? `; it has ${others} more trigger(s): give their events with --event` : "",
  };
}
