"""Opening the store for the operations: a lock-free reader, or a locked read-modify-write."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import store
from .state import State, new_state


class Session:
    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else store.default_path()

    def reader(self) -> store.StoreReader:
        """Reads decode only what they ask for; no lock is needed (writers replace or append atomically)."""
        return store.StoreReader(self.path, new_state)

    @contextmanager
    def writer(self, resident: store.Resident | None = None) -> Iterator[State]:
        """Lock, open, yield, and write back what changed, only if the block succeeds. ``resident``: the
        view a long-running process keeps of this store (``serve``), reused instead of re-read."""
        snapshot = _snapshot_of(self.path)
        with store.transaction(self.path, new_state, resident) as data:
            yield State(data)
        if _history_written(data) or _snapshot_of(self.path) != snapshot:
            from .. import history_index

            history_index.refresh(self.path)


def _snapshot_of(path: Path) -> tuple | None:
    """The snapshot file's identity: a write that replaced it (a fold, a new snapshot) moved the history's
    line, so the history index names it no longer and is rebuilt (``history_index.refresh``)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _history_written(data) -> bool:
    """Whether a write may have changed the history (it read the section to change it, or the whole state):
    then its index, a cache beside the store, is brought up to date."""
    whole = getattr(data, "whole", None)
    if whole is not None:
        return "history" in whole
    return "history" in getattr(data, "_sections", {})
