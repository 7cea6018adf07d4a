"""The rules of automatic VM guest patching that depend on the simulated date (azure/eras.py).

Before general availability the guide's preview rules stand (ops/vms.py); from it, today's documentation:
AutomaticByPlatform needs only the VM agent, not enableAutomaticUpdates; AutomaticByPlatform and Manual
may be switched with enableAutomaticUpdates false, AutomaticByPlatform and AutomaticByOS with it true,
AutomaticByOS and Manual never; a marketplace image exists only from its own date; hotpatching is for
the hotpatchable images; automaticByPlatformSettings exists from its api-version's date.
"""

from __future__ import annotations

from ..azure import eras, images
from ..errors import (
    AzureError,
    invalid_parameter,
    invalid_request_content,
    not_allowed_value,
    operation_not_allowed,
    platform_image_not_found,
)
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
        raise platform_image_not_found(str(urn))


def check_mode_switch(state, old_mode: str | None, mode: str) -> None:
    """Today's rule for mode switches: AutomaticByOS and Manual never change into each other (the one
    needs enableAutomaticUpdates true, the other false, and it is fixed at creation)."""
    if {old_mode, mode} == {"AutomaticByOS", "Manual"}:
        raise operation_not_allowed(
            f"Changing the patchMode from '{old_mode}' to '{mode}' is not supported: 'enableAutomaticUpdates' "
            "is set when the VM is created, and it must be true for 'AutomaticByOS' and false for 'Manual'.",
            MODE_TARGET,
        )


def platform_mode_error(ga: bool) -> AzureError:
    if ga:
        return invalid_parameter(
            MODE_TARGET,
            "The patchMode 'AutomaticByPlatform' is invalid. For patchMode 'AutomaticByPlatform', the property "
            "'provisionVMAgent' must be set to true.",
        )
    return invalid_parameter(
        MODE_TARGET,
        "The patchMode 'AutomaticByPlatform' is invalid. For patchMode 'AutomaticByPlatform', the "
        "properties 'provisionVMAgent' and 'enableAutomaticUpdates' must be set to true.",
    )


def check_hotpatching(state, vm: dict) -> None:
    """enableHotpatching: the hotpatchable images, from hotpatching's availability, with AutomaticByPlatform."""
    windows = vm["properties"]["osProfile"]["windowsConfiguration"]
    image = vm["properties"].get("storageProfile", {}).get("imageReference") or {}
    urn = images.Urn(image.get("publisher", ""), image.get("offer", ""), image.get("sku", ""), "")
    target = "windowsConfiguration.patchSettings.enableHotpatching"
    if not era(state).hotpatching or image.get("id") or not images.supports_hotpatch(urn):
        raise invalid_parameter(
            target,
            "Hotpatching is not supported for this image: 'enableHotpatching' can only be set to true on "
            "Windows Server Azure Edition images with patchMode 'AutomaticByPlatform'.",
        )
    if windows["patchSettings"].get("patchMode") != "AutomaticByPlatform" or not windows.get("provisionVMAgent"):
        raise invalid_parameter(
            target,
            "'enableHotpatching' can be set to true only when patchMode is 'AutomaticByPlatform' and "
            "'provisionVMAgent' is true.",
        )


def normalize_platform_settings(state, vm: dict) -> None:
    """automaticByPlatformSettings (Windows and Linux): kept from the date its api-version exists (before,
    ARM ignored it as an unknown property); its rebootSetting spelled as the enum, its bypass flag a boolean."""
    os_profile = vm["properties"].get("osProfile", {})
    for config in (os_profile.get("windowsConfiguration"), os_profile.get("linuxConfiguration")):
        if config is not None and config.get("patchSettings") is not None:
            _normalize_settings(era(state), config["patchSettings"])


def _normalize_settings(current: eras.Era, settings: dict) -> None:
    raw = settings.get("automaticByPlatformSettings")
    if raw is None:
        return
    if not current.reboot_setting:
        settings.pop("automaticByPlatformSettings")
        return
    if not isinstance(raw, dict):
        raise invalid_request_content("The value of 'automaticByPlatformSettings' must be an object.")
    reboot = raw.get("rebootSetting")
    if reboot is not None:
        canonical = next((r for r in REBOOT_SETTINGS if r.lower() == str(reboot).lower()), None)
        if canonical is None:
            raise not_allowed_value(reboot, "automaticByPlatformSettings.rebootSetting", REBOOT_SETTINGS)
        raw["rebootSetting"] = canonical
    bypass = raw.get("bypassPlatformSafetyChecksOnUserSchedule")
    if bypass is not None and not current.scheduled_patching:
        raw.pop("bypassPlatformSafetyChecksOnUserSchedule")
    elif bypass is not None and not isinstance(bypass, bool):
        raise invalid_request_content(
            "The value of 'automaticByPlatformSettings.bypassPlatformSafetyChecksOnUserSchedule' must be a boolean.")
    if not raw:
        settings.pop("automaticByPlatformSettings")
