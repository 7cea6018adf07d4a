"""ARM's rules for a virtual machine PUT, each one named check.

``vms.put`` runs them in the order ARM reports them: the request's own shape first (location,
osProfile, enum values, time zone, size, image), then the rules of a new VM (zones, availability set)
or of a change (what is fixed at creation), then the patch-settings rules of the guide and the spec.
Each check raises the error ARM answers (``errors``' constructors), or returns (some return the canonical spelling of
the value they accepted, as ARM stores it).
"""

from __future__ import annotations

from typing import Any

from ..azure import catalog, image_docs, images, regions
from ..azure.enums import ASSESSMENT_MODES, LICENSE_TYPES, LINUX_PATCH_MODES, WINDOWS_PATCH_MODES
from ..errors import (
    invalid_parameter,
    location_required,
    missing_subscription_registration,
    not_allowed_value,
    operation_not_allowed,
    property_change_not_allowed,
    subscription_not_registered_for_feature,
)
from . import availability_sets, era_rules, features, ids, providers
from .state import now, subscription_id
from .vm_records import patch_mode

# ---- the request ------------------------------------------------------------------------------


def check_compute_registered(state) -> None:
    """A subscription must have Microsoft.Compute registered before it can hold VMs."""
    if not providers.is_registered(state, "Microsoft.Compute"):
        raise missing_subscription_registration("Microsoft.Compute")


def check_location_given(model) -> None:
    if not model.location:
        raise location_required()


def check_os_profile_given(model, existing: dict | None) -> None:
    """A new VM needs an osProfile; an update may leave it out (it keeps the one it has)."""
    if (model.properties is None or model.properties.osProfile is None) and existing is None:
        raise invalid_parameter("osProfile", "Required parameter 'osProfile' is missing (null).")


def allowed_value(value: str, allowed: tuple[str, ...], prop: str) -> str:
    """ARM matches enum values case-insensitively and stores the canonical spelling."""
    for choice in allowed:
        if choice.lower() == str(value).lower():
            return choice
    raise not_allowed_value(value, prop, allowed)


def check_time_zone(value: str) -> str:
    """A Windows time zone name, returned in its canonical spelling."""
    from ..azure.timezones import canonical_windows_zone

    zone = canonical_windows_zone(value)
    if zone is None:
        raise invalid_parameter(
            "windowsConfiguration.timeZone",
            f"The value '{value}' of parameter 'windowsConfiguration.timeZone' is "
            "invalid. Use a Windows time zone name such as 'Pacific Standard Time'.",
        )
    return zone


def canonical_os_configuration(windows: dict | None, linux: dict | None) -> None:
    """Check the enum values and time zone of the OS configurations, storing their canonical spelling."""
    if windows is not None:
        settings = windows.get("patchSettings") or {}
        if settings.get("patchMode") is not None:
            settings["patchMode"] = allowed_value(settings["patchMode"], WINDOWS_PATCH_MODES, "patchMode")
        if settings.get("assessmentMode") is not None:
            settings["assessmentMode"] = allowed_value(
                settings["assessmentMode"], ASSESSMENT_MODES, "assessmentMode"
            )
        if windows.get("timeZone") is not None:
            windows["timeZone"] = check_time_zone(windows["timeZone"])
    if linux is not None:
        # a Windows mode on a Linux VM (or a Linux mode on a Windows one, above) is outside the enum of its OS
        settings = linux.get("patchSettings") or {}
        if settings.get("patchMode"):
            settings["patchMode"] = allowed_value(settings["patchMode"], LINUX_PATCH_MODES, _LINUX_MODE_TARGET)
        if settings.get("assessmentMode") is not None:
            settings["assessmentMode"] = allowed_value(
                settings["assessmentMode"], ASSESSMENT_MODES, "linuxConfiguration.patchSettings.assessmentMode"
            )


DELETE_OPTIONS = ("Delete", "Detach")  # Compute's DeleteOptions and DiskDeleteOptionTypes (2024-07-01)


