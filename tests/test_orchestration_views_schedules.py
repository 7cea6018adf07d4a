"""Issue 14 item 5: VMs patched by an Update Manager schedule in `orchestration plan/show/timeline/why` and
`history`, as what they are: the schedule's name, its window and next windows, outside the platform's
rollout; and after the schedule is removed, the doc's matrix (README, "Update Manager schedules").

Today's Azure (the clock in June 2024): web (the platform patches it), db1 (AutomaticByPlatform, bypass flag,
schedule "nightly": the schedule patches it), db2 (bypass flag, no schedule: nobody), db3 (schedule without
the bypass flag: the prerequisites are not met, nobody).
"""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
from conftest import PASSWORD
from helpers import run

PLATFORM = "osProfile.windowsConfiguration.patchSettings.automaticByPlatformSettings"
SATURDAYS = ["2024-06-22T22:00:00Z", "2024-06-29T22:00:00Z", "2024-07-06T22:00:00Z"]


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result.json if result.stdout.strip().startswith(("{", "[")) else result.stdout


def _vm(cli, name: str, bypass: bool) -> None:
    ok(cli("vm", "create", "-g", "rg", "-n", name, "--image", "Win2022Datacenter", "--admin-password", PASSWORD,
           "--patch-mode", "AutomaticByPlatform"))
    if bypass:
        ok(cli("vm", "update", "-g", "rg", "-n", name, "--set",
               f"{PLATFORM}.bypassPlatformSafetyChecksOnUserSchedule=true"))


