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
    # az's existence check goes through the generic resource API, whose empty parent path leaves "//"
    generic = AVSETS.replace("Microsoft.Compute/", "Microsoft.Compute//")
    assert arm("GET", f"{generic}/myAvSet", api="2024-07-01")[1] == shown[1]
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


def test_vm_create_validate_prints_the_validation_and_keeps_nothing(cli, state_path):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    before = state_path.read_bytes()
    shown = cli("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter", "--admin-password",
                "Str0ng!Passw0rd#", "--validate", "--public-ip-address", "")
    assert shown.exit_code == 0, shown.stderr
    document = shown.json
    assert document["name"].startswith("vm_deploy_") and document["type"] == "Microsoft.Resources/deployments"
    assert document["error"] is None and document["properties"]["provisioningState"] == "Succeeded"
    assert document["properties"]["parameters"] == {"adminPassword": {"type": "SecureString"}}
    assert [r["id"].rsplit("/", 1)[1] for r in document["properties"]["validatedResources"]] == [
        "vmVNET", "vmNSG", "vmVMNic", "vm"]  # no public IP: --public-ip-address ""
    assert state_path.read_bytes() == before


# ---- complete mode's deletions in the operations list, templateHash -------------------------------------


def _operations(arm, name):
    status, listed, _ = arm("GET", f"{DEPLOYMENTS}/{name}/operations")
    assert status == 200
    return listed["value"]


def test_complete_mode_lists_each_deletion_as_an_operation(group):
    """ARM lists what a Complete deployment deleted among its operations, provisioningOperation Delete, after
    the resources it deployed; the shape is the spec's DeploymentOperation."""
    from spec_check import SPEC_DIR, check

    arm = group
    assert arm("PUT", f"{DEPLOYMENTS}/one", _deployment([_nsg("a"), _nsg("b"), _nsg("c")]))[0] == 201
    assert arm("PUT", f"{DEPLOYMENTS}/two", _deployment([_nsg("a"), _nsg("d")], mode="Complete"))[0] == 201
    operations = _operations(arm, "two")
    shown = [(o["properties"]["provisioningOperation"], o["properties"]["targetResource"]["resourceName"])
             for o in operations]
    assert shown == [("Create", "a"), ("Create", "d"), ("Delete", "b"), ("Delete", "c")]
    deleted = operations[2]
    sub = arm.sub
    assert deleted["properties"]["targetResource"] == {
        "id": f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/b",
        "resourceType": "Microsoft.Network/networkSecurityGroups", "resourceName": "b"}
    assert deleted["properties"]["provisioningState"] == "Succeeded" and deleted["properties"]["statusCode"] == "OK"
    assert deleted["id"].endswith(f"/deployments/two/operations/{deleted['operationId']}")
    status, one, _ = arm("GET", f"{DEPLOYMENTS}/two/operations/{deleted['operationId']}")
    assert status == 200 and one == deleted
    for operation in operations:
        # ARM's answers carry a trackingId the spec does not declare; the rest is the spec's shape
        properties = {k: v for k, v in operation["properties"].items() if k != "trackingId"}
        problems = check(SPEC_DIR / "resources-2024-07-01/resources.json", "DeploymentOperation",
                         {**operation, "properties": properties})
        assert not problems, problems
    # an incremental deployment deletes nothing and lists no deletion
    assert all(o["properties"]["provisioningOperation"] == "Create" for o in _operations(arm, "one"))


def test_complete_mode_lists_the_vm_and_what_it_used_in_deletion_order(opted):
    arm = opted
    assert arm("PUT", f"{DEPLOYMENTS}/vm", deployment_request(arm))[0] == 201
    vnet = arm("GET", f"{NETWORK}/virtualNetworks/myVMVNET", api="2023-09-01")[1]
    keep = {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "myVMVNET",
            "location": "eastus", "properties": vnet["properties"]}
    assert arm("PUT", f"{DEPLOYMENTS}/prune", _deployment([keep], mode="Complete"))[0] == 201
    deletions = [o["properties"]["targetResource"] for o in _operations(arm, "prune")
                 if o["properties"]["provisioningOperation"] == "Delete"]
    assert [(t["resourceType"], t["resourceName"]) for t in deletions] == [
        ("Microsoft.Compute/virtualMachines", "myVM"), ("Microsoft.Network/networkInterfaces", "myVMVMNic"),
        ("Microsoft.Network/publicIPAddresses", "myVMPublicIP"),
        ("Microsoft.Network/networkSecurityGroups", "myVMNSG")]


