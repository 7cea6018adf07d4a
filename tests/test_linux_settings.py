"""Linux VMs through the front-ends: az 2.91's Linux image aliases and their dates, the supported images of each
era, and ``linuxConfiguration.patchSettings`` (patchMode, assessmentMode, automaticByPlatformSettings) with
Azure's rules, shown at the api-versions that have each field (Compute 2020-06-01 ... 2024-07-01)."""

from __future__ import annotations

import copy
import json

import pytest
import spec_check
from conftest import PASSWORD

TODAY = "2024-06-01T00:00:00Z"
PREVIEW = "2021-03-01T00:00:00Z"  # the Linux preview (Compute 2020-12-01), before general availability
VMS = "/subscriptions/{subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines"
RSA_KEY = ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCkmSJWQfLa1V4cpIKdq+uvmUY+L56o+CIvi1FV+ACYMZ4VEjHXgHjbft05uiH0d5x"
           "O1gQgnUGnw1woZFOEsyhrSKwS2cTdSFwrDaNnh85O7JeM0dwe3SskR/LC7OtNhKccO6ykekQlbCyKGK4Ii5NLXN2Mu8x31xN3ouMJL6GRZw==")
UBUNTU_1804 = "Canonical:UbuntuServer:18.04-LTS:latest"


def _at(cli, when: str):
    assert cli("clock", "set", when).exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    return cli


@pytest.fixture
def today(cli):
    return _at(cli, TODAY)


def _linux(cli, name: str, image: str, *extra: str):
    return cli("vm", "create", "-g", "rg", "-n", name, "--image", image, "--admin-username", "azureuser",
               "--ssh-key-values", RSA_KEY, *extra)


def _rest(cli, method: str, url: str, body=None):
    args = ["rest", "--method", method, "--url", url]
    if body is not None:
        args += ["--body", json.dumps(body)]
    return cli(*args)


def _settings(cli, name: str = "v") -> dict:
    return cli("vm", "show", "-g", "rg", "-n", name).json["osProfile"]["linuxConfiguration"]["patchSettings"]


# ---- images and aliases ----------------------------------------------------------------------------

# azure-cli 2.91's own alias document (vm/_alias.py) and the published one it reads first
AZ_LINUX_ALIASES = {
    "AzureLinux4": "microsoftazurelinux:azurelinux-4:4", "AzureLinux4Arm64": "microsoftazurelinux:azurelinux-4:4-arm64",
    "AzureLinux4Gen1": "microsoftazurelinux:azurelinux-4:4-gen1", "CentOS85Gen2": "OpenLogic:CentOS:8_5-gen2",
    "Debian11": "Debian:debian-11:11-backports-gen2", "Debian12": "Debian:debian-12:12-gen2",
    "FlatcarLinuxFreeGen2": "kinvolk:flatcar-container-linux-free:stable-gen2",
    "OpenSuseLeap154Gen2": "SUSE:openSUSE-leap-15-4:gen2", "RHELRaw8LVMGen2": "RedHat:RHEL:8-lvm-gen2",
    "SuseSles15SP3": "SUSE:sles-15-sp3:gen2", "SuseSles15SP5": "SUSE:sles-15-sp5:gen2",
    "Ubuntu2204": "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2",
    "Ubuntu2404": "Canonical:ubuntu-24_04-lts:server", "Ubuntu2404Pro": "Canonical:ubuntu-24_04-lts:ubuntu-pro",
}
SUPPORTED_TODAY = ["Ubuntu2204", "Ubuntu2404", "Ubuntu2404Pro", "RHELRaw8LVMGen2",
                   "Canonical:0001-com-ubuntu-server-focal:20_04-lts-gen2:latest", UBUNTU_1804,
                   "RedHat:RHEL:7_9:latest", "RedHat:RHEL:9_4:latest", "SUSE:sles-12-sp5:gen2:latest",
                   "SUSE:sles-15-sp2:gen1:latest", "MicrosoftCBLMariner:cbl-mariner:cbl-mariner-2-gen2:latest",
                   "almalinux:almalinux-hpc:8_7-hpc-gen2:latest"]
NOT_SUPPORTED = ["Debian11", "Debian12", "SuseSles15SP5", "SuseSles15SP3", "OpenSuseLeap154Gen2", "CentOS85Gen2",
                 "FlatcarLinuxFreeGen2"]


