"""The sample fleet ``autopatch demo`` builds: every rule of the rollout has something to act on.

- paired regions in different phases: eastus/westus (and westus3, paired one way to eastus),
  northeurope/westeurope, japaneast/japanwest;
- availability zones (eastus, northeurope, westeurope, japaneast) with zonal VMs in each zone;
- availability sets with update domains: one of 10 VMs (20% cap: two at a time) and one of 4 (one at a
  time);
- standalone VMs in each region's own time zone;
- AutomaticByOS and Manual VMs (not orchestrated), one deallocated VM, and one VM that comes back
  unhealthy after its patch reboot, which fails its phase and halts the rollout;
- Linux VMs (LINUX_VMS): Ubuntu 20.04 and RHEL 8 with AutomaticByPlatform, which take their turn in the same
  rollout, and an Ubuntu 20.04 VM left to its distribution (ImageDefault). The demo's month is the guide's
  (October 2020), when Ubuntu 20.04 and RHEL 8 were out; AutomaticByPlatform on Linux is set as the
  configuration change of a PUT where the era's rules refuse it (see linux_vm).
"""

from __future__ import annotations

from datetime import timedelta

from ..azure import catalog
from . import availability_sets, clock, features, groups, providers, sim, vm_create, vms
from .state import now

PASSWORD = "Demo!Passw0rd-2020"
# region: (Windows time zone, zoned)
REGIONS = {
    "eastus": ("Eastern Standard Time", True),
    "westus": ("Pacific Standard Time", False),
    "westus3": ("US Mountain Standard Time", True),
    "northeurope": ("GMT Standard Time", True),
    "westeurope": ("W. Europe Standard Time", True),
    "japaneast": ("Tokyo Standard Time", True),
    "japanwest": ("Tokyo Standard Time", False),
}
UNHEALTHY_VM = ("rg-westus", "web-westus-2")
UBUNTU_2004 = "Canonical:0001-com-ubuntu-server-focal:20_04-lts-gen2:latest"
RHEL_8 = "RedHat:RHEL:8-lvm-gen2:latest"
# (group, name, image, patch mode, zone)
LINUX_VMS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("rg-eastus", "ubuntu-eastus-1", UBUNTU_2004, "AutomaticByPlatform", "1"),
    ("rg-eastus", "rhel-eastus-2", RHEL_8, "AutomaticByPlatform", "2"),
    ("rg-northeurope", "ubuntu-northeurope-1", UBUNTU_2004, "AutomaticByPlatform", None),
    ("rg-japanwest", "rhel-japanwest-1", RHEL_8, "AutomaticByPlatform", None),
    ("rg-westeurope", "ubuntu-imagedefault", UBUNTU_2004, "ImageDefault", None),
)
DEALLOCATED_VM = ("rg-northeurope", "batch-northeurope-1")


def opt_in(state) -> None:
    """The guide's opt-in: both preview features registered, then Microsoft.Compute re-registered."""
    features.register(state, "Microsoft.Compute", catalog.AUTO_PATCH_FEATURE)
    features.register(state, "Microsoft.Compute", catalog.ON_DEMAND_FEATURE)
    clock.tick(state, now(state) + timedelta(minutes=20))
    providers.register(state, "Microsoft.Compute")
    clock.tick(state, now(state) + timedelta(minutes=5))


def windows_vm(state, group: str, name: str, tz: str = "UTC", zone: str | None = None,
               availability_set: str | None = None, mode: str = "AutomaticByPlatform",
               image: str = "Win2019Datacenter", password: str = PASSWORD) -> str:
    """A Windows VM as `az vm create` would make it, through the same operations."""
    body = vm_create.build_body(
        state, group, name, image, admin_password=password, admin_username="azureuser",
        enable_agent=True, enable_auto_update=mode != "Manual", patch_mode=mode, time_zone=tz, zone=zone,
        availability_set=availability_set, computer_name=name[:15].rstrip("-"),
    )
    vms.put(state, group, name, body)
    return name


