import { functionLogicalIds } from "./marshal.js";
import type {
  BuildResult,
  EventSource,
  FunctionDef,
  ServiceDefinition,
  TemplateDocument,
} from "./service.js";

const esc = (s: unknown): string =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
const code = (v: unknown) => `<code>${esc(typeof v === "string" ? v : JSON.stringify(v))}</code>`;

/** One line describing an event source, for the report and the CLI's text output. */
/** One line for a function's runtime settings: only those set, after the architecture. */
function runtimeSummary(fn: FunctionDef): string {
  const parts: string[] = [fn.architecture ?? "x86_64"];
  if (fn.reservedConcurrency !== undefined)
    parts.push(`${fn.reservedConcurrency} reserved concurrent executions`);
  if (fn.ephemeralStorage !== undefined) parts.push(`${fn.ephemeralStorage} MB /tmp`);
  if (fn.tracing) parts.push(`X-Ray ${fn.tracing}`);
  if (fn.layers) parts.push(`${fn.layers.length} layer(s)`);
  if (fn.vpc) parts.push("in a VPC");
  if (fn.deadLetter) parts.push(`failed async events to ${"queueArn" in fn.deadLetter ? "SQS" : "SNS"}`);
  return parts.join(", ");
}

export function describeTrigger(e: EventSource): string {
  switch (e.type) {
    case "httpApi":
      return `HTTP API ${e.method} ${e.path}`;
    case "functionUrl":
      return `Function URL (auth ${e.authType ?? "AWS_IAM"})`;
    case "s3":
      return `S3 ${(e.events ?? ["s3:ObjectCreated:*"]).join(", ")} on ${
        e.existingBucket !== undefined
          ? `existing bucket ${typeof e.existingBucket === "string" ? e.existingBucket : JSON.stringify(e.existingBucket)}`
          : `bucket ${e.bucket}-<account>-<stack id suffix>`
      }${e.prefix ? ` prefix ${e.prefix}` : ""}${e.suffix ? ` suffix ${e.suffix}` : ""}`;
    case "sns":
      return `SNS topic ${JSON.stringify(e.topicArn)}`;
    case "sqs":
      return `SQS queue ${JSON.stringify(e.queueArn)}`;
    case "dynamodb":
    case "kinesis":
      return `${e.type === "dynamodb" ? "DynamoDB" : "Kinesis"} stream ${JSON.stringify(e.streamArn)}`;
    case "schedule":
      return `EventBridge schedule ${e.expression}`;
    case "eventPattern":
      return `EventBridge pattern ${JSON.stringify(e.pattern)}`;
    case "cloudwatchLogs":
      return `CloudWatch Logs ${e.logGroupName}${e.filterPattern ? ` filter ${e.filterPattern}` : ""}`;
  }
}

/** How `stacksOf` and the report name the root stack. */
export const ROOT_STACK = "(root)";

/**
 * Which stack holds what, for a split service: the root (its resources) and each nested stack (its logical id in
 * the root, its functions and resources). One entry, the root, for a service deployed as one stack.
 */
export function stacksOf(
  build: Pick<BuildResult, "template" | "nestedTemplates">,
): { stack: string; functions: string[]; resources: string[] }[] {
  const nested = build.nestedTemplates ?? [];
  const stacks = new Set(nested.map((n) => n.logicalId));
  return [
    {
      stack: ROOT_STACK,
      functions: [],
      resources: Object.keys(build.template.Resources).filter((id) => !stacks.has(id)),
    },
    ...nested.map((n) => ({ stack: n.logicalId, functions: n.functions, resources: n.resources })),
  ];
}

/**
 * A self-contained HTML report of a built service (inline CSS, no scripts, no external assets): the picture
 * (`options.diagram`, an inline SVG from `renderDiagram`), functions, their triggers and privileges, code artifacts,
 * parameters, resources and outputs.
 */
