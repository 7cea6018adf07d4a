"""az vm: virtual machines and availability sets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..azure import catalog, enums
from . import azargs, azparse
from .azparse import with_az_options
from .common import (
    check_subscription,
    choice,
    confirm,
    enum_help,
    one,
    parse_tags,
    reader,
    split_group,
    targets,
    writer,
)
from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit, warn

# az's --patch-mode choices in its declaration order
PATCH_MODES = enums.AZ_PATCH_MODES

app = typer.Typer(help="Manage Linux or Windows virtual machines.", no_args_is_help=True, rich_markup_mode=None)
avset_app = typer.Typer(help="Group resources into availability sets.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(avset_app, name="availability-set")

VM_TYPE = "Microsoft.Compute/virtualMachines"
Group = Annotated[str | None, typer.Option("--resource-group", "-g", help="Name of resource group. You can configure the default group using `az configure --defaults group=<name>`.")]
VmName = Annotated[str | None, typer.Option("--name", "-n", help="The name of the Virtual Machine.")]
RequiredVmName = Annotated[str, VmName.__metadata__[0]]  # create: typer makes it required
Ids = Annotated[list[str] | None, typer.Option("--ids", help="One or more resource IDs (space-delimited). You should provide either --ids or other 'Resource Id' arguments.")]
NoWait = Annotated[bool, typer.Option("--no-wait", help="Do not wait for the long-running operation to finish.")]
# aaz's --no-wait (start, deallocate, delete, assess-patches): alone it means true, or it takes a value
AazNoWait = Annotated[str | None, typer.Option("--no-wait", help="Do not wait for the long-running operation to finish.  Allowed values: 0, 1, f, false, n, no, t, true, y, yes.")]
VmNameAlias = Annotated[str | None, typer.Option("--name", "--vm-name", "-n", help="The name of the Virtual Machine. You can configure the default using `az configure --defaults vm=<name>`.")]
if TYPE_CHECKING:  # the typer aliases are built at run time, out of mypy's sight
    PolicyToken = bool
    ChangeReference = str | None
else:
    PolicyToken, ChangeReference = azparse.policy_token_option()


def _vm_table(result):
    """az's ``transform_vm``: power state, public IPs and FQDNs appear with ``-d`` (they are None,
    so dropped, otherwise); the Zones column only for a VM that has zones."""
    items = result if isinstance(result, list) else [result]
    rows = []
    for v in items:
        row = {"Name": v["name"], "ResourceGroup": v["resourceGroup"], "PowerState": v.get("powerState"),
               "PublicIps": v.get("publicIps"), "Fqdns": v.get("fqdns"), "Location": v["location"]}
        if v.get("zones") is not None:
            row["Zones"] = ",".join(v["zones"])
        rows.append(row)
    return rows


def _instance_view_table(result):
    items = result if isinstance(result, list) else [result]
    rows = []
    for v in items:
        statuses = v.get("instanceView", {}).get("statuses", [])
        rows.append({
            "Name": v["name"], "ResourceGroup": v["resourceGroup"], "Location": v["location"],
            "ProvisioningState": v.get("provisioningState"),
            "PowerState": statuses[1]["displayStatus"] if len(statuses) > 1 else None,
        })
    return rows


def _az_view(document: dict) -> dict:
    from ..models.versions import NEWEST, flatten_az, for_api_version

    # the wire shape first: the store keeps fields (rebootStatus, startedBy) newer api-versions dropped
    return flatten_az(for_api_version(document, NEWEST))


@app.command("create", epilog=GLOBAL_ARGUMENTS_HELP)
@with_az_options(azargs.VM_CREATE)
def create(
    name: RequiredVmName,
    resource_group: Group = None,
    image: Annotated[str | None, typer.Option("--image", help="The name of the operating system image as a URN alias (e.g. Win2019Datacenter), or URN (Publisher:Offer:Sku:Version), or custom image ID.")] = None,
    location: Annotated[str | None, typer.Option("--location", "-l", help="Location in which to create VM. Defaults to the resource group's location.")] = None,
    zone: Annotated[str | None, typer.Option("--zone", "-z", help="Availability zone into which to provision the resource.")] = None,
    availability_set: Annotated[str | None, typer.Option("--availability-set", help="Name or ID of an existing availability set to add the VM to.")] = None,
    size: Annotated[str | None, typer.Option("--size", help="The VM size to be created. Default: Standard_D2s_v5.")] = None,
    tags: Annotated[list[str] | None, typer.Option("--tags", help="Space-separated tags: key[=value] [key[=value] ...].")] = None,
    admin_username: Annotated[str | None, typer.Option("--admin-username", help="Username for the VM. Default value is current username of OS (azureuser when that is reserved).")] = None,
    admin_password: Annotated[str | None, typer.Option("--admin-password", help="Password for the VM. Validated, then never stored or printed.")] = None,
    enable_agent: Annotated[str | None, typer.Option("--enable-agent", help="Indicates whether virtual machine agent should be provisioned on the virtual machine.  Allowed values: false, true.")] = None,
    enable_auto_update: Annotated[str | None, typer.Option("--enable-auto-update", help="Indicate whether Automatic Updates is enabled for the Windows virtual machine.  Allowed values: false, true.")] = None,
    patch_mode: Annotated[str | None, typer.Option("--patch-mode", help=f"Mode of in-guest patching to IaaS virtual machine.  {enum_help(enums.AZ_PATCH_MODES)}")] = None,
    enable_hotpatching: Annotated[str | None, typer.Option("--enable-hotpatching", help="Patch VMs without requiring a reboot.  Allowed values: false, true.")] = None,
    time_zone: Annotated[str | None, typer.Option("--time-zone", help="[autopatch addition] Windows time zone of the VM, e.g. 'Pacific Standard Time' (default UTC). Sets osProfile.windowsConfiguration.timeZone.")] = None,
    computer_name: Annotated[str | None, typer.Option("--computer-name", help="The host OS name of the virtual machine. Defaults to the name of the VM.")] = None,
    count: Annotated[str | None, typer.Option("--count", help="[Preview] Number of virtual machines to create. Value range is [2, 250], inclusive.")] = None,
    authentication_type: Annotated[str | None, typer.Option("--authentication-type", help="Type of authentication to use with the VM.  Allowed values: all, password, ssh.")] = None,
    no_wait: NoWait = False,
    **az,
):
    """Create an Azure Virtual Machine.

    Every option of az 2.91 parses and is validated as az does. The options the VM model has a place
    for are kept (license type, OS and data disks, storage SKUs, secrets, boot diagnostics, the
    network choices); the others change nothing autopatch emulates and are left out.
    """
    from ..errors import UsageError
    from ..ops import vm_create
    from .azparse import three_state

    # az refuses a bad value while parsing, before it looks for what is missing
    agent, auto_update = three_state(enable_agent, "--enable-agent"), three_state(enable_auto_update, "--enable-auto-update")
    mode, hotpatching = choice(patch_mode, PATCH_MODES, "--patch-mode"), three_state(enable_hotpatching, "--enable-hotpatching")
    if authentication_type is not None:
        authentication_type = choice(authentication_type, ("ssh", "password", "all"), "--authentication-type")
    vm_count = None if count is None else azparse.convert(azargs.AzOption(("--count",), azargs.INT), count)
    group = _create_group(resource_group)
    if not image:
        if az.get("attach_os_disk") is None:
            raise UsageError("the following arguments are required: --image")
        image = ""
    _check_network_values(az)
    options = {
        "location": location,
        "zone": zone,
        "availability_set": availability_set,
        "size": size,
        "tags": parse_tags(tags),
        "admin_username": admin_username,
        "admin_password": admin_password,
        "enable_agent": agent,
        "enable_auto_update": auto_update,
        "patch_mode": mode,
        "enable_hotpatching": hotpatching,
        "time_zone": time_zone,
        "computer_name": computer_name,
        "authentication_type": authentication_type,
    }

    class _ValidatedOnly(Exception):
        """--validate: everything is checked, nothing is kept (the session is not saved)."""

    validated: dict = {}
    made: list = []
    try:
        with writer() as state:
            check_subscription(state)
            summaries = vm_create.create(state, group, name, image, count=vm_count, client_options=az, warn=warn,
                                         made=made, **options)
            if az.get("validate"):  # az prints ARM's validation of the deployment it would send
                from ..ops.deployments import vm_create_validation

                validated = vm_create_validation(state, group, bool(admin_password), made)
                raise _ValidatedOnly
    except _ValidatedOnly:
        emit(validated)
        return
    if not no_wait:
        emit(summaries if vm_count else summaries[0], _create_table)


def _create_table(result):
    """az's ``transform_vm_create_output`` column order (the id is left out of tables, as knack does)."""
    items = result if isinstance(result, list) else [result]
    return [{key: item.get(key) for key in ("resourceGroup", "powerState", "publicIpAddress", "fqdns",
                                            "privateIpAddress", "macAddress", "location", "zones")}
            for item in items]


