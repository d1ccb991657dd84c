"""Lambda versions and aliases through CloudFormation, as safe deployments use them.

  * AWS::Lambda::Version publishes a version of the function (moto's own keeps no physical id: its Ref was empty);
    Ref is the version's ARN, Fn::GetAtt Version its number. DeletionPolicy Retain keeps it, as on AWS.
  * AWS::Lambda::Alias (plain moto skips it) creates the alias; Ref is its ARN, so a permission or an integration
    can name it. An update points it at the new version; with an UpdatePolicy CodeDeployLambdaAliasUpdate the
    change is recorded as a CodeDeploy deployment of the named application and group (status Succeeded: traffic
    shifts at once here), as CloudFormation hands it to CodeDeploy on AWS.
"""
from __future__ import annotations

import json
from typing import Any

from moto.awslambda import models as lm
from moto.codedeploy import models as cdm

from .resources import Resource, register


def _lambda(account_id: str, region_name: str) -> Any:
    return lm.lambda_backends[account_id][region_name]


class Version(Resource):
    TYPE = "AWS::Lambda::Version"
    ATTRIBUTES = ("Version", "FunctionArn")

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "Version":
        props = cloudformation_json.get("Properties") or {}
        function = _lambda(account_id, region_name).publish_version(
            props["FunctionName"], props.get("Description") or ""
        )
        if function is None:
            raise Exception(f"Function not found: {props['FunctionName']}")
        arn = function.function_arn  # qualified: ...:function:NAME:VERSION
        unqualified = arn.rsplit(":", 1)[0]
        return cls(arn, {"Version": str(function.version), "FunctionArn": unqualified}, account_id, region_name)

    @classmethod
    def update(cls, original: "Version", props: dict[str, Any]) -> "Version":
        # a version is immutable: CloudFormation publishes a new one (the old one kept, as with Retain)
        return cls.create_from_cloudformation_json("", {"Properties": props}, original.account_id, original.region_name)

    def remove(self) -> None:
        name, version = self.attributes["FunctionArn"], self.attributes["Version"]
        try:
            _lambda(self.account_id, self.region_name).delete_function(name, version)
        except Exception:
            pass  # deleted with its function


def _deploy_with_codedeploy(json_: dict[str, Any], alias: Any, old_version: str, account_id: str, region: str) -> None:
    policy = ((json_.get("UpdatePolicy") or {}).get("CodeDeployLambdaAliasUpdate")) or {}
    app, group = policy.get("ApplicationName"), policy.get("DeploymentGroupName")
    if not app or not group:
        return
    function_name = alias.arn.split(":function:", 1)[1].split(":", 1)[0]
    app_spec = {
        "version": 0.0,
        "Resources": [
            {
                "target": {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        "Name": function_name,
                        "Alias": alias.name,
                        "CurrentVersion": old_version,
                        "TargetVersion": alias.function_version,
                    },
                }
            }
        ],
    }
    backend = cdm.codedeploy_backends[account_id][region]
    deployment_id = backend.create_deployment(
        application_name=app,
        deployment_group_name=group,
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(app_spec)}},
        description=f"CloudFormation: {alias.name} of {function_name} from version {old_version} to {alias.function_version}",
    )
    backend.deployments[deployment_id].status = "Succeeded"


class Alias(Resource):
    TYPE = "AWS::Lambda::Alias"
    ATTRIBUTES = ("AliasArn",)

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "Alias":
        props = cloudformation_json.get("Properties") or {}
        alias = _lambda(account_id, region_name).create_alias(
            name=props["Name"],
            function_name=props["FunctionName"],
            function_version=str(props["FunctionVersion"]),
            description=props.get("Description") or "",
            routing_config=props.get("RoutingConfig"),
        )
        attributes = {"AliasArn": alias.arn, "FunctionName": props["FunctionName"], "Name": props["Name"]}
        return cls(alias.arn, attributes, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> "Alias":
        props = cloudformation_json.get("Properties") or {}
        same = (props.get("Name"), props.get("FunctionName")) == (
            original_resource.attributes["Name"],
            original_resource.attributes["FunctionName"],
        )
        if not same:  # a new name or function is a new alias
            original_resource.remove()
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        backend = _lambda(account_id, region_name)
        current = backend.get_alias(props["Name"], props["FunctionName"])
        old_version = current.function_version
        alias = backend.update_alias(
            name=props["Name"],
            function_name=props["FunctionName"],
            function_version=str(props["FunctionVersion"]),
            description=props.get("Description") or "",
            routing_config=props.get("RoutingConfig"),
        )
        if str(old_version) != str(alias.function_version):
            _deploy_with_codedeploy(cloudformation_json, alias, str(old_version), account_id, region_name)
        return cls(original_resource.physical_id, original_resource.attributes, account_id, region_name)

    def remove(self) -> None:
        try:
            _lambda(self.account_id, self.region_name).delete_alias(
                self.attributes["Name"], self.attributes["FunctionName"]
            )
        except Exception:
            pass  # deleted with its function


register()
