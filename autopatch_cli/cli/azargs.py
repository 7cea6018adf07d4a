"""az's argument tables for the verbs with many options (``vm create``, ``vm update``): every
option az 2.91 parses for them (its names, how many values it takes, its allowed values), so that a
script written for az parses here. Pure data: ``cli/azparse.py`` turns a table into typer options and
validates the values; what a verb does with each option is the verb's business.
"""

from __future__ import annotations

from dataclasses import dataclass

STR, FLAG, BOOL3, AAZBOOL, CHOICE, INT, FLOAT, LIST, INT_LIST = (
    "str", "flag", "bool3", "aazbool", "choice", "int", "float", "list", "int_list")


@dataclass(frozen=True)
class AzOption:
    names: tuple[str, ...]
    kind: str
    help: str = ""
    allowed: tuple[str, ...] = ()
    preview: bool = False
    deprecated: bool = False

    @property
    def lead(self) -> str:
        return self.names[0]

    @property
    def dest(self) -> str:
        return self.lead.lstrip("-").replace("-", "_")

    @property
    def az_name(self) -> str:
        """The name az's errors give the option: the first of its option strings as azure-cli declares
        them (not always the first its help lists)."""
        return AZ_DECLARED_FIRST.get(self.lead, self.lead)


# Where azure-cli declares a long alias first (its errors name the option by it); read from az 2.91's own
# error messages (tests/test_real_az_errors.py checks them against the real az).
AZ_DECLARED_FIRST = {
    "--add-proxy-agent-ext": "--add-proxy-agent-extension",
    "--additional-events": "--additional-scheduled-events",
    "--align-regional-disks": "--align-regional-disks-to-vm-zone",
    "--all-instance-down": "--enable-all-instance-down",
    "--enable-reboot": "--enable-user-reboot-scheduled-events",
    "--enable-redeploy": "--enable-user-redeploy-scheduled-events",
    "--ephemeral-full-caching": "--ephemeral-os-disk-enable-full-caching",
    "--wire-local-rules": "--wire-server-use-local-file-rules",
    "--os-disk-caching": "--storage-caching",
    "--source-resource": "--source-snapshots-or-disks",
    "--source-resource-size": "--source-snapshots-or-disks-size-gb",
}


# An option of several values that may also stand alone, and what it means alone (nargs='*').
BARE_LIST_DEFAULTS = {"--assign-identity": "[system]"}
# aaz's optional-value booleans of the other mirrored verbs (their help says "Allowed values: 0, 1, f...").
AAZ_NO_WAIT_COMMANDS = frozenset({("vm", "start"), ("vm", "deallocate"), ("vm", "delete"), ("vm", "assess-patches")})


