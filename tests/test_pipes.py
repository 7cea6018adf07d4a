"""`autopatch ... | head`: a reader that goes away ends the command quietly, with a broken pipe's status.

A Unix tool killed by SIGPIPE exits with 128 + 13 = 141 as the shell sees it; autopatch (Python ignores
SIGPIPE and raises BrokenPipeError instead) leaves with that same status and says nothing.
"""

from __future__ import annotations

import subprocess

from helpers import entry_point

BROKEN_PIPE_STATUS = 141


def _closed_reader(store, *args: str) -> tuple[int, bytes]:
    """Run autopatch with a stdout whose reader is already gone: its first write meets EPIPE, whatever
    the pipe's capacity (a reader that reads a little and then closes races with a large pipe buffer)."""
    writer = subprocess.Popen([*entry_point(), "--state", str(store), *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    writer.stdout.close()  # before the child has started: nothing will ever read
    stderr = writer.stderr.read()
    return writer.wait(timeout=120), stderr


def test_a_closed_pipe_ends_quietly_with_status_141(tmp_path):
    store = tmp_path / "demo.json"
    subprocess.run([*entry_point(), "--state", str(store), "demo", "-o", "none"], check=True)
    status, stderr = _closed_reader(store, "orchestration", "history", "-o", "json")
    assert (status, stderr) == (BROKEN_PIPE_STATUS, b"")


def test_a_small_output_into_a_closed_pipe_gives_the_same_status(tmp_path):
    status, stderr = _closed_reader(tmp_path / "state.json", "clock", "show")
    assert (status, stderr) == (BROKEN_PIPE_STATUS, b"")
