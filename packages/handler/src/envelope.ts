import { EnvelopeError } from "./errors.js";
import { sparta } from "./generated/envelope.js";

const pb = sparta.handler.v1;

/** One invocation: the Lambda context fields plus the event (UTF-8 JSON bytes). */
export interface Invocation {
  functionName?: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  memoryLimitInMb?: number;
  awsRequestId?: string;
  logGroupName?: string;
  logStreamName?: string;
  /** Epoch milliseconds when the invocation times out; 0 or absent means "now + 30 s". */
  deadlineMs?: number;
  event: Uint8Array;
  traceId?: string;
}

/** A function error, as Lambda reports it. */
export interface FunctionErrorInfo {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

/** What the function answered: `payload` (UTF-8 JSON bytes) or `error`. */
export interface Result {
  awsRequestId?: string;
  payload?: Uint8Array;
  error?: FunctionErrorInfo;
  durationUs?: number;
}

const TO_OBJECT = { longs: Number, bytes: Uint8Array, defaults: false, oneofs: false } as const;
const TO_JSON = { longs: String, bytes: String, defaults: false, oneofs: false } as const;

function toNumber(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return value;
  if (typeof value === "string") return Number(value);
  if (typeof (value as { toNumber?: () => number }).toNumber === "function") {
    return (value as { toNumber: () => number }).toNumber();
  }
  return Number(value);
}

function bytesOf(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array(0);
}

function decode<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new EnvelopeError(
      `Could not decode the ${what} envelope: ${(error as Error).message}. ` +
        "Send a sparta.handler.v1 message (see proto/envelope.proto in @sparta/handler).",
      { cause: error },
    );
  }
}

/** Encodes an invocation to protobuf bytes. */
export function encodeInvocation(invocation: Invocation): Uint8Array<ArrayBuffer> {
  return pb.Invocation.encode(new pb.Invocation(invocation)).finish() as Uint8Array<ArrayBuffer>;
}

function plainInvocation(o: Record<string, unknown>): Invocation {
  const out = { ...o, event: bytesOf(o.event) } as Invocation;
  const deadline = toNumber(o.deadlineMs);
  if (deadline !== undefined) out.deadlineMs = deadline;
  return out;
}

/** Decodes protobuf bytes to an invocation; throws `EnvelopeError` on malformed input. */
export function decodeInvocation(bytes: Uint8Array): Invocation {
  return decode("Invocation", () =>
    plainInvocation(
      pb.Invocation.toObject(pb.Invocation.decode(bytes), TO_OBJECT) as Record<string, unknown>,
    ),
  );
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[camel(k)] = camelKeys(v);
  return out;
}

/** Proto3 JSON of an invocation (lowerCamelCase names, base64 bytes, int64 as string). */
export function invocationToJson(invocation: Invocation): Record<string, unknown> {
  return pb.Invocation.toObject(new pb.Invocation(invocation), TO_JSON) as Record<string, unknown>;
}

/** Parses proto3 JSON (accepting original snake_case names too) to an invocation. */
export function invocationFromJson(json: unknown): Invocation {
  return decode("Invocation", () => {
    if (typeof json !== "object" || json === null)
      throw new Error(`expected a JSON object, received ${typeof json}`);
    const message = pb.Invocation.fromObject(camelKeys(json) as Record<string, unknown>);
    return plainInvocation(pb.Invocation.toObject(message, TO_OBJECT) as Record<string, unknown>);
  });
}

/** Encodes a result to protobuf bytes. */
export function encodeResult(result: Result): Uint8Array<ArrayBuffer> {
  return pb.Result.encode(
    new pb.Result(result as sparta.handler.v1.Result.$Properties),
  ).finish() as Uint8Array<ArrayBuffer>;
}

function plainResult(o: Record<string, unknown>): Result {
  const out = { ...o } as Result;
  if (o.payload !== undefined) out.payload = bytesOf(o.payload);
  const duration = toNumber(o.durationUs);
  if (duration !== undefined) out.durationUs = duration;
  return out;
}

/** Decodes protobuf bytes to a result; throws `EnvelopeError` on malformed input. */
export function decodeResult(bytes: Uint8Array): Result {
  return decode("Result", () =>
    plainResult(pb.Result.toObject(pb.Result.decode(bytes), TO_OBJECT) as Record<string, unknown>),
  );
}

/** Proto3 JSON of a result. */
export function resultToJson(result: Result): Record<string, unknown> {
  return pb.Result.toObject(new pb.Result(result as sparta.handler.v1.Result.$Properties), TO_JSON) as Record<
    string,
    unknown
  >;
}

/** Parses proto3 JSON to a result. */
export function resultFromJson(json: unknown): Result {
  return decode("Result", () => {
    if (typeof json !== "object" || json === null)
      throw new Error(`expected a JSON object, received ${typeof json}`);
    const message = pb.Result.fromObject(camelKeys(json) as Record<string, unknown>);
    return plainResult(pb.Result.toObject(message, TO_OBJECT) as Record<string, unknown>);
  });
}
