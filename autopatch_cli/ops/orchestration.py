"""What the orchestration did, does and will do: history, show, plan and why (autopatch's own view).

History is stored compactly (one short row per operation, and a table of VMs it refers to) and
expanded here into the records ``orchestration history`` prints, one per VM per patch operation.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .. import history_index
from ..azure.regions import pair_partners
from ..engine import offpeak
from ..engine.clock import epoch_to_iso, parse_instant, to_epoch
from ..engine.records import HistoryRow, OpKind, RowFlag, Turn
from ..errors import UsageError, ValidationError, resource_not_found
from . import ids
from . import vms as vm_ops
from .state import subscription_id

OPERATIONS = tuple(kind.label for kind in OpKind)  # as --operation spells them


RELEASE_ID = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-OOB\d+)?$")


def history(state, release: str | None = None, group: str | None = None, name: str | None = None,
            operation: str | None = None, region: str | None = None, since: str | None = None,
            until: str | None = None) -> list[dict]:
    """One record per VM per patch operation, oldest first, filtered by release, resource group and VM,
    region, operation and start time (``since``/``until``, ISO 8601, both included).

    The filters are tested on the stored rows before any is expanded, so a filtered view costs what it
    prints, plus one pass over the stored rows.
    """
    from ..azure.timezones import iana_name
    from ..engine.lifecycle import activity_id
    from .state import seed

    kind = _operation_filter(operation)
    if release is not None and not RELEASE_ID.match(release):
        raise UsageError(f"argument --release: '{release}' is not a release id such as 2020-11 or "
                              "2020-11-OOB1.")
    region_name = _region_filter(region)
    since_at, until_at = time_range(since, until)
    index = _history_index(state)
    rows = None
    if index is not None:
        try:
            table = index.table()
            refs = _refs(table, group, name, region_name)
            rows = index.rows(refs, kind.value if kind is not None else None, release, since_at, until_at) \
                if refs is None or refs else []
        except history_index.Damaged:
            index.discard()
            rows = None
    if rows is None:
        data = state.section("history") or {"vms": [], "rows": []}
        table, rows = data["vms"], data["rows"]
        refs = _refs(table, group, name, region_name)
    if refs is not None and not refs:
        return []
    the_seed = seed(state)
    runs: dict | None = None  # the schedules' runs, read when a row is one
    assigned: dict | None = None
    subscription = subscription_id(state)
    out = []
    zones: dict[str, str] = {}
    iso: dict[int, str] = {}  # many rows share their start and end times (a batch, an assessment round)
    for row in HistoryRow.select(rows, refs, kind, release, since_at, until_at):
        vm_id, vm_name, vm_group, vm_region, zone, avset, ud, tz, *linux = table[row.ref]
        label = row.op.label
        iana = zones.get(tz)
        if iana is None:
            iana = zones[tz] = iana_name(tz)
        start = iso.get(row.start)
        if start is None:
            start = iso[row.start] = epoch_to_iso(row.start)
        end = iso.get(row.end)
        if end is None:
            end = iso[row.end] = epoch_to_iso(row.end)
        schedule = None
        if row.op is OpKind.INSTALLATION and row.release is None and not row.flags & RowFlag.STARTED_BY_USER:
            # the platform installs outside a rollout only for an Update Manager schedule
            if runs is None or assigned is None:
                runs, assigned = _schedule_runs(state), _assigned_schedules(state)
            vm_resource = ids.resource_id(subscription, vm_group, ids.VM_TYPE, vm_name).lower()
            schedule = runs.get((vm_resource, row.start)) or assigned.get(ids.key(vm_group, vm_name)) or REMOVED
        out.append({
            "release": row.release,
            "vmId": vm_id,
            "name": vm_name,
            "resourceGroup": vm_group,
            "region": vm_region,
            "zone": zone,
            "availabilitySet": avset,
            "updateDomain": ud,
            "timeZone": tz,
            "phase": row.phase,
            "batch": row.batch,
            "operation": label,
            "startTime": start,
            "endTime": end,
            "localStartTime": offpeak.local_iso(iana, row.start),
            "result": row.result,
            "kbIds": list(row.kbs),
            "activityId": activity_id(the_seed, row.index, label, row.start),
            "startedBy": "User" if row.flags & RowFlag.STARTED_BY_USER else "Platform",
            "maintenanceWindowExceeded": bool(row.flags & RowFlag.WINDOW_EXCEEDED),
            "rebooted": bool(row.flags & RowFlag.REBOOTED),
            # the Update Manager schedule (maintenance configuration) whose window ran it; None: not a schedule's
            "maintenanceConfiguration": schedule,
        })
        if linux:  # a Linux VM: its distribution (kbIds are its packages, name_version)
            out[-1]["os"] = _os_name(linux[0])
    return out


def _history_index(state) -> history_index.Index | None:
    """The store's history index when the state is a store reader that has a current one (the CLI's views);
    None: read the history section."""
    opener = getattr(state, "history_index", None)
    return opener() if opener is not None else None


def _operation_filter(operation: str | None) -> OpKind | None:
    if operation is None:
        return None
    if operation not in OPERATIONS:
        raise ValidationError(f"--operation must be one of: {', '.join(OPERATIONS)}")
    return OpKind[operation.upper()]


def _region_filter(region: str | None) -> str | None:
    """The region's name as Azure spells it ('East US' and 'eastus' are one), or an error naming the choices."""
    from ..azure import regions

    if region is None:
        return None
    found = regions.normalize(region)
    if found is None:
        raise UsageError(f"argument --region: '{region}' is not an Azure region. Allowed values: "
                              f"{', '.join(sorted(regions.REGIONS))}.")
    return found


