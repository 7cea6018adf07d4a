"""Reading a stored VM record, and the instance-view statuses every VM carries.

A VM is kept in the store as ``{"vm": <VirtualMachine wire shape>, "iv": <instance view>, "sim": {...}}``:
the resource as ARM returns it (newest api-version, the union of the fields of all we serve), its
instance view as the platform maintains it, and the simulation's own bookkeeping.

This module is a leaf: it knows the record's shape and nothing of the rules that fill it, so the
operations (``vms``) and the patch engine's adapter (``patching``) can both read records without
importing each other.
"""

from __future__ import annotations

import copy

POWER_DISPLAY = {
    "running": "VM running",
    "stopped": "VM stopped",
    "deallocated": "VM deallocated",
    "starting": "VM starting",
    "stopping": "VM stopping",
    "deallocating": "VM deallocating",
}


def group_of(record: dict) -> str:
    return record["vm"]["id"].split("/")[4]


def power_state(record: dict) -> str:
    return record["sim"]["power"]


def is_windows(vm: dict) -> bool:
    return "windowsConfiguration" in vm.get("properties", {}).get("osProfile", {})


def patch_mode(vm: dict) -> str | None:
    os_profile = vm.get("properties", {}).get("osProfile", {})
    config = os_profile.get("windowsConfiguration") or os_profile.get("linuxConfiguration") or {}
    return config.get("patchSettings", {}).get("patchMode")


def resource(record: dict) -> dict:
    """The VM as GET returns it (a copy, safe to change)."""
    return copy.deepcopy(record["vm"])


def with_instance_view(record: dict) -> dict:
    """The VM as GET ?$expand=instanceView returns it: what ``az vm get-instance-view`` prints."""
    vm = resource(record)
    vm["properties"]["instanceView"] = copy.deepcopy(record["iv"])
    return vm


def instance_view(record: dict) -> dict:
    """The bare instance view, as GET .../instanceView returns it."""
    return copy.deepcopy(record["iv"])


def status(code: str, display: str, time: str | None = None, level: str = "Info", message=None):
    from ..models.compute import InstanceViewStatus

    return InstanceViewStatus(code=code, level=level, displayStatus=display, time=time, message=message)


def refresh_statuses(record: dict, when: str) -> None:
    """Rewrite the provisioning and power statuses of the instance view from the simulation state."""
    power = record["sim"]["power"]
    record["iv"]["statuses"] = [
        status("ProvisioningState/succeeded", "Provisioning succeeded", record["sim"]["provisionedAt"]).wire(),
        status(f"PowerState/{power}", POWER_DISPLAY[power]).wire(),
    ]
    if power != "running":
        agent = record["iv"].get("vmAgent")
        if agent:
            agent["statuses"] = [
                status(
                    "ProvisioningState/Unavailable",
                    "Not Ready",
                    when,
                    "Warning",
                    "VM status blob is found but not yet populated.",
                ).wire()
            ]
    elif record["iv"].get("vmAgent"):
        record["iv"]["vmAgent"]["statuses"] = [_agent_ready(when)]


def _agent_ready(when: str) -> dict:
    return status(
        "ProvisioningState/succeeded",
        "Ready",
        when,
        message="GuestAgent is running and accepting new configurations.",
    ).wire()
