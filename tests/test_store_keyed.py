"""Keyed sections read key by key: the journal header's ``sectionIndex`` (each value's place in its snapshot
line) and ``sectionSummary`` (store.SUMMARIES' digests: a NIC's addresses), written with every snapshot and fold.

The store's text does not change: a store written with them is byte for byte the one written without.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import PASSWORD
from test_store import IMAGE

from autopatch_cli import store
from autopatch_cli.ops import network
from autopatch_cli.ops.state import State, new_state

SECTION = network.SECTION


def _ok(result):
    assert result.exit_code == 0, result.stderr
    return result


def _header(path: Path) -> dict:
    return json.loads(Path(f"{path}.journal").read_bytes().split(b"\n", 1)[0])


def _commands(cli, monkeypatch, fold: bool) -> None:
    """Network resources made, changed and deleted, in the journal and (``fold``) through folds."""
    def maybe_fold(*args):
        if fold:
            monkeypatch.setattr(store, "JOURNAL_MAX_BYTES", 1)
        _ok(cli(*args))
        monkeypatch.setattr(store, "JOURNAL_MAX_BYTES", 1 << 30)

    _ok(cli("group", "create", "-n", "rg", "-l", "eastus"))
    _ok(cli("group", "create", "-n", "rg2", "-l", "westus"))
    maybe_fold("vm", "create", "-g", "rg", "-n", "a", "--count", "4", "--image", IMAGE, "--admin-password", PASSWORD)
    _ok(cli("vm", "create", "-g", "rg", "-n", "b", "--image", IMAGE, "--admin-password", PASSWORD,
            "--nic-delete-option", "Detach"))
    maybe_fold("vm", "create", "-g", "rg2", "-n", "c", "--count", "3", "--image", IMAGE, "--admin-password", PASSWORD,
               "--public-ip-address", "")
    _ok(cli("vm", "delete", "-g", "rg", "-n", "b", "--yes"))  # its NIC stays, without virtualMachine
    maybe_fold("vm", "create", "-g", "rg", "-n", "b2", "--image", IMAGE, "--admin-password", PASSWORD,
               "--nics", "bVMNic")
    _ok(cli("vm", "delete", "-g", "rg", "-n", "a1", "--yes"))
    _ok(cli("group", "delete", "-n", "rg2", "--yes"))
    maybe_fold("vm", "create", "-g", "rg", "-n", "d", "--count", "2", "--image", IMAGE, "--admin-password", PASSWORD)
    _ok(cli("vm", "create", "-g", "rg", "-n", "e", "--image", IMAGE, "--admin-password", PASSWORD))


@pytest.mark.parametrize("fold", [False, True])
def test_network_resources_read_key_by_key_give_the_store_whole_reads_give(tmp_path, cli, monkeypatch, fold):
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1)
    monkeypatch.setenv("AUTOPATCH_JOURNAL_MIN_BYTES", "1")
    keyed = tmp_path / "keyed" / "state.json"
    monkeypatch.setenv("AUTOPATCH_STATE", str(keyed))
    _commands(cli, monkeypatch, fold)
    whole = tmp_path / "whole" / "state.json"
    monkeypatch.setenv("AUTOPATCH_STATE", str(whole))
    with monkeypatch.context() as m:  # every section decoded whole, as before sectionIndex
        m.setattr(store._Files, "lazy_section", lambda self, name: None)
        _commands(cli, monkeypatch, fold)
    assert keyed.read_bytes() == whole.read_bytes()
    journals = [Path(f"{p}.journal").read_bytes().split(b"\n", 1) for p in (keyed, whole)]
    assert journals[0][1] == journals[1][1]  # the same lines after the header
    assert store.load(keyed) == store.load(whole)
    # the header's places and digests are those of the snapshot's values
    header, raw = _header(keyed), keyed.read_bytes()
    resources = json.loads(raw)[SECTION]
    spans = header["sectionIndex"][SECTION]
    assert list(spans) == list(resources)
    assert {k: json.loads(raw[start:end]) for k, (start, end) in spans.items()} == resources
    nics = {k: v for k, v in resources.items() if "/networkinterfaces/" in k}
    assert nics
    assert header["sectionSummary"][SECTION] == {k: [list(c) for c in network.AddressBook._configs(v)]
                                                 for k, v in nics.items()}


def test_a_command_decodes_only_the_network_resources_it_reads(tmp_path, cli, monkeypatch, state_path):
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1)
    monkeypatch.setenv("AUTOPATCH_JOURNAL_MIN_BYTES", "1")
    _commands(cli, monkeypatch, fold=True)
    _ok(cli("vm", "create", "-g", "rg", "-n", "f", "--count", "2", "--image", IMAGE, "--admin-password", PASSWORD))
    decoded = []
    nics = [v for k, v in store.load(state_path)[SECTION].items() if "/networkinterfaces/" in k]
    before = state_path.read_bytes(), Path(f"{state_path}.journal").read_bytes()
    with store.transaction(state_path, new_state) as document:
        state = State(document)
        section = document[SECTION]
        assert type(section) is store.KeyedSection and type(section._base) is store._LazySection
        lazy = section._base
        book = network.AddressBook(state)
        assert sum(map(len, book.taken.values())) == len(nics) > 8  # every NIC's address, from the digests
        decoded.append(sum(1 for v in lazy.items_.values() if v is not store._SPAN))
        assert network.find(state, "rg", "virtualNetworks", "aVNET")["name"] == "aVNET"
        decoded.append(sum(1 for v in lazy.items_.values() if v is not store._SPAN))
    # the journal's keyed lines since the fold are decoded values; the snapshot's stay spans but the VNet's
    lines = Path(f"{state_path}.journal").read_bytes().split(b"\n")[1:-1]
    in_journal = {k for line in lines for k in json.loads(line).get("sectionKeys", {}).get(SECTION, {})}
    assert decoded == [len(in_journal), len(in_journal | {"rg/virtualnetworks/avnet"})]
    assert (state_path.read_bytes(), Path(f"{state_path}.journal").read_bytes()) == before  # nothing changed


def _addresses(document: dict) -> list[str]:
    return [c["properties"].get("privateIPAddress") for k, v in document[SECTION].items()
            if "/networkinterfaces/" in k for c in v["properties"]["ipConfigurations"]]


def _damage(header: dict, how: str) -> None:
    spans, summaries = header["sectionIndex"][SECTION], header["sectionSummary"][SECTION]
    if how == "shifted":  # one byte off: the value would be misread
        spans["rg/virtualnetworks/avnet"][0] += 1
    elif how == "swapped":  # two values' places swapped: each would read as the other
        a, b = "rg/networkinterfaces/avmnic0", "rg/networkinterfaces/avmnic2"
        spans[a], spans[b] = spans[b], spans[a]
    elif how == "stale-summary":  # a NIC's address not the one its digest says: it would be handed out again
        summaries["rg/networkinterfaces/avmnic0"][0][1] = "10.0.0.250"
    elif how == "stale-summary-older-header":  # the same, in a header without the CRC
        summaries["rg/networkinterfaces/avmnic0"][0][1] = "10.0.0.250"
        del header["sectionCrc"]
    elif how == "summary-shape":
        summaries["rg/networkinterfaces/avmnic0"] = "x"
        summaries["rg/networkinterfaces/nope"] = [["s", "10.0.0.9", "h"]]
        del header["sectionCrc"]
    elif how == "spans-shape":
        spans["rg/virtualnetworks/avnet"] = "x"
    elif how == "index-not-a-dict":
        header["sectionIndex"] = [1]


@pytest.mark.parametrize("fold", [False, True])
@pytest.mark.parametrize("how", ["shifted", "swapped", "stale-summary", "stale-summary-older-header",
                                 "summary-shape", "spans-shape", "index-not-a-dict"])
def test_a_section_index_or_summary_that_does_not_match_the_snapshot_is_ignored(cli, monkeypatch, state_path,
                                                                              how, fold):
    """The header's places and digests are a cache: checked against the snapshot line (and a CRC) before use,
    and when they do not match the section is decoded whole; never a refused store, a misread value, an
    address handed out twice, nor a fold written from places that were not checked."""
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1)
    monkeypatch.setenv("AUTOPATCH_JOURNAL_MIN_BYTES", "1")
    _commands(cli, monkeypatch, fold=True)
    journal = Path(f"{state_path}.journal")
    head, rest = journal.read_bytes().split(b"\n", 1)
    header = json.loads(head)
    _damage(header, how)
    journal.write_bytes(json.dumps(header, separators=(",", ":")).encode() + b"\n" + rest)
    expected = store.load(state_path)
    if fold:
        monkeypatch.setattr(store, "JOURNAL_MAX_BYTES", 1)
    _ok(cli("vm", "create", "-g", "rg", "-n", "g", "--image", IMAGE, "--admin-password", PASSWORD))
    monkeypatch.setattr(store, "JOURNAL_MAX_BYTES", 1 << 30)
    after = store.load(state_path)
    assert {k: v for k, v in after[SECTION].items() if k in expected[SECTION]} == expected[SECTION]
    addresses = _addresses(after)
    assert len(addresses) == len(set(addresses)) == len(_addresses(expected)) + 1
    _ok(cli("vm", "show", "-g", "rg", "-n", "a0"))  # the store reads on, by key
    if fold:  # the new header's places and digests are the new snapshot's
        header, raw = _header(state_path), state_path.read_bytes()
        spans = header["sectionIndex"][SECTION]
        assert list(spans) == list(after[SECTION])
        assert {k: json.loads(raw[start:end]) for k, (start, end) in spans.items()} == after[SECTION]
        nics = {k: v for k, v in after[SECTION].items() if "/networkinterfaces/" in k}
        assert header["sectionSummary"][SECTION] == {k: [list(c) for c in network.AddressBook._configs(v)]
                                                     for k, v in nics.items()}


def test_a_journal_header_without_section_index_is_read_whole_and_gets_one_at_the_next_fold(
        cli, monkeypatch, state_path):
    """An older autopatch's header (no sectionIndex): the section is decoded whole, as it was."""
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1)
    monkeypatch.setenv("AUTOPATCH_JOURNAL_MIN_BYTES", "1")
    _commands(cli, monkeypatch, fold=True)
    journal = Path(f"{state_path}.journal")
    head, rest = journal.read_bytes().split(b"\n", 1)
    header = json.loads(head)
    del header["sectionIndex"], header["sectionSummary"]
    journal.write_bytes(store._dumps(header).encode() + b"\n" + rest)
    expected = store.load(state_path)
    _ok(cli("vm", "create", "-g", "rg", "-n", "h", "--image", IMAGE, "--admin-password", PASSWORD))
    assert "sectionIndex" not in _header(state_path)
    assert store.load(state_path)[SECTION]["rg/networkinterfaces/hvmnic"]["properties"]["ipConfigurations"][0][
        "properties"]["privateIPAddress"] not in {
        c["properties"].get("privateIPAddress") for k, v in expected[SECTION].items() if "/networkinterfaces/" in k
        for c in v["properties"]["ipConfigurations"]}
    monkeypatch.setattr(store, "JOURNAL_MAX_BYTES", 1)
    _ok(cli("vm", "update", "-g", "rg", "-n", "h", "--set", "tags.k=v"))
    header = _header(state_path)
    assert list(header["sectionIndex"][SECTION]) == list(store.load(state_path)[SECTION])