def time_range(since: str | None, until: str | None) -> tuple[int | None, int | None]:
    """--since/--until as epoch seconds (ISO 8601, as every time autopatch reads; no offset means UTC)."""
    bounds: list[int | None] = []
    for flag, text in (("--since", since), ("--until", until)):
        if text is None:
            bounds.append(None)
            continue
        try:
            bounds.append(to_epoch(parse_instant(text)))
        except ValueError as exc:
            raise UsageError(f"argument {flag}: {exc}") from exc
    if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
        raise ValidationError(f"argument --since: {since} is after --until {until}: nothing can be in that range.")
    return bounds[0], bounds[1]


def _refs(table: list, group: str | None, name: str | None, region: str | None) -> set[int] | None:
    """The history table's VMs that the group, name and region filters keep (None: no such filter)."""
    if group is None and name is None and region is None:
        return None
    group_key = group.lower() if group is not None else None
    name_key = name.lower() if name is not None else None
    return {ref for ref, (_, vm_name, vm_group, vm_region, *_) in enumerate(table)
            if (group_key is None or vm_group.lower() == group_key)
            and (name_key is None or vm_name.lower() == name_key)
            and (region is None or vm_region == region)}


def _os_name(distro_key: str) -> str:
    from ..azure.linux import distro

    found = distro(distro_key)
    return f"{found.name} {found.version}" if found else distro_key


def _rollouts(state) -> list[dict]:
    return (state.section("engine") or {}).get("rollouts", [])


def show(state, schedules: bool = True) -> dict:
    """The newest release's rollout: phase, regions, progress and halts (and the ones before it), and the
    Update Manager schedules that patch VMs outside it (``scheduledPatching``)."""
    from ..engine.phases import phase_label, phase_plan

    rollouts = _rollouts(state)
    if not rollouts:
        return {"rollouts": [], "message": "No release has been published since the fleet was created: tick on "
                "to the next Patch Tuesday (second Tuesday of the month).",
                "scheduledPatching": scheduled_patching(state) if schedules else []}
    plan = phase_plan()
    out = []
    for raw in rollouts:
        counts = Turn.tally(raw["vms"].values())
        phases = []
        for record in raw["phases"]:
            number = record["phase"]
            progress = counts.get(number, {})
            phases.append({
                "phase": number,
                "label": phase_label(number),
                "regions": record["regions"],
                "start": epoch_to_iso(record["start"]),
                "end": epoch_to_iso(record["end"]) if record["end"] else None,
                "result": record["result"] or "in progress",
                "vms": sum(progress.values()),
                "patched": progress.get("done", 0),
                "progress": progress,
            })
        current = raw["phase"]
        out.append({
            "release": raw["release"],
            "state": raw["state"],
            "published": epoch_to_iso(raw["published"]),
            "deadline": epoch_to_iso(raw["deadline"]),
            "phase": current if current <= len(plan) else None,
            "phaseLabel": phase_label(current) if 0 < current <= len(plan) else None,
            "nextPhaseAt": epoch_to_iso(raw["nextAt"]) if raw["state"] == "baking" and raw.get("nextAt") else None,
            "halt": _halt(raw.get("halt")),
            "supersededBy": raw.get("supersededBy"),
            # VMs whose turn had not come (or not ended) when the next release superseded this rollout: the
            # next rollout installs its patches, which include these (cumulative updates)
            "pendingWhenSuperseded": sum(1 for stored in raw["vms"].values()
                                         if Turn.decode(stored).status in ("queued", "active"))
            if raw["state"] == "superseded" else None,
            "calendar": [{"phase": number, "label": phase_label(number), "start": epoch_to_iso(start),
                          "end": epoch_to_iso(end)}
                         for number, (start, end) in enumerate(raw.get("calendar") or [], start=1)],
            "regionsThatCannotFit": raw.get("unfit") or {},
            "phases": phases,
        })
    return {"rollouts": list(reversed(out)), "scheduledPatching": scheduled_patching(state) if schedules else []}


