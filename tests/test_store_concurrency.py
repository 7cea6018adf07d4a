"""Writers under load are served, not refused (the figures at 16/32/64: benchmarks/store.py writers).

32 real `autopatch` processes write one store at once: none is refused, every write is in the store.
The lock's wait is measured by holder, not in total: a queue of short holders longer than the timeout is
served; only one holder keeping the lock past the timeout makes a waiter give up, naming the process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import PASSWORD, entry_point
from test_store import IMAGE, _env, autopatch

from autopatch_cli import store
from autopatch_cli.errors import StoreError


def _ok(result):
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.parametrize("journal", [True, pytest.param(False, marks=pytest.mark.slow)],
                         ids=["journaled", "whole-rewrites"])
def test_thirty_two_concurrent_writers_are_all_served(tmp_path, journal):
    path = tmp_path / "many" / "state.json"
    _ok(autopatch(path, "group", "create", "-n", "rg", "-l", "eastus", "-o", "none"))
    _ok(autopatch(path, "vm", "create", "-g", "rg", "-n", "vm", "--count", "16", "--image", IMAGE,
                  "--admin-password", PASSWORD, "-o", "none"))
    env = _env(path)
    if journal:
        env["AUTOPATCH_JOURNAL_MIN_BYTES"] = "1"
    commands = []
    for i in range(16):  # half update existing VMs, half create new ones, all at once
        commands.append(["vm", "update", "-g", "rg", "-n", f"vm{i}", "--set", f"tags.writer={i}", "-o", "none"])
        commands.append(["vm", "create", "-g", "rg", "-n", f"new{i:02d}", "--image", IMAGE,
                         "--admin-password", PASSWORD, "-o", "none"])
    procs = [subprocess.Popen([*entry_point(), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL) for args in commands]
    refused = []
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            refused.append(err.decode())
    assert refused == []
    state = store.load(path)
    assert all(state["vms"][f"rg/vm{i}"]["vm"]["tags"] == {"writer": str(i)} for i in range(16))
    assert sorted(k for k in state["vms"] if k.startswith("rg/new")) == [f"rg/new{i:02d}" for i in range(16)]
    ips = {record["sim"]["privateIpAddress"] for record in state["vms"].values()}
    assert len(ips) == 32  # every create saw the ones before it: the writers really were serialized
    assert (tmp_path / "many" / "state.json.journal").exists() == journal
    listed = json.loads(_ok(autopatch(path, "vm", "list", "--query", "length(@)")).stdout)
    assert listed == 32


_HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from autopatch_cli.store import locked

    with locked(Path(sys.argv[1])):
        sys.stdout.write("held\\n")
        sys.stdout.flush()
        time.sleep(float(sys.argv[2]))
    """
)


def _hold(tmp_path, path, seconds: float) -> subprocess.Popen:
    script = tmp_path / "holder.py"
    script.write_text(_HOLDER, encoding="utf-8")
    return subprocess.Popen([sys.executable, str(script), str(path), str(seconds)], stdout=subprocess.PIPE)


def test_a_queue_of_short_holders_is_waited_for_and_a_stuck_holder_is_named(tmp_path, monkeypatch):
    path = tmp_path / "lock" / "state.json"
    path.parent.mkdir()
    monkeypatch.setattr(store, "LOCK_TIMEOUT_SECONDS", 1.0)
    # holders one after another, each 0.6 s, 2.4 s in all: longer than the timeout, but always moving
    holders = []
    for _ in range(4):
        holder = _hold(tmp_path, path, 0.6)
        holders.append(holder)
    assert holders[0].stdout.readline() == b"held\n"
    started = time.monotonic()
    with store.locked(path):
        waited = time.monotonic() - started
    for holder in holders:
        holder.wait(timeout=30)
        holder.stdout.close()
    assert waited > 0.5  # it did wait (at least for the first holder) ...
    # ... and one holder that keeps the lock past the timeout makes the waiter give up, naming it
    stuck = _hold(tmp_path, path, 30)
    assert stuck.stdout.readline() == b"held\n"
    try:
        with pytest.raises(StoreError) as refused:
            with store.locked(path):
                pass
        assert f"process {stuck.pid}" in refused.value.message and "1 seconds" in refused.value.message
    finally:
        stuck.kill()
        stuck.wait(timeout=10)
        stuck.stdout.close()
    with store.locked(path):  # a killed holder's lock is released by the kernel
        pass


@pytest.mark.parametrize("writers", [8, pytest.param(32, marks=pytest.mark.slow)])
def test_serve_and_cli_writers_together_lose_nothing(tmp_path, writers):
    """A running `serve` (its kept view, its shared fsyncs) and CLI processes write one store at once."""
    import http.client
    import re
    import threading

    path = tmp_path / "mixed" / "state.json"
    _ok(autopatch(path, "group", "create", "-n", "rg", "-l", "eastus", "-o", "none"))
    _ok(autopatch(path, "vm", "create", "-g", "rg", "-n", "vm", "--count", str(2 * writers), "--image", IMAGE,
                  "--admin-password", PASSWORD, "-o", "none"))
    env = _env(path)
    env["AUTOPATCH_JOURNAL_MIN_BYTES"] = "1"
    server = subprocess.Popen([*entry_point(), "serve", "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env)
    try:
        port = int(re.search(r":(\d+) ", server.stdout.readline()).group(1))
        sub = store.load(path)["subscription"]["id"]
        base = f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines"
        failures: list[str] = []

        def serve_writer(index: int) -> None:  # the even VMs, through serve, three PUTs each
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for step in range(3):
                conn.request("GET", f"{base}/vm{2 * index}?api-version=2021-03-01")
                body = json.loads(conn.getresponse().read())
                body["tags"] = {**(body.get("tags") or {}), f"s{step}": str(index)}
                conn.request("PUT", f"{base}/vm{2 * index}?api-version=2021-03-01", body=json.dumps(body),
                             headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                payload = response.read()
                if response.status != 200:
                    failures.append(f"{response.status} {payload[:200]!r}")
            conn.close()

        threads = [threading.Thread(target=serve_writer, args=(i,)) for i in range(writers)]
        procs = []
        for thread in threads:
            thread.start()
        for i in range(writers):  # the odd VMs, through the CLI, at the same time
            procs.append(subprocess.Popen(
                [*entry_point(), "vm", "update", "-g", "rg", "-n", f"vm{2 * i + 1}", "--set", f"tags.c={i}",
                 "-o", "none"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL))
        for proc in procs:
            _, err = proc.communicate(timeout=600)
            if proc.returncode != 0:
                failures.append(err.decode())
        for thread in threads:
            thread.join(600)
        assert failures == []
    finally:
        server.terminate()
        server.wait(30)
        server.stdout.close()
        server.stderr.close()
    state = store.load(path)
    for i in range(writers):
        assert state["vms"][f"rg/vm{2 * i}"]["vm"]["tags"] == {"s0": str(i), "s1": str(i), "s2": str(i)}
        assert state["vms"][f"rg/vm{2 * i + 1}"]["vm"]["tags"] == {"c": str(i)}
    assert len(state["operations"]) == 3 * writers  # every PUT's operation record, none lost
