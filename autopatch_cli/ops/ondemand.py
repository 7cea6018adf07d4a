"""On-demand patch operations: assessPatches and installPatches (az vm assess-patches / install-patches).

Both run now, whatever the hour, outside the orchestration, and need the ``InGuestPatchVMPreview``
feature registered and propagated, as the guide says. Like az, the caller waits for the long-running
operation by default: simulated time moves on by the operation's duration. With ``wait=False`` the
operation starts, the instance view says ``InProgress``, and the result lands on a later tick.
"""

from __future__ import annotations

import re
from datetime import timedelta

from ..azure.catalog import LINUX_PATCH_CLASSIFICATIONS as LINUX_CLASSIFICATIONS
from ..azure.catalog import ON_DEMAND_FEATURE, REBOOT_SETTINGS
from ..azure.catalog import WINDOWS_PATCH_CLASSIFICATIONS as WINDOWS_CLASSIFICATIONS
from ..engine.clock import epoch_to_iso, from_epoch, parse_instant, to_epoch
from ..engine.records import OpKind
from ..errors import conflict, invalid_parameter, invalid_request_content, operation_not_allowed
from . import clock, era_rules, patching, vm_rules, vms
from .state import now_text

# installPatches' maximumDuration: ISO 8601, at most four hours (Azure: "PT4H" is the largest allowed).
MAX_DURATION = timedelta(hours=4)
MIN_DURATION = timedelta(minutes=30)
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.IGNORECASE)


def _target(state, group: str, name: str, operation: str):
    record = vms.require(state, group, name)
    vm_rules.check_feature_propagated(state, ON_DEMAND_FEATURE)
    if not vms.is_windows(record["vm"]):
        check_linux_target(state, record, operation)
    if record["sim"]["power"] != "running":
        raise operation_not_allowed(
            f"Operation '{operation}' is not allowed on VM '{name}' since the VM is "
            f"{vms.POWER_DISPLAY[record['sim']['power']].removeprefix('VM ')}."
        )
    if _catalog_family(record) is None:
        image = record["vm"]["properties"].get("storageProfile", {}).get("imageReference", {})
        shown = image.get("id") or ":".join(image.get(k, "") for k in ("publisher", "offer", "sku"))
        supported = ("Windows Server platform images are supported." if vms.is_windows(record["vm"]) else
                     "the Linux distributions of the patch catalog are supported (`autopatch catalog list --os`).")
        raise operation_not_allowed(f"Operation '{operation}' is not supported for the image '{shown}': only "
                                    + supported)
    return record


def check_linux_target(state, record: dict, operation: str) -> None:
    """A Linux VM: from the Linux preview (Compute 2020-12-01) on, on the supported Linux images of the era
    (the same list as automatic patching's [A]: custom images and unlisted distributions are refused)."""
    from ..azure import images
    from .state import now

    when = now(state)
    if not era_rules.era(state).linux_platform_patching:
        raise operation_not_allowed(
            f"Operation '{operation}' is supported only on Windows virtual machines in this preview.")
    image = record["vm"]["properties"].get("storageProfile", {}).get("imageReference", {})
    urn = images.Urn(image.get("publisher", ""), image.get("offer", ""), image.get("sku", ""), "")
    if image.get("id") or not images.supports_linux_patching(urn, when):
        shown = image.get("id") or ":".join(urn[:3])
        raise operation_not_allowed(
            f"Operation '{operation}' is not supported for the image '{shown}': only the Linux platform images "
            "listed at https://learn.microsoft.com/azure/virtual-machines/automatic-vm-guest-patching"
            "#supported-os-images are supported.")


def _catalog_family(record: dict) -> str | None:
    """The patch catalog's family of the VM's image: a Windows Server version, or a Linux distribution."""
    from ..engine.catalog import image_family

    image = record["vm"]["properties"].get("storageProfile", {}).get("imageReference", {})
    if image.get("id"):
        return None
    return image_family(image.get("publisher", ""), image.get("offer", ""), image.get("sku", ""))


_RUNNING = {OpKind.ASSESSMENT: "an assessment", OpKind.INSTALLATION: "a patch installation"}


