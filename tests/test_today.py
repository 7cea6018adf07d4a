"""The Azure of the simulated date: the 2020 preview before general availability, today's Azure after it
(azure/eras.py). Images and the catalog, the opt-in that goes away, today's patch-mode rules."""

from __future__ import annotations

import pytest
from conftest import PASSWORD

TODAY = "2024-06-01T00:00:00Z"


def _create(cli, name: str, image: str, *extra: str):
    return cli("vm", "create", "-g", "rg", "-n", name, "--image", image, "--admin-password", PASSWORD, *extra)


@pytest.fixture
def today(cli):
    """A new store whose clock was set to today's Azure, with group rg: no feature registered."""
    assert cli("clock", "set", TODAY).exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    return cli


# ---- images and catalog ------------------------------------------------------------------------

TODAYS_IMAGES = [
    "Win2022Datacenter", "Win2022AzureEdition", "Win2022AzureEditionCore", "Win2019Datacenter",
    "Win2016Datacenter", "Win2012R2Datacenter",
    "MicrosoftWindowsServer:WindowsServer:2019-Datacenter-Core:latest",
    "MicrosoftWindowsServer:WindowsServer:2019-datacenter-gensecond:latest",
    "MicrosoftWindowsServer:WindowsServer:2016-Datacenter-smalldisk:latest",
    "MicrosoftWindowsServer:WindowsServer:2012-R2-Datacenter-smalldisk-g2:latest",
    "MicrosoftWindowsServer:WindowsServer:2022-datacenter-core-g2:latest",
    "MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition-hotpatch:latest",
    "MicrosoftWindowsServer:WindowsServer:2008-R2-SP1:latest",
]


@pytest.mark.parametrize("image", TODAYS_IMAGES)
def test_todays_supported_images_take_automatic_by_platform_without_an_opt_in(today, image):
    made = _create(today, "v", image, "--patch-mode", "AutomaticByPlatform")
    assert made.exit_code == 0, made.stderr
    shown = today("vm", "show", "-g", "rg", "-n", "v").json
    assert shown["osProfile"]["windowsConfiguration"]["patchSettings"]["patchMode"] == "AutomaticByPlatform"
    assessed = today("vm", "assess-patches", "-g", "rg", "-n", "v")
    assert assessed.exit_code == 0, assessed.stderr
    assert assessed.json["status"] == "Succeeded"


def test_windows_server_2025_arrives_on_its_own_date(cli):
    assert cli("clock", "set", "2024-10-01T00:00:00Z").exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    early = _create(cli, "v", "Win2025Datacenter")
    assert early.exit_code != 0 and "PlatformImageNotFound" in early.stderr
    assert "vm" not in cli("vm", "list").stdout.lower() or cli("vm", "list").json == []
    assert cli("clock", "set", "2024-11-02T00:00:00Z").exit_code == 0
    made = _create(cli, "v", "Win2025Datacenter", "--patch-mode", "AutomaticByPlatform")
    assert made.exit_code == 0, made.stderr
    view = cli("vm", "get-instance-view", "-g", "rg", "-n", "v").json["instanceView"]
    assert view["osName"].startswith("Windows Server 2025 Datacenter")


