"""The simulated clock: show, set, and tick (advance time, firing due transitions in order)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ..engine.clock import format_instant, from_epoch, parse_instant, to_epoch
from ..errors import UsageError, ValidationError
from . import features, history_retention, patching, providers
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
    if not EARLIEST <= instant < LATEST:
        raise ValidationError(
            f"{format_instant(instant)} is outside the simulated clock's range, "
            f"{format_instant(EARLIEST)} to {format_instant(LATEST)} (exclusive)."
        )
    if instant - current > MAX_TICK and _has_work(state):
        raise ValidationError(
            f"moving the clock of a store with VMs or maintenance schedules forward is a tick, and a tick may "
            f"advance it by at most {MAX_TICK.days} days; {format_instant(instant)} is "
            f"{(instant - current).days:,} days ahead. Set it in steps of a year or less."
        )
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


def _has_work(state) -> bool:
    """What makes a long jump of the clock costly (MAX_TICK's reason): a fleet to simulate day by day, or
    schedules whose every window opens on the way. Groups, registrations and their few timers are not: a
    store holding only those may jump years at once (its timers fire on the way)."""
    return bool(state.section("vms") or state.section("maintenanceConfigurations"))


def _pristine(state) -> bool:
    """Nothing exists yet: no resource group, VM, registration or pending timer."""
    return not any(state.section(name) for name in ("vms", "timers", "resourceGroups", "features", "providers",
                                                     "availabilitySets"))


def tick(state, until: datetime, progress=None) -> dict:
    """Advance to ``until``, firing every due timer and engine event in time order; returns a summary.

    ``progress``, if given, is called with the simulated instant (epoch seconds) as events fire.

    The cyclic garbage collector is off while it runs: the engine's records (a VM's state, a history row, a
    rollout) hold no reference cycles, and on a big fleet the collector's full passes over the millions of
    rows and VM states a tick adds were a third of its time, growing faster than the fleet.
    """
    import gc

    from ..gcpause import paused

    with paused():
        try:
            return _tick(state, until, progress)
        finally:
            if gc.get_freeze_count():
                # the caller keeps the loaded state out of the collector (store.transaction): the rows and records
                # the tick added join it, rather than wait for one young-generation pass over all of them
                gc.freeze()


def _tick(state, until: datetime, progress=None) -> dict:
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
        history_retention.prune(state, limit)
        events.extend({"time": format_instant(from_epoch(at)), "event": text} for at, text in sim.log)
        events.sort(key=lambda e: e["time"])
        counts = {name: sim.counters.get(name, 0) for name in COUNTERS}
        sim.close()  # freed at once, without the cyclic collector
    state.data["clock"]["now"] = format_instant(until)
    return {"from": format_instant(start), "to": format_instant(until), "counts": counts, "events": events}


# What a tick summary counts, in the order it prints them.
COUNTERS = ("events", "releases", "phases", "enabled", "assessments", "installations", "halts")


# The range of the simulated clock. The store keeps times as epoch seconds (nothing before 1970), and
# the engine looks ahead of the clock (maintenance windows, coming releases, the 30-day promise), which
# must stay inside what a datetime holds (up to the year 9999): the clock stops well short of it.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)

# What one tick may ask for: a year of simulated time. A tick is one locked write whose cost grows with
# the simulated time it covers times the size of the fleet; a year already holds twelve monthly
# rollouts, and a longer run is several ticks, each saved on its own, so an interrupted run keeps
# what the finished ticks did.
MAX_TICK = timedelta(days=366)
TICK_UNITS = {"seconds": 1, "minutes": 60, "hours": 3_600, "days": 86_400}


def _quoted(name: str) -> str:
    return f"'{name}'"


def parse_instant_argument(text, option: str = "'until'") -> datetime:
    """An ISO-8601 instant given by a user, inside the clock's range; ValidationError otherwise."""
    text = str(text)
    try:
        value = parse_instant(text)
    except ValueError as exc:
        detail = str(exc)
        if not detail.startswith("'"):
            detail = f"'{text.strip()}' is not a valid ISO-8601 date-time: {detail}"
        raise ValidationError(f"{option}: {detail}") from None
    except OverflowError:
        value = None
    if value is None or not EARLIEST <= value < LATEST:
        raise ValidationError(
            f"{option}: '{text.strip()}' is outside the simulated clock's range, "
            f"{format_instant(EARLIEST)} to {format_instant(LATEST)} (exclusive)."
        )
    return value


def positive_amount(value, option: str) -> float:
    """A tick length: a finite number greater than zero (text, as a query string gives it, or a number)."""
    if isinstance(value, bool):
        raise ValidationError(f"{option}: '{value}' is not a number.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{option}: '{value}' is not a number.") from None
    if not math.isfinite(number):
        raise ValidationError(f"{option}: '{value}' is not a finite number.")
    if number <= 0:
        raise ValidationError(f"{option} must be positive: the simulated clock only moves forward.")
    return number


@dataclass(frozen=True)
class TickRequest:
    """What a tick asks for, checked on its own: a length in seconds, or an instant to reach."""

    seconds: float | None
    until: datetime | None
    until_name: str = "'until'"

    def target(self, state) -> datetime:
        """The instant to tick to from the store's now: forward, at most :data:`MAX_TICK`, in range."""
        start = now(state)
        if self.until is not None:
            if self.until <= start:
                raise ValidationError(
                    f"the tick must move the clock forward: {self.until_name} {format_instant(self.until)} is "
                    f"not after the simulated now, {format_instant(start)}."
                )
            _check_tick_length((self.until - start).total_seconds())
            return self.until
        assert self.seconds is not None  # parse_tick gives seconds or until, never neither
        target = start + timedelta(seconds=self.seconds)
        if target >= LATEST:
            raise ValidationError(
                f"the tick would move the simulated clock to {format_instant(target)}, past its range "
                f"(before {format_instant(LATEST)})."
            )
        return target


def _check_tick_length(seconds: float) -> None:
    if seconds > MAX_TICK.total_seconds():
        raise ValidationError(
            f"a tick may advance the simulated clock by at most {MAX_TICK.days} days; this one asks for "
            f"{_days(seconds)}. Tick in steps of a year or less: each is saved as it finishes."
        )


def _days(seconds: float) -> str:
    days = seconds / 86_400
    return f"{days:,.1f} days" if days < 1e12 else "more days than a date can hold"


def parse_tick(request: Mapping, units: tuple[str, ...] = tuple(TICK_UNITS), option=_quoted) -> TickRequest:
    """A tick request: amounts of ``units`` (numbers, or text as a query string gives them) or ``until``.

    The one parser of both front-ends: ``option`` spells a name as the front-end shows it
    (``--days`` on the command line, ``'days'`` in a JSON body or query string).
    """
    amounts = {unit: request[unit] for unit in units if request.get(unit) is not None}
    until = request.get("until")
    if until is not None and amounts:
        raise UsageError(f"usage error: {option('until')} cannot be combined with {'/'.join(map(option, units))}")
    if until is None and not amounts:
        raise UsageError(f"usage error: give {', '.join(map(option, units))} or {option('until')}")
    if until is not None:
        return TickRequest(None, parse_instant_argument(until, option("until")), option("until"))
    seconds = sum(positive_amount(value, option(unit)) * TICK_UNITS[unit] for unit, value in amounts.items())
    _check_tick_length(seconds)
    return TickRequest(seconds, None)
