"""The guide's Azure CLI flow, end to end, with `autopatch` in place of `az`."""

from helpers import PASSWORD


def test_guide_flow(cli):
    assert cli("group", "create", "--name", "myResourceGroup", "--location", "eastus").json["name"] == "myResourceGroup"
    registered = cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview")
    assert registered.json["properties"]["state"] == "Registering"
    assert "autopatch provider register -n Microsoft.Compute" in registered.stderr
    assert cli("tick", "--minutes", "15").exit_code == 0
    shown = cli("feature", "show", "--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview")
    assert shown.json["properties"]["state"] == "Registered"
    provider = cli("provider", "register", "--namespace", "Microsoft.Compute")
    assert provider.exit_code == 0 and provider.stdout == ""
    created = cli(
        "vm", "create", "--resource-group", "myResourceGroup", "--name", "myVM", "--image", "Win2019Datacenter",
        "--admin-password", PASSWORD, "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform",
    )
    assert created.exit_code == 0, created.stderr
    assert created.json["powerState"] == "VM running"
    updated = cli(
        "vm", "update", "--resource-group", "myResourceGroup", "--name", "myVM", "--set",
        "osProfile.windowsConfiguration.enableAutomaticUpdates=true",
        "osProfile.windowsConfiguration.patchSettings.patchMode=AutomaticByPlatform",
    )
    assert updated.exit_code == 0, updated.stderr
    assert updated.json["osProfile"]["windowsConfiguration"]["patchSettings"]["patchMode"] == "AutomaticByPlatform"
    view = cli("vm", "get-instance-view", "--resource-group", "myResourceGroup", "--name", "myVM",
               "--query", "instanceView.patchStatus")
    assert view.exit_code == 0
    assert view.json["configurationStatuses"][0]["code"].startswith("PatchModeConfigurationState/")


def test_platform_mode_needs_feature_and_reregistration(cli):
    cli("group", "create", "-n", "rg", "-l", "eastus")
    args = ("vm", "create", "-g", "rg", "-n", "vm1", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
            "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform")
    refused = cli(*args)
    assert refused.exit_code == 1
    assert "(SubscriptionNotRegisteredForFeature)" in refused.stderr
    cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview")
    cli("provider", "register", "--namespace", "Microsoft.Compute")  # too early: feature still Registering
    cli("tick", "--minutes", "15")
    still = cli(*args)
    assert still.exit_code == 1 and "autopatch provider register" in still.stderr
    cli("provider", "register", "--namespace", "Microsoft.Compute")
    assert cli(*args).exit_code == 0