def _create_group(resource_group: str | None) -> str:
    """az vm create without a group (none configured either): argparse's error, exit 2 (az 2.91 measured,
    tests/test_real_az_errors.py)."""
    from ..errors import UsageError
    from .common import default_group

    group = default_group(resource_group)
    if not group:
        raise UsageError("the following arguments are required: --resource-group/-g")
    return group


def _check_network_values(az: dict) -> None:
    """Checks of the network options' values before anything is sent (the address prefixes are the Network
    provider's to refuse, as az sends them unchecked: ops/network.py)."""
    import ipaddress

    from ..errors import ValidationError

    if az.get("private_ip_address") is not None:
        try:
            ipaddress.ip_address(az["private_ip_address"])
        except ValueError:
            raise ValidationError(f"usage error: '{az['private_ip_address']}' is not a valid IP address") from None
    if az.get("storage_sku"):
        from ..ops.vm_create import storage_skus

        storage_skus(az["storage_sku"])


@app.command("update", epilog=GLOBAL_ARGUMENTS_HELP)
@with_az_options(azargs.VM_UPDATE)
def update(
    resource_group: Group = None,
    name: VmName = None,
    ids: Ids = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Update an object by specifying a property path and value to set. Example: --set property1.property2=<value>.")] = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="Add an object to a list of objects by specifying a path and key value pairs. Example: --add property.listProperty <key=value, string or JSON string>.")] = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", help="Remove a property or an element from a list. Example: --remove property.list <indexToRemove> OR --remove propertyToRemove.")] = None,
    size: Annotated[str | None, typer.Option("--size", help="[Preview] The new size of the virtual machine.")] = None,
    no_wait: NoWait = False,
    **az,
):
    """Update the properties of a VM.

    Every option of az 2.91 parses and is validated. --size, --license-type, --zone and the generic
    --set/--add/--remove (with --force-string) change the VM; the others touch properties autopatch
    does not model (security, spot pricing, proxy agent, scheduled events...) and change nothing.
    """
    from ..ops import vms

    sets = list(set_ or [])
    if size:
        sets.append(f"hardwareProfile.vmSize={size}")
    if az.get("license_type") is not None:
        sets.append(f"licenseType={az['license_type']}")
    results = []
    with writer() as state:
        check_subscription(state)
        for group, vm_name in targets(resource_group, name, ids, VM_TYPE):
            results.append(_az_view(vms.update_generic(
                state, group, vm_name, sets=sets,
                adds=[split_group(a) for a in add or []],
                removes=[split_group(r) for r in remove or []],
                force_string=bool(az.get("force_string")),
            )))
    if not no_wait:
        emit(one(results), _vm_table)


