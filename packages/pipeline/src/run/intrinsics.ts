import { PipelineNotDeployedError, RunPipelineError } from "../errors.js";

/** The deployed pipeline stack, as much of it as the pipeline resource's intrinsics can refer to. */
export interface DeployedStack {
  stackName: string;
  /** `arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID`: the source of the pseudo parameters. */
  stackId: string;
  /** Parameter values (a NoEcho one reads `****`, as DescribeStacks gives it). */
  parameters: Record<string, string>;
  /** Logical id -> physical id (ListStackResources). */
  physicalIds: Record<string, string>;
}

type Json = Record<string, unknown>;

/** Region, account and partition of a stack, read from its ARN. */
export function pseudoParameters(stack: DeployedStack): Record<string, string> {
  const [, partition = "aws", , region = "", account = ""] = stack.stackId.split(":");
  return {
    "AWS::StackName": stack.stackName,
    "AWS::StackId": stack.stackId,
    "AWS::Region": region,
    "AWS::AccountId": account,
    "AWS::Partition": partition,
    "AWS::URLSuffix": partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com",
    "AWS::NoValue": "",
  };
}

/**
 * Resolves the intrinsic functions of a piece of the pipeline template (Ref, Fn::GetAtt, Fn::Sub, Fn::Join,
 * Fn::Select, Fn::Split) against the deployed stack, as CloudFormation did when it created the pipeline.
 * A resource the emulator does not create (CodeBuild projects in moto) resolves to its `Name` property.
 */
export function createResolver(template: { Resources: Record<string, unknown> }, stack: DeployedStack) {
  const pseudo = pseudoParameters(stack);
  const resources = template.Resources as Record<string, { Type: string; Properties?: Json }>;

  function fail(what: string, why: string): never {
    throw new PipelineNotDeployedError(
      `The pipeline template's ${what} ${why}. runPipeline resolves the pipeline from the deployed stack ` +
        `${stack.stackName}; run \`sparta provisionPipeline\` with the same flags to deploy the current template.`,
    );
  }

  function ref(name: string): string {
    if (name in pseudo) return pseudo[name]!;
    if (name in stack.parameters) return stack.parameters[name]!;
    const physical = stack.physicalIds[name];
    if (physical) return physical;
    const resource = resources[name];
    if (!resource) fail(`Ref ${name}`, "names neither a parameter nor a resource");
    const named = resource.Properties?.Name;
    if (named !== undefined) return String(resolve(named));
    return fail(`resource ${name} (${resource.Type})`, "is not in the deployed stack");
  }

  function getAtt(id: string, attribute: string): string {
    const resource = resources[id];
    if (!resource) fail(`Fn::GetAtt ${id}.${attribute}`, "names no resource");
    const name = ref(id);
    const { "AWS::Partition": partition, "AWS::Region": region, "AWS::AccountId": account } = pseudo;
    if (attribute === "Arn") {
      if (resource.Type === "AWS::S3::Bucket") return `arn:${partition}:s3:::${name}`;
      if (resource.Type === "AWS::IAM::Role") return `arn:${partition}:iam::${account}:role/${name}`;
      if (resource.Type === "AWS::CodeBuild::Project")
        return `arn:${partition}:codebuild:${region}:${account}:project/${name}`;
      if (resource.Type === "AWS::IAM::ManagedPolicy") return name;
    }
    return fail(
      `Fn::GetAtt ${id}.${attribute}`,
      `is an attribute runPipeline cannot read for ${resource.Type}`,
    );
  }

  function sub(text: string, variables: Json = {}): string {
    return text.replace(/\$\{([^}]*)\}/g, (_whole, name: string) => {
      if (name.startsWith("!")) return `\${${name.slice(1)}}`;
      if (name in variables) return String(resolve(variables[name]));
      const dot = name.indexOf(".");
      if (dot > 0 && !name.startsWith("AWS::")) return getAtt(name.slice(0, dot), name.slice(dot + 1));
      return ref(name);
    });
  }

  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== "object") return value;
    const entries = Object.entries(value as Json);
    if (entries.length === 1) {
      const [key, arg] = entries[0]!;
      switch (key) {
        case "Ref":
          return ref(String(arg));
        case "Fn::GetAtt": {
          const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(".");
          return getAtt(String(id), String(attribute));
        }
        case "Fn::Sub":
          return Array.isArray(arg) ? sub(String(arg[0]), arg[1] as Json) : sub(String(arg));
        case "Fn::Join": {
          const [sep, list] = arg as [string, unknown];
          return (resolve(list) as unknown[]).map(String).join(sep);
        }
        case "Fn::Select": {
          const [index, list] = arg as [unknown, unknown];
          return (resolve(list) as unknown[])[Number(resolve(index))];
        }
        case "Fn::Split": {
          const [sep, text] = arg as [string, unknown];
          return String(resolve(text)).split(sep);
        }
        default:
          if (key.startsWith("Fn::") || key === "Condition") {
            throw new RunPipelineError(
              `The pipeline resource uses ${key}, which runPipeline does not resolve; it resolves Ref, Fn::GetAtt, ` +
                "Fn::Sub, Fn::Join, Fn::Select and Fn::Split.",
            );
          }
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  }

  return { resolve, ref, pseudo };
}
