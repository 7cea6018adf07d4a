"""Resource IDs given where a resource in a group is meant: a resource group's own ID is refused clearly."""

from __future__ import annotations

import pytest
from helpers import PASSWORD

from autopatch_cli.errors import ValidationError
from autopatch_cli.ops import ids

GROUP_ID = "/subscriptions/x/resourceGroups/rg"
AVSET_ID = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/availabilitySets/as1"


def test_group_and_name_of_a_resource_id():
    assert ids.group_and_name(AVSET_ID) == ("rg", "as1")


def test_a_group_id_names_no_resource():
    with pytest.raises(ValidationError, match="names a resource group"):
        ids.group_and_name(GROUP_ID)


def test_vm_create_refuses_a_group_id_as_availability_set(cli, state_path):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    before = state_path.read_bytes()
    result = cli("vm", "create", "-g", "rg", "-n", "v1", "--image", "Win2019Datacenter", "--admin-password",
                 PASSWORD, "--availability-set", GROUP_ID)
    assert result.exit_code == 1
    assert result.stderr.startswith("ERROR: invalid resource ID: " + GROUP_ID)
    assert "unexpected error" not in result.stderr
    assert state_path.read_bytes() == before


def test_vm_create_joins_an_availability_set_given_by_id(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert cli("vm", "availability-set", "create", "-g", "rg", "-n", "as1").exit_code == 0
    created = cli("vm", "create", "-g", "rg", "-n", "v1", "--image", "Win2019Datacenter", "--admin-password",
                  PASSWORD, "--availability-set", AVSET_ID)
    assert created.exit_code == 0, created.stderr
    assert created.json["id"].endswith("/virtualMachines/v1")
    shown = cli("vm", "show", "-g", "rg", "-n", "v1")
    assert shown.json["availabilitySet"]["id"].lower().endswith("/availabilitysets/as1")
