/** Event shapes, declared locally (no AWS types dependency). Only the fields the adapters read. */

export interface HttpApiV2Event {
  version: "2.0";
  rawPath?: string;
  rawQueryString?: string;
  cookies?: string[];
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: {
    domainName?: string;
    requestId?: string;
    http: { method: string; path?: string; sourceIp?: string; userAgent?: string; protocol?: string };
  };
}

export interface RestApiV1Event {
  httpMethod: string;
  path?: string;
  headers?: Record<string, string> | null;
  multiValueHeaders?: Record<string, string[]> | null;
  queryStringParameters?: Record<string, string> | null;
  multiValueQueryStringParameters?: Record<string, string[]> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { path?: string; stage?: string; domainName?: string; requestId?: string; elb?: unknown };
}

export interface AlbEvent extends RestApiV1Event {
  requestContext: { elb: { targetGroupArn?: string } };
}

export interface HttpApiV2Result {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

export interface RestApiV1Result {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

export interface AlbResult extends RestApiV1Result {
  statusDescription: string;
}
