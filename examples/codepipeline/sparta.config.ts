import { defineService } from "@sparta/cli";
import { alarms } from "@sparta/operations";
import { codePipeline } from "@sparta/pipeline";

// The delivery pipeline: every push to the branch is built and deployed to `test`; `production` follows on its
// own once the test stack's alarms (from `alarms()` below) stayed quiet for 15 minutes. Each environment is its
// own stack and gives its functions their own MESSAGE.
// (`preBuild`: this example lives in the Sparta monorepo, whose packages are built from source.)
export const pipeline = codePipeline({
  preBuild: ["pnpm run build"],
  stages: [
    { environment: "test", approval: "none" },
    { environment: "production", approval: { gate: "alarms", quietMinutes: 15 } },
  ],
});
pipeline.registerEnvironment("test", { MESSAGE: "Hello from the test environment" });
pipeline.registerEnvironment("production", { MESSAGE: "Hello from production" });

export const service = defineService({
  name: "SpartaHello",
  description: "Sparta's CodePipeline sample: a hello function promoted from test to production",
  functions: [
    {
      name: "hello",
      handler: "src/hello.ts#handler",
      events: [{ type: "httpApi", method: "GET", path: "/hello" }],
    },
  ],
  // Every role carries the permissions boundary the pipeline creates when a stage deploys it: the pipeline's deploy
  // role creates no role without it.
  permissionsBoundary: pipeline.permissionsBoundary,
  decorators: [alarms(), pipeline.decorator],
  commands: pipeline.commands, // sparta provisionPipeline and sparta runPipeline
  codePipelinePackage: pipeline.packageFor,
});
