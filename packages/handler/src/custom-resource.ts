import { CustomResourceError, InvalidOptionError } from "./errors.js";
import { logLine } from "./logger.js";
import { isObject } from "./sources.js";
import type { LambdaContext, LambdaEntry, LambdaHandlerOptions } from "./types.js";

export { CustomResourceError } from "./errors.js";

/**
 * A CloudFormation custom resource request, as CloudFormation sends it to a Lambda function
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html).
 */
export interface CustomResourceEvent<P = Record<string, unknown>> {
  RequestType: "Create" | "Update" | "Delete";
  RequestId: string;
  ResponseURL: string;
  ResourceType: string;
  LogicalResourceId: string;
  StackId: string;
  /** Update and Delete: the id the provider answered before. */
  PhysicalResourceId?: string;
  ResourceProperties: P & { ServiceToken?: string; ServiceTimeout?: string };
  /** Update: the properties before the update. */
  OldResourceProperties?: P;
}

/** What a custom resource handler returns (nothing is fine: the defaults below apply). */
export interface CustomResourceResult {
  /**
   * The resource's id. Default: the request id on Create, the current id on Update and Delete. Returning a new id
   * on Update makes CloudFormation replace the resource (it then sends a Delete for the old id).
   */
  physicalResourceId?: string;
  /** Values the template reads with `Fn::GetAtt`. */
  data?: Record<string, unknown>;
  /** Mask `data` in `Fn::GetAtt` output and the console (for secrets). */
  noEcho?: boolean;
}

/** The response object CloudFormation reads from the response URL (crpg-ref-responses). */
export interface CustomResourceResponse {
  Status: "SUCCESS" | "FAILED";
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  NoEcho?: boolean;
  Data?: Record<string, unknown>;
}

