"""Availability sets (Microsoft.Compute/availabilitySets): update and fault domains for their VMs."""

from __future__ import annotations

from ..errors import invalid_parameter, property_change_not_allowed, resource_not_found
from . import groups, ids
from .names import validate_resource_name
from .state import subscription_id

MAX_UPDATE_DOMAINS = 20
MAX_FAULT_DOMAINS = 3


def find(state, group: str, name: str) -> dict | None:
    return state.section("availabilitySets", {}).get(ids.key(group, name))


def require(state, group: str, name: str) -> dict:
    groups.require(state, group)
    found = find(state, group, name)
    if found is None:
        raise resource_not_found(ids.AVSET_TYPE, name, group)
    return found


def member_ids(state, avset: dict) -> list[str]:
    sub = subscription_id(state)
    return [ids.resource_id(sub, avset["group"], ids.VM_TYPE, vm) for vm in avset.get("members", [])]


def render(state, avset: dict) -> dict:
    from ..models.compute import AvailabilitySet, AvailabilitySetProperties, Sku, SubResource

    sub = subscription_id(state)
    return AvailabilitySet(
        id=ids.resource_id(sub, avset["group"], ids.AVSET_TYPE, avset["name"]),
        name=avset["name"],
        type=ids.AVSET_TYPE,
        location=avset["location"],
        tags=avset.get("tags") or {},
        sku=Sku(name=avset["sku"]),
        properties=AvailabilitySetProperties(
            platformUpdateDomainCount=avset["updateDomains"],
            platformFaultDomainCount=avset["faultDomains"],
            virtualMachines=[SubResource(id=i) for i in member_ids(state, avset)],
        ),
    ).wire()


def create(
    state,
    group: str,
    name: str,
    location: str | None = None,
    update_domains: int | None = None,
    fault_domains: int = 2,
    unmanaged: bool = False,
    tags: dict[str, str] | None = None,
) -> dict:
    rg = groups.require(state, group)
    validate_resource_name(name, "availabilitySets")
    location = groups.resolve_location(location or rg["location"], ids.AVSET_TYPE)
    update_domains = 5 if update_domains is None else update_domains
    if not 1 <= update_domains <= MAX_UPDATE_DOMAINS:
        raise invalid_parameter(
            "platformUpdateDomainCount",
            f"The specified update domain count {update_domains} must fall in the range 1 to "
            f"{MAX_UPDATE_DOMAINS}.",
        )
    if not 1 <= fault_domains <= MAX_FAULT_DOMAINS:
        raise invalid_parameter(
            "platformFaultDomainCount",
            f"The specified fault domain count {fault_domains} must fall in the range 1 to "
            f"{MAX_FAULT_DOMAINS}.",
        )
    key = ids.key(group, name)
    existing = find(state, group, name)
    if existing is not None and existing.get("members"):
        if (existing["updateDomains"], existing["faultDomains"]) != (update_domains, fault_domains):
            raise property_change_not_allowed("platformUpdateDomainCount")
    avset = {
        "group": rg["name"],
        "name": existing["name"] if existing else name,
        "location": location,
        "updateDomains": update_domains,
        "faultDomains": fault_domains,
        "sku": "Classic" if unmanaged else "Aligned",
        "members": existing.get("members", []) if existing else [],
    }
    if tags is not None:
        avset["tags"] = tags
    state.data["availabilitySets"][key] = avset
    return render(state, avset)


def show(state, group: str, name: str) -> dict:
    return render(state, require(state, group, name))


def list_sets(state, group: str | None = None) -> list[dict]:
    if group:
        groups.require(state, group)
    sets = state.section("availabilitySets", {}).values()
    return [render(state, s) for s in sets if group is None or s["group"].lower() == group.lower()]


def join(state, avset: dict, vm_name: str) -> tuple[int, int]:
    """Place a VM in the set; returns its (update domain, fault domain), assigned round-robin."""
    members = avset.setdefault("members", [])
    index = len(members)
    members.append(vm_name)
    return index % avset["updateDomains"], index % avset["faultDomains"]


def leave(state, group: str, name: str, vm_name: str) -> None:
    avset = find(state, group, name)
    if avset and vm_name in avset.get("members", []):
        avset["members"].remove(vm_name)


def delete(state, group: str, name: str) -> bool:
    """Remove a set; False when there was none (ARM's 204). A set that still holds VMs stays: Azure
    refuses to delete it until its VMs are deleted."""
    from ..errors import operation_not_allowed

    groups.require(state, group)
    avset = find(state, group, name)
    if avset is None:
        return False
    if avset.get("members"):
        raise operation_not_allowed(f"Availability Set '{avset['name']}' cannot be deleted. Before deleting "
                                    "an Availability Set please ensure that it does not contain any VM.")
    del state.data["availabilitySets"][ids.key(group, name)]
    return True
