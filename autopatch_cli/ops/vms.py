"""Virtual machines: create-or-update (PUT) with Azure's patch-settings rules, reads, power actions.

A VM is kept in the store as ``{"vm": <VirtualMachine wire shape>, "iv": <instance view>, "sim": {...}}``:
the resource as ARM returns it (newest api-version, the union of the fields of all we serve), its
instance view as the platform maintains it, and the simulation's own bookkeeping.
"""

from __future__ import annotations

import copy
from typing import Any

# The pydantic models are imported inside the functions that build resources, so reads
# (vm show, get-instance-view) never pay for defining them.
from ..azure import catalog, images, regions
from ..errors import AzureError, ValidationError, resource_not_found
from . import availability_sets, era_rules, features, groups, ids, providers
from .names import (
    DISALLOWED_USERNAMES,
    validate_admin_password,
    validate_admin_username,
    validate_resource_name,
    validate_windows_computer_name,
)
from .state import next_guid, now, now_text, subscription_id

WINDOWS_PATCH_MODES = ("AutomaticByOS", "AutomaticByPlatform", "Manual")
LINUX_PATCH_MODES = ("ImageDefault", "AutomaticByPlatform")
ASSESSMENT_MODES = ("ImageDefault", "AutomaticByPlatform")
POWER_DISPLAY = {
    "running": "VM running",
    "stopped": "VM stopped",
    "deallocated": "VM deallocated",
    "starting": "VM starting",
    "stopping": "VM stopping",
    "deallocating": "VM deallocating",
}


# ---- lookup ------------------------------------------------------------------------------------


def find(state, group: str, name: str) -> dict | None:
    return state.entry("vms", ids.key(group, name))


def require(state, group: str, name: str) -> dict:
    record = find(state, group, name)
    if record is None:
        groups.require(state, group)
        raise resource_not_found(ids.VM_TYPE, name, group)
    return record


def group_of(record: dict) -> str:
    return record["vm"]["id"].split("/")[4]


def power_state(record: dict) -> str:
    return record["sim"]["power"]


def is_windows(vm: dict) -> bool:
    return "windowsConfiguration" in vm.get("properties", {}).get("osProfile", {})


def patch_mode(vm: dict) -> str | None:
    os_profile = vm.get("properties", {}).get("osProfile", {})
    config = os_profile.get("windowsConfiguration") or os_profile.get("linuxConfiguration") or {}
    return config.get("patchSettings", {}).get("patchMode")


# ---- rendering ---------------------------------------------------------------------------------


def resource(record: dict) -> dict:
    """The VM as GET returns it (a copy, safe to change)."""
    return copy.deepcopy(record["vm"])


def with_instance_view(record: dict) -> dict:
    """The VM as GET ?$expand=instanceView returns it: what ``az vm get-instance-view`` prints."""
    vm = resource(record)
    vm["properties"]["instanceView"] = copy.deepcopy(record["iv"])
    return vm


def instance_view(record: dict) -> dict:
    """The bare instance view, as GET .../instanceView returns it."""
    return copy.deepcopy(record["iv"])


def status(code: str, display: str, time: str | None = None, level: str = "Info", message=None):
    from ..models.compute import InstanceViewStatus

    return InstanceViewStatus(code=code, level=level, displayStatus=display, time=time, message=message)


def refresh_statuses(record: dict, when: str) -> None:
    """Rewrite the provisioning and power statuses of the instance view from the simulation state."""
    power = record["sim"]["power"]
    record["iv"]["statuses"] = [
        status("ProvisioningState/succeeded", "Provisioning succeeded", record["sim"]["provisionedAt"]).wire(),
        status(f"PowerState/{power}", POWER_DISPLAY[power]).wire(),
    ]
    if power != "running":
        agent = record["iv"].get("vmAgent")
        if agent:
            agent["statuses"] = [
                status(
                    "ProvisioningState/Unavailable",
                    "Not Ready",
                    when,
                    "Warning",
                    "VM status blob is found but not yet populated.",
                ).wire()
            ]
    elif record["iv"].get("vmAgent"):
        record["iv"]["vmAgent"]["statuses"] = [_agent_ready(when)]


