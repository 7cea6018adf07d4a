"""The fleet simulator: an event queue over simulated time, driving every VM's schedule.

Events are window openings (one per time zone per night, not per VM), operation ends, releases and the
end of a phase's bake time. Cost therefore grows with what happens, not with the minutes ticked.

Per VM (AutomaticByPlatform): the patch extension is installed in off-peak hours (enablement), the VM is
assessed at the first window after a release and then every few days (daily with assessmentMode
AutomaticByPlatform), and, when the orchestrator hands it a turn, Critical and Security patches are
installed in its window; pending and failed patches are retried in the next window.

The rollout of each release (phases, lanes, batches, admission, halts) is :mod:`.rollout`: it hands a
VM a turn (``VmState.ticket``) and this module installs the release in the VM's windows during it.

Pure: no I/O, no printing; the operations layer builds the :class:`VmState` objects and writes back.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime

from . import lifecycle, offpeak
from .catalog import PatchIndex
from .records import HistoryRow, Operation, OpKind, RowFlag, VmState
from .rollout import Orchestrator, Release, Rollout

DAY = 86_400
ASSESS_EVERY = 3 * DAY  # "every few days and multiple times within any 30-day period"
ASSESS_EVERY_WITH_MODE = DAY  # assessmentMode AutomaticByPlatform: "every 24 hours"
_NO_FLAGS = RowFlag(0)


_RANK = {"end": 0, "deadline": 1, "phase": 2, "release": 3, "window": 4}


def _identity(kind: str, payload) -> str:
    if kind == "end":
        return payload.key
    if kind == "release":
        return payload.id
    return payload  # a time zone (window), a release id (phase, deadline)


def _closed(*_args) -> None:
    raise RuntimeError("the simulator was closed")


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
        inflight: list[list],  # operations running when the last tick ended, as the store keeps them
        catalog_extra: list[dict],
        catalog_start: int,
        history: list[list],
        until_hint: int,
    ):
        self.seed = seed
        self.now = now
        self.vms = vms
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
        for tz in self.by_tz:
            self._push(offpeak.next_opening(tz, now), "window", tz)
        self.log: list[tuple[int, str]] = []  # rollout milestones, for the tick summary
        self.orchestrator = Orchestrator(seed, vms, rollouts, self.counters, self.log, self._push, self.step,
                                         self.missing)
        self.orchestrator.resume()
        self._pending_ops: dict[str, Operation] = {}
        for raw in inflight:
            self._resume(raw)
        self.progress = None  # optional callable(now) for a progress bar

    def close(self) -> None:
        """Done with this simulator: the orchestrator's hooks into it (a reference cycle) are dropped, so that
        dropping the simulator frees it, and its VMs, at once."""
        self.orchestrator.schedule = self.orchestrator.step = self.orchestrator.missing = _closed
        self.progress = None

    @property
    def rollouts(self) -> list[Rollout]:
        """Every rollout the tick knows, oldest first (the orchestrator's)."""
        return self.orchestrator.rollouts

    def _resume(self, raw: list) -> None:
        """An operation of an earlier tick ends on this one (an installation of a VM gone or no longer
        Windows is dropped: its result names patches of no catalog)."""
        key = Operation.stored_key(raw)
        vm = self.vms.get(key)
        if Operation.stored_kind(raw) is OpKind.INSTALLATION and (vm is None or vm.family is None):
            return
        family = vm.family if vm is not None else None
        op = Operation.decode(raw, lambda uid: self.patches.by_uid(family, uid))
        self._pending_ops[key] = op
        self._push(op.end, "end", op)
        if vm is not None:
            vm.busy_until = op.end

    # ---- queue -------------------------------------------------------------------------------
    def _push(self, at: int, kind: str, payload) -> None:
        # Events of one instant run in an order that depends on what they are, not on when they were queued:
        # a tick that ends in between re-queues them, and the run must not depend on where ticks end.
        self._seq += 1
        heapq.heappush(self.events, (at, _RANK[kind], _identity(kind, payload), self._seq, kind, payload))

    def next_event_time(self) -> int | None:
        return self.events[0][0] if self.events else None

    # ---- entry point -------------------------------------------------------------------------
    def start(self, releases: list[Release]) -> None:
        """Schedule the releases ahead and pick up VMs whose window is open right now."""
        for release in releases:
            self._push(release.published, "release", release)
        # Only VMs the user changed since the last tick: for the others nothing happens at the instant a
        # tick starts, so a run is the same whatever the length of its ticks.
        for tz, members in self.by_tz.items():
            if offpeak.window_at(tz, self.now) is not None:
                for vm in members:
                    if vm.wake and vm.busy_until <= self.now:
                        self.step(vm, self.now)
        for vm in self.vms.values():
            if vm.assess_now and vm.busy_until <= self.now:
                self.step(vm, self.now)
        self.orchestrator.start(self.now)

    def run(self, until: int) -> None:
        self.until = until
        events = self.events
        while events and events[0][0] <= until:
            at, _, _, _, kind, payload = heapq.heappop(events)
            self.now = max(self.now, at)
            self.counters.bump("events")
            if kind == "window":
                self._on_window(payload, at)
            elif kind == "end":
                self._on_end(payload, at)
            elif kind == "release":
                self._on_release(payload, at)
            elif kind == "phase":
                self.orchestrator.on_phase_due(payload, at)
            elif kind == "deadline":
                self.orchestrator.on_deadline(payload, at)
            if self.progress is not None:
                self.progress(at)
        self.now = max(self.now, until)

    def unfinished(self) -> list[Operation]:
        """Operations still running at ``now``: persisted so the next tick finishes them."""
        return sorted(self._pending_ops.values(), key=lambda op: (op.end, op.key))

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
                self.orchestrator.leave_turn(vm, "skipped", t)
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
                # recorded when it starts, like every assessment, wherever the tick ends
                self._finish_assess(vm, t, seconds=seconds)
                if t + seconds > self.until:
                    # still running when the tick ends: in progress until then, its result reported at its end
                    vm.assessment = None
                    self._begin(vm, OpKind.ASSESSMENT, t, t + seconds, "platform")
                    return
                t += seconds
        if vm.ticket is not None and vm.is_platform and vm.enabled and t >= vm.retry_after:
            if window_end - t >= lifecycle.MIN_INSTALL_START:
                self._install(vm, t, window_end)

    def _begin(self, vm: VmState, kind: OpKind, start: int, end: int, extra) -> None:
        op = Operation(vm.key, kind, end, start, extra)
        vm.busy_until = end
        self._pending_ops[vm.key] = op
        self._push(end, "end", op)

    def _on_end(self, op: Operation, at: int) -> None:
        self._pending_ops.pop(op.key, None)
        vm = self.vms.get(op.key)
        if vm is None:
            return  # deleted while its operation ran
        vm.busy_until = 0
        if op.kind is OpKind.ENABLEMENT:
            self._finish_enable(vm, op.start, op.end, op.extra)
        elif op.kind is OpKind.ASSESSMENT and op.extra == "platform":
            vm.assessment = self._assessment(vm, op.start)  # recorded when it started
            vm.dirty = True
        elif op.kind is OpKind.ASSESSMENT:
            self._finish_assess(vm, op.start, user=op.extra == "user")
        elif op.kind is OpKind.INSTALLATION:
            self._finish_install(vm, op.extra)
        self.step(vm, at)

    # ---- enablement --------------------------------------------------------------------------
    def _enable(self, vm: VmState, t: int, window_end: int) -> None:
        failure = vm.guest.failure() if not vm.guest.agent else None
        if failure is not None:
            if vm.enable_error is None:
                vm.enable_error = failure
                vm.extension_at = t
                vm.dirty = True
                self._record(vm, OpKind.ENABLEMENT, t, t, "Failed", None, None, ())
            return
        vm.enable_error = None
        seconds = min(vm.enable_left, window_end - t)
        if seconds <= 0:
            return
        vm.extension_at = t
        self._begin(vm, OpKind.ENABLEMENT, t, t + seconds, seconds)

    def _finish_enable(self, vm: VmState, start: int, end: int, seconds: int) -> None:
        vm.enable_left = max(0, vm.enable_left - seconds)
        vm.extension_at = end
        vm.dirty = True
        if vm.enable_left == 0:
            vm.enabled = True
            vm.assess_due = min(vm.assess_due or end, end)
            self.counters.bump("enabled")
            self._record(vm, OpKind.ENABLEMENT, start, end, "Succeeded", None, None, ())
            self.orchestrator.admit(vm, end)
        else:
            self._record(vm, OpKind.ENABLEMENT, start, end, "Paused", None, None, ())

    # ---- assessment --------------------------------------------------------------------------
    def missing(self, vm: VmState, upto: int):
        return self.patches.missing(vm.family, vm.created, upto, vm.installed)

    def _assessment(self, vm: VmState, start: int, seconds: int | None = None) -> lifecycle.Assessment:
        missing, critical = self.patches.missing_counted(vm.family, vm.created, start, vm.installed)
        return lifecycle.assess(self.seed, vm.index, start, missing, vm.guest, vm.reboot_pending,
                                with_activity=False, seconds=seconds, critical=critical)

    def _finish_assess(self, vm: VmState, start: int, user: bool = False, seconds: int | None = None) -> None:
        if vm.mode != "AutomaticByPlatform":  # (the platform's mode leaves the guest's own updates off)
            self.os_updates(vm, start)
        result = self._assessment(vm, start, seconds)
        vm.assessment = result
        vm.dirty = True
        if not user:
            every = ASSESS_EVERY_WITH_MODE if vm.assess_platform else ASSESS_EVERY
            vm.assess_due = start + every
        counters = self.counters
        counters["assessments"] = counters.get("assessments", 0) + 1
        if user:
            self._record(vm, OpKind.ASSESSMENT, result.start, result.end, result.status, None, None, (),
                         started_by="User")
        else:  # the bulk of a tick's rows: stored as they are, no flags
            self.history.append(HistoryRow.stored(vm.ref, OpKind.ASSESSMENT, result.start, result.end, result.status,
                                                  None, None, (), None, 0, vm.index))

    def os_updates(self, vm: VmState, t: int) -> None:
        """AutomaticByOS: Windows installs its own updates, daily, a day after they are published; a Linux VM
        left to its distribution (ImageDefault) does what its image does (lifecycle.distribution_updates)."""
        if vm.mode == "ImageDefault" and vm.family is not None and vm.power == "running":
            self._distribution_updates(vm, t)
            return
        if vm.mode != "AutomaticByOS" or vm.family is None or vm.power != "running":
            return
        if vm.guest.failure() is not None:
            return
        taken = [p.uid for p in self.missing(vm, t - DAY) if p.classification in lifecycle.WINDOWS_AUTO_UPDATE]
        if taken:
            vm.installed = vm.installed | set(taken)
            vm.dirty = True

    def _distribution_updates(self, vm: VmState, t: int) -> None:
        if vm.guest.failure() is not None:
            return
        taken = lifecycle.distribution_updates(vm.family, self.missing(vm, t - DAY))
        if taken:
            vm.installed = vm.installed | {p.uid for p in taken}
            vm.reboot_pending = vm.reboot_pending or any(p.reboot_behavior == "AlwaysRequiresReboot" for p in taken)
            vm.dirty = True

    # ---- user-started operations (installPatches, assessPatches) -------------------------------
    def begin_user_operation(self, vm: VmState, kind: OpKind, start: int, end: int, extra=None) -> None:
        """Start an on-demand operation that finishes on a later tick (az's --no-wait)."""
        self._begin(vm, kind, start, end, extra if kind is OpKind.INSTALLATION else "user")

    def record_user(self, vm: VmState, op: OpKind, start: int, end: int, result: str, kbs, exceeded=False,
                    rebooted=False) -> None:
        self.counters.bump("assessments" if op is OpKind.ASSESSMENT else "installations")
        self._record(vm, op, start, end, result, None, None, tuple(kbs), exceeded, rebooted, started_by="User")

    # ---- installation ------------------------------------------------------------------------
    def _install(self, vm: VmState, t: int, window_end: int) -> None:
        assert vm.ticket is not None  # _step installs only on a VM holding a turn
        rollout = self.orchestrator.rollout(vm.ticket[0])
        ceiling = rollout.ceiling if rollout is not None else t
        selection = lifecycle.Selection(reboot_setting=vm.reboot_setting)
        result = lifecycle.install(self.seed, vm.index, t, window_end, self.missing(vm, ceiling), vm.guest, selection,
                                   vm.faults, reboot_pending=vm.reboot_pending)
        result.ticket = vm.ticket  # its history row names the release even if the rollout ends meanwhile
        self._begin(vm, OpKind.INSTALLATION, t, result.end, result)

    def _finish_install(self, vm: VmState, result: lifecycle.Installation) -> None:
        self.apply_installation(vm, result)
        ticket = vm.ticket if result.started_by == "Platform" else None
        started_in = (result.ticket or ticket) if result.started_by == "Platform" else None
        phase, batch = (started_in[1], started_in[2]) if started_in else (None, None)
        outcome = "Unhealthy" if result.unhealthy else result.status
        self._record(vm, OpKind.INSTALLATION, result.start, result.end, outcome, phase, batch, tuple(result.kb_ids),
                     result.window_exceeded, result.rebooted, started_by=result.started_by,
                     release=started_in[0] if started_in else None)
        self.counters.bump("installations")
        if ticket is None:
            return
        self.orchestrator.installation_finished(vm, result, ticket)

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
            if vm.healthy or vm.health_at is None:
                vm.health_at = result.end
            vm.healthy = False
        elif result.rebooted:
            if not vm.healthy or vm.health_at is None:
                vm.health_at = result.end
            vm.healthy = True
        # the extension reports a fresh assessment with the installation (and the installation's activity id)
        vm.assessment = lifecycle.assess(self.seed, vm.index, result.end, self.missing(vm, result.end), vm.guest,
                                         vm.reboot_pending, with_activity=False)
        vm.assessment.start = result.start
        vm.assessment.activity = result.activity
        vm.assessment.end = result.end

    # ---- history -----------------------------------------------------------------------------
    def _record(self, vm: VmState, op: OpKind, start: int, end: int, result: str, phase: int | None,
                batch: int | None, kbs, exceeded: bool = False, rebooted: bool = False,
                started_by: str = "Platform", release: str | None = None) -> None:
        user = started_by == "User"
        flags = _NO_FLAGS  # most rows (assessments) have none: no flag arithmetic on the hot path
        if exceeded or rebooted or user:
            flags = RowFlag(0)
            if exceeded:
                flags |= RowFlag.WINDOW_EXCEEDED
            if rebooted:
                flags |= RowFlag.REBOOTED
            if user:
                flags |= RowFlag.STARTED_BY_USER
        self.history.append(HistoryRow.stored(vm.ref, op, start, end, result, phase, batch, kbs, release, flags,
                                              vm.index))

    # ---- releases ------------------------------------------------------------------------------
    def _on_release(self, release: Release, at: int) -> None:
        self.counters.bump("releases")
        # a new release widens the catalog
        self.patches = PatchIndex(self.seed, self.patches.start, max(self.patches.end, datetime.fromtimestamp(at, tz=UTC)),
                                  self.catalog_extra)
        for vm in self.vms.values():
            if vm.assessed_by_platform:
                vm.assess_due = at if vm.assess_due is None else min(vm.assess_due, at)
        self.orchestrator.publish(release, at)
        # VMs whose window is open now look at the release at once
        for tz, members in self.by_tz.items():
            if offpeak.window_at(tz, at) is not None:
                for vm in members:
                    self.step(vm, at)