def test_the_2020_preview_has_none_of_todays_images(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    refused = _create(cli, "v", "Win2022Datacenter")
    assert refused.exit_code != 0 and "PlatformImageNotFound" in refused.stderr
    assert cli("vm", "list").json == []


@pytest.mark.parametrize("image", ["Win2022Datacenter", "Win2012Datacenter", "Win2012R2Datacenter"])
def test_on_demand_operations_on_any_windows_server_image_never_crash(today, image):
    """Win2022Datacenter and Win2012Datacenter used to crash assess/install with KeyError: None."""
    # Manual: Windows Update alone would have installed June's release on an AutomaticByOS VM
    assert _create(today, "v", image, "--patch-mode", "Manual", "--enable-auto-update", "false").exit_code == 0
    assert today("tick", "--days", "20").exit_code == 0  # June's Patch Tuesday is out
    assessed = today("vm", "assess-patches", "-g", "rg", "-n", "v")
    assert assessed.exit_code == 0, assessed.stderr
    assert assessed.json["availablePatches"], "a month's release is offered"
    installed = today("vm", "install-patches", "-g", "rg", "-n", "v", "--maximum-duration", "PT2H",
                      "--reboot-setting", "IfRequired", "--classifications-to-include-win", "Critical", "Security")
    assert installed.exit_code == 0, installed.stderr
    assert installed.json["status"] == "Succeeded" and installed.json["installedPatchCount"] >= 1


def test_on_demand_operations_on_a_custom_image_are_refused_clearly(today):
    image = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/images/img"
    assert _create(today, "v", image).exit_code == 0
    for verb in (("vm", "assess-patches"), ("vm", "install-patches", "--maximum-duration", "PT2H",
                                             "--reboot-setting", "Never", "--classifications-to-include-win",
                                             "Critical")):
        refused = today(*verb, "-g", "rg", "-n", "v")
        assert refused.exit_code != 0 and "not supported for the image" in refused.stderr
        assert "Traceback" not in refused.stderr and "unexpected" not in refused.stderr.lower()


def test_the_catalog_publishes_each_supported_versions_release(today):
    assert today("tick", "--days", "20").exit_code == 0
    listed = today("catalog", "list", "--month", "2024-06").json
    systems = {p["os"] for p in listed}
    assert {"Windows Server 2022", "Windows Server 2019", "Windows Server 2016", "Windows Server 2012 R2"} <= systems
    assert "Windows Server 2025" not in systems  # not on the marketplace before November 2024
    assert today("catalog", "list", "--month", "2024-06", "--os", "2022").exit_code == 0


def test_the_preview_catalog_keeps_its_three_versions(cli):
    assert cli("clock", "set", "2020-11-20T00:00:00Z").exit_code == 0
    listed = cli("catalog", "list", "--month", "2020-11").json
    assert {p["os"] for p in listed} == {"Windows Server 2012 R2", "Windows Server 2016", "Windows Server 2019"}
    refused = cli("catalog", "list", "--os", "2022")
    assert refused.exit_code != 0 and "--os must be one of" in refused.stderr


def test_a_win2022_vm_is_patched_by_the_platform(today):
    assert _create(today, "v", "Win2022Datacenter", "--patch-mode", "AutomaticByPlatform").exit_code == 0
    assert today("tick", "--days", "40").exit_code == 0
    summary = today("vm", "get-instance-view", "-g", "rg", "-n", "v").json["instanceView"]["patchStatus"]
    assert summary["lastPatchInstallationSummary"]["installedPatchCount"] >= 1


# ---- the opt-in and today's patch-mode rules ---------------------------------------------------


@pytest.mark.parametrize("when, needs_opt_in", [
    ("2021-10-31T00:00:00Z", True),  # preview
    ("2021-12-15T00:00:00Z", True),  # generally available, the feature flags still checked
    ("2022-02-01T00:00:00Z", False),  # the flags no longer needed
])
def test_the_preview_opt_in_is_needed_until_february_2022(cli, when, needs_opt_in):
    assert cli("clock", "set", when).exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    made = _create(cli, "v", "Win2019Datacenter", "--patch-mode", "AutomaticByPlatform", "--enable-auto-update",
                   "--enable-agent")
    if needs_opt_in:
        assert made.exit_code != 0 and "SubscriptionNotRegisteredForFeature" in made.stderr
    else:
        assert made.exit_code == 0, made.stderr
        assert cli("vm", "assess-patches", "-g", "rg", "-n", "v").exit_code == 0


def test_automatic_by_platform_with_automatic_updates_off_is_allowed_today(today):
    made = _create(today, "v", "Win2022Datacenter", "--patch-mode", "AutomaticByPlatform",
                   "--enable-auto-update", "false")
    assert made.exit_code == 0, made.stderr
    windows = today("vm", "show", "-g", "rg", "-n", "v").json["osProfile"]["windowsConfiguration"]
    assert windows["enableAutomaticUpdates"] is False
    no_agent = _create(today, "w", "Win2022Datacenter", "--patch-mode", "AutomaticByPlatform", "--enable-agent",
                       "false")
    assert no_agent.exit_code != 0 and "provisionVMAgent" in no_agent.stderr


def _set_mode(cli, name: str, mode: str):
    return cli("vm", "update", "-g", "rg", "-n", name, "--set",
               f"osProfile.windowsConfiguration.patchSettings.patchMode={mode}")


def test_todays_mode_switches(today):
    assert _create(today, "man", "Win2022Datacenter", "--patch-mode", "Manual", "--enable-auto-update",
                   "false").exit_code == 0
    assert _create(today, "os", "Win2022Datacenter").exit_code == 0
    # AutomaticByPlatform <-> Manual with enableAutomaticUpdates false
    switched = _set_mode(today, "man", "AutomaticByPlatform")
    assert switched.exit_code == 0, switched.stderr
    back = _set_mode(today, "man", "Manual")
    assert back.exit_code == 0, back.stderr
    # AutomaticByOS <-> Manual never
    refused = _set_mode(today, "man", "AutomaticByOS")
    assert refused.exit_code != 0 and "OperationNotAllowed" in refused.stderr
    refused = _set_mode(today, "os", "Manual")
    assert refused.exit_code != 0 and "OperationNotAllowed" in refused.stderr
    # AutomaticByPlatform <-> AutomaticByOS with enableAutomaticUpdates true
    assert _set_mode(today, "os", "AutomaticByPlatform").exit_code == 0
    assert _set_mode(today, "os", "AutomaticByOS").exit_code == 0
    # a VM made AutomaticByPlatform with automatic updates off cannot become AutomaticByOS
    assert _set_mode(today, "man", "AutomaticByPlatform").exit_code == 0
    refused = _set_mode(today, "man", "AutomaticByOS")
    assert refused.exit_code != 0 and "enableAutomaticUpdates" in refused.stderr


def test_the_preview_keeps_its_manual_rule(opted_in):
    cli = opted_in
    assert _create(cli, "man", "Win2019Datacenter", "--patch-mode", "Manual", "--enable-auto-update",
                   "false").exit_code == 0
    refused = _set_mode(cli, "man", "AutomaticByPlatform")
    assert refused.exit_code != 0 and "from 'Manual' to 'AutomaticByPlatform'" in refused.stderr


# ---- today's patch settings (Compute 2024-07-01) -----------------------------------------------

SUB = "/subscriptions/{subscriptionId}"
VMS = SUB + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines"
SDK_API = "2026-04-01"  # what azure-mgmt-compute sends; drawn in 2024-07-01's shape
PLATFORM = "osProfile.windowsConfiguration.patchSettings.automaticByPlatformSettings"


def _rest(cli, method: str, url: str, body=None):
    import json

    args = ["rest", "--method", method, "--url", url]
    if body is not None:
        args += ["--body", json.dumps(body)]
    return cli(*args)


def _body(settings: dict, sku: str = "2022-datacenter-g2") -> dict:
    return {
        "location": "eastus",
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_D2s_v3"},
            "storageProfile": {"imageReference": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
                                                  "sku": sku, "version": "latest"}},
            "osProfile": {"computerName": "vm1", "adminUsername": "azureuser", "adminPassword": PASSWORD,
                          "windowsConfiguration": {"provisionVMAgent": True, "enableAutomaticUpdates": True,
                                                   "patchSettings": settings}},
            "networkProfile": {"networkInterfaces": [
                {"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic"}]},
        },
    }