def check_delete_options(vm: dict) -> None:
    """The ``deleteOption`` of the VM's NICs, OS disk and data disks is one of Compute's enum (Delete, Detach),
    matched case-insensitively and stored in its canonical spelling; another value is refused."""
    properties = vm["properties"]
    places: list[tuple[dict, str]] = []
    for index, nic in enumerate(properties.get("networkProfile", {}).get("networkInterfaces") or []):
        if isinstance(nic, dict) and isinstance(nic.get("properties"), dict):
            places.append((nic["properties"], f"networkProfile.networkInterfaces[{index}].properties.deleteOption"))
    storage = properties.get("storageProfile") or {}
    if isinstance(storage.get("osDisk"), dict):
        places.append((storage["osDisk"], "storageProfile.osDisk.deleteOption"))
    for index, disk in enumerate(storage.get("dataDisks") or []):
        if isinstance(disk, dict):
            places.append((disk, f"storageProfile.dataDisks[{index}].deleteOption"))
    for holder, prop in places:
        if holder.get("deleteOption") is not None:
            holder["deleteOption"] = allowed_value(holder["deleteOption"], DELETE_OPTIONS, prop)


def check_vm_size(size: str) -> None:
    if size not in catalog.VM_SIZES:
        raise invalid_parameter(
            "vmSize",
            f"The value {size} provided for the VM size is not valid. The valid sizes in the "
            f"current region are: {', '.join(sorted(catalog.VM_SIZES))}.",
        )


def check_image_given(properties: dict, existing: dict | None) -> None:
    """A new VM is created from an image, or from an OS disk."""
    storage = properties.get("storageProfile", {})
    if existing is None and not storage.get("imageReference") and "osDisk" not in storage:
        raise invalid_parameter(
            "storageProfile.imageReference",
            "Required parameter 'storageProfile.imageReference' is missing (null): "
            "a new VM needs an image to be created from.",
        )


def check_license_type(properties: dict) -> None:
    value = properties.get("licenseType")
    if value is not None and value not in LICENSE_TYPES:
        raise invalid_parameter(
            "licenseType",
            f"The value '{value}' of parameter 'licenseType' is invalid. Allowed values are "
            f"{', '.join(repr(a) for a in LICENSE_TYPES)}.",
        )


# ---- a new VM ---------------------------------------------------------------------------------


def check_zones(vm: dict) -> None:
    """One zone, of those the region has."""
    zones = vm.get("zones") or []
    if zones:
        valid = regions.ZONES if regions.has_zones(vm["location"]) else ()
        if len(zones) != 1 or zones[0] not in valid:
            raise invalid_parameter(
                "zones",
                f"The requested zone(s) '{','.join(zones)}' is not a valid zone for location "
                f"'{vm['location']}'. "
                + (
                    f"Valid zones are '{', '.join(valid)}'."
                    if valid
                    else "This location has no availability zones."
                ),
            )


def check_availability_set(state, vm: dict) -> None:
    """The availability set exists, in the VM's location, and the VM has no zone."""
    avset_ref = vm["properties"].get("availabilitySet", {}).get("id")
    if avset_ref:
        avset = availability_sets.require(state, *ids.group_and_name(avset_ref))
        if vm.get("zones"):
            raise invalid_parameter(
                "availabilitySet",
                "A virtual machine with an availability zone cannot be placed in an availability set.",
            )
        if avset["location"] != vm["location"]:
            raise invalid_parameter(
                "availabilitySet",
                f"The availability set '{avset['name']}' is in location '{avset['location']}', but the "
                f"virtual machine is in '{vm['location']}'. They must be in the same location.",
            )


# ---- a change to an existing VM ---------------------------------------------------------------

# Properties a PUT or PATCH may change on an existing VM; everything else is fixed at creation.
MUTABLE_PATHS = (
    ("tags",),
    ("properties", "hardwareProfile"),
    ("properties", "storageProfile", "dataDisks"),  # az vm update --add/--remove storageProfile.dataDisks
    ("properties", "osProfile", "windowsConfiguration", "patchSettings"),
    ("properties", "osProfile", "linuxConfiguration", "patchSettings"),
    ("properties", "diagnosticsProfile"),
    ("properties", "licenseType"),
    ("properties", "provisioningState"),
)
# Filled by ARM, never compared: a request need not repeat them.
_IGNORED_KEYS = (
    "exactVersion",
    "managedDisk",
    "secrets",
    "allowExtensionOperations",
    "requireGuestProvisionSignal",
)


