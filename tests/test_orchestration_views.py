"""Issue 16: the orchestration views read only what they show; `orchestration history`'s filters.

One small fleet over three regions (zones, an availability set, several time zones) is built and ticked
45 days once; each test works on its own copy. Every filter is checked against the unfiltered history
filtered here, and every bad value is refused az-style with the store left as it was.
"""

from __future__ import annotations

import gc
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from rollout_kit import avset, group, opt_in, vm
from test_bad_input import assert_refused

from autopatch_cli.cli import render_timeline
from autopatch_cli.ops import orchestration
from autopatch_cli.ops.clock import tick
from autopatch_cli.ops.session import Session
from autopatch_cli.ops.state import State, now


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("views") / "state.json"
    with Session(path).writer() as state:
        opt_in(state)
        group(state, "rg", "eastus")
        group(state, "eu", "westeurope")
        group(state, "wc", "westcentralus")
        for i in range(3):
            vm(state, "rg", f"z{i}", tz="Pacific Standard Time", zone=str(i + 1))
        vm(state, "rg", "plain", tz="Eastern Standard Time")
        avset(state, "eu", "set", "westeurope")
        for i in range(3):
            vm(state, "eu", f"s{i}", tz="W. Europe Standard Time", availability_set="set")
        vm(state, "wc", "pilot")
        tick(state, now(state) + timedelta(days=45))
    return path


