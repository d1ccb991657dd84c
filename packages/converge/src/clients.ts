import {
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
  ListStackResourcesCommand,
  UpdateStackCommand,
} from "@aws-sdk/client-cloudformation";
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { CfnClient, S3Like } from "./types.js";

/** Options of the SDK-backed clients; everything else comes from the SDK's standard chain. */
export interface ClientOptions {
  region?: string;
  /** Overrides AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL. */
  endpoint?: string;
  /**
   * SDK-level attempts per call. Default 1: the engine retries throttling and transient errors itself
   * (with backoff and jitter), so the SDK's own retries would multiply them.
   */
  maxAttempts?: number;
  /** Explicit credentials; default is the SDK's provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Environment to read endpoints from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

function endpointFor(service: "CLOUDFORMATION" | "S3", options: ClientOptions): string | undefined {
  const env = options.env ?? process.env;
  return options.endpoint ?? env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL ?? undefined;
}

function sdkConfig(endpoint: string | undefined, options: ClientOptions) {
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts ?? 1,
  };
}

/**
 * The real CloudFormation client behind the engine's narrow interface: standard region/credential chain,
 * honours `AWS_ENDPOINT_URL_CLOUDFORMATION` and `AWS_ENDPOINT_URL`.
 */
export function createCfnClient(options: ClientOptions = {}): CfnClient {
  const client = new CloudFormationClient(sdkConfig(endpointFor("CLOUDFORMATION", options), options));
  return {
    describeStacks: (input) => client.send(new DescribeStacksCommand(input)),
    getTemplate: (input) => client.send(new GetTemplateCommand(input)),
    createChangeSet: (input) => client.send(new CreateChangeSetCommand(input)),
    describeChangeSet: (input) => client.send(new DescribeChangeSetCommand(input)),
    executeChangeSet: (input) => client.send(new ExecuteChangeSetCommand(input)),
    deleteChangeSet: (input) => client.send(new DeleteChangeSetCommand(input)),
    listChangeSets: (input) => client.send(new ListChangeSetsCommand(input)),
    describeStackEvents: (input) => client.send(new DescribeStackEventsCommand(input)),
    listStackResources: (input) => client.send(new ListStackResourcesCommand(input)),
    deleteStack: (input) => client.send(new DeleteStackCommand(input)),
    continueUpdateRollback: (input) => client.send(new ContinueUpdateRollbackCommand(input)),
    updateStack: (input) => client.send(new UpdateStackCommand(input)),
  };
}

/**
 * The real S3 client: standard chain, honours `AWS_ENDPOINT_URL_S3` and `AWS_ENDPOINT_URL`, path-style
 * addressing when an endpoint is set (emulators), and the matching TemplateURL form.
 */
export function createS3Client(options: ClientOptions = {}): S3Like {
  const endpoint = endpointFor("S3", options);
  const client = new S3Client({
    ...sdkConfig(endpoint, options),
    ...(endpoint ? { forcePathStyle: true } : {}),
  });
  return {
    headObject: (input) => client.send(new HeadObjectCommand(input)),
    putObject: (input) => client.send(new PutObjectCommand(input)),
    async objectUrl(bucket, key) {
      const path = key.split("/").map(encodeURIComponent).join("/");
      if (endpoint) return `${endpoint.replace(/\/+$/, "")}/${bucket}/${path}`;
      const region = await client.config.region();
      const host = region === "us-east-1" ? "s3.amazonaws.com" : `s3.${region}.amazonaws.com`;
      return `https://${bucket}.${host}/${path}`;
    },
  };
}
