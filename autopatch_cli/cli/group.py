"""az group: resource groups."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import check_subscription, confirm, parse_tags, reader, writer
from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit

app = typer.Typer(help="Manage resource groups.", no_args_is_help=True, epilog=GLOBAL_ARGUMENTS_HELP,
                  rich_markup_mode=None)

Name = Annotated[str, typer.Option("--name", "-n", "--resource-group", "-g", help="Name of the new resource group.")]


def _table(groups):
    items = groups if isinstance(groups, list) else [groups]
    return [{"Name": g["name"], "Location": g["location"], "Status": g["properties"]["provisioningState"]} for g in items]


@app.command("create", epilog=GLOBAL_ARGUMENTS_HELP)
def create(
    name: Name,
    location: Annotated[str, typer.Option("--location", "-l", help="Location. Values from: az account list-locations.")] = None,
    tags: Annotated[list[str], typer.Option("--tags", help="Space-separated tags: key[=value] [key[=value] ...].")] = None,
    managed_by: Annotated[str, typer.Option("--managed-by", help="The ID of the resource that manages this resource group.")] = None,
):
    """Create a new resource group."""
    from .. import config
    from ..errors import UsageError
    from ..ops import groups

    location = location or config.get("defaults.location")
    if not location:
        raise UsageError("the following arguments are required: --location/-l")
    with writer() as state:
        check_subscription(state)
        result = groups.create(state, name, location, parse_tags(tags), managed_by)
    emit(result, _table)


@app.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def show(name: Name = None):
    """Gets a resource group."""
    from ..ops import groups
    from .common import require_group

    state = reader()
    emit(groups.show(state, require_group(name)), _table)


@app.command("list", epilog=GLOBAL_ARGUMENTS_HELP)
def list_(tag: Annotated[str, typer.Option("--tag", help="A single tag in 'key[=value]' format.")] = None):
    """List resource groups."""
    from ..ops import groups

    emit(groups.list_groups(reader(), tag), _table)


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
):
    """Delete a resource group."""
    from ..ops import groups

    confirm("Are you sure you want to perform this operation?", yes)
    with writer() as state:
        groups.delete(state, name)
