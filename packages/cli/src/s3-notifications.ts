import type { DefinitionProblem } from "./errors.js";
import { lambdaRole, RUNTIME } from "./lambda-resources.js";
import type { CfnValue, TemplateDocument } from "./service.js";

/**
 * S3 notifications on buckets the service does not create (`{ type: "s3", existingBucket }`).
 *
 * CloudFormation can only set `NotificationConfiguration` on a bucket it owns, so (like the Serverless Framework's
 * `existing: true` and Sparta for Go) a custom resource reads the bucket's notification configuration, replaces
 * its own entries and writes it back, keeping every other entry (topics, queues, other functions, EventBridge).
 */

type Resource = TemplateDocument["Resources"][string];

/** CloudFormation type of the per-trigger custom resource. */
export const S3_NOTIFICATION_RESOURCE_TYPE = "Custom::SpartaS3Notification";

/** Logical ids of the one function (with its role and log group) shared by every existing-bucket trigger. */
export const S3_NOTIFICATION_IDS = {
  function: "SpartaS3NotificationFunction",
  role: "SpartaS3NotificationRole",
  logGroup: "SpartaS3NotificationLogGroup",
} as const;

/** Seconds the custom-resource function may run; it answers CloudFormation 5 s before that at the latest. */
export const S3_NOTIFICATION_TIMEOUT = 60;

/**
 * The custom-resource function's source: CommonJS for `nodejs22.x`, using the runtime's bundled
 * `@aws-sdk/client-s3`, answering CloudFormation itself by a PUT to `ResponseURL`. Inline (`Code.ZipFile`), so it
 * must stay under CloudFormation's 4,096 characters.
 *
 * Entries it owns have the `Id` `<PhysicalResourceId>-<n>`, where the physical id is `<stack name>-<logical id>`
 * (hashed when long) and never changes on update. `exports.merge` is the pure part, exported for tests.
 */
export const S3_NOTIFICATION_HANDLER = `"use strict";
const { S3Client, GetBucketNotificationConfigurationCommand: Get, PutBucketNotificationConfigurationCommand: Put } = require("@aws-sdk/client-s3");
const LISTS = ["TopicConfigurations", "QueueConfigurations", "LambdaFunctionConfigurations"];
const own = (id, pre) => typeof id === "string" && id.startsWith(pre) && /^\\d+$/.test(id.slice(pre.length));
exports.merge = (cur, pre, ours) => {
  const next = {};
  for (const k in cur) if (k !== "$metadata") next[k] = LISTS.includes(k) ? (cur[k] || []).filter((c) => !own(c.Id, pre)) : cur[k];
  next.LambdaFunctionConfigurations = (next.LambdaFunctionConfigurations || []).concat(ours.map((c, i) => ({ ...c, Id: pre + i })));
  for (const k of LISTS) if (next[k] && !next[k].length) delete next[k];
  return next;
};
const explain = (b, e) => {
  const n = e.name || "Error";
  return "bucket " + b + (n === "NoSuchBucket" ? " does not exist or is not in this account/region"
    : /AccessDenied|Forbidden/.test(n) ? " denies access (another account's bucket, or its policy denies s3:Get/PutBucketNotification)"
    : /Redirect|AuthorizationHeaderMalformed/.test(n) ? " is in another region than the stack"
    : " refused the notification configuration") + " (" + n + ": " + e.message + ")";
};
exports.handler = async (event, ctx) => {
  const p = event.ResourceProperties || {}, old = event.OldResourceProperties || {};
  let id = event.PhysicalResourceId;
  if (!id) {
    id = (String(event.StackId).split("/")[1] || "stack") + "-" + event.LogicalResourceId;
    if (id.length > 100) id = id.slice(0, 83) + "-" + require("crypto").createHash("sha256").update(id).digest("hex").slice(0, 16);
  }
  const pre = id + "-", ac = new AbortController(), opt = { abortSignal: ac.signal };
  const s3 = new S3Client({ forcePathStyle: !!(process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL) });
  const apply = async (Bucket, ours) => {
    let cur;
    try {
      cur = await s3.send(new Get({ Bucket }), opt);
    } catch (e) {
      if (!ours.length && e.name === "NoSuchBucket") return;
      throw new Error(explain(Bucket, e));
    }
    if (!ours.length && !LISTS.some((k) => (cur[k] || []).some((c) => own(c.Id, pre)))) return;
    const input = { Bucket, NotificationConfiguration: exports.merge(cur, pre, ours) };
    if (!ours.length) input.SkipDestinationValidation = true;
    await s3.send(new Put(input), opt).catch((e) => { throw new Error(explain(Bucket, e)); });
  };
  const work = async () => {
    if (event.RequestType === "Delete") return apply(p.Bucket, []);
    await apply(p.Bucket, p.NotificationConfigurations || []);
    if (old.Bucket && old.Bucket !== p.Bucket) await apply(old.Bucket, []);
  };
  const ms = Math.max(1000, (ctx && ctx.getRemainingTimeInMillis ? ctx.getRemainingTimeInMillis() : 30000) - 5000);
  let timer, Status = "SUCCESS", Reason;
  try {
    await Promise.race([work(), new Promise((_, fail) => {
      timer = setTimeout(() => { ac.abort(); fail(new Error("bucket " + p.Bucket + ": no answer from S3 within " + ms + " ms")); }, ms);
    })]);
  } catch (e) {
    Status = "FAILED";
    Reason = String(e.message || e).slice(0, 1500) + (ctx && ctx.logStreamName ? " (log stream " + ctx.logStreamName + ")" : "");
  }
  clearTimeout(timer);
  console.log(event.RequestType + " " + id + " on " + p.Bucket + ": " + Status + (Reason ? ": " + Reason : ""));
  const body = JSON.stringify({ Status, Reason, PhysicalResourceId: id, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  for (let i = 1; ; i++) {
    try {
      const r = await fetch(event.ResponseURL, { method: "PUT", headers: { "content-type": "" }, body, signal: AbortSignal.timeout(10000) });
      if (r.ok) return;
      throw new Error("HTTP " + r.status);
    } catch (e) {
      console.error("answering CloudFormation failed (attempt " + i + "): " + e.message);
      if (i === 3) throw e;
    }
  }
};
`;

