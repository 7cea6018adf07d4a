"""Linux VMs in the demo and in the orchestration views (plan, show, history, why, windows, timeline)."""

from __future__ import annotations

import re

import pytest


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result.json if result.stdout.strip() else None


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from helpers import run

    path = tmp_path_factory.mktemp("linux-demo") / "demo.json"
    result = _ok(run("--state", str(path), "demo", "-o", "json"))
    return path, result


def test_the_demo_has_linux_vms_patched_in_the_same_rollout(demo_store):
    _, result = demo_store
    assert result["fleet"]["linuxVms"] == 5
    by_name = {vm["name"]: vm for vm in result["vms"]}
    assert by_name["ubuntu-eastus-1"]["os"] == "Ubuntu 20.04"
    assert by_name["rhel-eastus-2"]["os"] == "Red Hat Enterprise Linux 8.10"
    assert by_name["web-eastus-1"]["os"] == "Windows"
    assert by_name["ubuntu-imagedefault"]["patchMode"] == "ImageDefault"
    assert by_name["ubuntu-imagedefault"]["whyCode"] == "image-default"
    assert by_name["ubuntu-imagedefault"]["lastInstallation"] is None
    patched = [vm for vm in result["vms"] if vm["os"] != "Windows" and vm["lastInstallation"] == "Succeeded"]
    assert len(patched) >= 2
    # the Windows part of the demo is what it was: the same halt
    assert result["rollout"]["state"] == "halted" and result["rollout"]["halt"]["vm"] == "rg-westus/web-westus-2"


def test_history_names_linux_packages_and_the_os(demo_store, cli):
    path, _ = demo_store
    rows = _ok(cli("--state", str(path), "orchestration", "history", "-g", "rg-eastus", "-n", "ubuntu-eastus-1"))
    assert rows and {row["os"] for row in rows} == {"Ubuntu 20.04"}
    installs = [row for row in rows if row["operation"] == "installation"]
    assert installs and installs[0]["release"] == "2020-10" and installs[0]["phase"]
    assert all(re.match(r"^[a-z0-9][\w.+-]*_\d[\w.+~:-]*$", label) for label in installs[0]["kbIds"])
    windows = _ok(cli("--state", str(path), "orchestration", "history", "-g", "rg-eastus", "-n", "web-eastus-1"))
    assert windows and all("os" not in row for row in windows)  # Windows rows as they were
    table = cli("--state", str(path), "orchestration", "history", "-g", "rg-eastus", "-n", "rhel-eastus-2",
                "-o", "table")
    assert table.exit_code == 0 and "rhel-eastus-2" in table.stdout


def test_why_windows_and_show_know_linux_vms(demo_store, cli):
    path, _ = demo_store
    why = _ok(cli("--state", str(path), "orchestration", "why", "-g", "rg-westeurope", "-n", "ubuntu-imagedefault"))
    assert why["reason"] == "image-default" and "ImageDefault" in why["message"]
    window = _ok(cli("--state", str(path), "orchestration", "windows", "-g", "rg-eastus", "-n", "ubuntu-eastus-1"))
    assert window[0]["timeZone"] == "UTC" and window[0]["localStart"].endswith("T22:00:00+00:00")
    import json

    stored = json.loads(path.read_text())["engine"]["rollouts"][-1]["vms"]
    assert any(key.endswith("/ubuntu-eastus-1") for key in stored)  # a turn in the rollout
    show = _ok(cli("--state", str(path), "orchestration", "show"))
    eastus_phase = next(p for p in show["rollouts"][-1]["phases"] if "eastus" in p["regions"])
    assert eastus_phase["vms"] >= 19 + 2  # its Windows VMs the platform patches, and its two Linux ones
    timeline = _ok(cli("--state", str(path), "orchestration", "timeline", "-o", "json"))
    eastus = next(r for r in timeline["summary"]["regions"] if r["region"] == "eastus")
    assert eastus["vmCount"] >= 2 + 6 + 3 + 10  # its Linux VMs with its Windows ones


def test_plan_lists_linux_vms_with_their_os(cli, state_path):
    from datetime import UTC, datetime

    from autopatch_cli.ops import clock, demo, groups
    from autopatch_cli.ops.session import Session

    with Session(state_path).writer() as state:
        clock.set_clock(state, datetime(2024, 6, 1, tzinfo=UTC))
        groups.create(state, "rg", "eastus")
        demo.linux_vm(state, "rg", "u1", "Ubuntu2204")
        demo.windows_vm(state, "rg", "w1", image="Win2022Datacenter")
    plan = _ok(cli("orchestration", "plan"))
    rows = {row["name"]: row for row in plan["vms"]}
    assert plan["release"] == "2024-06"
    assert rows["u1"]["os"] == "Ubuntu 22.04" and "os" not in rows["w1"]
    assert rows["u1"]["phase"] == rows["w1"]["phase"] and rows["u1"]["timeZone"] == "UTC"
    assert rows["u1"]["expectedStart"]
