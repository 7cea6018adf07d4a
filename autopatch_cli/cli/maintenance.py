"""az maintenance (the az `maintenance` extension's verbs): Update Manager schedules and their assignments."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ..errors import ValidationError
from .common import check_subscription, confirm, parse_tags, reader, writer
from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit

app = typer.Typer(help="Manage Maintenance configurations and their assignments.", no_args_is_help=True,
                  rich_markup_mode=None)
configuration = typer.Typer(help="Manage maintenance configurations.", no_args_is_help=True, rich_markup_mode=None)
assignment = typer.Typer(help="Manage configuration assignments.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(configuration, name="configuration")
app.add_typer(assignment, name="assignment")

API = "2023-04-01"
Group = Annotated[str, typer.Option("--resource-group", "-g", help="Name of resource group.")]
ConfigName = Annotated[str, typer.Option("--resource-name", "--name", "-n", help="Maintenance Configuration Name.")]
Location = Annotated[str | None, typer.Option("--location", "-l", help="Gets or sets location of the resource.")]
Scope = Annotated[str | None, typer.Option("--maintenance-scope", help="Gets or sets maintenanceScope of the configuration. "
                                    "Allowed values: Extension, Host, InGuestPatch, OSImage, Resource, SQLDB, "
                                    "SQLManagedInstance.")]
Duration = Annotated[str | None, typer.Option("--maintenance-window-duration", "--duration",
                                       help="Duration of the maintenance window in HH:mm format.")]
Expiration = Annotated[str | None, typer.Option("--maintenance-window-expiration-date-time", "--expiration-date-time",
                                         help="Effective expiration date of the maintenance window in YYYY-MM-DD "
                                         "hh:mm format.")]
Recur = Annotated[str | None, typer.Option("--maintenance-window-recur-every", "--recur-every",
                                    help="Rate at which a Maintenance window is expected to recur, e.g. 'Week "
                                    "Saturday,Sunday', 'Month Third Sunday Offset6'.")]
Start = Annotated[str | None, typer.Option("--maintenance-window-start-date-time", "--start-date-time",
                                    help="Effective start date of the maintenance window in YYYY-MM-DD hh:mm format.")]
TimeZone = Annotated[str | None, typer.Option("--maintenance-window-time-zone", "--time-zone",
                                       help="Name of the timezone, e.g. 'Pacific Standard Time'.")]
Namespace = Annotated[str | None, typer.Option("--namespace", help="Gets or sets namespace of the resource.")]
Visibility = Annotated[str | None, typer.Option("--visibility", help="Gets or sets the visibility of the configuration. "
                                         "Allowed values: Custom, Public.")]
ExtensionProperties = Annotated[list[str] | None, typer.Option("--extension-properties",
                                                        help="Gets or sets extensionProperties of the "
                                                        "maintenanceConfiguration: KEY=VALUE ...")]
Tags = Annotated[list[str] | None, typer.Option("--tags", help="Space-separated tags: key[=value] [key[=value] ...].")]
WindowsParameters = Annotated[list[str] | None, typer.Option(
    "--install-patches-windows-parameters", "--windows-parameters",
    help="Input parameters specific to patching a Windows machine: classifications-to-include=[Critical,Security] "
    "kb-numbers-to-include=[...] kb-numbers-to-exclude=[...] exclude-kbs-requiring-reboot=true, or JSON.")]
LinuxParameters = Annotated[list[str] | None, typer.Option(
    "--install-patches-linux-parameters", "--linux-parameters",
    help="Input parameters specific to patching Linux machine: classifications-to-include=[...] "
    "package-name-masks-to-include=[...] package-name-masks-to-exclude=[...], or JSON.")]
Reboot = Annotated[str | None, typer.Option("--reboot-setting", "--install-patches-reboot-setting",
                                     help="Possible reboot preference. Allowed values: Always, IfRequired, Never.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not prompt for confirmation.")]

# shorthand keys -> REST names
_SHORTHAND = {
    "classifications-to-include": "classificationsToInclude", "kb-numbers-to-include": "kbNumbersToInclude",
    "kb-numbers-to-exclude": "kbNumbersToExclude", "exclude-kbs-requiring-reboot": "excludeKbsRequiringReboot",
    "package-name-masks-to-include": "packageNameMasksToInclude",
    "package-name-masks-to-exclude": "packageNameMasksToExclude",
}
_BOOLEAN_KEYS = {"excludeKbsRequiringReboot"}


def shorthand(values: list[str] | None, option: str) -> dict | None:
    """az's shorthand syntax for an object of lists (``a=[x,y] b=z``), or one JSON object."""
    if not values:
        return None
    if len(values) == 1 and values[0].strip().startswith("{"):
        try:
            parsed = json.loads(values[0])
        except ValueError as exc:
            raise ValidationError(f"{option}: invalid JSON: {exc}") from exc
        return {_SHORTHAND.get(k, k): v for k, v in parsed.items()}
    out: dict = {}
    for token in values:
        key, sep, value = token.partition("=")
        if not sep:
            raise ValidationError(f"{option}: expected KEY=VALUE, not '{token}'")
        name = _SHORTHAND.get(key.strip().lower(), key.strip())
        value = value.strip().strip('"').strip("'")
        if name in _BOOLEAN_KEYS:
            out[name] = value.lower() in ("true", "1", "yes")
            continue
        items = [v.strip().strip('"') for v in value.strip("[]").split(",") if v.strip()]
        out.setdefault(name, []).extend(items)
    return out


