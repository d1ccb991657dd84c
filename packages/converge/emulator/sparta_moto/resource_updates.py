"""How a stack update applies to its resources, closer to CloudFormation (applied on import, no moto file modified).

  * Added and modified resources are processed together in dependency order (a function's new code before the
    version published from it; moto adds everything before it modifies anything); a removed resource with
    DeletionPolicy Retain is kept (moto deletes it).
  * Resources whose properties refer to a resource the update replaced or changed (a new name, ARN, nested stack
    output) are updated with the new value (plain moto leaves them with the old one); the stack's events list
    them as modified.
  * A change set lists the resources a changed parameter modifies, Fn::Sub's ${Name} included (plain moto: only
    those whose template text changed, and Ref only).
  * The resource that failed is remembered on the error, for its <verb>_FAILED event.
  * Outputs may read attributes of resource types moto does not implement (left out, not an error).
  * Events come in CloudFormation's order: creates and updates by dependency, then removals in the cleanup phase.
"""
from __future__ import annotations

import copy
import re
from typing import Any

from moto.cloudformation import models as cfm
from moto.cloudformation import parsing as cfp


def _remember_failure(orig: Any, action: str) -> Any:
    """Wrap moto's create/update of one resource so that an error carries the logical id that failed (the
    innermost one: a resource created on demand through a Ref fails first)."""

    def wrapper(logical_id: str, resource_json: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return orig(logical_id, resource_json, *args, **kwargs)
        except Exception as e:
            if not hasattr(e, "sparta_failed"):
                e.sparta_failed = (logical_id, (resource_json or {}).get("Type", ""), action)  # type: ignore[attr-defined]
            raise

    return wrapper


cfp.parse_and_create_resource = _remember_failure(cfp.parse_and_create_resource, "create")
cfp.parse_and_update_resource = _remember_failure(cfp.parse_and_update_resource, "update")


def _add_properties(resources: dict[str, Any]) -> None:
    for res in resources.values():
        if isinstance(res, dict) and "Properties" not in res:
            res["Properties"] = {}  # moto's parse_resource() does the same to the stored copy


_orig_diff = cfp.ResourceMap.build_resource_diff


def _build_resource_diff(self, other_template, parameters=None):
    _add_properties(self._resource_json_map)
    new = other_template.get("Resources") or {}
    _add_properties(new)
    diff = _orig_diff(self, other_template, parameters)
    if parameters:  # moto sees a parameter in Ref only; Fn::Sub's ${Name} uses it too
        changed = {p for p in parameters if self.input_parameters.get(p) != parameters[p]}
        for name in new:
            if name in self._resource_json_map and name not in diff["Modify"] and references(new[name]) & changed:
                diff["Modify"].append(name)
    return diff


cfp.ResourceMap.build_resource_diff = _build_resource_diff


def references(node: Any) -> set[str]:
    """The logical ids a template fragment refers to (Ref, Fn::GetAtt, Fn::Sub ${Name} and ${Name.Attr})."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else str(value).split(".")[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                if isinstance(text, str):
                    found |= {name.split(".")[0] for name in re.findall(r"\$\{([^!}][^}]*)\}", text)}
                if isinstance(value, list) and len(value) > 1:
                    found |= references(value[1])
            else:
                found |= references(value)
    return found


def _resolved(resource_map: Any, name: str) -> Any:
    """A resource's properties with every intrinsic function resolved against the stack as it is now."""
    try:
        props = (resource_map._resource_json_map.get(name) or {}).get("Properties")
        return cfp.clean_json(copy.deepcopy(props), resource_map)
    except Exception:
        return None


MAX_PROPAGATION = 10


def _dependency_order(names: set[str], resources: dict[str, Any]) -> list[str]:
    """`names` ordered so that a resource comes after those it refers to or DependsOn (template order otherwise)."""
    order: list[str] = []
    done: set[str] = set()

    def visit(name: str, path: set[str]) -> None:
        if name in done or name not in names or name in path:
            return
        res = resources.get(name) or {}
        depends = res.get("DependsOn") or []
        path.add(name)
        for dep in sorted((references(res) | set([depends] if isinstance(depends, str) else depends)) - {name}):
            visit(dep, path)
        path.discard(name)
        done.add(name)
        order.append(name)

    for name in resources:
        visit(name, set())
    return order


def _rm_update(self, template, parameters=None):
    """moto's ResourceMap.update, with added and modified resources processed together in dependency order (a
    version of a function published after the function's new code, as CloudFormation does; moto adds everything
    before it modifies anything) and a removed resource with DeletionPolicy Retain kept (moto deletes it), then the resources whose properties refer to one the update replaced or changed
    (a new name, ARN or nested stack output) updated with the new values (plain moto leaves the old ones)."""
    diff = self.build_resource_diff(template, parameters)
    new_resources = template.get("Resources") or {}
    touched = set(diff["Add"]) | set(diff["Modify"]) | set(diff["Remove"])
    before = {
        name: _resolved(self, name)
        for name, res in self._resource_json_map.items()
        if name not in touched
        and name in new_resources
        and self._parsed_resources.get(name) is not None
        and references((res or {}).get("Properties"))
    }

    last_error: Exception | None = None
    removing = list(diff["Remove"])
    for _ in range(cfp.MAX_UPDATE_ATTEMPTS):  # as moto: dependency violations are retried in another pass
        for name in list(removing):
            try:
                if name in self._parsed_resources:
                    resource, old = self._parsed_resources.pop(name), self._resource_json_map[name]
                    if (old or {}).get("DeletionPolicy") != "Retain":  # a retained resource outlives the stack's use
                        self._delete_resource(resource, old)
                removing.remove(name)
            except Exception as e:
                last_error = e
        if not removing:
            break
    if removing and last_error is not None:
        raise last_error

    self._template = template
    if parameters:
        self.input_parameters = parameters
    self.load_mapping()
    self.load_parameters()
    self.load_conditions()
    self._resource_json_map = new_resources

    adding = set(diff["Add"])
    pending = _dependency_order(adding | set(diff["Modify"]), new_resources)
    for _ in range(cfp.MAX_UPDATE_ATTEMPTS):
        failed = []
        for name in pending:
            try:
                if name in adding:
                    _ = self[name]  # creates it
                else:
                    changed = cfp.parse_and_update_resource(
                        name, self._resource_json_map[name], self, self._account_id, self._region_name
                    )
                    if changed is not None:
                        self._parsed_resources[name] = changed
            except Exception as e:
                last_error = e
                failed.append(name)
        if not failed:
            break
        pending = failed
    else:
        raise last_error  # type: ignore[misc]

    self.propagated = []  # the stack's events list these as modified too
    for _ in range(MAX_PROPAGATION):
        stale = [name for name, old in before.items() if name not in touched and _resolved(self, name) != old]
        if not stale:
            return
        for name in stale:
            self.propagated.append(name)
            changed = cfp.parse_and_update_resource(
                name, self._resource_json_map[name], self, self._account_id, self._region_name
            )
            if changed is not None:
                self._parsed_resources[name] = changed
            touched.add(name)


cfp.ResourceMap.update = _rm_update


def _change_set_diff(self):
    """The change set's changes, parameters included (plain moto ignores a changed parameter here)."""
    names = self.stack.resource_map.build_resource_diff(self.template_dict, self.parameters)
    old = self.stack.resource_map._resource_json_map
    new = self.template_dict.get("Resources") or {}
    changes = []
    for action in ("Add", "Modify", "Remove"):
        for name in names[action]:
            rtype = (old if action == "Remove" else new)[name].get("Type", "")
            changes.append(cfm.Change(action=action, logical_resource_id=name, resource_type=rtype))
    return changes


cfm.ChangeSet.diff = _change_set_diff

_orig_validate_outputs = cfp.ResourceMap.validate_outputs


def _validate_outputs(self):
    try:
        return _orig_validate_outputs(self)
    except AttributeError:  # Fn::GetAtt on a resource type moto does not implement
        return None


cfp.ResourceMap.validate_outputs = _validate_outputs


def aws_order(
    changes: list[tuple[str, str, str]], resources: dict[str, Any]
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """Resource events in the order CloudFormation reports them: creates and updates by dependency, then the
    removals, which it makes in the cleanup phase."""
    by_name = {c[1]: c for c in changes if c[0] != "Remove"}
    work = [by_name[n] for n in _dependency_order(set(by_name), resources) if n in by_name]
    work += [c for c in by_name.values() if c not in work]
    return work, [c for c in changes if c[0] == "Remove"]


def propagated(stack: Any) -> list[tuple[str, str, str]]:
    """The resources the last update modified because a resource they refer to changed (see _rm_update)."""
    names = getattr(stack.resource_map, "propagated", [])
    stack.resource_map.propagated = []
    res = stack.resource_map._resource_json_map
    return [("Modify", n, (res.get(n) or {}).get("Type", "")) for n in names]