def _assign(cli, vm: str, config_id: str) -> None:
    ok(cli("maintenance", "assignment", "create", "-g", "rg", "--resource-name", vm, "--resource-type",
           "virtualMachines", "--provider-name", "Microsoft.Compute", "--configuration-assignment-name", "nightly",
           "--maintenance-configuration-id", config_id, "-l", "eastus"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("scheduled") / "state.json"

    def cli(*args):
        return run("--state", str(path), *args)

    ok(cli("clock", "set", "2024-06-01T00:00:00Z"))
    ok(cli("group", "create", "-n", "rg", "-l", "eastus"))
    _vm(cli, "web", bypass=False)
    _vm(cli, "db1", bypass=True)
    _vm(cli, "db2", bypass=True)
    _vm(cli, "db3", bypass=False)
    config = ok(cli("maintenance", "configuration", "create", "-g", "rg", "--resource-name", "nightly",
                    "--maintenance-scope", "InGuestPatch", "--maintenance-window-duration", "03:00",
                    "--maintenance-window-recur-every", "Week Saturday", "--maintenance-window-start-date-time",
                    "2024-06-01 22:00", "--maintenance-window-time-zone", "UTC", "--reboot-setting", "IfRequired",
                    "--install-patches-windows-parameters", "classifications-to-include=[Critical,Security]",
                    "--extension-properties", "InGuestPatchMode=User"))
    _assign(cli, "db1", config["id"])
    _assign(cli, "db3", config["id"])
    ok(cli("tick", "--days", "20"))  # June's release on the 11th; three Saturday windows; now 2024-06-21
    return path


@pytest.fixture
def fleet(built, state_path, cli):
    shutil.copyfile(built, state_path)
    return cli


def test_plan_shows_each_vm_by_who_patches_it(fleet):
    plan = ok(fleet("orchestration", "plan", "-o", "json"))
    by_name = {vm["name"]: vm for vm in plan["vms"]}
    assert by_name["web"]["patchedBy"] == "platform" and by_name["web"]["phase"] == 5  # eastus: wave 2
    db1 = by_name["db1"]
    assert (db1["patchedBy"], db1["schedule"], db1["phase"], db1["batch"]) == ("schedule", "nightly", None, None)
    assert db1["expectedStart"] == SATURDAYS[0]
    assert "nightly" in db1["note"] and "Week Saturday" in db1["note"] and "03:00" in db1["note"]
    assert "not by the platform's rollout" in db1["note"]
    assert by_name["db2"]["patchedBy"] == "nobody" and "no schedule is assigned" in by_name["db2"]["note"]
    assert by_name["db3"]["patchedBy"] == "nobody" and "prerequisites" in by_name["db3"]["note"]
    assert [s["name"] for s in plan["scheduledPatching"]] == ["nightly"]
    table = ok(fleet("orchestration", "plan", "-o", "table"))
    line = next(line for line in table.splitlines() if " db1 " in line)
    assert line.startswith("schedule nightly") and "2024-06-22T22:00:00+00:00" in line


def test_show_lists_the_schedule_its_windows_and_its_vms(fleet):
    shown = ok(fleet("orchestration", "show", "-o", "json"))
    (item,) = shown["scheduledPatching"]
    assert (item["name"], item["resourceGroup"], item["startDateTime"], item["duration"], item["recurEvery"],
            item["timeZone"]) == ("nightly", "rg", "2024-06-01 22:00", "03:00", "Week Saturday", "UTC")
    assert [w["start"] for w in item["nextWindows"]] == SATURDAYS
    assert item["nextWindows"][0]["end"] == "2024-06-23T01:00:00Z"
    assert {vm["name"]: vm["patchedBy"] for vm in item["vms"]} == {"db1": "schedule", "db3": "nobody"}
    assert "does not patch these VMs" in item["platformRollout"]
    # the rollout's own progress counts only the VMs the platform patches
    rollout = shown["rollouts"][0]
    assert sum(p["vms"] for p in rollout["phases"]) <= 1
    table = ok(fleet("orchestration", "show", "-o", "table"))
    line = next(line for line in table.splitlines() if "schedule nightly" in line)
    assert "scheduled" in line and "1/2 by it" in line and SATURDAYS[0] in line and "not in the rollout" in line


def test_why_names_the_schedule_and_its_next_windows(fleet):
    why = ok(fleet("orchestration", "why", "-g", "rg", "-n", "db1", "-o", "json"))
    assert why["reason"] == "scheduled"
    for words in ("nightly", "Week Saturday", "03:00", "(UTC)", SATURDAYS[0], "not by the platform's rollout"):
        assert words in why["message"], words
    assert [w["start"] for w in why["schedule"]["nextWindows"]] == SATURDAYS
    assert ok(fleet("orchestration", "why", "-g", "rg", "-n", "db2", "-o", "json"))["reason"] == "bypass-without-schedule"
    assert ok(fleet("orchestration", "why", "-g", "rg", "-n", "db3", "-o", "json"))["reason"] == "schedule-prerequisites"


def test_history_says_which_schedule_ran_an_installation(fleet):
    rows = ok(fleet("orchestration", "history", "-g", "rg", "-n", "db1", "--operation", "installation", "-o", "json"))
    assert rows and all(r["maintenanceConfiguration"] == "nightly" and r["release"] is None for r in rows)
    assert all(datetime.fromisoformat(r["startTime"].replace("Z", "+00:00")).weekday() == 5 for r in rows)
    others = ok(fleet("orchestration", "history", "--operation", "assessment", "-o", "json"))
    assert others and all(r["maintenanceConfiguration"] is None for r in others)
    table = ok(fleet("orchestration", "history", "-g", "rg", "-n", "db1", "--operation", "installation",
                     "-o", "table"))
    assert "schedule nightly" in table


def test_the_timeline_draws_the_schedule_apart_from_the_rollout(fleet, tmp_path):
    text = ok(fleet("orchestration", "timeline"))
    lines = text.splitlines()
    assert lines[0].startswith("Rollout of release 2024-06")
    heading = next(i for i, line in enumerate(lines) if "Update Manager schedules" in line)
    row = lines[heading + 1]
    assert "sched nightly" in row and "█" in row and "◇" in row  # its installation, then its windows to come
    assert row.rstrip().endswith("2      0")  # its two VMs, none failed
    eastus = next(line for line in lines if " eastus " in line)
    assert eastus.split()[0] == "5"  # the region's phase, before the phase has started
    notes = " ".join(lines[heading + 2:])
    assert "Update Manager schedule" in notes and "Week Saturday" in notes and "2024-06-22 22:00Z" in notes
    assert "not by the platform's rollout" in notes and "1 of them without the prerequisites" in notes
    assert "a schedule's window" in notes  # the legend
    summary = ok(fleet("orchestration", "timeline", "-o", "json"))
    assert [s["schedule"] for s in summary["summary"]["schedules"]] == ["nightly"]
    assert summary["summary"]["schedules"][0]["installations"] == {"Succeeded": 1}
    assert summary["scheduledPatching"][0]["windowsShown"][:2] == ["2024-06-15T22:00:00Z", SATURDAYS[0]]
    svg = tmp_path / "t.svg"
    ok(fleet("orchestration", "timeline", "--export", str(svg)))
    assert "sched nightly" in svg.read_text().replace("&#160;", " ")


def test_a_removed_schedule_follows_the_matrix(fleet):
    """db1 loses its schedule: with the bypass flag nobody patches it; web loses nothing and stays the
    platform's; deleting the configuration takes db3's assignment too."""
    ok(fleet("maintenance", "assignment", "delete", "-g", "rg", "--resource-name", "db1", "--resource-type",
             "virtualMachines", "--provider-name", "Microsoft.Compute", "-n", "nightly", "--yes"))
    assert ok(fleet("orchestration", "why", "-g", "rg", "-n", "db1", "-o", "json"))["reason"] == "bypass-without-schedule"
    plan = {vm["name"]: vm for vm in ok(fleet("orchestration", "plan", "-o", "json"))["vms"]}
    assert plan["db1"]["patchedBy"] == "nobody" and plan["db1"]["schedule"] is None
    shown = ok(fleet("orchestration", "show", "-o", "json"))["scheduledPatching"]
    assert [vm["name"] for vm in shown[0]["vms"]] == ["db3"]
    # what the schedule did before stays its own in the history and the picture
    rows = ok(fleet("orchestration", "history", "-g", "rg", "-n", "db1", "--operation", "installation", "-o", "json"))
    assert rows and {r["maintenanceConfiguration"] for r in rows} == {"nightly"}
    ok(fleet("maintenance", "configuration", "delete", "-g", "rg", "--resource-name", "nightly", "--yes"))
    assert ok(fleet("orchestration", "show", "-o", "json"))["scheduledPatching"] == []
    why = ok(fleet("orchestration", "why", "-g", "rg", "-n", "db3", "-o", "json"))
    assert why["reason"] not in ("scheduled", "schedule-prerequisites", "bypass-without-schedule"), why
    plan = {vm["name"]: vm for vm in ok(fleet("orchestration", "plan", "-o", "json"))["vms"]}
    assert plan["db3"]["patchedBy"] == "platform"  # no bypass flag and no schedule: the platform's again
    picture = ok(fleet("orchestration", "timeline"))
    assert "sched nightly" in picture  # its past installation, by name from the run log
