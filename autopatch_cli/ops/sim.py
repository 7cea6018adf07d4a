"""autopatch's own levers on the simulation: guest requirements, injected faults, the patch catalog.

None of this exists in Azure; it is how a script stages the situations Azure's guide describes (an agent
missing, Windows Update unreachable, a bad patch, a VM unhealthy after its reboot).
"""

from __future__ import annotations

import re
from datetime import datetime

from ..engine.clock import format_instant, from_epoch, parse_instant, to_epoch
from ..errors import ValidationError
from . import patching, vms
from .state import next_guid, now, now_text, seed

# fault kind as the CLI spells it -> its key in the VM's sim.faults
FAULTS = {
    "install-failure": "installFailure",
    "reboot-hang": "rebootHang",
    "unhealthy-after-reboot": "unhealthyAfterReboot",
}


def requirements(state, group: str, name: str) -> dict:
    record = vms.require(state, group, name)
    return _requirements_view(record)


def _requirements_view(record: dict) -> dict:
    guest = record["sim"].get("guest") or {}
    windows = record["vm"]["properties"]["osProfile"].get("windowsConfiguration") or {}
    return {
        "name": record["vm"]["name"],
        "resourceGroup": vms.group_of(record),
        "agent": windows.get("provisionVMAgent", True) is not False and guest.get("agent", True),
        "windowsUpdateService": "Running" if guest.get("windowsUpdateService", True) else "Stopped",
        "updateSource": guest.get("updateSource", "WindowsUpdate"),
        "updateSourceReachable": guest.get("updateSourceReachable", True),
    }


def set_requirements(state, group: str, name: str, agent: bool | None = None, service_running: bool | None = None,
                     reachable: bool | None = None, update_source: str | None = None) -> dict:
    record = vms.require(state, group, name)
    windows = vms.is_windows(record["vm"])
    if not windows and patching.linux_distro(record) is None:
        raise ValidationError("guest requirements apply to Windows VMs and to Linux VMs of a distribution autopatch "
                              "simulates")
    if update_source is not None and not windows:
        raise ValidationError("--update-source (Windows Update or a WSUS server) applies to Windows VMs only")
    guest = record["sim"].setdefault("guest", {})
    if agent is not None:
        guest["agent"] = agent
        view = record["iv"]
        if not agent:
            view.pop("vmAgent", None)
        elif "vmAgent" not in view:
            from ..azure.catalog import VM_AGENT_VERSION

            view["vmAgent"] = {"vmAgentVersion": VM_AGENT_VERSION, "statuses": []}
            vms.refresh_statuses(record, now_text(state))
    if service_running is not None:
        guest["windowsUpdateService"] = service_running
    if reachable is not None:
        guest["updateSourceReachable"] = reachable
    if update_source is not None:
        source = update_source.strip()
        if source.lower() in ("windowsupdate", "windows-update", "microsoft"):
            source = "WindowsUpdate"
        elif not source.lower().startswith(("http://", "https://")):
            raise ValidationError("--update-source must be 'WindowsUpdate' or a WSUS server URL (http:// or https://)")
        guest["updateSource"] = source
    patching.wake(record)
    return _requirements_view(record)


def add_fault(state, group: str, name: str, kind: str, count: int = 1) -> dict:
    record = vms.require(state, group, name)
    if kind not in FAULTS:
        raise ValidationError(f"unknown fault '{kind}': choose one of {', '.join(FAULTS)}")
    if count < 1:
        raise ValidationError("--count must be at least 1")
    faults = record["sim"].setdefault("faults", {})
    faults[FAULTS[kind]] = faults.get(FAULTS[kind], 0) + count
    return faults_view(record)


def clear_faults(state, group: str, name: str) -> dict:
    record = vms.require(state, group, name)
    record["sim"]["faults"] = {}
    patch = record["sim"].get("patch")
    if patch is not None and not patch.get("healthy", True):
        patch["healthy"] = True
        from .patching import health_status

        record["iv"]["vmHealth"] = health_status(True, now_text(state))
    return faults_view(record)


def faults_view(record: dict) -> dict:
    faults = record["sim"].get("faults") or {}
    inverse = {v: k for k, v in FAULTS.items()}
    return {
        "name": record["vm"]["name"],
        "resourceGroup": vms.group_of(record),
        "faults": {inverse[k]: v for k, v in sorted(faults.items()) if v},
    }


# ---- the patch catalog -------------------------------------------------------------------------


