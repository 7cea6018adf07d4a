"""Every JSON document autopatch prints in an Azure shape fits Azure's own spec definitions (tests/spec/).

The checker (tests/spec_check.py) is itself tested at the bottom: Azure's examples and real az output
pass, and broken documents do not.
"""

from __future__ import annotations

import copy
import json

import pytest
from helpers import PASSWORD
from spec_check import SPEC_DIR, check, check_schema, example_requests, example_responses

from autopatch_cli.models.versions import API_VERSIONS, NEWEST, for_api_version

COMPUTE = "compute"
FEATURES = "features-2015-12-01.json"
RESOURCES = "resources-2020-06-01.json"
FEATURE = ("--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview")


# HardwareProfile.vmSize (x-ms-enum VirtualMachineSizeTypes) lists the sizes of 2021; the spec itself says
# the enum is deprecated and that sizes depend on the region. autopatch defaults to az 2.91's size.
NEWER_VM_SIZES = {"VirtualMachineSizeTypes": {"Standard_D2s_v5", "Standard_D4s_v5"}}


def fits(document, definition="VirtualMachine", spec=COMPUTE, api_version=NEWEST, az_view=True):
    problems = check(spec, definition, document, az_view=az_view, api_version=api_version,
                     extra_enum_values=NEWER_VM_SIZES)
    assert problems == [], "\n".join(problems)


def ok(cli_result):
    assert cli_result.exit_code == 0, cli_result.stderr
    return cli_result.json


# ---- a realistic store, built through the CLI ----------------------------------------------------

WINDOWS = ("--image", "Win2019Datacenter", "--admin-password", PASSWORD)
FLEET = {
    # name: extra vm create arguments
    "byPlatform": (*WINDOWS, "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform",
                   "--zone", "2", "--tags", "env=prod", "team=ops"),
    "byOS": (*WINDOWS, "--patch-mode", "AutomaticByOS", "--availability-set", "avset",
             "--time-zone", "Pacific Standard Time"),
    "manual": (*WINDOWS, "--enable-auto-update", "false", "--patch-mode", "Manual", "--availability-set", "avset"),
    "plain2016": ("--image", "Win2016Datacenter", "--admin-password", PASSWORD, "--size", "Standard_D4s_v5"),
    "ubuntu": ("--image", "Canonical:UbuntuServer:18.04-LTS:latest", "--admin-username", "azureuser", "--admin-password", PASSWORD),
    "stopped": (*WINDOWS, "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform"),
}


@pytest.fixture
def fleet(opted_in):
    cli = opted_in
    ok(cli("vm", "availability-set", "create", "-g", "rg", "-n", "avset", "--platform-fault-domain-count", "2"))
    for name, extra in FLEET.items():
        ok(cli("vm", "create", "-g", "rg", "-n", name, *extra))
    assert cli("vm", "stop", "-g", "rg", "-n", "stopped").exit_code == 0
    assert cli("vm", "deallocate", "-g", "rg", "-n", "plain2016").exit_code == 0
    ok(cli("vm", "update", "-g", "rg", "-n", "byOS", "--set",
           "osProfile.windowsConfiguration.patchSettings.patchMode=AutomaticByPlatform",
           "osProfile.windowsConfiguration.patchSettings.assessmentMode=AutomaticByPlatform",
           "diagnosticsProfile.bootDiagnostics.enabled=true", "licenseType=Windows_Server"))
    assert cli("tick", "--hours", "30").exit_code == 0
    return cli


# ---- what the CLI prints -----------------------------------------------------------------------


def test_vm_show_and_list(fleet):
    shown = {name: ok(fleet("vm", "show", "-g", "rg", "-n", name)) for name in FLEET}
    for vm in shown.values():
        fits(vm)
    # the fleet is as varied as it claims
    assert shown["byPlatform"]["zones"] == ["2"] and shown["byPlatform"]["tags"] == {"env": "prod", "team": "ops"}
    assert shown["byOS"]["osProfile"]["windowsConfiguration"]["timeZone"] == "Pacific Standard Time"
    assert shown["byOS"]["availabilitySet"]["id"].lower().endswith("/availabilitysets/avset")
    modes = {n: vm["osProfile"].get("windowsConfiguration", vm["osProfile"].get("linuxConfiguration"))
             ["patchSettings"]["patchMode"] for n, vm in shown.items()}
    assert set(modes.values()) == {"AutomaticByPlatform", "AutomaticByOS", "Manual", "ImageDefault"}
    listed = ok(fleet("vm", "list", "-g", "rg"))
    assert len(listed) == len(FLEET)
    for vm in listed:
        fits(vm)
    assert ok(fleet("vm", "list")) == listed


