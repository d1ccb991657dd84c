import { functionLogicalIds } from "./marshal.js";
import { templateRoutes } from "./routes.js";
import type { EventSource, ServiceDefinition, TemplateDocument } from "./service.js";

// The picture `sparta describe` puts in its report, as Go Sparta's describe drew the service: what triggers each
// function (HTTP routes, buckets, queues, schedules, ...), the functions, what each may touch (its role's statements),
// the alarms watching them and the pipeline's stages. Read from the built template (the one model of the service),
// laid out by dagre (loaded only here, only by describe) and drawn as inline SVG: the report needs no network.

export type NodeKind = "api" | "route" | "trigger" | "function" | "resource" | "alarm" | "stage";

export interface DiagramNode {
  id: string;
  kind: NodeKind;
  label: string;
  /** A second, smaller line: a type, an expression, a name. */
  detail?: string;
  /** The service's function name, for function nodes (the report links them to their section). */
  function?: string;
}

export interface DiagramEdge {
  from: string;
  to: string;
  label?: string;
  dashed?: boolean;
}

export interface ServiceGraph {
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

/** A pipeline's stages, in order: names and their actions (from `.sparta/pipeline.json` or the environments). */
export interface PipelineStages {
  stages: { name: string; actions: string[] }[];
}

type Resources = TemplateDocument["Resources"];

/** The logical id an intrinsic points at: `{Ref: X}`, `{Fn::GetAtt: [X, ...]}`, `{Fn::Sub: "${X.Arn}/*"}`. */
export function referencedId(value: unknown, resources: Resources): string | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  if (typeof o.Ref === "string" && resources[o.Ref]) return o.Ref;
  const att = o["Fn::GetAtt"];
  const attId = Array.isArray(att) ? att[0] : typeof att === "string" ? att.split(".")[0] : undefined;
  if (typeof attId === "string" && resources[attId]) return attId;
  const sub = o["Fn::Sub"];
  const text =
    typeof sub === "string" ? sub : Array.isArray(sub) && typeof sub[0] === "string" ? sub[0] : undefined;
  if (text)
    for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z.]+)?\}/g))
      if (resources[m[1]!]) return m[1];
  return undefined;
}

/** An ARN (or an intrinsic giving one) as a short name and its service: `arn:aws:s3:::b/in/*` -> `b/in/*`, `s3`. */
function arnParts(value: unknown): { service: string; name: string } {
  const sub = (value as Record<string, unknown> | null)?.["Fn::Sub"];
  // `Fn::Sub` as a string or as [string, variables]: each `${Name}` shown as `<name>`.
  const subText =
    typeof sub === "string" ? sub : Array.isArray(sub) && typeof sub[0] === "string" ? sub[0] : undefined;
  const text =
    typeof value === "string"
      ? value
      : subText !== undefined
        ? subText.replace(/\$\{(?:AWS::)?([A-Za-z0-9]+)\}/g, (_, p: string) => `<${p.toLowerCase()}>`)
        : JSON.stringify(value);
  const m = /^arn:[^:]*:([^:]+):[^:]*:[^:]*:(.*)$/.exec(text);
  if (!m) return { service: "", name: text };
  return { service: m[1]!, name: m[2]!.replace(/^(table|stream|function|log-group|topic|queue)[/:]/, "") };
}

/** What each kind of trigger is called in the picture. */
function triggerNode(e: EventSource, resources: Resources): Omit<DiagramNode, "id"> & { id?: string } {
  const show = (v: unknown) => (typeof v === "string" ? arnParts(v).name : arnParts(v).name);
  switch (e.type) {
    case "httpApi":
      return { kind: "route", label: `${e.method} ${e.path}` };
    case "functionUrl":
      return { kind: "trigger", label: "Function URL", detail: `auth ${e.authType ?? "AWS_IAM"}` };
    case "s3":
      return e.existingBucket !== undefined
        ? { kind: "trigger", label: "S3 bucket", detail: show(e.existingBucket) }
        : {
            kind: "trigger",
            label: "S3 bucket",
            detail: `${e.bucket}-<account>-<stack id suffix>`,
            id: `res:${pascal(e.bucket)}Bucket`,
          };
    case "sns":
    case "sqs":
    case "dynamodb":
    case "kinesis": {
      const arn = e.type === "sns" ? e.topicArn : e.type === "sqs" ? e.queueArn : e.streamArn;
      const id = referencedId(arn, resources);
      const label = {
        sns: "SNS topic",
        sqs: "SQS queue",
        dynamodb: "DynamoDB stream",
        kinesis: "Kinesis stream",
      }[e.type];
      return id
        ? { kind: "resource", label: id, detail: resources[id]!.Type, id: `res:${id}` }
        : { kind: "trigger", label, detail: show(arn) };
    }
    case "schedule":
      return { kind: "trigger", label: "schedule", detail: e.expression };
    case "eventPattern":
      return {
        kind: "trigger",
        label: "EventBridge rule",
        detail: JSON.stringify(e.pattern).slice(0, 48),
      };
    case "cloudwatchLogs":
      return { kind: "trigger", label: "log group", detail: e.logGroupName };
  }
}

