"""autopatch rest (az rest) and the ARM router it shares with autopatch serve."""

from __future__ import annotations

import json

import pytest
from helpers import PASSWORD

ARM = "https://management.azure.com"
SUB = "/subscriptions/{subscriptionId}"
VMS = SUB + "/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines"
AUTO = "InGuestAutoPatchVMPreview"


def vm_body(patch_mode: str = "AutomaticByOS", password: str = PASSWORD, assessment: str | None = None) -> dict:
    settings = {"patchMode": patch_mode}
    if assessment:
        settings["assessmentMode"] = assessment
    return {
        "location": "eastus",
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_D2s_v3"},
            "storageProfile": {"imageReference": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
                                                  "sku": "2019-Datacenter", "version": "latest"}},
            "osProfile": {"computerName": "vm1", "adminUsername": "azureuser", "adminPassword": password,
                          "windowsConfiguration": {"provisionVMAgent": True,
                                                   "enableAutomaticUpdates": patch_mode != "Manual",
                                                   "patchSettings": settings}},
            "networkProfile": {"networkInterfaces": [
                {"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic"}]},
        },
    }


@pytest.fixture
def rest(cli):
    def call(method: str, url: str, body=None, *extra: str):
        args = ["rest", "--method", method, "--url", url]
        if body is not None:
            args += ["--body", body if isinstance(body, str) else json.dumps(body)]
        return cli(*args, *extra)

    return call


@pytest.fixture
def group(rest):
    done = rest("put", f"{SUB}/resourcegroups/rg?api-version=2020-06-01", {"location": "eastus"})
    assert done.exit_code == 0, done.stderr
    return rest


def error_of(result) -> dict:
    """The ARM error body inside az rest's ``ERROR: <Reason>(<body>)``."""
    line = result.stderr.strip().splitlines()[0]
    assert line.startswith("ERROR: ")
    return json.loads(line[line.index("(") + 1 : -1])["error"]


# ---- the guide's calls ----------------------------------------------------------------------------


def test_feature_register_and_get_as_az_rest_prints_them(rest, state_path):
    url = f"{SUB}/providers/Microsoft.Features/providers/Microsoft.Compute/features/{AUTO}"
    done = rest("post", f"{url}/register?api-version=2015-12-01")
    assert done.exit_code == 0, done.stderr
    assert done.json["properties"]["state"] == "Registering"
    assert done.json["name"] == f"Microsoft.Compute/{AUTO}"
    assert "resourceGroup" not in done.stdout  # az rest applies no transforms
    assert json.loads(state_path.read_text())["features"][f"Microsoft.Compute/{AUTO}"]["state"] == "Registering"
    shown = rest("get", f"{ARM}{url}?api-version=2021-07-01")
    assert shown.exit_code == 0 and shown.json == done.json
    assert rest("get", f"{url}?api-version=2015-12-01", None, "--query", "properties.state", "-o", "tsv").stdout == "Registering\n"


def test_provider_register(rest):
    done = rest("post", f"{SUB}/providers/Microsoft.Compute/register?api-version=2020-06-01")
    assert done.exit_code == 0
    assert done.json["namespace"] == "Microsoft.Compute" and done.json["registrationState"] == "Registered"


def test_vm_put_never_stores_or_echoes_the_password(group, state_path):
    done = group("put", f"{VMS}/vm1?api-version=2020-06-01", vm_body())
    assert done.exit_code == 0, done.stderr
    assert done.json["properties"]["provisioningState"] == "Creating"
    assert PASSWORD not in done.stdout and "adminPassword" not in done.stdout
    assert PASSWORD not in state_path.read_text()
    shown = group("get", f"{VMS}/vm1?api-version=2020-06-01")
    assert shown.json["properties"]["provisioningState"] == "Succeeded"
    again = group("put", f"{VMS}/vm1?api-version=2020-06-01", vm_body())
    assert again.json["properties"]["provisioningState"] == "Updating"


