"""assessPatches and installPatches on Linux VMs through every front-end (az verbs, PowerShell, rest), with
installPatches' Linux rules and the spec's Linux result shapes (name, version, classifications; no kbId)."""

from __future__ import annotations

import json

import pytest
import spec_check
from conftest import PASSWORD

TODAY = "2024-06-01T00:00:00Z"
VMS = "/subscriptions/{subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines"
RSA_KEY = ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCkmSJWQfLa1V4cpIKdq+uvmUY+L56o+CIvi1FV+ACYMZ4VEjHXgHjbft05uiH0d5x"
           "O1gQgnUGnw1woZFOEsyhrSKwS2cTdSFwrDaNnh85O7JeM0dwe3SskR/LC7OtNhKccO6ykekQlbCyKGK4Ii5NLXN2Mu8x31xN3ouMJL6GRZw==")
INSTALL = ("vm", "install-patches", "-g", "rg", "-n", "u", "--maximum-duration", "PT2H", "--reboot-setting",
           "IfRequired")


def _linux(cli, name: str, image: str, *extra: str):
    made = cli("vm", "create", "-g", "rg", "-n", name, "--image", image, "--admin-username", "azureuser",
               "--ssh-key-values", RSA_KEY, *extra)
    assert made.exit_code == 0, made.stderr
    return made


@pytest.fixture
def ubuntu(cli):
    """Today's Azure, an Ubuntu 22.04 VM created on June 1st, three weeks of package updates published since."""
    assert cli("clock", "set", TODAY).exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    _linux(cli, "u", "Ubuntu2204", "--patch-mode", "AutomaticByPlatform")
    assert cli("tick", "--days", "20", "-o", "none").exit_code == 0
    return cli


def _check_patch_shape(patch: dict) -> None:
    assert "kbId" not in patch and patch["name"] and patch["version"]
    assert patch["classifications"] and set(patch["classifications"]) <= {"Critical", "Security", "Other"}
    assert patch["patchId"].startswith(f"{patch['name']}_{patch['version']}_")


def test_assess_patches_lists_package_updates_in_the_linux_shape(ubuntu):
    assessed = ubuntu("vm", "assess-patches", "-g", "rg", "-n", "u")
    assert assessed.exit_code == 0, assessed.stderr
    result = assessed.json
    assert result["status"] == "Succeeded" and result["availablePatches"]
    for patch in result["availablePatches"]:
        _check_patch_shape(patch)
    counted = sum(1 for p in result["availablePatches"] if set(p["classifications"]) & {"Critical", "Security"})
    assert result["criticalAndSecurityPatchCount"] == counted
    assert result["otherPatchCount"] == len(result["availablePatches"]) - counted
    assert spec_check.check("compute", "VirtualMachineAssessPatchesResult", result, api_version="2024-07-01") == []


def test_install_patches_with_classifications_and_package_masks(ubuntu):
    available = ubuntu("vm", "assess-patches", "-g", "rg", "-n", "u").json["availablePatches"]
    names = sorted({p["name"] for p in available})
    other = next(p for p in available if p["classifications"] == ["Other"])
    security = [p for p in available if "Security" in p["classifications"]]
    excluded = security[0]["name"]
    installed = ubuntu(*INSTALL, "--classifications-to-include-linux", "Security", "--package-name-masks-to-include",
                       f"{other['name']}_{other['version']}", "--package-name-masks-to-exclude", excluded)
    assert installed.exit_code == 0, installed.stderr
    result = installed.json
    states = {p["name"]: p["installationState"] for p in result["patches"]}
    assert sorted(states) == names
    assert states[excluded] == "Excluded" and states[other["name"]] in ("Installed", "Pending")
    for patch in security[1:]:
        assert states[patch["name"]] in ("Installed", "Pending", "Failed")
    for patch in result["patches"]:
        _check_patch_shape(patch)
    assert result["excludedPatchCount"] == 1
    assert result["installedPatchCount"] == sum(1 for s in states.values() if s == "Installed") > 0
    assert spec_check.check("compute", "VirtualMachineInstallPatchesResult", result, api_version="2024-07-01") == []


def test_a_mask_with_a_wildcard_selects_by_name(ubuntu):
    available = ubuntu("vm", "assess-patches", "-g", "rg", "-n", "u").json["availablePatches"]
    first = available[0]["name"]
    installed = ubuntu(*INSTALL, "--package-name-masks-to-include", first[:3] + "*").json
    states = {p["name"]: p["installationState"] for p in installed["patches"]}
    assert states[first] in ("Installed", "Pending")
    assert all(state == "NotSelected" for name, state in states.items() if not name.startswith(first[:3]))


@pytest.mark.parametrize(("extra", "needle"), [
    ((), "Required parameter 'linuxParameters' is missing (null)."),  # az sends no linuxParameters at all
    (("--package-name-masks-to-exclude", "openssl"),
     "At least one of 'linuxParameters.classificationsToInclude' or 'linuxParameters.packageNameMasksToInclude'"),
    (("--classifications-to-include-win", "Critical"), "Parameter 'windowsParameters' is not allowed for a Linux VM"),
    (("--classifications-to-include-linux", "Critical", "--kb-numbers-to-include", "KB1"),
     "Parameter 'windowsParameters' is not allowed for a Linux VM"),
])
def test_install_patches_linux_rules(ubuntu, extra, needle):
    refused = ubuntu(*INSTALL, *extra)
    assert refused.exit_code == 1 and "InvalidParameter" in refused.stderr and needle in refused.stderr