def _agent_ready(when: str) -> dict:
    return status(
        "ProvisioningState/succeeded",
        "Ready",
        when,
        message="GuestAgent is running and accepting new configurations.",
    ).wire()


def summary(state, record: dict) -> dict:
    """What ``az vm create`` prints for one VM."""
    sim = record["sim"]
    vm = record["vm"]
    return {
        "fqdns": "",
        "id": vm["id"],
        "location": vm["location"],
        "macAddress": sim["macAddress"],
        "powerState": POWER_DISPLAY[sim["power"]],
        "privateIpAddress": sim["privateIpAddress"],
        "publicIpAddress": sim["publicIpAddress"],
        "resourceGroup": group_of(record),
        "zones": ",".join(vm.get("zones", [])),
    }


# ---- create ------------------------------------------------------------------------------------


def build_body(
    state,
    group: str,
    name: str,
    image: str,
    *,
    location: str | None = None,
    zone: str | None = None,
    availability_set: str | None = None,
    size: str | None = None,
    tags: dict[str, str] | None = None,
    admin_username: str | None = None,
    admin_password: str | None = None,
    enable_agent: bool | None = None,
    enable_auto_update: bool | None = None,
    patch_mode: str | None = None,
    enable_hotpatching: bool | None = None,
    time_zone: str | None = None,
    computer_name: str | None = None,
) -> dict:
    """The PUT body ``az vm create`` sends, after az's own client-side checks."""
    from ..models.compute import (
        HardwareProfile,
        ImageReference,
        LinuxConfiguration,
        ManagedDiskParameters,
        NetworkInterfaceReference,
        NetworkInterfaceReferenceProperties,
        NetworkProfile,
        OSDisk,
        OSProfile,
        PatchSettings,
        StorageProfile,
        SubResource,
        VirtualMachine,
        VirtualMachineProperties,
        WindowsConfiguration,
    )

    rg = groups.require(state, group)
    urn, custom_image_id = _resolve_image(image)
    windows = images.is_windows(urn) if urn else True
    computer = computer_name or name
    if windows:
        validate_windows_computer_name(computer)
    username = admin_username or _default_username()
    validate_admin_username(username, windows)
    if windows and not admin_password:
        raise ValidationError("Please specify password in non-interactive mode.")
    if admin_password:
        validate_admin_password(admin_password, windows)
    sub = subscription_id(state)
    if urn:
        image_reference = ImageReference(publisher=urn.publisher, offer=urn.offer, sku=urn.sku, version=urn.version)
    else:
        image_reference = ImageReference(id=custom_image_id)
    os_profile = OSProfile(computerName=computer, adminUsername=username, adminPassword=admin_password)
    if windows:
        os_profile.windowsConfiguration = WindowsConfiguration(
            provisionVMAgent=enable_agent,
            enableAutomaticUpdates=enable_auto_update,
            timeZone=time_zone,
            patchSettings=PatchSettings(patchMode=patch_mode, enableHotpatching=enable_hotpatching)
            if patch_mode or enable_hotpatching is not None
            else None,
        )
    else:
        from ..models.compute import LinuxPatchSettings

        os_profile.linuxConfiguration = LinuxConfiguration(
            disablePasswordAuthentication=not admin_password,
            provisionVMAgent=enable_agent,
            patchSettings=LinuxPatchSettings(patchMode=patch_mode) if patch_mode else None,
        )
    properties = VirtualMachineProperties(
        hardwareProfile=HardwareProfile(vmSize=size or catalog.DEFAULT_VM_SIZE),
        storageProfile=StorageProfile(
            imageReference=image_reference,
            osDisk=OSDisk(
                osType="Windows" if windows else "Linux",
                caching="ReadWrite",
                createOption="FromImage",
                managedDisk=ManagedDiskParameters(storageAccountType="Premium_LRS"),
                deleteOption="Detach",
            ),
            dataDisks=[],
        ),
        osProfile=os_profile,
        networkProfile=NetworkProfile(
            networkInterfaces=[
                NetworkInterfaceReference(
                    id=ids.resource_id(sub, rg["name"], "Microsoft.Network/networkInterfaces", f"{name}VMNic"),
                    properties=NetworkInterfaceReferenceProperties(primary=None),
                )
            ]
        ),
    )
    if availability_set:
        properties.availabilitySet = SubResource(id=_availability_set_id(state, rg["name"], availability_set))
    body = VirtualMachine(
        location=location or rg["location"],
        tags=tags,
        properties=properties,
        zones=[zone] if zone else None,
    )
    dumped = body.wire()
    if admin_password:  # travels to put() for validation only; never stored or printed
        dumped["properties"]["osProfile"]["adminPassword"] = admin_password
    return dumped


