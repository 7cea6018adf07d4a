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


def test_the_guides_pipeline_form_says_how_to_pass_the_vm(cli, state_path):
    before = state_path.read_bytes() if state_path.exists() else None
    result = cli("Set-AzVMOperatingSystem", "-VM", "$VirtualMachine", "-Windows", "-ComputerName", "x",
                 "-ProvisionVMAgent", "-EnableAutoUpdate", "-PatchMode", "AutomaticByPlatform")
    assert result.exit_code == 2
    assert "$VirtualMachine" in result.stderr and "-VM -" in result.stderr and "-o json" in result.stderr
    assert (state_path.read_bytes() if state_path.exists() else None) == before


# ---- -VM objects: the guide's $vm, New-AzVMConfig, New-AzVM, Update-AzVM ------------------------


def test_the_guides_vm_object_flow(cli, opted_vm):
    """$vm = Get-AzVM; Set-AzVMOperatingSystem -VM $vm ...; Update-AzVM -VM $vm (the object as JSON)."""
    vm_json = cli("Get-AzVM", "-ResourceGroupName", "rg", "-Name", "vm", "-o", "json").stdout
    changed = cli("Set-AzVMOperatingSystem", "-VM", vm_json, "-Windows", "-ComputerName", "vm", "-ProvisionVMAgent",
                  "-EnableAutoUpdate", "-PatchMode", "AutomaticByPlatform", "-o", "json")
    assert changed.exit_code == 0, changed.stderr
    assert changed.json["OSProfile"]["WindowsConfiguration"]["PatchSettings"]["PatchMode"] == "AutomaticByPlatform"
    # nothing is sent until Update-AzVM, as in PowerShell
    stored = cli("Get-AzVM", "rg", "vm", "-o", "json").json
    assert stored["OSProfile"]["WindowsConfiguration"]["PatchSettings"]["PatchMode"] == "AutomaticByOS"
    updated = cli("Update-AzVM", "-ResourceGroupName", "rg", "-VM", changed.stdout)
    assert updated.exit_code == 0, updated.stderr
    assert updated.stdout.split() == ["RequestId", "IsSuccessStatusCode", "StatusCode", "ReasonPhrase",
                                      "---------", "-------------------", "----------", "------------",
                                      "True", "OK", "OK"]
    stored = cli("Get-AzVM", "rg", "vm", "-o", "json").json
    assert stored["OSProfile"]["WindowsConfiguration"]["PatchSettings"]["PatchMode"] == "AutomaticByPlatform"


