"""Issue 12: the rollout at fleet scale, proven on random fleets from `orchestration history` alone.

Hypothesis draws fleets over up to 60 regions (zones, standalone VMs, availability sets of up to 200 VMs,
several time zones) and ticks them for months; then a checker that shares no code with the engine (its own
table of region pairs, its own window arithmetic with zoneinfo, its own 20% cap) checks every rule on the
history records and the rollouts `orchestration show` prints: pairs never together nor in one phase, zones one
at a time, update domains one at a time within the cap, every installation in the VM's off-peak window and
within 30 days of its release, 24 hours between phases, and the 30-day promise: every running, healthy VM
patched within 30 days of every release (unless `show` says its region cannot fit). A one-VM fleet in each
region must see its phase open at the same instant as the big fleet does (the calendar ignores the fleet).
The CI draw is small; the big draw (thousands of VMs, six months) is marked slow.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rollout_kit import avset, group, opt_in, tick_to, vm

from autopatch_cli.azure.regions import REGIONS, has_zones
from autopatch_cli.ops import orchestration
from autopatch_cli.ops import sim as sim_ops
from autopatch_cli.ops import vms as vm_ops
from autopatch_cli.ops.session import Session

START = datetime(2020, 10, 1, tzinfo=UTC)
# Azure's region pairs (Microsoft's "Azure cross-region replication" table), written out here on purpose:
# the checker must not share the engine's data or code.
PAIRS = {
    frozenset(p) for p in (
        ("eastus", "westus"), ("eastus2", "centralus"), ("northcentralus", "southcentralus"),
        ("westus2", "westcentralus"), ("westus3", "eastus"), ("northeurope", "westeurope"),
        ("uksouth", "ukwest"), ("francecentral", "francesouth"), ("germanywestcentral", "germanynorth"),
        ("japaneast", "japanwest"), ("koreacentral", "koreasouth"), ("eastasia", "southeastasia"),
        ("australiaeast", "australiasoutheast"), ("australiacentral", "australiacentral2"),
        ("canadacentral", "canadaeast"), ("centralindia", "southindia"), ("brazilsouth", "southcentralus"),
        ("switzerlandnorth", "switzerlandwest"), ("norwayeast", "norwaywest"), ("uaenorth", "uaecentral"),
        ("southafricanorth", "southafricawest"), ("eastus2euap", "centraluseuap"),
    )
}
ZONES_TZ = {"UTC": "UTC", "Pacific Standard Time": "America/Los_Angeles", "Tokyo Standard Time": "Asia/Tokyo",
            "W. Europe Standard Time": "Europe/Berlin", "India Standard Time": "Asia/Kolkata"}
WINDOW = timedelta(minutes=235)


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# ---- the fleet ----------------------------------------------------------------------------------


def build(path, draw: dict) -> dict:
    rng = random.Random(draw["seed"])
    regions = rng.sample(sorted(REGIONS), draw["regions"])
    made = []
    with Session(path).writer() as state:
        opt_in(state)
        sets = 0
        while len(made) < draw["vms"]:
            region = regions[len(made) % len(regions)]
            rg = f"rg-{region}"
            group(state, rg, region)
            tz = rng.choice(sorted(ZONES_TZ))
            if rng.random() < draw["set_share"]:
                sets += 1
                size = min(rng.randint(2, draw["max_set"]), draw["vms"] - len(made))
                avset(state, rg, f"set{sets}", region, update_domains=rng.choice((2, 5, 20)))
                for i in range(size):
                    vm(state, rg, f"set{sets}-{i}", tz, availability_set=f"set{sets}")
                    made.append({"rg": rg, "name": f"set{sets}-{i}", "set": f"set{sets}", "size": size})
                continue
            zone = rng.choice(("1", "2", "3")) if has_zones(region) and rng.random() < 0.5 else None
            name = f"vm{len(made)}"
            vm(state, rg, name, tz, zone=zone)
            made.append({"rg": rg, "name": name, "set": None, "size": 0})
        if draw["fault"]:
            victim = made[rng.randrange(len(made))]
            sim_ops.add_fault(state, victim["rg"], victim["name"], "unhealthy-after-reboot", 1)
        end = START + timedelta(days=draw["days"])
        for number in range(draw["oob"]):
            tick_to(state, START + timedelta(days=draw["days"] * (number + 1) // (draw["oob"] + 1)))
            sim_ops.publish(state, f"KB{5000100 + number}", None, "Security", "NeverReboots", None, None)
        tick_to(state, end)
        records = orchestration.history(state)
        shown = orchestration.show(state)["rollouts"]
        found = {(r["rg"], r["name"]) for r in made if vm_ops.find(state, r["rg"], r["name"]) is not None}
    return {"rows": records, "rollouts": shown, "made": made, "end": end, "regions": regions,
            "fault": draw["fault"], "oob": draw["oob"], "found": found}


# ---- the checker (no engine code) ----------------------------------------------------------------


def in_window(record: dict) -> bool:
    zone = ZoneInfo(ZONES_TZ[record["timeZone"]])
    start, end = _t(record["startTime"]), _t(record["endTime"])
    local = start.astimezone(zone)
    for day in (local.date(), local.date() - timedelta(days=1)):
        opening = datetime.combine(day, time(22, 0), tzinfo=zone).astimezone(UTC)
        if opening <= start and end <= opening + WINDOW:
            return True
    return False


def overlap(a: dict, b: dict) -> bool:
    return _t(a["startTime"]) < _t(b["endTime"]) and _t(b["startTime"]) < _t(a["endTime"])


def check(world: dict) -> None:
    rollouts = {r["release"]: r for r in world["rollouts"]}
    platform = [r for r in world["rows"] if r["operation"] == "installation" and r["startedBy"] == "Platform"]
    sizes = {(m["rg"], m["set"]): m["size"] for m in world["made"] if m["set"]}
    by_release: dict[str, list[dict]] = {}
    for r in platform:
        assert in_window(r), r
        by_release.setdefault(r["release"], []).append(r)
    for release, rows in by_release.items():
        published = _t(rollouts[release]["published"])
        rows.sort(key=lambda r: r["startTime"])
        for r in rows:
            assert published <= _t(r["startTime"]) < published + timedelta(days=30), r
        for i, a in enumerate(rows):
            later = rows[i + 1:]
            for b in later:
                if _t(b["startTime"]) >= _t(a["endTime"]):
                    break  # sorted by start: nothing later overlaps a
                if frozenset((a["region"], b["region"])) in PAIRS:
                    raise AssertionError(("paired regions patched together", a, b))
                if a["region"] == b["region"] and a["zone"] and b["zone"] and a["zone"] != b["zone"]:
                    raise AssertionError(("two zones together", a, b))
                if a["availabilitySet"] and (a["resourceGroup"], a["availabilitySet"]) == (
                        b["resourceGroup"], b["availabilitySet"]):
                    assert a["updateDomain"] == b["updateDomain"], ("two update domains together", a, b)
            if a["availabilitySet"]:
                size = sizes[(a["resourceGroup"], a["availabilitySet"])]
                cap = 1 if size < 10 else size // 5
                together = [b for b in rows if (b["resourceGroup"], b["availabilitySet"]) == (
                    a["resourceGroup"], a["availabilitySet"]) and _t(b["startTime"]) <= _t(a["startTime"]) < _t(b["endTime"])]
                assert len(together) <= cap, ("more than 20% of a set together", a, len(together), cap)
        phase_of = {}
        for r in rows:
            assert phase_of.setdefault(r["region"], r["phase"]) == r["phase"], r  # one phase per region
        for x in phase_of:
            for y in phase_of:
                if frozenset((x, y)) in PAIRS:
                    assert phase_of[x] != phase_of[y], (release, x, y)
        numbers = sorted(set(phase_of.values()))
        for earlier, nxt in zip(numbers, numbers[1:], strict=False):
            last_end = max(_t(r["endTime"]) for r in rows if r["phase"] == earlier)
            first = min(_t(r["startTime"]) for r in rows if r["phase"] == nxt)
            assert first >= last_end + timedelta(hours=24), ("no 24-hour bake", release, earlier, nxt)
    # the 30-day promise, for every release fully inside the run, when nothing in the fleet is faulty
    if world["fault"] or world["oob"]:
        return
    for release, rollout in rollouts.items():
        published = _t(rollout["published"])
        if published + timedelta(days=30) > world["end"]:
            continue
        unfit = set(rollout.get("regionsThatCannotFit") or {})
        patched = {(r["resourceGroup"], r["name"]) for r in by_release.get(release, []) if r["result"] == "Succeeded"}
        missing = [(m["rg"], m["name"]) for m in world["made"]
                   if (m["rg"], m["name"]) not in patched and m["rg"][3:] not in unfit]
        assert missing == [], (release, len(missing), missing[:5])


def check_calendar_ignores_the_fleet(tmp_path, world: dict, seed: int) -> None:
    """A one-VM fleet per region sees its phase open when the big fleet's does."""
    big = {}
    for rollout in world["rollouts"]:
        for phase in rollout["phases"]:
            for region in phase["regions"]:
                big[(rollout["release"], region)] = phase["start"]
    for region in world["regions"][:2]:
        path = tmp_path / f"one-{region}.json"
        with Session(path).writer() as state:
            opt_in(state)
            group(state, "rg", region)
            vm(state, "rg", "lone")
            tick_to(state, world["end"])
            for rollout in orchestration.show(state)["rollouts"]:
                for phase in rollout["phases"]:
                    if region in phase["regions"] and (rollout["release"], region) in big:
                        assert phase["start"] == big[(rollout["release"], region)], (rollout["release"], region)


