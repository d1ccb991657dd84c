/** Security facts every generated template shares. */

/**
 * A bucket policy document that refuses every request not sent over TLS (`aws:SecureTransport` false), as AWS's
 * S3 security best practices advise: for an `AWS::S3::BucketPolicy` of `bucketArn` (a string or an intrinsic).
 * @example
 * { Type: "AWS::S3::BucketPolicy", Properties: { Bucket: { Ref: "Bucket" },
 *   PolicyDocument: tlsOnlyBucketPolicy({ "Fn::GetAtt": ["Bucket", "Arn"] }) } }
 */
export function tlsOnlyBucketPolicy(bucketArn: unknown): Record<string, unknown> {
  const objects = typeof bucketArn === "string" ? `${bucketArn}/*` : { "Fn::Join": ["", [bucketArn, "/*"]] };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, objects],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/**
 * Whether a plain configuration value (a Lambda environment variable, a stack parameter) looks like a credential
 * that should not sit in a template in clear text. A heuristic, for a warning: the known shapes of AWS access keys,
 * GitHub, Slack, Stripe and npm tokens and PEM private keys, and a long high-entropy value under a name that says
 * it is secret.
 */

const SHAPES: [RegExp, string][] = [
  [/\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/, "an AWS access key id"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b/, "a GitHub token"],
  [/\bgithub_pat_[A-Za-z0-9_]{40,}\b/, "a GitHub token"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}\b/, "a Slack token"],
  [/\b(sk|rk)_live_[A-Za-z0-9]{16,}\b/, "a Stripe key"],
  [/\bnpm_[A-Za-z0-9]{36}\b/, "an npm token"],
];

const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_?KEY|API_?KEY|ACCESS_?KEY|CREDENTIAL)/i;

/** Shannon entropy in bits per character. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Why `value`, set under `name`, looks like a credential (e.g. "an AWS access key id"), or `undefined` when it does
 * not. Names alone never match: `PASSWORD_PARAMETER=/prod/db/password` is a reference, not a secret.
 * @example
 * credentialLike("AWS_KEY", "AKIAIOSFODNN7EXAMPLE"); // "an AWS access key id"
 * credentialLike("GREETING", "Hello"); // undefined
 */
export function credentialLike(name: string, value: string): string | undefined {
  for (const [shape, what] of SHAPES) if (shape.test(value)) return what;
  const compact = value.trim();
  if (
    SECRET_NAME.test(name) &&
    compact.length >= 20 &&
    !/\s/.test(compact) &&
    !/^(arn:|\/|https?:\/\/|\{\{resolve:)/.test(compact) &&
    entropy(compact) >= 3.5
  )
    return `a high-entropy value under a secret-sounding name (${name})`;
  return undefined;
}
