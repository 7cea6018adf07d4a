"""The journal beside a big store: what a write appends, what readers see, folding, crashes, migration.

The journal is used for stores of JOURNAL_MIN_BYTES or more; the tests lower that bound so that a small
store made here has one (``AUTOPATCH_JOURNAL_MIN_BYTES`` for real processes).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import PASSWORD
from test_store import IMAGE, _env

from autopatch_cli import store
from autopatch_cli.ops.state import new_state


@pytest.fixture
def journaled(monkeypatch):
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1)
    monkeypatch.setenv("AUTOPATCH_JOURNAL_MIN_BYTES", "1")


def _journal(path: Path) -> list[dict]:
    lines = Path(f"{path}.journal").read_bytes().split(b"\n")
    assert lines[-1] == b""
    return [json.loads(line) for line in lines[:-1]]


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result


def _fleet(cli, count=4):
    _ok(cli("group", "create", "-n", "rg", "-l", "eastus"))
    _ok(cli("vm", "create", "-g", "rg", "-n", "vm", "--count", str(count), "--image", IMAGE,
            "--admin-password", PASSWORD))


def test_one_vm_writes_append_to_the_journal_and_readers_see_them(journaled, cli, state_path):
    _fleet(cli)
    snapshot = os.stat(state_path)
    assert _journal(state_path)[0]["snapshot"][1] == snapshot.st_ino  # a header naming this snapshot
    assert len(_journal(state_path)) == 2  # and the create of the four VMs
    assert sorted(_journal(state_path)[1]["entries"]["vms"]) == [f"rg/vm{i}" for i in range(4)]
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags.k=v1"))
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm2", "--set", "tags.k=v2"))
    _ok(cli("vm", "deallocate", "-g", "rg", "-n", "vm0"))
    _ok(cli("vm", "delete", "-g", "rg", "-n", "vm3", "--yes"))
    after = os.stat(state_path)
    assert (after.st_ino, after.st_mtime_ns) == (snapshot.st_ino, snapshot.st_mtime_ns)  # never rewritten
    records = _journal(state_path)[2:]
    assert len(records) == 4
    assert list(records[0]["entries"]["vms"]) == ["rg/vm1"]  # only the VM that changed
    assert records[3]["deleted"] == {"vms": ["rg/vm3"]}
    # readers: one VM, a section, the whole fleet
    assert _ok(cli("vm", "show", "-g", "rg", "-n", "vm1")).json["tags"] == {"k": "v1"}
    assert _ok(cli("vm", "show", "-g", "rg", "-n", "vm2")).json["tags"] == {"k": "v2"}
    assert cli("vm", "show", "-g", "rg", "-n", "vm3").exit_code == 3
    assert sorted(v["name"] for v in _ok(cli("vm", "list")).json) == ["vm0", "vm1", "vm2"]
    shown = _ok(cli("vm", "get-instance-view", "-g", "rg", "-n", "vm0")).json
    assert any("deallocated" in s["code"] for s in shown["instanceView"]["statuses"])
    whole = store.load(state_path)
    assert set(whole["vms"]) == {"rg/vm0", "rg/vm1", "rg/vm2"}
    # a write that changes nothing appends nothing
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags.k=v1"))
    assert len(_journal(state_path)) == 6


def _same_commands(cli):
    _fleet(cli, 6)
    _ok(cli("tick", "--hours", "30"))  # a tick uses the whole fleet: a whole write
    for i in range(6):
        _ok(cli("vm", "update", "-g", "rg", "-n", f"vm{i}", "--set", f"tags.n={i}"))
    _ok(cli("vm", "delete", "-g", "rg", "-n", "vm2", "--yes"))
    _ok(cli("vm", "create", "-g", "rg", "-n", "vm2", "--image", IMAGE, "--admin-password", PASSWORD))
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm4", "--set", "tags.after=tick"))


def test_journal_then_fold_gives_the_same_store_as_whole_rewrites(tmp_path, cli, monkeypatch):
    plain = tmp_path / "plain" / "state.json"
    monkeypatch.setenv("AUTOPATCH_STATE", str(plain))
    _same_commands(cli)
    assert not Path(f"{plain}.journal").exists()  # small: rewritten whole every time
    journaled_path = tmp_path / "journaled" / "state.json"
    monkeypatch.setenv("AUTOPATCH_STATE", str(journaled_path))
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1)
    monkeypatch.setattr(store, "JOURNAL_MAX_BYTES", 1 << 30)
    _same_commands(cli)
    assert len(_journal(journaled_path)) > 2
    assert store.load(journaled_path) == store.load(plain)  # the same state, key order included
    assert list(store.load(journaled_path)["vms"]) == list(store.load(plain)["vms"])
    # folding: the next write past the bound writes a snapshot byte-identical to the whole rewrites'
    monkeypatch.setattr(store, "JOURNAL_MAX_BYTES", 1)
    for path in (plain, journaled_path):
        monkeypatch.setenv("AUTOPATCH_STATE", str(path))
        _ok(cli("vm", "update", "-g", "rg", "-n", "vm0", "--set", "tags.folded=yes"))
    assert journaled_path.read_bytes() == plain.read_bytes()
    assert len(_journal(journaled_path)) == 1  # a fresh journal: the header alone


def test_a_line_cut_short_is_no_line_and_the_next_write_drops_it(journaled, cli, state_path):
    _fleet(cli, 2)
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm0", "--set", "tags.k=kept"))
    journal = Path(f"{state_path}.journal")
    whole = journal.read_bytes()
    cut = json.dumps({"entries": {"vms": {"rg/vm0": {"vm": {"name": "torn"}}}}}).encode()[:-7]
    journal.write_bytes(whole + cut)  # a writer killed mid-append
    assert _ok(cli("vm", "show", "-g", "rg", "-n", "vm0")).json["tags"] == {"k": "kept"}
    assert store.load(state_path)["vms"]["rg/vm0"]["vm"]["tags"] == {"k": "kept"}
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags.k=next"))
    assert journal.read_bytes().startswith(whole) and cut not in journal.read_bytes()
    assert len(_journal(state_path)) == 4
    # a damaged whole line is refused by path when it is read, and nothing is written
    journal.write_bytes(whole + b'{"entries": {"vms": {"rg/vm1": oops}}}\n')
    before = (state_path.read_bytes(), journal.read_bytes())
    result = cli("vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags.k=no")
    assert result.exit_code == 1 and str(journal) in result.stderr and "damaged line" in result.stderr
    assert (state_path.read_bytes(), journal.read_bytes()) == before
    for args in (("vm", "show", "-g", "rg", "-n", "vm1"), ("vm", "list"), ("tick", "--minutes", "1")):
        result = cli(*args)
        assert result.exit_code == 1 and "damaged line" in result.stderr, args
    assert (state_path.read_bytes(), journal.read_bytes()) == before


def test_a_journal_of_another_snapshot_is_not_applied(journaled, cli, state_path):
    _fleet(cli, 2)
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm0", "--set", "tags.k=journal"))
    journal = Path(f"{state_path}.journal")
    old_journal = journal.read_bytes()
    # a fold whose second rename never happened: the snapshot holds the journal, the journal is the old one
    folded = store.load(state_path)
    store.write_atomic(state_path, store.serialize(folded))
    journal.write_bytes(old_journal)
    assert store.load(state_path) == folded
    # edited by hand (a new file): checked whole on the next write, then folded
    data = json.loads(state_path.read_text())
    data["vms"]["rg/vm1"] = 5
    state_path.write_text(json.dumps(data))
    result = cli("vm", "update", "-g", "rg", "-n", "vm0", "--set", "tags.k=x")
    assert result.exit_code == 1 and 'vms["rg/vm1"]' in result.stderr
    assert json.loads(state_path.read_text())["vms"]["rg/vm1"] == 5


def test_version_one_store_is_migrated_on_its_first_write(tmp_path, cli, state_path, monkeypatch):
    _fleet(cli, 2)
    current = store.load(state_path)
    old = dict(current, schemaVersion=1)
    v1 = store.serialize(old)
    state_path.write_text(v1)
    assert _ok(cli("vm", "show", "-g", "rg", "-n", "vm0")).json["name"] == "vm0"  # read as it is
    assert _ok(cli("vm", "list")).exit_code == 0
    assert state_path.read_text() == v1  # reads never migrate
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm0", "--set", "tags.m=1"))
    migrated = json.loads(state_path.read_text())
    assert migrated["schemaVersion"] == store.SCHEMA_VERSION == 2
    expected = json.loads(json.dumps(current))
    expected["vms"]["rg/vm0"]["vm"]["tags"] = {"m": "1"}
    assert migrated == expected
    # a big version-1 store (it has no journal yet) is migrated and folded, then journaled
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1)
    state_path.write_text(v1)
    Path(f"{state_path}.journal").unlink(missing_ok=True)
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags.m=2"))
    assert json.loads(state_path.read_text())["schemaVersion"] == 2 and len(_journal(state_path)) == 1
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags.m=3"))
    assert len(_journal(state_path)) == 2


_APPENDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from autopatch_cli.store import transaction

    path = Path(sys.argv[1])
    sys.stdout.write("ready\\n")
    sys.stdout.flush()
    n = 0
    while True:
        with transaction(path, dict) as state:
            n += 1
            state["meta"]["idCounter"] += 1
            for key in ("rg/vm1", "rg/vm7"):
                state["vms"][key]["vm"]["tags"] = {"n": str(state["meta"]["idCounter"]), "pad": "x" * 3000}
            if n % 5 == 0:
                del state["vms"]["rg/vm9"]
            elif n % 5 == 1 and "rg/vm9" not in state["vms"]:
                state["vms"]["rg/vm9"] = state["vms"]["rg/vm1"]
    """
)


