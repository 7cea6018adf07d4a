"""Deleting a resource group and everything in it, as ARM does.

Apart from :mod:`groups` because it reaches every kind of resource a group holds (VMs, their NICs in other
groups, network resources, maintenance configurations and assignments, deployments), while ``groups`` is
the leaf every one of those modules asks for a group: the layers point down.
"""

from __future__ import annotations

from . import groups, maintenance, network, vm_network


def delete(state, name: str) -> None:
    """Delete the group and everything in it, as ARM does."""
    group = groups.require(state, name)
    prefix = f"{group['name'].lower()}/"
    maintenance.delete_group(state, group["name"])
    vms = state.data.get("vms", {})
    for key in [k for k in vms if k.startswith(prefix)]:
        vm_network.release_outside(state, vms[key], group["name"])
    network.release_outside(state, group["name"])
    for collection in ("vms", "availabilitySets", "networkResources", "deployments"):
        items = state.data.get(collection, {})
        for key in [k for k in items if k.startswith(prefix)]:
            del items[key]
    del state.data["resourceGroups"][name.lower()]
