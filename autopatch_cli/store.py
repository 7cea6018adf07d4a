"""The JSON state store: a snapshot and a journal, locked across processes, crash-safe, versioned.

Two files, both JSON text (README.md, "The state store", says why this design)::

    state.json           the snapshot: one JSON document, a line per section and a line per VM
    state.json.journal   JSON Lines: a header naming the snapshot it extends, then one line per write

The snapshot's layout::

    {"schemaVersion": 2,
    "meta": {...},
    ...one line per section...
    "vms": {
    "rg/vm1": {...},
    "rg/vm2": {...}
    }}

A write that changes a few VMs of a big store appends what it changed (whole sections and whole VM
entries, and the keys it deleted) as one line to the journal, so its cost follows the work, not the
fleet. Past a threshold the journal is folded into a new snapshot. Small stores (under
``JOURNAL_MIN_BYTES``) are always rewritten whole and have no journal: a full rewrite costs nothing there.

Reads decode only what they ask for: a VM's line in the snapshot, found by searching the mapped file,
then the newest journal line that names it. Nothing is parsed whole unless a verb needs the whole fleet.

Safety, each property tested:
- a symbolic link is followed: the target is locked, read and replaced, never the link;
- anything that is not a regular file (a FIFO, a folder, a device) is refused before it is opened for
  reading, so nothing hangs;
- every write holds ``<store>.lock`` (an flock); waiting for it is served as long as the holders make
  progress, and refused only when one holder keeps it for ``LOCK_TIMEOUT_SECONDS``;
- a snapshot is written to a temporary file, fsynced and renamed over the store, keeping the file's mode;
  a journal line is appended and fsynced, and a line cut short by a crash is no line at all: a process
  killed anywhere leaves the old or the new state. Stale temporary files of killed writers are removed by
  the next write, under the lock;
- the whole document's shape is checked (``check_section``/``check_entry``) before anything is used,
  and a store that is not JSON, not shaped like a store, or from a newer autopatch is refused by path and
  first bad field, and never written;
- file-system failures (disk full, read-only, a folder where the lock goes, an immutable file) are
  reported with what happened and where; the store stays as it was.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import itertools
import json
import os
import random
import re
import secrets
import stat
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import gcpause
from .errors import StoreError

SCHEMA_VERSION = 2
"""1: the snapshot alone. 2: a journal may extend the snapshot (older autopatches must not write it)."""
STATE_ENV = "AUTOPATCH_STATE"
LOCK_TIMEOUT_SECONDS = 60.0
"""How long one lock holder may keep the store before a waiting writer gives up (holders that hand the
lock on show progress, so a long queue of writers is served, however long)."""
JOURNAL_MIN_BYTES = int(os.environ.get("AUTOPATCH_JOURNAL_MIN_BYTES", 1 << 20))
"""Snapshots smaller than this are rewritten whole on every write (cheap), and so have no journal."""
JOURNAL_MAX_BYTES = 8 << 20
"""A journal is folded into a new snapshot past a quarter of the snapshot's size (but not before it holds
JOURNAL_FOLD_MIN_BYTES), and at most this: readers search it, so it stays small."""
JOURNAL_FOLD_MIN_BYTES = 1 << 20
JOURNAL_SEARCHES = 4
"""A writer that looks up more keys than this indexes the journal's lines once (from their key summaries)
instead of searching the whole journal for each."""
KEYED_SECTION_BYTES = 4096
"""A dict section at least this big (the long-running operations' records) is journalled by the keys a
write changed; a smaller one (the clock, the id counter) whole, so that a reader finds it in one line."""
# Sections kept one entry a line; everything else is a one-line section.
COLLECTION_SECTIONS = ("vms",)
KEYED_SECTIONS = ("operations", "networkResources")
"""Dict sections that a writer reads key by key: a long-running process's writer (``serve``) copies the
records it reads, not the whole section (256 operation records) on every write; a command decodes the values
it reads from their places in the snapshot line, which the journal header's ``sectionIndex`` gives (the network
resources of 10,000 VMs are a 22 MB line: ``vm create`` reads a few of them and adds 500)."""

SUMMARIES: dict[str, Callable[[str, Any], Any]] = {}
"""A keyed section's digest of a value (``networkResources``: a NIC's addresses, registered by ops.network), kept
in the journal header beside the value's place, so that a writer reads the digests, not the values; None: none."""
_EXTRAS_MARK = b',"sectionIndex":'

_HEADER_PREFIX = b'{"schemaVersion": '
JOURNAL_FORMAT = 2
"""1: records hold whole sections, whole entries and deleted keys. 2: a dict section may be recorded by the
keys that changed (``sectionKeys``/``sectionDeleted``); an autopatch that knows only 1 refuses the journal."""
_decoder = json.JSONDecoder()


def default_path() -> Path:
    """Where the store lives: ``$AUTOPATCH_STATE`` or platformdirs' user data dir."""
    env = os.environ.get(STATE_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("autopatch", appauthor=False)) / "state.json"


def _dumps(value: Any) -> str:
    """Compact JSON, UTF-8 as is: orjson's bytes (several times faster than json on a big store), or
    json's for what orjson refuses (integers beyond 64 bits, lone surrogates); both give the same text."""
    try:
        return _orjson_dumps(value).decode("utf-8")
    except (TypeError, ValueError):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


try:
    from orjson import dumps as _orjson_dumps
    from orjson import loads as _loads_line
except ImportError:  # pragma: no cover - orjson is a dependency; keep the store writable without it
    def _orjson_dumps(value: Any, /, default: Callable[[Any], Any] | None = None, option: int | None = None) -> bytes:
        raise TypeError("orjson is not installed")

    def _loads_line(raw: bytes | bytearray | memoryview | str, /) -> Any:
        return json.loads(bytes(raw) if isinstance(raw, memoryview) else raw)


def _parse_line(raw: bytes) -> Any:
    try:
        return _loads_line(raw)
    except ValueError:  # what orjson refuses but json reads (lone surrogates written by json.dumps)
        return json.loads(raw.decode("utf-8", "surrogatepass"))


def serialize(state: dict[str, Any]) -> str:
    """Render a state dict in the line-per-entry layout described above."""
    return "".join(_chunks(state))


def _chunks(state: dict[str, Any], mark=None, span=None) -> Iterator[str]:
    """:func:`serialize`'s text in pieces, so that a writer streams it instead of holding a copy.

    ``mark(collection, key)`` is called just before each entry's piece (which starts with its newline);
    ``span(section, key, value)`` just before the piece that is exactly the text of a KEYED_SECTIONS value.
    """
    yield f'{{"schemaVersion": {int(state["schemaVersion"])}'
    for name in [k for k in state if k != "schemaVersion" and k not in COLLECTION_SECTIONS]:
        yield f",\n{_dumps(name)}: "
        if span is not None and name in KEYED_SECTIONS:
            yield from _keyed_chunks(name, state[name], span)
        else:
            yield from _value_chunks(state[name])
    for name in [k for k in COLLECTION_SECTIONS if k in state]:
        yield f",\n{_dumps(name)}: {{"
        entries = state[name]
        last = len(entries) - 1
        for i, (key, value) in enumerate(entries.items()):
            if mark is not None:
                mark(name, key)
            yield f"\n{_dumps(key)}: {_dumps(value)}{',' if i < last else ''}"
        yield "\n}"
    yield "\n}\n"


_SLICE = 10_000


def _value_chunks(value: Any) -> Iterator[str]:
    """``_dumps(value)`` in pieces: a long list (the history's rows), alone or in a dict, a slice at a time."""
    if isinstance(value, list) and len(value) > _SLICE:
        yield "["
        for start in range(0, len(value), _SLICE):
            yield ("," if start else "") + _dumps(value[start : start + _SLICE])[1:-1]
        yield "]"
    elif (isinstance(value, dict) and all(type(k) is str for k in value)
          and any(isinstance(v, list) and len(v) > _SLICE for v in value.values())):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield f"{',' if i else ''}{_dumps(key)}:"
            yield from _value_chunks(item)
        yield "}"
    else:
        yield _dumps(value)


def _keyed_chunks(name: str, value: Any, span) -> Iterator[str]:
    """``_dumps(value)`` of a dict section, a value at a time, calling ``span(name, key)`` before each value's
    own text (the same text: compact JSON of a dict is its keys' and values' texts joined)."""
    if type(value) is not dict or not all(type(k) is str for k in value):
        yield from _value_chunks(value)
        return
    yield "{"
    for i, (key, item) in enumerate(value.items()):
        yield f"{',' if i else ''}{_dumps(key)}:"
        span(name, key, item)
        yield _dumps(item)
    yield "}"


def _digest(chunks: Iterator[str]) -> bytes:
    """A digest of the serialized text, without holding it (a big store's text runs to hundreds of MB)."""
    digest = hashlib.blake2b(digest_size=32)
    for chunk in chunks:
        digest.update(chunk.encode("utf-8", "surrogatepass"))
    return digest.digest()


# ---- errors ----------------------------------------------------------------------------------------

_WHY = {
    errno.ENOSPC: "no space is left on the device",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission is denied (is the folder read-only?)",
    errno.EPERM: "the operation is not permitted (is the file or its folder immutable? see lsattr)",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ELOOP: "the path is a loop of symbolic links",
    errno.ENAMETOOLONG: "the name is too long",
}


def _fs_error(exc: OSError, action: str, where: Path | str, path: Path) -> StoreError:
    """An OSError as one message: what failed, where, and that the store is as it was."""
    why = _WHY.get(exc.errno or 0) or (exc.strerror or str(exc)).rstrip(".").lower()
    return StoreError(f"Could not {action} '{where}': {why}. The state store '{path}' was left as it was.")


def _check_version(version: Any, path: Path) -> None:
    if type(version) is not int or version < 1:
        raise _corrupt(path, f"schemaVersion must be a positive integer, not {_show(version)}")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"The state store '{path}' was written by a newer autopatch (schemaVersion {version}; this "
            f"autopatch reads up to {SCHEMA_VERSION}). Upgrade autopatch; the store was left untouched."
        )


def _corrupt(path: Path, detail: str) -> StoreError:
    return StoreError(
        f"The state store '{path}' is not a valid autopatch store ({detail}). It was left untouched: "
        "repair it, move it aside, or point --state/AUTOPATCH_STATE at another file."
    )


# ---- the document's shape --------------------------------------------------------------------------

class ShapeError(ValueError):
    """A field of the document that is missing or of the wrong type: ``field`` names it, jq-style."""

    def __init__(self, field: str, detail: str):
        super().__init__(f"{field}: {detail}")
        self.field = field


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, (bytes, bytearray)) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_TYPE_NAMES = {dict: "an object", list: "an array", str: "a string", int: "an integer", bool: "a boolean"}
_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def _field(parent: str, key: str) -> str:
    return f"{parent}.{key}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else f"{parent}[{json.dumps(key)}]"


def _expect(value: Any, kind: type, field: str) -> None:
    ok = type(value) is kind if kind in (int, bool) else isinstance(value, kind)
    if not ok:
        raise ShapeError(field, f"expected {_TYPE_NAMES[kind]}, found {_show(value)}")


def _fields(value: Any, field: str, required: Mapping[str, type], optional: Mapping[str, type] = {}) -> None:  # noqa: B006
    _expect(value, dict, field)
    for key, kind in required.items():
        item = value.get(key, _MISSING)
        if item is _MISSING:
            raise ShapeError(_field(field, key), "missing")
        if type(item) is not kind and (kind in (int, bool) or not isinstance(item, kind)):
            _expect(item, kind, _field(field, key))
    for key, kind in optional.items():
        item = value.get(key)
        if item is not None and type(item) is not kind:
            _expect(item, kind, _field(field, key))


def _objects(value: Any, field: str, required: dict[str, type] | None = None) -> None:
    _expect(value, dict, field)
    for key, item in value.items():
        _fields(item, _field(field, key), required or {})


def _check_meta(value: Any, field: str) -> None:
    _fields(value, field, {"seed": int, "idCounter": int}, {"vmCounter": int, "timerSeq": int, "generator": str})
    for key in ("idCounter", "vmCounter", "timerSeq"):
        if value.get(key, 0) < 0:
            raise ShapeError(_field(field, key), f"expected a count, found {value[key]}")


def _check_clock(value: Any, field: str) -> None:
    _fields(value, field, {"now": str, "start": str})
    for key in ("now", "start"):
        if not _INSTANT.fullmatch(value[key]):
            raise ShapeError(_field(field, key), f"expected a UTC instant like 2020-10-01T00:00:00Z, found {_show(value[key])}")


