"""Update Manager schedules: Microsoft.Maintenance maintenance configurations and their assignments.

A configuration with the InGuestPatch scope patches the VMs assigned to it in its own window (start,
duration, recurrence, time zone, expiration) with its own classifications, KB filters and reboot setting;
``ops/schedule_rules.py`` decides which VMs it may patch. The InGuestPatch limits are the doc's
(MicrosoftDocs/azure-compute-docs, articles/virtual-machines/maintenance-configurations.md @2f92a16c): a
window of 1 h 30 min to 3 h 55 min, repeating at least every 6 hours; a window opening less than 15 minutes
after the configuration was created or changed is skipped.

Stored as ``maintenanceConfigurations`` (``group/name`` -> {"config", "notBefore", "lastOpened"}),
``configurationAssignments`` (``group/vm`` -> {name -> assignment}) and a bounded log of window runs,
``maintenanceRuns``; each assigned VM's record lists its configuration ids (``sim.schedules``).
"""

from __future__ import annotations

import copy
from datetime import timedelta

from ..engine.clock import epoch_to_iso, format_instant, from_epoch, to_epoch
from ..errors import (
    invalid_parameter,
    invalid_request_content,
    location_required,
    maintenance_configuration_not_found,
    not_allowed_value,
    resource_not_found,
)
from . import groups, ids, schedule_rules, vms
from .names import validate_resource_name
from .state import now, subscription_id

CONFIG_TYPE = "Microsoft.Maintenance/maintenanceConfigurations"
ASSIGNMENT_TYPE = "Microsoft.Maintenance/configurationAssignments"
SCOPES = ("Host", "Resource", "OSImage", "Extension", "InGuestPatch", "SQLDB", "SQLManagedInstance")
VISIBILITIES = ("Custom", "Public")
REBOOT_OPTIONS = ("IfRequired", "Never", "Always")
MIN_WINDOW = timedelta(hours=1, minutes=30)
MAX_WINDOW = timedelta(hours=3, minutes=55)
MIN_REPEAT_SECONDS = 6 * 3600
CHANGE_LEAD_SECONDS = 15 * 60
RUN_LOG_LIMIT = 1000
DEFAULT_CLASSIFICATIONS = ["Critical", "Security"]  # our choice when a schedule names neither classes nor KBs


# ---- maintenance configurations ----------------------------------------------------------------


def _configs(state) -> dict:
    return state.data.setdefault("maintenanceConfigurations", {})


def _invalid(message: str, target: str | None = None):
    return invalid_parameter(target, message)


def _canonical(value, allowed: tuple[str, ...], prop: str) -> str:
    for choice in allowed:
        if choice.lower() == str(value).lower():
            return choice
    raise not_allowed_value(value, prop, allowed)


def window_of(config: dict):
    """The engine's Window of a stored configuration (validated when it was stored)."""
    from ..azure.timezones import iana_name
    from ..engine import schedules

    window = config["properties"]["maintenanceWindow"]
    return schedules.Window(
        start=schedules.parse_local(window["startDateTime"], "startDateTime"),
        expiration=schedules.parse_local(window.get("expirationDateTime") or schedules.NEVER_EXPIRES,
                                         "expirationDateTime"),
        duration=schedules.parse_duration(window["duration"]),
        zone=iana_name(window.get("timeZone")),
        recurrence=schedules.parse_recurrence(window["recurEvery"]),
    )


