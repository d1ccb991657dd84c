/** Base class of every error `@sparta/operations` throws; `code` is stable across releases. */
export class OperationsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option passed to a decorator is out of range or of the wrong kind. */
export class InvalidOptionError extends OperationsError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("OPERATIONS_INVALID_OPTION", message, options);
  }
}

/**
 * An option names a function (by logical id) that is not one of the service's: the template does not contain it,
 * or it is the function behind a custom resource (`customResource`), which the decorators leave alone.
 */
export class UnknownFunctionError extends OperationsError {
  readonly functionId: string;
  constructor(
    functionId: string,
    known: readonly string[],
    where: string,
    options: { customResource?: string } = {},
  ) {
    super(
      "OPERATIONS_UNKNOWN_FUNCTION",
      (options.customResource === undefined
        ? `${where} names the function "${functionId}", but the template has no AWS::Lambda::Function with that logical id.\n`
        : `${where} names the function "${functionId}", which is the ServiceToken of the custom resource ` +
          `${options.customResource}: CloudFormation plumbing, not a function of the service, so it gets no alias, ` +
          `alarms or dashboard widgets. Remove it from the options.\n`) +
        `Functions in the template: ${known.length === 0 ? "(none)" : known.join(", ")}.\n` +
        `Use one of those logical ids, e.g. { functions: { ${known[0] ?? "HelloFunction"}: { ... } } }.`,
    );
    this.functionId = functionId;
  }
}

/** An option names an API (by logical id) that is not an HTTP API or REST API of the template. */
export class UnknownApiError extends OperationsError {
  readonly apiId: string;
  constructor(apiId: string, known: readonly string[], where: string) {
    super(
      "OPERATIONS_UNKNOWN_API",
      `${where} names the API "${apiId}", but the template has no HTTP API (AWS::ApiGatewayV2::Api with ProtocolType HTTP) ` +
        `or REST API (AWS::ApiGateway::RestApi) with that logical id.\n` +
        `APIs in the template: ${known.length === 0 ? "(none)" : known.join(", ")}.\n` +
        `Use one of those logical ids, e.g. { apis: { ${known[0] ?? "HttpApi"}: { api5xx: { thresholdPercent: 2 } } } }.`,
    );
    this.apiId = apiId;
  }
}

/** A resource this package would add already exists in the template and was not added by it. */
export class LogicalIdConflictError extends OperationsError {
  readonly logicalId: string;
  constructor(logicalId: string, existingType: string, wantedType: string) {
    super(
      "OPERATIONS_LOGICAL_ID_CONFLICT",
      `Cannot add the ${wantedType} "${logicalId}": the template already has a resource of type ${existingType} with that logical id ` +
        `that @sparta/operations did not create. Rename your resource.`,
    );
    this.logicalId = logicalId;
  }
}

/** The template does not have what a decorator needs (e.g. a health route with no HTTP API or no function). */
export class TemplateShapeError extends OperationsError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("OPERATIONS_TEMPLATE_SHAPE", message, options);
  }
}
