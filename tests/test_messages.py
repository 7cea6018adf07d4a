"""What autopatch says: --verbose/--debug, hints that name autopatch's commands, tick's per-VM lines, piped views."""

from __future__ import annotations

import re
import subprocess

from helpers import PASSWORD, entry_point


def _fleet(cli, names=("a", "b")):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview").exit_code == 0
    assert cli("tick", "--minutes", "20").exit_code == 0
    assert cli("provider", "register", "--namespace", "Microsoft.Compute").exit_code == 0
    for name in names:
        made = cli("vm", "create", "-g", "rg", "-n", name, "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
                   "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform", "-o", "none")
        assert made.exit_code == 0, made.stderr


def test_verbose_names_the_store_and_the_clock(cli, state_path):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    shown = cli("tick", "--hours", "1", "--verbose", "-o", "none")
    assert shown.exit_code == 0 and shown.stdout == ""
    assert f"INFO: Store: {state_path} (AUTOPATCH_STATE;" in shown.stderr
    assert "INFO: Simulated clock: 2020-10-01T00:00:00Z" in shown.stderr
    assert "INFO: Simulated clock now: 2020-10-01T01:00:00Z" in shown.stderr
    assert "DEBUG" not in shown.stderr


def test_debug_adds_arguments_api_version_and_timing(cli):
    shown = cli("group", "create", "-n", "rg", "-l", "eastus", "--debug")
    assert shown.exit_code == 0
    assert "DEBUG: cli.autopatch: Command arguments: ['group', 'create'" in shown.stderr
    assert re.search(r"DEBUG: cli.autopatch: Operation Microsoft.Resources/resourceGroups/write \(api-version "
                     r"2024-07-01\): store transaction \(lock, load, operation, save\) took \d+\.\d ms", shown.stderr)
    assert shown.json["name"] == "rg"  # stdout keeps only the result


def test_debug_names_each_operation_with_its_api_version_and_time(cli):
    """One line per operation the command runs (a store transaction: --ids of two VMs is one), named as ARM names it."""
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    for name in ("a", "b"):
        assert cli("vm", "create", "-g", "rg", "-n", name, "--image", "Win2019Datacenter", "--admin-password",
                   PASSWORD, "-o", "none").exit_code == 0
    ids = cli("vm", "list", "--query", "[].id", "-o", "tsv").stdout.split()
    stopped = cli("vm", "stop", "--ids", *ids, "--debug", "-o", "none")
    assert stopped.exit_code == 0, stopped.stderr
    lines = re.findall(r"Operation (\S+) \(api-version ([\d-]+)\): [^\n]* took [\d.]+ ms", stopped.stderr)
    assert lines == [("Microsoft.Compute/virtualMachines/powerOff/action", "2024-07-01")]  # one transaction
    read = cli("vm", "show", "-g", "rg", "-n", "a", "--debug")
    assert "Operation Microsoft.Compute/virtualMachines/read (api-version 2024-07-01): reading the store took" in read.stderr
    own = cli("tick", "--minutes", "5", "--debug", "-o", "none")
    assert "Operation autopatch tick (autopatch's own: no api-version): store transaction" in own.stderr


def test_feature_hints_name_autopatch_and_say_still_registering(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert cli("provider", "register", "--namespace", "Microsoft.Compute").exit_code == 0
    args = ("vm", "create", "-g", "rg", "-n", "v", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
            "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform")
    unregistered = cli(*args)
    assert "Register it with 'autopatch feature register --namespace Microsoft.Compute" in unregistered.stderr
    assert "'az " not in unregistered.stderr
    registered = cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview")
    assert "'autopatch provider register -n Microsoft.Compute'" in registered.stderr
    registering = cli(*args)
    assert "still Registering" in registering.stderr and "Register it with" not in registering.stderr
    assert "autopatch tick --minutes 15" in registering.stderr


def test_the_rest_api_keeps_azs_wording(cli):
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    from autopatch_cli.errors import AzureError
    from autopatch_cli.ops import vm_rules
    from autopatch_cli.ops.session import Session
    from autopatch_cli.store import default_path

    try:
        with Session(default_path()).writer() as state:
            vm_rules.check_feature_propagated(state)
    except AzureError as exc:
        assert "'az feature register --namespace Microsoft.Compute" in exc.message
    else:
        raise AssertionError("the unregistered feature was not refused")


def test_tick_says_what_happened_to_each_vm_of_a_small_fleet(cli):
    _fleet(cli)
    ticked = cli("tick", "--days", "35", "-o", "json").json
    rows = {vm["name"]: vm for vm in ticked["vms"]}
    assert set(rows) == {"a", "b"}
    for row in rows.values():
        assert row["installations"] == 1 and row["patchesInstalled"] > 0 and row["reboots"] == 1
        assert f"installed {row['patchesInstalled']} patches, rebooted, assessed" in row["what"]
    history = cli("orchestration", "history", "-o", "json").json
    assert sum(r["assessments"] for r in rows.values()) == sum(1 for h in history if h["operation"] == "assessment")
    table = cli("tick", "--days", "35", "-o", "table").stdout
    last = table.rstrip().splitlines()[-1]
    again = cli("orchestration", "history", "-o", "json").json
    new_assessments = sum(1 for h in again if h["operation"] == "assessment") - sum(
        1 for h in history if h["operation"] == "assessment")
    assert f"{new_assessments} assessments" in last and "2 VMs" in last
    assert "rg/a: installed" in table


def test_tick_on_a_big_fleet_lists_no_vm(cli, state_path):
    from autopatch_cli.cli.tick_report import SMALL_FLEET

    _fleet(cli, [f"vm{i}" for i in range(SMALL_FLEET + 1)])
    assert "vms" not in cli("tick", "--days", "2", "-o", "json").json


def test_piped_views_are_not_wrapped_and_have_no_trailing_spaces(tmp_path):
    store = tmp_path / "demo.json"
    demo = subprocess.run([*entry_point(), "demo", "--state", str(store)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert demo.returncode == 0, demo.stderr
    timeline = subprocess.run([*entry_point(), "--state", str(store), "orchestration", "timeline"],
                              capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    for text in (demo.stdout, timeline.stdout):
        lines = text.splitlines()
        assert lines and all(line == line.rstrip() for line in lines)
        assert max(len(line) for line in lines) > 80  # the legend and the halt note are whole, not wrapped
        assert "\x1b[" not in text
