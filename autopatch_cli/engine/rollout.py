"""The rollout of each release: phases of regions, lanes and batches within a region, admission, halts.

The orchestrator (availability first), for each release:
- phases of regions in the order of :mod:`.phases`, each opening at its slot of the global calendar (24 hours
  of bake after the previous window); a failed or unhealthy VM fails its phase and halts the release's
  rollout at once, in any phase (the running batches finish);
- within a region, lanes of batches: one lane per availability set (update domain by update domain, at
  most 20% of the set at once, one VM at a time below 10 VMs) and one lane of standalone VMs per zone
  (batches of a fifth); lanes of one availability zone run side by side, two zones never at once;
- batches are drawn anew for each release from the seed, so a VM's turn varies month to month;
- nothing starts after the release's 30 days; a newer release never cancels an older rollout: they run side
  by side; a lane (an availability set, a zone's standalone VMs) patches for one rollout at a time, one zone
  of a region at a time and paired regions never at once, across rollouts.

The per-VM schedule (:mod:`.simulator`) owns the event queue and each VM's agenda; the orchestrator hands
VMs their turns (``VmState.ticket``) and hears back when a turn ends. Pure: no I/O, no printing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

from ..azure.regions import pair_partners
from . import lifecycle, offpeak
from .catalog import patch_tuesday
from .phases import BAKE_SECONDS, calendar, phase_of_region, phase_plan
from .records import Turn, VmState

DAY = 86_400
ROLLOUT_DAYS = 30
# Batches that can run one after another in one night of a region: an installation takes 20 to 60 minutes
# in a 235-minute window, so three batches of one time zone fit.
BATCHES_PER_NIGHT = 3
FINAL = ("done", "failed", "unhealthy", "excluded", "skipped")
# Rollout states in which batches start and a failure halts: every phase opened ("completed") included, since a
# region that overran its window may still be patching then.
RUNNING = ("active", "baking", "completed")
# ... and the states whose running batches hold their regions (a halted rollout's batches finish)
HOLDING = (*RUNNING, "halted")


@cache
def _partners(region: str) -> tuple[str, ...]:
    """``pair_partners(region)``, sorted, asked once per region (it searches every region's pair)."""
    return tuple(sorted(pair_partners(region)))


@dataclass
class Lane:
    zone: str | None
    batches: list[list[str]]
    numbers: list[int]
    next: int = 0
    active: set[str] | None = None

    @property
    def pending(self) -> bool:
        return self.active is not None or self.next < len(self.batches)


@dataclass
class RegionRun:
    region: str
    phase: int
    lanes: dict[str, Lane]
    zone_order: list[str]
    batch_count: int = 0
    finished: int = 0  # when its last running batch ended (the bake before the next phase counts from it)


@dataclass
class Rollout:
    release: str
    published: int
    ceiling: int
    deadline: int
    phase: int = 0  # 1-based phase number in progress; 0 before the first
    state: str = "pending"  # pending, active, baking, completed, halted, expired, superseded
    next_at: int | None = None
    halt: dict | None = None
    phase_failed: dict | None = None  # read from older stores only: a failed phase waiting for its batches
    phases: list[dict] = field(default_factory=list)
    regions: dict[str, RegionRun] = field(default_factory=dict)
    vms: dict[str, Turn] = field(default_factory=dict)  # VM key -> its turn
    calendar: list[list[int]] = field(default_factory=list)  # [start, end] of each phase's run window
    unfit: dict[str, str] = field(default_factory=dict)  # region -> why its VMs cannot fit their phase's window
    superseded_by: str | None = None

    @property
    def live(self) -> bool:
        return self.state in ("active", "baking", "pending")

    def to_json(self) -> dict:
        return {
            "release": self.release, "published": self.published, "ceiling": self.ceiling,
            "deadline": self.deadline, "phase": self.phase, "state": self.state, "nextAt": self.next_at,
            "halt": self.halt, "phases": self.phases,
            "regions": {
                name: {
                    "phase": run.phase, "zoneOrder": run.zone_order, "batchCount": run.batch_count,
                    "finished": run.finished,
                    "lanes": {
                        key: {"zone": lane.zone, "batches": lane.batches, "numbers": lane.numbers, "next": lane.next,
                              "active": sorted(lane.active) if lane.active is not None else None}
                        for key, lane in run.lanes.items()
                    },
                }
                for name, run in self.regions.items()
            },
            "vms": {key: turn.encode() for key, turn in self.vms.items()},
            "calendar": self.calendar, "unfit": self.unfit, "supersededBy": self.superseded_by,
        }

    @classmethod
    def from_json(cls, raw: dict) -> Rollout:
        rollout = cls(raw["release"], raw["published"], raw["ceiling"], raw["deadline"], raw["phase"], raw["state"],
                      raw.get("nextAt"), raw.get("halt"), raw.get("phaseFailed"), raw.get("phases", []))
        for name, run in raw.get("regions", {}).items():
            lanes = {
                key: Lane(lane["zone"], lane["batches"], lane["numbers"], lane["next"],
                          set(lane["active"]) if lane["active"] is not None else None)
                for key, lane in run["lanes"].items()
            }
            rollout.regions[name] = RegionRun(name, run["phase"], lanes, run["zoneOrder"], run.get("batchCount", 0),
                                              run.get("finished", 0))
        rollout.vms = {key: Turn.decode(turn) for key, turn in raw.get("vms", {}).items()}
        rollout.calendar = raw.get("calendar") or []
        rollout.unfit = raw.get("unfit") or {}
        rollout.superseded_by = raw.get("supersededBy")
        return rollout


class Orchestrator:
    """The rollouts of a fleet during one tick, over the simulator's event queue.

    ``schedule(at, kind, payload)`` queues a "phase" or "deadline" event for the simulator to hand back
    (:meth:`on_phase_due`, :meth:`on_deadline`); ``step(vm, at)`` lets a VM that was given a turn start
    its work; ``missing(vm, upto)`` is what the VM lacks of the releases published up to ``upto``.
    """

    def __init__(self, seed: int, vms: dict[str, VmState], rollouts: list[Rollout], counters, log: list,
                 schedule: Callable, step: Callable, missing: Callable):
        self.seed = seed
        self.vms = vms
        self.rollouts = rollouts
        self.counters = counters
        self.log = log
        self.schedule = schedule
        self.step = step
        self.missing = missing
        self.regions_with_platform_vms = {vm.region for vm in vms.values() if vm.platform}
        self.by_region: dict[str, list[VmState]] = {}
        self.set_sizes: dict[str, int] = {}
        for vm in vms.values():
            self.by_region.setdefault(vm.region, []).append(vm)
            if vm.avset:
                self.set_sizes[vm.avset] = self.set_sizes.get(vm.avset, 0) + 1

    def resume(self) -> None:
        """Queue the events of the rollouts restored from the store (a bake's end, a deadline)."""
        for rollout in self.rollouts:
            if not rollout.calendar:  # a rollout stored before the global calendar
                rollout.calendar = [list(w) for w in calendar(self.seed, rollout.release, rollout.published)]
            if rollout.phase_failed is not None and rollout.halt is None and rollout.state in RUNNING:
                # stored while a failed phase's batches finished (before halts took effect at once)
                failed, rollout.phase_failed = rollout.phase_failed, None
                self._halt(rollout, failed["vm"], failed["phase"], failed["status"], failed["reason"], failed["time"])
            if rollout.state == "active" and 0 < rollout.phase < len(rollout.calendar):
                self.schedule(rollout.calendar[rollout.phase][0], "phase", rollout.release)  # the next slot
            if rollout.state in ("baking", "pending") and rollout.next_at is not None:
                self.schedule(rollout.next_at, "phase", rollout.release)
            if rollout.live or rollout.state in ("completed", "halted"):
                self.schedule(rollout.deadline, "deadline", rollout.release)

    def start(self, at: int) -> None:
        """At the start of a tick: deleted VMs leave their batches; VMs that missed their batch join."""
        self.forget_deleted(at)
        if any(self._admits(rollout, at) for rollout in self.rollouts):
            for vm in self.vms.values():
                self.admit(vm, at)

    def on_phase_due(self, release_id: str, at: int) -> None:
        rollout = self.rollout(release_id)
        if rollout is not None and rollout.state in ("baking", "pending") and rollout.next_at == at:
            self._next_phase(rollout, at)
        elif (rollout is not None and rollout.state == "active"
              and rollout.phase < len(rollout.calendar) and rollout.calendar[rollout.phase][0] == at):
            # The calendar is Azure's, not the fleet's: a phase whose VMs of this fleet overran its window (a
            # region that cannot fit) does not hold the next phase back; its batches go on.
            record = rollout.phases[-1]
            record["end"], record["result"] = at, "overran its window"
            for run in rollout.regions.values():
                if run.phase == rollout.phase and any(lane.pending for lane in run.lanes.values()):
                    rollout.unfit.setdefault(run.region, (
                        f"its batches overran phase {rollout.phase}'s window (too many VMs of one zone or time "
                        "zone for its nights); they go on while the next phases open, without the 24-hour bake"))
                elif run.phase == rollout.phase and run.finished + BAKE_SECONDS > at:
                    rollout.unfit.setdefault(run.region, (
                        f"its batches ran past phase {rollout.phase}'s window and ended less than 24 hours before "
                        f"phase {rollout.phase + 1} opened"))
            self.log.append((at, f"{rollout.release}: phase {rollout.phase} overran its window; the calendar "
                                 "moves on"))
            self._next_phase(rollout, at)

    def on_deadline(self, release_id: str, at: int) -> None:
        rollout = self.rollout(release_id)
        if rollout is not None and rollout.live:
            self._end_rollout(rollout, "expired", at)
        elif rollout is not None and rollout.state in ("completed", "halted"):
            self._drop_turns(rollout, at)  # nothing of a release starts after its 30 days

    def rollout(self, release_id: str) -> Rollout | None:
        for rollout in self.rollouts:
            if rollout.release == release_id:
                return rollout
        return None

    def publish(self, release: Release, at: int) -> None:
        """A new release: its rollout starts its first phase; the older ones go on.

        A newer release never cancels an older rollout's pending VMs: each release keeps the 30-day promise
        to every VM (an out-of-band release published in the middle of a monthly rollout would otherwise
        push the monthly's last phases weeks later). The rollouts share the fleet's rules: a region patches
        for one rollout at a time and its zones one at a time across rollouts (:meth:`_held_elsewhere`), and
        paired regions are never patched at once (:meth:`_partner_busy`).
        """
        rollout = Rollout(release.id, release.published, release.published, release.published + ROLLOUT_DAYS * DAY)
        self.rollouts.append(rollout)
        self.log.append((at, f"release {release.id} published; its rollout starts"))
        self.schedule(rollout.deadline, "deadline", rollout.release)
        # the global calendar: phase 1 opens at its slot, every later one at its own (see phases.calendar)
        rollout.calendar = [list(w) for w in calendar(self.seed, rollout.release, rollout.published)]
        rollout.next_at = max(at, rollout.calendar[0][0])
        self.schedule(rollout.next_at, "phase", rollout.release)

    def installation_finished(self, vm: VmState, result: lifecycle.Installation, ticket: tuple) -> None:
        """The outcome of a platform installation during the VM's turn: done, retried, or out of the rollout."""
        rollout = self.rollout(ticket[0])
        if rollout is None:
            vm.ticket = None
            return
        entry = rollout.vms.setdefault(vm.key, Turn("active", ticket[1], ticket[2]))
        if result.unhealthy:
            self.leave_turn(vm, "unhealthy", result.end, reason=result.error)
        elif result.status == "Succeeded":
            self.leave_turn(vm, "done", result.end)
        elif result.status == "CompletedWithWarnings":
            vm.retry_after = window[1] if (window := offpeak.window_at(vm.tz, result.start)) else 0
        else:
            entry.attempts += 1
            vm.retry_after = (offpeak.window_at(vm.tz, result.start) or (0, result.end))[1]
            if entry.attempts >= lifecycle.MAX_ATTEMPTS:
                requirement = vm.guest.failure() is not None
                self.leave_turn(vm, "excluded" if requirement else "failed", result.end, reason=result.error)

    def _end_rollout(self, rollout: Rollout, state: str, at: int) -> None:
        rollout.state = state
        self.log.append((at, f"rollout of {rollout.release} {state}"))
        if rollout.phases and rollout.phases[-1].get("end") is None:
            rollout.phases[-1]["end"] = at
            rollout.phases[-1]["result"] = state
        self._drop_turns(rollout, at)

    def _drop_turns(self, rollout: Rollout, at: int | None = None) -> None:
        """The rollout's turns end (its 30 days are over): its running lanes stop holding their regions,
        and the other rollouts waiting for those regions go on (``at``)."""
        for key in rollout.vms:
            vm = self.vms.get(key)
            if vm is not None and vm.ticket and vm.ticket[0] == rollout.release:
                vm.ticket = None
        held = [run.region for run in rollout.regions.values() if any(lane.active for lane in run.lanes.values())]
        for run in rollout.regions.values():
            for lane in run.lanes.values():
                lane.active = None
        if at is not None:
            for region in held:
                self._wake_others(rollout, region, at)

    def _next_phase(self, rollout: Rollout, at: int) -> None:
        plan = phase_plan()
        while True:
            rollout.phase += 1
            rollout.next_at = None
            if rollout.phase > len(plan):
                rollout.state = "completed"
                self.log.append((at, f"rollout of {rollout.release} completed"))
                for vm in self.vms.values():  # VMs that missed their phase (started since) get their turn
                    self.admit(vm, at)
                return
            if at >= rollout.deadline:
                self._end_rollout(rollout, "expired", at)
                return
            # every phase takes its slot of the calendar, with or without VMs of this fleet
            regions = [r for r in plan[rollout.phase - 1] if r in self.regions_with_platform_vms]
            rollout.state = "active"
            rollout.phases.append({"phase": rollout.phase, "regions": regions, "start": at, "end": None, "result": None})
            self.counters.bump("phases")
            self.log.append((at, f"{rollout.release}: phase {rollout.phase} started ({', '.join(regions)})"))
            for region in regions:
                rollout.regions[region] = self._plan_region(rollout, region)
            if rollout.phase < len(rollout.calendar):
                self.schedule(rollout.calendar[rollout.phase][0], "phase", rollout.release)  # the next slot
            for region in regions:
                self._advance_region(rollout, rollout.regions[region], at)
            if rollout.state == "active" and self._phase_idle(rollout):
                if self._close_phase(rollout, at):
                    continue
            return

    def _plan_region(self, rollout: Rollout, region: str) -> RegionRun:
        """Batches for one region: drawn from the seed and the release, so they differ month to month, and
        sized to fit the phase's window of the calendar.

        Standalone VMs go in at most five batches per lane, fewer when the window has fewer nights (zones
        share the nights, one zone after the other). An availability set's batches are fixed by its rules
        (update domain by update domain, at most 20% of the set at once): when they cannot run one after
        another in the window, at ``BATCHES_PER_NIGHT`` a night, the region is recorded as one that cannot
        fit, and ``orchestration plan``/``why`` say so.
        """
        members = sorted((vm for vm in self.by_region.get(region, ()) if vm.is_platform), key=lambda v: v.index)
        sets: dict[tuple, list[VmState]] = {}
        standalone: dict[str | None, list[VmState]] = {}
        for vm in members:
            if vm.avset:
                sets.setdefault((vm.zone, vm.avset), []).append(vm)
            else:
                standalone.setdefault(vm.zone, []).append(vm)
        set_sizes = self.set_sizes

        def shuffled(items: list[VmState], salt: str) -> list[VmState]:
            return sorted(items, key=lambda v: lifecycle.draw(self.seed, rollout.release, salt, v.index))

        lanes: dict[str, Lane] = {}
        number = 0
        zones = sorted({vm.zone for vm in members if vm.zone})
        zone_order = sorted(zones, key=lambda z: lifecycle.draw(self.seed, rollout.release, region, "zone", z))
        lane_specs: list[tuple[str, str | None, list[list[VmState]]]] = []
        for (zone, avset), vms in sorted(sets.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
            size = set_sizes.get(avset, len(vms))
            cap = 1 if size < 10 else max(1, size // 5)
            domains = sorted({vm.ud or 0 for vm in vms})
            offset = int(lifecycle.draw(self.seed, rollout.release, avset, "ud") * len(domains))
            domains = domains[offset:] + domains[:offset]
            batches: list[list[VmState]] = []
            for ud in domains:
                in_domain = shuffled([vm for vm in vms if (vm.ud or 0) == ud], avset)
                batches.extend(in_domain[i:i + cap] for i in range(0, len(in_domain), cap))
            lane_specs.append((f"set:{avset}", zone, batches))
        start, end = rollout.calendar[rollout.phase - 1]
        nights = max(1, (end - start) // DAY)
        for key, _zone, batches in lane_specs:
            if len(batches) > nights * BATCHES_PER_NIGHT:
                name = key.split(":", 1)[1].rsplit("/", 1)[-1]
                rollout.unfit[region] = (
                    f"availability set {name} needs {len(batches)} batches one after another (update domain by "
                    f"update domain, at most 20% of the set at a time), more than phase {rollout.phase}'s window "
                    f"of {nights} day(s) holds; its last VMs are patched after the window, late in the release's "
                    "30 days or not within them")
        zonal_lanes = max(1, len([z for z in standalone if z]))
        for zone, vms in sorted(standalone.items(), key=lambda kv: kv[0] or ""):
            count = max(1, min(5, nights // zonal_lanes if zone else nights))
            size = max(1, -(-len(vms) // count))
            ordered = sorted(shuffled(vms, f"standalone:{zone}"),
                             key=lambda v: offpeak.next_opening(v.tz, rollout.published))
            batches = [ordered[i:i + size] for i in range(0, len(ordered), size)]
            lane_specs.append((f"standalone:{zone or '-'}", zone, batches))
        for key, zone, batches in lane_specs:
            numbers = []
            for batch in batches:
                number += 1
                numbers.append(number)
                for vm in batch:
                    rollout.vms[vm.key] = Turn("queued", rollout.phase, number)
            lanes[key] = Lane(zone, [[vm.key for vm in batch] for batch in batches], numbers)
        return RegionRun(region, rollout.phase, lanes, zone_order, number)

    def _advance_region(self, rollout: Rollout, run: RegionRun, at: int) -> None:
        if rollout.state not in RUNNING:
            return  # a halted, expired or superseded rollout starts no batch
        if self._partner_busy(run.region):
            return  # a paired region is patching (for any release); its end wakes this region
        # the batches other rollouts run in this region: the same lane (its VMs) waits, and their zone is the
        # one zone patching, so zones, update domains and the 20% cap hold across releases too
        held, other_zone = self._held_elsewhere(rollout, run.region)
        for key, lane in run.lanes.items():
            if lane.zone is None and lane.active is None and lane.next < len(lane.batches) and key not in held:
                self._start_batch(rollout, run, lane, at)
        zonal = [(key, lane) for key, lane in run.lanes.items() if lane.zone is not None]
        while True:  # a zone whose remaining VMs are all skipped hands over to the next zone at once
            busy_zone = next((lane.zone for _, lane in zonal if lane.active is not None), None) or other_zone
            if busy_zone is None:
                ready = {lane.zone for _, lane in zonal if lane.zone is not None and lane.next < len(lane.batches)}
                waiting = [z for z in run.zone_order if z in ready] + sorted(ready - set(run.zone_order))
                if not waiting:
                    return
                busy_zone = waiting[0]
            for key, lane in zonal:
                if (lane.zone == busy_zone and lane.active is None and lane.next < len(lane.batches)
                        and key not in held):
                    self._start_batch(rollout, run, lane, at)
            if other_zone is not None or any(lane.active is not None for _, lane in zonal):
                return

    def _start_batch(self, rollout: Rollout, run: RegionRun, lane: Lane, at: int) -> None:
        while lane.next < len(lane.batches):
            batch = lane.batches[lane.next]
            number = lane.numbers[lane.next]
            lane.next += 1
            lane.active = set()
            for key in batch:
                vm = self.vms.get(key)
                entry = rollout.vms.setdefault(key, Turn("queued", run.phase, number))
                if vm is None or not vm.platform or entry.status in FINAL:
                    if entry.status not in FINAL:
                        entry.status = "skipped"
                    continue
                if vm.power != "running" or not vm.enabled:
                    entry.status = "skipped"
                    continue
                entry.status = "active"
                lane.active.add(key)
                vm.ticket = (rollout.release, run.phase, number)
            if lane.active:
                for key in sorted(lane.active):
                    self.step(self.vms[key], at)
                return
            lane.active = None

    def leave_turn(self, vm: VmState, status: str, at: int, reason: dict | None = None) -> None:
        ticket = vm.ticket
        vm.ticket = None
        vm.retry_after = 0
        if ticket is None:
            return
        rollout = self.rollout(ticket[0])
        if rollout is None:
            return
        entry = rollout.vms.setdefault(vm.key, Turn("active", ticket[1], ticket[2]))
        entry.status = status
        if status in ("failed", "unhealthy") and rollout.state in RUNNING:
            self._halt(rollout, vm.key, ticket[1], status, (reason or {}).get("message", status), at)
        run = rollout.regions.get(vm.region)
        if run is None:
            return
        for lane in run.lanes.values():
            if lane.active is not None and vm.key in lane.active:
                lane.active.discard(vm.key)
                if not lane.active:
                    lane.active = None
                    run.finished = max(run.finished, at)
                    if rollout.halt is None:
                        self._advance_region(rollout, run, at)
                    if rollout.halt is None and not any(other.active is not None for other in run.lanes.values()):
                        for partner in _partners(run.region):
                            waiting = rollout.regions.get(partner)
                            if waiting is not None:
                                self._advance_region(rollout, waiting, at)
                    self._wake_others(rollout, run.region, at)
                break
        if rollout.state == "halted":
            self._close_halted_phases(rollout, at)
        elif rollout.state == "active" and self._phase_idle(rollout):
            if self._close_phase(rollout, at):
                self._next_phase(rollout, at)

    def _halt(self, rollout: Rollout, vm_key: str, phase: int, status: str, reason: str, at: int) -> None:
        """A VM failed (three times) or came back unhealthy: the release's rollout halts at once for the
        subscription. No later phase opens, no further batch starts (in any region, a region still running
        past its window included), no latecomer joins; the batches already running finish (their VMs keep
        their turn, retries included, until the release's 30 days end or the next release comes).

        Whatever the rollout's state: a phase running, baking, or every phase opened (``completed``) while a
        region that overran its window still patches; a halt in the last phase is a halt like any other.
        """
        rollout.halt = {"phase": phase, "time": at, "vm": vm_key, "status": status, "reason": reason}
        rollout.state = "halted"
        rollout.next_at = None
        self.counters.bump("halts")
        self.log.append((at, f"rollout of {rollout.release} halted in phase {phase}: {vm_key} {status}"))
        for record in rollout.phases:
            if record["phase"] == phase:
                record["result"] = "failed"
            elif record["end"] is None:
                record["result"] = "halted"
        self._close_halted_phases(rollout, at)

    def _close_halted_phases(self, rollout: Rollout, at: int) -> None:
        """A halted rollout's open phase records end when their running batches have finished."""
        for record in rollout.phases:
            if record["end"] is None and not any(
                    lane.active is not None for run in rollout.regions.values() if run.phase == record["phase"]
                    for lane in run.lanes.values()):
                record["end"] = at

    def forget_deleted(self, at: int) -> None:
        """VMs deleted while their batch ran leave it, so the batch (and the phase) can finish."""
        for rollout in self.rollouts:
            if rollout.state not in (*RUNNING, "halted"):
                continue
            for run in rollout.regions.values():
                for lane in run.lanes.values():
                    gone = sorted(key for key in lane.active or () if key not in self.vms)
                    for key in gone:
                        assert lane.active is not None  # gone was drawn from it
                        lane.active.discard(key)
                        rollout.vms[key].status = "skipped"
                    if gone and not lane.active:
                        lane.active = None
                        self._advance_region(rollout, run, at)
                        self._wake_others(rollout, run.region, at)
            if rollout.state == "halted":
                self._close_halted_phases(rollout, at)
            elif rollout.state == "active" and self._phase_idle(rollout) and self._close_phase(rollout, at):
                self._next_phase(rollout, at)

    def _partner_busy(self, region: str) -> bool:
        """Whether a geo-paired region of ``region`` has a batch running, in any rollout.

        Phases never hold pairs, so within one rollout this only holds back VMs that join after their phase;
        across rollouts (releases side by side) it keeps pairs apart whatever release each patches.
        """
        for other in self.rollouts:
            if other.state not in HOLDING:
                continue
            for name in _partners(region):
                run = other.regions.get(name)
                if run is not None and any(lane.active is not None for lane in run.lanes.values()):
                    return True
        return False

    def _held_elsewhere(self, rollout: Rollout, region: str) -> tuple[set[str], str | None]:
        """The lanes other rollouts have running in ``region``, and the availability zone they patch."""
        held: set[str] = set()
        zone = None
        for other in self.rollouts:
            if other is rollout or other.state not in HOLDING:
                continue
            run = other.regions.get(region)
            if run is None:
                continue
            for key, lane in run.lanes.items():
                if lane.active is not None:
                    held.add(key)
                    zone = zone or lane.zone
        return held, zone

    def _wake_others(self, rollout: Rollout, region: str, at: int) -> None:
        """``region`` stopped patching for ``rollout``: the other rollouts waiting for it (or for its pair
        partners' sake) go on."""
        names = (region, *_partners(region))
        for other in self.rollouts:
            if other is rollout or other.state not in RUNNING:
                continue
            for name in names:
                run = other.regions.get(name)
                if run is not None:
                    self._advance_region(other, run, at)
            if other.state == "active" and self._phase_idle(other) and self._close_phase(other, at):
                self._next_phase(other, at)

    def _phase_idle(self, rollout: Rollout) -> bool:
        return not any(lane.pending for run in rollout.regions.values() if run.phase == rollout.phase
                       for lane in run.lanes.values())

    def _close_phase(self, rollout: Rollout, at: int) -> bool:
        """Close the current phase; True when the next phase may start right away (nothing to bake)."""
        record = rollout.phases[-1]
        record["end"] = at
        record["result"] = "succeeded"
        if rollout.phase >= len(rollout.calendar):
            return True  # the last phase: the rollout completes
        # the next phase opens at its slot of the calendar (its event is queued since this phase opened), never
        # later: the calendar is Azure's, not the fleet's. A region of this fleet whose batches ended less than
        # the bake before that slot ran past its window: it is recorded as one that cannot fit (as one still
        # running at the slot is, in on_phase_due)
        rollout.state = "baking"
        rollout.next_at = rollout.calendar[rollout.phase][0]
        for run in rollout.regions.values():
            if run.phase == rollout.phase and run.finished + BAKE_SECONDS > rollout.next_at:
                rollout.unfit.setdefault(run.region, (
                    f"its batches ran past phase {rollout.phase}'s window (too many VMs of one zone or time zone for "
                    f"its nights, or retries) and ended less than 24 hours before phase {rollout.phase + 1} opened"))
        return False

    @staticmethod
    def _admits(rollout: Rollout, at: int) -> bool:
        """Whether VMs that missed their batch (started, enabled since) may still join this rollout."""
        return rollout.state in RUNNING and at < rollout.deadline

    def admit(self, vm: VmState, at: int) -> None:
        """A VM that was not in its batch (created, enabled or started since) joins its region's rollout."""
        if not (vm.platform and vm.enabled and vm.power == "running" and vm.ticket is None):
            return
        for rollout in self.rollouts:
            if not self._admits(rollout, at):
                continue
            phase = phase_of_region().get(vm.region)
            # a latecomer joins its own phase while it runs, or the rollout once every phase is done: never
            # a phase that finished (its bake, and the pair rule of the phases after it, stay intact)
            if phase is None or (rollout.state != "completed" and (phase != rollout.phase or rollout.state != "active")):
                continue
            entry = rollout.vms.get(vm.key)
            if entry is not None and entry.status not in ("skipped",):
                continue
            if not self.missing(vm, rollout.ceiling):
                continue
            run = rollout.regions.get(vm.region)
            if run is None:
                run = rollout.regions[vm.region] = RegionRun(vm.region, phase, {}, [], 0)
            lane_key = f"set:{vm.avset}" if vm.avset else f"standalone:{vm.zone or '-'}"
            lane = run.lanes.get(lane_key)
            if lane is None:
                lane = run.lanes[lane_key] = Lane(vm.zone, [], [])
            run.batch_count += 1
            lane.batches.append([vm.key])
            lane.numbers.append(run.batch_count)
            rollout.vms[vm.key] = Turn("queued", phase, run.batch_count)
            self._advance_region(rollout, run, at)


@dataclass(slots=True)
class Release:
    id: str
    published: int


def monthly_releases(start: int, end: int) -> list[Release]:
    """Patch Tuesday releases published in (start, end]."""
    first = datetime.fromtimestamp(start, tz=UTC)
    out = []
    year, month = first.year, first.month
    while True:
        when = int(patch_tuesday(year, month).timestamp())
        if when > end:
            break
        if when > start:
            out.append(Release(f"{year}-{month:02d}", when))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