def test_vm_put_body_from_file_and_patch(group, tmp_path):
    body = tmp_path / "vm.json"
    body.write_text(json.dumps(vm_body()))
    assert group("put", f"{VMS}/vm1?api-version=2021-03-01", f"@{body}").exit_code == 0
    patched = group("patch", f"{VMS}/vm1?api-version=2021-03-01", {"tags": {"team": "ops"}})
    assert patched.exit_code == 0, patched.stderr
    assert patched.json["tags"] == {"team": "ops"}
    assert patched.json["properties"]["osProfile"]["windowsConfiguration"]["patchSettings"]["patchMode"] == "AutomaticByOS"
    listed = group("get", f"{VMS}?api-version=2021-03-01", None, "--query", "value[].name", "-o", "tsv")
    assert listed.stdout == "vm1\n"
    everywhere = group("get", f"{SUB}/providers/Microsoft.Compute/virtualMachines?api-version=2020-12-01")
    assert [v["name"] for v in everywhere.json["value"]] == ["vm1"]


def test_instance_view_in_each_api_versions_shape(group):
    assert group("put", f"{VMS}/vm1?api-version=2020-12-01", vm_body()).exit_code == 0
    old = group("get", f"{VMS}/vm1/instanceView?api-version=2020-06-01").json
    new = group("get", f"{VMS}/vm1/instanceView?api-version=2020-12-01").json
    assert "configurationStatuses" in new["patchStatus"]
    assert "configurationStatuses" not in old.get("patchStatus", {})
    expanded = group("get", f"{VMS}/vm1?api-version=2021-03-01&$expand=instanceView").json
    assert expanded["properties"]["instanceView"]["statuses"][1]["code"] == "PowerState/running"
    assert "instanceView" not in group("get", f"{VMS}/vm1?api-version=2021-03-01").json["properties"]
    sdk = group("get", f"{VMS}/vm1?api-version=2026-04-01").json
    assert sdk["properties"]["osProfile"]["windowsConfiguration"]["patchSettings"]["assessmentMode"] == "ImageDefault"
    assert "assessmentMode" not in group("get", f"{VMS}/vm1?api-version=2020-12-01").json["properties"]["osProfile"][
        "windowsConfiguration"]["patchSettings"]


def test_older_api_version_keeps_what_it_cannot_express(opted_in, rest):
    assert rest("put", f"{VMS}/vm1?api-version=2021-03-01",
                vm_body("AutomaticByPlatform", assessment="AutomaticByPlatform")).exit_code == 0
    # A 2020-06-01 PUT knows no assessmentMode: ARM keeps the stored one.
    done = rest("put", f"{VMS}/vm1?api-version=2020-06-01", vm_body("AutomaticByPlatform"))
    assert done.exit_code == 0, done.stderr
    current = rest("get", f"{VMS}/vm1?api-version=2021-03-01").json
    assert current["properties"]["osProfile"]["windowsConfiguration"]["patchSettings"]["assessmentMode"] == "AutomaticByPlatform"


def test_power_action_is_a_long_running_operation(group):
    assert group("put", f"{VMS}/vm1?api-version=2020-06-01", vm_body()).exit_code == 0
    done = group("post", f"{VMS}/vm1/powerOff?api-version=2020-06-01", None, "--debug")
    assert done.exit_code == 0
    assert done.stdout == ""  # 202, no body: az rest prints nothing
    assert "Response status: 202" in done.stderr
    headers = dict(
        line.split(": ", 1) for line in (
            part.strip().removeprefix("INFO:").strip() for part in done.stderr.splitlines() if "'Azure-AsyncOperation'" in part
            or "'Location'" in part or "'Retry-After'" in part
        )
    )
    status_url = headers["'Azure-AsyncOperation'"].strip("'")
    monitor_url = headers["'Location'"].strip("'")
    assert status_url.startswith(f"{ARM}/subscriptions/") and "/providers/Microsoft.Compute/locations/eastus/operations/" in status_url
    assert "monitor=true" in monitor_url and headers["'Retry-After'"] == "'1'"
    status = group("get", status_url)
    assert status.json["status"] == "Succeeded" and set(status.json) >= {"name", "startTime", "endTime"}
    final = group("get", monitor_url)
    assert final.exit_code == 0 and final.stdout == ""
    view = group("get", f"{VMS}/vm1/instanceView?api-version=2020-06-01").json
    assert view["statuses"][1]["code"] == "PowerState/stopped"