def test_a_failed_complete_deployment_lists_no_deletion(group):
    arm = group
    assert arm("PUT", f"{DEPLOYMENTS}/one", _deployment([_nsg("a"), _nsg("b")]))[0] == 201
    bad_ip = {"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2023-09-01", "name": "ip",
              "location": "eastus", "properties": "not an object"}
    assert arm("PUT", f"{DEPLOYMENTS}/two", _deployment([_nsg("a"), bad_ip], mode="Complete"))[0] == 201
    assert "Delete" not in {o["properties"]["provisioningOperation"] for o in _operations(arm, "two")}


def test_template_hash_is_ours_and_deterministic():
    """ARM's algorithm is not public: ours is the decimal uint64 of the first 8 bytes of the SHA-256 of the
    template's canonical JSON (README.md says so)."""
    import hashlib

    from autopatch_cli.ops.deployments import template_hash

    template = {"resources": [_nsg("a")], "contentVersion": "1.0.0.0", "variables": {"é": "ü"}}
    canonical = ('{"contentVersion":"1.0.0.0","resources":[{"apiVersion":"2023-09-01","location":"eastus",'
                 '"name":"a","properties":{},"type":"Microsoft.Network/networkSecurityGroups"}],"variables":{"é":"ü"}}')
    expected = str(int.from_bytes(hashlib.sha256(canonical.encode()).digest()[:8], "big"))
    assert template_hash(template) == expected
    reordered = json.loads(json.dumps(dict(reversed(list(template.items())))))
    assert template_hash(reordered) == expected
    assert template_hash({**template, "contentVersion": "1.0.0.1"}) != expected
    assert 0 <= int(expected) < 2**64


def test_the_same_template_deploys_with_the_same_hash(group):
    arm = group
    body = _deployment([_nsg("a")])
    assert arm("PUT", f"{DEPLOYMENTS}/one", body)[0] == 201
    assert arm("PUT", f"{DEPLOYMENTS}/two", json.loads(json.dumps(body, indent=4)))[0] == 201
    other = _deployment([_nsg("b")])
    assert arm("PUT", f"{DEPLOYMENTS}/three", other)[0] == 201
    hashes = [arm("GET", f"{DEPLOYMENTS}/{name}")[1]["properties"]["templateHash"] for name in ("one", "two", "three")]
    assert hashes[0] == hashes[1] != hashes[2] and hashes[0].isdigit()
    validated = arm("POST", f"{DEPLOYMENTS}/v/validate", body)[1]["properties"]["templateHash"]
    assert validated == hashes[0]


def test_vm_create_validate_hash_follows_the_options(cli, state_path):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    base = ("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter", "--admin-password",
            "Str0ng!Passw0rd#", "--validate")
    first, again = cli(*base), cli(*base)
    other = cli(*base, "--public-ip-address", "")
    hashes = [r.json["properties"]["templateHash"] for r in (first, again, other)]
    assert hashes[0] == hashes[1] != hashes[2]


def test_calculate_template_hash_gives_the_deployments_hash(group):
    """POST /providers/Microsoft.Resources/calculateTemplateHash: the template minified (no whitespace) and the
    same hash a deployment of it carries; the spec's TemplateHashResult."""
    from spec_check import SPEC_DIR, check

    arm = group
    body = _deployment([_nsg("a")])
    template = body["properties"]["template"]
    status, result, _ = arm("POST", "/providers/Microsoft.Resources/calculateTemplateHash", template)
    assert status == 200 and not check(SPEC_DIR / "resources-2024-07-01/resources.json", "TemplateHashResult", result)
    assert json.loads(result["minifiedTemplate"]) == template and " " not in result["minifiedTemplate"]
    assert arm("PUT", f"{DEPLOYMENTS}/one", body)[0] == 201
    assert arm("GET", f"{DEPLOYMENTS}/one")[1]["properties"]["templateHash"] == result["templateHash"]
    status, refused, _ = arm("POST", "/providers/Microsoft.Resources/calculateTemplateHash", None)
    assert status == 400 and refused["error"]["code"] == "InvalidRequestContent"
