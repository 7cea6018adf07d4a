"""az's client-side work for ``az vm create`` options beyond the patching ones: where each goes in
the ``VirtualMachine`` body az sends, and the network choices kept for the network resources.

Options the VM model has a place for are written into the body (and so stored and shown); the
others are validated by the CLI and left out here, as noted beside ``IGNORED``.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import ValidationError

# Options the VM model has no place for: parsed and validated, then not sent. Each changes only
# something autopatch does not emulate (security hardware, spot pricing, proxy agent, scheduled
# events, dedicated hosts, capacity reservations, monitoring, identities' role assignments...).
IGNORED = frozenset({
    "accept_term", "add_proxy_agent_ext", "additional_events", "align_regional_disks", "all_instance_down",
    "capacity_reservation_group", "custom_data", "data_disk_iops", "data_disk_mbps",
    "disable_capacity_reservation_assignment", "disable_integrity_monitoring_autoupgrade", "edge_zone",
    "enable_hibernation", "enable_integrity_monitoring", "enable_proxy_agent", "enable_reboot",
    "enable_redeploy", "enable_secure_boot", "enable_vtpm", "encryption_identity", "eviction_policy",
    "exclude_zones", "imds_access_control_profile_reference_id", "imds_mode", "include_zones",
    "key_incarnation_id", "max_price", "os_disk_secure_vm_disk_encryption_set",
    "os_disk_security_encryption_type", "platform_fault_domain", "ppg", "priority", "processor_mode",
    "proxy_agent_mode", "scheduled_events_api_version", "security_type", "ssh_key_name", "user_data",
    "v_cpus_available", "v_cpus_per_core", "vmss", "wire_local_rules",
    "wire_server_access_control_profile_reference_id", "wire_server_mode", "zone_movement",
    "zone_placement_policy", "generate_ssh_keys", "ssh_dest_key_path", "ssh_key_type", "ssh_key_values",
    "host", "host_group", "acquire_policy_token", "change_reference", "assign_identity", "role", "scope",
    "plan_name", "plan_product", "plan_promotion_code", "plan_publisher", "workspace",
    "accelerated_networking", "data_disk_encryption_sets", "disk_controller_type", "encryption_at_host",
    "ephemeral_full_caching", "ephemeral_os_disk", "ephemeral_os_disk_placement", "os_disk_encryption_set",
    "os_type", "source_disk_restore_point", "source_disk_restore_point_size_gb", "source_resource",
    "source_resource_size", "specialized", "storage_account", "storage_container_name", "ultra_ssd_enabled",
    "use_unmanaged_disk", "validate",
})
# az's --storage-sku values, in its declaration order (its help lists them so).
STORAGE_SKUS = ("Standard_LRS", "Premium_LRS", "StandardSSD_LRS", "UltraSSD_LRS", "Premium_ZRS", "StandardSSD_ZRS",
                "PremiumV2_LRS")
# The network of a new VM: kept with the VM (the network resources are built from them).
NETWORK = ("nics", "nsg", "nsg_rule", "private_ip_address", "public_ip_address", "public_ip_address_allocation",
           "public_ip_address_dns_name", "public_ip_sku", "subnet", "subnet_address_prefix",
           "vnet_address_prefix", "vnet_name", "asgs", "nic_delete_option")
# az refuses these with --count (each VM of a count gets its own NIC and public IP).
NOT_WITH_COUNT = ("attach_data_disks", "attach_os_disk", "boot_diagnostics_storage", "computer_name", "host",
                  "host_group", "nics", "os_disk_name", "private_ip_address", "public_ip_address",
                  "public_ip_address_dns_name", "storage_account", "storage_container_name", "subnet",
                  "use_unmanaged_disk", "vnet_name")


def option_name(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def check(options: dict[str, Any], count: int | None) -> None:
    """az's client-side usage checks of these options (before anything is sent)."""
    if count is not None:
        banned = [option_name(d) for d in NOT_WITH_COUNT if options.get(d) not in (None, False)]
        if banned:
            raise ValidationError(f"When --count is specified, {', '.join(banned)} are not allowed.")
    if options.get("host") and options.get("host_group"):
        raise ValidationError("--host and --host-group can't be used together.")
    if options.get("nics"):
        clash = [option_name(d) for d in ("vnet_name", "subnet", "public_ip_address", "nsg", "private_ip_address")
                 if options.get(d) is not None]
        if clash:
            raise ValidationError(f"usage error: --nics cannot be used with {', '.join(clash)}")
    if options.get("attach_os_disk") is not None:
        raise ValidationError(f"The disk '{options['attach_os_disk']}' to attach as the OS disk was not found.")
    if options.get("eviction_policy") and options.get("priority") not in ("Spot", "SpotPlus", "Low"):
        raise ValidationError("Usage error: --priority Spot is required for --eviction-policy.")


