"""Issue 4: the availability-first orchestration, checked on the history records alone.

Hypothesis draws small fleets (paired regions, zones, availability sets with update domains, time
zones, power states, injected faults), builds them through the operations layer, ticks ~45 days and
checks every rule of the rollout. The CLI views (show, plan, why, history, timeline), ``demo`` and bad
input to ``sim``/``catalog`` follow.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rollout_kit import (
    at,
    avset,
    group,
    history,
    inside_window,
    installs,
    opt_in,
    phase_start,
    tick_to,
    vm,
    window_of,
)
from test_bad_input import assert_refused

from autopatch_cli.azure.regions import has_zones, pair_partners
from autopatch_cli.engine.phases import phase_of_region
from autopatch_cli.ops import orchestration, vms
from autopatch_cli.ops import sim as sim_ops
from autopatch_cli.ops.session import Session

REGIONS = ("eastus", "westus", "westus3", "northeurope", "westeurope", "centralus", "eastus2")
TIME_ZONES = ("UTC", "Pacific Standard Time", "W. Europe Standard Time", "Tokyo Standard Time",
              "Eastern Standard Time")
END = datetime(2020, 11, 15, tzinfo=UTC)

member = st.fixed_dictionaries({
    "region": st.sampled_from(REGIONS),
    "zone": st.sampled_from((None, "1", "2", "3")),
    "set": st.sampled_from((None, None, "a", "b")),
    "tz": st.sampled_from(TIME_ZONES),
    "power": st.sampled_from(("running",) * 8 + ("deallocated", "stopped")),
    "fault": st.sampled_from((None,) * 12 + ("unhealthy-after-reboot", "install-failure")),
})
fleets = st.lists(member, min_size=2, max_size=14)


def build(path, fleet) -> dict:
    """The fleet in a store at ``path``, ticked to END; returns what the checks need."""
    with Session(path).writer() as state:
        opt_in(state)
        made = []
        for i, spec in enumerate(fleet):
            region = spec["region"]
            rg = f"rg-{region}"
            group(state, rg, region)
            zone = spec["zone"] if has_zones(region) else None
            set_name = None
            if spec["set"] and zone is None:
                set_name = f"{spec['set']}-{region}"
                if vms.availability_sets.find(state, rg, set_name) is None:
                    avset(state, rg, set_name, region, update_domains=3)
            vm(state, rg, f"vm{i}", spec["tz"], zone=zone, availability_set=set_name)
            if spec["power"] != "running":
                vms.set_power(state, rg, f"vm{i}", "deallocate" if spec["power"] == "deallocated" else "stop")
            if spec["fault"]:
                sim_ops.add_fault(state, rg, f"vm{i}", spec["fault"], 3)
            made.append((rg, f"vm{i}", spec))
        tick_to(state, END)
        rows = history(state)
        shown = orchestration.show(state)["rollouts"]
        set_sizes = {}
        for rg, name, _spec in made:
            record = vms.find(state, rg, name)
            ref = record["vm"]["properties"].get("availabilitySet", {}).get("id")
            if ref:
                set_sizes[ref.rsplit("/", 1)[-1]] = set_sizes.get(ref.rsplit("/", 1)[-1], 0) + 1
    return {"rows": rows, "rollouts": {r["release"]: r for r in shown}, "made": made, "set_sizes": set_sizes}


def iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def overlaps(a, b) -> bool:
    return at(a["startTime"]) < at(b["endTime"]) and at(b["startTime"]) < at(a["endTime"])


def check_rules(world) -> None:
    rows = [r for r in installs(world["rows"]) if r["startedBy"] == "Platform"]
    plan = phase_of_region()
    by_release: dict[str, list] = {}
    for r in rows:
        assert r["release"], r
        by_release.setdefault(r["release"], []).append(r)
        # nothing outside the VM's off-peak window; the phase is its region's phase
        assert inside_window(r), r
        assert r["phase"] == plan[r["region"]], r
    for release, mine in by_release.items():
        published = at(world["rollouts"][release]["published"])
        for i, a in enumerate(mine):
            assert published <= at(a["startTime"]) < published + timedelta(days=30), a
            for b in mine[i + 1:]:
                if a["region"] in pair_partners(b["region"]) or b["region"] in pair_partners(a["region"]):
                    assert not overlaps(a, b), (a, b)  # paired regions never at once...
                    assert a["phase"] != b["phase"]  # ...nor in the same phase
                if a["region"] == b["region"] and a["zone"] and b["zone"] and a["zone"] != b["zone"]:
                    assert not overlaps(a, b), (a, b)  # zones of a region never at once
                if a["availabilitySet"] and a["availabilitySet"] == b["availabilitySet"] and a["region"] == b["region"]:
                    if overlaps(a, b):
                        assert a["updateDomain"] == b["updateDomain"], (a, b)  # one update domain at a time
            if a["availabilitySet"]:
                size = world["set_sizes"][a["availabilitySet"]]
                cap = 1 if size < 10 else max(1, size // 5)
                concurrent = [b for b in mine if b["availabilitySet"] == a["availabilitySet"]
                              and b["region"] == a["region"] and at(b["startTime"]) <= at(a["startTime"]) < at(b["endTime"])]
                assert len(concurrent) <= cap, (a, concurrent)
        # phases in plan order, 24 h between a phase's last installation and the next phase's first
        phases = sorted({r["phase"] for r in mine})
        for earlier, later in zip(phases, phases[1:], strict=False):
            last_end = max(at(r["endTime"]) for r in mine if r["phase"] == earlier)
            first_start = min(at(r["startTime"]) for r in mine if r["phase"] == later)
            assert first_start >= last_end + timedelta(hours=24), (release, earlier, later)
        # a failed or unhealthy VM halts its release at once, whatever the phase (the last one too): `show` says
        # "halted" and names the VM and its phase, and no phase opens after the halt (a later phase already
        # open beside a region that overran its window keeps its running batches)
        bad = _halting_failure(mine)
        if bad is not None:
            phase, when, name = bad
            rollout = world["rollouts"][release]
            # superseded or expired: the release's turn ended while the VM's last attempt ran (no halt then)
            assert rollout["state"] in ("halted", "superseded", "expired"), rollout
            if rollout["state"] == "halted":
                assert rollout["halt"]["phase"] == phase and rollout["halt"]["vm"].endswith(f"/{name}"), rollout
            opened = {p["phase"]: at(p["start"]) for p in rollout.get("phases") or ()}
            for r in mine:
                if r["phase"] > phase:
                    assert r["phase"] in opened and opened[r["phase"]] <= when, ("a phase opened after a halt", r)
    # every running, healthy VM is patched within 30 days when no fault is anywhere in the fleet
    if not any(spec["fault"] for _, _, spec in world["made"]):
        first = min(world["rollouts"].values(), key=lambda r: r["published"])["release"]
        patched = {r["name"] for r in by_release.get(first, []) if r["result"] == "Succeeded"}
        for _, name, spec in world["made"]:
            assert (name in patched) == (spec["power"] == "running"), (name, spec)


def _halting_failure(mine) -> tuple[int, datetime, str] | None:
    """(phase, time, VM name) of the first VM unhealthy after patching or failed a third time, if any."""
    failures: dict[str, int] = {}
    for r in sorted(mine, key=lambda r: r["endTime"]):
        if r["result"] == "Failed":
            failures[r["name"]] = failures.get(r["name"], 0) + 1
        if r["result"] == "Unhealthy" or failures.get(r["name"]) == 3 and r["result"] == "Failed":
            return r["phase"], at(r["endTime"]), r["name"]
    return None


# derandomize: CI checks the same 20 fleets every run, so a red CI is a regression, not a new draw; the
# slow variant below keeps drawing new fleets, and the fleet it found is pinned as a known defect next.
@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fleet=fleets)
def test_rollout_rules_hold_for_random_fleets(tmp_path_factory, fleet):
    check_rules(build(tmp_path_factory.mktemp("fleet") / "s.json", fleet))


def _member(region, zone=None, tz="UTC", fault=None):
    return {"region": region, "zone": zone, "set": None, "tz": tz, "power": "running", "fault": fault}


def test_a_halt_in_the_last_region_keeps_the_rollout_halted(tmp_path):
    """westus3 overruns its phase (7) while the last phase opens and the calendar completes; its VM's third
    failure then halts the rollout all the same (it was recorded "completed" before the fix)."""
    fleet = [_member("eastus"), _member("eastus"), _member("westus3", "1", fault="install-failure"),
             _member("westus3", "2", "Pacific Standard Time"), _member("westus3", "3", "Eastern Standard Time")]
    check_rules(build(tmp_path / "s.json", fleet))


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fleet=st.lists(member, min_size=10, max_size=60))
def test_rollout_rules_hold_for_larger_fleets(tmp_path_factory, fleet):
    check_rules(build(tmp_path_factory.mktemp("fleet") / "s.json", fleet))


def test_the_checks_can_fail():
    """Hand-made histories that break a rule are caught (the property test is not vacuous)."""
    base = {"release": "2020-10", "startedBy": "Platform", "operation": "installation", "timeZone": "UTC",
            "zone": None, "availabilitySet": None, "updateDomain": None, "kbIds": [], "result": "Succeeded",
            "maintenanceWindowExceeded": False}

    def row(name, region, start, end, **extra):
        return dict(base, name=name, region=region, phase=phase_of_region()[region], startTime=start,
                    endTime=end, localStartTime=start.replace("Z", "+00:00"), **extra)

    world = {"rollouts": {"2020-10": {"release": "2020-10", "published": "2020-10-13T17:00:00Z", "state": "completed"}},
             "set_sizes": {"s": 4},
             "made": [("rg", "x", {"fault": "x"})]}
    pairs = [row("a", "eastus", "2020-10-13T22:00:00Z", "2020-10-13T23:00:00Z"),
             row("b", "westus", "2020-10-13T22:30:00Z", "2020-10-13T23:30:00Z")]
    zones = [row("a", "eastus", "2020-10-13T22:00:00Z", "2020-10-13T23:00:00Z", zone="1"),
             row("b", "eastus", "2020-10-13T22:30:00Z", "2020-10-13T23:30:00Z", zone="2")]
    sets = [row("a", "eastus", "2020-10-13T22:00:00Z", "2020-10-13T23:00:00Z", availabilitySet="s", updateDomain=0),
            row("b", "eastus", "2020-10-13T22:30:00Z", "2020-10-13T23:30:00Z", availabilitySet="s", updateDomain=0)]
    noon = [row("a", "eastus", "2020-10-14T12:00:00Z", "2020-10-14T13:00:00Z")]
    # phase 5 two hours after phase 4's last installation: no 24-hour bake between them
    no_bake = [row("a", "australiaeast", "2020-10-13T22:00:00Z", "2020-10-13T23:00:00Z"),
               row("b", "centralus", "2020-10-14T01:00:00Z", "2020-10-14T01:30:00Z")]
    # a VM came back unhealthy in phase 4, yet phase 5 went on (two days later: the bake alone holds)
    no_halt = [row("a", "australiaeast", "2020-10-13T22:00:00Z", "2020-10-13T23:00:00Z", result="Unhealthy"),
               row("b", "centralus", "2020-10-15T22:00:00Z", "2020-10-15T23:00:00Z")]
    # an installation of the release 31 days after it was published
    late = [row("a", "eastus", "2020-11-13T22:00:00Z", "2020-11-13T23:00:00Z")]
    for broken in (pairs, zones, sets, noon, no_bake, no_halt, late):
        with pytest.raises(AssertionError):
            check_rules(dict(world, rows=broken))
    # each of those rules passes on its own well-formed history (the failures above are the rule's)
    for fine in ([no_bake[0], dict(no_bake[1], startTime="2020-10-14T23:00:00Z", endTime="2020-10-14T23:30:00Z",
                                   localStartTime="2020-10-14T23:00:00+00:00")],
                 [dict(no_halt[0], result="Succeeded"), no_halt[1]],
                 [dict(late[0], startTime="2020-11-11T22:00:00Z", endTime="2020-11-11T23:00:00Z",
                       localStartTime="2020-11-11T22:00:00+00:00")]):
        check_rules(dict(world, rows=fine))
    # the 30-day promise: with no fault anywhere, a running VM left unpatched is caught
    healthy = [("rg", "a", {"fault": None, "power": "running"}), ("rg", "b", {"fault": None, "power": "running"})]
    with pytest.raises(AssertionError):
        check_rules(dict(world, made=healthy, rows=[row("a", "eastus", "2020-10-13T22:00:00Z", "2020-10-13T23:00:00Z")]))
    check_rules(dict(world, made=healthy, rows=[row("a", "eastus", "2020-10-13T22:00:00Z", "2020-10-13T23:00:00Z"),
                                                row("b", "eastus", "2020-10-14T22:00:00Z", "2020-10-14T23:00:00Z")]))


# ---- the CLI views ------------------------------------------------------------------------------


def ok(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def staged(cli, state_path):
    """eastus zones 1/2, a westus availability set (4 VMs), Manual/ByOS, one deallocated, one requirement failing."""
    with Session(state_path).writer() as state:
        opt_in(state)
        group(state, "rg", "eastus"), group(state, "rgw", "westus")
        for i, zone in enumerate(("1", "1", "2", "2")):
            vm(state, "rg", f"z{i}", "Pacific Standard Time", zone=zone)
        avset(state, "rgw", "set", "westus", 2)
        for i in range(4):
            vm(state, "rgw", f"s{i}", "UTC", availability_set="set")
        vm(state, "rg", "manual", mode="Manual"), vm(state, "rg", "byos", mode="AutomaticByOS")
        vm(state, "rg", "off")
        vms.set_power(state, "rg", "off", "deallocate")
        vm(state, "rgw", "broken")
        sim_ops.set_requirements(state, "rgw", "broken", service_running=False)
    return cli


def test_why_names_each_reason(staged, state_path):
    cli = staged
    with Session(state_path).writer() as state:
        east, west = phase_start(state, "eastus"), phase_start(state, "westus")
        east_nov = phase_start(state, "eastus", "2020-11")
    why = lambda rg, name: ok(cli("orchestration", "why", "-g", rg, "-n", name, "-o", "json"))["reason"]  # noqa: E731
    assert why("rg", "manual") == "manual" and why("rg", "byos") == "automatic-by-os"
    assert why("rg", "off") == "deallocated"
    assert why("rg", "z0") == "enabling"
    ok(cli("tick", "--until", iso(east + timedelta(minutes=1))))
    assert why("rgw", "s0") == "paired-region-patching"  # westus is phase 7; its pair eastus (5) runs
    reasons = {why("rg", f"z{i}") for i in range(4)}
    assert "outside-off-peak" in reasons and "other-zone-patching" in reasons
    ok(cli("tick", "--until", iso(west - timedelta(hours=2))))
    reasons = set()
    for _ in range(4 * 24):  # hour by hour: westus's phase opens, then its set, one VM at a time
        ok(cli("tick", "--hours", "1"))
        now = {why("rgw", f"s{i}") for i in range(4)}
        reasons |= now
        if now == {"patched"}:
            break
    assert "phase-not-started" in reasons, reasons
    assert {"update-domain-turn", "patching", "patched"} <= reasons, reasons
    ok(cli("tick", "--until", "2020-11-09T00:00:00Z"))
    assert why("rg", "z0") == "patched" and why("rgw", "broken") == "requirement-failed"
    # halted: an unhealthy VM in the next release
    ok(cli("sim", "fault", "add", "-g", "rg", "-n", "z1", "--kind", "unhealthy-after-reboot"))
    ok(cli("sim", "fault", "add", "-g", "rg", "-n", "z3", "--kind", "unhealthy-after-reboot"))
    ok(cli("tick", "--until", iso(east_nov + timedelta(days=4))))
    shown = ok(cli("orchestration", "show", "-o", "json"))["rollouts"][0]
    assert shown["release"] == "2020-11" and shown["state"] == "halted" and shown["halt"]["phase"] == 5
    assert why("rgw", "s0") == "halted"
    assert not [r for r in ok(cli("orchestration", "history", "--release", "2020-11", "-o", "json"))
                if r["operation"] == "installation" and r["region"] == "westus"]


def test_show_plan_history_timeline(staged):
    cli = staged
    assert "rollouts" in ok(cli("orchestration", "show", "-o", "json"))
    planned = ok(cli("orchestration", "plan", "-o", "json"))
    assert planned["release"] == "2020-10"
    by_name = {v["name"]: v for v in planned["vms"]}
    assert "manual" not in by_name and by_name["z0"]["phase"] == 5 and by_name["s0"]["phase"] == 7
    assert by_name["off"]["expectedStart"] is None and "deallocated" in by_name["off"]["note"]
    assert by_name["z0"]["expectedLocalStart"][11:13] in ("22", "23", "00", "01")
    ok(cli("tick", "--days", "40"))
    rows = ok(cli("orchestration", "history", "--release", "2020-10", "--operation", "installation", "-o", "json"))
    done = {r["name"]: r for r in rows if r["result"] == "Succeeded"}
    # the plan was right about who goes when (same seed, nothing changed in between)
    for name in ("z0", "z1", "z2", "z3", "s0", "s1", "s2", "s3"):
        assert (done[name]["phase"], done[name]["batch"]) == (by_name[name]["phase"], by_name[name]["batch"]), name
        # the dry run skips assessments, so the start is the same night, not the same minute
        planned_window = window_of(dict(done[name], startTime=by_name[name]["expectedStart"]))
        assert window_of(done[name]) == planned_window, name
    keys = {"vmId", "name", "resourceGroup", "region", "zone", "availabilitySet", "updateDomain", "timeZone", "phase",
            "batch", "operation", "startTime", "endTime", "localStartTime", "result", "kbIds", "activityId",
            "startedBy", "maintenanceWindowExceeded", "rebooted", "release"}
    assert all(set(r) == keys for r in rows)
    one = ok(cli("orchestration", "history", "-g", "rg", "-n", "z0", "-o", "json"))
    assert {r["name"] for r in one} == {"z0"} and {r["operation"] for r in one} >= {"enablement", "assessment"}
    timeline = ok(cli("orchestration", "timeline", "-o", "json"))
    assert timeline["release"] == "2020-10" and timeline["summary"]
    table = cli("orchestration", "history", "--release", "2020-10")
    assert table.exit_code == 0 and "z0" in table.stdout


def test_demo_builds_a_fleet_with_one_halt(cli, tmp_path):
    result = ok(cli("--state", str(tmp_path / "demo.json"), "demo", "-o", "json"))
    assert result["fleet"]["vms"] > 40 and result["fleet"]["unhealthy"] == "rg-westus/web-westus-2"
    rollout = result["rollout"]
    assert rollout["state"] == "halted" and rollout["halt"]["vm"] == "rg-westus/web-westus-2"
    phases = [p["phase"] for p in rollout["phases"]]
    assert phases == sorted(phases) and rollout["phases"][-1]["result"] == "failed"
    codes = {v["name"]: v["whyCode"] for v in result["vms"]}
    assert codes["desktop-byos"] == "automatic-by-os" and codes["legacy-manual"] == "manual"
    assert codes["batch-northeurope-1"] == "deallocated"
    # the timeline counts every VM the platform looks after, halted ones too (westus3: 6 zonal + 3 standalone)
    drawn = ok(cli("--state", str(tmp_path / "demo.json"), "orchestration", "timeline", "-o", "json"))
    westus3 = next(r for r in drawn["summary"]["regions"] if r["region"] == "westus3")
    assert westus3["vmCount"] == 9 and [z["zone"] for z in westus3["zones"]] == ["1", "2", "3", None]


@pytest.mark.parametrize("args, needle, code", [
    (("sim", "requirement", "set", "-g", "rg", "-n", "z0", "--agent", "maybe"), "--agent", None),
    (("sim", "requirement", "set", "-g", "rg", "-n", "z0", "--windows-update-service", "paused"), "running", None),
    (("sim", "requirement", "set", "-g", "rg", "-n", "z0", "--update-source", "ftp://x"), "WSUS", None),
    (("sim", "fault", "add", "-g", "rg", "-n", "z0", "--kind", "meteor"), "meteor", None),
    (("sim", "fault", "add", "-g", "rg", "-n", "z0", "--kind", "reboot-hang", "--count", "0"), "--count", None),
    (("sim", "fault", "add", "-g", "rg", "-n", "nosuch", "--kind", "reboot-hang"), "nosuch", "ResourceNotFound"),
    (("catalog", "publish", "--kb", "KBx12"), "--kb", None),
    (("catalog", "publish", "--kb", "5000001", "--fault", "explodes"), "--fault", None),
    (("catalog", "publish", "--kb", "5000001", "--classification", "Urgent"), "--classification", None),
    (("catalog", "publish", "--kb", "5000001", "--os", "2008"), "--os", None),
    (("catalog", "list", "--month", "November"), "--month", None),
    (("orchestration", "why", "-g", "rg", "-n", "nosuch"), "nosuch", "ResourceNotFound"),
    (("orchestration", "history", "--operation", "reboot"), "--operation", None),
    (("orchestration", "timeline", "--export", "t.svg"), "no rollout to draw", None),
    (("orchestration", "windows", "-g", "rg", "-n", "nosuch"), "nosuch", "ResourceNotFound"),
])
def test_bad_input_is_refused_and_store_unchanged(staged, state_path, args, needle, code):
    result = staged(*args)
    assert result.exit_code != 0
    assert_refused(staged, state_path, args, result.exit_code, needle, code)


@pytest.mark.parametrize("path, needle", [("/nonexistent/dir/t.svg", "cannot write the timeline"), ("t.png", ".svg")])
def test_a_timeline_that_cannot_be_written_is_a_plain_error(cli, tmp_path, path, needle):
    store = tmp_path / "demo.json"
    assert cli("--state", str(store), "demo", "-o", "none").exit_code == 0
    assert_refused(cli, store, ("--state", str(store), "orchestration", "timeline", "--export", path), 1, needle)


def test_late_joiners_in_paired_regions_are_not_patched_together(tmp_path):
    """VMs started after their release's last phase join the rollout; a pair still never patches at once."""
    path = tmp_path / "state.json"
    late = [(f"rg-{region}", f"late{i}") for region in ("eastus", "westus") for i in range(3)]
    with Session(path).writer() as state:
        opt_in(state)
        for region in ("eastus", "westus"):
            group(state, f"rg-{region}", region)
        for rg, name in late:
            vm(state, rg, name, tz="UTC")
            vms.set_power(state, rg, name, "deallocate")
        tick_to(state, at("2020-11-07T00:00:00Z"))  # the calendar's last phase has opened
        assert orchestration.show(state)["rollouts"][0]["state"] == "completed"
        for rg, name in late:
            vms.set_power(state, rg, name, "start")
        tick_to(state, at("2020-11-10T12:00:00Z"))
        done = installs(history(state, release="2020-10"))
    east = [r for r in done if r["region"] == "eastus"]
    west = [r for r in done if r["region"] == "westus"]
    assert {r["name"] for r in east} == {r["name"] for r in west} == {"late0", "late1", "late2"}
    for a in east:
        for b in west:
            assert not overlaps(a, b), (a, b)


