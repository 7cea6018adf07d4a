"""The Azure PowerShell cmdlets of the guide, as top-level commands: ``autopatch Get-AzVM -ResourceGroupName rg -Name vm -Status``.

Three ideas, three modules: parameters bind as PowerShell binds them (``powershell_binder``); the
cmdlets' objects print in PowerShell's default views (``powershell_views``); the cmdlets themselves,
here, go through the same operations as the az verbs, so the same rules and error codes apply.
Errors print in az's form (``ERROR: ...``), not PowerShell's.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import typer.core

from ..errors import UsageError
from .common import check_subscription, reader, writer
from .powershell_binder import HELP_WORDS, Cmdlet, Param, bind, no_parameter_set, require
from .powershell_views import (
    ASSESS_ORDER,
    INSTALL_ORDER,
    emit_ps,
    feature_view,
    instance_view,
    instance_view_view,
    job,
    job_view,
    operation_response,
    operation_response_view,
    operation_result,
    provider_feature,
    provider_view,
    resource_provider,
    result_view,
    virtual_machine,
    vm_body,
    vm_table,
    vm_view,
)

# ---- the cmdlets ----------------------------------------------------------------------------------


def _vm_target(cmdlet: Cmdlet, bound: dict, name_param: str) -> tuple[str, str]:
    if bound.get("ResourceId"):
        if bound.get("ResourceGroupName") or bound.get(name_param):
            raise no_parameter_set(cmdlet)
        from ..errors import ValidationError
        from ..ops import ids

        parsed = ids.parse(bound["ResourceId"])
        if not parsed["name"] or f"{parsed['namespace']}/{parsed['type']}".lower() != ids.VM_TYPE.lower():
            raise ValidationError(f"{cmdlet.name}: invalid resource ID: {bound['ResourceId']}. It is not a "
                                  f"{ids.VM_TYPE} resource ID")
        return ids.group_and_name(bound["ResourceId"])
    require(cmdlet, bound, "ResourceGroupName", name_param)
    return bound["ResourceGroupName"], bound[name_param]


def register_feature(cmdlet: Cmdlet, bound: dict, action: str = "register") -> None:
    from ..ops import features

    require(cmdlet, bound, "FeatureName", "ProviderNamespace")
    with writer() as state:
        check_subscription(state)
        result = getattr(features, action)(state, bound["ProviderNamespace"], bound["FeatureName"])
    emit_ps(provider_feature(result), feature_view)


def unregister_feature(cmdlet: Cmdlet, bound: dict) -> None:
    register_feature(cmdlet, bound, "unregister")


def get_feature(cmdlet: Cmdlet, bound: dict) -> None:
    from ..ops import features

    state = reader()
    if bound.get("FeatureName"):
        if not bound.get("ProviderNamespace") or bound.get("ListAvailable"):
            raise no_parameter_set(cmdlet)
        emit_ps(provider_feature(features.show(state, bound["ProviderNamespace"], bound["FeatureName"])),
                feature_view)
        return
    found = [provider_feature(f) for f in features.list_features(state, bound.get("ProviderNamespace"))]
    if not bound.get("ListAvailable"):
        found = [f for f in found if f["RegistrationState"] == "Registered"]
    emit_ps(found, feature_view)


def register_provider(cmdlet: Cmdlet, bound: dict) -> None:
    from ..ops import providers

    require(cmdlet, bound, "ProviderNamespace")
    with writer() as state:
        check_subscription(state)
        result = providers.register(state, bound["ProviderNamespace"])
    emit_ps(resource_provider(result), provider_view)


def get_vm(cmdlet: Cmdlet, bound: dict) -> None:
    from ..ops import groups, vms

    state = reader()
    group, name = bound.get("ResourceGroupName"), bound.get("Name")
    if name and not group:
        raise no_parameter_set(cmdlet)
    if name:
        assert group  # checked just above
        record = vms.require(state, group, name)
        if bound.get("Status"):
            emit_ps(instance_view(record), instance_view_view)
        else:
            emit_ps(virtual_machine(vms.resource(record)), vm_view)
        return
    if group:
        groups.require(state, group)
    items = [virtual_machine(vms.resource(r)) for r in vms.list_records(state, group)]
    if bound.get("Status"):
        for item, record in zip(items, vms.list_records(state, group), strict=True):
            item["PowerState"] = vms.POWER_DISPLAY[vms.power_state(record)]
    emit_ps(items, vm_table)


def vm_object(cmdlet: Cmdlet, text: str, parameter: str = "VM") -> dict:
    """-VM: a PSVirtualMachine passed along a pipeline of commands, as the JSON that ``-o json`` prints:
    the text itself (``-VM "$vm"``), ``@FILE``, or ``-`` for standard input (``... -o json | autopatch
    Update-AzVM -ResourceGroupName rg -VM -``)."""
    import json

    if text.startswith("$"):
        raise UsageError(
            f"{cmdlet.name}: a command line cannot pass the PowerShell variable {text}: pass the object as "
            f"JSON instead: -{parameter} \"$(autopatch Get-AzVM -ResourceGroupName RG -Name VM -o json)\", "
            f"-{parameter} @file.json, or -{parameter} - to read it from a pipe (or name a stored VM with "
            "-ResourceGroupName and -VMName)."
        )
    if text == "-":
        raw = sys.stdin.read()
    elif text.startswith("@"):
        try:
            with open(text[1:], encoding="utf-8") as handle:
                raw = handle.read()
        except OSError as exc:
            raise UsageError(f"{cmdlet.name}: Cannot read the {parameter} object from {text[1:]}: {exc.strerror}.") from exc
    else:
        raw = text
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict) or not value.get("Name"):
        raise UsageError(
            f"{cmdlet.name}: Cannot bind parameter '{parameter}'. Cannot convert the value of type \"System.String\" "
            "to type \"Microsoft.Azure.Commands.Compute.Models.PSVirtualMachine\"."
        )
    return value


def _credential(cmdlet: Cmdlet, value: str) -> tuple[str, str]:
    """-Credential: a command line has no PSCredential; autopatch takes USER:PASSWORD."""
    user, sep, password = value.partition(":")
    if not sep or not user:
        raise UsageError(
            f"{cmdlet.name}: Cannot bind parameter 'Credential': give it as USER:PASSWORD (a command line has no "
            "PSCredential object)."
        )
    return user, password


def _apply_os_settings(cmdlet: Cmdlet, bound: dict, body: dict, new: bool) -> None:
    """What Set-AzVMOperatingSystem sets in the VM body; ``new``: a configuration not created yet, which
    also takes the computer name and credential (a created VM keeps its own, as the cmdlet's PUT does)."""
    from ..errors import ValidationError

    if bool(bound.get("Windows")) == bool(bound.get("Linux")):
        raise no_parameter_set(cmdlet)
    linux_only = [p for p in ("DisablePasswordAuthentication",) if p in bound]
    windows_only = [p for p in ("ProvisionVMAgent", "DisableVMAgent", "EnableAutoUpdate", "TimeZone",
                                "EnableHotpatching") if p in bound]
    if (bound.get("Linux") and windows_only) or (bound.get("Windows") and linux_only):
        raise no_parameter_set(cmdlet)
    if bound.get("ProvisionVMAgent") and bound.get("DisableVMAgent"):
        raise no_parameter_set(cmdlet)
    os_profile = body["properties"].setdefault("osProfile", {})
    if new:
        if bound.get("ComputerName"):
            os_profile["computerName"] = bound["ComputerName"]
        if bound.get("Credential"):
            os_profile["adminUsername"], os_profile["adminPassword"] = _credential(cmdlet, bound["Credential"])
    own, other = ("linuxConfiguration", "windowsConfiguration") if bound.get("Linux") else (
        "windowsConfiguration", "linuxConfiguration")
    if other in os_profile:
        raise ValidationError(
            f"{cmdlet.name}: Cannot set both Windows and Linux configurations in the operating system profile."
        )
    config = os_profile.setdefault(own, {})
    settings_ = config.get("patchSettings") or {}
    if "PatchMode" in bound:
        settings_["patchMode"] = bound["PatchMode"]
    if "AssessmentMode" in bound:
        settings_["assessmentMode"] = bound["AssessmentMode"]
    if "EnableHotpatching" in bound:
        settings_["enableHotpatching"] = bound["EnableHotpatching"]
    if settings_:
        config["patchSettings"] = settings_
    if bound.get("ProvisionVMAgent"):
        config["provisionVMAgent"] = True
    if bound.get("DisableVMAgent"):
        config["provisionVMAgent"] = False
    if "EnableAutoUpdate" in bound:
        config["enableAutomaticUpdates"] = bound["EnableAutoUpdate"]
    if "TimeZone" in bound:
        config["timeZone"] = bound["TimeZone"]
    if bound.get("DisablePasswordAuthentication"):
        config["disablePasswordAuthentication"] = True


def set_os(cmdlet: Cmdlet, bound: dict) -> None:
    """Set-AzVMOperatingSystem: on a -VM object it changes the object and prints it (nothing is sent,
    as in PowerShell: Update-AzVM or New-AzVM sends it); on a stored VM named by -ResourceGroupName and
    -VMName it reads, changes and updates it in one command (Set-AzVMOperatingSystem + Update-AzVM)."""
    from ..ops import vms

    if "VM" in bound:
        if bound.get("ResourceGroupName") or bound.get("VMName") or bound.get("ResourceId"):
            raise no_parameter_set(cmdlet)
        obj = vm_object(cmdlet, bound["VM"])
        body = vm_body(obj)
        _apply_os_settings(cmdlet, bound, body, new=not obj.get("Id"))
        result = virtual_machine(body)
        result["ResourceGroupName"] = obj.get("ResourceGroupName")
        emit_ps(result, vm_view)
        return
    group, name = _vm_target(cmdlet, bound, "VMName")
    with writer() as state:
        check_subscription(state)
        body = vms.resource(vms.require(state, group, name))
        _apply_os_settings(cmdlet, bound, body, new=False)
        record = vms.put(state, group, name, body)
        result = virtual_machine(vms.resource(record))
    emit_ps(result, vm_view)


def new_vm_config(cmdlet: Cmdlet, bound: dict) -> None:
    """New-AzVMConfig: a local PSVirtualMachine (nothing is sent); pass it on with -VM."""
    require(cmdlet, bound, "VMName")
    body: dict = {"name": bound["VMName"], "properties": {}}
    if bound.get("VMSize"):
        body["properties"]["hardwareProfile"] = {"vmSize": bound["VMSize"]}
    if bound.get("AvailabilitySetId"):
        body["properties"]["availabilitySet"] = {"id": bound["AvailabilitySetId"]}
    if bound.get("LicenseType"):
        body["properties"]["licenseType"] = bound["LicenseType"]
    if bound.get("Zone"):
        body["zones"] = bound["Zone"]
    emit_ps(virtual_machine(body), vm_view)


def set_source_image(cmdlet: Cmdlet, bound: dict) -> None:
    """Set-AzVMSourceImage: the image of a -VM object (publisher, offer, SKU, version, or an image -Id)."""
    require(cmdlet, bound, "VM")
    obj = vm_object(cmdlet, bound["VM"])
    body = vm_body(obj)
    if bound.get("Id"):
        reference = {"id": bound["Id"]}
    else:
        require(cmdlet, bound, "PublisherName", "Offer", "Skus")
        reference = {"publisher": bound["PublisherName"], "offer": bound["Offer"], "sku": bound["Skus"],
                     "version": bound.get("Version") or "latest"}
    body["properties"].setdefault("storageProfile", {})["imageReference"] = reference
    result = virtual_machine(body)
    result["ResourceGroupName"] = obj.get("ResourceGroupName")
    emit_ps(result, vm_view)


# New-AzVM's simple parameter set: its defaults (Az.Compute)
NEW_VM_DEFAULT_IMAGE = "Win2016Datacenter"
NEW_VM_DEFAULT_SIZE = "Standard_D2s_v3"


def new_vm(cmdlet: Cmdlet, bound: dict) -> None:
    """New-AzVM: from a -VM configuration (New-AzVMConfig, Set-AzVMOperatingSystem, Set-AzVMSourceImage),
    or from its simple parameters (-Name, -Image, -Credential...), as the module creates them. The
    simple set creates a missing resource group, as the cmdlet does."""
    from ..ops import groups, vm_create, vms

    require(cmdlet, bound, "ResourceGroupName")
    group = bound["ResourceGroupName"]
    if "VM" in bound:
        if bound.get("Name") or bound.get("Image") or bound.get("Credential"):
            raise no_parameter_set(cmdlet)
        obj = vm_object(cmdlet, bound["VM"])
        body = vm_body(obj)
        with writer() as state:
            check_subscription(state)
            rg = groups.require(state, group)
            body["location"] = bound.get("Location") or body.get("location") or rg["location"]
            if bound.get("Zone"):
                body["zones"] = bound["Zone"]
            vms.put(state, group, obj["Name"], body)
        if bound.get("AsJob"):
            emit_ps(job(cmdlet.name, obj["Name"], "Completed"), job_view)
        else:
            emit_ps(operation_response(), operation_response_view)
        return
    require(cmdlet, bound, "Name", "Credential")
    user, password = _credential(cmdlet, bound["Credential"])
    # the simple parameter set's defaults: each network resource is named after the VM, in 192.168.0.0/16
    name = bound["Name"]
    network = {"vnet_name": bound.get("VirtualNetworkName") or name, "subnet": bound.get("SubnetName") or name,
               "nsg": bound.get("SecurityGroupName") or name,
               "public_ip_address": bound.get("PublicIpAddressName") or name,
               "public_ip_address_dns_name": bound.get("DomainNameLabel"),
               "vnet_address_prefix": "192.168.0.0/16", "subnet_address_prefix": "192.168.1.0/24"}
    with writer() as state:
        check_subscription(state)
        if groups.find(state, group) is None:
            groups.create(state, group, bound.get("Location") or "eastus")
        vm_create.create(
            state, group, bound["Name"], bound.get("Image") or NEW_VM_DEFAULT_IMAGE,
            client_options={k: v for k, v in network.items() if v is not None},
            location=bound.get("Location"), zone=(bound.get("Zone") or [None])[0],
            availability_set=bound.get("AvailabilitySetName"), size=bound.get("Size") or NEW_VM_DEFAULT_SIZE,
            admin_username=user, admin_password=password,
        )
        result = virtual_machine(vms.resource(vms.require(state, group, bound["Name"])))
    if bound.get("AsJob"):
        emit_ps(job(cmdlet.name, bound["Name"], "Completed"), job_view)
    else:
        emit_ps(result, vm_view)


def update_vm(cmdlet: Cmdlet, bound: dict) -> None:
    """Update-AzVM -ResourceGroupName RG -VM OBJECT: PUTs the object (what PowerShell's $vm holds after
    Set-AzVMOperatingSystem and friends) to the stored VM of its name."""
    from ..ops import vms

    require(cmdlet, bound, "VM")
    obj = vm_object(cmdlet, bound["VM"])
    if bound.get("ResourceId"):
        group, name = _vm_target(cmdlet, {"ResourceId": bound["ResourceId"]}, "VMName")
    else:
        require(cmdlet, bound, "ResourceGroupName")
        group, name = bound["ResourceGroupName"], obj["Name"]
    body = vm_body(obj)
    if "Tag" in bound:
        body["tags"] = _hashtable(cmdlet, bound["Tag"])
    with writer() as state:
        check_subscription(state)
        current = vms.require(state, group, name)
        body.setdefault("location", current["vm"]["location"])
        vms.put(state, group, name, body)
    if bound.get("AsJob"):
        emit_ps(job(cmdlet.name, name, "Completed"), job_view)
    else:
        emit_ps(operation_response(), operation_response_view)


def _hashtable(cmdlet: Cmdlet, text: str) -> dict[str, str]:
    """-Tag: PowerShell's @{k="v";...} literal, or k=v,k2=v2."""
    inner = text.strip()
    if inner.startswith("@{") and inner.endswith("}"):
        inner = inner[2:-1]
    tags: dict[str, str] = {}
    for item in (p for p in inner.replace(";", ",").split(",") if p.strip()):
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(f"{cmdlet.name}: Cannot bind parameter 'Tag': '{item.strip()}' is not KEY=VALUE.")
        tags[key.strip().strip("\"'")] = value.strip().strip("\"'")
    return tags


def assess(cmdlet: Cmdlet, bound: dict) -> None:
    group, name = _vm_target(cmdlet, bound, "VMName")
    from ..ops import ondemand

    with writer() as state:
        check_subscription(state)
        result = ondemand.assess(state, group, name, wait=not bound.get("AsJob"))
    if bound.get("AsJob"):  # the assessment goes on in simulated time, as a job would
        emit_ps(job(cmdlet.name, name, "Running"), job_view)
        return
    assert result is not None  # waited for: not -AsJob
    emit_ps(operation_result(result, ASSESS_ORDER), result_view)


def install(cmdlet: Cmdlet, bound: dict) -> None:
    from .vm import install_parameters

    group, name = _vm_target(cmdlet, bound, "VMName")
    if bool(bound.get("Windows")) == bool(bound.get("Linux")):
        raise no_parameter_set(cmdlet)
    windows_only = [p for p in ("KBNumberToInclude", "KBNumberToExclude", "ExcludeKBsRequiringReboot",
                                "ClassificationToIncludeForWindows") if p in bound]
    linux_only = [p for p in ("PackageNameMaskToInclude", "PackageNameMaskToExclude",
                              "ClassificationToIncludeForLinux") if p in bound]
    if (bound.get("Windows") and linux_only) or (bound.get("Linux") and windows_only):
        raise no_parameter_set(cmdlet)
    require(cmdlet, bound, "RebootSetting", "MaximumDuration")
    parameters = install_parameters(
        bound["MaximumDuration"],
        bound["RebootSetting"],
        classifications_win=bound.get("ClassificationToIncludeForWindows"),
        kb_include=bound.get("KBNumberToInclude"),
        kb_exclude=bound.get("KBNumberToExclude"),
        exclude_kbs_requiring_reboot=True if bound.get("ExcludeKBsRequiringReboot") else None,
        classifications_linux=bound.get("ClassificationToIncludeForLinux"),
        package_include=bound.get("PackageNameMaskToInclude"),
        package_exclude=bound.get("PackageNameMaskToExclude"),
    )
    # the cmdlet sends the parameters object of the OS it was told (-Windows or -Linux), empty or not
    own = "windowsParameters" if bound.get("Windows") else "linuxParameters"
    parameters.setdefault(own, {})
    from ..ops import ondemand

    with writer() as state:
        check_subscription(state)
        result = ondemand.install(state, group, name, parameters, wait=not bound.get("AsJob"))
    if bound.get("AsJob"):
        emit_ps(job(cmdlet.name, name, "Running"), job_view)
        return
    assert result is not None  # waited for: not -AsJob
    emit_ps(operation_result(result, INSTALL_ORDER), result_view)


def _what_feature(cmdlet: Cmdlet, bound: dict) -> tuple[str, str]:
    verb = cmdlet.name.split("-", 1)[0]
    return verb, f"{bound.get('ProviderNamespace', '')}/{bound.get('FeatureName', '')}"


def _what_provider(cmdlet: Cmdlet, bound: dict) -> tuple[str, str]:
    return "Register", bound.get("ProviderNamespace", "")


def _what_vm(cmdlet: Cmdlet, bound: dict) -> tuple[str, str]:
    """Az.Compute's ShouldProcess(target: the VM's name, action: the cmdlet's verb)."""
    verb = cmdlet.name.split("-", 1)[0]
    name = bound.get("VMName") or bound.get("Name")
    if not name and bound.get("VM"):
        name = vm_object(cmdlet, bound["VM"]).get("Name")
    if not name and bound.get("ResourceId"):
        name = bound["ResourceId"].rstrip("/").rsplit("/", 1)[-1]
    return verb, name or ""


# ---- Az.Maintenance: Update Manager schedules ----------------------------------------------------


def _maintenance_view(obj) -> str:
    from .powershell_views import format_list, scalar

    rows = [(k, scalar(v, k) if not isinstance(v, (dict, list)) else json.dumps(v, separators=(",", ":")))
            for k, v in obj.items()]
    return format_list(rows)


def new_maintenance_configuration(cmdlet: Cmdlet, bound: dict) -> None:
    from ..ops import maintenance
    from ..ops.groups import require as require_group
    from .powershell_views import ps_object

    require(cmdlet, bound, "ResourceGroupName", "Name", "Location", "MaintenanceScope")
    window = {k: bound[p] for k, p in (("startDateTime", "StartDateTime"), ("expirationDateTime", "ExpirationDateTime"),
                                       ("duration", "Duration"), ("timeZone", "TimeZone"), ("recurEvery", "RecurEvery"))
              if p in bound}
    windows = {k: bound[p] for k, p in (("classificationsToInclude", "WindowParameterClassificationToInclude"),
                                        ("kbNumbersToInclude", "WindowParameterKbNumberToInclude"),
                                        ("kbNumbersToExclude", "WindowParameterKbNumberToExclude")) if p in bound}
    if bound.get("WindowParameterExcludeKbRequiringReboot"):
        windows["excludeKbsRequiringReboot"] = True
    linux = {k: bound[p] for k, p in (("classificationsToInclude", "LinuxParameterClassificationToInclude"),
                                      ("packageNameMasksToInclude", "LinuxParameterPackageNameMaskToInclude"),
                                      ("packageNameMasksToExclude", "LinuxParameterPackageNameMaskToExclude"))
             if p in bound}
    patches = {k: v for k, v in (("rebootSetting", bound.get("InstallPatchRebootSetting")),
                                 ("windowsParameters", windows or None), ("linuxParameters", linux or None)) if v}
    props = {k: v for k, v in (("maintenanceScope", bound["MaintenanceScope"]), ("visibility", bound.get("Visibility")),
                               ("namespace", bound.get("Namespace")),
                               ("extensionProperties", _hashtable(cmdlet, bound["ExtensionProperty"])
                                if bound.get("ExtensionProperty") else None),
                               ("maintenanceWindow", window or None), ("installPatches", patches or None)) if v}
    body = {"location": bound["Location"], "properties": props}
    if bound.get("Tag") is not None:
        body["tags"] = _hashtable(cmdlet, bound["Tag"])
    with writer() as state:
        check_subscription(state)
        require_group(state, bound["ResourceGroupName"])
        result = maintenance.create_or_update(state, bound["ResourceGroupName"], bound["Name"], body)
    props = ps_object(result["properties"])
    window = props.pop("MaintenanceWindow", None) or {}  # PSMaintenanceConfiguration lifts the window's fields
    flat = {"Location": result["location"], "Tags": result.get("tags"), **props, **window, "Id": result["id"],
            "Name": result["name"], "Type": result["type"]}
    emit_ps({k: v for k, v in flat.items() if v is not None}, _maintenance_view)


def new_configuration_assignment(cmdlet: Cmdlet, bound: dict) -> None:
    from ..ops import maintenance
    from .powershell_views import ps_object

    require(cmdlet, bound, "ResourceGroupName", "ResourceName", "ResourceType", "ProviderName",
            "ConfigurationAssignmentName", "MaintenanceConfigurationId")
    if bound["ProviderName"].lower() != "microsoft.compute" or bound["ResourceType"].lower() != "virtualmachines":
        raise UsageError("autopatch assigns maintenance configurations to virtual machines only: use -ProviderName "
                         "Microsoft.Compute -ResourceType virtualMachines.")
    body = {"properties": {"maintenanceConfigurationId": bound["MaintenanceConfigurationId"]}}
    if bound.get("Location"):
        body["location"] = bound["Location"]
    with writer() as state:
        check_subscription(state)
        result = maintenance.assign(state, bound["ResourceGroupName"], bound["ResourceName"],
                                    bound["ConfigurationAssignmentName"], body)
    flat = {"Location": result["location"], "Name": result["name"], "Id": result["id"], "Type": result["type"],
            **ps_object(result["properties"])}
    emit_ps(flat, _maintenance_view)


_FEATURE_PARAMS = (
    Param("FeatureName", aliases=("Name",), help="The name of the feature."),
    Param("ProviderNamespace", help="The resource provider namespace."),
)
_VM_PARAMS = (
    Param("ResourceGroupName", position=0, help="The resource group name."),
    Param("VMName", aliases=("Name",), position=1, help="The virtual machine name."),
    Param("ResourceId", help="The virtual machine's resource ID."),
)
_VM_OBJECT = "A PSVirtualMachine as the JSON `-o json` prints: the text, @FILE, or - to read it from a pipe."

CMDLETS: dict[str, Cmdlet] = {c.name: c for c in (
    Cmdlet("Register-AzProviderFeature", "Registers an Azure provider feature in your current subscription.",
           _FEATURE_PARAMS, register_feature, should_process=_what_feature),
    Cmdlet("Unregister-AzProviderFeature", "Unregisters an Azure provider feature in your current subscription.",
           _FEATURE_PARAMS, unregister_feature, should_process=_what_feature),
    Cmdlet("Get-AzProviderFeature", "Gets information about Azure provider features.",
           (*_FEATURE_PARAMS, Param("ListAvailable", "switch", help="List all available features, not only registered ones.")),
           get_feature),
    Cmdlet("Register-AzResourceProvider", "Registers a resource provider.",
           (Param("ProviderNamespace", help="The namespace of the resource provider to register."),
            Param("ConsentToPermissions", help="Whether authorization is consented (accepted; nothing to consent to here).")),
           register_provider, should_process=_what_provider),
    Cmdlet("Get-AzVM", "Gets the properties of a virtual machine.",
           (Param("ResourceGroupName", position=0, help="The resource group name."),
            Param("Name", aliases=("ResourceName", "VMName"), position=1, help="The virtual machine name."),
            Param("Status", "switch", help="Get the instance view (status) of the virtual machine.")),
           get_vm),
    Cmdlet("New-AzVMConfig", "Creates a configurable virtual machine object (nothing is sent).",
           (Param("VMName", aliases=("ResourceName", "Name"), position=0, help="The name of the virtual machine."),
            Param("VMSize", aliases=("Size",), position=1, help="The size of the virtual machine."),
            Param("AvailabilitySetId", position=2, help="The ID of an availability set."),
            Param("LicenseType", position=3, help="The license type (Windows_Server, Windows_Client...)."),
            Param("Zone", "strings", help="The availability zone.")),
           new_vm_config, default_profile=False),
    Cmdlet("Set-AzVMOperatingSystem",
           "Sets operating system properties of a virtual machine object (-VM), or of a stored VM and updates it.",
           (Param("VM", aliases=("VMProfile",), position=0, help=_VM_OBJECT),
            Param("ResourceGroupName", help="autopatch: the stored VM's group (instead of -VM)."),
            Param("VMName", help="autopatch: the stored VM's name (instead of -VM)."),
            Param("ResourceId", help="autopatch: the stored VM's resource ID (instead of -VM)."),
            Param("Windows", "switch"), Param("Linux", "switch"),
            Param("ComputerName", position=2, help="The computer name (a stored VM keeps its own)."),
            Param("Credential", position=3, help="USER:PASSWORD (a command line has no PSCredential; a stored VM keeps its own)."),
            Param("ProvisionVMAgent", "switch"), Param("DisableVMAgent", "switch"),
            Param("EnableAutoUpdate", "switch"), Param("TimeZone"),
            Param("PatchMode", help="Manual, AutomaticByOS or AutomaticByPlatform (Windows); ImageDefault or AutomaticByPlatform (Linux)."),
            Param("AssessmentMode", help="ImageDefault or AutomaticByPlatform."),
            Param("EnableHotpatching", "switch"), Param("DisablePasswordAuthentication", "switch")),
           set_os),
    Cmdlet("Set-AzVMSourceImage", "Specifies the image for a virtual machine object (-VM).",
           (Param("VM", aliases=("VMProfile",), position=0, help=_VM_OBJECT),
            Param("PublisherName", position=1), Param("Offer", position=2), Param("Skus", position=3),
            Param("Version", position=4, help="Default: latest."), Param("Id", help="The ID of an image (instead of the URN).")),
           set_source_image),
    Cmdlet("New-AzVM", "Creates a virtual machine: from a -VM object, or from -Name, -Image and -Credential.",
           (Param("ResourceGroupName", position=0, help="The resource group name (created if missing, with -Name)."),
            Param("Location", position=1, help="Default: the group's location (eastus for a new group)."),
            Param("VM", aliases=("VMProfile",), position=2, help=_VM_OBJECT),
            Param("Zone", "strings", position=3),
            Param("Name", help="The VM's name (simple parameter set)."),
            Param("Image", aliases=("ImageName",), help=f"An image alias or URN. Default: {NEW_VM_DEFAULT_IMAGE}."),
            Param("Credential", help="USER:PASSWORD (a command line has no PSCredential)."),
            Param("Size", help=f"Default: {NEW_VM_DEFAULT_SIZE}."),
            Param("AvailabilitySetName"), Param("VirtualNetworkName"), Param("SubnetName"),
            Param("SecurityGroupName"), Param("PublicIpAddressName"), Param("DomainNameLabel"),
            Param("OpenPorts", "strings", help="Accepted: network rules are not emulated.")),
           new_vm, should_process=_what_vm, as_job=True),
    Cmdlet("Update-AzVM", "Updates the state of a virtual machine to the -VM object's.",
           (Param("ResourceGroupName", position=0, help="The resource group name."),
            Param("VM", aliases=("VMProfile",), help=_VM_OBJECT),
            Param("ResourceId", help="The VM's resource ID (instead of the group)."),
            Param("Tag", aliases=("Tags",), help="@{key=\"value\"} or key=value,key2=value2.")),
           update_vm, should_process=_what_vm, as_job=True),
    Cmdlet("Invoke-AzVMPatchAssessment", "Assess patches on a VM.", _VM_PARAMS, assess,
           aliases=("Invoke-AzVmPatchAssess", "Invoke-AzVmAssessPatch"), should_process=_what_vm, as_job=True),
    Cmdlet("Invoke-AzVMInstallPatch", "Installs patches on the VM.",
           (*_VM_PARAMS,
            Param("Windows", "switch"), Param("Linux", "switch"),
            Param("RebootSetting", help="IfRequired, Never or Always."),
            Param("MaximumDuration", help="ISO 8601 duration, such as PT2H."),
            Param("KBNumberToInclude", "strings"), Param("KBNumberToExclude", "strings"),
            Param("ExcludeKBsRequiringReboot", "switch"),
            Param("ClassificationToIncludeForWindows", "strings",
                  help="Critical, Security, UpdateRollUp, FeaturePack, ServicePack, Definition, Tools, Updates."),
            Param("PackageNameMaskToInclude", "strings"), Param("PackageNameMaskToExclude", "strings"),
            Param("ClassificationToIncludeForLinux", "strings", help="Critical, Security, Other.")),
           install, should_process=_what_vm, as_job=True),
    Cmdlet("New-AzMaintenanceConfiguration", "Create or update a maintenance configuration (Update Manager schedule).",
           (Param("ResourceGroupName", position=0), Param("Name", aliases=("ResourceName",), position=1),
            Param("Location"), Param("MaintenanceScope", help="InGuestPatch for Update Manager schedules."),
            Param("StartDateTime", help="YYYY-MM-DD hh:mm in -TimeZone."), Param("ExpirationDateTime"),
            Param("Duration", help="HH:mm."), Param("TimeZone", help="A Windows time zone name."),
            Param("RecurEvery", help="Day, Week Saturday,Sunday, Month Third Sunday Offset6, ..."),
            Param("Visibility"), Param("Namespace"), Param("ExtensionProperty", help='@{"InGuestPatchMode"="User"}'),
            Param("InstallPatchRebootSetting", help="IfRequired, Never or Always."),
            Param("WindowParameterClassificationToInclude", "strings"),
            Param("WindowParameterKbNumberToInclude", "strings"), Param("WindowParameterKbNumberToExclude", "strings"),
            Param("WindowParameterExcludeKbRequiringReboot", "switch"),
            Param("LinuxParameterClassificationToInclude", "strings"),
            Param("LinuxParameterPackageNameMaskToInclude", "strings"),
            Param("LinuxParameterPackageNameMaskToExclude", "strings"), Param("Tag")),
           new_maintenance_configuration),
    Cmdlet("New-AzConfigurationAssignment", "Register a maintenance configuration for a resource.",
           (Param("ResourceGroupName", position=0), Param("Location"), Param("ResourceName"), Param("ResourceType"),
            Param("ProviderName"), Param("ConfigurationAssignmentName", aliases=("Name",)),
            Param("MaintenanceConfigurationId")),
           new_configuration_assignment),
)}

# every spelling PowerShell accepts, lower-cased -> canonical name
NAMES: dict[str, str] = {n.lower(): c.name for c in CMDLETS.values() for n in (c.name, *c.aliases)}


def canonical(name: str) -> str | None:
    return NAMES.get(name.lower())


def run_cmdlet(cmdlet: Cmdlet, bound: dict) -> int:
    """Run a bound cmdlet with PowerShell's common parameters: -WhatIf and -Confirm (ShouldProcess),
    -ErrorAction (SilentlyContinue or Ignore: the error is not shown, the command still fails),
    -WarningAction, -Verbose/-Debug."""
    from ..errors import AutopatchError
    from .globals import settings

    if bound.get("WarningAction") in ("SilentlyContinue", "Ignore"):
        settings.only_show_errors = True
    if bound.get("Verbose"):
        settings.verbose = True
    if cmdlet.should_process and (bound.get("WhatIf") or bound.get("Confirm")):
        operation, target = cmdlet.should_process(cmdlet, bound)
        if bound.get("WhatIf"):
            sys.stdout.write(f'What if: Performing the operation "{operation}" on target "{target}".\n')
            return 0
        if not _confirmed(operation, target):
            return 0
    try:
        cmdlet.run(cmdlet, bound)
    except AutopatchError as exc:
        if bound.get("ErrorAction") in ("SilentlyContinue", "Ignore"):
            return exc.exit_code  # a failure all the same ($? is $false), only not shown
        raise
    return 0


def _confirmed(operation: str, target: str) -> bool:
    """PowerShell's -Confirm prompt; with no terminal to ask, az's answer (ask for the switch's off form)."""
    from ..errors import ValidationError

    if not sys.stdin.isatty():
        raise ValidationError("Unable to prompt for confirmation as no tty available. Use -Confirm:$false.")
    sys.stdout.write(f"\nConfirm\nAre you sure you want to perform this action?\nPerforming the operation "
                     f'"{operation}" on target "{target}".\n[Y] Yes  [N] No  (default is "Y"): ')
    sys.stdout.flush()
    return input().strip().lower() in ("", "y", "yes")


def help_text(cmdlet: Cmdlet) -> str:
    lines = ["", "NAME", f"    {cmdlet.name}", "", "SYNOPSIS", f"    {cmdlet.synopsis}", "", "SYNTAX"]
    parts = []
    for p in cmdlet.params:
        text = f"-{p.name}" if p.kind == "switch" else f"-{p.name} <{p.type_name.split('.')[-1]}>"
        parts.append(f"[{text}]")
    lines.append(f"    {cmdlet.name} {' '.join(parts)}")
    lines += ["", "PARAMETERS"]
    for p in cmdlet.params:
        alias = f" (alias: {', '.join('-' + a for a in p.aliases)})" if p.aliases else ""
        position = f" (position {p.position})" if p.position is not None else ""
        lines.append(f"    -{p.name}{alias}{position}  {p.help}".rstrip())
    if cmdlet.aliases:
        lines += ["", "ALIASES", *(f"    {a}" for a in cmdlet.aliases)]
    from .examples import CMDLET_EXAMPLES

    examples = CMDLET_EXAMPLES.get(cmdlet.name, [])
    if examples:
        lines += ["", "EXAMPLES"]
        for number, (title, line, description) in enumerate(examples, 1):
            lines += [f"    {f' Example {number}: {title} ':-^76}", "", f"    {line}", "", f"    {description}", ""]
        lines.pop()
    lines += ["", "NOTES", "    Names match case-insensitively, as do unique prefixes. -o json (or --query) prints "
              "the object as data.", ""]
    return "\n".join(lines) + "\n"


class CmdletCommand(typer.core.TyperCommand):
    """A click command that hands its arguments to PowerShell-style binding."""

    def __init__(self, cmdlet: Cmdlet):
        super().__init__(name=cmdlet.name, help=cmdlet.synopsis, add_help_option=False)
        self.cmdlet = cmdlet

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        ctx.args = list(args)
        return ctx.args

    def invoke(self, ctx) -> Any:
        args = ctx.args
        if any(a.lower() in HELP_WORDS for a in args):
            sys.stdout.write(help_text(self.cmdlet))
            return 0
        return run_cmdlet(self.cmdlet, bind(self.cmdlet, args))

    def get_help(self, ctx) -> str:
        return help_text(self.cmdlet)

    def shell_complete(self, ctx, incomplete: str):
        from typer._click.shell_completion import CompletionItem

        if not incomplete.startswith("-"):
            return []
        return [CompletionItem("-" + p.name, help=p.help) for p in self.cmdlet.params
                if ("-" + p.name).lower().startswith(incomplete.lower())]


def command(name: str) -> CmdletCommand:
    return CmdletCommand(CMDLETS[canonical(name) or name])
