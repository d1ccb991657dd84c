// How long the decorators take on a large service: 60 functions, each behind the HTTP API and an SQS mapping.
// Run after `pnpm --filter @sparta/operations build`: `pnpm --filter @sparta/operations bench`.
import { performance } from "node:perf_hooks";
import { applyOperations } from "../dist/index.js";

function bigService(n) {
  const Resources = {
    HttpApi: { Type: "AWS::ApiGatewayV2::Api", Properties: { Name: "big", ProtocolType: "HTTP" } },
  };
  for (let i = 0; i < n; i++) {
    const fn = `F${i}Function`;
    Resources[fn] = {
      Type: "AWS::Lambda::Function",
      Properties: {
        Code: { S3Bucket: "b", S3Key: `functions/f${i}/${i.toString(16).padStart(16, "0")}.zip` },
        Handler: "index.handler",
        Runtime: "nodejs22.x",
        Timeout: 10 + (i % 50),
        Role: { "Fn::GetAtt": ["Role", "Arn"] },
        Environment: { Variables: { INDEX: String(i) } },
      },
    };
    Resources[`F${i}Integration`] = {
      Type: "AWS::ApiGatewayV2::Integration",
      Properties: {
        ApiId: { Ref: "HttpApi" },
        IntegrationType: "AWS_PROXY",
        IntegrationUri: { "Fn::GetAtt": [fn, "Arn"] },
      },
    };
    Resources[`F${i}Mapping`] = {
      Type: "AWS::Lambda::EventSourceMapping",
      Properties: { EventSourceArn: "arn:aws:sqs:eu-west-1:1:q", FunctionName: { Ref: fn } },
    };
  }
  return { Resources, Outputs: {} };
}

const options = {
  alarms: true,
  dashboard: true,
  safeDeploy: { shift: "Canary10Percent5Minutes" },
  healthRoute: { function: "F0Function" },
};
const template = bigService(60);
for (let i = 0; i < 5; i++) applyOperations(structuredClone(template), options); // warm-up
const runs = 50;
const times = [];
for (let i = 0; i < runs; i++) {
  const t = structuredClone(template);
  const start = performance.now();
  applyOperations(t, options);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const out = applyOperations(structuredClone(template), options);
console.log(
  JSON.stringify({
    functions: 60,
    resourcesBefore: Object.keys(template.Resources).length,
    resourcesAfter: Object.keys(out.Resources).length,
    templateBytesAfter: JSON.stringify(out).length,
    medianMs: Number(times[runs >> 1].toFixed(2)),
    p95Ms: Number(times[Math.floor(runs * 0.95)].toFixed(2)),
  }),
);