def _halt(halt: dict | None) -> dict | None:
    if not halt:
        return None
    return {"phase": halt["phase"], "time": epoch_to_iso(halt["time"]), "vm": halt["vm"],
            "status": halt["status"], "reason": halt["reason"]}


def plan(state) -> dict:
    """Which VMs go in which phase and batch, and their expected window, for the next (or current) rollout.

    A dry run of the engine on a copy of the store (nothing is written), without faults: the plan assumes
    every eligible VM stays running and healthy, and then matches the run.
    """
    from ..gcpause import paused

    # The store and its copy hold no reference cycles: with the cyclic collector on, it rescans both again
    # and again while the dry run allocates, which was most of the time on a big fleet.
    with paused():
        return _plan(state)


def _plan(state) -> dict:
    from ..engine.phases import phase_label, phase_of_region
    from . import patching
    from .state import State, now

    data = state.full()
    scratch = State(_copy_for_plan(data))
    start = to_epoch(now(scratch))
    rollouts = _rollouts(scratch)
    live = [r for r in rollouts if r["state"] in ("active", "baking")]
    if live:
        target = live[-1]["release"]
        horizon = live[-1]["deadline"]
    else:
        upcoming = patching.releases(scratch, start, start + 62 * 86_400)
        if not upcoming:
            return {"release": None, "vms": []}
        target = upcoming[0].id
        horizon = upcoming[0].published + 30 * 86_400
    from ..engine.clock import from_epoch

    sim = patching.build(scratch, from_epoch(horizon))
    sim.plan_only = True
    for vm in sim.vms.values():
        vm.faults = {}  # a plan foresees no fault
    patching.engine_start(scratch, sim, horizon)
    sim.run(horizon)
    table = scratch.data["history"]["vms"]
    expected: dict[str, HistoryRow] = {}
    for raw in sim.history:
        recorded = HistoryRow.decode(raw)
        if recorded.op is OpKind.INSTALLATION and recorded.release == target and table[recorded.ref][0] not in expected:
            expected[table[recorded.ref][0]] = recorded
    rollout = next((r for r in sim.rollouts if r.release == target), None)
    phases = phase_of_region()
    out = []
    scheduled = []
    for key, record in scratch.data["vms"].items():
        vm = sim.vms[key]
        if not vm.is_platform:
            if vm.family is not None:
                entry_of_schedule = _plan_of_schedule(scratch, record, vm, start)
                if entry_of_schedule is not None:
                    scheduled.append(entry_of_schedule)
            continue
        entry = rollout.vms.get(key) if rollout else None
        row = expected.get(record["vm"]["properties"]["vmId"])
        phase = entry.phase if entry else phases.get(vm.region)
        out.append({
            **_placement(record, vm),
            "phase": phase,
            "phaseLabel": phase_label(phase) if phase else None,
            "batch": entry.batch if entry else None,
            "expectedStart": epoch_to_iso(row.start) if row else None,
            "expectedLocalStart": offpeak.local_iso(vm.tz, row.start) if row else None,
            "note": None if row else _plan_note(vm, entry),
            "patchedBy": "platform",
            "schedule": None,
        })
        if vm.guest.package_manager is not None:  # a Linux VM: its distribution
            out[-1]["os"] = _os_name(vm.family)
    out.sort(key=lambda r: (r["phase"] or 99, r["region"], r["batch"] or 0, r["name"]))
    unfit = dict(rollout.unfit) if rollout else {}
    for entry in out:
        if entry["region"] in unfit:
            entry["note"] = f"its region cannot fit its phase's window: {unfit[entry['region']]}"
    # after the rollout's VMs: the ones Update Manager's schedules patch (or that the matrix leaves to nobody)
    scheduled.sort(key=lambda r: (r["schedule"] is None, r["schedule"] or "", r["resourceGroup"], r["name"]))
    return {"release": target, "regionsThatCannotFit": unfit, "vms": out + scheduled,
            "scheduledPatching": scheduled_patching(scratch)}


