"""The Azure PowerShell cmdlets of the guide, as top-level commands: ``autopatch Get-AzVM -ResourceGroupName rg -Name vm -Status``.

Parameters bind as PowerShell binds them: names case-insensitively, any unique prefix of a name or
alias (``-Res`` for ``-ResourceGroupName``), switches with no value (``-Status``, or ``-Status:$false``),
``String[]`` values comma-separated (``-ClassificationToIncludeForWindows Critical,Security``), and
positional parameters where the cmdlet declares them. The cmdlets go through the same operations as
the az verbs, so the same rules and error codes apply; errors print in az's form (``ERROR: ...``), not
PowerShell's.

Output is PowerShell's default view of the cmdlet's object (a list, or a table for feature lists);
``-o json`` (or any other ``-o`` / ``--query``) prints the object's properties for scripts instead.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

import typer.core

from ..errors import UsageError
from .common import check_subscription, reader, writer
from .globals import settings

# ---- parameter binding --------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    kind: str = "string"  # string | switch | strings
    aliases: tuple[str, ...] = ()
    position: int | None = None
    help: str = ""

    @property
    def type_name(self) -> str:
        return {"string": "System.String", "strings": "System.String[]", "switch": "SwitchParameter"}[self.kind]


@dataclass
class Cmdlet:
    name: str
    synopsis: str
    params: tuple[Param, ...]
    run: Any = None
    aliases: tuple[str, ...] = ()
    syntax: tuple[str, ...] = field(default_factory=tuple)


_TRUE = {"$true", "true", "1"}
_FALSE = {"$false", "false", "0"}
_HELP = {"-?", "-help", "--help", "-h"}


def _is_parameter(token: str) -> bool:
    return len(token) > 1 and token[0] == "-" and not token[1:2].isdigit() and token[1:2] != "."


def _resolve(cmdlet: Cmdlet, written: str) -> Param:
    wanted = written.lower()
    for param in cmdlet.params:
        if wanted in (n.lower() for n in (param.name, *param.aliases)):
            return param
    matches = [p for p in cmdlet.params if any(n.lower().startswith(wanted) for n in (p.name, *p.aliases))]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(
            f"{cmdlet.name}: Parameter cannot be processed because the parameter name '{written}' is ambiguous. "
            f"Possible matches include: {' '.join('-' + p.name for p in matches)}."
        )
    raise UsageError(f"{cmdlet.name}: A parameter cannot be found that matches parameter name '{written}'.")


def bind(cmdlet: Cmdlet, args: list[str]) -> dict[str, Any]:
    """PowerShell's parameter binding, for the parameter kinds these cmdlets use."""
    bound: dict[str, Any] = {}
    positional: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        index += 1
        if not _is_parameter(token):
            positional.append(token)
            continue
        written, colon, inline = token[1:].partition(":")
        param = _resolve(cmdlet, written)
        if param.name in bound:
            raise UsageError(
                f"{cmdlet.name}: Cannot bind parameter because parameter '{param.name}' is specified more than once."
            )
        if param.kind == "switch":
            if colon:
                if inline.lower() not in _TRUE | _FALSE:
                    raise UsageError(
                        f"{cmdlet.name}: Cannot process argument transformation on parameter '{param.name}'. "
                        f"Cannot convert value \"{inline}\" to type \"System.Management.Automation.SwitchParameter\"."
                    )
                bound[param.name] = inline.lower() in _TRUE
            else:
                bound[param.name] = True
            continue
        if colon and inline:
            value = inline
        elif index < len(args) and not _is_parameter(args[index]):
            value = args[index]
            index += 1
        else:
            raise UsageError(
                f"{cmdlet.name}: Missing an argument for parameter '{param.name}'. Specify a parameter of type "
                f"'{param.type_name}' and try again."
            )
        if param.kind == "strings":
            # `-X a,b` or `-X a, b` (the shell splits after the comma): one comma-separated list
            while value.endswith(",") and index < len(args) and not _is_parameter(args[index]):
                value += args[index]
                index += 1
            items = [v.strip().strip("\"'") for v in value.split(",")]
            bound[param.name] = [v for v in items if v]
        else:
            bound[param.name] = value
    slots = sorted((p for p in cmdlet.params if p.position is not None and p.name not in bound),
                   key=lambda p: p.position)
    for value in positional:
        if not slots:
            raise UsageError(f"{cmdlet.name}: A positional parameter cannot be found that accepts argument '{value}'.")
        bound[slots.pop(0).name] = value
    return bound