def catalog_list(state, month: str | None = None, os_family: str | None = None) -> list[dict]:
    """Every patch of the releases up to now (or of one month), per OS family."""
    from ..engine.catalog import OS_FAMILIES, PatchIndex

    distros = _linux_distros(os_family, now(state))
    if distros:
        return _linux_catalog(state, month, distros)
    families = _families(os_family, now(state))
    start = parse_instant(state.section("clock")["start"])
    first = from_epoch(to_epoch(start) - 62 * 86_400)
    end = now(state)
    if month is not None:
        try:
            year, number = (int(x) for x in month.split("-"))
            from ..engine.catalog import patch_tuesday

            when = patch_tuesday(year, number)
        except ValueError as exc:
            raise ValidationError(f"--month must look like 2020-11, not '{month}'") from exc
        if when > end:
            return []  # not published yet: the catalog shows what Windows Update offers now
        first, end = from_epoch(to_epoch(when) - 1), end
    index = PatchIndex(seed(state), first, end, (state.section("catalog") or {}).get("outOfBand", []))
    out = []
    for family in families:
        for patch in index.patches(family):
            if month is not None and not patch.uid.startswith(month):
                continue
            out.append({
                "release": patch.uid.split("#")[0],
                "os": OS_FAMILIES[family],
                "kbId": patch.kb_id,
                "name": patch.name,
                "classification": patch.classification,
                "rebootBehavior": patch.reboot_behavior,
                "publishedDate": format_instant(patch.published),
                "supersedes": patch.supersedes,
                "patchId": patch.patch_id,
                "fault": patch.fault,
            })
    return out


def _families(os_family: str | None, when) -> list[str]:
    from ..azure.images import catalog_families
    from ..azure.linux import catalog_distros

    published = catalog_families(when)  # the Windows Server versions of the era (azure/images.py)
    if os_family is None:
        return published
    key = os_family.lower().removeprefix("windows server ").replace(" ", "-")
    if key not in published:
        linux = catalog_distros(when)
        raise ValidationError(f"--os must be one of: {', '.join(published + ['linux', *linux])}")
    return [key]


def _linux_distros(os_family: str | None, when) -> list[str]:
    """The Linux distributions `catalog list --os` names: one key (ubuntu-22.04), or ``linux`` for all of them
    released by the simulated date; none for a Windows family or no --os."""
    from ..azure.linux import DISTRO_KEYS, catalog_distros

    if os_family is None:
        return []
    key = os_family.lower().strip()
    released = catalog_distros(when)
    if key == "linux":
        return released
    if key in DISTRO_KEYS:
        if key not in released:
            raise ValidationError(f"--os {key}: the distribution is not released yet on the simulated date; "
                                  f"released: {', '.join(released)}")
        return [key]
    return []


def _linux_catalog(state, month: str | None, distros: list[str]) -> list[dict]:
    """The package updates of Linux distributions up to now (or of one month): their release days through the
    month, each package's version in the distribution's format, its classification and reboot need; and the
    out-of-band ones `catalog publish --package` published."""
    from datetime import UTC

    from ..azure.linux import DISTROS_BY_KEY, newer_each_time
    from ..engine.catalog import classification_titles, linux_releases_between

    end = now(state)
    start = parse_instant(state.section("clock")["start"])
    first = from_epoch(to_epoch(start) - 62 * 86_400)
    if month is not None:
        try:
            year, number = (int(x) for x in month.split("-"))
            first = datetime(year, number, 1, tzinfo=UTC)
        except ValueError as exc:
            raise ValidationError(f"--month must look like 2020-11, not '{month}'") from exc
        first = from_epoch(to_epoch(first) - 1)
    everything = []
    for key in distros:
        out: list[dict] = []
        distro = DISTROS_BY_KEY[key]
        for when, patches in linux_releases_between(seed(state), first, end, key):
            for patch in patches:
                if month is not None and not patch.uid.startswith(month):
                    continue
                out.append({
                    "release": patch.uid.split("#")[0],
                    "os": f"{distro.name} {distro.version}",
                    "name": patch.name,
                    "version": patch.version,
                    "classification": patch.classification,
                    "classifications": classification_titles(patch),
                    "rebootBehavior": patch.reboot_behavior,
                    "publishedDate": format_instant(when),
                    "patchId": patch.patch_id,
                })
        for raw in (state.section("catalog") or {}).get("outOfBand", []):
            published = parse_instant(raw["published"])
            if key not in (raw.get("families") or ()) or not first < published <= end:
                continue
            if month is not None and not raw["release"].startswith(month):
                continue
            out.append({
                "release": raw["release"], "os": f"{distro.name} {distro.version}", "name": raw["name"],
                "version": raw["version"], "classification": raw["classification"],
                "classifications": [raw["classification"]], "rebootBehavior": raw["rebootBehavior"],
                "publishedDate": raw["published"], "patchId": raw["patchId"], "fault": raw.get("fault"),
            })
        out.sort(key=lambda p: p["publishedDate"])  # stable: a release day's packages keep their order
        if len(out) and any("-OOB" in p["release"] for p in out):
            keep = newer_each_time([(p["name"], p["version"]) for p in out], distro)
            out = [p for p, kept in zip(out, keep, strict=True) if kept]
        everything += out
    return everything