def demo_without_faults(path, until: str) -> None:
    """The demo fleet (its deallocated VM included) with its injected fault taken out, ticked to ``until``."""
    from autopatch_cli.ops import demo

    with Session(path).writer() as state:
        demo.build(state)
        for record in state.data["vms"].values():
            record["sim"]["faults"] = {}
        tick_to(state, at(until))


def test_plan_matches_the_run_when_nothing_goes_wrong(tmp_path):
    """`orchestration plan` is the engine's own dry run: without faults its expected starts are the real ones."""
    path = tmp_path / "state.json"
    demo_without_faults(path, "2020-10-13T00:00:00Z")
    with Session(path).writer() as state:
        plan = orchestration.plan(state)
        tick_to(state, at("2020-11-10T12:00:00Z"))
        real = {}
        for record in orchestration.history(state, release="2020-10", operation="installation"):
            real.setdefault((record["resourceGroup"], record["name"]), record)
    assert plan["release"] == "2020-10"
    planned = [entry for entry in plan["vms"] if entry["expectedStart"]]
    assert len(planned) >= 60
    for entry in planned:
        ran = real[(entry["resourceGroup"], entry["name"])]
        assert (entry["expectedStart"], entry["phase"], entry["batch"]) == (ran["startTime"], ran["phase"], ran["batch"])
    not_planned = [entry for entry in plan["vms"] if not entry["expectedStart"]]
    assert [entry["name"] for entry in not_planned] == ["batch-northeurope-1"]
    assert "deallocated" in not_planned[0]["note"]