def test_assess_patches_result_in_the_pollers_api_version(opted_in, rest):
    assert rest("post", f"{SUB}/providers/Microsoft.Features/providers/Microsoft.Compute/features/"
                "InGuestPatchVMPreview/register?api-version=2015-12-01").exit_code == 0
    assert rest("post", f"{SUB}/providers/Microsoft.Compute/register?api-version=2020-06-01").exit_code == 0
    opted_in("tick", "--minutes", "20")
    assert rest("post", f"{SUB}/providers/Microsoft.Compute/register?api-version=2020-06-01").exit_code == 0
    assert rest("put", f"{VMS}/vm1?api-version=2020-06-01", vm_body("Manual")).exit_code == 0
    opted_in("tick", "--until", "2020-10-14T00:00:00Z")  # after Patch Tuesday: there is something to find
    done = rest("post", f"{VMS}/vm1/assessPatches?api-version=2020-06-01", None, "--verbose")
    assert done.exit_code == 0, done.stderr
    logged = next(line for line in done.stderr.splitlines() if line.startswith("INFO: Request URL: "))
    assert "{subscriptionId}" not in logged and logged.startswith("INFO: Request URL: 'https://management.azure.com/subscriptions/")
    location = next(line for line in done.stderr.splitlines() if "'Location'" in line).split(": ", 2)[2].strip("'")
    old = rest("get", location).json
    assert old["patches"] and "availablePatches" not in old
    assert all("kbid" in p and "kbId" not in p for p in old["patches"])
    new = rest("get", location.replace("api-version=2020-06-01", "api-version=2021-03-01")).json
    assert "availablePatches" in new and new["assessmentActivityId"] == old["assessmentActivityId"]
    status = rest("get", location.replace("monitor=true&", "")).json
    assert status["properties"]["output"] == old
    summary = rest("get", f"{VMS}/vm1/instanceView?api-version=2020-06-01").json["patchStatus"]["availablePatchSummary"]
    assert summary["assessmentActivityId"] == old["assessmentActivityId"]


# ---- refusals, as ARM refuses ------------------------------------------------------------------------


def test_missing_api_version(rest, state_path):
    done = rest("post", f"{SUB}/providers/Microsoft.Features/providers/Microsoft.Compute/features/{AUTO}/register")
    assert done.exit_code == 1
    assert done.stderr.startswith('ERROR: Bad Request({"error":{"code":"MissingApiVersionParameter",')
    assert error_of(done)["message"] == "The api-version query parameter (?api-version=) is required for all requests."
    assert not state_path.exists()


@pytest.mark.parametrize(("url", "code"), [
    (f"{VMS}/vm1?api-version=2019-07-01", "NoRegisteredProviderFound"),
    (f"{VMS}/vm1/instanceView?api-version=2020-06-02", "NoRegisteredProviderFound"),
    (f"{SUB}/resourcegroups/rg?api-version=2019-01-01", "InvalidApiVersionParameter"),
    (f"{SUB}/providers/Microsoft.Features/providers/Microsoft.Compute/features/{AUTO}?api-version=2020-06-01",
     "InvalidApiVersionParameter"),
])
def test_unknown_api_version(group, url, code):
    from autopatch_cli.arm.apiversions import COMPUTE_API_VERSIONS

    done = group("get", url)
    assert done.exit_code == 1
    error = error_of(done)
    assert error["code"] == code
    if code == "NoRegisteredProviderFound":
        version = url.rsplit("=", 1)[1]
        assert error["message"].startswith(
            f"No registered resource provider found for location 'eastus' and API version '{version}' for type "
            f"'virtualMachines'. The supported api-versions are '{', '.join(sorted(COMPUTE_API_VERSIONS))}'."
        )
    else:
        assert error["message"].startswith(f"The api-version '{url.rsplit('=', 1)[1]}' is invalid. The supported versions are '")