def publish(state, kb: str, name: str | None, classification: str, reboot: str, os_family: str | None,
            fault: str | None) -> dict:
    """Publish an out-of-band patch now: a release of its own, rolled out like a monthly one."""
    from ..engine.catalog import CLASSIFICATIONS, REBOOT_BEHAVIOURS

    digits = kb.upper().removeprefix("KB")
    if not digits.isdigit():
        raise ValidationError(f"--kb must be a KB number such as 5000001, not '{kb}'")
    canonical = {c.lower(): c for c in CLASSIFICATIONS}.get(classification.lower())
    if canonical is None:
        raise ValidationError(f"--classification must be one of: {', '.join(CLASSIFICATIONS)}")
    behaviour = {r.lower(): r for r in REBOOT_BEHAVIOURS}.get(reboot.lower())
    if behaviour is None:
        raise ValidationError(f"--reboot-behavior must be one of: {', '.join(REBOOT_BEHAVIOURS)}")
    if fault not in (None, "fails", "unhealthy"):
        raise ValidationError("--fault must be 'fails' (never installs) or 'unhealthy' (VM unhealthy after reboot)")
    families = _families(os_family, now(state))
    catalog, release, when = _next_out_of_band(state)
    label = release.split("-OOB")[0]
    raw = {
        "release": release, "uid": f"{release}#0", "patchId": next_guid(state), "kbId": digits,
        "name": name or f"{label} Out-of-band Update (KB{digits})", "classification": canonical,
        "rebootBehavior": behaviour, "published": format_instant(when), "families": families, "fault": fault,
    }
    catalog["outOfBand"].append(raw)
    # published "now": the next tick's first instant picks it up
    raw["published"] = format_instant(from_epoch(to_epoch(when) + 1))
    return raw


def _next_out_of_band(state) -> tuple[dict, str, datetime]:
    """The catalog's out-of-band list, the next release id of the month (``2020-11-OOB2``) and now. Several
    published at one instant are releases of their own, each with its rollout."""
    catalog = state.data.setdefault("catalog", {"outOfBand": []})
    catalog.setdefault("outOfBand", [])
    when = now(state)
    label = f"{when.year}-{when.month:02d}"
    number = 1 + len({raw["release"] for raw in catalog["outOfBand"] if raw["release"].startswith(f"{label}-OOB")})
    return catalog, f"{label}-OOB{number}", when


LINUX_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+~:_-]*$")  # Debian and RPM version characters
LINUX_PACKAGE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]*$")  # Debian and RPM package-name characters


_INT_MAX = 2**31 - 1  # dpkg reads the epoch into an int; rpm keeps it in 32 bits as well


def package_version_problem(version: str, rpm: bool) -> str | None:
    """What dpkg's ``parseversion`` (lib/dpkg/parsehelp.c) finds wrong with ``[epoch:]upstream[-revision]``, in
    its words, or for an rpm distribution what rpm refuses (a numeric epoch, a version and release of rpm's
    characters, '-' only between them); None when the version is good."""
    rest = version
    if ":" in version:
        epoch, _, rest = version.partition(":")
        if not epoch[:1].isdigit():  # strtol read nothing
            return "epoch in version is empty"
        if not epoch.isdigit():
            return "epoch in version is not number"
        if int(epoch) > (_INT_MAX if not rpm else 2**32 - 1):
            return "epoch in version is too big"
        if not rest:
            return "nothing after colon in version number"
    upstream, hyphen, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
    if hyphen and not revision:
        return "revision number is empty"
    if not upstream:
        return "version number is empty"
    if rpm:
        allowed = set("._+~^")  # rpmbuild's characters of a Version or Release (ALLOWED_CHARS_VERREL)
        for part, what in ((upstream, "version"), (revision, "release")):
            bad = next((c for c in part if not (c.isascii() and c.isalnum()) and c not in allowed), None)
            if bad is not None:
                return f"invalid character in {what} number"
        return None
    if not upstream[0].isdigit():
        return "version number does not start with digit"
    bad = next((c for c in upstream if not (c.isascii() and c.isalnum()) and c not in ".-+~:"), None)
    if bad is not None:
        return "invalid character in version number"
    bad = next((c for c in revision if not (c.isascii() and c.isalnum()) and c not in ".+~"), None)
    if bad is not None:
        return "invalid character in revision number"
    return None


