"""azure-mgmt-maintenance (2023-04-01) and today's Compute patch settings through ``autopatch serve``:
an Update Manager schedule made with the SDK patches a VM made with the SDK."""

from __future__ import annotations

import pytest

maintenance_sdk = pytest.importorskip("azure.mgmt.maintenance")

from azure.core.credentials import AzureKeyCredential  # noqa: E402
from azure.core.pipeline.policies import AzureKeyCredentialPolicy  # noqa: E402
from azure.mgmt.compute import models as m  # noqa: E402
from azure.mgmt.maintenance import models as mm  # noqa: E402
from helpers import PASSWORD  # noqa: E402
from test_sdk import DummyCredential, clients, tick  # noqa: E402
from test_serve import running_server, subscription  # noqa: E402


def _maintenance_client(url: str, sub: str):
    auth = AzureKeyCredentialPolicy(AzureKeyCredential("dummy"), "Authorization", prefix="Bearer")
    return maintenance_sdk.MaintenanceManagementClient(credential=DummyCredential(), subscription_id=sub, base_url=url,
                                                       authentication_policy=auth, polling_interval=0, retry_total=0)


def test_a_schedule_made_with_the_sdk_patches_a_vm_made_with_the_sdk(cli, state_path):
    assert cli("clock", "set", "2024-06-01T00:00:00Z").exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    with running_server(state_path) as server:
        sub = subscription(state_path)
        compute, _, _ = clients(server.url, sub)
        schedules = _maintenance_client(server.url, sub)
        settings = m.PatchSettings(patch_mode="AutomaticByPlatform",
                                   automatic_by_platform_settings=m.WindowsVMGuestPatchAutomaticByPlatformSettings(
                                       reboot_setting="IfRequired", bypass_platform_safety_checks_on_user_schedule=True))
        vm = compute.virtual_machines.begin_create_or_update("rg", "vm1", m.VirtualMachine(
            location="eastus",
            hardware_profile=m.HardwareProfile(vm_size="Standard_D2s_v3"),
            storage_profile=m.StorageProfile(image_reference=m.ImageReference(
                publisher="MicrosoftWindowsServer", offer="WindowsServer", sku="2022-datacenter-g2", version="latest")),
            os_profile=m.OSProfile(computer_name="vm1", admin_username="azureuser", admin_password=PASSWORD,
                                   windows_configuration=m.WindowsConfiguration(provision_vm_agent=True,
                                                                                patch_settings=settings)),
            network_profile=m.NetworkProfile(network_interfaces=[m.NetworkInterfaceReference(
                id=f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic")]),
        )).result()
        platform = vm.os_profile.windows_configuration.patch_settings.automatic_by_platform_settings
        assert platform.bypass_platform_safety_checks_on_user_schedule is True and platform.reboot_setting == "IfRequired"

        config = schedules.maintenance_configurations.create_or_update("rg", "weekly", mm.MaintenanceConfiguration(
            location="eastus", maintenance_scope="InGuestPatch", visibility="Custom",
            extension_properties={"InGuestPatchMode": "User"},
            start_date_time="2024-06-01 22:00", duration="03:00", time_zone="UTC", recur_every="Week Saturday",
            install_patches=mm.InputPatchConfiguration(reboot_setting="IfRequired",
                                                       windows_parameters=mm.InputWindowsParameters(
                                                           classifications_to_include=["Critical", "Security"]))))
        assert config.maintenance_scope == "InGuestPatch" and config.recur_every == "Week Saturday"
        assert [c.name for c in schedules.maintenance_configurations.list()] == ["weekly"]
        assigned = schedules.configuration_assignments.create_or_update(
            "rg", "Microsoft.Compute", "virtualMachines", "vm1", "weekly",
            mm.ConfigurationAssignment(location="eastus", maintenance_configuration_id=config.id))
        assert assigned.resource_id == vm.id
        listed = list(schedules.configuration_assignments.list("rg", "Microsoft.Compute", "virtualMachines", "vm1"))
        assert [a.maintenance_configuration_id for a in listed] == [config.id]

        tick(server.url, {"until": "2024-06-16T06:00:00Z"})  # June 11's release, the window of the 15th
        summary = compute.virtual_machines.instance_view("rg", "vm1").patch_status.last_patch_installation_summary
        assert summary.start_time.isoformat().startswith("2024-06-15T22:00")
        assert summary.installed_patch_count > 0

        schedules.configuration_assignments.delete("rg", "Microsoft.Compute", "virtualMachines", "vm1", "weekly")
        assert list(schedules.configuration_assignments.list("rg", "Microsoft.Compute", "virtualMachines", "vm1")) == []
        updated = schedules.maintenance_configurations.update("rg", "weekly", mm.MaintenanceConfiguration(
            location="eastus", duration="02:00"))
        assert updated.duration == "02:00" and updated.recur_every == "Week Saturday"
        schedules.maintenance_configurations.delete("rg", "weekly")
        assert list(schedules.maintenance_configurations.list()) == []
