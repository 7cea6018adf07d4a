"""Virtual machines: create-or-update (PUT) as ARM does it, reads, power actions, delete.

A VM is kept in the store as ``{"vm": <VirtualMachine wire shape>, "iv": <instance view>, "sim": {...}}``
(``vm_records`` reads it). Where the rest lives: ARM's rules, each a named check, in ``vm_rules``; what
ARM fills in (ids, defaults) in ``vm_defaults``; az's client side of ``vm create`` in ``vm_create``.
"""

from __future__ import annotations

from ..azure import catalog, images
from ..errors import ValidationError, operation_not_allowed, resource_not_found
from . import availability_sets, era_rules, groups, ids, vm_defaults, vm_rules
from .names import validate_resource_name
from .state import next_guid, now_text, subscription_id

# The record accessors, here too for the callers that know a VM by this module.
from .vm_records import (  # noqa: F401
    POWER_DISPLAY,
    group_of,
    instance_view,
    is_windows,
    patch_mode,
    power_state,
    refresh_statuses,
    resource,
    status,
    with_instance_view,
)

# ---- lookup ------------------------------------------------------------------------------------


def find(state, group: str, name: str) -> dict | None:
    return state.entry("vms", ids.key(group, name))


def require(state, group: str, name: str) -> dict:
    record = find(state, group, name)
    if record is None:
        groups.require(state, group)
        raise resource_not_found(ids.VM_TYPE, name, group)
    return record


# ---- PUT: create or update with Azure's rules --------------------------------------------------


def put(state, group: str, name: str, body: dict, template: dict | None = None) -> dict:
    """Create or replace a VM from a ``VirtualMachine`` body, as ARM's PUT does; returns the record.
    ``template``: a dict that a create fills with what :func:`put_copy` needs to make the same VM under
    other names."""
    from ..models.compute import VirtualMachine

    rg = groups.require(state, group)
    validate_resource_name(name, ids.VM_TYPE)
    vm_rules.check_compute_registered(state)
    model = VirtualMachine.from_request(body)
    existing = find(state, group, name)
    # the request's own shape
    vm_rules.check_location_given(model)
    location = groups.resolve_location(model.location, ids.VM_TYPE)
    vm_rules.check_os_profile_given(model, existing)
    password = vm_defaults.admin_password(model)
    vm = vm_defaults.request_view(state, rg["name"], name, model, location, existing)
    vm_rules.check_license_type(vm["properties"])
    vm_rules.canonical_os_configuration(*vm_defaults.os_configurations(vm))
    vm_defaults.fill_os_profile(vm)
    era_rules.normalize_platform_settings(state, vm)
    vm_rules.check_vm_size(vm_defaults.fill_size(vm))
    vm_rules.check_image_given(vm["properties"], existing)
    vm_defaults.fill_storage(state, rg["name"], vm)
    vm_rules.check_delete_options(vm)
    vm_defaults.fill_read_only(vm)
    # a new VM's placement, or what a change may not touch
    if existing is None:
        era_rules.check_image_available(state, vm)
        vm_rules.check_zones(vm)
        vm_rules.check_availability_set(state, vm)
    else:
        vm_rules.check_fixed_properties_unchanged(existing["vm"], vm)
        vm_rules.check_password_unchanged(existing, password)
    vm_rules.check_patch_settings(state, vm, existing["vm"] if existing else None)
    if existing is None or _nic_ids(existing["vm"]) != _nic_ids(vm):
        from . import vm_network

        vm_network.check_nics_free(state, vm)
    if template is not None and existing is None:
        import json

        template.update(name=name, group=rg["name"], vm=json.dumps(vm), password=password)
    record = _store(state, rg, name, vm, existing)
    if existing is None and password is not None:
        record["sim"]["credentialDigest"] = vm_rules.password_digest(vm["properties"]["vmId"], password)
    return record


def put_copy(state, group: str, name: str, template: dict, nic_ids: list[str] | None = None) -> dict | None:
    """The VM :func:`put` creates from the body of ``template``'s VM with the name ``name`` (``az vm create
    --count``: the same body but for the name), without validating and filling that body again: the
    template's checked VM renamed, then stored as put() stores a new VM. ``nic_ids``: the NICs the body for
    ``name`` names, in the template's NICs' places (a caller that gives NICs their own names: by default
    "{name}VMNic" is renamed). None when a VM of that name exists (put() decides what an update of it
    means) or ``nic_ids`` are not as many as the template's NICs: put() takes that body."""
    import json

    rg = groups.require(state, group)
    validate_resource_name(name, ids.VM_TYPE)
    if find(state, group, name) is not None:
        return None
    vm = vm_defaults.renamed(json.loads(template["vm"]), template["name"], name, subscription_id(state), rg["name"])
    if nic_ids is not None:
        nics = vm["properties"].get("networkProfile", {}).get("networkInterfaces", [])
        if len(nics) != len(nic_ids):
            return None
        for nic, nic_id in zip(nics, nic_ids, strict=True):
            nic["id"] = nic_id
    from . import vm_network

    vm_network.check_nics_free(state, vm)  # as put() checks a new VM's NICs
    record = _store(state, rg, name, vm, None)
    if template["password"] is not None:
        record["sim"]["credentialDigest"] = vm_rules.password_digest(vm["properties"]["vmId"], template["password"])
    return record