@app.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def show(
    resource_group: Group = None,
    name: VmName = None,
    ids: Ids = None,
    show_details: Annotated[bool, typer.Option("--show-details", "-d", help="Show public ip address, FQDN, and power states.")] = False,
    include_user_data: Annotated[bool, typer.Option("--include-user-data", "-u", help="Include the user data properties in the query result (autopatch keeps no user data, so nothing is added).")] = False,
):
    """Get the details of a VM."""
    from ..ops import vms

    state = reader()
    results = []
    for group, vm_name in targets(resource_group, name, ids, VM_TYPE):
        record = vms.require(state, group, vm_name)
        view = _az_view(vms.resource(record))
        if show_details:
            view.update(_details(record))
        results.append(view)
    emit(one(results), _vm_table)


def _details(record: dict) -> dict:
    from ..ops import vms

    sim = record["sim"]
    return {
        "fqdns": sim.get("fqdns", ""),
        "macAddresses": sim["macAddress"],
        "powerState": vms.POWER_DISPLAY[sim["power"]],
        "privateIps": sim["privateIpAddress"],
        "publicIps": sim["publicIpAddress"],
    }


@app.command("list", epilog=GLOBAL_ARGUMENTS_HELP)
def list_(
    resource_group: Group = None,
    show_details: Annotated[bool, typer.Option("--show-details", "-d", help="Show public ip address, FQDN, and power states.")] = False,
    vmss: Annotated[str | None, typer.Option("--vmss", help="List VM instances in a specific VMSS. Please specify the VMSS id or VMSS name.")] = None,
):
    """List details of Virtual Machines."""
    from ..ops import vms
    from .common import default_group

    if vmss is not None:
        from ..errors import resource_not_found

        # autopatch has no scale sets: the one named cannot exist (az gets ARM's not-found)
        raise resource_not_found("Microsoft.Compute/virtualMachineScaleSets", vmss, str(default_group(resource_group)))
    state = reader()
    records = vms.list_records(state, default_group(resource_group))
    if resource_group:
        from ..ops import groups

        groups.require(state, resource_group)
    results = []
    for record in records:
        view = _az_view(vms.resource(record))
        if show_details:
            view.update(_details(record))
        results.append(view)
    emit(results, _vm_table)