def _simulator(state, key: str):
    """The engine over the store; refused while an assessment or installation runs on the VM (the patch
    extension's own enablement is no obstacle: an on-demand operation may come at any time)."""
    sim = patching.build(state, parse_instant(now_text(state)))
    vm = sim.vms[key]
    if vm.family is None:
        # a Linux VM the engine does not follow (ImageDefault): its distribution's catalog all the same
        vm.family = _catalog_family(state.data["vms"][key])
    running = next((op for op in sim.unfinished() if op.key == key), None)
    if running is not None and running.kind in _RUNNING:
        raise conflict(
            f"{_RUNNING[running.kind].capitalize()} is in progress on this VM until "
            f"{epoch_to_iso(running.end)}. Wait for it to finish and retry."
        )
    return sim, vm


def assess(state, group: str, name: str, wait: bool = True) -> dict | None:
    """Assess the VM now; returns VirtualMachineAssessPatchesResult (newest shape) or None with no wait."""
    from ..engine import lifecycle

    record = _target(state, group, name, "assessPatches")
    key = vms.ids.key(vms.group_of(record), record["vm"]["name"])
    sim, vm = _simulator(state, key)
    start = sim.now
    sim.os_updates(vm, start)
    result = lifecycle.assess(sim.seed, vm.index, start, sim.missing(vm, start), vm.guest, vm.reboot_pending)
    if not wait and vm.busy_until <= start:
        sim.begin_user_operation(vm, OpKind.ASSESSMENT, start, result.end)
        patching.write_back(state, sim)
        return None
    # (with --no-wait during the extension's enablement the result is stored at once: the VM has one
    # operation slot in the engine, and the enablement keeps it)
    vm.assessment = result
    vm.dirty = True
    sim.record_user(vm, OpKind.ASSESSMENT, result.start, result.end, result.status, ())
    patching.write_back(state, sim)
    if not wait:
        return None
    clock.tick(state, from_epoch(result.end))
    return _assessment_document(result)


