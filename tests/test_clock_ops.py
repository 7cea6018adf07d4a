"""Waiting by moving simulated time (ops.waits.advance_until)."""

from datetime import timedelta

from autopatch_cli.ops import clock, features, waits
from autopatch_cli.ops.state import State, new_state


def test_advance_until_stops_when_the_condition_holds():
    state = State(new_state())
    features.register(state, "Microsoft.Compute", "InGuestAutoPatchVMPreview")
    start = clock.now(state)
    assert waits.advance_until(state, lambda: features.state_of(state, "Microsoft.Compute", "InGuestAutoPatchVMPreview") == "Registered")
    waited = clock.now(state) - start
    assert timedelta(minutes=5) <= waited <= timedelta(minutes=15, seconds=10)


def test_advance_until_gives_up_at_the_limit():
    state = State(new_state())
    start = clock.now(state)
    assert not waits.advance_until(state, lambda: False, limit=timedelta(minutes=1))
    assert clock.now(state) - start == timedelta(minutes=1)


def test_clock_set_on_a_new_store_moves_its_start_and_seed(cli):
    shown = cli("clock", "set", "2021-01-01T00:00:00Z", "--seed", "7")
    assert shown.exit_code == 0, shown.stderr
    assert shown.json == {"now": "2021-01-01T00:00:00Z", "start": "2021-01-01T00:00:00Z", "seed": 7}
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    later = cli("clock", "set", "2021-02-01T00:00:00Z").json
    assert later["start"] == "2021-01-01T00:00:00Z" and later["now"] == "2021-02-01T00:00:00Z"
