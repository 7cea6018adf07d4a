"""Azure resource ids: building them, and reading the parts az's --ids option takes."""

from __future__ import annotations

import re

from ..errors import ValidationError

_ID = re.compile(
    r"^/subscriptions/(?P<subscription>[^/]+)/resourceGroups/(?P<group>[^/]+)"
    r"(/providers/(?P<namespace>[^/]+)/(?P<type>[^/]+)/(?P<name>[^/]+))?/?$",
    re.IGNORECASE,
)

VM_TYPE = "Microsoft.Compute/virtualMachines"
AVSET_TYPE = "Microsoft.Compute/availabilitySets"


def group_id(subscription: str, group: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{group}"


def resource_id(subscription: str, group: str, resource_type: str, name: str) -> str:
    return f"{group_id(subscription, group)}/providers/{resource_type}/{name}"


def parse(resource_id_text: str) -> dict[str, str | None]:
    match = _ID.match(resource_id_text.strip())
    if not match:
        raise ValidationError(
            f"invalid resource ID: {resource_id_text}. It should be a complete resource ID such as "
            "/subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name>"
        )
    return match.groupdict()


def group_and_name(resource_id_text: str) -> tuple[str, str]:
    """The group and name of a resource's ID; a resource group's own ID names no resource in it."""
    parsed = parse(resource_id_text)
    group, name = parsed["group"], parsed["name"]
    if group is None or name is None:
        raise ValidationError(f"invalid resource ID: {resource_id_text}. It names a resource group, not a resource in one")
    return group, name


def key(group: str, name: str) -> str:
    """Store key of a resource inside a group: Azure names are case-insensitive."""
    return f"{group.lower()}/{name.lower()}"
