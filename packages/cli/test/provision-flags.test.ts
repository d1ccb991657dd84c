import type { ConvergeInput, ConvergeResult } from "@sparta/converge";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { copyExample, removeCopies, runInProcess } from "./example.js";

/*
 * A fake of @sparta/converge's `converge`, so what provision passes to it and how provision reports each kind of
 * result can be checked without a stack: it records its input and answers the result the test sets, shaped as
 * converge documents it (ConvergeResult: `interrupted` with the stack's real outcome when known, else `failed`
 * with a message starting "Interrupted"). Everything else of the package is the real one; with --s3-bucket and a
 * template without alarms() provision makes no other AWS call.
 */
const inputs: ConvergeInput[] = [];
let answer: Partial<ConvergeResult> = {};
vi.mock("@sparta/converge", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@sparta/converge")>()),
  converge: vi.fn(async (input: ConvergeInput) => {
    inputs.push(input);
    return { kind: "updated", stackName: input.stackName, outputs: {}, events: [], ...answer };
  }),
  // delete: the stack exists; deleting it was interrupted while CloudFormation carried on (deleteStack's result then).
  describeStack: vi.fn(async ({ stackName }: { stackName: string }) => ({
    stackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${stackName}/1`,
    status: "CREATE_COMPLETE",
    outputs: {},
    resources: [],
    parameters: {},
    tags: {},
  })),
  deleteStack: vi.fn(async ({ stackName }: { stackName: string }) => ({
    kind: "failed",
    stackName,
    events: [],
    message: `Interrupted. Stack ${stackName} is DELETE_IN_PROGRESS; CloudFormation carries on deleting it.`,
  })),
}));

describe("provision's flags and results (and delete's interrupt), with converge faked", () => {
  let dir: string;
  const provision = (...args: string[]) =>
    runInProcess(["provision", "--s3-bucket", "deploy-bucket", "--yes", ...args], dir, {
      AWS_REGION: "us-east-1",
    });

  beforeAll(() => {
    dir = copyExample();
  });
  afterAll(() => removeCopies());

  it("--resources-to-skip passes converge's resourcesToSkip (repeated or comma-separated, each once)", async () => {
    inputs.length = 0;
    answer = {};
    const r = await provision("--resources-to-skip", "Queue,Api.Handler", "--resources-to-skip", "Queue");
    expect(r.code, r.stderr).toBe(0);
    expect(inputs[0]!.resourcesToSkip).toEqual(["Queue", "Api.Handler"]);
    inputs.length = 0;
    expect((await provision()).code).toBe(0);
    expect(inputs[0]).not.toHaveProperty("resourcesToSkip");
  });

  it("--resources-to-skip refuses what is not a logical id, and --noop", async () => {
    inputs.length = 0;
    const bad = await provision("--resources-to-skip", "my-queue");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--resources-to-skip "my-queue": not a logical id/);
    const noop = await runInProcess(["provision", "--noop", "--resources-to-skip", "Queue"], dir);
    expect(noop.code).toBe(2);
    expect(noop.stderr).toMatch(/--resources-to-skip resumes a failed rollback.*drop --noop/);
    expect(inputs).toEqual([]);
  });

  it("interrupted before the outcome was known: exit 130 with converge's message, the result on stdout", async () => {
    answer = {
      kind: "failed",
      interrupted: true,
      message:
        "Interrupted. Stack hello is CREATE_IN_PROGRESS: CloudFormation keeps deploying it on its own. Follow it with `sparta status`.",
    };
    const r = await provision("--format", "json");
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(
      /error: Interrupted\. Stack hello is CREATE_IN_PROGRESS: CloudFormation keeps deploying/,
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: "interrupted", stackName: "hello" });
  });

  it("interrupted once the outcome was known: exits with the stack's real outcome", async () => {
    answer = {
      kind: "created",
      interrupted: true,
      message: "(Interrupted, but the stack had already reached CREATE_COMPLETE.)",
    };
    const ok = await provision();
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /^hello: created \(\(Interrupted, but the stack had already reached CREATE_COMPLETE/,
    );
    answer = {
      kind: "failed",
      interrupted: true,
      message:
        "Stack hello create failed and ended in ROLLBACK_COMPLETE. (Interrupted, but the stack had already reached ROLLBACK_COMPLETE.)",
      rootCause: [],
    };
    const failed = await provision();
    expect(failed.code).toBe(3);
  });

  it("bootstrap (the deployment bucket's stack) interrupted before its outcome is known: exit 130", async () => {
    answer = {
      kind: "failed",
      interrupted: true,
      message: "Interrupted before uploading; nothing was changed. Stack SpartaToolkit is CREATE_COMPLETE.",
    };
    const r = await runInProcess(["bootstrap"], dir, { AWS_REGION: "us-east-1" });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/error: SpartaToolkit: Interrupted before uploading; nothing was changed/);
  });

  it("delete interrupted while CloudFormation deletes: exit 130, not a failed delete", async () => {
    const r = await runInProcess(["delete", "--yes"], dir, { AWS_REGION: "us-east-1" });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(
      /error: Interrupted\. Stack hello is DELETE_IN_PROGRESS; CloudFormation carries on deleting it/,
    );
  });

  it("a failed deploy prints its root cause once, last, and names sparta provision", async () => {
    answer = {
      kind: "failed",
      message:
        "Stack hello create failed and ended in ROLLBACK_COMPLETE. The stack holds nothing now; the next `sparta provision` deletes it and creates it again.",
      rootCause: [
        {
          timestamp: "2026-01-01T00:00:00.000Z",
          logicalId: "Clash",
          resourceType: "AWS::S3::Bucket",
          status: "CREATE_FAILED",
          reason: "taken already exists",
        } as never,
      ],
    };
    const r = await provision();
    expect(r.code).toBe(3);
    expect(r.stderr.match(/taken already exists/g)).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(
      /root cause:\n {2}00:00:00 {2}CREATE_FAILED .*Clash {2}taken already exists$/,
    );
    expect(r.stderr).toMatch(/the next `sparta provision` deletes it/);
    expect(r.stderr).not.toMatch(/converge/);
  });
});