// With "-<account>-<stack id suffix>" appended (26 characters, see stackBucketName) the name stays within S3's 63.
const NEW_BUCKET = /^[a-z0-9][a-z0-9-]{1,33}[a-z0-9]$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
};
const isIntrinsic = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === "Ref" || keys[0]!.startsWith("Fn::"));
};

/**
 * What is wrong with an `s3` event source (an empty list when nothing): exactly one of `bucket` / `existingBucket`,
 * each well formed, and the optional `events`, `prefix`, `suffix`. `at` is the event's path, e.g.
 * `functions[resize].events[0]`.
 */
export function s3EventProblems(e: Record<string, unknown>, at: string): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const add = (field: string, message: string) => problems.push({ path: `${at}${field}`, message });
  const hasNew = e.bucket !== undefined;
  const hasExisting = e.existingBucket !== undefined;
  if (hasNew === hasExisting) {
    add(
      "",
      `${hasNew ? "sets both" : "sets neither of"} "bucket" and "existingBucket"; set exactly one: ` +
        'bucket: "uploads" (a bucket this service creates, named uploads-<account>-<stack id suffix>, unique per stack) or ' +
        'existingBucket: "my-data-bucket" (a bucket that already exists; a name or an intrinsic such as { Ref: "DataBucket" })',
    );
  } else if (hasNew && !(typeof e.bucket === "string" && NEW_BUCKET.test(e.bucket))) {
    add(
      ".bucket",
      `invalid (${show(e.bucket)}): a bucket name prefix of 3-35 lowercase letters, digits or '-' (account and stack id suffix are appended)`,
    );
  } else if (hasExisting) {
    const b = e.existingBucket;
    if (typeof b === "string") {
      if (!BUCKET_NAME.test(b))
        add(
          ".existingBucket",
          `invalid (${show(b)}): the name of an existing bucket (3-63 lowercase letters, digits, '.' or '-'${
            b.startsWith("arn:") ? "), not its ARN" : ")"
          }, e.g. "my-data-bucket"`,
        );
    } else if (!isIntrinsic(b)) {
      add(
        ".existingBucket",
        `invalid (${show(b)}): a bucket name or one intrinsic such as { Ref: "DataBucket" } or { "Fn::ImportValue": "shared-bucket" }`,
      );
    }
  }
  if (
    e.events !== undefined &&
    !(
      Array.isArray(e.events) &&
      e.events.length > 0 &&
      e.events.every((x) => typeof x === "string" && x.startsWith("s3:"))
    )
  )
    add(".events", `invalid (${show(e.events)}): S3 event names such as ["s3:ObjectCreated:*"]`);
  for (const field of ["prefix", "suffix"] as const) {
    const v = e[field];
    if (v !== undefined && (typeof v !== "string" || v.length === 0 || v.length > 1024))
      add(
        `.${field}`,
        `invalid (${show(v)}): a key ${field} of 1-1024 characters, e.g. "${field === "prefix" ? "in/" : ".csv"}"`,
      );
  }
  return problems;
}