def check_fixed_properties_unchanged(old: dict, new: dict) -> None:
    """Refuse changes to what Azure fixes at creation, with ARM's PropertyChangeNotAllowed."""

    def walk(a: Any, b: Any, path: tuple[str, ...]) -> None:
        if any(path[: len(m)] == m for m in MUTABLE_PATHS):
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                if k in _IGNORED_KEYS:
                    continue
                if k in b:
                    walk(a.get(k), b[k], (*path, k))
            return
        if a != b:
            shown = ".".join(p for p in path if p != "properties")
            if path[:2] == ("properties", "osProfile"):
                shown = ".".join(path[2:])
            raise property_change_not_allowed(shown)

    walk(old, new, ())
    check_placement_unchanged(old, new)


def password_digest(vm_id: str, password: str) -> str:
    """What the store keeps of a VM's admin password: a salted digest, enough to see a change."""
    import hashlib

    return hashlib.sha256(f"{vm_id}:{password}".encode()).hexdigest()


def check_password_unchanged(record: dict, password: str | None) -> None:
    """ARM never changes a VM's admin password through a PUT (the VMAccess extension does that): the same
    password again is fine (re-running ``vm create``), another one is PropertyChangeNotAllowed."""
    digest = record["sim"].get("credentialDigest")
    if password is not None and digest is not None:
        if password_digest(record["vm"]["properties"]["vmId"], password) != digest:
            raise property_change_not_allowed("osProfile.adminPassword")


def check_placement_unchanged(old: dict, new: dict) -> None:
    """What a PUT leaves out is compared too: a VM keeps its availability set and zones for life."""
    old_set = (old["properties"].get("availabilitySet") or {}).get("id") or ""
    new_set = (new["properties"].get("availabilitySet") or {}).get("id") or ""
    if old_set.lower() != new_set.lower():
        raise property_change_not_allowed("availabilitySet.id")
    if list(old.get("zones") or []) != list(new.get("zones") or []):
        raise property_change_not_allowed("zones")


# ---- patch settings ---------------------------------------------------------------------------

_PATCH_MODE_TARGET = "windowsConfiguration.patchSettings.patchMode"


def check_patch_settings(state, vm: dict, old: dict | None) -> None:
    """The patchMode / enableAutomaticUpdates / provisionVMAgent rules of the guide and the spec."""
    os_profile = vm["properties"].get("osProfile", {})
    linux = os_profile.get("linuxConfiguration")
    if linux is not None:
        check_linux_patch_settings(state, vm, old)
        return
    windows = os_profile["windowsConfiguration"]
    # the simulated date decides whose rules apply: the guide's preview, or today's documentation
    ga = era_rules.era(state).general_availability
    if ga:
        era_rules.check_mode_switch(state, patch_mode(old) if old else None, windows["patchSettings"]["patchMode"])
    else:
        # the guide's rule first: a Manual VM cannot become automatic (whatever else the request says)
        check_manual_stays_manual(windows, old)
    check_patch_mode_matches_updates(windows, ga)
    check_hotpatching(windows, state, vm)
    # Turning platform patching or platform assessment on needs a supported image and the feature.
    if turned_on_platform(windows, old):
        check_platform_image(vm, ga, now(state))
        check_feature_propagated(state)


_LINUX_MODE_TARGET = "linuxConfiguration.patchSettings.patchMode"
_LINUX_SETTING_TARGETS = {"patchMode": _LINUX_MODE_TARGET,
                          "assessmentMode": "linuxConfiguration.patchSettings.assessmentMode"}