def linux_vm(state, group: str, name: str, image: str = "Ubuntu2204", mode: str = "AutomaticByPlatform",
             zone: str | None = None, availability_set: str | None = None, password: str = PASSWORD) -> str:
    """A Linux VM as `az vm create --image <Linux image> --patch-mode ...` makes it, through the same operations.

    Where the simulated era's rules refuse AutomaticByPlatform on Linux (the 2020 preview of the guide), the VM
    is created ImageDefault and its patch mode set afterwards through the same configuration change a PUT
    makes, so the demo and the engine tests have Linux VMs the platform patches in every era."""
    from ..errors import AzureError
    from . import patching

    def body(patch_mode: str | None) -> dict:
        return vm_create.build_body(
            state, group, name, image, admin_password=password, admin_username="azureuser", enable_agent=True,
            patch_mode=patch_mode, zone=zone, availability_set=availability_set,
        )

    try:
        vms.put(state, group, name, body(mode))
    except AzureError:
        if mode != "AutomaticByPlatform":
            raise
        vms.put(state, group, name, body("ImageDefault"))
        record = vms.require(state, group, name)
        settings = record["vm"]["properties"]["osProfile"]["linuxConfiguration"].setdefault("patchSettings", {})
        settings["patchMode"] = mode
        patching.on_configuration_change(state, record, "ImageDefault")
    return name


def build(state) -> dict:
    """Opt in (features, provider), create the fleet, and stage the faults; returns what was made."""
    opt_in(state)
    made = []
    for region, (tz, zoned) in REGIONS.items():
        group = f"rg-{region}"
        groups.create(state, group, region)
        if zoned:
            for zone in ("1", "2", "3"):
                for i in (1, 2):
                    made.append(windows_vm(state, group, f"app-{region}-z{zone}-{i}", tz, zone=zone))
        for i in (1, 2, 3):
            made.append(windows_vm(state, group, f"web-{region}-{i}", tz))
    availability_sets.create(state, "rg-eastus", "sql-set", "eastus", update_domains=5, fault_domains=2)
    for i in range(10):
        made.append(windows_vm(state, "rg-eastus", f"sql-{i}", REGIONS["eastus"][0], availability_set="sql-set"))
    availability_sets.create(state, "rg-westeurope", "cache-set", "westeurope", update_domains=3, fault_domains=2)
    for i in range(4):
        made.append(windows_vm(state, "rg-westeurope", f"cache-{i}", REGIONS["westeurope"][0], availability_set="cache-set"))
    made.append(windows_vm(state, "rg-eastus", "desktop-byos", REGIONS["eastus"][0], mode="AutomaticByOS"))
    made.append(windows_vm(state, "rg-westeurope", "legacy-manual", REGIONS["westeurope"][0], mode="Manual"))
    for linux_group, name, image, mode, linux_zone in LINUX_VMS:
        made.append(linux_vm(state, linux_group, name, image, mode, zone=linux_zone))
    made.append(windows_vm(state, *DEALLOCATED_VM, REGIONS["northeurope"][0]))
    vms.set_power(state, *DEALLOCATED_VM, "deallocate")
    sim.add_fault(state, *UNHEALTHY_VM, "unhealthy-after-reboot")
    return {"vms": len(made), "linuxVms": len(LINUX_VMS), "unhealthy": "/".join(UNHEALTHY_VM),
            "deallocated": "/".join(DEALLOCATED_VM)}


def fleet_status(state) -> list[dict]:
    """One line per VM: where it is, its mode, and its last installation (or why there was none)."""
    from ..azure.linux import distro
    from . import orchestration, patching

    out = []
    for record in state.data["vms"].values():
        vm = record["vm"]
        settings = (patching.os_configuration(record) or {}).get("patchSettings") or {}
        linux = distro(patching.linux_distro(record))
        summary = (record["iv"].get("patchStatus") or {}).get("lastPatchInstallationSummary") or {}
        group = vms.group_of(record)
        why = orchestration.why(state, group, vm["name"])
        out.append({
            "name": vm["name"], "resourceGroup": group, "region": vm["location"],
            "os": f"{linux.name} {linux.version}" if linux else "Windows",
            "zone": (vm.get("zones") or [None])[0],
            "availabilitySet": vm["properties"].get("availabilitySet", {}).get("id", "").rsplit("/", 1)[-1] or None,
            "patchMode": settings.get("patchMode"), "powerState": vms.POWER_DISPLAY[record["sim"]["power"]],
            "lastInstallation": summary.get("status"), "installedPatchCount": summary.get("installedPatchCount"),
            "lastInstallationTime": summary.get("startTime"), "why": why["message"] if why["reason"] != "patched" else None,
            "whyCode": why["reason"] if why["reason"] != "patched" else None,
        })
    return out