def require(cmdlet: Cmdlet, bound: dict, *names: str) -> None:
    missing = [n for n in names if bound.get(n) in (None, "")]
    if missing:
        raise UsageError(
            f"{cmdlet.name}: Cannot process command because of one or more missing mandatory parameters: "
            f"{' '.join(missing)}."
        )


def no_parameter_set(cmdlet: Cmdlet) -> UsageError:
    return UsageError(f"{cmdlet.name}: Parameter set cannot be resolved using the specified named parameters.")


# ---- PowerShell's views ---------------------------------------------------------------------------

# wire name -> the .NET SDK's property name, where it is not the wire name capitalised
_PASCAL = {
    "osProfile": "OSProfile", "vmAgent": "VMAgent", "vmHealth": "VMHealth", "rdpThumbPrint": "RdpThumbPrint",
    "availabilitySet": "AvailabilitySetReference", "provisionVMAgent": "ProvisionVMAgent", "winRM": "WinRM",
    "kbId": "KbId", "kbid": "Kbid",
}
_DATE_KEYS = frozenset({"time", "startTime", "lastModifiedTime", "startDateTime", "publishedDate",
                        "lastModifiedDateTime", "maxPatchPublishDate"})
ENUMERATION_LIMIT = 4  # $FormatEnumerationLimit


def pascal(key: str) -> str:
    return _PASCAL.get(key, key[:1].upper() + key[1:])


