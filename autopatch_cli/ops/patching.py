"""Where VM operations hand over to the patch engine, and where the engine's results reach the store.

The engine (``engine/simulator.py``) works on :class:`VmState` objects; this module builds them from the
stored VM records, runs the simulator for a tick, and writes what happened back: the instance view's
``patchStatus`` (in Azure's shapes, through the models), the patch extension's status, the VM's health,
the rollout state and the operation history.

Stored per VM, beside the wire documents (``record["sim"]``):
- ``patch``: the engine's memory of the VM (extension enabled, patches installed, next assessment...);
- ``guest``: guest conditions the platform needs (``autopatch sim requirement``);
- ``faults``: one-shot faults to inject (``autopatch sim fault``).
"""

from __future__ import annotations

from functools import lru_cache

from ..engine.clock import epoch_to_iso, parse_instant, to_epoch
from .state import now_text

# The configuration status code that says the platform assesses this VM periodically.
ASSESSMENT_MODE_CODE = "AssessmentModeConfigurationState"


def os_configuration(record: dict) -> dict | None:
    """The VM's windowsConfiguration, or its linuxConfiguration: what patchSettings live in (None: neither)."""
    os_profile = record["vm"]["properties"].get("osProfile", {})
    windows = os_profile.get("windowsConfiguration")
    return windows if windows is not None else os_profile.get("linuxConfiguration")


def linux_distro(record: dict) -> str | None:
    """The Linux distribution a VM runs (its catalog key), or None (Windows, a custom image, an unknown one)."""
    from ..azure.linux import distro_of

    os_profile = record["vm"]["properties"].get("osProfile", {})
    if os_profile.get("windowsConfiguration") is not None or os_profile.get("linuxConfiguration") is None:
        return None
    image = record["vm"]["properties"].get("storageProfile", {}).get("imageReference", {})
    if image.get("id"):
        return None
    return distro_of(image.get("publisher", ""), image.get("offer", ""), image.get("sku", ""))


def is_patched_vm(record: dict) -> bool:
    """A VM the engine follows: every Windows VM, and the Linux VMs of a distribution the catalog knows."""
    return record["vm"]["properties"].get("osProfile", {}).get("windowsConfiguration") is not None or (
        linux_distro(record) is not None)


# ---- configuration status (2020-12-01+) ---------------------------------------------------------


def wire_of(model, **fields) -> dict:
    """``model(**fields).wire()`` for the flat REST shapes written back for every VM on every tick, without
    pydantic's validation and dump (most of write_back's time on a big fleet): the model's fields, in its
    order, None left out. Only for fields of JSON scalars, lists of such dicts, or dicts already in shape
    (tests/test_engine_rules.py checks each use against the model's own ``wire()``)."""
    names = _FIELD_NAMES.get(model)
    if names is None:
        names = _FIELD_NAMES[model] = tuple(model.model_fields)
    return {name: value for name in names if (value := fields.get(name)) is not None}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _status(code: str, display: str, when: str | None, level: str = "Info", message: str | None = None) -> dict:
    """``InstanceViewStatus(...).wire()`` (its fields in the model's order: code, level, displayStatus, message,
    time), None left out."""
    out = {"code": code, "level": level, "displayStatus": display}
    if message is not None:
        out["message"] = message
    if when is not None:
        out["time"] = when
    return out


def _error(error: dict | None) -> dict | None:
    from ..models.compute import ApiError

    return ApiError.model_validate(error).wire() if error else None


def _kept(before: dict | None, after: dict) -> dict:
    """A status that says what it said before keeps the time it first said it."""
    if before and before.get("time") and all(before.get(k) == after.get(k) for k in ("code", "message")):
        after["time"] = before["time"]
    return after


def _set_configuration(record: dict, ready: bool, when: str) -> None:
    """``patchStatus.configurationStatuses`` (2020-12-01+): Pending until the platform has taken the mode in."""
    state = "Ready" if ready else "Pending"
    kinds = ["PatchModeConfigurationState"]
    settings = (os_configuration(record) or {}).get("patchSettings") or {}
    if settings.get("assessmentMode") == "AutomaticByPlatform":
        kinds.append("AssessmentModeConfigurationState")
    status = record["iv"].setdefault("patchStatus", {})
    before = status.get("configurationStatuses") or []
    status["configurationStatuses"] = [
        _kept(before[i] if i < len(before) else None, _status(f"{kind}/{state}", f"Status_{kind}_{state}", when))
        for i, kind in enumerate(kinds)
    ]