def test_vm_update_output(fleet):
    updated = ok(fleet("vm", "update", "-g", "rg", "-n", "byPlatform", "--set", "tags.owner=me",
                       "hardwareProfile.vmSize=Standard_D4s_v5"))
    fits(updated)
    linux = ok(fleet("vm", "update", "-g", "rg", "-n", "ubuntu", "--set",
                     "osProfile.linuxConfiguration.patchSettings.assessmentMode=ImageDefault"))
    fits(linux)
    disks = ok(fleet("vm", "update", "-g", "rg", "-n", "plain2016", "--add", "storageProfile.dataDisks",
                     "lun=0", "createOption=Empty", "diskSizeGB=10", "--set", "tags.count=3",
                     "osProfile.windowsConfiguration.patchSettings.enableHotpatching=false"))
    assert disks["storageProfile"]["dataDisks"][0]["lun"] == 0
    fits(disks)


def test_vm_get_instance_view(fleet):
    power = {}
    for name in FLEET:
        view = ok(fleet("vm", "get-instance-view", "-g", "rg", "-n", name))
        assert "instanceView" in view and "osProfile" in view and view["resourceGroup"] == "rg"
        fits(view)
        power[name] = view["instanceView"]["statuses"][1]["code"]
    assert power["stopped"] == "PowerState/stopped" and power["plain2016"] == "PowerState/deallocated"
    assert power["byPlatform"] == "PowerState/running"


def test_availability_set_show_and_list(fleet):
    shown = ok(fleet("vm", "availability-set", "show", "-g", "rg", "-n", "avset"))
    assert len(shown["virtualMachines"]) == 2
    # (the 2024-07-01 copy holds the VM files only; availability sets are drawn as in 2021-03-01)
    fits(shown, "AvailabilitySet", api_version="2021-03-01")
    for avset in ok(fleet("vm", "availability-set", "list", "-g", "rg")):
        fits(avset, "AvailabilitySet", api_version="2021-03-01")


def test_availability_set_create_output(opted_in):
    created = ok(opted_in("vm", "availability-set", "create", "-g", "rg", "-n", "set2", "--tags", "a=b"))
    fits(created, "AvailabilitySet", api_version="2021-03-01")


def test_feature_register_show_list(cli):
    registered = ok(cli("feature", "register", *FEATURE))
    fits(registered, "FeatureResult", FEATURES, api_version=None)
    fits(ok(cli("feature", "show", *FEATURE)), "FeatureResult", FEATURES, api_version=None)
    ok(cli("tick", "--minutes", "15"))
    fits(ok(cli("feature", "show", *FEATURE)), "FeatureResult", FEATURES, api_version=None)
    unregistered = ok(cli("feature", "unregister", *FEATURE))
    fits(unregistered, "FeatureResult", FEATURES, api_version=None)
    for args in ((), ("--namespace", "Microsoft.Compute")):
        listed = ok(cli("feature", "list", *args))
        assert listed
        for feature in listed:
            fits(feature, "FeatureResult", FEATURES, api_version=None)


def test_provider_show_and_list(opted_in):
    shown = ok(opted_in("provider", "show", "--namespace", "Microsoft.Compute"))
    assert shown["registrationState"] == "Registered"
    fits(shown, "Provider", RESOURCES, api_version=None)
    never = ok(opted_in("provider", "show", "-n", "Microsoft.Features"))
    fits(never, "Provider", RESOURCES, api_version=None)
    for provider in ok(opted_in("provider", "list")):
        fits(provider, "Provider", RESOURCES, api_version=None)