@app.command("get-instance-view", epilog=GLOBAL_ARGUMENTS_HELP)
def get_instance_view(resource_group: Group = None, name: VmName = None, ids: Ids = None,
                      acquire_policy_token: PolicyToken = False, change_reference: ChangeReference = None):
    """Get instance information about a VM."""
    from ..ops import vms

    state = reader()
    results = [
        _az_view(vms.with_instance_view(vms.require(state, group, vm_name)))
        for group, vm_name in targets(resource_group, name, ids, VM_TYPE)
    ]
    emit(one(results), _instance_view_table)


@app.command("delete", epilog=GLOBAL_ARGUMENTS_HELP)
def delete(
    resource_group: Group = None,
    name: VmName = None,
    ids: Ids = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not prompt for confirmation.")] = False,
    no_wait: AazNoWait = None,
    force_deletion: Annotated[str | None, typer.Option("--force-deletion", help="Optional parameter to force delete virtual machines.  Allowed values: 0, 1, f, false, n, no, t, true, y, yes.")] = None,
    acquire_policy_token: PolicyToken = False,
    change_reference: ChangeReference = None,
):
    """Delete a virtual machine."""
    from ..ops import vms

    azparse.aaz_bool(no_wait, "--no-wait")
    azparse.aaz_bool(force_deletion, "--force-deletion")
    pairs = targets(resource_group, name, ids, VM_TYPE)
    confirm("Are you sure you want to perform this operation?", yes)
    with writer() as state:
        check_subscription(state)
        for group, vm_name in pairs:
            vms.delete(state, group, vm_name)


def _power(resource_group, name, ids, action: str) -> None:
    from ..ops import vms

    with writer() as state:
        check_subscription(state)
        for group, vm_name in targets(resource_group, name, ids, VM_TYPE):
            vms.set_power(state, group, vm_name, action)


@app.command("start", epilog=GLOBAL_ARGUMENTS_HELP)
def start(resource_group: Group = None, name: VmNameAlias = None, ids: Ids = None, no_wait: AazNoWait = None,
          acquire_policy_token: PolicyToken = False, change_reference: ChangeReference = None):
    """Start a stopped VM."""
    azparse.aaz_bool(no_wait, "--no-wait")
    _power(resource_group, name, ids, "start")


@app.command("stop", epilog=GLOBAL_ARGUMENTS_HELP)
def stop(
    resource_group: Group = None,
    name: VmName = None,
    ids: Ids = None,
    skip_shutdown: Annotated[bool, typer.Option("--skip-shutdown", help="Skip shutdown and power-off immediately.")] = False,
    no_wait: NoWait = False,
    acquire_policy_token: PolicyToken = False,
    change_reference: ChangeReference = None,
):
    """Power off (stop) a running VM. The VM will continue to be billed."""
    warn('Virtual machine will continue to be billed. To avoid this, you can deallocate the VM through "az vm deallocate"')
    _power(resource_group, name, ids, "stop")


