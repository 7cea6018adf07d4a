"""az group: resource groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .azparse import policy_token_option
from .common import check_subscription, confirm, parse_tags, reader, writer
from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit

app = typer.Typer(help="Manage resource groups.", no_args_is_help=True, epilog=GLOBAL_ARGUMENTS_HELP,
                  rich_markup_mode=None)

Name = Annotated[str, typer.Option("--name", "-n", "--resource-group", "-g", help="Name of the new resource group.")]
OptionalName = Annotated[str | None, Name.__metadata__[0]]  # show: the group may come from az configure
if TYPE_CHECKING:  # the typer aliases are built at run time, out of mypy's sight
    PolicyToken = bool
    ChangeReference = str | None
else:
    PolicyToken, ChangeReference = policy_token_option()
# az group delete --force-deletion-types: the resource types ARM may force-delete, in az's order
FORCE_DELETION_TYPES = ("Microsoft.Compute/virtualMachines", "Microsoft.Compute/virtualMachineScaleSets",
                        "Microsoft.Databricks/workspaces")


def az_view(group):
    """A group as az prints it: the SDK's ResourceGroup model keeps its unset properties, so
    ``managedBy`` and ``tags`` print as null (ARM's response leaves them out)."""
    if isinstance(group, list):
        return [az_view(g) for g in group]
    return {"managedBy": None, "tags": None, **group}


def _table(groups):
    items = groups if isinstance(groups, list) else [groups]
    return [{"Name": g["name"], "Location": g["location"], "Status": g["properties"]["provisioningState"]} for g in items]


@app.command("create", epilog=GLOBAL_ARGUMENTS_HELP)
def create(
    name: OptionalName = None,
    location: Annotated[str | None, typer.Option("--location", "-l", help="Location. Values from: az account list-locations.")] = None,
    tags: Annotated[list[str] | None, typer.Option("--tags", help="Space-separated tags: key[=value] [key[=value] ...].")] = None,
    managed_by: Annotated[str | None, typer.Option("--managed-by", help="The ID of the resource that manages this resource group.")] = None,
    acquire_policy_token: PolicyToken = False,
    change_reference: ChangeReference = None,
):
    """Create a new resource group."""
    from .. import config
    from ..errors import UsageError
    from ..ops import groups

    location = location or config.get("defaults.location")
    # argparse names every missing required argument at once, as azure-cli declares them
    missing = [names for names, value in (("--name/--resource-group/-n/-g", name), ("--location/-l", location))
               if not value]
    if missing:
        raise UsageError(f"the following arguments are required: {', '.join(missing)}")
    assert name is not None and location is not None  # checked just above
    with writer() as state:
        check_subscription(state)
        result = groups.create(state, name, location, parse_tags(tags), managed_by)
    emit(az_view(result), _table)


@app.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def show(name: OptionalName = None):
    """Gets a resource group."""
    from ..ops import groups
    from .common import require_group

    state = reader()
    emit(az_view(groups.show(state, require_group(name))), _table)


@app.command("list", epilog=GLOBAL_ARGUMENTS_HELP)
def list_(tag: Annotated[str | None, typer.Option("--tag", help="A single tag in 'key[=value]' format.")] = None):
    """List resource groups."""
    from ..ops import groups

    emit(az_view(groups.list_groups(reader(), tag)), _table)


@app.command("exists", epilog=GLOBAL_ARGUMENTS_HELP)
def exists(name: Name):
    """Check if a resource group exists."""
    from ..ops import groups

    emit(groups.exists(reader(), name))


@app.command("delete", epilog=GLOBAL_ARGUMENTS_HELP)
def delete(
    name: Name,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not prompt for confirmation.")] = False,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Do not wait for the long-running operation to finish.")] = False,
    force_deletion_types: Annotated[str | None, typer.Option("--force-deletion-types", "-f", help="The resource types you want to force delete (VMs are deleted at once here anyway).  Allowed values: Microsoft.Compute/virtualMachineScaleSets, Microsoft.Compute/virtualMachines, Microsoft.Databricks/workspaces.")] = None,
    acquire_policy_token: PolicyToken = False,
    change_reference: ChangeReference = None,
):
    """Delete a resource group."""
    from ..ops import group_deletion
    from .common import choice

    choice(force_deletion_types, FORCE_DELETION_TYPES, "--force-deletion-types")

    confirm("Are you sure you want to perform this operation?", yes)
    with writer() as state:
        group_deletion.delete(state, name)
