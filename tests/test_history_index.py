"""Issue 16: the history index (``<store>.history-index``) is a cache that never changes an answer.

Every history and timeline view prints byte for byte what it prints from the store alone: with a current
index, a missing one, a stale one (the store written since), and a damaged one (cut short, a flipped byte,
garbage, a folder or a FIFO in its place), which is ignored, never an error. The index is used when it is
current (the views then decode no history section), rebuilt by a view that finds it missing or stale and by
a write that changes the history or replaces the snapshot, and it follows the history into the journal.
The fleet is small, so the size under which no index is kept is lowered here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta

import pytest
from rollout_kit import group, opt_in, vm

from autopatch_cli import history_index, store
from autopatch_cli.engine.records import OpKind
from autopatch_cli.ops.clock import tick
from autopatch_cli.ops.session import Session
from autopatch_cli.ops.state import now

VIEWS = [
    ("orchestration", "timeline"),
    ("orchestration", "timeline", "-o", "json"),
    ("orchestration", "timeline", "--release", "2020-11", "-o", "json"),
    ("orchestration", "history", "-o", "json"),
    ("orchestration", "history", "-o", "table"),
    ("orchestration", "history", "--release", "2020-11"),
    ("orchestration", "history", "--region", "westeurope"),
    ("orchestration", "history", "-g", "rg", "-n", "z1"),
    ("orchestration", "history", "-g", "eu", "--release", "2020-11", "--operation", "installation"),
    ("orchestration", "history", "--since", "2020-11-20T00:00:00Z", "--until", "2020-12-01T12:00:00Z"),
    ("orchestration", "history", "--operation", "assessment", "--region", "eastus", "--since", "2020-11-25"),
    ("orchestration", "history", "-g", "nosuch"),
    ("orchestration", "history", "--release", "2019-01"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("index") / "state.json"
    with Session(path).writer() as state:
        opt_in(state)
        group(state, "rg", "eastus")
        group(state, "eu", "westeurope")
        for i in range(3):
            vm(state, "rg", f"z{i}", tz="Pacific Standard Time", zone=str(i + 1))
            vm(state, "eu", f"e{i}", tz="W. Europe Standard Time")
        tick(state, now(state) + timedelta(days=75))
    os.unlink(history_index.path_of(path)) if history_index.path_of(path).exists() else None
    return path


@pytest.fixture
def store_path(built, state_path):
    shutil.copyfile(built, state_path)
    return state_path


def printed(cli) -> list[tuple[int, str, str]]:
    out = []
    for argv in VIEWS:
        result = cli(*argv)
        out.append((result.exit_code, result.stdout, result.stderr))
    return out


def without_index(cli, monkeypatch) -> list:
    monkeypatch.setattr(history_index, "MIN_BYTES", 1 << 62)
    try:
        return printed(cli)
    finally:
        monkeypatch.setattr(history_index, "MIN_BYTES", 0)


def current(path) -> bool:
    reader = store.StoreReader(path, dict)
    source = reader.section_source("history")
    assert source is not None
    return history_index.Index.read(history_index.path_of(path), source[0]) is not None


def no_history_decoded(monkeypatch):
    """The views must not decode the history section: the index answers."""
    real = store.StoreReader.section

    def section(self, name, default=None):
        assert name != "history", "the history was decoded although the index is current"
        return real(self, name, default)

    monkeypatch.setattr(store.StoreReader, "section", section)


def test_the_views_print_the_same_with_a_missing_and_a_current_index(store_path, cli, monkeypatch):
    expected = without_index(cli, monkeypatch)
    assert all(code == 0 for code, _, _ in expected[:3]) and all(len(out) > 100 for _, out, _ in expected[:11])
    assert not history_index.path_of(store_path).exists()
    monkeypatch.setattr(history_index, "MIN_BYTES", 0)
    assert printed(cli) == expected  # the first view builds it
    assert current(store_path)
    with monkeypatch.context() as patch:
        no_history_decoded(patch)
        assert printed(cli) == expected


def test_a_stale_index_is_ignored_and_rebuilt(store_path, cli, monkeypatch):
    monkeypatch.setattr(history_index, "MIN_BYTES", 0)
    printed(cli)
    old = history_index.path_of(store_path).read_bytes()
    # a write that changes the history, with the index left as it was (a writer of an older autopatch)
    monkeypatch.setattr(history_index, "refresh", lambda path: None)
    with Session(store_path).writer() as state:
        tick(state, now(state) + timedelta(days=3))
    assert history_index.path_of(store_path).read_bytes() == old and not current(store_path)
    expected = without_index(cli, monkeypatch)
    assert printed(cli) == expected
    assert current(store_path)


@pytest.mark.parametrize("damage", ["cut", "flip-directory", "flip-part", "garbage", "empty", "folder", "fifo"])
def test_a_damaged_index_is_ignored_never_an_error(store_path, cli, monkeypatch, damage):
    expected = without_index(cli, monkeypatch)
    printed(cli)
    file = history_index.path_of(store_path)
    data = bytearray(file.read_bytes())
    head = len(history_index.MAGIC) + 16
    if damage == "cut":
        data = data[: len(data) // 2]
    elif damage == "flip-directory":
        data[head + 10] ^= 0x01
    elif damage == "flip-part":
        data[-20] ^= 0x01  # a byte of the last VM's rows: the header reads, that part does not
    elif damage == "garbage":
        data = bytearray(os.urandom(len(data)))
    elif damage == "empty":
        data = bytearray()
    file.unlink()
    if damage == "folder":
        file.mkdir()
    elif damage == "fifo":
        os.mkfifo(file)
    else:
        file.write_bytes(bytes(data))
    assert printed(cli) == expected
    if damage == "folder":
        assert file.is_dir()  # a folder is not replaced: the views read the store
    else:
        assert current(store_path)  # rebuilt over the damaged file


def _rewritten(directory: dict, data: bytes) -> bytes:
    """The index with another directory, its CRC made for it (the parts where they were)."""
    head = len(history_index.MAGIC) + 16
    base = head + int.from_bytes(data[len(history_index.MAGIC) : len(history_index.MAGIC) + 8], "little")
    shifted = history_index._shift(directory, -base)
    return history_index._assemble(shifted, [data[base:]])


@pytest.mark.parametrize("damage", ["rows", "group-count", "ref-count", "ref-type", "group-type", "table-type",
                                    "part-outside", "rows-type", "no-groups"])
def test_an_inconsistent_directory_with_a_valid_crc_is_ignored(store_path, cli, monkeypatch, damage):
    """The CRC says the directory reads back as written, not that what wrote it was right: its types and its
    counts are checked too, and an index that fails is treated as absent (never an error)."""
    monkeypatch.setattr(history_index, "MIN_BYTES", 0)
    expected = without_index(cli, monkeypatch)
    printed(cli)
    file = history_index.path_of(store_path)
    data = file.read_bytes()
    key = store.StoreReader(store_path, dict).section_source("history")[0]
    directory = dict(history_index.Index.read(file, key)._directory)
    refs, groups = list(directory["refs"]), dict(directory["groups"])
    ref = next(i for i, where in enumerate(refs) if where is not None)
    group = next(iter(groups))
    if damage == "rows":
        directory["rows"] += 1
    elif damage == "group-count":
        groups[group] = (*groups[group][:3], groups[group][3] + 1)
    elif damage == "ref-count":
        refs[ref] = (*refs[ref][:3], refs[ref][3] + 1)
    elif damage == "ref-type":
        refs[ref] = (refs[ref][0], str(refs[ref][1]), *refs[ref][2:])
    elif damage == "group-type":
        groups[group] = (groups[group][0], "x", 0)
    elif damage == "table-type":
        directory["table"] = None
    elif damage == "part-outside":
        groups[group] = (len(data) * 2, *groups[group][1:])
    elif damage == "rows-type":
        directory["rows"] = str(directory["rows"])
    elif damage == "no-groups":
        groups = {}
    directory["refs"], directory["groups"] = refs, groups
    file.write_bytes(_rewritten(directory, data))
    assert history_index.Index.read(file, key) is None
    assert printed(cli) == expected
    assert current(store_path)  # rebuilt over it


def test_a_store_write_while_a_view_writes_the_index_leaves_its_temporary_file(store_path, cli, monkeypatch):
    """A view writes the index without the store lock: a writer's removal of its own stale temporary files
    (under the lock) must not remove the view's, which would lose the index it is writing."""
    monkeypatch.setattr(history_index, "MIN_BYTES", 0)
    printed(cli)
    file = history_index.path_of(store_path)
    file.unlink()

    def make() -> bytes:
        with store.transaction(store_path, dict) as document:  # a write, meanwhile
            document["marker"] = 1
        return b"the index"

    assert history_index.write(store_path, make) == b"the index"
    assert file.read_bytes() == b"the index"
    # a view killed mid-write leaves its temporary file: the next index write removes it, a live one's stays
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = file.parent / f".{file.name}.{dead.stdout.strip()}.00000000ab{history_index.TEMPORARY}"
    live = file.parent / f".{file.name}.{os.getppid()}.00000000cd{history_index.TEMPORARY}"
    stale.write_bytes(b"x")
    live.write_bytes(b"x")
    history_index.write(store_path, lambda: b"again")
    assert not stale.exists() and live.exists()


