"""The state store's safety properties, checked with real `autopatch` processes.

Every test here runs `python -m autopatch_cli` (or a child Python) against a throwaway store:
concurrent writers lose nothing, a writer killed at any moment leaves the old or the new file, a
store from a newer autopatch or a store that is not JSON is refused by name and never overwritten,
and the admin password is never stored or printed.
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
from helpers import PASSWORD, entry_point

IMAGE = "Win2019Datacenter"


def _env(state: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["AUTOPATCH_STATE"] = str(state)
    env["AUTOPATCH_CONFIG_DIR"] = str(state.parent / "config")
    env["NO_COLOR"] = "1"
    return env


def autopatch(state: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the real entry point as a separate process."""
    return subprocess.run(
        [*entry_point(), *args], env=_env(state), capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def store(tmp_path) -> Path:
    """A store with one group and one VM, written by real processes."""
    path = tmp_path / "proc" / "state.json"
    _ok(autopatch(path, "group", "create", "-n", "rg", "-l", "eastus", "-o", "none"))
    _ok(autopatch(path, "vm", "create", "-g", "rg", "-n", "vm1", "--image", IMAGE,
                  "--admin-password", PASSWORD, "-o", "none"))
    return path


# ---- concurrency ---------------------------------------------------------------------------------


def test_sixteen_concurrent_creates_lose_nothing(tmp_path):
    state = tmp_path / "conc" / "state.json"
    _ok(autopatch(state, "group", "create", "-n", "rg", "-l", "eastus", "-o", "none"))
    names = [f"vm{i:02d}" for i in range(16)]
    procs = [
        subprocess.Popen(
            [*entry_point(), "vm", "create", "-g", "rg", "-n", name, "--image", IMAGE,
             "--admin-password", PASSWORD, "-o", "none"],
            env=_env(state), stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        )
        for name in names
    ]
    failures = []
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        if proc.returncode != 0:
            failures.append(err.decode())
    assert not failures, failures
    listed = _ok(autopatch(state, "vm", "list", "-g", "rg", "--query", "[].name"))
    assert sorted(json.loads(listed.stdout)) == names
    # every VM got its own simulated address: the writers really were serialized
    ips = json.loads(_ok(autopatch(state, "vm", "list", "-d", "--query", "[].privateIps")).stdout)
    assert len(set(ips)) == 16
    json.loads(state.read_text())  # and the file is one whole JSON document


# ---- atomic replace ------------------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from autopatch_cli.store import write_atomic

    path = Path(sys.argv[1])
    texts = [Path(sys.argv[2]).read_text(encoding="utf-8"), Path(sys.argv[3]).read_text(encoding="utf-8")]
    i = int(sys.argv[4])
    sys.stdout.write("ready\\n")
    sys.stdout.flush()
    while True:
        write_atomic(path, texts[i % 2])
        i += 1
    """
)


def _big_state(generation: int) -> dict:
    from autopatch_cli.ops.state import new_state

    state = new_state()
    state["meta"]["generation"] = generation
    filler = "x" * 200
    state["vms"] = {
        f"rg/vm{i}": {"vm": {"name": f"vm{i}", "location": "eastus", "properties": {}, "generation": generation,
                             "filler": filler * (1 + i % 7)}, "sim": {}}
        for i in range(4000)
    }
    return state


def test_killed_writer_leaves_old_or_new_store(tmp_path):
    from autopatch_cli.store import serialize

    path = tmp_path / "atomic" / "state.json"
    path.parent.mkdir()
    texts = [serialize(_big_state(0)), serialize(_big_state(1))]
    assert texts[0] != texts[1] and len(texts[0]) > 2_000_000
    sources = []
    for index, text in enumerate(texts):
        source = tmp_path / f"gen{index}.json"
        source.write_text(text, encoding="utf-8")
        sources.append(source)
    script = tmp_path / "writer.py"
    script.write_text(_WRITER, encoding="utf-8")
    rng = random.Random(1234)
    path.write_text(texts[0], encoding="utf-8")
    for round_ in range(6):
        before = path.read_text(encoding="utf-8")
        child = subprocess.Popen(
            [sys.executable, str(script), str(path), str(sources[0]), str(sources[1]), str(round_)],
            stdout=subprocess.PIPE, env=_env(path),
        )
        assert child.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.05, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()
        assert child.returncode == -signal.SIGKILL
        after = path.read_text(encoding="utf-8")
        assert after in (before, *texts), f"round {round_}: torn store ({len(after)} bytes)"
        assert json.loads(after)["meta"]["generation"] in (0, 1)
    # leftover temporary files are allowed; the store itself is whole and still usable
    from autopatch_cli.store import SCHEMA_VERSION

    assert json.loads(path.read_text(encoding="utf-8"))["schemaVersion"] == SCHEMA_VERSION


def test_killed_transaction_leaves_old_or_new_store(tmp_path):
    """The same through store.transaction, the path every write verb takes."""
    path = tmp_path / "tx" / "state.json"
    path.parent.mkdir()
    from autopatch_cli.store import serialize

    path.write_text(serialize(_big_state(0)), encoding="utf-8")
    script = tmp_path / "tx.py"
    script.write_text(textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from autopatch_cli.store import transaction

        path = Path(sys.argv[1])
        sys.stdout.write("ready\\n")
        sys.stdout.flush()
        while True:
            with transaction(path, dict) as state:
                state["meta"]["generation"] += 1
                for entry in state["vms"].values():
                    entry["vm"]["generation"] = state["meta"]["generation"]
        """
    ), encoding="utf-8")
    rng = random.Random(99)
    for _ in range(4):
        child = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE, env=_env(path))
        assert child.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.1, 0.5))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()
        data = json.loads(path.read_text(encoding="utf-8"))  # whole, never torn
        generation = data["meta"]["generation"]
        # one consistent generation: every VM line belongs to the same write
        assert {e["vm"]["generation"] for e in data["vms"].values()} == {generation}
        assert len(data["vms"]) == 4000
    # the next write, under the lock, removes what killed writers left (temporary files as big as the store)
    from autopatch_cli.store import transaction

    with transaction(path, dict) as state:
        state["meta"]["generation"] += 1
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