def test_killed_journal_writer_leaves_old_or_new_state(tmp_path):
    path = tmp_path / "kill" / "state.json"
    path.parent.mkdir()
    state = new_state()
    state["vms"] = {f"rg/vm{i}": {"vm": {"name": f"vm{i}", "location": "eastus", "properties": {}, "tags": {}},
                                  "sim": {}} for i in range(10)}
    store.write_atomic(path, store.serialize(state))
    script = tmp_path / "appender.py"
    script.write_text(_APPENDER, encoding="utf-8")
    env = _env(path)
    env["AUTOPATCH_JOURNAL_MIN_BYTES"] = "1"
    rng = random.Random(7)
    counters = []
    for _ in range(8):
        child = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE, env=env)
        assert child.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.05, 0.5))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()
        data = store.load(path)
        counter = data["meta"]["idCounter"]
        # every write's VMs and its counter together: one whole write or none of it
        assert data["vms"]["rg/vm1"]["vm"]["tags"].get("n", "0") == data["vms"]["rg/vm7"]["vm"]["tags"].get("n", "0")
        assert data["vms"]["rg/vm1"]["vm"]["tags"].get("n", "0") == str(counter)
        counters.append(counter)
    assert counters == sorted(counters) and counters[-1] > 8  # progress, never backwards
    assert Path(f"{path}.journal").exists()


