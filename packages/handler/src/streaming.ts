import { adapterFor } from "./adapters.js";
import { InvalidHandlerError } from "./errors.js";
import { lambdaHandler } from "./lambda.js";
import { errorResponse } from "./middleware.js";
import { LambdaRequest } from "./request.js";
import { LiteResponse } from "./response.js";
import type { Handler, LambdaContext, LambdaHandlerOptions } from "./types.js";

/** The part of a Node.js Writable that Lambda's response stream offers and this module uses. */
export interface ResponseStreamLike {
  write(chunk: string | Uint8Array): unknown;
  end(chunk?: string | Uint8Array): unknown;
}

/**
 * The `awslambda` global of the Lambda Node.js runtime, as far as response streaming needs it
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html).
 */
export interface AwsLambdaGlobal {
  streamifyResponse(
    handler: (event: unknown, responseStream: ResponseStreamLike, context: LambdaContext) => Promise<void>,
  ): unknown;
  HttpResponseStream: {
    from(
      stream: ResponseStreamLike,
      prelude: { statusCode: number; headers?: Record<string, string>; cookies?: string[] },
    ): ResponseStreamLike;
  };
}

/**
 * A Function URL handler in response-streaming mode (invoke mode `RESPONSE_STREAM`): the status and headers
 * go first, then the response body as the handler's `ReadableStream` produces it. Outside Lambda's Node.js
 * runtime (no `awslambda` global, e.g. in the local invoke server) it is the buffered `lambdaHandler(fn)`.
 *
 * @example
 * export const handler = streamingLambdaHandler(() => new Response(readableStreamOfTokens));
 */
export function streamingLambdaHandler(
  fn: Handler,
  options: LambdaHandlerOptions & { awslambda?: AwsLambdaGlobal } = {},
): unknown {
  if (typeof fn !== "function") throw new InvalidHandlerError(fn);
  const aws = options.awslambda ?? (globalThis as { awslambda?: AwsLambdaGlobal }).awslambda;
  if (!aws || typeof aws.streamifyResponse !== "function") return lambdaHandler(fn, options);
  const runtime = { ...options };
  return aws.streamifyResponse(async (event, responseStream, context) => {
    const req = new LambdaRequest(event, context, adapterFor(event), runtime);
    try {
      let res: Response;
      try {
        res = await fn(req as Request);
      } catch (error) {
        res = errorResponse(error, req);
      }
      const headers: Record<string, string> = {};
      res.headers.forEach((value, key) => {
        if (key !== "set-cookie") headers[key] = value;
      });
      const cookies = res.headers.getSetCookie();
      const stream = aws.HttpResponseStream.from(
        responseStream,
        cookies.length > 0
          ? { statusCode: res.status, headers, cookies }
          : { statusCode: res.status, headers },
      );
      if (res instanceof LiteResponse) {
        const [, , , , body, base64] = res.raw();
        stream.end(body === "" ? undefined : base64 ? Buffer.from(body, "base64") : body);
        return;
      }
      if (res.body) {
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          stream.write(value);
        }
      }
      stream.end();
    } finally {
      req.dispose();
    }
  });
}