const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");

/** `s3:GetObject, s3:PutObject` -> `s3:GetObject, PutObject`; more than three: the first three and `+N`. */
function actionsLabel(actions: string[]): string {
  const prefix = actions[0]?.split(":")[0];
  const same = prefix !== undefined && actions.every((a) => a.split(":")[0] === prefix);
  const shown = actions.slice(0, 3).map((a, i) => (same && i > 0 ? a.split(":")[1] : a));
  return `${shown.join(", ")}${actions.length > 3 ? ` +${actions.length - 3}` : ""}`;
}

/**
 * The service as a graph: triggers (the HTTP API and its routes from the template, the functions' other event
 * sources) -> functions -> what each may touch (its role's statements: template resources by logical id, others by
 * ARN), the alarms watching a function or the API, and the pipeline's stages as a chain of their own.
 */
export async function serviceGraph(
  service: ServiceDefinition,
  template: TemplateDocument,
  pipeline?: PipelineStages,
): Promise<ServiceGraph> {
  const resources = template.Resources;
  const nodes = new Map<string, DiagramNode>();
  const edges: DiagramEdge[] = [];
  const edgeKeys = new Set<string>();
  const node = (n: DiagramNode) => {
    if (!nodes.has(n.id)) nodes.set(n.id, n);
    return n.id;
  };
  const edge = (e: DiagramEdge) => {
    const key = `${e.from}>${e.to}`;
    if (edgeKeys.has(key) || e.from === e.to) return;
    edgeKeys.add(key);
    edges.push(e);
  };
  const fnId = new Map<string, string>(); // function logical id -> node id
  for (const fn of service.functions) {
    const id = node({
      id: `fn:${fn.name}`,
      kind: "function",
      label: fn.name,
      detail: `${fn.memorySize ?? 256} MB, ${fn.timeout ?? 10} s`,
      function: fn.name,
    });
    fnId.set(functionLogicalIds(fn).function, id);
  }
  // HTTP routes as the template deploys them (decorators' too), under their API.
  for (const route of await templateRoutes(service, template)) {
    const api = node({
      id: `res:${route.api ?? "HttpApi"}`,
      kind: "api",
      label: "HTTP API",
      detail: route.api ?? "HttpApi",
    });
    const r = node({
      id: `route:${route.method} ${route.path}`,
      kind: "route",
      label: `${route.method} ${route.path}`,
      ...(route.authorizer ? { detail: `authorizer ${route.authorizer}` } : {}),
    });
    edge({ from: api, to: r });
    edge({ from: r, to: `fn:${route.function}` });
  }
  // Every other trigger, from the functions' events.
  const triggered = new Set<string>();
  for (const fn of service.functions) {
    (fn.events ?? []).forEach((e, i) => {
      if (e.type === "httpApi") return;
      const t = triggerNode(e, resources);
      const id = node({ ...t, id: t.id ?? `trigger:${fn.name}:${i}` } as DiagramNode);
      triggered.add(`${id}>fn:${fn.name}`);
      const label =
        e.type === "s3"
          ? [
              e.events?.join(", ") ?? "",
              e.prefix ? `prefix ${e.prefix}` : "",
              e.suffix ? `suffix ${e.suffix}` : "",
            ]
              .filter(Boolean)
              .join(" ") || undefined
          : undefined;
      edge({ from: id, to: `fn:${fn.name}`, ...(label ? { label } : {}) });
    });
  }
  // What each function may touch: its role's statements, grouped by resource.
  for (const fn of service.functions) {
    const ids = functionLogicalIds(fn);
    const role = ids.role ? resources[ids.role] : undefined;
    const statements = (
      (role?.Properties?.Policies as { PolicyDocument?: { Statement?: unknown[] } }[] | undefined) ?? []
    )
      .flatMap((p) => p.PolicyDocument?.Statement ?? [])
      .filter(
        (s): s is { Effect?: string; Action: unknown; Resource: unknown } =>
          typeof s === "object" && s !== null,
      );
    const touched = new Map<string, string[]>();
    for (const s of statements) {
      if (s.Effect === "Deny") continue;
      const actions = (Array.isArray(s.Action) ? s.Action : [s.Action]).map(String);
      for (const r of Array.isArray(s.Resource) ? s.Resource : [s.Resource]) {
        const logical = referencedId(r, resources);
        let id: string;
        if (logical)
          id = node({
            id: `res:${logical}`,
            kind: "resource",
            label: logical,
            detail: resources[logical]!.Type,
          });
        else if (r === "*") {
          const service = actions[0]?.split(":")[0] ?? "*";
          id = node({ id: `any:${service}`, kind: "resource", label: service, detail: "any resource (*)" });
        } else {
          const { service, name } = arnParts(r);
          id = node({
            id: `arn:${service}:${name}`,
            kind: "resource",
            label: name,
            detail: service || "resource",
          });
        }
        touched.set(id, [...(touched.get(id) ?? []), ...actions]);
      }
    }
    for (const [id, actions] of touched) {
      // A queue or stream that triggers the function is drawn once, as its trigger.
      if (triggered.has(`${id}>fn:${fn.name}`)) continue;
      edge({ from: `fn:${fn.name}`, to: id, label: actionsLabel([...new Set(actions)]) });
    }
  }
  // Alarms, on the function (or the API) they watch.
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== "AWS::CloudWatch::Alarm" && r.Type !== "AWS::CloudWatch::CompositeAlarm") continue;
    const watched = new Set<string>();
    const scan = (v: unknown) => {
      const ref = referencedId(v, resources);
      if (ref && fnId.has(ref)) watched.add(fnId.get(ref)!);
      else if (ref && nodes.has(`res:${ref}`) && resources[ref]?.Type !== "AWS::CloudWatch::Alarm")
        watched.add(`res:${ref}`);
      if (Array.isArray(v)) v.forEach(scan);
      else if (v && typeof v === "object") Object.values(v).forEach(scan);
    };
    scan(r.Properties?.Dimensions ?? r.Properties?.Metrics);
    const metric = r.Properties?.MetricName;
    const a = node({
      id: `alarm:${id}`,
      kind: "alarm",
      label: id,
      detail:
        r.Type === "AWS::CloudWatch::CompositeAlarm"
          ? "composite alarm"
          : typeof metric === "string"
            ? `alarm on ${metric}`
            : "alarm",
    });
    if (r.Type === "AWS::CloudWatch::CompositeAlarm")
      for (const m of JSON.stringify(r.Properties?.AlarmRule ?? "").matchAll(
        /\$\{([A-Za-z0-9]+)(?:\.Arn)?\}|"Ref":"([A-Za-z0-9]+)"|"Fn::GetAtt":\["([A-Za-z0-9]+)"/g,
      )) {
        const target = m[1] ?? m[2] ?? m[3];
        if (target && resources[target]) edge({ from: `alarm:${target}`, to: a, dashed: true });
      }
    for (const w of watched) edge({ from: w, to: a, dashed: true });
  }
  // The pipeline, a chain of its own.
  pipeline?.stages.forEach((stage, i) => {
    node({ id: `stage:${stage.name}`, kind: "stage", label: stage.name, detail: stage.actions.join(" → ") });
    const previous = pipeline.stages[i - 1];
    if (previous) edge({ from: `stage:${previous.name}`, to: `stage:${stage.name}` });
  });
  return { nodes: [...nodes.values()], edges: edges.filter((e) => nodes.has(e.from) && nodes.has(e.to)) };
}

