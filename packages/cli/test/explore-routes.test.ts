import { healthRoute, safeDeploy } from "@sparta/operations";
import { describe, expect, it } from "vitest";
import { routesOf } from "../src/explore.js";
import type { ServiceDefinition } from "../src/service.js";

// The routes `sparta explore` serves come from the template the service marshals to, so routes decorators add
// (healthRoute) are served, and an integration re-pointed at the `live` alias (safeDeploy) still finds its function.

const reporter = () => {
  const warnings: string[] = [];
  return {
    warnings,
    info: () => {},
    debug: () => {},
    progress: () => {},
    event: () => {},
    warn: (m: string) => warnings.push(m),
  };
};

const service = (decorators: ServiceDefinition["decorators"]): ServiceDefinition => ({
  name: "routes",
  functions: [
    {
      name: "orders",
      handler: "src/ok.ts#handler",
      events: [
        { type: "httpApi", method: "GET", path: "/orders/{id}" },
        { type: "httpApi", method: "POST", path: "/orders" },
      ],
    },
    {
      name: "files",
      handler: "src/ok.ts#other",
      events: [{ type: "httpApi", method: "ANY", path: "/files/{proxy+}" }],
    },
    {
      name: "nightly",
      handler: "src/ok.ts#other",
      events: [{ type: "schedule", expression: "rate(1 day)" }],
    },
  ],
  ...(decorators ? { decorators } : {}),
});

describe("routesOf (explore)", () => {
  it("serves the template's routes, decorator-added ones included, through an alias too", async () => {
    const r = reporter();
    const routes = await routesOf(
      service([
        safeDeploy({ shift: "Canary10Percent5Minutes" }),
        healthRoute({ function: "OrdersFunction" }),
      ]),
      r as never,
    );
    expect(routes).toEqual([
      { method: "GET", path: "/orders/{id}", function: "orders" },
      { method: "POST", path: "/orders", function: "orders" },
      { method: "ANY", path: "/files/{proxy+}", function: "files" },
      { method: "GET", path: "/health", function: "orders" },
    ]);
    expect(r.warnings).toEqual([]);
  });

  it("falls back to the functions' httpApi events, with a warning, when the template cannot be made", async () => {
    const r = reporter();
    const routes = await routesOf(
      service([
        () => {
          throw new Error("decorator broke");
        },
      ]),
      r as never,
    );
    expect(routes.map((x) => `${x.method} ${x.path} -> ${x.function}`)).toEqual([
      "GET /orders/{id} -> orders",
      "POST /orders -> orders",
      "ANY /files/{proxy+} -> files",
    ]);
    expect(r.warnings[0]).toMatch(/^explore: serving the functions' httpApi routes only \(.*decorator broke/);
  });

  it("gives each route the authorizer that protects it once deployed", async () => {
    const guarded: ServiceDefinition = {
      ...service(undefined),
      httpApi: {
        authorizers: { users: { type: "lambda", function: "nightly" } },
        defaultAuthorizer: "users",
      },
    };
    guarded.functions[1]!.events = [
      { type: "httpApi", method: "ANY", path: "/files/{proxy+}", authorizer: "NONE" },
    ];
    const routes = await routesOf(guarded, reporter() as never);
    expect(routes).toEqual([
      { method: "GET", path: "/orders/{id}", function: "orders", authorizer: "users" },
      { method: "POST", path: "/orders", function: "orders", authorizer: "users" },
      { method: "ANY", path: "/files/{proxy+}", function: "files" },
    ]);
  });
});
