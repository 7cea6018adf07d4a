"""One VM's patch lifecycle as pure functions: what an assessment finds and what an installation does.

Durations and chances are drawn from :func:`draw`, a hash of the store's seed and the operation's
identity (VM, kind, start instant), so the same store replays the same outcomes, whatever order the
engine happens to visit VMs in.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from .catalog import Patch

PLATFORM_CLASSIFICATIONS = ("Critical", "Security")
# What Windows Automatic Updates installs by itself (AutomaticByOS): the "important" updates.
WINDOWS_AUTO_UPDATE = ("Critical", "Security", "UpdateRollUp", "Definition")
# Cut-offs before a window ends (Azure Update Manager's troubleshooting guide: 15 minutes for an
# update and 10 for the reboot, "25 minutes"): an installation does not start with less time left, and
# keeps the reboot buffer of the Linux patch extension (15 minutes) free for the restart.
MIN_INSTALL_START = 25 * 60
REBOOT_BUFFER = 15 * 60
REBOOT_WAIT_TIMEOUT = 40 * 60  # LinuxPatchExtension: REBOOT_WAIT_TIMEOUT_IN_MINUTES_MAX
MAX_ATTEMPTS = 3  # LinuxPatchExtension: MAX_INSTALLATION_RETRY_COUNT


def draw(seed: int, *parts: object) -> float:
    """A deterministic number in [0, 1) for one decision."""
    digest = hashlib.blake2b(repr((seed, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


_MASK = (1 << 64) - 1


_MIX_START = 0x9E3779B97F4A7C15


def _mix_state(z: int, numbers) -> int:
    """splitmix64's state after folding ``numbers`` into ``z``."""
    for n in numbers:
        z = (z ^ (n & _MASK)) * 0xBF58476D1CE4E5B9 & _MASK
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB & _MASK
        z ^= z >> 31
    return z


def mix(*numbers: int) -> float:
    """A fast deterministic number in [0, 1) from integers only (splitmix64 over each)."""
    return _mix_state(_MIX_START, numbers) / 2**64


