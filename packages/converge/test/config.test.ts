import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../src/config.js";
import { converge } from "../src/converge.js";
import {
  EndpointInvalidError,
  EndpointNotAwsError,
  EndpointTimeoutError,
  EndpointUnreachableError,
  ProfileNotFoundError,
  RegionInvalidError,
} from "../src/errors.js";
import { describeStack } from "../src/stack.js";
import { type Emulator, startEmulator } from "../src/testing.js";
import type { ClientOptions } from "../src/types.js";

// Configuration mistakes and network faults through the real AWS SDK: local servers that hang, refuse or answer
// like no AWS service, and the emulator for the settings that must work (AWS_DEFAULT_REGION, profiles, retries).

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const template = { Resources: { Queue: { Type: "AWS::SQS::Queue" } } };
const input = { stackName: "cfg", template };
let emulator: Emulator;
const servers: (Server | ReturnType<typeof createServer>)[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
  await emulator?.stop();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function listen(server: Server | ReturnType<typeof createServer>): Promise<string> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
    }),
  );
}

/** A server that accepts connections and never answers. */
function silent(): Promise<string> {
  return listen(
    createServer((socket) => {
      sockets.push(socket);
      socket.on("error", () => undefined);
    }),
  );
}

/** An HTTP server that answers every request with `status` and `body`, counting them. */
async function answering(status: number, body = ""): Promise<{ url: string; count: () => number }> {
  let n = 0;
  const url = await listen(
    createHttpServer((req, res) => {
      n++;
      req.resume();
      res.statusCode = status;
      if (body) res.setHeader("content-type", "text/xml");
      res.end(body);
    }),
  );
  return { url, count: () => n };
}

const aws = (extra: ClientOptions): { aws: ClientOptions } => ({
  aws: { region: "us-east-1", credentials, env: {}, ...extra },
});

describe("network faults", () => {
  it("an endpoint that accepts connections and never answers does not hang: it fails naming the endpoint", async () => {
    const endpoint = await silent();
    const started = Date.now();
    const err = await converge(
      input,
      aws({ endpoint, readTimeoutMs: 300, connectionTimeoutMs: 300, maxAttempts: 2 }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(EndpointTimeoutError);
    expect(err).toMatchObject({ code: "SPARTA_CONVERGE_ENDPOINT_TIMEOUT", userError: true, endpoint });
    expect(err.message).toMatch(
      new RegExp(`DescribeStacks: ${endpoint} did not answer in time \\(2 attempts`),
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    // the same for a read-only command
    await expect(
      describeStack({ stackName: "cfg" }, aws({ endpoint, readTimeoutMs: 200, maxAttempts: 1 })),
    ).rejects.toBeInstanceOf(EndpointTimeoutError);
  });

  it("a closed port fails naming the endpoint", async () => {
    const closed = await silent();
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const err = await converge(input, aws({ endpoint: closed, maxAttempts: 1 })).catch((e) => e);
    expect(err).toBeInstanceOf(EndpointUnreachableError);
    expect(err.message).toContain(closed);
    expect(err.userError).toBe(true);
  });

  it("an endpoint answering 404 with an empty body is not an AWS endpoint: a user error naming the variable", async () => {
    const { url } = await answering(404);
    const err = await converge(input, aws({ env: { AWS_ENDPOINT_URL: url }, maxAttempts: 1 })).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(EndpointNotAwsError);
    expect(err).toMatchObject({ code: "SPARTA_CONVERGE_ENDPOINT_NOT_AWS", userError: true, status: 404 });
    expect(err.message).toMatch(new RegExp(`${url} answered HTTP 404 without an AWS error`));
    expect(err.message).toMatch(/The endpoint comes from AWS_ENDPOINT_URL/);
    expect(err.message).not.toMatch(/Unknown/);
  });
});

describe("configuration mistakes are user errors naming the setting and the fix", () => {
  it.each([
    [
      { AWS_REGION: "us east 1" },
      /AWS_REGION is "us east 1", which is not an AWS region name.*export AWS_REGION=us-east-1/,
    ],
    [{ AWS_DEFAULT_REGION: "eu_west_1!" }, /AWS_DEFAULT_REGION is "eu_west_1!"/],
  ])("a malformed region %j", async (env, message) => {
    const err = await converge(input, { aws: { credentials, env } }).catch((e) => e);
    expect(err).toBeInstanceOf(RegionInvalidError);
    expect(err.userError).toBe(true);
    expect(err.message).toMatch(message);
  });

  it.each([
    "localhost-5077",
    "localhost:5077",
    "ftp://localhost:5077",
  ])("AWS_ENDPOINT_URL=%s", async (value) => {
    const err = await converge(input, aws({ env: { AWS_ENDPOINT_URL: value } })).catch((e) => e);
    expect(err).toBeInstanceOf(EndpointInvalidError);
    expect(err).toMatchObject({ code: "SPARTA_CONVERGE_ENDPOINT_INVALID", userError: true });
    expect(err.message).toContain(`AWS_ENDPOINT_URL is "${value}", which is not an http(s) URL`);
    expect(err.message).toContain("AWS_ENDPOINT_URL=http://localhost:5000");
  });

  it("names the per-service variable when that is the one at fault", () => {
    expect(() => resolveConfig("S3", { env: { AWS_ENDPOINT_URL_S3: "s3-local" } })).toThrow(
      /AWS_ENDPOINT_URL_S3 is "s3-local"/,
    );
  });

  it("AWS_PROFILE naming a profile that does not exist: names it and the profiles there are", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sparta-profiles-"));
    writeFileSync(
      join(dir, "config"),
      "[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\n",
    );
    writeFileSync(join(dir, "credentials"), "[ci]\naws_access_key_id = A\naws_secret_access_key = B\n");
    vi.stubEnv("AWS_CONFIG_FILE", join(dir, "config"));
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(dir, "credentials"));
    vi.stubEnv("AWS_PROFILE", "prod");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "");
    const err = await converge(input, { aws: { endpoint: emulator.endpoint, region: "us-east-1" } }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ProfileNotFoundError);
    expect(err).toMatchObject({
      code: "SPARTA_CONVERGE_PROFILE_NOT_FOUND",
      userError: true,
      profile: "prod",
    });
    expect(err.message).toMatch(
      /AWS_PROFILE names the AWS profile "prod", which is not in .*config or .*credentials/,
    );
    expect(err.message).toMatch(
      /Profiles found: ci, default, dev\. Use one of them .* or create it with `aws configure --profile prod`/,
    );
  });
});

