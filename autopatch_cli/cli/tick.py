"""autopatch tick: advance simulated time, firing every timed transition in order."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import writer
from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit

app = typer.Typer(rich_markup_mode=None)


@app.command("tick", epilog=GLOBAL_ARGUMENTS_HELP)
def tick(
    minutes: Annotated[float, typer.Option("--minutes", help="Simulated minutes to advance.")] = None,
    hours: Annotated[float, typer.Option("--hours", help="Simulated hours to advance.")] = None,
    days: Annotated[float, typer.Option("--days", help="Simulated days to advance.")] = None,
    until: Annotated[str, typer.Option("--until", help="Advance to this ISO-8601 instant instead.")] = None,
):
    """Advance the simulated clock; feature and provider registrations (and, later, patching) happen."""
    from ..engine.clock import parse_instant
    from ..errors import UsageError, ValidationError
    from ..ops import clock

    amounts = [a for a in (minutes, hours, days) if a is not None]
    if until is not None and amounts:
        raise UsageError("usage error: --until cannot be combined with --minutes/--hours/--days")
    if until is None and not amounts:
        raise UsageError("usage error: give --minutes, --hours, --days or --until")
    if any(a <= 0 for a in amounts):
        raise ValidationError("the tick must move the clock forward: --minutes/--hours/--days must be positive")
    with writer() as state:
        if until is not None:
            try:
                target = parse_instant(until)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc
        else:
            target = clock.now(state) + clock.duration(minutes, hours, days)
        result = clock.tick(state, target)
    emit(result, _table)


def _table(result):
    return [{"Time": e["time"], "Event": e["event"]} for e in result["events"]] or [
        {"From": result["from"], "To": result["to"], "Events": 0}
    ]
