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
    minutes: Annotated[float | None, typer.Option("--minutes", help="Simulated minutes to advance.")] = None,
    hours: Annotated[float | None, typer.Option("--hours", help="Simulated hours to advance.")] = None,
    days: Annotated[float | None, typer.Option("--days", help="Simulated days to advance.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Advance to this ISO-8601 instant instead.")] = None,
):
    """Advance the simulated clock: registrations complete, releases are published and VMs are patched.

    One tick advances at most 366 days (a year of monthly rollouts, saved as one write); tick again for more.
    """
    from ..ops import clock

    request = clock.parse_tick({"minutes": minutes, "hours": hours, "days": days, "until": until},
                               ("minutes", "hours", "days"), lambda name: f"--{name}")
    with writer() as state:
        target = request.target(state)
        with _progress(clock.now(state), target) as progress:
            result = clock.tick(state, target, progress)
        from .tick_report import per_vm

        vms = per_vm(state, result["from"], result["to"])  # each VM of a small fleet: what the tick did to it
        if vms is not None:
            result["vms"] = vms
    if _terminal_table():
        _print_summary(result)
        return
    emit(result, _table)


def _table(result):
    rows = [{"Time": e["time"], "Event": e["event"]} for e in result["events"]]
    counts = ", ".join(f"{v} {k}" for k, v in result.get("counts", {}).items() if v and k != "events")
    rows.extend({"Time": result["to"], "Event": f"{vm['resourceGroup']}/{vm['name']}: {vm['what']}"}
                for vm in result.get("vms") or [])
    if result.get("vms"):
        from .tick_report import summary

        counts = summary(result["vms"])
    rows.append({"Time": result["to"], "Event": f"now ({counts or 'nothing else happened'})"})
    return rows


def _terminal_table() -> bool:
    """A person at a terminal with the default output: a rich table instead of JSON."""
    import sys

    from .globals import settings
    from .output import default_output

    return sys.stdout.isatty() and not settings.query and (settings.output is None and default_output() in ("json", "table"))


def _print_summary(result) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Simulated {result['from']} -> {result['to']}", title_justify="left")
    table.add_column("Time (UTC)")
    table.add_column("Event")
    for event in result["events"]:
        table.add_row(event["time"], event["event"])
    console.print(table)
    if result.get("vms"):
        from .tick_report import summary

        for_each = Table(show_header=True, box=None, title_justify="left")
        for column in ("VM", "What happened"):
            for_each.add_column(column)
        for vm in result["vms"]:
            for_each.add_row(f"{vm['resourceGroup']}/{vm['name']}", vm["what"])
        console.print(for_each)
        console.print(summary(result["vms"]), soft_wrap=True)
        return
    counts = result.get("counts") or {}
    if counts:
        counts_table = Table(show_header=True, box=None)
        for name in counts:
            counts_table.add_column(name, justify="right")
        counts_table.add_row(*(str(v) for v in counts.values()))
        console.print(counts_table)


class _progress:
    """A progress bar on stderr for long ticks at a terminal (simulated days done), else nothing."""

    def __init__(self, start, end):
        import sys

        self.start = int(start.timestamp())
        self.end = int(end.timestamp())
        self.enabled = sys.stderr.isatty() and self.end - self.start > 2 * 86_400
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = bar = Progress(TextColumn("ticking"), BarColumn(), TextColumn("{task.completed:.0f}/{task.total:.0f} days"),
                            TimeElapsedColumn(), transient=True)
        self.bar.start()
        task = self.bar.add_task("tick", total=(self.end - self.start) / 86_400)
        last = [0.0]

        def advance(at: int) -> None:
            done = (at - self.start) / 86_400
            if done - last[0] >= 0.25:
                last[0] = done
                bar.update(task, completed=done)

        return advance

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False
