"""The view `serve` keeps of its store between requests (store.Resident), and dict sections journalled by key.

A Resident must see every write of other processes (lines they appended, snapshots they folded), hand out
values its caller may change without changing what it keeps, and write exactly what a whole rewrite
would have written: the store read afresh is the same as the Resident's view.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import PASSWORD
from test_store import IMAGE

from autopatch_cli import store
from autopatch_cli.arm.router import Router
from autopatch_cli.ops.state import new_state


@pytest.fixture
def journaled(monkeypatch):
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1)
    monkeypatch.setenv("AUTOPATCH_JOURNAL_MIN_BYTES", "1")
    monkeypatch.setattr(store, "KEYED_SECTION_BYTES", 1)  # this process journals dict sections by key


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(f"{path}.journal").read_bytes().splitlines()]


def _put(router: Router, name: str, tag: str) -> dict:
    sub = router.reader().section("subscription")["id"]
    url = f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{name}"
    got = router.handle("GET", f"{url}?api-version=2021-03-01")
    assert got.status == 200, got.body
    body = json.loads(got.body)
    body["tags"] = {"t": tag}
    response = router.handle("PUT", f"{url}?api-version=2021-03-01", {"Content-Type": "application/json"},
                             json.dumps(body).encode())
    assert response.status == 200, response.body
    return json.loads(response.body)


def _fleet(cli, count=4):
    _ok(cli("group", "create", "-n", "rg", "-l", "eastus"))
    _ok(cli("vm", "create", "-g", "rg", "-n", "vm", "--count", str(count), "--image", IMAGE,
            "--admin-password", PASSWORD))


def test_serve_and_cli_writes_interleaved_are_all_kept(journaled, cli, state_path):
    _fleet(cli)
    router = Router(state_path)
    for round_ in range(3):
        for i in range(4):
            _put(router, f"vm{i}", f"serve{round_}")
            _ok(cli("vm", "update", "-g", "rg", "-n", f"vm{(i + 1) % 4}", "--set", f"tags.cli=c{round_}{i}"))
            # the Resident sees the CLI's line, the CLI sees the Resident's
            seen = router.reader().entry("vms", f"rg/vm{(i + 1) % 4}")["vm"]["tags"]
            assert seen["cli"] == f"c{round_}{i}"
    whole = store.load(state_path)
    # a PUT replaces the tags; the CLI's update of vm0 came after its last PUT, the others' before
    assert whole["vms"]["rg/vm0"]["vm"]["tags"] == {"t": "serve2", "cli": "c23"}
    for i in range(1, 4):
        assert whole["vms"][f"rg/vm{i}"]["vm"]["tags"] == {"t": "serve2"}
    # every PUT left an operation record (a dict section journalled by key), all of them readable
    operations = whole["operations"]
    assert len(operations) == 12
    assert any("sectionKeys" in line for line in _lines(state_path)[1:])
    assert router.reader().section("operations") == operations


def test_keyed_section_lines_fold_into_the_same_store_as_whole_rewrites(journaled, cli, state_path, monkeypatch):
    _fleet(cli, 2)
    router = Router(state_path)
    for i in range(40):
        _put(router, f"vm{i % 2}", str(i))
    journalled = store.load(state_path)
    # fold now: the next write finds the journal over its bound
    monkeypatch.setattr(store, "JOURNAL_FOLD_MIN_BYTES", 1)
    monkeypatch.setattr(store, "JOURNAL_MAX_BYTES", 1)
    _put(router, "vm0", "folded")
    folded = store.load(state_path)
    assert len(_lines(state_path)) == 1  # a new journal: the header alone
    journalled["vms"]["rg/vm0"] = folded["vms"]["rg/vm0"]
    assert list(folded["operations"]) == [*journalled["operations"], *list(folded["operations"])[40:]]
    assert {k: v for k, v in folded.items() if k not in ("operations", "vms", "meta")} == \
        {k: v for k, v in journalled.items() if k not in ("operations", "vms", "meta")}
    # what the fold wrote is what a whole rewrite writes for the same state
    assert state_path.read_text(encoding="utf-8") == store.serialize(store.load(state_path))


def test_the_kept_view_is_never_changed_by_its_callers(journaled, cli, state_path):
    _fleet(cli, 2)
    resident = store.Resident(state_path)
    before = store.load(state_path)

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with store.transaction(state_path, new_state, resident) as document:
            document["vms"]["rg/vm0"]["vm"]["tags"] = {"phantom": "1"}
            document["meta"]["idCounter"] += 1000
            raise Boom
    with store.transaction(state_path, new_state, resident) as document:
        assert document["vms"]["rg/vm0"]["vm"].get("tags") in (None, {})
        assert document["meta"]["idCounter"] == before["meta"]["idCounter"]
        document["vms"]["rg/vm1"]["vm"]["tags"] = {"real": "1"}
    resident.durable()
    after = store.load(state_path)
    assert after["vms"]["rg/vm1"]["vm"]["tags"] == {"real": "1"}
    assert after["vms"]["rg/vm0"] == before["vms"]["rg/vm0"]
    assert resident.reader(new_state).entry("vms", "rg/vm1")["vm"]["tags"] == {"real": "1"}


def test_a_fold_by_another_process_is_seen(journaled, cli, state_path, monkeypatch):
    _fleet(cli, 2)
    router = Router(state_path)
    _put(router, "vm0", "a")
    first = router.resident.files()
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1 << 40)  # the CLI rewrites the store whole
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm1", "--set", "tags.whole=1"))
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1)
    assert not Path(f"{state_path}.journal").exists()
    assert router.resident.files() is not first
    assert router.reader().entry("vms", "rg/vm1")["vm"]["tags"] == {"whole": "1"}
    assert router.reader().entry("vms", "rg/vm0")["vm"]["tags"] == {"t": "a"}
    _put(router, "vm1", "b")
    assert store.load(state_path)["vms"]["rg/vm1"]["vm"]["tags"] == {"t": "b"}


def test_keyed_delta_keeps_the_dicts_order():
    original = {k: store._dumps(v) for k, v in {"a": 1, "b": 2, "c": 3}.items()}
    changed, deleted = store._keyed_delta(original, {"b": 2, "c": 4, "d": 5})
    assert changed == {"c": 4, "d": 5} and deleted == ["a"]
    state = {"s": {"a": 1, "b": 2, "c": 3}}
    store._apply_keyed(state, {"sectionKeys": {"s": changed}, "sectionDeleted": {"s": deleted}})
    assert list(state["s"].items()) == [("b", 2), ("c", 4), ("d", 5)]
    assert store._keyed_delta(original, {"b": 2, "a": 1, "c": 3}) is None  # reordered: whole


def test_key_listing_follows_the_journal_without_decoding_vms(journaled, cli, state_path):
    _fleet(cli, 6)
    _ok(cli("vm", "delete", "-g", "rg", "-n", "vm2", "--yes"))
    _ok(cli("vm", "create", "-g", "rg", "-n", "late", "--image", IMAGE, "--admin-password", PASSWORD))
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm0", "--set", "tags.k=v"))
    lines = _lines(state_path)[1:]
    assert all(list(line)[0] == "keys" for line in lines if "entries" in line or "deleted" in line)
    assert store.collection_keys(state_path, "vms") == list(store.load(state_path)["vms"])
    assert "rg/vm2" not in store.collection_keys(state_path, "vms")
    # a line without the summary (an older journal) is read whole
    raw = Path(f"{state_path}.journal").read_bytes().splitlines(keepends=True)
    older = [raw[0], *[json.dumps({k: v for k, v in json.loads(line).items() if k != "keys"}).encode() + b"\n"
                       for line in raw[1:]]]
    Path(f"{state_path}.journal").write_bytes(b"".join(older))
    assert store.collection_keys(state_path, "vms") == list(store.load(state_path)["vms"])


@pytest.mark.parametrize("minutes", [1, 60 * 24 * 3])
def test_a_tick_that_changes_little_appends_what_it_changed(journaled, cli, state_path, tmp_path, monkeypatch, minutes):
    """A tick uses the whole fleet; the VMs and sections it changed go to the journal, and the store reads
    back exactly as a whole rewrite would have left it."""
    _fleet(cli, 3)
    _ok(cli("feature", "register", "--namespace", "Microsoft.Compute", "--name", "InGuestAutoPatchVMPreview"))
    whole_path = tmp_path / "whole" / "state.json"
    whole_path.parent.mkdir()
    store.write_atomic(whole_path, store.serialize(store.load(state_path)))
    inode = os.stat(state_path).st_ino
    lines = len(_lines(state_path))
    _ok(cli("tick", "--minutes", str(minutes)))
    assert os.stat(state_path).st_ino == inode  # no new snapshot
    assert len(_lines(state_path)) == lines + 1
    assert "clock" in _lines(state_path)[-1]["sections"]
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1 << 40)  # the same tick, rewriting the store whole
    _ok(cli("--state", str(whole_path), "tick", "--minutes", str(minutes)))
    assert store.load(state_path) == store.load(whole_path)
    assert list(store.load(state_path)["vms"]) == list(store.load(whole_path)["vms"])


@pytest.mark.parametrize("keyed_bytes", [1, 1 << 30])  # journalled by key, or whole
def test_a_keyed_section_writes_what_a_plain_dict_would(journaled, cli, state_path, monkeypatch, keyed_bytes):
    """serve's writers read the operations section key by key (store.KeyedSection): every dict operation,
    in any order, must leave the store as the same operations on a plain dict do, and never change the
    view the Resident keeps (an aborted write leaves no trace)."""
    import random

    monkeypatch.setattr(store, "KEYED_SECTION_BYTES", keyed_bytes)
    _fleet(cli, 2)
    resident = store.Resident(state_path)
    with store.transaction(state_path, new_state, resident) as document:
        document["operations"] = {f"op{i}": {"n": i, "tags": {"k": str(i)}} for i in range(12)}
    resident.durable()
    rng = random.Random(7)

    class Boom(Exception):
        pass

    for round_ in range(60):
        model = store.load(state_path)["operations"]
        abort = round_ % 7 == 3
        try:
            with store.transaction(state_path, new_state, resident) as document:
                section = document["operations"]
                assert isinstance(section, store.KeyedSection)
                for _ in range(rng.randrange(1, 6)):
                    keys = list(model)
                    action = rng.choice(("read", "change", "set", "new", "evict", "readd", "delete_new", "get"))
                    key = rng.choice(keys) if keys else "none"
                    if action == "read" and keys:
                        assert section[key] == model[key]
                    elif action == "change" and keys:
                        section[key]["tags"]["k"] = f"r{round_}"  # in place, on the writer's copy
                        model[key]["tags"]["k"] = f"r{round_}"
                    elif action == "set" and keys:
                        section[key] = model[key] = {"n": -round_, "tags": {}}
                    elif action == "new":
                        section[f"new{round_}{_}"] = model[f"new{round_}{_}"] = {"n": round_, "tags": {}}
                    elif action == "evict" and keys:
                        first = next(iter(section))
                        assert first == keys[0]
                        del section[first]
                        del model[first]
                    elif action == "readd" and keys:
                        value = section[key]
                        del section[key]
                        del model[key]
                        section[key] = model[key] = value
                    elif action == "delete_new":
                        section[f"tmp{round_}"] = {"n": 0}
                        del section[f"tmp{round_}"]
                    elif action == "get":
                        assert section.get("absent") is None and ("absent" in section) is False
                        assert (key in section) == (key in model)
                    assert list(section) == list(model) and len(section) == len(model)
                if abort:
                    raise Boom
        except Boom:
            model = None
        resident.durable()
        stored = store.load(state_path)["operations"]
        if model is not None:
            assert list(stored.items()) == list(model.items())
        assert resident.reader(new_state).section("operations") == stored
    # a whole materialization keeps the section's pending changes
    with store.transaction(state_path, new_state, resident) as document:
        section = document["operations"]
        del section[next(iter(section))]
        section["last"] = {"n": 1}
        expected = list(section.items())
        document.materialize()
        assert list(document["operations"].items()) == expected
        section["after"] = {"n": 2}
        expected.append(("after", {"n": 2}))
    resident.durable()
    assert list(store.load(state_path)["operations"].items()) == expected


@pytest.mark.parametrize("summaries", ["all", "none", "some"])
def test_a_writer_that_looks_up_many_keys_indexes_the_journal(journaled, cli, state_path, summaries):
    """Past store.JOURNAL_SEARCHES lookups a writer indexes the journal's lines by their key summaries (or
    the whole line, for an older line without one): every key, changed, deleted, re-created or never
    there, reads as the whole store has it, before and after the index."""
    _fleet(cli, 6)
    _ok(cli("vm", "delete", "-g", "rg", "-n", "vm2", "--yes"))
    _ok(cli("vm", "update", "-g", "rg", "-n", "vm0", "--set", "tags.k=v"))
    _ok(cli("vm", "delete", "-g", "rg", "-n", "vm3", "--yes"))
    _ok(cli("vm", "create", "-g", "rg", "-n", "vm3", "--image", IMAGE, "--admin-password", PASSWORD))
    if summaries != "all":
        raw = Path(f"{state_path}.journal").read_bytes().splitlines(keepends=True)
        kept = [raw[0]]
        for i, line in enumerate(raw[1:]):
            record = json.loads(line)
            if summaries == "none" or i % 2:
                record.pop("keys", None)
            kept.append(json.dumps(record).encode() + b"\n")
        Path(f"{state_path}.journal").write_bytes(b"".join(kept))
    whole = store.load(state_path)["vms"]
    assert "rg/vm2" not in whole and "rg/vm3" in whole
    names = [f"rg/vm{i}" for i in range(6)] + ["rg/none", "rg/vm9"]
    with store.transaction(state_path, new_state) as document:
        vms = document["vms"]
        for _ in range(2):  # the first lookups search the journal, the later ones use the index
            assert {name: vms.get(name) for name in names} == {name: whole.get(name) for name in names}
        assert document.files._entry_at is not None
        vms["rg/vm4"]["vm"]["tags"] = {"after": "index"}
    assert store.load(state_path)["vms"]["rg/vm4"]["vm"]["tags"] == {"after": "index"}
