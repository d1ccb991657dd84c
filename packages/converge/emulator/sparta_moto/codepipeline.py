"""CodePipeline pipelines and CodeBuild projects through CloudFormation, into moto's backends (plain moto skips both).

  * AWS::CodePipeline::Pipeline: the pipeline's declaration, as GetPipeline returns it (camelCase structure, action
    configurations as given, values as strings, a GitHub OAuthToken masked "****" as AWS masks it); the role must
    trust codepipeline.amazonaws.com and there must be two stages or more, as AWS checks. Ref is its name,
    Fn::GetAtt Version its version (incremented by each update, which keeps the pipeline).
  * AWS::CodeBuild::Project: BatchGetProjects / ListProjects see it, buildspec and environment included. Ref is
    its name, Fn::GetAtt Arn its ARN.
GetPipeline's metadata times are numbers, as AWS gives them. Nothing runs: no execution starts and no build runs (StartPipelineExecution / StartBuild are moto's stubs).
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from moto.codebuild import models as cbm
from moto.codepipeline import models as cpm
from moto.codepipeline.exceptions import InvalidStructureException
from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition

from .resources import Resource, as_int, register

SECRET_CONFIGURATION = {"OAuthToken"}  # configuration fields GetPipeline masks


SPELLING = {"BuildSpec": "buildspec"}  # the API's names that are not the property's in camelCase


def _camel(value: Any, verbatim: frozenset[str] = frozenset()) -> Any:
    if isinstance(value, dict):
        return {
            SPELLING.get(k, k[:1].lower() + k[1:]): (_configuration(v) if k in verbatim else _camel(v, verbatim))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_camel(v, verbatim) for v in value]
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _configuration(config: Any) -> dict[str, str]:
    return {k: ("****" if k in SECRET_CONFIGURATION else _text(v)) for k, v in (config or {}).items()}


def declaration(name: str, props: dict[str, Any]) -> dict[str, Any]:
    """The pipeline structure GetPipeline returns, from the resource's properties."""
    keep = frozenset({"Configuration"})
    out: dict[str, Any] = {"name": name, "roleArn": props.get("RoleArn")}
    for key in ("ArtifactStore", "ArtifactStores", "Stages", "Variables", "Triggers"):
        if props.get(key) is not None:
            out[key[:1].lower() + key[1:]] = _camel(props[key], keep)
    for key in ("PipelineType", "ExecutionMode"):
        if props.get(key) is not None:
            out[key[:1].lower() + key[1:]] = props[key]
    for stage in out.get("stages") or []:
        for action in stage.get("actions") or []:
            if "runOrder" in action:
                action["runOrder"] = as_int(action["runOrder"])
    return out


def _check(decl: dict[str, Any], account_id: str, region_name: str) -> None:
    """What CreatePipeline checks: the role lets CodePipeline assume it, and there are at least two stages."""
    iam = iam_backends[account_id][get_partition(region_name)]
    try:
        role = iam.get_role_by_arn(decl["roleArn"])
        statements = json.loads(role.assume_role_policy_document).get("Statement") or []
        services: list[str] = []
        for s in statements:
            service = (s.get("Principal") or {}).get("Service")
            services.extend(service if isinstance(service, list) else [service])
        trusted = "codepipeline.amazonaws.com" in services
    except Exception:
        trusted = False
    if not trusted:
        raise InvalidStructureException(
            f"CodePipeline is not authorized to perform AssumeRole on role {decl['roleArn']}"
        )
    if len(decl.get("stages") or []) < 2:
        raise InvalidStructureException(
            f"Pipeline has only {len(decl.get('stages') or [])} stage(s). There should be a minimum of 2 stages in a pipeline"
        )


class Pipeline(Resource):
    TYPE = "AWS::CodePipeline::Pipeline"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("Version",)

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "Pipeline":
        props = cloudformation_json.get("Properties") or {}
        name = props.get("Name") or resource_name
        decl = declaration(name, props)
        _check(decl, account_id, region_name)
        backend = cpm.codepipeline_backends[account_id][region_name]
        if name in backend.pipelines:
            raise InvalidStructureException(f"A pipeline with the name '{name}' already exists in account '{account_id}'")
        pipeline = cpm.CodePipeline(account_id, region_name, decl)
        pipeline.tags.update({t["Key"]: str(t["Value"]) for t in props.get("Tags") or []})
        backend.pipelines[name] = pipeline
        return cls(name, {}, account_id, region_name)

    @classmethod
    def update(cls, original: "Pipeline", props: dict[str, Any]) -> "Pipeline":
        decl = declaration(original.physical_id, props)
        _check(decl, original.account_id, original.region_name)
        cpm.codepipeline_backends[original.account_id][original.region_name].update_pipeline(decl)
        return cls(original.physical_id, {}, original.account_id, original.region_name)

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "Version":
            backend = cpm.codepipeline_backends[self.account_id][self.region_name]
            return str(backend.pipelines[self.physical_id].pipeline["version"])
        return super().get_cfn_attribute(attribute_name)

    def remove(self) -> None:
        cpm.codepipeline_backends[self.account_id][self.region_name].delete_pipeline(self.physical_id)


class Project(Resource):
    TYPE = "AWS::CodeBuild::Project"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("Arn",)

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "Project":
        props = cloudformation_json.get("Properties") or {}
        name = props.get("Name") or resource_name
        backend = cbm.codebuild_backends[account_id][region_name]
        backend.create_project(
            project_name=name,
            description=props.get("Description"),
            project_source=_camel(props.get("Source") or {}),
            artifacts=_camel(props.get("Artifacts") or {}),
            environment=_camel(props.get("Environment") or {}),
            service_role=props.get("ServiceRole") or "",
            tags=[{"key": t["Key"], "value": str(t["Value"])} for t in props.get("Tags") or []],
            cache=_camel(props.get("Cache")),
            timeout=as_int(props.get("TimeoutInMinutes")),
            queued_timeout=as_int(props.get("QueuedTimeoutInMinutes")),
            source_version=props.get("SourceVersion"),
            logs_config=_camel(props.get("LogsConfig")),
            vpc_config=_camel(props.get("VpcConfig")),
        )
        return cls(name, {"Arn": backend.codebuild_projects[name].arn}, account_id, region_name)

    def remove(self) -> None:
        cbm.codebuild_backends[self.account_id][self.region_name].delete_project(self.physical_id)


_orig_metadata = cpm.CodePipeline.metadata.fget


def _metadata(self: Any) -> dict[str, Any]:
    """GetPipeline's metadata times as epoch seconds, as AWS gives them (moto's text fails the SDKs)."""
    out = dict(_orig_metadata(self))
    for key in ("created", "updated"):
        if isinstance(out.get(key), str):
            out[key] = datetime.fromisoformat(out[key].replace("Z", "+00:00")).timestamp()
    return out


cpm.CodePipeline.metadata = property(_metadata)
register()