describe("settings AWS CLI users rely on", () => {
  const stackArnRegion = (stackId: string | undefined) => stackId?.split(":")[3];

  it("AWS_DEFAULT_REGION alone is the region, as the AWS CLI reads it; AWS_REGION wins over it", async () => {
    const env = { AWS_DEFAULT_REGION: "eu-west-2", AWS_ENDPOINT_URL: emulator.endpoint };
    expect(resolveConfig("CLOUDFORMATION", { env })).toMatchObject({
      region: "eu-west-2",
      regionSource: "AWS_DEFAULT_REGION",
    });
    const created = await converge(
      { stackName: `cfg-default-region-${process.pid}`, template },
      { aws: { credentials, env } },
    );
    expect(created.kind).toBe("created");
    expect(stackArnRegion(created.stackId)).toBe("eu-west-2");
    expect(
      resolveConfig("CLOUDFORMATION", { env: { AWS_REGION: "ap-south-1", AWS_DEFAULT_REGION: "eu-west-2" } })
        .region,
    ).toBe("ap-south-1");
  });

  it("a region and a profile given to converge's clients (what --region and --profile set) are used", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sparta-profiles-"));
    writeFileSync(join(dir, "config"), "[profile staging]\nregion = ap-northeast-1\n");
    writeFileSync(join(dir, "credentials"), "[staging]\naws_access_key_id = A\naws_secret_access_key = B\n");
    vi.stubEnv("AWS_CONFIG_FILE", join(dir, "config"));
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(dir, "credentials"));
    const byProfile = await converge(
      { stackName: `cfg-profile-${process.pid}`, template },
      { aws: { profile: "staging", endpoint: emulator.endpoint, env: {} } },
    );
    expect(byProfile.kind).toBe("created");
    expect(stackArnRegion(byProfile.stackId)).toBe("ap-northeast-1");
    const byRegion = await converge(
      { stackName: `cfg-region-${process.pid}`, template },
      { aws: { profile: "staging", region: "sa-east-1", endpoint: emulator.endpoint, env: {} } },
    );
    expect(stackArnRegion(byRegion.stackId)).toBe("sa-east-1");
  });

  it("AWS_MAX_ATTEMPTS and the profile's max_attempts decide the retries (no hard-coded count)", async () => {
    const failure = `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>boom</Message></Error></ErrorResponse>`;
    const server = await answering(500, failure);
    const requests: string[] = [];
    const onRequest = (r: { operation: string }) => requests.push(r.operation);
    vi.stubEnv("AWS_MAX_ATTEMPTS", "2");
    vi.stubEnv("AWS_RETRY_MODE", "standard");
    const two = await describeStack(
      { stackName: "x" },
      { aws: { endpoint: server.url, region: "us-east-1", credentials, onRequest } },
    ).catch((e) => e);
    expect(two.name).toBe("InternalFailure");
    expect(requests).toEqual(["DescribeStacks", "DescribeStacks"]);

    vi.unstubAllEnvs();
    const dir = mkdtempSync(join(tmpdir(), "sparta-profiles-"));
    writeFileSync(
      join(dir, "config"),
      "[profile patient]\nregion = us-east-1\nmax_attempts = 4\nretry_mode = standard\n",
    );
    vi.stubEnv("AWS_CONFIG_FILE", join(dir, "config"));
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(dir, "none"));
    vi.stubEnv("AWS_MAX_ATTEMPTS", "");
    requests.length = 0;
    await describeStack(
      { stackName: "x" },
      { aws: { endpoint: server.url, profile: "patient", credentials, onRequest } },
    ).catch(() => undefined);
    expect(requests).toHaveLength(4);
  }, 30_000);
});