def _pairs(values: list[str] | None, option: str) -> dict | None:
    if not values:
        return None
    out = {}
    for token in values:
        key, sep, value = token.partition("=")
        if not sep:
            raise ValidationError(f"{option}: expected KEY=VALUE, not '{token}'")
        out[key.strip()] = value.strip().strip('"')
    return out


def _view(document):
    from ..models.versions import flatten_az

    return flatten_az(document)


def _config_table(result):
    items = result if isinstance(result, list) else [result]
    return [{"Name": c.get("name"), "Location": c.get("location"), "MaintenanceScope": c.get("maintenanceScope"),
             "ResourceGroup": c.get("resourceGroup")} for c in items]


def _assignment_table(result):
    items = result if isinstance(result, list) else [result]
    return [{"Name": a.get("name"), "Location": a.get("location"),
             "MaintenanceConfigurationId": a.get("maintenanceConfigurationId")} for a in items]


def _body(location, scope, duration, expiration, recur, start, time_zone, namespace, visibility, extension, tags,
          windows, linux, reboot) -> dict:
    window = {k: v for k, v in (("startDateTime", start), ("expirationDateTime", expiration), ("duration", duration),
                                ("timeZone", time_zone), ("recurEvery", recur)) if v is not None}
    patches = {k: v for k, v in (("rebootSetting", reboot),
                                 ("windowsParameters", shorthand(windows, "--install-patches-windows-parameters")),
                                 ("linuxParameters", shorthand(linux, "--install-patches-linux-parameters")))
               if v is not None}
    props = {k: v for k, v in (("namespace", namespace), ("maintenanceScope", scope), ("visibility", visibility),
                               ("extensionProperties", _pairs(extension, "--extension-properties")),
                               ("maintenanceWindow", window or None), ("installPatches", patches or None))
             if v is not None}
    body: dict = {"properties": props}
    if location is not None:
        body["location"] = location
    parsed_tags = parse_tags(tags)
    if parsed_tags is not None:
        body["tags"] = parsed_tags
    return body


@configuration.command("create", epilog=GLOBAL_ARGUMENTS_HELP)
def configuration_create(resource_group: Group, resource_name: ConfigName, location: Location = None,
                         maintenance_scope: Scope = None, duration: Duration = None, expiration: Expiration = None,
                         recur_every: Recur = None, start: Start = None, time_zone: TimeZone = None,
                         namespace: Namespace = None, visibility: Visibility = None,
                         extension_properties: ExtensionProperties = None, tags: Tags = None,
                         windows_parameters: WindowsParameters = None, linux_parameters: LinuxParameters = None,
                         reboot_setting: Reboot = None):
    """Create configuration record."""
    from ..ops import groups, maintenance

    with writer() as state:
        check_subscription(state)
        body = _body(location or groups.require(state, resource_group)["location"], maintenance_scope, duration,
                     expiration, recur_every, start, time_zone, namespace, visibility, extension_properties, tags,
                     windows_parameters, linux_parameters, reboot_setting)
        result = maintenance.create_or_update(state, resource_group, resource_name, body)
    emit(_view(result), _config_table)


@configuration.command("update", epilog=GLOBAL_ARGUMENTS_HELP)
def configuration_update(resource_group: Group, resource_name: ConfigName, location: Location = None,
                         maintenance_scope: Scope = None, duration: Duration = None, expiration: Expiration = None,
                         recur_every: Recur = None, start: Start = None, time_zone: TimeZone = None,
                         namespace: Namespace = None, visibility: Visibility = None,
                         extension_properties: ExtensionProperties = None, tags: Tags = None,
                         windows_parameters: WindowsParameters = None, linux_parameters: LinuxParameters = None,
                         reboot_setting: Reboot = None):
    """Update configuration record."""
    from ..ops import maintenance

    with writer() as state:
        check_subscription(state)
        body = _body(location, maintenance_scope, duration, expiration, recur_every, start, time_zone, namespace,
                     visibility, extension_properties, tags, windows_parameters, linux_parameters, reboot_setting)
        if not body["properties"]:
            del body["properties"]
        result = maintenance.update(state, resource_group, resource_name, body)
    emit(_view(result), _config_table)