export function renderDescribeHtml(
  service: ServiceDefinition,
  build: BuildResult,
  options: { diagram?: string; legend?: string } = {},
): string {
  // a split service is described whole, each resource with the stack that holds it
  const t: TemplateDocument = build.serviceTemplate ?? build.template;
  const stacks = build.nestedTemplates ? stacksOf(build) : undefined;
  const stackOf = new Map(stacks?.flatMap((s) => s.resources.map((id) => [id, s.stack] as const)) ?? []);
  const byName = new Map(service.functions.map((f, i) => [f.name, build.artifacts[i]]));
  const fnRows = service.functions
    .map((fn) => {
      const ids = functionLogicalIds(fn);
      const role = ids.role ? t.Resources[ids.role] : undefined;
      const policies =
        (role?.Properties?.Policies as { PolicyDocument: { Statement: unknown[] } }[] | undefined) ?? [];
      const statements = policies.flatMap((p) => p.PolicyDocument.Statement) as {
        Action: string[];
        Resource: unknown[];
      }[];
      const a = byName.get(fn.name);
      return `<section class="fn" id="fn-${esc(fn.name)}">
<h3>${esc(fn.name)}</h3>
<p>${esc(fn.description ?? "")}</p>
<table><tbody>
<tr><th>handler</th><td>${code(fn.handler)}</td></tr>
<tr><th>logical id</th><td>${code(ids.function)}</td></tr>${
        stacks
          ? `\n<tr><th>stack</th><td>nested stack ${code(stackOf.get(ids.function) ?? ROOT_STACK)}</td></tr>`
          : ""
      }
<tr><th>memory / timeout</th><td>${esc(fn.memorySize ?? 256)} MB / ${esc(fn.timeout ?? 10)} s</td></tr>
<tr><th>runtime</th><td>${esc(runtimeSummary(fn))}</td></tr>
<tr><th>environment</th><td>${
        Object.keys(fn.environment ?? {})
          .map(code)
          .join(" ") || "none"
      }</td></tr>
<tr><th>code</th><td>${a ? `${code(a.key)} (${esc(a.size)} bytes, sha256 ${code(a.sha256)})` : "not built"}</td></tr>
<tr><th>triggers</th><td><ul>${(fn.events ?? []).map((e) => `<li>${esc(describeTrigger(e))}</li>`).join("") || "<li>none (invoke directly)</li>"}</ul></td></tr>
<tr><th>privileges</th><td>${
        fn.roleName
          ? `existing role ${code(fn.roleName)}`
          : `<ul>${statements.map((s) => `<li>${s.Action.map(code).join(", ")} on ${s.Resource.map(code).join(", ")}</li>`).join("")}</ul>`
      }</td></tr>
</tbody></table></section>`;
    })
    .join("\n");
  const resourceRows = Object.entries(t.Resources)
    .map(
      ([id, r]) =>
        `<tr><td>${code(id)}</td><td>${esc(r.Type)}</td>${stacks ? `<td>${code(stackOf.get(id) ?? ROOT_STACK)}</td>` : ""}</tr>`,
    )
    .join("");
  const stackRows = (stacks ?? [])
    .map(
      (s) =>
        `<tr><td>${code(s.stack)}</td><td>${s.functions.map(code).join(" ") || (s.stack === ROOT_STACK ? "shared resources" : "")}</td><td>${esc(s.resources.length)}</td></tr>`,
    )
    .join("");
  const paramRows = Object.entries(t.Parameters ?? {})
    .map(
      ([id, p]) =>
        `<tr><td>${code(id)}</td><td>${esc(p.Type)}</td><td>${esc(p.Default ?? "")}</td><td>${esc(p.Description ?? "")}</td></tr>`,
    )
    .join("");
  const outputRows = Object.entries(t.Outputs ?? {})
    .map(
      ([id, o]) =>
        `<tr><td>${code(id)}</td><td>${esc(o.Description ?? "")}</td><td>${code(o.Value)}</td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(service.name)} · sparta describe</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1f24}
h1{margin-bottom:0}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa;width:12rem}
code{font:12px ui-monospace,monospace;background:#f6f8fa;padding:0 .2rem;word-break:break-all}
.fn{border-left:4px solid #0969da;padding-left:1rem;margin:1rem 0}ul{margin:0;padding-left:1.2rem}
.picture{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px;padding:.5rem;background:#fff}
.picture svg{display:block;margin:0 auto}.legend{margin-right:1rem;font-size:12px;white-space:nowrap}
.swatch{display:inline-block;width:.8rem;height:.8rem;border:1px solid;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
</style></head><body>
<h1>${esc(service.name)}</h1>
<p>${esc(t.Description ?? "")}</p>
<p>Stack <code>${esc(build.stackName)}</code> · ${service.functions.length} function(s) · ${Object.keys(t.Resources).length} resource(s) · template ${code(build.templatePath)}</p>
${
  options.diagram
    ? `<h2>Picture</h2>\n<figure class="picture" id="picture">${options.diagram}\n<figcaption>${options.legend ?? ""}</figcaption></figure>`
    : ""
}
<h2>Functions</h2>
${fnRows}
<h2>Parameters</h2>
<table><thead><tr><th>name</th><th>type</th><th>default</th><th>description</th></tr></thead><tbody>${paramRows}</tbody></table>
${
  stacks
    ? `<h2>Stacks</h2>
<p>The service deploys as a root stack and ${stacks.length - 1} nested stacks, one a function (its template passes a CloudFormation quota, or the service says <code>stacks: "nested"</code>).</p>
<table><thead><tr><th>stack</th><th>functions</th><th>resources</th></tr></thead><tbody>${stackRows}</tbody></table>`
    : ""
}
<h2>Resources</h2>
<table><thead><tr><th>logical id</th><th>type</th>${stacks ? "<th>stack</th>" : ""}</tr></thead><tbody>${resourceRows}</tbody></table>
<h2>Outputs</h2>
<table><thead><tr><th>name</th><th>description</th><th>value</th></tr></thead><tbody>${outputRows}</tbody></table>
</body></html>
`;
}