def health_status(healthy: bool, when: str) -> dict:
    """``vmHealth``: the platform's health signal for the VM."""
    from ..models.compute import VirtualMachineHealthStatus

    status = _status(f"HealthState/{'healthy' if healthy else 'unhealthy'}",
                     f"The VM is {'healthy' if healthy else 'unhealthy'}", when, "Info" if healthy else "Error")
    return wire_of(VirtualMachineHealthStatus, status=status)


def on_configuration_change(state, record: dict, existing_mode: str | None) -> None:
    from .vm_records import is_windows, patch_mode

    linux = not is_windows(record["vm"])
    if linux and linux_distro(record) is None:
        return
    mode = patch_mode(record["vm"])
    patch = record["sim"].setdefault("patch", _new_patch_memory(state, record))
    patch_status = record["iv"].setdefault("patchStatus", {})
    settings = (os_configuration(record) or {}).get("patchSettings") or {}
    assessed = settings.get("assessmentMode") == "AutomaticByPlatform"
    was_assessed = any(s.get("code", "").startswith(ASSESSMENT_MODE_CODE) for s in patch_status.get("configurationStatuses") or ())
    if assessed and not was_assessed:
        # assessmentMode AutomaticByPlatform: the platform assesses at the next off-peak window (within a day)
        due = to_epoch(parse_instant(now_text(state)))
        patch["assessDue"] = due if patch.get("assessDue") is None else min(patch["assessDue"], due)
        patch["wake"] = True
    if mode != existing_mode:
        patch["wake"] = True
    if mode != existing_mode or "configurationStatuses" not in patch_status or assessed != was_assessed:
        # AutomaticByOS and Manual need nothing from the platform; AutomaticByPlatform waits for the
        # patch extension to be installed in the VM's off-peak hours.
        _set_configuration(record, mode != "AutomaticByPlatform" or patch.get("enabled", False), now_text(state))
        if mode == "AutomaticByPlatform" and not patch.get("enabled"):
            _set_extension(record, "Transitioning", now_text(state), "Waiting for the VM's off-peak hours to install "
                           "the patch extension (enablement takes more than three hours).", linux=linux)
        elif existing_mode == "AutomaticByPlatform" and not patch.get("enabled"):
            _remove_extension(record)  # the platform gave up an enablement it never finished
        elif existing_mode == "AutomaticByPlatform" and mode != existing_mode and linux:
            _set_extension(record, "Succeeded", now_text(state), "Automatic VM guest patching is disabled: the "
                           "platform no longer orchestrates patches; the distribution's own update configuration "
                           "applies (patchMode ImageDefault).", linux=True)
        elif existing_mode == "AutomaticByPlatform" and mode != existing_mode:
            updates = "back on" if mode == "AutomaticByOS" else "off (patchMode Manual)"
            _set_extension(record, "Succeeded", now_text(state), "Automatic VM guest patching is disabled: the "
                           f"platform no longer orchestrates patches and Windows automatic updates are {updates}.")


def _new_patch_memory(state, record: dict) -> dict:
    from ..engine.lifecycle import enablement_seconds
    from .state import seed

    return {
        "enabled": False,
        "enableLeft": enablement_seconds(seed(state), record["sim"]["index"]),
        "installed": [],
        "assessDue": None,
        "rebootPending": False,
        "healthy": True,
        "wake": True,
    }


def wake(record: dict) -> None:
    """The user changed what the platform works from: the VM is looked at as the next tick starts (in its
    off-peak window, if that is open), not only at the platform's own next event."""
    patch = record["sim"].get("patch")
    if patch is not None:
        patch["wake"] = True


def on_power_change(state, record: dict, before: str, after: str, action: str) -> None:
    """A VM that comes back is due for assessment at once: assessed (and patched) at its next off-peak window."""
    patch = record["sim"].get("patch")
    if patch is None:
        return
    if after == "running" and before != "running":
        patch["assessNow"] = True


