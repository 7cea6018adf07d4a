"""az feature: preview features (Microsoft.Features)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .azparse import policy_token_option
from .common import check_subscription, reader, writer
from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit, warn

app = typer.Typer(help="Manage resource provider features.", no_args_is_help=True, rich_markup_mode=None)

Namespace = Annotated[str, typer.Option("--namespace", help="The resource namespace, aka 'provider'.")]
Name = Annotated[str, typer.Option("--name", "-n", help="The feature name.")]
if TYPE_CHECKING:  # the typer aliases are built at run time, out of mypy's sight
    PolicyToken = bool
    ChangeReference = str | None
else:
    PolicyToken, ChangeReference = policy_token_option()


def _table(result):
    items = result if isinstance(result, list) else [result]
    return [{"Name": f["name"], "RegistrationState": f["properties"]["state"]} for f in items]


def _change(namespace: str, name: str, action: str) -> None:
    from ..ops import features

    with writer() as state:
        check_subscription(state)
        result = getattr(features, action)(state, namespace, name)
    ns, feature = result["name"].split("/", 1)
    warn(
        f"Once the feature '{feature}' is {action}ed, invoking 'autopatch provider register -n {ns}' is required "
        "to get the change propagated"
    )
    emit(result, _table)


@app.command("register", epilog=GLOBAL_ARGUMENTS_HELP)
def register(namespace: Namespace, name: Name, acquire_policy_token: PolicyToken = False,
             change_reference: ChangeReference = None):
    """Register a preview feature."""
    _change(namespace, name, "register")


@app.command("unregister", epilog=GLOBAL_ARGUMENTS_HELP)
def unregister(namespace: Namespace, name: Name, acquire_policy_token: PolicyToken = False,
             change_reference: ChangeReference = None):
    """Unregister a preview feature."""
    _change(namespace, name, "unregister")


@app.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def show(namespace: Namespace, name: Name):
    """Gets the preview feature with the specified name."""
    from ..ops import features

    emit(features.show(reader(), namespace, name), _table)


@app.command("list", epilog=GLOBAL_ARGUMENTS_HELP)
def list_(namespace: Annotated[str | None, typer.Option("--namespace", help="The resource namespace, aka 'provider'.")] = None):
    """List preview features."""
    from ..ops import features

    emit(features.list_features(reader(), namespace), _table)