def ps_object(value: Any, key: str | None = None) -> Any:
    """A wire document as the SDK object PowerShell shows: PascalCase property names."""
    if isinstance(value, dict):
        return {pascal(k): ps_object(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [ps_object(v, key) for v in value]
    return value


def scalar(value: Any, key: str = "") -> str:
    """A .NET value as PowerShell prints it (en-US culture; date-times in UTC)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str) and key[:1].lower() + key[1:] in _DATE_KEYS:
        from ..engine.clock import parse_instant

        try:
            moment = parse_instant(value)
        except ValueError:
            return value
        hour = moment.hour % 12 or 12
        return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment:%M:%S} {'AM' if moment.hour < 12 else 'PM'}"
    return str(value)


def _collection(items: list, label=str) -> str:
    shown = [label(i) for i in items[:ENUMERATION_LIMIT]]
    more = "..." if len(items) > ENUMERATION_LIMIT else ""
    return "{" + ", ".join(shown) + more + "}"


def format_list(rows: list[tuple[str, str]]) -> str:
    """``Format-List``: ``Name : value`` with the colons aligned, a blank line before and after."""
    width = max(len(k) for k, _ in rows)
    body = "\n".join(f"{k.ljust(width)} : {v}".rstrip() for k, v in rows)
    return f"\n{body}\n\n"


def format_lists(items: list[list[tuple[str, str]]]) -> str:
    return "".join(format_list(rows) for rows in items)


def format_table(items: list[dict[str, str]]) -> str:
    """``Format-Table``: columns as wide as their widest cell, headers underlined, a blank line around."""
    if not items:
        return ""
    headers = list(items[0])
    widths = [max(len(h), *(len(str(i.get(h, ""))) for i in items)) for h in headers]

    def line(cells):
        return " ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(headers), line("-" * len(h) for h in headers)]
    out += [line(str(i.get(h, "")) for h in headers) for i in items]
    return "\n" + "\n".join(out) + "\n\n"


def nested_list(rows: list[tuple[str, Any]]) -> str:
    """The nested view Az.Compute gives instance views: objects expanded and indented, list items
    numbered (``Statuses[0]``), every colon aligned."""
    lines: list[tuple[str, str]] = []

    def walk(key: str, value: Any, depth: int) -> None:
        pad = "  " * depth
        if value is None or value == [] or value == {}:
            return
        if isinstance(value, dict):
            lines.append((pad + key, ""))
            for k, v in value.items():
                walk(pascal(k), v, depth + 1)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(f"{key}[{i}]", item, depth)
        else:
            lines.append((pad + key, scalar(value, key)))

    for key, value in rows:
        walk(key, value, 0)
    return format_list(lines)


def emit_ps(obj: Any, view) -> None:
    """PowerShell's default view unless an az output option asks for data."""
    if settings.output is None and settings.query is None:
        text = view(obj)
        if text:
            sys.stdout.write(text)
        return
    from .output import emit

    emit(obj)


# ---- objects ------------------------------------------------------------------------------------


def provider_feature(result: dict) -> dict:
    """PSProviderFeature: ``name`` split at the first '/', ``properties.state``."""
    provider, _, feature = result["name"].partition("/")
    return {"FeatureName": feature, "ProviderName": provider, "RegistrationState": result["properties"]["state"]}


def _feature_view(obj) -> str:
    return format_table(obj if isinstance(obj, list) else [obj])


def resource_provider(result: dict) -> dict:
    types = [
        {"ResourceTypeName": t["resourceType"], "Locations": t.get("locations", []),
         "ApiVersions": t.get("apiVersions", []), "ZoneMappings": ps_object(t.get("zoneMappings")),
         "Capabilities": t.get("capabilities")}
        for t in result.get("resourceTypes", [])
    ]
    locations: list[str] = []
    for t in types:
        locations.extend(loc for loc in t["Locations"] if loc not in locations)
    return {"ProviderNamespace": result["namespace"], "RegistrationState": result["registrationState"],
            "ResourceTypes": types, "Locations": locations}


def _provider_view(obj) -> str:
    return format_list([
        ("ProviderNamespace", obj["ProviderNamespace"]),
        ("RegistrationState", obj["RegistrationState"]),
        ("ResourceTypes", _collection(obj["ResourceTypes"], lambda t: t["ResourceTypeName"])),
        ("Locations", _collection(obj["Locations"])),
    ])


_VM_ORDER = ("ResourceGroupName", "Id", "VmId", "Name", "Type", "Location", "LicenseType", "Tags",
             "AvailabilitySetReference", "DiagnosticsProfile", "HardwareProfile", "NetworkProfile", "OSProfile",
             "ProvisioningState", "StorageProfile", "Zones")


def virtual_machine(vm: dict) -> dict:
    """PSVirtualMachine: the VM's properties lifted to the top, PascalCase, with ResourceGroupName."""
    body = dict(vm)
    props = body.pop("properties", {})
    flat = {"ResourceGroupName": vm["id"].split("/")[4], **ps_object(body), **ps_object(props)}
    flat["Tags"] = flat.get("Tags") or {}
    flat.pop("InstanceView", None)
    return {k: flat[k] for k in (*_VM_ORDER, *(k for k in flat if k not in _VM_ORDER)) if k in flat}


def _vm_cell(key: str, value: Any) -> str:
    if isinstance(value, dict):
        if key == "Tags":
            return "{" + ", ".join(f"[{k}, {v}]" for k, v in value.items()) + "}"
        return "{" + ", ".join(value) + "}"
    if isinstance(value, list):
        return _collection(value)
    return scalar(value, key)


def _vm_view(obj) -> str:
    items = obj if isinstance(obj, list) else [obj]
    return format_lists([[(k, _vm_cell(k, v)) for k, v in item.items() if v is not None] for item in items])


def _vm_table(items: list[dict]) -> str:
    rows = []
    for vm in items:
        storage = vm.get("StorageProfile", {})
        rows.append({
            "ResourceGroupName": vm["ResourceGroupName"], "Name": vm["Name"], "Location": vm["Location"],
            "VmSize": vm.get("HardwareProfile", {}).get("VmSize", ""),
            "OsType": storage.get("OsDisk", {}).get("OsType", ""),
            "NIC": vm.get("NetworkProfile", {}).get("NetworkInterfaces", [{}])[0].get("Id", "").rsplit("/", 1)[-1],
            "ProvisioningState": vm.get("ProvisioningState", ""),
            "Zone": ",".join(vm.get("Zones") or []),
        })
    return format_table(rows)


_IV_ORDER = ("ComputerName", "OsName", "OsVersion", "HyperVGeneration", "BootDiagnostics", "Disks", "Extensions",
             "VMAgent", "MaintenanceRedeployStatus", "PlatformUpdateDomain", "PlatformFaultDomain",
             "RdpThumbPrint", "VMHealth", "AssignedHost", "Statuses", "PatchStatus")


def instance_view(record: dict) -> dict:
    """PSVirtualMachineInstanceView, PatchStatus included (Az.Compute 4.x and later carry it)."""
    from ..ops import vms

    iv = ps_object(vms.instance_view(record))
    head = {"ResourceGroupName": vms.group_of(record), "Name": record["vm"]["name"]}
    return {**head, **{k: iv[k] for k in (*_IV_ORDER, *(k for k in iv if k not in _IV_ORDER)) if k in iv}}


def _instance_view_view(obj) -> str:
    return nested_list(list(obj.items()))


_ASSESS_ORDER = ("Status", "AssessmentActivityId", "RebootPending", "CriticalAndSecurityPatchCount",
                 "OtherPatchCount", "StartDateTime", "AvailablePatches", "Error")
_INSTALL_ORDER = ("Status", "InstallationActivityId", "RebootStatus", "MaintenanceWindowExceeded",
                  "ExcludedPatchCount", "NotSelectedPatchCount", "PendingPatchCount", "InstalledPatchCount",
                  "FailedPatchCount", "Patches", "StartDateTime", "Error")
_SDK_TYPES = {"AvailablePatches": "VirtualMachineSoftwarePatchProperties", "Patches": "PatchInstallationDetail"}


def operation_result(result: dict, order: tuple[str, ...]) -> dict:
    obj = ps_object(result)
    return {k: obj.get(k) for k in order}


def _result_view(obj) -> str:
    rows = []
    for key, value in obj.items():
        if isinstance(value, list):
            sdk = f"Microsoft.Azure.Management.Compute.Models.{_SDK_TYPES.get(key, 'Object')}"
            rows.append((key, _collection(value, lambda _item, sdk=sdk: sdk)))
        elif isinstance(value, dict):
            rows.append((key, "Microsoft.Azure.Management.Compute.Models.ApiError"))
        else:
            rows.append((key, scalar(value, key)))
    return format_list(rows)


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
        return parsed["group"], parsed["name"]
    require(cmdlet, bound, "ResourceGroupName", name_param)
    return bound["ResourceGroupName"], bound[name_param]


def register_feature(cmdlet: Cmdlet, bound: dict, action: str = "register") -> None:
    from ..ops import features

    require(cmdlet, bound, "FeatureName", "ProviderNamespace")
    with writer() as state:
        check_subscription(state)
        result = getattr(features, action)(state, bound["ProviderNamespace"], bound["FeatureName"])
    emit_ps(provider_feature(result), _feature_view)


def unregister_feature(cmdlet: Cmdlet, bound: dict) -> None:
    register_feature(cmdlet, bound, "unregister")


def get_feature(cmdlet: Cmdlet, bound: dict) -> None:
    from ..ops import features

    state = reader()
    if bound.get("FeatureName"):
        if not bound.get("ProviderNamespace") or bound.get("ListAvailable"):
            raise no_parameter_set(cmdlet)
        emit_ps(provider_feature(features.show(state, bound["ProviderNamespace"], bound["FeatureName"])),
                _feature_view)
        return
    found = [provider_feature(f) for f in features.list_features(state, bound.get("ProviderNamespace"))]
    if not bound.get("ListAvailable"):
        found = [f for f in found if f["RegistrationState"] == "Registered"]
    emit_ps(found, _feature_view)


def register_provider(cmdlet: Cmdlet, bound: dict) -> None:
    from ..ops import providers

    require(cmdlet, bound, "ProviderNamespace")
    with writer() as state:
        check_subscription(state)
        result = providers.register(state, bound["ProviderNamespace"])
    emit_ps(resource_provider(result), _provider_view)


def get_vm(cmdlet: Cmdlet, bound: dict) -> None:
    from ..ops import groups, vms

    state = reader()
    group, name = bound.get("ResourceGroupName"), bound.get("Name")
    if name and not group:
        raise no_parameter_set(cmdlet)
    if name:
        record = vms.require(state, group, name)
        if bound.get("Status"):
            emit_ps(instance_view(record), _instance_view_view)
        else:
            emit_ps(virtual_machine(vms.resource(record)), _vm_view)
        return
    if group:
        groups.require(state, group)
    items = [virtual_machine(vms.resource(r)) for r in vms.list_records(state, group)]
    if bound.get("Status"):
        for item, record in zip(items, vms.list_records(state, group), strict=True):
            item["PowerState"] = vms.POWER_DISPLAY[vms.power_state(record)]
    emit_ps(items, _vm_table)


def set_os(cmdlet: Cmdlet, bound: dict) -> None:
    """Set-AzVMOperatingSystem on a stored VM, then Update-AzVM: one command (see the notes)."""
    from ..errors import ValidationError
    from ..ops import vms

    if str(bound.get("VMName", "")).startswith("$") and "ResourceGroupName" not in bound:
        # the guide's `-VM $VirtualMachine`: -VM is a unique prefix of -VMName here, and a command line has no
        # PowerShell variables to pass
        raise UsageError(
            f"{cmdlet.name}: a command line cannot pass the PowerShell object {bound['VMName']}: name the stored VM "
            "with -ResourceGroupName and -VMName (autopatch reads it, applies the changes and updates it, as "
            "Set-AzVMOperatingSystem followed by Update-AzVM does)."
        )
    group, name = _vm_target(cmdlet, bound, "VMName")
    if bool(bound.get("Windows")) == bool(bound.get("Linux")):
        raise no_parameter_set(cmdlet)
    linux_only = [p for p in ("DisablePasswordAuthentication",) if p in bound]
    windows_only = [p for p in ("ProvisionVMAgent", "DisableVMAgent", "EnableAutoUpdate", "TimeZone",
                                "EnableHotpatching") if p in bound]
    if (bound.get("Linux") and windows_only) or (bound.get("Windows") and linux_only):
        raise no_parameter_set(cmdlet)
    if bound.get("ProvisionVMAgent") and bound.get("DisableVMAgent"):
        raise no_parameter_set(cmdlet)
    with writer() as state:
        check_subscription(state)
        body = vms.resource(vms.require(state, group, name))
        os_profile = body["properties"]["osProfile"]
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
        record = vms.put(state, group, name, body)
        result = virtual_machine(vms.resource(record))
    emit_ps(result, _vm_view)


def assess(cmdlet: Cmdlet, bound: dict) -> None:
    group, name = _vm_target(cmdlet, bound, "VMName")
    from ..ops import ondemand

    with writer() as state:
        check_subscription(state)
        result = ondemand.assess(state, group, name, wait=True)
    emit_ps(operation_result(result, _ASSESS_ORDER), _result_view)


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
        result = ondemand.install(state, group, name, parameters, wait=True)
    emit_ps(operation_result(result, _INSTALL_ORDER), _result_view)


# ---- Az.Maintenance: Update Manager schedules ----------------------------------------------------


def _hashtable(text: str | None, name: str) -> dict | None:
    """A PowerShell hashtable literal such as @{"InGuestPatchMode"="User"}."""
    if text is None:
        return None
    body = text.strip()
    if not (body.startswith("@{") and body.endswith("}")):
        raise UsageError(f"Cannot bind parameter '{name}': '{text}' is not a hashtable such as @{{\"Key\"=\"Value\"}}.")
    out = {}
    for pair in filter(None, (p.strip() for p in body[2:-1].split(";"))):
        key, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(f"Cannot bind parameter '{name}': '{pair}' is not Key=Value.")
        out[key.strip().strip("'\"")] = value.strip().strip("'\"")
    return out


def _maintenance_view(obj) -> str:
    rows = [(k, scalar(v, k) if not isinstance(v, (dict, list)) else json.dumps(v, separators=(",", ":")))
            for k, v in obj.items()]
    return format_list(rows)


def new_maintenance_configuration(cmdlet: Cmdlet, bound: dict) -> None:
    from ..ops import maintenance
    from ..ops.groups import require as require_group

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
                               ("extensionProperties", _hashtable(bound.get("ExtensionProperty"), "ExtensionProperty")),
                               ("maintenanceWindow", window or None), ("installPatches", patches or None)) if v}
    body = {"location": bound["Location"], "properties": props}
    if bound.get("Tag") is not None:
        body["tags"] = _hashtable(bound["Tag"], "Tag")
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