def on_delete(state, record: dict) -> None:
    """A deleted VM leaves the rollout: its queued turn is dropped when the engine next runs."""
    engine = state.data.get("engine")
    if not engine:
        return
    from ..engine.records import Operation

    engine["inflight"] = [op for op in engine.get("inflight", []) if Operation.stored_key(op) != _key_of(record)]


def _key_of(record: dict) -> str:
    from . import ids
    from .vm_records import group_of

    return ids.key(group_of(record), record["vm"]["name"])


# ---- building the engine's view ----------------------------------------------------------------


@lru_cache(maxsize=4096)
def _supports_auto_patch(urn) -> bool:
    """images.supports_auto_patch, asked once per image of a fleet (a tick builds every VM's view)."""
    from ..azure import images

    return images.supports_auto_patch(urn)


@lru_cache(maxsize=65536)
def _epoch_of(text: str) -> int:
    """A stored instant in epoch seconds (VMs created together share their creation instant)."""
    return to_epoch(parse_instant(text))


@lru_cache(maxsize=1024)
def _os_family(sku: str) -> str | None:
    from ..engine import catalog

    return catalog.os_family(sku)


@lru_cache(maxsize=1024)
def _iana_name(windows_zone: str | None) -> str:
    from ..azure.timezones import iana_name

    return iana_name(windows_zone)


def _platform_patches(record: dict) -> bool:
    """schedule_rules.platform_patches, answered at once for the common VM: no schedule, no bypass flag."""
    from . import schedule_rules

    if not record["sim"].get("schedules") and not schedule_rules.bypass(record):
        return True
    return schedule_rules.platform_patches(record)


def vm_state(key: str, record: dict, ref: int = 0):
    """The engine's view of one stored VM (``ref``: its row in the history's table of VMs)."""
    from ..azure import images
    from ..engine import lifecycle
    from ..engine.records import VmState

    vm = record["vm"]
    props = vm["properties"]
    windows = props.get("osProfile", {}).get("windowsConfiguration")
    image = props.get("storageProfile", {}).get("imageReference", {})
    family = _os_family(image.get("sku", "").lower()) if windows is not None else None
    if family and ((windows or {}).get("patchSettings") or {}).get("enableHotpatching"):
        family = images.hotpatch_family(family)  # hotpatch months without a restart (azure/images.py)
    urn = images.Urn(image.get("publisher", ""), image.get("offer", ""), image.get("sku", ""), image.get("version", ""))
    distro = linux_distro(record) if windows is None else None
    if distro is not None:
        return _linux_vm_state(key, record, ref, distro, urn)
    supported = family is not None and _supports_auto_patch(urn) and _platform_patches(record)
    settings = (windows or {}).get("patchSettings") or {}
    sim = record["sim"]
    patch = sim.get("patch") or {}
    guest_raw = sim.get("guest") or {}
    agent = (windows or {}).get("provisionVMAgent", True) is not False and guest_raw.get("agent", True)
    guest = lifecycle.Guest(
        agent,
        guest_raw.get("windowsUpdateService", True),
        guest_raw.get("updateSourceReachable", True),
        guest_raw.get("updateSource", "WindowsUpdate"),
    )
    avset = props.get("availabilitySet", {}).get("id")
    platform_settings = settings.get("automaticByPlatformSettings") or {}
    state = VmState(
        key,
        sim["index"],
        ref,
        vm["location"],
        (vm.get("zones") or [None])[0],
        avset.lower() if avset else None,
        sim.get("updateDomain"),
        _iana_name((windows or {}).get("timeZone")),
        family,
        supported,
        settings.get("patchMode") or ("AutomaticByOS" if windows is not None else None),
        settings.get("assessmentMode") == "AutomaticByPlatform",
        platform_settings.get("rebootSetting") or "IfRequired",
        sim["power"],
        _epoch_of(sim["createdAt"]),
        patch.get("enabled", False),
        patch.get("enableLeft", 0),
        frozenset(patch.get("installed", ())),
        patch.get("assessDue"),
        patch.get("rebootPending", False),
        patch.get("healthy", True),
        patch.get("retryAfter", 0),
        0,
        guest,
        dict(sim.get("faults") or {}),
        patch.get("enableError"),
        health_at=patch.get("healthAt"),
    )
    return _with_flags(state, patch)


