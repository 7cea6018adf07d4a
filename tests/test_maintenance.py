"""Update Manager schedules: maintenance configurations (InGuestPatch), their assignments, the windows they
patch in, and the doc's matrix of patch mode x bypass flag x schedule assigned."""

from __future__ import annotations

import json

import pytest
from conftest import PASSWORD

PLATFORM = "osProfile.windowsConfiguration.patchSettings.automaticByPlatformSettings"
SUB = "/subscriptions/{subscriptionId}"
CONFIGS = SUB + "/resourceGroups/rg/providers/Microsoft.Maintenance/maintenanceConfigurations"
API = "api-version=2023-04-01"


@pytest.fixture
def today(cli):
    assert cli("clock", "set", "2024-06-01T00:00:00Z").exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    return cli


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result.json if result.stdout.strip() else None


def _schedule(cli, name="sched", *extra: str, recur="Week Saturday", start="2024-06-01 22:00", zone="UTC",
              classes="[Critical,Security]"):
    return _ok(cli("maintenance", "configuration", "create", "-g", "rg", "--resource-name", name,
                   "--maintenance-scope", "InGuestPatch", "--maintenance-window-duration", "03:00",
                   "--maintenance-window-recur-every", recur, "--maintenance-window-start-date-time", start,
                   "--maintenance-window-time-zone", zone, "--reboot-setting", "IfRequired",
                   "--install-patches-windows-parameters", f"classifications-to-include={classes}",
                   "--extension-properties", "InGuestPatchMode=User", *extra))


def _assign(cli, vm: str, config_id: str, name="sched"):
    return _ok(cli("maintenance", "assignment", "create", "-g", "rg", "--resource-name", vm, "--resource-type",
                   "virtualMachines", "--provider-name", "Microsoft.Compute", "--configuration-assignment-name", name,
                   "--maintenance-configuration-id", config_id, "-l", "eastus"))


def _vm(cli, name: str, by_platform: bool, bypass: bool):
    mode = ("--patch-mode", "AutomaticByPlatform") if by_platform else ("--patch-mode", "Manual",
                                                                         "--enable-auto-update", "false")
    _ok(cli("vm", "create", "-g", "rg", "-n", name, "--image", "Win2022Datacenter", "--admin-password", PASSWORD,
            *mode))
    _ok(cli("vm", "update", "-g", "rg", "-n", name, "--set",
            f"{PLATFORM}.bypassPlatformSafetyChecksOnUserSchedule={'true' if bypass else 'false'}"))


def _installations(cli, name: str) -> list[dict]:
    return [r for r in _ok(cli("orchestration", "history", "--operation", "installation")) if r["name"] == name]


def _why(cli, name: str) -> str:
    return _ok(cli("orchestration", "why", "-g", "rg", "-n", name))["reason"]


# The doc's matrix (Update Manager, "prerequisites for schedule patching"): who patches the VM.
MATRIX = [
    # by_platform, bypass, scheduled, patched_by, why
    (True, True, True, "schedule", "scheduled"),
    (True, True, False, "nobody", "bypass-without-schedule"),
    (True, False, True, "nobody", "schedule-prerequisites"),
    (True, False, False, "platform", None),
    (False, True, True, "nobody", "schedule-prerequisites"),
    (False, True, False, "nobody", "bypass-without-schedule"),
    (False, False, True, "nobody", "schedule-prerequisites"),
    (False, False, False, "nobody", "manual"),
]


@pytest.mark.parametrize("by_platform, bypass, scheduled, patched_by, why", MATRIX)
def test_the_schedule_matrix(today, by_platform, bypass, scheduled, patched_by, why):
    _vm(today, "v", by_platform, bypass)
    config = _schedule(today)
    if scheduled:
        _assign(today, "v", config["id"])
    if why is not None:
        assert _why(today, "v") == why
    _ok(today("tick", "--days", "30"))  # June's release (the 11th), three Saturday windows after it
    runs = _installations(today, "v")
    if patched_by == "nobody":
        assert runs == []
    elif patched_by == "schedule":
        assert runs and all(r["startTime"].endswith("T22:00:00Z") for r in runs)
        from datetime import datetime

        assert {datetime.fromisoformat(r["startTime"].replace("Z", "+00:00")).weekday() for r in runs} == {5}
    else:  # the platform, in the VM's off-peak window, not the schedule's
        assert runs and all(r["release"] == "2024-06" for r in runs)


@pytest.mark.parametrize("bypass, patched_after_removal", [(True, False), (False, True)])
def test_a_vm_whose_schedule_is_removed(today, bypass, patched_after_removal):
    """With the bypass flag the VM is then left alone; without it the platform patches it again."""
    _vm(today, "v", True, bypass)
    config = _schedule(today)
    _assign(today, "v", config["id"])
    _ok(today("maintenance", "assignment", "delete", "-g", "rg", "--resource-name", "v", "--resource-type",
              "virtualMachines", "--provider-name", "Microsoft.Compute", "-n", "sched", "--yes"))
    assert _ok(today("maintenance", "assignment", "list", "-g", "rg", "--resource-name", "v", "--resource-type",
                     "virtualMachines", "--provider-name", "Microsoft.Compute")) == []
    _ok(today("tick", "--days", "30"))
    assert bool(_installations(today, "v")) is patched_after_removal


