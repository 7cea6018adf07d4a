"""autopatch configure / config: defaults and settings in TOML, as az configure / az config."""

from __future__ import annotations

from typing import Annotated

import typer

from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit

configure_app = typer.Typer(rich_markup_mode=None)
config_app = typer.Typer(help="Manage autopatch configuration.", no_args_is_help=True, rich_markup_mode=None)
APPS = {"configure": configure_app, "config": config_app}
app = config_app


@configure_app.command("configure", epilog=GLOBAL_ARGUMENTS_HELP)
def configure(
    defaults: Annotated[list[str] | None, typer.Option("--defaults", "-d", help="Space-separated 'name=value' pairs for common argument defaults, e.g. group=rg location=eastus. Use '' to clear.")] = None,
    list_defaults: Annotated[bool, typer.Option("--list-defaults", "-l", help="List current defaults.")] = False,
):
    """Manage autopatch configuration (the defaults az configure sets)."""
    from .. import config
    from ..errors import ValidationError

    if defaults:
        pairs = {}
        for item in defaults:
            key, sep, value = item.partition("=")
            if not sep or key not in ("group", "location", "vm"):
                raise ValidationError(f"usage error: --defaults takes group=, location= or vm=, not '{item}'")
            pairs[f"defaults.{key}"] = value
        config.set_values(pairs)
    if list_defaults or not defaults:
        emit([{"name": k, "source": str(config.path()), "value": v} for k, v in config.load().get("defaults", {}).items()])


@config_app.command("set", epilog=GLOBAL_ARGUMENTS_HELP)
def set_(key_values: Annotated[list[str], typer.Argument(help="Space-separated section.name=value, e.g. core.output=table.")]):
    """Set configurations."""
    from .. import config
    from ..errors import ValidationError

    pairs = {}
    for item in key_values:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValidationError(f"usage error: '{item}' is not in the form section.name=value")
        if key == "core.output":
            from .common import choice
            from .globals import OUTPUT_FORMATS

            value = choice(value, OUTPUT_FORMATS, "core.output")
        pairs[key] = value
    config.set_values(pairs)


@config_app.command("get", epilog=GLOBAL_ARGUMENTS_HELP)
def get(key: Annotated[str | None, typer.Argument(help="section or section.name")] = None):
    """Get a configuration."""
    from .. import config
    from ..errors import ValidationError

    data = config.load()
    if key is None:
        emit({s: [{"name": n, "value": v} for n, v in items.items()] for s, items in data.items()})
        return
    section, _, name = key.partition(".")
    if name:
        value = data.get(section, {}).get(name)
        if value is None:
            raise ValidationError(f"Configuration '{key}' is not set.")
        emit({"name": name, "source": str(config.path()), "value": value})
    else:
        emit([{"name": n, "value": v} for n, v in data.get(section, {}).items()])


@config_app.command("unset", epilog=GLOBAL_ARGUMENTS_HELP)
def unset(keys: Annotated[list[str], typer.Argument(help="Space-separated section.name keys.")]):
    """Unset configurations."""
    from .. import config

    config.set_values(dict.fromkeys(keys))