def apply(body: dict, options: dict[str, Any]) -> dict:
    """Write the options the VM model has a place for into az's body."""
    properties = body["properties"]
    license_type = options.get("license_type")
    if license_type and license_type != "None":
        properties["licenseType"] = license_type
    storage = properties.setdefault("storageProfile", {})
    os_disk = storage.setdefault("osDisk", {})
    skus = storage_skus(options.get("storage_sku"))
    if options.get("os_disk_name"):
        os_disk["name"] = options["os_disk_name"]
    if options.get("os_disk_caching"):
        os_disk["caching"] = options["os_disk_caching"]
    if options.get("os_disk_size_gb") is not None:
        os_disk["diskSizeGB"] = options["os_disk_size_gb"]
    if options.get("os_disk_delete_option"):
        os_disk["deleteOption"] = options["os_disk_delete_option"]
    if "os" in skus:
        os_disk.setdefault("managedDisk", {})["storageAccountType"] = skus["os"]
    sizes = options.get("data_disk_sizes_gb") or []
    if sizes:
        caching = per_disk(options.get("data_disk_caching"), "--data-disk-caching")
        deletes = per_disk(options.get("data_disk_delete_option"), "--data-disk-delete-option")
        storage["dataDisks"] = [
            {
                "lun": lun,
                "createOption": "Empty",
                "diskSizeGB": size,
                "caching": caching.get(str(lun), caching.get("*", "None")),
                "managedDisk": {"storageAccountType": skus.get(str(lun), skus.get("*", "Premium_LRS"))},
                **({"deleteOption": deletes.get(str(lun), deletes["*"])} if (str(lun) in deletes or "*" in deletes) else {}),
            }
            for lun, size in enumerate(sizes)
        ]
    if options.get("secrets"):
        properties.setdefault("osProfile", {})["secrets"] = secrets(options["secrets"])
    storage_account = options.get("boot_diagnostics_storage")
    if storage_account:
        uri = storage_account if storage_account.startswith("https://") else (
            f"https://{storage_account}.blob.core.windows.net/")
        properties["diagnosticsProfile"] = {"bootDiagnostics": {"enabled": True, "storageUri": uri}}
    return body


def network(options: dict[str, Any]) -> dict[str, Any]:
    """The network choices as given (``--public-ip-address ""`` means no public IP)."""
    return {key: options[key] for key in NETWORK if options.get(key) is not None}


def storage_skus(values: list[str] | None) -> dict[str, str]:
    """``--storage-sku SKU`` (every disk) or ``--storage-sku os=SKU 0=SKU ...``; '*' is every disk."""
    result: dict[str, str] = {}
    for value in values or []:
        key, sep, sku = value.rpartition("=")
        key = key if sep else "*"
        canonical = next((s for s in STORAGE_SKUS if s.lower() == sku.lower()), None)
        if canonical is None:
            from ..errors import UsageError

            raise UsageError(
                f"'{sku}' is not a valid value for '--storage-sku'. Allowed values: {', '.join(STORAGE_SKUS)}.")
        result[key] = canonical
    if "*" in result:
        result.setdefault("os", result["*"])
    return result


def per_disk(values: list[str] | None, option: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for value in values or []:
        key, sep, setting = value.rpartition("=")
        result[key if sep else "*"] = setting
    return result


def secrets(values: list[str]) -> list[dict]:
    """``--secrets``: JSON arrays of vault secrets (az's format), merged."""
    merged: list[dict] = []
    for value in values:
        try:
            loaded = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"Error decoding secrets: {value}") from exc
        items = loaded if isinstance(loaded, list) else [loaded]
        for item in items:
            if not isinstance(item, dict) or "sourceVault" not in item or "vaultCertificates" not in item:
                raise ValidationError(
                    "Secret is missing sourceVault or vaultCertificates key")
            merged.append(item)
    return merged


def keep_network(record: dict, options: dict[str, Any]) -> None:
    """Keep the network choices with the new VM, and what they show: no public IP for
    ``--public-ip-address ""``, the static private IP, the DNS name's FQDN."""
    chosen = network(options)
    if not chosen:
        return
    sim = record["sim"]
    sim["network"] = chosen
    if chosen.get("public_ip_address") == "" or chosen.get("nics"):
        sim["publicIpAddress"] = ""
    if chosen.get("private_ip_address"):
        sim["privateIpAddress"] = chosen["private_ip_address"]
    dns = chosen.get("public_ip_address_dns_name")
    if dns and sim["publicIpAddress"]:
        sim["fqdns"] = f"{dns}.{record['vm']['location']}.cloudapp.azure.com"
