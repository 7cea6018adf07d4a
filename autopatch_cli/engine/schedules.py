"""Maintenance windows of Update Manager's schedules: when each one opens.

A window (Maintenance 2023-04-01 ``MaintenanceWindow``) starts at ``startDateTime`` ("YYYY-MM-DD hh:mm",
wall-clock time in ``timeZone``, daylight saving included), lasts ``duration`` ("HH:mm"), repeats as
``recurEvery`` says and stops at ``expirationDateTime``. The recurrence forms are the spec's:
``Day``/``3Days``, ``6Hours``, ``Week``/``2Weeks``/``Week Saturday,Sunday``, ``Month``/``2Months``,
``Month day23,day24``, ``Month Last Sunday``, ``Month Third Sunday Offset6`` (offset -6..6 days).

Pure arithmetic over IANA zone names: no clock, no I/O.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_HEAD = re.compile(r"^(\d*)\s*(hour|day|week|month)s?$", re.IGNORECASE)
_LOCAL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$")
_DURATION = re.compile(r"^(\d{1,2}):(\d{2})$")
NEVER_EXPIRES = "9999-12-31 23:59:59"


class ScheduleError(ValueError):
    """A window the spec's grammar does not allow; the message names the field."""


@dataclass(frozen=True)
class Recurrence:
    every: int
    unit: str  # hour, day, week, month
    weekdays: tuple[int, ...] = ()  # Week: 0=Monday
    month_days: tuple[int, ...] = ()  # Month day23,day24
    ordinal: int | None = None  # Month Third Sunday: 3; Last: -1
    ordinal_weekday: int | None = None
    offset: int = 0

    @property
    def min_seconds(self) -> int:
        """The shortest gap between two windows (for the 6-hour rule)."""
        base = {"hour": 3600, "day": 86_400, "week": 7 * 86_400, "month": 28 * 86_400}[self.unit] * self.every
        if self.unit == "week" and len(self.weekdays) > 1:
            days = sorted(self.weekdays)
            base = min((b - a) for a, b in zip(days, days[1:] + [days[0] + 7], strict=True)) * 86_400
        if self.unit == "month" and len(self.month_days) > 1:
            days = sorted(self.month_days)
            base = min(b - a for a, b in zip(days, days[1:], strict=False)) * 86_400
        return base


@dataclass(frozen=True)
class Window:
    start: datetime  # local wall clock, naive
    expiration: datetime  # local wall clock, naive
    duration: timedelta
    zone: str  # IANA
    recurrence: Recurrence


def parse_local(text: str, field: str) -> datetime:
    match = _LOCAL.match(str(text).strip())
    if not match:
        raise ScheduleError(f"'{field}' must be in 'YYYY-MM-DD hh:mm' format, not '{text}'.")
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise ScheduleError(f"'{field}' is not a valid date and time: '{text}'.") from exc


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(str(text).strip())
    if not match or int(match.group(2)) > 59:
        raise ScheduleError(f"'duration' must be in 'HH:mm' format, not '{text}'.")
    return timedelta(hours=int(match.group(1)), minutes=int(match.group(2)))