def test_every_az_linux_alias_resolves_as_az_does():
    from autopatch_cli.arm.metadata import alias_document
    from autopatch_cli.azure import images

    for alias, urn in AZ_LINUX_ALIASES.items():
        resolved = images.resolve(alias.lower())  # az matches aliases case-insensitively
        assert resolved is not None and ":".join(resolved[:3]) == urn, alias
        assert images.distro_key(resolved), f"{alias} maps to a distribution of the Linux catalog"
    served = alias_document()["outputs"]["aliases"]["value"]["Linux"]
    assert set(AZ_LINUX_ALIASES) <= set(served)


def test_linux_distribution_keys_follow_the_catalogs_names():
    from autopatch_cli.azure import images

    keys = {image.distro for image in images.LINUX_IMAGES}
    assert {"ubuntu-16.04", "ubuntu-18.04", "ubuntu-20.04", "ubuntu-22.04", "ubuntu-24.04", "rhel-7", "rhel-8",
            "rhel-9", "sles-12", "sles-15", "debian-11", "debian-12"} <= keys
    assert images.distro_key(images.resolve("Ubuntu2204")) == "ubuntu-22.04"
    assert images.distro_key(images.resolve("RHELRaw8LVMGen2")) == "rhel-8"


@pytest.mark.parametrize(("image", "before", "after"), [
    ("Ubuntu2204", "2022-04-01", "2022-04-22"), ("Ubuntu2404", "2024-04-01", "2024-04-26"),
    ("Debian12", "2023-06-01", "2023-06-11"), ("SuseSles15SP5", "2023-06-01", "2023-06-21"),
    ("Canonical:0001-com-ubuntu-server-focal:20_04-lts:latest", "2020-04-01", "2020-04-24")])
def test_a_linux_image_exists_only_from_its_release(cli, image, before, after):
    _at(cli, f"{before}T00:00:00Z")
    early = _linux(cli, "v", image)
    assert early.exit_code == 3 and "PlatformImageNotFound" in early.stderr
    assert cli("vm", "list").json == []
    assert cli("clock", "set", f"{after}T00:00:00Z").exit_code == 0
    made = _linux(cli, "v", image)
    assert made.exit_code == 0, made.stderr
    shown = cli("vm", "show", "-g", "rg", "-n", "v").json
    assert shown["storageProfile"]["osDisk"]["osType"] == "Linux"
    assert _settings(cli) == {"patchMode": "ImageDefault", "assessmentMode": "ImageDefault"}


@pytest.mark.parametrize("image", SUPPORTED_TODAY)
def test_todays_supported_linux_images_take_automatic_by_platform(today, image):
    made = _linux(today, "v", image, "--patch-mode", "AutomaticByPlatform")
    assert made.exit_code == 0, made.stderr
    assert _settings(today)["patchMode"] == "AutomaticByPlatform"


@pytest.mark.parametrize("image", NOT_SUPPORTED)
def test_unsupported_linux_images_keep_image_default_only(today, image):
    refused = _linux(today, "v", image, "--patch-mode", "AutomaticByPlatform")
    assert refused.exit_code == 1
    assert "InvalidParameter" in refused.stderr and "is not supported for the image" in refused.stderr
    assert today("vm", "list").json == []
    made = _linux(today, "v", image, "--patch-mode", "ImageDefault")
    assert made.exit_code == 0, made.stderr
    switched = today("vm", "update", "-g", "rg", "-n", "v", "--set",
                     "osProfile.linuxConfiguration.patchSettings.assessmentMode=AutomaticByPlatform")
    assert switched.exit_code == 1
    assert "The assessmentMode 'AutomaticByPlatform' is not supported for the image" in switched.stderr
    assert _settings(today)["assessmentMode"] == "ImageDefault"


def test_a_custom_linux_image_is_refused_for_automatic_by_platform(today):
    body = _rest_body("AutomaticByPlatform")
    body["properties"]["storageProfile"] = {
        "imageReference": {"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/images/mine"},
        "osDisk": {"osType": "Linux", "createOption": "FromImage"}}
    refused = _rest(today, "put", f"{VMS}/v?api-version=2024-07-01", body)
    assert refused.exit_code == 1 and "custom images are not" in refused.stderr


# ---- the eras -------------------------------------------------------------------------------------


