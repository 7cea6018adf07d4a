"""Waiting for a condition, as az's generic ``wait`` verbs do, in simulated time.

az's loop (azure-cli's ``WaitCommandOperation``): poll, and if the
condition does not hold, sleep ``interval`` seconds; ``range(0, timeout, interval)`` polls in all.
Here the sleep is a tick of the simulated clock, so what falls due in between (feature registration,
the platform's patch runs) happens while the verb waits.

Between two changes (a timer, or an event of the patch engine) nothing in the store changes, so polls
that fall between them would all see the same state: the loop jumps from the poll before a change to
the first poll at or after it. The clock
ends where az's would: at the poll that saw the condition hold, or ``polls * interval`` after the
start when it never did.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ..engine.clock import from_epoch, to_epoch
from ..errors import AzureError, ValidationError
from . import patching
from .clock import tick
from .state import now
from .timers import queue


def poll(state, check: Callable[[], bool], timeout: int, interval: int) -> bool:
    """Poll ``check`` every ``interval`` simulated seconds, ``range(0, timeout, interval)`` times.

    True as soon as it holds (the clock stays at that poll); False when every poll failed (the clock
    has moved ``polls * interval`` seconds, as az's final sleep leaves it).
    """
    if interval <= 0:
        raise ValidationError(f"argument --interval: must be a positive number of seconds, not {interval}")
    polls = len(range(0, timeout, interval))
    start = to_epoch(now(state))
    index = 0
    while index < polls:
        if check():
            return True
        following = index + 1
        upcoming = next_change(state, start + polls * interval)
        if upcoming is None:
            following = polls  # nothing will ever change: straight to the end
        else:
            due = upcoming - start  # seconds after the start; the first poll at or after it sees it
            following = max(following, min(polls, -(-due // interval)))
        _advance(state, start + following * interval)
        index = following
    return False


def advance_until(state, done, step: timedelta = timedelta(seconds=10), limit: timedelta = timedelta(days=1)) -> bool:
    """Poll ``done()`` every ``step`` of simulated time until it holds (True) or ``limit`` has passed (False).

    Waiting, for az's polling verbs, means moving simulated time: ``provider register --wait`` polls
    every 10 s as az does. The polling is :func:`poll`'s, which skips the polls that nothing can change.
    """
    return poll(state, done, int(limit.total_seconds()), int(step.total_seconds())) or bool(done())


def next_change(state, horizon: int) -> int | None:
    """When the store next changes (epoch seconds) if time moves on to ``horizon``; None for never.

    The timer queue's first timer, or the patch engine's next event. An engine that would start an
    operation at once (a VM in its open maintenance window) changes the store on any tick: now.
    """
    times = []
    timer = queue(state).peek()
    if timer is not None:
        times.append(timer.at)
    if patching.has_fleet(state):
        sim = patching.build(state, from_epoch(horizon))
        before = sim.unfinished()
        patching.engine_start(state, sim, horizon)
        if sim.unfinished() != before:
            return to_epoch(now(state))
        upcoming = sim.next_event_time()
        if upcoming is not None:
            times.append(upcoming)
    return min(times) if times else None


def _advance(state, epoch: int) -> None:
    target = from_epoch(epoch)
    if target > now(state):
        tick(state, target)


def wait_resource(
    state,
    getter: Callable[[], Any],
    *,
    created: bool = False,
    updated: bool = False,
    deleted: bool = False,
    exists: bool = False,
    custom: Callable[[Any], Any] | None = None,
    timeout: int = 3600,
    interval: int = 30,
) -> bool:
    """az's wait conditions over one resource; ``getter`` returns its az view or raises 404.

    ``--exists`` holds once the resource is found; ``--created``/``--updated`` once its
    ``provisioningState`` is Succeeded (Failed ends the wait with "The operation failed");
    ``--deleted`` once it is gone; ``--custom`` once the JMESPath expression is truthy. A missing
    resource ends a wait for ``--updated`` alone with its 404, as in az.
    """
    if not any((created, updated, deleted, exists, custom)):
        raise ValidationError("incorrect usage: --created | --updated | --deleted | --exists | --custom JMESPATH")

    def check() -> bool:
        try:
            instance = getter()
        except AzureError as exc:
            if exc.status != 404:
                raise
            if deleted:
                return True
            if not (created or exists or custom):
                raise
            return False
        if exists:
            return True
        provisioning = str(instance.get("provisioningState") or "").lower()
        if provisioning == "failed":
            raise ValidationError("The operation failed")
        if (created or updated) and provisioning == "succeeded":
            return True
        return bool(custom and custom(instance))

    return poll(state, check, timeout, interval)
