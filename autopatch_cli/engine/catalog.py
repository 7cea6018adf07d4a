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

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..azure import linux
from ..azure.catalog import WINDOWS_PATCH_CLASSIFICATIONS
from ..azure.images import (
    HOTPATCH_VERSIONS,
    WINDOWS_SERVER_VERSIONS,
    hotpatch_family,
    is_baseline_month,
    is_hotpatch_family,
)
from ..azure.linux import is_linux_family

CLASSIFICATIONS = WINDOWS_PATCH_CLASSIFICATIONS
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
# OS families by the image SKU prefix, with the name Windows Update gives them (azure/images.py).
OS_FAMILIES = {version.prefix: version.name for version in WINDOWS_SERVER_VERSIONS}
# the hotpatch track of the Azure Edition images (hotpatch months install without a restart)
OS_FAMILIES.update({hotpatch_family(v.prefix): f"{v.name} Datacenter: Azure Edition"
                    for v in WINDOWS_SERVER_VERSIONS if v.prefix in HOTPATCH_VERSIONS})
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
    # Stable short id: the release label and the patch's place in it ("2020-11#0").
    uid: str = ""
    # Out-of-band patches may carry a scripted fault: "fails" (never installs) or "unhealthy" (the VM is
    # unhealthy after the reboot that installs it).
    fault: str | None = None
    # A Linux package update: its version in the distribution's format (empty for a Windows KB)
    version: str = ""

    @property
    def critical_or_security(self) -> bool:
        return self.classification in ("Critical", "Security")

    @property
    def is_linux(self) -> bool:
        return bool(self.version)

    @property
    def package_key(self) -> str:
        """What a newer patch of the same thing replaces: the KB number, or the Linux package's name."""
        return self.kb_id or self.name

    @property
    def label(self) -> str:
        """How results and history name it: ``KB5001234``, or ``openssl_3.0.2-0ubuntu1.15`` (the
        ``packageName_packageVersion`` form of installPatches' package masks)."""
        return f"{self.name}_{self.version}" if self.version else f"KB{self.kb_id}"


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
    # the hotpatch track: outside the baseline months the cumulative update is a hotpatch, no restart
    hotpatch = is_hotpatch_family(family) and not is_baseline_month(month)
    patches = [
        Patch(_guid(rng), cumulative_kb(seed, year, month, family),
              f"{label} Security Hotpatch Update for {os_name} for x64-based Systems" if hotpatch else
              f"{label} Cumulative Update for {os_name} for x64-based Systems",
              "Security", "NeverReboots" if hotpatch else "AlwaysRequiresReboot", published, supersedes=previous),
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
    return [replace(p, uid=f"{label}#{i}") for i, p in enumerate(patches)]


def cumulative_kb(seed: int, year: int, month: int, family: str) -> str:
    """The KB number of a month's cumulative update (needed by the next month to supersede it)."""
    rng = random.Random(f"{seed}:cumulative:{_month_index(year, month)}:{family}")
    return str(rng.randint(4_500_000, 5_099_999))


def releases_between(seed: int, start: datetime, end: datetime, family: str | None) -> list[tuple[datetime, list[Patch]]]:
    """Every release published in ``(start, end]``, oldest first; none for an OS without a catalog here (a
    custom image, an attached disk, a SKU autopatch does not model), so such a VM assesses clean, never crashes."""
    out: list[tuple[datetime, list[Patch]]] = []
    if is_linux_family(family):
        assert family is not None  # a Linux family is a distribution key
        return linux_releases_between(seed, start, end, family)
    if family not in OS_FAMILIES:
        return out
    year, month = start.year, start.month
    while True:
        when = patch_tuesday(year, month)
        if when > end:
            break
        if when > start:
            out.append((when, release(seed, year, month, family)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def out_of_band(raw: dict) -> Patch:
    """An out-of-band patch published by ``autopatch catalog publish`` (stored as its dict): a Windows KB, or a
    Linux package update (its ``version`` set, no KB)."""
    from .clock import parse_instant

    return Patch(
        patch_id=raw["patchId"], kb_id=raw["kbId"], name=raw["name"], classification=raw["classification"],
        reboot_behavior=raw["rebootBehavior"], published=parse_instant(raw["published"]),
        supersedes=raw.get("supersedes"), uid=raw["uid"], fault=raw.get("fault"), version=raw.get("version", ""),
    )


class PatchIndex:
    """Every patch a family has seen between two instants, and which of them a VM still misses.

    A VM misses a patch published after the VM was created (its image carried everything older) that it
    has not installed, unless a newer patch supersedes it: next month's cumulative update replaces this
    month's, and a newer release of the same KB (the monthly MSRT and Defender definitions) replaces the
    older one. Answers are cached by (family, creation, cut-off, installed set): a fleet of identical VMs
    asks once.
    """

    def __init__(self, seed: int, start: datetime, end: datetime, extra: Sequence[dict] = ()):
        self.seed = seed
        self.start = start
        self.end = end
        self._extra = [(out_of_band(raw), tuple(raw.get("families") or OS_FAMILIES)) for raw in extra]
        self._by_family: dict[str | None, list[Patch]] = {}
        self._published: dict[str | None, list[int]] = {}
        self._cache: dict[tuple, tuple[tuple[Patch, ...], int]] = {}

    def patches(self, family: str | None) -> list[Patch]:
        plist = self._by_family.get(family)
        if plist is None:
            plist = [p for _, ps in releases_between(self.seed, self.start, self.end, family) for p in ps]
            extra = [p for p, families in self._extra if family in families and self.start < p.published <= self.end]
            plist.extend(extra)
            plist.sort(key=lambda p: (p.published, p.uid))
            if extra and is_linux_family(family):  # after an out-of-band version, only newer ones follow
                distro = linux.DISTROS_BY_KEY[family or ""]
                keep = linux.newer_each_time([(p.name, p.version) for p in plist], distro)
                plist = [p for p, kept in zip(plist, keep, strict=True) if kept]
            self._by_family[family] = plist
            self._published[family] = [int(p.published.timestamp()) for p in plist]
        return plist

    def missing(self, family: str | None, created: int, upto: int, installed: frozenset) -> tuple[Patch, ...]:
        """Patches published in (created, upto] that a VM created at ``created`` has not installed."""
        return self.missing_counted(family, created, upto, installed)[0]

    def missing_counted(self, family: str | None, created: int, upto: int,
                        installed: frozenset) -> tuple[tuple[Patch, ...], int]:
        """:meth:`missing`, and how many of those patches are Critical or Security (what an assessment counts),
        both cached: the fleet's VMs of one image ask the same question night after night."""
        stamps = self._published.get(family)
        if stamps is None:
            self.patches(family)
            stamps = self._published[family]
        key = (family, bisect.bisect_right(stamps, created), bisect.bisect_right(stamps, upto), installed)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._missing(*key)
        return hit

    def _missing(self, family: str | None, first: int, last: int,
                 installed: frozenset) -> tuple[tuple[Patch, ...], int]:
        plist = self.patches(family)
        offered = plist[:last]
        superseded = {p.supersedes for p in offered if p.supersedes}
        newest_of_kb: dict[str, str] = {}
        for p in offered:
            newest_of_kb[p.package_key] = p.uid
        result = tuple(
            p for p in plist[first:last]
            if p.uid not in installed and p.kb_id not in superseded and newest_of_kb[p.package_key] == p.uid
        )
        return result, sum(1 for p in result if p.critical_or_security)

    def by_uid(self, family: str | None, uid: str) -> Patch | None:
        for p in self.patches(family):
            if p.uid == uid:
                return p
        return None


# ---- Linux: package updates through the month -----------------------------------------------------
#
# A distribution publishes security fixes on several working days of each month (its advisories: USN,
# DSA, RHSA, SUSE-SU, Azure Linux CVE fixes), not on Patch Tuesday. Per distribution and month, from the
# seed: RELEASE_DAYS_PER_MONTH release days (distinct working days, at a time between 08:00 and 20:00
# UTC), each with one to three package updates drawn by weight from the distribution's packages
# (azure/linux.py), and, most months, one kernel security update. A package's version grows with every
# update (its revision counts the months since the distribution's release, then the month's updates).

RELEASE_DAYS_PER_MONTH = (4, 7)  # fewest and most release days in a month
KERNEL_UPDATE_CHANCE = 0.85  # the kernel's security update: most months (a roughly four-week cycle)
CRITICAL_SHARE = 0.15  # of the security updates of a distribution whose advisories carry a severity
BUGFIX_SHARE = 0.12  # of the updates of a package with security fixes: a bug fix (Other) instead


def _months_since_release(distro: linux.Distro, year: int, month: int) -> int:
    return _month_index(year, month) - _month_index(distro.released.year, distro.released.month)


def linux_release_days(seed: int, year: int, month: int, key: str) -> list[datetime]:
    """The instants a distribution publishes updates in ``year-month``, oldest first (none before its release)."""
    import calendar

    distro = linux.DISTROS_BY_KEY[key]
    rng = random.Random(f"{seed}:linux-days:{_month_index(year, month)}:{key}")
    last = calendar.monthrange(year, month)[1]
    workdays = [d for d in range(1, last + 1) if date(year, month, d).weekday() < 5]
    count = rng.randint(*RELEASE_DAYS_PER_MONTH)
    days = sorted(rng.sample(workdays, count))
    out = []
    for day in days:
        when = datetime(year, month, day, rng.randint(8, 19), rng.choice((0, 15, 30, 45)), tzinfo=UTC)
        if when > distro.released:
            out.append(when)
    return out


def linux_release(seed: int, year: int, month: int, key: str) -> list[tuple[datetime, list[Patch]]]:
    """Every release day of a distribution in ``year-month`` with its package updates."""
    distro = linux.DISTROS_BY_KEY[key]
    since = _months_since_release(distro, year, month)
    if since < 0:
        return []
    days = linux_release_days(seed, year, month, key)
    if not days:
        return []
    rng = random.Random(f"{seed}:linux-updates:{_month_index(year, month)}:{key}")
    universe = linux.packages(distro)
    weights = [p.weight for p in universe]
    kernel_day = rng.randrange(len(days)) if rng.random() < KERNEL_UPDATE_CHANCE else None
    updates_of: dict[str, int] = {}
    out = []
    for number, when in enumerate(days):
        label = when.strftime("%Y-%m-%d")
        picked: list[tuple[str, str, str, bool]] = []  # name, version, classification, reboot
        if number == kernel_day:
            kernel_class = "Critical" if distro.severities and rng.random() < CRITICAL_SHARE else "Security"
            picked.append((distro.kernel, linux.kernel_version(distro, since * 2 + 1), kernel_class, True))
        for package in rng.choices(universe, weights, k=rng.randint(1, 3)):
            if any(name == package.name for name, *_ in picked):
                continue
            seen = updates_of.get(package.name, 0)
            if seen >= 3:
                continue
            updates_of[package.name] = seen + 1
            if not package.security or rng.random() < BUGFIX_SHARE:
                classification = "Other"
            elif distro.severities and rng.random() < CRITICAL_SHARE:
                classification = "Critical"
            else:
                classification = "Security"
            version = linux.version_string(distro, package.upstream, since + 1, seen)
            picked.append((package.name, version, classification, package.reboot))
        patches = [
            Patch(linux.patch_id(distro, name, version), "", name, classification,
                  "AlwaysRequiresReboot" if reboot else "NeverReboots", when, uid=f"{label}#{i}", version=version)
            for i, (name, version, classification, reboot) in enumerate(picked)
        ]
        out.append((when, patches))
    return out


def linux_releases_between(seed: int, start: datetime, end: datetime, key: str) -> list[tuple[datetime, list[Patch]]]:
    """Every release day of a distribution in ``(start, end]``, oldest first."""
    out: list[tuple[datetime, list[Patch]]] = []
    year, month = start.year, start.month
    while datetime(year, month, 1, tzinfo=UTC) <= end:
        out.extend((when, patches) for when, patches in linux_release(seed, year, month, key) if start < when <= end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def image_family(publisher: str, offer: str, sku: str) -> str | None:
    """The catalog family of a marketplace image: a Windows Server SKU prefix, a Linux distribution key,
    or None (a custom image, an image the catalog does not model)."""
    from ..azure.images import WINDOWS_SERVER

    if (publisher.lower(), offer.lower()) == tuple(x.lower() for x in WINDOWS_SERVER):
        return os_family(sku)
    return linux.distro_of(publisher, offer, sku)


def classification_titles(patch: Patch) -> list[str]:
    """A patch's ``classifications`` as the patch extension reports them: Windows Update's titles
    ("Security Updates"), or the Linux classification itself (Critical, Security, Other)."""
    if patch.is_linux:
        return [patch.classification]
    return [CLASSIFICATION_TITLES[patch.classification]]
