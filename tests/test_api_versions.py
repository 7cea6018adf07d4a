"""Compute's api-versions come from one table (azure/compute_api.py): what ARM accepts, what the provider
advertises and which modelled shape answers each version are read from it, never listed again."""

from __future__ import annotations

import pytest

from autopatch_cli.arm import apiversions
from autopatch_cli.azure import catalog, compute_api
from autopatch_cli.models import versions


def test_the_table_is_sorted_dated_and_each_shape_is_modelled():
    rows = compute_api.COMPUTE
    assert [r.version for r in rows] == sorted({r.version for r in rows}), "one row per version, oldest first"
    for row in rows:
        assert row.published.isoformat() == row.version
        # a version is answered in a shape that exists by then, and that versions.py knows how to draw
        assert row.shape <= row.version and row.shape in versions.API_VERSIONS
        assert row.shape in versions._DROPPED
    # every modelled shape answers its own version
    assert all(compute_api.BY_VERSION[shape].shape == shape for shape in versions.API_VERSIONS)
    assert set(versions._DROPPED) == set(versions.API_VERSIONS)


def test_arm_accepts_exactly_the_table():
    assert apiversions.FAMILIES["compute"] == compute_api.ACCEPTED
    assert apiversions.SDK_COMPUTE_API_VERSION == compute_api.ACCEPTED[-1]
    for version in compute_api.ACCEPTED:
        assert apiversions.check("compute", version) == version
        assert apiversions.compute_shape(version) == compute_api.BY_VERSION[version].shape
    with pytest.raises(Exception) as refused:
        apiversions.check("compute", "2019-07-01")
    assert refused.value.code == "NoRegisteredProviderFound"
    assert ", ".join(compute_api.ACCEPTED) in refused.value.message


def test_the_provider_advertises_the_marked_rows(opted_in):
    advertised = [r.version for r in compute_api.COMPUTE if r.advertised]
    assert list(catalog.COMPUTE_API_VERSIONS) == sorted(advertised, reverse=True)
    shown = opted_in("provider", "show", "-n", "Microsoft.Compute")
    assert shown.exit_code == 0, shown.stderr
    for resource_type in shown.json["resourceTypes"]:
        assert resource_type["apiVersions"] == list(catalog.COMPUTE_API_VERSIONS)


def test_a_version_outside_the_table_takes_the_nearest_older_shape():
    assert compute_api.shape_of("2019-01-01") == compute_api.SHAPES[0]
    assert compute_api.shape_of("2099-01-01") == compute_api.SHAPES[-1]


# ---- issue 14: each accepted api-version answers with the patch settings that version has ------------------

import json  # noqa: E402

from helpers import PASSWORD  # noqa: E402
from spec_check import check  # noqa: E402

PLATFORM = "osProfile.windowsConfiguration.patchSettings.automaticByPlatformSettings"
REBOOT_FROM, BYPASS_FROM = "2022-03-01", "2023-03-01"  # the first stable versions defining each
# Compute's stable versions by what they define of automaticByPlatformSettings
NONE = [v for v in compute_api.ACCEPTED if v < REBOOT_FROM]
REBOOT_ONLY = [v for v in compute_api.ACCEPTED if REBOOT_FROM <= v < BYPASS_FROM]
BOTH = [v for v in compute_api.ACCEPTED if v >= BYPASS_FROM]


def test_the_version_groups():
    assert REBOOT_ONLY == ["2022-03-01", "2022-08-01", "2022-11-01"]
    assert BOTH[:4] == ["2023-03-01", "2023-07-01", "2023-09-01", "2024-03-01"]
    assert {compute_api.BY_VERSION[v].shape for v in REBOOT_ONLY} == {"2022-03-01"}
    assert {compute_api.BY_VERSION[v].shape for v in BOTH[:4]} == {"2023-03-01"}


def _rest(cli, method: str, url: str, body=None):
    args = ["rest", "--method", method, "--url", url]
    if body is not None:
        args += ["--body", json.dumps(body)]
    return cli(*args)


def _settings(document: dict) -> dict:
    return document["properties"]["osProfile"]["windowsConfiguration"]["patchSettings"]