@app.command("deallocate", epilog=GLOBAL_ARGUMENTS_HELP)
def deallocate(
    resource_group: Group = None,
    name: VmNameAlias = None,
    ids: Ids = None,
    no_wait: AazNoWait = None,
    force_deallocate: Annotated[str | None, typer.Option("--force-deallocate", help="Optional parameter to force deallocate a virtual machine. Default is false.  Allowed values: 0, 1, f, false, n, no, t, true, y, yes.")] = None,
    hibernate: Annotated[str | None, typer.Option("--hibernate", help="Optional parameter to hibernate a virtual machine.  Allowed values: 0, 1, f, false, n, no, t, true, y, yes.")] = None,
    acquire_policy_token: PolicyToken = False,
    change_reference: ChangeReference = None,
):
    """Deallocate a VM so that computing resources are no longer allocated.

    --force-deallocate ends the same way here (the guest's shutdown is not emulated); --hibernate
    deallocates too (a hibernated VM is deallocated, and hibernation is not emulated).
    """
    azparse.aaz_bool(no_wait, "--no-wait")
    azparse.aaz_bool(force_deallocate, "--force-deallocate")
    azparse.aaz_bool(hibernate, "--hibernate")
    _power(resource_group, name, ids, "deallocate")


@app.command("restart", epilog=GLOBAL_ARGUMENTS_HELP)
def restart(
    resource_group: Group = None,
    name: VmName = None,
    ids: Ids = None,
    force: Annotated[bool, typer.Option("--force", help="Force the VM to restart by redeploying it.")] = False,
    no_wait: NoWait = False,
):
    """Restart VMs."""
    _power(resource_group, name, ids, "restart")


# ---- availability sets -------------------------------------------------------------------------

AVSET_TYPE = "Microsoft.Compute/availabilitySets"
AvsetName = Annotated[str | None, typer.Option("--name", "-n", help="Name of the availability set.")]
RequiredAvsetName = Annotated[str, AvsetName.__metadata__[0]]  # create: typer makes it required


def _avset_table(result):
    items = result if isinstance(result, list) else [result]
    return [
        {"Name": a["name"], "ResourceGroup": a["resourceGroup"], "Location": a["location"],
         "FaultDomainCount": a["platformFaultDomainCount"], "UpdateDomainCount": a["platformUpdateDomainCount"]}
        for a in items
    ]


@avset_app.command("create", epilog=GLOBAL_ARGUMENTS_HELP)
def avset_create(
    name: RequiredAvsetName,
    resource_group: Group = None,
    location: Annotated[str | None, typer.Option("--location", "-l", help="Location. Defaults to the resource group's location.")] = None,
    platform_fault_domain_count: Annotated[int, typer.Option("--platform-fault-domain-count", help="Fault Domain count.")] = 2,
    platform_update_domain_count: Annotated[int | None, typer.Option("--platform-update-domain-count", help="Update Domain count. If unspecified, the server will pick the most optimal number like 5.")] = None,
    unmanaged: Annotated[bool, typer.Option("--unmanaged", help="Contained VMs should use unmanaged disks.")] = False,
    tags: Annotated[list[str] | None, typer.Option("--tags", help="Space-separated tags: key[=value] [key[=value] ...].")] = None,
    ppg: Annotated[str | None, typer.Option("--ppg", help="The name or ID of the proximity placement group the availability set should be associated with (proximity placement is not emulated: not kept).")] = None,
    validate: Annotated[bool, typer.Option("--validate", help="Generate and validate the ARM template without creating any resources.")] = False,
    no_wait: NoWait = False,
):
    """Create an Azure Availability Set.

    --validate runs every check and keeps nothing; --no-wait prints nothing.
    """
    from ..models.versions import flatten_az
    from ..ops import availability_sets
    from .common import require_group

    group = require_group(resource_group)

    class _ValidatedOnly(Exception):
        """--validate: checked, not kept (the session is not saved)."""

    try:
        with writer() as state:
            check_subscription(state)
            result = availability_sets.create(
                state, group, name, location, platform_update_domain_count, platform_fault_domain_count,
                unmanaged, parse_tags(tags),
            )
            if validate:
                raise _ValidatedOnly
    except _ValidatedOnly:
        return
    if not no_wait:
        emit(flatten_az(result), _avset_table)