def _store(state, rg: dict, name: str, vm: dict, existing: dict | None) -> dict:
    when = now_text(state)
    key = ids.key(rg["name"], name)
    if existing is None:
        vm["properties"]["vmId"] = next_guid(state)
        record = {"vm": vm, "iv": {}, "sim": _new_sim(state, vm, when)}
        avset_ref = vm["properties"].get("availabilitySet", {}).get("id")
        if avset_ref:
            avset = availability_sets.require(state, *ids.group_and_name(avset_ref))
            ud, fd = availability_sets.join(state, avset, vm["name"])
            record["sim"]["updateDomain"], record["sim"]["faultDomain"] = ud, fd
        record["iv"] = _initial_instance_view(record, when)
    existing_mode = patch_mode(existing["vm"]) if existing else None  # before the new model replaces it
    nics_changed = existing is None or _nic_ids(existing["vm"]) != _nic_ids(vm)
    if existing is not None:
        if nics_changed:
            from . import network

            for nic_id in set(_nic_ids(existing["vm"])) - set(_nic_ids(vm)):
                network.detach_vm(state, nic_id, existing["vm"]["id"])
        record = existing
        record["vm"] = vm
    if nics_changed:  # its NICs name it, and it shows their addresses (a NIC not there leaves them as they are)
        from . import vm_network

        vm_network.attach(state, record)
    on_configuration_change(state, record, existing_mode=existing_mode)
    refresh_statuses(record, when)
    state.data["vms"][key] = record
    return record


def _nic_ids(vm: dict) -> list[str]:
    return [str(n.get("id", "")).lower() for n in vm["properties"].get("networkProfile", {}).get("networkInterfaces", [])]


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
    agent = (props["osProfile"].get("windowsConfiguration") or props["osProfile"].get("linuxConfiguration") or {}).get(
        "provisionVMAgent", True
    )
    # osName/osVersion are the guest agent's report (its guestOSInfo): none without the agent
    reported: tuple[str, str] | None = None
    if agent and windows:
        reported = images.windows_os(image.get("sku", ""))
    elif agent:
        urn = images.Urn(image.get("publisher", ""), image.get("offer", ""), image.get("sku", ""), "")
        reported = images.linux_os(urn)
    view = VirtualMachineInstanceView(
        computerName=props["osProfile"].get("computerName", vm["name"]),
        osName=reported[0] if reported else None,
        osVersion=reported[1] if reported else None,
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


def update_generic(state, group: str, name: str, sets=(), adds=(), removes=(), force_string: bool = False) -> dict:
    from ..models.compute import VirtualMachine
    from ..models.versions import flatten_az, unflatten_az
    from .generic_update import apply_generic_update

    record = require(state, group, name)
    view = flatten_az(resource(record))
    apply_generic_update(view, VirtualMachine, sets=sets, adds=adds, removes=removes, force_string=force_string)
    if isinstance(view.get("tags"), dict):  # az sends tag values as strings: --set tags.n=3 stores "3"
        import json

        for key, value in view["tags"].items():
            if isinstance(value, (dict, list)):
                raise ValidationError(
                    f"tag '{key}' must have a string value, not {json.dumps(value)}: tags are name=value pairs "
                    "(--set tags.NAME=VALUE)."
                )
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
            raise operation_not_allowed(
                f"Operation 'restart' is not allowed on VM '{record['vm']['name']}' since the VM is "
                "deallocated. Start the VM first."
            )
        sim["power"] = "running"
    elif action == "start":
        sim["power"] = "running"
    elif action == "stop":
        if power == "deallocated":
            raise operation_not_allowed(
                f"Operation 'powerOff' is not allowed on VM '{record['vm']['name']}' since the VM is deallocated."
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
        availability_sets.leave(state, *ids.group_and_name(avset_ref), record["vm"]["name"])
    from . import patching

    patching.on_delete(state, record)
    from . import network

    # its NICs stay and no longer name it (az's default), unless their deleteOption is Delete
    for nic in record["vm"]["properties"].get("networkProfile", {}).get("networkInterfaces", []):
        if nic.get("id"):
            network.detach_vm(state, str(nic["id"]), record["vm"]["id"])
            if str((nic.get("properties") or {}).get("deleteOption") or "").lower() == "delete":
                network.delete_by_id(state, str(nic["id"]))
    del state.data["vms"][ids.key(group, name)]
    # its schedule assignments go with it (a VM made again under the name starts with none)
    state.data.get("configurationAssignments", {}).pop(ids.key(group, name), None)


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