def test_before_the_linux_preview_automatic_by_platform_is_for_windows_only(cli):
    _at(cli, "2020-10-01T00:00:00Z")
    refused = _linux(cli, "v", UBUNTU_1804, "--patch-mode", "AutomaticByPlatform")
    assert refused.exit_code == 1
    assert "supported only on Windows virtual machines in this preview" in refused.stderr
    assert cli("vm", "list").json == []
    made = _linux(cli, "v", UBUNTU_1804)
    assert made.exit_code == 0
    refused = cli("vm", "update", "-g", "rg", "-n", "v", "--set",
                  "osProfile.linuxConfiguration.patchSettings.patchMode=AutomaticByPlatform")
    assert refused.exit_code == 1 and "only on Windows" in refused.stderr
    assert _settings(cli)["patchMode"] == "ImageDefault"


def test_the_linux_preview_asks_for_the_opt_in_and_its_own_images(cli):
    _at(cli, PREVIEW)
    unregistered = _linux(cli, "v", UBUNTU_1804, "--patch-mode", "AutomaticByPlatform")
    assert unregistered.exit_code == 1 and "SubscriptionNotRegisteredForFeature" in unregistered.stderr
    assert cli("feature", "register", "--namespace", "Microsoft.Compute", "--name",
               "InGuestAutoPatchVMPreview").exit_code == 0
    assert cli("tick", "--minutes", "15").exit_code == 0
    assert cli("provider", "register", "--namespace", "Microsoft.Compute").exit_code == 0
    made = _linux(cli, "v", UBUNTU_1804, "--patch-mode", "AutomaticByPlatform")
    assert made.exit_code == 0, made.stderr
    # today's list, not the preview's: Ubuntu 20.04 came to guest patching with general availability
    focal = _linux(cli, "w", "Canonical:0001-com-ubuntu-server-focal:20_04-lts:latest", "--patch-mode",
                   "AutomaticByPlatform")
    assert focal.exit_code == 1 and "Linux platform images of the preview" in focal.stderr


def test_general_availability_needs_no_opt_in_for_linux(cli):
    _at(cli, "2021-11-02T00:00:00Z")
    assert cli("clock", "set", "2022-02-02T00:00:00Z").exit_code == 0
    made = _linux(cli, "v", "Canonical:0001-com-ubuntu-server-focal:20_04-lts:latest", "--patch-mode",
                  "AutomaticByPlatform")
    assert made.exit_code == 0, made.stderr


# ---- the rules ------------------------------------------------------------------------------------


def test_automatic_by_platform_needs_the_vm_agent(today):
    refused = _linux(today, "v", "Ubuntu2204", "--patch-mode", "AutomaticByPlatform", "--enable-agent", "false")
    assert refused.exit_code == 1
    assert "'provisionVMAgent' must be set to true" in refused.stderr and "InvalidParameter" in refused.stderr
    assert _linux(today, "v", "Ubuntu2204", "--enable-agent", "false").exit_code == 0
    refused = today("vm", "update", "-g", "rg", "-n", "v", "--set",
                    "osProfile.linuxConfiguration.patchSettings.assessmentMode=AutomaticByPlatform")
    assert refused.exit_code == 1 and "For assessmentMode 'AutomaticByPlatform'" in refused.stderr


def test_windows_modes_on_linux_and_linux_modes_on_windows_are_refused(today):
    az_refusal = _linux(today, "v", "Ubuntu2204", "--patch-mode", "AutomaticByOS")
    assert az_refusal.exit_code == 1
    assert "Invalid value of --patch-mode for Linux VM. Valid values are AutomaticByPlatform, ImageDefault." in (
        az_refusal.stderr)
    windows = today("vm", "create", "-g", "rg", "-n", "w", "--image", "Win2022Datacenter", "--admin-password",
                    PASSWORD, "--patch-mode", "ImageDefault")
    assert windows.exit_code == 1 and "Invalid value of --patch-mode for Windows VM" in windows.stderr
    assert _linux(today, "v", "Ubuntu2204").exit_code == 0
    for mode in ("AutomaticByOS", "Manual"):
        refused = today("vm", "update", "-g", "rg", "-n", "v", "--set",
                        f"osProfile.linuxConfiguration.patchSettings.patchMode={mode}")
        assert refused.exit_code == 1
        assert (f"The value '{mode}' of parameter 'linuxConfiguration.patchSettings.patchMode' is not allowed"
                in refused.stderr)
    rest = _rest(today, "put", f"{VMS}/x?api-version=2024-07-01", _rest_body("AutomaticByOS"))
    assert rest.exit_code == 1 and "InvalidParameter" in rest.stderr
    assert [vm["name"] for vm in today("vm", "list").json] == ["v"]


