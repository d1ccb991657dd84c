/** `{ "Ref": "LogicalIdOrParameterOrPseudo" }` */
export interface RefIntrinsic {
  Ref: string;
}
/** `{ "Fn::GetAtt": ["LogicalId", "Attribute"] }` */
export interface GetAttIntrinsic {
  "Fn::GetAtt": [string, string] | string;
}
/** `{ "Fn::Sub": "text ${Name}" }` or `{ "Fn::Sub": ["text ${Var}", { Var: value }] }` */
export interface SubIntrinsic {
  "Fn::Sub": string | [string, { [name: string]: unknown }];
}
/** `{ "Fn::Join": [delimiter, [values]] }` */
export interface JoinIntrinsic {
  "Fn::Join": [string, unknown];
}
/** `{ "Fn::Select": [index, list] }` */
export interface SelectIntrinsic {
  "Fn::Select": [unknown, unknown];
}
/** `{ "Fn::Split": [delimiter, source] }` */
export interface SplitIntrinsic {
  "Fn::Split": [string, unknown];
}
/** `{ "Fn::If": [condition, whenTrue, whenFalse] }` */
export interface IfIntrinsic {
  "Fn::If": [string, unknown, unknown];
}
/** `{ "Fn::Equals": [a, b] }` */
export interface EqualsIntrinsic {
  "Fn::Equals": [unknown, unknown];
}
/** `{ "Fn::And": [conditions] }` */
export interface AndIntrinsic {
  "Fn::And": unknown[];
}
/** `{ "Fn::Or": [conditions] }` */
export interface OrIntrinsic {
  "Fn::Or": unknown[];
}
/** `{ "Fn::Not": [condition] }` */
export interface NotIntrinsic {
  "Fn::Not": [unknown];
}
/** `{ "Fn::FindInMap": [map, topKey, secondKey] }` */
export interface FindInMapIntrinsic {
  "Fn::FindInMap": [unknown, unknown, unknown];
}
/** `{ "Fn::GetAZs": region }` */
export interface GetAZsIntrinsic {
  "Fn::GetAZs": unknown;
}
/** `{ "Fn::ImportValue": exportName }` */
export interface ImportValueIntrinsic {
  "Fn::ImportValue": unknown;
}
/** `{ "Fn::Base64": value }` */
export interface Base64Intrinsic {
  "Fn::Base64": unknown;
}
/** `{ "Fn::Cidr": [ipBlock, count, cidrBits] }` */
export interface CidrIntrinsic {
  "Fn::Cidr": [unknown, unknown, unknown];
}
/** `{ "Fn::ToJsonString": value }` (needs the `AWS::LanguageExtensions` transform) */
export interface ToJsonStringIntrinsic {
  "Fn::ToJsonString": unknown;
}
/** `{ "Condition": "ConditionName" }`, used inside condition functions. */
export interface ConditionIntrinsic {
  Condition: string;
}

/** Any CloudFormation intrinsic function: a value resolved by CloudFormation at deploy time. */
export type Intrinsic =
  | RefIntrinsic
  | GetAttIntrinsic
  | SubIntrinsic
  | JoinIntrinsic
  | SelectIntrinsic
  | SplitIntrinsic
  | IfIntrinsic
  | EqualsIntrinsic
  | AndIntrinsic
  | OrIntrinsic
  | NotIntrinsic
  | FindInMapIntrinsic
  | GetAZsIntrinsic
  | ImportValueIntrinsic
  | Base64Intrinsic
  | CidrIntrinsic
  | ToJsonStringIntrinsic;

/** A condition expression: a condition function or a reference to a named condition. */
export type ConditionExpression =
  | EqualsIntrinsic
  | AndIntrinsic
  | OrIntrinsic
  | NotIntrinsic
  | ConditionIntrinsic;
