"""Microsoft.Compute: virtual machines, their actions, and the operation monitors of long-running calls.

Each document is drawn in the request's api-version wire shape (models.versions.for_api_version); the
store keeps the newest superset.
"""

from __future__ import annotations

import copy
from typing import Any

from ..errors import AzureError, invalid_resource_type, not_allowed_value, operation_not_found
from . import apiversions
from .framework import ArmResponse, Request, Route, RouterApi, error_response, json_response, not_found

_COMPUTE = "/subscriptions/{sub}/providers/Microsoft.Compute"
_VMS = "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Compute/virtualMachines"


# ---- shapes --------------------------------------------------------------------------------------


def render(document: Any, api_version: str) -> Any:
    """A Compute document in ``api_version``'s wire shape."""
    from ..models.versions import for_api_version

    return for_api_version(document, apiversions.compute_shape(api_version))


# Compute's type names for the objects that hold version-dependent properties (its deserialization errors
# name them), by the holder's key and, for the patch settings, the configuration above it.
_TYPE_NAMES = {
    ("windowsConfiguration", "patchSettings"): "PatchSettings",
    ("linuxConfiguration", "patchSettings"): "LinuxPatchSettings",
    ("patchSettings", "automaticByPlatformSettings"): "AutomaticByPlatformSettings",
    ("osProfile", "linuxConfiguration"): "LinuxConfiguration",
    ("storageProfile", "osDisk"): "OSDisk",
}
_AUTOMATIC_BY_PLATFORM_TYPES = {"windowsConfiguration": "WindowsVMGuestPatchAutomaticByPlatformSettings",
                                "linuxConfiguration": "LinuxVMGuestPatchAutomaticByPlatformSettings"}


def refuse_undefined_members(body: Any, api_version: str, raw: bytes | None = None) -> None:
    """A PUT or PATCH that sets a property its api-version does not define is refused, as Compute refuses it:
    its request model at that version has no such member, and its deserializer fails (400
    InvalidRequestContent, "Could not find member ..."), rather than ignoring it."""
    from ..errors import invalid_request_content
    from ..models.versions import undefined_members

    found = undefined_members(body, apiversions.compute_shape(api_version))
    if not found:
        return
    path, holder = found[0]
    parts = path.split(".")
    member, parent = parts[-1], parts[-3] if len(parts) >= 3 else ""
    type_name = _TYPE_NAMES.get((parent, holder), holder[:1].upper() + holder[1:])
    if holder == "automaticByPlatformSettings":
        type_name = _AUTOMATIC_BY_PLATFORM_TYPES.get(parts[-4] if len(parts) >= 4 else "", type_name)
    raise invalid_request_content(
        "The request content was invalid and could not be deserialized: 'Could not find member "
        f"'{member}' on object of type '{type_name}'. Path '{path}'{_position(raw, member)}.'.")


def _position(raw: bytes | None, member: str) -> str:
    """Json.NET's ", line L, position P" of a member name in the raw body (just past its closing quote)."""
    text = (raw or b"").decode("utf-8", "replace")
    at = text.find(f'"{member}"')
    if at < 0:
        return ""
    end = at + len(member) + 2
    line = text.count("\n", 0, at) + 1
    return f", line {line}, position {end - (text.rfind(chr(10), 0, at) + 1)}"


def _carry_unversioned(body: dict, existing: dict | None, api_version: str) -> dict:
    """Fields the request's api-version does not define are kept from the existing resource, as Compute keeps
    them (a client at that version cannot see them, so it cannot mean to clear them). The body itself may not
    set them (refuse_undefined_members)."""
    from ..models.versions import EMPTIED_AWAY, dropped_at, for_api_version

    shape = apiversions.compute_shape(api_version)
    body = for_api_version(body, shape)
    dropped = dropped_at(shape)
    if existing is None or not dropped:
        return body

    def walk(new: dict, old: dict) -> None:
        for key, old_value in old.items():
            if not isinstance(old_value, dict):
                continue
            new_value = new.get(key)
            if new_value is None and key in EMPTIED_AWAY:
                # the whole object was hidden at this version (all it held is undefined there)
                hidden = {k: copy.deepcopy(v) for k, v in old_value.items() if k in dropped.get(key, ())}
                if hidden:
                    new[key] = hidden
                continue
            if not isinstance(new_value, dict):
                continue
            for inner in dropped.get(key, ()):
                if inner in old_value and inner not in new_value:
                    new_value[inner] = copy.deepcopy(old_value[inner])
            walk(new_value, old_value)

    walk(body, existing)
    return body