/** The stages of a pipeline template's `AWS::CodePipeline::Pipeline` (what `provision-pipeline --noop` writes). */
export function pipelineStagesOf(
  template: { Resources?: Resources } | undefined,
): PipelineStages | undefined {
  const pipeline = Object.values(template?.Resources ?? {}).find(
    (r) => r.Type === "AWS::CodePipeline::Pipeline",
  );
  const stages = pipeline?.Properties?.Stages as
    | { Name?: string; Actions?: { Name?: string }[] }[]
    | undefined;
  if (!stages?.length) return undefined;
  return {
    stages: stages.map((s) => ({
      name: String(s.Name),
      actions: (s.Actions ?? []).map((a) => String(a.Name)),
    })),
  };
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Fill and stroke of each kind of node. */
const STYLE: Record<NodeKind, { fill: string; stroke: string }> = {
  api: { fill: "#fff8c5", stroke: "#9a6700" },
  route: { fill: "#fff8c5", stroke: "#9a6700" },
  trigger: { fill: "#ffebe9", stroke: "#cf222e" },
  function: { fill: "#ddf4ff", stroke: "#0969da" },
  resource: { fill: "#dafbe1", stroke: "#1a7f37" },
  alarm: { fill: "#fbefff", stroke: "#8250df" },
  stage: { fill: "#eaeef2", stroke: "#57606a" },
};

/** Longest text a node shows on a line; longer ones are cut with "…". */
const MAX_CHARS = 44;
const cut = (s: string) => (s.length > MAX_CHARS ? `${s.slice(0, MAX_CHARS - 1)}…` : s);

/**
 * The graph laid out left to right by dagre and drawn as one `<svg>`: a box per node (the function boxes link to
 * their section of the report), an arrow per edge with its label. Text is escaped; no script, no external reference.
 */
export async function renderDiagram(graph: ServiceGraph, title: string): Promise<string> {
  const dagre = (await import("@dagrejs/dagre")).default;
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 70, edgesep: 12, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) {
    const chars = Math.max(cut(n.label).length * 7.4, cut(n.detail ?? "").length * 6.2);
    g.setNode(n.id, { width: Math.max(90, Math.ceil(chars) + 24), height: n.detail ? 44 : 30 });
  }
  for (const e of graph.edges) {
    const label = e.label ? cut(e.label) : undefined;
    g.setEdge(e.from, e.to, label ? { width: label.length * 6 + 6, height: 14, labelpos: "c" } : {});
  }
  dagre.layout(g);
  const { width = 0, height = 0 } = g.graph();
  const parts: string[] = [];
  for (const e of graph.edges) {
    const laid = g.edge(e.from, e.to) as
      | { points?: { x: number; y: number }[]; x?: number; y?: number }
      | undefined;
    const points = laid?.points ?? [];
    if (points.length === 0) continue;
    const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    parts.push(
      `<g class="edge" data-from="${esc(e.from)}" data-to="${esc(e.to)}"><path d="${d}" fill="none" stroke="#6e7781" stroke-width="1.2"${
        e.dashed ? ' stroke-dasharray="4 3"' : ""
      } marker-end="url(#sparta-arrow)"/>${
        e.label && laid?.x !== undefined && laid.y !== undefined
          ? `<text x="${laid.x.toFixed(1)}" y="${(laid.y + 4).toFixed(1)}" text-anchor="middle" font-size="10" fill="#57606a">${esc(cut(e.label))}</text>`
          : ""
      }</g>`,
    );
  }
  for (const n of graph.nodes) {
    const laid = g.node(n.id) as { x: number; y: number; width: number; height: number };
    const { fill, stroke } = STYLE[n.kind];
    const x = laid.x - laid.width / 2;
    const y = laid.y - laid.height / 2;
    const box = `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${laid.width}" height="${laid.height}" rx="${
      n.kind === "function" ? 8 : 4
    }" fill="${fill}" stroke="${stroke}" stroke-width="${n.kind === "function" ? 2 : 1}"/>`;
    const label = `<text x="${laid.x.toFixed(1)}" y="${(n.detail ? laid.y - 3 : laid.y + 4).toFixed(1)}" text-anchor="middle" font-size="12"${
      n.kind === "function" ? ' font-weight="600"' : ""
    } fill="#1f2328">${esc(cut(n.label))}</text>`;
    const detail = n.detail
      ? `<text x="${laid.x.toFixed(1)}" y="${(laid.y + 13).toFixed(1)}" text-anchor="middle" font-size="10" fill="#57606a">${esc(cut(n.detail))}</text>`
      : "";
    const inner = `<title>${esc([n.label, n.detail].filter(Boolean).join(": "))}</title>${box}${label}${detail}`;
    parts.push(
      `<g class="node ${n.kind}" data-kind="${n.kind}" data-id="${esc(n.id)}"${
        n.function ? ` data-function="${esc(n.function)}"` : ""
      }>${n.function ? `<a href="#fn-${esc(n.function)}">${inner}</a>` : inner}</g>`,
    );
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="sparta-diagram" role="img" aria-label="${esc(title)}" width="${Math.ceil(width)}" height="${Math.ceil(height)}" style="max-width:100%;height:auto" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" font-family="system-ui, sans-serif">`,
    `<title>${esc(title)}</title>`,
    '<defs><marker id="sparta-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6e7781"/></marker></defs>',
    ...parts,
    "</svg>",
  ].join("\n");
}

/** The legend under the picture: each kind's colour and what it means. */
export function diagramLegend(): string {
  const items: [NodeKind, string][] = [
    ["route", "HTTP API and its routes"],
    ["trigger", "other triggers"],
    ["function", "functions"],
    ["resource", "what a function may touch (its role)"],
    ["alarm", "alarms"],
    ["stage", "pipeline stages"],
  ];
  return items
    .map(
      ([kind, text]) =>
        `<span class="legend"><span class="swatch" style="background:${STYLE[kind].fill};border-color:${STYLE[kind].stroke}"></span>${esc(text)}</span>`,
    )
    .join(" ");
}