def _linux_vm_state(key: str, record: dict, ref: int, distro: str, urn):
    """The engine's view of a Linux VM: its distribution is its catalog family; its off-peak hours are those of
    UTC (Azure has no time zone setting for Linux VMs, and Azure's Linux images run in UTC)."""
    from ..azure import images, linux
    from ..engine import lifecycle
    from ..engine.records import VmState
    from . import schedule_rules

    props = record["vm"]["properties"]
    config = props.get("osProfile", {}).get("linuxConfiguration") or {}
    settings = config.get("patchSettings") or {}
    sim = record["sim"]
    patch = sim.get("patch") or {}
    guest_raw = sim.get("guest") or {}
    supported = (images.supports_auto_patch(urn) or linux.supports_auto_patch(urn.publisher, urn.offer, urn.sku)) \
        and schedule_rules.platform_patches(record)
    guest = lifecycle.Guest(
        agent=config.get("provisionVMAgent", True) is not False and guest_raw.get("agent", True),
        update_service_running=guest_raw.get("windowsUpdateService", True),
        update_source_reachable=guest_raw.get("updateSourceReachable", True),
        update_source=guest_raw.get("updateSource", "WindowsUpdate"),
        package_manager=linux.DISTROS_BY_KEY[distro].package_manager,
    )
    avset = props.get("availabilitySet", {}).get("id")
    platform_settings = settings.get("automaticByPlatformSettings") or {}
    state = VmState(
        key=key, index=sim["index"], ref=ref, region=record["vm"]["location"],
        zone=(record["vm"].get("zones") or [None])[0], avset=avset.lower() if avset else None,
        ud=sim.get("updateDomain"), tz="UTC", family=distro, supported=supported,
        mode=settings.get("patchMode") or "ImageDefault",
        assess_platform=settings.get("assessmentMode") == "AutomaticByPlatform",
        reboot_setting=platform_settings.get("rebootSetting") or "IfRequired", power=sim["power"],
        created=to_epoch(parse_instant(sim["createdAt"])), enabled=patch.get("enabled", False),
        enable_left=patch.get("enableLeft", 0), installed=frozenset(patch.get("installed", ())),
        assess_due=patch.get("assessDue"), reboot_pending=patch.get("rebootPending", False),
        healthy=patch.get("healthy", True), retry_after=patch.get("retryAfter", 0), guest=guest,
        faults=dict(sim.get("faults") or {}), enable_error=patch.get("enableError"), health_at=patch.get("healthAt"),
    )
    return _with_flags(state, patch)


def history_section(state) -> dict:
    history = state.data.get("history")
    if history is None:
        history = state.data["history"] = {"vms": [], "rows": []}
    return history


def _history_refs(state) -> tuple[dict, list]:
    history = history_section(state)
    refs = {row[0]: index for index, row in enumerate(history["vms"])}
    return refs, history["vms"]


def _ref_for(record: dict, refs: dict, table: list) -> int:
    vm_id = record["vm"]["properties"]["vmId"]
    ref = refs.get(vm_id)
    if ref is None:
        from .vm_records import group_of

        vm = record["vm"]
        windows = vm["properties"].get("osProfile", {}).get("windowsConfiguration") or {}
        avset = vm["properties"].get("availabilitySet", {}).get("id")
        table.append([
            vm_id, vm["name"], group_of(record), vm["location"], (vm.get("zones") or [None])[0],
            avset.rsplit("/", 1)[-1] if avset else None, record["sim"].get("updateDomain"),
            windows.get("timeZone") or "UTC",
        ])
        distro = linux_distro(record)
        if distro is not None:
            table[-1].append(distro)  # a Linux VM's row names its distribution (a Windows row has none)
        ref = refs[vm_id] = len(table) - 1
    return ref


