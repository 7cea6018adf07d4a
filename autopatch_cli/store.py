"""The JSON state store: one file, locked across processes, replaced atomically, versioned.

Layout on disk (still one valid JSON document)::

    {"schemaVersion": 1,
    "meta": {...},
    "clock": {...},
    ...one line per section...
    "vms": {
    "rg/vm1": {...},
    "rg/vm2": {...}
    }}

Every section sits on a line of its own and every VM on a line of its own, so a command that reads one
VM finds its line and decodes only that (``StoreReader``) instead of parsing the whole fleet: ``vm show``
costs the same at 10 or 10,000 VMs. Writers always parse the whole file first, so a file that is not
valid JSON is refused and never overwritten.

Safety, each property tested:
- every read-modify-write holds ``<store>.lock`` (filelock), so concurrent processes lose no update;
- writes go to a temporary file in the same folder, are fsynced, then ``os.replace``d over the store,
  so a process killed mid-write leaves the old or the new state, never a torn file;
- ``schemaVersion`` newer than this autopatch knows is refused, as is a file that is not JSON.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .errors import StoreError

SCHEMA_VERSION = 1
STATE_ENV = "AUTOPATCH_STATE"
LOCK_TIMEOUT_SECONDS = 60.0
# Sections kept one entry a line; everything else is a one-line section.
COLLECTION_SECTIONS = ("vms",)

_HEADER_PREFIX = b'{"schemaVersion": '
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
except ImportError:  # pragma: no cover - orjson is a dependency; keep the store writable without it
    def _orjson_dumps(value: Any) -> bytes:
        raise TypeError("orjson is not installed")


def serialize(state: dict[str, Any]) -> str:
    """Render a state dict in the line-per-entry layout described above."""
    return "".join(_chunks(state))


def _chunks(state: dict[str, Any]) -> Iterator[str]:
    """:func:`serialize`'s text in pieces, so that a writer streams it instead of holding a copy."""
    yield f'{{"schemaVersion": {int(state["schemaVersion"])}'
    for name in [k for k in state if k != "schemaVersion" and k not in COLLECTION_SECTIONS]:
        yield f",\n{_dumps(name)}: "
        yield from _value_chunks(state[name])
    for name in [k for k in COLLECTION_SECTIONS if k in state]:
        yield f",\n{_dumps(name)}: {{"
        entries = state[name]
        last = len(entries) - 1
        for i, (key, value) in enumerate(entries.items()):
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


def _digest(chunks: Iterator[str]) -> bytes:
    """A digest of the serialized text, without holding it (a big store's text runs to hundreds of MB)."""
    digest = hashlib.blake2b(digest_size=32)
    for chunk in chunks:
        digest.update(chunk.encode("utf-8", "surrogatepass"))
    return digest.digest()


def _check_version(version: Any, path: Path) -> None:
    if not isinstance(version, int):
        raise StoreError(f"The state store '{path}' has no valid schemaVersion; it was left untouched.")
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


def migrate(state: dict[str, Any]) -> dict[str, Any]:
    """Bring an older store up to SCHEMA_VERSION (pure dict -> dict; no older schema exists yet)."""
    return state


def load(path: Path) -> dict[str, Any] | None:
    """Parse the whole store; None when it does not exist yet."""
    return _load(path)[0]


