"""From the one stored shape to what each api-version sends, and to what az prints.

The models hold the union of Compute 2020-06-01, 2020-12-01, 2021-03-01, 2022-03-01, 2023-03-01 and 2024-07-01
(whose patch definitions are today's). Each older version drops the fields it does not define and spells a few
differently (Azure's REST specs of each version): this table is the whole difference.
``automaticByPlatformSettings`` arrived in 2022-03-01 (rebootSetting) and grew
``bypassPlatformSafetyChecksOnUserSchedule`` in 2023-03-01; the three versions of the guide's time predate it.
Which of these shapes answers each accepted api-version is Compute's table (azure/compute_api.py).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..azure.compute_api import SHAPES

# The modelled shapes (Compute's api-version table, azure/compute_api.py, says which answers each version).
API_VERSIONS = SHAPES
NEWEST = API_VERSIONS[-1]

# Per api-version: keys dropped (by the name of the object that holds them) and keys renamed.
_DROPPED: dict[str, dict[str, tuple[str, ...]]] = {
    "2020-06-01": {
        "patchSettings": ("enableHotpatching", "assessmentMode", "automaticByPlatformSettings"),
        "linuxConfiguration": ("patchSettings",),
        "patchStatus": ("configurationStatuses",),
        "osDisk": ("deleteOption",),
        "properties": ("deleteOption",),  # a NIC reference's (no other "properties" holds one)
    },
    "2020-12-01": {
        "patchSettings": ("assessmentMode", "automaticByPlatformSettings"),
        "lastPatchInstallationSummary": ("rebootStatus", "startedBy"),
        "osDisk": ("deleteOption",),
        "properties": ("deleteOption",),
    },
    "2021-03-01": {
        "patchSettings": ("automaticByPlatformSettings",),
        "lastPatchInstallationSummary": ("rebootStatus", "startedBy"),
    },
    "2022-03-01": {
        "automaticByPlatformSettings": ("bypassPlatformSafetyChecksOnUserSchedule",),
        "lastPatchInstallationSummary": ("rebootStatus", "startedBy"),
    },
    "2023-03-01": {
        "lastPatchInstallationSummary": ("rebootStatus", "startedBy"),
    },
    "2024-07-01": {
        "lastPatchInstallationSummary": ("rebootStatus", "startedBy"),
    },
}
_RENAMED: dict[str, dict[str, str]] = {
    "2020-06-01": {"availablePatches": "patches", "kbId": "kbid"},
}
# Enum values an older version does not know ("Unknown" arrived in 2020-12-01), in the keys that hold
# these enums (PatchOperationStatus, VMGuestPatchRebootBehavior, PatchAssessmentState): left out there.
_UNKNOWN_VALUES = {"2020-06-01": {"Unknown"}}
_ENUM_KEYS = frozenset({"status", "rebootBehavior", "assessmentState", "rebootStatus"})


# Objects a version can empty by dropping what it does not define: then left out, as Azure sends no empty
# settings object (and a PUT at that version that leaves them out keeps what it cannot see, arm/compute.py).
EMPTIED_AWAY = frozenset({"automaticByPlatformSettings", "properties"})  # properties: a NIC reference's
# The holders of writable properties: a PUT or PATCH that sets one its api-version does not define is
# refused (undefined_members); the others in _DROPPED are read-only (instance view, results).
_WRITABLE_HOLDERS = frozenset({"patchSettings", "automaticByPlatformSettings", "linuxConfiguration", "osDisk"})
_READ_ONLY_SUBTREES = frozenset({"instanceView"})


def dropped_at(api_version: str) -> dict[str, tuple[str, ...]]:
    """The keys ``api_version`` (a modelled one) does not define, by the name of the object holding them."""
    return _DROPPED.get(api_version, {})


def undefined_members(body: Any, api_version: str) -> list[tuple[str, str]]:
    """Writable properties of a request ``body`` that the modelled ``api_version`` does not define, as
    ``(path, holder)`` pairs (``properties.osProfile.windowsConfiguration.patchSettings.x``, ``patchSettings``)."""
    dropped = _DROPPED.get(api_version, {})
    found: list[tuple[str, str]] = []

    def walk(value: Any, holder: str | None, path: str) -> None:
        if not isinstance(value, dict):
            return
        undefined = dropped.get(holder or "", ()) if holder in _WRITABLE_HOLDERS else ()
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if key in undefined:
                found.append((where, holder or ""))
            elif key not in _READ_ONLY_SUBTREES:
                walk(item, key, where)

    walk(body, None, "")
    return found


def for_api_version(document: dict[str, Any], api_version: str, root: str | None = None) -> dict[str, Any]:
    """The wire shape of ``document`` at ``api_version`` (a copy)."""
    dropped = _DROPPED.get(api_version, {})
    renamed = _RENAMED.get(api_version, {})
    unknown = _UNKNOWN_VALUES.get(api_version, set())

    def walk(value: Any, holder: str | None) -> Any:
        if isinstance(value, dict):
            drop = dropped.get(holder or "", ())
            out = {}
            for key, item in value.items():
                if key in drop or (key in _ENUM_KEYS and isinstance(item, str) and item in unknown):
                    continue
                shaped = walk(item, key)
                if key in EMPTIED_AWAY and shaped == {} and item:
                    continue
                out[renamed.get(key, key)] = shaped
            return out
        if isinstance(value, list):
            return [walk(v, holder) for v in value]
        return value

    return walk(copy.deepcopy(document), root)


# ---- the az view ---------------------------------------------------------------------------------

_GROUP_IN_ID = re.compile(r"/resourceGroups/([^/]+)", re.IGNORECASE)


def add_resource_group(value: Any) -> Any:
    """az adds ``resourceGroup`` to every dict whose ``id`` names one (cli-core transform.py)."""
    if isinstance(value, dict):
        for item in value.values():
            add_resource_group(item)
        ident = value.get("id")
        if isinstance(ident, str):
            match = _GROUP_IN_ID.search(ident)
            if match:
                value["resourceGroup"] = match.group(1)
    elif isinstance(value, list):
        for item in value:
            add_resource_group(item)
    return value


def _flatten_properties(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "properties" and isinstance(item, dict):
                for inner_key, inner in item.items():
                    out[inner_key] = _flatten_properties(inner)
            else:
                out[key] = _flatten_properties(item)
        return out
    if isinstance(value, list):
        return [_flatten_properties(v) for v in value]
    return value


def flatten_az(document: dict[str, Any]) -> dict[str, Any]:
    """What az 2.91 prints for a resource: ``properties`` client-flattened, ``resourceGroup`` added."""
    return add_resource_group(_flatten_properties(copy.deepcopy(document)))


def unflatten_az(view: dict[str, Any], model: type) -> dict[str, Any]:
    """The inverse of :func:`flatten_az` for a model whose wire shape has ``properties`` (VM, set)."""
    from pydantic import BaseModel

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "resourceGroup"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    def rebuild(value: Any, cls: Any) -> Any:
        if not (isinstance(value, dict) and isinstance(cls, type) and issubclass(cls, BaseModel)):
            return value
        fields = cls.model_fields
        out: dict[str, Any] = {}
        props_cls = _inner_model(fields["properties"].annotation) if "properties" in fields else None
        props: dict[str, Any] = {}
        for key, item in value.items():
            if key in fields and key != "properties":
                out[key] = rebuild_field(item, fields[key].annotation)
            elif props_cls is not None and key in props_cls.model_fields:
                props[key] = rebuild_field(item, props_cls.model_fields[key].annotation)
            elif key == "properties" and isinstance(item, dict):
                props.update(item)
            else:
                out[key] = item
        if props:
            out["properties"] = props
        return out

    def rebuild_field(item: Any, annotation: Any) -> Any:
        inner = _inner_model(annotation)
        if isinstance(item, list):
            return [rebuild(i, inner) for i in item]
        return rebuild(item, inner)

    return rebuild(strip(copy.deepcopy(view)), model)


def _inner_model(annotation: Any) -> Any:
    """The model class inside ``X | None`` or ``list[X] | None``; None when there is none."""
    from typing import get_args

    from pydantic import BaseModel

    stack = [annotation]
    while stack:
        current = stack.pop()
        if isinstance(current, type) and issubclass(current, BaseModel):
            return current
        stack.extend(get_args(current))
    return None
