import {
  And,
  Base64,
  Cidr,
  Equals,
  FindInMap,
  GetAtt,
  GetAZs,
  If,
  ImportValue,
  Join,
  LogicalIdAllocator,
  Not,
  Or,
  Pseudo,
  Ref,
  Select,
  Split,
  Sub,
  Template,
  ToJsonString,
} from "../src/index.js";

/** A Lambda function behind a function URL, with its role and log group. */
export function helloApi(): Template {
  const ids = new LogicalIdAllocator();
  const fn = ids.allocate("hello", "handler");
  const role = ids.allocate("hello", "handler", "role");
  const logs = ids.allocate("hello", "handler", "logs");
  return new Template({ description: "Hello API: one function behind a function URL" })
    .addResource(role, {
      Type: "AWS::IAM::Role",
      Properties: {
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        },
        ManagedPolicyArns: [
          Sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
        ],
      },
    })
    .addResource(logs, {
      Type: "AWS::Logs::LogGroup",
      DeletionPolicy: "Delete",
      UpdateReplacePolicy: "Delete",
      Properties: { LogGroupName: Sub("/aws/lambda/${AWS::StackName}-hello"), RetentionInDays: 14 },
    })
    .addResource(fn, {
      Type: "AWS::Lambda::Function",
      Properties: {
        FunctionName: Sub("${AWS::StackName}-hello"),
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        MemorySize: 256,
        Timeout: 10,
        Architectures: ["arm64"],
        Role: GetAtt(role, "Arn"),
        Code: { ZipFile: 'exports.handler = async () => ({ statusCode: 200, body: "hello" });\n' },
        Environment: { Variables: { STAGE: "dev", REGION: Pseudo.Region } },
        LoggingConfig: { LogGroup: Ref(logs) },
        Tags: [{ Key: "service", Value: "hello" }],
      },
    })
    .addResource("HelloUrl", {
      Type: "AWS::Lambda::Url",
      Properties: { AuthType: "NONE", TargetFunctionArn: GetAtt(fn, "Arn") },
    })
    .addResource("HelloUrlPermission", {
      Type: "AWS::Lambda::Permission",
      Properties: {
        Action: "lambda:InvokeFunctionUrl",
        FunctionName: Ref(fn),
        Principal: "*",
        FunctionUrlAuthType: "NONE",
      },
    })
    .addOutput("Url", { Description: "The function URL", Value: GetAtt("HelloUrl", "FunctionUrl") })
    .addOutput("FunctionArn", {
      Value: GetAtt(fn, "Arn"),
      Export: { Name: Sub("${AWS::StackName}-FunctionArn") },
    });
}