def test_a_vm_may_fall_in_a_different_batch_each_month(tmp_path):
    """Batches are drawn anew for each release: the same fleet is batched differently in Oct and Nov."""
    path = tmp_path / "state.json"
    demo_without_faults(path, "2020-12-05T00:00:00Z")
    with Session(path).writer() as state:
        rows = installs(history(state))
    first = {}
    for row in rows:
        if row["startedBy"] == "Platform":
            first.setdefault((row["release"], row["name"]), row)
    october = {name: row for (release, name), row in first.items() if release == "2020-10"}
    november = {name: row for (release, name), row in first.items() if release == "2020-11"}
    both = sorted(set(october) & set(november))
    assert len(both) >= 60
    moved = [n for n in both if october[n]["batch"] != november[n]["batch"]]
    assert len(moved) >= 5, moved
    # so the day of the month a VM is patched on varies too
    day_after_release = {n: (at(october[n]["startTime"]) - at("2020-10-13T17:00:00Z")).days
                         - (at(november[n]["startTime"]) - at("2020-11-10T18:00:00Z")).days for n in both}
    assert any(delta != 0 for delta in day_after_release.values())


def test_a_vm_deleted_during_its_turn_does_not_stall_the_rollout(tmp_path):
    path = tmp_path / "state.json"
    with Session(path).writer() as state:
        opt_in(state)
        group(state, "rg", "eastus")
        avset(state, "rg", "small", "eastus", update_domains=3)
        for i in range(3):
            vm(state, "rg", f"s{i}", availability_set="small")
        tick_to(state, phase_start(state, "eastus") + timedelta(minutes=1))  # the first batch's turn
        rollout = state.data["engine"]["rollouts"][-1]
        active = [key for key, entry in rollout["vms"].items() if entry[0] == "active"]
        assert len(active) == 1  # one at a time in a set of fewer than 10
        vms.delete(state, *active[0].split("/"))
        tick_to(state, at("2020-11-10T12:00:00Z"))
        shown = orchestration.show(state)["rollouts"][0]
        patched = {r["name"] for r in installs(history(state, release="2020-10"))}
    assert shown["state"] == "completed"
    assert len(patched) == 2 and active[0].split("/")[1] not in patched


