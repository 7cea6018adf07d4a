"""Who patches a VM: the platform, an Update Manager schedule, or nobody (the prerequisites matrix).

Update Manager's prerequisites for scheduled patching (MicrosoftDocs/azure-docs, articles/update-manager/
prerequsite-for-schedule-patching.md @c92f59c5) give the whole matrix of patchMode AutomaticByPlatform x
``bypassPlatformSafetyChecksOnUserSchedule`` x a schedule assigned:

| AutomaticByPlatform | bypass | schedule | result |
|---|---|---|---|
| yes | true | yes | the schedule patches the VM in its window |
| yes | true | no | neither the platform nor a schedule |
| yes | false | yes | neither: the schedule's prerequisites are not met |
| yes | false | no | the platform patches it (automatic VM guest patching) |
| no | any | yes | neither: the schedule's prerequisites are not met |
| no | any | no | neither (Windows Update itself for AutomaticByOS) |

A VM whose schedule is removed falls into the "no schedule" rows: with the bypass flag it is left alone
until a schedule returns; without it the platform patches it again. Reads only the stored VM record.
"""

from __future__ import annotations

from dataclasses import dataclass

PLATFORM, SCHEDULE, NOBODY = "platform", "schedule", "nobody"
PREREQUISITES_NOT_MET = (
    "The prerequisites for schedule patching aren't met: set patchMode to 'AutomaticByPlatform' and "
    "'automaticByPlatformSettings.bypassPlatformSafetyChecksOnUserSchedule' to true on the VM."
)


@dataclass(frozen=True)
class Verdict:
    patched_by: str  # platform, schedule or nobody
    reason: str
    prerequisites_error: bool = False


def _settings(record: dict) -> dict:
    os_profile = record["vm"].get("properties", {}).get("osProfile", {})
    config = os_profile.get("windowsConfiguration") or os_profile.get("linuxConfiguration") or {}
    return config.get("patchSettings") or {}


def bypass(record: dict) -> bool:
    return bool((_settings(record).get("automaticByPlatformSettings") or {}).get("bypassPlatformSafetyChecksOnUserSchedule"))


def schedules(record: dict) -> list[str]:
    """The maintenance configuration ids assigned to the VM (kept on its record by ops/maintenance.py)."""
    return list(record.get("sim", {}).get("schedules") or ())


def verdict(record: dict) -> Verdict:
    by_platform = _settings(record).get("patchMode") == "AutomaticByPlatform"
    flag = bypass(record)
    assigned = schedules(record)
    if assigned:
        if by_platform and flag:
            return Verdict(SCHEDULE, f"the schedule {assigned[0].split('/')[-1]} patches it in its own window "
                           "(AutomaticByPlatform with bypassPlatformSafetyChecksOnUserSchedule true)")
        return Verdict(NOBODY, "a schedule is assigned but its prerequisites are not met, so neither the schedule "
                       "nor the platform patches it. " + PREREQUISITES_NOT_MET, prerequisites_error=True)
    if by_platform and flag:
        return Verdict(NOBODY, "bypassPlatformSafetyChecksOnUserSchedule is true and no schedule is assigned: the "
                       "platform leaves it to a schedule, and none patches it")
    if by_platform:
        return Verdict(PLATFORM, "AutomaticByPlatform without the bypass flag: the platform patches it")
    return Verdict(NOBODY, "patchMode is not AutomaticByPlatform and no schedule is assigned")


def platform_patches(record: dict) -> bool:
    """Whether automatic VM guest patching may patch this VM (the one matrix row where it does)."""
    return verdict(record).patched_by == PLATFORM or (
        not bypass(record) and not schedules(record)  # AutomaticByOS/Manual: the engine decides by mode
    )
