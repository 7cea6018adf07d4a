"""az provider: resource providers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .azparse import policy_token_option
from .common import check_subscription, reader, writer
from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit, warn

app = typer.Typer(help="Manage resource providers.", no_args_is_help=True, rich_markup_mode=None)

Namespace = Annotated[str, typer.Option("--namespace", "-n", help="The resource namespace, aka 'provider'.")]
if TYPE_CHECKING:  # the typer aliases are built at run time, out of mypy's sight
    PolicyToken = bool
    ChangeReference = str | None
else:
    PolicyToken, ChangeReference = policy_token_option()


def _table(result):
    items = result if isinstance(result, list) else [result]
    return [
        {"Namespace": p["namespace"], "RegistrationPolicy": p.get("registrationPolicy"),
         "RegistrationState": p["registrationState"]}
        for p in items
    ]


def _change(namespace: str, wait: bool, action: str) -> None:
    from ..ops import providers, waits

    goal = "Registered" if action == "register" else "Unregistered"
    with writer() as state:
        check_subscription(state)
        result = getattr(providers, action)(state, namespace)
        if wait and result["registrationState"] != goal:
            waits.advance_until(state, lambda: providers.record(state, namespace)["state"] == goal)
            result = providers.show(state, namespace)
    if result["registrationState"] != goal:
        verb = "Registering" if action == "register" else "Unregistering"
        warn(f"{verb} is still on-going. You can monitor using 'az provider show -n {result['namespace']}'")


@app.command("register", epilog=GLOBAL_ARGUMENTS_HELP)
def register(
    namespace: Namespace,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the registration to finish.")] = False,
    consent_to_permissions: Annotated[bool, typer.Option("--consent-to-permissions", "-c", help="A value indicating whether authorization is consented or not.")] = False,
    management_group_id: Annotated[str | None, typer.Option("--management-group-id", "-m", help="The management group id to register.")] = None,
    acquire_policy_token: PolicyToken = False,
    change_reference: ChangeReference = None,
):
    """Register a provider."""
    _change(namespace, wait, "register")


@app.command("unregister", epilog=GLOBAL_ARGUMENTS_HELP)
def unregister(
    namespace: Namespace,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for unregistration to finish.")] = False,
):
    """Unregister a provider."""
    _change(namespace, wait, "unregister")


@app.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def show(
    namespace: Namespace,
    expand: Annotated[str | None, typer.Option("--expand", help="The property to expand.")] = None,
):
    """Gets the specified resource provider."""
    from ..ops import providers

    emit(providers.show(reader(), namespace), _table)


@app.command("list", epilog=GLOBAL_ARGUMENTS_HELP)
def list_(expand: Annotated[str | None, typer.Option("--expand", help="The property to expand.")] = None):
    """Gets all resource providers for a subscription."""
    from ..ops import providers

    emit(providers.list_providers(reader()), _table)
