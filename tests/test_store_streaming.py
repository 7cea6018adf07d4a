"""The store's streamed write (benchmarks/README.md): same bytes as serialize(), written only on a change.

A transaction no longer holds the store's text twice: it keeps a digest of the loaded state's text and
streams the new text to the temporary file, long lists (the history's rows) a slice at a time.
"""

from __future__ import annotations

import json
import os

from autopatch_cli import store
from autopatch_cli.ops.state import new_state


def _reference(state: dict) -> str:
    """The line layout, spelled out with json.dumps over whole values (what serialize() promises)."""
    def dumps(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = [f'{{"schemaVersion": {state["schemaVersion"]},']
    lines += [f"{dumps(k)}: {dumps(v)}," for k, v in state.items() if k not in ("schemaVersion", "vms")]
    if "vms" in state:
        lines.append('"vms": {')
        items = list(state["vms"].items())
        lines += [f"{dumps(k)}: {dumps(v)}{',' if i < len(items) - 1 else ''}" for i, (k, v) in enumerate(items)]
        lines.append("}")
    else:
        lines[-1] = lines[-1].rstrip(",")
    return "\n".join(lines + ["}"]) + "\n"


def _big_state() -> dict:
    state = new_state()
    rows = [[i % 7, "A", 1_600_000_000 + i, 1_600_000_200 + i, "Succeeded", None, None, [] if i % 3 else ["KB1"],
             None, i % 8, i] for i in range(store._SLICE * 2 + 17)]
    state["history"] = {"vms": [["id", "vm", "rg", "eastus", None, None, None, "UTC"]], "rows": rows}
    state["notes"] = {"text": "é✓ \"quoted\" a\nb", "list": list(range(store._SLICE + 1))}
    state["vms"] = {f"rg/vm{i}": {"vm": {"name": f"vm{i}", "location": "eastus", "properties": {}, "tags": {"t": "x" * i}},
                                  "sim": {}} for i in range(5)}
    return state


def test_serialize_matches_the_line_layout_for_long_lists():
    state = _big_state()
    assert store.serialize(state) == _reference(state)
    without_vms = {k: v for k, v in state.items() if k != "vms"}
    assert store.serialize(without_vms) == _reference(without_vms)
    assert store.serialize({"schemaVersion": 1}) == '{"schemaVersion": 1\n}\n'


def test_transaction_streams_the_same_text_and_skips_unchanged_writes(tmp_path):
    path = tmp_path / "state.json"
    with store.transaction(path, _big_state) as state:
        state["meta"]["touched"] = 1
    assert path.read_text(encoding="utf-8") == store.serialize(store.load(path)) == _reference(store.load(path))
    before = os.stat(path)
    with store.transaction(path, new_state) as state:
        state["meta"]["touched"] = 1  # the same value: the text does not change, so the file is not replaced
    after = os.stat(path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # no temporary left (a store this big has a journal beside it, holding only its header)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.journal", "state.json.lock"]
    with store.transaction(path, new_state) as state:
        state["history"]["rows"].append([0, "I", 1, 2, "Failed", 1, 1, ["KB2"], "2020-11", 0, 0])
    assert store.load(path)["history"]["rows"][-1][7] == ["KB2"]
    assert path.read_text(encoding="utf-8") == _reference(store.load(path))


def test_failed_transaction_writes_nothing(tmp_path):
    path = tmp_path / "state.json"
    with store.transaction(path, new_state) as state:
        state["meta"]["touched"] = 1
    text = path.read_text(encoding="utf-8")
    try:
        with store.transaction(path, new_state) as state:
            state["meta"]["touched"] = 2
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert path.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.lock"]


def test_entries_streamed_to_a_new_store_give_serializes_bytes_and_an_index(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1)
    state = new_state()
    state["vms"] = {f"rg/vm{i}": {"vm": {"name": f"vm{i}", "location": "eastus", "properties": {"n": "é"}}, "sim": {}}
                    for i in range(5)}
    path = tmp_path / "state.json"
    store.write_entries(path, state, ((k, store._dumps(v)) for k, v in state["vms"].items()))
    assert path.read_text(encoding="utf-8") == store.serialize(state)
    assert store.load(path) == state
    assert store.StoreReader(path, new_state).entry("vms", "rg/vm3") == state["vms"]["rg/vm3"]
    assert store.collection_keys(path, "vms") == list(state["vms"])


def test_the_cloned_fleet_builder_gives_the_operations_layers_bytes(tmp_path):
    """benchmarks/fleet.py's build_cloned (a million VMs in minutes) is the same store as build (every VM
    made through the operations layer), byte for byte."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import fleet

    made, cloned = tmp_path / "made.json", tmp_path / "cloned.json"
    fleet.build(str(made), 120, 12)
    fleet.build_cloned(str(cloned), 120, 12)
    assert made.read_bytes() == cloned.read_bytes()
