"""az's "Examples" section of each verb's help, kept in one table.

Every example runs as printed (tests/test_help.py runs each one on a store holding the resource group
``MyResourceGroup`` and the Windows VM ``MyVm`` of the guide), so the help never teaches a command line
that fails. Descriptions follow az's where the verb mirrors one.
"""

from __future__ import annotations

VM = "-g MyResourceGroup -n MyVm"

EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "account show": [("Show the simulated subscription.", "autopatch account show")],
    "group create": [("Create a new resource group in the East US region.",
                      "autopatch group create -l eastus -n MyOtherGroup")],
    "group show": [("Show a resource group.", "autopatch group show -n MyResourceGroup")],
    "group list": [("List all resource groups located in the East US region.",
                    "autopatch group list --query \"[?location=='eastus']\"")],
    "group exists": [("Check if a resource group exists.", "autopatch group exists -n MyResourceGroup")],
    "group delete": [("Delete a resource group and what it holds.", "autopatch group delete -n MyResourceGroup --yes")],
    "feature register": [("Register the guide's preview feature of automatic VM guest patching.",
                          "autopatch feature register --namespace Microsoft.Compute --name InGuestAutoPatchVMPreview")],
    "feature unregister": [("Unregister the preview feature of on-demand patch assessment.",
                            "autopatch feature unregister --namespace Microsoft.Compute --name InGuestPatchVMPreview")],
    "feature show": [("Show the state of a feature (Registering, then Registered after up to 15 minutes).",
                      "autopatch feature show --namespace Microsoft.Compute --name InGuestAutoPatchVMPreview")],
    "feature list": [("List the features of Microsoft.Compute.", "autopatch feature list --namespace Microsoft.Compute")],
    "provider register": [("Register a provider (again, after registering a feature).",
                           "autopatch provider register --namespace Microsoft.Compute")],
    "provider unregister": [("Unregister a provider.", "autopatch provider unregister --namespace Microsoft.Compute")],
    "provider show": [("Show a provider's registration state.", "autopatch provider show --namespace Microsoft.Compute")],
    "provider list": [("List the providers and their registration state.",
                       "autopatch provider list --query \"[].{namespace:namespace, state:registrationState}\" -o table")],
    "vm create": [
        ("Create a Windows VM patched by the platform, as the guide does.",
         "autopatch vm create -g MyResourceGroup -n MyVm2 --image Win2019Datacenter --admin-password "
         "'Str0ng!Passw0rd' --enable-agent --enable-auto-update --patch-mode AutomaticByPlatform"),
        ("Create a Windows VM in availability zone 2 with its own time zone.",
         "autopatch vm create -g MyResourceGroup -n MyVm3 --image Win2019Datacenter --admin-password "
         "'Str0ng!Passw0rd' --zone 2 --time-zone 'Pacific Standard Time'"),
    ],
    "vm update": [
        ("Switch a VM to automatic guest patching, as the guide does.",
         f"autopatch vm update {VM} --set osProfile.windowsConfiguration.enableAutomaticUpdates=true "
         "osProfile.windowsConfiguration.patchSettings.patchMode=AutomaticByPlatform"),
        ("Add or update a tag.", f"autopatch vm update {VM} --set tags.tagName=tagValue"),
    ],
    "vm show": [("Show information about a VM.", f"autopatch vm show {VM} -d")],
    "vm list": [("List all VMs.", "autopatch vm list"),
                ("List all VMs by resource group with details.", "autopatch vm list -g MyResourceGroup -d")],
    "vm get-instance-view": [("Show the patch status of a VM.",
                              f"autopatch vm get-instance-view {VM} --query instanceView.patchStatus")],
    "vm delete": [("Delete a VM without a prompt for confirmation.", f"autopatch vm delete {VM} --yes")],
    "vm start": [("Start a stopped VM.", f"autopatch vm start {VM}")],
    "vm stop": [("Power off (stop) a running VM.", f"autopatch vm stop {VM}"),
                ("Power off a running VM without shutting down.", f"autopatch vm stop {VM} --skip-shutdown")],
    "vm deallocate": [("Deallocate a VM.", f"autopatch vm deallocate {VM}")],
    "vm restart": [("Restart a VM.", f"autopatch vm restart {VM}")],
    "vm assess-patches": [("Assess patches on a VM.", f"autopatch vm assess-patches {VM}")],
    "vm install-patches": [
        ("Install patches on a Windows VM, allowing the maximum amount of time to be 4 hours, and the VM will "
         "reboot if required during the software update operation.",
         f"autopatch vm install-patches {VM} --maximum-duration PT4H --reboot-setting IfRequired "
         "--classifications-to-include-win Critical Security --exclude-kbs-requiring-reboot true"),
    ],
    "vm wait": [("Wait until a VM is created.", f"autopatch vm wait {VM} --created")],
    "vm availability-set create": [
        ("Create an availability set with five update domains.",
         "autopatch vm availability-set create -g MyResourceGroup -n MyAvSet --platform-update-domain-count 5 "
         "--platform-fault-domain-count 2")],
    "vm availability-set show": [("Show an availability set.",
                                  "autopatch vm availability-set show -g MyResourceGroup -n MyAvSet")],
    "vm availability-set list": [("List the availability sets of a resource group.",
                                  "autopatch vm availability-set list -g MyResourceGroup")],
    "maintenance configuration create": [
        ("Create an Update Manager schedule: Saturdays 22:00 Pacific time, three hours, Critical and Security.",
         "autopatch maintenance configuration create -g MyResourceGroup --resource-name MySchedule "
         "--maintenance-scope InGuestPatch --location eastus --maintenance-window-duration 03:00 "
         "--maintenance-window-recur-every 'Week Saturday' --maintenance-window-start-date-time '2020-11-14 22:00' "
         "--maintenance-window-time-zone 'Pacific Standard Time' --install-patches-windows-parameters "
         "classifications-to-include=[Critical,Security] --reboot-setting IfRequired "
         "--extension-properties InGuestPatchMode=User")],
    "maintenance configuration show": [("Show a schedule.",
                                        "autopatch maintenance configuration show -g MyResourceGroup -n MySchedule")],
    "maintenance configuration list": [("List the schedules of the subscription.",
                                        "autopatch maintenance configuration list -o table")],
    "maintenance configuration update": [
        ("Shorten a schedule's window to two hours.",
         "autopatch maintenance configuration update -g MyResourceGroup -n MySchedule "
         "--maintenance-window-duration 02:00")],
    "maintenance configuration delete": [
        ("Delete a schedule (its assignments go with it).",
         "autopatch maintenance configuration delete -g MyResourceGroup -n MySchedule --yes")],
    "maintenance assignment create": [
        ("Assign a schedule to a VM, keeping the assignment's JSON.",
         "autopatch maintenance assignment create -g MyResourceGroup --resource-name MyVm --resource-type "
         "virtualMachines --provider-name Microsoft.Compute -n MySchedule --maintenance-configuration-id "
         "\"$(autopatch maintenance configuration show -g MyResourceGroup -n MySchedule --query id -o tsv)\" "
         "> assignment.json")],
    "maintenance assignment list": [
        ("List the schedules assigned to a VM.",
         "autopatch maintenance assignment list -g MyResourceGroup --resource-name MyVm --resource-type "
         "virtualMachines --provider-name Microsoft.Compute -o table")],
    "maintenance assignment show": [
        ("Show a VM's assignment.",
         "autopatch maintenance assignment show -g MyResourceGroup --resource-name MyVm --resource-type "
         "virtualMachines --provider-name Microsoft.Compute -n MySchedule")],
    "maintenance assignment delete": [
        ("Take a schedule off a VM.",
         "autopatch maintenance assignment delete -g MyResourceGroup --resource-name MyVm --resource-type "
         "virtualMachines --provider-name Microsoft.Compute -n MySchedule --yes")],
    "configure": [("Set the default resource group and location.",
                   "autopatch configure --defaults group=MyResourceGroup location=eastus")],
    "config set": [("Print tables by default.", "autopatch config set core.output=table")],
    "config get": [("Show the configured output format.", "autopatch config get core.output")],
    "config unset": [("Go back to JSON output.", "autopatch config unset core.output")],
    "clock show": [("Show the simulated time.", "autopatch clock show")],
    "clock set": [("Move the clock to the December 2020 Patch Tuesday (what falls due on the way happens).",
                   "autopatch clock set 2020-12-08T00:00:00Z")],
    "tick": [("Let feature registration finish (up to 15 minutes).", "autopatch tick --minutes 15"),
             ("Simulate the month of a monthly release.", "autopatch tick --days 35"),
             ("Run until a given instant.", "autopatch tick --until 2020-12-15T00:00:00Z")],
    "orchestration show": [("Show the rollouts: phases, their regions and state.", "autopatch orchestration show")],
    "orchestration plan": [("Show where each VM stands in the rollout plan.", "autopatch orchestration plan")],
    "orchestration history": [("List the patch operations of one VM.",
                               f"autopatch orchestration history {VM} -o table")],
    "orchestration why": [("Explain why a VM was or was not patched.", f"autopatch orchestration why {VM}")],
    "orchestration windows": [("Show a VM's maintenance windows (22:00 local time).",
                               f"autopatch orchestration windows {VM}")],
    "orchestration timeline": [("Draw the latest rollout as a picture.",
                                "autopatch orchestration timeline --export timeline.svg")],
    "sim requirement show": [("Show what a VM's guest needs for patching.", f"autopatch sim requirement show {VM}")],
    "sim requirement set": [("Stop the Windows Update service of a VM's guest.",
                             f"autopatch sim requirement set {VM} --windows-update-service stopped")],
    "sim fault add": [("Make the next installation on a VM fail.", f"autopatch sim fault add {VM} --kind install-failure")],
    "sim fault list": [("List the faults staged on a VM.", f"autopatch sim fault list {VM}")],
    "sim fault clear": [("Clear the faults staged on a VM.", f"autopatch sim fault clear {VM}")],
    "catalog list": [("List the releases of November 2020.", "autopatch catalog list --month 2020-11")],
    "catalog publish": [("Publish an out-of-band security patch.",
                         "autopatch catalog publish --kb 4599999 --classification Security"),
                        ("Publish an urgent Linux package update for Ubuntu 18.04.",
                         "autopatch catalog publish --package openssl --version 1.1.1-1ubuntu2.1~18.04.99 "
                         "--os ubuntu-18.04 --classification Critical")],
    "demo": [("Simulate a month over a sample fleet and draw its rollout.", "autopatch demo --export timeline.html"),
             ("Keep the demo's store to explore it afterwards.", "autopatch demo --keep")],
    "rest": [("Get a virtual machine.",
              "autopatch rest --method get --url '/subscriptions/{subscriptionId}/resourceGroups/MyResourceGroup/"
              "providers/Microsoft.Compute/virtualMachines/MyVm?api-version=2020-12-01'"),
             ("Assess patches on a VM (a long-running operation).",
              "autopatch rest --method post --url '/subscriptions/{subscriptionId}/resourceGroups/MyResourceGroup/"
              "providers/Microsoft.Compute/virtualMachines/MyVm/assessPatches?api-version=2020-12-01'")],
    "serve": [("Serve the API on a free port (printed) for the Azure SDK and az rest.", "autopatch serve --port 0")],
}


