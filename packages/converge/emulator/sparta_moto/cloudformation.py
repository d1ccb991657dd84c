"""CloudFormation behaviour of moto brought closer to real AWS (applied on import, no moto file modified).

Checked with moto 5.1.22 and 5.2.1. What it changes:
  * ExecuteChangeSet refreshes the stack's Outputs, exports, Description and
    parameters (plain moto keeps the empty outputs of the REVIEW_IN_PROGRESS stack).
  * An UPDATE change set with no changes is created with Status=FAILED,
    ExecutionStatus=UNAVAILABLE, Changes=[] and the AWS StatusReason, instead of
    CreateChangeSet failing with "No updates are to be performed." (which plain moto
    does whenever TemplateBody and Parameters are passed).
  * ExecuteChangeSet on a change set that is not AVAILABLE -> InvalidChangeSetStatus.
  * Change sets are looked up by name *within the given StackName*; unknown names
    give ChangeSetNotFound (plain moto: 500 UnboundLocalError / wrong stack).
  * CREATE change set for a live stack -> ValidationError; for a stack still in
    REVIEW_IN_PROGRESS the existing stack is reused (plain moto makes a 2nd stack).
  * A failing resource no longer leaves the stack stuck in *_IN_PROGRESS with an
    HTTP error: create -> ROLLBACK_IN_PROGRESS/ROLLBACK_COMPLETE (created resources
    deleted), update -> UPDATE_ROLLBACK_* (best-effort revert); the request succeeds.
  * Per-resource stack events (<verb>_IN_PROGRESS / <verb>_COMPLETE) are emitted; the resource that failed an
    operation gets its <verb>_FAILED event with the reason, before the stack's rollback events.
  * InsufficientCapabilities is enforced for IAM resources (CAPABILITY_IAM /
    CAPABILITY_NAMED_IAM) on CreateStack, UpdateStack and CreateChangeSet.
  * ValidateTemplate: only cfn-lint *errors* fail (warnings such as deprecated
    runtimes do not), message "Template format error: ..."; the result lists the
    template's Parameters, required Capabilities and DeclaredTransforms.
  * S3 bucket tag updates no longer crash (KeyError 'BucketName') for buckets
    without an explicit BucketName.
  * Resource types moto does not implement (e.g. AWS::Lambda::Url, AWS::SNS::Subscription) are left out of
    ListStackResources/DescribeStackResources and of Outputs that reference them,
    instead of producing empty entries or HTTP 500.
  * How an update applies to the resources: see resource_updates.py.
  * Deleted / rolled-back stacks report no outputs and cannot re-create their
    resources lazily (plain moto re-creates a bucket when a deleted stack with an
    exported Ref is described by stack id).
"""
from __future__ import annotations

import json
from typing import Any

from moto.cloudformation import models as cfm
from moto.cloudformation import parsing as cfp
from moto.cloudformation import responses as cfr
from moto.cloudformation.exceptions import CloudFormationError, ValidationError
from moto.core.responses import ActionResult, EmptyResult
from moto.s3 import models as s3m

from .resource_updates import aws_order, propagated

