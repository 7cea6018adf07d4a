"""az's client side of ``az vm create``: the checks az runs before it sends anything, and the body it sends.

azure-cli builds the VM (image aliases, the default user name, the NIC it would create, the OS disk
settings) and validates the names and password itself; ARM's rules for the PUT that follows are in
``vm_rules`` and run in ``vms.put``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..azure import catalog, images
from ..errors import ValidationError
from . import availability_sets, groups, ids, vm_network, vms
from .names import (
    DISALLOWED_USERNAMES,
    validate_admin_password,
    validate_admin_username,
    validate_windows_computer_name,
)
from .state import subscription_id
from .vm_records import POWER_DISPLAY, group_of


def build_body(
    state,
    group: str,
    name: str,
    image: str,
    *,
    location: str | None = None,
    zone: str | None = None,
    availability_set: str | None = None,
    size: str | None = None,
    tags: dict[str, str] | None = None,
    admin_username: str | None = None,
    admin_password: str | None = None,
    enable_agent: bool | None = None,
    enable_auto_update: bool | None = None,
    patch_mode: str | None = None,
    enable_hotpatching: bool | None = None,
    time_zone: str | None = None,
    computer_name: str | None = None,
    ssh_keys: list[str] | None = None,
    ssh_key_path: str | None = None,
    authentication_type: str | None = None,
    network_interfaces: list[dict] | None = None,
) -> dict:
    """The PUT body ``az vm create`` sends, after az's own client-side checks (``credentials`` resolves the
    SSH keys and authentication type of a Linux VM as az does)."""
    from ..models.compute import (
        HardwareProfile,
        ImageReference,
        LinuxConfiguration,
        ManagedDiskParameters,
        NetworkInterfaceReference,
        NetworkInterfaceReferenceProperties,
        NetworkProfile,
        OSDisk,
        OSProfile,
        PatchSettings,
        StorageProfile,
        SubResource,
        VirtualMachine,
        VirtualMachineProperties,
        WindowsConfiguration,
    )

    rg = groups.require(state, group)
    urn, custom_image_id = _resolve_image(image)
    windows = images.is_windows(urn) if urn else True
    computer = computer_name or name
    if windows:
        validate_windows_computer_name(computer)
    username = admin_username or _default_username()
    validate_admin_username(username, windows)
    if windows and not admin_password:
        raise ValidationError("Please specify password in non-interactive mode.")
    if admin_password:
        validate_admin_password(admin_password, windows)
    if not windows and patch_mode is not None and patch_mode.lower() not in ("automaticbyplatform", "imagedefault"):
        # az's template builder, before anything is sent
        raise ValidationError(
            "Invalid value of --patch-mode for Linux VM. Valid values are AutomaticByPlatform, ImageDefault.")
    if windows and patch_mode is not None and patch_mode.lower() not in ("automaticbyos", "automaticbyplatform",
                                                                         "manual"):
        raise ValidationError(
            "Invalid value of --patch-mode for Windows VM. Valid values are AutomaticByOS, AutomaticByPlatform, "
            "Manual.")
    sub = subscription_id(state)
    if urn:
        image_reference = ImageReference(publisher=urn.publisher, offer=urn.offer, sku=urn.sku, version=urn.version)
    else:
        image_reference = ImageReference(id=custom_image_id)
    os_profile = OSProfile(computerName=computer, adminUsername=username, adminPassword=admin_password)
    if windows:
        os_profile.windowsConfiguration = WindowsConfiguration(
            provisionVMAgent=enable_agent,
            enableAutomaticUpdates=enable_auto_update,
            timeZone=time_zone,
            patchSettings=PatchSettings(patchMode=patch_mode, enableHotpatching=enable_hotpatching)
            if patch_mode or enable_hotpatching is not None
            else None,
        )
    else:
        from ..models.compute import LinuxPatchSettings, SshConfiguration, SshPublicKey

        # az: disablePasswordAuthentication is true for --authentication-type ssh (its default without a password)
        auth = authentication_type or ("all" if ssh_keys and admin_password else "password" if admin_password
                                       else "ssh")
        path = ssh_key_path or f"/home/{username}/.ssh/authorized_keys"
        os_profile.linuxConfiguration = LinuxConfiguration(
            disablePasswordAuthentication=auth == "ssh",
            ssh=SshConfiguration(publicKeys=[SshPublicKey(path=path, keyData=key) for key in ssh_keys])
            if ssh_keys else None,
            provisionVMAgent=enable_agent,
            patchSettings=LinuxPatchSettings(patchMode=patch_mode) if patch_mode else None,
        )
    properties = VirtualMachineProperties(
        hardwareProfile=HardwareProfile(vmSize=size or catalog.DEFAULT_VM_SIZE),
        storageProfile=StorageProfile(
            imageReference=image_reference,
            osDisk=OSDisk(
                osType="Windows" if windows else "Linux",
                caching="ReadWrite",
                createOption="FromImage",
                managedDisk=ManagedDiskParameters(storageAccountType="Premium_LRS"),
                deleteOption="Detach",
            ),
            dataDisks=[],
        ),
        osProfile=os_profile,
        networkProfile=NetworkProfile(
            networkInterfaces=[
                NetworkInterfaceReference(
                    id=nic["id"],
                    properties=NetworkInterfaceReferenceProperties(
                        primary=(nic.get("properties") or {}).get("primary"),
                        deleteOption=(nic.get("properties") or {}).get("deleteOption")),
                )
                for nic in network_interfaces
            ] if network_interfaces is not None else [
                NetworkInterfaceReference(
                    id=ids.resource_id(sub, rg["name"], "Microsoft.Network/networkInterfaces", f"{name}VMNic"),
                    properties=NetworkInterfaceReferenceProperties(primary=None),
                )
            ]
        ),
    )
    if availability_set:
        properties.availabilitySet = SubResource(id=_availability_set_id(state, rg["name"], availability_set))
    body = VirtualMachine(
        location=location or rg["location"],
        tags=tags if tags is not None else {},  # az's vm create sends "tags": {} (and Azure keeps it)
        properties=properties,
        zones=[zone] if zone else None,
    )
    dumped = body.wire()
    if admin_password:  # travels to put() for validation only; never stored or printed
        dumped["properties"]["osProfile"]["adminPassword"] = admin_password
    return dumped


def _default_username() -> str:
    """az's default: the current OS user, or azureuser when that name is reserved."""
    import getpass

    try:
        user = getpass.getuser()
    except Exception:  # no user name in this environment (some containers)
        return "azureuser"
    ok = user.lower() not in DISALLOWED_USERNAMES
    return user if ok and user.replace("_", "").replace("-", "").replace(".", "").isalnum() else "azureuser"