def test_install_patches_needs_2020_12_01(group, state_path):
    assert group("put", f"{VMS}/vm1?api-version=2020-06-01", vm_body()).exit_code == 0
    before = state_path.read_text()
    done = group("post", f"{VMS}/vm1/installPatches?api-version=2020-06-01",
                 {"maximumDuration": "PT2H", "rebootSetting": "IfRequired"})
    assert done.exit_code == 1 and error_of(done)["code"] == "InvalidResourceType"
    assert done.stderr.startswith("ERROR: Not Found(")
    assert state_path.read_text() == before


def test_malformed_json_body(group, state_path):
    before = state_path.read_text()
    done = group("put", f"{VMS}/vm1?api-version=2021-03-01", "{not json")
    assert done.exit_code == 1 and error_of(done)["code"] == "InvalidRequestContent"
    assert state_path.read_text() == before
    array = group("put", f"{VMS}/vm1?api-version=2021-03-01", "[1, 2]")
    assert error_of(array)["code"] == "InvalidRequestContent"


def test_not_found_errors(group):
    missing = group("get", f"{VMS}/nope?api-version=2021-03-01")
    assert missing.exit_code == 1  # az rest: a CLIError, exit 1 even for 404
    assert missing.stderr.startswith("ERROR: Not Found(") and error_of(missing)["code"] == "ResourceNotFound"
    no_group = group("get", "/subscriptions/{subscriptionId}/resourceGroups/zz/providers/Microsoft.Compute/"
                     "virtualMachines/vm1/instanceView?api-version=2021-03-01")
    assert error_of(no_group)["code"] == "ResourceGroupNotFound"
    other_sub = group("get", "/subscriptions/00000000-0000-0000-0000-000000000009/resourcegroups/rg?api-version=2020-06-01")
    assert error_of(other_sub) == {
        "code": "SubscriptionNotFound",
        "message": "The subscription '00000000-0000-0000-0000-000000000009' could not be found.",
    }
    wrong_method = group("post", f"{VMS}/vm1?api-version=2021-03-01")
    assert wrong_method.stderr.startswith("ERROR: Method Not Allowed(")
    unknown = group("get", f"{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/d1?api-version=2021-03-01")
    assert unknown.exit_code == 1 and error_of(unknown)["code"] == "NotFound"


def test_resource_groups(rest):
    url = f"{SUB}/resourcegroups/rg2?api-version=2020-06-01"
    created = rest("put", url, {"location": "westus2", "tags": {"a": "b"}})
    assert created.exit_code == 0 and created.json["location"] == "westus2"
    assert rest("head", url).exit_code == 0
    listed = rest("get", f"{SUB}/resourcegroups?api-version=2020-06-01", None, "--query", "value[].name")
    assert listed.json == ["rg2"]
    no_location = rest("put", f"{SUB}/resourcegroups/rg3?api-version=2020-06-01", {"tags": {}})
    assert error_of(no_location)["code"] == "LocationRequired"
    deleted = rest("delete", url, None, "--debug")
    assert deleted.exit_code == 0 and "Response status: 202" in deleted.stderr
    monitor = next(line for line in deleted.stderr.splitlines() if "'Location'" in line).split(": ", 2)[2].strip("'")
    assert "/operationresults/" in monitor and rest("get", monitor).exit_code == 0
    assert rest("head", url).stderr.startswith("ERROR: Not Found")


