"""az's client side of ``az vm create``: the checks az runs before it sends anything, and the body it sends.

azure-cli builds the VM (image aliases, the default user name, the NIC it would create, the OS disk
settings) and validates the names and password itself; ARM's rules for the PUT that follows are in
``vm_rules`` and run in ``vms.put``.
"""

from __future__ import annotations

from typing import Any

from ..azure import catalog, images
from ..errors import ValidationError
from . import availability_sets, groups, ids, vms
from .names import (
    DISALLOWED_USERNAMES,
    validate_admin_password,
    validate_admin_username,
    validate_windows_computer_name,
)
from .state import subscription_id
from .vm_records import POWER_DISPLAY, group_of


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
        created.append(vms.put(state, group, vm_name, body))
    return [summary(record) for record in created]


def summary(record: dict) -> dict:
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
