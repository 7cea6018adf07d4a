"""autopatch orchestration: the availability-first rollout, made visible (autopatch only; Azure has no such view)."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import reader, require_group
from .globals import GLOBAL_ARGUMENTS_HELP
from .output import emit

app = typer.Typer(help="See the availability-first rollout: show, plan, history, why, windows, timeline.",
                  no_args_is_help=True, rich_markup_mode=None)

Group = Annotated[str | None, typer.Option("--resource-group", "-g", help="Name of resource group.")]
VmName = Annotated[str | None, typer.Option("--name", "-n", help="The name of the Virtual Machine.")]
Release = Annotated[str | None, typer.Option("--release", help="A release id, e.g. 2020-11 or 2020-11-OOB1.")]


def _full_state():
    from ..ops.state import State

    return State(reader().full())


@app.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def show():
    """The rollout of the newest release (and the ones before it): phase, regions, progress, halts."""
    from ..ops import orchestration

    emit(orchestration.show(_full_state()), _show_table)


def _show_table(result):
    rows = []
    for rollout in result.get("rollouts", []):
        for phase in rollout["phases"]:
            rows.append({
                "Release": rollout["release"], "State": rollout["state"], "Phase": f"{phase['phase']} ({phase['label']})",
                "Regions": ",".join(phase["regions"]), "Patched": f"{phase['patched']}/{phase['vms']}",
                "Start": phase["start"], "End": phase["end"] or "", "Result": phase["result"],
            })
        if rollout["halt"]:
            halt = rollout["halt"]
            rows.append({"Release": rollout["release"], "State": "halted", "Phase": str(halt["phase"]),
                         "Regions": halt["vm"], "Patched": "", "Start": halt["time"], "End": "", "Result": halt["reason"]})
    return rows


@app.command("plan", epilog=GLOBAL_ARGUMENTS_HELP)
def plan():
    """Before ticking: which VMs go in which phase and batch, and in which expected window (a dry run)."""
    from ..ops import orchestration

    emit(orchestration.plan(_full_state()), _plan_table)


def _plan_table(result):
    return [
        {"Release": result["release"], "Phase": vm["phase"], "Batch": vm["batch"], "Region": vm["region"],
         "Zone": vm["zone"] or "", "AvailabilitySet": vm["availabilitySet"] or "", "UD": "" if vm["updateDomain"] is None else vm["updateDomain"],
         "ResourceGroup": vm["resourceGroup"], "Name": vm["name"], "ExpectedLocalStart": vm["expectedLocalStart"] or vm["note"]}
        for vm in result["vms"]
    ]


@app.command("history", epilog=GLOBAL_ARGUMENTS_HELP)
def history(
    resource_group: Group = None,
    name: VmName = None,
    release: Release = None,
    operation: Annotated[str | None, typer.Option("--operation", help="assessment, installation or enablement.")] = None,
):
    """One record per VM per patch operation (UTC and the VM's local start time, result, KB ids)."""
    from ..ops import orchestration

    if name is not None:
        resource_group = require_group(resource_group)
    emit(orchestration.history(_full_state(), release, resource_group, name, operation), _history_table)


def _history_table(result):
    return [
        {"Release": r["release"] or "", "Name": r["name"], "Region": r["region"], "Zone": r["zone"] or "",
         "Phase": "" if r["phase"] is None else r["phase"], "Batch": "" if r["batch"] is None else r["batch"],
         "Operation": r["operation"], "LocalStart": r["localStartTime"], "Result": r["result"],
         "KBs": ",".join(r["kbIds"])}
        for r in result
    ]


@app.command("why", epilog=GLOBAL_ARGUMENTS_HELP)
def why(resource_group: Group = None, name: VmName = None):
    """Why a VM is not patched yet, in one sentence."""
    from ..errors import UsageError
    from ..ops import orchestration

    if not name:
        raise UsageError("the following arguments are required: --name/-n")
    group = require_group(resource_group)
    emit(orchestration.why(_full_state(), group, name), lambda r: [{"Reason": r["reason"], "Why": r["message"]}])


@app.command("windows", epilog=GLOBAL_ARGUMENTS_HELP)
def windows(resource_group: Group = None, name: VmName = None):
    """Each VM's off-peak window (open now, or the next): 22:00 in the VM's time zone, for 235 minutes."""
    from ..ops import orchestration

    group = require_group(resource_group) if name is not None else resource_group
    emit(orchestration.windows(_full_state(), group, name), lambda rows: [
        {"ResourceGroup": r["resourceGroup"], "Name": r["name"], "TimeZone": r["timeZone"],
         "Open": "yes" if r["open"] else "", "LocalStart": r["localStart"], "LocalEnd": r["localEnd"],
         "StartUTC": r["start"]} for r in rows])


@app.command("timeline", epilog=GLOBAL_ARGUMENTS_HELP)
def timeline(
    release: Release = None,
    days: Annotated[int, typer.Option("--days", help="Days after the release to show.")] = 35,
    export: Annotated[str | None, typer.Option("--export", help="Also write the picture to FILE.svg or FILE.html.")] = None,
):
    """The rollout timeline: regions and zones against days since the release, coloured by result."""
    from ..errors import ValidationError
    from ..ops import orchestration
    from . import render_timeline
    from .globals import settings

    if days < 1:
        raise ValidationError("--days must be at least 1")
    view = orchestration.timeline(_full_state(), release, days)
    if view is None:
        if export:
            raise ValidationError(f"no rollout to draw in '{export}' yet: no release has been published since the "
                                  "fleet was created (tick on to the next Patch Tuesday)")
        emit({"release": None, "summary": {}, "message": "No release has been published yet."})
        return
    if export:
        export_view(view, export, days)
    fmt = settings.output or "table"
    if settings.query or fmt not in ("table",):
        rollout = view["rollout"]
        emit({"release": rollout["release"], "published": rollout["published"],
              "summary": render_timeline.timeline_summary(view["records"]), "export": export})
        return
    from .console import console

    out = console()
    out.print(renderable(view, days))
    out.file.flush()


def renderable(view: dict, days: int = 35):
    """The picture of an ``ops.orchestration.timeline`` view."""
    from . import render_timeline

    return render_timeline.timeline_renderable(view["records"], view["rollout"]["published"], days=days,
                                               phases=view["phases"], halts=view["halts"], now=view.get("now"))


def export_view(view: dict, path: str, days: int = 35) -> None:
    """Write the picture, turning a bad name or an unwritable path into a plain error."""
    from ..errors import ValidationError
    from . import render_timeline

    try:
        render_timeline.export_timeline(view["records"], view["rollout"]["published"], path, days=days,
                                        phases=view["phases"], halts=view["halts"], now=view.get("now"))
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    except OSError as exc:
        raise ValidationError(f"cannot write the timeline to '{path}': {exc.strerror or exc}") from exc