def _resolve_image(image: str) -> tuple[images.Urn | None, str | None]:
    urn = images.resolve(image)
    if urn:
        return urn, None
    if image.lower().startswith("/subscriptions/") and "/providers/microsoft.compute/" in image.lower():
        return None, image
    raise ValidationError(
        f'Invalid image "{image}". Use a valid image URN, custom image name, custom image id, VHD blob URI, '
        f"or pick an image from {list(images.ALIASES)}.\nSee vm create -h for more information on "
        "specifying an image."
    )


def _availability_set_id(state, group: str, name_or_id: str) -> str:
    if name_or_id.startswith("/"):
        avset = availability_sets.require(state, *ids.group_and_name(name_or_id))
    else:
        avset = availability_sets.require(state, group, name_or_id)
    return ids.resource_id(subscription_id(state), avset["group"], ids.AVSET_TYPE, avset["name"])


def create(state, group: str, name: str, image: str, count: int | None = None, client_options: dict | None = None,
           warn: Warn | None = None, made: list | None = None, **options: Any) -> list[dict]:
    """``az vm create``: one VM, or ``count`` VMs named ``{name}0``..``{name}{count-1}``. ``client_options``
    are az's other options (see ``apply_options``). ``made``, when given, gets the (type, name) of every
    resource az's template holds for this create (what ``--validate`` lists), decided before any is made."""
    if count is not None and not 2 <= count <= 250:
        raise ValidationError("--count should be in [2, 250]. Please make sure your subscription has enough quota of resources")
    client_options = client_options or {}
    check_options({**client_options, "computer_name": options.get("computer_name")}, count)
    names = [f"{name}{i}" for i in range(count)] if count else [name]
    urn, _ = _resolve_image(image)
    if urn is not None and not images.is_windows(urn) or client_options.get("os_type", "").lower() == "linux":
        options.update(credentials(options, client_options, warn or print_nothing))
    else:
        windows_credentials(options, client_options)
    rg = groups.require(state, group)
    apply_options(build_body(state, group, names[-1], image, **options), client_options)  # az's checks come first
    windows = urn is None and (client_options.get("os_type") or "").lower() != "linux" or (
        urn is not None and images.is_windows(urn))
    location = groups.resolve_location(options.get("location") or rg["location"], ids.VM_TYPE)
    # the network az's template holds (the VNet, NSG, public IP and NIC of each VM), then the VMs
    plan = vm_network.decide(state, rg["name"], location, client_options)
    if made is not None:
        made += vm_network.template_resources(state, rg["name"], name, plan, count)
        made += [(ids.VM_TYPE, vm_name) for vm_name in names]
    profiles = vm_network.create(state, rg["name"], name, location=location, windows=windows,
                                 tags=options.get("tags"), zone=options.get("zone"), count=count,
                                 options=client_options, plan=plan)
    created = []
    template: dict = {}
    for vm_name, nics in zip(names, profiles, strict=True):
        shape = [{k: v for k, v in nic.items() if k != "id"} for nic in nics]
        record = None
        if "vm" in template and COPY_COUNT and template.get("nics") == shape:  # the first's NICs but for their ids
            record = _copy_of(state, group, vm_name, template, urn, nics)
        if record is None:
            body = apply_options(build_body(state, group, vm_name, image, network_interfaces=nics, **options),
                                 client_options)
            record = vms.put(state, group, vm_name, body, template)  # its NICs name it (vm_network.attach)
            if "vm" in template:  # put() made a new VM (not an update of an existing one)
                template.setdefault("nics", shape)
        created.append(record)
    return [summary(record) for record in created]


