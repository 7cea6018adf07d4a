"""The official SDK (azure-mgmt-compute) against `autopatch serve` for a Linux VM: create with an SSH key and
AutomaticByPlatform, read its patch settings back, assess, install with linuxParameters and package masks."""

from __future__ import annotations

import pytest

RSA_KEY = ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCkmSJWQfLa1V4cpIKdq+uvmUY+L56o+CIvi1FV+ACYMZ4VEjHXgHjbft05uiH0d5x"
           "O1gQgnUGnw1woZFOEsyhrSKwS2cTdSFwrDaNnh85O7JeM0dwe3SskR/LC7OtNhKccO6ykekQlbCyKGK4Ii5NLXN2Mu8x31xN3ouMJL6GRZw==")


def _vm(sub: str):
    from azure.mgmt.compute import models as m

    return m.VirtualMachine(
        location="eastus",
        hardware_profile=m.HardwareProfile(vm_size="Standard_D2s_v5"),
        storage_profile=m.StorageProfile(image_reference=m.ImageReference(
            publisher="Canonical", offer="0001-com-ubuntu-server-jammy", sku="22_04-lts-gen2", version="latest")),
        os_profile=m.OSProfile(
            computer_name="lin", admin_username="azureuser",
            linux_configuration=m.LinuxConfiguration(
                disable_password_authentication=True, provision_vm_agent=True,
                ssh=m.SshConfiguration(public_keys=[m.SshPublicKey(path="/home/azureuser/.ssh/authorized_keys",
                                                                   key_data=RSA_KEY)]),
                patch_settings=m.LinuxPatchSettings(
                    patch_mode="AutomaticByPlatform", assessment_mode="AutomaticByPlatform",
                    automatic_by_platform_settings=m.LinuxVMGuestPatchAutomaticByPlatformSettings(
                        reboot_setting="IfRequired")))),
        network_profile=m.NetworkProfile(network_interfaces=[m.NetworkInterfaceReference(
            id=f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/linNic")]),
    )


def test_the_sdk_drives_a_linux_vm(autopatch, autopatch_clients, autopatch_server):
    pytest.importorskip("azure.mgmt.compute")
    autopatch.run("clock", "set", "2024-06-01T00:00:00Z")
    clients = autopatch_clients
    clients.resources.resource_groups.create_or_update("rg", {"location": "eastus"})
    clients.resources.providers.register("Microsoft.Compute")
    sub = autopatch_server.subscription_id
    vm = clients.compute.virtual_machines.begin_create_or_update("rg", "lin", _vm(sub)).result()
    linux = vm.os_profile.linux_configuration
    assert linux.patch_settings.patch_mode == "AutomaticByPlatform"
    assert linux.patch_settings.assessment_mode == "AutomaticByPlatform"
    assert linux.patch_settings.automatic_by_platform_settings.reboot_setting == "IfRequired"
    assert linux.ssh.public_keys[0].key_data == RSA_KEY and linux.disable_password_authentication is True
    assert vm.storage_profile.os_disk.os_type == "Linux"

    autopatch.tick(days=20)
    assessed = clients.compute.virtual_machines.begin_assess_patches("rg", "lin").result()
    assert assessed.status == "Succeeded" and assessed.available_patches
    for patch in assessed.available_patches:
        assert patch.kb_id is None and patch.version and patch.name
        assert set(patch.classifications) <= {"Critical", "Security", "Other"}
    target = assessed.available_patches[0]
    from azure.mgmt.compute import models as m

    parameters = m.VirtualMachineInstallPatchesParameters(
        maximum_duration="PT2H", reboot_setting="IfRequired",
        linux_parameters=m.LinuxParameters(classifications_to_include=["Critical"],
                                           package_name_masks_to_include=[f"{target.name}_{target.version}"],
                                           package_name_masks_to_exclude=["tzdata"]))
    installed = clients.compute.virtual_machines.begin_install_patches("rg", "lin", parameters).result()
    assert installed.status in ("Succeeded", "CompletedWithWarnings")
    states = {p.name: p.installation_state for p in installed.patches}
    assert states[target.name] in ("Installed", "Pending")
    assert all(p.kb_id is None and p.version for p in installed.patches)
    if "tzdata" in states:
        assert states["tzdata"] == "Excluded"

    from azure.core.exceptions import HttpResponseError

    with pytest.raises(HttpResponseError) as refused:
        clients.compute.virtual_machines.begin_install_patches("rg", "lin", m.VirtualMachineInstallPatchesParameters(
            maximum_duration="PT2H", reboot_setting="Never",
            windows_parameters=m.WindowsParameters(classifications_to_include=["Critical"]))).result()
    assert refused.value.error.code == "InvalidParameter"
    assert "not allowed for a Linux VM" in refused.value.error.message
