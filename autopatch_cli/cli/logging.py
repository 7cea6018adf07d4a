"""``--verbose`` and ``--debug``, in the spirit of az's: what autopatch worked on and how long it took.

``--verbose`` names the store in use and the simulated clock; ``--debug`` adds the command's arguments,
the store's size and, for each operation the command runs (each store transaction), the Azure operation
it stands for, the api-version its documents are shaped for and how long it took, as az's debug log shows
each request. Everything goes to stderr, so ``-o json`` output stays clean.
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
    return {"path": path, "clock": clock, "started": time.perf_counter()}


# The Azure operation each verb stands for, and the provider whose api-version shapes its documents
# (rest and serve answer each request in the shape of its own api-version instead).
_OPERATIONS: dict[tuple[str, ...], tuple[str, str]] = {
    ("vm", "create"): ("Microsoft.Compute/virtualMachines/write", "compute"),
    ("vm", "update"): ("Microsoft.Compute/virtualMachines/write", "compute"),
    ("vm", "delete"): ("Microsoft.Compute/virtualMachines/delete", "compute"),
    ("vm", "start"): ("Microsoft.Compute/virtualMachines/start/action", "compute"),
    ("vm", "stop"): ("Microsoft.Compute/virtualMachines/powerOff/action", "compute"),
    ("vm", "restart"): ("Microsoft.Compute/virtualMachines/restart/action", "compute"),
    ("vm", "deallocate"): ("Microsoft.Compute/virtualMachines/deallocate/action", "compute"),
    ("vm", "assess-patches"): ("Microsoft.Compute/virtualMachines/assessPatches/action", "compute"),
    ("vm", "install-patches"): ("Microsoft.Compute/virtualMachines/installPatches/action", "compute"),
    ("vm", "get-instance-view"): ("Microsoft.Compute/virtualMachines/instanceView/read", "compute"),
    ("vm", "availability-set"): ("Microsoft.Compute/availabilitySets", "compute"),
    ("vm",): ("Microsoft.Compute/virtualMachines/read", "compute"),
    ("group",): ("Microsoft.Resources/resourceGroups", "resources"),
    ("provider",): ("Microsoft.Resources/providers", "resources"),
    ("feature",): ("Microsoft.Features/providers/features", "features"),
    ("account",): ("Microsoft.Resources/subscriptions/read", "subscriptions"),
    ("maintenance",): ("Microsoft.Maintenance/maintenanceConfigurations", "maintenance"),
}
# The api-version whose spec each provider's documents follow (tests/spec holds each one).
_SHAPED_FOR = {"resources": "2024-07-01", "features": "2021-07-01", "subscriptions": "2022-12-01",
               "maintenance": "2023-04-01"}


def operation_name(command: list[str], write: bool) -> str:
    """What the running command does, as az's debug log would name its request."""
    words = tuple(command)
    for length in (2, 1):
        found = _OPERATIONS.get(words[:length])
        if found is not None:
            operation, family = found
            if family == "compute":
                from ..models.versions import NEWEST

                version = NEWEST
            else:
                version = _SHAPED_FOR[family]
            if not operation.endswith(("/action", "/read", "/write", "/delete")):
                operation += "/write" if write else "/read"
            return f"{operation} (api-version {version})"
    return f"autopatch {' '.join(command)} (autopatch's own: no api-version)"


def after_command(before: dict) -> None:
    if not before:
        return
    clock = _clock_of(before["path"])
    if clock != before["clock"]:
        info(f"Simulated clock now: {clock}")


class timed:
    """``with timed("write transaction"):`` logs how long the block took, with --debug."""

    def __init__(self, what):
        self.what = what  # the text, or a function making it (called only with --debug)

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        if settings.debug:
            what = self.what() if callable(self.what) else self.what
            debug(f"{what} took {(time.perf_counter() - self.started) * 1000:.1f} ms")
        return False