def _assessment_document(result) -> dict:
    """VirtualMachineAssessPatchesResult: a Windows patch has its kbId, a Linux package update its name and
    version (the spec: version "applies only to Linux patches", kbId "only to Windows patches")."""
    from ..engine.catalog import classification_titles
    from ..models.compute import VirtualMachineAssessPatchesResult, VirtualMachineSoftwarePatchProperties

    return VirtualMachineAssessPatchesResult(
        status=result.status,
        assessmentActivityId=result.activity,
        rebootPending=result.reboot_pending,
        criticalAndSecurityPatchCount=result.critical_and_security,
        otherPatchCount=result.other,
        startDateTime=epoch_to_iso(result.start),
        availablePatches=[
            VirtualMachineSoftwarePatchProperties(
                patchId=p.patch_id, name=p.name, version=p.version or None, kbId=p.kb_id or None,
                classifications=classification_titles(p), rebootBehavior=p.reboot_behavior,
                activityId=result.activity, publishedDate=epoch_to_iso(int(p.published.timestamp())),
                lastModifiedDateTime=epoch_to_iso(result.end), assessmentState="Available",
            )
            for p in result.patches
        ],
        error=result.error,
    ).wire()


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match or not any(match.groups()):
        raise invalid_parameter(
            "maximumDuration",
            f"The value '{text}' of parameter 'maximumDuration' is not a valid "
            "ISO 8601 duration such as 'PT4H'.",
        )
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def validate_install_parameters(parameters: dict, windows: bool = True):
    """Azure's checks of VirtualMachineInstallPatchesParameters; returns (duration, Selection)."""
    from ..engine.lifecycle import Selection

    if not isinstance(parameters, dict):
        raise invalid_request_content()
    from ..models.compute import VirtualMachineInstallPatchesParameters

    VirtualMachineInstallPatchesParameters.from_request(parameters)  # JSON types first, then Azure's rules
    if not parameters.get("maximumDuration"):
        raise invalid_parameter("maximumDuration", "Required parameter 'maximumDuration' is missing (null).")
    duration = parse_duration(parameters["maximumDuration"])
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise invalid_parameter(
            "maximumDuration",
            f"The value '{parameters['maximumDuration']}' of parameter "
            "'maximumDuration' is out of range: it must be between PT30M and PT4H.",
        )
    reboot = parameters.get("rebootSetting")
    if not reboot:
        raise invalid_parameter("rebootSetting", "Required parameter 'rebootSetting' is missing (null).")
    canonical = {r.lower(): r for r in REBOOT_SETTINGS}.get(str(reboot).lower())
    if canonical is None:
        raise invalid_parameter(
            "rebootSetting",
            f"The value '{reboot}' of parameter 'rebootSetting' is invalid. "
            f"Allowed values: {', '.join(REBOOT_SETTINGS)}.",
        )
    if parameters.get("linuxParameters") and windows:
        raise invalid_parameter(
            "linuxParameters",
            "Parameter 'linuxParameters' is not allowed for a Windows VM: use 'windowsParameters'.",
        )
    if not windows:
        return duration, validate_linux_parameters(parameters, canonical)
    params = parameters.get("windowsParameters")
    if not params:
        raise invalid_parameter(
            "windowsParameters", "Required parameter 'windowsParameters' is missing (null)."
        )
    classes = []
    for value in params.get("classificationsToInclude") or ():
        canonical_class = {c.lower(): c for c in WINDOWS_CLASSIFICATIONS}.get(str(value).lower())
        if canonical_class is None:
            raise invalid_parameter(
                "windowsParameters.classificationsToInclude",
                f"The value '{value}' of parameter "
                "'windowsParameters.classificationsToInclude' is invalid. Allowed values: "
                f"{', '.join(WINDOWS_CLASSIFICATIONS)}.",
            )
        classes.append(canonical_class)
    include = tuple(_kb(k, "kbNumbersToInclude") for k in params.get("kbNumbersToInclude") or ())
    exclude = tuple(_kb(k, "kbNumbersToExclude") for k in params.get("kbNumbersToExclude") or ())
    if not classes and not include:
        raise invalid_parameter(
            "windowsParameters",
            "At least one of 'windowsParameters.classificationsToInclude' or "
            "'windowsParameters.kbNumbersToInclude' must be given.",
        )
    max_publish = None
    if params.get("maxPatchPublishDate"):
        try:
            max_publish = to_epoch(parse_instant(params["maxPatchPublishDate"]))
        except ValueError as exc:
            raise invalid_parameter(
                "windowsParameters.maxPatchPublishDate",
                f"The value '{params['maxPatchPublishDate']}' of parameter "
                "'windowsParameters.maxPatchPublishDate' is not a valid date-time.",
            ) from exc
    selection = Selection(
        tuple(classes),
        include,
        exclude,
        bool(params.get("excludeKbsRequiringReboot")),
        max_publish,
        canonical,
    )
    return duration, selection


def validate_linux_parameters(parameters: dict, reboot_setting: str):
    """installPatches' Linux rules: ``linuxParameters`` (not ``windowsParameters``), Linux's classifications
    (Critical, Security, Other), and at least one classification or included package [A]."""
    if parameters.get("windowsParameters"):
        raise invalid_parameter(
            "windowsParameters",
            "Parameter 'windowsParameters' is not allowed for a Linux VM: use 'linuxParameters'.",
        )
    params = parameters.get("linuxParameters")
    if params is None:
        raise invalid_parameter("linuxParameters", "Required parameter 'linuxParameters' is missing (null).")
    classes = []
    for value in params.get("classificationsToInclude") or ():
        canonical_class = {c.lower(): c for c in LINUX_CLASSIFICATIONS}.get(str(value).lower())
        if canonical_class is None:
            raise invalid_parameter(
                "linuxParameters.classificationsToInclude",
                f"The value '{value}' of parameter 'linuxParameters.classificationsToInclude' is invalid. "
                f"Allowed values: {', '.join(LINUX_CLASSIFICATIONS)}.",
            )
        classes.append(canonical_class)
    include = tuple(_mask(m, "packageNameMasksToInclude") for m in params.get("packageNameMasksToInclude") or ())
    exclude = tuple(_mask(m, "packageNameMasksToExclude") for m in params.get("packageNameMasksToExclude") or ())
    if not classes and not include:
        raise invalid_parameter(
            "linuxParameters",
            "At least one of 'linuxParameters.classificationsToInclude' or "
            "'linuxParameters.packageNameMasksToInclude' must be given.",
        )
    from ..engine.lifecycle import linux_selection

    # package masks match as the Linux patch extension matches them (engine.lifecycle.mask_matches)
    return linux_selection(tuple(classes), include, exclude, reboot_setting)


