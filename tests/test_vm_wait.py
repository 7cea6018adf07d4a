"""az vm wait: conditions on the VM with its instance view, polled in simulated time.

az's loop polls ``range(0, timeout, interval)`` times, sleeping ``interval`` after each failed poll;
a timeout is returned (not raised) as a CLIError, which az prints as ``{}`` with exit code 0
(azure-cli issue #34004). Here the sleep is a tick of the simulated clock.
"""

from __future__ import annotations

import json

import pytest
from helpers import PASSWORD
from test_bad_input import assert_refused

START = "2020-10-01T00:00:00Z"


def _now(cli) -> str:
    return cli("clock", "show").json["now"]


def test_custom_on_power_state_after_start_no_wait(cli, vm):
    assert cli("vm", "deallocate", "-g", "rg", "-n", "vm").exit_code == 0
    assert cli("vm", "start", "-g", "rg", "-n", "vm", "--no-wait").exit_code == 0
    result = cli("vm", "wait", "-g", "rg", "-n", "vm", "--custom",
                 "instanceView.statuses[?code=='PowerState/running']")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert _now(cli) == START  # held at the first poll: no time passed


def test_custom_sees_the_az_view_of_the_instance_view(cli, vm):
    # flattened as az prints get-instance-view: instanceView and osProfile at the top level
    result = cli("vm", "wait", "-g", "rg", "-n", "vm", "--custom",
                 "osProfile.computerName=='vm' && instanceView.computerName=='vm' && resourceGroup=='rg'")
    assert (result.exit_code, result.stdout) == (0, "")
    assert _now(cli) == START


def test_timeout_prints_empty_object_exit_zero_and_moves_the_clock(cli, vm):
    result = cli("vm", "wait", "-g", "rg", "-n", "vm", "--custom", "powerState=='never'")
    assert (result.exit_code, json.loads(result.stdout), result.stderr) == (0, {}, "")
    assert _now(cli) == "2020-10-01T01:00:00Z"  # default --timeout 3600: 120 polls of 30 s


def test_timeout_and_interval_count_polls_as_az_does(cli, vm):
    # range(0, 100, 30) -> 4 polls, each followed by a 30 s sleep: 120 s
    result = cli("vm", "wait", "-g", "rg", "-n", "vm", "--custom", "name=='other'", "--timeout", "100",
                 "--interval", "30")
    assert (result.exit_code, result.stdout.strip()) == (0, "{}")
    assert _now(cli) == "2020-10-01T00:02:00Z"


def test_zero_timeout_polls_nothing(cli, vm):
    result = cli("vm", "wait", "-g", "rg", "-n", "vm", "--exists", "--timeout", "0")
    assert (result.exit_code, result.stdout.strip()) == (0, "{}")
    assert _now(cli) == START


def test_exists_and_created_hold_for_a_provisioned_vm(cli, vm):
    for flag in ("--exists", "--created", "--updated"):
        result = cli("vm", "wait", "-g", "rg", "-n", "vm", flag)
        assert (result.exit_code, result.stdout) == (0, ""), flag
    assert _now(cli) == START


def test_exists_on_a_missing_vm_waits_out_the_timeout(cli, vm):
    result = cli("vm", "wait", "-g", "rg", "-n", "ghost", "--exists", "--timeout", "60")
    assert (result.exit_code, result.stdout.strip()) == (0, "{}")
    assert _now(cli) == "2020-10-01T00:01:00Z"


def test_deleted(cli, vm):
    waiting = cli("vm", "wait", "-g", "rg", "-n", "vm", "--deleted", "--timeout", "90")
    assert (waiting.exit_code, waiting.stdout.strip()) == (0, "{}")  # still there: timed out
    assert cli("vm", "delete", "-g", "rg", "-n", "vm", "--yes").exit_code == 0
    before = _now(cli)
    done = cli("vm", "wait", "-g", "rg", "-n", "vm", "--deleted")
    assert (done.exit_code, done.stdout) == (0, "")
    assert _now(cli) == before


def test_ids(cli, vm):
    vm_id = cli("vm", "show", "-g", "rg", "-n", "vm", "--query", "id", "-o", "tsv").stdout.strip()
    result = cli("vm", "wait", "--ids", vm_id, "--custom", "name=='vm'")
    assert (result.exit_code, result.stdout) == (0, "")