def test_a_changed_byte_in_a_group_is_caught_by_its_crc(store_path, cli, monkeypatch):
    """The part damaged is one the view reads: the view falls back to the store mid-way, same output."""
    monkeypatch.setattr(history_index, "MIN_BYTES", 0)
    expected = without_index(cli, monkeypatch)
    printed(cli)
    file = history_index.path_of(store_path)
    data = bytearray(file.read_bytes())
    index = history_index.Index.read(file, store.StoreReader(store_path, dict).section_source("history")[0])
    assert index is not None
    offset, length, _ = index._directory["table"]  # the part every view reads
    data[offset + length // 2] ^= 0x04
    file.write_bytes(bytes(data))
    with pytest.raises(history_index.Damaged):
        history_index.Index.read(file, store.StoreReader(store_path, dict).section_source("history")[0]).table()
    assert printed(cli) == expected
    # the view that met the damaged part removed the file, and the next view rebuilt it whole
    history_index.Index.read(file, store.StoreReader(store_path, dict).section_source("history")[0]).table()


def test_writes_keep_the_index_current(store_path, cli, monkeypatch):
    monkeypatch.setattr(history_index, "MIN_BYTES", 0)
    with Session(store_path).writer() as state:
        tick(state, now(state) + timedelta(days=1))
    assert not history_index.path_of(store_path).exists()  # no view made one: writers make none
    assert cli("orchestration", "history", "--release", "2020-11").exit_code == 0
    assert current(store_path)
    with Session(store_path).writer() as state:
        tick(state, now(state) + timedelta(days=2))
    assert current(store_path)  # the tick changed the history: rebuilt
    with monkeypatch.context() as patch:
        patch.setattr(history_index, "build", lambda *args: pytest.fail("rebuilt, though the history is the same"))
        assert cli("vm", "update", "-g", "rg", "-n", "z0", "--set", "tags.k=v").exit_code == 0
    assert current(store_path)  # a new snapshot (a small store), the same history line: the index re-keyed
    expected = without_index(cli, monkeypatch)
    assert printed(cli) == expected
    with monkeypatch.context() as patch:
        no_history_decoded(patch)
        patch.setattr(history_index, "MIN_BYTES", 0)
        assert cli("orchestration", "history", "-g", "rg", "-n", "z0", "-o", "json").exit_code == 0


def test_the_index_follows_the_history_into_the_journal(store_path, cli, monkeypatch):
    """A store big enough for a journal: a tick's small history change is a journal line, and the index
    names that line (its place and digest), then the snapshot's line after a fold."""
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1000)
    monkeypatch.setattr(history_index, "MIN_BYTES", 0)
    assert cli("vm", "update", "-g", "rg", "-n", "z0", "--set", "tags.k=v").exit_code == 0  # snapshot + journal
    assert cli("orchestration", "history", "-g", "rg", "-n", "z0").exit_code == 0  # builds the index
    with Session(store_path).writer() as state:
        tick(state, now(state) + timedelta(hours=30))
    source = store.StoreReader(store_path, dict).section_source("history")
    assert source is not None and source[0][0] == "journal"
    assert current(store_path)
    expected = without_index(cli, monkeypatch)
    with monkeypatch.context() as patch:
        no_history_decoded(patch)
        assert printed(cli) == expected