def parse_recurrence(text: str) -> Recurrence:
    words = str(text).replace(",", " , ").split()
    if not words:
        raise ScheduleError("'recurEvery' is required.")
    head = _HEAD.match(words[0])
    if not head:
        raise ScheduleError(f"'recurEvery' must start with Hour, Day, Week or Month (e.g. 'Week Saturday,Sunday'), "
                            f"not '{text}'.")
    every = int(head.group(1) or 1)
    unit = head.group(2).lower()
    if every < 1:
        raise ScheduleError(f"'recurEvery' must repeat at least once per period, not '{text}'.")
    rest = [w for w in words[1:] if w != ","]
    if unit in ("hour", "day"):
        if rest:
            raise ScheduleError(f"'recurEvery' {head.group(2)} takes no further terms: '{text}'.")
        return Recurrence(every, unit)
    if unit == "week":
        days = []
        for word in rest:
            if word.lower() not in WEEKDAYS:
                raise ScheduleError(f"'{word}' in 'recurEvery' is not a day of the week.")
            days.append(WEEKDAYS.index(word.lower()))
        return Recurrence(every, unit, weekdays=tuple(sorted(set(days))))
    if not rest:
        return Recurrence(every, unit)
    if rest[0].lower().startswith("day"):
        month_days = []
        for word in rest:
            match = re.fullmatch(r"day(\d{1,2})", word, re.IGNORECASE)
            if not match or not 1 <= int(match.group(1)) <= 31:
                raise ScheduleError(f"'{word}' in 'recurEvery' is not a day of the month such as day23.")
            month_days.append(int(match.group(1)))
        return Recurrence(every, unit, month_days=tuple(sorted(set(month_days))))
    if rest[0].lower() in ORDINALS and len(rest) >= 2 and rest[1].lower() in WEEKDAYS:
        offset = 0
        if len(rest) == 3:
            match = re.fullmatch(r"offset(-?\d)", rest[2], re.IGNORECASE)
            if not match or not -6 <= int(match.group(1)) <= 6:
                raise ScheduleError(f"'{rest[2]}' in 'recurEvery' must be Offset-6 to Offset6.")
            offset = int(match.group(1))
        elif len(rest) > 3:
            raise ScheduleError(f"'recurEvery' has too many terms: '{text}'.")
        return Recurrence(every, unit, ordinal=ORDINALS[rest[0].lower()],
                          ordinal_weekday=WEEKDAYS.index(rest[1].lower()), offset=offset)
    raise ScheduleError(f"'recurEvery' Month takes day numbers (Month day23,day24) or a weekday "
                        f"(Month Third Sunday Offset6), not '{text}'.")


def _utc(local: datetime, zone: str) -> int:
    return int(local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC).timestamp())


def _nth_weekday(year: int, month: int, ordinal: int, weekday: int) -> date:
    days = calendar.monthrange(year, month)[1]
    matches = [d for d in range(1, days + 1) if date(year, month, d).weekday() == weekday]
    return date(year, month, matches[-1] if ordinal == -1 else matches[ordinal - 1])


def _local_starts(window: Window):
    """Local start instants in order, from the first at or after ``start`` on."""
    rec, start = window.recurrence, window.start
    clock = start.time()
    if rec.unit == "hour":
        k = 0
        while True:
            yield start + timedelta(hours=k * rec.every)
            k += 1
    if rec.unit == "day":
        k = 0
        while True:
            yield start + timedelta(days=k * rec.every)
            k += 1
    if rec.unit == "week":
        monday = start.date() - timedelta(days=start.weekday())
        weekdays = rec.weekdays or (start.weekday(),)
        k = 0
        while True:
            week = monday + timedelta(weeks=k * rec.every)
            for weekday in weekdays:
                candidate = datetime.combine(week + timedelta(days=weekday), clock)
                if candidate >= start:
                    yield candidate
            k += 1
    # month
    k = 0
    while True:
        index = start.year * 12 + start.month - 1 + k * rec.every
        year, month = divmod(index, 12)
        month += 1
        days: list[date] = []
        if rec.ordinal is not None:
            assert rec.ordinal_weekday is not None  # a recurrence by ordinal names its weekday
            days = [_nth_weekday(year, month, rec.ordinal, rec.ordinal_weekday) + timedelta(days=rec.offset)]
        else:
            last = calendar.monthrange(year, month)[1]
            days = [date(year, month, d) for d in (rec.month_days or (start.day,)) if d <= last]
        for day in sorted(days):
            candidate = datetime.combine(day, clock)
            if candidate >= start:
                yield candidate
        k += 1


def openings(window: Window, after: int, until: int, limit: int = 10_000) -> list[int]:
    """Epoch seconds of every window opening in ``(after, until]`` before the window expires."""
    out = []
    expiry = _utc(window.expiration, window.zone) if window.expiration.year < 9999 else None
    for count, local in enumerate(_local_starts(window)):
        at = _utc(local, window.zone)
        if at > until or (expiry is not None and at > expiry) or count > limit * 50:
            break
        if at > after:
            out.append(at)
            if len(out) >= limit:
                break
    return out


def next_opening(window: Window, after: int) -> int | None:
    found = openings(window, after, after + 400 * 86_400, limit=1)
    return found[0] if found else None
