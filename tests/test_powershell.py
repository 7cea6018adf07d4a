"""The Azure PowerShell cmdlets of the guide: PowerShell's binding rules, its default views, the same
operations (and so the same rules and error codes) as the az verbs."""

from __future__ import annotations

import pytest
from helpers import PASSWORD
from test_bad_input import assert_refused

AUTO = "InGuestAutoPatchVMPreview"


@pytest.fixture
def opted_vm(opted_in, state_path):
    created = opted_in("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter",
                       "--admin-password", PASSWORD)
    assert created.exit_code == 0, created.stderr
    return state_path


# ---- names and binding ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Get-AzVM", "get-azvm", "GET-AZVM", "gEt-AzVm"])
def test_cmdlet_names_are_case_insensitive(cli, vm, name):
    result = cli(name, "-ResourceGroupName", "rg", "-Name", "vm", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json["Name"] == "vm"


def test_cmdlet_aliases(cli):
    for alias in ("Invoke-AzVmPatchAssess", "invoke-azvmassesspatch", "Invoke-AzVmPatchAssessment"):
        result = cli(alias, "-?")
        assert result.exit_code == 0 and "    Invoke-AzVMPatchAssessment\n" in result.stdout, alias


def test_parameter_names_case_insensitive_and_unique_prefixes(cli, vm):
    for args in (("-resourcegroupname", "rg", "-NAME", "vm"), ("-ResourceGroup", "rg", "-N", "vm"),
                 ("-VMName", "vm", "-ResourceGroupName", "rg"), ("rg", "vm")):
        result = cli("Get-AzVM", *args, "-o", "json")
        assert result.exit_code == 0, (args, result.stderr)
        assert result.json["Name"] == "vm"


def test_switch_without_value_and_colon_form(cli, vm):
    status = cli("Get-AzVM", "-ResourceGroupName", "rg", "-Name", "vm", "-Status", "-o", "json").json
    assert "Statuses" in status and "StorageProfile" not in status
    explicit = cli("Get-AzVM", "-ResourceGroupName", "rg", "-Name", "vm", "-Status:$true", "-o", "json").json
    assert explicit == status
    off = cli("Get-AzVM", "-ResourceGroupName", "rg", "-Name", "vm", "-Status:$false", "-o", "json").json
    assert "StorageProfile" in off and "Statuses" not in off


def test_global_arguments_leave_powershell_parameters_alone(cli, vm):
    result = cli("Get-AzVM", "-Name", "vm", "-ResourceGroupName", "rg", "-Status", "--query", "PatchStatus", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert "ConfigurationStatuses" in result.json


def test_strings_parameter_takes_comma_lists():
    from autopatch_cli.cli.powershell import CMDLETS, bind

    cmdlet = CMDLETS["Invoke-AzVMInstallPatch"]
    assert bind(cmdlet, ["-ClassificationToIncludeForWindows", "Critical,Security"])[
        "ClassificationToIncludeForWindows"] == ["Critical", "Security"]
    assert bind(cmdlet, ["-ClassificationToIncludeForWindows", "Critical,", "Security", "-Windows"]) == {
        "ClassificationToIncludeForWindows": ["Critical", "Security"], "Windows": True}
    assert bind(cmdlet, ["-KBNumberToInclude", "KB1"])["KBNumberToInclude"] == ["KB1"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("Get-AzVM", "-Res", "rg"), "parameter name 'Res' is ambiguous"),
        (("Get-AzVM", "-Bogus", "1"), "A parameter cannot be found that matches parameter name 'Bogus'"),
        (("Get-AzVM", "-ResourceGroupName"), "Missing an argument for parameter 'ResourceGroupName'"),
        (("Get-AzVM", "rg", "vm", "extra"), "A positional parameter cannot be found that accepts argument 'extra'"),
        (("Get-AzVM", "-Name", "vm"), "Parameter set cannot be resolved"),
        (("Get-AzVM", "-Name", "a", "-Name", "b", "-ResourceGroupName", "rg"), "specified more than once"),
        (("Get-AzVM", "-ResourceGroupName", "rg", "-Name", "vm", "-Status:maybe"), "Cannot convert value \"maybe\""),
        (("Get-AzProviderFeature", "-FeatureName", AUTO), "Parameter set cannot be resolved"),
        (("Register-AzProviderFeature", "-FeatureName", AUTO), "missing mandatory parameters: ProviderNamespace"),
        (("Register-AzResourceProvider",), "missing mandatory parameters: ProviderNamespace"),
        (("Invoke-AzVMPatchAssessment", "-ResourceGroupName", "rg"), "missing mandatory parameters: VMName"),
        (("Invoke-AzVMInstallPatch", "-ResourceGroupName", "rg", "-VMName", "vm", "-Windows", "-MaximumDuration",
          "PT2H"), "missing mandatory parameters: RebootSetting"),
        (("Invoke-AzVMInstallPatch", "-ResourceGroupName", "rg", "-VMName", "vm", "-RebootSetting", "Never",
          "-MaximumDuration", "PT2H"), "Parameter set cannot be resolved"),
        (("Invoke-AzVMInstallPatch", "-ResourceGroupName", "rg", "-VMName", "vm", "-Windows", "-Linux",
          "-RebootSetting", "Never", "-MaximumDuration", "PT2H"), "Parameter set cannot be resolved"),
        (("Invoke-AzVMInstallPatch", "-ResourceGroupName", "rg", "-VMName", "vm", "-Windows", "-RebootSetting",
          "Never", "-MaximumDuration", "PT2H", "-ClassificationToIncludeForLinux", "Critical"),
         "Parameter set cannot be resolved"),
        (("Invoke-AzVMInstallPatch", "-ClassificationToInclude", "Critical"), "is ambiguous"),
        (("Set-AzVMOperatingSystem", "-ResourceGroupName", "rg", "-VMName", "vm", "-PatchMode", "Manual"),
         "Parameter set cannot be resolved"),
        (("Set-AzVMOperatingSystem", "-ResourceGroupName", "rg", "-VMName", "vm", "-Linux", "-EnableAutoUpdate"),
         "Parameter set cannot be resolved"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_binding_errors(cli, vm, args, needle):
    assert_refused(cli, vm, args, 2, needle)


# ---- features and providers --------------------------------------------------------------------


def test_register_feature_prints_the_table_and_registers(cli, vm):
    result = cli("Register-AzProviderFeature", "-FeatureName", AUTO, "-ProviderNamespace", "Microsoft.Compute")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "\n"
        "FeatureName               ProviderName      RegistrationState\n"
        "-----------               ------------      -----------------\n"
        "InGuestAutoPatchVMPreview Microsoft.Compute Registering\n\n"
    )
    shown = cli("feature", "show", "--namespace", "Microsoft.Compute", "--name", AUTO).json
    assert shown["properties"]["state"] == "Registering"


def test_feature_names_are_case_insensitive_as_arm(cli, vm):
    result = cli("Register-AzProviderFeature", "-FeatureName", AUTO.lower(), "-ProviderNamespace", "microsoft.compute",
                 "-o", "json")
    assert result.json == {"FeatureName": AUTO, "ProviderName": "Microsoft.Compute", "RegistrationState": "Registering"}


def test_get_feature_lists_registered_unless_list_available(cli, vm):
    assert cli("Get-AzProviderFeature", "-ProviderNamespace", "Microsoft.Compute", "-o", "json").json == []
    assert cli("Register-AzProviderFeature", "-FeatureName", AUTO, "-ProviderNamespace", "Microsoft.Compute").exit_code == 0
    assert cli("tick", "--minutes", "15").exit_code == 0
    registered = cli("Get-AzProviderFeature", "-o", "json").json
    assert registered == [{"FeatureName": AUTO, "ProviderName": "Microsoft.Compute", "RegistrationState": "Registered"}]
    everything = cli("Get-AzProviderFeature", "-ProviderNamespace", "Microsoft.Compute", "-ListAvailable", "-o", "json").json
    assert len(everything) > 1 and {"FeatureName": "InGuestPatchVMPreview", "ProviderName": "Microsoft.Compute",
                                    "RegistrationState": "NotRegistered"} in everything
    one = cli("Get-AzProviderFeature", "-FeatureName", AUTO, "-ProviderNamespace", "Microsoft.Compute")
    assert "InGuestAutoPatchVMPreview Microsoft.Compute Registered" in one.stdout


def test_unregister_feature(cli, vm):
    assert cli("Register-AzProviderFeature", "-FeatureName", AUTO, "-ProviderNamespace", "Microsoft.Compute").exit_code == 0
    assert cli("tick", "--minutes", "15").exit_code == 0
    result = cli("Unregister-AzProviderFeature", "-FeatureName", AUTO, "-ProviderNamespace", "Microsoft.Compute",
                 "-o", "json")
    assert result.json["RegistrationState"] == "Unregistering"


def test_unknown_feature_is_refused_as_az_refuses_it(cli, vm):
    assert_refused(cli, vm, ("Register-AzProviderFeature", "-FeatureName", "Nope", "-ProviderNamespace",
                             "Microsoft.Compute"), 3, "Nope", "FeatureNotFound")


def test_register_provider(cli, vm):
    result = cli("Register-AzResourceProvider", "-ProviderNamespace", "Microsoft.Compute")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "" and lines[1] == "ProviderNamespace : Microsoft.Compute"
    assert lines[2] == "RegistrationState : Registered"
    assert lines[3].startswith("ResourceTypes     : {virtualMachines, ")
    assert lines[4].startswith("Locations         : {") and lines[4].endswith("...}")
    data = cli("Register-AzResourceProvider", "-ProviderNamespace", "Microsoft.Compute", "-o", "json").json
    assert data["ProviderNamespace"] == "Microsoft.Compute"
    assert {"ResourceTypeName", "Locations", "ApiVersions"} <= set(data["ResourceTypes"][0])


def test_unknown_provider(cli, vm):
    assert_refused(cli, vm, ("Register-AzResourceProvider", "-ProviderNamespace", "Microsoft.Nope"), 3, "Microsoft.Nope",
                   "InvalidResourceNamespace")


# ---- Get-AzVM ----------------------------------------------------------------------------------


def test_get_vm_list_view(cli, vm):
    result = cli("Get-AzVM", "-ResourceGroupName", "rg", "-Name", "vm")
    lines = result.stdout.splitlines()
    assert lines[1] == "ResourceGroupName : rg"
    assert "Name              : vm" in lines
    assert "HardwareProfile   : {VmSize}" in lines
    assert "ProvisioningState : Succeeded" in lines
    assert any(line.startswith("OSProfile         : {ComputerName, AdminUsername, WindowsConfiguration") for line in lines)


def test_get_vm_json_is_the_ps_object(cli, vm):
    data = cli("Get-AzVM", "-ResourceGroupName", "rg", "-Name", "vm", "-o", "json").json
    az = cli("vm", "show", "-g", "rg", "-n", "vm").json
    assert data["Id"] == az["id"] and data["VmId"] == az["vmId"] and data["ResourceGroupName"] == "rg"
    assert data["OSProfile"]["WindowsConfiguration"]["PatchSettings"]["PatchMode"] == "AutomaticByOS"
    assert data["HardwareProfile"] == {"VmSize": az["hardwareProfile"]["vmSize"]}


def test_get_vm_status_nested_view(cli, vm):
    result = cli("Get-AzVM", "-ResourceGroupName", "rg", "-Name", "vm", "-Status")
    lines = result.stdout.splitlines()
    width = lines[1].index(":")
    assert lines[1] == "ResourceGroupName".ljust(width - 1) + " : rg"
    assert all(line.index(":") == width for line in lines if line)  # every colon aligned
    assert "Statuses[1]".ljust(width - 1) + " :" in lines
    assert "  DisplayStatus".ljust(width - 1) + " : VM running" in lines
    assert "PatchStatus".ljust(width - 1) + " :" in lines
    assert "    Time".ljust(width - 1) + " : 10/1/2020 12:00:00 AM" in lines  # en-US date-time, UTC


def test_get_vm_status_matches_the_instance_view(cli, vm):
    ps = cli("Get-AzVM", "-ResourceGroupName", "rg", "-Name", "vm", "-Status", "-o", "json").json
    az = cli("vm", "get-instance-view", "-g", "rg", "-n", "vm").json["instanceView"]
    assert ps["Statuses"] == [{k[0].upper() + k[1:]: v for k, v in s.items()} for s in az["statuses"]]
    assert ps["PatchStatus"]["ConfigurationStatuses"][0]["Code"] == az["patchStatus"]["configurationStatuses"][0]["code"]
    assert ps["VMAgent"]["VmAgentVersion"] == az["vmAgent"]["vmAgentVersion"]


def test_get_vm_lists(cli, vm):
    table = cli("Get-AzVM", "-ResourceGroupName", "rg")
    assert table.stdout.splitlines()[1].split() == ["ResourceGroupName", "Name", "Location", "VmSize", "OsType", "NIC",
                                                    "ProvisioningState", "Zone"]
    assert table.stdout.splitlines()[3].split()[:2] == ["rg", "vm"]
    everything = cli("Get-AzVM", "-Status", "-o", "json").json
    assert [(v["Name"], v["PowerState"]) for v in everything] == [("vm", "VM running")]


def test_get_vm_not_found(cli, vm):
    assert_refused(cli, vm, ("Get-AzVM", "-ResourceGroupName", "rg", "-Name", "ghost"), 3, "ghost", "ResourceNotFound")
    assert_refused(cli, vm, ("Get-AzVM", "-ResourceGroupName", "nogroup"), 3, "nogroup", "ResourceGroupNotFound")


# ---- Set-AzVMOperatingSystem -------------------------------------------------------------------


def test_set_os_enables_platform_patching(cli, opted_vm):
    result = cli("Set-AzVMOperatingSystem", "-ResourceGroupName", "rg", "-VMName", "vm", "-Windows", "-ComputerName",
                 "vm", "-ProvisionVMAgent", "-EnableAutoUpdate", "-PatchMode", "AutomaticByPlatform")
    assert result.exit_code == 0, result.stderr
    assert "ProvisioningState : Succeeded" in result.stdout.splitlines()
    shown = cli("vm", "show", "-g", "rg", "-n", "vm").json
    assert shown["osProfile"]["windowsConfiguration"]["patchSettings"]["patchMode"] == "AutomaticByPlatform"


def test_set_os_assessment_mode(cli, opted_vm):
    result = cli("Set-AzVMOperatingSystem", "-ResourceGroupName", "rg", "-VMName", "vm", "-Windows",
                 "-AssessmentMode", "AutomaticByPlatform", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json["OSProfile"]["WindowsConfiguration"]["PatchSettings"]["AssessmentMode"] == "AutomaticByPlatform"


@pytest.mark.parametrize(
    ("extra", "code", "needle", "azure_code"),
    [
        (("-Windows", "-PatchMode", "AutomaticByPlatform"), 1, AUTO, "SubscriptionNotRegisteredForFeature"),
        (("-Windows", "-EnableAutoUpdate:$false"), 1, "enableAutomaticUpdates", "PropertyChangeNotAllowed"),
        (("-Windows", "-PatchMode", "Manual"), 1, "Manual", "InvalidParameter"),
        (("-Windows", "-PatchMode", "Sometimes"), 1, "Sometimes", "InvalidParameter"),
        (("-Linux", "-PatchMode", "ImageDefault"), 1, "Windows and Linux", None),
    ],
    ids=["not-opted-in", "auto-updates-fixed-at-creation", "manual-needs-auto-updates-off", "bad-mode", "linux-on-windows"],
)
def test_set_os_same_rules_as_vm_update(cli, vm, extra, code, needle, azure_code):
    assert_refused(cli, vm, ("Set-AzVMOperatingSystem", "-ResourceGroupName", "rg", "-VMName", "vm", *extra), code,
                   needle, azure_code)


def test_set_os_missing_vm(cli, vm):
    assert_refused(cli, vm, ("Set-AzVMOperatingSystem", "-ResourceGroupName", "rg", "-VMName", "ghost", "-Windows"),
                   3, "ghost", "ResourceNotFound")


def test_resource_id_and_name_together(cli, vm):
    vm_id = cli("vm", "show", "-g", "rg", "-n", "vm", "--query", "id", "-o", "tsv").stdout.strip()
    assert_refused(cli, vm, ("Invoke-AzVMPatchAssessment", "-ResourceId", vm_id, "-VMName", "vm"), 2,
                   "Parameter set cannot be resolved")
    assert_refused(cli, vm, ("Invoke-AzVMPatchAssessment", "-ResourceId", "/subscriptions/x/resourceGroups/rg"), 1,
                   "invalid resource ID")


def test_help(cli):
    result = cli("Invoke-AzVMInstallPatch", "-?")
    assert result.exit_code == 0
    assert "-ClassificationToIncludeForWindows <String[]>" in result.stdout
    assert "-ExcludeKBsRequiringReboot]" in result.stdout


def test_root_help_lists_the_cmdlets(cli):
    from autopatch_cli.__main__ import root_command

    names = root_command().list_commands(None)
    assert names.index("vm") < names.index("Get-AzVM")
    assert {"Get-AzVM", "Invoke-AzVMInstallPatch", "Set-AzVMOperatingSystem"} <= set(names)


def test_completion_of_parameter_names():
    from autopatch_cli.cli.powershell import command

    items = command("get-azvm").shell_complete(None, "-res")
    assert [i.value for i in items] == ["-ResourceGroupName"]


def test_the_guides_pipeline_form_says_how_to_name_the_vm(cli, state_path):
    before = state_path.read_bytes() if state_path.exists() else None
    result = cli("Set-AzVMOperatingSystem", "-VM", "$VirtualMachine", "-Windows", "-ComputerName", "x",
                 "-ProvisionVMAgent", "-EnableAutoUpdate", "-PatchMode", "AutomaticByPlatform")
    assert result.exit_code == 2
    assert "-ResourceGroupName and -VMName" in result.stderr and "$VirtualMachine" in result.stderr
    assert (state_path.read_bytes() if state_path.exists() else None) == before