def test_delete_vm(group):
    assert group("put", f"{VMS}/vm1?api-version=2021-03-01", vm_body()).exit_code == 0
    assert group("delete", f"{VMS}/vm1?api-version=2021-03-01").exit_code == 0
    assert error_of(group("get", f"{VMS}/vm1?api-version=2021-03-01"))["code"] == "ResourceNotFound"
    assert group("delete", f"{VMS}/vm1?api-version=2021-03-01").exit_code == 0  # 204: already gone


def test_command_line_errors(cli, rest):
    bad = rest("fetch", f"{SUB}/providers?api-version=2020-06-01")
    assert bad.exit_code == 2
    assert "'fetch' is not a valid value for '--method'. Allowed values: head, get, put, post, delete, options, patch." in bad.stderr
    assert cli("rest").exit_code == 2
    graph = rest("get", "https://graph.microsoft.com/v1.0/me")
    assert graph.exit_code == 1 and "management.azure.com" in graph.stderr
    missing_file = rest("put", f"{VMS}/vm1?api-version=2021-03-01", "@/nonexistent/body.json")
    assert missing_file.exit_code == 1 and "body.json" in missing_file.stderr


def test_uri_parameters_and_headers(rest):
    url = f"{SUB}/providers/Microsoft.Features/providers/Microsoft.Compute/features/{AUTO}"
    done = rest("get", url, None, "--uri-parameters", "api-version=2015-12-01", "--headers", "x-ms-test=1", '{"a": "b"}')
    assert done.exit_code == 0, done.stderr
    assert done.json["properties"]["state"] == "NotRegistered"


# ---- the router itself ----------------------------------------------------------------------------


def test_router_paths_are_case_insensitive_and_head_has_no_body(state_path):
    from autopatch_cli.arm import Router
    from autopatch_cli.ops.session import Session

    router = Router(state_path)
    sub = Session(state_path).reader().section("subscription")["id"]
    created = router.handle("PUT", f"/SUBSCRIPTIONS/{sub}/RESOURCEGROUPS/Rg1?api-version=2020-06-01", {},
                            b'{"location": "eastus"}')
    assert created.status == 201 and created.json()["name"] == "Rg1"
    again = router.handle("PUT", f"/subscriptions/{sub}/resourceGroups/rg1?api-version=2020-06-01", {},
                          b'{"location": "eastus"}')
    assert again.status == 200
    head = router.handle("HEAD", f"/subscriptions/{sub}/resourcegroups/nope?api-version=2020-06-01")
    assert head.status == 404 and head.body == b""
    assert router.handle("GET", "/?api-version=2020-06-01").status == 404
    assert router.handle("GET", "/").json()["error"]["code"] == "MissingApiVersionParameter"


def test_route_table_matches_the_most_specific_template_whatever_the_order():
    """The route table (arm/urls.py) does not depend on the order of its rows, and refuses a doubled row."""
    import random

    from autopatch_cli.arm.framework import Route
    from autopatch_cli.arm.urls import TABLE, RouteTable

    paths = [
        "/subscriptions/s/providers/Microsoft.Compute/virtualMachines",  # not POST /providers/{ns}/{action}
        "/subscriptions/s/providers/Microsoft.Features/features",
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/instanceView",
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/start",
        "/subscriptions/s/providers/Microsoft.Compute/register",
    ]
    expected = [(TABLE.match(p)[0], TABLE.match(p)[1]) for p in paths]
    assert sorted(expected[0][0]) == ["GET"] and expected[1][0]["GET"].handler.__name__ == "feature_list_all"
    assert sorted(expected[2][0]) == ["GET"] and sorted(expected[3][0]) == ["POST"]
    rows = list(TABLE.routes)
    for seed in range(5):
        random.Random(seed).shuffle(rows)
        shuffled = RouteTable(rows)
        assert [shuffled.match(p) for p in paths] == expected
    with pytest.raises(ValueError, match="two routes"):
        RouteTable([*rows, Route("GET", "/subscriptions/{other}/PROVIDERS", lambda *a: None, "resources")])