@avset_app.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def avset_show(resource_group: Group = None, name: AvsetName = None, ids: Ids = None):
    """Get information about an availability set."""
    from ..models.versions import flatten_az
    from ..ops import availability_sets

    state = reader()
    results = [
        flatten_az(availability_sets.show(state, group, avset))
        for group, avset in targets(resource_group, name, ids, AVSET_TYPE)
    ]
    emit(one(results), _avset_table)


@avset_app.command("list", epilog=GLOBAL_ARGUMENTS_HELP)
def avset_list(resource_group: Group = None):
    """List availability sets."""
    from ..models.versions import flatten_az
    from ..ops import availability_sets
    from .common import default_group

    state = reader()
    emit([flatten_az(a) for a in availability_sets.list_sets(state, default_group(resource_group))], _avset_table)


# ---- on-demand patching: assess-patches, install-patches ---------------------------------------

# az's client-side choices in their declaration order (the SDK enums', as its errors list them)
WINDOWS_CLASSIFICATIONS = catalog.WINDOWS_PATCH_CLASSIFICATIONS
LINUX_CLASSIFICATIONS = catalog.LINUX_PATCH_CLASSIFICATIONS
REBOOT_SETTINGS = catalog.REBOOT_SETTINGS
# The same values in the order az 2.91 declares them (its errors list them so): the SDK enums' order.
AZ_REBOOT_SETTINGS = ("Always", "IfRequired", "Never")
AZ_WINDOWS_CLASSIFICATIONS = ("Critical", "Definition", "FeaturePack", "Security", "ServicePack", "Tools", "Updates",
                              "UpdateRollUp")
AZ_LINUX_CLASSIFICATIONS = ("Critical", "Other", "Security")
assert sorted(AZ_REBOOT_SETTINGS) == sorted(REBOOT_SETTINGS)
assert sorted(AZ_WINDOWS_CLASSIFICATIONS) == sorted(WINDOWS_CLASSIFICATIONS)
assert sorted(AZ_LINUX_CLASSIFICATIONS) == sorted(LINUX_CLASSIFICATIONS)
AssessName = Annotated[str | None, typer.Option("--name", "--vm-name", "-n", help="The name of the Virtual Machine. You can configure the default using `az configure --defaults vm=<name>`.")]
Strings = list[str]


@app.command("assess-patches", epilog=GLOBAL_ARGUMENTS_HELP)
def assess_patches(
    resource_group: Group = None,
    name: AssessName = None,
    ids: Ids = None,
    no_wait: AazNoWait = None,
    acquire_policy_token: PolicyToken = False,
    change_reference: ChangeReference = None,
):
    """Assess patches on a VM."""
    wait = not azparse.aaz_bool(no_wait, "--no-wait")
    pairs = targets(resource_group, name, ids, VM_TYPE)
    from ..ops import ondemand

    results = []
    with writer() as state:
        check_subscription(state)
        for group, vm_name in pairs:
            results.append(ondemand.assess(state, group, vm_name, wait=wait))
    if wait:
        emit(one([_az_view(r) for r in results if r is not None]))  # all of them: each was waited for


def install_parameters(
    maximum_duration: str,
    reboot_setting: str,
    *,
    classifications_win: Strings | None = None,
    kb_include: Strings | None = None,
    kb_exclude: Strings | None = None,
    exclude_kbs_requiring_reboot: bool | None = None,
    max_patch_publish_date: str | None = None,
    classifications_linux: Strings | None = None,
    package_include: Strings | None = None,
    package_exclude: Strings | None = None,
) -> dict:
    """The ``VirtualMachineInstallPatchesParameters`` body az sends for these flags (values validated
    as az validates them; what Azure refuses is the operations layer's to say)."""
    from ..models.compute import LinuxParameters, VirtualMachineInstallPatchesParameters, WindowsParameters

    windows = WindowsParameters(
        classificationsToInclude=classifications_win,
        kbNumbersToInclude=kb_include,
        kbNumbersToExclude=kb_exclude,
        excludeKbsRequiringReboot=exclude_kbs_requiring_reboot,
        maxPatchPublishDate=max_patch_publish_date,
    )
    linux = LinuxParameters(
        classificationsToInclude=classifications_linux,
        packageNameMasksToInclude=package_include,
        packageNameMasksToExclude=package_exclude,
    )
    return VirtualMachineInstallPatchesParameters(
        maximumDuration=maximum_duration,
        rebootSetting=reboot_setting,
        windowsParameters=windows if windows.wire() else None,
        linuxParameters=linux if linux.wire() else None,
    ).wire()