def test_group_create_show_list(cli):
    created = ok(cli("group", "create", "-n", "rg1", "-l", "westeurope", "--tags", "env=test"))
    fits(created, "ResourceGroup", RESOURCES, api_version=None)
    fits(ok(cli("group", "show", "-n", "rg1")), "ResourceGroup", RESOURCES, api_version=None)
    for group in ok(cli("group", "list")):
        fits(group, "ResourceGroup", RESOURCES, api_version=None)


# ---- the ops layer: every api-version's wire shape ------------------------------------------------


def stored_records(state_path) -> list[dict]:
    from autopatch_cli.ops import vms
    from autopatch_cli.ops.session import Session

    return vms.list_records(Session(state_path).reader())


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_every_stored_vm_at_every_api_version(fleet, state_path, api_version):
    from autopatch_cli.ops import vms

    records = stored_records(state_path)
    assert len(records) == len(FLEET)
    for record in records:
        name = record["vm"]["name"]
        vm = for_api_version(vms.resource(record), api_version)
        fits(vm, api_version=api_version, az_view=False)
        view = for_api_version(vms.instance_view(record), api_version, root="instanceView")
        fits(view, "VirtualMachineInstanceView", api_version=api_version, az_view=False)
        expanded = for_api_version(vms.with_instance_view(record), api_version)
        fits(expanded, api_version=api_version, az_view=False)
        if api_version == "2020-06-01":
            assert "configurationStatuses" not in json.dumps(view), name
            assert "assessmentMode" not in json.dumps(vm) and "deleteOption" not in json.dumps(vm), name
        if name == "ubuntu":
            linux = vm["properties"]["osProfile"]["linuxConfiguration"]
            assert ("patchSettings" in linux) == (api_version != "2020-06-01")


# ---- patch results: the renames between 2020-06-01 and 2020-12-01 ----------------------------------

TIME = "2020-10-14T09:27:14.2556154Z"


def assess_result() -> dict:
    from autopatch_cli.models.compute import (
        VirtualMachineAssessPatchesResult,
        VirtualMachineSoftwarePatchProperties,
    )

    patches = [
        VirtualMachineSoftwarePatchProperties(
            patchId="35428702-5784-4ba4-a6e0-5222258b5411", name="2020-10 Cumulative Update (KB4577668)",
            version="", kbId="4577668", classifications=["Security Updates"], rebootBehavior="CanRequestReboot",
            activityId="68f8b292-dfc2-4646-9781-33cc88631968", publishedDate="2020-10-13T00:00:00Z",
            lastModifiedDateTime=TIME, assessmentState="Available",
        ),
        VirtualMachineSoftwarePatchProperties(
            patchId="39f9cdd1-795c-4d0d-8c0a-73ab3f31746d", name="Windows Malicious Software Removal Tool",
            version="", kbId="890830", classifications=["Update Rollups"], rebootBehavior="NeverReboots",
            activityId="68f8b292-dfc2-4646-9781-33cc88631968", publishedDate="2020-10-13T00:00:00Z",
            lastModifiedDateTime=TIME, assessmentState="Available",
        ),
    ]
    return VirtualMachineAssessPatchesResult(
        status="Succeeded", assessmentActivityId="68f8b292-dfc2-4646-9781-33cc88631968", rebootPending=False,
        criticalAndSecurityPatchCount=1, otherPatchCount=1, startDateTime=TIME, availablePatches=patches,
    ).wire()


