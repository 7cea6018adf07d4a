"""``--verbose`` and ``--debug``, in the spirit of az's: what autopatch worked on and how long it took.

``--verbose`` names the store in use and the simulated clock; ``--debug`` adds the command's arguments,
the store's size, the api-version the resource documents are shaped for, and the time each store
transaction took. Everything goes to stderr, so ``-o json`` output stays clean.
"""

from __future__ import annotations

import sys
import time

from .globals import settings


def info(message: str) -> None:
    if settings.verbose or settings.debug:
        sys.stderr.write(f"INFO: {message}\n")


def debug(message: str) -> None:
    if settings.debug:
        sys.stderr.write(f"DEBUG: cli.autopatch: {message}\n")


def _clock_of(path) -> str | None:
    from .. import store
    from ..errors import AutopatchError
    from ..ops.state import new_state

    try:
        return store.StoreReader(path, new_state).section("clock", {}).get("now")
    except (AutopatchError, OSError, ValueError):
        return None


def before_command(argv: list[str]) -> dict:
    """Log what the command starts from; returns what :func:`after_command` compares with."""
    if not (settings.verbose or settings.debug):
        return {}
    from ..ops.session import Session
    from ..ops.state_admin import source

    debug(f"Command arguments: {argv}")
    path = Session(settings.state).path
    size = path.stat().st_size if path.is_file() else 0
    info(f"Store: {path} ({source(path)}; {size:,} bytes)" if path.exists() else
         f"Store: {path} ({source(path)}; not created yet)")
    clock = _clock_of(path)
    info(f"Simulated clock: {clock}")
    from ..models.versions import NEWEST

    debug(f"Resource documents are shaped for Microsoft.Compute api-version {NEWEST} "
          "(rest and serve: the api-version of each request)")
    return {"path": path, "clock": clock, "started": time.perf_counter()}


def after_command(before: dict) -> None:
    if not before:
        return
    clock = _clock_of(before["path"])
    if clock != before["clock"]:
        info(f"Simulated clock now: {clock}")


class timed:
    """``with timed("write transaction"):`` logs how long the block took, with --debug."""

    def __init__(self, what: str):
        self.what = what

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        debug(f"{self.what} took {(time.perf_counter() - self.started) * 1000:.1f} ms")
        return False
