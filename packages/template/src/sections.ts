/** A template's top-level sections, in the order CloudFormation documents them (and `toJson` writes them). */
export const TEMPLATE_SECTIONS: readonly string[] = [
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Transform",
  "Parameters",
  "Rules",
  "Mappings",
  "Conditions",
  "Resources",
  "Outputs",
];

/** A resource's attributes, in the order `toJson` writes them: Type, Condition, DependsOn, Properties, then policies. */
export const RESOURCE_ATTRIBUTES: readonly string[] = [
  "Type",
  "Condition",
  "DependsOn",
  "Properties",
  "Metadata",
  "CreationPolicy",
  "UpdatePolicy",
  "DeletionPolicy",
  "UpdateReplacePolicy",
];
