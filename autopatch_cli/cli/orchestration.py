"""autopatch orchestration: the availability-first rollout, made visible (autopatch only; Azure has no such view)."""

from __future__ import annotations

from contextlib import contextmanager
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
    """The whole store, parsed (plan's dry run and windows read every VM)."""
    from ..ops.state import State

    return State(reader().full())


@contextmanager
def _without_cyclic_collector():
    """The cyclic collector off while a command parses the whole store and works on it: the parsed store holds
    no cycles, and the collector's first passes after the parse scanned all of it (a tenth of `plan`'s time
    on 10,000 VMs). Through gcpause: safe when views run on several threads."""
    from ..gcpause import paused

    with paused():
        yield


def _sections():
    """The store as a reader that decodes only the sections and VMs a view asks for (show, history, timeline and
    why read the rollouts, the history and a few VMs: on a big fleet, parsing every VM was most of their time).

    Each view runs under `_without_cyclic_collector` (the history holds no cycles, and with the collector on it
    rescanned the 358,000 rows of a 10,000-VM store again and again), which turns it back on when the view is done:
    an in-process caller (``autopatch_cli.api``, the tests) keeps its collector."""
    return _Sections(reader())


class _Sections:
    """A store reader that decodes each section once: a view asks for the clock, the rollouts and the schedules
    more than once, and each decode searches the snapshot (past the 27 MB history line on a big fleet)."""

    _MISSING = object()
    _INDEX = ("history index",)  # its key among the decoded sections (no section's name)

    def __init__(self, store):
        self._store = store
        self._decoded: dict = {}

    def section(self, name: str, default=None):
        value = self._decoded.get(name, self._MISSING)
        if value is self._MISSING:
            value = self._decoded[name] = self._store.section(name, self._MISSING)
        return default if value is self._MISSING else value

    def entry(self, collection: str, key: str):
        return self._store.entry(collection, key)

    def history_index(self):
        """The store's history index (``autopatch_cli.history_index``), rebuilt when missing or stale; None
        when the history is small or not one line of the store (the views then read the section)."""
        from .. import history_index

        if self._INDEX not in self._decoded:
            index, value = history_index.open_for(self._store)
            self._decoded[self._INDEX] = index
            if value is not None:
                self._decoded["history"] = value
        return self._decoded[self._INDEX]

    def full(self):
        return self._store.full()


@app.command("show", epilog=GLOBAL_ARGUMENTS_HELP)
def show():
    """The rollout of the newest release (and the ones before it): phase, regions, progress, halts."""
    from ..ops import orchestration

    with _without_cyclic_collector():
        emit(orchestration.show(_sections()), _show_table)


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
    for item in result.get("scheduledPatching", []):
        # the VMs of Update Manager's schedules: outside the rollout, in the schedule's own windows
        patched = sum(1 for vm in item["vms"] if vm["patchedBy"] == "schedule")
        upcoming = item["nextWindows"][0] if item["nextWindows"] else None
        rows.append({"Release": "", "State": "scheduled", "Phase": f"schedule {item['name']}",
                     "Regions": ",".join(sorted({vm["region"] for vm in item["vms"]})),
                     "Patched": f"{patched}/{len(item['vms'])} by it", "Start": upcoming["start"] if upcoming else "",
                     "End": upcoming["end"] if upcoming else "",
                     "Result": f"{item['recurEvery']}, {item['duration']} ({item['timeZone']}); not in the rollout"})
    return rows


@app.command("plan", epilog=GLOBAL_ARGUMENTS_HELP)
def plan():
    """Before ticking: which VMs go in which phase and batch, and in which expected window (a dry run)."""
    from ..ops import orchestration

    with _without_cyclic_collector():
        result = orchestration.plan(_full_state())
    emit(result, _plan_table)


def _plan_table(result):
    return [
        {"Release": result["release"] if vm["patchedBy"] == "platform" else f"schedule {vm['schedule']}"
         if vm["schedule"] else "not patched",
         "Phase": vm["phase"] if vm["phase"] is not None else "", "Batch": vm["batch"] if vm["batch"] is not None else "",
         "Region": vm["region"],
         "Zone": vm["zone"] or "", "AvailabilitySet": vm["availabilitySet"] or "", "UD": "" if vm["updateDomain"] is None else vm["updateDomain"],
         "ResourceGroup": vm["resourceGroup"], "Name": vm["name"],
         "ExpectedLocalStart": vm["expectedLocalStart"] if vm["patchedBy"] == "platform" and vm["expectedLocalStart"]
         else (f"{vm['expectedLocalStart']}: " if vm["expectedLocalStart"] else "") + (vm["note"] or "")}
        for vm in result["vms"]
    ]