COPY_COUNT = True
"""``--count``: the VMs after the first are the first's checked body renamed (``vms.put_copy``), not built and
checked again: the same VMs, in a fraction of the time (tests turn it off to compare)."""


def _copy_of(state, group: str, name: str, template: dict, urn: images.Urn | None,
             network_interfaces: list[dict]) -> dict | None:
    """The VM ``name`` of a ``--count``, as ``build_body`` and ``vms.put`` would make it from the same options:
    az's checks of the name first (the computer name is the VM's), then the first VM renamed (None: build
    it), with the NICs made for it (``network_interfaces``)."""
    if urn is None or images.is_windows(urn):
        validate_windows_computer_name(name)
    return vms.put_copy(state, group, name, template, [nic["id"] for nic in network_interfaces])


def summary(record: dict) -> dict:
    """What ``az vm create`` prints for one VM."""
    sim = record["sim"]
    vm = record["vm"]
    return {
        "fqdns": sim.get("fqdns", ""),
        "id": vm["id"],
        "location": vm["location"],
        "macAddress": sim["macAddress"],
        "powerState": POWER_DISPLAY[sim["power"]],
        "privateIpAddress": sim["privateIpAddress"],
        "publicIpAddress": sim["publicIpAddress"],
        "resourceGroup": group_of(record),
        "zones": ",".join(vm.get("zones", [])),
    }


# ---- az 2.91's other options -------------------------------------------------------------------
# Options the VM model has a place for are written into the body (and so stored and shown); the
# others are validated by the CLI and left out, as noted beside ``IGNORED``.