def _check_timers(value: Any, field: str) -> None:
    _expect(value, list, field)
    for i, timer in enumerate(value):
        where = f"{field}[{i}]"
        _expect(timer, list, where)
        if len(timer) != 4 or type(timer[0]) is not int or type(timer[1]) is not int or \
                not isinstance(timer[2], str) or not isinstance(timer[3], str):
            raise ShapeError(where, f"expected [time, sequence, kind, key], found {_show(timer)}")


def _check_history(value: Any, field: str) -> None:
    _fields(value, field, {"vms": list, "rows": list})
    for name in ("vms", "rows"):
        if set(map(type, value[name])) <= {list}:  # the common case, at C speed (10,000 VMs keep 358,000 rows)
            continue
        for i, row in enumerate(value[name]):
            _expect(row, list, f"{field}.{name}[{i}]")


_SECTION_CHECKS = {
    "meta": _check_meta,
    "clock": _check_clock,
    "subscription": lambda v, f: _fields(v, f, {"id": str, "name": str, "tenantId": str}, {"user": str}),
    "timers": _check_timers,
    "features": lambda v, f: _objects(v, f),
    "providers": lambda v, f: _objects(v, f),
    "resourceGroups": lambda v, f: _objects(v, f, {"name": str, "location": str}),
    "availabilitySets": lambda v, f: _objects(v, f, {"name": str, "location": str}),
}
REQUIRED_SECTIONS = (*_SECTION_CHECKS, *COLLECTION_SECTIONS)
_OPTIONAL_CHECKS = {
    "history": _check_history,
    "engine": lambda v, f: _expect(v, dict, f),
    "catalog": lambda v, f: _expect(v, dict, f),
}


def check_section(name: str, value: Any) -> None:
    """Raise :class:`ShapeError` for a top-level section that is not shaped as autopatch writes it."""
    check = _SECTION_CHECKS.get(name) or _OPTIONAL_CHECKS.get(name)
    if check is not None:
        check(value, name)


_ENTRY = {"vm": dict, "sim": dict}
_ENTRY_OPTIONAL = {"iv": dict}
_ENTRY_VM = {"name": str, "location": str, "properties": dict}


def check_entry(collection: str, key: str, value: Any) -> None:
    """Raise :class:`ShapeError` for a VM entry that is not shaped as autopatch writes it."""
    if type(value) is dict:  # the common case, without building the field's name
        vm = value.get("vm")
        if type(vm) is dict and type(value.get("sim")) is dict and type(value.get("iv", {})) is dict and \
                type(vm.get("name")) is str and type(vm.get("location")) is str and type(vm.get("properties")) is dict:
            return
    field = _field(collection, key)
    _fields(value, field, _ENTRY, _ENTRY_OPTIONAL)
    _fields(value["vm"], f"{field}.vm", _ENTRY_VM)


def check_document(state: Any) -> None:
    """The whole document's shape: every required section, every section and every VM entry."""
    _expect(state, dict, "the document")
    for name in REQUIRED_SECTIONS:
        if name not in state:
            raise ShapeError(name, "missing")
    for name, value in state.items():
        if name in COLLECTION_SECTIONS:
            _expect(value, dict, name)
            for key, entry in value.items():
                check_entry(name, key, entry)
        elif name != "schemaVersion":
            check_section(name, value)


def migrate(state: dict[str, Any]) -> dict[str, Any]:
    """Bring an older store up to SCHEMA_VERSION (pure dict -> dict).

    1 -> 2: the same document; version 2 says a journal may extend it, so that an autopatch that knows
    only version 1 refuses the store instead of rewriting the snapshot and losing the journal's writes.
    """
    if state["schemaVersion"] < 2:
        state = {**state, "schemaVersion": 2}
    return state


# ---- files -----------------------------------------------------------------------------------------

def resolve(path: Path) -> Path:
    """The file a path names: a symbolic link's target (so a write replaces the target, not the link)."""
    path = Path(path)
    if not path.is_symlink():
        return path
    try:
        return Path(os.path.realpath(path, strict=False))
    except OSError as exc:
        raise _fs_error(exc, "follow the link", path, path) from exc


def _open_regular(path: Path, shown: Path) -> int | None:
    """A read-only descriptor of the store file; None when it does not exist. Never blocks on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"The state store '{shown}' cannot be read: {_WHY.get(exc.errno or 0, exc.strerror)}.") from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "not a regular file")
        raise StoreError(
            f"The state store '{shown}' is {kind}, not a regular file; it was left untouched: point "
            "--state/AUTOPATCH_STATE at a file."
        )
    return fd


def _map_fd(fd: int):
    """The file's bytes without copying them: a read-only memory map (b"" for an empty file).

    Snapshots are replaced (os.replace), never changed in place, and journals are only appended to or
    replaced, so a mapped inode never shrinks under a reader.
    """
    import mmap

    size = os.fstat(fd).st_size
    if size == 0:
        return b""
    return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)


def _identity(st: os.stat_result) -> list[int]:
    """What names one written snapshot: a rewrite (even by hand) changes its inode, size or mtime."""
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


GENERATION_ATTRIBUTE = "user.autopatch.generation"
"""The extended attribute naming one written snapshot (random): a copy that keeps it (``cp -a``) keeps its
journal, which records it; a snapshot written in its place has another."""


def _generation(fd: int) -> str | None:
    """The snapshot's generation (its extended attribute), or None (none, or a file system without them)."""
    try:
        value = os.getxattr(fd, GENERATION_ATTRIBUTE)
    except (OSError, AttributeError):
        return None
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        return None


def _set_generation(fd: int) -> str | None:
    """A new random generation given to the snapshot being written (None when the file system takes none)."""
    generation = secrets.token_hex(16)
    try:
        os.setxattr(fd, GENERATION_ATTRIBUTE, generation.encode("ascii"))
    except (OSError, AttributeError):
        return None
    return generation


def _journal_path(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def _temporary(path: Path, mode: int | None, suffix: str = ".tmp") -> tuple[int, str]:
    """A new temporary file beside ``path``, with the store's mode (or the umask's default for a new one).
    Only ``.tmp`` ones are the store's, which :func:`_remove_stale_temporaries` removes under the lock."""
    for _ in range(100):
        name = path.parent / f".{path.name}.{os.getpid()}.{random.getrandbits(40):010x}{suffix}"
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        except FileExistsError:
            continue
        if mode is not None:
            try:
                os.fchmod(fd, mode)
            except OSError:
                pass
        return fd, str(name)
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


def _remove_stale_temporaries(path: Path) -> None:
    """Temporary files of writers killed mid-write: under the lock, every one beside the store is stale."""
    prefix = f".{path.name}."
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix) and name.endswith(".tmp"):
            try:
                os.unlink(path.parent / name)
            except OSError:
                pass


def _mode_of(path: Path) -> int | None:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None


