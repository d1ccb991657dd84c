"""CodeDeploy applications and deployment groups through CloudFormation, into moto's CodeDeploy backend (plain moto
skips them), as safe deployments (canary / linear traffic shifting of a Lambda alias) declare them.

  * AWS::CodeDeploy::Application: Ref is its name (generated when ApplicationName is absent).
  * AWS::CodeDeploy::DeploymentGroup: Ref is its name; created in the application with its service role,
    deployment configuration, style, alarm and auto-rollback configuration; updated in place.
  * GetDeploymentGroup returns the group's alarm configuration (plain moto returns an empty one); GetDeployment
    and GetApplication give their times as numbers, as AWS does (plain moto's text fails the SDKs).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from moto.codedeploy import models as cdm

from .resources import Resource, as_bool, register

backends = cdm.codedeploy_backends


class Application(Resource):
    TYPE = "AWS::CodeDeploy::Application"
    NAME_PROPERTY = "ApplicationName"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "Application":
        props = cloudformation_json.get("Properties") or {}
        name = props.get("ApplicationName") or resource_name
        backends[account_id][region_name].create_application(
            name, props.get("ComputePlatform", "Server"), props.get("Tags") or []
        )
        return cls(name, {}, account_id, region_name)

    @classmethod
    def update(cls, original: "Application", props: dict[str, Any]) -> "Application":
        app = backends[original.account_id][original.region_name].applications[original.physical_id]
        app.compute_platform = props.get("ComputePlatform", app.compute_platform)
        return cls(original.physical_id, {}, original.account_id, original.region_name)

    def remove(self) -> None:
        backend = backends[self.account_id][self.region_name]
        backend.applications.pop(self.physical_id, None)
        backend.deployment_groups.pop(self.physical_id, None)


def _alarm_configuration(props: dict[str, Any]) -> Any:
    config = props.get("AlarmConfiguration")
    if not config:
        return None
    return cdm.AlarmConfiguration(
        alarms=[{"name": a.get("Name")} for a in config.get("Alarms") or []],
        enabled=as_bool(config.get("Enabled"), False),
        ignore_poll_alarm_failure=as_bool(config.get("IgnorePollAlarmFailure"), False),
    )


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


class DeploymentGroup(Resource):
    TYPE = "AWS::CodeDeploy::DeploymentGroup"
    NAME_PROPERTY = "DeploymentGroupName"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "DeploymentGroup":
        props = cloudformation_json.get("Properties") or {}
        name = props.get("DeploymentGroupName") or resource_name
        app = props["ApplicationName"]
        backends[account_id][region_name].create_deployment_group(
            application_name=app,
            deployment_group_name=name,
            deployment_config_name=props.get("DeploymentConfigName"),
            ec2_tag_filters=_camel(props.get("Ec2TagFilters")),
            on_premises_instance_tag_filters=_camel(props.get("OnPremisesInstanceTagFilters")),
            auto_scaling_groups=props.get("AutoScalingGroups"),
            service_role_arn=props.get("ServiceRoleArn"),
            trigger_configurations=_camel(props.get("TriggerConfigurations")),
            alarm_configuration=_alarm_configuration(props),
            auto_rollback_configuration=_camel(props.get("AutoRollbackConfiguration")),
            outdated_instances_strategy=props.get("OutdatedInstancesStrategy"),
            deployment_style=_camel(props.get("DeploymentStyle")),
            blue_green_deployment_configuration=_camel(props.get("BlueGreenDeploymentConfiguration")),
            load_balancer_info=_camel(props.get("LoadBalancerInfo")),
            ecs_services=_camel(props.get("ECSServices")),
            tags=props.get("Tags"),
            termination_hook_enabled=props.get("TerminationHookEnabled"),
        )
        return cls(name, {"ApplicationName": app}, account_id, region_name)

    @classmethod
    def update(cls, original: "DeploymentGroup", props: dict[str, Any]) -> "DeploymentGroup":
        if props.get("ApplicationName") != original.attributes["ApplicationName"]:
            original.remove()
        else:  # same group, new settings (its id changes here; nothing reads it)
            backends[original.account_id][original.region_name].deployment_groups[
                original.attributes["ApplicationName"]
            ].pop(original.physical_id, None)
        return cls.create_from_cloudformation_json(
            original.physical_id, {"Properties": props}, original.account_id, original.region_name
        )

    def remove(self) -> None:
        groups = backends[self.account_id][self.region_name].deployment_groups
        groups.get(self.attributes["ApplicationName"], {}).pop(self.physical_id, None)


_orig_group_to_dict = cdm.DeploymentGroup.to_dict


def _group_to_dict(self: Any) -> dict[str, Any]:
    out = _orig_group_to_dict(self)
    config = self.alarm_configuration
    if config is not None:
        out["alarmConfiguration"] = {
            "enabled": bool(config.enabled),
            "ignorePollAlarmFailure": bool(config.ignore_poll_alarm_failure),
            "alarms": config.alarms,
        }
    return out


def _epoch_times(to_dict: Any) -> Any:
    """CodeDeploy's JSON gives timestamps as epoch seconds; moto writes ISO-8601 text the SDKs cannot read."""

    def wrapper(self: Any) -> dict[str, Any]:
        out = to_dict(self)
        for key, value in out.items():
            if key.endswith("Time") and isinstance(value, str):
                out[key] = datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        return out

    return wrapper


cdm.DeploymentGroup.to_dict = _group_to_dict
cdm.DeploymentInfo.to_dict = _epoch_times(cdm.DeploymentInfo.to_dict)
cdm.Application.to_dict = _epoch_times(cdm.Application.to_dict)
register()