def activity_id(seed: int, vm_index: int, kind: str, start: int) -> str:
    digest = hashlib.blake2b(repr((seed, "activity", vm_index, kind, start)).encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


# mix()'s state after (seed, vm index, 1), per VM index for one seed: every assessment of a VM draws its
# length from that prefix and its start, so only the last round is left to compute (a hot path at scale).
_ASSESS_PREFIX: dict[int, int] = {}
_ASSESS_SEED: list[int | None] = [None]


def assessment_seconds(seed: int, vm_index: int, start: int) -> int:
    """``120 + int(mix(seed, vm_index, 1, start) * 240)``: two to six minutes."""
    if _ASSESS_SEED[0] != seed:
        _ASSESS_PREFIX.clear()
        _ASSESS_SEED[0] = seed
    prefix = _ASSESS_PREFIX.get(vm_index)
    if prefix is None:
        prefix = _ASSESS_PREFIX[vm_index] = _mix_state(_MIX_START, (seed, vm_index, 1))
    return 120 + int(_mix_state(prefix, (start,)) / 2**64 * 240)


def enablement_seconds(seed: int, vm_index: int) -> int:
    """Installing the patch extension: "more than three hours" (Azure's guide), 3 h to 3 h 40 min."""
    return 3 * 3600 + int(draw(seed, vm_index, "enable") * 40) * 60


def patch_seconds(seed: int, vm_index: int, patch: Patch, start: int) -> int:
    if patch.is_linux:
        # a package: a minute or two (a kernel, with its initramfs, a few more)
        low, spread = (3, 4) if patch.reboot_behavior == "AlwaysRequiresReboot" else (1, 2)
        return (low + int(draw(seed, vm_index, patch.uid, start) * spread)) * 60
    if patch.classification == "Security" and patch.reboot_behavior == "AlwaysRequiresReboot":
        low, spread = 18, 22  # a cumulative update
    else:
        low, spread = 3, 7
    return (low + int(draw(seed, vm_index, patch.uid, start) * spread)) * 60


def reboot_seconds(seed: int, vm_index: int, start: int) -> int:
    return (5 + int(draw(seed, vm_index, "reboot", start) * 6)) * 60


@dataclass(slots=True)
class Guest:
    """The guest conditions the platform needs (``autopatch sim requirement`` sets them)."""

    agent: bool = True
    update_service_running: bool = True
    update_source_reachable: bool = True
    update_source: str = "WindowsUpdate"  # or the WSUS server's URL
    package_manager: str | None = None  # a Linux guest: apt, yum, dnf, zypper or tdnf (None: Windows)

    def failure(self) -> dict | None:
        """The ApiError Azure's patch extension reports when a requirement is not met, else None."""
        if self.package_manager is not None:
            return self._linux_failure(self.package_manager)
        if not self.agent:
            return {
                "code": "VMAgentStatusCommunicationError",
                "message": "The VM agent is not installed or not reporting: the platform cannot run the patch "
                "extension. Install the Azure VM agent (osProfile.windowsConfiguration.provisionVMAgent).",
            }
        if not self.update_service_running:
            return {
                "code": "WindowsUpdateServiceNotRunning",
                "message": "The Windows Update service (wuauserv) is not running on the VM. Start the service "
                "and retry.",
            }
        if not self.update_source_reachable:
            source = "Windows Update" if self.update_source == "WindowsUpdate" else f"the WSUS server {self.update_source}"
            return {
                "code": "WindowsUpdateEndpointUnreachable",
                "message": f"The VM could not reach {source} to search for updates (0x8024402C). Check the VM's "
                "network and proxy settings.",
            }
        return None

    def _linux_failure(self, manager: str) -> dict | None:
        if not self.agent:
            return {
                "code": "VMAgentStatusCommunicationError",
                "message": "The VM agent (waagent) is not installed or not reporting: the platform cannot run the "
                "patch extension. Install the Azure Linux agent (osProfile.linuxConfiguration.provisionVMAgent).",
            }
        if not self.update_service_running:
            return {
                "code": "PackageManagerUnavailable",
                "message": f"The package manager ({manager}) is locked or not working on the VM. Let the other "
                "package operation finish (or repair the package manager) and retry.",
            }
        if not self.update_source_reachable:
            return {
                "code": "PackageRepositoryUnreachable",
                "message": f"The VM could not reach its package repositories to search for updates ({manager}). "
                "Check the VM's network, proxy and repository settings.",
            }
        return None


@dataclass(slots=True)
class Assessment:
    status: str
    start: int
    end: int
    activity: str
    critical_and_security: int = 0
    other: int = 0
    reboot_pending: bool = False
    error: dict | None = None
    patches: tuple[Patch, ...] = ()


@dataclass(slots=True)
class Installation:
    status: str
    start: int
    end: int
    activity: str
    installed: list[Patch] = field(default_factory=list)
    failed: list[Patch] = field(default_factory=list)
    pending: list[Patch] = field(default_factory=list)
    not_selected: int = 0
    excluded: int = 0
    window_exceeded: bool = False
    reboot_status: str = "NotNeeded"  # Unknown, NotNeeded, Required, Started, Failed, Completed
    rebooted: bool = False
    unhealthy: bool = False
    error: dict | None = None
    started_by: str = "Platform"
    ticket: tuple | None = None  # the rollout turn (release, phase, batch) it was started in, if any

    @property
    def kb_ids(self) -> list[str]:
        """The KB numbers installed; for a Linux VM, the packages as ``name_version``."""
        return [p.kb_id or p.label for p in self.installed]


def assess(seed: int, vm_index: int, start: int, missing: tuple[Patch, ...], guest: Guest, reboot_pending: bool,
           with_activity: bool = True, seconds: int | None = None, critical: int | None = None) -> Assessment:
    """``with_activity=False`` leaves ``activity`` empty for the caller to fill when it shows it. ``seconds``
    (:func:`assessment_seconds`) and ``critical`` (how many of ``missing`` are Critical or Security) are given by
    a caller that knows them already."""
    end = start + (assessment_seconds(seed, vm_index, start) if seconds is None else seconds)
    activity = activity_id(seed, vm_index, "assessment", start) if with_activity else ""
    failure = guest.failure()
    if failure is not None:
        return Assessment("Failed", start, end, activity, reboot_pending=reboot_pending, error=_api_error(failure))
    if critical is None:
        critical = sum(1 for p in missing if p.critical_or_security)
    return Assessment(
        "Succeeded", start, end, activity, critical, len(missing) - critical, reboot_pending, None, missing
    )


@dataclass(slots=True)
class Selection:
    """What an installation is asked to install (the platform's fixed choice, or installPatches' filters)."""

    classifications: tuple[str, ...] = PLATFORM_CLASSIFICATIONS
    kb_include: tuple[str, ...] = ()
    kb_exclude: tuple[str, ...] = ()
    exclude_requiring_reboot: bool = False
    max_publish: int | None = None
    reboot_setting: str = "IfRequired"  # IfRequired, Never, Always
    # linuxParameters.packageNameMasksToInclude/Exclude (a Linux package update matches by name)
    package_include: tuple[str, ...] = ()
    package_exclude: tuple[str, ...] = ()

    def verdict(self, patch: Patch) -> str:
        """``Selected``, ``Excluded`` or ``NotSelected``: what this selection makes of one missing patch."""
        if self.max_publish is not None and int(patch.published.timestamp()) > self.max_publish:
            return "NotSelected"
        if patch.is_linux:
            if any(mask_matches(mask, patch.name, patch.version, exclusion=True) for mask in self.package_exclude):
                return "Excluded"
            if patch.classification in self.classifications or any(
                mask_matches(mask, patch.name, patch.version) for mask in self.package_include
            ):
                return "Selected"
            return "NotSelected"
        if patch.kb_id in self.kb_exclude or (self.exclude_requiring_reboot and patch.reboot_behavior != "NeverReboots"):
            return "Excluded"
        if patch.classification in self.classifications or patch.kb_id in self.kb_include:
            return "Selected"
        return "NotSelected"


def distribution_updates(family: str | None, missing: tuple[Patch, ...]) -> list[Patch]:
    """What a Linux VM left to its distribution (patchMode ImageDefault) installs by itself: on Ubuntu and Debian
    images, unattended-upgrades installs the security updates daily and does not restart (a kernel or C library
    update leaves a reboot pending); RHEL, SUSE, Azure Linux and AlmaLinux images install nothing by themselves."""
    from ..azure.linux import distro

    found = distro(family)
    if found is None or not found.unattended_security:
        return []
    return [p for p in missing if p.critical_or_security]


def linux_selection(classifications: tuple[str, ...] = PLATFORM_CLASSIFICATIONS, include: tuple[str, ...] = (),
                    exclude: tuple[str, ...] = (), reboot_setting: str = "IfRequired",
                    max_publish: int | None = None) -> Selection:
    """installPatches' linuxParameters as a selection (the platform's own: Critical and Security)."""
    return Selection(tuple(classifications), (), (), False, max_publish, reboot_setting, tuple(include), tuple(exclude))


def mask_matches(mask: str, name: str, version: str, exclusion: bool = False) -> bool:
    """Whether a package name mask names a package update.

    A mask is an fnmatch pattern (``*``, ``?``, ``[...]``) on the package name, or on ``name_version`` (the
    spec's "packageName_packageVersion"), or ``name=version`` as the Linux patch extension writes it. As in
    the extension, a version in an exclusion is not matched: the name alone excludes.
    """
    mask = mask.strip()
    if "=" in mask:
        name_mask, version_mask = (part.strip() for part in mask.split("=", 1))
        return fnmatchcase(name, name_mask) and (exclusion or fnmatchcase(version, version_mask))
    return fnmatchcase(name, mask) or fnmatchcase(f"{name}_{version}", mask)


def install(
    seed: int,
    vm_index: int,
    start: int,
    deadline: int,
    missing: tuple[Patch, ...],
    guest: Guest,
    selection: Selection,
    faults: dict,
    started_by: str = "Platform",
    reboot_pending: bool = False,
) -> Installation:
    """Install what ``selection`` picks from ``missing`` between ``start`` and ``deadline``.

    Patches install one after the other; one that would run into the reboot buffer stays pending and the
    run reports ``maintenanceWindowExceeded``. A scripted fault makes a patch fail, a reboot hang, or the
    VM come back unhealthy. ``faults`` is updated in place as one-shot faults are spent. A VM with a reboot
    pending reboots even when nothing is left to install.
    """
    activity = activity_id(seed, vm_index, "installation", start)
    failure = guest.failure()
    if failure is not None:
        return Installation("Failed", start, start + 120, activity, error=_api_error(failure), started_by=started_by,
                            reboot_status="Unknown")
    verdicts = [selection.verdict(patch) for patch in missing]
    selected = [patch for patch, verdict in zip(missing, verdicts, strict=True) if verdict == "Selected"]
    not_selected, excluded = verdicts.count("NotSelected"), verdicts.count("Excluded")
    result = Installation("Succeeded", start, start, activity, not_selected=not_selected, excluded=excluded,
                          started_by=started_by)
    clock = start + 60  # the extension starts and searches
    budget_end = deadline - REBOOT_BUFFER
    needs_reboot = reboot_pending  # a reboot still owed (one that hung, or one a Never setting put off)
    for patch in selected:
        seconds = patch_seconds(seed, vm_index, patch, start)
        if clock + seconds > budget_end:
            result.pending.append(patch)
            continue
        clock += seconds
        if patch.fault == "fails" or (faults.get("installFailure", 0) > 0 and not result.failed):
            if patch.fault != "fails":
                faults["installFailure"] -= 1
            result.failed.append(patch)
            continue
        result.installed.append(patch)
        if patch.reboot_behavior == "AlwaysRequiresReboot" or (
            patch.reboot_behavior == "CanRequestReboot" and draw(seed, vm_index, "requests-reboot", patch.uid) < 0.3
        ):
            needs_reboot = True
    result.window_exceeded = bool(result.pending)
    reboot = selection.reboot_setting == "Always" or (needs_reboot and selection.reboot_setting == "IfRequired")
    if needs_reboot and selection.reboot_setting == "Never":
        result.reboot_status = "Required"
    elif reboot:
        if faults.get("rebootHang", 0) > 0:
            faults["rebootHang"] -= 1
            clock += REBOOT_WAIT_TIMEOUT
            result.reboot_status = "Failed"
            result.error = _api_error({
                "code": "RebootTimedOut",
                "message": f"The VM did not come back within {REBOOT_WAIT_TIMEOUT // 60} minutes of the reboot "
                "that completes the installation.",
            })
        else:
            clock += reboot_seconds(seed, vm_index, start)
            result.reboot_status = "Completed"
            result.rebooted = True
            if faults.get("unhealthyAfterReboot", 0) > 0 or any(p.fault == "unhealthy" for p in result.installed):
                if faults.get("unhealthyAfterReboot", 0) > 0:
                    faults["unhealthyAfterReboot"] -= 1
                result.unhealthy = True
                result.error = _api_error({
                    "code": "VMHealthCheckFailed",
                    "message": "The VM's platform health signal reported it unhealthy after the patch reboot.",
                })
    result.end = max(clock, start + 120)
    if result.failed and result.error is None:
        result.error = _api_error(
            {
                "code": "PatchInstallationFailed",
                "message": f"{len(result.failed)} patch(es) failed to install: "
                + ", ".join(p.label for p in result.failed),
            },
            details=[{"code": "PatchInstallationFailed", "target": p.label, "message": p.name} for p in result.failed],
        )
    if result.failed or result.reboot_status == "Failed" or result.unhealthy:
        result.status = "Failed"
    elif result.pending:
        result.status = "CompletedWithWarnings"
        result.error = _api_error({
            "code": "MaintenanceWindowExceeded",
            "message": f"The maintenance window ended before {len(result.pending)} patch(es) could be installed; "
            "they stay pending and are retried in the next off-peak window.",
        })
    return result


def _api_error(inner: dict, details: list[dict] | None = None) -> dict:
    """Azure's ApiError shape: a summary code and message, with the specific error in details."""
    return {
        "code": inner["code"],
        "message": inner["message"],
        "details": details if details is not None else [dict(inner)],
    }
