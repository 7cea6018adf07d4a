"""Network resources (Microsoft.Network): the VNet, NSG, public IP and NIC that ``az vm create`` deploys.

autopatch emulates no networking: these are resources with their ids and the properties Azure fills in
(addresses, MAC, provisioning state, child ids), kept so that az can check for them, deploy them, read them
back for its output (``publicIpAddress``, ``privateIpAddress``, ``macAddress``) and delete them with their
group. They live in the store's ``networkResources`` section, keyed ``group/type/name`` (lower case, as
Azure names are case-insensitive).
"""

from __future__ import annotations

import copy

from ..errors import (
    invalid_request_content,
    invalid_resource_type,
    resource_group_not_found,
    resource_not_found,
)
from . import groups, ids
from .state import next_guid, subscription_id

SECTION = "networkResources"
NAMESPACE = "Microsoft.Network"
# The types autopatch keeps, by their lower-case name (as ARM matches them) -> Azure's spelling.
TYPES = {
    "virtualnetworks": "virtualNetworks",
    "networksecuritygroups": "networkSecurityGroups",
    "publicipaddresses": "publicIPAddresses",
    "networkinterfaces": "networkInterfaces",
}


def canonical_type(type_name: str) -> str:
    found = TYPES.get(type_name.lower())
    if found is None:
        raise invalid_resource_type(
            f"The resource type '{type_name}' could not be found in the namespace '{NAMESPACE}' for api version "
            "emulated by autopatch (it keeps virtualNetworks, networkSecurityGroups, publicIPAddresses and "
            "networkInterfaces).")
    return found


def _key(group: str, type_name: str, name: str) -> str:
    return f"{group.lower()}/{type_name.lower()}/{name.lower()}"


def find(state, group: str, type_name: str, name: str) -> dict | None:
    return state.section(SECTION, {}).get(_key(group, canonical_type(type_name), name))


def require(state, group: str, type_name: str, name: str) -> dict:
    canonical = canonical_type(type_name)
    groups.require(state, group)
    found = find(state, group, canonical, name)
    if found is None:
        raise resource_not_found(f"{NAMESPACE}/{canonical}", name, group)
    return found


def list_resources(state, group: str | None, type_name: str) -> list[dict]:
    canonical = canonical_type(type_name)
    if group is not None and not groups.exists(state, group):
        raise resource_group_not_found(group)
    prefix = f"{group.lower()}/" if group else ""
    suffix_type = f"/{canonical.lower()}/"
    return [copy.deepcopy(doc) for key, doc in state.section(SECTION, {}).items()
            if key.startswith(prefix) and suffix_type in key]


def resources_in_group(state, group: str) -> list[dict]:
    prefix = f"{group.lower()}/"
    return [copy.deepcopy(doc) for key, doc in state.section(SECTION, {}).items() if key.startswith(prefix)]


def put(state, group: str, type_name: str, name: str, body: dict) -> tuple[dict, bool]:
    """Create or replace a network resource from its ARM body; returns the stored document and whether it is new."""
    canonical = canonical_type(type_name)
    rg = groups.require(state, group)
    if not isinstance(body, dict):
        raise invalid_request_content("The request content was invalid: the resource must be a JSON object.")
    existing = find(state, group, canonical, name)
    location = body.get("location") or (existing or {}).get("location") or rg["location"]
    location = groups.resolve_location(str(location), f"{NAMESPACE}/{canonical}")
    resource_id = ids.resource_id(subscription_id(state), rg["name"], f"{NAMESPACE}/{canonical}",
                                  existing["name"] if existing else name)
    properties = copy.deepcopy(body.get("properties") or {})
    if not isinstance(properties, dict):
        raise invalid_request_content("The request content was invalid: 'properties' must be an object.")
    document = {
        "id": resource_id,
        "name": existing["name"] if existing else name,
        "type": f"{NAMESPACE}/{canonical}",
        "location": location,
        "properties": properties,
    }
    for key in ("tags", "sku", "zones"):
        if body.get(key) is not None:
            document[key] = copy.deepcopy(body[key])
    guid = existing["properties"].get("resourceGuid") if existing else None
    properties["provisioningState"] = "Succeeded"
    properties["resourceGuid"] = guid or next_guid(state)
    _FILL[canonical](state, document, existing)
    document["etag"] = f'W/"{next_guid(state)}"'
    state.data.setdefault(SECTION, {})[_key(group, canonical, name)] = document
    return copy.deepcopy(document), existing is None


def delete(state, group: str, type_name: str, name: str) -> bool:
    canonical = canonical_type(type_name)
    groups.require(state, group)
    return state.data.get(SECTION, {}).pop(_key(group, canonical, name), None) is not None


def delete_group(state, group: str) -> None:
    """Everything of a group, as its deletion removes it."""
    prefix = f"{group.lower()}/"
    resources = state.data.get(SECTION, {})
    for key in [k for k in resources if k.startswith(prefix)]:
        del resources[key]


