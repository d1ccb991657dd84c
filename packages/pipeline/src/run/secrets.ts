import { RunPipelineError } from "../errors.js";
import type { SecretResolver } from "./codebuild.js";

/** Parameter Store and Secrets Manager through the SDK's standard chain (region, credentials, AWS_ENDPOINT_URL). */
export function sdkSecretResolver(): SecretResolver {
  return {
    async parameter(name) {
      const { SSMClient, GetParameterCommand } = await import("@aws-sdk/client-ssm");
      try {
        const out = await new SSMClient({}).send(
          new GetParameterCommand({ Name: name, WithDecryption: true }),
        );
        return out.Parameter?.Value ?? "";
      } catch (e) {
        throw new RunPipelineError(
          `Parameter Store parameter ${name} could not be read (${(e as Error).name}: ${(e as Error).message}). ` +
            "Create it, or check the name in the buildspec's env.parameter-store / the project's PARAMETER_STORE variable.",
          { cause: e },
        );
      }
    },
    async secret(reference) {
      // secret-id:json-key:version-stage:version-id, where secret-id may be an ARN (7 colon-separated parts).
      const parts = reference.split(":");
      const idParts = reference.startsWith("arn:") ? 7 : 1;
      const secretId = parts.slice(0, idParts).join(":");
      const [jsonKey, versionStage, versionId] = parts.slice(idParts);
      const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
      let text: string;
      try {
        const out = await new SecretsManagerClient({}).send(
          new GetSecretValueCommand({
            SecretId: secretId,
            ...(versionStage ? { VersionStage: versionStage } : {}),
            ...(versionId ? { VersionId: versionId } : {}),
          }),
        );
        text = out.SecretString ?? "";
      } catch (e) {
        throw new RunPipelineError(
          `Secrets Manager secret ${secretId} could not be read (${(e as Error).name}). Create it, or check the ` +
            "reference (secret-id:json-key:version-stage:version-id) in the buildspec's env.secrets-manager.",
          { cause: e },
        );
      }
      if (!jsonKey) return text;
      try {
        const value = (JSON.parse(text) as Record<string, unknown>)[jsonKey];
        if (value === undefined) throw new Error("no such key");
        return typeof value === "string" ? value : JSON.stringify(value);
      } catch {
        throw new RunPipelineError(`Secrets Manager secret ${secretId} has no JSON key ${jsonKey}.`);
      }
    },
  };
}

/** Every secret value seen in a run; `apply` masks them in text before it is printed or written. */
export function createRedactor(initial: readonly string[] = []) {
  const secrets = new Set(initial.filter((s) => s.length >= 3));
  return {
    add(secret: string) {
      if (secret && secret.length >= 3) secrets.add(secret);
    },
    apply(text: string) {
      let out = text;
      for (const s of secrets) if (out.includes(s)) out = out.split(s).join("***");
      return out;
    },
  };
}