def _default_username() -> str:
    """az's default: the current OS user, or azureuser when that name is reserved."""
    import getpass

    try:
        user = getpass.getuser()
    except Exception:  # no user name in this environment (some containers)
        return "azureuser"
    ok = user.lower() not in DISALLOWED_USERNAMES
    return user if ok and user.replace("_", "").replace("-", "").replace(".", "").isalnum() else "azureuser"


def _resolve_image(image: str) -> tuple[images.Urn | None, str | None]:
    urn = images.resolve(image)
    if urn:
        return urn, None
    if image.lower().startswith("/subscriptions/") and "/providers/microsoft.compute/" in image.lower():
        return None, image
    raise ValidationError(
        f'Invalid image "{image}". Use a valid image URN, custom image name, custom image id, VHD blob URI, '
        f"or pick an image from {list(images.ALIASES)}.\nSee vm create -h for more information on "
        "specifying an image."
    )


def _availability_set_id(state, group: str, name_or_id: str) -> str:
    if name_or_id.startswith("/"):
        parsed = ids.parse(name_or_id)
        avset = availability_sets.require(state, parsed["group"], parsed["name"])
    else:
        avset = availability_sets.require(state, group, name_or_id)
    return ids.resource_id(subscription_id(state), avset["group"], ids.AVSET_TYPE, avset["name"])


def create(state, group: str, name: str, image: str, count: int | None = None, **options: Any) -> list[dict]:
    """``az vm create``: one VM, or ``count`` VMs named ``{name}0``..``{name}{count-1}``."""
    if count is not None and not 2 <= count <= 250:
        raise ValidationError("--count should be in [2, 250]. Please make sure your input is correct.")
    names = [f"{name}{i}" for i in range(count)] if count else [name]
    created = []
    for vm_name in names:
        body = build_body(state, group, vm_name, image, **options)
        created.append(put(state, group, vm_name, body))
    return [summary(state, record) for record in created]


# ---- PUT: create or update with Azure's rules --------------------------------------------------


def put(state, group: str, name: str, body: dict) -> dict:
    """Create or replace a VM from a ``VirtualMachine`` body, as ARM's PUT does; returns the record."""
    from ..models.compute import VirtualMachine

    rg = groups.require(state, group)
    validate_resource_name(name, ids.VM_TYPE)
    if not providers.is_registered(state, "Microsoft.Compute"):
        raise AzureError(
            "MissingSubscriptionRegistration",
            "The subscription is not registered to use namespace 'Microsoft.Compute'. See "
            "https://aka.ms/rps-not-found for how to register subscriptions.",
            409,
        )
    model = VirtualMachine.from_request(body)
    existing = find(state, group, name)
    vm = _normalize(state, rg, name, model, existing)
    if existing is None:
        _check_new(state, vm)
    else:
        _check_change(existing["vm"], vm)
    _check_patch_settings(state, vm, existing["vm"] if existing else None)
    return _store(state, rg, name, vm, existing)