def build(state, until):
    """A simulator over the store's fleet, ready to :meth:`run` up to ``until``."""
    from ..engine.rollout import Rollout
    from ..engine.simulator import Simulator
    from .state import seed

    now = to_epoch(parse_instant(now_text(state)))
    refs, table = _history_refs(state)
    the_seed = seed(state)
    vms = {}
    for key, record in state.data["vms"].items():
        if "patch" not in record["sim"] and (
            record["vm"]["properties"].get("osProfile", {}).get("windowsConfiguration") or linux_distro(record)
        ):
            record["sim"]["patch"] = _new_patch_memory(state, record)
        vms[key] = vm_state(key, record, _ref_for(record, refs, table))
    engine = state.data.get("engine") or {}
    rollouts = [Rollout.from_json(raw) for raw in engine.get("rollouts", [])]
    start = to_epoch(parse_instant(state.section("clock")["start"]))
    earliest = min([start, *(vm.created for vm in vms.values())]) - 62 * 86_400
    return Simulator(the_seed, now, vms, rollouts, engine.get("inflight", []), catalog_extra(state), earliest,
                     history_section(state)["rows"], to_epoch(until))


def catalog_extra(state) -> list[dict]:
    return (state.data.get("catalog") or {}).get("outOfBand", [])


def releases(state, start: int, end: int):
    """Monthly and out-of-band releases published in (start, end], oldest first."""
    from ..engine.rollout import Release, monthly_releases

    out = monthly_releases(start, end)
    for raw in catalog_extra(state):
        published = to_epoch(parse_instant(raw["published"]))
        if start < published <= end and not any(r.id == raw["release"] for r in out):
            out.append(Release(raw["release"], published))
    out.sort(key=lambda r: (r.published, r.id))
    return out


# ---- writing back -------------------------------------------------------------------------------


def write_back(state, sim) -> None:
    """Store what the simulator changed: VM memories, instance views, rollouts, in-flight operations."""
    unfinished = sim.unfinished()
    running = {op.key: op for op in unfinished}
    when = epoch_to_iso(sim.now)
    for key, vm in sim.vms.items():
        record = state.data["vms"].get(key)
        if record is None or (record["vm"]["properties"].get("osProfile", {}).get("windowsConfiguration") is None
                              and vm.family is None):
            continue
        if vm.dirty or key in running or vm.ticket is not None or record["sim"].get("patch", {}).get("ticket"):
            _write_vm(record, vm, running.get(key), when, sim.seed)
        elif vm.wake:
            record["sim"]["patch"].pop("wake", None)  # looked at when the tick started
    state.data["engine"] = {
        "rollouts": [r.to_json() for r in sim.rollouts[-6:]],
        "inflight": [op.encode() for op in unfinished],
    }