def test_poll_jumps_to_the_first_poll_after_a_timer(cli):
    """A timer falling due between polls is seen at the next poll, and the clock stops there."""
    from autopatch_cli.ops import features, waits
    from autopatch_cli.ops.session import Session
    from autopatch_cli.ops.state import now_text

    with Session().writer() as state:
        features.register(state, "Microsoft.Compute", "InGuestAutoPatchVMPreview")
        due = state.data["timers"][0][0]
        polls = []

        def check():
            polls.append(now_text(state))
            return features.state_of(state, "Microsoft.Compute", "InGuestAutoPatchVMPreview") == "Registered"

        assert waits.poll(state, check, timeout=3600, interval=30)
        from autopatch_cli.engine.clock import parse_instant, to_epoch

        start = to_epoch(parse_instant(START))
        finished = to_epoch(parse_instant(now_text(state)))
        assert finished >= due > finished - 30  # the first poll at or after the timer
        assert (finished - start) % 30 == 0
        assert len(polls) == 2  # the first poll, then straight to the one after the timer


def test_poll_without_timers_ends_at_the_timeout(cli):
    from autopatch_cli.ops import waits
    from autopatch_cli.ops.session import Session
    from autopatch_cli.ops.state import now_text

    with Session().writer() as state:
        calls = []
        assert not waits.poll(state, lambda: calls.append(1) and False, timeout=2592000, interval=30)
        assert now_text(state) == "2020-10-31T00:00:00Z"
        assert len(calls) == 1  # nothing could change between polls


# ---- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "needle", "azure_code"),
    [
        (("--updated",), 3, "ghost", "ResourceNotFound"),
        ((), 1, "incorrect usage: --created | --updated | --deleted | --exists | --custom", None),
        (("--custom", "[bad"), 2, "--custom", None),
        (("--custom", "name=='x'", "--interval", "0"), 1, "--interval", None),
        (("--custom", "name=='x'", "--timeout", "soon"), 2, "--timeout", None),
    ],
    ids=["updated-missing-vm", "no-condition", "bad-jmespath", "zero-interval", "timeout-not-int"],
)
def test_bad_input(cli, vm, args, code, needle, azure_code):
    name = "ghost" if azure_code else "vm"
    assert_refused(cli, vm, ("vm", "wait", "-g", "rg", "-n", name, *args), code, needle, azure_code)


def test_missing_group_for_updated(cli, vm):
    assert_refused(cli, vm, ("vm", "wait", "-g", "nogroup", "-n", "vm", "--updated"), 3, None, "ResourceGroupNotFound")


def test_no_target(cli, vm):
    assert_refused(cli, vm, ("vm", "wait", "--exists"), 1, "(--resource-group --name | --ids) are required")


# ---- with the patch engine ----------------------------------------------------------------------


def test_ci_smoke_wait_for_platform_installation(opted_in):
    cli = opted_in
    created = cli("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
                  "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform")
    assert created.exit_code == 0, created.stderr
    result = cli("vm", "wait", "-g", "rg", "-n", "vm", "--custom",
                 "instanceView.patchStatus.lastPatchInstallationSummary.status=='Succeeded'", "--timeout", "2592000")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")  # `{}` would mean it timed out
    view = cli("vm", "get-instance-view", "-g", "rg", "-n", "vm").json
    assert view["instanceView"]["patchStatus"]["lastPatchInstallationSummary"]["status"] == "Succeeded"


def test_jumps_match_polling_every_interval(opted_in, state_path, tmp_path):
    """Jumping between changes ends where polling at every interval ends, in the same state."""
    import shutil

    from autopatch_cli.ops import waits
    from autopatch_cli.ops.session import Session

    cli = opted_in
    assert cli("vm", "create", "-g", "rg", "-n", "vm", "--image", "Win2019Datacenter", "--admin-password", PASSWORD,
               "--enable-agent", "--enable-auto-update", "--patch-mode", "AutomaticByPlatform").exit_code == 0
    copy = tmp_path / "copy.json"
    shutil.copy(state_path, copy)

    def installed(state):
        summary = state.data["vms"]["rg/vm"]["iv"].get("patchStatus", {}).get("lastPatchInstallationSummary") or {}
        return summary.get("status") == "Succeeded"

    with Session(state_path).writer() as state:
        assert waits.poll(state, lambda: installed(state), timeout=30 * 86400, interval=1800)
        jumped = state.data
    with Session(copy).writer() as state:
        original = waits.next_change
        waits.next_change = lambda state, horizon: 0  # "something changes now": poll every interval
        try:
            assert waits.poll(state, lambda: installed(state), timeout=30 * 86400, interval=1800)
        finally:
            waits.next_change = original
        stepped = state.data
    assert jumped["clock"] == stepped["clock"]
    assert jumped["vms"] == stepped["vms"]