def _merge_patch(target: dict, patch: dict, top: bool = True) -> dict:
    """PATCH as ARM applies it: objects merge, other values (and ``tags`` as a whole) replace, null clears."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict) and not (top and key == "tags"):
            _merge_patch(target[key], value, top=False)
        else:
            target[key] = copy.deepcopy(value)
    return target


# ---- operation monitors and the subscription's VMs ---------------------------------------------


def operation_get(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from . import operations

    reader = router.reader()
    op = operations.find(reader, parts["op"])
    if op is None or op["location"].lower() != parts["loc"].lower():
        raise operation_not_found(parts["op"])
    output = render(op["output"], request.api_version) if "output" in op else None
    if request.query.get("monitor", "").lower() == "true":
        # The Location monitor: the response the synchronous call would have given.
        if op["status"] != "Succeeded":
            return error_response(AzureError(op["error"]["code"], op["error"]["message"], 400))
        return json_response(200, output) if output is not None else ArmResponse(200)
    return json_response(200, operations.status_document(op, output))


def vm_list_all(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import vms

    reader = router.reader()
    return json_response(200, {"value": [render(vm, request.api_version) for vm in vms.list_vms(reader)]})


# ---- Compute: virtual machines ------------------------------------------------------------------

def vm_list(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import vms

    reader = router.reader()
    return json_response(200, {"value": [render(vm, request.api_version) for vm in vms.list_vms(reader, parts["rg"])]})


def vm_get(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import vms

    record = vms.require(router.reader(), parts["rg"], parts["vm"])
    expand = request.query.get("$expand")
    if expand is None:
        document = vms.resource(record)
    elif expand.lower() == "instanceview":
        document = vms.with_instance_view(record)
    else:
        raise not_allowed_value(expand, "$expand", ("instanceView",))
    return json_response(200, render(document, request.api_version))


def _vm_write_response(router: RouterApi, request: Request, state, record: dict, created: bool, start: str) -> ArmResponse:
    """200/201 with the VM, provisioningState Creating/Updating, and the Azure-AsyncOperation monitor."""
    from ..ops import vms
    from . import operations

    vm = vms.resource(record)
    op = operations.record(state, kind="vm.put", location=vm["location"], resource_id=vm["id"], start=start)
    headers = router.async_headers(request, state, op, location_header=False)
    vm["properties"]["provisioningState"] = "Creating" if created else "Updating"
    return json_response(201 if created else 200, render(vm, request.api_version), headers)


def vm_put(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import vms
    from ..ops.state import now_text

    body = request.json_body()
    with router.writer() as state:
        existing = vms.find(state, parts["rg"], parts["vm"])
        start = now_text(state)
        refuse_undefined_members(body, request.api_version, request.body)
        body = _carry_unversioned(body, existing["vm"] if existing else None, request.api_version)
        record = vms.put(state, parts["rg"], parts["vm"], body)
        return _vm_write_response(router, request, state, record, existing is None, start)


def vm_patch(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..models.versions import for_api_version
    from ..ops import vms
    from ..ops.state import now_text

    body = request.json_body()
    with router.writer() as state:
        record = vms.require(state, parts["rg"], parts["vm"])
        start = now_text(state)
        refuse_undefined_members(body, request.api_version, request.body)
        patch = for_api_version(body, apiversions.compute_shape(request.api_version))
        merged = _merge_patch(vms.resource(record), patch)
        record = vms.put(state, parts["rg"], parts["vm"], merged)
        return _vm_write_response(router, request, state, record, False, start)


def vm_delete(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import groups, vms
    from ..ops.state import now_text
    from . import operations

    with router.writer() as state:
        record = vms.find(state, parts["rg"], parts["vm"])
        if record is None:
            groups.require(state, parts["rg"])
            return ArmResponse(204)
        start = now_text(state)
        vm = record["vm"]
        vms.delete(state, parts["rg"], parts["vm"])
        op = operations.record(state, kind="vm.delete", location=vm["location"], resource_id=vm["id"], start=start)
        return ArmResponse(202, router.async_headers(request, state, op))


def vm_instance_view(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import vms

    record = vms.require(router.reader(), parts["rg"], parts["vm"])
    return json_response(200, render(record["iv"], request.api_version))


_POWER_ACTIONS = {"start": "start", "poweroff": "stop", "deallocate": "deallocate", "restart": "restart"}
_PATCH_ACTIONS = ("assesspatches", "installpatches")


def vm_action(router: RouterApi, request: Request, parts: dict) -> ArmResponse:
    from ..ops import vms
    from ..ops.state import now_text
    from . import operations

    action = parts["action"].lower()
    if action not in _POWER_ACTIONS and action not in _PATCH_ACTIONS:
        raise not_found(request.path)
    parameters = None
    if action == "installpatches":
        if apiversions.compute_shape(request.api_version) < apiversions.INSTALL_PATCHES_SINCE:
            raise invalid_resource_type(
                "The resource type 'virtualMachines/installPatches' could not be found in the namespace "
                f"'Microsoft.Compute' for api version '{request.api_version}'."
            )
        parameters = request.json_body()
    with router.writer() as state:
        record = vms.require(state, parts["rg"], parts["vm"])
        start = now_text(state)
        output = None
        if action in _POWER_ACTIONS:
            vms.set_power(state, parts["rg"], parts["vm"], _POWER_ACTIONS[action])
        else:
            from ..ops import ondemand

            if action == "assesspatches":
                output = ondemand.assess(state, parts["rg"], parts["vm"])
            else:
                assert parameters is not None  # read above for installpatches
                output = ondemand.install(state, parts["rg"], parts["vm"], parameters)
        vm = record["vm"]
        op = operations.record(state, kind=f"vm.{action}", location=vm["location"], resource_id=vm["id"],
                               start=start, output=output)
        return ArmResponse(202, router.async_headers(request, state, op))


ROUTES = [
    Route("GET", _COMPUTE + "/locations/{loc}/operations/{op}", operation_get, "compute", "locations/operations"),
    Route("GET", _COMPUTE + "/virtualMachines", vm_list_all, "compute"),
    Route("GET", _VMS, vm_list, "compute"),
    Route("GET", _VMS + "/{vm}", vm_get, "compute"),
    Route("PUT", _VMS + "/{vm}", vm_put, "compute"),
    Route("PATCH", _VMS + "/{vm}", vm_patch, "compute"),
    Route("DELETE", _VMS + "/{vm}", vm_delete, "compute"),
    Route("GET", _VMS + "/{vm}/instanceView", vm_instance_view, "compute"),
    Route("POST", _VMS + "/{vm}/{action}", vm_action, "compute"),
]
