"""The base of the CloudFormation resource types Sparta teaches moto: each stores its state in moto's own backend
for the service (so that service's API sees it), and CloudFormation keeps only this handle to it."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from moto.cloudformation import parsing as cfp
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel


class Resource(CloudFormationModel):
    """A created resource as CloudFormation sees it: its physical id (what `Ref` returns) and its `Fn::GetAtt`
    attributes. Subclasses set TYPE and NAME_PROPERTY and implement create / update / delete on the backend."""

    TYPE = ""
    NAME_PROPERTY = ""  # the property that names the resource, if any (otherwise CloudFormation generates a name)
    ATTRIBUTES: tuple[str, ...] = ()

    def __init__(self, physical_id: str, attributes: dict[str, Any], account_id: str, region_name: str):
        self.physical_id = physical_id
        self.attributes = attributes
        self.account_id = account_id
        self.region_name = region_name

    @classmethod
    def cloudformation_type(cls) -> str:  # type: ignore[override]
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:  # type: ignore[override]
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name in self.attributes:
            return self.attributes[attribute_name]
        raise UnformattedGetAttTemplateException()

    def is_created(self) -> bool:
        return True

    def delete(self, account_id: str, region_name: str) -> None:
        self.remove()

    def remove(self) -> None:
        """Delete the resource from its backend."""
        raise NotImplementedError

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Any:
        """Update in place, keeping the physical name unless the naming property changed (then replace)."""
        props = cloudformation_json.get("Properties") or {}
        name = original_resource.physical_id
        if cls.NAME_PROPERTY and props.get(cls.NAME_PROPERTY) not in (None, name):
            original_resource.remove()
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        return cls.update(original_resource, props)

    @classmethod
    def update(cls, original: Any, props: dict[str, Any]) -> Any:
        """Apply new properties to an existing resource; by default replace it under the same name."""
        original.remove()
        return cls.create_from_cloudformation_json(
            original.physical_id, {"Properties": props}, original.account_id, original.region_name
        )

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        pass  # resources are deleted through their handle (delete above)


def _descendants(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_descendants(sub))
    return found


_moto_models = cfp.get_model_list.__wrapped__  # moto lists CloudFormationModel's direct subclasses only


@lru_cache
def _get_model_list() -> list[type[CloudFormationModel]]:
    ours = [c for c in _descendants(Resource) if c.TYPE]
    return [m for m in _moto_models() if m is not Resource and m.cloudformation_type() not in {c.TYPE for c in ours}] + ours


def register() -> None:
    """Make moto's CloudFormation see every Resource subclass defined so far (its model lists are cached)."""
    cfp.get_model_list = _get_model_list
    _get_model_list.cache_clear()
    cfp.get_model_map.cache_clear()
    cfp.get_name_type_map.cache_clear()


def as_int(value: Any) -> int | None:
    return None if value is None else int(value)


def as_float(value: Any) -> float | None:
    return None if value is None else float(value)


def as_bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)