def _validate(state, config: dict) -> None:
    from ..azure.catalog import WINDOWS_PATCH_CLASSIFICATIONS
    from ..azure.linux import LINUX_CLASSIFICATIONS
    from ..azure.timezones import canonical_windows_zone
    from ..engine import schedules

    props = config.setdefault("properties", {})
    if props.get("maintenanceScope") is None:
        raise _invalid("Required parameter 'maintenanceScope' is missing (null).", "maintenanceScope")
    props["maintenanceScope"] = _canonical(props["maintenanceScope"], SCOPES, "maintenanceScope")
    props["visibility"] = _canonical(props.get("visibility") or "Custom", VISIBILITIES, "visibility")
    window = props.get("maintenanceWindow")
    if props["maintenanceScope"] != "InGuestPatch":
        return
    if not window or not window.get("startDateTime") or not window.get("duration") or not window.get("recurEvery"):
        raise _invalid("An InGuestPatch maintenance configuration needs a maintenanceWindow with startDateTime, "
                       "duration and recurEvery.", "maintenanceWindow")
    zone = canonical_windows_zone(window.get("timeZone") or "UTC")
    if zone is None:
        raise _invalid(f"The value '{window['timeZone']}' of parameter 'maintenanceWindow.timeZone' is not a "
                       "Windows time zone name such as 'Pacific Standard Time'.", "maintenanceWindow.timeZone")
    window["timeZone"] = zone
    try:
        parsed = window_of(config)
    except schedules.ScheduleError as exc:
        raise _invalid(f"Invalid maintenanceWindow: {exc}", "maintenanceWindow") from exc
    if not MIN_WINDOW <= parsed.duration <= MAX_WINDOW:
        raise _invalid(f"The maintenance window duration '{window['duration']}' is out of range: for the "
                       "InGuestPatch scope it must be between 01:30 and 03:55.", "maintenanceWindow.duration")
    if parsed.recurrence.min_seconds < MIN_REPEAT_SECONDS:
        raise _invalid(f"The recurrence '{window['recurEvery']}' is too frequent: an InGuestPatch schedule repeats "
                       "at most every 6 hours.", "maintenanceWindow.recurEvery")
    if window.get("expirationDateTime"):
        from zoneinfo import ZoneInfo

        expiry = parsed.expiration.replace(tzinfo=ZoneInfo(parsed.zone))
        if expiry <= now(state):
            raise _invalid("The maintenance window's expirationDateTime must be in the future.",
                           "maintenanceWindow.expirationDateTime")
    patches = props.setdefault("installPatches", {})
    patches["rebootSetting"] = _canonical(patches.get("rebootSetting") or "IfRequired", REBOOT_OPTIONS,
                                          "installPatches.rebootSetting")
    windows = patches.get("windowsParameters") or {}
    if windows.get("classificationsToInclude"):
        # the Maintenance spec leaves them free strings; Compute's enum decides (the docs write UpdateRollup)
        windows["classificationsToInclude"] = [
            _canonical(c, WINDOWS_PATCH_CLASSIFICATIONS, "installPatches.windowsParameters.classificationsToInclude")
            for c in windows["classificationsToInclude"]
        ]
    for name in ("kbNumbersToInclude", "kbNumbersToExclude"):
        for kb in windows.get(name) or ():
            digits = str(kb).strip().upper().removeprefix("KB")
            if not digits.isdigit():
                raise _invalid(f"The value '{kb}' of parameter 'installPatches.windowsParameters.{name}' is not a "
                               "KB number.", f"installPatches.windowsParameters.{name}")
    linux = patches.get("linuxParameters") or {}
    if linux.get("classificationsToInclude"):
        linux["classificationsToInclude"] = [
            _canonical(c, LINUX_CLASSIFICATIONS, "installPatches.linuxParameters.classificationsToInclude")
            for c in linux["classificationsToInclude"]
        ]
    for name in ("packageNameMasksToInclude", "packageNameMasksToExclude"):
        for mask in linux.get(name) or ():
            if not isinstance(mask, str) or not mask.strip():
                raise _invalid(f"The value '{mask}' of parameter 'installPatches.linuxParameters.{name}' is not a "
                               "package name mask (a package name, name_version or name=version, * and ? allowed).",
                               f"installPatches.linuxParameters.{name}")
    props.setdefault("extensionProperties", {}).setdefault("InGuestPatchMode", "User")