def test_small_histories_have_no_index(store_path, cli):
    assert history_index.MIN_BYTES >= 1 << 20
    assert cli("orchestration", "history", "-o", "json").exit_code == 0
    with Session(store_path).writer() as state:
        tick(state, now(state) + timedelta(days=1))
    assert not history_index.path_of(store_path).exists()


def test_the_index_knows_the_installation_letter():
    assert history_index._INSTALLATION == OpKind.INSTALLATION.value


def test_a_folder_that_takes_no_file_leaves_the_views_as_they_were(store_path, cli, monkeypatch):
    """A read-only folder (simulated: the tests may run as root, whom permissions do not stop): nothing is
    built, nothing fails, the views read the history section."""
    expected = without_index(cli, monkeypatch)

    def refuse(path, mode, suffix=".tmp"):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(store, "_temporary", refuse)
    monkeypatch.setattr(history_index, "build", lambda value, key: pytest.fail("built for nothing"))
    assert printed(cli) == expected
    assert not history_index.path_of(store_path).exists()


def test_every_section_reads_as_the_whole_store_has_it(store_path, monkeypatch):
    """The reader learns the snapshot's section lines once (store._Files._section_line): each section, those
    after the history line and a missing one, reads as the whole store has it, in any order, twice."""
    monkeypatch.setattr(store, "JOURNAL_MIN_BYTES", 1000)
    with Session(store_path).writer() as state:  # a laid-out snapshot with its journal
        tick(state, now(state) + timedelta(days=1))
    whole = store.load(store_path)
    assert whole is not None
    names = [name for name in whole if name not in ("schemaVersion", *store.COLLECTION_SECTIONS)]
    assert names.index("history") < len(names) - 1  # some sections come after the history's line
    for order in (names, names[::-1]):
        reader = store.StoreReader(store_path, dict)
        for name in [*order, "noSuchSection", *order]:
            assert reader.section(name) == whole.get(name), name


def test_views_racing_writers_never_fail_and_end_current(store_path, cli, monkeypatch):
    """Views in processes of their own build and read the index while writers tick and rewrite the store:
    none fails, and once the writes are done the views print what the store alone gives."""
    import subprocess

    from helpers import entry_point

    env = {**os.environ, "AUTOPATCH_HISTORY_INDEX_MIN_BYTES": "0", "AUTOPATCH_STATE": str(store_path)}
    argv = [*entry_point(), "orchestration", "history", "--release", "2020-11", "-o", "json"]
    views = [subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(6)]
    monkeypatch.setattr(history_index, "MIN_BYTES", 0)
    for _ in range(3):
        with Session(store_path).writer() as state:
            tick(state, now(state) + timedelta(hours=20))
        views.append(subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    for view in views:
        _, err = view.communicate(timeout=120)
        assert view.returncode == 0, err.decode()
    expected = without_index(cli, monkeypatch)
    assert printed(cli) == expected
