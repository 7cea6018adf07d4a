"""PowerShell's default views of the cmdlets' objects (PSVirtualMachine, PSProviderFeature, ...): the
objects themselves (PowerShell's property names and order) and the list and table formats PowerShell
prints them with. ``-o json`` (or any other ``-o`` / ``--query``) prints the object's properties instead.
"""

from __future__ import annotations

import sys
from typing import Any

from .globals import settings

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
    """A wire document as the SDK object PowerShell shows: PascalCase property names (a tag's own
    keys are the user's: kept as they are)."""
    if isinstance(value, dict):
        if key == "tags":
            return dict(value)
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


def feature_view(obj) -> str:
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


def provider_view(obj) -> str:
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
    """PSVirtualMachine: the VM's properties lifted to the top, PascalCase, with ResourceGroupName
    (a configuration not yet created, from New-AzVMConfig, has no id and so no group)."""
    body = dict(vm)
    props = body.pop("properties", {})
    group = vm["id"].split("/")[4] if vm.get("id") else None
    flat = {"ResourceGroupName": group, **ps_object(body), **ps_object(props)}
    flat["Tags"] = flat.get("Tags") or {}
    flat.pop("InstanceView", None)
    return {k: flat[k] for k in (*_VM_ORDER, *(k for k in flat if k not in _VM_ORDER)) if k in flat}


_WIRE = {ps: wire for wire, ps in _PASCAL.items()}
_VM_TOP_LEVEL = frozenset({"id", "name", "type", "location", "tags", "zones", "identity", "plan", "extendedLocation"})


def wire_object(value: Any, free_form: bool = False) -> Any:
    """The inverse of ``ps_object``: PascalCase back to the wire's names (a tag's own keys kept)."""
    if isinstance(value, dict):
        return {(k if free_form else _WIRE.get(k, k[:1].lower() + k[1:])):
                wire_object(v, free_form or k == "Tags") for k, v in value.items()}
    if isinstance(value, list):
        return [wire_object(v, free_form) for v in value]
    return value


def vm_body(obj: dict) -> dict:
    """A PSVirtualMachine (as ``-o json`` prints it) back to the ``VirtualMachine`` body the cmdlets send."""
    wire = wire_object({k: v for k, v in obj.items() if k != "ResourceGroupName" and v is not None})
    body: dict[str, Any] = {"properties": {}}
    for key, value in wire.items():
        (body if key in _VM_TOP_LEVEL else body["properties"])[key] = value
    if not body.get("tags"):
        body.pop("tags", None)
    return body


def operation_response() -> dict:
    """PSAzureOperationResponse: what New-AzVM -VM and Update-AzVM return."""
    return {"RequestId": "", "IsSuccessStatusCode": True, "StatusCode": "OK", "ReasonPhrase": "OK"}


def operation_response_view(obj) -> str:
    return format_table([{k: scalar(v, k) for k, v in obj.items()}])


def job(cmdlet: str, target: str, state: str) -> dict:
    """The job -AsJob returns (an AzureLongRunningJob): Running for an operation that goes on in simulated
    time, Completed for one autopatch finishes at once."""
    return {"Id": 1, "Name": f"Long Running Operation for '{cmdlet}' on resource '{target}'",
            "PSJobTypeName": "AzureLongRunningJob`1", "State": state, "HasMoreData": True, "Location": "localhost",
            "Command": cmdlet}


def job_view(obj) -> str:
    return format_table([{k: scalar(v, k) for k, v in obj.items()}])


def _vm_cell(key: str, value: Any) -> str:
    if isinstance(value, dict):
        if key == "Tags":
            return "{" + ", ".join(f"[{k}, {v}]" for k, v in value.items()) + "}"
        return "{" + ", ".join(value) + "}"
    if isinstance(value, list):
        return _collection(value)
    return scalar(value, key)


def vm_view(obj) -> str:
    items = obj if isinstance(obj, list) else [obj]
    return format_lists([[(k, _vm_cell(k, v)) for k, v in item.items() if v is not None] for item in items])


def vm_table(items: list[dict]) -> str:
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


def instance_view_view(obj) -> str:
    return nested_list(list(obj.items()))


ASSESS_ORDER = ("Status", "AssessmentActivityId", "RebootPending", "CriticalAndSecurityPatchCount",
                 "OtherPatchCount", "StartDateTime", "AvailablePatches", "Error")
INSTALL_ORDER = ("Status", "InstallationActivityId", "RebootStatus", "MaintenanceWindowExceeded",
                  "ExcludedPatchCount", "NotSelectedPatchCount", "PendingPatchCount", "InstalledPatchCount",
                  "FailedPatchCount", "Patches", "StartDateTime", "Error")
_SDK_TYPES = {"AvailablePatches": "VirtualMachineSoftwarePatchProperties", "Patches": "PatchInstallationDetail"}


def operation_result(result: dict, order: tuple[str, ...]) -> dict:
    obj = ps_object(result)
    return {k: obj.get(k) for k in order}


def result_view(obj) -> str:
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
