"""autopatch_cli.gcpause: the cyclic collector paused across threads (``autopatch serve``) without being lost.

Each site used to save ``gc.isenabled()``, disable, and re-enable what it saved: a thread that read "off" while
another was inside left the collector off for good, and one that re-enabled it did so under another still inside.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from contextlib import contextmanager

import pytest

from autopatch_cli import gcpause


@contextmanager
def _each_on_its_own():
    """The pattern every site had before gcpause: what the harness below must catch."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _hammer(pause, threads: int = 6, rounds: int = 2000) -> tuple[bool, int]:
    """Threads entering and leaving ``pause`` over and over, switching as often as the interpreter can; returns
    whether the collector is on afterwards and how many times a block found it on while inside."""
    assert gc.isenabled()
    found_on = [0]
    start = threading.Barrier(threads)

    def work():
        start.wait()
        for _ in range(rounds):
            with pause():
                if gc.isenabled():
                    found_on[0] += 1
                time.sleep(0)  # let another thread run inside, as a request's I/O does
                if gc.isenabled():
                    found_on[0] += 1

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        workers = [threading.Thread(target=work) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        sys.setswitchinterval(interval)
    on = gc.isenabled()
    gc.enable()
    return on, found_on[0]


def test_threads_never_lose_the_collector_nor_see_it_on_inside():
    for _ in range(3):
        assert _hammer(gcpause.paused) == (True, 0)


def test_a_block_restores_what_it_found_and_nests():
    assert gc.isenabled()
    with gcpause.paused():
        assert not gc.isenabled()
        with gcpause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block is still inside
    assert gc.isenabled()
    gc.disable()
    try:
        with gcpause.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off: it stays off
    finally:
        gc.enable()


def test_an_exception_leaves_the_collector_as_it_was():
    with pytest.raises(ValueError), gcpause.paused():
        raise ValueError("boom")
    assert gc.isenabled()


def _overlap(pause) -> bool:
    """Thread A enters, B enters, A leaves: whether B, still inside, finds the collector on; then B leaves."""
    a_in, b_in, a_out, b_may_leave = (threading.Event() for _ in range(4))
    seen = {}

    def a():
        with pause():
            a_in.set()
            assert b_in.wait(5)
        a_out.set()

    def b():
        assert a_in.wait(5)
        with pause():
            b_in.set()
            assert a_out.wait(5)
            seen["on after A left"] = gc.isenabled()
            b_may_leave.set()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert b_may_leave.is_set()
    found = seen["on after A left"]
    gc.enable()
    return found


def test_overlapping_blocks_in_two_threads_keep_it_off_until_the_last_leaves():
    assert not _overlap(gcpause.paused)
    assert gc.isenabled()
    with gcpause.paused():
        pass
    assert gc.isenabled()  # the last leaver turned it back on


def test_the_overlap_catches_the_pattern_each_site_had():
    """Not a test of autopatch: the scenario above fails the old pattern (A turns the collector on under B)."""
    assert _overlap(_each_on_its_own)


def test_no_site_saves_and_restores_the_collector_on_its_own():
    """Every pause in autopatch_cli goes through gcpause (the pattern above is not thread-safe)."""
    from pathlib import Path

    import autopatch_cli

    root = Path(autopatch_cli.__file__).parent
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if path.name != "gcpause.py" and ("gc.disable()" in path.read_text() or "gc.enable()" in path.read_text())]
    assert offenders == []
