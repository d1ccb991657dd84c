// What bench/run.mjs and bench/ab.mjs share: the JSON-echo event and context, the routed stack (a handler behind the
// three middlewares that answers /echo with the body and anything else with a 404), and the timing of one batch.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const template = JSON.parse(
  readFileSync(fileURLToPath(new URL("../test/events/apigw-v2/no-authorizer.json", import.meta.url)), "utf8"),
);
template.requestContext.http.method = "POST";
template.rawPath = "/echo";
template.requestContext.http.path = "/echo";
template.headers["content-type"] = "application/json";
template.body = JSON.stringify({ name: "sparta", items: [1, 2, 3], nested: { ok: true } });
template.headers["content-length"] = String(template.body.length);
/** The API Gateway v2 POST /echo event, as JSON: each invocation gets a fresh parse of it, as in Lambda. */
export const eventJson = JSON.stringify(template);

export const context = {
  functionName: "bench",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:bench",
  memoryLimitInMB: "128",
  awsRequestId: "bench-request",
  logGroupName: "/aws/lambda/bench",
  logStreamName: "2026/11/26/[$LATEST]bench",
  getRemainingTimeInMillis: () => 30_000,
  callbackWaitsForEmptyEventLoop: true,
};
export const silent = { write() {} };

/** The raw Lambda handler of the same echo: the baseline. */
export const raw = async (event) => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(JSON.parse(event.body)),
});

/** The routed echo of a build of this package (`M`: its dist/index.js), routing on `path(req)`. */
export const routedStack = (M, path) =>
  M.lambdaHandler(
    M.compose(
      M.errorMapper(),
      M.normalizeHeaders(),
      M.jsonBody(),
    )(async (req) => (path(req) === "/echo" ? M.json(await req.json()) : M.json({}, { status: 404 }))),
    { logger: silent },
  );

const BATCH = 250; // small: the pre-parsed events stay live during a batch and every scavenge copies them
/**
 * ns per invocation of `fn` over one batch of fresh events (parsed untimed): this process's CPU time (user +
 * system) by default, as the benchmark machine is shared; wall time with `wall`.
 */
export async function timeBatch(fn, wall = false) {
  const events = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) events[i] = JSON.parse(eventJson);
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) await fn(events[i], context);
  const end = process.hrtime.bigint();
  const used = process.cpuUsage(cpu);
  return (wall ? Number(end - start) : (used.user + used.system) * 1000) / BATCH;
}
