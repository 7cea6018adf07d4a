"""The store as a whole, as users of local emulators handle it: show, reset, export/import, snapshots.

Every change goes through the store's locked, crash-safe write path (:func:`autopatch_cli.store.transaction`):
the lock is held for the whole read-modify-write, the new text replaces the old atomically, and a file
that is not a valid store (the one in use, an imported one, a snapshot) is refused and never written.
Snapshots are whole stores kept beside the store, in ``<store>.snapshots/NAME.json``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from .. import store
from ..errors import StoreError, ValidationError
from .state import new_state

SNAPSHOT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# Sections counted by `state show`, by the name shown.
_COUNTED = {"resourceGroups": "resourceGroups", "vms": "vms", "availabilitySets": "availabilitySets",
            "timers": "pendingTimers"}


def snapshot_dir(path: Path) -> Path:
    return path.with_name(f"{path.name}.snapshots")


def snapshot_path(path: Path, name: str) -> Path:
    if not SNAPSHOT_NAME.fullmatch(name):
        raise ValidationError(
            f"'{name}' is not a valid snapshot name: use letters, digits, '.', '_' and '-' (at most 100), "
            "starting with a letter or digit."
        )
    return snapshot_dir(path) / f"{name}.json"


def info(path: Path) -> dict[str, Any]:
    """What ``autopatch state show`` prints: which store, how big, its clock, seed, schema and counts."""
    exists = path.is_file()
    data = store.load(path) if exists else None
    state = data if data is not None else new_state()
    features = state.get("features", {})
    registered = sum(1 for f in features.values() if isinstance(f, dict) and f.get("state") == "Registered")
    counts = {shown: len(state.get(section) or {}) for section, shown in _COUNTED.items()}
    counts["featuresRegistered"] = registered
    return {
        "path": str(path),
        "exists": exists,
        "sizeBytes": path.stat().st_size if exists else 0,
        "schemaVersion": state.get("schemaVersion"),
        "generator": state.get("meta", {}).get("generator"),
        "seed": state.get("meta", {}).get("seed"),
        "clock": state.get("clock", {}).get("now"),
        "start": state.get("clock", {}).get("start"),
        "counts": counts,
        "snapshots": list_snapshots(path),
        "source": source(path),
    }


def source(path: Path) -> str:
    """How the store was chosen: AUTOPATCH_STATE, --state, or the default in the user data dir."""
    return "AUTOPATCH_STATE" if os.environ.get(store.STATE_ENV) and Path(
        os.environ[store.STATE_ENV]).expanduser() == path else ("default" if path == store.default_path() else "--state")


def reset(path: Path, seed: int | None = None) -> dict[str, Any]:
    """A fresh subscription in the same store: the store's seed unless ``seed`` is given."""
    with store.transaction(path, new_state) as data:
        keep = data.get("meta", {}).get("seed")
        data.clear()
        data.update(new_state(seed if seed is not None else keep))
    return info(path)


def _read_store_file(source: Path, what: str) -> dict[str, Any]:
    """A whole store from a file, validated as the store validates its own (refused, never half-read)."""
    if not source.is_file():
        raise ValidationError(f"The {what} '{source}' does not exist or is not a regular file.")
    try:
        data = store.load(source)
    except StoreError as exc:
        raise _not_imported(exc) from None
    if data is None:
        raise ValidationError(f"The {what} '{source}' does not exist.")
    return data


def _not_imported(exc: StoreError, shown: str | None = None, name: str | None = None) -> StoreError:
    message = exc.message.split(" It was left untouched")[0].rstrip(".")
    if shown is not None and name is not None:
        message = message.replace(f"The state store '{shown}'", name)
    else:
        message = message.replace("The state store ", "The file ", 1)
    return StoreError(f"{message}. Nothing was changed: the store in use is as it was.")


def _replace_all(path: Path, data: dict[str, Any]) -> None:
    with store.transaction(path, new_state) as current:
        current.clear()
        current.update(data)


def export(path: Path, destination: Path | None) -> str | None:
    """Write the store (a fresh one if it does not exist yet) to ``destination``, or return its text."""
    with store.locked(path):
        data = store.load(path) if path.exists() else None
    text = store.serialize(data if data is not None else new_state())
    if destination is None:
        return text
    store.write_atomic(destination, text)
    return None


def import_(path: Path, source: Path | None, text: str | None = None) -> dict[str, Any]:
    """Replace the store with the one in ``source`` (or ``text``), once it has been read and validated."""
    if source is not None:
        data = _read_store_file(source, "file to import")
    else:
        data = _parse_text(text or "", "<stdin>")
    _replace_all(path, data)
    return info(path)


def _parse_text(text: str, name: str) -> dict[str, Any]:
    import tempfile

    # The store's own validating loader reads files: give it one, so stdin is checked the same way.
    with tempfile.TemporaryDirectory(prefix="autopatch-import-") as folder:
        staged = Path(folder) / "state.json"
        staged.write_text(text, encoding="utf-8")
        try:
            data = store.load(staged)
        except StoreError as exc:
            raise _not_imported(exc, str(staged), name) from None
    if data is None:  # pragma: no cover - the file was just written
        raise ValidationError(f"Nothing to import from {name}.")
    return data


def snapshot(path: Path, name: str, force: bool = False) -> dict[str, Any]:
    """Copy the store, under its lock, to the snapshot ``name``."""
    target = snapshot_path(path, name)
    if target.exists() and not force:
        raise ValidationError(f"The snapshot '{name}' already exists ({target}). Use --force to replace it.")
    with store.locked(path):
        data = store.load(path) if path.exists() else None
        store.write_atomic(target, store.serialize(data if data is not None else new_state()))
    return {"name": name, "path": str(target), "sizeBytes": target.stat().st_size,
            "clock": (data or new_state())["clock"]["now"]}


def restore(path: Path, name: str) -> dict[str, Any]:
    """Replace the store with the snapshot ``name`` (the snapshot is kept)."""
    source = snapshot_path(path, name)
    if not source.exists():
        known = ", ".join(s["name"] for s in list_snapshots(path)) or "none"
        raise ValidationError(f"There is no snapshot '{name}' of the store '{path}'. Snapshots: {known}.")
    _replace_all(path, _read_store_file(source, "snapshot"))
    return info(path)


def delete_snapshot(path: Path, name: str) -> None:
    target = snapshot_path(path, name)
    if not target.exists():
        raise ValidationError(f"There is no snapshot '{name}' of the store '{path}'.")
    target.unlink()


def list_snapshots(path: Path) -> list[dict[str, Any]]:
    folder = snapshot_dir(path)
    if not folder.is_dir():
        return []
    found = []
    for item in sorted(folder.glob("*.json")):
        if item.name.startswith("."):
            continue
        stat = item.stat()
        found.append({"name": item.name[:-5], "path": str(item), "sizeBytes": stat.st_size})
    return found
