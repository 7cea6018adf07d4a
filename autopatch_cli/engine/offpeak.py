"""Off-peak hours: the nightly window, in a VM's own time zone, when the platform may touch the VM.

Azure never publishes its off-peak hours (users asked: MicrosoftDocs/azure-docs#67495, #100219). What
it does publish is the window its patch extension works in: "Maintenance window is always guaranteed to
be nearly 4 hours (235 minutes)" (Azure/LinuxPatchExtension, PatchInstaller.py). autopatch therefore
opens each VM's window at 22:00 local time and keeps it open for 235 minutes of elapsed time (to 01:55
local on an ordinary night). The start is local wall-clock time, so when daylight saving time begins or
ends the window's UTC instant moves by an hour with it; its length stays 235 minutes (a window that
straddles a transition ends at 00:55 or 02:55 local instead).

Pure arithmetic with a cache per (time zone, day): a fleet of 100,000 VMs in a dozen time zones costs
a dozen conversions a day, not 100,000.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

WINDOW_START_LOCAL = time(22, 0)
WINDOW_SECONDS = 235 * 60
DAY = 86_400

_zones: dict[str, ZoneInfo] = {}
_starts: dict[tuple[str, int], int] = {}


def _zone(iana: str) -> ZoneInfo:
    zone = _zones.get(iana)
    if zone is None:
        zone = _zones[iana] = ZoneInfo(iana)
    return zone


def window_start(iana: str, day_ordinal: int) -> int:
    """Epoch seconds at which the window of local calendar day ``day_ordinal`` opens."""
    key = (iana, day_ordinal)
    start = _starts.get(key)
    if start is None:
        local = datetime.combine(date.fromordinal(day_ordinal), WINDOW_START_LOCAL, tzinfo=_zone(iana))
        start = _starts[key] = int(local.timestamp())
    return start


def local_day(iana: str, epoch: int) -> int:
    return datetime.fromtimestamp(epoch, tz=_zone(iana)).date().toordinal()


def window_at(iana: str, epoch: int) -> tuple[int, int] | None:
    """The (start, end) of the window open at ``epoch``, or None outside off-peak hours."""
    day = local_day(iana, epoch)
    for candidate in (day, day - 1):
        start = window_start(iana, candidate)
        if start <= epoch < start + WINDOW_SECONDS:
            return start, start + WINDOW_SECONDS
    return None


def next_window(iana: str, epoch: int) -> tuple[int, int]:
    """The window open at ``epoch``, else the next one to open after it."""
    current = window_at(iana, epoch)
    if current is not None:
        return current
    day = local_day(iana, epoch)
    for candidate in (day, day + 1, day + 2):
        start = window_start(iana, candidate)
        if start > epoch:
            return start, start + WINDOW_SECONDS
    raise AssertionError("a window opens every local day")  # pragma: no cover


def next_opening(iana: str, epoch: int) -> int:
    """The first window start strictly after ``epoch``."""
    day = local_day(iana, epoch)
    for candidate in (day, day + 1, day + 2):
        start = window_start(iana, candidate)
        if start > epoch:
            return start
    raise AssertionError("a window opens every local day")  # pragma: no cover


def local_iso(iana: str, epoch: int) -> str:
    """ISO-8601 local time with its UTC offset, as history's ``localStartTime`` shows it."""
    return datetime.fromtimestamp(epoch, tz=_zone(iana)).isoformat()


