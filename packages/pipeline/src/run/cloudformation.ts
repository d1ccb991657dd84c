import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { EngineDeps, StackActionResult } from "@sparta/converge";
import { RunPipelineError } from "../errors.js";
import type { ArtifactLocation, ZipFile } from "./artifacts.js";

/** An artifact an action reads: its files (extracted) and where it lives in the artifact store. */
export interface LocalArtifact {
  name: string;
  dir: string;
  location: ArtifactLocation;
  url: string;
}

export interface CloudFormationActionInput {
  actionName: string;
  configuration: Record<string, unknown>;
  inputs: LocalArtifact[];
  outputs: string[];
  /** Bucket for templates over CloudFormation's inline limit (the artifact store). */
  bucket: string;
  deps?: EngineDeps;
}

export interface CloudFormationActionResult {
  mode: string;
  stackName: string;
  result: StackActionResult;
  roleArn?: string;
  /** Time spent in CloudFormation calls. */
  awsMs: number;
  outputs: { name: string; files: ZipFile[] }[];
  /** Parameter names of the change set (values may be secret, so not kept). */
  parameterNames: string[];
}

const MODES = [
  "CHANGE_SET_REPLACE",
  "CHANGE_SET_EXECUTE",
  "CREATE_UPDATE",
  "REPLACE_ON_FAILURE",
  "DELETE_ONLY",
];

// CloudFormation's YAML short forms, read into their long forms.
const CFN_TAGS = [
  "Ref",
  "Condition",
  ...[
    "GetAtt",
    "Sub",
    "Join",
    "Select",
    "Split",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "FindInMap",
    "Base64",
    "Cidr",
    "ImportValue",
    "GetAZs",
    "Transform",
  ].map((t) => `Fn::${t}`),
].flatMap((name) => {
  const tag = `!${name.replace(/^Fn::/, "")}`;
  const key = name;
  const toValue = (v: unknown) => ({
    [key]: key === "Fn::GetAtt" && typeof v === "string" ? v.split(".") : v,
  });
  return (["scalar", "seq", "map"] as const).map((collection) => ({
    tag,
    ...(collection === "scalar" ? {} : { collection }),
    resolve: (value: unknown) => {
      const plain = (value as { toJSON?: () => unknown })?.toJSON
        ? (value as { toJSON: () => unknown }).toJSON()
        : value;
      return toValue(plain);
    },
  }));
});

function artifactPath(
  ref: unknown,
  inputs: LocalArtifact[],
  what: string,
): { artifact: LocalArtifact; path: string } {
  const text = String(ref ?? "");
  const i = text.indexOf("::");
  if (i <= 0) {
    throw new RunPipelineError(
      `${what} ${JSON.stringify(text)} must be ArtifactName::path/in/artifact, e.g. BuildOutput::template.json.`,
    );
  }
  const name = text.slice(0, i);
  const artifact = inputs.find((a) => a.name === name);
  if (!artifact) {
    throw new RunPipelineError(
      `${what} ${text} reads artifact ${name}, which is not an input artifact of the action (inputs: ${inputs.map((a) => a.name).join(", ") || "none"}).`,
    );
  }
  const path = join(artifact.dir, text.slice(i + 2));
  if (!existsSync(path)) {
    throw new RunPipelineError(`${what} ${text}: artifact ${name} has no file ${text.slice(i + 2)}.`);
  }
  return { artifact, path };
}

