export {
  AuthorizerError,
  CustomResourceError,
  DeadlineExceededError,
  EnvelopeError,
  FunctionResultError,
  HandlerError,
  HttpError,
  InvalidHandlerError,
  InvalidOptionError,
  InvokeServerError,
  MalformedEventError,
  NotALambdaRequestError,
} from "./errors.js";
export type {
  AlbEvent,
  AlbResult,
  HttpApiV2Event,
  HttpApiV2Result,
  RestApiV1Event,
  RestApiV1Result,
} from "./events.js";
export { LiteHeaders } from "./headers.js";
export { compose, lambdaHandler, legacy } from "./lambda.js";
export { Logger } from "./logger.js";
export type { CorsOptions } from "./middleware.js";
export {
  cors,
  errorMapper,
  errorResponse,
  healthCheck,
  jsonBody,
  normalizeHeaders,
  requestLog,
} from "./middleware.js";
export { LambdaRequest, lambdaContext, logger, pathname, rawEvent } from "./request.js";
export { empty, json, LiteResponse, text } from "./response.js";
export type { AwsLambdaGlobal, ResponseStreamLike } from "./streaming.js";
export { streamingLambdaHandler } from "./streaming.js";
export type {
  EventAdapter,
  Handler,
  LambdaContext,
  LambdaEntry,
  LambdaHandlerOptions,
  LegacyHandler,
  LogLevel,
  LogSink,
  Middleware,
} from "./types.js";