def command_value_options(command: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """(options taking several values, options whose value is optional) of one command's table."""
    if command == ("vm", "create"):
        return multi_value_names(VM_CREATE), optional_value_names(VM_CREATE)
    if command == ("vm", "update"):
        return multi_value_names(VM_UPDATE), optional_value_names(VM_UPDATE)
    if command == ("vm", "deallocate"):
        return frozenset(), frozenset({"--no-wait", "--force-deallocate", "--hibernate"})
    if command == ("vm", "delete"):
        return frozenset(), frozenset({"--no-wait", "--force-deletion"})
    if command in AAZ_NO_WAIT_COMMANDS:
        return frozenset(), frozenset({"--no-wait"})
    return frozenset(), frozenset()


def multi_value_names(options: tuple[AzOption, ...]) -> frozenset[str]:
    return frozenset(n for o in options if o.kind in (LIST, INT_LIST) for n in o.names if n.startswith("--"))


def optional_value_names(options: tuple[AzOption, ...]) -> frozenset[str]:
    return frozenset(n for o in options if o.kind in (BOOL3, AAZBOOL) for n in o.names if n.startswith("--"))



# ---- az vm create (az 2.91: 126 options; those the command declares itself are skipped) ----

VM_CREATE = (
    AzOption(("--accept-term",), FLAG, "Accept the license agreement and privacy statement."),
    AzOption(("--add-proxy-agent-ext", "--add-proxy-agent-extension",), BOOL3, "Specify whether to implicitly install the ProxyAgent Extension."),
    AzOption(("--additional-events", "--additional-scheduled-events",), BOOL3, "The configuration parameter used while creating event grid and resource graph scheduled event setting."),
    AzOption(("--align-regional-disks", "--align-regional-disks-to-vm-zone",), BOOL3, "Specify whether the regional disks should be aligned/moved to the VM zone."),
    AzOption(("--all-instance-down", "--enable-all-instance-down",), BOOL3, "Specifies if Scheduled Events should be auto-approved when all instances are down."),
    AzOption(("--availability-set",), STR, "Name or ID of an existing availability set to add the VM to."),
    AzOption(("--boot-diagnostics-storage",), STR, "Pre-existing storage account name or its blob uri to capture boot diagnostics."),
    AzOption(("--capacity-reservation-group", "--crg",), STR, "The ID or name of the capacity reservation group that is used to allocate."),
    AzOption(("--computer-name",), STR, "The host OS name of the virtual machine."),
    AzOption(("--count",), INT, "Number of virtual machines to create.", preview=True),
    AzOption(("--custom-data",), STR, "Custom init script file or text (cloud-init, cloud-config, etc..)."),
    AzOption(("--data-disk-iops",), INT, "Specify the Read-Write IOPS for the managed disk when storage account type is UltraSSD_LRS."),
    AzOption(("--data-disk-mbps",), INT, "Specify the bandwidth in MB per second for the managed disk when storage account type is UltraSSD_LRS."),
    AzOption(("--disable-capacity-reservation-assignment", "--no-cap-reservation",), BOOL3, "Explicitly opt out the VM from being associated with any capacity reservation."),
    AzOption(("--disable-integrity-monitoring-autoupgrade",), FLAG, "Disable auto upgrade of guest attestation extension for Trusted Launch enabled VMs and VMSS."),
    AzOption(("--edge-zone",), STR, "The name of edge zone."),
    AzOption(("--enable-agent",), BOOL3, "Indicates whether virtual machine agent should be provisioned on the virtual machine."),
    AzOption(("--enable-auto-update",), BOOL3, "Indicate whether Automatic Updates is enabled for the Windows virtual machine."),
    AzOption(("--enable-hibernation",), BOOL3, "The flag that enable or disable hibernation capability on the VM."),
    AzOption(("--enable-hotpatching",), BOOL3, "Patch VMs without requiring a reboot."),
    AzOption(("--enable-integrity-monitoring",), FLAG, "Enable installing Microsoft propietary and not security supported guest attestation extension and enabling System Assigned Identity for Trusted Launch enabled VMs and VMSS."),
    AzOption(("--enable-proxy-agent",), BOOL3, "Specify whether metadata security protoco (proxy agent) feature should be enabled on the virtual machine or virtual machine scale set."),
    AzOption(("--enable-reboot", "--enable-user-reboot-scheduled-events",), BOOL3, "The configuration parameter used while publishing scheduled events additional publishing targets."),
    AzOption(("--enable-redeploy", "--enable-user-redeploy-scheduled-events",), BOOL3, "The configuration parameter used while creating user initiated redeploy scheduled event setting creation."),
    AzOption(("--enable-secure-boot",), BOOL3, "Enable secure boot."),
    AzOption(("--enable-vtpm",), BOOL3, "Enable vTPM."),
    AzOption(("--encryption-identity",), STR, "Resource Id of the user managed identity which can be used for Azure disk encryption."),
    AzOption(("--eviction-policy",), CHOICE, "The eviction policy for the Spot priority virtual machine.", allowed=('Deallocate', 'Delete')),
    AzOption(("--exclude-zones",), LIST, "If \"--zone-placement-policy\" is set to \"Any\", availability zone selected by the system must not be present in the list of availability zones passed with \"excludeZones\"."),
    AzOption(("--image",), STR, "The name of the operating system image as a URN alias, URN, custom image name or ID, custom image version ID, or VHD blob URI."),
    AzOption(("--imds-access-control-profile-reference-id", "--imds-profile-id",), STR, "Specify the access control profile version resource id resource id of imds."),
    AzOption(("--imds-mode",), CHOICE, "Specify the mode that proxy agent will execute on if the feature is enabled.", allowed=('Audit', 'Enforce')),
    AzOption(("--include-zones",), LIST, "If \"--zone-placement-policy\" is set to \"Any\", availability zone selected by the system must be present in the list of availability zones passed with \" --include-zones\"."),
    AzOption(("--key-incarnation-id",), INT, "Increase the value of this property allows user to reset the key used for securing communication channel between guest and host."),
    AzOption(("--license-type",), CHOICE, "Specifies that the Windows image or disk was licensed on-premises.", allowed=('Windows_Server', 'Windows_Client', 'RHEL_BYOS', 'SLES_BYOS', 'RHEL_BASE', 'RHEL_SAPAPPS', 'RHEL_SAPHA', 'RHEL_EUS', 'RHEL_BASESAPAPPS', 'RHEL_BASESAPHA', 'SLES_STANDARD', 'SLES', 'SLES_SAP', 'SLES_HPC', 'None', 'RHEL_ELS_6', 'UBUNTU_PRO', 'UBUNTU')),
    AzOption(("--location", "-l",), STR, "Location in which to create VM and related resources."),
    AzOption(("--max-price",), FLOAT, "The maximum price (in US Dollars) you are willing to pay for a Spot VM/VMSS.", preview=True),
    AzOption(("--no-wait",), FLAG, "Do not wait for the long-running operation to finish."),
    AzOption(("--os-disk-secure-vm-disk-encryption-set",), STR, "Specify the customer managed disk encryption set resource ID or name for the managed disk that is used for customer managed key encrypted Confidential VM OS disk and VM guest blob."),
    AzOption(("--os-disk-security-encryption-type",), CHOICE, "Specify the encryption type of the OS managed disk.", allowed=('VMGuestStateOnly', 'DiskWithVMGuestState', 'NonPersistedTPM')),
    AzOption(("--patch-mode",), CHOICE, "Mode of in-guest patching to IaaS virtual machine.", allowed=('AutomaticByOS', 'AutomaticByPlatform', 'Manual', 'ImageDefault')),
    AzOption(("--platform-fault-domain",), INT, "Specify the scale set logical fault domain into which the virtual machine will be created."),
    AzOption(("--ppg",), STR, "The name or ID of the proximity placement group the VM should be associated with."),
    AzOption(("--priority",), CHOICE, "Priority.", allowed=('Regular', 'Low', 'Spot', 'SpotPlus')),
    AzOption(("--processor-mode",), CHOICE, "Specifies the processor mode for the virtual machine or virtual machine scale set.", allowed=('Deterministic', 'Opportunistic')),
    AzOption(("--proxy-agent-mode",), CHOICE, "Specify the mode that proxy agent will execute on if the feature is enabled.", allowed=('Audit', 'Enforce'), deprecated=True),
    AzOption(("--scheduled-events-api-version", "--se-api-version",), STR, "Specifies the api-version to determine which Scheduled Events configuration schema version will be delivered."),
    AzOption(("--secrets",), LIST, "One or many Key Vault secrets as JSON strings or files via `@{path}` containing `[{ \"sourceVault\": { \"id\": \"value\" }, \"v aultCertificates\": [{ \"certificateUrl\": \"value\", \"certificateStore\": \"cert store name (only on windows)\"}] }]`."),
    AzOption(("--security-type",), CHOICE, "Specify the security type of the virtual machine.", allowed=('TrustedLaunch', 'Standard', 'ConfidentialVM')),
    AzOption(("--size",), STR, "The VM size to be created."),
    AzOption(("--ssh-key-name",), STR, "Use it as public key in virtual machine."),
    AzOption(("--tags",), LIST, "Space-separated tags: key[=value] [key[=value] ...]."),
    AzOption(("--user-data",), STR, "UserData for the VM."),
    AzOption(("--v-cpus-available",), INT, "Specify the number of vCPUs available."),
    AzOption(("--v-cpus-per-core",), INT, "Specify the ratio of vCPU to physical core."),
    AzOption(("--validate",), FLAG, "Generate and validate the ARM template without creating any resources."),
    AzOption(("--vmss",), STR, "Name or ID of an existing virtual machine scale set that the virtual machine should be assigned to."),
    AzOption(("--wire-local-rules", "--wire-server-use-local-file-rules",), BOOL3, "When set to true, instructs the GuestProxyAgent inside the VM to load additional access control rules defined in a local file on the VM."),
    AzOption(("--wire-server-access-control-profile-reference-id", "--wire-server-profile-id",), STR, "Specify the access control profile version resource id of wire server."),
    AzOption(("--wire-server-mode",), CHOICE, "Specify the mode that proxy agent will execute on if the feature is enabled.", allowed=('Audit', 'Enforce')),
    AzOption(("--zone", "-z",), STR, "Availability zone into which to provision the resource."),
    AzOption(("--zone-movement",), BOOL3, "Indicates if zone movement is enabled."),
    AzOption(("--zone-placement-policy",), CHOICE, "Specify the policy for virtual machine's placement in availability zone.", allowed=('Any',)),
    AzOption(("--admin-password",), STR, "Password for the VM if authentication type is 'Password'."),
    AzOption(("--admin-username",), STR, "Username for the VM."),
    AzOption(("--authentication-type",), CHOICE, "Type of authentication to use with the VM.", allowed=('ssh', 'password', 'all')),
    AzOption(("--generate-ssh-keys",), FLAG, "Generate SSH public and private key files if missing."),
    AzOption(("--ssh-dest-key-path",), STR, "Destination file path on the VM for the SSH key."),
    AzOption(("--ssh-key-type",), CHOICE, "Specify the type of SSH public and private key files to be generated if missing.", allowed=('RSA', 'Ed25519')),
    AzOption(("--ssh-key-values",), LIST, "Space-separated list of SSH public keys or public key file paths."),
    AzOption(("--host",), STR, "Resource ID of the dedicated host that the VM will reside in.", preview=True),
    AzOption(("--host-group",), STR, "Name or resource ID of the dedicated host group that the VM will reside in.", preview=True),
    AzOption(("--acquire-policy-token",), FLAG, "Acquiring an Azure Policy token automatically for this resource operation."),
    AzOption(("--change-reference",), STR, "The related change reference ID for this resource operation."),
    AzOption(("--assign-identity",), LIST, "Accept system or user assigned identities separated by spaces."),
    AzOption(("--role",), STR, "Role name or id the system assigned identity will have."),
    AzOption(("--scope",), STR, "Scope that the system assigned identity can access."),
    AzOption(("--plan-name",), STR, "Plan name."),
    AzOption(("--plan-product",), STR, "Plan product."),
    AzOption(("--plan-promotion-code",), STR, "Plan promotion code."),
    AzOption(("--plan-publisher",), STR, "Plan publisher."),
    AzOption(("--workspace",), STR, "Name or ID of Log Analytics Workspace.", preview=True),
    AzOption(("--accelerated-networking",), BOOL3, "Enable accelerated networking."),
    AzOption(("--asgs",), LIST, "Space-separated list of existing application security groups to associate with the VM."),
    AzOption(("--nic-delete-option",), LIST, "Specify what happens to the network interface when the VM is deleted."),
    AzOption(("--nics",), LIST, "Names or IDs of existing NICs to attach to the VM."),
    AzOption(("--nsg",), STR, "The name to use when creating a new Network Security Group (default) or referencing an existing one."),
    AzOption(("--nsg-rule",), CHOICE, "NSG rule to create when creating a new NSG.", allowed=('RDP', 'SSH', 'NONE')),
    AzOption(("--private-ip-address",), STR, "Static private IP address (e.g."),
    AzOption(("--public-ip-address",), STR, "Name of the public IP address when creating one (default) or referencing an existing one."),
    AzOption(("--public-ip-address-allocation",), CHOICE, "The allocation method of a new public IP.", allowed=('dynamic', 'static')),
    AzOption(("--public-ip-address-dns-name",), STR, "Globally unique DNS name for a newly created public IP."),
    AzOption(("--public-ip-sku",), CHOICE, "Public IP SKU.", allowed=('Basic', 'Standard')),
    AzOption(("--subnet",), STR, "The name of the subnet when creating a new VNet or referencing an existing one."),
    AzOption(("--subnet-address-prefix",), STR, "The subnet IP address prefix to use when creating a new VNet in CIDR format."),
    AzOption(("--vnet-address-prefix",), STR, "The IP address prefix to use when creating a new VNet in CIDR format."),
    AzOption(("--vnet-name",), STR, "Name of the virtual network when creating a new one or referencing an existing one."),
    AzOption(("--attach-data-disks",), LIST, "Attach existing data disks to the VM."),
    AzOption(("--attach-os-disk",), STR, "Attach an existing OS disk to the VM."),
    AzOption(("--data-disk-caching",), LIST, "Storage caching type for data disk(s), including 'None', 'ReadOnly', 'ReadWrite', etc."),
    AzOption(("--data-disk-delete-option",), LIST, "Specify whether data disk should be deleted or detached upon VM deletion."),
    AzOption(("--data-disk-encryption-sets",), LIST, "Names or IDs (space delimited) of disk encryption sets for data disks."),
    AzOption(("--data-disk-sizes-gb",), INT_LIST, "Space-separated empty managed data disk sizes in GB to create."),
    AzOption(("--disk-controller-type",), CHOICE, "Specify the disk controller type configured for the VM or VMSS.", allowed=('NVMe', 'SCSI'), preview=True),
    AzOption(("--encryption-at-host",), BOOL3, "Enable Host Encryption for the VM or VMSS."),
    AzOption(("--ephemeral-full-caching", "--ephemeral-os-disk-enable-full-caching",), BOOL3, "Specify whether or not to enable full caching for this VM/VMSS which will cache the OS disk locally on the host and make this VM/VMSS more resilient to storage outages."),
    AzOption(("--ephemeral-os-disk",), BOOL3, "Allows you to create an OS disk directly on the host node, providing local disk performance and faster VM/VMSS reimage time."),
    AzOption(("--ephemeral-os-disk-placement", "--ephemeral-placement",), CHOICE, "Only applicable when used with `--ephemeral-os-disk`.", allowed=('CacheDisk', 'NvmeDisk', 'ResourceDisk')),
    AzOption(("--os-disk-caching", "--storage-caching"), CHOICE, "Storage caching type for the VM OS disk.", allowed=('None', 'ReadOnly', 'ReadWrite')),
    AzOption(("--os-disk-delete-option",), CHOICE, "Specify the behavior of the managed disk when the VM gets deleted i.e whether the managed disk is deleted or detached.", allowed=('Delete', 'Detach')),
    AzOption(("--os-disk-encryption-set",), STR, "Name or ID of disk encryption set for OS disk."),
    AzOption(("--os-disk-name",), STR, "The name of the new VM OS disk."),
    AzOption(("--os-disk-size-gb",), INT, "OS disk size in GB to create."),
    AzOption(("--os-type",), CHOICE, "Type of OS installed on a custom VHD.", allowed=('linux', 'windows')),
    AzOption(("--source-disk-restore-point", "--source-disk-rp",), LIST, "Create a data disk from a disk restore point."),
    AzOption(("--source-disk-restore-point-size-gb", "--source-rp-size",), INT_LIST, "The size of the source disk restore point in GB."),
    AzOption(("--source-resource", "--source-snapshots-or-disks",), LIST, "Create a data disk from a snapshot or another disk."),
    AzOption(("--source-resource-size", "--source-snapshots-or-disks-size-gb",), INT_LIST, "The size of the source disk in GB."),
    AzOption(("--specialized",), BOOL3, "Indicate whether the source image is specialized."),
    AzOption(("--storage-account",), STR, "Only applicable when used with `--use-unmanaged-disk`."),
    AzOption(("--storage-container-name",), STR, "Only applicable when used with `--use-unmanaged-disk`."),
    AzOption(("--storage-sku",), LIST, "The SKU of the storage account with which to persist VM."),
    AzOption(("--ultra-ssd-enabled",), BOOL3, "Enables or disables the capability to have 1 or more managed data disks with UltraSSD_LRS storage account."),
    AzOption(("--use-unmanaged-disk",), FLAG, "Do not use managed disk to persist VM."),
)

# ---- az vm update (az 2.91: 52 options) ----

VM_UPDATE = (
    AzOption(("--add-proxy-agent-ext", "--add-proxy-agent-extension",), BOOL3, "Specify whether to implicitly install the ProxyAgent Extension."),
    AzOption(("--additional-events", "--additional-scheduled-events",), BOOL3, "The configuration parameter used while creating event grid and resource graph scheduled event setting."),
    AzOption(("--align-regional-disks", "--align-regional-disks-to-vm-zone",), BOOL3, "Specify whether the regional disks should be aligned/moved to the VM zone."),
    AzOption(("--all-instance-down", "--enable-all-instance-down",), BOOL3, "Specifies if Scheduled Events should be auto-approved when all instances are down."),
    AzOption(("--capacity-reservation-group", "--crg",), STR, "The ID or name of the capacity reservation group that is used to allocate."),
    AzOption(("--disable-capacity-reservation-assignment", "--no-cap-reservation",), BOOL3, "Explicitly opt out the VM from being associated with any capacity reservation."),
    AzOption(("--disk-caching",), LIST, "Use singular value to apply across, or specify individual disks, e.g."),
    AzOption(("--enable-hibernation",), BOOL3, "The flag that enable or disable hibernation capability on the VM."),
    AzOption(("--enable-proxy-agent",), BOOL3, "Specify whether metadata security protoco (proxy agent) feature should be enabled on the virtual machine or virtual machine scale set."),
    AzOption(("--enable-reboot", "--enable-user-reboot-scheduled-events",), BOOL3, "The configuration parameter used while publishing scheduled events additional publishing targets."),
    AzOption(("--enable-redeploy", "--enable-user-redeploy-scheduled-events",), BOOL3, "The configuration parameter used while creating user initiated redeploy scheduled event setting creation."),
    AzOption(("--enable-secure-boot",), BOOL3, "Enable secure boot."),
    AzOption(("--enable-vtpm",), BOOL3, "Enable vTPM."),
    AzOption(("--ephemeral-os-disk-placement", "--ephemeral-placement",), CHOICE, "Only applicable when used with `--size`.", allowed=('CacheDisk', 'NvmeDisk', 'ResourceDisk')),
    AzOption(("--imds-access-control-profile-reference-id", "--imds-profile-id",), STR, "Specify the access control profile version resource id resource id of imds."),
    AzOption(("--imds-mode",), CHOICE, "Specify the mode that proxy agent will execute on if the feature is enabled.", allowed=('Audit', 'Enforce')),
    AzOption(("--key-incarnation-id",), INT, "Increase the value of this property allows user to reset the key used for securing communication channel between guest and host."),
    AzOption(("--license-type",), CHOICE, "Specifies that the Windows image or disk was licensed on-premises.", allowed=('Windows_Server', 'Windows_Client', 'RHEL_BYOS', 'SLES_BYOS', 'RHEL_BASE', 'RHEL_SAPAPPS', 'RHEL_SAPHA', 'RHEL_EUS', 'RHEL_BASESAPAPPS', 'RHEL_BASESAPHA', 'SLES_STANDARD', 'SLES', 'SLES_SAP', 'SLES_HPC', 'None', 'RHEL_ELS_6', 'UBUNTU_PRO', 'UBUNTU')),
    AzOption(("--max-price",), FLOAT, "The maximum price (in US Dollars) you are willing to pay for a Spot VM/VMSS.", preview=True),
    AzOption(("--no-wait",), FLAG, "Do not wait for the long-running operation to finish."),
    AzOption(("--os-disk",), STR, "Managed OS disk ID or name to swap to."),
    AzOption(("--ppg",), STR, "The name or ID of the proximity placement group the VM should be associated with."),
    AzOption(("--priority",), CHOICE, "Priority.", allowed=('Regular', 'Low', 'Spot', 'SpotPlus')),
    AzOption(("--processor-mode",), CHOICE, "Specifies the processor mode for the virtual machine or virtual machine scale set.", allowed=('Deterministic', 'Opportunistic')),
    AzOption(("--proxy-agent-mode",), CHOICE, "Specify the mode that proxy agent will execute on if the feature is enabled.", allowed=('Audit', 'Enforce'), deprecated=True),
    AzOption(("--scheduled-events-api-version", "--se-api-version",), STR, "Specifies the api-version to determine which Scheduled Events configuration schema version will be delivered."),
    AzOption(("--security-type",), CHOICE, "Specify the security type of the virtual machine.", allowed=('TrustedLaunch', 'Standard', 'ConfidentialVM')),
    AzOption(("--size",), STR, "The new size of the virtual machine.", preview=True),
    AzOption(("--ultra-ssd-enabled",), BOOL3, "Enables or disables the capability to have 1 or more managed data disks with UltraSSD_LRS storage account."),
    AzOption(("--user-data",), STR, "UserData for the VM."),
    AzOption(("--v-cpus-available",), INT, "Specify the number of vCPUs available."),
    AzOption(("--v-cpus-per-core",), INT, "Specify the ratio of vCPU to physical core."),
    AzOption(("--wire-local-rules", "--wire-server-use-local-file-rules",), BOOL3, "When set to true, instructs the GuestProxyAgent inside the VM to load additional access control rules defined in a local file on the VM."),
    AzOption(("--wire-server-access-control-profile-reference-id", "--wire-server-profile-id",), STR, "Specify the access control profile version resource id of wire server."),
    AzOption(("--wire-server-mode",), CHOICE, "Specify the mode that proxy agent will execute on if the feature is enabled.", allowed=('Audit', 'Enforce')),
    AzOption(("--write-accelerator",), LIST, "Enable/disable disk write accelerator."),
    AzOption(("--zone", "-z",), STR, "Availability zone into which to provision the resource."),
    AzOption(("--zone-movement",), BOOL3, "Indicates if zone movement is enabled."),
    AzOption(("--host",), STR, "Resource ID of the dedicated host that the VM will reside in.", preview=True),
    AzOption(("--host-group",), STR, "Name or resource ID of the dedicated host group that the VM will reside in.", preview=True),
    AzOption(("--force-string",), FLAG, "When using 'set' or 'add', preserve string literals instead of attempting to convert to JSON."),
    AzOption(("--acquire-policy-token",), FLAG, "Acquiring an Azure Policy token automatically for this resource operation."),
    AzOption(("--change-reference",), STR, "The related change reference ID for this resource operation."),
    AzOption(("--workspace",), STR, "Name or ID of Log Analytics Workspace.", preview=True),
    AzOption(("--disk-controller-type",), CHOICE, "Specify the disk controller type configured for the VM or VMSS.", allowed=('NVMe', 'SCSI'), preview=True),
)
