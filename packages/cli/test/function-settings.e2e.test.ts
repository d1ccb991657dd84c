import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { createCfnClient } from "@sparta/converge";
import type { Emulator } from "@sparta/converge/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorWithBucket } from "./emulator.js";
import { copyExample, removeCopies, runBinAsync } from "./example.js";

const BUCKET = "sparta-settings-artifacts";

// A service file using every function runtime setting, as a user writes it: the subnets and security groups come in
// as stack parameters, the dead-letter queue is a resource a decorator adds.
const CONFIG = `import { defineService } from "@sparta/cli";

export const service = defineService({
  name: "settings",
  parameters: {
    Subnets: { type: "CommaDelimitedList", description: "subnets of the function" },
    Groups: { type: "CommaDelimitedList", description: "its security groups" },
  },
  functions: [
    {
      name: "tuned",
      handler: "src/hello.ts#handler",
      architecture: "arm64",
      reservedConcurrency: 3,
      ephemeralStorage: 1024,
      tracing: "Active",
      vpc: { subnetIds: { Ref: "Subnets" }, securityGroupIds: { Ref: "Groups" } },
      deadLetter: { queueArn: { "Fn::GetAtt": ["FailedInvocations", "Arn"] } },
    },
  ],
  decorators: [() => ({ Resources: { FailedInvocations: { Type: "AWS::SQS::Queue" } } })],
});
`;

/**
 * The ids of the emulator's default VPC subnets and security group, through the EC2 query API. moto routes a request
 * by the service in its credential scope and does not check the signature, so a well-formed header is enough.
 */
async function defaultNetwork(endpoint: string): Promise<{ subnets: string[]; group: string }> {
  const authorization =
    "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0";
  const ask = async (action: string) =>
    (
      await fetch(`${endpoint}/`, {
        method: "POST",
        headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
        body: `Action=${action}&Version=2016-11-15`,
      })
    ).text();
  const subnets = [
    ...(await ask("DescribeSubnets")).matchAll(/<subnetId>(subnet-[0-9a-f]+)<\/subnetId>/g),
  ].map((m) => m[1]!);
  const group = /<groupId>(sg-[0-9a-f]+)<\/groupId>/.exec(await ask("DescribeSecurityGroups"))?.[1];
  if (subnets.length === 0 || !group) throw new Error("the emulator has no default VPC");
  return { subnets: subnets.slice(0, 2), group };
}

describe("function runtime settings on the AWS emulator", () => {
  let emu: Emulator;
  let dir: string;

  beforeAll(async () => {
    emu = await emulatorWithBucket(BUCKET);
    dir = copyExample();
    writeFileSync(join(dir, "settings.config.ts"), CONFIG);
  }, 120_000);

  afterAll(async () => {
    await emu?.stop();
    removeCopies();
  });

  it("deploys them through the real SDK and Lambda reports them", async () => {
    const { subnets, group } = await defaultNetwork(emu.endpoint);
    const r = await runBinAsync(
      [
        "provision",
        "--service",
        "settings.config.ts",
        "--s3Bucket",
        BUCKET,
        "--yes",
        "--param",
        `Subnets=${subnets.join(",")}`,
        "--param",
        `Groups=${group}`,
        "--format",
        "json",
      ],
      dir,
      emu.env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).kind).toBe("created");

    const lambda = new LambdaClient(emu.clientConfig);
    const name = JSON.parse(r.stdout).outputs.TunedArn as string;
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    // moto's CloudFormation applies the VPC and the reserved concurrency to the function it creates ...
    expect(config.VpcConfig?.SubnetIds?.slice().sort()).toEqual(subnets.slice().sort());
    expect(config.VpcConfig?.SecurityGroupIds).toEqual([group]);
    const concurrency = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }));
    expect(concurrency.ReservedConcurrentExecutions).toBe(3);
    // ... but drops Architectures, EphemeralStorage, TracingConfig and DeadLetterConfig (it reports Lambda's
    // defaults). That the stack carries them is checked on the template CloudFormation received; that they are
    // valid values of those properties, by cfn-lint in function-settings.test.ts.
    const cfn = createCfnClient(emu.clientConfig);
    const deployed = JSON.parse((await cfn.getTemplate({ StackName: "settings" })).TemplateBody ?? "{}");
    expect(deployed.Resources.TunedFunction.Properties).toMatchObject({
      Architectures: ["arm64"],
      EphemeralStorage: { Size: 1024 },
      TracingConfig: { Mode: "Active" },
      DeadLetterConfig: { TargetArn: { "Fn::GetAtt": ["FailedInvocations", "Arn"] } },
    });
  }, 300_000);
});
