"""Halts at each end of the rollout (issue 12): a VM that fails three times or comes back unhealthy halts its
release's rollout at once, in the first phase as in the last, and while a newer release's rollout runs beside it;
`orchestration show` names the VM, `why` says it for the VMs held back, the history has the failed attempts and
no installation of a VM whose batch had not started."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rollout_kit import group, history, installs, opt_in, tick_to, vm

from autopatch_cli.ops import orchestration
from autopatch_cli.ops import sim as sim_ops
from autopatch_cli.ops.session import Session

START = datetime(2020, 10, 1, tzinfo=UTC)


def _rollout(state, release: str) -> dict:
    return next(r for r in orchestration.show(state)["rollouts"] if r["release"] == release)


def _halt_time(rollout: dict) -> datetime:
    return datetime.fromisoformat(rollout["halt"]["time"].replace("Z", "+00:00"))


def test_a_halt_in_the_first_phase_stops_every_later_phase(tmp_path):
    with Session(tmp_path / "s.json").writer() as state:
        opt_in(state)
        group(state, "canary", "eastus2euap"), group(state, "east", "eastus")
        vm(state, "canary", "c0")
        sim_ops.add_fault(state, "canary", "c0", "unhealthy-after-reboot", 1)
        for i in range(3):
            vm(state, "east", f"e{i}")
        tick_to(state, datetime(2020, 11, 9, 12, tzinfo=UTC))  # before November's release
        rollout = _rollout(state, "2020-10")
        assert rollout["state"] == "halted", rollout["state"]
        assert rollout["halt"]["vm"] == "canary/c0" and rollout["halt"]["phase"] == 1
        assert rollout["halt"]["status"] == "unhealthy"
        assert [p["phase"] for p in rollout["phases"]] == [1] and rollout["phases"][0]["result"] == "failed"
        rows = installs(history(state, release="2020-10"))
        assert [(r["name"], r["result"]) for r in rows] == [("c0", "Unhealthy")]
        why = orchestration.why(state, "east", "e0")
        assert why["reason"] == "halted" and "canary/c0" in why["message"] and "phase 1" in why["message"]


def test_a_halt_in_the_last_phase_is_a_halt(tmp_path):
    """The last wave: the VM's third failure halts a rollout whose phases are all open."""
    from autopatch_cli.engine.phases import phase_plan

    last = phase_plan()[-1][0]
    with Session(tmp_path / "s.json").writer() as state:
        opt_in(state)
        group(state, "rg", last)
        for i in range(4):
            vm(state, "rg", f"v{i}")
        sim_ops.add_fault(state, "rg", "v0", "install-failure", 3)
        tick_to(state, datetime(2020, 11, 9, 12, tzinfo=UTC))  # before November's release
        rollout = _rollout(state, "2020-10")
        assert rollout["state"] == "halted" and rollout["halt"]["vm"] == "rg/v0"
        assert rollout["halt"]["phase"] == len(phase_plan()) and rollout["phases"][-1]["result"] == "failed"
        rows = installs(history(state, release="2020-10"))
        assert [r["result"] for r in rows if r["name"] == "v0"] == ["Failed"] * 3
        halted_at = _halt_time(rollout)
        # no batch starts after the halt: every VM installing after it was in a batch already running
        later = {r["name"] for r in rows if datetime.fromisoformat(r["startTime"].replace("Z", "+00:00")) >= halted_at}
        batches = {r["name"]: r["batch"] for r in rows}
        running = {r["batch"] for r in rows if datetime.fromisoformat(r["startTime"].replace("Z", "+00:00")) < halted_at}
        assert all(batches[name] in running for name in later), (later, running)
        held = [name for name in ("v1", "v2", "v3") if name not in batches]
        for name in held:
            assert orchestration.why(state, "rg", name)["reason"] == "halted"


def test_a_halted_rollout_stays_halted_while_the_next_release_patches(tmp_path):
    """The next release (an out-of-band one here, then November's) rolls out beside the halted October: the
    halt stays recorded, and the VMs it held back are patched by the newer rollouts (cumulative)."""
    with Session(tmp_path / "s.json").writer() as state:
        opt_in(state)
        group(state, "rg", "eastus")
        for i in range(3):
            vm(state, "rg", f"v{i}")
        sim_ops.add_fault(state, "rg", "v0", "unhealthy-after-reboot", 1)
        tick_to(state, datetime(2020, 10, 29, tzinfo=UTC))
        assert _rollout(state, "2020-10")["state"] == "halted"
        sim_ops.publish(state, "KB5000100", None, "Security", "NeverReboots", None, None)
        tick_to(state, datetime(2020, 12, 20, tzinfo=UTC))
        october = _rollout(state, "2020-10")
        assert october["state"] == "halted" and october["halt"]["vm"] == "rg/v0"
        assert october["supersededBy"] is None
        patched_later = {r["name"] for r in installs(history(state)) if r["release"] != "2020-10"
                         and r["result"] == "Succeeded"}
        assert {"v1", "v2"} <= patched_later


def test_an_older_rollout_goes_on_beside_a_newer_one(tmp_path):
    """An out-of-band release published in the middle of October's rollout does not cancel October's pending
    VMs: both rollouts run, a region patches for one of them at a time, and October's promise holds."""
    from autopatch_cli.engine.phases import phase_plan

    last = phase_plan()[-1][0]
    with Session(tmp_path / "s.json").writer() as state:
        opt_in(state)
        group(state, "rg", last)
        for i in range(3):
            vm(state, "rg", f"v{i}")
        tick_to(state, datetime(2020, 10, 20, tzinfo=UTC))
        sim_ops.publish(state, "KB5000101", None, "Security", "NeverReboots", None, None)
        tick_to(state, datetime(2020, 11, 12, 17, tzinfo=UTC))
        october = _rollout(state, "2020-10")
        assert october["state"] in ("completed", "expired") and october["supersededBy"] is None
        published = datetime.fromisoformat(october["published"].replace("Z", "+00:00"))
        rows = [r for r in installs(history(state, release="2020-10")) if r["result"] == "Succeeded"]
        assert {r["name"] for r in rows} == {"v0", "v1", "v2"}
        assert all(datetime.fromisoformat(r["endTime"].replace("Z", "+00:00")) < published + timedelta(days=30)
                   for r in rows)