def _plan_of_schedule(state, record: dict, vm, t: int) -> dict | None:
    """A VM outside the rollout because of Update Manager's matrix: patched by its schedule, in the schedule's
    next window, or by nobody (a bypass flag without a schedule, a schedule without the prerequisites)."""
    from . import schedule_rules

    if not schedule_rules.schedules(record) and not schedule_rules.bypass(record):
        return None  # Manual or AutomaticByOS: not the orchestration's, as before
    verdict = schedule_rules.verdict(record)
    item = schedule_of_vm(state, record, t)
    upcoming = item["nextWindows"][0]["start"] if item and item["nextWindows"] else None
    if item is not None:
        note = (f"patched by Update Manager's schedule {item['name']} in its windows ({schedule_words(item)}), "
                "not by the platform's rollout")
    else:
        note = "not patched: " + verdict.reason
    return {
        **_placement(record, vm),
        "phase": None,
        "phaseLabel": None,
        "batch": None,
        "expectedStart": upcoming,
        "expectedLocalStart": offpeak.local_iso(vm.tz, parse_time(upcoming)) if upcoming else None,
        "note": note,
        "patchedBy": verdict.patched_by,
        "schedule": item["name"] if item else None,
    }


def _plan_note(vm, entry) -> str:
    if vm.power != "running":
        return f"not patched: the VM is {vm.power}"
    if entry is None:
        return "nothing to install, or its phase does not start within the release's 30 days"
    return f"not patched within the release's 30 days ({entry.status})"


def _copy_for_plan(data: dict) -> dict:
    import json

    # Only what the engine reads; history rows are not needed for a plan. The dry run only reads the VM
    # records (it works on VmState objects of its own) but for the `sim.patch` that patching.build gives a
    # VM without one: they are copied down to `sim`, not through JSON (the slow part on a big fleet).
    slim = {k: v for k, v in data.items() if k not in ("history", "vms")}
    copied = json.loads(json.dumps(slim))
    copy: dict = {}
    for key in data:
        if key == "vms":
            copy[key] = {name: {**record, "sim": dict(record["sim"])} for name, record in data[key].items()}
        elif key != "history":
            copy[key] = copied[key]
    copy["history"] = {"vms": [], "rows": []}
    return copy


def why(state, group: str, name: str) -> dict:
    """Why a VM is not patched yet, in one sentence."""
    from ..engine.phases import phase_of_region
    from ..engine.records import VmState
    from . import patching
    from .state import now

    # the same lookup as `vm show`: a missing group is ResourceGroupNotFound, a missing VM ResourceNotFound
    record = vm_ops.require(state, group, name)
    key = vm_ops.ids.key(vm_ops.group_of(record), record["vm"]["name"])
    t = to_epoch(now(state))
    vm: VmState = patching.vm_state(key, record)
    vm.is_platform, vm.is_assessed = vm.platform, vm.assessed_by_platform
    reason, code = _why(state, record, vm, t, phase_of_region())
    rollouts = _rollouts(state)
    previous = rollouts[-2] if len(rollouts) > 1 else None
    earlier = (previous or {}).get("vms", {}).get(key)
    if (previous and previous["state"] == "superseded" and earlier and code != "patched"
            and Turn.decode(earlier).status in ("queued", "active")):
        # (stores written before rollouts overlapped) a release never drops the previous one's VMs silently
        reason = (f"The rollout of {previous['release']} was superseded by {previous.get('supersededBy') or 'the next release'} "
                  f"before this VM's turn ended; the newer rollout installs the patches it missed (they are "
                  f"cumulative). {reason}")
    for older in rollouts[:-1]:
        turn = older.get("vms", {}).get(key)
        if (turn and older["state"] in ("active", "baking", "completed") and code != "patched"
                and Turn.decode(turn).status in ("queued", "active")):
            # a newer release never cancels an older rollout's pending VMs: that rollout goes on for this VM
            turn_now = Turn.decode(turn)
            reason = (f"Its turn in the rollout of {older['release']} (still running: a newer release never cancels "
                      f"it) is {'under way' if turn_now.status == 'active' else 'still to come'} (phase "
                      f"{turn_now.phase}, batch {turn_now.batch}). {reason}")
    out = {"name": record["vm"]["name"], "resourceGroup": vm_ops.group_of(record), "reason": code, "message": reason}
    if code == "scheduled":
        out["schedule"] = schedule_of_vm(state, record, t)
    return out


