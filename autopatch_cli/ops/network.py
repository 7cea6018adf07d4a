"""Network resources (Microsoft.Network): the VNet, NSG, public IP and NIC that ``az vm create`` deploys.

autopatch emulates no networking: these are resources with their ids and the properties Azure fills in
(addresses, MAC, provisioning state, child ids), kept so that az can check for them, deploy them, read them
back for its output (``publicIpAddress``, ``privateIpAddress``, ``macAddress``) and delete them with their
group. They live in the store's ``networkResources`` section, keyed ``group/type/name`` (lower case, as
Azure names are case-insensitive).
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Iterator
from typing import Any

from .. import store
from ..errors import (
    dns_record_in_use,
    invalid_address_prefix_format,
    invalid_cidr_notation,
    invalid_domain_name_label,
    invalid_request_content,
    invalid_resource_reference,
    invalid_resource_type,
    invalid_subnet,
    nic_in_use_delete,
    nsg_in_use,
    private_ip_in_use,
    private_ip_not_in_subnet,
    public_ip_cannot_be_deleted,
    public_ip_in_use,
    resource_group_not_found,
    resource_not_found,
    subnet_in_use,
    subnet_is_full,
    subnet_range_outside_vnet,
    subnet_ranges_overlap,
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


def _read(resources, key: str) -> dict:
    """A resource to read, not change: the store's keyed section hands it out without a copy (``peek``)."""
    peek = getattr(resources, "peek", None)
    return peek(key) if peek is not None else resources[key]


def _of_type(state, group: str | None, canonical: str):
    """The (key, document) of the resources of a type (in a group), decoding only those: a key is
    ``group/type/name``, and neither a group's name nor a resource's holds a '/'."""
    resources = state.section(SECTION, {})
    prefix = f"{group.lower()}/" if group else ""
    segment = f"/{canonical.lower()}/"  # the middle of the three: neither a group's name nor a resource's holds a '/'
    keys = [key for key in resources if segment in key and key.startswith(prefix)]
    peek_many = getattr(resources, "peek_many", None)
    yield from zip(keys, peek_many(keys) if peek_many is not None else [resources[key] for key in keys], strict=True)


def list_resources(state, group: str | None, type_name: str) -> list[dict]:
    canonical = canonical_type(type_name)
    if group is not None and not groups.exists(state, group):
        raise resource_group_not_found(group)
    return [copy.deepcopy(doc) for _, doc in _of_type(state, group, canonical)]


def resources_in_group(state, group: str) -> list[dict]:
    prefix = f"{group.lower()}/"
    resources = state.section(SECTION, {})
    return [copy.deepcopy(_read(resources, key)) for key in list(resources) if key.startswith(prefix)]


def put(state, group: str, type_name: str, name: str, body: dict,
        addresses: AddressBook | None = None, copied: bool = True) -> tuple[dict, bool]:
    """Create or replace a network resource from its ARM body; returns the stored document (a copy unless
    ``copied`` is false: then the caller must not change it) and whether it is new. ``addresses``: the private
    addresses already taken, for a caller that puts many NICs (one scan of the NICs for all of them); without
    it a NIC's put scans them itself."""
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
    if canonical == "networkInterfaces":
        _fill_nic(state, document, existing, addresses if addresses is not None else AddressBook(state))
    else:
        _FILL[canonical](state, document, existing)
    document["etag"] = f'W/"{next_guid(state)}"'
    state.data.setdefault(SECTION, {})[_key(group, canonical, name)] = document
    return (copy.deepcopy(document) if copied else document), existing is None


def delete(state, group: str, type_name: str, name: str) -> bool:
    canonical = canonical_type(type_name)
    groups.require(state, group)
    found = find(state, group, canonical, name)
    if found is None:
        return False
    check_deletable(state, found)
    if canonical == "networkInterfaces":
        release_public_ips(state, found)
    return state.data.get(SECTION, {}).pop(_key(group, canonical, name), None) is not None


def _ip_configs(document: dict):
    """A NIC's ipConfigurations (the dicts), as stored."""
    for config in document["properties"].get("ipConfigurations") or []:
        if isinstance(config, dict):
            yield config


def _ref_id(reference: object) -> str:
    return str(reference.get("id") or "") if isinstance(reference, dict) else ""