def _platform_body(platform: dict) -> dict:
    return {"properties": {"osProfile": {"windowsConfiguration": {"patchSettings": {
        "automaticByPlatformSettings": platform}}}}}


@pytest.fixture
def scheduled_vm(cli):
    """Today's Azure, a Windows VM with rebootSetting Never and the bypass flag set; returns (cli, its URL)."""
    assert cli("clock", "set", "2024-06-01T00:00:00Z").exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    created = cli("vm", "create", "-g", "rg", "-n", "v", "--image", "Win2022Datacenter", "--admin-password", PASSWORD,
                  "--patch-mode", "AutomaticByPlatform", "--size", "Standard_D2s_v3")
    assert created.exit_code == 0, created.stderr
    updated = cli("vm", "update", "-g", "rg", "-n", "v", "--set", f"{PLATFORM}.rebootSetting=Never",
                  f"{PLATFORM}.bypassPlatformSafetyChecksOnUserSchedule=true")
    assert updated.exit_code == 0, updated.stderr
    return cli, created.json["id"]


@pytest.mark.parametrize("version", compute_api.ACCEPTED)
def test_get_shows_what_the_version_defines_and_fits_its_spec(scheduled_vm, version):
    cli, url = scheduled_vm
    got = _rest(cli, "get", f"{url}?api-version={version}&$expand=instanceView")
    assert got.exit_code == 0, got.stderr
    platform = _settings(got.json).get("automaticByPlatformSettings")
    if version in NONE:
        assert platform is None
    elif version in REBOOT_ONLY:
        assert platform == {"rebootSetting": "Never"}
    else:
        assert platform == {"rebootSetting": "Never", "bypassPlatformSafetyChecksOnUserSchedule": True}
    shape = compute_api.BY_VERSION[version].shape
    assert check("compute", "VirtualMachine", got.json, api_version=shape) == []


@pytest.mark.parametrize("shape", ["2022-03-01", "2023-03-01"])
def test_the_shape_specs_are_the_upstream_patch_definitions(shape):
    """Each group's spec differs where upstream's does: 2022-03-01's knows no bypass flag."""
    both = {"properties": {"osProfile": {"windowsConfiguration": {"patchSettings": {
        "patchMode": "AutomaticByPlatform",
        "automaticByPlatformSettings": {"rebootSetting": "Never", "bypassPlatformSafetyChecksOnUserSchedule": True}}}}}}
    problems = check("compute", "VirtualMachine", both, api_version=shape)
    assert bool(problems) == (shape == "2022-03-01")
    assert check("compute", "VirtualMachine", versions.for_api_version(both, shape), api_version=shape) == []
    linux = {"properties": {"osProfile": {"linuxConfiguration": {"patchSettings": {
        "patchMode": "AutomaticByPlatform",
        "automaticByPlatformSettings": {"rebootSetting": "Always", "bypassPlatformSafetyChecksOnUserSchedule": False}}}}}}
    assert check("compute", "VirtualMachine", versions.for_api_version(linux, shape), api_version=shape) == []
    # and the older and newer specs in the same way
    assert check("compute", "VirtualMachine", both, api_version="2021-03-01")
    assert check("compute", "VirtualMachine", both, api_version="2024-07-01") == []


@pytest.mark.parametrize("version", ["2020-12-01", "2021-03-01", "2021-11-01", "2022-03-01", "2022-11-01"])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_property_the_version_does_not_define_is_refused(scheduled_vm, version, method):
    """Compute deserializes a request with its model of that api-version, which has no such member:
    400 InvalidRequestContent, and the VM unchanged."""
    cli, url = scheduled_vm
    before = _rest(cli, "get", f"{url}?api-version=2024-07-01").json
    member = "automaticByPlatformSettings" if version in NONE else "bypassPlatformSafetyChecksOnUserSchedule"
    if method == "put":
        body = _rest(cli, "get", f"{url}?api-version={version}").json
        _settings(body)["automaticByPlatformSettings"] = {"rebootSetting": "Always",
                                                          "bypassPlatformSafetyChecksOnUserSchedule": False}
    else:
        body = _platform_body({"rebootSetting": "Always", "bypassPlatformSafetyChecksOnUserSchedule": False})
    refused = _rest(cli, method, f"{url}?api-version={version}", body)
    assert refused.exit_code != 0
    assert "InvalidRequestContent" in refused.stderr
    assert f"Could not find member '{member}'" in refused.stderr
    assert _rest(cli, "get", f"{url}?api-version=2024-07-01").json == before