def _settings_of(document: dict) -> dict:
    return document["properties"]["osProfile"]["windowsConfiguration"]["patchSettings"]


def test_automatic_by_platform_settings_through_put_patch_and_get(today):
    settings = {"patchMode": "AutomaticByPlatform",
                "automaticByPlatformSettings": {"rebootSetting": "never",
                                                "bypassPlatformSafetyChecksOnUserSchedule": False}}
    done = _rest(today, "put", f"{VMS}/vm1?api-version={SDK_API}", _body(settings))
    assert done.exit_code == 0, done.stderr
    assert _settings_of(done.json)["automaticByPlatformSettings"] == {
        "rebootSetting": "Never", "bypassPlatformSafetyChecksOnUserSchedule": False}
    patched = _rest(today, "patch", f"{VMS}/vm1?api-version={SDK_API}", {"properties": {"osProfile": {
        "windowsConfiguration": {"patchSettings": {"automaticByPlatformSettings": {"rebootSetting": "Always"}}}}}})
    assert patched.exit_code == 0, patched.stderr
    assert _settings_of(patched.json)["automaticByPlatformSettings"] == {
        "rebootSetting": "Always", "bypassPlatformSafetyChecksOnUserSchedule": False}
    # the guide's api-versions have no such object: left out of their shape, and kept by their PUTs
    old = _rest(today, "get", f"{VMS}/vm1?api-version=2021-03-01").json
    assert "automaticByPlatformSettings" not in _settings_of(old)
    assert _rest(today, "put", f"{VMS}/vm1?api-version=2021-03-01",
                 _body({"patchMode": "AutomaticByPlatform"})).exit_code == 0
    kept = _rest(today, "get", f"{VMS}/vm1?api-version={SDK_API}").json
    assert _settings_of(kept)["automaticByPlatformSettings"]["rebootSetting"] == "Always"
    bad = _rest(today, "patch", f"{VMS}/vm1?api-version={SDK_API}", {"properties": {"osProfile": {
        "windowsConfiguration": {"patchSettings": {"automaticByPlatformSettings": {"rebootSetting": "Sometimes"}}}}}})
    assert bad.exit_code != 0 and "rebootSetting" in bad.stderr


