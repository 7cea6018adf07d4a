"""Simulated time: parsing, formatting, and the queue of timed transitions that ``tick`` fires."""

from __future__ import annotations

import heapq
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

# A new store's clock starts here: the first day of the month whose Patch Tuesday (2020-10-13) is the
# first release after the guide's preview opened, so `tick --days 35` shows a whole monthly rollout.
DEFAULT_START = datetime(2020, 10, 1, 0, 0, tzinfo=UTC)
DEFAULT_SEED = 20201013

_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)


def parse_instant(text: str) -> datetime:
    """An ISO-8601 date or date-time; a value without offset is read as UTC. ValueError if malformed."""
    text = text.strip()
    if not _ISO.match(text):
        raise ValueError(f"'{text}' is not an ISO-8601 date-time such as 2020-10-13T03:00:00Z")
    normalized = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("z", "Z").replace("Z", "+00:00"))
    value = datetime.fromisoformat(normalized)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_instant(value: datetime) -> str:
    """UTC, second precision, 'Z' suffix: the form autopatch stores and prints."""
    value = value.astimezone(UTC)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_to_iso(seconds: int) -> str:
    """An epoch instant in the form autopatch stores and prints (the one conversion every module uses)."""
    if seconds == int(seconds):  # whole seconds (nearly every instant): without a datetime, a hot path at scale
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
    return format_instant(from_epoch(seconds))


def to_epoch(value: datetime) -> int:
    return int(value.timestamp())


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@dataclass(order=True)
class Timer:
    """A transition due at ``at`` (epoch seconds); ``seq`` keeps same-instant timers in schedule order."""

    at: int
    seq: int
    kind: str = field(compare=False)
    key: str = field(compare=False)

    def to_json(self) -> list:
        return [self.at, self.seq, self.kind, self.key]

    @classmethod
    def from_json(cls, raw: list) -> Timer:
        return cls(int(raw[0]), int(raw[1]), str(raw[2]), str(raw[3]))


class TimerQueue:
    """A priority queue of timers, stored in the state as a list of ``[at, seq, kind, key]``."""

    def __init__(self, raw: list | None = None, next_seq: int = 0):
        self._heap = [Timer.from_json(t) for t in raw or []]
        heapq.heapify(self._heap)
        self.next_seq = max([next_seq, *(t.seq + 1 for t in self._heap)])

    def schedule(self, at: int, kind: str, key: str) -> None:
        heapq.heappush(self._heap, Timer(at, self.next_seq, kind, key))
        self.next_seq += 1

    def cancel(self, kind: str, key: str) -> None:
        self._heap = [t for t in self._heap if not (t.kind == kind and t.key == key)]
        heapq.heapify(self._heap)

    def pop_due(self, until: int) -> Timer | None:
        if self._heap and self._heap[0].at <= until:
            return heapq.heappop(self._heap)
        return None

    def peek(self) -> Timer | None:
        return self._heap[0] if self._heap else None

    def __len__(self) -> int:
        return len(self._heap)

    def to_json(self) -> list:
        return [t.to_json() for t in sorted(self._heap)]