@pytest.fixture
def store(built, state_path, cli):
    shutil.copyfile(built, state_path)
    return state_path


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result.json


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_every_filter_keeps_exactly_the_records_it_names(store, cli):
    everything = ok(cli("orchestration", "history", "-o", "json"))
    assert {r["region"] for r in everything} == {"eastus", "westeurope", "westcentralus"}
    assert {r["release"] for r in everything} >= {"2020-10"}
    middle = at(everything[len(everything) // 2]["startTime"])
    since, until = middle - timedelta(days=3), middle + timedelta(days=2)
    cases = [
        (("--release", "2020-10"), lambda r: r["release"] == "2020-10"),
        (("--region", "westeurope"), lambda r: r["region"] == "westeurope"),
        (("--region", "West Europe"), lambda r: r["region"] == "westeurope"),  # az's display names are one
        (("-g", "rg"), lambda r: r["resourceGroup"] == "rg"),
        (("-g", "RG", "-n", "Z1"), lambda r: r["name"] == "z1"),  # names are case-insensitive, as in Azure
        (("-g", "rg", "--vm", "z1"), lambda r: r["name"] == "z1"),
        (("--since", since.strftime("%Y-%m-%dT%H:%M:%SZ")), lambda r: at(r["startTime"]) >= since),
        (("--until", until.strftime("%Y-%m-%dT%H:%M:%S+00:00")), lambda r: at(r["startTime"]) <= until),
        (("--since", since.isoformat(), "--until", until.isoformat(), "--operation", "assessment",
          "--region", "eastus"),
         lambda r: since <= at(r["startTime"]) <= until and r["operation"] == "assessment" and r["region"] == "eastus"),
        (("--since", "2020-10-20"), lambda r: at(r["startTime"]) >= datetime(2020, 10, 20, tzinfo=UTC)),  # a date
        (("--release", "2020-10", "--region", "westcentralus", "--operation", "installation"),
         lambda r: r["release"] == "2020-10" and r["region"] == "westcentralus" and r["operation"] == "installation"),
    ]
    for args, keep in cases:
        expected = [r for r in everything if keep(r)]
        assert expected, args  # each case keeps something...
        assert len(expected) < len(everything), args  # ...and drops something
        assert ok(cli("orchestration", "history", *args, "-o", "json")) == expected, args


def test_a_vm_by_its_resource_id_and_filters_that_match_nothing(store, cli):
    shown = ok(cli("vm", "show", "-g", "eu", "-n", "s1"))
    by_id = ok(cli("orchestration", "history", "--vm", shown["id"], "-o", "json"))
    assert by_id and {r["name"] for r in by_id} == {"s1"}
    assert by_id == ok(cli("orchestration", "history", "-g", "eu", "-n", "s1", "-o", "json"))
    # well-formed values that name nothing: an empty list, as az's list filters give
    assert ok(cli("orchestration", "history", "--region", "japaneast", "-o", "json")) == []
    assert ok(cli("orchestration", "history", "--release", "2031-01", "-o", "json")) == []
    assert ok(cli("orchestration", "history", "-g", "rg", "-n", "gone", "-o", "json")) == []
    assert ok(cli("orchestration", "history", "--since", "2030-01-01T00:00:00Z", "-o", "json")) == []
    table = cli("orchestration", "history", "--region", "westcentralus", "--operation", "installation", "-o", "table")
    assert table.exit_code == 0 and "pilot" in table.stdout and "z1" not in table.stdout


@pytest.mark.parametrize("args, code, needle", [
    # a value az's parser would refuse (argparse): exit code 2, "argument --x: ..."
    (("--region", "mars"), 2, "argument --region: 'mars' is not an Azure region"),
    (("--since", "yesterday"), 2, "argument --since"),
    (("--until", "2020-13-01T00:00:00Z"), 2, "argument --until"),
    (("--release", "20-10"), 2, "argument --release"),
    (("--release", "2020-13"), 2, "argument --release"),
    (("--vm", "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n"), 2, "argument --vm"),
    (("-n", "z1"), 2, "--resource-group"),
    # values that parse but cannot go together, or az's own choices check: exit code 1
    (("--since", "2020-11-01T00:00:00Z", "--until", "2020-10-01T00:00:00Z"), 1, "after --until"),
    (("--operation", "reboot"), 1, "--operation"),
])
def test_bad_filter_values_are_refused_and_the_store_is_unchanged(store, cli, args, code, needle):
    assert_refused(cli, store, ("orchestration", "history", *args), code, needle)


def test_the_views_read_the_sections_they_need_and_agree_with_the_whole_store(store):
    """show, history, timeline and why on the reader that decodes only what it is asked for give what they
    give on the whole parsed store; the timeline's operations are the history's records of its days."""
    reader = Session(store).reader()
    whole = State(Session(store).reader().full())
    assert orchestration.show(reader) == orchestration.show(whole)
    assert orchestration.history(reader, region="eastus") == orchestration.history(whole, region="eastus")
    assert orchestration.why(reader, "eu", "s2") == orchestration.why(whole, "eu", "s2")
    view = orchestration.timeline(reader)
    assert view == orchestration.timeline(whole)
    rollout = view["rollout"]
    start = at(rollout["published"])
    end = start + timedelta(days=35)
    records = [r for r in orchestration.history(whole) if r["release"] == rollout["release"]
               or (r["operation"] != "installation" and start <= at(r["startTime"]) < end)]
    assert len(view["records"]) == len(records)
    assert render_timeline.timeline_summary(view["records"]) == render_timeline.timeline_summary(records)
    assert view["phases"]["westcentralus"] == 3 and view["phases"]["eastus"] > 3


def test_the_timeline_of_an_older_release_and_its_picture(store, cli):
    shown = ok(cli("orchestration", "show"))
    releases = [r["release"] for r in shown["rollouts"]]
    assert "2020-10" in releases
    older = ok(cli("orchestration", "timeline", "--release", "2020-10", "-o", "json"))
    assert older["release"] == "2020-10" and older["summary"]["installations"]
    picture = cli("orchestration", "timeline", "--release", "2020-10")
    assert picture.exit_code == 0
    assert "Rollout of release 2020-10" in picture.stdout and "westcentralus" in picture.stdout
    assert "phase 3: pilot" in picture.stdout


def test_the_readme_filter_examples_run(store, tmp_path):
    """README's `orchestration history` filter block, as a user pastes it (the group and VM are the README's
    placeholders: a filter that matches nothing prints [])."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from test_readme import _code

    (script,) = _code("Availability-first orchestration", "sh")
    env = {**os.environ, "AUTOPATCH_STATE": str(store),
           "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "westeurope" in done.stdout and "s1" in done.stdout


VIEWS = [
    ("orchestration", "show"), ("orchestration", "history"), ("orchestration", "history", "-g", "rg", "-n", "plain"),
    ("orchestration", "why", "-g", "rg", "-n", "plain"), ("orchestration", "why", "-g", "rg", "-n", "nosuchvm"),
    ("orchestration", "windows"), ("orchestration", "windows", "-g", "rg", "-n", "plain"),
    ("orchestration", "timeline"), ("orchestration", "timeline", "-o", "json"), ("orchestration", "plan"),
]


@pytest.mark.parametrize("args", VIEWS, ids=lambda args: " ".join(args[1:]))
def test_a_view_leaves_the_callers_cyclic_collector_as_it_found_it(store, cli, args):
    """The views turn the collector off while they work (their data holds no cycles), and back on when they are
    done: an in-process caller keeps its collector, on or off, whether the view succeeds or fails."""
    assert gc.isenabled()
    cli(*args)
    assert gc.isenabled()
    gc.disable()
    try:
        cli(*args)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_api_leaves_the_cyclic_collector_on(store):
    from autopatch_cli.api import Emulator

    emulator = Emulator(store)
    assert emulator.history("rg", "plain")
    assert gc.isenabled()
    assert emulator.run("orchestration", "show")["rollouts"]
    assert gc.isenabled()