def _normalize(state, rg: dict, name: str, model, existing: dict | None) -> dict:
    """Fill what ARM fills: ids, defaults of the Windows configuration, read-only properties."""
    from ..models.compute import VirtualMachineProperties

    if not model.location:
        raise AzureError("LocationRequired", "The location property is required for this definition.", 400)
    location = groups.resolve_location(model.location, ids.VM_TYPE)
    props = model.properties or VirtualMachineProperties()
    if props.osProfile is None and existing is None:
        raise AzureError(
            "InvalidParameter",
            "Required parameter 'osProfile' is missing (null).",
            400,
            "osProfile",
        )
    vm = model.wire()
    vm["id"] = ids.resource_id(subscription_id(state), rg["name"], ids.VM_TYPE, existing["vm"]["name"] if existing else name)
    vm["name"] = existing["vm"]["name"] if existing else name
    vm["type"] = ids.VM_TYPE
    vm["location"] = location
    properties = vm.setdefault("properties", {})
    properties.pop("instanceView", None)
    properties.get("osProfile", {}).pop("adminPassword", None)
    if existing is not None:
        # Read-only and create-only parts come from the existing VM, as ARM keeps them.
        for part in ("storageProfile", "osProfile", "networkProfile"):
            if part not in properties and part in existing["vm"]["properties"]:
                properties[part] = copy.deepcopy(existing["vm"]["properties"][part])
        properties["vmId"] = existing["vm"]["properties"]["vmId"]
    os_profile = properties.get("osProfile", {})
    windows = os_profile.get("windowsConfiguration")
    linux = os_profile.get("linuxConfiguration")
    image = properties.get("storageProfile", {}).get("imageReference", {})
    if windows is None and linux is None:
        urn_windows = images.is_windows(images.Urn(image.get("publisher", ""), image.get("offer", ""), "", ""))
        os_type = properties.get("storageProfile", {}).get("osDisk", {}).get("osType")
        if urn_windows or os_type == "Windows" or image.get("id"):
            windows = os_profile["windowsConfiguration"] = {}
        else:
            linux = os_profile["linuxConfiguration"] = {}
    if windows is not None:
        settings = windows.setdefault("patchSettings", {})
        windows.setdefault("provisionVMAgent", True)
        mode = settings.get("patchMode")
        if mode is not None:
            settings["patchMode"] = _canonical_enum(mode, WINDOWS_PATCH_MODES, "patchMode")
        if "enableAutomaticUpdates" not in windows:
            windows["enableAutomaticUpdates"] = settings.get("patchMode") != "Manual"
        settings.setdefault("patchMode", "AutomaticByOS" if windows["enableAutomaticUpdates"] else "Manual")
        if settings.get("assessmentMode") is not None:
            settings["assessmentMode"] = _canonical_enum(settings["assessmentMode"], ASSESSMENT_MODES, "assessmentMode")
        settings.setdefault("assessmentMode", "ImageDefault")
        era_rules.normalize_platform_settings(state, settings)
        if windows.get("timeZone") is not None:
            from ..azure.timezones import canonical_windows_zone

            zone = canonical_windows_zone(windows["timeZone"])
            if zone is None:
                raise AzureError(
                    "InvalidParameter",
                    f"The value '{windows['timeZone']}' of parameter 'windowsConfiguration.timeZone' is "
                    "invalid. Use a Windows time zone name such as 'Pacific Standard Time'.",
                    400,
                    "windowsConfiguration.timeZone",
                )
            windows["timeZone"] = zone
    if linux is not None:
        linux.setdefault("provisionVMAgent", True)
        settings = linux.setdefault("patchSettings", {})
        mode = settings.get("patchMode")
        settings["patchMode"] = _canonical_enum(mode, LINUX_PATCH_MODES, "patchMode") if mode else "ImageDefault"
        settings.setdefault("assessmentMode", "ImageDefault")
        era_rules.normalize_platform_settings(state, settings)
    os_profile.setdefault("secrets", [])
    os_profile.setdefault("allowExtensionOperations", True)
    os_profile.setdefault("requireGuestProvisionSignal", True)
    hardware = properties.setdefault("hardwareProfile", {})
    hardware.setdefault("vmSize", catalog.DEFAULT_VM_SIZE)
    if hardware["vmSize"] not in catalog.VM_SIZES:
        raise AzureError(
            "InvalidParameter",
            f"The value {hardware['vmSize']} provided for the VM size is not valid. The valid sizes in the "
            f"current region are: {', '.join(sorted(catalog.VM_SIZES))}.",
            400,
            "vmSize",
        )
    storage = properties.get("storageProfile", {})
    if existing is None and not image and "osDisk" not in storage:
        raise AzureError("InvalidParameter", "Required parameter 'storageProfile.imageReference' is missing (null): "
                         "a new VM needs an image to be created from.", 400, "storageProfile.imageReference")
    if image and "version" in image and image.get("version", "").lower() == "latest":
        image["exactVersion"] = _exact_version(image)
    if image and "osDisk" not in storage:
        # ARM fills the OS disk a create from an image leaves out, as az's body spells it
        storage["osDisk"] = {"osType": "Windows" if windows is not None else "Linux", "createOption": "FromImage",
                             "caching": "ReadWrite", "managedDisk": {"storageAccountType": "Premium_LRS"},
                             "deleteOption": "Detach"}
    if "osDisk" in storage:
        storage["osDisk"].setdefault("osType", "Windows" if windows is not None else "Linux")
        storage["osDisk"].setdefault("name", f"{vm['name']}_OsDisk_1")
        storage["osDisk"].setdefault("diskSizeGB", 127 if windows is not None else 30)
        storage["osDisk"]["managedDisk"] = storage["osDisk"].get("managedDisk", {"storageAccountType": "Premium_LRS"})
        storage["osDisk"]["managedDisk"]["id"] = ids.resource_id(
            subscription_id(state), rg["name"], "Microsoft.Compute/disks", storage["osDisk"]["name"]
        )
    for nic in properties.get("networkProfile", {}).get("networkInterfaces", []):
        nic.setdefault("properties", {})
        if not nic["properties"]:
            del nic["properties"]
    if "zones" in vm:
        vm["zones"] = [str(z) for z in vm["zones"]]
    properties["provisioningState"] = "Succeeded"
    return vm