def section(words: str) -> str:
    """The Examples section of ``words``' help, in az's layout (blank when the verb has none)."""
    examples = EXAMPLES.get(words)
    if not examples:
        return ""
    paragraphs = [f"\b\nExamples\n    {examples[0][0]}\n        {examples[0][1]}"]
    # "\b": click leaves the paragraph after it as written (it would rewrap the command lines)
    paragraphs += [f"\b\n    {description}\n        {command}" for description, command in examples[1:]]
    return "\n\n".join(paragraphs) + "\n\n"


def attach(command, words: tuple[str, ...]) -> None:
    """Put the verb's examples at the head of its epilog (before the global arguments), once."""
    command.words = words
    text = section(" ".join(words))
    if text and not hasattr(command, "list_commands") and "Examples" not in (command.epilog or ""):
        command.epilog = text + (command.epilog or "")


# The PowerShell cmdlets' examples, as Get-Help prints them (a dashed "Example N: title" line, the command,
# its description), on the store the verbs' examples assume. A command line has no PowerShell pipeline of
# objects: `-VM -` reads the object the previous cmdlet printed with `-o json`; the pipelines are the shell's.
# Each runs in tests/test_help.py as the verbs' examples do.
_SUB = "/subscriptions/$(autopatch account show --query id -o tsv)"
CMDLET_EXAMPLES: dict[str, list[tuple[str, str, str]]] = {
    "Register-AzProviderFeature": [(
        "Register the guide's preview feature",
        "autopatch Register-AzProviderFeature -FeatureName InGuestAutoPatchVMPreview -ProviderNamespace Microsoft.Compute",
        "Registers automatic VM guest patching's preview for the subscription (Registering, then Registered).")],
    "Unregister-AzProviderFeature": [(
        "Unregister a preview feature",
        "autopatch Unregister-AzProviderFeature -FeatureName InGuestPatchVMPreview -ProviderNamespace Microsoft.Compute",
        "Unregisters the preview of on-demand patch assessment.")],
    "Get-AzProviderFeature": [
        ("Get a feature's state",
         "autopatch Get-AzProviderFeature -FeatureName InGuestAutoPatchVMPreview -ProviderNamespace Microsoft.Compute",
         "Gets the registration state of the guide's preview feature."),
        ("List every feature of a provider",
         "autopatch Get-AzProviderFeature -ProviderNamespace Microsoft.Compute -ListAvailable",
         "Lists the features of Microsoft.Compute, registered or not."),
    ],
    "Register-AzResourceProvider": [(
        "Register a provider again",
        "autopatch Register-AzResourceProvider -ProviderNamespace Microsoft.Compute",
        "Re-registers Microsoft.Compute, which a feature registration needs before it takes effect.")],
    "Get-AzVM": [
        ("Get the properties of a VM", "autopatch Get-AzVM -ResourceGroupName MyResourceGroup -Name MyVm",
         "Gets the model view of the VM."),
        ("Get the status of a VM", "autopatch Get-AzVM -ResourceGroupName MyResourceGroup -Name MyVm -Status",
         "Gets the instance view of the VM, with its patch status."),
    ],
    "New-AzVMConfig": [(
        "Create a VM object", "autopatch New-AzVMConfig -VMName MyVm2 -VMSize Standard_D2s_v3",
        "Creates a virtual machine object and prints it as JSON; nothing is sent.")],
    "Set-AzVMOperatingSystem": [
        ("Set a VM object's Windows settings",
         "autopatch New-AzVMConfig -VMName MyVm2 -VMSize Standard_D2s_v3 -o json | autopatch Set-AzVMOperatingSystem -VM - "
         "-Windows -ComputerName MyVm2 -Credential 'azureuser:Str0ng!Passw0rd' -ProvisionVMAgent -EnableAutoUpdate "
         "-PatchMode AutomaticByPlatform",
         "Sets the operating system, the agent and the patch mode of a VM object that New-AzVMConfig made."),
        ("Switch a stored VM to AutomaticByPlatform",
         "autopatch Set-AzVMOperatingSystem -ResourceGroupName MyResourceGroup -VMName MyVm -Windows -ProvisionVMAgent "
         "-EnableAutoUpdate -PatchMode AutomaticByPlatform",
         "Sets the patch mode of a stored VM and updates it, as the guide's $VirtualMachine flow does."),
    ],
    "Set-AzVMSourceImage": [(
        "Set a VM object's image",
        "autopatch New-AzVMConfig -VMName MyVm2 -VMSize Standard_D2s_v3 -o json | autopatch Set-AzVMSourceImage -VM - "
        "-PublisherName MicrosoftWindowsServer -Offer WindowsServer -Skus 2019-Datacenter -Version latest",
        "Sets the marketplace image of a VM object.")],
    "New-AzVM": [
        ("Create a VM from a name and an image",
         "autopatch New-AzVM -ResourceGroupName MyResourceGroup -Name MyVm2 -Image Win2019Datacenter "
         "-Credential 'azureuser:Str0ng!Passw0rd'",
         "Creates a VM with the simple parameter set."),
        ("Create a VM from a VM object",
         "autopatch New-AzVMConfig -VMName MyVm3 -VMSize Standard_D2s_v3 -o json | autopatch Set-AzVMOperatingSystem "
         "-VM - -Windows -ComputerName MyVm3 -Credential 'azureuser:Str0ng!Passw0rd' -ProvisionVMAgent -EnableAutoUpdate "
         "-PatchMode AutomaticByPlatform -o json | autopatch Set-AzVMSourceImage -VM - -PublisherName "
         "MicrosoftWindowsServer -Offer WindowsServer -Skus 2019-Datacenter -Version latest -o json | autopatch New-AzVM "
         "-ResourceGroupName MyResourceGroup -Location eastus -VM -",
         "Creates the VM a pipeline of New-AzVMConfig, Set-AzVMOperatingSystem and Set-AzVMSourceImage describes."),
    ],
    "Update-AzVM": [(
        "Update a VM from its object",
        "autopatch Get-AzVM -ResourceGroupName MyResourceGroup -Name MyVm -o json | autopatch Update-AzVM "
        "-ResourceGroupName MyResourceGroup -VM - -Tag ring=1",
        "Sends the VM back with a tag, as `$vm = Get-AzVM ...; Update-AzVM -VM $vm -Tag ...` does.")],
    "Invoke-AzVMPatchAssessment": [(
        "Assess patches on a VM", "autopatch Invoke-AzVMPatchAssessment -ResourceGroupName MyResourceGroup -VMName MyVm",
        "Assesses the VM's missing patches now.")],
    "Invoke-AzVMInstallPatch": [(
        "Install critical and security patches",
        "autopatch Invoke-AzVMInstallPatch -ResourceGroupName MyResourceGroup -VMName MyVm -Windows "
        "-RebootSetting IfRequired -MaximumDuration PT2H -ClassificationToIncludeForWindows Critical,Security",
        "Installs the VM's critical and security patches within two hours, rebooting if one needs it.")],
    "New-AzMaintenanceConfiguration": [(
        "Create an Update Manager schedule",
        "autopatch New-AzMaintenanceConfiguration -ResourceGroupName MyResourceGroup -Name MyWeekend -Location eastus "
        "-MaintenanceScope InGuestPatch -StartDateTime '2020-11-14 22:00' -TimeZone UTC -Duration 03:00 "
        "-RecurEvery 'Week Saturday,Sunday' -ExtensionProperty '@{\"InGuestPatchMode\"=\"User\"}' "
        "-InstallPatchRebootSetting IfRequired -WindowParameterClassificationToInclude Critical,Security",
        "Creates a weekend schedule that installs critical and security patches.")],
    "New-AzConfigurationAssignment": [(
        "Assign a schedule to a VM",
        "autopatch New-AzConfigurationAssignment -ResourceGroupName MyResourceGroup -Location eastus -ResourceName MyVm "
        "-ResourceType VirtualMachines -ProviderName Microsoft.Compute -ConfigurationAssignmentName MySchedule "
        f"-MaintenanceConfigurationId {_SUB}/resourceGroups/MyResourceGroup/providers/"
        "Microsoft.Maintenance/maintenanceConfigurations/MySchedule",
        "Has the schedule MySchedule patch the VM in its windows.")],
}
