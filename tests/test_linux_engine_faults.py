"""Linux VMs under the same retries and health gate as Windows ones: a failing installation is retried in the
next off-peak windows, three attempts at most, then fails its phase; a VM unhealthy after its patch reboot
halts the rollout; a Linux guest's requirement errors speak of its package manager."""

from __future__ import annotations

from datetime import UTC, datetime

from autopatch_cli.ops import clock, demo, groups, orchestration, sim, vms
from autopatch_cli.ops.state import State, new_state


def _store() -> State:
    state = State(new_state(5))
    clock.set_clock(state, datetime(2024, 6, 1, tzinfo=UTC))
    groups.create(state, "rg", "eastus")
    return state


def test_a_failing_linux_installation_is_retried_then_fails_its_phase_and_halts_the_rollout():
    state = _store()
    demo.linux_vm(state, "rg", "r1", "Ubuntu2204")
    sim.add_fault(state, "rg", "r1", "install-failure", 3)
    clock.tick(state, datetime(2024, 7, 8, tzinfo=UTC))
    rows = orchestration.history(state, group="rg", name="r1", operation="installation")
    assert [r["result"] for r in rows] == ["Failed", "Failed", "Failed"]
    assert {r["release"] for r in rows} == {"2024-06"}
    starts = [datetime.fromisoformat(r["startTime"]) for r in rows]
    assert all(b.date() > a.date() for a, b in zip(starts, starts[1:], strict=False))  # the next nights
    rollout = next(r for r in orchestration.show(state)["rollouts"] if r["release"] == "2024-06")
    assert rollout["state"] == "halted" and rollout["halt"]["vm"] == "rg/r1"
    error = vms.require(state, "rg", "r1")["iv"]["patchStatus"]["lastPatchInstallationSummary"]["error"]
    assert error["code"] == "PatchInstallationFailed" and "_" in error["details"][0]["target"]  # name_version
    assert "KB" not in error["message"]


def test_a_linux_vm_unhealthy_after_its_patch_reboot_halts_the_rollout():
    state = _store()
    demo.linux_vm(state, "rg", "r1", "RedHat:RHEL:8-lvm-gen2:latest")
    sim.add_fault(state, "rg", "r1", "unhealthy-after-reboot", 1)
    clock.tick(state, datetime(2024, 8, 8, tzinfo=UTC))
    rows = orchestration.history(state, group="rg", name="r1", operation="installation")
    # June's rollout had nothing that needs a restart: no reboot, so the health signal never fired
    assert [(r["release"], r["rebooted"], r["result"]) for r in rows] == [
        ("2024-06", False, "Succeeded"), ("2024-07", True, "Unhealthy")]
    rollout = next(r for r in orchestration.show(state)["rollouts"] if r["release"] == "2024-07")
    assert rollout["state"] == "halted" and rollout["halt"]["status"] == "unhealthy"
    assert vms.require(state, "rg", "r1")["iv"]["vmHealth"]["status"]["code"] == "HealthState/unhealthy"


def test_a_linux_guest_requirement_failure_names_its_package_manager():
    state = _store()
    demo.linux_vm(state, "rg", "u1", "Ubuntu2204")
    sim.set_requirements(state, "rg", "u1", reachable=False)
    clock.tick(state, datetime(2024, 6, 5, tzinfo=UTC))
    summary = vms.require(state, "rg", "u1")["iv"]["patchStatus"]["availablePatchSummary"]
    assert summary["status"] == "Failed"
    assert summary["error"]["code"] == "PackageRepositoryUnreachable" and "apt" in summary["error"]["message"]
    assert "Windows" not in summary["error"]["message"]