def create_or_update(state, group: str, name: str, body: dict) -> dict:
    from ..models.maintenance import MaintenanceConfiguration

    rg = groups.require(state, group)
    validate_resource_name(name, CONFIG_TYPE)
    model = MaintenanceConfiguration.from_request(body)
    if not model.location:
        raise location_required()
    config = model.wire()
    config["location"] = groups.resolve_location(model.location, CONFIG_TYPE)
    key = ids.key(rg["name"], name)
    existing = _configs(state).get(key)
    config["name"] = existing["config"]["name"] if existing else name
    config["id"] = ids.resource_id(subscription_id(state), rg["name"], CONFIG_TYPE, config["name"])
    config["type"] = CONFIG_TYPE
    config.pop("systemData", None)
    _validate(state, config)
    at = to_epoch(now(state))
    _configs(state)[key] = {"config": config, "notBefore": at + CHANGE_LEAD_SECONDS,
                            "lastOpened": (existing or {}).get("lastOpened", 0)}
    return copy.deepcopy(config)


def require(state, group: str, name: str) -> dict:
    entry = state.section("maintenanceConfigurations", {}).get(ids.key(group, name))
    if entry is None:
        groups.require(state, group)
        raise resource_not_found(CONFIG_TYPE, name, group)
    return entry


def show(state, group: str, name: str) -> dict:
    return copy.deepcopy(require(state, group, name)["config"])


def list_configs(state, group: str | None = None) -> list[dict]:
    if group:
        groups.require(state, group)
    prefix = f"{group.lower()}/" if group else ""
    return [copy.deepcopy(e["config"]) for k, e in state.section("maintenanceConfigurations", {}).items()
            if k.startswith(prefix)]


def update(state, group: str, name: str, patch: dict) -> dict:
    """PATCH: a JSON merge of the body into the stored configuration, then the same checks as PUT."""
    current = show(state, group, name)
    if not isinstance(patch, dict):
        raise invalid_request_content()

    def merge(base: dict, change: dict) -> dict:
        for k, v in change.items():
            if v is None:
                base.pop(k, None)
            elif isinstance(v, dict) and isinstance(base.get(k), dict):
                merge(base[k], v)
            else:
                base[k] = copy.deepcopy(v)
        return base

    merged = merge(current, patch)
    for key in ("id", "name", "type", "systemData"):
        merged.pop(key, None)
    return create_or_update(state, group, name, merged)


def delete(state, group: str, name: str) -> None:
    """Delete a configuration; its assignments go with it (their VMs lose the schedule)."""
    key = ids.key(group, name)
    entry = state.section("maintenanceConfigurations", {}).get(key)
    if entry is None:
        groups.require(state, group)
        return  # ARM's DELETE of a missing resource: 204
    config_id = entry["config"]["id"].lower()
    for vm_key, assigned in list(state.data.get("configurationAssignments", {}).items()):
        for assignment_name, assignment in list(assigned.items()):
            if assignment["properties"]["maintenanceConfigurationId"].lower() == config_id:
                _unassign(state, vm_key, assignment_name)
    del state.data["maintenanceConfigurations"][key]


def delete_group(state, group: str) -> None:
    """A resource group's deletion, as Azure does it: the assignments of the group's VMs go with their VMs
    (wherever their configuration lives), and the group's configurations go with every assignment to them
    (a VM of another group loses that schedule)."""
    prefix = f"{group.lower()}/"
    assignments = state.data.get("configurationAssignments", {})
    for vm_key in [k for k in assignments if k.startswith(prefix)]:
        del assignments[vm_key]
    for key in [k for k in state.data.get("maintenanceConfigurations", {}) if k.startswith(prefix)]:
        delete(state, group, key[len(prefix):])


# ---- configuration assignments -----------------------------------------------------------------


def _assignments(state) -> dict:
    return state.data.setdefault("configurationAssignments", {})


def _config_by_id(state, config_id: str) -> dict | None:
    try:
        parsed = ids.parse(config_id)
    except Exception:  # not a resource id at all
        return None
    if (parsed.get("namespace") or "").lower() + "/" + (parsed.get("type") or "").lower() != CONFIG_TYPE.lower():
        return None
    return state.section("maintenanceConfigurations", {}).get(ids.key(*ids.group_and_name(config_id)))