def _exact_version(image: dict) -> str:
    """The image version 'latest' resolves to: the September 2020 build of each family, older than a new
    store's start (2020-10-01), so the first simulated Patch Tuesday has something to install."""
    sku = image.get("sku", "")
    if not images.is_windows(images.Urn(image.get("publisher", ""), image.get("offer", ""), sku, "")):
        return "20.04.202009080"
    return images.latest_version(sku) or "9600.19816.2009041836"


def _canonical_enum(value: str, allowed: tuple[str, ...], prop: str) -> str:
    for choice in allowed:
        if choice.lower() == str(value).lower():
            return choice
    raise AzureError(
        "InvalidParameter",
        f"The value '{value}' of parameter '{prop}' is not allowed. Allowed values are "
        f"{', '.join(repr(a) for a in allowed)}.",
        400,
        prop,
    )


def _check_new(state, vm: dict) -> None:
    era_rules.check_image_available(state, vm)
    props = vm["properties"]
    zones = vm.get("zones") or []
    if zones:
        valid = regions.ZONES if regions.has_zones(vm["location"]) else ()
        if len(zones) != 1 or zones[0] not in valid:
            raise AzureError(
                "InvalidParameter",
                f"The requested zone(s) '{','.join(zones)}' is not a valid zone for location "
                f"'{vm['location']}'. "
                + (f"Valid zones are '{', '.join(valid)}'." if valid else "This location has no availability zones."),
                400,
                "zones",
            )
    avset_ref = props.get("availabilitySet", {}).get("id")
    if avset_ref:
        parsed = ids.parse(avset_ref)
        avset = availability_sets.require(state, parsed["group"], parsed["name"])
        if zones:
            raise AzureError(
                "InvalidParameter",
                "A virtual machine with an availability zone cannot be placed in an availability set.",
                400,
                "availabilitySet",
            )
        if avset["location"] != vm["location"]:
            raise AzureError(
                "InvalidParameter",
                f"The availability set '{avset['name']}' is in location '{avset['location']}', but the "
                f"virtual machine is in '{vm['location']}'. They must be in the same location.",
                400,
                "availabilitySet",
            )


# Properties a PUT or PATCH may change on an existing VM; everything else is fixed at creation.
_MUTABLE_PATHS = (
    ("tags",),
    ("properties", "hardwareProfile"),
    ("properties", "storageProfile", "dataDisks"),  # az vm update --add/--remove storageProfile.dataDisks
    ("properties", "osProfile", "windowsConfiguration", "patchSettings"),
    ("properties", "osProfile", "linuxConfiguration", "patchSettings"),
    ("properties", "diagnosticsProfile"),
    ("properties", "licenseType"),
    ("properties", "provisioningState"),
)


