"""The patch catalog as users see it: `catalog list`, and out-of-band releases from `catalog publish`
(an urgent fix rolled out like a monthly release, a bad patch that fails, one that breaks health)."""

from __future__ import annotations

import pytest
from helpers import PASSWORD

from autopatch_cli.engine.catalog import CLASSIFICATIONS, REBOOT_BEHAVIOURS


@pytest.fixture
def fleet(opted_in):
    cli = opted_in
    for name in ("a", "b"):
        made = cli("vm", "create", "-g", "rg", "-n", name, "--image", "Win2019Datacenter", "--admin-password",
                   PASSWORD, "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform")
        assert made.exit_code == 0, made.stderr
    assert cli("tick", "--until", "2020-10-26T00:00:00Z").exit_code == 0
    assert cli("orchestration", "show").json["rollouts"][0]["state"] in ("baking", "active")  # eastus: patched
    return cli


def test_list_shows_a_month_per_os_with_azures_values(cli):
    assert cli("clock", "set", "2020-11-01T00:00:00Z").exit_code == 0
    listed = cli("catalog", "list", "--month", "2020-10", "--os", "2019").json
    assert 5 <= len(listed) <= 6
    assert {p["release"] for p in listed} == {"2020-10"}
    assert {p["publishedDate"] for p in listed} == {"2020-10-13T17:00:00Z"}  # 10:00 Pacific (PDT)
    assert all(p["classification"] in CLASSIFICATIONS and p["rebootBehavior"] in REBOOT_BEHAVIOURS for p in listed)
    cumulative = next(p for p in listed if "Cumulative Update for Windows Server 2019" in p["name"])
    november = cli("catalog", "list", "--month", "2020-11", "--os", "2019")
    assert november.json == []  # not published yet on 2020-11-01
    assert cli("clock", "set", "2020-11-20T00:00:00Z").exit_code == 0
    later = cli("catalog", "list", "--month", "2020-11", "--os", "2019").json
    assert next(p for p in later if "Cumulative Update for Windows" in p["name"])["supersedes"] == cumulative["kbId"]


def test_an_urgent_fix_is_rolled_out_as_a_release_of_its_own(fleet):
    cli = fleet
    published = cli("catalog", "publish", "--kb", "KB5000001", "--classification", "critical",
                    "--reboot-behavior", "NeverReboots").json
    assert published["release"] == "2020-10-OOB1" and published["kbId"] == "5000001"
    # its own rollout on the global calendar: eastus (phase 5) opens eleven days after it is published
    assert cli("tick", "--days", "14").exit_code == 0
    rollouts = cli("orchestration", "show").json["rollouts"]
    assert rollouts[0]["release"] == "2020-10-OOB1" and rollouts[0]["state"] in ("baking", "active")
    # the monthly rollout goes on beside it: a newer release never cancels an older one's pending VMs
    assert rollouts[1]["release"] == "2020-10" and rollouts[1]["state"] in ("completed", "active", "baking")
    installed = cli("orchestration", "history", "--release", "2020-10-OOB1", "--operation", "installation").json
    assert {r["name"] for r in installed} == {"a", "b"}
    assert all(r["kbIds"] == ["5000001"] and r["result"] == "Succeeded" and not r["rebooted"] for r in installed)


@pytest.mark.parametrize("fault, status", [("fails", "failed"), ("unhealthy", "unhealthy")])
def test_a_bad_patch_halts_its_rollout(fleet, fault, status):
    cli = fleet
    assert cli("catalog", "publish", "--kb", "5000002", "--fault", fault).exit_code == 0
    assert cli("tick", "--days", "14").exit_code == 0
    rollout = cli("orchestration", "show").json["rollouts"][0]
    assert rollout["release"] == "2020-10-OOB1" and rollout["state"] == "halted"
    assert rollout["halt"]["status"] == status
    summary = cli("vm", "get-instance-view", "-g", "rg", "-n", rollout["halt"]["vm"].split("/")[1],
                  "--query", "instanceView.patchStatus.lastPatchInstallationSummary").json
    assert summary["status"] == "Failed" and summary["error"]["code"] in ("PatchInstallationFailed", "VMHealthCheckFailed")
    why = cli("orchestration", "why", "-g", "rg", "-n", "a").json
    assert why["reason"] in ("halted", status)