def test_switching_between_image_default_and_automatic_by_platform(today):
    assert _linux(today, "v", "Ubuntu2204").exit_code == 0
    for mode in ("AutomaticByPlatform", "ImageDefault", "automaticbyplatform"):
        changed = today("vm", "update", "-g", "rg", "-n", "v", "--set",
                        f"osProfile.linuxConfiguration.patchSettings.patchMode={mode}")
        assert changed.exit_code == 0, changed.stderr
    assert _settings(today)["patchMode"] == "AutomaticByPlatform"  # stored in the enum's spelling


def test_automatic_by_platform_settings_from_their_api_versions(cli):
    _at(cli, "2022-02-10T00:00:00Z")  # no opt-in any more, no rebootSetting yet
    assert _linux(cli, "v", UBUNTU_1804, "--patch-mode", "AutomaticByPlatform").exit_code == 0
    # before Compute 2022-03-01, ARM ignored the unknown property
    cli("vm", "update", "-g", "rg", "-n", "v", "--set",
        "osProfile.linuxConfiguration.patchSettings.automaticByPlatformSettings.rebootSetting=Never")
    assert "automaticByPlatformSettings" not in _settings(cli)
    assert cli("clock", "set", "2023-02-01T00:00:00Z").exit_code == 0
    assert cli("clock", "set", "2023-03-02T00:00:00Z").exit_code == 0
    for setting in ("automaticByPlatformSettings.rebootSetting=never",
                    "automaticByPlatformSettings.bypassPlatformSafetyChecksOnUserSchedule=true",
                    "assessmentMode=AutomaticByPlatform"):
        done = cli("vm", "update", "-g", "rg", "-n", "v", "--set",
                   f"osProfile.linuxConfiguration.patchSettings.{setting}")
        assert done.exit_code == 0, done.stderr
    assert _settings(cli) == {
        "patchMode": "AutomaticByPlatform", "assessmentMode": "AutomaticByPlatform",
        "automaticByPlatformSettings": {"rebootSetting": "Never", "bypassPlatformSafetyChecksOnUserSchedule": True}}
    bad = cli("vm", "update", "-g", "rg", "-n", "v", "--set",
              "osProfile.linuxConfiguration.patchSettings.automaticByPlatformSettings.rebootSetting=Sometimes")
    assert bad.exit_code == 1 and "rebootSetting" in bad.stderr


# ---- REST: each api-version's shape, against its spec ---------------------------------------------


def _rest_body(mode: str, assessment: str | None = None) -> dict:
    settings = {"patchMode": mode, **({"assessmentMode": assessment} if assessment else {}),
                "automaticByPlatformSettings": {"rebootSetting": "IfRequired",
                                                "bypassPlatformSafetyChecksOnUserSchedule": False}}
    return {"location": "eastus", "properties": {
        "hardwareProfile": {"vmSize": "Standard_D2s_v3"},
        "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy",
                                              "sku": "22_04-lts-gen2", "version": "latest"}},
        "osProfile": {"computerName": "v", "adminUsername": "azureuser", "linuxConfiguration": {
            "disablePasswordAuthentication": True, "provisionVMAgent": True,
            "ssh": {"publicKeys": [{"path": "/home/azureuser/.ssh/authorized_keys", "keyData": RSA_KEY}]},
            "patchSettings": settings}},
        "networkProfile": {"networkInterfaces": [{"id": "/subscriptions/x/resourceGroups/rg/providers/"
                                                        "Microsoft.Network/networkInterfaces/nic"}]}}}


EXPECTED_SETTINGS = {
    "2020-06-01": None,
    "2020-12-01": {"patchMode": "AutomaticByPlatform"},
    "2021-03-01": {"patchMode": "AutomaticByPlatform", "assessmentMode": "AutomaticByPlatform"},
    "2024-07-01": {"patchMode": "AutomaticByPlatform", "assessmentMode": "AutomaticByPlatform",
                   "automaticByPlatformSettings": {"rebootSetting": "IfRequired",
                                                   "bypassPlatformSafetyChecksOnUserSchedule": False}},
}