def check_linux_patch_settings(state, vm: dict, old: dict | None) -> None:
    """Linux's patch settings: AutomaticByPlatform (patchMode or assessmentMode) from the Linux preview's date
    (azure/eras.py), with the VM agent, on a supported image of the era, and in the preview with its feature
    registration; ImageDefault always (the distribution's own configuration)."""
    linux = vm["properties"]["osProfile"]["linuxConfiguration"]
    settings = linux["patchSettings"]
    platform = [key for key in ("patchMode", "assessmentMode") if settings.get(key) == "AutomaticByPlatform"]
    if not platform:
        return
    check_linux_platform_era(state, platform[0])
    check_linux_agent(linux, platform[0])
    old_settings = ((old or {}).get("properties", {}).get("osProfile", {}).get("linuxConfiguration") or {}).get(
        "patchSettings") or {}
    if any(old_settings.get(key) != "AutomaticByPlatform" for key in platform):
        check_linux_platform_image(vm, now(state), platform[0])
        check_feature_propagated(state)


def check_linux_platform_era(state, key: str = "patchMode") -> None:
    """Before the Linux preview (Compute 2020-12-01), AutomaticByPlatform was for Windows only."""
    if not era_rules.era(state).linux_platform_patching:
        raise invalid_parameter(
            _LINUX_SETTING_TARGETS[key],
            f"The {key} 'AutomaticByPlatform' is supported only on Windows virtual machines in this preview.",
        )


def check_linux_agent(linux: dict, key: str = "patchMode") -> None:
    """The spec: 'AutomaticByPlatform ... The property provisionVMAgent must be true' (both settings)."""
    if linux.get("provisionVMAgent") is False:
        raise invalid_parameter(
            _LINUX_SETTING_TARGETS[key],
            f"The {key} 'AutomaticByPlatform' is invalid. For {key} 'AutomaticByPlatform', the property "
            "'provisionVMAgent' must be set to true.",
        )


def check_linux_platform_image(vm: dict, when=None, key: str = "patchMode") -> None:
    """Only the supported Linux marketplace images of the era (exact publisher/offer/SKU), no custom image."""
    image = vm["properties"].get("storageProfile", {}).get("imageReference", {})
    urn = images.Urn(image.get("publisher", ""), image.get("offer", ""), image.get("sku", ""), "")
    if image.get("id") or not images.supports_linux_patching(urn, when):
        shown = image.get("id") or f"{urn.publisher}:{urn.offer}:{urn.sku}"
        preview = when is not None and when < era_rules.eras.GENERAL_AVAILABILITY
        supported = ("the Linux platform images of the preview (Canonical UbuntuServer 16.04-LTS and 18.04-LTS, "
                     "RedHat RHEL 7.2 to 7.8, SUSE sles-12-sp5 and sles-15-sp2) are supported" if preview else
                     "the Linux platform images listed at https://learn.microsoft.com/azure/virtual-machines/"
                     "automatic-vm-guest-patching#supported-os-images are supported")
        raise invalid_parameter(
            _LINUX_SETTING_TARGETS[key],
            f"The {key} 'AutomaticByPlatform' is not supported for the image '{shown}'. Only {supported}; "
            "custom images are not.",
        )


def check_manual_stays_manual(windows: dict, old: dict | None) -> None:
    """The guide: a VM in patchMode Manual cannot be switched to an automatic mode."""
    mode = windows["patchSettings"]["patchMode"]
    old_mode = patch_mode(old) if old else None
    if old_mode == "Manual" and mode != "Manual":
        raise operation_not_allowed(
            f"Changing the patchMode from 'Manual' to '{mode}' is not supported.", _PATCH_MODE_TARGET
        )


def check_patch_mode_matches_updates(windows: dict, ga: bool = False) -> None:
    """Each patchMode needs its enableAutomaticUpdates (and, for AutomaticByPlatform, the VM agent; today's
    documentation no longer asks AutomaticByPlatform for enableAutomaticUpdates)."""
    mode = windows["patchSettings"]["patchMode"]
    auto_updates = windows["enableAutomaticUpdates"]
    if mode == "Manual" and auto_updates:
        raise invalid_parameter(
            _PATCH_MODE_TARGET,
            "The patchMode 'Manual' is invalid. For patchMode 'Manual', the property "
            "'enableAutomaticUpdates' must be set to false.",
        )
    if mode == "AutomaticByOS" and not auto_updates:
        raise invalid_parameter(
            _PATCH_MODE_TARGET,
            "The patchMode 'AutomaticByOS' is invalid. For patchMode 'AutomaticByOS', the property "
            "'enableAutomaticUpdates' must be set to true.",
        )
    if mode == "AutomaticByPlatform" and not ((auto_updates or ga) and windows["provisionVMAgent"]):
        raise era_rules.platform_mode_error(ga)


