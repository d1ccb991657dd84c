import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CustomResourceEvent,
  customResource,
  customResourceResponse,
  sendCustomResourceResponse,
} from "../src/custom-resource.js";
import { captureSink, loadEvent, makeContext } from "./helpers.js";

// CloudFormation's documented requests (test/events/cloudformation, see SOURCE.md), with the presigned response
// URL pointed at a local server standing in for S3: it records each PUT (method, headers, body), and answers what
// a test asks for (S3 answers 200 to a valid presigned PUT, 403 to an expired one).
type Put = { method: string; headers: IncomingMessage["headers"]; body: any };
const puts: Put[] = [];
let answers: number[] = [];
let base = "";
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => {
    body += c;
  });
  req.on("end", () => {
    puts.push({ method: req.method!, headers: req.headers, body: JSON.parse(body) });
    res.writeHead(answers.shift() ?? 200).end();
  });
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function request(variant: "create" | "update" | "delete"): CustomResourceEvent {
  const event = loadEvent<CustomResourceEvent>("cloudformation", variant);
  event.ResponseURL = `${base}/response?X-Amz-Signature=abc`;
  return event;
}

describe("customResource()", () => {
  it("sends SUCCESS with the physical id and data to the response URL, as CloudFormation documents it", async () => {
    puts.length = 0;
    const sink = captureSink();
    const entry = customResource(
      () => ({ physicalResourceId: "thing-1", data: { Arn: "arn:aws:thing:::1" } }),
      {
        logger: sink,
      },
    );
    const event = request("create");
    expect(await entry(event, makeContext())).toBeUndefined();
    expect(puts).toHaveLength(1);
    expect(puts[0]!.method).toBe("PUT");
    expect(puts[0]!.headers["content-type"]).toBe("");
    expect(puts[0]!.body).toEqual({
      Status: "SUCCESS",
      PhysicalResourceId: "thing-1",
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      Data: { Arn: "arn:aws:thing:::1" },
    });
    expect(JSON.stringify(sink.lines)).not.toContain("arn:aws:thing"); // Data is never logged
  });

  it("keeps the physical id on Update and Delete unless the handler returns another", async () => {
    puts.length = 0;
    const entry = customResource(() => undefined, { logger: captureSink() });
    await entry(request("update"), makeContext());
    await entry(request("delete"), makeContext());
    expect(puts.map((p) => [p.body.Status, p.body.PhysicalResourceId])).toEqual([
      ["SUCCESS", "custom resource provider-defined physical id"],
      ["SUCCESS", "custom resource provider-defined physical id"],
    ]);
    puts.length = 0;
    await entry(request("create"), makeContext());
    expect(puts[0]!.body.PhysicalResourceId).toBe("unique id for this create request");
  });

  it("sends FAILED with the error's message when the handler throws, and logs the error", async () => {
    puts.length = 0;
    const sink = captureSink();
    const entry = customResource(
      () => {
        throw new Error("bucket name taken");
      },
      { logger: sink },
    );
    await entry(request("update"), makeContext({ logStreamName: "2026/12/02/[$LATEST]abc" }));
    expect(puts[0]!.body).toMatchObject({
      Status: "FAILED",
      Reason: "bucket name taken (log stream 2026/12/02/[$LATEST]abc)",
      PhysicalResourceId: "custom resource provider-defined physical id",
    });
    expect(sink.lines[0]).toMatchObject({ level: "ERROR", error: { message: "bucket name taken" } });
  });

  it("sends FAILED before the Lambda timeout when the handler is still running", async () => {
    puts.length = 0;
    const entry = customResource(() => new Promise<void>(() => {}), {
      logger: captureSink(),
      deadlineMarginMs: 50,
    });
    await entry(request("create"), makeContext({ remainingMs: 150 }));
    expect(puts[0]!.body).toMatchObject({
      Status: "FAILED",
      Reason: expect.stringContaining("did not finish before the Lambda timeout"),
    });
  });

  it("sends FAILED, saying why, for a response over CloudFormation's 4096 bytes", () => {
    const response = customResourceResponse(request("create"), {
      status: "SUCCESS",
      data: { big: "x".repeat(5000) },
    });
    expect(response).toMatchObject({ Status: "FAILED", Reason: expect.stringMatching(/over the 4096/) });
    expect(response.Data).toBeUndefined();
  });

  it("marks secret data NoEcho", () => {
    expect(
      customResourceResponse(request("create"), { status: "SUCCESS", data: { Password: "p" }, noEcho: true }),
    ).toMatchObject({
      NoEcho: true,
      Data: { Password: "p" },
    });
  });

  it("retries a 5xx answer, and fails at once on a 4xx (an expired URL)", async () => {
    puts.length = 0;
    answers = [503, 200];
    const event = request("create");
    await sendCustomResourceResponse(event, customResourceResponse(event, { status: "SUCCESS" }));
    expect(puts).toHaveLength(2);
    answers = [403];
    await expect(
      sendCustomResourceResponse(event, customResourceResponse(event, { status: "SUCCESS" })),
    ).rejects.toMatchObject({
      code: "RESPONSE_REJECTED",
      message: expect.stringContaining("answered 403"),
    });
    answers = [];
  });

  it("refuses an event that is not a custom resource request", async () => {
    const entry = customResource(() => undefined);
    await expect(entry(loadEvent("sqs", "receive"), makeContext())).rejects.toMatchObject({
      code: "NOT_A_CUSTOM_RESOURCE_EVENT",
    });
  });
});
