"""What ARM fills into a VM PUT: ids, read-only properties, and the defaults of each profile.

Nothing here refuses a request: the checks are ``vm_rules``'. ``vms.put`` runs the checks of the
request first, then these defaults, then the checks that need the filled-in VM.
"""

from __future__ import annotations

import copy

from ..azure import catalog, images
from . import ids
from .state import subscription_id


def request_view(state, group: str, name: str, model, location: str, existing: dict | None) -> dict:
    """The request as the VM it would store: ARM's ids, and what an update leaves out taken from the VM."""
    vm = model.wire()
    stored_name = existing["vm"]["name"] if existing else name
    vm["id"] = ids.resource_id(subscription_id(state), group, ids.VM_TYPE, stored_name)
    vm["name"] = stored_name
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
        # A PUT may leave out what it cannot change (az vm update drops storageProfile.imageReference on
        # purpose): ARM keeps the stored value, so the VM keeps its image.
        stored_storage, given_storage = existing["vm"]["properties"].get("storageProfile", {}), properties.get("storageProfile")
        for part in ("imageReference", "osDisk"):
            if isinstance(given_storage, dict) and part not in given_storage and part in stored_storage:
                given_storage[part] = copy.deepcopy(stored_storage[part])
    return vm


def admin_password(model) -> str | None:
    """The admin password a request carries (never stored: ``vm_rules.password_digest`` is)."""
    os_profile = model.properties.osProfile if model.properties is not None else None
    return os_profile.adminPassword if os_profile is not None else None


def os_configurations(vm: dict) -> tuple[dict | None, dict | None]:
    """The Windows and Linux configurations of the request, as given (either may be None)."""
    os_profile = vm["properties"].get("osProfile", {})
    return os_profile.get("windowsConfiguration"), os_profile.get("linuxConfiguration")


def fill_os_profile(vm: dict) -> None:
    """The OS configuration the image implies, and the patch settings' defaults (the spec's and the guide's)."""
    properties = vm["properties"]
    os_profile = properties.get("osProfile", {})
    windows, linux = os_configurations(vm)
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
        # enableAutomaticUpdates follows patchMode when left out; patchMode follows it otherwise
        if "enableAutomaticUpdates" not in windows:
            windows["enableAutomaticUpdates"] = settings.get("patchMode") != "Manual"
        settings.setdefault("patchMode", "AutomaticByOS" if windows["enableAutomaticUpdates"] else "Manual")
        settings.setdefault("assessmentMode", "ImageDefault")
    if linux is not None:
        linux.setdefault("provisionVMAgent", True)
        settings = linux.setdefault("patchSettings", {})
        if not settings.get("patchMode"):
            settings["patchMode"] = "ImageDefault"
        settings.setdefault("assessmentMode", "ImageDefault")
    os_profile.setdefault("secrets", [])
    os_profile.setdefault("allowExtensionOperations", True)
    os_profile.setdefault("requireGuestProvisionSignal", True)


def fill_size(vm: dict) -> str:
    hardware = vm["properties"].setdefault("hardwareProfile", {})
    return hardware.setdefault("vmSize", catalog.DEFAULT_VM_SIZE)


def fill_storage(state, group: str, vm: dict) -> None:
    """The exact image version 'latest' means, and the OS disk a create from an image leaves out."""
    properties = vm["properties"]
    windows = "windowsConfiguration" in properties.get("osProfile", {})
    storage = properties.get("storageProfile", {})
    image = storage.get("imageReference", {})
    if image and "version" in image and image.get("version", "").lower() == "latest":
        image["exactVersion"] = exact_version(image)
    if image and "osDisk" not in storage:
        # ARM fills the OS disk a create from an image leaves out, as az's body spells it
        storage["osDisk"] = {"osType": "Windows" if windows else "Linux", "createOption": "FromImage",
                             "caching": "ReadWrite", "managedDisk": {"storageAccountType": "Premium_LRS"},
                             "deleteOption": "Detach"}
    if image and storage:
        storage.setdefault("dataDisks", [])  # ARM shows a VM without data disks with an empty list
    if "osDisk" in storage:
        # what ARM answers for what a PUT left out or spelled in another case (az's template sends "fromImage")
        create = str(storage["osDisk"].get("createOption", ""))
        canonical = {"fromimage": "FromImage", "attach": "Attach", "empty": "Empty"}.get(create.lower())
        if canonical:
            storage["osDisk"]["createOption"] = canonical
        storage["osDisk"].setdefault("deleteOption", "Detach")
        storage["osDisk"].setdefault("osType", "Windows" if windows else "Linux")
        storage["osDisk"].setdefault("name", f"{vm['name']}_OsDisk_1")
        storage["osDisk"].setdefault("diskSizeGB", 127 if windows else 30)
        storage["osDisk"]["managedDisk"] = storage["osDisk"].get("managedDisk", {"storageAccountType": "Premium_LRS"})
        storage["osDisk"]["managedDisk"].setdefault("storageAccountType", "Premium_LRS")
        storage["osDisk"]["managedDisk"]["id"] = ids.resource_id(
            subscription_id(state), group, "Microsoft.Compute/disks", storage["osDisk"]["name"]
        )


def renamed(vm: dict, old: str, new: str, subscription: str, group: str) -> dict:
    """A new VM's checked and filled-in request (``vm``, for the name ``old``) as the same request for the
    name ``new`` gives it: the VM's name and id, and what az and ARM name after the VM (the computer name,
    the OS disk, the NIC az makes). Changed in place and returned."""
    vm["name"] = new
    vm["id"] = ids.resource_id(subscription, group, ids.VM_TYPE, new)
    properties = vm["properties"]
    os_profile = properties.get("osProfile", {})
    if os_profile.get("computerName") == old:
        os_profile["computerName"] = new
    disk = properties.get("storageProfile", {}).get("osDisk", {})
    if disk.get("name") == f"{old}_OsDisk_1":
        disk["name"] = f"{new}_OsDisk_1"
        if disk.get("managedDisk", {}).get("id") == ids.resource_id(subscription, group, "Microsoft.Compute/disks",
                                                                     f"{old}_OsDisk_1"):
            disk["managedDisk"]["id"] = ids.resource_id(subscription, group, "Microsoft.Compute/disks", disk["name"])
    nic_type = "Microsoft.Network/networkInterfaces"
    for nic in properties.get("networkProfile", {}).get("networkInterfaces", []):
        if nic.get("id") == ids.resource_id(subscription, group, nic_type, f"{old}VMNic"):
            nic["id"] = ids.resource_id(subscription, group, nic_type, f"{new}VMNic")
    return vm


def fill_read_only(vm: dict) -> None:
    """Empty NIC properties dropped, zones as strings, the provisioning state a finished PUT reports."""
    properties = vm["properties"]
    for nic in properties.get("networkProfile", {}).get("networkInterfaces", []):
        nic.setdefault("properties", {})
        if not nic["properties"]:
            del nic["properties"]
    if "zones" in vm:
        vm["zones"] = [str(z) for z in vm["zones"]]
    properties["provisioningState"] = "Succeeded"


def exact_version(image: dict) -> str:
    """The image version 'latest' resolves to: the September 2020 build of each family, older than a new
    store's start (2020-10-01), so the first simulated Patch Tuesday has something to install."""
    sku = image.get("sku", "")
    urn = images.Urn(image.get("publisher", ""), image.get("offer", ""), sku, "")
    if not images.is_windows(urn):
        linux = images.linux_image(urn)
        return linux.latest_image if linux and linux.latest_image else "20.04.202009080"
    return images.latest_version(sku) or "9600.19816.2009041836"
