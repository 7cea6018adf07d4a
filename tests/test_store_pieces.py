"""A laid-out snapshot parsed a piece at a time gives the state a whole parse gives, and text that is not laid
out as serialize() writes it is not read in pieces (the whole, validating parse answers instead).

The pieces are what keeps a big store's load within memory: orjson's copy of the whole text took more than
the parsed state of a 100,000-VM store. Here the pieces are made small (a few hundred bytes), so that every
section and many VMs fall in pieces of their own.
"""

from __future__ import annotations

import json

import pytest

from autopatch_cli import store


def _state(vms: int = 40) -> dict:
    return {
        "schemaVersion": store.SCHEMA_VERSION,
        "meta": {"seed": 7, "note": "a \"quoted\" name, a newline \n and a brace }\n{ inside a string"},
        "clock": {"now": "2020-10-01T00:00:00Z"},
        "timers": [],
        "history": {"vms": [["id", "vm0"]], "rows": [[0, "A", 1, 2, "Succeeded", None, None, [], None, 0, 0]] * 30},
        "vms": {f"rg/vm{i}": {"vm": {"name": f"vm{i}", "tags": {"k": "}\n"}}, "sim": {"index": i, "f": 1.5e-7}}
                for i in range(vms)},
    }


def _files(tmp_path, text: str) -> store._Files:
    path = tmp_path / "state.json"
    path.write_text(text)
    return store._Files(path, path)


@pytest.mark.parametrize("piece", [64, 300, 1 << 20])
@pytest.mark.parametrize("vms", [0, 1, 40])
def test_pieces_give_the_whole_parse(tmp_path, monkeypatch, piece, vms):
    monkeypatch.setattr(store, "_PIECE_BYTES", piece)
    text = store.serialize(_state(vms))
    files = _files(tmp_path, text)
    assert files.laid_out and files.collection_at
    pieces = store._parse_pieces(files.raw, files.collection_at)
    whole = json.loads(text)
    assert pieces == whole
    assert list(pieces) == list(whole) and list(pieces["vms"]) == list(whole["vms"])
    assert store.serialize(pieces) == text


@pytest.mark.parametrize("damage", [  # each but the first makes the text invalid JSON
    lambda t: t.replace('"rg/vm0": {"vm":{', '"rg/vm0": {"vm":\n{', 1),  # an entry over two lines
    lambda t: t.replace('"index":3,"f":1.5e-7}},\n', '"index":3,"f":1.5e-7}}\n', 1),  # no comma
    lambda t: t.replace('"index":4,"f":1.5e-7}},\n', '"index":4,"f":1.5e-7}}},\n', 1),  # a brace too many
    lambda t: t.replace('"index":5,"f":1.5e-7}},\n', '"index":5,"f":1.5e-7},\n', 1),  # a brace too few
    lambda t: t.replace('"clock": {"now":"2020-10-01T00:00:00Z"},\n', '"clock": {"now":"2020-10-01T00:00:00Z"}\n', 1),
    lambda t: t.replace('"index":39,"f":1.5e-7}}\n', '"index":39,"f":1.5e-7}},\n', 1),  # a comma after the last
    lambda t: t[:-2] + ",}\n",  # a comma before the document's end
])
@pytest.mark.parametrize("piece", [16, 64, 200])
def test_text_not_laid_out_is_not_misread(tmp_path, monkeypatch, damage, piece):
    """Read in pieces, text off the layout gives the whole parse's state or ValueError, never another state."""
    monkeypatch.setattr(store, "_PIECE_BYTES", piece)
    text = damage(store.serialize(_state()))
    try:
        files = _files(tmp_path, text)
    except store.StoreError:
        return  # not laid out: parsed whole when opened, and refused
    if not (files.laid_out and files.collection_at):
        return  # the layout check already sends it to the whole parse
    assert text != store.serialize(_state())
    try:
        whole = json.loads(text)
    except ValueError:
        whole = None
    try:
        pieces = store._parse_pieces(files.raw, files.collection_at)
    except ValueError:
        return
    assert whole is not None and pieces == whole and list(pieces["vms"]) == list(whole["vms"])


def test_a_damaged_snapshot_is_refused_as_before(tmp_path, monkeypatch):
    """The whole parse still reports what is wrong, by path, when the pieces do not read."""
    monkeypatch.setattr(store, "_PIECE_BYTES", 64)
    text = store.serialize(_state()).replace('"index":3,', '"index":3,,', 1)
    assert text != store.serialize(_state())
    files = _files(tmp_path, text)
    with pytest.raises(store.StoreError, match="not valid JSON"):
        files.whole()


def test_duplicate_keys_keep_the_whole_parse_order(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "_PIECE_BYTES", 64)
    text = store.serialize(_state(10))
    text = text.replace('\n"rg/vm7": {', '\n"rg/vm2": {"again": 1},\n"rg/vm7": {', 1)
    files = _files(tmp_path, text)
    pieces = store._parse_pieces(files.raw, files.collection_at)
    whole = json.loads(text)
    assert pieces == whole and list(pieces["vms"]) == list(whole["vms"])


@pytest.mark.parametrize("piece", [64, 1 << 20])
def test_shared_strings_keep_the_state(tmp_path, monkeypatch, piece):
    """A big snapshot's equal strings become one object (its memory), and the state stays the one a whole
    parse gives."""
    monkeypatch.setattr(store, "_PIECE_BYTES", piece)
    text = store.serialize(_state())
    files = _files(tmp_path, text)
    shared = store._parse_pieces(files.raw, files.collection_at, share=True)
    assert shared == json.loads(text) and store.serialize(shared) == text
    names = [record["vm"]["tags"]["k"] for record in shared["vms"].values()]
    assert len(names) == 40 and all(name is names[0] for name in names)
    assert all(row[4] is shared["history"]["rows"][0][4] for row in shared["history"]["rows"])
    monkeypatch.setattr(store, "SHARED_STRINGS_BYTES", 1)
    whole = _files(tmp_path, text)._parse_whole()
    assert whole == json.loads(text)
    assert whole["vms"]["rg/vm1"]["vm"]["tags"]["k"] is whole["vms"]["rg/vm2"]["vm"]["tags"]["k"]