def _choices(values: list[str] | None, allowed: tuple[str, ...], option: str) -> list[str] | None:
    return None if values is None else [choice(v, allowed, option) for v in values]


def _publish_date(value: str | None) -> str | None:
    if value is None:
        return None
    from ..engine.clock import parse_instant
    from ..errors import UsageError

    try:
        parse_instant(value)
    except (ValueError, OverflowError) as exc:
        raise UsageError(
            f"argument --max-patch-publish-date: '{value}' is not a valid ISO 8601 date-time, e.g. "
            "2020-11-19T02:36:43.0539904+00:00"
        ) from exc
    return value


@app.command("install-patches", epilog=GLOBAL_ARGUMENTS_HELP)
def install_patches(
    resource_group: Group = None,
    name: VmName = None,
    ids: Ids = None,
    maximum_duration: Annotated[str | None, typer.Option("--maximum-duration", help="[Required] Specify the maximum amount of time that the operation will run. It must be an ISO 8601-compliant duration string such as PT4H (4 hours).")] = None,
    reboot_setting: Annotated[str | None, typer.Option("--reboot-setting", help=f"[Required] Define when it is acceptable to reboot a VM during a software update operation.  {enum_help(REBOOT_SETTINGS)}")] = None,
    classifications_to_include_win: Annotated[Strings | None, typer.Option("--classifications-to-include-win", help=f"Space-separated list of classifications to include for Windows VM.  {enum_help(WINDOWS_CLASSIFICATIONS)}")] = None,
    classifications_to_include_linux: Annotated[Strings | None, typer.Option("--classifications-to-include-linux", help=f"Space-separated list of classifications to include for Linux VM.  {enum_help(LINUX_CLASSIFICATIONS)}")] = None,
    exclude_kbs_requiring_reboot: Annotated[str | None, typer.Option("--exclude-kbs-requiring-reboot", help="Filter out KBs that don't have a reboot behavior of 'NeverReboots' when this is set. Applicable to Windows VM only.  Allowed values: false, true.")] = None,
    kb_numbers_to_exclude: Annotated[Strings | None, typer.Option("--kb-numbers-to-exclude", help="Space-separated list of KBs to exclude in the patch operation. Applicable to Windows VM only.")] = None,
    kb_numbers_to_include: Annotated[Strings | None, typer.Option("--kb-numbers-to-include", help="Space-separated list of KBs to include in the patch operation. Applicable to Windows VM only.")] = None,
    max_patch_publish_date: Annotated[str | None, typer.Option("--max-patch-publish-date", help="ISO 8601 time value for install patch that were published on or before this given max published date. Format: date (yyyy-mm-dd) time (hh:mm:ss.xxxxx) timezone (+/-hh:mm).")] = None,
    package_name_masks_to_exclude: Annotated[Strings | None, typer.Option("--package-name-masks-to-exclude", help="Space-separated list of packages to exclude in the patch operation. Format: packageName_packageVersion. Applicable to Linux VM only.")] = None,
    package_name_masks_to_include: Annotated[Strings | None, typer.Option("--package-name-masks-to-include", help="Space-separated list of packages to include in the patch operation. Format: packageName_packageVersion. Applicable to Linux VM only.")] = None,
    no_wait: NoWait = False,
    acquire_policy_token: PolicyToken = False,
    change_reference: ChangeReference = None,
):
    """Install patches on a VM."""
    from ..errors import UsageError

    # az refuses a bad value while parsing, before it looks for what is missing
    choice(reboot_setting, AZ_REBOOT_SETTINGS, "--reboot-setting")
    _choices(classifications_to_include_win, AZ_WINDOWS_CLASSIFICATIONS, "--classifications-to-include-win")
    _choices(classifications_to_include_linux, AZ_LINUX_CLASSIFICATIONS, "--classifications-to-include-linux")
    azparse.three_state(exclude_kbs_requiring_reboot, "--exclude-kbs-requiring-reboot")
    missing = [flag for flag, value in (("--maximum-duration", maximum_duration), ("--reboot-setting", reboot_setting))
               if value is None]
    if missing:
        raise UsageError(f"the following arguments are required: {', '.join(missing)}")
    assert maximum_duration is not None and reboot_setting is not None  # checked just above
    parameters = install_parameters(
        maximum_duration,
        choice(reboot_setting, REBOOT_SETTINGS, "--reboot-setting"),
        classifications_win=_choices(classifications_to_include_win, WINDOWS_CLASSIFICATIONS, "--classifications-to-include-win"),
        kb_include=kb_numbers_to_include,
        kb_exclude=kb_numbers_to_exclude,
        exclude_kbs_requiring_reboot=azparse.three_state(exclude_kbs_requiring_reboot, "--exclude-kbs-requiring-reboot"),
        max_patch_publish_date=_publish_date(max_patch_publish_date),
        classifications_linux=_choices(classifications_to_include_linux, LINUX_CLASSIFICATIONS, "--classifications-to-include-linux"),
        package_include=package_name_masks_to_include,
        package_exclude=package_name_masks_to_exclude,
    )
    pairs = targets(resource_group, name, ids, VM_TYPE)
    from ..ops import ondemand

    results = []
    with writer() as state:
        check_subscription(state)
        for group, vm_name in pairs:
            results.append(ondemand.install(state, group, vm_name, parameters, wait=not no_wait))
    if not no_wait:
        emit(one([_az_view(r) for r in results if r is not None]))  # all of them: each was waited for


