"""The engine's named records: a VM as the engine sees it, a VM's turn in a rollout, a history row.

The store keeps turns, history rows and running operations compact (short JSON lists: a big fleet
writes millions of rows); the code reads and writes that encoding here (``encode``/``decode``), and
only here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum, IntFlag
from typing import Any, NamedTuple

from . import lifecycle
from .catalog import Patch


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
    wake: bool = False  # changed by the user since the last tick: looked at as the tick starts
    assess_now: bool = False  # started again: assessment due at once (at its next off-peak window)
    # when the platform last changed what the VM reports (the instance view's status times are these, not
    # the end of the tick that saw the change): the patch extension's state, and the health signal
    extension_at: int | None = None
    health_at: int | None = None  # stored: kept while the health stays the same
    is_platform: bool = False  # cached `platform` and `assessed_by_platform` for the hot loop
    is_assessed: bool = False

    @property
    def platform(self) -> bool:
        return self.mode == "AutomaticByPlatform" and self.family is not None and self.supported

    @property
    def assessed_by_platform(self) -> bool:
        return self.family is not None and (self.platform or self.assess_platform)


class OpKind(Enum):
    """What the platform (or a user) ran on a VM; the value is the letter the store keeps."""

    ASSESSMENT = "A"
    INSTALLATION = "I"
    ENABLEMENT = "E"

    @property
    def label(self) -> str:
        """As ``orchestration history --operation`` spells it: assessment, installation, enablement."""
        return self.name.lower()


class RowFlag(IntFlag):
    """The yes/no facts of a history row, kept as one number."""

    WINDOW_EXCEEDED = 1  # the installation ran out of its maintenance window
    REBOOTED = 2
    STARTED_BY_USER = 4  # installPatches/assessPatches rather than the platform


_NO_KBS: list = []  # the KB ids of a row that has none (shared: stored rows are never changed)


class HistoryRow(NamedTuple):
    """One operation on one VM, as ``orchestration history`` expands it.

    ``ref`` points into the history's table of VMs (name, group, region... written once per VM);
    ``index`` is the VM's engine index (its activity ids derive from it).
    """

    ref: int
    op: OpKind
    start: int
    end: int
    result: str
    phase: int | None
    batch: int | None
    kbs: tuple | list
    release: str | None
    flags: RowFlag
    index: int  # type: ignore[assignment]  # the field shadows tuple.index(), which nothing calls on a row

    def encode(self) -> list:
        """The stored form: a short list (most rows, assessments, share one empty KB list)."""
        return HistoryRow.stored(*self)

    @staticmethod
    def stored(ref: int, op: OpKind, start: int, end: int, result: str, phase: int | None, batch: int | None,
               kbs, release: str | None, flags: RowFlag | int, index: int) -> list:
        """``HistoryRow(...).encode()`` without the named tuple in between (a tick writes millions of rows)."""
        return [ref, op.value, start, end, result, phase, batch, list(kbs) if kbs else _NO_KBS, release, int(flags),
                index]

    @classmethod
    def decode(cls, raw: list) -> HistoryRow:
        ref, op, start, end, result, phase, batch, kbs, release, flags, index = raw
        return cls(ref, OpKind(op), start, end, result, phase, batch, kbs, release, RowFlag(flags), index)

    @classmethod
    def select(cls, rows: list, refs: set[int] | frozenset[int] | None = None, op: OpKind | None = None,
               release: str | None = None, since: int | None = None, until: int | None = None,
               raw: bool = False) -> list:
        """The stored rows that match (a VM of ``refs``, the kind, the release, a start in [since, until]),
        tested on the stored form before anything is decoded: a view of a big history decodes only what
        it shows. Decoded rows, or the stored lists with ``raw``. One comprehension per filter given: the
        first one keeps few rows, the next ones cost nothing."""
        kept = rows
        if refs is not None:
            kept = [r for r in kept if r[0] in refs]
        if release is not None:
            kept = [r for r in kept if r[8] == release]
        if op is not None:
            letter = op.value
            kept = [r for r in kept if r[1] == letter]
        if since is not None:
            kept = [r for r in kept if r[2] >= since]
        if until is not None:
            kept = [r for r in kept if r[2] <= until]
        return list(kept) if raw else [cls.decode(r) for r in kept]

    @staticmethod
    def of_timeline(rows: list, release: str, start: int, end: int) -> list[tuple]:
        """What a release's timeline draws of the stored rows, as ``view`` gives it: the release's
        installations, and every other row that started in [start, end) (assessments, enablements,
        installations of no release: schedules', users')."""
        installation = OpKind.INSTALLATION.value
        return [(r[0], r[1], r[2], r[3], r[4], r[5], r[8], r[9]) for r in rows
                if r[8] == release or (start <= r[2] < end and (r[1] != installation or r[8] is None))]

    @staticmethod
    def view(raw: list) -> tuple[int, str, int, int, str, int | None, str | None, int]:
        """(ref, kind letter, start, end, result, phase, release, flags) of a stored row, without decoding
        it whole (the timeline reads these of a hundred thousand rows)."""
        return raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[8], raw[9]


@dataclass(slots=True)
class Turn:
    """A VM's turn in one release's rollout: where it stands, in which phase and batch, after how many tries."""

    status: str  # queued, active, done, failed, unhealthy, excluded, skipped
    phase: int
    batch: int
    attempts: int = 0

    def encode(self) -> list:
        return [self.status, self.phase, self.batch, self.attempts]

    @classmethod
    def decode(cls, raw: list) -> Turn:
        status, phase, batch, attempts = raw
        return cls(status, phase, batch, attempts)

    @staticmethod
    def tally(stored: Iterable[list]) -> dict[int, dict[str, int]]:
        """phase -> status -> how many VMs, of stored turns (without decoding each: a rollout of 10,000 VMs)."""
        counts: dict[int, dict[str, int]] = {}
        for (status, phase), n in Counter((raw[0], raw[1]) for raw in stored).items():
            counts.setdefault(phase, {})[status] = n
        return counts


@dataclass(slots=True)
class Operation:
    """An operation running on a VM: it ends at ``end``; ``extra`` is the installation's result for an
    installation, the seconds worked for an enablement, "user" for a user-started assessment and
    "platform" for a platform assessment (already in the history: it is recorded when it starts)."""

    key: str
    kind: OpKind
    end: int
    start: int
    extra: Any = None  # its type goes with kind: see above

    def encode(self) -> list:
        extra = installation_to_json(self.extra) if self.kind is OpKind.INSTALLATION else self.extra
        return [self.key, self.kind.value, self.end, self.start, extra]

    @staticmethod
    def stored_key(raw: list) -> str:
        return raw[0]

    @staticmethod
    def stored_kind(raw: list) -> OpKind:
        return OpKind(raw[1])

    @classmethod
    def decode(cls, raw: list, patch_lookup: Callable[[str], Patch | None]) -> Operation:
        """``patch_lookup(uid)`` finds the VM's patches an installation's stored result names."""
        key, kind, end, start, extra = raw
        kind = OpKind(kind)
        if kind is OpKind.INSTALLATION:
            extra = installation_from_json(extra, patch_lookup)
        return cls(key, kind, end, start, extra)


def installation_to_json(result: lifecycle.Installation) -> dict:
    return {
        "status": result.status, "start": result.start, "end": result.end, "activity": result.activity,
        "installed": [p.uid for p in result.installed], "failed": [p.uid for p in result.failed],
        "pending": [p.uid for p in result.pending], "notSelected": result.not_selected, "excluded": result.excluded,
        "windowExceeded": result.window_exceeded, "rebootStatus": result.reboot_status, "rebooted": result.rebooted,
        "unhealthy": result.unhealthy, "error": result.error, "startedBy": result.started_by,
        "ticket": list(result.ticket) if result.ticket else None,
    }


def installation_from_json(raw: dict, patch_lookup: Callable[[str], Patch | None]) -> lifecycle.Installation:
    def patches(uids):
        return [p for p in (patch_lookup(uid) for uid in uids) if p is not None]

    return lifecycle.Installation(
        raw["status"], raw["start"], raw["end"], raw["activity"], patches(raw["installed"]), patches(raw["failed"]),
        patches(raw["pending"]), raw["notSelected"], raw["excluded"], raw["windowExceeded"], raw["rebootStatus"],
        raw["rebooted"], raw["unhealthy"], raw["error"], raw.get("startedBy", "Platform"),
        tuple(raw["ticket"]) if raw.get("ticket") else None,
    )
