"""Template deployments as ARM runs them, checked without az (tests/test_real_az.py runs the real az over
the same surface): Complete mode, reference(), availability sets in templates and over ARM, the
validation az's `--validate` prints, and request bodies ARM cannot read."""

from __future__ import annotations

import json

import pytest
from test_real_az_surface import DEPLOYMENTS, NETWORK, Arm, deployment_request

AVSETS = "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/availabilitySets"


def _deployment(resources, mode="Incremental", outputs=None, variables=None):
    return {"properties": {"mode": mode, "parameters": {}, "template": {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0", "variables": variables or {}, "resources": resources, "outputs": outputs or {}}}}


def _nsg(name, **extra):
    return {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": name,
            "location": "eastus", "properties": {}, **extra}


def _names(arm, kind):
    return sorted(r["name"] for r in arm("GET", f"{NETWORK}/{kind}", api="2023-09-01")[1]["value"])


@pytest.fixture
def arm(state_path):
    return Arm(state_path)


@pytest.fixture
def opted(arm, cli):
    """The guide's opt-in done (features registered and propagated), group rg in eastus."""
    assert arm("PUT", "/subscriptions/{sub}/resourcegroups/rg", {"location": "eastus"})[0] == 201
    for feature in ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview"):
        assert cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", feature).exit_code == 0
    assert cli("tick", "--minutes", "30").exit_code == 0
    assert arm("POST", "/subscriptions/{sub}/providers/Microsoft.Compute/register")[0] == 200
    return arm


@pytest.fixture
def group(arm):
    assert arm("PUT", "/subscriptions/{sub}/resourcegroups/rg", {"location": "eastus"})[0] == 201
    return arm


def test_complete_mode_deletes_what_the_template_does_not_hold(group):
    arm = group
    assert arm("PUT", f"{DEPLOYMENTS}/one", _deployment([_nsg("a"), _nsg("b"), _nsg("c")]))[0] == 201
    # incremental leaves the others alone
    assert arm("PUT", f"{DEPLOYMENTS}/two", _deployment([_nsg("a")]))[0] == 201
    assert _names(arm, "networkSecurityGroups") == ["a", "b", "c"]
    # complete removes every resource of the group the template does not hold (a conditioned-out one too)
    status, accepted, _ = arm("PUT", f"{DEPLOYMENTS}/three", _deployment(
        [_nsg("a"), _nsg("d"), _nsg("b", condition=False)], mode="Complete"))
    assert status == 201
    shown = arm("GET", f"{DEPLOYMENTS}/three")[1]["properties"]
    assert shown["mode"] == "Complete" and shown["provisioningState"] == "Succeeded"
    assert _names(arm, "networkSecurityGroups") == ["a", "d"]


def test_complete_mode_removes_vms_before_what_they_use(opted, cli):
    """az vm create's deployment, then a complete deployment of only the VNet: the VM, its NIC, its public
    IP and its NSG go (the VM first, its NIC next), the VNet stays, the group too."""
    arm = opted
    assert arm("PUT", f"{DEPLOYMENTS}/vm", deployment_request(arm))[0] == 201
    assert cli("vm", "list", "-g", "rg", "--query", "length(@)").json == 1
    vnet = arm("GET", f"{NETWORK}/virtualNetworks/myVMVNET", api="2023-09-01")[1]
    keep = {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "myVMVNET",
            "location": "eastus", "properties": vnet["properties"]}
    assert arm("PUT", f"{DEPLOYMENTS}/prune", _deployment([keep], mode="Complete"))[0] == 201
    assert cli("vm", "list", "-g", "rg", "--query", "length(@)").json == 0
    for kind in ("networkInterfaces", "publicIPAddresses", "networkSecurityGroups"):
        assert _names(arm, kind) == [], kind
    assert _names(arm, "virtualNetworks") == ["myVMVNET"]
    assert cli("group", "exists", "-n", "rg").json is True


def test_a_failed_complete_deployment_deletes_nothing(group):
    arm = group
    assert arm("PUT", f"{DEPLOYMENTS}/one", _deployment([_nsg("a"), _nsg("b")]))[0] == 201
    bad_ip = {"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2023-09-01", "name": "ip",
              "location": "eastus", "properties": "not an object"}
    assert arm("PUT", f"{DEPLOYMENTS}/two", _deployment([_nsg("a"), bad_ip], mode="Complete"))[0] == 201
    shown = arm("GET", f"{DEPLOYMENTS}/two")[1]["properties"]
    assert shown["provisioningState"] == "Failed" and shown["error"]["details"][0]["code"] == "InvalidRequestContent"
    assert _names(arm, "networkSecurityGroups") == ["a", "b"]


def test_reference_reads_a_resource_when_its_turn_comes(group):
    """reference() of a resource of the same template orders the two (no dependsOn needed) and reads what
    was deployed; of a resource already there, reads the store; 'Full' adds the resource's envelope."""
    arm = group
    assert arm("PUT", f"{DEPLOYMENTS}/first", _deployment([_nsg("existing")]))[0] == 201
    ip = {"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2022-01-01", "name": "ip", "location": "eastus",
          "properties": {"publicIPAllocationMethod": "Static"}}
    tagged = _nsg("tagged", tags={
        "address": "[reference('ip').ipAddress]",
        "allocation": "[reference(resourceId('Microsoft.Network/publicIPAddresses', 'ip'), '2022-01-01').publicIPAllocationMethod]",
        "existing": "[reference(resourceId('Microsoft.Network/networkSecurityGroups', 'existing'), '2023-09-01', 'Full').name]",
    })
    outputs = {"address": {"type": "string", "value": "[reference('ip').ipAddress]"}}
    status, document, _ = arm("PUT", f"{DEPLOYMENTS}/refs", _deployment([tagged, ip], outputs=outputs))
    assert status == 201, document
    shown = arm("GET", f"{DEPLOYMENTS}/refs")[1]["properties"]
    assert shown["provisioningState"] == "Succeeded", shown
    assert [r["id"].rsplit("/", 1)[1] for r in shown["outputResources"]] == ["ip", "tagged"]  # ip first
    address = arm("GET", f"{NETWORK}/publicIPAddresses/ip", api="2022-01-01")[1]["properties"]["ipAddress"]
    tags = arm("GET", f"{NETWORK}/networkSecurityGroups/tagged", api="2023-09-01")[1]["tags"]
    assert tags == {"address": address, "allocation": "Static", "existing": "existing"}
    assert shown["outputs"]["address"]["value"] == address


@pytest.mark.parametrize(("resources", "variables", "code", "fragment"), [
    ([_nsg("[reference('x').name]")], None, "InvalidTemplate", "'reference' is not expected at this location"),
    ([_nsg("a")], {"v": "[reference('a').x]"}, None, None),  # an unused variable is never evaluated
    ([_nsg("a", tags={"t": "[variables('v')]"})], {"v": "[reference('a').x]"}, "InvalidTemplate",
     "'reference' is not expected at this location"),
])
def test_reference_where_arm_refuses_it(group, resources, variables, code, fragment):
    arm = group
    status, document, _ = arm("PUT", f"{DEPLOYMENTS}/r", _deployment(resources, variables=variables))
    if code is None:
        assert status == 201, document
        return
    if status == 400:
        assert document["error"]["code"] == code and fragment in document["error"]["message"], document
    else:  # found while deploying: the deployment fails with it
        shown = arm("GET", f"{DEPLOYMENTS}/r")[1]["properties"]
        assert shown["provisioningState"] == "Failed" and fragment in json.dumps(shown["error"]), shown


def test_reference_to_a_missing_resource_fails_the_deployment(group):
    arm = group
    tagged = _nsg("a", tags={"t": "[reference(resourceId('Microsoft.Network/publicIPAddresses', 'nope')).ipAddress]"})
    assert arm("PUT", f"{DEPLOYMENTS}/r", _deployment([tagged]))[0] == 201
    shown = arm("GET", f"{DEPLOYMENTS}/r")[1]["properties"]
    assert shown["provisioningState"] == "Failed"
    assert shown["error"]["details"][0]["code"] == "ResourceNotFound"


def test_availability_sets_in_templates_and_over_arm(opted, cli):
    """What `az vm availability-set create` deploys (az 2.91's template: apiVersion 2025-04-01, sku Aligned),
    then the GET az vm create's --availability-set check sends (2024-07-01), then a VM in the set."""
    arm = opted
    avset = {"type": "Microsoft.Compute/availabilitySets", "name": "myAvSet", "location": "eastus", "tags": {},
             "apiVersion": "2025-04-01", "sku": {"name": "Aligned"},
             "properties": {"platformFaultDomainCount": 2, "platformUpdateDomainCount": 3}}
    assert arm("PUT", f"{DEPLOYMENTS}/av_set_deploy_1", _deployment([avset]))[0] == 201
    shown = arm("GET", f"{AVSETS}/myAvSet", api="2024-07-01")
    assert shown[0] == 200 and shown[1]["properties"]["platformUpdateDomainCount"] == 3
    assert shown[1]["sku"] == {"name": "Aligned"}
    assert arm("GET", f"{AVSETS}/missing", api="2024-07-01")[0] == 404
    request = deployment_request(arm)
    vm = next(r for r in request["properties"]["template"]["resources"] if r["type"].endswith("virtualMachines"))
    vm["properties"]["availabilitySet"] = {"id": shown[1]["id"]}
    assert arm("PUT", f"{DEPLOYMENTS}/vm", request)[0] == 201
    assert arm("GET", f"{DEPLOYMENTS}/vm")[1]["properties"]["provisioningState"] == "Succeeded"
    listed = arm("GET", AVSETS, api="2024-07-01")[1]["value"]
    assert [s["name"] for s in listed] == ["myAvSet"]
    assert listed[0]["properties"]["virtualMachines"][0]["id"].endswith("/virtualMachines/myVM")
    assert cli("vm", "availability-set", "show", "-g", "rg", "-n", "myAvSet").json["name"] == "myAvSet"
    # a set with VMs is not deleted; once empty it is
    refused = arm("DELETE", f"{AVSETS}/myAvSet", api="2024-07-01")
    assert refused[0] == 409 and refused[1]["error"]["code"] == "OperationNotAllowed"
    assert cli("vm", "delete", "-g", "rg", "-n", "myVM", "--yes").exit_code == 0
    assert arm("DELETE", f"{AVSETS}/myAvSet", api="2024-07-01")[0] == 200
    assert arm("DELETE", f"{AVSETS}/myAvSet", api="2024-07-01")[0] == 204


def test_validate_shows_the_mode_and_writes_nothing(group):
    arm = group
    before = arm.router.path.read_text()
    status, document, _ = arm("POST", f"{DEPLOYMENTS}/v/validate", _deployment([_nsg("a")], mode="Complete"))
    assert status == 200 and document["properties"]["mode"] == "Complete"
    assert [r["id"].rsplit("/", 1)[1] for r in document["properties"]["validatedResources"]] == ["a"]
    assert arm.router.path.read_text() == before


@pytest.mark.parametrize("body", [
    b'{"location": "eastus", "tags": {"a": "\\ud800"}}',
    b'{"location": "eastus", "tags": {"\\udfff": "x"}}',
    b'{"location": "\\uD83D"}',
])
def test_a_lone_surrogate_escape_is_content_arm_cannot_read(group, body):
    arm = group
    before = arm.router.path.read_text()
    path = f"/subscriptions/{arm.sub}/resourcegroups/rg2?api-version=2024-11-01"
    response = arm.router.handle("PUT", path, {}, body, "https://127.0.0.1:8443")
    assert response.status == 400 and response.json()["error"]["code"] == "InvalidRequestContent", response.json()
    assert arm.router.path.read_text() == before


def test_a_surrogate_pair_escape_is_a_character(group):
    arm = group
    path = f"/subscriptions/{arm.sub}/resourcegroups/rg2?api-version=2024-11-01"
    response = arm.router.handle("PUT", path, {}, b'{"location": "eastus", "tags": {"a": "\\ud83d\\ude00"}}',
                                 "https://127.0.0.1:8443")
    assert response.status == 201 and response.json()["tags"] == {"a": "\U0001f600"}