def test_vm_update_set_reaches_reboot_setting_and_bypass(today):
    assert _create(today, "v", "Win2022Datacenter", "--patch-mode", "AutomaticByPlatform").exit_code == 0
    updated = today("vm", "update", "-g", "rg", "-n", "v", "--set", f"{PLATFORM}.rebootSetting=Never",
                    f"{PLATFORM}.bypassPlatformSafetyChecksOnUserSchedule=true")
    assert updated.exit_code == 0, updated.stderr
    platform = updated.json["osProfile"]["windowsConfiguration"]["patchSettings"]["automaticByPlatformSettings"]
    assert platform == {"rebootSetting": "Never", "bypassPlatformSafetyChecksOnUserSchedule": True}
    view = today("vm", "get-instance-view", "-g", "rg", "-n", "v").json
    assert view["osProfile"]["windowsConfiguration"]["patchSettings"]["automaticByPlatformSettings"] == platform


def test_reboot_setting_does_not_exist_before_its_api_version(cli):
    assert cli("clock", "set", "2022-02-15T00:00:00Z").exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert _create(cli, "v", "Win2019Datacenter", "--patch-mode", "AutomaticByPlatform").exit_code == 0
    updated = cli("vm", "update", "-g", "rg", "-n", "v", "--set", f"{PLATFORM}.rebootSetting=Never")
    assert updated.exit_code == 0, updated.stderr
    assert "automaticByPlatformSettings" not in updated.json["osProfile"]["windowsConfiguration"]["patchSettings"]


@pytest.mark.parametrize("reboot, rebooted", [("Never", False), ("IfRequired", True), ("Always", True)])
def test_the_engine_honours_the_reboot_setting(today, reboot, rebooted):
    assert _create(today, "v", "Win2022Datacenter", "--patch-mode", "AutomaticByPlatform").exit_code == 0
    assert today("vm", "update", "-g", "rg", "-n", "v", "--set", f"{PLATFORM}.rebootSetting={reboot}").exit_code == 0
    assert today("tick", "--days", "40").exit_code == 0
    runs = today("orchestration", "history", "--operation", "installation").json
    assert runs, "June's release was installed"
    first = runs[0]
    assert first["result"] in ("Succeeded", "CompletedWithWarnings")
    assert first["rebooted"] is rebooted  # June's cumulative update always requires a reboot


