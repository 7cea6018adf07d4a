"""The network of a new VM, as ``az vm create`` makes it: the VNet and subnet, NSG, public IP and NIC.

azure-cli 2.91 decides on the client (vm/_validators.py ``_validate_vm_vmss_create_vnet``,
``_validate_vm_create_nsg``, ``_validate_vm_vmss_create_public_ip``, ``_validate_vm_create_nics``) which of
them exist and which it makes, names them (custom.py ``create_vm``: ``<vm>VNET``, ``<vm>Subnet``, ``<vm>NSG``,
``<vm>PublicIP``, ``<vm>VMNic``; with ``--count`` the NIC and public IP of each VM end in its copy index, the
VNet and NSG are shared) and shapes them (_template_builder.py ``build_vnet_resource``, ``build_nsg_resource``,
``build_public_ip_resource``, ``build_nic_resource``). Its template deployment then PUTs each; here the same
bodies go through ``network.put``, the operation a deployment's resources use, so a VM made by
``autopatch vm create`` and one made by the real az's deployment have the same resources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import (
    AzureError,
    ValidationError,
    invalid_resource_reference,
    linked_resource_not_found,
    nic_in_use,
)
from . import groups, ids, network
from .state import subscription_id

_RESOURCE_ID = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/[^/]+/[^/]+/[^/]+(/[^/]+/[^/]+)*$",
                          re.IGNORECASE)
NIC_TYPE = "Microsoft.Network/networkInterfaces"


def is_resource_id(text: str) -> bool:
    """azure-mgmt-core's ``is_valid_resource_id``: a whole id, up to the resource's name (and its children's)."""
    return bool(_RESOURCE_ID.match(text))


def _same_location(a: str, b: str) -> bool:
    return a.lower().replace(" ", "") == b.lower().replace(" ", "")


def _subnet_exists(state, group: str, vnet: str | None, subnet: str) -> bool:
    """az's ``check_existence`` of a subnet (by id, or by name in ``vnet`` of ``group``): a GET that answers."""
    if is_resource_id(subnet):
        parts = subnet.strip("/").split("/")
        if len(parts) != 10 or parts[1].lower() != subscription_id(state).lower():
            return False
        group, vnet, subnet = parts[3], parts[7], parts[9]
        if parts[6].lower() != "virtualnetworks" or parts[8].lower() != "subnets":
            return False
    found = network.find(state, group, "virtualNetworks", vnet or "")
    return found is not None and any(str(s.get("name", "")).lower() == subnet.lower()
                                     for s in found["properties"].get("subnets") or [])


def _exists(state, group: str, type_name: str, value: str) -> bool:
    if is_resource_id(value):
        return network.show_by_id(state, value) is not None
    return network.find(state, group, type_name, value) is not None


def _id(state, group: str, type_name: str, value: str) -> str:
    return value if is_resource_id(value) else ids.resource_id(subscription_id(state), group,
                                                                f"{network.NAMESPACE}/{type_name}", value)


@dataclass
class Plan:
    """What az decided on the client: which VNet/subnet, NSG and public IP the VM uses, and whether it makes
    each ('new'), finds it ('existing') or goes without (None)."""

    vnet: str | None
    subnet: str | None
    vnet_type: str | None
    nsg: str | None
    nsg_type: str | None
    public_ip: str | None
    public_ip_type: str | None


def decide(state, group: str, location: str, options: dict[str, Any]) -> Plan | None:
    """az's validators of the network options (None with ``--nics``: existing NICs, nothing made)."""
    if options.get("nics"):
        return None
    vnet, subnet = options.get("vnet_name"), options.get("subnet")
    if vnet and "/" in vnet:
        raise ValidationError("incorrect usage: --subnet ID | --subnet NAME --vnet-name NAME")
    vnet_type = None
    if not vnet and not subnet:  # an existing VNet of the group in the VM's location, with a subnet to use
        for document in network.list_resources(state, group, "virtualNetworks"):
            if not _same_location(document["location"], location):
                continue
            usable = next((s for s in document["properties"].get("subnets") or []
                           if str(s.get("name", "")).lower() != "gatewaysubnet"), None)
            if usable is not None:
                vnet, subnet, vnet_type = document["name"], usable["name"], "existing"
                break
    if vnet_type is None and subnet:
        subnet_is_id = is_resource_id(subnet)
        if subnet_is_id == bool(vnet):
            raise ValidationError("incorrect usage: --subnet ID | --subnet NAME --vnet-name NAME")
        exists = _subnet_exists(state, group, vnet, subnet)
        if subnet_is_id and not exists:
            raise ValidationError(f"Subnet '{subnet}' does not exist.")
        if exists:
            vnet_type = "existing"
    nsg, public_ip = options.get("nsg"), options.get("public_ip_address")
    nsg_type = None if nsg == "" else "existing" if nsg and _exists(state, group, "networkSecurityGroups", nsg) else "new"
    pip_type = None if public_ip == "" else (
        "existing" if public_ip and _exists(state, group, "publicIPAddresses", public_ip) else "new")
    return Plan(vnet, subnet, vnet_type or "new", nsg, nsg_type, public_ip, pip_type)


def template_resources(state, group: str, vm_name: str, plan: Plan | None, count: int | None) -> list[tuple[str, str]]:
    """The network resources az's template holds for this plan, (type, name) in its order."""
    if plan is None:
        return []
    suffixes = [str(i) for i in range(count)] if count else [""]
    made = []
    if plan.vnet_type == "new" and not (plan.vnet and network.find(state, group, "virtualNetworks", plan.vnet)):
        made.append(("Microsoft.Network/virtualNetworks", plan.vnet or f"{vm_name}VNET"))
    if plan.nsg_type == "new":
        made.append(("Microsoft.Network/networkSecurityGroups", plan.nsg or f"{vm_name}NSG"))
    if plan.public_ip_type == "new":
        made += [("Microsoft.Network/publicIPAddresses", f"{plan.public_ip or vm_name + 'PublicIP'}{i}") for i in suffixes]
    made += [(NIC_TYPE, f"{vm_name}VMNic{i}") for i in suffixes]
    return made


def create(state, group: str, vm_name: str, *, location: str, windows: bool, tags: dict | None, zone: str | None,
           count: int | None, options: dict[str, Any], plan: Plan | None = None) -> list[list[dict]]:
    """Make what az's template would hold for ``plan`` (``decide``'s, made here when not given), and return
    the ``networkProfile.networkInterfaces`` of each VM (one list per VM of ``count``)."""
    rg = groups.require(state, group)
    group = rg["name"]
    copies = list(range(count)) if count else [None]
    if options.get("nics"):
        return [_existing_nics(state, group, options["nics"], options)]
    plan = plan or decide(state, group, location, options)
    assert plan is not None
    vnet, subnet, vnet_type = plan.vnet, plan.subnet, plan.vnet_type
    nsg, nsg_type, public_ip, pip_type = plan.nsg, plan.nsg_type, plan.public_ip, plan.public_ip_type
    nic_ids = [_id(state, group, "networkInterfaces", f"{vm_name}VMNic{'' if i is None else i}") for i in copies]
    for value, kind in ((nsg, nsg_type), (public_ip, pip_type)):
        if kind == "new" and value and is_resource_id(value):  # an id names what must exist: the NIC's reference fails
            raise invalid_resource_reference(value, nic_ids[0])
    sku = "Standard" if zone is not None else options.get("public_ip_sku") or "Standard"  # az 2.91's default
    allocation = options.get("public_ip_address_allocation")
    if sku == "Standard" and not allocation:
        allocation = "Static"
    tags = tags or {}
    book = network.AddressBook(state)

    def put(type_name: str, name: str, body: dict) -> dict:
        return network.put(state, group, type_name, name, {"location": location, "tags": tags, **body},
                           addresses=book, copied=False)[0]

    if vnet_type == "new":  # a new subnet: in the named VNet when it exists, else in a new VNet
        subnet = subnet or f"{vm_name}Subnet"
        subnet_prefix = options.get("subnet_address_prefix") or "10.0.0.0/24"
        existing_vnet = network.find(state, group, "virtualNetworks", vnet) if vnet else None
        if existing_vnet is not None:
            kept = {k: existing_vnet[k] for k in ("location", "tags") if k in existing_vnet}
            grown = dict(existing_vnet["properties"])
            grown["subnets"] = [*(grown.get("subnets") or []),
                                {"name": subnet, "properties": {"addressPrefix": subnet_prefix}}]
            try:
                network.put(state, group, "virtualNetworks", existing_vnet["name"], {**kept, "properties": grown})
            except AzureError:
                raise ValidationError(
                    f"Subnet({subnet}) does not exist, but failed to create a new subnet with address prefix "
                    f"{subnet_prefix}. It may be caused by name or address prefix conflict. Please specify an "
                    "appropriate subnet name with --subnet or a valid address prefix value with "
                    "--subnet-address-prefix.") from None
        else:
            vnet = vnet or f"{vm_name}VNET"
            put("virtualNetworks", vnet, {"properties": {
                "addressSpace": {"addressPrefixes": [options.get("vnet_address_prefix") or "10.0.0.0/16"]},
                "subnets": [{"name": subnet, "properties": {"addressPrefix": subnet_prefix}}]}})
    assert subnet is not None
    subnet_id = subnet if is_resource_id(subnet) else (
        f"{ids.resource_id(subscription_id(state), group, 'Microsoft.Network/virtualNetworks', str(vnet))}/subnets/{subnet}")
    if nsg_type == "new":
        nsg = nsg or f"{vm_name}NSG"
        rule = options.get("nsg_rule") or ("RDP" if windows else "SSH")
        nsg_body: dict[str, Any] = {"properties": {}}
        if rule.upper() != "NONE":
            nsg_body["properties"]["securityRules"] = [{
                "name": "rdp" if rule.upper() == "RDP" else "default-allow-ssh",
                "properties": {"protocol": "Tcp", "sourcePortRange": "*",
                               "destinationPortRange": "3389" if rule.upper() == "RDP" else "22",
                               "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "access": "Allow",
                               "priority": 1000, "direction": "Inbound"}}]
        put("networkSecurityGroups", nsg, nsg_body)
    public_names: list[str | None] = [None for _ in copies]
    if pip_type == "new":
        public_ip = public_ip or f"{vm_name}PublicIP"
        public_names = [f"{public_ip}{i}" if i is not None else public_ip for i in copies]
        for name in public_names:
            properties: dict[str, Any] = {"publicIPAllocationMethod": allocation} if allocation else {}
            if options.get("public_ip_address_dns_name"):
                properties["dnsSettings"] = {"domainNameLabel": options["public_ip_address_dns_name"]}
            put("publicIPAddresses", str(name), {"properties": properties, "sku": {"name": sku},
                                                 **({"zones": [zone]} if zone else {})})
    elif pip_type == "existing":
        public_names = [public_ip]
    nsg_id = _id(state, group, "networkSecurityGroups", nsg) if nsg else None
    profiles = []
    for i, public_name in zip(copies, public_names, strict=True):
        suffix = "" if i is None else str(i)
        config: dict[str, Any] = {
            "privateIPAllocationMethod": "Static" if options.get("private_ip_address") else "Dynamic",
            "subnet": {"id": subnet_id},
        }
        if options.get("private_ip_address"):
            config["privateIPAddress"] = options["private_ip_address"]
        if public_name:
            config["publicIPAddress"] = {"id": _id(state, group, "publicIPAddresses", public_name)}
        if options.get("asgs"):
            config["applicationSecurityGroups"] = [{"id": _id(state, group, "applicationSecurityGroups", a)}
                                                   for a in options["asgs"]]
        nic_properties: dict[str, Any] = {"ipConfigurations": [{"name": f"ipconfig{vm_name}{suffix}",
                                                                "properties": config}]}
        if nsg_id:
            nic_properties["networkSecurityGroup"] = {"id": nsg_id}
        if options.get("accelerated_networking") is not None:
            nic_properties["enableAcceleratedNetworking"] = options["accelerated_networking"]
        nic = put("networkInterfaces", f"{vm_name}VMNic{suffix}", {"properties": nic_properties})
        delete_option = _delete_options(options, None)
        profiles.append([{"id": nic["id"], **({"properties": {"deleteOption": delete_option}} if delete_option else {})}])
    return profiles


def _delete_options(options: dict[str, Any], nics: list[str] | None) -> Any:
    """``--nic-delete-option`` as az reads it (_validators.py ``_validate_vm_nic_delete_option``,
    ``validate_delete_options``): one value for every NIC, or ``NIC=VALUE`` pairs for the ``--nics`` named."""
    values = options.get("nic_delete_option")
    if not values:
        return None
    values = [values] if isinstance(values, str) else list(values)
    if len(values) == 1 and "=" not in values[0]:
        return values[0]
    if not nics:
        raise ValidationError(
            "incorrect usage: Cannot specify individual delete option when no nic is specified. Either specify a list "
            "of nics and their delete option like: --nics nic1 nic2 --nic-delete-option nic1=Delete nic2=Detach or "
            "specify delete option for all: --nics nic1 nic2 --nic-delete-option Delete or specify delete option for "
            "the new nic created: --nic-delete-option Delete")
    pairs = {}
    for value in values:
        name, sep, option = value.partition("=")
        if not sep:
            raise ValidationError("Invalid value for delete option. Use a singular value to apply on all resources, or "
                                  "use <Name>=<Value> to configure the delete behavior for individual resources.")
        pairs[name] = option
    return pairs


def _existing_nics(state, group: str, nics: list[str], options: dict[str, Any]) -> list[dict]:
    """``--nics``: the NICs named (the first primary); az makes nothing, and refuses the options that would."""
    if any(options.get(k) for k in ("nsg", "public_ip_address", "subnet", "vnet_name", "asgs")):
        raise ValidationError("When specifying an existing NIC, do not specify NSG, public IP, ASGs, VNet or subnet.")
    references: list[dict[str, Any]] = []
    delete_options = _delete_options(options, nics)
    for index, value in enumerate(nics):
        nic_id = value if "/" in value else ids.resource_id(subscription_id(state), group, NIC_TYPE, value)
        delete_option = delete_options.get(value) if isinstance(delete_options, dict) else delete_options
        references.append({"id": nic_id, "properties": {"primary": index == 0,
                                                        **({"deleteOption": delete_option} if delete_option else {})}})
    for reference in references:  # the VM's PUT names them: Compute refuses one that is not there
        found = network.show_by_id(state, reference["id"])
        if found is None or not found["type"].lower() == NIC_TYPE.lower():
            raise linked_resource_not_found(reference["id"])
    return references


def check_nics_free(state, vm: dict) -> None:
    """Compute's check of a VM's PUT: a NIC it names that exists may not belong to another VM."""
    for reference in vm["properties"].get("networkProfile", {}).get("networkInterfaces", []):
        nic = network.find_by_id(state, str(reference.get("id") or "")) if reference.get("id") else None
        holder = str(((nic or {}).get("properties") or {}).get("virtualMachine", {}).get("id") or "")
        if holder and holder.lower() != vm["id"].lower():
            raise nic_in_use(nic["id"], holder)  # type: ignore[index]


def attach(state, record: dict) -> None:
    """The VM's NICs name it, and its record shows their addresses (what ``vm create`` and ``vm show -d`` print)."""
    vm = record["vm"]
    nic_ids = [str(n["id"]) for n in vm["properties"].get("networkProfile", {}).get("networkInterfaces", [])
               if n.get("id")]
    for nic_id in nic_ids:
        network.attach_vm(state, nic_id, vm["id"])
    record["sim"].update(network.addresses_of(state, nic_ids))


def release_outside(state, record: dict, group: str) -> None:
    """A VM deleted with its group lets go of its NICs in other groups as its own deletion would: each is
    deleted when its ``deleteOption`` is Delete, else left without ``virtualMachine`` (free for another VM)."""
    vm = record["vm"]
    for reference in vm["properties"].get("networkProfile", {}).get("networkInterfaces", []):
        nic_id = str(reference.get("id") or "")
        parts = nic_id.strip("/").split("/")
        if len(parts) < 4 or parts[3].lower() == group.lower():
            continue  # the group's own NICs go with it
        network.detach_vm(state, nic_id, vm["id"])
        if str((reference.get("properties") or {}).get("deleteOption") or "").lower() == "delete":
            network.delete_by_id(state, nic_id)
