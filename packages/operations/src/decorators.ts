import { type AlarmsOptions, addAlarms } from "./alarms.js";
import type { OperationsReporter, TemplateJson } from "./cfn.js";
import { addDashboard, type DashboardOptions } from "./dashboard.js";
import { addHealthRoute, type HealthRouteOptions } from "./health.js";
import { addSafeDeploy, type SafeDeployOptions } from "./safe-deploy.js";

/**
 * What the CLI hands a service decorator: the generated template (mutated in place) and, when it has one, a
 * reporter for warnings. Fits `@sparta/cli`'s `ServiceDecoratorContext`.
 */
export interface DecoratorContext {
  template: TemplateJson;
  reporter?: OperationsReporter;
}

/** A service decorator: `decorators: [dashboard(), alarms(), safeDeploy({ shift: "Canary10Percent5Minutes" })]`. */
export type OperationsDecorator = (ctx: DecoratorContext) => undefined;

function decorator<O extends { reporter?: OperationsReporter }>(
  apply: (template: TemplateJson, options: O) => unknown,
  options: O,
): OperationsDecorator {
  return (ctx) => {
    apply(
      ctx.template,
      options.reporter === undefined && ctx.reporter ? { ...options, reporter: ctx.reporter } : options,
    );
    return undefined;
  };
}

/**
 * A CloudWatch dashboard named after the stack, its URL in the output `SpartaDashboardUrl`.
 * @example defineService({ name: "hello", functions, decorators: [dashboard()] })
 */
export function dashboard(options: DashboardOptions = {}): OperationsDecorator {
  return decorator(addDashboard, options);
}

/**
 * Error-rate, throttle and p99-duration alarms per function, plus the composite rollback alarm.
 * @example alarms({ errorRate: { thresholdPercent: 1 }, functions: { Worker: { duration: false } } })
 */
export function alarms(options: AlarmsOptions = {}): OperationsDecorator {
  return decorator(addAlarms, options);
}

/**
 * Published versions and a `live` alias per function; with `shift`, CodeDeploy traffic shifting that rolls back
 * on the function's alarms.
 * @example safeDeploy({ shift: "Canary10Percent5Minutes" })
 */
export function safeDeploy(options: SafeDeployOptions = {}): OperationsDecorator {
  return decorator(addSafeDeploy, options);
}

/**
 * A `GET /health` route on the HTTP API, answered by the function's `healthCheck()` middleware.
 * @example healthRoute() // or healthRoute({ path: "/ping", function: "ApiFunction" })
 */
export function healthRoute(options: HealthRouteOptions = {}): OperationsDecorator {
  return decorator(addHealthRoute, options);
}

/** Every feature, each `true` (defaults), options, or `false`/absent (off). */
export interface OperationsOptions {
  alarms?: boolean | AlarmsOptions;
  dashboard?: boolean | DashboardOptions;
  safeDeploy?: boolean | SafeDeployOptions;
  healthRoute?: boolean | HealthRouteOptions;
  reporter?: OperationsReporter;
}

/**
 * Applies the features turned on, in the order that links them: safe deploys, alarms (the deployment groups then
 * roll back on them), the health route (integrated through the alias), and the dashboard (showing the alarms).
 * @example applyOperations(template, { alarms: true, dashboard: true, safeDeploy: { shift: "Linear10PercentEvery1Minute" } })
 */
export function applyOperations<T extends TemplateJson>(template: T, options: OperationsOptions): T {
  const opts = <O extends object>(
    o: boolean | O | undefined,
  ): (O & { reporter?: OperationsReporter }) | undefined =>
    o === undefined || o === false
      ? undefined
      : ({
          ...(options.reporter === undefined ? {} : { reporter: options.reporter }),
          ...(o === true ? {} : o),
        } as O);
  const sd = opts(options.safeDeploy);
  if (sd !== undefined) addSafeDeploy(template, sd);
  const al = opts(options.alarms);
  if (al !== undefined) addAlarms(template, al);
  const hr = opts(options.healthRoute);
  if (hr !== undefined) addHealthRoute(template, hr);
  const db = opts(options.dashboard);
  if (db !== undefined) addDashboard(template, db);
  return template;
}

/**
 * All chosen features as one decorator.
 * @example decorators: [operations({ alarms: true, dashboard: true, safeDeploy: { shift: "Canary10Percent5Minutes" }, healthRoute: true })]
 */
export function operations(options: OperationsOptions): OperationsDecorator {
  return (ctx) => {
    applyOperations(
      ctx.template,
      options.reporter === undefined && ctx.reporter ? { ...options, reporter: ctx.reporter } : options,
    );
    return undefined;
  };
}
