"""Shared helpers for the engine and orchestration rule tests: fleets built through the operations layer,
and off-peak arithmetic done independently of the engine (zoneinfo only)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from autopatch_cli.azure.timezones import WINDOWS_TO_IANA, canonical_windows_zone
from autopatch_cli.ops import availability_sets, demo, groups, orchestration
from autopatch_cli.ops.clock import tick

PASSWORD = "Str0ng!Passw0rd1"
WINDOW = timedelta(minutes=235)


opt_in = demo.opt_in


def group(state, name: str, region: str) -> None:
    if groups.find(state, name) is None:
        groups.create(state, name, region)


def avset(state, rg: str, name: str, region: str, update_domains: int = 5) -> None:
    availability_sets.create(state, rg, name, region, update_domains=update_domains, fault_domains=2)


def vm(state, rg: str, name: str, tz: str = "UTC", zone: str | None = None, availability_set: str | None = None,
       mode: str = "AutomaticByPlatform", image: str = "Win2019Datacenter") -> None:
    demo.windows_vm(state, rg, name, tz, zone, availability_set, mode, image, PASSWORD)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def tick_to(state, when: datetime) -> dict:
    return tick(state, when)


def history(state, **filters) -> list[dict]:
    return orchestration.history(state, **filters)


def installs(records: list[dict]) -> list[dict]:
    return [r for r in records if r["operation"] == "installation"]


def zone_of(record: dict) -> ZoneInfo:
    return ZoneInfo(WINDOWS_TO_IANA[canonical_windows_zone(record["timeZone"]) or "UTC"])


def window_of(record: dict) -> tuple[datetime, datetime] | None:
    """The off-peak window (UTC open, UTC close) the record's start falls in: 22:00 local, 235 minutes."""
    start = at(record["startTime"])
    local = start.astimezone(zone_of(record))
    for day in (local.date(), local.date() - timedelta(days=1)):
        opening = datetime.combine(day, time(22, 0), tzinfo=zone_of(record)).astimezone(UTC)
        if opening <= start < opening + WINDOW:
            return opening, opening + WINDOW
    return None


def inside_window(record: dict) -> bool:
    """Start and end inside one off-peak window, and the local start between 22:00 and 02:55 (DST nights)."""
    window = window_of(record)
    if window is None:
        return False
    local = datetime.fromisoformat(record["localStartTime"])
    in_hours = local.time() >= time(22, 0) or local.time() < time(2, 55)
    return in_hours and at(record["endTime"]) <= window[1]
