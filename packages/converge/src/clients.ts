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
import { type ResolvedConfig, resolveConfig, type Service, translateSdkError } from "./config.js";
import type { CallOptions, CfnClient, ClientOptions, S3Like, StsLike } from "./types.js";

export type { ClientOptions } from "./types.js";

/** Marks the clients made here: they retry per the SDK's configuration, so the engine does not retry them again. */
export const RETRIES_ITSELF = Symbol.for("@sparta/converge.retriesItself");

/** The AWS CLI's defaults: give up connecting, or on a silent connection, after 60 s. */
const DEFAULT_TIMEOUT_MS = 60_000;

const SERVICE_NAMES = { CLOUDFORMATION: "CloudFormation", S3: "S3", STS: "STS" } as const;

function sdkConfig(config: ResolvedConfig, options: ClientOptions) {
  return {
    ...(config.region ? { region: config.region } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Only when asked: otherwise the SDK reads AWS_MAX_ATTEMPTS / AWS_RETRY_MODE and the profile, as the AWS CLI does.
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.retryMode !== undefined ? { retryMode: options.retryMode } : {}),
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      // an idle-socket timeout, as the AWS CLI's read timeout: a large upload that keeps sending is not cut off
      socketTimeout: options.readTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    },
  };
}

interface Sendable {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: "deserialize"; name: string },
    ): void;
  };
}

/** Count each HTTP request (inside the SDK's retry loop, so every attempt counts). */
function observe(client: Sendable, service: Service, options: ClientOptions): void {
  const onRequest = options.onRequest;
  if (!onRequest) return;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      onRequest({
        service: SERVICE_NAMES[service],
        operation: (context.commandName ?? "Unknown").replace(/Command$/, ""),
      });
      return next(args);
    },
    { step: "deserialize", name: "spartaRequestObserver" },
  );
}

function sender(client: Sendable, config: ResolvedConfig) {
  return async <T>(operation: string, command: unknown, options?: CallOptions): Promise<T> => {
    try {
      return (await client.send(
        command,
        options?.abortSignal ? { abortSignal: options.abortSignal } : undefined,
      )) as T;
    } catch (error) {
      throw translateSdkError(operation, error, config);
    }
  };
}

function mark<T extends object>(client: T): T {
  Object.defineProperty(client, RETRIES_ITSELF, { value: true });
  return client;
}

/**
 * The real CloudFormation client behind the engine's narrow interface: region, profile and endpoint as the AWS CLI
 * reads them (`AWS_DEFAULT_REGION` included), its retry settings, 60 s connection and read timeouts, and
 * configuration mistakes reported as typed errors naming the setting at fault.
 */
export function createCfnClient(options: ClientOptions = {}): CfnClient {
  const config = resolveConfig("CLOUDFORMATION", options);
  const client = new CloudFormationClient(sdkConfig(config, options));
  observe(client as unknown as Sendable, "CLOUDFORMATION", options);
  const send = sender(client as unknown as Sendable, config);
  return mark<CfnClient>({
    describeStacks: (input, o) => send("DescribeStacks", new DescribeStacksCommand(input), o),
    getTemplate: (input, o) => send("GetTemplate", new GetTemplateCommand(input), o),
    createChangeSet: (input, o) => send("CreateChangeSet", new CreateChangeSetCommand(input), o),
    describeChangeSet: (input, o) => send("DescribeChangeSet", new DescribeChangeSetCommand(input), o),
    executeChangeSet: (input, o) => send("ExecuteChangeSet", new ExecuteChangeSetCommand(input), o),
    deleteChangeSet: (input, o) => send("DeleteChangeSet", new DeleteChangeSetCommand(input), o),
    listChangeSets: (input, o) => send("ListChangeSets", new ListChangeSetsCommand(input), o),
    describeStackEvents: (input, o) => send("DescribeStackEvents", new DescribeStackEventsCommand(input), o),
    listStackResources: (input, o) => send("ListStackResources", new ListStackResourcesCommand(input), o),
    deleteStack: (input, o) => send("DeleteStack", new DeleteStackCommand(input), o),
    continueUpdateRollback: (input, o) =>
      send("ContinueUpdateRollback", new ContinueUpdateRollbackCommand(input), o),
    updateStack: (input, o) => send("UpdateStack", new UpdateStackCommand(input), o),
  });
}

/**
 * The real S3 client, loaded only when something must be uploaded (importing `@aws-sdk/client-s3` costs about
 * 190 ms, which an unchanged deploy never pays). Same settings as {@link createCfnClient}; path-style addressing
 * when an endpoint is set (emulators), and the matching TemplateURL form.
 */
export function createS3Client(options: ClientOptions = {}): S3Like {
  const config = resolveConfig("S3", options);
  type S3Module = typeof import("@aws-sdk/client-s3");
  let loaded:
    | Promise<{ mod: S3Module; client: InstanceType<S3Module["S3Client"]>; send: ReturnType<typeof sender> }>
    | undefined;
  const load = () => {
    loaded ??= import("@aws-sdk/client-s3").then((mod) => {
      const client = new mod.S3Client({
        ...sdkConfig(config, options),
        ...(config.endpoint ? { forcePathStyle: true } : {}),
      });
      observe(client as unknown as Sendable, "S3", options);
      return { mod, client, send: sender(client as unknown as Sendable, config) };
    });
    return loaded;
  };
  return mark<S3Like>({
    async headObject(input, o) {
      const { mod, send } = await load();
      return send("HeadObject", new mod.HeadObjectCommand(input), o);
    },
    async putObject(input, o) {
      const { mod, send } = await load();
      return send("PutObject", new mod.PutObjectCommand(input), o);
    },
    async objectUrl(bucket, key) {
      const path = key.split("/").map(encodeURIComponent).join("/");
      if (config.endpoint) return `${config.endpoint.replace(/\/+$/, "")}/${bucket}/${path}`;
      const { client } = await load();
      const region = await client.config.region();
      const host = region === "us-east-1" ? "s3.amazonaws.com" : `s3.${region}.amazonaws.com`;
      return `https://${bucket}.${host}/${path}`;
    },
  });
}

/** The real STS client (GetCallerIdentity only), loaded on first use. Same settings as {@link createCfnClient}. */
export function createStsClient(options: ClientOptions = {}): StsLike {
  const config = resolveConfig("STS", options);
  type StsModule = typeof import("@aws-sdk/client-sts");
  let loaded: Promise<{ mod: StsModule; send: ReturnType<typeof sender> }> | undefined;
  const load = () => {
    loaded ??= import("@aws-sdk/client-sts").then((mod) => {
      const client = new mod.STSClient(sdkConfig(config, options));
      observe(client as unknown as Sendable, "STS", options);
      return { mod, send: sender(client as unknown as Sendable, config) };
    });
    return loaded;
  };
  return mark<StsLike>({
    async getCallerIdentity(input, o) {
      const { mod, send } = await load();
      return send("GetCallerIdentity", new mod.GetCallerIdentityCommand(input), o);
    },
  });
}