def check_hotpatching(windows: dict, state=None, vm: dict | None = None) -> None:
    """Hotpatching needs a hotpatchable Azure Edition image, its date, and platform patching (era_rules);
    without a store (the rule alone) the preview's answer: no hotpatching."""
    if not windows["patchSettings"].get("enableHotpatching"):
        return
    if state is None or vm is None:
        raise invalid_parameter(
            "windowsConfiguration.patchSettings.enableHotpatching",
            "Hotpatching is not supported for this image: 'enableHotpatching' can only be set to true on "
            "Windows Server Azure Edition images with patchMode 'AutomaticByPlatform'.",
        )
    era_rules.check_hotpatching(state, vm)


def turned_on_platform(windows: dict, old: dict | None) -> list[str]:
    """The patch settings this request turns to AutomaticByPlatform (patchMode, assessmentMode)."""
    settings = windows["patchSettings"]
    old_settings = old["properties"]["osProfile"]["windowsConfiguration"]["patchSettings"] if old else {}
    return [
        key
        for key in ("patchMode", "assessmentMode")
        if settings.get(key) == "AutomaticByPlatform" and old_settings.get(key) != "AutomaticByPlatform"
    ]


def check_platform_image(vm: dict, ga: bool = False, when=None) -> None:
    """Platform patching is for the supported marketplace images of the era, not custom images."""
    image = vm["properties"].get("storageProfile", {}).get("imageReference", {})
    urn = images.Urn(image.get("publisher", ""), image.get("offer", ""), image.get("sku", ""), "")
    if image.get("id") or not images.supports_auto_patch(urn, when):
        shown = image.get("id") or f"{urn.publisher}:{urn.offer}:{urn.sku}"
        supported = ("the platform images MicrosoftWindowsServer:WindowsServer of Windows Server 2008 R2 to 2025 "
                     "listed at https://learn.microsoft.com/azure/virtual-machines/automatic-vm-guest-patching"
                     "#supported-os-images are supported" if ga else
                     "the platform images MicrosoftWindowsServer:WindowsServer with SKU "
                     f"{image_docs.either(images.PREVIEW_AUTO_PATCH_SKU_NAMES)} are supported")
        raise invalid_parameter(
            _PATCH_MODE_TARGET,
            f"The patchMode 'AutomaticByPlatform' is not supported for the image '{shown}'. Only {supported}; "
            "custom images are not.",
        )


def check_feature_propagated(state, feature: str = catalog.AUTO_PATCH_FEATURE) -> None:
    """Azure's preview gate: the feature Registered, then the provider registered again after that (until the
    service stopped asking for it, azure/eras.py)."""
    if not era_rules.era(state).preview_flags_needed:
        return
    entry = features.record(state, "Microsoft.Compute", feature)
    registered_at = providers.registered_at(state, "Microsoft.Compute")
    if entry.get("state") != "Registered" or not registered_at or registered_at < entry.get("since", ""):
        if entry.get("state") == "Registering":
            hint = (f"The feature is still Registering (it takes up to 15 minutes; see 'az feature show --namespace "
                    f"Microsoft.Compute --name {feature}'); once it is Registered, propagate it with 'az provider "
                    "register --namespace Microsoft.Compute'")
        elif entry.get("state") != "Registered":
            hint = f"Register it with 'az feature register --namespace Microsoft.Compute --name {feature}'"
        else:
            hint = "Propagate it with 'az provider register --namespace Microsoft.Compute'"
        raise subscription_not_registered_for_feature(
            subscription_id(state), "Microsoft.Compute", feature, hint
        )
