"""autopatch clock: the simulated clock (autopatch's own; az has no such thing)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import reader, writer
from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit

app = typer.Typer(help="Show or set the simulated clock.", no_args_is_help=True, rich_markup_mode=None)


@app.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def show():
    """Show the simulated time, the store's start instant and its seed."""
    from ..ops import clock

    emit(clock.show(reader()))


@app.command("set", epilog=GLOBAL_ARGUMENTS_HELP)
def set_(
    instant: Annotated[str, typer.Argument(help="ISO-8601 date-time, e.g. 2020-10-13T00:00:00Z.")],
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of a new store (only before anything exists).")] = None,
):
    """Set the simulated time. Forward fires what falls due; backward only on an empty store."""
    from ..ops import clock

    when = clock.parse_instant_argument(instant, "INSTANT")
    with writer() as state:
        if seed is not None:
            _reseed(state, seed)
        result = clock.set_clock(state, when)
    emit(result)


def _reseed(state, seed: int) -> None:
    from ..errors import ValidationError
    from ..ops.state import new_state

    if state.section("vms") or state.section("resourceGroups") or state.section("timers"):
        raise ValidationError("--seed can only be set on a new store, before any resource exists.")
    fresh = new_state(seed)
    fresh["clock"] = state.data["clock"]
    state.data.clear()
    state.data.update(fresh)