@app.command("history", epilog=GLOBAL_ARGUMENTS_HELP)
def history(
    resource_group: Group = None,
    name: Annotated[str | None, typer.Option(
        "--name", "-n", "--vm", help="The name of the Virtual Machine (with -g), or its resource ID.")] = None,
    release: Release = None,
    region: Annotated[str | None, typer.Option("--region", help="Only the VMs of this region, e.g. eastus.")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only operations that started at or after this time (ISO 8601, e.g. 2020-11-10T00:00:00Z).")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="Only operations that started at or before this time (ISO 8601).")] = None,
    operation: Annotated[str | None, typer.Option("--operation", help="assessment, installation or enablement.")] = None,
):
    """One record per VM per patch operation (UTC and the VM's local start time, result, KB ids), oldest first."""
    from ..ops import orchestration

    if name is not None and name.lower().startswith("/subscriptions/"):
        resource_group, name = _vm_id(name)
    elif name is not None:
        resource_group = require_group(resource_group)
    with _without_cyclic_collector():
        emit(orchestration.history(_sections(), release, resource_group, name, operation, region, since, until),
             _history_table)


def _vm_id(text: str) -> tuple[str, str]:
    """--vm given as a VM's resource ID: its group and name."""
    from ..errors import UsageError
    from ..ops import ids

    parts = text.strip("/").split("/")
    shape = [p.lower() for p in parts[0:8:2]] + [parts[5].lower()] if len(parts) == 8 else []
    if shape != ["subscriptions", "resourcegroups", "providers", "virtualmachines", "microsoft.compute"]:
        raise UsageError(f"argument --vm: '{text}' is not a VM name or resource ID such as "
                              "/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{name}.")
    return ids.group_and_name(text)


def _history_table(result):
    return [
        {"Release": r["release"] or (f"schedule {r['maintenanceConfiguration']}" if r.get("maintenanceConfiguration")
                                     else ""), "Name": r["name"], "Region": r["region"], "Zone": r["zone"] or "",
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
    with _without_cyclic_collector():
        emit(orchestration.why(_sections(), group, name), lambda r: [{"Reason": r["reason"], "Why": r["message"]}])


@app.command("windows", epilog=GLOBAL_ARGUMENTS_HELP)
def windows(resource_group: Group = None, name: VmName = None):
    """Each VM's off-peak window (open now, or the next): 22:00 in the VM's time zone, for 235 minutes."""
    from ..ops import orchestration

    group = require_group(resource_group) if name is not None else resource_group
    # one VM's window reads that VM only; a group's or the fleet's reads every VM
    with _without_cyclic_collector():
        emit(orchestration.windows(_sections() if name is not None else _full_state(), group, name), lambda rows: [
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

    if days < 1:
        raise ValidationError("--days must be at least 1")
    with _without_cyclic_collector():
        _timeline(orchestration.timeline(_sections(), release, days), days, export)


def _timeline(view: dict | None, days: int, export: str | None) -> None:
    """Print (and export) a timeline view."""
    from ..errors import ValidationError
    from . import render_timeline
    from .globals import settings

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
              "summary": render_timeline.timeline_summary(view["records"]),
              "scheduledPatching": view.get("schedules") or [], "export": export})
        return
    from .console import console

    out = console()
    out.print(renderable(view, days))
    out.file.flush()


def renderable(view: dict, days: int = 35):
    """The picture of an ``ops.orchestration.timeline`` view."""
    from . import render_timeline

    return render_timeline.timeline_renderable(view["records"], view["rollout"]["published"], days=days,
                                               phases=view["phases"], halts=view["halts"], now=view.get("now"),
                                               schedules=view.get("schedules"), release=view["rollout"]["release"])


def export_view(view: dict, path: str, days: int = 35) -> None:
    """Write the picture, turning a bad name or an unwritable path into a plain error."""
    from ..errors import ValidationError
    from . import render_timeline

    try:
        render_timeline.export_timeline(view["records"], view["rollout"]["published"], path, days=days,
                                        phases=view["phases"], halts=view["halts"], now=view.get("now"),
                                        schedules=view.get("schedules"), release=view["rollout"]["release"])
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    except OSError as exc:
        raise ValidationError(f"cannot write the timeline to '{path}': {exc.strerror or exc}") from exc