def _write_vm(record: dict, vm, running, when: str, seed: int) -> None:
    from ..engine.records import OpKind
    from ..models.compute import AvailablePatchSummary, LastPatchInstallationSummary

    patch = record["sim"].setdefault("patch", {})
    patch.update(
        enabled=vm.enabled, enableLeft=vm.enable_left, installed=sorted(vm.installed), assessDue=vm.assess_due,
        rebootPending=vm.reboot_pending, healthy=vm.healthy, retryAfter=vm.retry_after,
        ticket=list(vm.ticket) if vm.ticket else None, enableError=vm.enable_error,
    )
    if vm.health_at is not None:
        patch["healthAt"] = vm.health_at
    patch.pop("assessNow", None)
    patch.pop("wake", None)
    if vm.assess_now:
        patch["assessNow"] = True
    record["sim"]["faults"] = vm.faults
    view = record["iv"]
    status = view.setdefault("patchStatus", {})
    if vm.assessment is not None:
        a = vm.assessment
        if not a.activity:
            from ..engine.lifecycle import activity_id

            a.activity = activity_id(seed, vm.index, "assessment", a.start)
        status["availablePatchSummary"] = wire_of(
            AvailablePatchSummary,
            status=a.status, assessmentActivityId=a.activity, rebootPending=a.reboot_pending,
            criticalAndSecurityPatchCount=a.critical_and_security, otherPatchCount=a.other,
            startTime=epoch_to_iso(a.start), lastModifiedTime=epoch_to_iso(a.end), error=_error(a.error),
        )
    if vm.installation is not None:
        i = vm.installation
        status["lastPatchInstallationSummary"] = wire_of(
            LastPatchInstallationSummary,
            status=i.status, installationActivityId=i.activity, maintenanceWindowExceeded=i.window_exceeded,
            rebootStatus=i.reboot_status, notSelectedPatchCount=i.not_selected, excludedPatchCount=i.excluded,
            pendingPatchCount=len(i.pending), installedPatchCount=len(i.installed), failedPatchCount=len(i.failed),
            startTime=epoch_to_iso(i.start), lastModifiedTime=epoch_to_iso(i.end), startedBy=i.started_by,
            error=_error(i.error),
        )
    if running is not None:
        from ..engine.lifecycle import activity_id

        kind, start = running.kind, running.start
        activity = activity_id(seed, vm.index, "assessment" if kind is OpKind.ASSESSMENT else "installation", start)
        if kind is OpKind.ASSESSMENT:
            status["availablePatchSummary"] = wire_of(
                AvailablePatchSummary, status="InProgress", assessmentActivityId=activity,
                rebootPending=vm.reboot_pending, startTime=epoch_to_iso(start), lastModifiedTime=when,
            )
        elif kind is OpKind.INSTALLATION:
            status["lastPatchInstallationSummary"] = wire_of(
                LastPatchInstallationSummary, status="InProgress", installationActivityId=activity,
                maintenanceWindowExceeded=False, startTime=epoch_to_iso(start), lastModifiedTime=when,
                startedBy="Platform",
            )
    if vm.mode == "AutomaticByPlatform":
        # statuses carry the time the platform changed them (the same whatever the tick's length); a status
        # this tick did not change keeps the time it was first reported
        changed = epoch_to_iso(vm.extension_at) if vm.extension_at is not None else None
        _set_configuration(record, vm.enabled, changed or when)
        linux = vm.guest.package_manager is not None
        if vm.enable_error:
            _set_extension(record, "Error", changed or when, vm.enable_error["message"], error=True, keep=not changed,
                           linux=linux)
        elif vm.enabled and vm.guest.package_manager is not None:
            _set_extension(record, "Succeeded", changed or when, "Automatic VM guest patching is enabled: the "
                           "platform orchestrates patches (Critical and Security) and the distribution's automatic "
                           f"updates are off{_linux_auto_updates_note(vm.family)}.", keep=not changed, linux=True)
        elif vm.enabled:
            _set_extension(record, "Succeeded", changed or when, "Automatic VM guest patching is enabled: the "
                           "platform orchestrates patches and Windows automatic updates are off (NoAutoUpdate=1)."
                           + _hotpatch_note(vm.family), keep=not changed)
        elif running is not None and running.kind is OpKind.ENABLEMENT:
            _set_extension(record, "Transitioning", epoch_to_iso(running.start),
                           "Installing the patch extension in the VM's off-peak hours.", keep=False, linux=linux)
        elif vm.enable_left and record["sim"].get("patch", {}).get("enabled") is False:
            _set_extension(record, "Transitioning", changed or when, "Enablement paused: it resumes in the VM's "
                           "next off-peak window.", keep=not changed, linux=linux)
    # the health signal is reported from the first reboot after patching on (or a VM found unhealthy)
    if not vm.healthy or view.get("vmHealth") or vm.health_at is not None:
        if vm.health_at is not None:
            view["vmHealth"] = health_status(vm.healthy, epoch_to_iso(vm.health_at))
        else:
            view["vmHealth"] = {"status": _kept((view.get("vmHealth") or {}).get("status"),
                                                health_status(vm.healthy, when)["status"])}


def _hotpatch_note(family: str | None) -> str:
    from ..azure.images import is_hotpatch_family

    if not is_hotpatch_family(family):
        return ""
    return (" Hotpatching is enabled: hotpatch months install without a restart; the baseline months (January, "
            "April, July, October) restart the VM.")


def _linux_auto_updates_note(family: str | None) -> str:
    from ..azure.linux import distro

    found = distro(family)
    if found is not None and found.unattended_security:
        return " (unattended-upgrades disabled)"
    return ""


