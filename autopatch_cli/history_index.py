"""The history index: a derived, rebuildable cache of the store's history, beside it as ``<store>.history-index``.

The store's history section is one line of JSON (27 MB at 10,000 VMs after 120 days): a view that decodes
it pays for all of it, whatever it prints. The index holds the same rows, grouped the two ways the views
filter them, so that a view reads only its groups:

- by (release, operation kind, day of start): ``history --release``, ``--since``/``--until``,
  ``--operation``, and ``timeline`` (its release's rows, and the other rows of its days);
- by VM (the history table's ref): ``history -g -n``, ``-g``, ``--region``;

and the history's table of VMs. Each row keeps its place in the history, so the rows of several groups are
put back in the history's order.

It is a cache and never changes an answer:

- the views run the very filters they run on the store's rows (``HistoryRow.select``/``of_timeline``) on
  the rows the index hands them, which are a superset of the rows that match, in the history's order;
- it names the store text it was built from (``StoreReader.section_source``: the snapshot's identity and
  the line's place, or the journal line's place and digest). A view uses it only when that is the text the
  store's history is read from now; else it is stale and ignored;
- every part (its directory, the table, each group) carries a CRC-32 of its bytes, checked as it is read: a
  damaged, cut-short or foreign file is ignored like a stale one, never an error;
- it is written to a temporary file and renamed over the old one, from what the store holds: by the writer
  that changed the history (``refresh`` after a write), or by a view that found it missing or stale (it
  decodes the history anyway). Failures to write it (a read-only folder) are ignored.

Histories under ``MIN_BYTES`` have no index: decoding them whole costs less than the index's own reads.

File layout: ``MAGIC``, then the directory's length and CRC-32 (8 bytes each, little-endian), the
directory (marshal: a dict), then the parts (marshal), each found by its (offset, length, crc) in the
directory.
"""

from __future__ import annotations

import hashlib
import marshal
import mmap
import operator
import os
import stat
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import store

MAGIC = b"autopatch-history-index 1\n"
FORMAT = 1
SUFFIX = ".history-index"
TEMPORARY = ".index-tmp"
"""How the index's temporary files end: not ``.tmp``, which the store's writers remove as their own."""
MIN_BYTES = int(os.environ.get("AUTOPATCH_HISTORY_INDEX_MIN_BYTES", 1 << 20))
"""Histories whose text is smaller than this are decoded whole, never indexed."""
DAY = 86_400
_HEAD = len(MAGIC) + 16
_INSTALLATION = "I"  # OpKind.INSTALLATION.value (checked by the tests): the store side imports no engine


def path_of(store_path: Path | str) -> Path:
    target = store.resolve(Path(store_path))
    return target.with_name(target.name + SUFFIX)


