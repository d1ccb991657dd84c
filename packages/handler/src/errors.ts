/** @internal Throws a RangeError naming `what` unless `status` is an integer from `min` to 599. */
export function checkStatus(status: number, min: number, what: string): void {
  if (!Number.isInteger(status) || status < min || status > 599) {
    throw new RangeError(`${what} status must be an integer from ${min} to 599, received ${String(status)}`);
  }
}

/** Base of every error `@sparta/handler` throws; `code` is stable and safe to branch on. */
export class HandlerError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An error that carries an HTTP status. `errorMapper()` turns it into a response with that status;
 * its message reaches the client when `expose` is true (the default for statuses below 500).
 *
 * @example
 * throw new HttpError(404, `No order ${id}`);
 */
export class HttpError extends HandlerError {
  readonly status: number;
  readonly expose: boolean;
  readonly headers: Record<string, string> | undefined;
  constructor(
    status: number,
    message: string,
    options: { expose?: boolean; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super("HTTP_ERROR", message, { cause: options.cause });
    checkStatus(status, 400, "HttpError");
    this.status = status;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers;
  }
}

/** The request's deadline (Lambda timeout minus `deadlineMarginMs`) passed; `req.signal` aborts with it. */
export class DeadlineExceededError extends HttpError {
  constructor(functionName: string, marginMs: number) {
    super(
      504,
      `Function ${functionName} reached its deadline (${marginMs} ms before the Lambda timeout). ` +
        "Raise the function's timeout or make the handler stop earlier.",
      { expose: true },
    );
    (this as { code: string }).code = "DEADLINE_EXCEEDED";
  }
}

/** The event looked like an HTTP event but could not be turned into a request; answered as a 400. */
export class MalformedEventError extends HttpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(400, message, { expose: true, cause: options?.cause });
    (this as { code: string }).code = "MALFORMED_EVENT";
  }
}

/** A non-HTTP invocation answered with a status >= 400; thrown so Lambda records a function error. */
export class FunctionResultError extends HandlerError {
  readonly status: number;
  readonly body: string;
  constructor(functionName: string, status: number, body: string) {
    super(
      "FUNCTION_RESULT_ERROR",
      `Function ${functionName} answered status ${status} to a non-HTTP event: ${body.slice(0, 500)}`,
    );
    this.status = status;
    this.body = body;
  }
}

/** `lambdaHandler()` was given something other than a function. */
export class InvalidHandlerError extends HandlerError {
  constructor(received: unknown) {
    super(
      "INVALID_HANDLER",
      `lambdaHandler() expects a function (request: Request) => Response, received ${typeof received}.\n` +
        "Example: export const handler = lambdaHandler(async (req) => json({ ok: true }));",
    );
  }
}

/** An option given at setup (to a middleware, a helper) cannot work; `code` names which rule it breaks. */
export class InvalidOptionError extends HandlerError {}

/** An authorizer function's answer cannot be sent as API Gateway expects it, or the event is not an authorizer's. */
export class AuthorizerError extends HandlerError {}

/** A custom resource response could not be built or delivered, or the event is not a custom resource request. */
export class CustomResourceError extends HandlerError {}

/** An invocation envelope (protobuf or proto3 JSON) could not be decoded. */
export class EnvelopeError extends HandlerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ENVELOPE_INVALID", message, options);
  }
}

/** An accessor such as `logger(req)` received a request that `lambdaHandler()` did not create. */
export class NotALambdaRequestError extends HandlerError {
  constructor(accessor: string, received: string) {
    super(
      "NOT_A_LAMBDA_REQUEST",
      `${accessor}(req) needs the request lambdaHandler() passed to your handler, received a ${received}. ` +
        "If a middleware replaced the request with a new Request, pass the original one along instead.",
    );
  }
}

/**
 * The local invoke server was misconfigured (`NOT_LOOPBACK`; `UNKNOWN_ROUTE_FUNCTION`: a route names a function it
 * does not serve) or received too large a body (`PAYLOAD_TOO_LARGE`).
 */
export class InvokeServerError extends HandlerError {}
