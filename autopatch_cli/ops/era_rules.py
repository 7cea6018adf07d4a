"""The rules of automatic VM guest patching that depend on the simulated date (azure/eras.py).

Before general availability the guide's preview rules stand (ops/vms.py); from it, today's documentation:
AutomaticByPlatform needs only the VM agent, not enableAutomaticUpdates; AutomaticByPlatform and Manual
may be switched with enableAutomaticUpdates false, AutomaticByPlatform and AutomaticByOS with it true,
AutomaticByOS and Manual never; a marketplace image exists only from its own date; hotpatching is for
the hotpatchable images; automaticByPlatformSettings exists from its api-version's date.
"""

from __future__ import annotations

from ..azure import eras, images
from ..errors import AzureError
from .state import now

MODE_TARGET = "windowsConfiguration.patchSettings.patchMode"
REBOOT_SETTINGS = ("Unknown", "IfRequired", "Never", "Always")  # AutomaticByPlatformRebootSetting


def era(state) -> eras.Era:
    return eras.era_at(now(state))


def check_image_available(state, vm: dict) -> None:
    """A marketplace image Azure did not offer yet at the simulated date is not found, as ARM says it."""
    image = vm["properties"].get("storageProfile", {}).get("imageReference") or {}
    if image.get("id"):
        return
    urn = images.Urn(image.get("publisher", ""), image.get("offer", ""), image.get("sku", ""), image.get("version", ""))
    since = images.available_from(urn)
    if since is not None and now(state) < since:
        raise AzureError(
            "PlatformImageNotFound",
            f"The platform image '{urn.publisher}:{urn.offer}:{urn.sku}:{urn.version}' is not available. Verify "
            "that all fields in the storage profile are correct. For more details about storage profile "
            "information, please refer to https://aka.ms/storageprofile",
            404,
            "imageReference",
        )


def check_mode_switch(state, old_mode: str | None, mode: str) -> None:
    """Today's rule for mode switches: AutomaticByOS and Manual never change into each other (the one
    needs enableAutomaticUpdates true, the other false, and it is fixed at creation)."""
    if {old_mode, mode} == {"AutomaticByOS", "Manual"}:
        raise AzureError(
            "OperationNotAllowed",
            f"Changing the patchMode from '{old_mode}' to '{mode}' is not supported: 'enableAutomaticUpdates' "
            "is set when the VM is created, and it must be true for 'AutomaticByOS' and false for 'Manual'.",
            409,
            MODE_TARGET,
        )


def platform_mode_error(ga: bool) -> AzureError:
    if ga:
        return AzureError(
            "InvalidParameter",
            "The patchMode 'AutomaticByPlatform' is invalid. For patchMode 'AutomaticByPlatform', the property "
            "'provisionVMAgent' must be set to true.",
            400,
            MODE_TARGET,
        )
    return AzureError(
        "InvalidParameter",
        "The patchMode 'AutomaticByPlatform' is invalid. For patchMode 'AutomaticByPlatform', the "
        "properties 'provisionVMAgent' and 'enableAutomaticUpdates' must be set to true.",
        400,
        MODE_TARGET,
    )


def check_hotpatching(state, vm: dict) -> None:
    """enableHotpatching: the hotpatchable images, from hotpatching's availability, with AutomaticByPlatform."""
    windows = vm["properties"]["osProfile"]["windowsConfiguration"]
    image = vm["properties"].get("storageProfile", {}).get("imageReference") or {}
    urn = images.Urn(image.get("publisher", ""), image.get("offer", ""), image.get("sku", ""), "")
    target = "windowsConfiguration.patchSettings.enableHotpatching"
    if not era(state).hotpatching or image.get("id") or not images.supports_hotpatch(urn):
        raise AzureError(
            "InvalidParameter",
            "Hotpatching is not supported for this image: 'enableHotpatching' can only be set to true on "
            "Windows Server Azure Edition images with patchMode 'AutomaticByPlatform'.",
            400,
            target,
        )
    if windows["patchSettings"].get("patchMode") != "AutomaticByPlatform" or not windows.get("provisionVMAgent"):
        raise AzureError(
            "InvalidParameter",
            "'enableHotpatching' can be set to true only when patchMode is 'AutomaticByPlatform' and "
            "'provisionVMAgent' is true.",
            400,
            target,
        )


def normalize_platform_settings(state, settings: dict) -> None:
    """automaticByPlatformSettings: kept from the date its api-version exists (before, ARM ignored it as an
    unknown property); its rebootSetting spelled as the enum, its bypass flag a boolean."""
    raw = settings.get("automaticByPlatformSettings")
    current = era(state)
    if raw is None:
        return
    if not current.reboot_setting:
        settings.pop("automaticByPlatformSettings")
        return
    if not isinstance(raw, dict):
        raise AzureError("InvalidRequestContent", "The value of 'automaticByPlatformSettings' must be an object.",
                         400, "automaticByPlatformSettings")
    reboot = raw.get("rebootSetting")
    if reboot is not None:
        canonical = next((r for r in REBOOT_SETTINGS if r.lower() == str(reboot).lower()), None)
        if canonical is None:
            raise AzureError(
                "InvalidParameter",
                f"The value '{reboot}' of parameter 'automaticByPlatformSettings.rebootSetting' is not allowed. "
                f"Allowed values are {', '.join(repr(r) for r in REBOOT_SETTINGS)}.",
                400,
                "automaticByPlatformSettings.rebootSetting",
            )
        raw["rebootSetting"] = canonical
    bypass = raw.get("bypassPlatformSafetyChecksOnUserSchedule")
    if bypass is not None and not current.scheduled_patching:
        raw.pop("bypassPlatformSafetyChecksOnUserSchedule")
    elif bypass is not None and not isinstance(bypass, bool):
        raise AzureError(
            "InvalidRequestContent",
            "The value of 'automaticByPlatformSettings.bypassPlatformSafetyChecksOnUserSchedule' must be a boolean.",
            400,
            "automaticByPlatformSettings.bypassPlatformSafetyChecksOnUserSchedule",
        )
    if not raw:
        settings.pop("automaticByPlatformSettings")
