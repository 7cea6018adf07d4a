"""Update Manager schedules on Linux VMs: a maintenance configuration's linuxParameters (classifications,
package name masks with wildcards, name or name_version) decide what its window installs."""

from __future__ import annotations

from datetime import datetime

import pytest

from autopatch_cli.engine import catalog

PLATFORM = "automaticByPlatformSettings"


@pytest.fixture
def today(cli, state_path):
    assert cli("clock", "set", "2024-06-01T00:00:00Z").exit_code == 0
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    return cli


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result.json if result.stdout.strip() else None


def _linux_vm(state_path, name: str, image: str = "Ubuntu2204", bypass: bool = True) -> None:
    """An AutomaticByPlatform Linux VM meant for schedules (the bypass flag set), through the operations layer."""
    from autopatch_cli.ops import demo, patching, vms
    from autopatch_cli.ops.session import Session

    with Session(state_path).writer() as state:
        demo.linux_vm(state, "rg", name, image)
        record = vms.require(state, "rg", name)
        settings = record["vm"]["properties"]["osProfile"]["linuxConfiguration"]["patchSettings"]
        settings[PLATFORM] = {"bypassPlatformSafetyChecksOnUserSchedule": bypass}
        patching.on_configuration_change(state, record, "AutomaticByPlatform")


def _schedule(cli, name: str, *linux: str):
    return _ok(cli("maintenance", "configuration", "create", "-g", "rg", "--resource-name", name,
                   "--maintenance-scope", "InGuestPatch", "--maintenance-window-duration", "03:00",
                   "--maintenance-window-recur-every", "Week Saturday", "--maintenance-window-start-date-time",
                   "2024-06-01 22:00", "--maintenance-window-time-zone", "UTC", "--reboot-setting", "IfRequired",
                   "--install-patches-linux-parameters", *linux, "--extension-properties", "InGuestPatchMode=User"))


def _assign(cli, vm: str, config_id: str, name: str):
    return _ok(cli("maintenance", "assignment", "create", "-g", "rg", "--resource-name", vm, "--resource-type",
                   "virtualMachines", "--provider-name", "Microsoft.Compute", "--configuration-assignment-name", name,
                   "--maintenance-configuration-id", config_id, "-l", "eastus"))


def _installations(cli, name: str) -> list[dict]:
    return [r for r in _ok(cli("orchestration", "history", "--operation", "installation")) if r["name"] == name]


def _catalog(cli, key: str) -> dict:
    return {f"{p['name']}_{p['version']}": p for p in _ok(cli("catalog", "list", "--os", key))}


def test_a_schedule_installs_per_its_linux_parameters_in_its_window(today, state_path):
    _linux_vm(state_path, "sec")
    _linux_vm(state_path, "masked")
    secure = _schedule(today, "security", "classifications-to-include=[Security,Critical]")
    masked = _schedule(today, "masked", "classifications-to-include=[Security]",
                       "package-name-masks-to-exclude=[linux-image*,libc*]", "package-name-masks-to-include=[tzdata]")
    assert masked["installPatches"]["linuxParameters"]["packageNameMasksToExclude"] == ["linux-image*", "libc*"]
    _assign(today, "sec", secure["id"], "security")
    _assign(today, "masked", masked["id"], "masked")
    assert _ok(today("orchestration", "why", "-g", "rg", "-n", "sec"))["reason"] == "scheduled"
    _ok(today("tick", "--days", "60"))
    published = _catalog(today, "ubuntu-22.04")
    runs = {name: _installations(today, name) for name in ("sec", "masked")}
    for name, rows in runs.items():
        assert rows, name
        for row in rows:
            start = datetime.fromisoformat(row["startTime"].replace("Z", "+00:00"))
            assert (start.weekday(), start.hour, start.minute) == (5, 22, 0), row  # Saturdays 22:00 UTC
            assert row["release"] is None and row["phase"] is None  # a schedule's run, not a rollout's turn
    sec_labels = [label for row in runs["sec"] for label in row["kbIds"]]
    masked_labels = [label for row in runs["masked"] for label in row["kbIds"]]
    assert sec_labels and masked_labels
    assert all(published[label]["classification"] in ("Critical", "Security") for label in sec_labels)
    for label in masked_labels:
        patch = published[label]
        assert patch["classification"] == "Security" or patch["name"] == "tzdata", label
        assert not patch["name"].startswith(("linux-image", "libc")), label
    assert any(published[label]["name"] == "tzdata" for label in masked_labels)  # included by name, an Other
    # what the masks excluded is still missing on the masked VM, and was installed on the other one
    assert any(published[label]["name"].startswith(("linux-image", "libc")) for label in sec_labels)
    # a run reboots when (and only when) it installed a package that needs it (the kernel, the C library...)
    for row in runs["sec"] + runs["masked"]:
        needs = any(published[label]["rebootBehavior"] == "AlwaysRequiresReboot" for label in row["kbIds"])
        assert row["rebooted"] == needs, row
    assert any(row["rebooted"] for row in runs["sec"])


@pytest.mark.parametrize("form", ["name_version", "name=version"])
def test_a_schedule_with_a_package_version_mask_installs_that_package_only(today, state_path, form):
    from autopatch_cli.ops.session import Session
    from autopatch_cli.ops.state import State, seed

    _linux_vm(state_path, "pinned", "RedHat:RHEL:8-lvm-gen2:latest")
    the_seed = seed(State(Session(state_path).reader().full()))
    june = [p for _, ps in catalog.linux_releases_between(the_seed, datetime.fromisoformat("2024-06-01T00:00:00+00:00"),
                                                          datetime.fromisoformat("2024-06-22T00:00:00+00:00"), "rhel-8")
            for p in ps]
    once = [p for p in june if sum(q.name == p.name for q in june) == 1]
    assert once
    wanted = once[0]
    mask = f"{wanted.name}_{wanted.version}" if form == "name_version" else f"{wanted.name}={wanted.version}"
    config = _schedule(today, "pinned", f"package-name-masks-to-include=[{mask}]")
    _assign(today, "pinned", config["id"], "pinned")
    _ok(today("tick", "--days", "23"))  # the Saturdays of June up to the 22nd
    labels = [label for row in _installations(today, "pinned") for label in row["kbIds"]]
    assert labels == [f"{wanted.name}_{wanted.version}"]