def test_why_for_a_vm_that_joins_a_completed_rollout_late(tmp_path):
    path = tmp_path / "state.json"
    with Session(path).writer() as state:
        opt_in(state)
        group(state, "rg", "eastus")
        for name in ("a", "b", "c"):
            vm(state, "rg", name)
        tick_to(state, at("2020-10-06T00:00:00Z"))
        vms.set_power(state, "rg", "a", "deallocate")
        tick_to(state, at("2020-11-07T12:00:00Z"))
        assert orchestration.show(state)["rollouts"][0]["state"] == "completed"
        vms.set_power(state, "rg", "a", "start")
        tick_to(state, at("2020-11-07T13:00:00Z"))
        answer = orchestration.why(state, "rg", "a")
        tick_to(state, at("2020-11-09T00:00:00Z"))
        patched = orchestration.why(state, "rg", "a")
    assert answer["reason"] == "outside-off-peak", answer
    assert "2020-11-07T22:00:00+00:00" in answer["message"]
    assert patched["reason"] == "patched", patched


@pytest.mark.parametrize("seed", [3, 4])
def test_plan_equals_the_run_ticked_day_by_day(tmp_path, seed):
    """A 50-VM fleet planned once, then ticked one day at a time through its release: every VM starts in the
    phase, batch and second the plan said (ticks used to start VMs' work wherever they ended)."""
    from rollout_kit import mixed_fleet

    from autopatch_cli.ops.clock import tick
    from autopatch_cli.ops.state import now

    path = tmp_path / "state.json"
    with Session(path).writer() as state:
        opt_in(state)
        mixed_fleet(state, 50, list(REGIONS), seed=seed)
        # planned the morning after a release, with the rollout under way and windows open as ticks end
        tick(state, now(state) + timedelta(days=41, hours=1))
        plan = orchestration.plan(state)
        planned_at = now(state)
    for _ in range(46):
        with Session(path).writer() as state:
            tick(state, now(state) + timedelta(days=1))
    with Session(path).writer() as state:
        real = {}
        for record in orchestration.history(state, release=plan["release"], operation="installation"):
            # the first installation still to end when the plan was made (one running then included)
            if record["startedBy"] == "Platform" and at(record["endTime"]) > planned_at:
                real.setdefault((record["resourceGroup"], record["name"]), record)
    planned = [entry for entry in plan["vms"] if entry["expectedStart"]]
    assert len(planned) >= 15
    for entry in plan["vms"]:
        ran = real.get((entry["resourceGroup"], entry["name"]))
        if entry["expectedStart"]:
            assert ran is not None, entry
            assert (entry["expectedStart"], entry["phase"], entry["batch"]) == (ran["startTime"], ran["phase"],
                                                                                ran["batch"]), entry
        else:
            assert ran is None, (entry, ran)


def test_why_and_windows_look_a_vm_up_as_vm_show_does(cli):
    """A missing group answers ResourceGroupNotFound (exit 3), a missing VM ResourceNotFound, as `vm show` does."""
    for verb in (("orchestration", "why"), ("orchestration", "windows"), ("vm", "show")):
        missing_group = cli(*verb, "-g", "nogroup", "-n", "vm")
        assert missing_group.exit_code == 3 and "ResourceGroupNotFound" in missing_group.stderr, verb
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    for verb in (("orchestration", "why"), ("orchestration", "windows"), ("vm", "show")):
        missing_vm = cli(*verb, "-g", "rg", "-n", "novm")
        assert missing_vm.exit_code == 3 and "(ResourceNotFound)" in missing_vm.stderr, verb