def patch_status() -> dict:
    from autopatch_cli.models.compute import (
        ApiError,
        ApiErrorBase,
        AvailablePatchSummary,
        InstanceViewStatus,
        LastPatchInstallationSummary,
        VirtualMachinePatchStatus,
    )

    return VirtualMachinePatchStatus(
        availablePatchSummary=AvailablePatchSummary(
            status="Succeeded", assessmentActivityId="68f8b292-dfc2-4646-9781-33cc88631968", rebootPending=True,
            criticalAndSecurityPatchCount=1, otherPatchCount=2, startTime=TIME, lastModifiedTime=TIME,
        ),
        lastPatchInstallationSummary=LastPatchInstallationSummary(
            status="CompletedWithWarnings", installationActivityId="0d4f35c6-3a2b-4e5a-9f7d-2b1c3d4e5f60",
            maintenanceWindowExceeded=False, rebootStatus="Completed", notSelectedPatchCount=0,
            excludedPatchCount=1, pendingPatchCount=0, installedPatchCount=3, failedPatchCount=1,
            startTime=TIME, lastModifiedTime=TIME, startedBy="Platform",
            error=ApiError(code="PatchInstallationFailed", message="1 patch failed to install.",
                           details=[ApiErrorBase(code="PatchFailed", target="KB4577668", message="0x80240022")]),
        ),
        configurationStatuses=[
            InstanceViewStatus(code="PatchModeConfigurationState/Ready", level="Info",
                               displayStatus="Status_PatchModeConfigurationState_Ready", time=TIME),
        ],
    ).wire()


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_assess_patches_result_renames(api_version):
    document = for_api_version(assess_result(), api_version)
    fits(document, "VirtualMachineAssessPatchesResult", api_version=api_version, az_view=False)
    old = api_version == "2020-06-01"
    patches = document["patches" if old else "availablePatches"]
    assert ("availablePatches" in document, "patches" in document) == (not old, old)
    assert [p["kbid" if old else "kbId"] for p in patches] == ["4577668", "890830"]
    assert all(("kbId" in p, "kbid" in p) == (not old, old) for p in patches)
    # the same document is wrong for the other era: the renames are needed
    other = "2020-12-01" if old else "2020-06-01"
    assert check(COMPUTE, "VirtualMachineAssessPatchesResult", document, api_version=other)


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_last_patch_installation_summary_renames(api_version):
    document = for_api_version(patch_status(), api_version, root="patchStatus")
    fits(document, "VirtualMachinePatchStatus", api_version=api_version, az_view=False)
    summary = document["lastPatchInstallationSummary"]
    old = api_version == "2020-06-01"
    assert ("rebootStatus" in summary, "startedBy" in summary) == (old, old)
    assert ("configurationStatuses" in document) == (not old)
    assert summary["error"]["details"][0]["target"] == "KB4577668"
    # and inside a whole instance view, and a whole VM with $expand=instanceView
    from autopatch_cli.models.compute import VirtualMachineInstanceView

    view = VirtualMachineInstanceView(computerName="vm1", osName="Windows Server 2019 Datacenter",
                                      platformUpdateDomain=0, platformFaultDomain=0).wire()
    view["patchStatus"] = patch_status()
    wire_view = for_api_version(view, api_version, root="instanceView")
    fits(wire_view, "VirtualMachineInstanceView", api_version=api_version, az_view=False)
    assert ("rebootStatus" in wire_view["patchStatus"]["lastPatchInstallationSummary"]) == old
    vm = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
          "name": "vm1", "type": "Microsoft.Compute/virtualMachines", "location": "eastus",
          "properties": {"vmId": "0b0f6e4e-2b8e-4b3f-9a36-6c1d1c4c9a11", "instanceView": view}}
    fits(for_api_version(vm, api_version), api_version=api_version, az_view=False)


@pytest.mark.parametrize("api_version", API_VERSIONS)
def test_unknown_enum_values_at_every_api_version(api_version):
    """"Unknown" arrived in 2020-12-01 (PatchOperationStatus, rebootBehavior, assessmentState)."""
    result = assess_result()
    result["status"] = "Unknown"
    result["availablePatches"][0].update(rebootBehavior="Unknown", assessmentState="Unknown")
    status = patch_status()
    status["availablePatchSummary"]["status"] = "Unknown"
    status["lastPatchInstallationSummary"]["status"] = "Unknown"
    wire_result = for_api_version(result, api_version)
    wire_status = for_api_version(status, api_version, root="patchStatus")
    fits(wire_result, "VirtualMachineAssessPatchesResult", api_version=api_version, az_view=False)
    fits(wire_status, "VirtualMachinePatchStatus", api_version=api_version, az_view=False)
    assert ("Unknown" in json.dumps([wire_result, wire_status])) == (api_version != "2020-06-01")


