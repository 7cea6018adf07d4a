"""az account: the simulated subscription (there is exactly one, and no login)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import reader
from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit

app = typer.Typer(help="Manage the simulated subscription.", no_args_is_help=True, rich_markup_mode=None)


@app.callback()
def account():
    """Manage the simulated subscription."""


@app.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def show(name: Annotated[str | None, typer.Option("--name", "-n", help="Name or ID of subscription.")] = None):
    """Get the details of the subscription (the store's simulated one)."""
    from .globals import settings

    if name is not None:
        settings.subscription = name  # az: --name names the subscription to show, as --subscription does
    sub = reader().section("subscription")
    emit(
        {
            "environmentName": "AzureCloud",
            "homeTenantId": sub["tenantId"],
            "id": sub["id"],
            "isDefault": True,
            "managedByTenants": [],
            "name": sub["name"],
            "state": "Enabled",
            "tenantId": sub["tenantId"],
            "user": {"name": sub["user"], "type": "user"},
        }
    )
