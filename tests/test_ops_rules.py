"""ARM's rules as named checks (ops/vm_rules.py), one constructor per ARM error (errors.py), and the
group's managedBy kept as az sends it."""

from __future__ import annotations

import pytest

from autopatch_cli import errors
from autopatch_cli.ops import vm_rules


@pytest.mark.parametrize(("error", "code", "status", "target"), [
    (errors.invalid_parameter("vmSize", "m"), "InvalidParameter", 400, "vmSize"),
    (errors.not_allowed_value("x", "patchMode", ("A", "B")), "InvalidParameter", 400, "patchMode"),
    (errors.invalid_request_content(), "InvalidRequestContent", 400, None),
    (errors.property_change_not_allowed("zones"), "PropertyChangeNotAllowed", 409, "zones"),
    (errors.operation_not_allowed("m"), "OperationNotAllowed", 409, None),
    (errors.conflict("m"), "Conflict", 409, None),
    (errors.location_required(), "LocationRequired", 400, None),
    (errors.location_not_available("mars", "resourceGroups", ["eastus"]), "LocationNotAvailableForResourceType", 400, None),
    (errors.invalid_resource_group("a*", " is invalid."), "InvalidResourceGroup", 400, None),
    (errors.invalid_resource_group_location("westus", "eastus"), "InvalidResourceGroupLocation", 409, None),
    (errors.invalid_resource_name("a b", "Microsoft.Compute/virtualMachines"), "InvalidResourceName", 400,
     "Microsoft.Compute/virtualMachines"),
    (errors.invalid_resource_namespace("Microsoft.Nope"), "InvalidResourceNamespace", 404, None),
    (errors.feature_not_found("F"), "FeatureNotFound", 404, None),
    (errors.missing_subscription_registration("Microsoft.Compute"), "MissingSubscriptionRegistration", 409, None),
    (errors.resource_group_not_found("rg"), "ResourceGroupNotFound", 404, None),
    (errors.resource_not_found("Microsoft.Compute/virtualMachines", "vm", "rg"), "ResourceNotFound", 404, None),
])
def test_each_arm_error_has_its_code_status_and_target(error, code, status, target):
    assert (error.code, error.status, error.target) == (code, status, target)
    assert error.exit_code == (3 if status == 404 else 1)
    assert error.body()["error"]["code"] == code


WINDOWS = {"provisionVMAgent": True, "enableAutomaticUpdates": True, "patchSettings": {"patchMode": "AutomaticByOS"}}


@pytest.mark.parametrize(("check", "windows", "message"), [
    (vm_rules.check_patch_mode_matches_updates, {**WINDOWS, "patchSettings": {"patchMode": "Manual"}}, "'Manual'"),
    (vm_rules.check_patch_mode_matches_updates, {**WINDOWS, "enableAutomaticUpdates": False}, "'AutomaticByOS'"),
    (vm_rules.check_patch_mode_matches_updates, {**WINDOWS, "provisionVMAgent": False,
                                                 "patchSettings": {"patchMode": "AutomaticByPlatform"}}, "provisionVMAgent"),
    (vm_rules.check_hotpatching, {**WINDOWS, "patchSettings": {"patchMode": "AutomaticByOS", "enableHotpatching": True}},
     "Hotpatching"),
])
def test_each_patch_settings_rule_is_a_named_check_that_can_fail(check, windows, message):
    check(WINDOWS)  # the valid configuration passes
    with pytest.raises(errors.AzureError, match=message):
        check(windows)


def test_allowed_values_are_matched_case_insensitively_and_stored_canonical():
    assert vm_rules.allowed_value("automaticbyplatform", vm_rules.WINDOWS_PATCH_MODES, "patchMode") == "AutomaticByPlatform"
    with pytest.raises(errors.AzureError, match="Allowed values are 'AutomaticByOS', 'AutomaticByPlatform', 'Manual'"):
        vm_rules.allowed_value("Sometimes", vm_rules.WINDOWS_PATCH_MODES, "patchMode")


def test_group_managed_by_is_kept_as_az_sends_it(cli):
    manager = "/subscriptions/x/resourceGroups/y/providers/Microsoft.Solutions/applications/app"
    created = cli("group", "create", "-n", "rg", "-l", "eastus", "--managed-by", manager)
    assert created.exit_code == 0, created.stderr
    assert created.json["managedBy"] == manager
    assert cli("group", "show", "-n", "rg").json["managedBy"] == manager
    put = cli("rest", "-m", "put", "-u", "/subscriptions/{subscriptionId}/resourceGroups/rg2?api-version=2020-06-01",
              "--body", f'{{"location": "eastus", "managedBy": "{manager}"}}')
    assert put.exit_code == 0, put.stderr
    assert cli("group", "show", "-n", "rg2").json["managedBy"] == manager