@pytest.mark.parametrize("api_version", list(EXPECTED_SETTINGS))
def test_linux_patch_settings_in_each_api_versions_shape(today, api_version):
    put = _rest(today, "put", f"{VMS}/v?api-version=2024-07-01",
                _rest_body("AutomaticByPlatform", "AutomaticByPlatform"))
    assert put.exit_code == 0, put.stderr
    shown = _rest(today, "get", f"{VMS}/v?api-version={api_version}").json
    linux = shown["properties"]["osProfile"]["linuxConfiguration"]
    assert linux.get("patchSettings") == EXPECTED_SETTINGS[api_version]
    assert linux["ssh"]["publicKeys"][0]["keyData"] == RSA_KEY and linux["disablePasswordAuthentication"] is True
    assert spec_check.check("compute", "VirtualMachine", shown, api_version=api_version) == []


def test_an_older_api_version_put_refuses_what_it_does_not_know(today):
    """A 2020-12-01 PUT carrying assessmentMode (a 2021-03-01 field): Compute's 2020-12-01 request model has no
    such member and refuses it (400 InvalidRequestContent, "Could not find member", as for any property newer
    than the api-version: README, api-versions); without the newer members (automaticByPlatformSettings is
    newer too) the same PUT is accepted, and assessmentMode takes its default."""
    body = _rest_body("AutomaticByPlatform", "AutomaticByPlatform")
    put = _rest(today, "put", f"{VMS}/v?api-version=2020-12-01", body)
    assert put.exit_code != 0
    assert "InvalidRequestContent" in put.stderr and "Could not find member 'assessmentMode'" in put.stderr
    assert today("vm", "show", "-g", "rg", "-n", "v").exit_code == 3  # nothing created
    body["properties"]["osProfile"]["linuxConfiguration"]["patchSettings"] = {"patchMode": "AutomaticByPlatform"}
    put = _rest(today, "put", f"{VMS}/v?api-version=2020-12-01", body)
    assert put.exit_code == 0, put.stderr
    assert put.json["properties"]["osProfile"]["linuxConfiguration"]["patchSettings"] == {
        "patchMode": "AutomaticByPlatform"}
    assert _settings(today)["assessmentMode"] == "ImageDefault"


SPEC_EXAMPLES = [
    ("compute-2020-12-01", "CreateALinuxVmWithPatchSettingModeOfAutomaticByPlatform.json"),
    ("compute-2020-12-01", "CreateALinuxVmWithPatchSettingModeOfImageDefault.json"),
    ("compute-2021-03-01", "CreateALinuxVmWithPatchSettingModesOfAutomaticByPlatform.json"),
    ("compute-2021-03-01", "CreateALinuxVmWithPatchSettingAssessmentModeOfImageDefault.json"),
    ("compute-2024-07-01", "VirtualMachine_Create_LinuxVmWithAutomaticByPlatformSettings.json"),
    ("compute-2024-07-01", "VirtualMachine_Create_LinuxVmWithPatchSettingModesOfAutomaticByPlatform.json"),
]


def _example(folder: str, name: str) -> dict:
    base = spec_check.SPEC_DIR
    path = base / "examples" / folder / name
    if not path.is_file():
        path = base / folder / "ComputeRP" / "stable" / folder.removeprefix("compute-") / "examples" / \
            "virtualMachineExamples" / name
    return json.loads(path.read_text())


@pytest.mark.parametrize(("folder", "name"), SPEC_EXAMPLES)
def test_the_specs_linux_examples_are_accepted_and_answered_in_shape(today, folder, name):
    example = _example(folder, name)
    api_version = example["parameters"]["api-version"]
    body = copy.deepcopy(example["parameters"]["parameters"])
    body["location"] = "eastus"
    body["properties"]["osProfile"]["adminPassword"] = PASSWORD
    body["properties"]["osProfile"]["adminUsername"] = "azureuser"
    for nic in body["properties"]["networkProfile"]["networkInterfaces"]:
        nic["id"] = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic"
    body["properties"].pop("diagnosticsProfile", None)
    put = _rest(today, "put", f"{VMS}/myVM?api-version={api_version}", body)
    assert put.exit_code == 0, put.stderr
    expected = example["responses"]["200"]["body"]["properties"]["osProfile"]["linuxConfiguration"]["patchSettings"]
    got = put.json["properties"]["osProfile"]["linuxConfiguration"]["patchSettings"]
    assert {k: v for k, v in got.items() if k in expected} == expected
    assert spec_check.check("compute", "VirtualMachine", put.json, api_version=api_version) == []