def _why(state, record, vm, t, phases) -> tuple[str, str]:
    if vm.family is None:
        return "It is not a Windows VM autopatch simulates, so the platform does not patch it.", "not-supported"
    from . import maintenance

    item = schedule_of_vm(state, record, t)
    if item is not None and item["nextWindows"]:
        upcoming = ", ".join(w["start"] for w in item["nextWindows"])
        return (f"It is patched by Update Manager's schedule {item['name']} (maintenance configuration of resource "
                f"group {item['resourceGroup']}), not by the platform's rollout: {schedule_words(item)}; its next "
                f"windows open at {upcoming}."), "scheduled"
    scheduled = maintenance.explain(state, record, t)  # Update Manager's schedule matrix
    if scheduled:
        return scheduled
    if not vm.supported and vm.guest.package_manager is not None and vm.mode == "AutomaticByPlatform":
        return ("Its image is not one that automatic VM guest patching supports (only the listed marketplace Linux "
                "images are), so the platform does not patch it."), "not-supported"
    if not vm.supported:
        return ("Its image is not one that automatic VM guest patching supports (only listed marketplace Windows "
                "Server images are), so the platform does not patch it."), "not-supported"
    if vm.mode == "ImageDefault":
        return ("Its patch mode is ImageDefault: the distribution's own update configuration applies, not the "
                "platform's orchestration (use AutomaticByPlatform for availability-first patching)."), "image-default"
    if vm.mode == "Manual":
        return "Its patch mode is Manual: the platform never patches it; install patches yourself.", "manual"
    if vm.mode == "AutomaticByOS":
        return ("Its patch mode is AutomaticByOS: Windows Update patches it on its own schedule, outside the "
                "platform's orchestration."), "automatic-by-os"
    if vm.power != "running":
        return (f"It is {vm.power}: the platform neither assesses nor patches it until it is started; then it is "
                "assessed and patched at its next off-peak window."), vm.power
    failure = vm.guest.failure()
    if vm.enable_error or failure:
        message = (vm.enable_error or failure)["message"]
        return f"A requirement failed: {message}", "requirement-failed"
    if not vm.enabled:
        window = offpeak.next_window(vm.tz, t)
        when = "now, in its off-peak hours" if window[0] <= t else f"in its next off-peak window at {offpeak.local_iso(vm.tz, window[0])}"
        return (f"The patch extension is still being installed (enablement takes more than three hours and happens "
                f"only in off-peak hours); it continues {when}."), "enabling"
    rollouts = _rollouts(state)
    if not rollouts:
        return ("No release has been published since it was created: the next one comes on Patch Tuesday (the "
                "second Tuesday of the month)."), "no-release"
    raw = rollouts[-1]
    stored = raw["vms"].get(_key(record))
    entry = Turn.decode(stored) if stored is not None else None
    unfit = (raw.get("unfit") or {}).get(vm.region)
    if unfit and not (entry and entry.status == "done"):
        return (f"Its region {vm.region} cannot fit the window of its phase in the rollout of {raw['release']}: "
                f"{unfit}."), "region-cannot-fit"

    if raw["state"] == "halted":
        halt = raw["halt"]
        if entry and entry.status == "done":
            return f"It is patched: release {raw['release']} was installed before the rollout halted.", "patched"
        cause = "a VM came back unhealthy" if halt["status"] == "unhealthy" else "an installation failed three times"
        then = ("its batch was already running, so it is still patched in its off-peak windows"
                if entry and entry.status == "active" and raw["deadline"] > t else "the next release's rollout will patch it")
        return (f"The rollout of {raw['release']} halted in phase {halt['phase']}: {cause} ({halt['vm']}: "
                f"{halt['reason']}); {then}."), "halted"
    if entry and entry.status == "done":
        return f"It is patched: its installation of release {raw['release']} succeeded.", "patched"
    if entry and entry.status in ("failed", "unhealthy"):
        return (f"Its installation of release {raw['release']} {'left it unhealthy' if entry.status == 'unhealthy' else 'failed'} "
                "and it counts against its phase."), entry.status
    late_turn = raw["state"] == "completed" and entry is not None and entry.status in ("queued", "active")
    if raw["state"] == "completed" and not late_turn and entry is not None and entry.status == "skipped":
        return ("It was powered off when its turn came; now that it runs it joins the rollout of "
                f"{raw['release']} at its next off-peak window, within the release's 30 days."), "skipped"
    if raw["state"] in ("expired", "superseded", "completed") and not late_turn:
        return (f"The rollout of {raw['release']} is {raw['state']}; it has nothing left to install or waits for "
                "the next release."), raw["state"]
    own = phases.get(vm.region)
    current = raw["phase"]
    if not late_turn and (own is not None and own > current or (own == current and raw["state"] == "baking")):
        for partner in sorted(pair_partners(vm.region)):
            if phases.get(partner) == current and raw["state"] == "active":
                return (f"Its paired region {partner} is patching (phase {current}); paired regions are never "
                        f"patched at the same time. Its own phase is {own}."), "paired-region-patching"
        if raw["state"] == "baking":
            return (f"Its phase ({own}) has not started: phase {current} finished and bakes for 24 hours, until "
                    f"{epoch_to_iso(raw['nextAt'])}."), "phase-not-started"
        return f"Its phase ({own}) has not started: phase {current} is in progress.", "phase-not-started"
    run = raw["regions"].get(vm.region)
    if entry is None or run is None:
        return "It has no patch to install from the current release.", "nothing-to-install"
    status, batch = entry.status, entry.batch
    if status == "queued":
        lane = next((ln for ln in run["lanes"].values() if any(batch == n for n in ln["numbers"])), None)
        active_zone = next((ln["zone"] for ln in run["lanes"].values() if ln["active"] and ln["zone"]), None)
        if vm.zone and active_zone and active_zone != vm.zone:
            return (f"Another availability zone of its region (zone {active_zone}) is patching; zones are never "
                    "patched at the same time."), "other-zone-patching"
        if lane is not None and lane["active"]:
            active_batch = lane["numbers"][lane["next"] - 1]
            if vm.avset:
                active_members = [_ud_of(state, key) for key in lane["active"]]
                uds = sorted({u for u in active_members if u is not None})
                if vm.ud is not None and uds and vm.ud not in uds:
                    return (f"Its update domain's turn has not come: update domain {uds[0]} of its availability set "
                            "is patching, one update domain at a time."), "update-domain-turn"
                return (f"The 20% cap of its availability set is reached: batch {active_batch} is patching, and "
                        f"it waits in batch {batch}."), "availability-set-cap"
            return (f"Its batch ({batch}) waits for batch {active_batch} of its region's standalone VMs to finish, "
                    "so not all of the subscription's VMs are patched at once."), "batch-turn"
        return f"Its batch ({batch}) has not started yet.", "batch-turn"
    if status in ("active",):
        if vm.retry_after and vm.retry_after > t:
            return ("Its last attempt did not finish (a failed patch or a maintenance window that ran out); it is "
                    "retried in its next off-peak window."), "retry-next-window"
        open_window = offpeak.window_at(vm.tz, t)
        if open_window is None:
            start = offpeak.next_window(vm.tz, t)[0]
            return (f"Outside its off-peak hours: its turn has come, and it is patched when its window opens at "
                    f"{offpeak.local_iso(vm.tz, start)} ({epoch_to_iso(start)})."), "outside-off-peak"
        return "It is being patched now, in its off-peak window.", "patching"
    if status == "skipped":
        return ("It was powered off when its turn came; it is patched after it is started, at its next periodic "
                "assessment in off-peak hours."), "skipped"
    if status == "excluded":
        return "A requirement failed three times in a row, so it left this release's rollout.", "requirement-failed"
    return f"Its state in the rollout is {status}.", status


