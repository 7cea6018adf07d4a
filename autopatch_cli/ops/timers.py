"""Scheduling timed transitions in the state's timer queue."""

from __future__ import annotations

from ..engine.clock import TimerQueue


def queue(state) -> TimerQueue:
    meta = state.data["meta"]
    return TimerQueue(state.data.get("timers", []), meta.get("timerSeq", 0))


def save(state, timers: TimerQueue) -> None:
    state.data["timers"] = timers.to_json()
    state.data["meta"]["timerSeq"] = timers.next_seq


def schedule(state, at: int, kind: str, key: str) -> None:
    timers = queue(state)
    timers.schedule(at, kind, key)
    save(state, timers)


def cancel(state, kind: str, key: str) -> None:
    timers = queue(state)
    timers.cancel(kind, key)
    save(state, timers)