def test_serves_read_cache_sees_a_write_that_only_appended_to_the_journal(journaled, cli, state_path):
    from autopatch_cli.arm.router import Router

    _fleet(cli, 2)
    router = Router(state_path)
    assert router.reader().entry("vms", "rg/vm0")["vm"].get("tags") in (None, {})
    snapshot = os.stat(state_path)
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm0", "--set", "tags.k=seen"))
    assert os.stat(state_path).st_ino == snapshot.st_ino  # only the journal changed
    assert router.reader().entry("vms", "rg/vm0")["vm"]["tags"] == {"k": "seen"}
    assert store.signature(state_path) != (snapshot.st_ino, snapshot.st_mtime_ns, snapshot.st_size, None)


def test_a_copy_of_the_store_folder_keeps_its_journal(journaled, cli, state_path, tmp_path, monkeypatch):
    """``cp -a`` of the snapshot and its journal (a backup): the copy is a new inode, but it keeps the
    snapshot's size, mtime and generation (an extended attribute), which the journal header records, so the
    VMs only in the journal are in the copy too. A snapshot that is not that one is still told apart."""
    probe = tmp_path / "xattr-probe"
    probe.write_bytes(b"")
    try:
        os.setxattr(probe, store.GENERATION_ATTRIBUTE, b"1")
    except OSError as error:  # the store then ignores a copied journal, as before: nothing to test here
        pytest.skip(f"this file system keeps no user extended attributes ({error})")
    _fleet(cli, 2)
    _ok(cli("vm", "create", "-g", "rg", "-n", "zz9", "--image", IMAGE, "--admin-password", PASSWORD))
    expected = store.load(state_path)
    assert "rg/zz9" in expected["vms"] and '"rg/zz9"' not in state_path.read_text()  # only in the journal
    assert _journal(state_path)[0]["generation"] == os.getxattr(state_path, store.GENERATION_ATTRIBUTE).decode()
    def cp(folder: str, *options: str) -> Path:
        other = tmp_path / folder
        other.mkdir()
        subprocess.run(["cp", "-a", *options, str(state_path), f"{state_path}.journal", str(other)], check=True)
        return other / state_path.name

    copied = cp("backup")
    assert os.stat(copied).st_ino != os.stat(state_path).st_ino
    assert store.load(copied) == expected
    monkeypatch.setenv("AUTOPATCH_STATE", str(copied))
    _ok(cli("vm", "update", "-g", "rg", "-n", "zz9", "--set", "tags.k=v"))  # the copy is a store of its own
    assert store.load(copied)["vms"]["rg/zz9"]["vm"]["tags"] == {"k": "v"}
    assert store.load(state_path) == expected

    def copied_as(name: str, *, generation: bytes | None, touch: bool = False) -> Path:
        snapshot = cp(name)
        if generation is not None:  # another snapshot of the same size and mtime (a fold cut short)
            stat = os.stat(snapshot)
            os.setxattr(snapshot, store.GENERATION_ATTRIBUTE, generation)
            os.utime(snapshot, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        if touch:  # rewritten in place
            os.utime(snapshot, ns=(1, 1))
        return snapshot

    bare = cp("bare")
    os.unlink(f"{bare}.journal")
    without_journal = store.load(bare)  # the snapshot alone
    assert "rg/zz9" not in without_journal["vms"]
    assert store.load(copied_as("other", generation=b"0" * 32)) == without_journal
    assert store.load(copied_as("touched", generation=None, touch=True)) == without_journal
    assert store.load(cp("plain", "--no-preserve=xattr")) == without_journal  # as before: journal ignored