# ---- az vm wait ----------------------------------------------------------------------------------


@app.command("wait", epilog=GLOBAL_ARGUMENTS_HELP)
def wait(
    resource_group: Group = None,
    name: VmName = None,
    ids: Ids = None,
    created: Annotated[bool, typer.Option("--created", help="Wait until created with 'provisioningState' at 'Succeeded'.")] = False,
    custom: Annotated[str | None, typer.Option("--custom", help="Wait until the condition satisfies a custom JMESPath query. E.g. provisioningState!='InProgress', instanceView.statuses[?code=='PowerState/running'].")] = None,
    deleted: Annotated[bool, typer.Option("--deleted", help="Wait until deleted.")] = False,
    exists: Annotated[bool, typer.Option("--exists", help="Wait until the resource exists.")] = False,
    interval: Annotated[int, typer.Option("--interval", help="Polling interval in seconds (simulated time).  Default: 30.")] = 30,
    timeout: Annotated[int, typer.Option("--timeout", help="Maximum wait in seconds (simulated time).  Default: 3600.")] = 3600,
    updated: Annotated[bool, typer.Option("--updated", help="Wait until updated with provisioningState at 'Succeeded'.")] = False,
):
    """Place the CLI in a waiting state until a condition of the VM is met.

    Waiting moves the simulated clock (interval by interval), firing what falls due meanwhile. As
    az does, a wait that times out prints {} and exits 0.
    """
    from ..errors import AutopatchError
    from ..ops import vms, waits
    from ..ops.state import now_text

    condition = _custom_condition(custom)
    pairs = targets(resource_group, name, ids, VM_TYPE)
    results: list[dict | None] = []
    error = None
    with writer() as state:
        check_subscription(state)
        started = now_text(state)
        for group, vm_name in pairs:
            def getter(group=group, vm_name=vm_name):
                return _az_view(vms.with_instance_view(vms.require(state, group, vm_name)))

            try:
                done = waits.wait_resource(
                    state, getter, created=created, updated=updated, deleted=deleted, exists=exists,
                    custom=condition, timeout=timeout, interval=interval,
                )
            except AutopatchError as exc:
                if now_text(state) == started:
                    raise  # nothing happened: the store stays as it was
                error = exc  # time has passed: keep it, then report the failure
                break
            results.append(None if done else {})
    if error is not None:
        raise error
    if any(r is not None for r in results):
        emit(one(results))  # az returns its timeout CLIError as the result: printed as {} (azure-cli #34004)


def _custom_condition(custom: str | None):
    if custom is None:
        return None
    import jmespath
    from jmespath.exceptions import JMESPathError

    from ..errors import UsageError

    try:
        expression = jmespath.compile(custom)
    except JMESPathError as exc:
        raise UsageError(f"argument --custom: invalid jmespath_type value: '{custom}'") from exc
    return expression.search
