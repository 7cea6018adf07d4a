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


TIME_ZONES = ("UTC", "Pacific Standard Time", "Eastern Standard Time", "W. Europe Standard Time",
              "Tokyo Standard Time", "India Standard Time", "AUS Eastern Standard Time", "GMT Standard Time")


def mixed_fleet(state, count: int, regions: list[str], seed: int, faults: bool = False) -> list[tuple[str, str]]:
    """``count`` VMs spread over ``regions``: zonal, standalone and availability sets of 3-14 VMs, several time
    zones, a few AutomaticByOS/Manual or deallocated VMs and (``faults``) a VM that comes back unhealthy."""
    import random

    from autopatch_cli.azure.regions import has_zones
    from autopatch_cli.ops import sim as sim_ops
    from autopatch_cli.ops import vms as vm_ops

    rng = random.Random(seed)
    made: list[tuple[str, str]] = []
    sets = 0
    while len(made) < count:
        region = regions[len(made) % len(regions)]
        rg = f"rg-{region}"
        group(state, rg, region)
        tz = rng.choice(TIME_ZONES)
        zone = rng.choice(("1", "2", "3")) if has_zones(region) and rng.random() < 0.5 else None
        if zone is None and rng.random() < 0.3:
            sets += 1
            name = f"set{sets}"
            avset(state, rg, name, region, update_domains=rng.choice((2, 3, 5)))
            for i in range(min(rng.randint(3, 14), count - len(made))):
                vm(state, rg, f"{name}-vm{i}", tz, availability_set=name)
                made.append((rg, f"{name}-vm{i}"))
            continue
        mode = "AutomaticByPlatform" if rng.random() < 0.9 else rng.choice(("AutomaticByOS", "Manual"))
        name = f"vm{len(made)}"
        vm(state, rg, name, tz, zone=zone, mode=mode)
        if rng.random() < 0.06:
            vm_ops.set_power(state, rg, name, "deallocate")
        made.append((rg, name))
    if faults:
        rg, name = made[len(made) // 2]
        sim_ops.add_fault(state, rg, name, "unhealthy-after-reboot", 1)
    return made


def phase_start(state, region: str, release: str = "2020-10") -> datetime:
    """When ``region``'s phase of ``release`` opens on the global calendar (the same for every fleet)."""
    from autopatch_cli.engine.catalog import patch_tuesday
    from autopatch_cli.engine.phases import calendar, phase_of_region
    from autopatch_cli.ops.state import seed

    year, month = (int(part) for part in release.split("-")[:2])
    published = int(patch_tuesday(year, month).timestamp())
    start, _end = calendar(seed(state), release, published)[phase_of_region()[region] - 1]
    return datetime.fromtimestamp(start, tz=UTC)


def tick_until(state, done, step: timedelta = timedelta(minutes=10), limit: timedelta = timedelta(days=40)) -> None:
    """Tick ``step`` at a time until ``done()`` holds (at most ``limit``)."""
    from autopatch_cli.ops.state import now

    end = now(state) + limit
    while not done():
        assert now(state) < end, "the awaited event never came"
        tick(state, now(state) + step)
