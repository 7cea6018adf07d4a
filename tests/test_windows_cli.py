"""`orchestration windows`: each VM's off-peak window, in its own time zone, across a DST change."""

from __future__ import annotations

from helpers import PASSWORD


def _vm(cli, name, tz):
    made = cli("vm", "create", "-g", "rg", "-n", name, "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
               "--time-zone", tz)
    assert made.exit_code == 0, made.stderr


def test_windows_follow_the_vm_time_zone_and_dst(cli):
    assert cli("group", "create", "-n", "rg", "-l", "westus").exit_code == 0
    _vm(cli, "pst", "pacific standard time")
    _vm(cli, "utc", "UTC")
    assert cli("clock", "set", "2020-10-20T12:00:00Z").exit_code == 0
    before = {w["name"]: w for w in cli("orchestration", "windows", "-g", "rg").json}
    assert before["pst"]["timeZone"] == "Pacific Standard Time"
    assert (before["pst"]["start"], before["pst"]["end"]) == ("2020-10-21T05:00:00Z", "2020-10-21T08:55:00Z")
    assert before["pst"]["localStart"] == "2020-10-20T22:00:00-07:00"
    assert before["utc"]["start"] == "2020-10-20T22:00:00Z" and not before["utc"]["open"]
    assert cli("clock", "set", "2020-11-05T12:00:00Z").exit_code == 0  # after DST ended (2020-11-01)
    after = cli("orchestration", "windows", "-g", "rg", "-n", "pst").json[0]
    assert (after["start"], after["localStart"]) == ("2020-11-06T06:00:00Z", "2020-11-05T22:00:00-08:00")
    assert cli("clock", "set", "2020-11-05T23:00:00Z").exit_code == 0
    now_open = cli("orchestration", "windows", "-g", "rg", "-n", "utc").json[0]
    assert now_open["open"] and now_open["start"] == "2020-11-05T22:00:00Z"


def test_windows_of_a_missing_vm_is_not_found(cli):
    assert cli("group", "create", "-n", "rg", "-l", "westus").exit_code == 0
    missing = cli("orchestration", "windows", "-g", "rg", "-n", "nope")
    assert missing.exit_code == 3 and "ResourceNotFound" in missing.stderr