def test_deleting_the_configuration_removes_its_assignments(today):
    _vm(today, "v", True, True)
    config = _schedule(today)
    _assign(today, "v", config["id"])
    _ok(today("maintenance", "configuration", "delete", "-g", "rg", "--resource-name", "sched", "--yes"))
    assert _ok(today("maintenance", "configuration", "list")) == []
    assert _why(today, "v") == "bypass-without-schedule"
    _ok(today("tick", "--days", "30"))
    assert _installations(today, "v") == []


def test_a_schedule_uses_its_own_filters_and_the_vms_reboot_setting_wins(today):
    _vm(today, "v", True, True)
    config = _schedule(today, "crit", classes="Critical")
    assert config["installPatches"]["windowsParameters"]["classificationsToInclude"] == ["Critical"]
    _assign(today, "v", config["id"], "crit")
    _ok(today("vm", "update", "-g", "rg", "-n", "v", "--set", f"{PLATFORM}.rebootSetting=Never"))
    _ok(today("tick", "--days", "15"))  # June 11's release, then the window of Saturday the 15th
    runs = _installations(today, "v")  # every Saturday window runs; the 1st and 8th had nothing to install
    assert [r["startTime"] for r in runs] == ["2024-06-01T22:00:00Z", "2024-06-08T22:00:00Z", "2024-06-15T22:00:00Z"]
    june = runs[-1]
    assert june["rebooted"] is False  # the VM's rebootSetting Never beats the schedule's IfRequired
    catalog = {p["kbId"]: p for p in _ok(today("catalog", "list", "--month", "2024-06", "--os", "2022"))}
    assert june["kbIds"] and all(catalog[kb]["classification"] == "Critical" for kb in june["kbIds"])


def test_a_window_in_its_time_zone_and_its_expiration(today):
    _vm(today, "v", True, True)
    config = _schedule(today, "pst", "--maintenance-window-expiration-date-time", "2024-06-20 00:00",
                       recur="Day", start="2024-06-12 20:00", zone="Pacific Standard Time")
    _assign(today, "v", config["id"], "pst")
    _ok(today("tick", "--days", "30"))
    runs = _installations(today, "v")
    # 20:00 Pacific daylight time is 03:00 UTC the next day; nothing after the expiration
    assert runs and runs[0]["startTime"] == "2024-06-13T03:00:00Z"
    assert all(r["startTime"] < "2024-06-20T07:00:00Z" for r in runs)


@pytest.mark.parametrize("option, value, text", [
    ("--maintenance-window-duration", "01:00", "between 01:30 and 03:55"),
    ("--maintenance-window-duration", "04:00", "between 01:30 and 03:55"),
    ("--maintenance-window-recur-every", "2Hours", "every 6 hours"),
    ("--maintenance-window-recur-every", "Fortnight", "recurEvery"),
    ("--maintenance-window-time-zone", "Mars Standard Time", "time zone"),
    ("--maintenance-window-start-date-time", "June 1st", "YYYY-MM-DD hh:mm"),
    ("--reboot-setting", "Sometimes", "rebootSetting"),
])
def test_inguestpatch_limits_are_refused_and_nothing_is_stored(today, option, value, text):
    args = {"--maintenance-window-duration": "03:00", "--maintenance-window-recur-every": "Day",
            "--maintenance-window-start-date-time": "2024-06-02 22:00", "--maintenance-window-time-zone": "UTC",
            "--reboot-setting": "IfRequired"}
    args[option] = value
    flat = [x for pair in args.items() for x in pair]
    refused = today("maintenance", "configuration", "create", "-g", "rg", "--resource-name", "bad",
                    "--maintenance-scope", "InGuestPatch", *flat)
    assert refused.exit_code != 0 and refused.stderr.startswith("ERROR: ") and text in refused.stderr
    assert _ok(today("maintenance", "configuration", "list")) == []