/** An SQS worker with a dead-letter queue, a stage parameter, a mapping and conditions. */
export function queueWorker(): Template {
  return new Template({ description: "Queue worker with a dead-letter queue" })
    .addParameter("Stage", {
      Type: "String",
      Default: "dev",
      AllowedValues: ["dev", "prod"],
      Description: "Deployment stage",
    })
    .addParameter("AlarmEmail", { Type: "String", Default: "", Description: "Who hears about failures" })
    .addMapping("StageConfig", {
      dev: { MemorySize: 256, BatchSize: 5 },
      prod: { MemorySize: 1024, BatchSize: 10 },
    })
    .addCondition("IsProd", Equals(Ref("Stage"), "prod"))
    .addCondition("HasAlarmEmail", Not(Equals(Ref("AlarmEmail"), "")))
    .addCondition("AlertInProd", And({ Condition: "IsProd" }, { Condition: "HasAlarmEmail" }))
    .addCondition("IsDevOrNoEmail", Or(Equals(Ref("Stage"), "dev"), Equals(Ref("AlarmEmail"), "")))
    .addResource("DeadLetterQueue", {
      Type: "AWS::SQS::Queue",
      DeletionPolicy: "Delete",
      UpdateReplacePolicy: "Delete",
      Properties: { MessageRetentionPeriod: 1209600 },
    })
    .addResource("WorkQueue", {
      Type: "AWS::SQS::Queue",
      DeletionPolicy: "Delete",
      UpdateReplacePolicy: "Delete",
      Properties: {
        VisibilityTimeout: 180,
        RedrivePolicy: { deadLetterTargetArn: GetAtt("DeadLetterQueue", "Arn"), maxReceiveCount: 3 },
      },
    })
    .addResource("WorkerRole", {
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
            PolicyName: "consume",
            PolicyDocument: {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                  Resource: GetAtt("WorkQueue", "Arn"),
                },
              ],
            },
          },
        ],
      },
    })
    .addResource("Worker", {
      Type: "AWS::Lambda::Function",
      Properties: {
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        MemorySize: FindInMap("StageConfig", Ref("Stage"), "MemorySize"),
        Timeout: 30,
        ReservedConcurrentExecutions: If("IsProd", 50, Pseudo.NoValue),
        Role: GetAtt("WorkerRole", "Arn"),
        Code: { ZipFile: "exports.handler = async (event) => event.Records.length;\n" },
      },
    })
    .addResource("WorkerEvents", {
      Type: "AWS::Lambda::EventSourceMapping",
      Properties: {
        EventSourceArn: GetAtt("WorkQueue", "Arn"),
        FunctionName: Ref("Worker"),
        BatchSize: FindInMap("StageConfig", Ref("Stage"), "BatchSize"),
      },
    })
    .addResource("AlarmTopic", {
      Type: "AWS::SNS::Topic",
      Condition: "AlertInProd",
      Properties: { Subscription: [{ Protocol: "email", Endpoint: Ref("AlarmEmail") }] },
    })
    .addResource("DevMarker", {
      Type: "AWS::SSM::Parameter",
      Condition: "IsDevOrNoEmail",
      Properties: { Type: "String", Value: Join("-", [Pseudo.StackName, "dev"]) },
    })
    .addOutput("QueueUrl", { Value: Ref("WorkQueue") })
    .addOutput("AlarmTopicArn", { Condition: "AlertInProd", Value: Ref("AlarmTopic") });
}

/** A small VPC that uses the remaining intrinsics: Cidr, GetAZs, Select, Split, Base64, ImportValue, ToJsonString. */
export function network(): Template {
  return new Template({ description: "A two-subnet VPC exercising every intrinsic" })
    .addTransform("AWS::LanguageExtensions")
    .setMetadata("Owner", { team: "platform" })
    .addParameter("CidrBlock", { Type: "String", Default: "10.0.0.0/16" })
    .addParameter("SubnetIds", { Type: "CommaDelimitedList", Default: "a,b" })
    .addResource("Vpc", { Type: "AWS::EC2::VPC", Properties: { CidrBlock: Ref("CidrBlock") } })
    .addResource("SubnetA", {
      Type: "AWS::EC2::Subnet",
      Properties: {
        VpcId: Ref("Vpc"),
        CidrBlock: Select(0, Cidr(GetAtt("Vpc", "CidrBlock"), 2, 8)),
        AvailabilityZone: Select(0, GetAZs("")),
      },
    })
    .addResource("SubnetB", {
      Type: "AWS::EC2::Subnet",
      Properties: {
        VpcId: Ref("Vpc"),
        CidrBlock: Select(1, Cidr(GetAtt("Vpc", "CidrBlock"), 2, 8)),
        AvailabilityZone: Select(1, GetAZs(Pseudo.Region)),
      },
    })
    .addResource("Config", {
      Type: "AWS::SSM::Parameter",
      Properties: {
        Type: "String",
        Value: ToJsonString({
          subnets: [Ref("SubnetA"), Ref("SubnetB")],
          first: Select(0, Split(",", Join(",", Ref("SubnetIds")))),
        }),
      },
    })
    .addResource("Bootstrap", {
      Type: "AWS::SSM::Parameter",
      Properties: {
        Type: "String",
        Value: Base64(Sub("vpc=${Vpc} account=${AWS::AccountId} url=${AWS::URLSuffix}")),
      },
    })
    .addOutput("VpcId", { Value: Ref("Vpc"), Export: { Name: Sub("${AWS::StackName}-VpcId") } })
    .addResource("SharedBucketName", {
      Type: "AWS::SSM::Parameter",
      Properties: { Type: "String", Value: ImportValue("shared-bucket-name") },
    });
}

export const fixtures: Record<string, () => Template> = { helloApi, queueWorker, network };
