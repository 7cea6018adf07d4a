"""The cyclic garbage collector paused while a block allocates much and builds no reference cycles.

Parsing a big store, a tick, a plan's dry run and the orchestration views allocate millions of objects that hold
no cycles; with the collector on, its passes rescanned all of them again and again. ``paused()`` turns it off for
the block and back on afterwards, if it was on, and is safe under threads (``autopatch serve`` runs requests on
several): blocks that overlap share one pause. The first to enter turns the collector off and remembers whether
it was on; the last to leave turns it back on if it was. Each ``isenabled(); disable(); ... enable()`` on its own
was not safe: a thread that read "on" could re-enable the collector while another was inside, and a thread that
read "off" (because another was inside) left it off for the rest of the process.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0  # blocks inside paused(), in every thread
_was_enabled = False  # whether the collector was on when the first of them entered


@contextmanager
def paused() -> Iterator[None]:
    """The collector off while the block runs; back on when the last overlapping block leaves, if it was on when
    the first entered. Nests, and overlaps across threads."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
        _depth += 1
        gc.disable()  # on every entry: code outside these blocks may have turned it on meanwhile
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