def _key(record) -> str:
    return vm_ops.ids.key(vm_ops.group_of(record), record["vm"]["name"])


def _ud_of(state, key: str):
    record = state.entry("vms", key)
    return record["sim"].get("updateDomain") if record else None


def parse_time(text: str) -> int:
    try:
        return to_epoch(parse_instant(text))
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def windows(state, group: str | None = None, name: str | None = None) -> list[dict]:
    """Each VM's off-peak window: the one open now, else the next (22:00 local, 235 minutes; UTC on Linux)."""
    from ..azure.timezones import canonical_windows_zone, iana_name
    from . import patching
    from .state import now

    t = to_epoch(now(state))
    if name is not None:
        assert group is not None  # the front-ends resolve the group of a named VM
        record = vm_ops.find(state, group, name)
        if record is None and group is not None:
            record = vm_ops.require(state, group, name)  # raises as `vm show` does
        if record is None:
            raise resource_not_found("Microsoft.Compute/virtualMachines", name, group)
        records = [record]
    else:
        records = [r for r in state.data["vms"].values()
                   if group is None or vm_ops.group_of(r).lower() == group.lower()]
    out = []
    for record in records:
        windows_config = record["vm"]["properties"].get("osProfile", {}).get("windowsConfiguration")
        if windows_config is None and patching.linux_distro(record) is not None:
            windows_config = {}  # a Linux VM: no time zone setting in Azure, its image runs in UTC
        if windows_config is None:
            continue
        zone_name = canonical_windows_zone(windows_config.get("timeZone") or "UTC") or "UTC"
        iana = iana_name(zone_name)
        start, end = offpeak.next_window(iana, t)
        out.append({
            "name": record["vm"]["name"],
            "resourceGroup": vm_ops.group_of(record),
            "timeZone": zone_name,
            "open": start <= t,
            "start": epoch_to_iso(start),
            "end": epoch_to_iso(end),
            "localStart": offpeak.local_iso(iana, start),
            "localEnd": offpeak.local_iso(iana, end),
        })
    return out


class TimelineOp(NamedTuple):
    """One operation as the timeline draws it: where, which VM, what, its result and when (epoch seconds).

    ``timeline`` builds these straight from the stored history rows (a big fleet's month is a hundred
    thousand of them), never the full records ``history`` prints.
    """

    region: str
    zone: str | None
    vm: str
    operation: str
    result: str
    start: int | None
    end: int | None
    phase: int | None
    release: str | None
    schedule: str | None = None  # the Update Manager schedule the VM belongs to (drawn apart from the rollout)


