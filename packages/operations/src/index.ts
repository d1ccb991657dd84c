export type {
  AlarmInfo,
  AlarmKind,
  AlarmsOptions,
  AlarmWindow,
  Api5xxAlarmOptions,
  ApiAlarmInfo,
  ApiAlarmOptions,
  DurationAlarmOptions,
  ErrorRateAlarmOptions,
  FunctionAlarmInfo,
  FunctionAlarmKind,
  FunctionAlarmOptions,
  ThrottlesAlarmOptions,
} from "./alarms.js";
export {
  ALARM_OUTPUT_PREFIX,
  addAlarms,
  alarmLogicalId,
  alarmNamesFor,
  alarmOutputKey,
  alarmsIn,
  ROLLBACK_ALARM_ID,
  ROLLBACK_ALARM_OUTPUT,
} from "./alarms.js";
export type { OperationsReporter, TemplateJson } from "./cfn.js";
export type { DashboardOptions } from "./dashboard.js";
export { addDashboard, DASHBOARD_URL_OUTPUT } from "./dashboard.js";
export type { DecoratorContext, OperationsDecorator, OperationsOptions } from "./decorators.js";
export { alarms, applyOperations, dashboard, healthRoute, operations, safeDeploy } from "./decorators.js";
export {
  InvalidOptionError,
  LogicalIdConflictError,
  OperationsError,
  TemplateShapeError,
  UnknownApiError,
  UnknownFunctionError,
} from "./errors.js";
export type { HealthRouteOptions } from "./health.js";
export { addHealthRoute, integrationTargets } from "./health.js";
export {
  BUCKET_PREFIX_MAX,
  bucketNameIn,
  isStackIdSuffix,
  STACK_ID_SUFFIX,
  STACK_ID_SUFFIX_VARIABLE,
  stackBucketArn,
  stackBucketName,
} from "./names.js";
export type { SafeDeployOptions, TrafficShift } from "./safe-deploy.js";
export {
  addSafeDeploy,
  aliasLogicalId,
  CODEDEPLOY_APPLICATION_ID,
  CODEDEPLOY_ROLE_ID,
  codeDeployRoleLogicalId,
  deploymentGroupLogicalId,
  newVersionAlarmLogicalId,
  SHARED_CODEDEPLOY_ROLE_MAX_FUNCTIONS,
  TRAFFIC_SHIFTS,
  versionLogicalId,
} from "./safe-deploy.js";
export type {
  AlarmState,
  AlarmStatus,
  AlarmsClient,
  DescribedAlarm,
  GateResult,
  RollbackTrigger,
  StackOutputs,
} from "./status.js";
export {
  alarmArnsFrom,
  alarmNameFromArn,
  alarmStatuses,
  checkPromotionGate,
  describeAlarmsRequests,
  formatAlarmStatuses,
  MAX_ROLLBACK_TRIGGERS,
  promotionGate,
  readAlarmStatuses,
  rollbackAlarmsFrom,
  rollbackTriggersFrom,
} from "./status.js";