def _lro(cli, url: str, body: dict | None = None) -> dict:
    """POST an action as az rest does (202 and an operation to poll), then GET the operation's result."""
    import re

    args = ["rest", "--method", "post", "--url", url, "--verbose"]
    if body is not None:
        args += ["--body", json.dumps(body)]
    started = cli(*args)
    assert started.exit_code == 0, started.stderr
    operation = re.search(r"'Azure-AsyncOperation': '([^']+)'", started.stderr).group(1)
    polled = cli("rest", "--method", "get", "--url", operation).json
    assert polled["status"] == "Succeeded"
    return polled["properties"]["output"]


def test_rest_linux_parameters_and_their_validation(ubuntu):
    url = f"{VMS}/u/installPatches?api-version=2024-11-01"
    body = {"maximumDuration": "PT2H", "rebootSetting": "Never",
            "linuxParameters": {"classificationsToInclude": ["Critical", "Security"],
                                "packageNameMasksToExclude": ["openssl*"]}}
    done = _lro(ubuntu, url, body)
    assert done["rebootStatus"] in ("NotNeeded", "Required", "Completed")
    for patch in done["patches"]:
        _check_patch_shape(patch)
        if patch["name"].startswith("openssl"):
            assert patch["installationState"] == "Excluded"
    for bad, needle in [
        ({"linuxParameters": {"classificationsToInclude": ["Updates"]}}, "'Updates' of parameter"),
        ({"linuxParameters": {}}, "At least one of"),
        ({}, "Required parameter 'linuxParameters' is missing"),
        ({"windowsParameters": {"classificationsToInclude": ["Critical"]},
          "linuxParameters": {"classificationsToInclude": ["Critical"]}}, "not allowed for a Linux VM"),
    ]:
        refused = ubuntu("rest", "--method", "post", "--url", url, "--body",
                         json.dumps({"maximumDuration": "PT2H", "rebootSetting": "Never", **bad}))
        assert refused.exit_code == 1 and needle in refused.stderr, (bad, refused.stderr)
    assessed = _lro(ubuntu, f"{VMS}/u/assessPatches?api-version=2020-12-01")
    assert assessed["availablePatches"]
    for patch in assessed["availablePatches"]:
        _check_patch_shape(patch)
    assert spec_check.check("compute", "VirtualMachineAssessPatchesResult", assessed, api_version="2020-12-01") == []


def test_windows_parameters_stay_refused_on_windows_for_linux_ones(ubuntu):
    made = ubuntu("vm", "create", "-g", "rg", "-n", "w", "--image", "Win2022Datacenter", "--admin-password",
                  PASSWORD)
    assert made.exit_code == 0, made.stderr
    refused = ubuntu("vm", "install-patches", "-g", "rg", "-n", "w", "--maximum-duration", "PT2H",
                     "--reboot-setting", "Never", "--classifications-to-include-linux", "Critical")
    assert refused.exit_code == 1 and "Parameter 'linuxParameters' is not allowed for a Windows VM" in refused.stderr


def test_powershell_on_a_linux_vm(ubuntu):
    assessed = ubuntu("Invoke-AzVmPatchAssessment", "-ResourceGroupName", "rg", "-VMName", "u", "-o", "json")
    assert assessed.exit_code == 0, assessed.stderr
    assert assessed.json["Status"] == "Succeeded" and assessed.json["AvailablePatches"]
    installed = ubuntu("Invoke-AzVMInstallPatch", "-ResourceGroupName", "rg", "-VMName", "u", "-Linux",
                       "-RebootSetting", "IfRequired", "-MaximumDuration", "PT2H", "-ClassificationToIncludeForLinux",
                       "Critical,Security", "-PackageNameMaskToExclude", "openssl*", "-o", "json")
    assert installed.exit_code == 0, installed.stderr
    assert installed.json["Status"] in ("Succeeded", "CompletedWithWarnings")
    empty = ubuntu("Invoke-AzVMInstallPatch", "-ResourceGroupName", "rg", "-VMName", "u", "-Linux",
                   "-RebootSetting", "IfRequired", "-MaximumDuration", "PT2H")
    assert empty.exit_code == 1 and "At least one of" in empty.stderr


def test_linux_on_demand_follows_the_era_and_the_image(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    _linux(cli, "old", "Canonical:UbuntuServer:18.04-LTS:latest")
    # October 2020: before the Linux preview (the on-demand opt-in is asked first, as for Windows)
    for feature in ("InGuestPatchVMPreview", "InGuestAutoPatchVMPreview"):
        assert cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", feature).exit_code == 0
    assert cli("tick", "--minutes", "15").exit_code == 0
    assert cli("provider", "register", "--namespace", "Microsoft.Compute").exit_code == 0
    refused = cli("vm", "assess-patches", "-g", "rg", "-n", "old")
    assert refused.exit_code == 1 and "supported only on Windows virtual machines in this preview" in refused.stderr
    assert cli("clock", "set", "2021-10-01T00:00:00Z").exit_code == 0
    assert cli("clock", "set", "2022-09-01T00:00:00Z").exit_code == 0
    assessed = cli("vm", "assess-patches", "-g", "rg", "-n", "old")
    assert assessed.exit_code == 0, assessed.stderr
    _linux(cli, "deb", "Debian11")
    refused = cli("vm", "assess-patches", "-g", "rg", "-n", "deb")
    assert refused.exit_code == 1 and "OperationNotAllowed" in refused.stderr
    assert "is not supported for the image 'Debian:debian-11:11-backports-gen2'" in refused.stderr