def _check_change(old: dict, new: dict) -> None:
    """Refuse changes to what Azure fixes at creation, with ARM's PropertyChangeNotAllowed."""

    def walk(a: Any, b: Any, path: tuple[str, ...]) -> None:
        if any(path[: len(m)] == m for m in _MUTABLE_PATHS):
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                if k in ("exactVersion", "managedDisk", "secrets", "allowExtensionOperations", "requireGuestProvisionSignal"):
                    continue
                if k in b:
                    walk(a.get(k), b[k], (*path, k))
            return
        if a != b:
            shown = ".".join(p for p in path if p != "properties")
            if path[:2] == ("properties", "osProfile"):
                shown = ".".join(path[2:])
            raise AzureError(
                "PropertyChangeNotAllowed",
                f"Changing property '{shown}' is not allowed.",
                409,
                shown,
            )

    walk(old, new, ())
    # What a PUT leaves out is compared too: a VM keeps its availability set and zones for life.
    old_set = (old["properties"].get("availabilitySet") or {}).get("id") or ""
    new_set = (new["properties"].get("availabilitySet") or {}).get("id") or ""
    if old_set.lower() != new_set.lower():
        raise AzureError("PropertyChangeNotAllowed", "Changing property 'availabilitySet.id' is not allowed.", 409,
                         "availabilitySet.id")
    if list(old.get("zones") or []) != list(new.get("zones") or []):
        raise AzureError("PropertyChangeNotAllowed", "Changing property 'zones' is not allowed.", 409, "zones")


def _check_patch_settings(state, vm: dict, old: dict | None) -> None:
    """The patchMode / enableAutomaticUpdates / provisionVMAgent rules of the guide and the spec."""
    props = vm["properties"]
    windows = props.get("osProfile", {}).get("windowsConfiguration")
    linux = props.get("osProfile", {}).get("linuxConfiguration")
    target = "windowsConfiguration.patchSettings.patchMode"
    if linux is not None:
        if linux["patchSettings"]["patchMode"] == "AutomaticByPlatform":
            raise AzureError(
                "InvalidParameter",
                "The patchMode 'AutomaticByPlatform' is supported only on Windows virtual machines in this "
                "preview.",
                400,
                "linuxConfiguration.patchSettings.patchMode",
            )
        return
    settings = windows["patchSettings"]
    mode = settings["patchMode"]
    auto_updates = windows["enableAutomaticUpdates"]
    # the guide's rule first: a Manual VM cannot become automatic (whatever else the request says)
    old_mode = patch_mode(old) if old else None
    ga = era_rules.era(state).general_availability
    if ga:
        era_rules.check_mode_switch(state, old_mode, mode)
    elif old_mode == "Manual" and mode != "Manual":
        raise AzureError(
            "OperationNotAllowed",
            f"Changing the patchMode from 'Manual' to '{mode}' is not supported.",
            409,
            target,
        )
    if mode == "Manual" and auto_updates:
        raise AzureError(
            "InvalidParameter",
            "The patchMode 'Manual' is invalid. For patchMode 'Manual', the property "
            "'enableAutomaticUpdates' must be set to false.",
            400,
            target,
        )
    if mode == "AutomaticByOS" and not auto_updates:
        raise AzureError(
            "InvalidParameter",
            "The patchMode 'AutomaticByOS' is invalid. For patchMode 'AutomaticByOS', the property "
            "'enableAutomaticUpdates' must be set to true.",
            400,
            target,
        )
    if mode == "AutomaticByPlatform" and not ((auto_updates or ga) and windows["provisionVMAgent"]):
        raise era_rules.platform_mode_error(ga)  # today's doc: enableAutomaticUpdates may be false
    if settings.get("enableHotpatching"):
        era_rules.check_hotpatching(state, vm)
    # Turning platform patching or platform assessment on needs a supported image and the feature.
    old_settings = old["properties"]["osProfile"]["windowsConfiguration"]["patchSettings"] if old else {}
    turned_on = [
        key for key in ("patchMode", "assessmentMode")
        if settings.get(key) == "AutomaticByPlatform" and old_settings.get(key) != "AutomaticByPlatform"
    ]
    if turned_on:
        _check_platform_image(vm, ga, now(state))
        check_feature_propagated(state)