class Index:
    """An index file opened for one store version: its table and its groups, read one part at a time."""

    def __init__(self, raw: bytes, directory: dict, file: Path | None = None):
        self._raw = raw
        self._directory = directory
        self.file = file  # the file it was read from (None: built by this process)

    def discard(self) -> None:
        """A part did not read back as written: remove the file, so that the next view rebuilds it (its key
        is current, so no writer would)."""
        if self.file is not None:
            try:
                os.unlink(self.file)
            except OSError:
                pass

    @classmethod
    def read(cls, file: Path, key: list | None) -> Index | None:
        """The index in ``file`` when it was built from the store text ``key`` names (None: whatever it names);
        None when it is missing, stale, damaged or not an index."""
        try:
            fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode) or os.fstat(fd).st_size < _HEAD:
                return None
            raw: Any = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
        finally:
            os.close(fd)
        try:
            if raw[: len(MAGIC)] != MAGIC:
                return None
            size = int.from_bytes(raw[len(MAGIC) : len(MAGIC) + 8], "little")
            crc = int.from_bytes(raw[len(MAGIC) + 8 : _HEAD], "little")
            body = raw[_HEAD : _HEAD + size]
            if len(body) != size or zlib.crc32(body) != crc:
                return None
            directory = marshal.loads(body)
            if type(directory) is not dict or directory.get("format") != FORMAT or \
                    (key is not None and directory.get("source") != key):
                return None
            if not _consistent(directory, _HEAD + size, len(raw)):
                return None
        except (ValueError, TypeError, EOFError, KeyError):
            return None
        return cls(raw, directory, file)

    def _part(self, where: Any) -> Any:
        offset, length, crc = where
        data = self._raw[offset : offset + length]
        if len(data) != length or zlib.crc32(data) != crc:
            raise Damaged
        try:
            return marshal.loads(data)
        except (ValueError, TypeError, EOFError) as exc:
            raise Damaged from exc

    def table(self) -> list:
        table = self._part(self._directory["table"])
        if type(table) is not list:
            raise Damaged
        return table

    def rows(self, refs: set[int] | None = None, kind: str | None = None, release: str | None = None,
             since: int | None = None, until: int | None = None) -> list:
        """A superset of the stored rows that match these filters (as ``HistoryRow.select`` tests them), in
        the history's order: from the VMs' groups or the (release, kind, day) groups, whichever holds fewer."""
        groups = self._directory["groups"]
        chosen = [where for (g_release, g_kind, day), where in groups.items()
                  if (release is None or g_release == release) and (kind is None or g_kind == kind)
                  and (since is None or day >= since // DAY) and (until is None or day <= until // DAY)]
        if refs is not None:
            by_ref = self._directory["refs"]
            of_vms = [by_ref[ref] for ref in refs if 0 <= ref < len(by_ref) and by_ref[ref] is not None]
            if sum(w[3] for w in of_vms) <= sum(w[3] for w in chosen):
                chosen = of_vms
        return self._gather(chosen)

    def timeline_rows(self, release: str, start: int, end: int) -> list:
        """A superset of the rows ``HistoryRow.of_timeline(rows, release, start, end)`` keeps, in order."""
        first, last = start // DAY, (end - 1) // DAY
        return self._gather([where for (g_release, g_kind, day), where in self._directory["groups"].items()
                             if g_release == release
                             or (first <= day <= last and (g_kind != _INSTALLATION or g_release is None))])

    def _gather(self, chosen: list) -> list:
        if len(chosen) == 1:
            return self._group(chosen[0])[1]
        pairs: list = []
        for where in chosen:
            places, rows = self._group(where)
            pairs.extend(zip(places, rows, strict=True))
        pairs.sort(key=operator.itemgetter(0))
        return [row for _, row in pairs]

    def _group(self, where: Any) -> tuple[list, list]:
        group = self._part(where[:3])
        if type(group) is not tuple or len(group) != 2 or len(group[0]) != where[3] or len(group[1]) != where[3]:
            raise Damaged
        return group


def _consistent(directory: dict, first: int, size: int) -> bool:
    """Whether a directory (its CRC matched) is shaped as :func:`build` makes one: every part an
    (offset, length, crc) inside the file past the directory, and the groups' row counts and the VMs' row
    counts each adding up to ``rows`` (else the index is treated as absent, never an error)."""
    def part(where: Any, counted: bool) -> int | None:
        if type(where) is not tuple or len(where) != (4 if counted else 3) or \
                any(type(n) is not int or n < 0 for n in where):
            return None
        if where[0] < first or where[0] + where[1] > size:
            return None
        return where[3] if counted else 0

    rows, table, refs, groups = (directory.get(name) for name in ("rows", "table", "refs", "groups"))
    if type(rows) is not int or rows < 0 or part(table, False) is None or type(refs) is not list or \
            type(groups) is not dict:
        return False
    total = 0
    for where in refs:
        if where is not None:
            count = part(where, True)
            if count is None:
                return False
            total += count
    if total != rows:
        return False
    total = 0
    for group, where in groups.items():
        count = part(where, True)
        if count is None or type(group) is not tuple or len(group) != 3 or type(group[2]) is not int:
            return False
        total += count
    return total == rows


class Damaged(Exception):
    """A part of the index does not read back as written: the view uses the store instead."""


def build(value: dict, key: list, text: str | None = None) -> bytes:
    """The index file's bytes for a (shape-checked) history value read from the store text ``key`` names
    (``text``: the digest of the snapshot line that text is, which a later snapshot may repeat)."""
    rows = value["rows"]
    groups: dict[tuple, list[int]] = {}
    by_ref: dict[int, list[int]] = {}
    for place, row in enumerate(rows):
        groups.setdefault((row[8], row[1], row[2] // DAY), []).append(place)
        by_ref.setdefault(row[0], []).append(place)
    parts: list[bytes] = []
    offset = 0

    def put(value: Any, count: int | None = None) -> tuple:
        nonlocal offset
        data = marshal.dumps(value)
        where = (offset, len(data), zlib.crc32(data))
        parts.append(data)
        offset += len(data)
        return where if count is None else (*where, count)

    table_at = put(value["vms"])
    directory_groups = {group: put((places, [rows[p] for p in places]), len(places))
                        for group, places in groups.items()}
    refs: list = [None] * (max(by_ref, default=-1) + 1)
    for ref, places in by_ref.items():
        refs[ref] = put((places, [rows[p] for p in places]), len(places))
    directory = {"format": FORMAT, "source": key, "text": text, "rows": len(rows), "table": table_at,
                 "refs": refs, "groups": directory_groups}
    return _assemble(directory, parts)


def rekey(index: Index, key: list) -> bytes:
    """The same index naming another store text: a new snapshot (a fold, a write that changed no history)
    whose history line is byte for byte the one the index was built from."""
    old_base = _HEAD + int.from_bytes(index._raw[len(MAGIC) : len(MAGIC) + 8], "little")
    directory = {**_shift(index._directory, -old_base), "source": key}
    return _assemble(directory, [index._raw[old_base:]])


def _assemble(directory: dict, parts: list[bytes]) -> bytes:
    # the parts' offsets are from the end of the directory: shift them now that its size is known
    body = marshal.dumps(directory)
    base = _HEAD + len(body)
    while True:
        shifted = _shift(directory, base)
        body = marshal.dumps(shifted)
        if _HEAD + len(body) == base:
            break
        base = _HEAD + len(body)
    head = MAGIC + len(body).to_bytes(8, "little") + zlib.crc32(body).to_bytes(8, "little")
    return b"".join([head, body, *parts])


def _shift(directory: dict, base: int) -> dict:
    def moved(where):
        return None if where is None else (where[0] + base, *where[1:])

    return {**directory, "table": moved(directory["table"]), "refs": [moved(w) for w in directory["refs"]],
            "groups": {group: moved(w) for group, w in directory["groups"].items()}}


def write(store_path: Path | str, make: Callable[[], bytes]) -> bytes | None:
    """Replace the index file with what ``make()`` gives (a temporary file renamed over it), and return it;
    None when the folder takes no file (nothing is made then). A failure leaves no index or the old one,
    both of which the views detect and ignore."""
    target = store.resolve(Path(store_path))
    file = path_of(target)
    _remove_dead_temporaries(file)
    try:
        fd, name = store._temporary(file, store._mode_of(target), TEMPORARY)
    except OSError:
        return None
    data = b""
    try:
        with os.fdopen(fd, "wb") as handle:
            data = make()
            handle.write(data)
        os.replace(name, file)
    except Exception as exc:  # noqa: BLE001  # a cache: nothing the index cannot hold stops a view
        try:
            os.unlink(name)
        except OSError:
            pass
        # a history the views read but the index cannot group (rows of another shape): no index
        return data if isinstance(exc, OSError) and data else None
    return data


def _remove_dead_temporaries(file: Path) -> None:
    """Temporary index files of views killed mid-write (their process is gone). Not the store's ``.tmp``
    files, which a store writer removes under the lock: the index is written without it, so a writer must
    never take a view's temporary file for a stale one of its own."""
    prefix = f".{file.name}."
    try:
        names = os.listdir(file.parent)
    except OSError:
        return
    for name in names:
        if not (name.startswith(prefix) and name.endswith(TEMPORARY)):
            continue
        pid = name[len(prefix) :].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # alive (or another user's): maybe still writing
        except ProcessLookupError:
            pass
        except OSError:
            continue
        try:
            os.unlink(file.parent / name)
        except OSError:
            pass


def _text_digest(reader: store.StoreReader, key: list) -> str | None:
    """The digest of the snapshot line ``key`` names (None: a journal line, which holds more than the
    history): a new snapshot whose line has the same digest has the same history."""
    if key[0] != "snapshot":
        return None
    at, length = key[-2], key[-1]
    return hashlib.blake2b(reader._files.raw[at : at + length], digest_size=16).hexdigest()


def open_for(reader: store.StoreReader) -> tuple[Index | None, Any]:
    """The index of the history this reader reads, or (None, the history decoded) when there is none
    worth one; a missing or stale index is rebuilt from that history (the view decodes it anyway)."""
    source = reader.section_source("history")
    if source is None or source[1] < MIN_BYTES:
        return None, None
    key, _ = source
    file = path_of(reader.path)
    found = Index.read(file, key)
    if found is not None:
        return found, None
    value = reader.section("history")
    if value is None:
        return None, None
    data = write(reader.path, lambda: build(value, key, _text_digest(reader, key)))
    if data is None:  # a folder that takes no file: the view reads the history it decoded
        return None, value
    return Index(data, marshal.loads(data[_HEAD : _HEAD + int.from_bytes(data[len(MAGIC) : len(MAGIC) + 8],
                                                                         "little")])), value


def refresh(store_path: Path | str) -> None:
    """After a write that changed the history or replaced the snapshot: rebuild the index when there is one
    (a view made it: a store nobody views, such as a benchmark's, pays nothing) and it does not name the
    store's history now. Reads the store as it is now, without the lock: the index is built from the very
    text its key names, so a write racing this one makes it stale, never wrong."""
    if not path_of(store_path).is_file():
        return
    try:
        reader = store.StoreReader(Path(store_path), dict)
        source = reader.section_source("history")
        if source is None or source[1] < MIN_BYTES or Index.read(path_of(reader.path), source[0]) is not None:
            return
        key = source[0]
        digest = _text_digest(reader, key)
        old = Index.read(path_of(reader.path), None) if digest is not None else None
        if old is not None and old._directory.get("text") == digest:
            write(store_path, lambda: rekey(old, key))  # a new snapshot, the same history: no decoding
            return
        value = reader.section("history")
    except Exception:  # noqa: BLE001  # a cache: a store the views cannot read they report themselves
        return
    if value is not None:
        write(store_path, lambda: build(value, key, digest))