def assign(state, group: str, vm_name: str, name: str, body: dict) -> dict:
    """PUT {vm}/providers/Microsoft.Maintenance/configurationAssignments/{name}."""
    from ..models.maintenance import ConfigurationAssignment

    record = vms.require(state, group, vm_name)
    model = ConfigurationAssignment.from_request(body)
    config_id = (model.properties.maintenanceConfigurationId if model.properties else None) or ""
    if not config_id:
        raise _invalid("Required parameter 'maintenanceConfigurationId' is missing (null).",
                       "maintenanceConfigurationId")
    entry = _config_by_id(state, config_id)
    if entry is None:
        raise maintenance_configuration_not_found(config_id)
    vm = record["vm"]
    assignment = {
        "id": f"{vm['id']}/providers/{ASSIGNMENT_TYPE}/{name}",
        "name": name,
        "type": ASSIGNMENT_TYPE,
        "location": groups.resolve_location(model.location, ASSIGNMENT_TYPE) if model.location else vm["location"],
        "properties": {"maintenanceConfigurationId": entry["config"]["id"], "resourceId": vm["id"]},
    }
    vm_key = ids.key(vms.group_of(record), vm["name"])
    previous = _assignments(state).setdefault(vm_key, {}).get(name.lower())
    if previous is not None:
        _unassign(state, vm_key, name.lower())
        _assignments(state).setdefault(vm_key, {})
    _assignments(state)[vm_key][name.lower()] = assignment
    record["sim"].setdefault("schedules", []).append(entry["config"]["id"])
    state.data["vms"][vm_key] = record
    return copy.deepcopy(assignment)


def _unassign(state, vm_key: str, assignment_name: str) -> None:
    assigned = state.data.get("configurationAssignments", {}).get(vm_key, {})
    assignment = assigned.pop(assignment_name, None)
    if not assigned:
        state.data.get("configurationAssignments", {}).pop(vm_key, None)
    record = state.data.get("vms", {}).get(vm_key)
    if assignment is None or record is None:
        return
    config_id = assignment["properties"]["maintenanceConfigurationId"].lower()
    remaining = [c for c in record["sim"].get("schedules", []) if c.lower() != config_id]
    if remaining:
        record["sim"]["schedules"] = remaining
    else:
        record["sim"].pop("schedules", None)
    state.data["vms"][vm_key] = record


def list_assignments(state, group: str, vm_name: str) -> list[dict]:
    record = vms.require(state, group, vm_name)
    vm_key = ids.key(vms.group_of(record), record["vm"]["name"])
    return [copy.deepcopy(a) for a in state.section("configurationAssignments", {}).get(vm_key, {}).values()]


def show_assignment(state, group: str, vm_name: str, name: str) -> dict:
    record = vms.require(state, group, vm_name)
    vm_key = ids.key(vms.group_of(record), record["vm"]["name"])
    found = state.section("configurationAssignments", {}).get(vm_key, {}).get(name.lower())
    if found is None:
        raise resource_not_found(ASSIGNMENT_TYPE, name, group)
    return copy.deepcopy(found)


def unassign(state, group: str, vm_name: str, name: str) -> dict | None:
    """DELETE an assignment: the VM falls back to the matrix's no-schedule rows. Returns the deleted one."""
    record = vms.require(state, group, vm_name)
    vm_key = ids.key(vms.group_of(record), record["vm"]["name"])
    found = state.section("configurationAssignments", {}).get(vm_key, {}).get(name.lower())
    if found is None:
        return None
    _unassign(state, vm_key, name.lower())
    return copy.deepcopy(found)


# ---- windows: what tick does -------------------------------------------------------------------


def openings_between(state, start: int, until: int) -> list[tuple[int, str]]:
    """(epoch, configuration key) of every InGuestPatch window opening in ``[start, until)`` not yet run,
    for configurations with at least one assignment."""
    from ..engine import schedules

    assigned = {a["properties"]["maintenanceConfigurationId"].lower()
                for per_vm in state.section("configurationAssignments", {}).values() for a in per_vm.values()}
    out = []
    for key, entry in state.section("maintenanceConfigurations", {}).items():
        config = entry["config"]
        if config["properties"].get("maintenanceScope") != "InGuestPatch" or config["id"].lower() not in assigned:
            continue
        after = max(start - 1, entry.get("lastOpened", 0), entry.get("notBefore", 0) - 1)
        for at in schedules.openings(window_of(config), after, until - 1, limit=1000):
            out.append((at, key))
    return sorted(out)