# Options the VM model has no place for: parsed and validated, then not sent. Each changes only
# something autopatch does not emulate (security hardware, spot pricing, proxy agent, scheduled
# events, dedicated hosts, capacity reservations, monitoring, identities' role assignments...).
IGNORED = frozenset({
    "accept_term", "add_proxy_agent_ext", "additional_events", "align_regional_disks", "all_instance_down",
    "capacity_reservation_group", "custom_data", "data_disk_iops", "data_disk_mbps",
    "disable_capacity_reservation_assignment", "disable_integrity_monitoring_autoupgrade", "edge_zone",
    "enable_hibernation", "enable_integrity_monitoring", "enable_proxy_agent", "enable_reboot",
    "enable_redeploy", "enable_secure_boot", "enable_vtpm", "encryption_identity",     "exclude_zones", "imds_access_control_profile_reference_id", "imds_mode", "include_zones",
    "key_incarnation_id", "os_disk_secure_vm_disk_encryption_set",
    "os_disk_security_encryption_type", "platform_fault_domain", "ppg", "processor_mode",
    "proxy_agent_mode", "scheduled_events_api_version", "security_type", "ssh_key_name", "user_data",
    "v_cpus_available", "v_cpus_per_core", "vmss", "wire_local_rules",
    "wire_server_access_control_profile_reference_id", "wire_server_mode", "zone_movement",
    "zone_placement_policy", "host", "host_group", "acquire_policy_token", "change_reference", "assign_identity", "role", "scope",
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
# az refuses these with --count (each VM of a count gets its own NIC and public IP): _validate_count checks
# the values of NOT_WITH_COUNT (a "" public IP, which makes none, passes) and names every option of
# COUNT_MESSAGE, --subnet and --vnet-name too, which it lets through.
NOT_WITH_COUNT = ("attach_data_disks", "attach_os_disk", "boot_diagnostics_storage", "computer_name", "host",
                  "host_group", "nics", "os_disk_name", "private_ip_address", "public_ip_address",
                  "public_ip_address_dns_name", "storage_account", "storage_container_name", "use_unmanaged_disk")
COUNT_MESSAGE = ("attach_data_disks", "attach_os_disk", "boot_diagnostics_storage", "computer_name", "host",
                 "host_group", "nics", "os_disk_name", "private_ip_address", "public_ip_address",
                 "public_ip_address_dns_name", "storage_account", "storage_container_name", "subnet",
                 "use_unmanaged_disk", "vnet_name")


def option_name(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def check_options(options: dict[str, Any], count: int | None) -> None:
    """az's client-side usage checks of these options (before anything is sent)."""
    if count is not None and any(options.get(d) for d in NOT_WITH_COUNT):
        raise ValidationError(f"When --count is specified, {', '.join(option_name(d) for d in COUNT_MESSAGE)} are "
                              "not allowed")
    if options.get("host") and options.get("host_group"):
        raise ValidationError("--host and --host-group can't be used together.")
    if options.get("attach_os_disk") is not None:
        raise ValidationError(f"The disk '{options['attach_os_disk']}' to attach as the OS disk was not found.")
    if options.get("eviction_policy") and options.get("priority") not in ("Spot", "SpotPlus", "Low"):
        raise ValidationError("Usage error: --priority Spot is required for --eviction-policy.")


def apply_options(body: dict, options: dict[str, Any]) -> dict:
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
    if options.get("priority"):
        properties["priority"] = options["priority"]
    if options.get("eviction_policy"):
        properties["evictionPolicy"] = options["eviction_policy"]
    if options.get("max_price") is not None:
        properties["billingProfile"] = {"maxPrice": options["max_price"]}
    storage_account = options.get("boot_diagnostics_storage")
    if storage_account:
        uri = storage_account if storage_account.startswith("https://") else (
            f"https://{storage_account}.blob.core.windows.net/")
        properties["diagnosticsProfile"] = {"bootDiagnostics": {"enabled": True, "storageUri": uri}}
    return body


# ---- a Linux VM's credentials, as az validates them (azure-cli vm/_validators.py, core/keys.py) -----------

Warn = Callable[[str], None]  # az's warnings on stderr: the front-end passes its own printer


def print_nothing(message: str) -> None:
    """The default for callers with no stderr of their own (the REST front-end never creates keys)."""


def credentials(options: dict[str, Any], client_options: dict[str, Any], warn: Warn = print_nothing) -> dict[str, Any]:
    """az's ``--authentication-type`` rules for a Linux VM: the type (``all`` with a key and a password,
    ``password`` with a password alone, ``ssh`` otherwise), the password it needs or forbids, the SSH keys it
    reads (``--ssh-key-values`` text, files or ``@file``; else ``~/.ssh/id_rsa.pub``, or ``id_ed25519.pub``
    with ``--ssh-key-type Ed25519``), creates (``--generate-ssh-keys``) and where they go
    (``--ssh-dest-key-path``). Returns build_body's options."""
    password = options.get("admin_password")
    values = list(client_options.get("ssh_key_values") or [])
    generate = bool(client_options.get("generate_ssh_keys"))
    key_type = client_options.get("ssh_key_type") or "RSA"
    dest = client_options.get("ssh_dest_key_path")
    auth = options.get("authentication_type")
    if not auth:
        auth = "all" if values and password else "password" if password else "ssh"
    keys: list[str] = []
    if auth == "password":
        if values or dest:
            raise ValidationError("SSH key cannot be used with password authentication type.")
        if not password:
            raise ValidationError("Please specify password in non-interactive mode.")
    else:
        if auth == "ssh" and password:
            raise ValidationError("Admin password cannot be used with SSH authentication type.")
        if auth == "all" and not password:
            raise ValidationError("Please specify password in non-interactive mode.")
        if generate and len(values) > 1:
            warn("Ignoring --generate-ssh-keys as multiple ssh key values have been specified.")
            generate = False
        keys = ([ssh_public_key(value, generate, warn, key_type) for value in values]
                or [ssh_public_key("", generate, warn, key_type)])
        if not dest:
            dest = f"/home/{options.get('admin_username') or _default_username()}/.ssh/authorized_keys"
    return {"authentication_type": auth, "ssh_keys": keys, "ssh_key_path": dest}


def windows_credentials(options: dict[str, Any], client_options: dict[str, Any]) -> None:
    """az's rules for a Windows VM's SSH options (vm/_validators.py ``_validate_vm_vmss_create_auth``): SSH
    authentication is refused, the password type refuses key values and a key path, and
    ``--generate-ssh-keys``/``--ssh-key-type`` alone are ignored (no key is read or written)."""
    auth = options.get("authentication_type") or "password"
    if auth == "ssh":
        raise ValidationError("SSH not supported for Windows VMs.")
    if auth == "all":
        raise ValidationError("SSH not supported for Windows VMs. Use password authentication.")
    if client_options.get("ssh_key_values") or client_options.get("ssh_dest_key_path"):
        raise ValidationError("SSH key cannot be used with password authentication type.")


def is_valid_ssh_public_key(text: str) -> bool:
    """azure-cli's check (core/keys.py ``is_valid_ssh_rsa_public_key``): a key type, then a base64 blob whose
    first field names that type again (ssh-rsa, ssh-ed25519, ecdsa-sha2-...)."""
    import base64
    import binascii
    import struct

    parts = text.split()
    if len(parts) < 2:
        return False
    try:
        blob = base64.b64decode(parts[1])
        (length,) = struct.unpack(">I", blob[:4])
    except (binascii.Error, ValueError, struct.error):
        return False
    return blob[4:4 + length] == parts[0].encode()


def ssh_public_key(value: str, generate: bool, warn: Warn = print_nothing, key_type: str = "RSA") -> str:
    """One ``--ssh-key-values`` entry as az reads it, and sends it: ``@file`` is the file's text less its
    trailing line ends (az's ``@`` expansion, commands/__init__.py ``rstrip(os.linesep)``; an unreadable file
    leaves the text as it is), an existing file's text as it is, line end included (vm/_validators.py
    ``_validate_ssh_key_helper`` reads it whole), a key's text, or (with ``--generate-ssh-keys``) a new key pair
    written to that path or ``~/.ssh/id_rsa[.pub]`` (``id_ed25519[.pub]`` for ``--ssh-key-type Ed25519``),
    whose public key is sent as the library writes it (no line end). Keys are public material: they are
    stored with the VM as sent."""
    import os

    if value.startswith("@") and len(value) > 1:
        try:
            with open(os.path.expanduser(value[1:]), encoding="utf-8-sig") as handle:
                value = handle.read().rstrip(os.linesep)
        except (OSError, UnicodeDecodeError):
            pass  # az: "Failed to load ..., assume not a file"
    file_name = "id_ed25519.pub" if key_type == "Ed25519" else "id_rsa.pub"
    path = os.path.expanduser(value) if value else os.path.join(os.path.expanduser("~"), ".ssh", file_name)
    if os.path.exists(path):
        try:
            with open(path, encoding="utf-8") as handle:  # text mode, as az: a CRLF file's line ends read as LF
                return handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise ValidationError(f"Unable to read the SSH public key file '{path}': {reason}.") from None
    if is_valid_ssh_public_key(value):
        return value
    if not generate:
        raise ValidationError(
            "An RSA key file or key value must be supplied to SSH Key Value. You can use --generate-ssh-keys to "
            "let CLI generate one for you")
    private = path[:-4] if path.lower().endswith(".pub") else path + ".private"
    if key_type == "Ed25519":
        return generate_ssh_keys_ed25519(private, path, warn)
    return generate_ssh_keys(private, path, warn)


def generate_ssh_keys(private_path: str, public_path: str, warn: Warn = print_nothing) -> str:
    """az's key generation (core/keys.py, with the same library): a 2048-bit RSA key, the private key in PEM
    (0600) unless one is there already, the OpenSSH public key beside it (0644), ``~/.ssh`` made 0700."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    def load(data: bytes):
        return serialization.load_pem_private_key(data, password=None)

    def new() -> tuple[Any, bytes]:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return key, key.private_bytes(encoding=serialization.Encoding.PEM,
                                      format=serialization.PrivateFormat.TraditionalOpenSSL,
                                      encryption_algorithm=serialization.NoEncryption())

    return _write_key_pair(private_path, public_path, load, new, warn)


def generate_ssh_keys_ed25519(private_path: str, public_path: str, warn: Warn = print_nothing) -> str:
    """az's Ed25519 key generation (vm/_vm_utils.py ``generate_ssh_keys_ed25519``, ``--ssh-key-type Ed25519``):
    an Ed25519 key, the private key in OpenSSH's PEM format (0600) unless one is there already, the OpenSSH
    public key beside it (0644)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    def load(data: bytes):
        return serialization.load_ssh_private_key(data, password=None)

    def new() -> tuple[Any, bytes]:
        key = Ed25519PrivateKey.generate()
        return key, key.private_bytes(encoding=serialization.Encoding.PEM,
                                      format=serialization.PrivateFormat.OpenSSH,
                                      encryption_algorithm=serialization.NoEncryption())

    return _write_key_pair(private_path, public_path, load, new, warn)


def _write_key_pair(private_path: str, public_path: str, load: Callable[[bytes], Any],
                    new: Callable[[], tuple[Any, bytes]], warn: Warn) -> str:
    import os

    from cryptography.hazmat.primitives import serialization

    folder = os.path.dirname(private_path)
    try:
        if folder and not os.path.exists(folder):
            os.makedirs(folder)
            os.chmod(folder, 0o700)
        if os.path.isfile(private_path):
            with open(private_path, "rb") as handle:
                private_key = load(handle.read())
            warn(f"Private SSH key file '{private_path}' was found in the directory: '{folder}'. A paired public key "
                 f"file '{public_path}' will be generated.")
        else:
            private_key, pem = new()
            with os.fdopen(_open_for_write(private_path, 0o600), "wb") as handle:
                handle.write(pem)
        public = private_key.public_key().public_bytes(encoding=serialization.Encoding.OpenSSH,
                                                       format=serialization.PublicFormat.OpenSSH)
        with os.fdopen(_open_for_write(public_path, 0o644), "wb") as handle:
            handle.write(public)
    except (OSError, ValueError, TypeError) as exc:
        raise ValidationError(f"Could not create the SSH key files '{private_path}' and '{public_path}': {exc}") from None
    warn(f"SSH key files '{private_path}' and '{public_path}' have been generated under ~/.ssh to allow SSH access to "
         "the VM. If using machines without permanent storage, back up your keys to a safe location.")
    return public.decode()


def _open_for_write(path: str, mode: int) -> int:
    import os

    return os.open(path, flags=os.O_WRONLY | os.O_TRUNC | os.O_CREAT, mode=mode)


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