def fleets(max_vms: int, max_regions: int, max_days: int, max_set: int):
    return st.fixed_dictionaries({
        "seed": st.integers(0, 10_000),
        "vms": st.integers(20, max_vms),
        "regions": st.integers(2, max_regions),
        "set_share": st.sampled_from((0.0, 0.05, 0.2)),
        "max_set": st.integers(2, max_set),
        "days": st.integers(35, max_days),
        "fault": st.sampled_from((False, False, True)),
        "oob": st.sampled_from((0, 0, 1)),
    })


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=fleets(max_vms=40, max_regions=8, max_days=45, max_set=25))
def test_rollout_rules_on_random_fleets(tmp_path_factory, draw):
    world = build(tmp_path_factory.mktemp("fleet") / "s.json", draw)
    check(world)
    check_calendar_ignores_the_fleet(tmp_path_factory.mktemp("lone"), world, draw["seed"])


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=fleets(max_vms=2500, max_regions=60, max_days=180, max_set=200))
def test_rollout_rules_on_big_random_fleets(tmp_path_factory, draw):
    world = build(tmp_path_factory.mktemp("fleet") / "s.json", draw)
    check(world)
    check_calendar_ignores_the_fleet(tmp_path_factory.mktemp("lone"), world, draw["seed"])


def test_the_checker_can_fail():
    """Histories that break each rule are caught."""
    base = {"release": "2020-10", "startedBy": "Platform", "operation": "installation", "timeZone": "UTC",
            "zone": None, "availabilitySet": None, "updateDomain": None, "result": "Succeeded", "resourceGroup": "rg",
            "phase": 5}

    def row(name, region, start, end, **extra):
        return dict(base, name=name, region=region, startTime=start, endTime=end, **extra)

    world = {"rollouts": [{"release": "2020-10", "published": "2020-10-13T17:00:00Z", "regionsThatCannotFit": {}}],
             "made": [{"rg": "rg", "name": "a", "set": "s", "size": 4}, {"rg": "rg", "name": "b", "set": "s", "size": 4}],
             "end": datetime(2020, 11, 20, tzinfo=UTC), "fault": False, "oob": 0}
    fine = [row("a", "eastus", "2020-10-20T22:00:00Z", "2020-10-20T23:00:00Z"),
            row("b", "eastus", "2020-10-21T22:00:00Z", "2020-10-21T23:00:00Z")]
    check(dict(world, rows=fine))
    broken = {
        "pair": [fine[0], row("b", "westus", "2020-10-20T22:30:00Z", "2020-10-20T23:30:00Z", phase=7)],
        "same phase for a pair": [fine[0], row("b", "westus", "2020-10-21T22:00:00Z", "2020-10-21T23:00:00Z")],
        "zones": [dict(fine[0], zone="1"), row("b", "eastus", "2020-10-20T22:30:00Z", "2020-10-20T23:30:00Z", zone="2")],
        "cap": [dict(fine[0], availabilitySet="s", updateDomain=0),
                row("b", "eastus", "2020-10-20T22:30:00Z", "2020-10-20T23:30:00Z", availabilitySet="s", updateDomain=0)],
        "noon": [fine[0], row("b", "eastus", "2020-10-21T12:00:00Z", "2020-10-21T13:00:00Z")],
        "day 31": [fine[0], row("b", "eastus", "2020-11-13T22:00:00Z", "2020-11-13T23:00:00Z")],
        "bake": [fine[0], row("b", "northeurope", "2020-10-21T02:00:00Z", "2020-10-21T02:30:00Z", phase=6)],
        "promise": [fine[0]],
    }
    for name, rows in broken.items():
        with pytest.raises(AssertionError):
            check(dict(world, rows=rows))
            raise RuntimeError(name)  # not reached when the checker catches it
