import type { DefinitionProblem } from "./errors.js";
import { pascalId } from "./lambda-resources.js";
import type { HttpApiAuthorizer, HttpApiEvent, HttpApiSettings, TemplateDocument } from "./service.js";
import { isObject } from "./values.js";

/**
 * Authorizers of the service's HTTP API (`httpApi.authorizers`, `defaultAuthorizer`, a route's `authorizer`): their
 * checks, their `AWS::ApiGatewayV2::Authorizer` resources with the permission API Gateway needs to call a Lambda
 * authorizer, and the authorization properties of each route.
 */

type Resource = TemplateDocument["Resources"][string];

/** What a route may name besides an authorizer of the service. */
export const BUILTIN_AUTHORIZATION = ["AWS_IAM", "NONE"] as const;
/** Where HTTP API reads identity sources (the API Gateway v2 `IdentitySource` syntax). */
const IDENTITY_SOURCE =
  /^\$(request\.(header|querystring)\.[A-Za-z0-9!#$%&'*+.^_`|~-]+|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)$/;
const JWT_IDENTITY_SOURCE = /^\$request\.(header|querystring)\.[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const AUTHORIZER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;
const LAMBDA_KEYS = ["type", "function", "identitySource", "payloadFormat", "simpleResponses", "resultTtl"];
const JWT_KEYS = ["type", "issuer", "audience", "identitySource"];
const SETTINGS_KEYS = ["authorizers", "defaultAuthorizer"];
export const DEFAULT_IDENTITY_SOURCE = ["$request.header.Authorization"];

const show = (v: unknown): string => {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** Logical id of an authorizer's `AWS::ApiGatewayV2::Authorizer`: `users` -> `HttpApiAuthorizerUsers`. */
export const authorizerLogicalId = (name: string): string => `HttpApiAuthorizer${pascalId(name)}`;

/**
 * Problems of `service.httpApi` and of the routes' `authorizer` and `scopes`, each naming the setting. Reads an
 * unchecked definition (the validator's input), so every field is checked for its type first.
 */
export function httpApiProblems(service: Record<string, unknown>): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const settings = service.httpApi;
  const functions = Array.isArray(service.functions) ? service.functions.filter(isObject) : [];
  const functionNames = functions.map((f) => f.name).filter((n): n is string => typeof n === "string");
  const routes = functions.flatMap((fn) =>
    (Array.isArray(fn.events) ? fn.events : []).flatMap((e, j) =>
      isObject(e) && e.type === "httpApi" ? [{ at: `functions[${String(fn.name)}].events[${j}]`, e }] : [],
    ),
  );
  const types = new Map<string, "lambda" | "jwt">();
  if (settings !== undefined) {
    if (!isObject(settings)) {
      add("service.httpApi", `must be { authorizers?, defaultAuthorizer? }, received ${show(settings)}`);
      return problems;
    }
    for (const key of Object.keys(settings))
      if (!SETTINGS_KEYS.includes(key))
        add(`service.httpApi.${key}`, `unknown field; known fields: ${SETTINGS_KEYS.join(", ")}`);
    const authorizers = settings.authorizers;
    if (authorizers !== undefined && !isObject(authorizers))
      add(
        "service.httpApi.authorizers",
        `must be an object of authorizers by name, e.g. { users: { type: "lambda", function: "auth" } }, received ${show(authorizers)}`,
      );
    const ids = new Map<string, string>();
    for (const [name, a] of Object.entries(isObject(authorizers) ? authorizers : {})) {
      const at = `service.httpApi.authorizers.${name}`;
      if (!AUTHORIZER_NAME.test(name) || (BUILTIN_AUTHORIZATION as readonly string[]).includes(name))
        add(
          at,
          `authorizer names are a letter, then letters, digits, "-" or "_" (at most 128), and not AWS_IAM or NONE`,
        );
      else {
        const id = authorizerLogicalId(name);
        const other = ids.get(id);
        if (other !== undefined)
          add(at, `"${name}" and "${other}" both become the logical id ${id}; rename one`);
        ids.set(id, name);
      }
      if (!isObject(a) || (a.type !== "lambda" && a.type !== "jwt")) {
        add(
          at,
          `must be { type: "lambda", function: "<a function of the service>" } or { type: "jwt", issuer: "https://...", audience: ["..."] }, received ${show(a)}`,
        );
        continue;
      }
      types.set(name, a.type);
      const known = a.type === "lambda" ? LAMBDA_KEYS : JWT_KEYS;
      for (const key of Object.keys(a))
        if (!known.includes(key))
          add(`${at}.${key}`, `unknown field of a ${a.type} authorizer; known fields: ${known.join(", ")}`);
      const sources = a.identitySource;
      if (
        sources !== undefined &&
        (!Array.isArray(sources) ||
          sources.length === 0 ||
          sources.some((s) => typeof s !== "string" || !IDENTITY_SOURCE.test(s)))
      )
        add(
          `${at}.identitySource`,
          `must be a non-empty list of "$request.header.NAME", "$request.querystring.NAME", "$context.VARIABLE" or "$stageVariables.NAME", received ${show(sources)}`,
        );
      if (a.type === "lambda") {
        if (typeof a.function !== "string" || !functionNames.includes(a.function))
          add(
            `${at}.function`,
            `${a.function === undefined ? "missing" : `no function ${show(a.function)} in the service`}: the name of the service function that decides (written with authorizer() of @sparta/handler/authorizer); functions: ${functionNames.join(", ") || "none"}`,
          );
        if (a.payloadFormat !== undefined && a.payloadFormat !== "1.0" && a.payloadFormat !== "2.0")
          add(`${at}.payloadFormat`, `must be "2.0" or "1.0", received ${show(a.payloadFormat)}`);
        if (a.simpleResponses !== undefined && typeof a.simpleResponses !== "boolean")
          add(`${at}.simpleResponses`, `must be true or false, received ${show(a.simpleResponses)}`);
        else if (a.simpleResponses === true && a.payloadFormat === "1.0")
          add(
            `${at}.simpleResponses`,
            'simple responses ({ isAuthorized }) need payloadFormat "2.0"; a 1.0 authorizer answers an IAM policy',
          );
        const ttl = a.resultTtl;
        if (ttl !== undefined && (!Number.isInteger(ttl) || (ttl as number) < 0 || (ttl as number) > 3600))
          add(
            `${at}.resultTtl`,
            `must be an integer number of seconds from 0 to 3600, received ${show(ttl)}`,
          );
      } else {
        if (typeof a.issuer !== "string" || !/^https:\/\/[^\s/]+/.test(a.issuer))
          add(
            `${at}.issuer`,
            `${a.issuer === undefined ? "missing" : `invalid (${show(a.issuer)})`}: the token issuer's https:// URL, e.g. "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE"`,
          );
        if (
          !Array.isArray(a.audience) ||
          a.audience.length === 0 ||
          a.audience.some((x) => typeof x !== "string" || x.length === 0)
        )
          add(
            `${at}.audience`,
            `${a.audience === undefined ? "missing" : `invalid (${show(a.audience)})`}: a non-empty list of accepted "aud" values (a Cognito app client id), e.g. ["1example23456789"]`,
          );
        if (Array.isArray(sources) && (sources.length !== 1 || !JWT_IDENTITY_SOURCE.test(String(sources[0]))))
          add(
            `${at}.identitySource`,
            `a JWT authorizer reads one "$request.header.NAME" or "$request.querystring.NAME", received ${show(sources)}`,
          );
      }
    }
    const fallback = settings.defaultAuthorizer;
    if (
      fallback !== undefined &&
      !(typeof fallback === "string" && (types.has(fallback) || fallback === "AWS_IAM"))
    )
      add(
        "service.httpApi.defaultAuthorizer",
        `${show(fallback)} is no authorizer of service.httpApi.authorizers; give one of ${[...types.keys(), "AWS_IAM"].map((n) => `"${n}"`).join(", ")}`,
      );
    if (routes.length === 0 && (types.size > 0 || fallback !== undefined))
      add(
        "service.httpApi",
        'the service has no httpApi route for its authorizers to protect; give a function an event { type: "httpApi", method, path }',
      );
  }
  const fallback = isObject(settings) ? settings.defaultAuthorizer : undefined;
  for (const { at, e } of routes) {
    const name = e.authorizer;
    if (
      name !== undefined &&
      !(
        typeof name === "string" &&
        (types.has(name) || (BUILTIN_AUTHORIZATION as readonly string[]).includes(name))
      )
    )
      add(
        `${at}.authorizer`,
        `${show(name)} is no authorizer of service.httpApi.authorizers; give one of ${[...types.keys(), ...BUILTIN_AUTHORIZATION].map((n) => `"${n}"`).join(", ")}`,
      );
    if (e.scopes !== undefined) {
      const effective = (name ?? fallback) as string | undefined;
      if (
        !Array.isArray(e.scopes) ||
        e.scopes.length === 0 ||
        e.scopes.some((s) => typeof s !== "string" || !s)
      )
        add(
          `${at}.scopes`,
          `must be a non-empty list of OAuth scopes, e.g. ["orders:read"], received ${show(e.scopes)}`,
        );
      else if (
        effective === undefined ||
        (types.get(effective) !== "jwt" &&
          (types.has(effective) || (BUILTIN_AUTHORIZATION as readonly string[]).includes(effective)))
      )
        add(
          `${at}.scopes`,
          `scopes are checked by a JWT authorizer only, and this route's authorizer is ${effective === undefined ? "none" : `"${effective}"`}; give it a { type: "jwt" } authorizer or drop scopes`,
        );
    }
  }
  return problems;
}

/** The authorizer a route uses (its own, else the API's default), or `undefined` when it is public. */
export function routeAuthorizer(settings: HttpApiSettings | undefined, e: HttpApiEvent): string | undefined {
  const name = e.authorizer ?? settings?.defaultAuthorizer;
  return name === "NONE" ? undefined : name;
}

/** The `AWS::ApiGatewayV2::Route` properties that protect a route (none for a public route). */
export function routeAuthorization(
  settings: HttpApiSettings | undefined,
  e: HttpApiEvent,
): Record<string, unknown> {
  const name = routeAuthorizer(settings, e);
  if (name === undefined) return {};
  if (name === "AWS_IAM") return { AuthorizationType: "AWS_IAM" };
  const a = settings?.authorizers?.[name] as HttpApiAuthorizer;
  return {
    AuthorizationType: a.type === "jwt" ? "JWT" : "CUSTOM",
    AuthorizerId: { Ref: authorizerLogicalId(name) },
    ...(a.type === "jwt" && e.scopes ? { AuthorizationScopes: e.scopes } : {}),
  };
}

/**
 * The `AWS::ApiGatewayV2::Authorizer` of each authorizer of `settings`, on the API `apiId`; a Lambda authorizer's
 * function may be invoked by API Gateway for that authorizer only (the permission's SourceArn is the authorizer's
 * ARN, `<api>/authorizers/<id>`, as AWS documents for HTTP API Lambda authorizers).
 */
export function authorizerResources(
  settings: HttpApiSettings | undefined,
  apiId: string,
  functionId: (fn: string) => string,
): Record<string, Resource> {
  const resources: Record<string, Resource> = {};
  for (const [name, a] of Object.entries(settings?.authorizers ?? {})) {
    const id = authorizerLogicalId(name);
    if (a.type === "jwt") {
      resources[id] = {
        Type: "AWS::ApiGatewayV2::Authorizer",
        Properties: {
          ApiId: { Ref: apiId },
          Name: name,
          AuthorizerType: "JWT",
          IdentitySource: a.identitySource ?? DEFAULT_IDENTITY_SOURCE,
          JwtConfiguration: { Issuer: a.issuer, Audience: a.audience },
        },
      };
      continue;
    }
    const payload = a.payloadFormat ?? "2.0";
    resources[id] = {
      Type: "AWS::ApiGatewayV2::Authorizer",
      Properties: {
        ApiId: { Ref: apiId },
        Name: name,
        AuthorizerType: "REQUEST",
        // A Fn::Sub naming `${<Function>.Arn}`, which safeDeploy() of @sparta/operations points at the alias.
        AuthorizerUri: {
          "Fn::Sub": `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${functionId(a.function)}.Arn}/invocations`,
        },
        AuthorizerPayloadFormatVersion: payload,
        ...(payload === "2.0" ? { EnableSimpleResponses: a.simpleResponses ?? true } : {}),
        IdentitySource: a.identitySource ?? DEFAULT_IDENTITY_SOURCE,
        AuthorizerResultTtlInSeconds: a.resultTtl ?? 0,
      },
    };
    resources[`${id}Permission`] = {
      Type: "AWS::Lambda::Permission",
      Properties: {
        Action: "lambda:InvokeFunction",
        FunctionName: { "Fn::GetAtt": [functionId(a.function), "Arn"] },
        Principal: "apigateway.amazonaws.com",
        SourceArn: {
          "Fn::Sub": `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${apiId}}/authorizers/\${${id}}`,
        },
      },
    };
  }
  return resources;
}
