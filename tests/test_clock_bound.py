"""`clock set` far ahead: the one-year bound of a tick holds where it has a reason (a fleet or schedules to
simulate on the way), not on a store that holds only groups and registrations."""

from __future__ import annotations

from helpers import PASSWORD


def test_a_store_with_only_groups_and_registrations_jumps_years(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestPatchVMPreview").exit_code == 0
    moved = cli("clock", "set", "2024-06-01T00:00:00Z")
    assert moved.exit_code == 0, moved.stderr
    assert cli("clock", "show", "--query", "now", "-o", "tsv").stdout.strip() == "2024-06-01T00:00:00Z"
    # the registration's timer fired on the way
    assert cli("feature", "show", "--namespace", "Microsoft.Compute", "--name", "InGuestPatchVMPreview",
               "--query", "properties.state", "-o", "tsv").stdout.strip() == "Registered"


def test_a_store_with_vms_moves_a_year_at_a_time(cli, state_path):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert cli("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
               "-o", "none").exit_code == 0
    before = state_path.read_bytes()
    refused = cli("clock", "set", "2022-06-01T00:00:00Z")
    assert refused.exit_code == 1
    assert "a tick may advance it by at most 366 days" in refused.stderr and "steps of a year" in refused.stderr
    assert state_path.read_bytes() == before
    assert cli("clock", "set", "2021-09-01T00:00:00Z", "-o", "none").exit_code == 0