def tick_through(state, until, stops: list[tuple[int, str]], tick, progress=None) -> dict:
    """Tick to each window opening in turn, open it, then tick on to ``until``; one merged summary."""
    summaries = []
    for at, key in stops:
        if at > to_epoch(now(state)):
            summaries.append(tick(state, from_epoch(at), progress))
        summaries.append({"events": open_window(state, key, at), "counts": {}})
    if until > now(state):
        summaries.append(tick(state, until, progress))
    merged = {"from": summaries[0].get("from", format_instant(now(state))), "to": format_instant(until),
              "counts": {}, "events": []}
    for part in summaries:
        for name, count in (part.get("counts") or {}).items():
            merged["counts"][name] = merged["counts"].get(name, 0) + count
        merged["events"].extend(part.get("events") or ())
    merged["events"].sort(key=lambda e: e["time"])
    return merged


def open_window(state, key: str, at: int) -> list[dict]:
    """A window opens: every VM assigned to the configuration is patched, or told why it is not."""
    entry = state.data["maintenanceConfigurations"][key]
    entry["lastOpened"] = at
    config = entry["config"]
    config_id = config["id"].lower()
    when = epoch_to_iso(at)
    events = []
    for vm_key, assigned in sorted(state.section("configurationAssignments", {}).items()):
        if not any(a["properties"]["maintenanceConfigurationId"].lower() == config_id for a in assigned.values()):
            continue
        record = state.data.get("vms", {}).get(vm_key)
        if record is None:
            continue
        result, detail = _patch_in_window(state, record, vm_key, config, at)
        _log_run(state, {"time": when, "configuration": config["id"], "vm": record["vm"]["id"], "result": result,
                         "detail": detail})
        events.append({"time": when, "event": f"maintenance configuration {config['name']}: {vm_key} {result}"
                       + (f" ({detail})" if result != "Started" else "")})
    return events


def _log_run(state, run: dict) -> None:
    log = state.data.setdefault("maintenanceRuns", [])
    log.append(run)
    del log[:-RUN_LOG_LIMIT]


def runs(state, vm_id: str | None = None) -> list[dict]:
    return [copy.deepcopy(r) for r in state.section("maintenanceRuns", []) if vm_id is None
            or r["vm"].lower() == vm_id.lower()]


def install_parameters(record: dict, config: dict) -> dict:
    """installPatches parameters of a schedule's run on one VM: the window's length, its filters, and the
    reboot setting (the VM's own automaticByPlatformSettings.rebootSetting wins, as the doc says)."""
    props = config["properties"]
    window = props["maintenanceWindow"]
    hours, minutes = (int(x) for x in window["duration"].split(":"))
    patches = props.get("installPatches") or {}
    windows = copy.deepcopy(patches.get("windowsParameters") or {})
    for name in ("kbNumbersToInclude", "kbNumbersToExclude"):
        if windows.get(name):
            windows[name] = [str(kb).strip().upper().removeprefix("KB") for kb in windows[name]]
    if not windows.get("classificationsToInclude") and not windows.get("kbNumbersToInclude"):
        windows["classificationsToInclude"] = list(DEFAULT_CLASSIFICATIONS)
    os_profile = record["vm"]["properties"]["osProfile"]
    config = os_profile.get("windowsConfiguration") or os_profile.get("linuxConfiguration") or {}
    vm_reboot = ((config.get("patchSettings") or {}).get("automaticByPlatformSettings") or {}).get("rebootSetting")
    reboot = vm_reboot if vm_reboot and vm_reboot != "Unknown" else patches.get("rebootSetting") or "IfRequired"
    if os_profile.get("windowsConfiguration") is None:
        # a Linux VM: the schedule's linuxParameters (Critical and Security when it names neither classes nor
        # packages, as for Windows)
        linux = copy.deepcopy(patches.get("linuxParameters") or {})
        if not linux.get("classificationsToInclude") and not linux.get("packageNameMasksToInclude"):
            linux["classificationsToInclude"] = list(DEFAULT_CLASSIFICATIONS)
        return {"maximumDuration": f"PT{hours}H{minutes}M", "rebootSetting": reboot, "linuxParameters": linux}
    return {"maximumDuration": f"PT{hours}H{minutes}M", "rebootSetting": reboot, "windowsParameters": windows}


