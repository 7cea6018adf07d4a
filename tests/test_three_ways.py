"""One scenario of the guide driven three ways - az verbs, PowerShell cmdlets, REST calls through
``autopatch rest`` - ending in the same store.

Scenario: register InGuestAutoPatchVMPreview and InGuestPatchVMPreview, let them register, propagate
with a provider registration, create a VM with AutomaticByPlatform, update it (platform assessment on),
read its instance view, assess, install. Time moves with ``autopatch tick`` in all three (it is no
front-end's verb). The PowerShell way creates its VM with ``vm create``: New-AzVM is not one of the
guide's cmdlets that autopatch implements.
"""

from __future__ import annotations

import json

from helpers import PASSWORD

FEATURES = ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview")
VM_URL = "/subscriptions/{subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"
API = "?api-version=2021-03-01"
CREATE = ("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
          "--admin-username", "azureuser", "--enable-agent", "--enable-auto-update", "--patch-mode",
          "AutomaticByPlatform")
INSTALL = {"maximumDuration": "PT2H", "rebootSetting": "IfRequired",
           "windowsParameters": {"classificationsToInclude": ["Critical", "Security"]}}


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result


def opening(cli):
    ok(cli("group", "create", "-n", "rg", "-l", "eastus"))


def az_way(cli):
    opening(cli)
    for feature in FEATURES:
        ok(cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", feature))
    ok(cli("tick", "--minutes", "15"))
    ok(cli("provider", "register", "--namespace", "Microsoft.Compute"))
    ok(cli(*CREATE))
    ok(cli("vm", "update", "-g", "rg", "-n", "vm", "--set",
           "osProfile.windowsConfiguration.patchSettings.assessmentMode=AutomaticByPlatform"))
    view = ok(cli("vm", "get-instance-view", "-g", "rg", "-n", "vm")).json["instanceView"]
    ok(cli("tick", "--hours", "12"))
    assessed = ok(cli("vm", "assess-patches", "-g", "rg", "-n", "vm")).json
    ok(cli("tick", "--hours", "1"))
    installed = ok(cli("vm", "install-patches", "-g", "rg", "-n", "vm", "--maximum-duration", "PT2H",
                       "--reboot-setting", "IfRequired", "--classifications-to-include-win", "Critical",
                       "Security")).json
    return view, assessed, installed


def powershell_way(cli):
    opening(cli)
    for feature in FEATURES:
        ok(cli("Register-AzProviderFeature", "-FeatureName", feature, "-ProviderNamespace", "Microsoft.Compute"))
    ok(cli("tick", "--minutes", "15"))
    ok(cli("Register-AzResourceProvider", "-ProviderNamespace", "Microsoft.Compute"))
    ok(cli(*CREATE))
    ok(cli("Set-AzVMOperatingSystem", "-ResourceGroupName", "rg", "-VMName", "vm", "-Windows", "-ProvisionVMAgent",
           "-EnableAutoUpdate", "-PatchMode", "AutomaticByPlatform", "-AssessmentMode", "AutomaticByPlatform"))
    view = ok(cli("Get-AzVM", "-ResourceGroupName", "rg", "-Name", "vm", "-Status", "-o", "json")).json
    ok(cli("tick", "--hours", "12"))
    assessed = ok(cli("Invoke-AzVmPatchAssessment", "-ResourceGroupName", "rg", "-VMName", "vm", "-o", "json")).json
    ok(cli("tick", "--hours", "1"))
    installed = ok(cli("Invoke-AzVMInstallPatch", "-ResourceGroupName", "rg", "-VMName", "vm", "-Windows",
                       "-RebootSetting", "IfRequired", "-MaximumDuration", "PT2H",
                       "-ClassificationToIncludeForWindows", "Critical,Security", "-o", "json")).json
    return view, assessed, installed


def rest(cli, method: str, url: str, body=None):
    args = ["rest", "--method", method, "--url", url]
    if body is not None:
        args += ["--body", json.dumps(body)]
    result = ok(cli(*args))
    return result.json if result.stdout.strip() else None


NETWORK_URL = "/subscriptions/{subscriptionId}/resourceGroups/rg/providers/Microsoft.Network"


def network_resources(sub: str) -> list[tuple[str, dict]]:
    """What az vm create's template holds besides the VM, in its order (azure-cli _template_builder.py)."""
    network = f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network"
    common = {"location": "eastus", "tags": {}}
    return [
        ("virtualNetworks/vmVNET", {**common, "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "vmSubnet", "properties": {"addressPrefix": "10.0.0.0/24"}}]}}),
        ("networkSecurityGroups/vmNSG", {**common, "properties": {"securityRules": [{"name": "rdp", "properties": {
            "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "3389", "sourceAddressPrefix": "*",
            "destinationAddressPrefix": "*", "access": "Allow", "priority": 1000, "direction": "Inbound"}}]}}),
        ("publicIPAddresses/vmPublicIP", {**common, "sku": {"name": "Standard"},
                                          "properties": {"publicIPAllocationMethod": "Static"}}),
        ("networkInterfaces/vmVMNic", {**common, "properties": {
            "ipConfigurations": [{"name": "ipconfigvm", "properties": {
                "privateIPAllocationMethod": "Dynamic",
                "subnet": {"id": f"{network}/virtualNetworks/vmVNET/subnets/vmSubnet"},
                "publicIPAddress": {"id": f"{network}/publicIPAddresses/vmPublicIP"}}}],
            "networkSecurityGroup": {"id": f"{network}/networkSecurityGroups/vmNSG"}}}),
    ]


def rest_way(cli, create_body: dict, sub: str):
    opening(cli)
    for feature in FEATURES:
        rest(cli, "post", "/subscriptions/{subscriptionId}/providers/Microsoft.Features/providers/Microsoft.Compute/"
             f"features/{feature}/register?api-version=2015-12-01")
    ok(cli("tick", "--minutes", "15"))
    rest(cli, "post", "/subscriptions/{subscriptionId}/providers/Microsoft.Compute/register?api-version=2020-06-01")
    for path, body in network_resources(sub):  # a VM's PUT names its NIC: REST makes the network first
        rest(cli, "put", f"{NETWORK_URL}/{path}?api-version=2024-05-01", body)
    rest(cli, "put", VM_URL + API, create_body)
    rest(cli, "patch", VM_URL + API,
         {"properties": {"osProfile": {"windowsConfiguration": {"patchSettings": {"assessmentMode": "AutomaticByPlatform"}}}}})
    view = rest(cli, "get", VM_URL + "/instanceView" + API)
    ok(cli("tick", "--hours", "12"))
    assessed = rest(cli, "post", VM_URL + "/assessPatches" + API)
    ok(cli("tick", "--hours", "1"))
    installed = rest(cli, "post", VM_URL + "/installPatches" + API, INSTALL)
    return view, assessed, installed


def _create_body(store: dict) -> dict:
    """The PUT body az vm create sent: the VM as stored, less what ARM fills in, with the password."""
    vm = json.loads(json.dumps(store["vms"]["rg/vm"]["vm"]))
    for key in ("id", "name", "type"):
        vm.pop(key)
    for key in ("vmId", "provisioningState"):
        vm["properties"].pop(key, None)
    vm["properties"]["osProfile"]["adminPassword"] = PASSWORD
    patch = vm["properties"]["osProfile"]["windowsConfiguration"]["patchSettings"]
    patch.pop("assessmentMode", None)  # set by the update step
    return vm


def test_three_ways_end_in_the_same_store(cli, tmp_path, monkeypatch):
    stores = {}
    results = {}
    for way in ("az", "powershell", "rest"):
        path = tmp_path / f"{way}.json"
        monkeypatch.setenv("AUTOPATCH_STATE", str(path))
        if way == "az":
            results[way] = az_way(cli)
        elif way == "powershell":
            results[way] = powershell_way(cli)
        else:
            results[way] = rest_way(cli, _create_body(stores["az"]), stores["az"]["subscription"]["id"])
        stores[way] = json.loads(path.read_text())
    assert stores["az"] == stores["powershell"]  # identical, byte for byte in content
    # REST alone keeps its long-running operations' status records (what Azure-AsyncOperation URLs
    # answer), and drew their ids from the store's id counter: nothing else differs.
    operations = stores["rest"].pop("operations")
    assert operations and {op["kind"] for op in operations.values()} >= {"vm.put"}
    assert "operations" not in stores["az"]
    assert stores["rest"]["meta"].pop("idCounter") == stores["az"]["meta"].pop("idCounter") + len(operations)
    assert stores["az"] == stores["rest"]
    # the same operations answered the same way, each in its front-end's form
    az_view, az_assessed, az_installed = results["az"]
    ps_view, ps_assessed, ps_installed = results["powershell"]
    rest_view, rest_assessed, rest_installed = results["rest"]
    assert az_assessed["assessmentActivityId"] == ps_assessed["AssessmentActivityId"]
    assert az_installed["installationActivityId"] == ps_installed["InstallationActivityId"]
    assert rest_assessed is None and rest_installed is None  # 202 Accepted: az rest prints no body
    assert rest_view == az_view
    assert az_assessed["status"] == "Succeeded" and az_installed["status"] == "Succeeded"
    summary = stores["az"]["vms"]["rg/vm"]["iv"]["patchStatus"]["lastPatchInstallationSummary"]
    assert summary["installationActivityId"] == az_installed["installationActivityId"]
    assert ps_view["Statuses"][1]["Code"] == az_view["statuses"][1]["code"]