def timeline(state, release: str | None = None, days: int = 35) -> dict | None:
    """What a release's timeline draws (the newest release's by default), or None before any release:
    its installations, every assessment and enablement of the days shown (so each VM the platform looks after
    has its row, patched or not), the installations Update Manager's schedules ran in those days, the phase
    of each region, the halt if any, and the schedules with their windows.

    Reads the rollouts, the history rows and the schedules, never the VMs: its cost follows the history."""
    rollouts = show(state, schedules=False)["rollouts"]
    if release is not None:
        rollouts = [r for r in rollouts if r["release"] == release]
        if not rollouts:
            raise ValidationError(f"no rollout of release '{release}' in this store")
    if not rollouts:
        return None
    rollout = rollouts[0]
    target = rollout["release"]
    start = parse_time(rollout["published"])
    end = start + days * 86_400
    index = _history_index(state)
    stored = None
    if index is not None:
        try:
            table, stored = index.table(), index.timeline_rows(target, start, end)
        except history_index.Damaged:
            index.discard()
            stored = None
    if stored is None:
        data = state.section("history") or {"vms": [], "rows": []}
        table, stored = data["vms"], data["rows"]
    assigned = _assigned_schedules(state)
    ran_by = _schedule_runs(state)
    vms: dict[int, tuple] = {}  # ref -> (region, zone, vmId, its schedule or None, group, name), once per VM
    installation, by_user = OpKind.INSTALLATION.value, int(RowFlag.STARTED_BY_USER)
    records = []
    kinds = {kind.value: kind.label for kind in OpKind}
    make = tuple.__new__  # TimelineOp's own __new__ takes keywords: several times slower, 100,000 times over
    for ref, letter, t0, t1, result, phase, row_release, flags in HistoryRow.of_timeline(stored, target, start, end):
        # an installation of no release that the platform started: a schedule's
        by_schedule = letter == installation and row_release is None and not flags & by_user
        if letter == installation and row_release is None and not by_schedule:
            continue  # a user's install-patches is not the rollout's
        about = vms.get(ref)
        if about is None:
            vm_id, vm_name, vm_group, vm_region, zone, *_ = table[ref]
            about = vms[ref] = (vm_region, None if zone in (None, "") else str(zone), vm_id,
                                assigned.get(ids.key(vm_group, vm_name)), vm_group, vm_name)
        schedule = about[3]
        if by_schedule:
            vm_resource = ids.resource_id(subscription_id(state), about[4], ids.VM_TYPE, about[5]).lower()
            schedule = ran_by.get((vm_resource, t0)) or schedule or REMOVED
        records.append(make(TimelineOp, (about[0], about[1], about[2], kinds[letter], result, t0, t1, phase,
                                         row_release, schedule)))
    from ..engine.phases import phase_of_region

    # every region drawn has its phase in Azure's order, whether that phase has started or not
    planned = phase_of_region()
    phases = {op.region: planned[op.region] for op in records if op.schedule is None and op.region in planned}
    phases.update({region: p["phase"] for p in rollout["phases"] for region in p["regions"]})
    return {
        "rollout": rollout,
        "records": records,
        "phases": phases,
        "halts": [rollout["halt"]] if rollout["halt"] else None,
        "now": state.section("clock")["now"],
        "schedules": scheduled_patching(state, start, end),
    }


# ---- Update Manager's schedules, as the orchestration views show them ---------------------------------

NEXT_WINDOWS = 3  # the windows each view lists ahead of now
NOT_IN_ROLLOUT = ("The platform's rollout does not patch these VMs: an Update Manager schedule does, in its own "
                  "windows (AutomaticByPlatform with bypassPlatformSafetyChecksOnUserSchedule).")


REMOVED = "(removed)"  # a schedule's installation whose schedule is no longer assigned nor in the run log


def _schedule_runs(state) -> dict[tuple[str, int], str]:
    """(VM resource id in lower case, window opening) -> the name of the configuration that patched it then."""
    return {(run["vm"].lower(), parse_time(run["time"])): run["configuration"].rsplit("/", 1)[-1]
            for run in state.section("maintenanceRuns", []) or () if run.get("result") == "Started"}


def _assigned_schedules(state) -> dict[str, str]:
    """VM key -> the name of the (first) maintenance configuration assigned to it."""
    out = {}
    for vm_key, assigned in (state.section("configurationAssignments", {}) or {}).items():
        names = sorted(a["properties"]["maintenanceConfigurationId"].rsplit("/", 1)[-1] for a in assigned.values())
        if names:
            out[vm_key] = names[0]
    return out