CMDLETS: dict[str, Cmdlet] = {c.name: c for c in (
    Cmdlet("Register-AzProviderFeature", "Registers an Azure provider feature in your current subscription.",
           _FEATURE_PARAMS, register_feature),
    Cmdlet("Unregister-AzProviderFeature", "Unregisters an Azure provider feature in your current subscription.",
           _FEATURE_PARAMS, unregister_feature),
    Cmdlet("Get-AzProviderFeature", "Gets information about Azure provider features.",
           (*_FEATURE_PARAMS, Param("ListAvailable", "switch", help="List all available features, not only registered ones.")),
           get_feature),
    Cmdlet("Register-AzResourceProvider", "Registers a resource provider.",
           (Param("ProviderNamespace", help="The namespace of the resource provider to register."),), register_provider),
    Cmdlet("Get-AzVM", "Gets the properties of a virtual machine.",
           (Param("ResourceGroupName", position=0, help="The resource group name."),
            Param("Name", aliases=("ResourceName", "VMName"), position=1, help="The virtual machine name."),
            Param("Status", "switch", help="Get the instance view (status) of the virtual machine.")),
           get_vm),
    Cmdlet("Set-AzVMOperatingSystem",
           "Sets operating system properties of a stored virtual machine and updates it (autopatch: Set + Update-AzVM).",
           (*_VM_PARAMS,
            Param("Windows", "switch"), Param("Linux", "switch"),
            Param("ComputerName", help="Ignored on an existing VM, as the cmdlet ignores it when the VM has an OS profile."),
            Param("Credential", help="Ignored on an existing VM, as the cmdlet ignores it when the VM has an OS profile."),
            Param("ProvisionVMAgent", "switch"), Param("DisableVMAgent", "switch"),
            Param("EnableAutoUpdate", "switch"), Param("TimeZone"),
            Param("PatchMode", help="Manual, AutomaticByOS or AutomaticByPlatform (Windows); ImageDefault or AutomaticByPlatform (Linux)."),
            Param("AssessmentMode", help="ImageDefault or AutomaticByPlatform."),
            Param("EnableHotpatching", "switch"), Param("DisablePasswordAuthentication", "switch")),
           set_os),
    Cmdlet("Invoke-AzVMPatchAssessment", "Assess patches on a VM.", _VM_PARAMS, assess,
           aliases=("Invoke-AzVmPatchAssess", "Invoke-AzVmAssessPatch")),
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
           install),
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
        if any(a.lower() in _HELP for a in args):
            sys.stdout.write(help_text(self.cmdlet))
            return 0
        self.cmdlet.run(self.cmdlet, bind(self.cmdlet, args))
        return 0

    def get_help(self, ctx) -> str:
        return help_text(self.cmdlet)

    def shell_complete(self, ctx, incomplete: str):
        from typer._click.shell_completion import CompletionItem

        if not incomplete.startswith("-"):
            return []
        return [CompletionItem("-" + p.name, help=p.help) for p in self.cmdlet.params
                if ("-" + p.name).lower().startswith(incomplete.lower())]


def command(name: str) -> CmdletCommand:
    return CmdletCommand(CMDLETS[canonical(name)])
