// What sent a non-HTTP event: a short name used in its request path (`/events/<name>`) and a header.

import { isString } from "./headers.js";

type AnyRecord = Record<string, any>;

/** @internal */
export const isObject = (value: unknown): value is AnyRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * `key:name` pairs, first match wins: an event carrying the top-level `key` comes from `name`. Kept as one
 * string, as a table of names costs the Lambda bundle bytes. (API Gateway authorizers are recognised first: a
 * REST TOKEN authorizer's event also carries `authorizationToken`, which alone marks AppSync's Lambda authorizer.)
 */
const KEYS = (
  "authorizationToken:appsync-authorizer StackId:cloudformation deliveryStreamArn:firehose tasks:s3-batch " +
  "userRequest:s3-object-lambda outErrors:appsync-events arguments:appsync serverId:transfer userPoolId:cognito " +
  "datasetName:cognito-sync resultToken:config SecretId:secretsmanager Details:connect inputTranscript:lex " +
  "connection-id:clientvpn protocolData:iot-authorizer templateArn:iot-provisioning " +
  "awslogs:logs CodePipeline.job:codepipeline"
)
  .split(" ")
  .map((pair) => pair.split(":") as [string, string]);

/** @internal An API Gateway Lambda authorizer's event (REST TOKEN or REQUEST, HTTP API 1.0 or 2.0, WebSocket). */
export const isAuthorizerEvent = (e: AnyRecord): boolean => isString(e.methodArn) || isString(e.routeArn);

/**
 * A short name for the service that sent a non-HTTP event: `sqs`, `s3`, `kafka`, `firehose`, `cloudformation`,
 * `authorizer`, `websocket`, ... (`unknown` when nothing marks it).
 */
export function eventSourceOf(event: unknown): string {
  // AppSync batch resolvers send a list of resolver events.
  const e = Array.isArray(event) ? event[0] : event;
  if (!isObject(e)) return "unknown";
  const record = e.Records?.[0];
  const source = record?.eventSource ?? record?.EventSource ?? e.eventSource;
  // A service's own name for itself: `aws:sqs` -> `sqs`, `SelfManagedKafka` -> `selfmanagedkafka`.
  if (isString(source)) return source.replace(/^aws:/, "").toLowerCase();
  // An authorizer of a WebSocket API's $connect also carries the connection id.
  if (isAuthorizerEvent(e)) return "authorizer";
  if (e.requestContext?.connectionId) return "websocket";
  for (const [key, name] of KEYS) if (key in e) return name;
  const detailType = e["detail-type"];
  return isString(detailType) ? (detailType === "Scheduled Event" ? "schedule" : "eventbridge") : "unknown";
}