async function readDocument(path: string, what: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, "utf8");
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    try {
      const { parse } = await import("yaml");
      return parse(text, { customTags: CFN_TAGS as never }) as Record<string, unknown>;
    } catch (e) {
      throw new RunPipelineError(`${what} is neither JSON nor YAML: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** `Fn::GetParam` and `Fn::GetArtifactAtt` in ParameterOverrides, as the CodePipeline user guide documents them. */
async function overrideValue(value: unknown, inputs: LocalArtifact[], key: string): Promise<string> {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  const v = value as Record<string, unknown[]>;
  if (Array.isArray(v?.["Fn::GetParam"])) {
    const [artifactName, file, param] = v["Fn::GetParam"].map(String);
    const { path } = artifactPath(
      `${artifactName}::${file}`,
      inputs,
      `ParameterOverrides ${key}: Fn::GetParam`,
    );
    const doc = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    if (!(param! in doc)) {
      throw new RunPipelineError(
        `ParameterOverrides ${key}: Fn::GetParam: ${file} in ${artifactName} has no key ${param}.`,
      );
    }
    return String(doc[param!]);
  }
  if (Array.isArray(v?.["Fn::GetArtifactAtt"])) {
    const [artifactName, attribute] = v["Fn::GetArtifactAtt"].map(String);
    const artifact = inputs.find((a) => a.name === artifactName);
    if (!artifact) {
      throw new RunPipelineError(
        `ParameterOverrides ${key}: Fn::GetArtifactAtt reads ${artifactName}, which is not an input artifact.`,
      );
    }
    const attributes: Record<string, string> = {
      BucketName: artifact.location.bucket,
      ObjectKey: artifact.location.key,
      URL: artifact.url,
    };
    if (!(attribute! in attributes)) {
      throw new RunPipelineError(
        `ParameterOverrides ${key}: Fn::GetArtifactAtt attribute ${attribute} is not one of BucketName, ObjectKey, URL.`,
      );
    }
    return attributes[attribute ?? ""]!;
  }
  throw new RunPipelineError(
    `ParameterOverrides ${key} is ${JSON.stringify(value)}; a value is a string, { "Fn::GetParam": [artifact, file, key] } or { "Fn::GetArtifactAtt": [artifact, attribute] }.`,
  );
}

/**
 * Runs a CloudFormation deploy action with `@sparta/converge`'s action primitives: reads TemplatePath and
 * TemplateConfiguration from the input artifacts, applies ParameterOverrides over the configuration's Parameters,
 * checks every parameter name against the template, and writes OutputFileName (the stack's outputs as JSON).
 */
export async function runCloudFormationAction(
  input: CloudFormationActionInput,
): Promise<CloudFormationActionResult> {
  const c = input.configuration;
  const mode = String(c.ActionMode ?? "");
  const what = `Action ${input.actionName}`;
  if (!MODES.includes(mode)) {
    throw new RunPipelineError(
      `${what}: ActionMode ${JSON.stringify(c.ActionMode)} is not one of ${MODES.join(", ")}.`,
    );
  }
  const stackName = String(c.StackName ?? "");
  if (!stackName) throw new RunPipelineError(`${what}: the configuration has no StackName.`);
  const converge = await import("@sparta/converge");
  const deps = input.deps ?? {};
  const roleArn = c.RoleArn === undefined ? undefined : String(c.RoleArn);
  const changeSetName = c.ChangeSetName === undefined ? undefined : String(c.ChangeSetName);
  if ((mode === "CHANGE_SET_REPLACE" || mode === "CHANGE_SET_EXECUTE") && !changeSetName) {
    throw new RunPipelineError(`${what}: ActionMode ${mode} needs a ChangeSetName.`);
  }
  const base = {
    mode,
    stackName,
    ...(roleArn ? { roleArn } : {}),
    outputs: [] as { name: string; files: ZipFile[] }[],
  };
  let t = Date.now();
  const timed = async <T>(f: () => Promise<T>): Promise<T> => {
    t = Date.now();
    const out = await f();
    awsMs += Date.now() - t;
    return out;
  };
  let awsMs = 0;
  let parameterNames: string[] = [];
  let result: StackActionResult;
  if (mode === "CHANGE_SET_EXECUTE") {
    result = await timed(() =>
      converge.executeNamedChangeSet({ stackName, changeSetName: changeSetName! }, deps),
    );
  } else if (mode === "DELETE_ONLY") {
    result = await timed(() => converge.deleteStackOnly({ stackName }, deps));
  } else {
    if (!c.TemplatePath) throw new RunPipelineError(`${what}: ActionMode ${mode} needs a TemplatePath.`);
    const templateFile = artifactPath(c.TemplatePath, input.inputs, `${what}: TemplatePath`);
    const template = await readDocument(templateFile.path, `${what}: TemplatePath ${String(c.TemplatePath)}`);
    const declared = Object.keys((template.Parameters ?? {}) as object);
    let parameters: Record<string, string> = {};
    let tags: Record<string, string> = {};
    let stackPolicy: object | undefined;
    if (c.TemplateConfiguration) {
      const ref = String(c.TemplateConfiguration);
      const file = artifactPath(ref, input.inputs, `${what}: TemplateConfiguration`);
      const config = await readDocument(file.path, `${what}: TemplateConfiguration ${ref}`);
      const unknownKeys = Object.keys(config).filter(
        (k) => !["Parameters", "Tags", "StackPolicy"].includes(k),
      );
      if (unknownKeys.length > 0) {
        throw new RunPipelineError(
          `${what}: TemplateConfiguration ${ref} has ${unknownKeys.join(", ")}; a template configuration holds only Parameters, Tags and StackPolicy.`,
        );
      }
      parameters = Object.fromEntries(
        Object.entries((config.Parameters ?? {}) as object).map(([k, v]) => [k, String(v)]),
      );
      tags = Object.fromEntries(
        Object.entries((config.Tags ?? {}) as object).map(([k, v]) => [k, String(v)]),
      );
      stackPolicy = config.StackPolicy as object | undefined;
      const unknown = Object.keys(parameters).filter((p) => !declared.includes(p));
      if (unknown.length > 0) {
        throw new RunPipelineError(
          `${what}: TemplateConfiguration ${ref} sets parameter${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}, which ` +
            `${String(c.TemplatePath)} does not declare (it declares ${declared.join(", ") || "no parameters"}). CloudFormation ` +
            "refuses such a change set: remove the parameter from the configuration or declare it in the template " +
            "(a Sparta service declares its environment variables with pipeline.decorator).",
        );
      }
    }
    if (c.ParameterOverrides) {
      let overrides: Record<string, unknown>;
      try {
        overrides = JSON.parse(String(c.ParameterOverrides)) as Record<string, unknown>;
      } catch (e) {
        throw new RunPipelineError(
          `${what}: ParameterOverrides is not a JSON object: ${(e as Error).message}`,
        );
      }
      for (const [k, v] of Object.entries(overrides)) {
        if (!declared.includes(k)) {
          throw new RunPipelineError(
            `${what}: ParameterOverrides sets ${k}, which ${String(c.TemplatePath)} does not declare (it declares ${declared.join(", ") || "no parameters"}).`,
          );
        }
        parameters[k] = await overrideValue(v, input.inputs, k);
      }
    }
    parameterNames = Object.keys(parameters).sort();
    const capabilities = c.Capabilities
      ? String(c.Capabilities)
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
    const stackInput = {
      stackName,
      template,
      parameters,
      tags,
      ...(capabilities ? { capabilities } : {}),
      bucket: input.bucket,
      keyPrefix: "sparta-run",
    };
    if (mode === "CHANGE_SET_REPLACE") {
      result = await timed(() =>
        converge.replaceChangeSet({ ...stackInput, changeSetName: changeSetName! }, deps),
      );
    } else {
      result = await timed(() =>
        converge.createOrUpdateStack(
          { ...stackInput, replaceOnFailure: mode === "REPLACE_ON_FAILURE" },
          deps,
        ),
      );
      if (stackPolicy && result.kind !== "failed") {
        await timed(() => converge.setStackPolicy({ stackName, policy: stackPolicy! }));
      }
    }
  }
  if (c.OutputFileName && result.kind !== "failed") {
    const name = input.outputs[0];
    if (!name) throw new RunPipelineError(`${what}: OutputFileName needs an output artifact to write into.`);
    const described = await timed(() => converge.describeStack({ stackName }, deps));
    const outputs = described?.outputs ?? result.outputs;
    base.outputs.push({
      name,
      files: [
        {
          name: String(c.OutputFileName),
          data: new TextEncoder().encode(`${JSON.stringify(outputs, null, 2)}\n`),
        },
      ],
    });
  }
  return { ...base, result, awsMs, parameterNames };
}
