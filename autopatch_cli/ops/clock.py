"""The simulated clock: show, set, and tick (advance time, firing due transitions in order)."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..engine.clock import format_instant, from_epoch, to_epoch
from ..errors import ValidationError
from . import features, patching, providers
from .state import now  # noqa: F401  (re-exported for the CLI)
from .timers import queue, save

# Who handles a timer, by the first part of its kind.
_HANDLERS = {
    "feature": features.on_timer,
    "provider": providers.on_timer,
}


def show(state) -> dict:
    clock = state.section("clock")
    return {"now": clock["now"], "start": clock["start"], "seed": state.section("meta")["seed"]}


def set_clock(state, instant: datetime) -> dict:
    """Move the clock to ``instant``: forward fires what falls due, backward is refused once in use."""
    current = now(state)
    if instant < current and (state.section("vms") or state.section("timers")):
        raise ValidationError(
            f"cannot move the clock back from {format_instant(current)} to {format_instant(instant)} "
            "on a store with resources: simulated time only moves forward. Use a new store (--state)."
        )
    if _pristine(state) or instant < current:
        # a new store starts where it is set: its start instant moves with it
        state.data["clock"]["now"] = state.data["clock"]["start"] = format_instant(instant)
    elif instant > current:
        tick(state, instant)
    return show(state)


def _pristine(state) -> bool:
    """Nothing exists yet: no resource group, VM, registration or pending timer."""
    return not any(state.section(name) for name in ("vms", "timers", "resourceGroups", "features", "providers",
                                                     "availabilitySets"))


def tick(state, until: datetime, progress=None) -> dict:
    """Advance to ``until``, firing every due timer and engine event in time order; returns a summary.

    ``progress``, if given, is called with the simulated instant (epoch seconds) as events fire.
    """
    start = now(state)
    if until <= start:
        raise ValidationError("the tick must move the clock forward: give a positive duration or a later --until")
    from . import maintenance

    stops = maintenance.openings_between(state, to_epoch(start), to_epoch(until))
    if stops:  # Update Manager schedules open their windows on the way (ops/maintenance.py)
        return maintenance.tick_through(state, until, stops, tick, progress)
    timers = queue(state)
    events = []
    limit = to_epoch(until)
    sim = None
    if patching.has_fleet(state):
        sim = patching.build(state, until)
        sim.progress = progress
        patching.engine_start(state, sim, limit)
    while (timer := timers.pop_due(limit)) is not None:
        if sim is not None:
            sim.run(timer.at)
        state.data["clock"]["now"] = format_instant(max(from_epoch(timer.at), start))
        save(state, timers)
        handler = _HANDLERS[timer.kind.split(".", 1)[0]]
        message = handler(state, timer.kind, timer.key)
        timers = queue(state)  # a handler may have scheduled more
        if message:
            events.append({"time": state.data["clock"]["now"], "event": message})
    save(state, timers)
    counts = {}
    if sim is not None:
        sim.run(limit)
        patching.write_back(state, sim)
        events.extend({"time": format_instant(from_epoch(at)), "event": text} for at, text in sim.log)
        events.sort(key=lambda e: e["time"])
        counts = {name: sim.counters.get(name, 0) for name in COUNTERS}
    state.data["clock"]["now"] = format_instant(until)
    return {"from": format_instant(start), "to": format_instant(until), "counts": counts, "events": events}


# What a tick summary counts, in the order it prints them.
COUNTERS = ("events", "releases", "phases", "enabled", "assessments", "installations", "halts")


def duration(minutes: float | None, hours: float | None, days: float | None) -> timedelta:
    total = timedelta(minutes=minutes or 0, hours=hours or 0, days=days or 0)
    return total