def check_deletable(state, document: dict) -> None:
    """The Network provider's refusal to delete what another resource still uses (400): a NIC a VM holds
    (NicInUse), a public IP a NIC's ipConfiguration holds, an NSG a NIC or subnet names, a VNet whose subnet
    holds a NIC's ipConfiguration. A group's deletion does not ask (it removes the users first)."""
    kind = document["type"].split("/", 1)[1].lower()
    resource_id = document["id"].lower()
    if kind == "networkinterfaces":
        holder = _ref_id(document["properties"].get("virtualMachine"))
        if holder:
            raise nic_in_use_delete(document["id"], holder)
        return
    nics = [d for d in state.section(SECTION, {}).values() if d["type"].lower().endswith("/networkinterfaces")]
    if kind == "publicipaddresses":
        for nic in nics:
            for config in _ip_configs(nic):
                if _ref_id((config.get("properties") or {}).get("publicIPAddress")).lower() == resource_id:
                    raise public_ip_cannot_be_deleted(document["id"], str(config.get("id")))
    elif kind == "networksecuritygroups":
        users = [nic["id"] for nic in nics
                 if _ref_id(nic["properties"].get("networkSecurityGroup")).lower() == resource_id]
        for vnet in state.section(SECTION, {}).values():
            if vnet["type"].lower().endswith("/virtualnetworks"):
                users += [str(subnet.get("id")) for subnet in vnet["properties"].get("subnets") or []
                          if isinstance(subnet, dict)
                          and _ref_id((subnet.get("properties") or {}).get("networkSecurityGroup")).lower() == resource_id]
        if users:
            raise nsg_in_use(document["id"], users)
    elif kind == "virtualnetworks":
        prefix = f"{resource_id}/subnets/"
        for nic in nics:
            for config in _ip_configs(nic):
                subnet_id = _ref_id((config.get("properties") or {}).get("subnet"))
                if subnet_id.lower().startswith(prefix):
                    raise subnet_in_use(subnet_id.rsplit("/", 1)[1], str(config.get("id")))


def release_outside(state, group: str) -> None:
    """A group's NICs, deleted with it, let go of the public IPs of other groups they hold (the IPs no longer
    show ``ipConfiguration``)."""
    prefix = f"{group.lower()}/"
    for key, document in state.section(SECTION, {}).items():
        if key.startswith(prefix) and document["type"].lower().endswith("/networkinterfaces"):
            release_public_ips(state, document)


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


def detach_vm(state, nic_id: str, vm_id: str) -> None:
    """A VM's deletion leaves its NIC (unless told to delete it) without ``virtualMachine``, as Azure does."""
    nic = _by_id(state, nic_id)
    if nic is not None and str((nic["properties"].get("virtualMachine") or {}).get("id", "")).lower() == vm_id.lower():
        del nic["properties"]["virtualMachine"]


def delete_by_id(state, resource_id: str) -> bool:
    parts = resource_id.strip("/").split("/")
    found = _by_id(state, resource_id)
    if found is None:
        return False
    check_deletable(state, found)
    if found["type"].lower().endswith("/networkinterfaces"):
        release_public_ips(state, found)
    return state.data.get(SECTION, {}).pop(_key(parts[3], TYPES[parts[6].lower()], parts[7]), None) is not None


def addresses_of(state, nic_ids: list[str]) -> dict[str, str]:
    """What a VM's network shows (``az vm show -d``, ``az vm create``): its primary NIC's MAC and private address,
    the public IP bound to it and its FQDN ('' where there is none); {} when the NIC is not there."""
    nic = _by_id(state, nic_ids[0]) if nic_ids else None
    if nic is None:
        return {}
    configs = nic["properties"].get("ipConfigurations") or []
    primary = next((c for c in configs if (c.get("properties") or {}).get("primary")), configs[0] if configs else {})
    inner = primary.get("properties") or {}
    public = _by_id(state, str((inner.get("publicIPAddress") or {}).get("id") or "")) if inner.get("publicIPAddress") else None
    public_properties = (public or {}).get("properties") or {}
    return {
        "macAddress": str(nic["properties"].get("macAddress") or ""),
        "privateIpAddress": str(inner.get("privateIPAddress") or ""),
        "publicIpAddress": str(public_properties.get("ipAddress") or ""),
        "fqdns": str((public_properties.get("dnsSettings") or {}).get("fqdn") or ""),
    }


