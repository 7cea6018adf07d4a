"""`autopatch vm create` makes the network az 2.91's `vm create` deployment makes (azure-cli's
vm/_validators.py and custom.py create_vm, _template_builder.py): the resources, their names and bodies,
what it reuses, what its options change, and ARM's and az's refusals with the store unchanged."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import PASSWORD
from test_real_az_surface import DEPLOYMENTS, Arm, deployment_request

WIN = "Win2019Datacenter"
LINUX = "Canonical:UbuntuServer:18.04-LTS:latest"
NET = "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network"


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture
def arm(cli):
    ok(cli("group", "create", "-n", "rg", "-l", "eastus"))
    return Arm(Path(os.environ["AUTOPATCH_STATE"]))


def create(cli, name, *extra, image=WIN):
    return ok(cli("vm", "create", "-g", "rg", "-n", name, "--image", image, "--admin-password", PASSWORD, *extra)).json


def names(arm, kind, group="rg"):
    status, listed, _ = arm("GET", NET.replace("/rg/", f"/{group}/") + f"/{kind}", api="2024-05-01")
    assert status == 200, listed
    return sorted(r["name"] for r in listed["value"])


def get(arm, resource_id):
    status, body, _ = arm("GET", resource_id, api="2024-05-01")
    assert status == 200, body
    return body


def test_default_network_as_az_makes_it(arm, cli):
    created = create(cli, "vm1")
    assert names(arm, "virtualNetworks") == ["vm1VNET"] and names(arm, "networkSecurityGroups") == ["vm1NSG"]
    assert names(arm, "publicIPAddresses") == ["vm1PublicIP"] and names(arm, "networkInterfaces") == ["vm1VMNic"]
    vm = ok(cli("vm", "show", "-g", "rg", "-n", "vm1")).json
    nic_id = vm["networkProfile"]["networkInterfaces"][0]["id"]
    nic = get(arm, nic_id)  # the VM's NIC resolves through the ARM router
    assert nic["id"] == nic_id and nic["properties"]["virtualMachine"]["id"] == vm["id"]
    config = nic["properties"]["ipConfigurations"][0]
    assert config["name"] == "ipconfigvm1" and config["properties"]["privateIPAllocationMethod"] == "Dynamic"
    assert config["properties"]["subnet"]["id"].endswith("/virtualNetworks/vm1VNET/subnets/vm1Subnet")
    vnet = get(arm, NET + "/virtualNetworks/vm1VNET")
    assert vnet["properties"]["addressSpace"] == {"addressPrefixes": ["10.0.0.0/16"]}
    assert vnet["properties"]["subnets"][0]["properties"]["addressPrefix"] == "10.0.0.0/24"
    rules = get(arm, NET + "/networkSecurityGroups/vm1NSG")["properties"]["securityRules"]
    assert [(r["name"], r["properties"]["destinationPortRange"], r["properties"]["priority"]) for r in rules] == [
        ("rdp", "3389", 1000)]
    public_ip = get(arm, NET + "/publicIPAddresses/vm1PublicIP")
    assert public_ip["sku"] == {"name": "Standard"}  # az 2.91's default
    assert public_ip["properties"]["publicIPAllocationMethod"] == "Static"
    assert public_ip["properties"]["ipConfiguration"]["id"] == config["id"]
    # what vm create and vm show -d print is what the NIC and the public IP hold
    assert (created["privateIpAddress"], created["publicIpAddress"], created["macAddress"]) == (
        config["properties"]["privateIPAddress"], public_ip["properties"]["ipAddress"], nic["properties"]["macAddress"])
    details = ok(cli("vm", "show", "-g", "rg", "-n", "vm1", "-d")).json
    assert (details["privateIps"], details["publicIps"]) == (created["privateIpAddress"], created["publicIpAddress"])
    # the CLI's rest verb reads it the same way
    assert ok(cli("rest", "--method", "get", "--url", f"{nic_id}?api-version=2024-05-01")).json == nic


def test_a_second_vm_joins_the_groups_vnet_and_linux_opens_ssh(arm, cli):
    first = create(cli, "vm1")
    second = create(cli, "lin", image=LINUX)
    assert names(arm, "virtualNetworks") == ["vm1VNET"]  # az finds the group's VNet in the VM's location
    nic = get(arm, NET + "/networkInterfaces/linVMNic")
    assert nic["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"].endswith("/vm1VNET/subnets/vm1Subnet")
    assert first["privateIpAddress"] != second["privateIpAddress"]
    assert first["macAddress"] != second["macAddress"] and first["publicIpAddress"] != second["publicIpAddress"]
    rules = get(arm, NET + "/networkSecurityGroups/linNSG")["properties"]["securityRules"]
    assert [(r["name"], r["properties"]["destinationPortRange"]) for r in rules] == [("default-allow-ssh", "22")]
    # a VM in another location does not join it
    ok(cli("vm", "create", "-g", "rg", "-n", "west", "--image", WIN, "--admin-password", PASSWORD, "-l", "westus"))
    assert names(arm, "virtualNetworks") == ["vm1VNET", "westVNET"]


def test_options_shape_the_network(arm, cli):
    created = create(cli, "bare", "--nsg-rule", "NONE", "--public-ip-address", "")
    assert created["publicIpAddress"] == "" and names(arm, "publicIPAddresses") == []
    assert "securityRules" not in get(arm, NET + "/networkSecurityGroups/bareNSG")["properties"]
    create(cli, "nonsg", "--nsg", "", "--vnet-name", "own", "--subnet", "inner", "--vnet-address-prefix",
           "10.8.0.0/16", "--subnet-address-prefix", "10.8.1.0/24", "--private-ip-address", "10.8.1.9",
           "--public-ip-sku", "Basic", "--public-ip-address", "myip", "--public-ip-address-dns-name", "mydns")
    assert names(arm, "networkSecurityGroups") == ["bareNSG"]
    nic = get(arm, NET + "/networkInterfaces/nonsgVMNic")["properties"]
    assert "networkSecurityGroup" not in nic
    inner = nic["ipConfigurations"][0]["properties"]
    assert (inner["privateIPAddress"], inner["privateIPAllocationMethod"]) == ("10.8.1.9", "Static")
    vnet = get(arm, NET + "/virtualNetworks/own")["properties"]
    assert vnet["addressSpace"]["addressPrefixes"] == ["10.8.0.0/16"]
    assert [(s["name"], s["properties"]["addressPrefix"]) for s in vnet["subnets"]] == [("inner", "10.8.1.0/24")]
    public_ip = get(arm, NET + "/publicIPAddresses/myip")
    assert public_ip["sku"] == {"name": "Basic"} and public_ip["properties"]["publicIPAllocationMethod"] == "Dynamic"
    assert public_ip["properties"]["dnsSettings"]["fqdn"] == "mydns.eastus.cloudapp.azure.com"
    # a named VNet that exists gets the new subnet; an existing subnet by id is used as it is
    create(cli, "sub2", "--vnet-name", "own", "--subnet", "second", "--subnet-address-prefix", "10.8.2.0/24")
    assert [s["name"] for s in get(arm, NET + "/virtualNetworks/own")["properties"]["subnets"]] == ["inner", "second"]
    subnet_id = get(arm, NET + "/virtualNetworks/own")["properties"]["subnets"][1]["id"]
    create(cli, "byid", "--subnet", subnet_id, "--nsg", "bareNSG", "--public-ip-address", "")
    nic = get(arm, NET + "/networkInterfaces/byidVMNic")["properties"]
    assert nic["ipConfigurations"][0]["properties"]["subnet"]["id"] == subnet_id
    assert nic["ipConfigurations"][0]["properties"]["privateIPAddress"].startswith("10.8.2.")
    assert nic["networkSecurityGroup"]["id"].endswith("/networkSecurityGroups/bareNSG")  # an existing NSG, reused
    assert names(arm, "networkSecurityGroups") == ["bareNSG", "sub2NSG"]
    # a zone makes the public IP Standard and zonal
    create(cli, "zonal", "--zone", "2", "--public-ip-sku", "Basic")
    zonal = get(arm, NET + "/publicIPAddresses/zonalPublicIP")
    assert zonal["sku"] == {"name": "Standard"} and zonal["zones"] == ["2"]


def test_existing_nics_make_nothing(arm, cli):
    create(cli, "vm1")
    ok(cli("vm", "delete", "-g", "rg", "-n", "vm1", "--yes"))
    before = {kind: names(arm, kind) for kind in ("virtualNetworks", "networkSecurityGroups", "publicIPAddresses",
                                                  "networkInterfaces")}
    create(cli, "again", "--nics", "vm1VMNic")
    assert {kind: names(arm, kind) for kind in before} == before
    vm = ok(cli("vm", "show", "-g", "rg", "-n", "again")).json
    assert [n["id"].rsplit("/", 1)[1] for n in vm["networkProfile"]["networkInterfaces"]] == ["vm1VMNic"]
    assert vm["networkProfile"]["networkInterfaces"][0]["primary"] is True
    assert get(arm, NET + "/networkInterfaces/vm1VMNic")["properties"]["virtualMachine"]["id"] == vm["id"]


def test_count_names_as_az(arm, cli):
    made = ok(cli("vm", "create", "-g", "rg", "-n", "web", "--count", "3", "--image", WIN, "--admin-password",
                  PASSWORD)).json
    assert [m["id"].rsplit("/", 1)[1] for m in made] == ["web0", "web1", "web2"]
    assert names(arm, "networkInterfaces") == ["webVMNic0", "webVMNic1", "webVMNic2"]
    assert names(arm, "publicIPAddresses") == ["webPublicIP0", "webPublicIP1", "webPublicIP2"]
    assert names(arm, "networkSecurityGroups") == ["webNSG"] and names(arm, "virtualNetworks") == ["webVNET"]
    nic = get(arm, NET + "/networkInterfaces/webVMNic2")["properties"]
    assert nic["ipConfigurations"][0]["name"] == "ipconfigweb2"
    assert nic["ipConfigurations"][0]["properties"]["publicIPAddress"]["id"].endswith("/webPublicIP2")
    assert len({m["privateIpAddress"] for m in made}) == 3
    # --count with --public-ip-address "" (no public IPs) and --vnet-name/--subnet, as az lets them through
    ok(cli("vm", "create", "-g", "rg", "-n", "np", "--count", "2", "--image", WIN, "--admin-password", PASSWORD,
           "--public-ip-address", "", "--vnet-name", "webVNET", "--subnet", "webSubnet"))
    assert names(arm, "networkInterfaces")[:2] == ["npVMNic0", "npVMNic1"] and len(names(arm, "publicIPAddresses")) == 3


def test_vm_delete_leaves_the_network_and_group_delete_removes_it(arm, cli):
    create(cli, "vm1")
    ok(cli("vm", "delete", "-g", "rg", "-n", "vm1", "--yes"))
    for kind, left in (("virtualNetworks", ["vm1VNET"]), ("networkSecurityGroups", ["vm1NSG"]),
                       ("publicIPAddresses", ["vm1PublicIP"]), ("networkInterfaces", ["vm1VMNic"])):
        assert names(arm, kind) == left
    assert "virtualMachine" not in get(arm, NET + "/networkInterfaces/vm1VMNic")["properties"]
    ok(cli("group", "delete", "-n", "rg", "--yes"))
    status, listed, _ = arm("GET", "/subscriptions/{sub}/providers/Microsoft.Network/networkInterfaces",
                            api="2024-05-01")
    assert status == 200 and listed["value"] == []


def test_same_network_as_the_deployment_of_the_real_az(arm, cli):
    """The deployment az 2.91 sent for `az vm create -g myResourceGroup -n myVM ...` (recorded) and autopatch's
    own verb with the same options make the same resources and the same networkProfile."""
    for feature in ("InGuestAutoPatchVMPreview", "InGuestPatchVMPreview"):
        ok(cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", feature))
    ok(cli("tick", "--minutes", "30"))
    ok(cli("provider", "register", "--namespace", "Microsoft.Compute"))
    assert arm("PUT", f"{DEPLOYMENTS}/vm_deploy_1", deployment_request(arm))[0] == 201
    ok(cli("group", "create", "-n", "own", "-l", "eastus"))
    ok(cli("vm", "create", "-g", "own", "-n", "myVM", "--image", WIN, "--admin-password", PASSWORD,
           "--admin-username", "azureuser", "--enable-agent", "true", "--enable-auto-update", "true",
           "--patch-mode", "AutomaticByPlatform"))

    def comparable(document, group):
        text = json.dumps(document).replace("/resourceGroups/own/", "/resourceGroups/rg/").replace(
            '"resourceGroup": "own"', '"resourceGroup": "rg"')
        found = json.loads(text)
        found.pop("etag", None)
        properties = found.get("properties", found)
        for key in ("resourceGuid", "ipAddress", "macAddress"):
            properties.pop(key, None)
        for config in properties.get("ipConfigurations") or []:
            config["properties"].pop("privateIPAddress")
        return found

    for kind in ("virtualNetworks", "networkSecurityGroups", "publicIPAddresses", "networkInterfaces"):
        deployed = arm("GET", NET + f"/{kind}", api="2024-05-01")[1]["value"]
        made = arm("GET", NET.replace("/rg/", "/own/") + f"/{kind}", api="2024-05-01")[1]["value"]
        assert [comparable(d, "rg") for d in deployed] == [comparable(m, "own") for m in made], kind
    shown = [ok(cli("vm", "show", "-g", group, "-n", "myVM", "--query", "networkProfile")).json for group in ("rg", "own")]
    assert comparable(shown[0], "rg") == comparable(shown[1], "own")
    assert shown[1]["networkInterfaces"][0]["id"].endswith("/resourceGroups/own/providers/Microsoft.Network/"
                                                            "networkInterfaces/myVMVMNic")


def _refused(cli, path, args, code, message):
    before = path.read_bytes()
    result = cli("vm", "create", "-g", "rg", "-n", "bad", "--image", WIN, "--admin-password", PASSWORD, *args)
    assert result.exit_code == code, (args, result.stderr)
    assert message in result.stderr, (args, result.stderr)
    assert path.read_bytes() == before, args  # nothing kept


def test_bad_network_input_changes_nothing(arm, cli):
    create(cli, "vm1")
    path = Path(os.environ["AUTOPATCH_STATE"])
    other = f"/subscriptions/{arm.sub}/resourceGroups/elsewhere/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
    cases = [
        (("--subnet", other), 1, f"ERROR: Subnet '{other}' does not exist."),
        (("--subnet", "s"), 1, "incorrect usage: --subnet ID | --subnet NAME --vnet-name NAME"),
        (("--vnet-name", "a/b"), 1, "incorrect usage: --subnet ID | --subnet NAME --vnet-name NAME"),
        (("--vnet-name", "n", "--vnet-address-prefix", "10.0.0.0"), 1,
         "(InvalidAddressPrefixFormat) Address prefix 10.0.0.0 of resource "),
        (("--vnet-name", "n", "--subnet-address-prefix", "ten/24"), 1, "(InvalidAddressPrefixFormat)"),
        (("--vnet-name", "n", "--subnet-address-prefix", "10.0.0.9/24"), 1,
         "(InvalidCIDRNotation) The address prefix 10.0.0.9/24 in resource "),
        (("--vnet-name", "n", "--subnet-address-prefix", "10.9.0.0/24"), 1, "(NetcfgSubnetRangeOutsideVnet)"),
        (("--vnet-name", "vm1VNET", "--subnet", "clash"), 1,
         "ERROR: Subnet(clash) does not exist, but failed to create a new subnet with address prefix 10.0.0.0/24."),
        (("--nics", "nothere"), 3, "(NotFound) Resource /subscriptions/"),
        (("--nsg", other.replace("virtualNetworks/v/subnets/s", "networkSecurityGroups/n")), 1,
         "(InvalidResourceReference) Resource /subscriptions/"),
        (("--nics", "vm1VMNic"), 1, "(NicInUse) Network Interface /subscriptions/"),
        (("--nics", "vm1VMNic", "--nsg", "x"), 1,
         "When specifying an existing NIC, do not specify NSG, public IP, ASGs, VNet or subnet."),
        (("--private-ip-address", "10.1.0.5"), 1,
         "(PrivateIPAddressNotInSubnet) Private static IP address 10.1.0.5 does not belong to the range of subnet "
         "prefix 10.0.0.0/24."),
        (("--private-ip-address", "10.0.0.4"), 1, "(PrivateIPAddressInUse)"),
    ]
    for args, code, message in cases:
        _refused(cli, path, args, code, message)


def test_a_full_subnet_refuses_the_nic(arm, cli):
    body = {"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                                                 "subnets": [{"name": "tiny", "properties": {"addressPrefix": "10.0.0.0/29"}}]}}
    assert arm("PUT", NET + "/virtualNetworks/small", body, api="2024-05-01")[0] == 201
    made = ok(cli("vm", "create", "-g", "rg", "-n", "t", "--count", "3", "--image", WIN, "--admin-password",
                  PASSWORD)).json
    assert sorted(m["privateIpAddress"] for m in made) == ["10.0.0.4", "10.0.0.5", "10.0.0.6"]
    _refused(cli, Path(os.environ["AUTOPATCH_STATE"]), (), 1,
             "(SubnetIsFull) Subnet tiny with address prefix 10.0.0.0/29 does not have enough capacity for 1 IP "
             "addresses.")
    # a NIC PUT over ARM gets the same answer, and one naming a subnet that is not there ARM's reference error
    nic = {"location": "eastus", "properties": {"ipConfigurations": [{"name": "c", "properties": {
        "subnet": {"id": f"/subscriptions/{arm.sub}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/"
                         "small/subnets/tiny"}}}]}}
    status, refused, _ = arm("PUT", NET + "/networkInterfaces/extra", nic, api="2024-05-01")
    assert status == 400 and refused["error"]["code"] == "SubnetIsFull"
    nic["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"] += "x"
    status, refused, _ = arm("PUT", NET + "/networkInterfaces/extra", nic, api="2024-05-01")
    assert status == 400 and refused["error"]["code"] == "InvalidResourceReference"


def test_new_azvm_names_the_network_after_the_vm(arm, cli):
    ok(cli("New-AzVM", "-ResourceGroupName", "rg", "-Name", "ps1", "-Credential", f"azureuser:{PASSWORD}"))
    for kind in ("virtualNetworks", "networkSecurityGroups", "publicIPAddresses"):
        assert names(arm, kind) == ["ps1"], kind
    assert names(arm, "networkInterfaces") == ["ps1VMNic"]
    subnets = get(arm, NET + "/virtualNetworks/ps1")["properties"]["subnets"]
    assert [(s["name"], s["properties"]["addressPrefix"]) for s in subnets] == [("ps1", "192.168.1.0/24")]


def test_validate_lists_what_the_template_would_hold(arm, cli):
    def validated(*extra):
        result = ok(cli("vm", "create", "-g", "rg", "-n", "v", "--image", WIN, "--admin-password", PASSWORD,
                        "--validate", *extra)).json
        return [r["id"].split("/providers/", 1)[1] for r in result["properties"]["validatedResources"]]

    assert validated() == ["Microsoft.Network/virtualNetworks/vVNET", "Microsoft.Network/networkSecurityGroups/vNSG",
                           "Microsoft.Network/publicIPAddresses/vPublicIP", "Microsoft.Network/networkInterfaces/vVMNic",
                           "Microsoft.Compute/virtualMachines/v"]
    create(cli, "vm1")  # its VNet is the one the next VM joins: az's template then holds no VNet
    assert validated("--nsg", "vm1NSG", "--public-ip-address", "") == [
        "Microsoft.Network/networkInterfaces/vVMNic", "Microsoft.Compute/virtualMachines/v"]
    ok(cli("vm", "delete", "-g", "rg", "-n", "vm1", "--yes"))  # its NIC is free again
    assert validated("--nics", "vm1VMNic") == ["Microsoft.Compute/virtualMachines/v"]
    assert names(arm, "networkInterfaces") == ["vm1VMNic"]  # --validate keeps nothing


def test_nic_delete_option_delete_goes_with_the_vm(arm, cli):
    create(cli, "gone", "--nic-delete-option", "Delete")
    shown = ok(cli("vm", "show", "-g", "rg", "-n", "gone")).json["networkProfile"]["networkInterfaces"][0]
    assert shown["deleteOption"] == "Delete"
    # an old api-version does not define it: not shown there
    status, at_2020, _ = arm("GET", "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/"
                             "gone", api="2020-12-01")
    assert status == 200 and "properties" not in at_2020["properties"]["networkProfile"]["networkInterfaces"][0]
    ok(cli("vm", "delete", "-g", "rg", "-n", "gone", "--yes"))
    assert names(arm, "networkInterfaces") == [] and names(arm, "publicIPAddresses") == ["gonePublicIP"]
    # per NIC with --nics NAME=VALUE; refused without --nics
    create(cli, "a")
    ok(cli("vm", "delete", "-g", "rg", "-n", "a", "--yes"))
    create(cli, "b", "--nics", "aVMNic", "--nic-delete-option", "aVMNic=Delete")
    ok(cli("vm", "delete", "-g", "rg", "-n", "b", "--yes"))
    assert names(arm, "networkInterfaces") == []
    _refused(cli, Path(os.environ["AUTOPATCH_STATE"]), ("--nic-delete-option", "x=Delete"), 1,
             "incorrect usage: Cannot specify individual delete option when no nic is specified.")