@pytest.mark.parametrize("api_version", API_VERSIONS[1:])
def test_install_patches_result(api_version):
    from autopatch_cli.models.compute import PatchInstallationDetail, VirtualMachineInstallPatchesResult

    result = VirtualMachineInstallPatchesResult(
        status="Succeeded", installationActivityId="68f8b292-dfc2-4646-9781-33cc88631968", rebootStatus="Completed",
        maintenanceWindowExceeded=False, excludedPatchCount=0, notSelectedPatchCount=0, pendingPatchCount=0,
        installedPatchCount=1, failedPatchCount=0, startDateTime=TIME,
        patches=[PatchInstallationDetail(patchId="35428702-5784-4ba4-a6e0-5222258b5411", name="KB4577668",
                                         version="", kbId="4577668", classifications=["Security"],
                                         installationState="Installed")],
    ).wire()
    fits(for_api_version(result, api_version), "VirtualMachineInstallPatchesResult", api_version=api_version,
         az_view=False)


# ---- the checker itself ----------------------------------------------------------------------------

SPECS = sorted(p.name for p in SPEC_DIR.glob("*.json") if not p.name.startswith("common-types"))


@pytest.mark.parametrize("spec", SPECS)
def test_checker_passes_azures_own_examples(spec):
    checked = {}
    for file, status, schema, body in example_responses(spec):
        problems = check_schema(spec, schema, body)
        assert problems == [], f"{file.name} {status}: " + "\n".join(problems)
        checked[file.name] = status
    expected = {
        "compute-2020-06-01.json": {"GetVirtualMachine.json", "GetVirtualMachineInstanceView.json",
                                    "VirtualMachineAssessPatches.json"},
        "compute-2020-12-01.json": {"GetVirtualMachineInstanceView.json", "VirtualMachineInstallPatches.json",
                                    "VirtualMachineAssessPatches.json"},
        "compute-2021-03-01.json": {"GetVirtualMachineInstanceView.json", "VirtualMachineInstallPatches.json",
                                    "VirtualMachineAssessPatches.json"},
        "features-2015-12-01.json": {"getFeature.json", "registerFeature.json", "listProviderFeatures.json"},
        "resources-2020-06-01.json": {"GetNamedProviderAtTenant.json"},
    }[spec]
    assert expected <= set(checked)
    assert len(checked) == len(list((SPEC_DIR / "examples" / spec.removesuffix(".json")).glob("*.json")))


@pytest.mark.parametrize("spec", SPECS)
def test_checker_passes_azures_example_requests(spec):
    bodies = list(example_requests(spec))
    assert bodies or spec.startswith(("features", "resources"))
    for file, schema, body in bodies:
        problems = check_schema(spec, schema, body)
        assert problems == [], f"{file.name} request: " + "\n".join(problems)


AZ_291 = {
    "az-2.91-vm-get-instance-view.json": "VirtualMachine",
    "az-2.91-vm-assess-patches.json": "VirtualMachineAssessPatchesResult",
    "az-2.91-vm-install-patches.json": "VirtualMachineInstallPatchesResult",
}


@pytest.mark.parametrize("name", sorted(AZ_291))
def test_checker_passes_real_az_output(name):
    document = json.loads((SPEC_DIR / "az-output" / name).read_text())
    assert check(COMPUTE, AZ_291[name], document, az_view=True, api_version=NEWEST) == []


def test_checker_needs_az_view_for_az_output():
    document = json.loads((SPEC_DIR / "az-output" / "az-2.91-vm-get-instance-view.json").read_text())
    problems = check(COMPUTE, "VirtualMachine", document, api_version=NEWEST)
    assert "$.osProfile: key not declared by the schema" in problems
    assert "$.resourceGroup: key not declared by the schema" in problems
    wrong_group = dict(document, resourceGroup="otherGroup")
    assert check(COMPUTE, "VirtualMachine", wrong_group, az_view=True, api_version=NEWEST) == [
        "$.resourceGroup: 'otherGroup' is not the group of id "
        "'/subscriptions/{subscription-id}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachines/myVM'"]


