"""Nested stacks (AWS::CloudFormation::Stack) as CloudFormation runs them.

Plain moto creates the child stack but fails on `Fn::GetAtt [Child, Outputs.X]` ("'Stack' object has no attribute
'get_cfn_attribute'"), recreates the child on every update and keeps no link between the two. Here:
  * The child is a stack of its own, named `<parent>-<LogicalId>-<SUFFIX>`, created from the TemplateURL (on the
    emulator's S3) with the resource's Parameters; Ref is its stack ARN; `Fn::GetAtt [Child, Outputs.X]` is its
    output X. DescribeStacks and ListStacks show its ParentId and RootId, as AWS does; its events are its own.
  * A child that fails to create or update fails the parent's resource with AWS's "Embedded stack ... was not
    successfully created/updated" reason (the parent then rolls back, deleting or reverting the child).
  * Updating the parent updates the child in place (same stack id) when the TemplateURL, the Parameters or the
    template behind the URL changed; the parent's change set lists it as a Modify of AWS::CloudFormation::Stack.
  * Deleting the parent (or removing the resource) deletes the child.
"""
from __future__ import annotations

import copy
from typing import Any

from moto.cloudformation import models as cfm
from moto.cloudformation import parsing as cfp
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.utils import get_stack_from_s3_url
from moto.utilities.utils import get_partition

from .resources import Resource, register

TYPE = "AWS::CloudFormation::Stack"
_creating: dict[str, str] = {}  # name of a nested stack being created -> its root stack's id


def _same_template(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal templates, a resource without Properties being one with empty Properties (moto adds them)."""

    def normal(t: dict[str, Any]) -> dict[str, Any]:
        t = copy.deepcopy(t or {})
        for res in (t.get("Resources") or {}).values():
            if isinstance(res, dict):
                res.setdefault("Properties", {})
        return t

    return normal(a) == normal(b)


def _backend(account_id: str, region_name: str) -> Any:
    return cfm.cloudformation_backends[account_id][region_name]


def _template(url: str, account_id: str, region_name: str) -> str:
    return get_stack_from_s3_url(url, account_id=account_id, partition=get_partition(region_name))


def _parameters(props: dict[str, Any]) -> dict[str, str]:
    def text(value: Any) -> str:
        if isinstance(value, list):
            return ",".join(str(v) for v in value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return {k: text(v) for k, v in (props.get("Parameters") or {}).items()}


def _failed(child: Any, verb: str) -> Exception:
    """AWS's reason for a nested stack that failed, naming the child's resources that failed."""
    action = "create" if verb == "created" else "update"
    names = []
    for e in child.events:
        if e.resource_status.endswith("_FAILED") and e.logical_resource_id not in names and e.logical_resource_id != child.name:
            names.append(e.logical_resource_id)
    reason = (
        f"The following resource(s) failed to {action}: [{', '.join(names)}]."
        if names
        else getattr(child, "status_reason", None) or child.status
    )
    error = Exception(f"Embedded stack {child.stack_id} was not successfully {verb}: {reason}")
    error.sparta_physical_id = child.stack_id  # type: ignore[attr-defined]
    return error


class NestedStack(Resource):
    TYPE = TYPE

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr.startswith("Outputs.")

    def child(self) -> Any:
        return _backend(self.account_id, self.region_name).get_stack(self.physical_id)

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name.startswith("Outputs."):
            key = attribute_name[len("Outputs."):]
            for output in self.child().outputs or []:
                if output["OutputKey"] == key:
                    return output["OutputValue"]
            raise ValidationError(
                message=f"Template error: the nested stack {self.physical_id} has no output {key}"
            )
        return super().get_cfn_attribute(attribute_name)

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> "NestedStack":
        props = cloudformation_json.get("Properties") or {}
        backend = _backend(account_id, region_name)
        parent = backend.stacks.get(kwargs.get("StackId", ""))
        root_id = None
        if parent is not None:
            root_id = getattr(parent, "root_id", None) or _creating.get(parent.name) or parent.stack_id
            _creating[resource_name] = root_id  # its own nested stacks, created with it, need the root too
        try:
            child = backend.create_stack(
                name=resource_name,
                template=_template(props["TemplateURL"], account_id, region_name),
                parameters=_parameters(props),
                tags={t["Key"]: str(t["Value"]) for t in props.get("Tags") or []} or (parent.tags if parent else None),
                notification_arns=props.get("NotificationARNs"),
                timeout_in_mins=props.get("TimeoutInMinutes"),
            )
        finally:
            _creating.pop(resource_name, None)
        if parent is not None:
            child.parent_id = parent.stack_id
            child.root_id = root_id
        if child.status != "CREATE_COMPLETE":
            error = _failed(child, "created")
            backend.delete_stack(child.stack_id)
            raise error
        return cls(child.stack_id, {}, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> "NestedStack":
        props = cloudformation_json.get("Properties") or {}
        child = original_resource.child()
        template = _template(props["TemplateURL"], account_id, region_name)
        parameters = _parameters(props)
        if not _same_template(cfm.Stack.parse_template(template), child.template_dict) or parameters != dict(
            child.parameters or {}
        ):
            child.update(template, parameters=parameters)
            if child.status != "UPDATE_COMPLETE":
                raise _failed(child, "updated")
        return cls(child.stack_id, {}, account_id, region_name)

    def remove(self) -> None:
        backend = _backend(self.account_id, self.region_name)
        if self.physical_id in backend.stacks:
            backend.delete_stack(self.physical_id)


# A parent's change set and update see a nested stack as modified when the template behind its (unchanged)
# TemplateURL differs from the child's: content-addressed URLs change anyway, others may not.
_orig_diff = cfp.ResourceMap.build_resource_diff


def _build_resource_diff(self, other_template: dict[str, Any], parameters: dict[str, Any] | None = None):
    diff = _orig_diff(self, other_template, parameters)
    for name, res in (other_template.get("Resources") or {}).items():
        if (res or {}).get("Type") != TYPE or name in diff["Add"] or name in diff["Modify"]:
            continue
        handle = self._parsed_resources.get(name)
        url = ((res or {}).get("Properties") or {}).get("TemplateURL")
        if not isinstance(handle, NestedStack) or not isinstance(url, str):
            continue
        try:
            body = _template(url, self._account_id, self._region_name)
            changed = not _same_template(cfm.Stack.parse_template(body), handle.child().template_dict)
        except Exception:
            changed = True  # unreadable now: let the update say why
        if changed:
            diff["Modify"].append(name)
    return diff


cfp.ResourceMap.build_resource_diff = _build_resource_diff
register()