# ---- schemaVersion -------------------------------------------------------------------------------


def _newer(path: Path, layout: str) -> bytes:
    raw = path.read_bytes()
    if layout == "lines":
        assert raw.startswith(b'{"schemaVersion": 2,')
        data = raw.replace(b'{"schemaVersion": 2,', b'{"schemaVersion": 999,', 1)
    else:
        state = json.loads(raw)
        state["schemaVersion"] = 999
        data = json.dumps(state, indent=1).encode()
    path.write_bytes(data)
    return data


READ_AND_WRITE_VERBS = [
    ("vm", "show", "-g", "rg", "-n", "vm1"),  # the reader's fast path
    ("vm", "list"),  # a full parse
    ("group", "create", "-n", "rg2", "-l", "eastus"),  # a write
]
MORE_VERBS = [
    ("vm", "get-instance-view", "-g", "rg", "-n", "vm1"),
    ("account", "show"),
    ("clock", "show"),
    ("group", "show", "-n", "rg"),
    ("vm", "deallocate", "-g", "rg", "-n", "vm1"),
    ("vm", "create", "-g", "rg", "-n", "vm2", "--image", IMAGE, "--admin-password", PASSWORD),
    ("tick", "--minutes", "5"),
]


def _assert_refused(store: Path, data: bytes, result, args, *needles: str) -> None:
    code = result.returncode if isinstance(result, subprocess.CompletedProcess) else result.exit_code
    assert code == 1, (args, result.stdout, result.stderr)
    first = result.stderr.splitlines()[0]
    assert first.startswith("ERROR: "), (args, result.stderr)
    assert str(store) in first, (args, result.stderr)
    for needle in needles:
        assert needle in first, (args, needle, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert store.read_bytes() == data, args


@pytest.mark.parametrize("layout", ["lines", "one-document"])
def test_newer_schema_is_refused_and_left_untouched(store, layout, cli, monkeypatch):
    data = _newer(store, layout)
    for args in READ_AND_WRITE_VERBS:
        _assert_refused(store, data, autopatch(store, *args), args, "999", "newer")
    monkeypatch.setenv("AUTOPATCH_STATE", str(store))  # the rest in-process, for speed
    for args in READ_AND_WRITE_VERBS + MORE_VERBS:
        _assert_refused(store, data, cli(*args), args, "999", "newer")


# ---- not JSON ------------------------------------------------------------------------------------


def _corruptions(raw: bytes) -> dict[str, bytes]:
    return {
        "empty": b"",
        "garbage": b"\x00\xffthis is not json at all\n",
        "text": b"hello world\n",
        "truncated-half": raw[: len(raw) // 2],
        "truncated-last-line": raw[: raw.rindex(b"\n", 0, len(raw) - 1)],
        "truncated-closing-brace": raw[:-2],
        "truncated-two-braces": raw[:-4],
        "json-array": b"[1, 2, 3]\n",
    }


SUBPROCESS_CORRUPTIONS = ("empty", "garbage", "truncated-half", "truncated-closing-brace")


def test_store_that_is_not_json_is_refused_and_never_overwritten(store, cli, monkeypatch):
    raw = store.read_bytes()
    monkeypatch.setenv("AUTOPATCH_STATE", str(store))
    for label, data in _corruptions(raw).items():
        store.write_bytes(data)
        if label in SUBPROCESS_CORRUPTIONS:
            for args in READ_AND_WRITE_VERBS:
                _assert_refused(store, data, autopatch(store, *args), (label, *args))
        for args in READ_AND_WRITE_VERBS + MORE_VERBS:
            _assert_refused(store, data, cli(*args), (label, *args))


# ---- the admin password --------------------------------------------------------------------------


def test_admin_password_is_never_stored_or_printed(tmp_path):
    state = tmp_path / "pw" / "state.json"
    _ok(autopatch(state, "group", "create", "-n", "rg", "-l", "eastus", "-o", "none"))
    outputs = [
        _ok(autopatch(state, "vm", "create", "-g", "rg", "-n", "vm1", "--image", IMAGE, "--admin-password", PASSWORD)),
        _ok(autopatch(state, "vm", "create", "-g", "rg", "-n", "lx", "--image", "Canonical:UbuntuServer:18.04-LTS:latest",
                      "--admin-username", "azureuser", "--admin-password", PASSWORD)),
        _ok(autopatch(state, "vm", "create", "-g", "rg", "-n", "many", "--count", "2", "--image", IMAGE,
                      "--admin-password", PASSWORD, "-o", "yaml")),
    ]
    for args in (("vm", "show", "-g", "rg", "-n", "vm1"), ("vm", "show", "-g", "rg", "-n", "vm1", "-d"),
                 ("vm", "get-instance-view", "-g", "rg", "-n", "vm1"), ("vm", "list"), ("vm", "list", "-d"),
                 ("vm", "list", "-o", "tsv"), ("vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags.a=b")):
        outputs.append(_ok(autopatch(state, *args)))
    shown = json.loads(outputs[3].stdout)
    assert shown["osProfile"]["adminUsername"]  # the rest of the osProfile is there ...
    assert "adminPassword" not in shown["osProfile"]  # ... but not the password
    for result in outputs:
        assert PASSWORD not in result.stdout and PASSWORD not in result.stderr
    text = state.read_text(encoding="utf-8")
    assert PASSWORD not in text and "adminPassword" not in text
    assert json.loads(text)["vms"]  # the VMs are there
    # a refused create (weak password, or a rule failing after the password passed) does not echo it
    weak = autopatch(state, "vm", "create", "-g", "rg", "-n", "vm9", "--image", IMAGE, "--admin-password", "weakpassword")
    assert weak.returncode == 1 and "weakpassword" not in weak.stderr + weak.stdout
    refused = autopatch(state, "vm", "create", "-g", "rg", "-n", "vm9", "--image", IMAGE, "--admin-password", PASSWORD,
                        "--patch-mode", "Manual", "--enable-auto-update", "true")
    assert refused.returncode == 1 and PASSWORD not in refused.stderr + refused.stdout
    assert PASSWORD not in state.read_text(encoding="utf-8")


# ---- the reader's fast path ----------------------------------------------------------------------


def test_store_reader_fast_path_matches_full_parse(tmp_path, cli):
    from autopatch_cli.ops.state import new_state
    from autopatch_cli.store import StoreReader, load, serialize, transaction

    path = Path(os.environ["AUTOPATCH_STATE"])
    assert cli("group", "create", "-n", "rg", "-l", "eastus").exit_code == 0
    assert cli("vm", "create", "-g", "rg", "-n", "web", "--count", "3", "--image", IMAGE,
               "--admin-password", PASSWORD, "--tags", 'quote="x"', "note=a: b, {c}").exit_code == 0
    # many more VMs, cloned from the real ones with keys that look alike (prefixes of each other)
    with transaction(path, new_state) as state:
        template = state["vms"]["rg/web1"]
        for i in range(1500):
            clone = json.loads(json.dumps(template))
            clone["vm"]["name"] = f"vm{i}"
            clone["vm"]["tags"] = {"i": str(i), "unicode": "é✓", "newline": "a\nb"}
            state["vms"][f"rg/vm{i}"] = clone
    full = load(path)
    assert path.read_text(encoding="utf-8") == serialize(full)  # the file is in the line layout
    reader = StoreReader(path, new_state)
    assert reader._state is None  # really on the fast path
    for key in ("rg/web0", "rg/web2", "rg/vm0", "rg/vm1", "rg/vm10", "rg/vm100", "rg/vm1499", "rg/vm150"):
        assert reader.entry("vms", key) == full["vms"][key], key
    assert reader.entry("vms", "rg/vm1500") is None
    assert reader.entry("vms", "rg/vm") is None
    for section in ("meta", "clock", "subscription", "resourceGroups", "providers", "features", "timers"):
        assert reader.section(section) == full[section], section
    assert reader.full() == full
    # and through the CLI: vm show answers what the full parse holds
    shown = cli("vm", "show", "-g", "rg", "-n", "vm100")
    assert shown.exit_code == 0 and shown.json["tags"] == full["vms"]["rg/vm100"]["vm"]["tags"]
    web = cli("vm", "show", "-g", "rg", "-n", "web1").json
    assert web["tags"] == {"quote": '"x"', "note": "a: b, {c}"}