def test_assessment_mode_by_platform_assesses_within_a_day_on_any_patch_mode(today):
    assert _create(today, "v", "Win2022Datacenter").exit_code == 0  # AutomaticByOS
    assert today("tick", "--hours", "2").exit_code == 0
    assert today("vm", "update", "-g", "rg", "-n", "v", "--set",
                 "osProfile.windowsConfiguration.patchSettings.assessmentMode=AutomaticByPlatform").exit_code == 0
    status = today("vm", "get-instance-view", "-g", "rg", "-n", "v").json["instanceView"]["patchStatus"]
    codes = [s["code"] for s in status["configurationStatuses"]]
    assert codes == ["PatchModeConfigurationState/Ready", "AssessmentModeConfigurationState/Ready"]
    assert today("tick", "--days", "1").exit_code == 0
    status = today("vm", "get-instance-view", "-g", "rg", "-n", "v").json["instanceView"]["patchStatus"]
    assert status["availablePatchSummary"]["status"] == "Succeeded"
    assert status["availablePatchSummary"]["startTime"] < "2024-06-02T02:00:00Z"


def test_leaving_automatic_by_platform_says_so_in_the_extension_status(today):
    assert _create(today, "v", "Win2022Datacenter", "--patch-mode", "AutomaticByPlatform").exit_code == 0
    assert today("tick", "--days", "2").exit_code == 0
    extension = today("vm", "get-instance-view", "-g", "rg", "-n", "v").json["instanceView"]["extensions"][0]
    assert "NoAutoUpdate=1" in extension["statuses"][0]["message"]
    assert today("vm", "update", "-g", "rg", "-n", "v", "--set",
                 "osProfile.windowsConfiguration.patchSettings.patchMode=AutomaticByOS").exit_code == 0
    assert today("tick", "--days", "1").exit_code == 0
    extension = today("vm", "get-instance-view", "-g", "rg", "-n", "v").json["instanceView"]["extensions"][0]
    assert "NoAutoUpdate=1" not in extension["statuses"][0]["message"]
    assert "automatic updates are back on" in extension["statuses"][0]["message"]


def test_todays_documents_fit_the_2024_07_01_spec(today):
    from spec_check import check

    # (the spec's VirtualMachineSizeTypes enum stops at 2021's sizes and is deprecated: a listed size here)
    assert _create(today, "v", "Win2022Datacenter", "--patch-mode", "AutomaticByPlatform",
                   "--size", "Standard_D2s_v3").exit_code == 0
    assert today("vm", "update", "-g", "rg", "-n", "v", "--set", f"{PLATFORM}.rebootSetting=IfRequired",
                 f"{PLATFORM}.bypassPlatformSafetyChecksOnUserSchedule=false",
                 "osProfile.windowsConfiguration.patchSettings.assessmentMode=AutomaticByPlatform").exit_code == 0
    assert today("tick", "--days", "40").exit_code == 0
    for document in (today("vm", "show", "-g", "rg", "-n", "v").json,
                     today("vm", "get-instance-view", "-g", "rg", "-n", "v").json):
        assert check("compute", "VirtualMachine", document, az_view=True, api_version="2024-07-01") == []
    wire = _rest(today, "get", f"{VMS}/v?api-version={SDK_API}&$expand=instanceView").json
    assert check("compute", "VirtualMachine", wire, api_version="2024-07-01") == []
    assert "automaticByPlatformSettings" in _settings_of(wire)
    older = _rest(today, "get", f"{VMS}/v?api-version=2021-03-01&$expand=instanceView").json
    assert check("compute", "VirtualMachine", older, api_version="2021-03-01") == []


# ---- hotpatching -------------------------------------------------------------------------------


