"""autopatch demo: build a sample fleet in a throwaway store, simulate a month, show the rollout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit

if TYPE_CHECKING:
    from pathlib import Path

app = typer.Typer(rich_markup_mode=None)


@app.command("demo", epilog=GLOBAL_ARGUMENTS_HELP)
def demo(
    days: Annotated[int, typer.Option("--days", help="Simulated days after the fleet is built (the default runs to "
                                      "the eve of the next Patch Tuesday: one whole monthly rollout).")] = 40,
    export: Annotated[str | None, typer.Option("--export", help="Also write the timeline to FILE.svg or FILE.html.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the throwaway store.")] = None,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the throwaway store (its path is printed) to explore "
                                       "it afterwards.")] = False,
):
    """Build a sample fleet (paired regions, zones, availability sets, standalone, AutomaticByOS and Manual VMs,
    Ubuntu and RHEL VMs, one VM that fails health) in a throwaway store, simulate a month and show the rollout and
    patch status.

    The demo never uses $AUTOPATCH_STATE: it builds its own store and removes it afterwards unless --keep is
    given. With --state PATH on its command line it builds the fleet in PATH (a new file) and keeps it.
    """
    import os
    import shutil
    import tempfile

    from ..errors import ValidationError
    from .globals import settings

    if days < 1:
        raise ValidationError("--days must be at least 1")
    throwaway = None
    if settings.state and settings.state_on_command_line:
        path: str | Path = settings.state
        if os.path.exists(path) and os.path.getsize(path) > 0:
            raise ValidationError(f"the demo builds a new store: {path} already exists. Give a new path or none.")
        keep = True
    else:
        throwaway = tempfile.mkdtemp(prefix="autopatch-demo-")
        path = os.path.join(throwaway, "state.json")
    try:
        result, view = _simulate(path, days, seed)
        result["kept"] = keep
        fmt = settings.output or "table"
        if view and export:
            from .orchestration import export_view

            export_view(view, export)
        if fmt != "table" or settings.query:
            emit(result)
            return
        _show(result, view)
    finally:
        if throwaway and not keep:
            shutil.rmtree(throwaway, ignore_errors=True)


def _simulate(path: str | Path, days: int, seed: int | None) -> tuple[dict, dict | None]:
    from datetime import timedelta

    from ..ops import clock, orchestration
    from ..ops import demo as demo_ops
    from ..ops.session import Session
    from ..ops.state import new_state, now

    session = Session(path)
    with session.writer() as state:
        if seed is not None:
            state.data.clear()
            state.data.update(new_state(seed))
        built = demo_ops.build(state)
        summary = clock.tick(state, now(state) + timedelta(days=days))
        status = demo_ops.fleet_status(state)
        shown = orchestration.show(state)["rollouts"]
        # the first release of the month simulated
        view = orchestration.timeline(state, shown[-1]["release"]) if shown else None
    rollout = view["rollout"] if view else None
    return {"store": str(path), "fleet": built, "tick": summary, "rollout": rollout, "vms": status}, view


def _show(result: dict, view: dict | None) -> None:
    import shlex

    from rich.table import Table

    from ..ops.demo import UNHEALTHY_VM
    from .console import console as make_console
    from .orchestration import renderable

    console = make_console()
    rollout = result["rollout"]
    where = f"in {result['store']}" if result["kept"] else "in a throwaway store (removed afterwards; --keep keeps it)"
    console.print(f"[bold]autopatch demo[/]: {result['fleet']['vms']} VMs {where}")
    console.print(f"Simulated {result['tick']['from']} -> {result['tick']['to']}: " + ", ".join(
        f"{v} {k}" for k, v in result["tick"]["counts"].items() if k != "events"))
    if rollout is None:
        console.print("No release was published in the simulated period.")
        return
    assert view is not None  # the rollout is the view's
    console.print(renderable(view))
    table = Table(title=f"Patch status: release {rollout['release']} ({rollout['state']})", box=None, pad_edge=False,
                  title_justify="left")
    table.add_column("VM", no_wrap=True, min_width=18)
    table.add_column("OS", no_wrap=True, min_width=7)
    table.add_column("Region", no_wrap=True, min_width=11)
    table.add_column("Where", no_wrap=True, min_width=9)
    table.add_column("Installed", no_wrap=True, min_width=14)
    table.add_column("Why not", overflow="ellipsis", no_wrap=True)
    colours = {"Succeeded": "green", "Failed": "red", "CompletedWithWarnings": "yellow"}
    marks = {"Succeeded": "ok", "Failed": "FAILED", "CompletedWithWarnings": "partial"}
    for vm in result["vms"]:
        status = vm["lastInstallation"]
        when = (vm["lastInstallationTime"] or "")[5:10]
        installed = f"[{colours.get(status, 'white')}]{marks.get(status, status)}[/] {when}" if status else "-"
        table.add_row(vm["name"], vm["os"], vm["region"], vm["zone"] and f"zone {vm['zone']}" or vm["availabilitySet"] or "",
                      installed, vm["whyCode"] or "")
    console.print(table)
    if not result["kept"]:
        console.print("To explore the fleet afterwards: autopatch demo --keep", soft_wrap=True)
        console.file.flush()
        return
    store = shlex.quote(result["store"])
    console.print("Explore (each line runs as it is):", soft_wrap=True)
    for command in ("orchestration show", "orchestration history -o table",
                    f"orchestration why -g {UNHEALTHY_VM[0]} -n {UNHEALTHY_VM[1]}"):
        console.print(f"  autopatch --state {store} {command}", soft_wrap=True, markup=False, highlight=False)
    console.file.flush()