def _mask(value, name: str) -> str:
    text = str(value).strip()
    if not text or any(c.isspace() for c in text):
        raise invalid_parameter(
            f"linuxParameters.{name}",
            f"The value '{value}' of parameter 'linuxParameters.{name}' is not a package name mask "
            "(packageName or packageName_packageVersion, '*' and '?' as wildcards).",
        )
    return text


def _kb(value, name: str) -> str:
    text = str(value).strip()
    digits = text[2:] if text.upper().startswith("KB") else text
    if not digits.isdigit():
        raise invalid_parameter(
            f"windowsParameters.{name}",
            f"The value '{value}' of parameter 'windowsParameters.{name}' is not a KB number.",
        )
    return digits


def install(state, group: str, name: str, parameters: dict, wait: bool = True) -> dict | None:
    """Install now; returns VirtualMachineInstallPatchesResult (newest shape) or None with no wait."""
    from ..engine import lifecycle

    record = _target(state, group, name, "installPatches")
    duration, selection = validate_install_parameters(parameters, windows=vms.is_windows(record["vm"]))
    key = vms.ids.key(vms.group_of(record), record["vm"]["name"])
    sim, vm = _simulator(state, key)
    start = sim.now
    sim.os_updates(vm, start)
    missing = sim.missing(vm, start)
    result = lifecycle.install(
        sim.seed,
        vm.index,
        start,
        start + int(duration.total_seconds()),
        missing,
        vm.guest,
        selection,
        vm.faults,
        started_by="User",
        reboot_pending=vm.reboot_pending,
    )
    if not wait and vm.busy_until <= start:
        sim.begin_user_operation(vm, OpKind.INSTALLATION, start, result.end, result)
        patching.write_back(state, sim)
        return None
    sim.apply_installation(vm, result)
    sim.record_user(
        vm,
        OpKind.INSTALLATION,
        result.start,
        result.end,
        result.status,
        result.kb_ids,
        result.window_exceeded,
        result.rebooted,
    )
    patching.write_back(state, sim)
    if not wait:
        return None
    clock.tick(state, from_epoch(result.end))
    return _installation_document(result, missing, selection)


def _installation_document(result, missing, selection) -> dict:
    from ..engine.catalog import classification_titles
    from ..models.compute import PatchInstallationDetail, VirtualMachineInstallPatchesResult

    installed = {p.uid for p in result.installed}
    failed = {p.uid for p in result.failed}
    pending = {p.uid for p in result.pending}

    def state_of(p) -> str:
        if p.uid in installed:
            return "Installed"
        if p.uid in failed:
            return "Failed"
        if p.uid in pending:
            return "Pending"
        verdict = selection.verdict(p)  # what the installation left alone
        # a selected patch in none of the lists: the installation never ran (a requirement failed)
        return "NotSelected" if verdict == "Selected" else verdict

    return VirtualMachineInstallPatchesResult(
        status=result.status,
        installationActivityId=result.activity,
        rebootStatus=result.reboot_status,
        maintenanceWindowExceeded=result.window_exceeded,
        excludedPatchCount=result.excluded,
        notSelectedPatchCount=result.not_selected,
        pendingPatchCount=len(result.pending),
        installedPatchCount=len(result.installed),
        failedPatchCount=len(result.failed),
        patches=[
            PatchInstallationDetail(
                patchId=p.patch_id,
                name=p.name,
                version=p.version or None,
                kbId=p.kb_id or None,
                classifications=classification_titles(p),
                installationState=state_of(p),
            )
            for p in missing
        ],
        startDateTime=epoch_to_iso(result.start),
        error=result.error,
    ).wire()


