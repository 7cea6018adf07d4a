"""`group delete` and the ARM DELETE of a resource group take the group's maintenance configurations with
them, with every assignment to them (a VM of another group loses that schedule), and the assignments of the
group's VMs, wherever their configuration lives, as Azure does. Both front-ends share the operation; each
is checked."""

from __future__ import annotations

import json

import pytest
from test_maintenance import _assign, _ok, _schedule, _vm
from test_real_az_surface import Arm


def _store(cli) -> dict:
    return json.loads(_ok_text(cli("state", "export", "-")))


def _ok_text(result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _delete_by_cli(cli, state_path, group):
    _ok(cli("group", "delete", "-n", group, "--yes"))


def _delete_by_arm(cli, state_path, group):
    status, _, headers = Arm(state_path)("DELETE", f"/subscriptions/{{sub}}/resourcegroups/{group}")
    assert status == 202, status


@pytest.fixture
def two_groups(cli):
    """Group rg holds the configuration `sched` and the VM `a`; group other holds the configuration `own` and
    the VM `b`. a is assigned to both configurations, b too: an assignment crosses the groups each way."""
    assert cli("clock", "set", "2024-06-01T00:00:00Z").exit_code == 0
    for group in ("rg", "other"):
        assert cli("group", "create", "-n", group, "-l", "eastus").exit_code == 0
    sched = _schedule(cli)["id"]
    own = _ok(cli("maintenance", "configuration", "create", "-g", "other", "--resource-name", "own",
                  "--maintenance-scope", "InGuestPatch", "--maintenance-window-duration", "03:00",
                  "--maintenance-window-recur-every", "Week Sunday", "--maintenance-window-start-date-time",
                  "2024-06-02 22:00", "--maintenance-window-time-zone", "UTC", "--reboot-setting", "IfRequired",
                  "--install-patches-windows-parameters", "classifications-to-include=[Critical,Security]",
                  "--extension-properties", "InGuestPatchMode=User", "-l", "eastus"))["id"]
    _vm(cli, "a", by_platform=True, bypass=True)
    _ok(cli("vm", "create", "-g", "other", "-n", "b", "--image", "Win2022Datacenter", "--admin-password",
            "Str0ng!Passw0rd#", "--patch-mode", "AutomaticByPlatform"))
    _ok(cli("vm", "update", "-g", "other", "-n", "b", "--set",
            "osProfile.windowsConfiguration.patchSettings.automaticByPlatformSettings."
            "bypassPlatformSafetyChecksOnUserSchedule=true"))
    _assign(cli, "a", sched)
    _assign(cli, "a", own, name="own")
    _ok(cli("maintenance", "assignment", "create", "-g", "other", "--resource-name", "b", "--resource-type",
            "virtualMachines", "--provider-name", "Microsoft.Compute", "--configuration-assignment-name", "sched",
            "--maintenance-configuration-id", sched, "-l", "eastus"))
    _ok(cli("maintenance", "assignment", "create", "-g", "other", "--resource-name", "b", "--resource-type",
            "virtualMachines", "--provider-name", "Microsoft.Compute", "--configuration-assignment-name", "own",
            "--maintenance-configuration-id", own, "-l", "eastus"))
    return sched, own


@pytest.mark.parametrize("delete", [_delete_by_cli, _delete_by_arm], ids=["cli", "arm"])
def test_a_group_deletion_takes_its_schedules_and_its_vms_assignments(cli, state_path, two_groups, delete):
    sched, own = two_groups
    delete(cli, state_path, "rg")
    # the group's configuration is gone; the other group's stays
    assert [c["name"] for c in _ok(cli("maintenance", "configuration", "list"))] == ["own"]
    # b keeps its assignment to `own` and loses the one to the deleted `sched`
    left = _ok(cli("maintenance", "assignment", "list", "-g", "other", "--resource-name", "b", "--resource-type",
                   "virtualMachines", "--provider-name", "Microsoft.Compute"))
    assert [a["name"] for a in left] == ["own"]
    store = _store(cli)
    assert list(store.get("configurationAssignments", {})) == ["other/b"]  # a's two assignments went with a
    assert store["vms"]["other/b"]["sim"]["schedules"] == [own]
    assert not [key for key in store.get("maintenanceConfigurations", {}) if key.startswith("rg/")]
    # a group made again under the name starts empty: the old schedule and assignments do not come back
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    _vm(cli, "a", by_platform=True, bypass=True)
    assert _ok(cli("maintenance", "assignment", "list", "-g", "rg", "--resource-name", "a", "--resource-type",
                   "virtualMachines", "--provider-name", "Microsoft.Compute")) == []
    missing = cli("maintenance", "configuration", "show", "-g", "rg", "--resource-name", "sched")
    assert missing.exit_code == 3
    # time still runs: b is patched in `own`'s window only, and nothing refers to the deleted schedule
    assert cli("tick", "--days", "8").exit_code == 0
    assert _store(cli)["vms"]["other/b"]["sim"]["schedules"] == [own]


@pytest.mark.parametrize("delete", [_delete_by_cli, _delete_by_arm], ids=["cli", "arm"])
def test_deleting_the_other_group_unassigns_its_schedule_from_vms_elsewhere(cli, state_path, two_groups, delete):
    sched, own = two_groups
    delete(cli, state_path, "other")
    left = _ok(cli("maintenance", "assignment", "list", "-g", "rg", "--resource-name", "a", "--resource-type",
                   "virtualMachines", "--provider-name", "Microsoft.Compute"))
    assert [a["name"] for a in left] == ["sched"]
    store = _store(cli)
    assert store["vms"]["rg/a"]["sim"]["schedules"] == [sched]
    assert list(store.get("configurationAssignments", {})) == ["rg/a"]
    assert [c["name"] for c in _ok(cli("maintenance", "configuration", "list"))] == ["sched"]
