import { adapterFor, httpEvent } from "./adapters.js";
import { isString } from "./headers.js";
import { lambdaHandler } from "./lambda.js";
import { isObject } from "./sources.js";
import type { EventAdapter, Handler, LambdaEntry, LambdaHandlerOptions } from "./types.js";

type AnyRecord = Record<string, any>;

const views = new WeakMap<object, AnyRecord>();

/**
 * A VPC Lattice event in ALB's shape, built once per event: Lattice forwards requests to a Lambda target much
 * as an ALB does (path and query as the client sent them, a status line in the answer). Event structure 1.0 uses
 * `raw_path`, `query_string_parameters` and `is_base64_encoded`; 2.0 `path`, lists of values and a requestContext
 * naming the Lattice service.
 */
function albView(e: AnyRecord): AnyRecord {
  let view = views.get(e);
  if (!view) {
    const v1 = "raw_path" in e;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(isObject(e.headers) ? e.headers : {})) {
      headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    view = {
      httpMethod: e.method,
      path: v1 ? e.raw_path : e.path,
      headers,
      queryStringParameters: v1 ? e.query_string_parameters : e.queryStringParameters,
      body: e.body,
      isBase64Encoded: v1 ? e.is_base64_encoded : e.isBase64Encoded,
      requestContext: { elb: {} },
    };
    views.set(e, view);
  }
  return view;
}

/**
 * VPC Lattice events (structures 1.0 and 2.0) read as HTTP requests, answered with Lattice's result shape
 * (`statusCode`, `statusDescription`, single-valued `headers`, `body`, `isBase64Encoded`).
 */
export const latticeEvent: EventAdapter<AnyRecord> = {
  http: true,
  test: (e): e is AnyRecord =>
    isObject(e) &&
    isString(e.method) &&
    (isString(e.raw_path) || (e.version === "2.0" && isString(e.requestContext?.serviceArn))),
  method: (e) => httpEvent.method(albView(e)),
  path: (e) => httpEvent.path(albView(e)),
  url: (e) => httpEvent.url(albView(e)),
  headers: (e) => httpEvent.headers(albView(e)),
  header: (e, name) => httpEvent.header(albView(e), name),
  body: (e) => httpEvent.body(albView(e)),
  base64: (e) => httpEvent.base64(albView(e)),
  result: (parts, e) => httpEvent.result(parts, albView(e)),
};

const pick = (event: unknown): EventAdapter => (latticeEvent.test(event) ? latticeEvent : adapterFor(event));

/**
 * `lambdaHandler()` for a function behind VPC Lattice (and anything else `lambdaHandler()` reads): Lattice's
 * events become requests and the response Lattice's result. Kept apart so a function that is not behind
 * Lattice does not carry this code.
 *
 * @example
 * export const handler = latticeHandler(async (req) => json({ path: pathname(req) }));
 * // a Lattice 2.0 event for GET /orders => { statusCode: 200, statusDescription: "200 OK", headers: {...}, body: '{"path":"/orders"}', isBase64Encoded: false }
 */
export function latticeHandler(fn: Handler, options?: LambdaHandlerOptions): LambdaEntry {
  // lambdaHandler's internal third parameter: how each event's adapter is picked.
  const withPick = lambdaHandler as (
    f: Handler,
    o: LambdaHandlerOptions | undefined,
    p: typeof pick,
  ) => LambdaEntry;
  return withPick(fn, options, pick);
}