def _check_platform_image(vm: dict, ga: bool, when) -> None:
    image = vm["properties"].get("storageProfile", {}).get("imageReference", {})
    urn = images.Urn(image.get("publisher", ""), image.get("offer", ""), image.get("sku", ""), "")
    if image.get("id") or not images.supports_auto_patch(urn, when):
        shown = image.get("id") or f"{urn.publisher}:{urn.offer}:{urn.sku}"
        supported = ("the platform images MicrosoftWindowsServer:WindowsServer of Windows Server 2008 R2 to 2025 "
                     "listed at https://learn.microsoft.com/azure/virtual-machines/automatic-vm-guest-patching"
                     "#supported-os-images are supported" if ga else
                     "the platform images MicrosoftWindowsServer:WindowsServer with SKU 2012-R2-Datacenter, "
                     "2016-Datacenter, 2016-Datacenter-Server-Core, 2019-Datacenter or 2019-Datacenter-Server-Core "
                     "are supported")
        raise AzureError(
            "InvalidParameter",
            f"The patchMode 'AutomaticByPlatform' is not supported for the image '{shown}'. Only {supported}; "
            "custom images are not.",
            400,
            "windowsConfiguration.patchSettings.patchMode",
        )


def check_feature_propagated(state, feature: str = catalog.AUTO_PATCH_FEATURE) -> None:
    """Azure's preview gate: the feature Registered, then the provider registered again after that (until the
    service stopped asking for it, azure/eras.py)."""
    if not era_rules.era(state).preview_flags_needed:
        return
    entry = features.record(state, "Microsoft.Compute", feature)
    registered_at = providers.registered_at(state, "Microsoft.Compute")
    if entry.get("state") != "Registered" or not registered_at or registered_at < entry.get("since", ""):
        hint = (
            "Register it with 'az feature register --namespace Microsoft.Compute --name "
            f"{feature}'"
            if entry.get("state") != "Registered"
            else "Propagate it with 'az provider register --namespace Microsoft.Compute'"
        )
        raise AzureError(
            "SubscriptionNotRegisteredForFeature",
            f"The subscription '{subscription_id(state)}' is not registered for the feature "
            f"Microsoft.Compute/{feature} required to carry out the requested operation. {hint}.",
            400,
        )


def _store(state, rg: dict, name: str, vm: dict, existing: dict | None) -> dict:
    when = now_text(state)
    key = ids.key(rg["name"], name)
    if existing is None:
        vm["properties"]["vmId"] = next_guid(state)
        record = {"vm": vm, "iv": {}, "sim": _new_sim(state, vm, when)}
        avset_ref = vm["properties"].get("availabilitySet", {}).get("id")
        if avset_ref:
            parsed = ids.parse(avset_ref)
            avset = availability_sets.require(state, parsed["group"], parsed["name"])
            ud, fd = availability_sets.join(state, avset, vm["name"])
            record["sim"]["updateDomain"], record["sim"]["faultDomain"] = ud, fd
        record["iv"] = _initial_instance_view(record, when)
    existing_mode = patch_mode(existing["vm"]) if existing else None  # before the new model replaces it
    if existing is not None:
        record = existing
        record["vm"] = vm
    on_configuration_change(state, record, existing_mode=existing_mode)
    refresh_statuses(record, when)
    state.data["vms"][key] = record
    return record


def _new_sim(state, vm: dict, when: str) -> dict:
    index = state.data["meta"].get("vmCounter", 0)
    state.data["meta"]["vmCounter"] = index + 1
    return {
        "power": "running",
        "provisionedAt": when,
        "createdAt": when,
        "index": index,
        "macAddress": f"00-0D-3A-{(index >> 16) & 255:02X}-{(index >> 8) & 255:02X}-{index & 255:02X}",
        "privateIpAddress": f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{4 + (index & 255) % 250}",
        "publicIpAddress": f"20.{(index >> 16) & 255}.{(index >> 8) & 255}.{10 + (index & 255) % 240}",
    }


