"""Resource groups (Microsoft.Resources/resourceGroups)."""

from __future__ import annotations

import re
from typing import Any

from ..azure import regions
from ..errors import (
    invalid_resource_group,
    invalid_resource_group_location,
    location_not_available,
    resource_group_not_found,
)
from . import ids
from .state import subscription_id

_GROUP_NAME = re.compile(r"[-\w._()]{1,90}")  # matched whole: "$" would let a final newline through


def validate_group_name(name: str) -> None:
    if not name or len(name) > 90 or name.endswith(".") or not _GROUP_NAME.fullmatch(name):
        bad = sorted({c for c in name if not (c.isalnum() or c in "-._()")})
        detail = f" has these invalid characters: {', '.join(repr(c) for c in bad)}." if bad else " is invalid."
        raise invalid_resource_group(name, detail)


def resolve_location(location: str, resource_type: str) -> str:
    normalized = regions.normalize(location)
    if normalized is None:
        raise location_not_available(location, resource_type, regions.REGIONS)
    return normalized


def find(state, name: str) -> dict | None:
    return state.section("resourceGroups", {}).get(name.lower())


def require(state, name: str) -> dict:
    group = find(state, name)
    if group is None:
        raise resource_group_not_found(name)
    return group


def render(state, group: dict) -> dict:
    from ..models.resources import ResourceGroup, ResourceGroupProperties

    return ResourceGroup(
        id=ids.group_id(subscription_id(state), group["name"]),
        name=group["name"],
        type="Microsoft.Resources/resourceGroups",
        location=group["location"],
        properties=ResourceGroupProperties(provisioningState="Succeeded"),
        tags=group.get("tags"),
        managedBy=group.get("managedBy"),
    ).wire()


def create(state, name: str, location: str, tags: dict[str, str] | None = None, managed_by: str | None = None) -> dict:
    """Create or update a group, as PUT does: an existing group keeps its location; ``managedBy`` is
    kept as given (az's --managed-by)."""
    validate_group_name(name)
    location = resolve_location(location, "resourceGroups")
    groups = state.data["resourceGroups"]
    existing = groups.get(name.lower())
    if existing is not None:
        if existing["location"] != location:
            raise invalid_resource_group_location(location, existing["location"])
        if tags is not None:
            existing["tags"] = tags
        if managed_by is not None:
            existing["managedBy"] = managed_by
        return render(state, existing)
    group: dict[str, Any] = {"name": name, "location": location}
    if tags is not None:
        group["tags"] = tags
    if managed_by is not None:
        group["managedBy"] = managed_by
    groups[name.lower()] = group
    return render(state, group)


def show(state, name: str) -> dict:
    return render(state, require(state, name))


def exists(state, name: str) -> bool:
    return find(state, name) is not None


def list_groups(state, tag: str | None = None) -> list[dict]:
    groups = list(state.section("resourceGroups", {}).values())
    if tag:
        tag_key, _, tag_value = tag.partition("=")
        groups = [
            g for g in groups
            if tag_key in (g.get("tags") or {}) and (not tag_value or g["tags"][tag_key] == tag_value)
        ]
    return [render(state, g) for g in groups]