def test_update_show_and_the_rest_api_with_the_spec_shapes(today):
    from spec_check import check

    spec = "maintenance"
    config = _schedule(today)
    updated = _ok(today("maintenance", "configuration", "update", "-g", "rg", "--resource-name", "sched",
                        "--maintenance-window-duration", "02:30"))
    assert updated["maintenanceWindow"]["duration"] == "02:30" and updated["maintenanceScope"] == "InGuestPatch"
    assert check(spec, "MaintenanceConfiguration", updated, az_view=True, api_version="2023-04-01") == []
    wire = _ok(today("rest", "-m", "get", "-u", f"{CONFIGS}/sched?{API}"))
    assert wire["properties"]["maintenanceWindow"]["duration"] == "02:30"
    assert check(spec, "MaintenanceConfiguration", wire, api_version="2023-04-01") == []
    listed = _ok(today("rest", "-m", "get", "-u", f"{SUB}/providers/Microsoft.Maintenance/maintenanceConfigurations?{API}"))
    assert check(spec, "ListMaintenanceConfigurationsResult", listed, api_version="2023-04-01") == []
    _vm(today, "v", True, True)
    vm_url = f"{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/v"
    put = _ok(today("rest", "-m", "put", "-u", f"{vm_url}/providers/Microsoft.Maintenance/configurationAssignments/a1?{API}",
                    "--body", json.dumps({"location": "eastus", "properties": {"maintenanceConfigurationId": config["id"]}})))
    assert put["properties"]["resourceId"].endswith("/virtualMachines/v")
    assert check(spec, "ConfigurationAssignment", put, api_version="2023-04-01") == []
    listed = _ok(today("rest", "-m", "get", "-u", f"{vm_url}/providers/Microsoft.Maintenance/configurationAssignments?{API}"))
    assert [a["name"] for a in listed["value"]] == ["a1"]
    assert check(spec, "ListConfigurationAssignmentsResult", listed, api_version="2023-04-01") == []
    missing = today("rest", "-m", "put", "-u", f"{vm_url}/providers/Microsoft.Maintenance/configurationAssignments/a2?{API}",
                    "--body", json.dumps({"properties": {"maintenanceConfigurationId": config["id"] + "x"}}))
    assert missing.exit_code != 0
    old = today("rest", "-m", "get", "-u", f"{CONFIGS}/sched?api-version=2018-06-01-preview")
    assert old.exit_code != 0 and "api-version" in old.stderr
    deleted = today("rest", "-m", "delete", "-u", f"{CONFIGS}/sched?{API}")
    assert deleted.exit_code == 0
    assert _ok(today("rest", "-m", "get", "-u", f"{vm_url}/providers/Microsoft.Maintenance/configurationAssignments?{API}")) == {"value": []}


def test_the_spec_examples_are_accepted(today):
    """The 2023-04-01 example of a Windows InGuestPatch configuration, PUT as it is."""
    from pathlib import Path

    example = json.loads((Path(__file__).parent / "spec" / "maintenance-2023-04-01" / "examples" /
                          "MaintenanceConfigurations_CreateOrUpdateForResource.json").read_text())
    body = example["parameters"]["configuration"]
    done = today("rest", "-m", "put", "-u", f"{CONFIGS}/example?{API}", "--body", json.dumps(body))
    assert done.exit_code == 0, done.stderr


def test_the_powershell_cmdlets_of_the_doc(today):
    """Update Manager's doc: New-AzMaintenanceConfiguration, then New-AzConfigurationAssignment."""
    _vm(today, "v", True, True)
    made = today("New-AzMaintenanceConfiguration", "-ResourceGroupName", "rg", "-Name", "ps", "-MaintenanceScope",
                 "InGuestPatch", "-Location", "eastus", "-StartDateTime", "2024-06-01 22:00", "-TimeZone", "UTC",
                 "-Duration", "03:00", "-RecurEvery", "Week Saturday", "-WindowParameterClassificationToInclude",
                 "Critical,Security", "-WindowParameterKbNumberToExclude", "KB123456", "-InstallPatchRebootSetting",
                 "IfRequired", "-ExtensionProperty", '@{"InGuestPatchMode"="User"}')
    assert made.exit_code == 0, made.stderr
    assert "RecurEvery" in made.stdout and "Week Saturday" in made.stdout
    config = _ok(today("maintenance", "configuration", "show", "-g", "rg", "-n", "ps"))
    assert config["installPatches"]["windowsParameters"] == {"classificationsToInclude": ["Critical", "Security"],
                                                             "kbNumbersToExclude": ["KB123456"]}
    assert config["extensionProperties"] == {"InGuestPatchMode": "User"}
    assigned = today("New-AzConfigurationAssignment", "-ResourceGroupName", "rg", "-Location", "eastus",
                     "-ResourceName", "v", "-ResourceType", "VirtualMachines", "-ProviderName", "Microsoft.Compute",
                     "-ConfigurationAssignmentName", "ps", "-MaintenanceConfigurationId", config["id"])
    assert assigned.exit_code == 0, assigned.stderr
    assert _why(today, "v") == "scheduled"
    bad = today("New-AzConfigurationAssignment", "-ResourceGroupName", "rg", "-ResourceName", "v", "-ResourceType",
                "VirtualMachines", "-ProviderName", "Microsoft.Compute", "-ConfigurationAssignmentName", "x",
                "-MaintenanceConfigurationId", config["id"] + "-missing")
    assert bad.exit_code != 0 and bad.stderr.startswith("ERROR")


def test_a_deleted_vm_takes_its_assignments_with_it(today):
    _vm(today, "v", True, True)
    config = _schedule(today)
    _assign(today, "v", config["id"])
    _ok(today("vm", "delete", "-g", "rg", "-n", "v", "--yes"))
    _vm(today, "v", True, False)  # the same name again: no schedule, the platform patches it
    assert _ok(today("maintenance", "assignment", "list", "-g", "rg", "--resource-name", "v", "--resource-type",
                     "virtualMachines", "--provider-name", "Microsoft.Compute")) == []
    _ok(today("tick", "--days", "30"))
    assert _installations(today, "v") and all(r["release"] == "2024-06" for r in _installations(today, "v"))