def _initial_instance_view(record: dict, when: str) -> dict:
    from ..models.compute import (
        DiskInstanceView,
        VirtualMachineAgentInstanceView,
        VirtualMachineInstanceView,
        VirtualMachinePatchStatus,
    )

    vm = record["vm"]
    props = vm["properties"]
    image = props.get("storageProfile", {}).get("imageReference", {})
    windows = is_windows(vm)
    os_name, os_version = images.windows_os(image.get("sku", "")) if windows else ("Linux", "")
    agent = (props["osProfile"].get("windowsConfiguration") or props["osProfile"].get("linuxConfiguration") or {}).get(
        "provisionVMAgent", True
    )
    view = VirtualMachineInstanceView(
        computerName=props["osProfile"].get("computerName", vm["name"]),
        osName=os_name if windows else None,
        osVersion=os_version if windows else None,
        hyperVGeneration="V2" if "g2" in image.get("sku", "").lower() else "V1",
        vmAgent=VirtualMachineAgentInstanceView(vmAgentVersion=catalog.VM_AGENT_VERSION, statuses=[])
        if agent
        else None,
        disks=[
            DiskInstanceView(
                name=props.get("storageProfile", {}).get("osDisk", {}).get("name"),
                statuses=[status("ProvisioningState/succeeded", "Provisioning succeeded", when)],
            )
        ],
        platformUpdateDomain=record["sim"].get("updateDomain"),
        platformFaultDomain=record["sim"].get("faultDomain"),
        patchStatus=VirtualMachinePatchStatus() if windows else None,
    )
    return view.wire()


def on_configuration_change(state, record: dict, existing_mode: str | None) -> None:
    """Let the patch engine react to a new or changed patch configuration (enablement, status)."""
    from . import patching

    patching.on_configuration_change(state, record, existing_mode)


# ---- az vm update: generic --set/--add/--remove ------------------------------------------------


def update_generic(state, group: str, name: str, sets=(), adds=(), removes=()) -> dict:
    from ..models.compute import VirtualMachine
    from ..models.versions import flatten_az, unflatten_az
    from .generic_update import apply_generic_update

    record = require(state, group, name)
    view = flatten_az(resource(record))
    apply_generic_update(view, VirtualMachine, sets=sets, adds=adds, removes=removes)
    if isinstance(view.get("tags"), dict):  # az sends tag values as strings: --set tags.n=3 stores "3"
        import json

        view["tags"] = {k: v if isinstance(v, str) else json.dumps(v) for k, v in view["tags"].items()}
    body = unflatten_az(view, VirtualMachine)
    record = put(state, group, name, body)
    return resource(record)


# ---- power -------------------------------------------------------------------------------------


def set_power(state, group: str, name: str, action: str) -> dict:
    record = require(state, group, name)
    sim = record["sim"]
    power = sim["power"]
    if action == "restart":
        if power == "deallocated":
            raise AzureError(
                "OperationNotAllowed",
                f"Operation 'restart' is not allowed on VM '{record['vm']['name']}' since the VM is "
                "deallocated. Start the VM first.",
                409,
            )
        sim["power"] = "running"
    elif action == "start":
        sim["power"] = "running"
    elif action == "stop":
        if power == "deallocated":
            raise AzureError(
                "OperationNotAllowed",
                f"Operation 'powerOff' is not allowed on VM '{record['vm']['name']}' since the VM is "
                "deallocated.",
                409,
            )
        sim["power"] = "stopped"
    elif action == "deallocate":
        sim["power"] = "deallocated"
    else:  # pragma: no cover - front-ends pass only the four actions
        raise ValueError(action)
    from . import patching

    patching.on_power_change(state, record, power, sim["power"], action)
    refresh_statuses(record, now_text(state))
    return record


def delete(state, group: str, name: str) -> None:
    record = require(state, group, name)
    avset_ref = record["vm"]["properties"].get("availabilitySet", {}).get("id")
    if avset_ref:
        parsed = ids.parse(avset_ref)
        availability_sets.leave(state, parsed["group"], parsed["name"], record["vm"]["name"])
    from . import patching

    patching.on_delete(state, record)
    del state.data["vms"][ids.key(group, name)]


def list_vms(state, group: str | None = None) -> list[dict]:
    if group:
        groups.require(state, group)
        prefix = f"{group.lower()}/"
        return [resource(r) for k, r in state.full().get("vms", {}).items() if k.startswith(prefix)]
    return [resource(r) for r in state.full().get("vms", {}).values()]


def list_records(state, group: str | None = None) -> list[dict]:
    vms = state.full().get("vms", {})
    if group:
        prefix = f"{group.lower()}/"
        return [r for k, r in vms.items() if k.startswith(prefix)]
    return list(vms.values())