def broken_instance_view() -> dict:
    example = json.loads((SPEC_DIR / "examples" / "compute-2020-06-01" / "GetVirtualMachineInstanceView.json").read_text())
    view = copy.deepcopy(example["responses"]["200"]["body"])
    view["colour"] = "blue"                                              # unknown key
    view["platformFaultDomain"] = "1"                                    # string for int32
    view["platformUpdateDomain"] = 2**31                                 # out of the int32 range
    view["statuses"][0]["level"] = "Verbose"                             # not a StatusLevelTypes value
    view["statuses"][0]["time"] = "2019-10-14 21:30:12"                  # not RFC 3339
    view["patchStatus"]["availablePatchSummary"]["status"] = "Done"      # not a PatchOperationStatus (MAS)
    view["patchStatus"]["availablePatchSummary"]["rebootPending"] = "yes"
    view["patchStatus"]["lastPatchInstallationSummary"]["startTime"] = "2020-13-40T00:00:00Z"
    view["disks"] = {"name": "not a list"}
    view["vmAgent"]["statuses"] = [["nested"]]
    return view


def test_checker_reports_broken_documents():
    problems = check(COMPUTE, "VirtualMachineInstanceView", broken_instance_view(), api_version="2020-06-01")
    expected = [
        "$.colour: key not declared",
        "$.platformFaultDomain: expected integer, got string",
        "$.platformUpdateDomain: 2147483648 is out of the int32 range",
        "$.statuses[0].level: 'Verbose' is not a value of StatusLevelTypes",
        "$.statuses[0].time: '2019-10-14 21:30:12' is not an RFC 3339 date-time",
        "$.patchStatus.availablePatchSummary.status: 'Done' is not a value of PatchOperationStatus",
        "$.patchStatus.availablePatchSummary.rebootPending: expected boolean, got string",
        "$.patchStatus.lastPatchInstallationSummary.startTime: '2020-13-40T00:00:00Z' is not an RFC 3339",
        "$.disks: expected array, got object",
        "$.vmAgent.statuses[0]: expected object, got array",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)
    assert len(problems) == len(expected), problems


def only(problems: list[str], start: str) -> bool:
    return len(problems) == 1 and problems[0].startswith(start)


def test_checker_strictness_details():
    def vm(**props):
        return {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/v",
                "location": "eastus", "properties": props}

    assert check(COMPUTE, "VirtualMachine", vm(vmId=None), api_version=NEWEST) == []  # null is accepted
    # additionalProperties with a schema, array items, a nested property
    assert only(check(COMPUTE, "VirtualMachine", {"tags": {"a": 1}}, api_version=NEWEST),
                "$.tags.a: expected string, got integer")
    assert only(check(COMPUTE, "VirtualMachine", {"zones": [1]}, api_version=NEWEST),
                "$.zones[0]: expected string, got integer")
    assert only(check(COMPUTE, "VirtualMachine", vm(licenseType=True), api_version=NEWEST),
                "$.properties.licenseType: expected string, got boolean")
    # a modelAsString enum is still checked
    mode = vm(osProfile={"windowsConfiguration": {"patchSettings": {"patchMode": "Sometimes"}}})
    assert len(check(COMPUTE, "VirtualMachine", mode, api_version=NEWEST)) == 1
    # a version-specific key fails on the older version
    hot = vm(osProfile={"windowsConfiguration": {"patchSettings": {"enableHotpatching": True}}})
    assert check(COMPUTE, "VirtualMachine", hot, api_version="2020-12-01") == []
    assert check(COMPUTE, "VirtualMachine", hot, api_version="2020-06-01") == [
        "$.properties.osProfile.windowsConfiguration.patchSettings.enableHotpatching: key not declared by the schema"]
    # flattened keys and resourceGroup only with az_view
    flat = {"id": vm()["id"], "vmId": "x", "resourceGroup": "rg"}
    assert len(check(COMPUTE, "VirtualMachine", flat, api_version=NEWEST)) == 2
    assert check(COMPUTE, "VirtualMachine", flat, az_view=True, api_version=NEWEST) == []
    # $ref into the common-types file (ErrorResponse of resources' CloudError)
    cloud_error = {"error": {"code": "NotFound", "details": [{"code": 1}], "additionalInfo": [{"info": {}}]}}
    assert only(check(RESOURCES, "CloudError", cloud_error), "$.error.details[0].code: expected string, got integer")
    # the api-version must be the spec's
    assert check("compute-2020-06-01.json", "VirtualMachine", {}, api_version="2021-03-01")
