import type { ResourceBodies } from "./generated/resource-bodies.js";
import type { ResourceTypes } from "./generated/resource-types.js";

/** A resource in a template, as plain JSON. */
export interface CfnResource {
  Type: string;
  Properties?: { [name: string]: unknown };
  DependsOn?: string | string[];
  Condition?: string;
  Metadata?: { [key: string]: unknown };
  DeletionPolicy?: "Delete" | "Retain" | "RetainExceptOnCreate" | "Snapshot";
  UpdateReplacePolicy?: "Delete" | "Retain" | "Snapshot";
  CreationPolicy?: { [key: string]: unknown };
  UpdatePolicy?: { [key: string]: unknown };
}

/** A template parameter. */
export interface CfnParameter {
  Type: string;
  Default?: unknown;
  Description?: string;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  ConstraintDescription?: string;
  MinLength?: number;
  MaxLength?: number;
  MinValue?: number;
  MaxValue?: number;
  NoEcho?: boolean;
}

/** A template output. */
export interface CfnOutput {
  Value: unknown;
  Description?: string;
  Condition?: string;
  Export?: { Name: unknown };
}

/** A CloudFormation template, as plain JSON. */
export interface CfnTemplate {
  AWSTemplateFormatVersion?: "2010-09-09";
  Description?: string;
  Metadata?: { [key: string]: unknown };
  Transform?: string | string[];
  Parameters?: { [logicalId: string]: CfnParameter };
  Mappings?: { [name: string]: { [topLevelKey: string]: { [secondLevelKey: string]: unknown } } };
  Conditions?: { [name: string]: unknown };
  Resources: { [logicalId: string]: CfnResource };
  Outputs?: { [logicalId: string]: CfnOutput };
}

/** Every resource type name in the CloudFormation resource specification. */
export type ResourceTypeName = keyof ResourceTypes;

type Attributes = Omit<CfnResource, "Type" | "Properties">;

/**
 * A resource whose `Properties` are typed by its `Type`; any other type (`Custom::*`, module types,
 * types newer than the bundled spec) takes free-form properties and is checked by `validateTemplate`.
 *
 * One property look-up, no conditional type: while `addResource` infers `T`, TypeScript types the literal against
 * `ResourceBodies[string]` (the free-form member), never against a union of all 1,828 resource types.
 */
export type TypedResource<T extends string> = Attributes & { Type: T } & ResourceBodies[T];