def _by_id(state, resource_id: str) -> dict | None:
    parts = resource_id.strip("/").split("/")
    if len(parts) != 8 or parts[5].lower() != NAMESPACE.lower() or parts[6].lower() not in TYPES:
        return None
    return state.data.get(SECTION, {}).get(_key(parts[3], TYPES[parts[6].lower()], parts[7]))


def find_by_id(state, resource_id: str) -> dict | None:
    """The stored document of an id, to read and not to change (no copy), or None."""
    return _by_id(state, resource_id)


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


def _network(prefix: object, resource_id: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """An address prefix as the Network provider reads it: CIDR notation, no host bits set."""
    text = prefix if isinstance(prefix, str) else str(prefix)
    if "/" not in text:
        raise invalid_address_prefix_format(text, resource_id)
    try:
        loose = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise invalid_address_prefix_format(text, resource_id) from None
    if str(loose) != text and ipaddress.ip_interface(text).ip != loose.network_address:
        raise invalid_cidr_notation(text, resource_id, str(loose))
    return loose


def subnet_prefix(subnet: dict) -> str | None:
    """A subnet's address prefix (``addressPrefix``, or the first of ``addressPrefixes``)."""
    properties = subnet.get("properties") or {}
    prefix = properties.get("addressPrefix")
    if prefix is None and isinstance(properties.get("addressPrefixes"), list) and properties["addressPrefixes"]:
        prefix = properties["addressPrefixes"][0]
    return prefix


def _fill_vnet(state, document: dict, existing: dict | None) -> None:
    """A VNet's prefixes are CIDR, its subnets lie inside its address space and do not overlap (the Network
    provider's checks of a PUT)."""
    properties = document["properties"]
    space = [_network(p, document["id"]) for p in ((properties.get("addressSpace") or {}).get("addressPrefixes") or [])]
    seen: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for subnet in properties.get("subnets") or []:
        if not isinstance(subnet, dict) or not subnet.get("name"):
            continue
        prefix = subnet_prefix(subnet)
        if prefix is None:
            continue
        net = _network(prefix, f"{document['id']}/subnets/{subnet['name']}")
        _check_subnet_size(net, subnet["name"], document["name"])
        if space and not any(net.version == s.version and net.subnet_of(s) for s in space):  # type: ignore[arg-type]
            raise subnet_range_outside_vnet(subnet["name"], document["name"])
        if any(net.version == other.version and net.overlaps(other) for other in seen):
            raise subnet_ranges_overlap(subnet["name"], document["name"])
        seen.append(net)
    _child_ids(document, "subnets", "subnets")


SMALLEST_IPV4_SUBNET = 29  # Azure keeps five addresses of each subnet: /29 is the smallest it makes


def _check_subnet_size(net, subnet: str, vnet: str) -> None:
    """An IPv4 subnet of /30, /31 or /32 is refused (400 NetcfgInvalidSubnet)."""
    if net.version == 4 and net.prefixlen > SMALLEST_IPV4_SUBNET:
        raise invalid_subnet(subnet, vnet)


def _fill_nsg(state, document: dict, existing: dict | None) -> None:
    _child_ids(document, "securityRules", "securityRules")


def _next_counter(state, name: str) -> int:
    meta = state.data["meta"]
    value = meta.get(name, 0)
    meta[name] = value + 1
    return value


def _fill_public_ip(state, document: dict, existing: dict | None) -> None:
    properties = document["properties"]
    properties.setdefault("publicIPAddressVersion", "IPv4")
    properties.setdefault("publicIPAllocationMethod", "Static" if (document.get("sku") or {}).get("name") == "Standard" else "Dynamic")
    properties.setdefault("idleTimeoutInMinutes", 4)
    previous = (existing or {}).get("properties", {})
    if previous.get("ipAddress"):
        properties["ipAddress"] = previous["ipAddress"]
    else:  # one address per public IP, none given twice (20.64.0.1 on)
        n = _next_counter(state, "publicIpCounter")
        properties["ipAddress"] = f"20.{64 + n // 65024 % 64}.{n // 254 % 256}.{n % 254 + 1}"
    if previous.get("ipConfiguration") and "ipConfiguration" not in properties:
        properties["ipConfiguration"] = previous["ipConfiguration"]
    dns = properties.get("dnsSettings")
    if isinstance(dns, dict) and dns.get("domainNameLabel"):
        _check_dns_label(state, document, dns["domainNameLabel"])
        dns["fqdn"] = f"{dns['domainNameLabel']}.{document['location']}.cloudapp.azure.com"


_DNS_LABEL = re.compile(r"[a-z][a-z0-9-]{1,61}[a-z0-9]")


def _check_dns_label(state, document: dict, label: object) -> None:
    """The Network provider's checks of a public IP's DNS label: its rule (400 InvalidDomainNameLabel), and one
    public IP per label in a region (400 DnsRecordInUse)."""
    if not isinstance(label, str) or not _DNS_LABEL.fullmatch(label):
        raise invalid_domain_name_label(str(label))
    fqdn = f"{label}.{document['location']}.cloudapp.azure.com"
    for other in state.section(SECTION, {}).values():
        if other["type"].lower().endswith("/publicipaddresses") and other["id"].lower() != document["id"].lower():
            taken = ((other.get("properties") or {}).get("dnsSettings") or {}).get("fqdn")
            if isinstance(taken, str) and taken.lower() == fqdn.lower():
                raise dns_record_in_use(fqdn)


# ---- NICs: their subnet's addresses --------------------------------------------------------------------


class AddressBook:
    """The private addresses NICs hold, by subnet id (lower case; '' for a NIC with no subnet): read from
    the NICs once, then kept up to date as NICs are put, so that many NICs cost one scan."""

    def __init__(self, state):
        self.taken: dict[str, dict[str, str]] = {}  # subnet -> address -> the ipConfiguration holding it
        self._next: dict[str, int] = {}  # where the last search stopped, per subnet
        resources = state.section(SECTION, {})
        summaries = getattr(resources, "summaries", None)
        keys = [key for key in resources if "/networkinterfaces/" in key]
        digests = summaries(keys) if summaries is not None else [None] * len(keys)
        read = [key for key, digest in zip(keys, digests, strict=True) if digest is None]
        peek_many = getattr(resources, "peek_many", None)
        documents = iter(peek_many(read) if peek_many is not None else [resources[key] for key in read])
        for digest in digests:  # the store's digests of the NICs it has not handed out (address_summary)
            for subnet, address, holder in digest if digest is not None else self._configs(next(documents)):
                self.taken.setdefault(subnet, {})[address] = holder

    @staticmethod
    def _configs(document: dict) -> Iterator[tuple[str, str, str]]:
        for config in document["properties"].get("ipConfigurations") or []:
            if isinstance(config, dict):
                inner = config.get("properties") or {}
                address = inner.get("privateIPAddress")
                if address:
                    yield str((inner.get("subnet") or {}).get("id") or "").lower(), str(address), str(config.get("id"))

    def add(self, document: dict) -> None:
        for subnet, address, holder in self._configs(document):
            self.taken.setdefault(subnet, {})[address] = holder

    def remove(self, document: dict) -> None:
        for subnet, address, holder in self._configs(document):
            if self.taken.get(subnet, {}).get(address) == holder:
                del self.taken[subnet][address]

    def allocate(self, subnet_key: str, net, subnet_name: str, prefix: str) -> str:
        """The first free address of the subnet (Azure keeps the first four and the last), from where the
        previous search stopped."""
        taken = self.taken.setdefault(subnet_key, {})
        first, last = int(net.network_address) + 4, int(net.broadcast_address) - 1
        if last < first:
            raise subnet_is_full(subnet_name, prefix)
        start = min(max(self._next.get(subnet_key, first), first), last)
        size = last - first + 1
        text = _ipv4_text if net.version == 4 else lambda n: str(ipaddress.ip_address(n))
        for step in range(size):
            candidate = first + (start - first + step) % size
            address = text(candidate)
            if address not in taken:
                self._next[subnet_key] = candidate + 1
                return address
        raise subnet_is_full(subnet_name, prefix)


def address_summary(key: str, document: Any) -> list[list[str]] | None:
    """What the store keeps of a NIC beside its place (store.SUMMARIES): AddressBook's (subnet, address, holder)
    of each of its configurations, so that a command that puts NICs reads these, not 10,000 NICs."""
    if key.split("/", 2)[1:2] != ["networkinterfaces"]:
        return None
    try:
        return [[subnet, address, holder] for subnet, address, holder in AddressBook._configs(document)]
    except (AttributeError, KeyError, TypeError):  # not shaped as put() makes a NIC: AddressBook reads it itself
        return None


store.SUMMARIES[SECTION] = address_summary


def _ipv4_text(n: int) -> str:
    """str(ipaddress.IPv4Address(n)), without building the object (a search may pass 10,000 taken addresses)."""
    return f"{n >> 24}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def _subnet_of(state, subnet_id: str, nic_id: str) -> tuple[dict, dict]:
    """(VNet, subnet) of a subnet id, or ARM's error for the NIC that names a missing one."""
    parts = subnet_id.strip("/").split("/")
    if (len(parts) == 10 and parts[0].lower() == "subscriptions" and parts[1].lower() == subscription_id(state).lower()
            and parts[5].lower() == NAMESPACE.lower() and parts[6].lower() == "virtualnetworks"
            and parts[8].lower() == "subnets"):
        vnet = state.section(SECTION, {}).get(_key(parts[3], "virtualNetworks", parts[7]))
        if vnet is not None:
            for subnet in vnet["properties"].get("subnets") or []:
                if isinstance(subnet, dict) and str(subnet.get("name", "")).lower() == parts[9].lower():
                    return vnet, subnet
    raise invalid_resource_reference(subnet_id, nic_id)


def _check_reference(state, reference: object, nic_id: str, type_name: str) -> None:
    if isinstance(reference, dict) and reference.get("id"):
        found = _by_id(state, str(reference["id"]))
        if found is None or not found["type"].endswith(f"/{type_name}"):
            raise invalid_resource_reference(str(reference["id"]), nic_id)


def _holds(state, config_id: str, ip_id: str) -> bool:
    """Whether the ipConfiguration ``config_id`` (of a NIC that is there) names the public IP ``ip_id``."""
    nic = _by_id(state, config_id.split("/ipConfigurations/", 1)[0]) if "/ipConfigurations/" in config_id else None
    return nic is not None and any(
        str(config.get("id", "")).lower() == config_id.lower()
        and _ref_id((config.get("properties") or {}).get("publicIPAddress")).lower() == ip_id.lower()
        for config in _ip_configs(nic))


def _check_public_ip_free(state, reference: object, config_id: str, earlier: list[dict]) -> None:
    """The Network provider binds a public IP to one ipConfiguration: another naming it gets 400
    PublicIPAddressInUse (one of the same NIC's earlier configurations included)."""
    ip_id = _ref_id(reference)
    if not ip_id:
        return
    for other in earlier:
        if _ref_id((other.get("properties") or {}).get("publicIPAddress")).lower() == ip_id.lower():
            raise public_ip_in_use(config_id, ip_id, str(other["id"]))
    found = _by_id(state, ip_id)
    holder = _ref_id(((found or {}).get("properties") or {}).get("ipConfiguration"))
    same_nic = holder.lower().split("/ipconfigurations/", 1)[0] == config_id.lower().split("/ipconfigurations/", 1)[0]
    if holder and not same_nic and _holds(state, holder, ip_id):  # the same NIC's new configurations: ``earlier``
        raise public_ip_in_use(config_id, found["id"], holder)  # type: ignore[index]


def release_public_ips(state, nic: dict, keep: dict | None = None) -> None:
    """A NIC deleted, or put again without a public IP one of its configurations had, lets go of it: the public
    IP no longer shows ``ipConfiguration`` (``keep``: the NIC's new document, whose bindings stay)."""
    kept = {(str(c.get("id", "")).lower(), _ref_id((c.get("properties") or {}).get("publicIPAddress")).lower())
            for c in _ip_configs(keep)} if keep is not None else set()
    for config in _ip_configs(nic):
        ip_id = _ref_id((config.get("properties") or {}).get("publicIPAddress"))
        if not ip_id or (str(config.get("id", "")).lower(), ip_id.lower()) in kept:
            continue
        found = _by_id(state, ip_id)
        properties = (found or {}).get("properties") or {}
        if _ref_id(properties.get("ipConfiguration")).lower() == str(config.get("id", "")).lower():
            del properties["ipConfiguration"]


def _check_no_asgs(references: object, nic_id: str) -> None:
    """autopatch keeps no application security groups: a NIC naming one names what is not there, and the
    Network provider refuses such a reference (400 InvalidResourceReference)."""
    for reference in references if isinstance(references, list) else []:
        if isinstance(reference, dict) and reference.get("id"):
            raise invalid_resource_reference(str(reference["id"]), nic_id)


def _fill_nic(state, document: dict, existing: dict | None, book: AddressBook) -> None:
    properties = document["properties"]
    old_configs = {c.get("name"): c for c in ((existing or {}).get("properties", {}).get("ipConfigurations") or [])}
    if existing is not None:
        book.remove(existing)
    _check_reference(state, properties.get("networkSecurityGroup"), document["id"], "networkSecurityGroups")
    configs = [c for c in properties.get("ipConfigurations") or [] if isinstance(c, dict)]
    for index, config in enumerate(configs):
        config.setdefault("name", f"ipconfig{index + 1}")
        config["id"] = f"{document['id']}/ipConfigurations/{config['name']}"
        config.setdefault("type", f"{document['type']}/ipConfigurations")
        inner = config.setdefault("properties", {})
        inner["provisioningState"] = "Succeeded"
        inner.setdefault("privateIPAllocationMethod", "Dynamic")
        inner.setdefault("privateIPAddressVersion", "IPv4")
        inner.setdefault("primary", index == 0)
        _check_reference(state, inner.get("publicIPAddress"), document["id"], "publicIPAddresses")
        _check_public_ip_free(state, inner.get("publicIPAddress"), config["id"], configs[:index])
        _check_no_asgs(inner.get("applicationSecurityGroups"), document["id"])
        subnet_id = str((inner.get("subnet") or {}).get("id") or "")
        previous = old_configs.get(config["name"], {}).get("properties", {})
        same_subnet = str((previous.get("subnet") or {}).get("id") or "").lower() == subnet_id.lower()
        if subnet_id:
            _, subnet = _subnet_of(state, subnet_id, document["id"])
            prefix = str(subnet_prefix(subnet) or "")
            net = _network(prefix, subnet_id)
            taken = book.taken.setdefault(subnet_id.lower(), {})
            wanted = inner.get("privateIPAddress")
            if wanted:
                try:
                    inside = ipaddress.ip_address(str(wanted)) in net
                except ValueError:
                    inside = False
                if not inside:
                    raise private_ip_not_in_subnet(str(wanted), prefix)
                if str(wanted) in taken and taken[str(wanted)] != config["id"]:
                    raise private_ip_in_use(config["id"], str(wanted), taken[str(wanted)])
            elif previous.get("privateIPAddress") and same_subnet and previous["privateIPAddress"] not in taken:
                inner["privateIPAddress"] = previous["privateIPAddress"]
            else:
                inner["privateIPAddress"] = book.allocate(subnet_id.lower(), net, subnet["name"], prefix)
            taken[inner["privateIPAddress"]] = config["id"]
        elif not inner.get("privateIPAddress"):  # no subnet named: an address of 10.0.0.0/24 all the same
            taken = book.taken.setdefault("", {})
            host = 4
            while previous.get("privateIPAddress") is None and f"10.0.0.{host}" in taken:
                host += 1
            inner["privateIPAddress"] = previous.get("privateIPAddress") or f"10.0.0.{host}"
            taken[inner["privateIPAddress"]] = config["id"]
    if existing is not None:
        release_public_ips(state, existing, keep=document)
    for config in configs:  # a public IP shows the configuration it is bound to
        public = (config.get("properties") or {}).get("publicIPAddress")
        if isinstance(public, dict) and public.get("id"):
            found = _by_id(state, str(public["id"]))
            if found is not None:
                found["properties"]["ipConfiguration"] = {"id": config["id"]}
    old_properties = (existing or {}).get("properties", {})
    if old_properties.get("macAddress"):
        properties["macAddress"] = old_properties["macAddress"]
    else:  # one MAC per NIC, none given twice
        n = _next_counter(state, "nicCounter")
        properties["macAddress"] = f"00-22-48-{(n >> 16) & 255:02X}-{(n >> 8) & 255:02X}-{n & 255:02X}"
    if old_properties.get("virtualMachine") and "virtualMachine" not in properties:
        properties["virtualMachine"] = old_properties["virtualMachine"]
    properties.setdefault("enableAcceleratedNetworking", False)
    properties.setdefault("enableIPForwarding", False)
    properties.setdefault("primary", True)


_FILL = {
    "virtualNetworks": _fill_vnet,
    "networkSecurityGroups": _fill_nsg,
    "publicIPAddresses": _fill_public_ip,
}
