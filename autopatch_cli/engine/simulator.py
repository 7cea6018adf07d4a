"""The fleet simulator: an event queue over simulated time, driving every VM's lifecycle and the rollout.

Events are window openings (one per time zone per night, not per VM), operation ends, releases and the
end of a phase's bake time. Cost therefore grows with what happens, not with the minutes ticked.

Per VM (AutomaticByPlatform): the patch extension is installed in off-peak hours (enablement), the VM is
assessed at the first window after a release and then every few days (daily with assessmentMode
AutomaticByPlatform), and, when the orchestrator hands it a turn, Critical and Security patches are
installed in its window; pending and failed patches are retried in the next window.

The orchestrator (availability first), for each release:
- phases of regions in the order of :mod:`.phases`; a phase starts when the previous one succeeded and
  baked 24 hours; a failed or unhealthy VM fails its phase and halts the release's rollout;
- within a region, lanes of batches: one lane per availability set (update domain by update domain, at
  most 20% of the set at once, one VM at a time below 10 VMs) and one lane of standalone VMs per zone
  (batches of a fifth); lanes of one availability zone run side by side, two zones never at once;
- batches are drawn anew for each release from the seed, so a VM's turn varies month to month;
- nothing starts after the release's 30 days, and a newer release supersedes an older rollout.

Pure: no I/O, no printing; the operations layer builds the :class:`VmState` objects and writes back.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..azure.regions import pair_partners
from . import lifecycle, offpeak
from .catalog import PatchIndex, patch_tuesday
from .phases import BAKE_SECONDS, phase_of_region, phase_plan

DAY = 86_400
ASSESS_EVERY = 3 * DAY  # "every few days and multiple times within any 30-day period"
ASSESS_EVERY_WITH_MODE = DAY  # assessmentMode AutomaticByPlatform: "every 24 hours"
ROLLOUT_DAYS = 30
FINAL = ("done", "failed", "unhealthy", "excluded", "skipped")
_NO_KBS: list = []  # the KB ids of a history row that has none (shared: rows are never changed)


@dataclass(slots=True)
class VmState:
    key: str
    index: int
    ref: int
    region: str
    zone: str | None
    avset: str | None
    ud: int | None
    tz: str
    family: str | None  # OS family in the catalog; None: not a Windows image the platform patches
    supported: bool  # an image automatic guest patching supports
    mode: str | None
    assess_platform: bool
    reboot_setting: str
    power: str
    created: int
    enabled: bool
    enable_left: int
    installed: frozenset
    assess_due: int | None
    reboot_pending: bool = False
    healthy: bool = True
    retry_after: int = 0
    busy_until: int = 0
    guest: lifecycle.Guest = field(default_factory=lifecycle.Guest)
    faults: dict = field(default_factory=dict)
    enable_error: dict | None = None
    # outputs, written back by the operations layer
    assessment: lifecycle.Assessment | None = None
    installation: lifecycle.Installation | None = None
    dirty: bool = False
    ticket: tuple | None = None  # (rollout release id, phase, batch) while the orchestrator has given a turn
    assess_now: bool = False  # started again: assessment due at once (at its next off-peak window)
    is_platform: bool = False  # cached `platform` and `assessed_by_platform` for the hot loop
    is_assessed: bool = False

    @property
    def platform(self) -> bool:
        return self.mode == "AutomaticByPlatform" and self.family is not None and self.supported

    @property
    def assessed_by_platform(self) -> bool:
        return self.family is not None and (self.platform or self.assess_platform)


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
    phase_failed: dict | None = None
    phases: list[dict] = field(default_factory=list)
    regions: dict[str, RegionRun] = field(default_factory=dict)
    vms: dict[str, list] = field(default_factory=dict)  # key -> [status, phase, batch, attempts]

    @property
    def live(self) -> bool:
        return self.state in ("active", "baking", "pending")

    def to_json(self) -> dict:
        return {
            "release": self.release, "published": self.published, "ceiling": self.ceiling,
            "deadline": self.deadline, "phase": self.phase, "state": self.state, "nextAt": self.next_at,
            "halt": self.halt, "phaseFailed": self.phase_failed, "phases": self.phases,
            "regions": {
                name: {
                    "phase": run.phase, "zoneOrder": run.zone_order, "batchCount": run.batch_count,
                    "lanes": {
                        key: {"zone": lane.zone, "batches": lane.batches, "numbers": lane.numbers, "next": lane.next,
                              "active": sorted(lane.active) if lane.active is not None else None}
                        for key, lane in run.lanes.items()
                    },
                }
                for name, run in self.regions.items()
            },
            "vms": self.vms,
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
            rollout.regions[name] = RegionRun(name, run["phase"], lanes, run["zoneOrder"], run.get("batchCount", 0))
        rollout.vms = raw.get("vms", {})
        return rollout


@dataclass(slots=True)
class Release:
    id: str
    published: int


class Counters(dict):
    def bump(self, name: str, by: int = 1) -> None:
        self[name] = self.get(name, 0) + by


class Simulator:
    """Advance a fleet from ``now`` to a later instant. Build once per tick; call :meth:`run`."""

    def __init__(
        self,
        seed: int,
        now: int,
        vms: dict[str, VmState],
        rollouts: list[Rollout],
        inflight: list[list],
        catalog_extra: list[dict],
        catalog_start: int,
        history: list[list],
        until_hint: int,
    ):
        self.seed = seed
        self.now = now
        self.vms = vms
        self.rollouts = rollouts
        self.history = history
        self.counters = Counters()
        self.events: list[tuple] = []
        self._seq = 0
        self.catalog_extra = catalog_extra
        self.patches = PatchIndex(
            seed, datetime.fromtimestamp(catalog_start, tz=UTC), datetime.fromtimestamp(max(until_hint, now), tz=UTC),
            catalog_extra,
        )
        self.until = now
        self.plan_only = False  # a dry run for `orchestration plan`: assessments take their time, record nothing
        self.by_tz: dict[str, list[VmState]] = {}
        for vm in vms.values():
            vm.is_platform = vm.platform
            vm.is_assessed = vm.assessed_by_platform
            self.by_tz.setdefault(vm.tz, []).append(vm)
        self.regions_with_platform_vms = {vm.region for vm in vms.values() if vm.platform}
        self.by_region: dict[str, list[VmState]] = {}
        self.set_sizes: dict[str, int] = {}
        for vm in vms.values():
            self.by_region.setdefault(vm.region, []).append(vm)
            if vm.avset:
                self.set_sizes[vm.avset] = self.set_sizes.get(vm.avset, 0) + 1
        for op in inflight:
            self._push(op[2], "end", op)
            vm = vms.get(op[0])
            if vm is not None:
                vm.busy_until = op[2]
        for tz in self.by_tz:
            self._push(offpeak.next_opening(tz, now), "window", tz)
        for rollout in rollouts:
            if rollout.state == "baking" and rollout.next_at is not None:
                self._push(rollout.next_at, "phase", rollout.release)
            if rollout.live or rollout.state == "completed":
                self._push(rollout.deadline, "deadline", rollout.release)
        self._pending_ops: dict[str, list] = {op[0]: op for op in inflight}
        self.progress = None  # optional callable(now) for a progress bar
        self.log: list[tuple[int, str]] = []  # rollout milestones, for the tick summary

    # ---- queue -------------------------------------------------------------------------------
    def _push(self, at: int, kind: str, payload) -> None:
        self._seq += 1
        heapq.heappush(self.events, (at, self._seq, kind, payload))

    def next_event_time(self) -> int | None:
        return self.events[0][0] if self.events else None

    # ---- entry point -------------------------------------------------------------------------
    def start(self, releases: list[Release]) -> None:
        """Schedule the releases ahead and pick up VMs whose window is open right now."""
        for release in releases:
            self._push(release.published, "release", release)
        for tz, members in self.by_tz.items():
            if offpeak.window_at(tz, self.now) is not None:
                for vm in members:
                    if vm.busy_until <= self.now:
                        self.step(vm, self.now)
        for vm in self.vms.values():
            if vm.assess_now and vm.busy_until <= self.now:
                self.step(vm, self.now)
        self._forget_deleted(self.now)
        if any(self._admits(rollout, self.now) for rollout in self.rollouts):
            for vm in self.vms.values():
                self._maybe_admit(vm, self.now)

    def run(self, until: int) -> None:
        self.until = until
        events = self.events
        while events and events[0][0] <= until:
            at, _, kind, payload = heapq.heappop(events)
            self.now = max(self.now, at)
            self.counters.bump("events")
            if kind == "window":
                self._on_window(payload, at)
            elif kind == "end":
                self._on_end(payload, at)
            elif kind == "release":
                self._on_release(payload, at)
            elif kind == "phase":
                rollout = self._rollout(payload)
                if rollout is not None and rollout.state == "baking":
                    self._next_phase(rollout, at)
            elif kind == "deadline":
                rollout = self._rollout(payload)
                if rollout is not None and rollout.live:
                    self._end_rollout(rollout, "expired", at)
                elif rollout is not None and rollout.state == "completed":
                    self._drop_turns(rollout)
            if self.progress is not None:
                self.progress(at)
        self.now = max(self.now, until)

    def unfinished(self) -> list[list]:
        """Operations still running at ``now``: persisted so the next tick finishes them."""
        return sorted(self._pending_ops.values(), key=lambda op: (op[2], op[0]))

    # ---- windows and the per-VM agenda -------------------------------------------------------
    def _on_window(self, tz: str, at: int) -> None:
        self._push(offpeak.next_opening(tz, at), "window", tz)
        window = (at, at + offpeak.WINDOW_SECONDS)
        plan_only = self.plan_only
        for vm in self.by_tz.get(tz, ()):
            # only VMs with something to do this night: a cheap test before the full agenda
            if vm.busy_until > at:
                continue
            if vm.ticket is not None:
                self.step(vm, at, window)
            elif vm.is_assessed and vm.assess_due is not None and vm.assess_due <= at:
                if plan_only and vm.power == "running" and not vm.assess_now and vm.family is not None and (
                    vm.enabled or not vm.is_platform
                ):
                    # a dry run keeps only the assessment's place in the schedule (it always fits: at most
                    # six minutes of the window), without the full agenda
                    vm.assess_due = at + (ASSESS_EVERY_WITH_MODE if vm.assess_platform else ASSESS_EVERY)
                    continue
                self.step(vm, at, window)
            elif vm.is_platform and not vm.enabled:
                self.step(vm, at, window)

    def step(self, vm: VmState, t: int, window: tuple[int, int] | None = None) -> None:
        """Start the VM's next piece of work if its window is open and it has any.

        Assessments that end within this tick run inline (no event of their own): they are the bulk of
        the work, and nothing else can touch the VM while they run.
        """
        if vm.busy_until > t or vm.family is None:
            return
        if vm.power != "running":
            if vm.ticket is not None:
                self._leave_turn(vm, "skipped", t)
            return
        if vm.assess_now:
            # started again: its assessment is due at once, and runs in off-peak hours like every periodic one
            vm.assess_now = False
            vm.dirty = True
            vm.assess_due = t if vm.assess_due is None else min(vm.assess_due, t)
        if window is None:
            window = offpeak.window_at(vm.tz, t)
            if window is None:
                return
        window_end = window[1]
        if vm.is_platform and not vm.enabled:
            self._enable(vm, t, window_end)
            return
        if vm.is_assessed and vm.assess_due is not None and vm.assess_due <= t:
            seconds = lifecycle.assessment_seconds(self.seed, vm.index, t)
            if t + seconds <= window_end and self.plan_only:
                # a dry run only keeps the assessment's place in the night, so installs start when they will
                vm.assess_due = t + (ASSESS_EVERY_WITH_MODE if vm.assess_platform else ASSESS_EVERY)
                t += seconds
            elif t + seconds <= window_end:
                if t + seconds > self.until:
                    self._begin(vm, "A", t, t + seconds, None)
                    return
                self._finish_assess(vm, t)
                t += seconds
        if vm.ticket is not None and vm.is_platform and vm.enabled and t >= vm.retry_after:
            if window_end - t >= lifecycle.MIN_INSTALL_START:
                self._install(vm, t, window_end)

    def _begin(self, vm: VmState, kind: str, start: int, end: int, extra) -> None:
        op = [vm.key, kind, end, start, extra]
        vm.busy_until = end
        self._pending_ops[vm.key] = op
        self._push(end, "end", op)

    def _on_end(self, op: list, at: int) -> None:
        key, kind, end, start, extra = op
        self._pending_ops.pop(key, None)
        vm = self.vms.get(key)
        if vm is None:
            return  # deleted while its operation ran
        vm.busy_until = 0
        if kind == "E":
            self._finish_enable(vm, start, end, extra)
        elif kind == "A":
            self._finish_assess(vm, start, user=extra == "user")
        elif kind == "I":
            self._finish_install(vm, extra)
        self.step(vm, at)

    # ---- enablement --------------------------------------------------------------------------
    def _enable(self, vm: VmState, t: int, window_end: int) -> None:
        failure = vm.guest.failure() if not vm.guest.agent else None
        if failure is not None:
            if vm.enable_error is None:
                vm.enable_error = failure
                vm.dirty = True
                self._record(vm, "E", t, t, "Failed", None, None, ())
            return
        vm.enable_error = None
        seconds = min(vm.enable_left, window_end - t)
        if seconds <= 0:
            return
        self._begin(vm, "E", t, t + seconds, seconds)

    def _finish_enable(self, vm: VmState, start: int, end: int, seconds: int) -> None:
        vm.enable_left = max(0, vm.enable_left - seconds)
        vm.dirty = True
        if vm.enable_left == 0:
            vm.enabled = True
            vm.assess_due = min(vm.assess_due or end, end)
            self.counters.bump("enabled")
            self._record(vm, "E", start, end, "Succeeded", None, None, ())
            self._maybe_admit(vm, end)
        else:
            self._record(vm, "E", start, end, "Paused", None, None, ())

    # ---- assessment --------------------------------------------------------------------------
    def missing(self, vm: VmState, upto: int):
        return self.patches.missing(vm.family, vm.created, upto, vm.installed)

    def _finish_assess(self, vm: VmState, start: int, user: bool = False) -> None:
        self.os_updates(vm, start)
        result = lifecycle.assess(self.seed, vm.index, start, self.missing(vm, start), vm.guest, vm.reboot_pending,
                                  with_activity=False)
        vm.assessment = result
        vm.dirty = True
        if not user:
            every = ASSESS_EVERY_WITH_MODE if vm.assess_platform else ASSESS_EVERY
            vm.assess_due = start + every
        self.counters.bump("assessments")
        self._record(vm, "A", result.start, result.end, result.status, None, None, (),
                     started_by="User" if user else "Platform")

    def os_updates(self, vm: VmState, t: int) -> None:
        """AutomaticByOS: Windows installs its own updates, daily, a day after they are published."""
        if vm.mode != "AutomaticByOS" or vm.family is None or vm.power != "running":
            return
        if vm.guest.failure() is not None:
            return
        taken = [p.uid for p in self.missing(vm, t - DAY) if p.classification in lifecycle.WINDOWS_AUTO_UPDATE]
        if taken:
            vm.installed = vm.installed | set(taken)
            vm.dirty = True

    # ---- user-started operations (installPatches, assessPatches) -------------------------------
    def begin_user_operation(self, vm: VmState, kind: str, start: int, end: int, extra=None) -> None:
        """Start an on-demand operation that finishes on a later tick (az's --no-wait)."""
        self._begin(vm, kind, start, end, extra if kind == "I" else "user")

    def record_user(self, vm: VmState, op: str, start: int, end: int, result: str, kbs, exceeded=False,
                    rebooted=False) -> None:
        self.counters.bump("assessments" if op == "A" else "installations")
        self._record(vm, op, start, end, result, None, None, tuple(kbs), exceeded, rebooted, started_by="User")

    # ---- installation ------------------------------------------------------------------------
    def _install(self, vm: VmState, t: int, window_end: int) -> None:
        rollout = self._rollout(vm.ticket[0])
        ceiling = rollout.ceiling if rollout is not None else t
        selection = lifecycle.Selection(reboot_setting=vm.reboot_setting)
        result = lifecycle.install(self.seed, vm.index, t, window_end, self.missing(vm, ceiling), vm.guest, selection,
                                   vm.faults, reboot_pending=vm.reboot_pending)
        self._begin(vm, "I", t, result.end, result)

    def _finish_install(self, vm: VmState, result: lifecycle.Installation) -> None:
        self.apply_installation(vm, result)
        ticket = vm.ticket if result.started_by == "Platform" else None
        phase, batch = (ticket[1], ticket[2]) if ticket else (None, None)
        outcome = "Unhealthy" if result.unhealthy else result.status
        self._record(vm, "I", result.start, result.end, outcome, phase, batch, tuple(result.kb_ids),
                     result.window_exceeded, result.rebooted, started_by=result.started_by)
        self.counters.bump("installations")
        if ticket is None:
            return
        rollout = self._rollout(ticket[0])
        if rollout is None:
            vm.ticket = None
            return
        entry = rollout.vms.setdefault(vm.key, ["active", phase, batch, 0])
        if result.unhealthy:
            self._leave_turn(vm, "unhealthy", result.end, reason=result.error)
        elif result.status == "Succeeded":
            self._leave_turn(vm, "done", result.end)
        elif result.status == "CompletedWithWarnings":
            vm.retry_after = offpeak.window_at(vm.tz, result.start)[1] if offpeak.window_at(vm.tz, result.start) else 0
        else:
            entry[3] += 1
            vm.retry_after = (offpeak.window_at(vm.tz, result.start) or (0, result.end))[1]
            if entry[3] >= lifecycle.MAX_ATTEMPTS:
                requirement = vm.guest.failure() is not None
                self._leave_turn(vm, "excluded" if requirement else "failed", result.end, reason=result.error)

    def apply_installation(self, vm: VmState, result: lifecycle.Installation) -> None:
        """Effects of an installation on the VM (also used by on-demand installPatches)."""
        vm.installation = result
        vm.dirty = True
        if result.installed:
            vm.installed = vm.installed | {p.uid for p in result.installed}
        if result.reboot_status in ("Required", "Failed"):
            vm.reboot_pending = True
        elif result.rebooted:
            vm.reboot_pending = False
        if result.unhealthy:
            vm.healthy = False
        elif result.rebooted:
            vm.healthy = True
        # the extension reports a fresh assessment with the installation (and the installation's activity id)
        vm.assessment = lifecycle.assess(self.seed, vm.index, result.end, self.missing(vm, result.end), vm.guest,
                                         vm.reboot_pending, with_activity=False)
        vm.assessment.start = result.start
        vm.assessment.activity = result.activity
        vm.assessment.end = result.end

    # ---- history -----------------------------------------------------------------------------
    def _record(self, vm, op, start, end, result, phase, batch, kbs, exceeded=False, rebooted=False,
                started_by="Platform") -> None:
        release = vm.ticket[0] if (vm.ticket and op == "I" and started_by == "Platform") else None
        flags = (1 if exceeded else 0) | (2 if rebooted else 0) | (4 if started_by == "User" else 0)
        # most rows (assessments, enablements) have no KBs: they share one empty list, never mutated
        self.history.append([vm.ref, op, start, end, result, phase, batch, list(kbs) if kbs else _NO_KBS, release,
                             flags, vm.index])

    # ---- releases and rollouts ---------------------------------------------------------------
    def _rollout(self, release_id: str) -> Rollout | None:
        for rollout in self.rollouts:
            if rollout.release == release_id:
                return rollout
        return None

    def _on_release(self, release: Release, at: int) -> None:
        self.counters.bump("releases")
        for older in self.rollouts:
            if older.live:
                self._end_rollout(older, "superseded", at)
            elif older.state == "completed":
                self._drop_turns(older)
        # a new release widens the catalog
        self.patches = PatchIndex(self.seed, self.patches.start, max(self.patches.end, datetime.fromtimestamp(at, tz=UTC)),
                                  self.catalog_extra)
        for vm in self.vms.values():
            if vm.assessed_by_platform:
                vm.assess_due = at if vm.assess_due is None else min(vm.assess_due, at)
        rollout = Rollout(release.id, release.published, release.published, release.published + ROLLOUT_DAYS * DAY)
        self.rollouts.append(rollout)
        self.log.append((at, f"release {release.id} published; its rollout starts"))
        self._push(rollout.deadline, "deadline", rollout.release)
        self._next_phase(rollout, at)
        # VMs whose window is open now look at the release at once
        for tz, members in self.by_tz.items():
            if offpeak.window_at(tz, at) is not None:
                for vm in members:
                    self.step(vm, at)

    def _end_rollout(self, rollout: Rollout, state: str, at: int) -> None:
        rollout.state = state
        self.log.append((at, f"rollout of {rollout.release} {state}" + (
            f" in phase {rollout.halt['phase']}: {rollout.halt['vm']} {rollout.halt['status']}" if rollout.halt else "")))
        if rollout.phases and rollout.phases[-1].get("end") is None:
            rollout.phases[-1]["end"] = at
            rollout.phases[-1]["result"] = state
        self._drop_turns(rollout)

    def _drop_turns(self, rollout: Rollout) -> None:
        for key in rollout.vms:
            vm = self.vms.get(key)
            if vm is not None and vm.ticket and vm.ticket[0] == rollout.release:
                vm.ticket = None

    def _next_phase(self, rollout: Rollout, at: int) -> None:
        plan = phase_plan()
        while True:
            rollout.phase += 1
            if rollout.phase > len(plan):
                rollout.state = "completed"
                self.log.append((at, f"rollout of {rollout.release} completed"))
                for vm in self.vms.values():  # VMs that missed their phase (started since) get their turn
                    self._maybe_admit(vm, at)
                return
            if at >= rollout.deadline:
                self._end_rollout(rollout, "expired", at)
                return
            regions = [r for r in plan[rollout.phase - 1] if r in self.regions_with_platform_vms]
            if not regions:
                continue
            rollout.state = "active"
            rollout.phases.append({"phase": rollout.phase, "regions": regions, "start": at, "end": None, "result": None})
            self.counters.bump("phases")
            self.log.append((at, f"{rollout.release}: phase {rollout.phase} started ({', '.join(regions)})"))
            for region in regions:
                rollout.regions[region] = self._plan_region(rollout, region)
            for region in regions:
                self._advance_region(rollout, rollout.regions[region], at)
            if rollout.state == "active" and self._phase_idle(rollout):
                if self._close_phase(rollout, at):
                    continue
            return

    def _plan_region(self, rollout: Rollout, region: str) -> RegionRun:
        """Batches for one region: drawn from the seed and the release, so they differ month to month."""
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
            batches = []
            for ud in domains:
                in_domain = shuffled([vm for vm in vms if (vm.ud or 0) == ud], avset)
                batches.extend(in_domain[i:i + cap] for i in range(0, len(in_domain), cap))
            lane_specs.append((f"set:{avset}", zone, batches))
        for zone, vms in sorted(standalone.items(), key=lambda kv: kv[0] or ""):
            size = max(1, -(-len(vms) // 5))
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
                    rollout.vms[vm.key] = ["queued", rollout.phase, number, 0]
            lanes[key] = Lane(zone, [[vm.key for vm in batch] for batch in batches], numbers)
        return RegionRun(region, rollout.phase, lanes, zone_order, number)

    def _advance_region(self, rollout: Rollout, run: RegionRun, at: int) -> None:
        if rollout.state not in ("active", "baking", "completed") or rollout.halt is not None:
            return
        if self._partner_busy(rollout, run.region):
            return  # late joiners: a paired region is patching; its end advances this region again
        for lane in run.lanes.values():
            if lane.zone is None and lane.active is None and lane.next < len(lane.batches):
                self._start_batch(rollout, run, lane, at)
        zonal = [lane for lane in run.lanes.values() if lane.zone is not None]
        while True:  # a zone whose remaining VMs are all skipped hands over to the next zone at once
            busy_zone = next((lane.zone for lane in zonal if lane.active is not None), None)
            if busy_zone is None:
                ready = {lane.zone for lane in zonal if lane.next < len(lane.batches)}
                waiting = [z for z in run.zone_order if z in ready] + sorted(ready - set(run.zone_order))
                if not waiting:
                    return
                busy_zone = waiting[0]
            for lane in zonal:
                if lane.zone == busy_zone and lane.active is None and lane.next < len(lane.batches):
                    self._start_batch(rollout, run, lane, at)
            if any(lane.active is not None for lane in zonal):
                return

    def _start_batch(self, rollout: Rollout, run: RegionRun, lane: Lane, at: int) -> None:
        while lane.next < len(lane.batches):
            batch = lane.batches[lane.next]
            number = lane.numbers[lane.next]
            lane.next += 1
            lane.active = set()
            for key in batch:
                vm = self.vms.get(key)
                entry = rollout.vms.setdefault(key, ["queued", run.phase, number, 0])
                if vm is None or not vm.platform or entry[0] in FINAL:
                    if entry[0] not in FINAL:
                        entry[0] = "skipped"
                    continue
                if vm.power != "running" or not vm.enabled:
                    entry[0] = "skipped"
                    continue
                entry[0] = "active"
                lane.active.add(key)
                vm.ticket = (rollout.release, run.phase, number)
            if lane.active:
                for key in sorted(lane.active):
                    self.step(self.vms[key], at)
                return
            lane.active = None

    def _leave_turn(self, vm: VmState, status: str, at: int, reason: dict | None = None) -> None:
        ticket = vm.ticket
        vm.ticket = None
        vm.retry_after = 0
        if ticket is None:
            return
        rollout = self._rollout(ticket[0])
        if rollout is None:
            return
        entry = rollout.vms.setdefault(vm.key, ["active", ticket[1], ticket[2], 0])
        entry[0] = status
        if status in ("failed", "unhealthy") and rollout.phase_failed is None and ticket[1] == rollout.phase:
            rollout.phase_failed = {
                "phase": rollout.phase, "time": at, "vm": vm.key, "status": status,
                "reason": (reason or {}).get("message", status),
            }
            self.counters.bump("halts")
        run = rollout.regions.get(vm.region)
        if run is None:
            return
        for lane in run.lanes.values():
            if lane.active is not None and vm.key in lane.active:
                lane.active.discard(vm.key)
                if not lane.active:
                    lane.active = None
                    if rollout.phase_failed is None:
                        self._advance_region(rollout, run, at)
                        if not any(other.active is not None for other in run.lanes.values()):
                            for partner in sorted(pair_partners(run.region)):
                                waiting = rollout.regions.get(partner)
                                if waiting is not None:
                                    self._advance_region(rollout, waiting, at)
                break
        if rollout.state == "active" and self._phase_idle(rollout):
            if self._close_phase(rollout, at):
                self._next_phase(rollout, at)

    def _forget_deleted(self, at: int) -> None:
        """VMs deleted while their batch ran leave it, so the batch (and the phase) can finish."""
        for rollout in self.rollouts:
            if rollout.state not in ("active", "baking", "completed"):
                continue
            for run in rollout.regions.values():
                for lane in run.lanes.values():
                    gone = sorted(key for key in lane.active or () if key not in self.vms)
                    for key in gone:
                        lane.active.discard(key)
                        rollout.vms[key][0] = "skipped"
                    if gone and not lane.active:
                        lane.active = None
                        self._advance_region(rollout, run, at)
            if rollout.state == "active" and self._phase_idle(rollout) and self._close_phase(rollout, at):
                self._next_phase(rollout, at)

    @staticmethod
    def _partner_busy(rollout: Rollout, region: str) -> bool:
        """Whether a geo-paired region of ``region`` has a batch running in this rollout.

        Phases never hold pairs, so this only ever holds back VMs that join after their phase.
        """
        for partner in pair_partners(region):
            run = rollout.regions.get(partner)
            if run is not None and any(lane.active is not None for lane in run.lanes.values()):
                return True
        return False

    def _phase_idle(self, rollout: Rollout) -> bool:
        if rollout.phase_failed is not None:
            return all(lane.active is None for run in rollout.regions.values() if run.phase == rollout.phase
                       for lane in run.lanes.values())
        return not any(lane.pending for run in rollout.regions.values() if run.phase == rollout.phase
                       for lane in run.lanes.values())

    def _close_phase(self, rollout: Rollout, at: int) -> bool:
        """Close the current phase; True when the next phase may start right away (nothing to bake)."""
        record = rollout.phases[-1]
        record["end"] = at
        if rollout.phase_failed is not None:
            record["result"] = "failed"
            rollout.state = "halted"
            rollout.halt = dict(rollout.phase_failed)
            self._end_rollout(rollout, "halted", at)
            record["result"] = "failed"
            return False
        patched = any(entry[0] == "done" and entry[1] == rollout.phase for entry in rollout.vms.values())
        record["result"] = "succeeded"
        if not patched:
            return True
        rollout.state = "baking"
        rollout.next_at = at + BAKE_SECONDS
        self._push(rollout.next_at, "phase", rollout.release)
        return False

    @staticmethod
    def _admits(rollout: Rollout, at: int) -> bool:
        """Whether VMs that missed their batch (started, enabled since) may still join this rollout."""
        return rollout.state in ("active", "baking", "completed") and rollout.halt is None and at < rollout.deadline

    def _maybe_admit(self, vm: VmState, at: int) -> None:
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
            if entry is not None and entry[0] not in ("skipped",):
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
            rollout.vms[vm.key] = ["queued", phase, run.batch_count, 0]
            self._advance_region(rollout, run, at)


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
