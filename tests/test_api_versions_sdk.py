"""The Azure SDK for Python pinned to an older Compute api-version (issue 14): azure-mgmt-compute (the `sdk`
extra) sends the ``api_version=`` a call is given (its operations take it per call), and autopatch answers it with the patch settings that
version has: 2022-03-01 knows rebootSetting, 2023-03-01 also the bypass flag."""

from __future__ import annotations

import pytest

for _package in ("azure.core", "azure.mgmt.compute", "azure.mgmt.resource"):
    pytest.importorskip(_package, reason=f"{_package} is not installed (pip install -e '.[sdk]')")

from azure.core.exceptions import HttpResponseError  # noqa: E402
from azure.mgmt.compute import models as m  # noqa: E402
from test_sdk import clients, vm_parameters  # noqa: E402
from test_serve import running_server, subscription  # noqa: E402


def _platform(vm) -> m.WindowsVMGuestPatchAutomaticByPlatformSettings | None:
    return vm.os_profile.windows_configuration.patch_settings.automatic_by_platform_settings


def test_sdk_pinned_to_2022_03_01_and_2023_03_01(state_path, cli):
    assert cli("clock", "set", "2024-06-01T00:00:00Z").exit_code == 0
    with running_server(state_path) as server:
        sub = subscription(state_path)
        newest, resources, _ = clients(server.url, sub)
        vms = newest.virtual_machines
        v2022, v2023 = {"api_version": "2022-03-01"}, {"api_version": "2023-03-01"}
        resources.resource_groups.create_or_update("rg", {"location": "eastus"})
        parameters = vm_parameters(sub)
        parameters.storage_profile.image_reference.sku = "2022-datacenter-g2"
        settings = parameters.os_profile.windows_configuration.patch_settings
        # 2022-03-01 has no bypass flag: Compute refuses the member, nothing is created
        settings.automatic_by_platform_settings = m.WindowsVMGuestPatchAutomaticByPlatformSettings(
            reboot_setting="Never", bypass_platform_safety_checks_on_user_schedule=True)
        with pytest.raises(HttpResponseError) as refused:
            vms.begin_create_or_update("rg", "vm1", parameters, **v2022).result()
        assert refused.value.status_code == 400 and refused.value.error.code == "InvalidRequestContent"
        assert "bypassPlatformSafetyChecksOnUserSchedule" in refused.value.error.message
        assert [vm.name for vm in vms.list("rg")] == []
        # its rebootSetting is its own
        settings.automatic_by_platform_settings = m.WindowsVMGuestPatchAutomaticByPlatformSettings(reboot_setting="Never")
        created = vms.begin_create_or_update("rg", "vm1", parameters, **v2022).result()
        assert _platform(created).reboot_setting == "Never"
        # the bypass flag from 2023-03-01 on
        updated = vms.begin_update("rg", "vm1", m.VirtualMachineUpdate(os_profile=m.OSProfile(
            windows_configuration=m.WindowsConfiguration(patch_settings=m.PatchSettings(
                automatic_by_platform_settings=m.WindowsVMGuestPatchAutomaticByPlatformSettings(
                    bypass_platform_safety_checks_on_user_schedule=True))))), **v2023).result()
        assert _platform(updated).bypass_platform_safety_checks_on_user_schedule is True
        # each version reads what it has; a 2022-03-01 round trip keeps the flag it cannot see
        seen = vms.get("rg", "vm1", **v2022)
        assert _platform(seen).reboot_setting == "Never"
        assert _platform(seen).bypass_platform_safety_checks_on_user_schedule is None
        seen.tags = {"ring": "1"}
        vms.begin_create_or_update("rg", "vm1", seen, **v2022).result()
        now = vms.get("rg", "vm1")
        assert now.tags == {"ring": "1"}
        assert _platform(now).bypass_platform_safety_checks_on_user_schedule is True
        assert _platform(vms.get("rg", "vm1", **v2023)).bypass_platform_safety_checks_on_user_schedule
        # and the 2021-03-01 shape has no automaticByPlatformSettings at all
        assert _platform(vms.get("rg", "vm1", api_version="2021-03-01")) is None