/** `arn:<partition>:s3:::<bucket>` for a bucket name or an intrinsic that resolves to one. */
export function bucketArn(bucket: CfnValue): Record<string, unknown> {
  return typeof bucket === "string"
    ? { "Fn::Sub": `arn:\${AWS::Partition}:s3:::${bucket}` }
    : { "Fn::Sub": [`arn:\${AWS::Partition}:s3:::\${Bucket}`, { Bucket: bucket }] };
}

/** One existing-bucket trigger as the marshaller collected it. */
export interface ExistingBucketTrigger {
  /** Logical id of the custom resource to generate. */
  id: string;
  bucket: CfnValue;
  /** The function's ARN (an intrinsic). */
  functionArn: unknown;
  events: string[];
  prefix?: string;
  suffix?: string;
  /** The `AWS::Lambda::Permission` letting S3 invoke the function; S3 checks it when the notification is put. */
  permission: string;
}

/**
 * The resources of the existing-bucket triggers: the shared function (with a role allowed only
 * `s3:GetBucketNotification` / `s3:PutBucketNotification` on exactly these buckets, and its log group), and one
 * custom resource per trigger. The custom resources run one after another (each depends on the previous one), as
 * each is a read-modify-write of a bucket's whole configuration and two at once on one bucket would lose one.
 */
export function existingBucketResources(
  triggers: readonly ExistingBucketTrigger[],
  permissionsBoundary?: unknown,
): Record<string, Resource> {
  if (triggers.length === 0) return {};
  const ids = S3_NOTIFICATION_IDS;
  const arns = new Map<string, unknown>();
  for (const t of triggers) arns.set(JSON.stringify(t.bucket), bucketArn(t.bucket));
  const resources: Record<string, Resource> = {
    [ids.logGroup]: { Type: "AWS::Logs::LogGroup", Properties: { RetentionInDays: 14 } },
    [ids.role]: lambdaRole(
      "sparta-s3-notifications",
      [
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: [{ "Fn::GetAtt": [ids.logGroup, "Arn"] }],
        },
        {
          Effect: "Allow",
          Action: ["s3:GetBucketNotification", "s3:PutBucketNotification"],
          Resource: [...arns.values()],
        },
      ],
      permissionsBoundary,
    ),
    [ids.function]: {
      Type: "AWS::Lambda::Function",
      Properties: {
        Description: "Sparta: adds and removes this stack's S3 notifications on existing buckets",
        Code: { ZipFile: S3_NOTIFICATION_HANDLER },
        Handler: "index.handler",
        Runtime: RUNTIME,
        MemorySize: 128,
        Timeout: S3_NOTIFICATION_TIMEOUT,
        Role: { "Fn::GetAtt": [ids.role, "Arn"] },
        LoggingConfig: { LogGroup: { Ref: ids.logGroup } },
      },
    },
  };
  let previous: string | undefined;
  for (const t of triggers) {
    const rules = [
      ...(t.prefix ? [{ Name: "prefix", Value: t.prefix }] : []),
      ...(t.suffix ? [{ Name: "suffix", Value: t.suffix }] : []),
    ];
    resources[t.id] = {
      Type: S3_NOTIFICATION_RESOURCE_TYPE,
      DependsOn: previous ? [t.permission, previous] : [t.permission],
      Properties: {
        ServiceToken: { "Fn::GetAtt": [ids.function, "Arn"] },
        // CloudFormation stops waiting for an answer after this many seconds (default one hour).
        ServiceTimeout: S3_NOTIFICATION_TIMEOUT * 2,
        Bucket: t.bucket,
        NotificationConfigurations: [
          {
            Events: t.events,
            LambdaFunctionArn: t.functionArn,
            ...(rules.length ? { Filter: { Key: { FilterRules: rules } } } : {}),
          },
        ],
      },
    };
    previous = t.id;
  }
  return resources;
}