def attach_vm(state, nic_id: str, vm_id: str) -> None:
    """A NIC names the VM it belongs to once the VM is created with it (``virtualMachine.id``)."""
    nic = _by_id(state, nic_id)
    if nic is not None:
        nic["properties"]["virtualMachine"] = {"id": vm_id}


def _by_id(state, resource_id: str) -> dict | None:
    parts = resource_id.strip("/").split("/")
    if len(parts) != 8 or parts[5].lower() != NAMESPACE.lower() or parts[6].lower() not in TYPES:
        return None
    return state.data.get(SECTION, {}).get(_key(parts[3], TYPES[parts[6].lower()], parts[7]))


def show_by_id(state, resource_id: str) -> dict | None:
    found = _by_id(state, resource_id)
    return copy.deepcopy(found) if found is not None else None


# ---- what Azure fills in, per type ---------------------------------------------------------------------


def _child_ids(document: dict, collection: str, child_type: str) -> None:
    for child in document["properties"].get(collection) or []:
        if isinstance(child, dict) and child.get("name"):
            child["id"] = f"{document['id']}/{child_type}/{child['name']}"
            child.setdefault("properties", {})["provisioningState"] = "Succeeded"
            child.setdefault("type", f"{document['type']}/{child_type}")


def _fill_vnet(state, document: dict, existing: dict | None) -> None:
    _child_ids(document, "subnets", "subnets")


def _fill_nsg(state, document: dict, existing: dict | None) -> None:
    _child_ids(document, "securityRules", "securityRules")


def _address_octets(state, salt: str) -> tuple[int, int]:
    from .state import seeded_random

    draw = seeded_random(state, salt)
    return draw.randrange(1, 255), draw.randrange(1, 255)


def _fill_public_ip(state, document: dict, existing: dict | None) -> None:
    properties = document["properties"]
    properties.setdefault("publicIPAddressVersion", "IPv4")
    properties.setdefault("publicIPAllocationMethod", "Static" if (document.get("sku") or {}).get("name") == "Standard" else "Dynamic")
    properties.setdefault("idleTimeoutInMinutes", 4)
    previous = (existing or {}).get("properties", {}).get("ipAddress")
    if previous:
        properties["ipAddress"] = previous
    else:
        a, b = _address_octets(state, "public-ip")
        properties["ipAddress"] = f"20.{a % 128 + 1}.{b}.{(a * 7 + b) % 250 + 2}"
    dns = properties.get("dnsSettings")
    if isinstance(dns, dict) and dns.get("domainNameLabel"):
        dns["fqdn"] = f"{dns['domainNameLabel']}.{document['location']}.cloudapp.azure.com"


def _fill_nic(state, document: dict, existing: dict | None) -> None:
    properties = document["properties"]
    old_configs = {c.get("name"): c for c in ((existing or {}).get("properties", {}).get("ipConfigurations") or [])}
    taken = {
        c.get("properties", {}).get("privateIPAddress")
        for doc in state.section(SECTION, {}).values() if doc["type"].endswith("/networkInterfaces") and doc["id"] != document["id"]
        for c in doc["properties"].get("ipConfigurations") or []
    }
    for index, config in enumerate(properties.get("ipConfigurations") or []):
        if not isinstance(config, dict):
            continue
        config.setdefault("name", f"ipconfig{index + 1}")
        config["id"] = f"{document['id']}/ipConfigurations/{config['name']}"
        config.setdefault("type", f"{document['type']}/ipConfigurations")
        inner = config.setdefault("properties", {})
        inner["provisioningState"] = "Succeeded"
        inner.setdefault("privateIPAllocationMethod", "Dynamic")
        inner.setdefault("privateIPAddressVersion", "IPv4")
        inner.setdefault("primary", index == 0)
        previous = old_configs.get(config["name"], {}).get("properties", {}).get("privateIPAddress")
        if not inner.get("privateIPAddress"):
            host = 4
            while previous is None and f"10.0.0.{host}" in taken:
                host += 1
            inner["privateIPAddress"] = previous or f"10.0.0.{host}"
            taken.add(inner["privateIPAddress"])
    old_properties = (existing or {}).get("properties", {})
    if old_properties.get("macAddress"):
        properties["macAddress"] = old_properties["macAddress"]
    else:
        a, b = _address_octets(state, "mac")
        properties["macAddress"] = f"00-0D-3A-{a:02X}-{b:02X}-{(a ^ b):02X}"
    if old_properties.get("virtualMachine") and "virtualMachine" not in properties:
        properties["virtualMachine"] = old_properties["virtualMachine"]
    properties.setdefault("enableAcceleratedNetworking", False)
    properties.setdefault("enableIPForwarding", False)
    properties.setdefault("primary", True)


_FILL = {
    "virtualNetworks": _fill_vnet,
    "networkSecurityGroups": _fill_nsg,
    "publicIPAddresses": _fill_public_ip,
    "networkInterfaces": _fill_nic,
}