/** Options of `customResource()`. */
export interface CustomResourceOptions extends Pick<LambdaHandlerOptions, "name" | "logger" | "logLevel"> {
  /**
   * How long before the Lambda timeout a still-running handler is given up and FAILED sent, so the stack does not
   * wait for CloudFormation's own timeout (an hour by default). Default 5000 ms.
   */
  deadlineMarginMs?: number;
  /** The fetch used to send the response (tests). Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** The most CloudFormation reads from a custom resource response. */
const MAX_RESPONSE_BYTES = 4096;

/** Is `event` a CloudFormation custom resource request? */
export function isCustomResourceEvent(event: unknown): event is CustomResourceEvent {
  return (
    isObject(event) &&
    ["Create", "Update", "Delete"].includes(event.RequestType) &&
    typeof event.ResponseURL === "string" &&
    typeof event.StackId === "string"
  );
}

/**
 * The response for `event`: SUCCESS with the handler's result, or FAILED with `reason`. The ids CloudFormation
 * matches are copied from the request; a response over CloudFormation's 4096 bytes becomes a FAILED one saying so.
 */
export function customResourceResponse(
  event: CustomResourceEvent,
  outcome:
    | ({ status: "SUCCESS" } & CustomResourceResult)
    | { status: "FAILED"; reason: string; physicalResourceId?: string },
): CustomResourceResponse {
  const physicalResourceId =
    outcome.physicalResourceId || event.PhysicalResourceId || event.RequestId || event.LogicalResourceId;
  const response: CustomResourceResponse = {
    Status: outcome.status,
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  if (outcome.status === "FAILED") {
    response.Reason = outcome.reason.slice(0, 1000);
    return response;
  }
  if (outcome.noEcho) response.NoEcho = true;
  if (outcome.data !== undefined) response.Data = outcome.data;
  const bytes = Buffer.byteLength(JSON.stringify(response));
  if (bytes > MAX_RESPONSE_BYTES) {
    return customResourceResponse(event, {
      status: "FAILED",
      physicalResourceId,
      reason: `The response is ${bytes} bytes, over the ${MAX_RESPONSE_BYTES} CloudFormation reads: return less data (store large values elsewhere and return their location)`,
    });
  }
  return response;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * PUTs `response` to the request's presigned `ResponseURL` (with no content-type, as the URL is signed without
 * one), retrying network errors and 5xx answers three times with backoff. A 4xx (an expired URL) fails at once.
 */
export async function sendCustomResourceResponse(
  event: CustomResourceEvent,
  response: CustomResourceResponse,
  options: { fetch?: typeof fetch } = {},
): Promise<void> {
  const send = options.fetch ?? fetch;
  const body = JSON.stringify(response);
  let last: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    if (attempt > 0) await sleep(100 * 4 ** (attempt - 1));
    try {
      const res = await send(event.ResponseURL, {
        method: "PUT",
        headers: { "content-type": "" },
        body,
      });
      if (res.ok) return;
      last = new CustomResourceError(
        "RESPONSE_REJECTED",
        `CloudFormation's response URL answered ${res.status} ${res.statusText} to the ${response.Status} response of ${event.LogicalResourceId}`,
      );
      if (res.status < 500) break;
    } catch (error) {
      last = error;
    }
  }
  throw last instanceof CustomResourceError
    ? last
    : new CustomResourceError(
        "RESPONSE_NOT_SENT",
        `Could not send the ${response.Status} response of ${event.LogicalResourceId} to CloudFormation: ${(last as Error)?.message}`,
        { cause: last },
      );
}

/**
 * A CloudFormation custom resource provider: `fn` creates, updates or deletes, and the SUCCESS or FAILED response
 * goes to CloudFormation's response URL, always: a thrown error is FAILED with its message, and a handler still
 * running near the Lambda timeout is FAILED before it, so a stack never hangs waiting. The response's `Data` is
 * never logged.
 *
 * @example
 * export const handler = customResource(async (event) => {
 *   if (event.RequestType === "Delete") return; // nothing to clean up
 *   const id = await createThing(event.ResourceProperties);
 *   return { physicalResourceId: id, data: { Arn: `arn:aws:thing:::${id}` } };
 * });
 */
export function customResource<P = Record<string, unknown>>(
  fn: (
    event: CustomResourceEvent<P>,
    context: LambdaContext,
  ) => CustomResourceResult | void | Promise<CustomResourceResult | void>,
  options: CustomResourceOptions = {},
): LambdaEntry {
  if (typeof fn !== "function") {
    throw new InvalidOptionError(
      "CUSTOM_RESOURCE_FUNCTION",
      `customResource() expects a function (event, context) => result, received ${typeof fn}`,
    );
  }
  const runtime = { ...options };
  return async (event, context) => {
    if (!isCustomResourceEvent(event)) {
      throw new CustomResourceError(
        "NOT_A_CUSTOM_RESOURCE_EVENT",
        "customResource() received an event that is not a CloudFormation custom resource request (RequestType, " +
          "ResponseURL, StackId): use it as a custom resource's ServiceToken, or export lambdaHandler(...) for other events",
      );
    }
    const name = runtime.name ?? context?.functionName ?? "custom-resource";
    const log = (level: "INFO" | "ERROR", message: string, fields?: Record<string, unknown>) =>
      logLine(runtime, context?.awsRequestId, name, level, message, fields);
    const where = context?.logStreamName ? ` (log stream ${context.logStreamName})` : "";
    const remaining = context?.getRemainingTimeInMillis?.() ?? 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<"deadline">((resolve) => {
      if (remaining > 0)
        timer = setTimeout(
          () => resolve("deadline"),
          Math.max(0, remaining - (runtime.deadlineMarginMs ?? 5000)),
        );
    });
    let response: CustomResourceResponse;
    try {
      const result = await Promise.race([
        Promise.resolve().then(() => fn(event as CustomResourceEvent<P>, context)),
        deadline,
      ]);
      if (result === "deadline") {
        response = customResourceResponse(event, {
          status: "FAILED",
          reason: `${event.RequestType} of ${event.LogicalResourceId} did not finish before the Lambda timeout${where}`,
        });
      } else {
        if (result !== undefined && !isObject(result)) {
          throw new CustomResourceError(
            "CUSTOM_RESOURCE_RESULT",
            `The handler returned ${typeof result}: return nothing, or { physicalResourceId, data, noEcho }`,
          );
        }
        response = customResourceResponse(event, { status: "SUCCESS", ...(result ?? {}) });
      }
    } catch (error) {
      log("ERROR", `${event.RequestType} of ${event.LogicalResourceId} failed`, { error });
      response = customResourceResponse(event, {
        status: "FAILED",
        reason: `${(error as Error)?.message ?? String(error)}${where}`,
      });
    } finally {
      clearTimeout(timer);
    }
    log(
      response.Status === "SUCCESS" ? "INFO" : "ERROR",
      `${event.RequestType} of ${event.LogicalResourceId}: ${response.Status}`,
      {
        physicalResourceId: response.PhysicalResourceId,
        reason: response.Reason,
      },
    );
    await sendCustomResourceResponse(event, response, runtime);
  };
}
