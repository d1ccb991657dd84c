import type {
  AndIntrinsic,
  Base64Intrinsic,
  CidrIntrinsic,
  ConditionExpression,
  EqualsIntrinsic,
  FindInMapIntrinsic,
  GetAttIntrinsic,
  GetAZsIntrinsic,
  IfIntrinsic,
  ImportValueIntrinsic,
  JoinIntrinsic,
  NotIntrinsic,
  OrIntrinsic,
  RefIntrinsic,
  SelectIntrinsic,
  SplitIntrinsic,
  SubIntrinsic,
  ToJsonStringIntrinsic,
} from "./intrinsic-types.js";

/**
 * `{ "Ref": logicalId }`: a resource's primary value, a parameter's value or a pseudo parameter.
 * @example Ref("MyBucket") // { Ref: "MyBucket" }
 */
export function Ref(logicalId: string): RefIntrinsic {
  return { Ref: logicalId };
}

/**
 * `{ "Fn::GetAtt": [logicalId, attribute] }`.
 * @example GetAtt("MyFn", "Arn") // { "Fn::GetAtt": ["MyFn", "Arn"] }
 */
export function GetAtt(logicalId: string, attribute: string): GetAttIntrinsic {
  return { "Fn::GetAtt": [logicalId, attribute] };
}

/**
 * `{ "Fn::Sub": text }`, or with variables `{ "Fn::Sub": [text, variables] }`.
 * @example Sub("arn:${AWS::Partition}:s3:::${Bucket}/*")
 */
export function Sub(text: string, variables?: { [name: string]: unknown }): SubIntrinsic {
  return variables === undefined ? { "Fn::Sub": text } : { "Fn::Sub": [text, variables] };
}

/** `{ "Fn::Join": [delimiter, values] }`. */
export function Join(delimiter: string, values: unknown[] | unknown): JoinIntrinsic {
  return { "Fn::Join": [delimiter, values] };
}

/** `{ "Fn::Select": [index, list] }`. */
export function Select(index: number | unknown, list: unknown): SelectIntrinsic {
  return { "Fn::Select": [index, list] };
}

/** `{ "Fn::Split": [delimiter, source] }`. */
export function Split(delimiter: string, source: unknown): SplitIntrinsic {
  return { "Fn::Split": [delimiter, source] };
}

/**
 * `{ "Fn::If": [conditionName, whenTrue, whenFalse] }`; use `Pseudo.NoValue` to omit a property.
 * @example If("IsProd", 1024, Pseudo.NoValue)
 */
export function If(conditionName: string, whenTrue: unknown, whenFalse: unknown): IfIntrinsic {
  return { "Fn::If": [conditionName, whenTrue, whenFalse] };
}

/** `{ "Fn::Equals": [a, b] }`. */
export function Equals(a: unknown, b: unknown): EqualsIntrinsic {
  return { "Fn::Equals": [a, b] };
}

/** `{ "Fn::And": [conditions] }` (2 to 10 conditions). */
export function And(...conditions: ConditionExpression[]): AndIntrinsic {
  return { "Fn::And": conditions };
}

/** `{ "Fn::Or": [conditions] }` (2 to 10 conditions). */
export function Or(...conditions: ConditionExpression[]): OrIntrinsic {
  return { "Fn::Or": conditions };
}

/** `{ "Fn::Not": [condition] }`. */
export function Not(condition: ConditionExpression): NotIntrinsic {
  return { "Fn::Not": [condition] };
}

/** `{ "Fn::FindInMap": [mapName, topLevelKey, secondLevelKey] }`. */
export function FindInMap(
  mapName: unknown,
  topLevelKey: unknown,
  secondLevelKey: unknown,
): FindInMapIntrinsic {
  return { "Fn::FindInMap": [mapName, topLevelKey, secondLevelKey] };
}

/** `{ "Fn::GetAZs": region }`; the empty string means the stack's region. */
export function GetAZs(region: unknown = ""): GetAZsIntrinsic {
  return { "Fn::GetAZs": region };
}

/** `{ "Fn::ImportValue": exportName }`. */
export function ImportValue(exportName: unknown): ImportValueIntrinsic {
  return { "Fn::ImportValue": exportName };
}

/** `{ "Fn::Base64": value }`. */
export function Base64(value: unknown): Base64Intrinsic {
  return { "Fn::Base64": value };
}

/** `{ "Fn::Cidr": [ipBlock, count, cidrBits] }`. */
export function Cidr(ipBlock: unknown, count: unknown, cidrBits: unknown): CidrIntrinsic {
  return { "Fn::Cidr": [ipBlock, count, cidrBits] };
}

/** `{ "Fn::ToJsonString": value }`; the template needs the `AWS::LanguageExtensions` transform. */
export function ToJsonString(value: unknown): ToJsonStringIntrinsic {
  return { "Fn::ToJsonString": value };
}

const pseudo = (name: string): RefIntrinsic => Object.freeze({ Ref: `AWS::${name}` }) as RefIntrinsic;

/**
 * The pseudo parameters, as ready-made `Ref`s.
 * @example Pseudo.Region // { Ref: "AWS::Region" }
 */
export const Pseudo = Object.freeze({
  AccountId: pseudo("AccountId"),
  NotificationARNs: pseudo("NotificationARNs"),
  NoValue: pseudo("NoValue"),
  Partition: pseudo("Partition"),
  Region: pseudo("Region"),
  StackId: pseudo("StackId"),
  StackName: pseudo("StackName"),
  URLSuffix: pseudo("URLSuffix"),
});

/** The names `Ref` accepts without a declaration, e.g. `AWS::Region`. */
export const PSEUDO_PARAMETERS: readonly string[] = Object.freeze(Object.values(Pseudo).map((r) => r.Ref));
