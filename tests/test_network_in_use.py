"""Review findings on the network `vm create` makes: what is in use is not deleted (NicInUse,
PublicIPAddressCannotBeDeleted, InUseNetworkSecurityGroupCannotBeDeleted, InUseSubnetCannotBeDeleted), a public
IP is bound to one ipConfiguration, references and DNS labels are checked as the Network provider checks them;
bad input gets Azure's error with the store unchanged."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from helpers import PASSWORD
from test_real_az_surface import Arm

WIN = "Win2019Datacenter"
NET = "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network"
API = "2024-05-01"


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture
def arm(cli):
    ok(cli("group", "create", "-n", "rg", "-l", "eastus"))
    return Arm(Path(os.environ["AUTOPATCH_STATE"]))


def store() -> Path:
    return Path(os.environ["AUTOPATCH_STATE"])


def create(cli, name, *extra, group="rg"):
    return ok(cli("vm", "create", "-g", group, "-n", name, "--image", WIN, "--admin-password", PASSWORD, *extra)).json


def refused(arm, method, path, code, message, body=None):
    before = store().read_bytes()
    status, answer, _ = arm(method, path, body, api=API)
    assert (status, answer["error"]["code"]) == (400, code), answer
    assert message in answer["error"]["message"], answer
    assert store().read_bytes() == before


def test_network_in_use_is_not_deleted(arm, cli):
    create(cli, "v1")
    net = NET.replace("{sub}", arm.sub)
    vm = f"/subscriptions/{arm.sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/v1"
    config = f"{net}/networkInterfaces/v1VMNic/ipConfigurations/ipconfigv1"
    refused(arm, "DELETE", NET + "/networkInterfaces/v1VMNic", "NicInUse",
            f"Network Interface {net}/networkInterfaces/v1VMNic is used by existing resource {vm}. In order to delete "
            "the network interface, it must be dissociated from the resource.")
    refused(arm, "DELETE", NET + "/publicIPAddresses/v1PublicIP", "PublicIPAddressCannotBeDeleted",
            f"Public IP address {net}/publicIPAddresses/v1PublicIP can not be deleted since it is still allocated to "
            f"resource {config}.")
    refused(arm, "DELETE", NET + "/networkSecurityGroups/v1NSG", "InUseNetworkSecurityGroupCannotBeDeleted",
            f"Network security group {net}/networkSecurityGroups/v1NSG cannot be deleted because it is in use by the "
            f"following resources: {net}/networkInterfaces/v1VMNic.")
    refused(arm, "DELETE", NET + "/virtualNetworks/v1VNET", "InUseSubnetCannotBeDeleted",
            f"Subnet v1Subnet is in use by {config} and cannot be deleted.")
    # the CLI's rest verb gets the same answer
    result = cli("rest", "--method", "delete", "--url", f"{net}/networkInterfaces/v1VMNic?api-version={API}")
    assert result.exit_code != 0 and "NicInUse" in result.stderr
    # an NSG a subnet names is in use too
    vnet = arm("GET", NET + "/virtualNetworks/v1VNET", api=API)[1]
    body = {"location": "eastus", "properties": copy.deepcopy(vnet["properties"])}
    body["properties"]["subnets"].append({"name": "guarded", "properties": {
        "addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": f"{net}/networkSecurityGroups/v1NSG"}}})
    assert arm("PUT", NET + "/virtualNetworks/v1VNET", body, api=API)[0] == 200
    refused(arm, "DELETE", NET + "/networkSecurityGroups/v1NSG", "InUseNetworkSecurityGroupCannotBeDeleted",
            f"{net}/networkInterfaces/v1VMNic, {net}/virtualNetworks/v1VNET/subnets/guarded.")
    # once the VM is gone, each goes in its order: NIC, then what it used
    ok(cli("vm", "delete", "-g", "rg", "-n", "v1", "--yes"))
    for kind, name in (("networkInterfaces", "v1VMNic"), ("publicIPAddresses", "v1PublicIP"),
                       ("virtualNetworks", "v1VNET"), ("networkSecurityGroups", "v1NSG")):
        assert arm("DELETE", NET + f"/{kind}/{name}", api=API)[0] == 200, kind


def test_complete_deployment_fails_to_delete_what_a_kept_vm_uses(arm, cli):
    create(cli, "k")
    status, vm, _ = arm("GET", "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/k",
                        api="2024-07-01")
    props = copy.deepcopy(vm["properties"])
    for key in ("vmId", "provisioningState", "timeCreated", "instanceView"):
        props.pop(key, None)
    props["osProfile"].pop("requireGuestProvisionSignal", None)
    resource = {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2024-07-01", "name": "k",
                "location": "eastus", "properties": props}
    body = {"properties": {"mode": "Complete", "template": {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0", "resources": [resource]}}}
    deployments = "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Resources/deployments/d1"
    assert arm("PUT", deployments, body)[0] == 201
    shown = arm("GET", deployments)[1]["properties"]
    assert shown["provisioningState"] == "Failed"
    assert {d["code"] for d in shown["error"]["details"]} == {
        "NicInUse", "PublicIPAddressCannotBeDeleted", "InUseNetworkSecurityGroupCannotBeDeleted",
        "InUseSubnetCannotBeDeleted"}
    operations = arm("GET", deployments + "/operations")[1]["value"]
    deletes = {o["properties"]["targetResource"]["resourceName"]: o["properties"] for o in operations
               if o["properties"]["provisioningOperation"] == "Delete"}
    assert set(deletes) == {"kVMNic", "kPublicIP", "kNSG", "kVNET"}
    assert all(d["provisioningState"] == "Failed" and d["statusCode"] == "BadRequest" for d in deletes.values())
    assert deletes["kVMNic"]["statusMessage"]["error"]["code"] == "NicInUse"
    for kind, name in (("networkInterfaces", "kVMNic"), ("publicIPAddresses", "kPublicIP"),
                       ("networkSecurityGroups", "kNSG"), ("virtualNetworks", "kVNET")):
        assert arm("GET", NET + f"/{kind}/{name}", api=API)[0] == 200, kind
    # a group's deletion still removes everything
    ok(cli("group", "delete", "-n", "rg", "--yes"))
    assert arm("GET", "/subscriptions/{sub}/providers/Microsoft.Network/networkInterfaces", api=API)[1]["value"] == []


def test_group_delete_frees_the_nics_of_other_groups(arm, cli):
    ok(cli("group", "create", "-n", "other", "-l", "eastus"))
    create(cli, "a", group="other")
    create(cli, "b", group="other")
    ok(cli("vm", "delete", "-g", "other", "-n", "a", "--yes"))
    ok(cli("vm", "delete", "-g", "other", "-n", "b", "--yes"))
    other = NET.replace("{sub}", arm.sub).replace("/rg/", "/other/")
    create(cli, "user", "--nics", f"{other}/networkInterfaces/aVMNic")
    create(cli, "gone", "--nics", f"{other}/networkInterfaces/bVMNic", "--nic-delete-option", "Delete")
    ok(cli("group", "delete", "-n", "rg", "--yes"))
    nic = arm("GET", f"{other}/networkInterfaces/aVMNic", api=API)[1]
    assert "virtualMachine" not in nic["properties"]  # Detach: free again
    assert arm("GET", f"{other}/networkInterfaces/bVMNic", api=API)[0] == 404  # Delete: deleted with its VM
    create(cli, "again", "--nics", "aVMNic", group="other")


def test_a_public_ip_is_bound_to_one_ip_configuration(arm, cli):
    create(cli, "v1")
    net = NET.replace("{sub}", arm.sub)
    pip = f"{net}/publicIPAddresses/v1PublicIP"
    holder = f"{net}/networkInterfaces/v1VMNic/ipConfigurations/ipconfigv1"
    before = store().read_bytes()
    result = cli("vm", "create", "-g", "rg", "-n", "d", "--image", WIN, "--admin-password", PASSWORD,
                 "--public-ip-address", "v1PublicIP")
    assert result.exit_code == 1, result.stderr
    assert (f"(PublicIPAddressInUse) Resource {net}/networkInterfaces/dVMNic/ipConfigurations/ipconfigd is "
            f"referencing public IP address {pip} that is already allocated to resource {holder}.") in result.stderr
    assert store().read_bytes() == before
    # over ARM, and twice in one NIC
    subnet = f"{net}/virtualNetworks/v1VNET/subnets/v1Subnet"
    nic = {"location": "eastus", "properties": {"ipConfigurations": [
        {"name": "c", "properties": {"subnet": {"id": subnet}, "publicIPAddress": {"id": pip}}}]}}
    refused(arm, "PUT", NET + "/networkInterfaces/n2", "PublicIPAddressInUse", f"already allocated to resource {holder}",
            nic)
    assert arm("PUT", NET + "/publicIPAddresses/p2", {"location": "eastus", "sku": {"name": "Standard"}}, api=API)[0] == 201
    pip2 = f"{net}/publicIPAddresses/p2"
    twice = {"location": "eastus", "properties": {"ipConfigurations": [
        {"name": "c1", "properties": {"subnet": {"id": subnet}, "publicIPAddress": {"id": pip2}, "primary": True}},
        {"name": "c2", "properties": {"subnet": {"id": subnet}, "publicIPAddress": {"id": pip2}}}]}}
    refused(arm, "PUT", NET + "/networkInterfaces/n2", "PublicIPAddressInUse",
            f"Resource {net}/networkInterfaces/n2/ipConfigurations/c2 is referencing public IP address {pip2}", twice)
    # a NIC put again without it, or deleted, lets go of it: the IP shows no ipConfiguration and is free
    ok(cli("vm", "delete", "-g", "rg", "-n", "v1", "--yes"))
    status, v1nic, _ = arm("GET", NET + "/networkInterfaces/v1VMNic", api=API)
    dropped = {"location": "eastus", "properties": copy.deepcopy(v1nic["properties"])}
    del dropped["properties"]["ipConfigurations"][0]["properties"]["publicIPAddress"]
    assert arm("PUT", NET + "/networkInterfaces/v1VMNic", dropped, api=API)[0] == 200
    assert "ipConfiguration" not in arm("GET", pip, api=API)[1]["properties"]
    assert arm("PUT", NET + "/networkInterfaces/n2", nic, api=API)[0] == 201
    assert arm("GET", pip, api=API)[1]["properties"]["ipConfiguration"]["id"].endswith("/n2/ipConfigurations/c")
    assert arm("DELETE", NET + "/networkInterfaces/n2", api=API)[0] == 200
    assert "ipConfiguration" not in arm("GET", pip, api=API)[1]["properties"]
    create(cli, "d", "--public-ip-address", "v1PublicIP")  # free again


def _vm_create_refused(cli, code, message, *args):
    before = store().read_bytes()
    result = cli("vm", "create", "-g", "rg", "-n", "bad", "--image", WIN, "--admin-password", PASSWORD, *args)
    assert result.exit_code == code, (args, result.stderr)
    assert message in result.stderr, (args, result.stderr)
    assert store().read_bytes() == before, args


def test_asg_references_and_dns_labels_are_checked(arm, cli):
    create(cli, "v1", "--public-ip-address-dns-name", "taken-label")
    net = NET.replace("{sub}", arm.sub)
    _vm_create_refused(cli, 1, f"(InvalidResourceReference) Resource {net}/applicationSecurityGroups/nope referenced by "
                       f"resource {net}/networkInterfaces/badVMNic was not found.", "--asgs", "nope")
    for label in ("BAD_NAME!", "Upper", "ab", "a-", "9abc", "a" * 64):
        _vm_create_refused(cli, 1, f"(InvalidDomainNameLabel) The domain name label {label} is invalid. It must "
                           "conform to the following regular expression: ^[a-z][a-z0-9-]{1,61}[a-z0-9]$.",
                           "--public-ip-address-dns-name", label)
    _vm_create_refused(cli, 1, "(DnsRecordInUse) DNS record taken-label.eastus.cloudapp.azure.com is already used by "
                       "another public IP.", "--public-ip-address-dns-name", "taken-label")
    # over ARM the same; the IP holding the label may be put again with it, another region may use it
    body = {"location": "eastus", "sku": {"name": "Standard"},
            "properties": {"dnsSettings": {"domainNameLabel": "taken-label"}}}
    refused(arm, "PUT", NET + "/publicIPAddresses/p2", "DnsRecordInUse", "taken-label.eastus.cloudapp.azure.com", body)
    status, mine, _ = arm("GET", NET + "/publicIPAddresses/v1PublicIP", api=API)
    again = {"location": "eastus", "sku": mine["sku"], "properties": {"dnsSettings": {"domainNameLabel": "taken-label"}}}
    assert arm("PUT", NET + "/publicIPAddresses/v1PublicIP", again, api=API)[0] == 200
    assert arm("PUT", NET + "/publicIPAddresses/p2", {**body, "location": "westus"}, api=API)[0] == 201
    nic = {"location": "eastus", "properties": {"ipConfigurations": [{"name": "c", "properties": {
        "subnet": {"id": f"{net}/virtualNetworks/v1VNET/subnets/v1Subnet"},
        "applicationSecurityGroups": [{"id": f"{net}/applicationSecurityGroups/any"}]}}]}}
    refused(arm, "PUT", NET + "/networkInterfaces/n2", "InvalidResourceReference",
            f"Resource {net}/applicationSecurityGroups/any referenced by resource {net}/networkInterfaces/n2", nic)


def test_delete_options_are_computes_enum(arm, cli):
    for option, prop in (("--nic-delete-option", "networkProfile.networkInterfaces[0].properties.deleteOption"),
                         ("--data-disk-delete-option", "storageProfile.dataDisks[0].deleteOption")):
        extra = ("--data-disk-sizes-gb", "4") if option.startswith("--data") else ()
        _vm_create_refused(cli, 1, f"(InvalidParameter) The value 'weird' of parameter '{prop}' is not allowed. "
                           "Allowed values are 'Delete', 'Detach'.", option, "weird", *extra)
    made = create(cli, "v1", "--nic-delete-option", "delete")  # matched case-insensitively, stored as Compute spells it
    vm = ok(cli("vm", "show", "-g", "rg", "-n", "v1")).json
    assert vm["networkProfile"]["networkInterfaces"][0]["deleteOption"] == "Delete" and made
    # over ARM: the VM's PUT is refused, the VM unchanged
    path = "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/v1"
    status, shown, _ = arm("GET", path, api="2024-07-01")
    body = {"location": "eastus", "properties": copy.deepcopy(shown["properties"])}
    for key in ("vmId", "provisioningState", "timeCreated", "instanceView"):
        body["properties"].pop(key, None)
    body["properties"]["storageProfile"]["osDisk"]["deleteOption"] = "Sometimes"
    before = store().read_bytes()
    status, answer, _ = arm("PUT", path, body, api="2024-07-01")
    assert (status, answer["error"]["code"]) == (400, "InvalidParameter"), answer
    assert answer["error"]["message"] == ("The value 'Sometimes' of parameter 'storageProfile.osDisk.deleteOption' is "
                                          "not allowed. Allowed values are 'Delete', 'Detach'.")
    assert store().read_bytes() == before


@pytest.mark.parametrize("prefix", ["10.0.0.0/30", "10.0.0.0/31", "10.0.0.0/32"])
def test_a_subnet_smaller_than_a_slash_29_is_refused(arm, cli, prefix):
    body = {"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                                                 "subnets": [{"name": "tiny", "properties": {"addressPrefix": prefix}}]}}
    refused(arm, "PUT", NET + "/virtualNetworks/small", "NetcfgInvalidSubnet",
            "Subnet 'tiny' is not valid in virtual network 'small'.", body)
    _vm_create_refused(cli, 1, "(NetcfgInvalidSubnet) Subnet 'badSubnet' is not valid in virtual network 'badVNET'.",
                       "--subnet-address-prefix", prefix)
    body["properties"]["subnets"][0]["properties"]["addressPrefix"] = "10.0.0.0/29"  # the smallest Azure makes
    assert arm("PUT", NET + "/virtualNetworks/small", body, api=API)[0] == 201


def test_group_delete_frees_the_public_ips_of_other_groups(arm, cli):
    ok(cli("group", "create", "-n", "other", "-l", "eastus"))
    other = NET.replace("/rg/", "/other/")
    assert arm("PUT", other + "/publicIPAddresses/shared", {"location": "eastus", "sku": {"name": "Standard"}},
               api=API)[0] == 201
    pip = other.replace("{sub}", arm.sub) + "/publicIPAddresses/shared"
    create(cli, "v1", "--public-ip-address", pip)
    assert arm("GET", pip, api=API)[1]["properties"]["ipConfiguration"]["id"].endswith("/v1VMNic/ipConfigurations/ipconfigv1")
    ok(cli("group", "delete", "-n", "rg", "--yes"))
    assert "ipConfiguration" not in arm("GET", pip, api=API)[1]["properties"]
    assert arm("DELETE", pip, api=API)[0] == 200