@configuration.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def configuration_show(resource_group: Group, resource_name: ConfigName):
    """Get Configuration record."""
    from ..ops import maintenance

    emit(_view(maintenance.show(reader(), resource_group, resource_name)), _config_table)


@configuration.command("list", epilog=GLOBAL_ARGUMENTS_HELP)
def configuration_list():
    """Get Configuration records within a subscription."""
    from ..ops import maintenance

    emit([_view(c) for c in maintenance.list_configs(reader())], _config_table)


@configuration.command("delete", epilog=GLOBAL_ARGUMENTS_HELP)
def configuration_delete(resource_group: Group, resource_name: ConfigName, yes: Yes = False):
    """Delete Configuration record."""
    from ..ops import maintenance

    confirm("Are you sure you want to perform this operation?", yes)
    with writer() as state:
        check_subscription(state)
        existing = maintenance.show(state, resource_group, resource_name)
        maintenance.delete(state, resource_group, resource_name)
    emit(_view(existing), _config_table)


# ---- assignments -------------------------------------------------------------------------------

ResourceName = Annotated[str, typer.Option("--resource-name", help="Resource identifier.")]
ResourceType = Annotated[str, typer.Option("--resource-type", help="Resource type, e.g. virtualMachines.")]
ProviderName = Annotated[str, typer.Option("--provider-name", help="Resource provider name, e.g. Microsoft.Compute.")]
AssignmentName = Annotated[str, typer.Option("--configuration-assignment-name", "--name", "-n",
                                             help="Configuration assignment name.")]
ConfigId = Annotated[str, typer.Option("--maintenance-configuration-id", "--config-id",
                                       help="The maintenance configuration Id.")]


def _check_vm_target(provider_name: str, resource_type: str) -> None:
    if provider_name.lower() != "microsoft.compute" or resource_type.lower() != "virtualmachines":
        raise ValidationError("autopatch assigns maintenance configurations to virtual machines only: use "
                              "--provider-name Microsoft.Compute --resource-type virtualMachines.")


@assignment.command("create", epilog=GLOBAL_ARGUMENTS_HELP)
def assignment_create(resource_group: Group, resource_name: ResourceName, resource_type: ResourceType,
                      provider_name: ProviderName, configuration_assignment_name: AssignmentName,
                      maintenance_configuration_id: ConfigId, location: Location = None):
    """Register configuration for resource."""
    from ..ops import maintenance

    _check_vm_target(provider_name, resource_type)
    body: dict = {"properties": {"maintenanceConfigurationId": maintenance_configuration_id}}
    if location:
        body["location"] = location
    with writer() as state:
        check_subscription(state)
        result = maintenance.assign(state, resource_group, resource_name, configuration_assignment_name, body)
    emit(_view(result), _assignment_table)


@assignment.command("list", epilog=GLOBAL_ARGUMENTS_HELP)
def assignment_list(resource_group: Group, resource_name: ResourceName, resource_type: ResourceType,
                    provider_name: ProviderName):
    """List configurationAssignments for resource."""
    from ..ops import maintenance

    _check_vm_target(provider_name, resource_type)
    emit([_view(a) for a in maintenance.list_assignments(reader(), resource_group, resource_name)],
         _assignment_table)


@assignment.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def assignment_show(resource_group: Group, resource_name: ResourceName, resource_type: ResourceType,
                    provider_name: ProviderName, configuration_assignment_name: AssignmentName):
    """Get configuration assignment for resource."""
    from ..ops import maintenance

    _check_vm_target(provider_name, resource_type)
    emit(_view(maintenance.show_assignment(reader(), resource_group, resource_name, configuration_assignment_name)),
         _assignment_table)


@assignment.command("delete", epilog=GLOBAL_ARGUMENTS_HELP)
def assignment_delete(resource_group: Group, resource_name: ResourceName, resource_type: ResourceType,
                      provider_name: ProviderName, configuration_assignment_name: AssignmentName, yes: Yes = False):
    """Unregister configuration for resource."""
    from ..ops import maintenance

    _check_vm_target(provider_name, resource_type)
    confirm("Are you sure you want to perform this operation?", yes)
    with writer() as state:
        check_subscription(state)
        deleted = maintenance.unassign(state, resource_group, resource_name, configuration_assignment_name)
    if deleted is not None:
        emit(_view(deleted), _assignment_table)