def publish_linux(state, package: str, version: str, os_key: str | None, classification: str | None,
                  reboot: str | None, fault: str | None) -> dict:
    """Publish a Linux package update out of band now (a distribution's urgent advisory): a release of its own
    for one distribution, assessed by its VMs and rolled out to the AutomaticByPlatform ones like any release.
    The reboot behaviour defaults to the package's own (the kernel, the C library, systemd, microcode need one).
    Packages of the same distribution published at the same instant make one release (an advisory that fixes
    several packages, such as openssl and libssl3)."""
    from ..azure.linux import (
        DISTRO_KEYS,
        DISTROS_BY_KEY,
        LINUX_CLASSIFICATIONS,
        catalog_distros,
        compare_versions,
        is_rpm,
        newer_each_time,
        packages,
        patch_id,
    )
    from ..engine.catalog import REBOOT_BEHAVIOURS, linux_releases_between

    released = catalog_distros(now(state))
    key = (os_key or "").lower().strip()
    if not key:
        raise ValidationError(f"--os is required with --package: one of {', '.join(released)}")
    if key not in DISTRO_KEYS:
        raise ValidationError(f"--os must be a Linux distribution with --package: one of {', '.join(released)}")
    if key not in released:
        raise ValidationError(f"--os {key}: the distribution is not released yet on the simulated date; "
                              f"released: {', '.join(released)}")
    if not LINUX_PACKAGE.match(package):
        raise ValidationError(f"--package must be a package name such as openssl, not '{package}'")
    if not version:
        raise ValidationError("the following arguments are required with --package: --version")
    if not LINUX_VERSION.match(version):
        raise ValidationError(f"--version must be a package version such as 3.0.2-0ubuntu1.19, not '{version}'")
    canonical = {c.lower(): c for c in LINUX_CLASSIFICATIONS}.get((classification or "Security").lower())
    if canonical is None:
        raise ValidationError(f"--classification must be one of: {', '.join(LINUX_CLASSIFICATIONS)} for a Linux package")
    distro = DISTROS_BY_KEY[key]
    problem = package_version_problem(version, is_rpm(distro))
    if problem is not None:
        tool = "rpm" if is_rpm(distro) else "dpkg"
        raise ValidationError(f"--version: version '{version}' has bad syntax ({tool}, {key}): {problem}")
    if reboot is None:
        needs = package == distro.kernel or any(p.name == package and p.reboot for p in packages(distro))
        behaviour = "AlwaysRequiresReboot" if needs else "NeverReboots"
    else:
        found = {r.lower(): r for r in REBOOT_BEHAVIOURS}.get(reboot.lower())
        if found is None:
            raise ValidationError(f"--reboot-behavior must be one of: {', '.join(REBOOT_BEHAVIOURS)}")
        behaviour = found
    if fault not in (None, "fails", "unhealthy"):
        raise ValidationError("--fault must be 'fails' (never installs) or 'unhealthy' (VM unhealthy after reboot)")
    catalog, release, when = _next_out_of_band(state)
    start = parse_instant(state.section("clock")["start"])
    first = from_epoch(to_epoch(start) - 62 * 86_400)
    published = [(p.published, p.name, p.version)
                 for _, ps in linux_releases_between(seed(state), first, when, key) for p in ps if p.name == package]
    published += [(parse_instant(raw["published"]), raw["name"], raw.get("version") or "")
                  for raw in catalog["outOfBand"] if key in (raw.get("families") or ()) and raw["name"] == package]
    published.sort(key=lambda item: item[0])
    keep = newer_each_time([(name, v) for _, name, v in published], distro)
    newest = next((v for (_, _, v), kept in zip(reversed(published), reversed(keep), strict=True) if kept), None)
    if newest is not None and compare_versions(version, newest, is_rpm(distro)) <= 0:
        already = f"{package} {version} is already published. " if version == newest else ""
        raise ValidationError(f"{already}--version must be newer than {newest}, the newest {package} published for "
                              f"{key} (given: {version})")
    stamp = format_instant(from_epoch(to_epoch(when) + 1))
    # packages of one distribution published at one instant are one advisory: one release, one rollout
    same = [r for r in catalog["outOfBand"] if r["published"] == stamp and r.get("families") == [key]
            and r.get("version")]
    if same:
        release = same[0]["release"]
    raw = {
        "release": release, "uid": f"{release}#{len(same)}", "patchId": patch_id(distro, package, version),
        "kbId": "", "name": package, "version": version, "classification": canonical, "rebootBehavior": behaviour,
        "published": stamp, "families": [key], "fault": fault,
    }
    catalog["outOfBand"].append(raw)
    return raw