def test_new_vm_from_a_configuration_through_a_pipe(tmp_path, state_path):
    """New-AzVMConfig | Set-AzVMOperatingSystem | Set-AzVMSourceImage | New-AzVM, as real processes."""
    import os
    import subprocess

    from helpers import entry_point

    env = {**os.environ, "AUTOPATCH_STATE": str(state_path)}

    def run(*args, stdin=None):
        done = subprocess.run([*entry_point(), *args], input=stdin, capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout

    run("group", "create", "-n", "rg", "-l", "eastus")
    config = run("New-AzVMConfig", "cfg", "Standard_D2s_v5", "-o", "json")
    config = run("Set-AzVMOperatingSystem", "-VM", "-", "-Windows", "-ComputerName", "cfg", "-Credential",
                 f"azureuser:{PASSWORD}", "-ProvisionVMAgent", "-EnableAutoUpdate", "-o", "json", stdin=config)
    config = run("Set-AzVMSourceImage", "-VM", "-", "MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter",
                 "-o", "json", stdin=config)
    (tmp_path / "vm.json").write_text(config)
    assert "True" in run("New-AzVM", "rg", "eastus", "-VM", f"@{tmp_path / 'vm.json'}")
    shown = __import__("json").loads(run("Get-AzVM", "rg", "cfg", "-o", "json"))
    assert shown["HardwareProfile"]["VmSize"] == "Standard_D2s_v5"
    assert shown["StorageProfile"]["ImageReference"]["Sku"] == "2019-Datacenter"
    assert "AdminPassword" not in shown["OSProfile"]  # never stored


def test_new_vm_simple_parameter_set(cli, state_path):
    created = cli("New-AzVM", "-ResourceGroupName", "newrg", "-Name", "simple", "-Location", "westus",
                  "-Credential", f"azureuser:{PASSWORD}", "-Image", "Win2019Datacenter", "-o", "json")
    assert created.exit_code == 0, created.stderr
    assert created.json["Location"] == "westus" and created.json["HardwareProfile"]["VmSize"] == "Standard_D2s_v3"
    assert cli("group", "show", "-n", "newrg").json["location"] == "westus"  # the cmdlet makes the group
    assert_refused(cli, state_path, ("New-AzVM", "-ResourceGroupName", "newrg", "-Name", "x", "-Credential", "nouser"),
                   2, "USER:PASSWORD")
    assert_refused(cli, state_path, ("New-AzVM", "-ResourceGroupName", "newrg", "-Name", "x"), 2,
                   "missing mandatory parameters: Credential")


def test_update_vm_tags_and_resource_id(cli, vm):
    vm_json = cli("Get-AzVM", "rg", "vm", "-o", "json").stdout
    ident = cli("Get-AzVM", "rg", "vm", "-o", "json").json["Id"]
    assert cli("Update-AzVM", "-ResourceId", ident, "-VM", vm_json, "-Tag", '@{env="prod"; Team=ops}').exit_code == 0
    assert cli("Get-AzVM", "rg", "vm", "-o", "json").json["Tags"] == {"env": "prod", "Team": "ops"}


def test_common_parameters(cli, vm):
    before = vm.read_bytes()
    what_if = cli("Register-AzProviderFeature", "-FeatureName", AUTO, "-ProviderNamespace", "Microsoft.Compute",
                  "-WhatIf")
    assert what_if.exit_code == 0
    assert what_if.stdout == f'What if: Performing the operation "Register" on target "Microsoft.Compute/{AUTO}".\n'
    update_what_if = cli("Update-AzVM", "rg", "-VM", cli("Get-AzVM", "rg", "vm", "-o", "json").stdout, "-wi")
    assert update_what_if.stdout == 'What if: Performing the operation "Update" on target "vm".\n'
    assert vm.read_bytes() == before
    confirm = cli("Register-AzResourceProvider", "-ProviderNamespace", "Microsoft.Compute", "-Confirm")
    assert confirm.exit_code == 1 and "-Confirm:$false" in confirm.stderr
    assert cli("Register-AzResourceProvider", "-ProviderNamespace", "Microsoft.Compute", "-Confirm:$false").exit_code == 0
    silent = cli("Get-AzVM", "rg", "nope", "-ErrorAction", "SilentlyContinue")
    assert silent.exit_code == 3 and silent.stderr == "" and silent.stdout == ""
    loud = cli("Get-AzVM", "rg", "nope", "-ea", "stop")
    assert loud.exit_code == 3 and "ResourceNotFound" in loud.stderr
    bad = cli("Get-AzVM", "rg", "vm", "-ErrorAction", "Maybe")
    assert bad.exit_code == 2 and "SilentlyContinue, Stop, Continue, Inquire, Ignore, Suspend, Break" in bad.stderr
    for extra in (("-Verbose",), ("-WarningAction", "Ignore"), ("-OutVariable", "x"), ("-DefaultProfile", "ctx"),
                  ("-InformationAction", "continue"), ("-PipelineVariable", "p"), ("-OutBuffer", "1")):
        assert cli("Get-AzVM", "rg", "vm", *extra, "-o", "json").exit_code == 0, extra
    # -WhatIf, -Confirm and -AsJob only where the cmdlet has them
    assert_refused(cli, vm, ("Get-AzVM", "rg", "vm", "-WhatIf"), 2, "parameter name 'WhatIf'")
    assert_refused(cli, vm, ("Get-AzVM", "rg", "vm", "-AsJob"), 2, "parameter name 'AsJob'")


def test_as_job_returns_a_job(cli, opted_vm):
    assert cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestPatchVMPreview").exit_code == 0
    assert cli("tick", "--minutes", "15").exit_code == 0
    assert cli("provider", "register", "--namespace", "Microsoft.Compute").exit_code == 0
    job = cli("Invoke-AzVMPatchAssessment", "rg", "vm", "-AsJob", "-o", "json")
    assert job.exit_code == 0, job.stderr
    assert job.json["State"] == "Running" and job.json["Command"] == "Invoke-AzVMPatchAssessment"
    # the assessment goes on in simulated time
    assert cli("tick", "--minutes", "30").exit_code == 0
    summary = cli("Get-AzVM", "rg", "vm", "-Status", "-o", "json").json["PatchStatus"]["AvailablePatchSummary"]
    assert summary["Status"] in ("Succeeded", "CompletedWithWarnings", "Failed")


def test_positions_as_the_az_module_declares_them(cli, vm):
    config = cli("New-AzVMConfig", "named", "Standard_D4s_v5", "-o", "json")
    assert config.exit_code == 0 and config.json["HardwareProfile"]["VmSize"] == "Standard_D4s_v5"
    assert config.json["Name"] == "named"
    vm_json = cli("Get-AzVM", "rg", "vm", "-o", "json").stdout
    positional = cli("Set-AzVMOperatingSystem", vm_json, "-Windows", "-PatchMode", "AutomaticByOS", "-o", "json")
    assert positional.exit_code == 0, positional.stderr