def _patch_in_window(state, record: dict, vm_key: str, config: dict, at: int) -> tuple[str, str]:
    from ..engine import lifecycle
    from ..engine.records import OpKind
    from . import patching

    verdict = schedule_rules.verdict(record)
    if verdict.patched_by != schedule_rules.SCHEDULE:
        return "Skipped", verdict.reason
    if record["sim"]["power"] != "running":
        return "Skipped", f"the VM is {vms.POWER_DISPLAY[record['sim']['power']].removeprefix('VM ')}"
    if not vms.is_windows(record["vm"]) and patching.linux_distro(record) is None:
        return "Skipped", "the VM's image is not a Linux distribution autopatch simulates"
    parameters = install_parameters(record, config)
    if "linuxParameters" in parameters:
        linux = parameters["linuxParameters"]
        selection = lifecycle.linux_selection(
            tuple(linux.get("classificationsToInclude") or ()), tuple(linux.get("packageNameMasksToInclude") or ()),
            tuple(linux.get("packageNameMasksToExclude") or ()), parameters["rebootSetting"])
    else:
        windows = parameters["windowsParameters"]
        selection = lifecycle.Selection(
            tuple(windows.get("classificationsToInclude") or ()), tuple(windows.get("kbNumbersToInclude") or ()),
            tuple(windows.get("kbNumbersToExclude") or ()), bool(windows.get("excludeKbsRequiringReboot")), None,
            parameters["rebootSetting"])
    duration = window_of(config).duration
    sim = patching.build(state, from_epoch(at))
    vm = sim.vms.get(vm_key)
    if vm is None or vm.family is None:
        return "Skipped", "the VM's image is not a Windows Server platform image"
    if vm.busy_until > at or any(op.key == vm_key for op in sim.unfinished()):
        return "Skipped", "another patch operation is still running on the VM"
    start = sim.now
    missing = sim.missing(vm, start)
    result = lifecycle.install(sim.seed, vm.index, start, start + int(duration.total_seconds()), missing, vm.guest,
                               selection, vm.faults, started_by="Platform", reboot_pending=vm.reboot_pending)
    sim.begin_user_operation(vm, OpKind.INSTALLATION, start, result.end, result)
    patching.write_back(state, sim)
    return "Started", f"installing until {epoch_to_iso(result.end)}"


def explain(state, record: dict, at: int) -> tuple[str, str] | None:
    """`orchestration why`'s (message, code) for a VM the schedule matrix concerns; None for the plain rows."""
    from ..engine import schedules

    if not schedule_rules.schedules(record) and not schedule_rules.bypass(record):
        return None
    verdict = schedule_rules.verdict(record)
    if verdict.patched_by == schedule_rules.SCHEDULE:
        upcoming = []
        for config_id in schedule_rules.schedules(record):
            entry = _config_by_id(state, config_id)
            if entry is None:
                continue
            after = max(at - 1, entry.get("lastOpened", 0), entry.get("notBefore", 0) - 1)
            opening = schedules.next_opening(window_of(entry["config"]), after)
            if opening is not None:
                upcoming.append((opening, entry["config"]["name"]))
        if upcoming:
            opening, name = min(upcoming)
            return (f"It is patched by Update Manager's schedule {name}, not by the platform: its next window opens "
                    f"at {epoch_to_iso(opening)}."), "scheduled"
        return "Its schedule has no window left (expired): nothing patches it.", "schedule-expired"
    code = "schedule-prerequisites" if verdict.prerequisites_error else "bypass-without-schedule"
    message = verdict.reason[0].upper() + verdict.reason[1:]
    return message if message.endswith(".") else message + ".", code