def test_the_image_table_and_the_linux_catalog_agree():
    """Every image the platform patches maps to a distribution the Linux catalog has, under the same key."""
    from autopatch_cli.azure import images, linux

    for image in images.LINUX_IMAGES:
        catalog_key = linux.distro_of(image.publisher, image.offer, image.sku)
        if image.patched:
            assert catalog_key == image.distro, image
            assert linux.supports_auto_patch(image.publisher, image.offer, image.sku), image
        elif catalog_key is not None:
            assert catalog_key == image.distro, image


# ---- the instance view's osName/osVersion: what the Linux agent reports --------------------------------

# (image, osName, osVersion) as WALinuxAgent's get_distro() reports them (azure/images.py, linux_os)
AGENT_REPORTS = [
    ("Ubuntu2204", "ubuntu", "22.04"), ("Ubuntu2404", "ubuntu", "24.04"), (UBUNTU_1804, "ubuntu", "18.04"),
    ("Debian12", "debian", "12"), ("RHELRaw8LVMGen2", "redhat", "8.0"), ("RedHat:RHEL:8_10:latest", "redhat", "8.10"),
    ("RedHat:RHEL:7_9:latest", "redhat", "7.9"), ("RedHat:RHEL:9_4:latest", "rhel", "9.4"),
    ("SUSE:sles-12-sp5:gen2:latest", "suse", "12"), ("SuseSles15SP5", "sles", "15.5"),
    ("SUSE:sles-sap-15-sp4:gen2:latest", "sles", "15.4"), ("OpenSuseLeap154Gen2", "opensuse-leap", "15.4"),
    ("MicrosoftCBLMariner:cbl-mariner:cbl-mariner-2-gen2:latest", "mariner", "2.0"),
    ("MicrosoftCBLMariner:azure-linux-3:azure-linux-3-gen2:latest", "azurelinux", "3.0"),
    ("almalinux:almalinux-x86_64:9-gen2:latest", "almalinux", "9.0"), ("CentOS85Gen2", "centos", "8.5.2111"),
]


@pytest.mark.parametrize(("image", "os_name", "os_version"), AGENT_REPORTS)
def test_a_linux_instance_view_names_the_os_as_the_linux_agent_reports_it(cli, image, os_name, os_version):
    today = _at(cli, "2025-01-01T00:00:00Z")  # Azure Linux 3 is on the marketplace
    assert _linux(today, "v", image).exit_code == 0
    view = today("vm", "get-instance-view", "-g", "rg", "-n", "v").json["instanceView"]
    assert (view["osName"], view["osVersion"]) == (os_name, os_version)
    rest = _rest(today, "get", f"{VMS}/v/instanceView?api-version=2024-07-01").json
    assert (rest["osName"], rest["osVersion"]) == (os_name, os_version)


def test_without_the_agent_nothing_reports_the_os(today):
    assert _linux(today, "v", "Ubuntu2204", "--enable-agent", "false").exit_code == 0
    view = today("vm", "get-instance-view", "-g", "rg", "-n", "v").json["instanceView"]
    assert "osName" not in view and "osVersion" not in view and "vmAgent" not in view
    windows = today("vm", "create", "-g", "rg", "-n", "w", "--image", "Win2022AzureEdition", "--admin-password",
                    PASSWORD, "--enable-agent", "false")
    assert windows.exit_code == 0, windows.stderr
    view = today("vm", "get-instance-view", "-g", "rg", "-n", "w").json["instanceView"]
    assert "osName" not in view and "osVersion" not in view
    assert today("vm", "create", "-g", "rg", "-n", "w2", "--image", "Win2022AzureEdition", "--admin-password",
                 PASSWORD).exit_code == 0
    view = today("vm", "get-instance-view", "-g", "rg", "-n", "w2").json["instanceView"]
    assert (view["osName"], view["osVersion"]) == ("Windows Server 2022 Datacenter Azure Edition",
                                                   "Microsoft Windows NT 10.0.20348.0")