def _write_file(path: Path, chunks: Iterator[bytes], shown: Path, mode: int | None = None,
                keep=None, generation: list | None = None) -> os.stat_result | None:
    """Write the chunks to a temporary file, fsync it and rename it over ``path``: old or new, never a mix.

    ``generation`` (a snapshot): the file gets a new random generation, appended to it (when the file
    system takes extended attributes).

    ``keep()``, asked once every chunk is in the temporary file, may call the write off (None is returned).
    Returns the new file's stat (taken from the descriptor, so it is the file that was renamed).
    """
    try:
        fd, tmp = _temporary(path, _mode_of(path) if mode is None else mode)
    except OSError as exc:
        raise _fs_error(exc, "write a temporary file in", path.parent, shown) from exc
    replaced = False
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                if keep is not None and not keep():
                    return None
                handle.flush()
                if generation is not None:
                    generation.append(_set_generation(handle.fileno()))
                os.fsync(handle.fileno())
                written = os.fstat(handle.fileno())
            os.replace(tmp, path)
            replaced = True
        except OSError as exc:
            raise _fs_error(exc, "write", path, shown) from exc
    finally:
        if not replaced:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    _fsync_dir(path)
    return written


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never a mix."""
    path = resolve(Path(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_file(path, iter([text.encode("utf-8")]), path)


def _fsync_dir(path: Path) -> None:
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


# ---- the lock --------------------------------------------------------------------------------------

@contextmanager
def locked(path: Path, shown: Path | None = None) -> Iterator[None]:
    """Hold ``<path>.lock`` (an flock, released by the kernel when a holder dies).

    A waiter polls with a short random delay (so no waiter is favoured over another) and reads who holds
    the lock: it waits as long as the lock changes hands, and gives up only when one holder has kept it
    for LOCK_TIMEOUT_SECONDS. A writer holds the lock for its own load, work and write, nothing more.
    """
    shown = shown or Path(path)
    path = resolve(Path(path))  # a linked store's lock sits beside its target, as every writer's does
    lock_path = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fs_error(exc, "create the folder", path.parent, shown) from exc
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    except IsADirectoryError as exc:
        raise StoreError(
            f"The lock file '{lock_path}' is a folder; autopatch locks the state store '{shown}' with a file "
            "there. Remove the folder; the store was left as it was."
        ) from exc
    except OSError as exc:
        raise _fs_error(exc, "create the lock file", lock_path, shown) from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise StoreError(f"The lock file '{lock_path}' is not a regular file; remove it. The state store "
                             f"'{shown}' was left as it was.")
        _acquire(fd, lock_path, shown)
        try:
            yield
        finally:
            try:
                _unlock(fd)
            except OSError:
                pass
    finally:
        os.close(fd)


try:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]  # msvcrt is typed for win32 only
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]  # msvcrt is typed for win32 only


def _acquire(fd: int, lock_path: Path, shown: Path) -> None:
    holder = None
    since = time.monotonic()
    delay = 0.001
    while not _try_lock(fd):
        try:
            seen = os.pread(fd, 64, 0) if hasattr(os, "pread") else None
        except OSError:
            seen = None
        now = time.monotonic()
        if seen != holder:
            holder, since = seen, now
        elif now - since > LOCK_TIMEOUT_SECONDS:
            who = (seen or b"").split()
            pid = f" (process {who[0].decode()})" if who else ""
            raise StoreError(
                f"The state store '{shown}' stayed locked by another autopatch process{pid} for "
                f"{LOCK_TIMEOUT_SECONDS:.0f} seconds; try again."
            )
        time.sleep(random.uniform(delay / 2, delay))
        delay = min(delay * 2, 0.02)
    try:  # who holds it and since when: waiters tell a live queue from a stuck holder
        if hasattr(os, "pwrite"):
            os.pwrite(fd, f"{os.getpid():>10} {time.time_ns():>20}\n".encode(), 0)
    except OSError:
        pass


# ---- reading: snapshot + journal -------------------------------------------------------------------

_MISSING = object()
_DELETED = object()


class _Files:
    """One consistent view of the snapshot and its journal, decoding only what is asked for."""

    def __init__(self, path: Path, shown: Path):
        self.path = path
        self.shown = shown
        self.exists = False
        self.parsed: dict[str, Any] | None = None  # the whole document, when it was parsed whole
        self.raw: Any = b""
        self.collection_at: dict[str, int] = {}
        self.journal: Any = b""
        self.journal_body = 0  # where the journal's records start
        self.journal_end = 0  # just past its last whole line
        self.journal_ok = False  # the journal extends this snapshot
        self.verified = False  # the journal says autopatch wrote and checked this very snapshot
        self.laid_out = False
        self.snapshot_stat: os.stat_result | None = None
        self._lines: dict[int, dict] = {}
        self.index: dict[str, dict[str, int]] | None = None  # collection -> key -> offset of its snapshot line
        self._extras_at: tuple[int, int] | None = None  # where the header's sectionIndex and sectionSummary are
        self._extras: dict[str, Any] | None = None  # them, parsed when a writer first asks
        self._extras_crc: Any = None  # the header's sectionCrc: the CRC-32 of their text (None: an older header)
        self._checked_spans: dict[str, dict[str, list[int]] | None] = {}  # section -> its places, once checked
        self.journal_id: tuple[int, int] | None = None  # the journal's (device, inode)
        # A Resident's view is kept between writes and shared by threads: what it hands out is copied (a
        # writer changes what it gets), and its journal lines are indexed by key instead of searched.
        self.shared = False
        self._entry_at: dict[tuple[str, str], int] | None = None  # (collection, key) -> newest line naming it
        self._now: dict[str, Any] | None = None  # section -> its value after the journal (never handed out)
        self._sizes: dict[str, tuple[Any, int]] = {}  # keyed section -> (its _now value, its values' text size)
        self._searches = 0  # journal searches so far: past JOURNAL_SEARCHES, the lines are indexed instead
        self._open()

    def _open(self) -> None:
        journal = self._read_journal()
        self._open_snapshot()
        if journal is not None and not self._journal_matches(journal):
            # A fold between our two opens: the journal read is the new snapshot's; open that snapshot.
            self._open_snapshot()
        if journal is not None and self._journal_matches(journal):
            (self.journal, self.journal_body, self.journal_end, _, self.index, self.journal_id, self._extras_at,
             self._extras_crc, _) = journal
            self.journal_ok = True
            self.verified = True
        # else: no journal, or one a fold already took in (a crash between a fold's two renames)

    def _journal_matches(self, journal) -> bool:
        """Whether the journal extends this snapshot: the very file (its identity), or a copy of it that kept
        its size, mtime and generation (``cp -a``, a backup: a new inode). A snapshot written in its place
        (a fold cut short between its two renames) has another generation."""
        if self.snapshot_stat is None:
            return False
        identity, now = journal[3], _identity(self.snapshot_stat)
        if identity == now:
            return True
        generation = journal[8]
        return (type(generation) is str and len(generation) >= 32 and generation == self.snapshot_generation
                and identity[2:] == now[2:])

    def _read_journal(self):
        fd = _open_regular(_journal_path(self.path), _journal_path(self.shown))
        if fd is None:
            return None
        try:
            raw = _map_fd(fd)
            st = os.fstat(fd)
        finally:
            os.close(fd)
        end = raw.rfind(b"\n") + 1  # a last line without its newline is a write that never finished
        first = raw.find(b"\n")
        if first < 0 or first >= end:
            return None
        # the places of keyed sections' values and their summaries close the header: only a writer that reads
        # a keyed section parses them (sectionIndex)
        extras = raw.find(_EXTRAS_MARK, 0, first)
        try:
            header = _parse_line(raw[:extras] + b"}" if extras >= 0 else raw[:first])
            identity = header["snapshot"]
            if header.get("autopatchJournal") not in (1, JOURNAL_FORMAT) or not isinstance(identity, list):
                raise ValueError
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"The store journal '{_journal_path(self.shown)}' is not an autopatch journal: {exc!s}. It was "
                "left untouched: move it aside to use the snapshot alone."
            ) from None
        index = header.get("index")
        return (raw, first + 1, end, identity, index if isinstance(index, dict) else None, (st.st_dev, st.st_ino),
                (extras + 1, first) if extras >= 0 else None, header.get("sectionCrc", None),
                header.get("generation"))

    def _section_extras(self) -> dict[str, Any]:
        """The header's ``sectionIndex`` and ``sectionSummary`` ({} when it has none or they are damaged)."""
        if self._extras is None:
            self._extras = {}
            if self.journal_ok and self._extras_at is not None and (self._extras_crc is None or self._extras_crc_ok()):
                start, end = self._extras_at
                try:
                    extras = _parse_line(b"{" + bytes(self.journal[start:end]))
                except ValueError:
                    extras = None
                if type(extras) is dict:
                    self._extras = extras
        return self._extras

    def section_spans(self, name: str) -> dict[str, list[int]] | None:
        """Each value's [start, end) in section ``name``'s snapshot line, from the journal header, or None.

        The header's places are a cache: they are handed out only when they exactly tile the section's line
        in key order (each value after ``{`` or ``,``, its key's JSON and ``:``, the last one before the
        closing ``}``), else None and the section is decoded whole (a damaged or stale index never refuses
        the store, and nothing is ever written from places that were not checked)."""
        if name in self._checked_spans:
            return self._checked_spans[name]
        spans = self._section_extras().get("sectionIndex")
        found = spans.get(name) if type(spans) is dict else None
        found = found if type(found) is dict and self._spans_tile(name, found) else None
        self._checked_spans[name] = found
        return found

    def _spans_tile(self, name: str, spans: dict) -> bool:
        """Whether ``spans`` are exactly the places of section ``name``'s values in the snapshot line."""
        if self.parsed is not None or not self.exists or not self.collection_at:
            return False
        raw = self.raw
        marker = b"\n" + _dumps(name).encode() + b": "
        stop = min(self.collection_at.values())
        at = self._section_line(marker, stop)
        if at >= stop or raw[at : at + len(marker)] != marker:
            return False
        line_end = raw.find(b"\n", at + 1)
        line_end = len(raw) if line_end < 0 else line_end
        if raw[line_end - 1 : line_end] == b",":
            line_end -= 1
        at += len(marker)  # the section's "{"
        opening = b"{"
        try:
            for key, place in spans.items():
                if type(place) is not list or len(place) != 2:
                    return False
                start, end = place
                if type(start) is not int or type(end) is not int:
                    return False
                prefix = opening + _dumps(key).encode() + b":"
                if start != at + len(prefix) or not start < end <= line_end or raw[at:start] != prefix:
                    return False
                at, opening = end, b","
        except (TypeError, ValueError):
            return False
        closing = b"}" if spans else b"{}"
        return at + len(closing) == line_end and raw[at:line_end] == closing

    def section_summaries(self, name: str) -> dict[str, Any]:
        """SUMMARIES' digests of section ``name``'s snapshot values, by key, from the journal header: {} unless
        the header's CRC covers them and the section's places were checked (a cache, recomputed when absent),
        and only the digests shaped as SUMMARIES gives them (a list, of a key the section has)."""
        spans = self.section_spans(name)
        if spans is None or not self._extras_crc_ok():
            return {}
        summaries = self._section_extras().get("sectionSummary")
        found = summaries.get(name) if type(summaries) is dict else None
        if type(found) is not dict:
            return {}
        return {key: digest for key, digest in found.items() if key in spans and type(digest) is list}

    def summaries_trusted(self) -> bool:
        """Whether the header's sectionSummary is covered by its CRC (else a fold makes the digests afresh)."""
        return self._extras_crc_ok()

    def _extras_crc_ok(self) -> bool:
        """Whether the header's sectionIndex and sectionSummary text is the one its ``sectionCrc`` covers."""
        if self._extras_at is None or type(self._extras_crc) is not int:
            return False
        start, end = self._extras_at
        return zlib.crc32(self.journal[start:end]) == self._extras_crc

    # -- a view kept between writes (Resident) --

    def _share(self) -> _Files:
        """This view as a Resident keeps it: values handed out are copies, and journal lines are indexed."""
        self.shared = True
        self._entry_at, self._now, self._sizes = {}, {}, {}
        if self.journal_ok:
            self._index_lines(self.journal_body, self.journal_end)
        return self

    def _index_lines(self, start: int, stop: int) -> None:
        """Index journal lines [start, stop): the newest line of each key, and each section's value after
        them. A keyed line's section is a new dict that shares its unchanged values with the old one (and
        its changed ones with the parsed line): nothing here is ever changed or handed out uncopied."""
        assert self._entry_at is not None and self._now is not None and self.shared
        owned: set[str] = set()  # section dicts made by this call (a shared view's values are never changed)
        at = start
        while at < stop:
            end = self.journal.find(b"\n", at)
            record = self._journal_record(at, end)
            for key in ("deleted", "entries"):
                for collection, keys in record.get(key, {}).items():
                    for name in keys:
                        self._entry_at[(collection, name)] = at
            for name, value in record.get("sections", {}).items():
                self._now[name] = value
                owned.discard(name)
            changes = record.get("sectionKeys", {})
            removals = record.get("sectionDeleted", {})
            for name in {*changes, *removals}:
                base = self._now.get(name, _MISSING)
                if base is _MISSING:
                    base = self._snapshot_section(name)
                if type(base) is not dict:
                    base = {}
                sized = self._sizes.get(name)
                if name not in owned:
                    self._now[name] = dict(base)
                    owned.add(name)
                value = self._now[name]
                changed = changes.get(name, {})
                if sized is not None and sized[0] is base:  # the size follows the change, value by value
                    size = sized[1] - sum(len(_dumps(base[key])) for key in {*changed, *removals.get(name, ())}
                                          if key in base)
                    size += sum(len(_dumps(item)) for item in changed.values())
                    self._sizes[name] = (value, size)
                _apply_keyed(self._now, {"sectionKeys": {name: changed}, "sectionDeleted": {name: removals.get(name, [])}})
            at = end + 1

    def keyed_base(self, name: str) -> tuple[dict, int] | None:
        """A shared view's current value of dict section ``name`` (never to be changed) and the size of its
        values' text, or None when it has none or is not a dict."""
        if not self.shared or self._now is None:
            return None
        value = self._now.get(name, _MISSING)
        if value is _MISSING:
            value = self._snapshot_section(name)
            if type(value) is not dict:
                return None
            self._now[name] = value
        if type(value) is not dict:
            return None
        sized = self._sizes.get(name)
        if sized is None or sized[0] is not value:
            sized = self._sizes[name] = (value, sum(len(_dumps(item)) for item in value.values()))
        return value, sized[1]

    def lazy_section(self, name: str) -> tuple[Mapping, int] | None:
        """Dict section ``name`` read key by key (never to be changed) and the size of its values' text, for a
        writer that is not shared: the snapshot's values from their places (the header's ``sectionIndex``),
        then the journal's keyed changes applied in order. None when there is no such index, or the journal
        holds a whole value of the section (then it is decoded whole, as before)."""
        spans = self.section_spans(name) if self.verified and self.parsed is None and not self.shared else None
        if spans is None:
            return None
        value, keyed = self._section_records(name)
        if value is not _MISSING:
            return None
        try:
            lazy = _LazySection(self, name, spans, self.section_summaries(name))
        except (TypeError, ValueError):  # an index not shaped as autopatch writes it: the section is decoded whole
            return None
        size = lazy.size
        for record in keyed:  # as _apply_keyed applies them: deleted keys, then changed or new ones
            items = lazy.items_
            for key in record.get("sectionDeleted", {}).get(name, ()):
                if key in items:
                    size -= lazy.text_size(key)
                    del items[key]
            for key, item in record.get("sectionKeys", {}).get(name, {}).items():
                if key in items:
                    size -= lazy.text_size(key)
                items[key] = item
                size += len(_dumps(item))
        return lazy, size

    def decode_span(self, name: str, key: str, start: int, end: int) -> Any:
        """A keyed section's value from its place in the snapshot line (the header's ``sectionIndex``)."""
        raw = self.raw
        if not (0 < start < end < len(raw)) or raw[start - 1 : start] != b":" or raw[end : end + 1] not in (b",", b"}"):
            raise _corrupt(self.shown, f"{name}: the journal's index does not match the snapshot at {_show(key)}")
        body = raw[start:end]
        try:
            return _loads_line(body)
        except ValueError:
            pass
        try:
            return json.loads(bytes(body).decode("utf-8", "surrogatepass"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _corrupt(self.shown, f"not valid JSON in {_field(name, key)}: {exc}") from exc

    def refreshed(self) -> _Files:
        """This shared view brought up to date with the files: itself when nothing changed, a view sharing
        its decoded parts when only journal lines were appended (by any process), else a new view.

        Safe without the store lock: the journal is opened before the snapshot is compared, so a fold in
        between is seen (a new journal inode) and answered by a whole reopen, as :meth:`_open` does."""
        def fresh() -> _Files:
            return _Files(self.path, self.shown)._share()

        if not (self.journal_ok and self.verified and self.shared):
            return fresh()
        try:
            fd = _open_regular(_journal_path(self.path), _journal_path(self.shown))
        except StoreError:
            return fresh()
        if fd is None:
            return fresh()
        try:
            st = os.fstat(fd)
            snapshot = os.stat(self.path)
            if (st.st_dev, st.st_ino) != self.journal_id or st.st_size < self.journal_end or \
                    self.snapshot_stat is None or _identity(snapshot) != _identity(self.snapshot_stat):
                return fresh()
            if st.st_size == len(self.journal):
                return self
            raw = _map_fd(fd)
        finally:
            os.close(fd)
        view = _Files.__new__(_Files)
        view.__dict__.update(self.__dict__)
        assert self._entry_at is not None and self._now is not None
        view._entry_at, view._now, view._sizes = dict(self._entry_at), dict(self._now), dict(self._sizes)
        view.journal = raw
        view.journal_end = raw.rfind(b"\n") + 1
        view._index_lines(self.journal_end, view.journal_end)
        return view

    def _open_snapshot(self) -> None:
        self.parsed = None
        self._line_starts: tuple[int, list[int], list[int]] | None = None  # (stop, line starts, next)
        self.collection_at = {}
        fd = _open_regular(self.path, self.shown)
        self.snapshot_generation: str | None = None
        if fd is None:
            self.exists = False
            self.snapshot_stat = None
            self.raw = b""
            return
        try:
            self.snapshot_stat = os.fstat(fd)
            self.snapshot_generation = _generation(fd)
            self.raw = _map_fd(fd)
        finally:
            os.close(fd)
        self.exists = True
        raw = self.raw
        self.laid_out = False
        # serialize() always ends with the collection's and the document's closing braces, each on a line of
        # its own: a file cut short anywhere lacks that ending and gets the full, validating parse.
        laid_out = raw[: len(_HEADER_PREFIX)] == _HEADER_PREFIX and raw[-64:].rstrip().endswith(b"\n}\n}")
        if laid_out:
            end = raw.find(b"\n")
            try:
                version = int(raw[len(_HEADER_PREFIX) : end].rstrip(b","))
            except ValueError:
                laid_out = False
        if not laid_out:  # hand-written or damaged: parsed and checked whole, here already
            self.parsed = _parse_document(raw, self.shown)
            try:
                check_document(self.parsed)
            except ShapeError as exc:
                raise _corrupt(self.shown, str(exc)) from None
            return
        _check_version(version, self.shown)
        self.laid_out = True  # the snapshot is in serialize()'s layout: its lines can be read one by one
        for name in COLLECTION_SECTIONS:
            at = raw.find(b"\n" + _dumps(name).encode() + b": {\n")
            if at >= 0:
                self.collection_at[name] = at
        self.version = version

    # -- lookups (the newest journal line that names a key wins over the snapshot) --

    def _journal_record(self, start: int, end: int) -> dict:
        record = self._lines.get(start)
        if record is None:
            try:
                record = _parse_line(self.journal[start:end])
                if not isinstance(record, dict):
                    raise ValueError("not an object")
            except ValueError as exc:
                raise StoreError(
                    f"The store journal '{_journal_path(self.shown)}' has a damaged line ({exc}). It was left "
                    "untouched: move it aside to use the snapshot alone."
                ) from None
            self._lines[start] = record
        return record

    def _journal_lookup(self, marker: bytes, pick) -> Any:
        if not self.journal_ok:
            return _MISSING
        self._searches += 1
        if self._searches > JOURNAL_SEARCHES and self._entry_at is None:
            # A verb that looks up many keys (`vm create --count 250`): one pass over the journal's lines
            # instead of a search of the whole journal per key, so its cost is O(keys), not O(keys x journal).
            self._index_keys()
        raw = self.journal
        stop = self.journal_end
        while True:
            at = raw.rfind(marker, self.journal_body, stop)
            if at < 0:
                return _MISSING
            start = raw.rfind(b"\n", 0, at) + 1
            end = raw.find(b"\n", at)
            found = pick(self._journal_record(start, end))
            if found is not _MISSING:
                return found
            stop = start

    def _index_keys(self) -> None:
        """The newest line of each key, from the lines' ``keys`` summaries (a line is parsed whole only
        when it has none): sections are still found by searching back, as before any index."""
        entry_at: dict[tuple[str, str], int] = {}
        journal, at, stop = self.journal, self.journal_body, self.journal_end
        while at < stop:
            end = journal.find(b"\n", at)
            summary = _line_keys(journal, at, end)
            if summary is None:
                record = self._journal_record(at, end)
                summary = {kind: record.get(kind, {}) for kind in ("entries", "deleted")}
            for kind in ("deleted", "entries"):
                for collection, keys in summary.get(kind, {}).items():
                    for name in keys:
                        entry_at[(collection, name)] = at
            at = end + 1
        self._entry_at = entry_at

    def _section_records(self, name: str) -> tuple[Any, list[dict]]:
        """The newest whole value of a section in the journal (or _MISSING), and the keyed changes after
        it, oldest first."""
        if not self.journal_ok:
            return _MISSING, []
        if self._now is not None:
            return self._now.get(name, _MISSING), []
        raw = self.journal
        marker = _dumps(name).encode()
        stop = self.journal_end
        keyed: list[dict] = []
        while True:
            at = raw.rfind(marker, self.journal_body, stop)
            if at < 0:
                return _MISSING, keyed[::-1]
            start = raw.rfind(b"\n", 0, at) + 1
            record = self._journal_record(start, raw.find(b"\n", at))
            value = record.get("sections", {}).get(name, _MISSING)
            if value is not _MISSING:
                return value, keyed[::-1]
            if _names_section(record, name):
                keyed.append(record)
            stop = start

    def section(self, name: str) -> Any:
        """A top-level section's value, or _MISSING."""
        if name == "schemaVersion":
            return self.parsed.get(name, _MISSING) if self.parsed is not None else getattr(self, "version", _MISSING)
        value, keyed = self._section_records(name)
        if value is not _MISSING:
            if self.shared or keyed:  # a journal line's own value: the writer gets its own copy
                value = _copy(value)
        elif self.parsed is not None:
            value = self.parsed.get(name, _MISSING)
            if self.shared or keyed:
                value = _copy(value)
        else:
            value = self._snapshot_section(name)
        if keyed:
            holder = {name: value} if value is not _MISSING else {}
            for record in keyed:  # copied: the value is the writer's, the journal's lines are not
                _apply_keyed(holder, _copy({k: {name: v[name]} for k, v in record.items()
                                            if k in ("sectionKeys", "sectionDeleted") and name in v}))
            value = holder.get(name, _MISSING)
        return value

    def section_source(self, name: str) -> tuple[list, int] | None:
        """Where :meth:`section` takes a one-line section's value from, as a key that changes whenever that
        value can (for caches derived from it: the history index), and the size of its text; None when the
        value is not one line's (a hand-written store, a keyed section, no such section).

        The snapshot's line: the snapshot's identity and the line's place (a snapshot is never changed in
        place). A journal line: the journal's identity, the line's place and its digest (lines are only
        appended, but a line whose fsync failed is taken back and another may follow in its place)."""
        if not self.exists or self.parsed is not None or not self.laid_out or self.snapshot_stat is None:
            return None
        marker = _dumps(name).encode()
        if self.journal_ok:
            raw, stop = self.journal, self.journal_end
            while True:
                at = raw.rfind(marker, self.journal_body, stop)
                if at < 0:
                    break
                start = raw.rfind(b"\n", 0, at) + 1
                end = raw.find(b"\n", at)
                record = self._journal_record(start, end)
                if name in record.get("sections", {}):
                    digest = hashlib.blake2b(raw[start:end], digest_size=16).hexdigest()
                    return ["journal", *(self.journal_id or ()), start, end - start, digest], end - start
                if _names_section(record, name):
                    return None
                stop = start
        line = b"\n" + marker + b": "
        stop = min(self.collection_at.values(), default=len(self.raw))
        at = self.raw.find(line, self._section_line(line, stop), stop)
        if at < 0:
            return None
        end = self.raw.find(b"\n", at + 1)
        end = len(self.raw) if end < 0 else end
        return ["snapshot", *_identity(self.snapshot_stat), at, end - at], end - at

    def _snapshot_section(self, name: str) -> Any:
        """A section as the snapshot has it (decoded afresh), or _MISSING."""
        if self.parsed is not None:
            value = self.parsed.get(name, _MISSING)
            return _copy(value) if value is not _MISSING else value
        if not self.exists:
            return _MISSING
        stop = min(self.collection_at.values(), default=len(self.raw))
        marker = b"\n" + _dumps(name).encode() + b": "
        return self._decode_line(marker, self._section_line(marker, stop), stop)

    def _section_line(self, marker: bytes, stop: int) -> int:
        """Where to search for a section's line: the start of the first line before ``stop`` that starts with
        ``marker``, or ``stop`` when there is none. The snapshot's line starts are learnt as far as a lookup
        needs them and kept, so that each section after the 27 MB history line is not found by searching
        past it again, and a section before it never makes a search pass it."""
        known = self._line_starts
        if known is None or known[0] != stop:
            known = self._line_starts = (stop, [], [self.raw.find(b"\n")])
        raw, starts, scan = self.raw, known[1], known[2]
        size = len(marker)
        for at in starts:
            if at + size <= stop and raw[at : at + size] == marker:
                return at
        at = scan[0]
        while 0 <= at < stop:
            starts.append(at)
            scan[0] = raw.find(b"\n", at + 1)
            if at + size <= stop and raw[at : at + size] == marker:
                return at
            at = scan[0]
        return stop

    def entry(self, collection: str, key: str) -> Any:
        """One entry of a collection, _MISSING, or _DELETED (deleted by a journal line)."""
        def pick(record: dict) -> Any:
            value = record.get("entries", {}).get(collection, {}).get(key, _MISSING)
            if value is _MISSING and key in record.get("deleted", {}).get(collection, ()):
                return _DELETED
            return value

        if self._entry_at is None:
            value = self._journal_lookup(_dumps(key).encode(), pick)
        if self._entry_at is not None:  # (the lookup may have just indexed the journal)
            at = self._entry_at.get((collection, key))
            value = _MISSING if at is None else pick(self._journal_record(at, self.journal.find(b"\n", at)))
        if value is not _MISSING:
            return _copy(value) if self.shared and value is not _DELETED else value
        if self.parsed is not None:
            value = self.parsed.get(collection, {}).get(key, _MISSING)
            return _copy(value) if self.shared and value is not _MISSING else value
        at = self.collection_at.get(collection)
        if at is None:
            return _MISSING
        marker = _dumps(key).encode() + b": "
        offsets = (self.index or {}).get(collection)
        if offsets is not None:  # the snapshot's own index: no search, and a key it lacks is not there
            offset = offsets.get(key)
            if offset is None:
                return _MISSING
            if self.raw[offset - 1 : offset + len(marker)] == b"\n" + marker:
                return self._decode_line(b"\n" + marker, offset - 1, offset + len(marker))
        start = at + len(_dumps(collection)) + 4
        return self._decode_line(b"\n" + marker, start)

    def _decode_line(self, marker: bytes, start: int, stop: int | None = None) -> Any:
        raw = self.raw
        index = raw.find(marker, start, len(raw) if stop is None else stop)
        if index < 0:
            return _MISSING
        begin = index + len(marker)
        end = raw.find(b"\n", begin)
        body = raw[begin : end if end >= 0 else None]
        # A section's line ends with the comma before the next one. orjson, with the collector off while it
        # allocates, decodes a big section (the history: 27 MB at 10,000 VMs) several times faster than
        # json; json's raw_decode reads what orjson refuses (lone surrogates) and reports what is not JSON.
        try:
            with gcpause.paused():
                return _loads_line(body.rstrip(b", \r"))
        except ValueError:
            pass
        line = bytes(body).decode("utf-8", "surrogatepass")
        try:
            value, _ = _decoder.raw_decode(line)
        except json.JSONDecodeError as exc:
            raise _corrupt(self.shown, f"not valid JSON near {marker.decode(errors='replace').strip()}: {exc}") from exc
        return value

    def _parse_whole(self) -> dict[str, Any]:
        """The snapshot parsed whole. One in serialize()'s layout is parsed a few MB of lines at a time
        (:func:`_parse_pieces`): the parser's own copy of the text then never holds the whole file (on a big
        fleet it took more memory than the parsed state). Anything else, or a snapshot whose pieces do not
        read as that layout says, gets the validating parse of the whole text."""
        if self.laid_out and self.collection_at:
            try:
                with gcpause.paused():
                    state = _parse_pieces(self.raw, self.collection_at, share=len(self.raw) >= SHARED_STRINGS_BYTES)
            except ValueError:
                state = None
            if state is not None:
                _check_version(state.get("schemaVersion"), self.shown)
                return state
        return _parse_document(self.raw, self.shown)

    def release_pages(self) -> None:
        """Let the kernel take back the pages of the mapped snapshot that a whole parse read: the parsed state
        stands for them now (on a big fleet they are hundreds of MB of the process's memory). Nothing is lost:
        the map stays, and a later read of it faults its pages in again from the file."""
        import mmap

        if isinstance(self.raw, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
            try:
                self.raw.madvise(mmap.MADV_DONTNEED)
            except OSError:
                pass

    def journal_size(self) -> int:
        """The bytes of the journal's lines, without its header: the header's index of the snapshot's VM
        lines grows with the fleet (40 MB at a million VMs) and must not use up the journal's bound."""
        return self.journal_end - self.journal_body if self.journal_ok else 0

    def whole(self) -> dict[str, Any] | None:
        """The whole state: the snapshot parsed, the journal applied, the shape checked (None: no store)."""
        if not self.exists:
            return None
        if self.shared:  # its state is the caller's to change: parsed afresh, the journal's lines too
            state = _copy(self.parsed) if self.parsed is not None else self._parse_whole()
        else:
            state = self.parsed if self.parsed is not None else self._parse_whole()
            self.parsed = state
        if self.journal_ok:
            at = self.journal_body
            while at < self.journal_end:
                end = self.journal.find(b"\n", at)
                record = self._journal_record(at, end)
                _apply(state, _copy(record) if self.shared else record)
                at = end + 1
        try:
            check_document(state)
        except ShapeError as exc:
            raise _corrupt(self.shown, str(exc)) from None
        return migrate(state)


_PIECE_BYTES = 8 << 20
SHARED_STRINGS_BYTES = 128 << 20
"""A snapshot at least this big is parsed with its repeated strings shared (:func:`_share_strings`): a VM's
record repeats the same codes, levels, messages and times as its neighbours' (72 strings a VM, 13% of them
distinct), a third of a 100,000-VM store's parsed size. Smaller stores are parsed without (it costs time)."""


def _share_strings(value: Any, memo: dict[str, str]) -> None:
    """Replace every string of a parsed JSON value (not its keys: the parser shares those) by the first equal
    string ``memo`` has seen, so that equal strings are one object. The value stays equal to what it was."""
    stack = [value]
    pop, push, setdefault = stack.pop, stack.append, memo.setdefault
    while stack:
        node = pop()
        if type(node) is dict:
            for key, item in node.items():
                kind = type(item)
                if kind is str:
                    node[key] = setdefault(item, item)
                elif kind is dict or kind is list:
                    push(item)
        else:
            for index, item in enumerate(node):
                kind = type(item)
                if kind is str:
                    node[index] = setdefault(item, item)
                elif kind is dict or kind is list:
                    push(item)


def _parse_pieces(raw, collection_at: dict[str, int], share: bool = False) -> dict[str, Any]:
    """A snapshot in serialize()'s layout parsed a piece at a time: the sections' lines, then each collection's
    entry lines, about ``_PIECE_BYTES`` of whole lines per piece, each piece parsed as an object of its own.
    The same state as a whole parse: the layout puts every top-level section and every entry on a line of its
    own (JSON text holds no raw newline inside a value), and a piece cut anywhere but between two of them is
    not an object, so any text that is not laid out so raises ValueError (then the whole parse answers).
    ``share``: equal strings become one object (:func:`_share_strings`), piece by piece, so that a piece's
    duplicates are freed before the next piece is parsed into the room they leave."""
    memo: dict[str, str] | None = {} if share else None
    state: dict[str, Any] = {}
    if raw[:1] != b"{":
        raise ValueError("not an object")
    at = 1
    for mark, name in sorted((mark, name) for name, mark in collection_at.items()):
        opener = b"\n" + _dumps(name).encode() + b": {\n"
        if mark < at or raw[mark - 1 : mark] != b"," or raw[mark : mark + len(opener)] != opener:
            raise ValueError("not laid out")
        state.update(_parse_members(raw, at, mark - 1, memo))
        body = mark + len(opener)
        close = raw.find(b"\n}", body - 1)
        if close < 0 or name in state:
            raise ValueError("not laid out")
        state[name] = _parse_members(raw, body, close, memo) if close >= body else {}
        at = close + 2
        if raw[at : at + 1] == b",":
            at += 1
    if bytes(raw[at:]).strip() != b"}":
        raise ValueError("not laid out")
    return state


def _parse_members(raw, start: int, stop: int, memo: dict[str, str] | None = None) -> dict[str, Any]:
    """The members ``"key": value`` of an object's body ``raw[start:stop]``, one a line (each but the last
    followed by its comma), parsed a piece of whole lines at a time."""
    out: dict[str, Any] = {}
    while start < stop:
        end = raw.find(b"\n", min(start + _PIECE_BYTES, stop), stop)
        end = stop if end < 0 else end
        piece = bytes(raw[start:end]).rstrip()
        if end < stop:
            if not piece.endswith(b","):
                raise ValueError("a member without its comma")
            piece = piece[:-1]
        value = _loads_line(b"{" + piece + b"}")
        del piece
        if not isinstance(value, dict):
            raise ValueError("not an object")
        if memo is not None:
            _share_strings(value, memo)
        out.update(value)
        start = end
    return out


def _parse_document(raw, shown: Path) -> dict[str, Any]:
    """json.loads of the whole file, with the collector off while the parser allocates (on a big store it
    would otherwise rescan the growing state again and again); checks the version, not yet the shape."""
    try:
        with gcpause.paused():
            try:
                if isinstance(raw, (bytes, bytearray, memoryview, str)):
                    state = _loads_line(raw)  # orjson: several times faster on a big store
                else:  # a memory map, which orjson reads only through a memoryview
                    with memoryview(raw) as view:
                        state = _loads_line(view)
            except ValueError:  # what only json reads (lone surrogates, other encodings), or not JSON at all
                data = bytes(raw)
                text = data.decode(json.detect_encoding(data), "surrogatepass")
                del data
                state = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _corrupt(shown, f"not valid JSON: {exc}") from exc
    if not isinstance(state, dict):
        raise _corrupt(shown, "the document is not a JSON object")
    _check_version(state.get("schemaVersion"), shown)
    return state


def _apply(state: dict[str, Any], record: dict) -> None:
    """One journal line onto a whole state: deletions first, then whole sections and entries."""
    for collection, keys in record.get("deleted", {}).items():
        entries = state.setdefault(collection, {})
        for key in keys:
            entries.pop(key, None)
    for name, value in record.get("sections", {}).items():
        state[name] = value
    _apply_keyed(state, record)
    for collection, entries in record.get("entries", {}).items():
        state.setdefault(collection, {}).update(entries)


def _apply_keyed(sections: dict[str, Any], record: dict) -> None:
    """A record's keyed section changes (format 2) onto ``sections``: deleted keys, then changed or new keys
    (an existing key keeps its place, a new one goes last, as the writer's dict had them)."""
    for name, keys in record.get("sectionDeleted", {}).items():
        value = sections.get(name)
        if isinstance(value, dict):
            for key in keys:
                value.pop(key, None)
    for name, items in record.get("sectionKeys", {}).items():
        value = sections.get(name)
        if not isinstance(value, dict):
            value = sections[name] = {}
        value.update(items)


def _names_section(record: dict, name: str) -> bool:
    return name in record.get("sectionKeys", ()) or name in record.get("sectionDeleted", ())


def _copy(value: Any) -> Any:
    """A deep copy of a JSON value (through orjson: many times faster than copy.deepcopy)."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    return _parse_line(_dumps(value).encode("utf-8", "surrogatepass"))


def _checked_section(files: _Files, name: str, value: Any) -> Any:
    try:
        check_section(name, value)
    except ShapeError as exc:
        raise _corrupt(files.shown, str(exc)) from None
    return value


def _checked_entry(files: _Files, collection: str, key: str, value: Any) -> Any:
    try:
        check_entry(collection, key, value)
    except ShapeError as exc:
        raise _corrupt(files.shown, str(exc)) from None
    return value


def signature(path: Path) -> tuple | None:
    """What names one version of the store (its snapshot's and its journal's inode, mtime and size), for
    caches of what was read: a write replaces the snapshot or appends to the journal, so it changes this.
    None when there is no store."""
    target = resolve(Path(path))
    try:
        snapshot = os.stat(target)
    except FileNotFoundError:
        return None
    try:
        journal = os.stat(_journal_path(target))
        extra = (journal.st_ino, journal.st_mtime_ns, journal.st_size)
    except FileNotFoundError:
        extra = None
    return (snapshot.st_ino, snapshot.st_mtime_ns, snapshot.st_size, extra)


def load(path: Path) -> dict[str, Any] | None:
    """The whole store (snapshot and journal), shape-checked; None when it does not exist yet."""
    target = resolve(Path(path))
    return _Files(target, Path(path)).whole()


class StoreReader:
    """Read-only access that decodes only the sections and VMs it is asked for.

    Used by read verbs (``vm show``, ``vm get-instance-view``): no lock is needed, since writers replace
    the snapshot atomically and append whole journal lines. What is decoded is shape-checked, so a
    damaged store is refused here too.
    """

    def __init__(self, path: Path, new_state, files: _Files | None = None):
        self.path = Path(path)
        self._files = files if files is not None else _Files(resolve(self.path), self.path)
        self._state = None if self._files.exists else new_state()

    def section(self, name: str, default: Any = None) -> Any:
        if self._state is not None:
            return self._state.get(name, default)
        value = self._files.section(name)
        if value is _MISSING:
            if name in REQUIRED_SECTIONS:
                raise _corrupt(self.path, f"{name}: missing")
            return default
        return _checked_section(self._files, name, value)

    def entry(self, collection: str, key: str) -> Any:
        """One entry of a collection section, or None."""
        if self._state is not None:
            return self._state.get(collection, {}).get(key)
        value = self._files.entry(collection, key)
        if value is _MISSING or value is _DELETED:
            return None
        return _checked_entry(self._files, collection, key, value)

    def section_source(self, name: str) -> tuple[list, int] | None:
        """Where this reader's value of a one-line section comes from (``_Files.section_source``)."""
        return None if self._state is not None else self._files.section_source(name)

    def full(self) -> dict[str, Any]:
        """The whole state, parsed (for list verbs)."""
        if self._state is None:
            self._state = self._files.whole()
            assert self._state is not None  # whole() is None only without a store, and then _state is new_state()
        return self._state


# ---- writing ---------------------------------------------------------------------------------------

class Collection(MutableMapping):
    """A collection section (the VMs) that decodes entries as they are asked for and knows what changed."""

    def __init__(self, document: Document, name: str):
        self._document = document
        self._name = name
        self._items: dict[str, Any] = {}
        self._original: dict[str, str] = {}  # key -> its text as loaded, for what changed
        self._removed: set[str] = set()
        self.complete = False

    def __getitem__(self, key: str) -> Any:
        if key in self._items:
            return self._items[key]
        if self.complete or type(key) is not str:
            raise KeyError(key)
        value = self._document.files.entry(self._name, key)
        if value is _MISSING or value is _DELETED:
            raise KeyError(key)
        _checked_entry(self._document.files, self._name, key, value)
        self._items[key] = value
        self._original[key] = _dumps(value)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self._items[key] = value

    def __delitem__(self, key: str) -> None:
        self[key]  # noqa: B018 - KeyError when it is not there
        del self._items[key]
        if not self.complete:
            self._removed.add(key)

    def __iter__(self) -> Iterator[str]:
        if not self.complete:
            self._document.materialize()
        return iter(self._items)

    def __len__(self) -> int:
        if not self.complete:
            self._document.materialize()
        return len(self._items)

    def __repr__(self) -> str:
        return f"Collection({self._name!r}, {len(self._items)} decoded)"

    def _complete_with(self, base: dict[str, Any]) -> dict[str, Any]:
        for key in self._removed:
            base.pop(key, None)
        for key, value in self._items.items():
            base[key] = value
        self._items = base
        self._removed = set()
        self._original = {}
        self.complete = True
        return base

    def _delta(self) -> tuple[dict[str, Any], list[str]]:
        changed = {k: v for k, v in self._items.items() if self._original.get(k) != _dumps(v)}
        deleted = sorted(self._removed)
        return changed, deleted


class _LazySection(Mapping):
    """A dict section as a snapshot line and journal lines hold it, each value decoded when first read (a span
    of the snapshot until then). Never changed by its users: :class:`KeyedSection` copies what it reads."""

    def __init__(self, files: _Files, name: str, spans: dict[str, list[int]], summaries: dict[str, Any]):
        self._files = files
        self._name = name
        self._summaries = summaries
        self._spans = spans
        self.items_: dict[str, Any] = dict.fromkeys(spans, _SPAN)  # key -> its value, or _SPAN: still in the snapshot
        self.size = sum(end - start for start, end in spans.values())

    def summaries(self, keys: list[str]) -> list[Any]:
        """SUMMARIES' digest of the value of each key while it is the snapshot's (None: read the value)."""
        items, summaries = self.items_, self._summaries
        return [summaries.get(key) if items.get(key) is _SPAN else None for key in keys]

    def text_size(self, key: str) -> int:
        item = self.items_[key]
        if item is _SPAN:
            start, end = self._spans[key]
            return end - start
        return len(_dumps(item))

    def __getitem__(self, key: str) -> Any:
        item = self.items_[key]
        if item is _SPAN:
            start, end = self._spans[key]
            item = self.items_[key] = self._files.decode_span(self._name, key, start, end)
        return item

    def __contains__(self, key: object) -> bool:
        return key in self.items_

    def decode(self, keys: list[str]) -> None:
        """Decode the values of ``keys`` still in the snapshot at once: one JSON array of their texts (a scan of
        10,000 NICs costs one parse, not 10,000)."""
        items, raw, spans = self.items_, self._files.raw, self._spans
        todo = [key for key in keys if items.get(key) is _SPAN]
        if len(todo) < 2:
            return
        texts = b",".join(raw[spans[key][0] : spans[key][1]] for key in todo)
        try:
            values = _loads_line(b"[" + texts + b"]")
        except ValueError:  # what only json reads, or a damaged value: one by one, as __getitem__ reports them
            return
        if type(values) is not list or len(values) != len(todo):
            return
        for key, value in zip(todo, values, strict=True):
            items[key] = value

    def __iter__(self) -> Iterator[str]:
        return iter(self.items_)

    def __len__(self) -> int:
        return len(self.items_)


_SPAN = object()


class KeyedSection(MutableMapping):
    """A dict section (KEYED_SECTIONS) as a Resident's writer sees it: the shared value, never changed; the
    keys the writer reads are copied one by one, and what it sets and deletes is kept beside, so that a write
    costs what it touches. Iteration and length are the dict's that the writes would give; after
    :meth:`Document.materialize` it stands for the plain dict it became."""

    def __init__(self, base: Mapping[str, Any], size: int):
        self._base = base
        self.size = size  # the text size of the base's values (whether the write is journalled by key)
        self._items: dict[str, Any] = {}  # the writer's values: copies of the base's it read, or set
        self._deleted: set[str] = set()  # base keys deleted
        self._new: dict[str, None] = {}  # keys not live in the base, in the order they were set
        self._moved = False  # a base key deleted and set again (it went last: the write is recorded whole)
        self.plain: dict[str, Any] | None = None

    def _live(self, key: Any) -> bool:
        return key in self._base and key not in self._deleted

    def __contains__(self, key: object) -> bool:
        if self.plain is not None:
            return key in self.plain
        return key in self._items or self._live(key)

    def __getitem__(self, key: str) -> Any:
        if self.plain is not None or key in self._items:
            return self.peek(key)
        value = self._items[key] = _copy(self.peek(key))  # this writer's own copy, to change
        return value

    def summaries(self, keys: list[str]) -> list[Any]:
        """SUMMARIES' digest of each of ``keys`` (present) whose value this writer has not read (None: read it)."""
        summaries = getattr(self._base, "summaries", None)
        if self.plain is not None or summaries is None:
            return [None] * len(keys)
        items = self._items
        return [None if key in items else digest for key, digest in zip(keys, summaries(keys), strict=True)]

    def peek_many(self, keys: list[str]) -> list[Any]:
        """:meth:`peek` of each of ``keys`` (all present), the base's values decoded together."""
        decode = getattr(self._base, "decode", None)
        if decode is not None and self.plain is None:
            decode([key for key in keys if key not in self._items])
        return [self.peek(key) for key in keys]

    def peek(self, key: str) -> Any:
        """A value as it is, without taking a copy to change (the caller only reads it): KeyError when absent."""
        if self.plain is not None:
            return self.plain[key]
        if key in self._items:
            return self._items[key]
        if not self._live(key):
            raise KeyError(key)
        return self._base[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if self.plain is not None:
            self.plain[key] = value
            return
        if key not in self._items and not self._live(key):
            self._new[key] = None
            self._moved = self._moved or key in self._base
        self._items[key] = value

    def __delitem__(self, key: str) -> None:
        if self.plain is not None:
            del self.plain[key]
        elif key in self._new:
            del self._new[key]
            del self._items[key]
        elif self._live(key):
            self._deleted.add(key)
            self._items.pop(key, None)
        else:
            raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        if self.plain is not None:
            return iter(self.plain)
        deleted = self._deleted
        return itertools.chain((key for key in self._base if key not in deleted), self._new)

    def __len__(self) -> int:
        if self.plain is not None:
            return len(self.plain)
        return len(self._base) - len(self._deleted) + len(self._new)

    def __repr__(self) -> str:
        return f"KeyedSection({len(self)} keys, {len(self._items)} decoded)"

    def base_texts(self) -> dict[str, str]:
        """The section as loaded, each value's text (what Document keeps of a plain section)."""
        return {key: _dumps(value) for key, value in self._base.items()}

    def complete(self) -> dict[str, Any]:
        """The plain dict this section is now (the writer's: copies of every base value it did not read)."""
        if self.plain is None:
            items = self._items
            plain = _copy({key: value for key, value in self._base.items() if key not in items and key not in self._deleted})
            self.plain = {key: items[key] if key in items else plain[key] for key in self}
        return self.plain

    def delta(self) -> tuple[dict[str, Any], list[str]] | None:
        """(changed or new keys, deleted keys), as :func:`_keyed_delta` gives them for the plain dict, or None
        when that would be None (keys moved) or the section changed at all and is to be recorded whole
        (smaller than KEYED_SECTION_BYTES)."""
        assert self.plain is None
        base, items = self._base, self._items
        changed = {key: items[key] for key in base if key in items and key not in self._deleted and
                   _dumps(items[key]) != _dumps(base[key])} if items else {}
        changed.update((key, items[key]) for key in self._new)
        deleted = [key for key in base if key in self._deleted] if self._deleted else []
        if self._moved or (self.size < KEYED_SECTION_BYTES and (changed or deleted)):
            return None
        return changed, deleted

    def whole_value(self) -> dict[str, Any]:
        """The section's value for a journal line (shares the base's values: to be serialized, not changed)."""
        items = self._items
        return {key: items[key] if key in items else self._base[key] for key in self}


class Document(MutableMapping):
    """The state a writer works on: sections and entries decoded on first use, or the whole document."""

    def __init__(self, files: _Files):
        self.files = files
        self._sections: dict[str, Any] = {}
        self._original: dict[str, str | dict[str, str] | KeyedSection] = {}  # a section as loaded (a dict: by key)
        self.collections = {name: Collection(self, name) for name in COLLECTION_SECTIONS}
        self.whole: dict[str, Any] | None = None

    @classmethod
    def of(cls, state: dict[str, Any]) -> Document:
        """A document that is a whole state already (a new store, or one parsed whole)."""
        document = cls.__new__(cls)
        document.files = None  # type: ignore[assignment]  # a whole document never reads files: no None checks on the lazy path
        document._sections = {}
        document._original = {}
        document.collections = {}
        for name in COLLECTION_SECTIONS:
            collection = Collection(document, name)
            collection._complete_with(state.setdefault(name, {}))
            document.collections[name] = collection
        document.whole = state
        return document

    def __getitem__(self, name: str) -> Any:
        if self.whole is not None:
            return self.whole[name]
        if name in self.collections:
            return self.collections[name]
        if name in self._sections:
            return self._sections[name]
        if name in KEYED_SECTIONS:
            keyed = self.files.keyed_base(name) or self.files.lazy_section(name)
            if keyed is not None:
                _checked_section(self.files, name, keyed[0])
                section = self._sections[name] = KeyedSection(*keyed)
                self._original[name] = section
                return section
        value = self.files.section(name)
        if value is _MISSING:
            if name in REQUIRED_SECTIONS:
                raise _corrupt(self.files.shown, f"{name}: missing")
            raise KeyError(name)
        if name != "schemaVersion":
            _checked_section(self.files, name, value)
        self._sections[name] = value
        # a dict section is compared key by key, so that a write records only the keys it changed
        self._original[name] = {k: _dumps(v) for k, v in value.items()} if type(value) is dict else _dumps(value)
        return value

    def __setitem__(self, name: str, value: Any) -> None:
        if self.whole is None and (name in self.collections or name == "schemaVersion"):
            self.materialize()
        if self.whole is not None:
            if name in self.collections and value is not self.collections[name]._items:
                self.collections[name]._complete_with(value)
            self.whole[name] = value
            return
        self._sections[name] = value

    def __delitem__(self, name: str) -> None:
        del self.materialize()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.materialize())

    def __len__(self) -> int:
        return len(self.materialize())

    def clear(self) -> None:
        self.materialize().clear()

    def update(self, *args, **kwargs) -> None:
        whole = self.materialize()
        whole.update(*args, **kwargs)
        for name, collection in self.collections.items():
            if name in whole and whole[name] is not collection._items:
                collection._complete_with(whole[name])

    def detach(self) -> None:
        """Its transaction is over: a whole document's collections (complete, they never read the files again)
        forget the document, a reference cycle that otherwise kept the whole state alive until the cyclic
        collector's next full pass (at exit, on a big fleet: seconds of scanning)."""
        if self.whole is not None:
            for collection in self.collections.values():
                if collection.complete:
                    collection._document = None  # type: ignore[assignment]

    def materialize(self) -> dict[str, Any]:
        """The whole state as plain dicts, keeping every object already handed out."""
        if self.whole is not None:
            return self.whole
        whole = self.files.whole()
        assert whole is not None
        self.files.release_pages()  # parsed: the map's pages are read again only if a write compares with them
        whole.update(self._sections)
        for name, value in self._sections.items():
            if type(value) is KeyedSection:
                whole[name] = value.complete()
        for name, collection in self.collections.items():
            collection._complete_with(whole.setdefault(name, {}))
        self.whole = whole
        return whole

    def delta(self) -> dict[str, Any]:
        """What this write changed, as one journal line's record ({} when nothing)."""
        record: dict[str, Any] = {}
        sections = {}
        for name, value in self._sections.items():
            original = self._original.get(name)
            if type(original) is KeyedSection:
                if value is original:
                    keyed = original.delta()
                    if keyed is not None:
                        changed, deleted = keyed
                        if changed:
                            record.setdefault("sectionKeys", {})[name] = changed
                        if deleted:
                            record.setdefault("sectionDeleted", {})[name] = deleted
                    else:
                        sections[name] = original.whole_value()
                    continue
                original = original.base_texts()  # the writer put a new value in its place
            keyed = _keyed_delta(original, value) if isinstance(original, dict) and type(value) is dict and \
                sum(map(len, original.values())) >= KEYED_SECTION_BYTES else None
            if keyed is not None:
                changed, deleted = keyed
                if changed:
                    record.setdefault("sectionKeys", {})[name] = changed
                if deleted:
                    record.setdefault("sectionDeleted", {})[name] = deleted
            elif isinstance(original, dict):
                if type(value) is not dict or list(original.items()) != [(k, _dumps(v)) for k, v in value.items()]:
                    sections[name] = value
            elif original != _dumps(value):
                sections[name] = value
        if sections:
            record["sections"] = sections
        for name, collection in self.collections.items():
            changed, deleted = collection._delta()
            if deleted:
                record.setdefault("deleted", {})[name] = deleted
            if changed:
                record.setdefault("entries", {})[name] = changed
        if "entries" in record or "deleted" in record:
            # first on the line: the keys it sets and deletes, which a key listing reads without the rest
            keys = {"entries": {n: list(v) for n, v in record.get("entries", {}).items()},
                    "deleted": record.get("deleted", {})}
            record = {"keys": keys, **record}
        return record


def _keyed_delta(original: dict[str, str], value: dict) -> tuple[dict[str, Any], list[str]] | None:
    """A dict section's change as (changed or new keys, deleted keys), or None when the keys that stayed
    changed their order (then the whole section is recorded): applied in order, it gives the same dict."""
    surviving = [key for key in original if key in value]
    if list(itertools.islice(value, len(surviving))) != surviving:
        return None
    changed = {key: item for key, item in value.items() if original.get(key) != _dumps(item)}
    return changed, [key for key in original if key not in value]


class Resident:
    """One store as a long-running process (``autopatch serve``) keeps it between requests.

    The decoded parts of the store (the snapshot's map and index, the journal's lines, indexed by key) are
    kept and brought up to date with a few ``stat`` calls per request, so a request costs what it reads
    and writes, not a re-read of the store; lines other processes appended meanwhile are read and indexed
    once. Writers still take the file lock and append one journal line each; their fsyncs are shared
    (group commit): a writer releases the locks once its line is written, then waits until a single
    fsync, run by whichever waiting writer comes first, covers it. No request is answered before its
    line is on disk, and a line is visible to other writers (who build on it, and whose own fsync of the
    same file covers it) before it is durable, as in any group-committing database.
    """

    def __init__(self, path: Path | str):
        import threading

        self.shown = Path(path)
        self._files: _Files | None = None
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sync = threading.Condition()
        self._written = 0  # tickets handed out (one per deferred journal line)
        self._synced = 0  # every ticket up to this one is on disk
        self._syncing = False
        self._pending: list[int] = []  # descriptors written through since the last fsync
        self._failed: tuple[int, int, OSError] | None = None  # tickets (after, up to] whose fsync failed

    def files(self) -> _Files:
        """The store's current view (a new store: a view of no files), safe to use from any thread."""
        target = resolve(self.shown)
        with self._lock:
            files = self._files
            if files is None or files.path != target:
                files = _Files(target, self.shown)._share()
            else:
                files = files.refreshed()
            self._files = files
            return files

    def reader(self, new_state) -> StoreReader:
        return StoreReader(self.shown, new_state, self.files())

    def _wrote(self, fd: int) -> None:
        """A journal line went through ``fd`` (now the Resident's to fsync and close)."""
        with self._sync:
            self._written += 1
            self._pending.append(fd)
            self._local.ticket = self._written

    def durable(self) -> None:
        """Wait until this thread's last journal line is on disk (shared fsync); raise if it could not be."""
        ticket = getattr(self._local, "ticket", None)
        if ticket is None:
            return
        self._local.ticket = None
        with self._sync:
            while self._synced < ticket:
                if self._syncing:
                    self._sync.wait()
                    continue
                self._syncing = True
                upto, pending, self._pending = self._written, self._pending, []
                self._sync.release()
                error = None
                try:
                    seen = set()
                    for fd in pending:
                        try:
                            st = os.fstat(fd)
                            if (st.st_dev, st.st_ino) not in seen:
                                seen.add((st.st_dev, st.st_ino))
                                os.fsync(fd)
                        except OSError as exc:
                            error = error or exc
                finally:
                    for fd in pending:
                        try:
                            os.close(fd)
                        except OSError:
                            pass
                    self._sync.acquire()
                    if error is not None:
                        self._failed = (self._synced, upto, error)
                    self._synced = max(self._synced, upto)
                    self._syncing = False
                    self._sync.notify_all()
            failed = self._failed
        if failed is not None and failed[0] < ticket <= failed[1]:
            raise _fs_error(failed[2], "write", _journal_path(resolve(self.shown)), self.shown)


@contextmanager
def transaction(path: Path, new_state, resident: Resident | None = None) -> Iterator[Document]:
    """Lock, open (or create with ``new_state()``), yield the state, and write what changed.

    The state is written only when the block finishes without an exception, so a failed operation leaves
    the store exactly as it was. On a big store whose snapshot autopatch wrote itself, the state is
    decoded as it is used and the write appends what changed to the journal; otherwise (a small store,
    a store never checked, or a block that used the whole fleet) the whole state is parsed, checked and,
    when its text changed, written as a new snapshot. While the block runs, the loaded state is frozen out
    of the cyclic garbage collector: it holds no cycles, and rescanning it on every collection is what
    made a tick on a big fleet slow.
    """
    shown = Path(path)
    target = resolve(shown)
    with locked(target, shown):
        files = resident.files() if resident is not None else _Files(target, shown)
        before = None
        with gcpause.paused():  # until the loaded state is frozen: a collection meanwhile would scan all of it
            if not files.exists:
                document = Document.of(new_state())
                before = _digest(_chunks(document.materialize()))
            elif files.verified and files.snapshot_stat is not None and files.snapshot_stat.st_size >= JOURNAL_MIN_BYTES:
                document = Document(files)
            else:
                whole = files.whole()
                if not files.journal_ok:
                    # The file's own bytes stand for the loaded state's text: the store writes exactly that
                    # text, so an unchanged state is not rewritten, and a big state is not serialized again.
                    before = hashlib.blake2b(files.raw, digest_size=32).digest()
                assert whole is not None  # files.exists
                document = Document.of(whole)
                files.release_pages()
            gc.freeze()
        try:
            try:
                yield document
            finally:
                gc.unfreeze()
            _commit(target, shown, files, document, before, resident)
        finally:
            document.detach()


def _commit(path: Path, shown: Path, files: _Files, document: Document, before: bytes | None,
            resident: Resident | None = None) -> None:
    _remove_stale_temporaries(path)
    if document.whole is None:
        record = document.delta()
        if not record:
            return
        line = _dumps(record).encode("utf-8", "surrogatepass") + b"\n"
        assert files.snapshot_stat is not None  # a lazy Document reads a verified snapshot only
        size = files.snapshot_stat.st_size
        limit = min(max(size // 4, JOURNAL_FOLD_MIN_BYTES), JOURNAL_MAX_BYTES)
        _check_encodable(line, record)
        if files.journal_size() + len(line) <= limit:
            _append_journal(path, shown, files, line, resident)
            return
        if files.index is not None and set(files.index) >= set(COLLECTION_SECTIONS) and files.collection_at:
            _fold(path, shown, files, document)
            return
    state = document.materialize()
    if state.get("schemaVersion") != SCHEMA_VERSION:
        state = migrate(state)
    elif files.verified and files.laid_out and files.index is not None and files.collection_at and \
            files.snapshot_stat is not None and files.snapshot_stat.st_size >= JOURNAL_MIN_BYTES:
        # A verb that used the whole fleet (a tick) but changed a few VMs: their lines go to the journal, as
        # a one-VM write's would, instead of a new snapshot of the whole fleet.
        size = files.snapshot_stat.st_size
        limit = min(max(size // 4, JOURNAL_FOLD_MIN_BYTES), JOURNAL_MAX_BYTES) - files.journal_size()
        changes = _whole_delta(files, state, limit)
        if changes is not None:
            if changes:
                line = _dumps(changes).encode("utf-8", "surrogatepass") + b"\n"
                _check_encodable(line, changes)
                _append_journal(path, shown, files, line, resident)
            return
    _write_snapshot(path, shown, files, state, before)


def _whole_delta(files: _Files, state: dict[str, Any], limit: int) -> dict | None:
    """What a whole state changed against the verified snapshot and its journal, as one journal record
    ({} when nothing changed), or None when that record would pass ``limit`` bytes or cannot say it
    (a section removed). Every entry is serialized once and compared with the text it had.

    The original values come from the files' bytes, parsed afresh: the state was built from the journal's
    decoded lines and may share (and have changed) their objects."""
    raw = files.raw
    journal_entries: dict[tuple[str, str], Any] = {}
    journal_sections: dict[str, Any] = {}
    at = files.journal_body if files.journal_ok else files.journal_end
    while at < files.journal_end:
        end = files.journal.find(b"\n", at)
        line = _parse_line(files.journal[at:end])
        for collection, keys in line.get("deleted", {}).items():
            for key in keys:
                journal_entries[(collection, key)] = _DELETED
        for name, value in line.get("sections", {}).items():
            journal_sections[name] = value
        for name in {*line.get("sectionKeys", ()), *line.get("sectionDeleted", ())}:
            if name not in journal_sections:  # the snapshot's line (files.parsed may be the state itself)
                base = files._decode_line(b"\n" + _dumps(name).encode() + b": ", 0, min(files.collection_at.values()))
                journal_sections[name] = base if base is not _MISSING else {}
        _apply_keyed(journal_sections, line)
        for collection, entries in line.get("entries", {}).items():
            for key, value in entries.items():
                journal_entries[(collection, key)] = value
        at = end + 1
    record: dict[str, Any] = {}
    budget = limit
    # the snapshot's sections, each line's text (a view of the mapped file), then the journal's newer values
    originals: dict[str, Any] = {}
    first_collection = min(files.collection_at.values())
    mapped = memoryview(raw) if not isinstance(raw, bytes) else raw
    at = raw.find(b"\n") + 1
    while at < first_collection + 1:
        end = raw.find(b"\n", at)
        name, _ = _decoder.raw_decode(raw[at : at + 256].decode("utf-8", "replace"))
        body = raw.find(b": ", at) + 2
        originals[name] = mapped[body : end - 1 if raw[end - 1 : end] == b"," else end]
        at = end + 1
    for name, value in journal_sections.items():
        originals[name] = _dumps(value).encode("utf-8", "surrogatepass")
    for name in originals:
        if name not in COLLECTION_SECTIONS and name not in state:
            return None  # a section the state no longer has: only a new snapshot can say that
    for name, value in state.items():
        if name == "schemaVersion" or name in COLLECTION_SECTIONS:
            continue
        # compared a slice at a time, never joined: the history's text runs to hundreds of MB
        had = originals.get(name, b"")
        same, size = name in originals, 0
        for chunk in _value_chunks(value):
            data = chunk.encode("utf-8", "surrogatepass")
            if same and had[size : size + len(data)] != data:
                same = False
            size += len(data)
            if not same and size > budget:
                return None
        if not (same and size == len(had)):
            budget -= size
            if budget < 0:
                return None
            record.setdefault("sections", {})[name] = value
    for collection in COLLECTION_SECTIONS:
        entries = state.get(collection, {})
        offsets = (files.index or {}).get(collection, {})
        changed: dict[str, Any] = {}
        for key, value in entries.items():
            text = _dumps(value).encode("utf-8", "surrogatepass")
            original: bytes | None = None
            found = journal_entries.get((collection, key), _MISSING)
            if found is _DELETED:
                pass
            elif found is not _MISSING:
                original = _dumps(found).encode("utf-8", "surrogatepass")
            elif key in offsets:
                start = offsets[key] + len(_dumps(key).encode()) + 2
                original = bytes(raw[start : raw.find(b"\n", start)]).rstrip(b",")
            if original != text:
                budget -= len(text) + len(key)
                if budget < 0:
                    return None
                changed[key] = value
        deleted = [key for key in offsets if key not in entries and journal_entries.get((collection, key)) is not _DELETED]
        deleted += [key for (c, key), value in journal_entries.items()
                    if c == collection and key not in entries and key not in offsets and value is not _DELETED]
        if deleted:
            if 2 * len(deleted) > len(offsets):  # most of the fleet gone (a reset): a new, small snapshot
                return None
            budget -= sum(len(key) + 3 for key in deleted)
            if budget < 0:
                return None
            record.setdefault("deleted", {})[collection] = sorted(deleted)
        if changed:
            record.setdefault("entries", {})[collection] = changed
    if "entries" in record or "deleted" in record:
        keys = {"entries": {n: list(v) for n, v in record.get("entries", {}).items()},
                "deleted": record.get("deleted", {})}
        record = {"keys": keys, **record}
    return record


def _check_encodable(line: bytes, record: dict) -> None:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        _dumps(record).encode("utf-8")  # raises the UnicodeEncodeError a lone surrogate gives


def _append_journal(path: Path, shown: Path, files: _Files, line: bytes, resident: Resident | None = None) -> None:
    journal = _journal_path(path)
    if len(files.journal) != files.journal_end:
        # a line a killed writer never finished: copy the whole lines into a new journal, then append
        body = bytes(files.journal[: files.journal_end])
        _write_file(journal, iter([body, line]), shown, mode=_mode_of(path))
        return
    try:
        fd = os.open(journal, os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _fs_error(exc, "open the store journal", journal, shown) from exc
    try:
        written = 0
        try:
            while written < len(line):
                written += os.write(fd, line[written:])
            if resident is not None:  # its fsync is shared with other writers' (Resident.durable)
                resident._wrote(fd)
                fd = -1
                return
            os.fsync(fd)
        except OSError as exc:
            if written:  # take back a part-written line, so that the journal stays whole lines
                try:
                    os.ftruncate(fd, files.journal_end)
                except OSError:
                    pass
            raise _fs_error(exc, "append to the store journal", journal, shown) from exc
    finally:
        if fd >= 0:
            os.close(fd)


def _write_snapshot(path: Path, shown: Path, files: _Files, state: dict[str, Any], before: bytes | None) -> None:
    """A new snapshot of the whole state (unless its text is unchanged), then a journal that extends it."""
    digest = hashlib.blake2b(digest_size=32)
    newline = os.linesep.encode()  # what a text-mode file writes for "\n" (only the layout's own newlines)
    unwritable: list[UnicodeEncodeError] = []
    index: dict[str, dict[str, int]] = {}
    spans: dict[str, dict[str, list[int]]] = {}
    summaries: dict[str, dict[str, Any]] = {}
    position = [0]
    spanned: list[tuple[str, str]] = []  # the value whose text the next piece is

    def mark(collection: str, key: str) -> None:
        index.setdefault(collection, {})[key] = position[0] + len(newline)

    def span(name: str, key: str, value: Any) -> None:
        spans.setdefault(name, {})
        spanned.append((name, key))
        _summarize(summaries, name, key, value)

    def encoded() -> Iterator[bytes]:
        for chunk in _chunks(state, mark, span if newline == b"\n" else None):
            try:
                data = chunk.encode("utf-8")
            except UnicodeEncodeError as exc:  # a lone surrogate: an error only if the text changed
                data = chunk.encode("utf-8", "surrogatepass")
                unwritable.append(exc)
            del chunk
            digest.update(data)
            if newline != b"\n":
                data = data.replace(b"\n", newline)
            if spanned:
                name, key = spanned.pop()
                spans[name][key] = [position[0], position[0] + len(data)]
            position[0] += len(data)
            yield data

    def keep() -> bool:
        if before is not None and digest.digest() == before:
            return False  # the same text: nothing to write
        if unwritable:
            raise unwritable[0]
        return True

    generation: list[str | None] = []
    written = _write_file(path, encoded(), shown, keep=keep, generation=generation)
    if written is None:
        return
    _new_journal(path, shown, files, written, index, spans, summaries, generation[0])


def _summarize(summaries: dict[str, dict[str, Any]], name: str, key: str, value: Any) -> None:
    digest = SUMMARIES[name](key, value) if name in SUMMARIES else None
    if digest is not None:
        summaries.setdefault(name, {})[key] = digest


def _new_journal(path: Path, shown: Path, files: _Files, written: os.stat_result, index: dict,
                 spans: dict | None = None, summaries: dict | None = None, generation: str | None = None) -> None:
    """The journal that extends a snapshot just written: its header (the snapshot's identity, the index of
    its VM lines and the places of its keyed sections' values)."""
    journal = _journal_path(path)
    if written.st_size >= JOURNAL_MIN_BYTES:
        header_value: dict[str, Any] = {"autopatchJournal": JOURNAL_FORMAT, "snapshot": _identity(written), "index": index}
        if generation is not None:  # a copy of the snapshot that keeps it (cp -a) keeps this journal
            header_value["generation"] = generation
        if spans:  # last, in this order (_EXTRAS_MARK): a reader parses the header without them
            extras: dict[str, Any] = {"sectionIndex": spans}
            if summaries:
                extras["sectionSummary"] = summaries
            text = _dumps(extras).encode()[1:]  # '"sectionIndex":...}': what the reader's CRC covers
            header_value["sectionCrc"] = zlib.crc32(text)
            header = _dumps(header_value).encode()[:-1] + b"," + text + b"\n"
        else:
            header = _dumps(header_value).encode() + b"\n"
        _write_file(journal, iter([header]), shown, mode=_mode_of(path))
    elif files.journal_ok or journal.exists():
        try:
            os.unlink(journal)
        except OSError:  # harmless: a journal that does not name the new snapshot is ignored
            pass


def _fold(path: Path, shown: Path, files: _Files, document: Document) -> None:
    """A new snapshot from the old one, the journal and this write, without parsing the old one.

    Unchanged VM lines and sections are copied as bytes (the snapshot's index gives every VM line's
    place); only what the journal and this write changed is serialized. The text is the one
    :func:`serialize` gives for the same state, key order included.
    """
    raw = files.raw
    records = []
    at = files.journal_body
    while at < files.journal_end:
        end = files.journal.find(b"\n", at)
        records.append(files._journal_record(at, end))
        at = end + 1
    records.append(document.delta())
    sections: dict[str, Any] = {}
    owned: set[str] = set()  # sections whose value here is a copy, free to change
    collections: dict[str, tuple[dict, dict, set, dict]] = {}
    for name in COLLECTION_SECTIONS:
        base = (files.index or {}).get(name, {})
        collections[name] = (base, {}, set(), {})  # base offsets, changed base values, removed, appended
    # keyed sections whose values' places the header gives: changed key by key, the others copied as bytes
    kept: dict[str, tuple[dict, dict, set, dict]] = {
        name: (places, {}, set(), {}) for name in KEYED_SECTIONS
        if (places := files.section_spans(name)) is not None}
    for record in records:
        for name, keys in record.get("deleted", {}).items():
            base, changed, removed, appended = collections[name]
            for key in keys:
                if key in appended:
                    del appended[key]
                elif key in base:
                    removed.add(key)
                    changed.pop(key, None)
        for name, value in record.get("sections", {}).items():
            sections[name] = value
            owned.discard(name)
            kept.pop(name, None)
        for name in kept:  # as _apply_keyed applies them: deleted keys, then changed or new ones
            base, changed, removed, appended = kept[name]
            for key in record.get("sectionDeleted", {}).get(name, ()):
                if key in appended:
                    del appended[key]
                elif key in base and key not in removed:
                    removed.add(key)
                    changed.pop(key, None)
            for key, value in record.get("sectionKeys", {}).get(name, {}).items():
                if key in base and key not in removed:
                    changed[key] = value
                else:
                    appended[key] = value
        record = {**record, **{kind: {name: keys for name, keys in record[kind].items() if name not in kept}
                               for kind in ("sectionKeys", "sectionDeleted") if kind in record}}
        for name in {*record.get("sectionKeys", ()), *record.get("sectionDeleted", ())}:
            if name not in owned:  # changed key by key: on a copy of its latest whole value
                base = sections[name] if name in sections else files._decode_line(
                    b"\n" + _dumps(name).encode() + b": ", 0, min(files.collection_at.values()))
                sections[name] = _copy(base) if base is not _MISSING else {}
                owned.add(name)
        _apply_keyed(sections, _copy({k: record[k] for k in ("sectionKeys", "sectionDeleted") if k in record}))
        for name, entries in record.get("entries", {}).items():
            base, changed, removed, appended = collections[name]
            for key, value in entries.items():
                if key in appended or key not in base or key in removed:
                    appended[key] = value
                else:
                    changed[key] = value
    # the snapshot's sections, in order, each line copied unless changed; new sections after them
    first_collection = min(files.collection_at.values())
    lines: list[tuple[str, int, int]] = []
    at = raw.find(b"\n") + 1
    while at < first_collection + 1:
        end = raw.find(b"\n", at)
        key, _ = _decoder.raw_decode(raw[at : at + 256].decode("utf-8", "replace"))
        lines.append((key, at, end))
        at = end + 1
    newline = os.linesep.encode()
    index: dict[str, dict[str, int]] = {}
    spans: dict[str, dict[str, list[int]]] = {}
    summaries: dict[str, dict[str, Any]] = {}
    position = [0]

    def out(data: bytes) -> bytes:
        position[0] += len(data)
        return data

    def section(name: str, value: Any) -> Iterator[bytes]:
        """A changed section's line; a keyed one a value at a time, its values' places noted."""
        if name not in KEYED_SECTIONS:
            for chunk in _value_chunks_named(name, value):
                yield out(chunk)
            return
        spanned: list[str] = []
        places = spans.setdefault(name, {})
        yield out(f"{_dumps(name)}: ".encode())
        def span(_: str, key: str, item: Any) -> None:
            spanned.append(key)
            _summarize(summaries, name, key, item)

        for text in _keyed_chunks(name, value, span):
            data = text.encode("utf-8")
            if spanned:
                places[spanned.pop()] = [position[0], position[0] + len(data)]
            yield out(data)

    def kept_section(name: str) -> Iterator[bytes]:
        """A keyed section's line from its old values' bytes and the values that changed, in the order
        _apply_keyed gives (a changed value keeps its place, a new one goes last)."""
        base, changed, removed, appended = kept[name]
        places = spans.setdefault(name, {})
        old = files.section_summaries(name)
        trusted = files.summaries_trusted()
        yield out(f"{_dumps(name)}: {{".encode())
        first = True
        for key, (start, end) in base.items():
            if key in removed:
                continue
            yield out(f"{'' if first else ','}{_dumps(key)}:".encode())
            first = False
            if key in changed:
                data = _dumps(changed[key]).encode()
                _summarize(summaries, name, key, changed[key])
            else:
                data = bytes(raw[start:end])
                if key in old:
                    summaries.setdefault(name, {})[key] = old[key]
                elif not trusted and name in SUMMARIES:  # no digests the header vouches for: made afresh
                    _summarize(summaries, name, key, files.decode_span(name, key, start, end))
            places[key] = [position[0], position[0] + len(data)]
            yield out(data)
        for key, value in appended.items():
            yield out(f"{'' if first else ','}{_dumps(key)}:".encode())
            first = False
            data = _dumps(value).encode()
            _summarize(summaries, name, key, value)
            places[key] = [position[0], position[0] + len(data)]
            yield out(data)
        yield out(b"}")

    def pieces() -> Iterator[bytes]:
        yield out(f'{{"schemaVersion": {SCHEMA_VERSION}'.encode())
        seen = set()
        for key, start, end in lines:
            if key in COLLECTION_SECTIONS:
                continue
            seen.add(key)
            yield out(b",\n")
            if key in sections:
                yield from section(key, sections[key])
            elif key in kept:
                yield from kept_section(key)
            else:
                old = files.section_spans(key) if key in KEYED_SECTIONS else None
                if old is not None and key in SUMMARIES and not files.summaries_trusted():
                    old = None  # digests the header does not vouch for: the line is made afresh, with new ones
                if old is None and key in KEYED_SECTIONS and type(value := files._snapshot_section(key)) is dict:
                    yield from section(key, value)  # (a snapshot an older autopatch indexed: the same text)
                    continue
                if old is not None:  # the line copied as it is: its values' places move with it
                    shift = position[0] - start
                    spans[key] = {k: [place[0] + shift, place[1] + shift] for k, place in old.items()}
                    if files.section_summaries(key):
                        summaries[key] = files.section_summaries(key)
                yield out(bytes(raw[start:end]).rstrip(b","))
        for key, value in sections.items():
            if key not in seen and key not in COLLECTION_SECTIONS:
                yield out(b",\n")
                yield from section(key, value)
        for name in COLLECTION_SECTIONS:
            base, changed, removed, appended = collections[name]
            offsets = index.setdefault(name, {})
            yield out(f",\n{_dumps(name)}: {{".encode())
            first = True
            for key, offset in sorted(base.items(), key=lambda item: item[1]):
                if key in removed:
                    continue
                yield out(b"\n" if first else b",\n")
                first = False
                offsets[key] = position[0]
                if key in changed:
                    yield out(f"{_dumps(key)}: {_dumps(changed[key])}".encode())
                else:
                    yield out(bytes(raw[offset : raw.find(b"\n", offset)]).rstrip(b","))
            for key, value in appended.items():
                yield out(b"\n" if first else b",\n")
                first = False
                offsets[key] = position[0]
                yield out(f"{_dumps(key)}: {_dumps(value)}".encode())
            yield out(b"\n}")
        yield out(b"\n}\n")

    if newline != b"\n":  # pragma: no cover - offsets are of the "\n" layout; Windows folds whole
        _write_snapshot(path, shown, files, document.materialize(), None)
        return
    generation: list[str | None] = []
    written = _write_file(path, pieces(), shown, generation=generation)
    assert written is not None  # without keep(), the write is never called off
    _new_journal(path, shown, files, written, index, spans, summaries, generation[0])


def _value_chunks_named(name: str, value: Any) -> Iterator[bytes]:
    yield f"{_dumps(name)}: ".encode()
    for chunk in _value_chunks(value):
        yield chunk.encode("utf-8")


def write_entries(path: Path, sections: dict[str, Any], entries: Iterator[tuple[str, str]]) -> None:
    """A new store of ``sections`` and the VM entries ``entries`` gives as (key, its JSON text), streamed to
    the file in :func:`serialize`'s layout, with the journal header that indexes it: a store of any size
    built without holding its VMs in memory (benchmarks build million-VM fleets with it). Under the lock;
    an existing store at ``path`` is replaced."""
    shown = Path(path)
    target = resolve(shown)
    state = {"schemaVersion": SCHEMA_VERSION, **{k: v for k, v in sections.items() if k != "schemaVersion"}}
    state.pop("vms", None)
    index: dict[str, int] = {}
    position = [0]

    def pieces() -> Iterator[bytes]:
        for chunk in _chunks(state):
            if chunk == "\n}\n":  # the document's end: the VMs go before it
                break
            data = chunk.encode("utf-8")
            position[0] += len(data)
            yield data
        head = b',\n"vms": {'
        position[0] += len(head)
        yield head
        first = True
        for key, text in entries:
            data = (b"\n" if first else b",\n")
            index[key] = position[0] + len(data)
            data += f"{_dumps(key)}: {text}".encode()
            first = False
            position[0] += len(data)
            yield data
        yield b"\n}\n}\n"

    with locked(target, shown):
        files = _Files.__new__(_Files)
        files.journal_ok = False
        generation: list[str | None] = []
        written = _write_file(target, pieces(), shown, generation=generation)
        assert written is not None
        _new_journal(target, shown, files, written, {"vms": index}, generation=generation[0])


def _line_keys(journal, start: int, end: int) -> dict | None:
    """A journal line's ``keys`` summary (written first on the line), decoded without the rest of the line."""
    prefix = b'{"keys":'
    if journal[start : start + len(prefix)] != prefix:
        return None
    head = bytes(journal[start : min(end, start + (1 << 16))]).decode("utf-8", "ignore")
    try:
        keys, _ = _decoder.raw_decode(head, len(prefix))
    except ValueError:  # a summary longer than the head read: the whole line is parsed instead
        return None
    return keys if isinstance(keys, dict) else None


def collection_keys(path: Path, collection: str) -> list[str]:
    """The keys of a collection section (``"rg/vm"`` of ``vms``), snapshot and journal together, in the
    store's order (shell completion lists a fleet's VMs with it). A store autopatch wrote answers from the
    snapshot's index (in the journal's header) and the journal's lines: no VM is decoded."""
    files = _Files(resolve(Path(path)), Path(path))
    if not files.exists:
        return []
    offsets = (files.index or {}).get(collection) if files.verified and files.parsed is None else None
    if offsets is None:
        return list((files.whole() or {}).get(collection) or {})
    keys = dict.fromkeys(offsets)
    at = files.journal_body
    while at < files.journal_end:
        end = files.journal.find(b"\n", at)
        record = _line_keys(files.journal, at, end) or files._journal_record(at, end)
        for key in record.get("deleted", {}).get(collection, ()):
            keys.pop(key, None)
        keys.update(dict.fromkeys(record.get("entries", {}).get(collection, ())))
        at = end + 1
    return list(keys)
