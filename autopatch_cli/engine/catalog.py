"""The monthly patch catalog: what Windows Update offers each supported OS, release by release.

Each month's release lands on Patch Tuesday (the second Tuesday, 10:00 Pacific time, as Microsoft
publishes it) and is generated from the store's seed alone, so two stores with the same seed see the
same KB numbers, names and behaviours. A release holds, per OS family:

- the monthly cumulative update (Security, AlwaysRequiresReboot), which supersedes last month's;
- a .NET Framework security update (Security, CanRequestReboot);
- the servicing stack update (Critical, NeverReboots);
- the Malicious Software Removal Tool (UpdateRollUp, CanRequestReboot);
- a Defender definition update (Definition, NeverReboots);
- now and then a non-security update (Updates or FeaturePack).

Pure data and arithmetic: no clock, no I/O.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

CLASSIFICATIONS = (
    "Critical", "Security", "UpdateRollUp", "FeaturePack", "ServicePack", "Definition", "Tools", "Updates",
)
REBOOT_BEHAVIOURS = ("NeverReboots", "AlwaysRequiresReboot", "CanRequestReboot")
# How Windows Update names a classification in a patch's `classifications` list.
CLASSIFICATION_TITLES = {
    "Critical": "Critical Updates",
    "Security": "Security Updates",
    "UpdateRollUp": "Update Rollups",
    "FeaturePack": "Feature Packs",
    "ServicePack": "Service Packs",
    "Definition": "Definition Updates",
    "Tools": "Tools",
    "Updates": "Updates",
}
# OS families by the image SKU prefix, with the name Windows Update gives them.
OS_FAMILIES = {
    "2012-r2": "Windows Server 2012 R2",
    "2016": "Windows Server 2016",
    "2019": "Windows Server 2019",
}
_PACIFIC = ZoneInfo("America/Los_Angeles")


@dataclass(frozen=True)
class Patch:
    patch_id: str
    kb_id: str
    name: str
    classification: str
    reboot_behavior: str
    published: datetime
    supersedes: str | None = None

    @property
    def critical_or_security(self) -> bool:
        return self.classification in ("Critical", "Security")


def patch_tuesday(year: int, month: int) -> datetime:
    """10:00 Pacific time on the second Tuesday of the month, in UTC."""
    first = date(year, month, 1)
    first_tuesday = first + timedelta(days=(1 - first.weekday()) % 7)
    second = first_tuesday + timedelta(days=7)
    return datetime(second.year, second.month, second.day, 10, tzinfo=_PACIFIC).astimezone(UTC)


def os_family(sku: str) -> str | None:
    sku = sku.lower()
    for prefix in sorted(OS_FAMILIES, key=len, reverse=True):
        if sku.startswith(prefix):
            return prefix
    return None


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _kb(rng: random.Random) -> str:
    return str(rng.randint(4_500_000, 5_099_999))


def _guid(rng: random.Random) -> str:
    import uuid

    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def release(seed: int, year: int, month: int, family: str) -> list[Patch]:
    """The Patch Tuesday release of ``year-month`` for an OS ``family`` (a key of OS_FAMILIES)."""
    rng = random.Random(f"{seed}:release:{_month_index(year, month)}:{family}")
    published = patch_tuesday(year, month)
    label = f"{year}-{month:02d}"
    os_name = OS_FAMILIES[family]
    previous = cumulative_kb(seed, *_previous_month(year, month), family)
    patches = [
        Patch(_guid(rng), cumulative_kb(seed, year, month, family),
              f"{label} Cumulative Update for {os_name} for x64-based Systems",
              "Security", "AlwaysRequiresReboot", published, supersedes=previous),
        Patch(_guid(rng), _kb(rng),
              f"{label} Cumulative Update for .NET Framework 3.5, 4.7.2 and 4.8 for {os_name} for x64",
              "Security", "CanRequestReboot", published),
        Patch(_guid(rng), _kb(rng), f"{label} Servicing Stack Update for {os_name} for x64-based Systems",
              "Critical", "NeverReboots", published),
        Patch(_guid(rng), "890830", f"Windows Malicious Software Removal Tool x64 - v5.{rng.randint(80, 120)} ({label})",
              "UpdateRollUp", "CanRequestReboot", published),
        Patch(_guid(rng), "2267602",
              f"Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 "
              f"(Version 1.{rng.randint(300, 400)}.{rng.randint(100, 2000)}.0)",
              "Definition", "NeverReboots", published),
    ]
    if rng.random() < 0.5:
        kind = rng.choice(("Updates", "FeaturePack"))
        patches.append(
            Patch(_guid(rng), _kb(rng), f"{label} Update for {os_name} for x64-based Systems", kind,
                  rng.choice(REBOOT_BEHAVIOURS), published)
        )
    return patches


def cumulative_kb(seed: int, year: int, month: int, family: str) -> str:
    """The KB number of a month's cumulative update (needed by the next month to supersede it)."""
    rng = random.Random(f"{seed}:cumulative:{_month_index(year, month)}:{family}")
    return str(rng.randint(4_500_000, 5_099_999))


def releases_between(seed: int, start: datetime, end: datetime, family: str) -> list[tuple[datetime, list[Patch]]]:
    """Every release published in ``(start, end]``, oldest first."""
    out = []
    year, month = start.year, start.month
    while True:
        when = patch_tuesday(year, month)
        if when > end:
            break
        if when > start:
            out.append((when, release(seed, year, month, family)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
