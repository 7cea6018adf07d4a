"""Opening the store for the operations: a lock-free reader, or a locked read-modify-write."""

from __future__ import annotations

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
    def writer(self) -> Iterator[State]:
        """Lock, open, yield, and write back what changed, only if the block succeeds."""
        with store.transaction(self.path, new_state) as data:
            yield State(data)
