/**
 * A fake of the Lambda Node.js runtime's `awslambda` global, for response streaming.
 *
 * Reproduces, from the AWS documentation of response streaming:
 * - `streamifyResponse(handler)` returns the function the runtime calls as `(event, responseStream, context)`;
 * - `HttpResponseStream.from(stream, prelude)` sends the HTTP prelude (status, headers, cookies) before any
 *   body byte and returns the stream the body is written to; writing the prelude twice is an error;
 * - the invocation's output is the bytes written until `end()`.
 * Does not reproduce: the 8-null-byte delimiter on the wire, back-pressure, or the 20 MB soft limit.
 */
import type { AwsLambdaGlobal, ResponseStreamLike } from "../src/streaming.js";

export interface FakeResponseStream extends ResponseStreamLike {
  prelude: { statusCode: number; headers?: Record<string, string>; cookies?: string[] } | undefined;
  chunks: Uint8Array[];
  ended: boolean;
  text(): string;
}

export function fakeResponseStream(): FakeResponseStream {
  const encoder = new TextEncoder();
  const stream: FakeResponseStream = {
    prelude: undefined,
    chunks: [],
    ended: false,
    write(chunk) {
      if (stream.ended) throw new Error("write after end");
      stream.chunks.push(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      return true;
    },
    end(chunk) {
      if (chunk !== undefined) stream.write(chunk);
      stream.ended = true;
    },
    text() {
      return Buffer.concat(stream.chunks).toString("utf8");
    },
  };
  return stream;
}

export const fakeAwsLambda: AwsLambdaGlobal = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: {
    from(stream, prelude) {
      const s = stream as FakeResponseStream;
      if (s.prelude) throw new Error("HTTP prelude already sent");
      if (s.chunks.length > 0) throw new Error("prelude must come before the body");
      s.prelude = prelude;
      return s;
    },
  },
};