GONE = ("DELETE_IN_PROGRESS", "DELETE_COMPLETE", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE")
NO_CHANGES = (
    "The submitted information didn't contain changes. "
    "Submit different information to create a change set."
)


class ChangeSetNotFoundException(CloudFormationError):
    code = "ChangeSetNotFoundException"

    def __init__(self, name: str):
        super().__init__(f"ChangeSet [{name}] does not exist")


class InvalidChangeSetStatusException(CloudFormationError):
    code = "InvalidChangeSetStatusException"

    def __init__(self, change_set_id: str, status: str):
        super().__init__(
            f"ChangeSet [{change_set_id}] cannot be executed in its current status of [{status}]"
        )


class InsufficientCapabilitiesException(CloudFormationError):
    code = "InsufficientCapabilitiesException"

    def __init__(self, required: list[str]):
        super().__init__(f"Requires capabilities : [{', '.join(required)}]")


# --------------------------------------------------------------------------- helpers
def _load_template(body: Any) -> dict[str, Any]:
    if isinstance(body, dict):
        return body
    if not body:
        return {}
    try:
        return cfm.Stack.parse_template(body) or {}
    except Exception:
        try:
            return json.loads(body)
        except Exception:
            return {}


_IAM_NAME_PROPS = {
    "AWS::IAM::AccessKey": None,
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::Policy": None,
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::UserToGroupAddition": None,
}


def required_capabilities(template: dict[str, Any]) -> tuple[list[str], str]:
    types, named = set(), False
    for res in (template.get("Resources") or {}).values():
        rtype = (res or {}).get("Type")
        if rtype in _IAM_NAME_PROPS:
            types.add(rtype)
            prop = _IAM_NAME_PROPS[rtype]
            if prop and prop in ((res or {}).get("Properties") or {}):
                named = True
    if not types:
        return [], ""
    reason = f"The following resource(s) require capabilities: [{', '.join(sorted(types))}]"
    return (["CAPABILITY_NAMED_IAM"] if named else ["CAPABILITY_IAM"]), reason


def check_capabilities(body: Any, given: list[str]) -> None:
    required, _ = required_capabilities(_load_template(body))
    if required == ["CAPABILITY_NAMED_IAM"] and "CAPABILITY_NAMED_IAM" not in given:
        raise InsufficientCapabilitiesException(required)
    if required == ["CAPABILITY_IAM"] and not set(given) & {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"}:
        raise InsufficientCapabilitiesException(required)


def _event(stack: Any, logical_id: str, rtype: str, physical_id: Any, status: str, reason: Any = None) -> None:
    stack.events.append(
        cfm.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id=physical_id or "",
            resource_type=rtype,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def _physical_id(stack: Any, logical_id: str) -> Any:
    res = stack.resource_map._parsed_resources.get(logical_id)
    return getattr(res, "physical_resource_id", None) if res is not None else None


def _resource_events(stack: Any, changes: list[tuple[str, str, str]]) -> None:
    verbs = {"Add": "CREATE", "Modify": "UPDATE", "Remove": "DELETE"}
    for action, logical_id, rtype in changes:
        verb = verbs.get(action, "UPDATE")
        _event(stack, logical_id, rtype, _physical_id(stack, logical_id), f"{verb}_IN_PROGRESS")
        _event(stack, logical_id, rtype, _physical_id(stack, logical_id), f"{verb}_COMPLETE")


def reason(error: Exception) -> str:
    """An error as a status reason, "Code: message" for a service error (whose str() may be the HTTP response)."""
    message = getattr(error, "message", None)
    code = getattr(error, "error_type", None) or getattr(error, "code", None)
    if isinstance(message, str) and message:
        return f"{code}: {message}" if isinstance(code, str) and code else message
    return str(error)


def _failed_event(stack: Any, error: Exception, verb: str) -> None:
    """The failing resource's own events, as AWS reports it (see _remember_failure)."""
    failed = getattr(error, "sparta_failed", None)
    if failed:
        logical_id, rtype, action = failed
        physical_id = getattr(error, "sparta_physical_id", "")
        step = "CREATE" if action == "create" else verb
        _event(stack, logical_id, rtype, physical_id, f"{step}_IN_PROGRESS")
        _event(stack, logical_id, rtype, physical_id, f"{step}_FAILED", reason(error))


def _rollback_create(stack: Any, error: Exception) -> None:
    _failed_event(stack, error, "CREATE")
    stack._add_stack_event(
        "ROLLBACK_IN_PROGRESS",
        resource_status_reason=f"Resource creation failed: {reason(error)}. Rollback requested by user.",
    )
    stack.status = "ROLLBACK_IN_PROGRESS"
    try:
        stack.resource_map.delete()
    except Exception:
        pass
    stack.resource_map._resource_json_map = {}
    stack._add_stack_event("ROLLBACK_COMPLETE")
    stack.status = "ROLLBACK_COMPLETE"
    stack.status_reason = reason(error)


def _rollback_update(stack: Any, old_template: Any, old_params: dict[str, Any], error: Exception) -> None:
    _failed_event(stack, error, "UPDATE")
    stack._add_stack_event(
        "UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=f"Resource update failed: {reason(error)}"
    )
    stack.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    stack.template = old_template
    stack._parse_template()
    try:
        stack.resource_map.update(stack.template_dict, old_params)
    except Exception:
        pass
    stack.output_map = stack._create_output_map()
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
    stack.status = "UPDATE_ROLLBACK_COMPLETE"
    stack.status_reason = reason(error)


# --------------------------------------------------------------------------- S3
_orig_bucket_update = s3m.FakeBucket.update_from_cloudformation_json.__func__


def _bucket_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = cloudformation_json.get("Properties") or {}
    if "BucketName" not in props:
        cloudformation_json = {**cloudformation_json, "Properties": {**props, "BucketName": original_resource.name}}
    return _orig_bucket_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)


s3m.FakeBucket.update_from_cloudformation_json = classmethod(_bucket_update)


# --------------------------------------------------------------------------- Stack
def _outputs(self):
    if self.status in GONE:
        return None
    resolved = []
    for key in self.output_map:
        try:
            out = self.output_map[key]
        except Exception:
            continue
        if out:
            resolved.append(out)
    exports = self.exports

    def export_name(value):
        for exp in exports:
            if value == exp.value:
                return exp.name
        return None

    outs = [
        {"OutputKey": o.key, "OutputValue": o.value, "Description": o.description, "ExportName": export_name(o.value)}
        for o in resolved
    ]
    return outs or None


_orig_exports = cfm.Stack.exports.fget


def _exports(self):
    if self.status in GONE:
        return []
    try:
        return _orig_exports(self)
    except Exception:
        return []


cfm.Stack.outputs = property(_outputs)
cfm.Stack.exports = property(_exports)
cfm.Stack.stack_resources = property(lambda self: [r for r in self.resource_map.values() if r is not None])

_orig_stack_update = cfm.Stack.update


def _stack_update(self, template, role_arn=None, parameters=None, tags=None):
    old_template, old_params = self.template, dict(self.resource_map.input_parameters)
    old_resources = dict(self.resource_map._resource_json_map)
    try:
        diff = self.resource_map.build_resource_diff(self.parse_template(template), parameters)
    except Exception:
        diff = None
    try:
        _orig_stack_update(self, template, role_arn, parameters=parameters, tags=tags)
    except Exception as e:
        _rollback_update(self, old_template, old_params, e)
        return
    # per-resource events, placed before the final UPDATE_COMPLETE
    last = self.events.pop()
    new = self.resource_map._resource_json_map
    if diff is None:
        changes = [("Add", k, v.get("Type", "")) for k, v in new.items() if k not in old_resources]
    else:
        changes = [("Add", k, new[k].get("Type", "")) for k in diff["Add"]]
        changes += [("Modify", k, new[k].get("Type", "")) for k in diff["Modify"]]
        changes += [("Remove", k, old_resources[k].get("Type", "")) for k in diff["Remove"]]
    work, cleanup = aws_order(changes + propagated(self), new)
    _resource_events(self, work + cleanup)
    self.events.append(last)


cfm.Stack.update = _stack_update


_orig_stack_delete = cfm.Stack.delete


def _stack_delete(self):
    _orig_stack_delete(self)
    self.resource_map._resource_json_map = {}  # nothing can be re-created lazily


cfm.Stack.delete = _stack_delete

# --------------------------------------------------------------------------- backend
B = cfm.CloudFormationBackend
_orig_create_stack = B.create_stack


def _create_stack(self, name, template, parameters, *args, **kwargs):
    before = set(self.stacks)
    try:
        stack = _orig_create_stack(self, name, template, parameters, *args, **kwargs)
    except Exception as e:
        new_ids = set(self.stacks) - before
        if not new_ids:
            raise
        stack = self.stacks[new_ids.pop()]
        for name_, exp in list(self.exports.items()):
            if exp.exporting_stack_id == stack.stack_id:
                self.exports.pop(name_, None)
        _rollback_create(stack, e)
        return stack
    if stack.events and stack.events[-1].resource_status == "CREATE_COMPLETE":
        last = stack.events.pop()
        changes = [("Add", k, v.get("Type", "")) for k, v in stack.resource_map._resource_json_map.items()
                   if stack.resource_map._parsed_resources.get(k) is not None]
        _resource_events(stack, changes)
        stack.events.append(last)
    return stack


B.create_stack = _create_stack


def _find_change_set(self, change_set_name, stack_name=None):
    if change_set_name in self.change_sets:
        return self.change_sets[change_set_name]
    found = None
    for cs in self.change_sets.values():
        if cs.change_set_name == change_set_name and (not stack_name or stack_name in (cs.stack_name, cs.stack_id)):
            found = cs
    if found is None:
        raise ChangeSetNotFoundException(change_set_name)
    return found


B._find_change_set = _find_change_set
B.describe_change_set = lambda self, change_set_name, stack_name=None: self._find_change_set(change_set_name, stack_name)


def _delete_change_set(self, change_set_name, stack_name=None):
    cs = self._find_change_set(change_set_name, stack_name)
    del self.change_sets[cs.change_set_id]


B.delete_change_set = _delete_change_set

_orig_create_change_set = B.create_change_set


def _create_change_set(self, *args, **kwargs):
    stack_name = kwargs.get("stack_name", args[0] if args else None)
    cs_name = kwargs.get("change_set_name", args[1] if len(args) > 1 else None)
    cs_type = kwargs.get("change_set_type", "CREATE")
    review_stack = None
    if cs_type != "UPDATE":
        for st in self.stacks.values():
            if st.name == stack_name:
                if st.status != "REVIEW_IN_PROGRESS":
                    raise ValidationError(
                        message=f"Stack [{stack_name}] already exists and cannot be created again with the changeSet [{cs_name}]."
                    )
                review_stack = st
    cs_id, stack_id = _orig_create_change_set(self, *args, **kwargs)
    cs = self.change_sets[cs_id]
    if review_stack is not None and stack_id != review_stack.stack_id:
        self.stacks.pop(stack_id, None)  # reuse the stack that is still in review
        cs.stack, cs.stack_id = review_stack, review_stack.stack_id
        stack_id = review_stack.stack_id
    if cs.status == "FAILED" and cs.changes:
        # same template and parameters, but a nested stack's template changed behind its URL: AWS updates it
        cs.status, cs.execution_status, cs.status_reason = "CREATE_COMPLETE", "AVAILABLE", None
    elif cs.status == "FAILED":
        cs.changes = []
    return cs_id, stack_id


B.create_change_set = _create_change_set


def _execute_change_set(self, change_set_name, stack_name=None):
    cs = self._find_change_set(change_set_name, stack_name)
    if cs.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatusException(cs.change_set_id, str(cs.execution_status))
    stack = self.stacks[cs.stack_id]
    old_template, old_params = stack.template, dict(stack.resource_map.input_parameters)
    changes = [(c.action, c.logical_resource_id, c.resource_type) for c in cs.changes]
    cs.execution_status = "EXECUTE_IN_PROGRESS"
    creating = cs.change_set_type == "CREATE"
    verb = "CREATE" if creating else "UPDATE"
    stack._add_stack_event(f"{verb}_IN_PROGRESS", resource_status_reason="User Initiated")
    stack.status = f"{verb}_IN_PROGRESS"
    try:
        cs.apply()
    except Exception as e:
        cs.execution_status = "EXECUTE_FAILED"
        if creating:
            _rollback_create(stack, e)
        else:
            _rollback_update(stack, old_template, old_params, e)
        return
    work, cleanup = aws_order(changes + propagated(stack), cs.template_dict.get("Resources") or {})
    _resource_events(stack, work)
    if not creating:
        stack._add_stack_event("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        _resource_events(stack, cleanup)
    stack._add_stack_event(f"{verb}_COMPLETE")
    cs.execution_status = "EXECUTE_COMPLETE"
    stack.status = f"{verb}_COMPLETE"
    stack.template = cs.template
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.parameters = cs.parameters
    for name_, exp in list(self.exports.items()):
        if exp.exporting_stack_id == stack.stack_id:
            self.exports.pop(name_, None)
    stack.cross_stack_resources = self.exports
    stack.output_map = stack._create_output_map()
    for exp in stack.exports:
        self.exports[exp.name] = exp


B.execute_change_set = _execute_change_set

_orig_backend_validate = B.validate_template


def _backend_validate_template(self, template):
    try:
        matches = _orig_backend_validate(self, template)
    except ImportError:  # cfn-lint not installed: only check that it parses
        _load_template(template)
        return []
    errors = [m for m in matches if str(getattr(getattr(m, "rule", None), "id", "E")).startswith("E")]
    if errors:
        raise ValidationError(message=f"Template format error: {errors[0].message}")
    return []


B.validate_template = _backend_validate_template

# --------------------------------------------------------------------------- responses
R = cfr.CloudFormationResponse


def _request_template(self) -> Any:
    """The template a request refers to (TemplateBody, TemplateURL or UsePreviousTemplate)."""
    try:
        if self._get_param("TemplateBody"):
            return self._get_param("TemplateBody")
        if self._get_param("TemplateURL"):
            return self._get_stack_from_s3_url(self._get_param("TemplateURL"))
        if self._get_bool_param("UsePreviousTemplate", False):
            return self.cloudformation_backend.get_stack(self._get_param("StackName")).template
    except Exception:
        return None
    return None


def _with_capabilities(orig):
    def wrapper(self):
        check_capabilities(_request_template(self), self._get_param("Capabilities", []) or [])
        return orig(self)

    wrapper.__name__ = orig.__name__
    return wrapper


_orig_r_create_change_set = R.create_change_set


def _r_create_change_set(self):
    check_capabilities(_request_template(self), self._get_param("Capabilities", []) or [])
    # AWS creates the change set and marks it FAILED when nothing changed
    self._validate_different_update = lambda *a, **k: None
    return _orig_r_create_change_set(self)


R.create_change_set = _r_create_change_set
R.create_stack = _with_capabilities(R.create_stack)
R.update_stack = _with_capabilities(R.update_stack)


def _r_describe_change_set(self):
    return ActionResult(
        self.cloudformation_backend.describe_change_set(
            change_set_name=self._get_param("ChangeSetName"), stack_name=self._get_param("StackName")
        )
    )


def _r_delete_change_set(self):
    self.cloudformation_backend.delete_change_set(
        change_set_name=self._get_param("ChangeSetName"), stack_name=self._get_param("StackName")
    )
    return EmptyResult()


R.describe_change_set = _r_describe_change_set
R.delete_change_set = _r_delete_change_set

_orig_r_validate = R.validate_template


def _r_validate_template(self):
    result = _orig_r_validate(self)
    tdict = _load_template(_request_template(self))
    caps, reason = required_capabilities(tdict)
    transforms = tdict.get("Transform") or []
    body = result.result if isinstance(result.result, dict) else {}
    body["Parameters"] = [
        {
            "ParameterKey": k,
            **({"DefaultValue": str(v["Default"])} if "Default" in (v or {}) else {}),
            "NoEcho": str((v or {}).get("NoEcho", "false")).lower() == "true",
            "Description": (v or {}).get("Description", ""),
        }
        for k, v in (tdict.get("Parameters") or {}).items()
    ]
    body["Capabilities"] = caps
    if reason:
        body["CapabilitiesReason"] = reason
    body["DeclaredTransforms"] = transforms if isinstance(transforms, list) else [transforms]
    return ActionResult(body)


R.validate_template = _r_validate_template