def _remove_extension(record: dict) -> None:
    from ..azure.catalog import PATCH_EXTENSION_TYPE
    from ..azure.linux import LINUX_PATCH_EXTENSION_TYPE

    types = (PATCH_EXTENSION_TYPE, LINUX_PATCH_EXTENSION_TYPE)
    view = record["iv"]
    view["extensions"] = [e for e in view.get("extensions") or () if e.get("type") not in types]
    if not view["extensions"]:
        del view["extensions"]
    agent = view.get("vmAgent")
    if agent is not None and agent.get("extensionHandlers"):
        agent["extensionHandlers"] = [h for h in agent["extensionHandlers"] if h.get("type") not in types]


def _set_extension(record: dict, state: str, when: str, message: str, error: bool = False, keep: bool = True,
                   linux: bool = False) -> None:
    """The patch extension in ``extensions`` and among the agent's ``extensionHandlers`` (``keep``: a status
    that says what it said before keeps its time); ``linux``: the Linux patch extension."""
    from ..azure import catalog
    from ..azure import linux as linux_facts

    if linux:
        PATCH_EXTENSION_NAME, PATCH_EXTENSION_TYPE, PATCH_EXTENSION_VERSION = (  # noqa: N806
            linux_facts.LINUX_PATCH_EXTENSION_NAME, linux_facts.LINUX_PATCH_EXTENSION_TYPE,
            linux_facts.LINUX_PATCH_EXTENSION_VERSION)
    else:
        PATCH_EXTENSION_NAME, PATCH_EXTENSION_TYPE, PATCH_EXTENSION_VERSION = (  # noqa: N806
            catalog.PATCH_EXTENSION_NAME, catalog.PATCH_EXTENSION_TYPE, catalog.PATCH_EXTENSION_VERSION)
    from ..models.compute import (
        VirtualMachineExtensionHandlerInstanceView,
        VirtualMachineExtensionInstanceView,
    )

    code = {"Succeeded": "ProvisioningState/succeeded", "Transitioning": "ProvisioningState/transitioning",
            "Error": "ProvisioningState/failed"}[state]
    display = {"Succeeded": "Provisioning succeeded", "Transitioning": "Transitioning",
               "Error": "Provisioning failed"}[state]
    level = "Error" if error else "Info"
    view = record["iv"]
    before = next((e for e in view.get("extensions") or () if e.get("type") == PATCH_EXTENSION_TYPE), None)
    extension = wire_of(
        VirtualMachineExtensionInstanceView,
        name=PATCH_EXTENSION_NAME, type=PATCH_EXTENSION_TYPE, typeHandlerVersion=PATCH_EXTENSION_VERSION,
        statuses=[_status(code, display, when, level, message)],
    )
    if keep:
        _kept((before or {}).get("statuses", [None])[0], extension["statuses"][0])
    others = [e for e in view.get("extensions") or () if e.get("type") != PATCH_EXTENSION_TYPE]
    view["extensions"] = [*others, extension]
    agent = view.get("vmAgent")
    if agent is not None:
        handlers = [h for h in agent.get("extensionHandlers") or () if h.get("type") != PATCH_EXTENSION_TYPE]
        handlers.append(wire_of(
            VirtualMachineExtensionHandlerInstanceView,
            type=PATCH_EXTENSION_TYPE, typeHandlerVersion=PATCH_EXTENSION_VERSION,
            status=_status(code, "Ready" if state == "Succeeded" else display, None, level),
        ))
        agent["extensionHandlers"] = handlers




# ---- one tick -----------------------------------------------------------------------------------


def has_fleet(state) -> bool:
    return any(is_patched_vm(record) for record in state.data.get("vms", {}).values())


def engine_start(state, sim, until: int) -> None:
    start = to_epoch(parse_instant(now_text(state)))
    sim.start(releases(state, start, until))


def _with_flags(state, patch: dict):
    """The flags a restored VmState takes from its stored patch record, for Windows and Linux VMs alike."""
    state.assess_now = bool(patch.get("assessNow"))
    state.wake = bool(patch.get("wake"))
    if state.reboot_setting == "Unknown":
        state.reboot_setting = "IfRequired"
    ticket = patch.get("ticket")
    state.ticket = tuple(ticket) if ticket else None
    return state