def _load(path: Path) -> tuple[dict[str, Any] | None, bytes | None]:
    """The parsed store and the digest of its bytes (what :func:`_digest` gives for the text we write)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        raise StoreError(f"The state store '{path}' cannot be read: {exc.strerror}.") from exc
    # As json.loads(bytes) does, but the bytes are let go before parsing, and the collector is off while the
    # parser allocates (on a big store it would otherwise rescan the growing state again and again).
    digest = hashlib.blake2b(raw, digest_size=32).digest()
    enabled = gc.isenabled()
    gc.disable()
    try:
        text = raw.decode(json.detect_encoding(raw), "surrogatepass")
        del raw
        state = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _corrupt(path, f"not valid JSON: {exc}") from exc
    finally:
        if enabled:
            gc.enable()
    if not isinstance(state, dict):
        raise _corrupt(path, "the document is not a JSON object")
    _check_version(state.get("schemaVersion"), path)
    return migrate(state), digest


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path)


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


@contextmanager
def locked(path: Path) -> Iterator[None]:
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT_SECONDS)
    try:
        lock.acquire()
    except Timeout as exc:
        raise StoreError(
            f"The state store '{path}' stayed locked by another autopatch process for "
            f"{LOCK_TIMEOUT_SECONDS:.0f} seconds; try again."
        ) from exc
    try:
        yield
    finally:
        lock.release()


@contextmanager
def transaction(path: Path, new_state) -> Iterator[dict[str, Any]]:
    """Lock, load (or create with ``new_state()``), yield the state, and write it back atomically.

    The state is written only when the block finishes without an exception, so a failed operation leaves
    the store exactly as it was; and only when its serialized text changed (compared by digest, so that a
    big store's text is never held twice). While the block runs, the loaded state is frozen out of the
    cyclic garbage collector: it holds no cycles, and rescanning it on every collection is what made a
    tick on a big fleet slow.
    """
    with locked(path):
        # The file's own bytes stand for the loaded state's text: the store writes exactly that text, so
        # an unchanged state is not rewritten, and a big state is not serialized once more just to compare.
        state, before = _load(path)
        if state is None:
            state = new_state()
            before = _digest(_chunks(state))
        gc.freeze()
        try:
            yield state
        finally:
            gc.unfreeze()
        _write_if_changed(path, _chunks(state), before)


def _write_if_changed(path: Path, chunks: Iterator[str], before: bytes) -> None:
    """:func:`write_atomic` of the streamed text, unless its digest is ``before`` (then nothing changes)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    digest = hashlib.blake2b(digest_size=32)
    unwritable = None
    changed = replaced = False
    newline = os.linesep.encode()  # what a text-mode file writes for "\n" (only the layout's own newlines)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                try:
                    data = chunk.encode("utf-8")
                except UnicodeEncodeError as exc:  # a lone surrogate: an error only if the text changed
                    data = chunk.encode("utf-8", "surrogatepass")
                    unwritable = unwritable or exc
                del chunk
                digest.update(data)
                if unwritable is None:
                    handle.write(data if newline == b"\n" else data.replace(b"\n", newline))
                del data
            changed = digest.digest() != before
            if changed:
                if unwritable is not None:
                    raise unwritable
                handle.flush()
                os.fsync(handle.fileno())
        if changed:
            os.replace(tmp, path)
            replaced = True
    finally:
        if not replaced:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
    if changed:
        _fsync_dir(path)


def _map(path: Path):
    """The file's bytes without copying them: a read-only memory map (a plain read for an empty file).

    A reader searches the text for one line; mapping it spares copying a big store into memory first.
    Writers replace the file (os.replace), so the mapped inode never changes under a reader.
    """
    import mmap

    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


class StoreReader:
    """Read-only access that decodes only the sections and VMs it is asked for.

    Used by read verbs (``vm show``, ``vm get-instance-view``): no lock is needed, since writers replace
    the file atomically. The frame (header and closing brace) is checked, so a file that is not a store
    is refused here too; full validation happens on every write.
    """

    def __init__(self, path: Path, new_state):
        self.path = path
        try:
            self._raw = _map(path)
        except FileNotFoundError:
            self._raw = None
            self._state = new_state()
            return
        except OSError as exc:
            raise StoreError(f"The state store '{path}' cannot be read: {exc.strerror}.") from exc
        self._state = None
        # serialize() always ends with the collection's and the document's closing braces, each on a
        # line of its own: a file cut short anywhere lacks that ending and gets the full parse below.
        if self._raw[: len(_HEADER_PREFIX)] != _HEADER_PREFIX or not self._raw[-64:].rstrip().endswith(b"\n}\n}"):
            # Not in our layout (hand-edited or corrupt): fall back to a full, validating parse.
            self._state = load(path)
            return
        end = self._raw.find(b"\n")
        version_text = self._raw[len(_HEADER_PREFIX) : end].rstrip(b",")
        try:
            version = int(version_text)
        except ValueError:
            self._state = load(path)
            return
        _check_version(version, path)

    def _decode_at(self, marker: bytes, start: int = 0, stop: int | None = None) -> Any:
        assert self._raw is not None
        index = self._raw.find(marker, start, len(self._raw) if stop is None else stop)
        if index < 0:
            return _MISSING
        begin = index + len(marker)
        end = self._raw.find(b"\n", begin)
        line = self._raw[begin : end if end >= 0 else None].decode("utf-8")
        try:
            value, _ = _decoder.raw_decode(line)
        except json.JSONDecodeError as exc:
            raise _corrupt(self.path, f"not valid JSON near {marker.decode()!s}: {exc}") from exc
        return value

    def section(self, name: str, default: Any = None) -> Any:
        if self._state is not None:
            return self._state.get(name, default)
        value = self._decode_at(b"\n" + _dumps(name).encode() + b": ")
        return default if value is _MISSING else value

    def entry(self, collection: str, key: str) -> Any:
        """One entry of a collection section, or None."""
        if self._state is not None:
            return self._state.get(collection, {}).get(key)
        header = b"\n" + _dumps(collection).encode() + b": {\n"
        start = self._raw.find(header)
        if start < 0:
            return None
        value = self._decode_at(b"\n" + _dumps(key).encode() + b": ", start + len(header) - 1)
        return None if value is _MISSING else value

    def full(self) -> dict[str, Any]:
        """The whole state, parsed (for list verbs)."""
        if self._state is None:
            self._state = load(self.path)
        return self._state


_MISSING = object()


def collection_keys(path: Path, collection: str) -> list[str]:
    """The keys of a collection section (``"rg/vm"`` of ``vms``) without decoding its entries: shell
    completion lists a big fleet's VMs by reading only the key at the head of each line."""
    reader = StoreReader(path, dict)
    if reader._raw is None:
        return []
    if reader._state is not None:  # not in our layout: the full parse was done
        return list(reader._state.get(collection, {}))
    import re

    raw = reader._raw
    header = b"\n" + _dumps(collection).encode() + b": {\n"
    start = raw.find(header)
    if start < 0:
        return []
    end = raw.find(b"\n}", start + len(header) - 1)
    keys = []
    for match in re.finditer(rb'\n"((?:[^"\\\n]|\\.)*)": ', raw[start + len(header) - 1 : end if end >= 0 else None]):
        key = match.group(1)
        keys.append(json.loads(b'"' + key + b'"') if b"\\" in key else key.decode("utf-8"))
    return keys