@pytest.mark.parametrize("version", REBOOT_ONLY)
def test_reboot_setting_is_written_at_its_versions_and_the_bypass_flag_kept(scheduled_vm, version):
    cli, url = scheduled_vm
    patched = _rest(cli, "patch", f"{url}?api-version={version}", _platform_body({"rebootSetting": "Always"}))
    assert patched.exit_code == 0, patched.stderr
    assert _settings(patched.json)["automaticByPlatformSettings"] == {"rebootSetting": "Always"}
    # a PUT of what that version GETs (the round trip of a client pinned to it) keeps the hidden flag
    body = _rest(cli, "get", f"{url}?api-version={version}").json
    assert _rest(cli, "put", f"{url}?api-version={version}", body).exit_code == 0
    newest = _settings(_rest(cli, "get", f"{url}?api-version=2026-04-01").json)
    assert newest["automaticByPlatformSettings"] == {"rebootSetting": "Always",
                                                     "bypassPlatformSafetyChecksOnUserSchedule": True}
    # clearing rebootSetting at that version still keeps the flag it cannot see
    del _settings(body)["automaticByPlatformSettings"]
    assert _rest(cli, "put", f"{url}?api-version={version}", body).exit_code == 0
    newest = _settings(_rest(cli, "get", f"{url}?api-version=2026-04-01").json)
    assert newest["automaticByPlatformSettings"] == {"bypassPlatformSafetyChecksOnUserSchedule": True}
    assert "automaticByPlatformSettings" not in _settings(_rest(cli, "get", f"{url}?api-version={version}").json)


@pytest.mark.parametrize("version", ["2023-03-01", "2023-09-01", "2024-03-01"])
def test_the_bypass_flag_is_written_from_2023_03_01(scheduled_vm, version):
    cli, url = scheduled_vm
    patched = _rest(cli, "patch", f"{url}?api-version={version}",
                    _platform_body({"bypassPlatformSafetyChecksOnUserSchedule": False}))
    assert patched.exit_code == 0, patched.stderr
    assert _settings(patched.json)["automaticByPlatformSettings"] == {
        "rebootSetting": "Never", "bypassPlatformSafetyChecksOnUserSchedule": False}


def test_a_template_vm_at_an_older_api_version_fails_its_deployment_the_same_way(scheduled_vm):
    """ARM sends a template's resource to Compute at the resource's apiVersion: the same refusal, as the
    deployment's failed operation."""
    cli, url = scheduled_vm
    sub = url.split("/")[2]
    body = _rest(cli, "get", f"{url}?api-version=2026-04-01").json
    properties = {k: v for k, v in body["properties"].items()
                  if k in ("hardwareProfile", "storageProfile", "osProfile", "networkProfile")}
    properties["osProfile"]["adminPassword"] = PASSWORD
    template = {"$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
                "contentVersion": "1.0.0.0",
                "resources": [{"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2022-11-01", "name": "v2",
                               "location": "eastus", "properties": properties}]}
    deployment = f"/subscriptions/{sub}/resourcegroups/rg/providers/Microsoft.Resources/deployments/d1"
    put = _rest(cli, "put", f"{deployment}?api-version=2024-11-01",
                {"properties": {"mode": "Incremental", "template": template}})
    assert put.exit_code == 0, put.stderr
    shown = _rest(cli, "get", f"{deployment}?api-version=2024-11-01").json["properties"]
    assert shown["provisioningState"] == "Failed"
    assert shown["error"]["details"][0]["code"] == "InvalidRequestContent"
    assert "bypassPlatformSafetyChecksOnUserSchedule" in shown["error"]["details"][0]["message"]
    assert [vm["name"] for vm in cli("vm", "list", "-g", "rg").json] == ["v"]