def scheduled_patching(state, since: int | None = None, until: int | None = None) -> list[dict]:
    """Each InGuestPatch maintenance configuration with VMs assigned: its window (start, duration, recurrence,
    time zone, expiration), its next windows after now, the windows in [since, until) when asked (the
    timeline marks them), and its VMs with who patches each (the doc's matrix: the schedule, or nobody when
    the VM does not meet the prerequisites). Reads the schedules and only the assigned VMs."""
    from .state import now

    t = to_epoch(now(state))
    members: dict[str, list[str]] = {}
    for vm_key, assigned in (state.section("configurationAssignments", {}) or {}).items():
        for assignment in assigned.values():
            members.setdefault(assignment["properties"]["maintenanceConfigurationId"].lower(), []).append(vm_key)
    out = []
    for _, entry in sorted((state.section("maintenanceConfigurations", {}) or {}).items()):
        keys = members.get(entry["config"]["id"].lower())
        if entry["config"]["properties"].get("maintenanceScope") == "InGuestPatch" and keys:
            out.append(_schedule_item(state, entry, t, keys, since, until))
    return out


def _schedule_item(state, entry: dict, t: int, keys: list[str] | None, since: int | None = None,
                   until: int | None = None) -> dict:
    from ..engine import schedules
    from . import maintenance, schedule_rules

    config = entry["config"]
    window = config["properties"]["maintenanceWindow"]
    parsed = maintenance.window_of(config)
    length = int(parsed.duration.total_seconds())
    # as the engine opens them: not before the schedule's 15-minute lead, never the same window twice
    after = max(t - 1, entry.get("lastOpened", 0), entry.get("notBefore", 0) - 1)
    upcoming = schedules.openings(parsed, after, after + 400 * 86_400, limit=NEXT_WINDOWS)
    item = {
        "name": config["name"],
        "resourceGroup": ids.group_and_name(config["id"])[0],
        "id": config["id"],
        "startDateTime": window["startDateTime"],
        "duration": window["duration"],
        "recurEvery": window["recurEvery"],
        "timeZone": window.get("timeZone") or "UTC",
        "expirationDateTime": window.get("expirationDateTime"),
        "nextWindows": [{"start": epoch_to_iso(at), "end": epoch_to_iso(at + length)} for at in upcoming],
        "platformRollout": NOT_IN_ROLLOUT,
    }
    if keys is not None:
        vms = []
        for vm_key in sorted(keys):
            record = state.entry("vms", vm_key)
            if record is None:
                continue
            verdict = schedule_rules.verdict(record)
            by_schedule = verdict.patched_by == schedule_rules.SCHEDULE
            vms.append({"name": record["vm"]["name"], "resourceGroup": vm_ops.group_of(record),
                        "region": record["vm"]["location"], "patchedBy": verdict.patched_by,
                        "note": None if by_schedule else verdict.reason})
        item["vms"] = vms
    if since is not None and until is not None:
        item["windowsShown"] = [epoch_to_iso(at) for at in schedules.openings(parsed, since - 1, until - 1, limit=400)]
    return item


def schedule_of_vm(state, record: dict, t: int) -> dict | None:
    """The schedule that patches this VM next (its window and next windows), when the matrix says a schedule
    patches it; None otherwise."""
    from . import schedule_rules

    if schedule_rules.verdict(record).patched_by != schedule_rules.SCHEDULE:
        return None
    items = []
    configs = state.section("maintenanceConfigurations", {}) or {}
    for config_id in schedule_rules.schedules(record):
        entry = configs.get(ids.key(*ids.group_and_name(config_id)))
        if entry is not None:
            items.append(_schedule_item(state, entry, t, None))
    items.sort(key=lambda i: (not i["nextWindows"], i["nextWindows"][0]["start"] if i["nextWindows"] else ""))
    return items[0] if items else None


def schedule_words(item: dict) -> str:
    """A schedule's window in words: 'Week Saturday from 2024-06-01 22:00 (UTC), 03:00 long'."""
    expiry = item.get("expirationDateTime")
    return (f"{item['recurEvery']} from {item['startDateTime']} ({item['timeZone']}), {item['duration']} long"
            + (f", until {expiry}" if expiry and not str(expiry).startswith("9999") else ""))


def _placement(record: dict, vm) -> dict:
    """Where a VM sits, as every plan row starts: name, group, region, zone, set, update domain, time zone."""
    return {
        "name": record["vm"]["name"],
        "resourceGroup": vm_ops.group_of(record),
        "region": vm.region,
        "zone": vm.zone,
        "availabilitySet": vm.avset.rsplit("/", 1)[-1] if vm.avset else None,
        "updateDomain": vm.ud,
        "timeZone": (record["vm"]["properties"]["osProfile"].get("windowsConfiguration") or {}).get("timeZone") or "UTC",
    }