def _hotpatch_vm(cli, name: str = "h", image: str = "Win2022AzureEditionCore"):
    return cli("vm", "create", "-g", "rg", "-n", name, "--image", image, "--admin-password", PASSWORD,
               "--patch-mode", "AutomaticByPlatform", "--enable-hotpatching")


def test_hotpatching_is_for_the_hotpatchable_images_with_platform_patching(today):
    made = _hotpatch_vm(today)
    assert made.exit_code == 0, made.stderr
    settings = today("vm", "show", "-g", "rg", "-n", "h").json["osProfile"]["windowsConfiguration"]["patchSettings"]
    assert settings["enableHotpatching"] is True
    refused = _hotpatch_vm(today, "n", "Win2022Datacenter")
    assert refused.exit_code != 0 and "Hotpatching is not supported" in refused.stderr
    refused = today("vm", "update", "-g", "rg", "-n", "h", "--set",
                    "osProfile.windowsConfiguration.patchSettings.patchMode=AutomaticByOS")
    assert refused.exit_code != 0 and "enableHotpatching" in refused.stderr


def test_no_hotpatching_before_its_general_availability(cli):
    assert cli("clock", "set", "2022-01-15T00:00:00Z").exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    refused = _hotpatch_vm(cli, "h")  # the Azure Edition Core image exists; hotpatching does not yet
    assert refused.exit_code != 0 and "Hotpatching is not supported" in refused.stderr


def test_hotpatch_months_without_a_restart_baseline_months_with_one(cli):
    assert cli("clock", "set", "2024-04-20T00:00:00Z").exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert _hotpatch_vm(cli).exit_code == 0
    assert cli("tick", "--days", "100").exit_code == 0  # May, June and July's releases, each rolled out
    runs = {r["startTime"][:7]: r for r in cli("orchestration", "history", "--operation", "installation").json}
    catalog = {p["kbId"]: p for p in cli("catalog", "list", "--os", "2022-hotpatch").json}
    for month in ("2024-05", "2024-06"):  # hotpatch months
        cumulative = next(catalog[k] for k in runs[month]["kbIds"] if catalog[k]["classification"] == "Security"
                          and "Hotpatch" in catalog[k]["name"])
        assert cumulative["rebootBehavior"] == "NeverReboots"
    july = runs["2024-07"]  # a baseline month
    assert july["rebooted"] is True
    assert any("Cumulative Update for Windows Server" in catalog[k]["name"] for k in july["kbIds"])
    message = cli("vm", "get-instance-view", "-g", "rg", "-n", "h").json["instanceView"]["extensions"][0]
    assert "Hotpatching is enabled" in message["statuses"][0]["message"]


@pytest.mark.parametrize("when, month, reboot_status", [
    ("2024-05-14T18:00:00Z", "2024-05", "NotNeeded"),  # hotpatch month
    ("2024-07-09T18:00:00Z", "2024-07", "Completed"),  # baseline month
])
def test_installation_results_say_hotpatch_or_baseline(cli, when, month, reboot_status):
    assert cli("clock", "set", "2024-05-01T00:00:00Z").exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert _hotpatch_vm(cli).exit_code == 0
    assert cli("clock", "set", when).exit_code == 0  # the release is out; the platform has not got to it yet
    cumulative = next(p for p in cli("catalog", "list", "--month", month, "--os", "2022-hotpatch").json
                      if p["classification"] == "Security" and ".NET" not in p["name"])
    installed = cli("vm", "install-patches", "-g", "rg", "-n", "h", "--maximum-duration", "PT2H", "--reboot-setting",
                    "IfRequired", "--kb-numbers-to-include", cumulative["kbId"])
    assert installed.exit_code == 0, installed.stderr
    result = installed.json
    assert result["rebootStatus"] == reboot_status
    names = [p["name"] for p in result["patches"] if p["installationState"] == "Installed"]
    assert names == [cumulative["name"]]
    assert ("Hotpatch" in names[0]) is (reboot_status == "NotNeeded")
