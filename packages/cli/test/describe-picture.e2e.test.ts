import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineStagesOf, serviceGraph } from "../src/diagram.js";
import { loadService } from "../src/load.js";
import { copyExample, removeCopies, runInProcess } from "./example.js";

// `sparta describe` draws the service. The report is opened in a real headless Chromium (Debian's): it loads without a
// console error or a network request, and its picture shows every function; a screenshot of each is kept in
// .ci/out/ (the path is printed). Without Chromium this fails, saying how to install it: it is never skipped.

const repoOut = fileURLToPath(new URL("../../../.ci/out/", import.meta.url));
const codepipelineDir = fileURLToPath(new URL("../../../examples/codepipeline/", import.meta.url));

/** Debian's Chromium (CI's .ci/run installs it), or CHROMIUM_PATH. */
function chromiumPath(): string {
  const found = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
    (p) => p && existsSync(p),
  );
  if (!found)
    throw new Error(
      "Chromium is not installed, and this test needs a real browser: apt-get install -y chromium (Debian; .ci/run installs it), or set CHROMIUM_PATH",
    );
  return found;
}

/** Open a report: what the console said at error level, uncaught errors, requests leaving the file, the picture. */
async function open(browser: Browser, file: string, screenshot: string) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  page.on("request", (r) => {
    if (!/^(file|data|about):/.test(r.url())) requests.push(r.url());
  });
  await page.goto(`file://${file}`, { waitUntil: "load" });
  const functions = await page.$$eval("svg.sparta-diagram g.node.function", (nodes) =>
    nodes.map((n) => {
      const box = (n as SVGGraphicsElement).getBBox();
      return {
        name: n.getAttribute("data-function"),
        text: n.textContent,
        link: n.querySelector("a")?.getAttribute("href"),
        visible: box.width > 0 && box.height > 0,
      };
    }),
  );
  const kinds = await page.$$eval("svg.sparta-diagram g.node", (nodes) =>
    nodes.map((n) => n.getAttribute("data-kind")),
  );
  await page.locator("#picture").screenshot({ path: screenshot });
  await page.close();
  return { errors, requests, functions, kinds };
}

describe("sparta describe draws the service, as a browser shows it", () => {
  let browser: Browser;
  let out: string;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    out = mkdtempSync(join(tmpdir(), "sparta-describe-"));
    mkdirSync(repoOut, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    removeCopies();
  });

  it("catches a console error when there is one (the check below can fail)", async () => {
    const page = await browser.newPage();
    const seen: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") seen.push(m.text());
    });
    await page.setContent("<script>console.error('broken')</script>");
    await page.close();
    expect(seen).toEqual(["broken"]);
  });

  it("examples/hello: routes, S3 and schedule triggers, the functions, what they touch and their alarms", async () => {
    const dir = copyExample();
    const report = join(out, "hello.html");
    const r = await runInProcess(["describe", "--out", report, "--format", "json"], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).picture.nodes).toBeGreaterThan(10);
    const screenshot = join(out, "describe-hello.png");
    const page = await open(browser, report, screenshot);
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.functions).toEqual(
      ["hello", "uploads", "nightly"].map((name) => ({
        name,
        text: expect.stringContaining(name),
        link: `#fn-${name}`,
        visible: true,
      })),
    );
    expect(new Set(page.kinds)).toEqual(
      new Set(["api", "route", "trigger", "function", "resource", "alarm"]),
    );
    copyFileSync(screenshot, join(repoOut, "describe-hello.png"));
    console.log(`describe screenshots: ${screenshot} (and ${join(repoOut, "describe-hello.png")})`);
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe("PNG");
  }, 180_000);

  it("examples/codepipeline: the pipeline's stages too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sparta-describe-cp-"));
    for (const f of ["package.json", "sparta.config.ts", "src"])
      cpSync(join(codepipelineDir, f), join(dir, f), { recursive: true });
    symlinkSync(join(codepipelineDir, "node_modules"), join(dir, "node_modules"), "dir");
    const report = join(out, "codepipeline.html");
    const r = await runInProcess(["describe", "--out", report], dir);
    expect(r.code, r.stderr).toBe(0);
    const screenshot = join(out, "describe-codepipeline.png");
    const page = await open(browser, report, screenshot);
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.functions.map((f) => [f.name, f.visible])).toEqual([["hello", true]]);
    expect(page.kinds.filter((k) => k === "stage")).toHaveLength(4); // Source, Build, test, production
    copyFileSync(screenshot, join(repoOut, "describe-codepipeline.png"));
    console.log(`describe screenshot: ${screenshot}`);
  }, 180_000);
});

describe("the graph behind the picture", () => {
  it("reads the HTTP API's routes (decorators' too), triggers, statements and alarms from the template", async () => {
    const dir = copyExample();
    const { service } = await loadService(join(dir, "sparta.config.ts"));
    const r = await runInProcess(["provision", "--noop"], dir);
    expect(r.code, r.stderr).toBe(0);
    const template = JSON.parse(readFileSync(join(dir, ".sparta", "cloudformation.json"), "utf8"));
    const graph = await serviceGraph(service, template);
    const ids = graph.nodes.map((n) => n.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "fn:hello",
        "fn:uploads",
        "fn:nightly",
        "res:HttpApi",
        "route:GET /health",
        "route:GET /hello",
        "route:POST /hello",
        "res:HelloUploadsBucket",
        "res:HelloLogGroup",
        "alarm:HelloFunctionErrorRateAlarm",
        "alarm:SpartaRollbackAlarm",
      ]),
    );
    const edge = (from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to);
    expect(edge("route:GET /health", "fn:hello")).toBeDefined();
    expect(edge("res:HelloUploadsBucket", "fn:uploads")?.label).toBe("prefix incoming/");
    expect(edge("fn:uploads", "arn:s3:hello-uploads-<accountid>-<stackidsuffix>/incoming/*")?.label).toBe(
      "s3:GetObject",
    );
    expect(edge("fn:hello", "res:HelloLogGroup")?.label).toBe("logs:CreateLogStream, PutLogEvents");
    expect(edge("fn:hello", "alarm:HelloFunctionErrorRateAlarm")?.dashed).toBe(true);
    expect(edge("alarm:HelloFunctionErrorRateAlarm", "alarm:SpartaRollbackAlarm")).toBeDefined();
    expect(edge("res:HttpApi", "alarm:HttpApi5xxAlarm")).toBeDefined();
  });

  it("reads a pipeline's stages from the pipeline template", () => {
    expect(
      pipelineStagesOf({
        Resources: {
          Pipeline: {
            Type: "AWS::CodePipeline::Pipeline",
            Properties: {
              Stages: [
                { Name: "Source", Actions: [{ Name: "Source" }] },
                { Name: "Test", Actions: [{ Name: "CreateChangeSet" }, { Name: "ExecuteChangeSet" }] },
              ],
            },
          },
        },
      }),
    ).toEqual({
      stages: [
        { name: "Source", actions: ["Source"] },
        { name: "Test", actions: ["CreateChangeSet", "ExecuteChangeSet"] },
      ],
    });
    expect(pipelineStagesOf({ Resources: {} })).toBeUndefined();
  });
});
