"""az vm assess-patches / install-patches: az's flags, az's client-side checks, az's output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import PASSWORD
from test_bad_input import assert_refused

SPEC = Path(__file__).parent / "spec"
INSTALL = ("vm", "install-patches", "-g", "rg", "-n", "vm", "--maximum-duration", "PT2H", "--reboot-setting",
           "IfRequired", "--classifications-to-include-win", "Critical", "Security")


def opted_in_steps(group: str) -> tuple[tuple[str, ...], ...]:
    """A group, both preview features registered, and Microsoft.Compute registered again."""
    return (
        ("group", "create", "-n", group, "-l", "eastus"),
        ("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview"),
        ("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestPatchVMPreview"),
        ("tick", "--minutes", "15"),
        ("provider", "register", "--namespace", "Microsoft.Compute"),
    )


def run_all(cli, *steps) -> None:
    for args in steps:
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)


@pytest.fixture
def vm(cli, state_path):
    """A Windows VM (AutomaticByOS) in a subscription opted in to on-demand assessment."""
    run_all(cli, *opted_in_steps("rg"),
            ("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter", "--admin-password", PASSWORD))
    return state_path


def _sample_keys(name: str) -> set[str]:
    return set(json.loads((SPEC / "az-output" / name).read_text()))


def test_assess_prints_the_result_as_az_does(cli, vm):
    before = cli("clock", "show").json["now"]
    result = cli("vm", "assess-patches", "-g", "rg", "-n", "vm")
    assert result.exit_code == 0, result.stderr
    data = result.json
    assert data["status"] == "Succeeded"
    assert set(data) <= _sample_keys("az-2.91-vm-assess-patches.json") | {"error"}
    assert "patches" not in data and "availablePatches" in data  # newest shape (2020-12-01+)
    assert cli("clock", "show").json["now"] > before  # waited for the long-running operation
    summary = cli("vm", "get-instance-view", "-g", "rg", "-n", "vm").json["instanceView"]["patchStatus"][
        "availablePatchSummary"]
    assert summary["assessmentActivityId"] == data["assessmentActivityId"]


def test_assess_table(cli, vm):
    result = cli("vm", "assess-patches", "-g", "rg", "--vm-name", "vm", "-o", "table")
    header = sorted(result.stdout.splitlines()[0].split())  # az's automatic table: the scalar fields
    assert header == ["AssessmentActivityId", "CriticalAndSecurityPatchCount", "OtherPatchCount", "RebootPending",
                      "StartDateTime", "Status"]


def test_assess_no_wait_then_vm_wait(cli, vm):
    before = cli("clock", "show").json["now"]
    result = cli("vm", "assess-patches", "-g", "rg", "-n", "vm", "--no-wait")
    assert (result.exit_code, result.stdout) == (0, "")
    assert cli("clock", "show").json["now"] == before
    waited = cli("vm", "wait", "-g", "rg", "-n", "vm", "--custom",
                 "instanceView.patchStatus.availablePatchSummary.status=='Succeeded'", "--interval", "10")
    assert (waited.exit_code, waited.stdout) == (0, "")
    assert cli("clock", "show").json["now"] > before


def test_assess_ids(cli, vm):
    vm_id = cli("vm", "show", "-g", "rg", "-n", "vm", "--query", "id", "-o", "tsv").stdout.strip()
    result = cli("vm", "assess-patches", "--ids", vm_id)
    assert result.exit_code == 0 and result.json["status"] == "Succeeded"


def test_install_prints_the_result_as_az_does(cli, vm):
    result = cli(*INSTALL)
    assert result.exit_code == 0, result.stderr
    data = result.json
    assert set(data) <= _sample_keys("az-2.91-vm-install-patches.json") | {"error"}
    assert data["status"] in ("Succeeded", "CompletedWithWarnings", "Failed")
    table = cli(*INSTALL, "-o", "table")
    assert table.exit_code == 0, table.stderr
    header = set(table.stdout.splitlines()[0].split())
    assert {"Status", "InstalledPatchCount", "MaintenanceWindowExceeded", "StartDateTime"} <= header
    assert "Patches" not in header  # lists are left out of az's automatic table


@pytest.fixture
def sent(monkeypatch):
    """What the verb hands to the operations layer."""
    from autopatch_cli.ops import ondemand

    calls = []

    def install(state, group, name, parameters, wait=True):
        calls.append((group, name, parameters, wait))
        return None if not wait else {"status": "Succeeded"}

    monkeypatch.setattr(ondemand, "install", install)
    return calls


def test_install_body_is_the_spec_example(cli, vm, sent):
    example = json.loads((SPEC / "examples" / "compute-2020-12-01" / "VirtualMachineInstallPatches.json").read_text())
    body = example["parameters"]["installPatchesInput"]
    result = cli("vm", "install-patches", "-g", "rg", "-n", "vm", "--maximum-duration", "PT4H", "--reboot-setting",
                 "ifrequired", "--classifications-to-include-win", "critical", "SECURITY", "--max-patch-publish-date",
                 body["windowsParameters"]["maxPatchPublishDate"])
    assert result.exit_code == 0, result.stderr
    assert sent == [("rg", "vm", body, True)]  # enum values in az's canonical spelling


def test_install_all_windows_flags(cli, vm, sent):
    result = cli("vm", "install-patches", "-g", "rg", "-n", "vm", "--maximum-duration", "PT1H", "--reboot-setting",
                 "Never", "--kb-numbers-to-include", "KB1", "KB2", "--kb-numbers-to-exclude", "KB3",
                 "--exclude-kbs-requiring-reboot", "--no-wait")
    assert (result.exit_code, result.stdout) == (0, "")
    assert sent == [("rg", "vm", {"maximumDuration": "PT1H", "rebootSetting": "Never", "windowsParameters": {
        "kbNumbersToInclude": ["KB1", "KB2"], "kbNumbersToExclude": ["KB3"], "excludeKbsRequiringReboot": True}},
        False)]


def test_install_linux_flags_go_in_linux_parameters(cli, vm, sent):
    cli("vm", "install-patches", "-g", "rg", "-n", "vm", "--maximum-duration", "PT1H", "--reboot-setting", "Always",
        "--classifications-to-include-linux", "other", "--package-name-masks-to-include", "a_1", "b",
        "--package-name-masks-to-exclude", "c")
    assert sent[0][2] == {"maximumDuration": "PT1H", "rebootSetting": "Always", "linuxParameters": {
        "classificationsToInclude": ["Other"], "packageNameMasksToInclude": ["a_1", "b"],
        "packageNameMasksToExclude": ["c"]}}


# ---- bad input ---------------------------------------------------------------------------------

BASE = ("vm", "install-patches", "-g", "rg", "-n", "vm")


@pytest.mark.parametrize(
    ("args", "code", "needle", "azure_code"),
    [
        (BASE, 2, "the following arguments are required: --maximum-duration, --reboot-setting", None),
        ((*BASE, "--maximum-duration", "PT1H"), 2, "the following arguments are required: --reboot-setting", None),
        ((*BASE, "--maximum-duration", "PT1H", "--reboot-setting", "Sometimes"), 2,
         "'Sometimes' is not a valid value for '--reboot-setting'. Allowed values: Always, IfRequired, Never.", None),
        ((*BASE, "--maximum-duration", "PT1H", "--reboot-setting", "Never", "--classifications-to-include-win", "Bad"),
         2, "'Bad' is not a valid value for '--classifications-to-include-win'", None),
        ((*BASE, "--maximum-duration", "PT1H", "--reboot-setting", "Never", "--classifications-to-include-linux",
          "Critical", "Updates"), 2, "'Updates' is not a valid value for '--classifications-to-include-linux'", None),
        ((*BASE, "--maximum-duration", "PT1H", "--reboot-setting", "Never", "--exclude-kbs-requiring-reboot", "maybe"),
         2, "'maybe' is not a valid value for '--exclude-kbs-requiring-reboot'", None),
        ((*BASE, "--maximum-duration", "PT1H", "--reboot-setting", "Never", "--max-patch-publish-date", "yesterday"),
         2, "--max-patch-publish-date", None),
        ((*BASE, "--maximum-duration", "PT1H", "--reboot-setting", "Never", "--bogus"), 2, "unrecognized arguments",
         None),
        # Azure's rules, from the operations layer
        ((*BASE, "--maximum-duration", "PT1H", "--reboot-setting", "Never", "--classifications-to-include-linux",
          "Critical"), 1, "linuxParameters", "InvalidParameter"),
        ((*BASE, "--maximum-duration", "PT9H", "--reboot-setting", "Never", "--classifications-to-include-win",
          "Critical"), 1, "maximumDuration", "InvalidParameter"),
        ((*BASE, "--maximum-duration", "soon", "--reboot-setting", "Never", "--classifications-to-include-win",
          "Critical"), 1, "maximumDuration", "InvalidParameter"),
        (("vm", "install-patches", "-g", "rg", "-n", "ghost", "--maximum-duration", "PT1H", "--reboot-setting",
          "Never", "--classifications-to-include-win", "Critical"), 3, "ghost", "ResourceNotFound"),
        (("vm", "assess-patches", "-g", "rg", "-n", "ghost"), 3, "ghost", "ResourceNotFound"),
        (("vm", "assess-patches", "-g", "rg"), 1, "(--resource-group --name | --ids) are required", None),
        (("vm", "assess-patches", "--ids", "/subscriptions/x/resourceGroups/rg"), 1, "invalid resource ID", None),
    ],
    ids=["both-required", "reboot-required", "bad-reboot", "bad-win-class", "bad-linux-class", "bad-bool",
         "bad-date", "unknown-arg", "linux-params-on-windows", "duration-too-long", "duration-not-iso", "missing-vm",
         "assess-missing-vm", "assess-no-name", "assess-bad-id"],
)
def test_bad_input(cli, vm, args, code, needle, azure_code):
    assert_refused(cli, vm, args, code, needle, azure_code)


def test_assess_needs_the_on_demand_feature(cli, state_path):
    for args in (("group", "create", "-n", "rg", "-l", "eastus"),
                 ("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter", "--admin-password", PASSWORD)):
        assert cli(*args).exit_code == 0
    assert_refused(cli, state_path, ("vm", "assess-patches", "-g", "rg", "-n", "vm"), 1, "InGuestPatchVMPreview",
                   "SubscriptionNotRegisteredForFeature")


def test_powershell_assess_and_install(cli, vm):
    assessed = cli("Invoke-AzVmPatchAssessment", "-ResourceGroupName", "rg", "-VMName", "vm")
    assert assessed.exit_code == 0, assessed.stderr
    lines = assessed.stdout.splitlines()
    assert lines[1] == "Status                        : Succeeded"
    assert lines[-2] == "Error                         :" and lines[-1] == ""  # null: empty, as Format-List
    assert any(line.startswith("StartDateTime                 : ") and line.endswith("M") for line in lines)
    data = cli("Invoke-AzVMPatchAssessment", "rg", "vm", "-o", "json").json  # positional parameters
    assert data["Status"] == "Succeeded" and isinstance(data["AvailablePatches"], list)
    installed = cli("Invoke-AzVMInstallPatch", "-ResourceGroupName", "rg", "-VMName", "vm", "-Windows", "-RebootSetting",
                    "IfRequired", "-MaximumDuration", "PT2H", "-ClassificationToIncludeForWindows", "Critical,Security")
    assert installed.exit_code == 0, installed.stderr
    assert installed.stdout.splitlines()[1].startswith("Status                    : ")
    assert any(line.startswith("Patches                   : {") for line in installed.stdout.splitlines())


def test_powershell_install_refusals_come_from_azure(cli, vm):
    assert_refused(cli, vm, ("Invoke-AzVMInstallPatch", "-ResourceGroupName", "rg", "-VMName", "vm", "-Linux",
                             "-RebootSetting", "Never", "-MaximumDuration", "PT1H", "-ClassificationToIncludeForLinux",
                             "Critical"), 1, "linuxParameters", "InvalidParameter")
    assert_refused(cli, vm, ("Invoke-AzVMInstallPatch", "-ResourceGroupName", "rg", "-VMName", "vm", "-Windows",
                             "-RebootSetting", "Sometimes", "-MaximumDuration", "PT1H",
                             "-ClassificationToIncludeForWindows", "Critical"), 1, "rebootSetting", "InvalidParameter")


def test_assessment_during_the_extensions_enablement_runs(cli, state_path):
    """The guide: an on-demand assessment may be triggered at any time, also while the platform installs
    its patch extension (enablement takes hours); it is refused only while another patch operation runs."""
    run_all(cli, *opted_in_steps("rg2"),
            ("clock", "set", "2020-10-01T22:30:00Z"),  # inside the UTC VM's off-peak window
            ("vm", "create", "-g", "rg2", "-n", "p", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
             "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform"),
            ("tick", "--minutes", "15"))
    extension = cli("vm", "get-instance-view", "-g", "rg2", "-n", "p", "--query",
                    "instanceView.extensions[0].statuses[0].code").json
    assert extension == "ProvisioningState/transitioning"
    assessed = cli("vm", "assess-patches", "-g", "rg2", "-n", "p")
    assert assessed.exit_code == 0, assessed.stderr
    assert assessed.json["status"] == "Succeeded"
    started = cli("vm", "install-patches", "-g", "rg2", "-n", "p", "--maximum-duration", "PT2H", "--reboot-setting",
                  "IfRequired", "--classifications-to-include-win", "Critical", "Security", "--no-wait")
    assert started.exit_code == 0, started.stderr


def test_a_second_patch_operation_waits_for_the_first(cli, vm):
    started = cli("vm", "install-patches", "-g", "rg", "-n", "vm", "--maximum-duration", "PT2H", "--reboot-setting",
                  "IfRequired", "--classifications-to-include-win", "Critical", "Security", "--no-wait")
    assert started.exit_code == 0, started.stderr
    before = Path(vm).read_bytes()
    busy = cli("vm", "assess-patches", "-g", "rg", "-n", "vm")
    assert busy.exit_code == 1 and "(Conflict) A patch installation is in progress" in busy.stderr
    assert Path(vm).read_bytes() == before
    assert cli("tick", "--hours", "2").exit_code == 0
    assert cli("vm", "assess-patches", "-g", "rg", "-n", "vm").exit_code == 0


@pytest.mark.parametrize("windows_parameters, field", [
    ("x", "windowsParameters"),
    ({"kbNumbersToInclude": "2267602"}, "windowsParameters.kbNumbersToInclude"),
    ({"classificationsToInclude": "Critical"}, "windowsParameters.classificationsToInclude"),
    ({"classificationsToInclude": ["Critical"], "excludeKbsRequiringReboot": "yes"}, "excludeKbsRequiringReboot"),
])
def test_install_parameters_of_the_wrong_json_type_are_refused(vm, windows_parameters, field):
    from autopatch_cli.errors import AzureError
    from autopatch_cli.ops import ondemand
    from autopatch_cli.ops.session import Session

    before = Path(vm).read_bytes()
    with pytest.raises(AzureError) as refused, Session(vm).writer() as state:
        ondemand.install(state, "rg", "vm", {"maximumDuration": "PT2H", "rebootSetting": "IfRequired",
                                              "windowsParameters": windows_parameters})
    assert refused.value.code == "InvalidRequestContent" and refused.value.status == 400
    assert field in refused.value.message
    assert Path(vm).read_bytes() == before


def test_a_vm_body_with_a_string_for_a_boolean_is_refused(cli, vm):
    from autopatch_cli.errors import AzureError
    from autopatch_cli.ops import vms
    from autopatch_cli.ops.session import Session

    with Session(vm).writer() as state:
        body = vms.resource(vms.require(state, "rg", "vm"))
    body["properties"]["osProfile"]["windowsConfiguration"]["provisionVMAgent"] = "yes"
    before = Path(vm).read_bytes()
    with pytest.raises(AzureError) as refused, Session(vm).writer() as state:
        vms.put(state, "rg", "vm", body)
    assert refused.value.code == "InvalidRequestContent" and "provisionVMAgent" in refused.value.message
    assert Path(vm).read_bytes() == before
