// The benchmark's template: 125 services of a function, its role, log group and queue (500 resources,
// CloudFormation's per-template maximum), built with the package's public API.
export const SERVICES = 125;

/** Build the template with `lib` (the package's exports) and return its JSON. */
export function build(lib) {
  const { GetAtt, Ref, Sub, Template, logicalId } = lib;
  const t = new Template({ description: "benchmark: 125 functions with role, log group and queue" });
  for (let i = 0; i < SERVICES; i++) {
    const fn = logicalId("service", String(i), "handler");
    t.addResource(`${fn}Role`, {
      Type: "AWS::IAM::Role",
      Properties: {
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        },
        Policies: [
          {
            PolicyName: "queue",
            PolicyDocument: {
              Version: "2012-10-17",
              Statement: [
                { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: GetAtt(`${fn}Queue`, "Arn") },
              ],
            },
          },
        ],
      },
    })
      .addResource(`${fn}Logs`, {
        Type: "AWS::Logs::LogGroup",
        Properties: { LogGroupName: Sub(`/aws/lambda/\${AWS::StackName}-${i}`), RetentionInDays: 14 },
      })
      .addResource(`${fn}Queue`, { Type: "AWS::SQS::Queue", Properties: { VisibilityTimeout: 60 } })
      .addResource(fn, {
        Type: "AWS::Lambda::Function",
        Properties: {
          Runtime: "nodejs22.x",
          Handler: "index.handler",
          MemorySize: 256,
          Timeout: 10,
          Role: GetAtt(`${fn}Role`, "Arn"),
          Code: { S3Bucket: "artifacts", S3Key: `service-${i}.zip` },
          Environment: { Variables: { QUEUE_URL: Ref(`${fn}Queue`), INDEX: String(i) } },
          LoggingConfig: { LogGroup: Ref(`${fn}Logs`) },
        },
      });
  }
  return t.toJSON();
}

/** Fail loudly if the template is not what the benchmark means to measure. */
export function checkWorkload(tpl, problems) {
  if (problems.length > 0)
    throw new Error(`benchmark template is invalid: ${JSON.stringify(problems.slice(0, 3))}`);
  if (Object.keys(tpl.Resources).length !== 4 * SERVICES) throw new Error("expected 500 resources");
}
