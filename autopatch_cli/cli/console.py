"""The rich console of the views that draw (tick at a terminal, orchestration timeline, demo).

At a terminal it is rich's own. Piped to a file or another program, lines are not wrapped at rich's
default 80 columns (the width a pipe is given) and carry no trailing spaces (rich pads cells and lines
to the width), so the output can be grepped, diffed and pasted.
"""

from __future__ import annotations

import sys

# A piped line is as long as what it holds; this only bounds rich's layout.
PIPE_WIDTH = 400


class _StripTrailingSpaces:
    """A text stream that drops the spaces at the end of each line written through it."""

    def __init__(self, stream):
        self.stream = stream
        self.pending = ""

    def write(self, text: str) -> int:
        lines = (self.pending + text).split("\n")
        self.pending = lines.pop()
        for line in lines:
            self.stream.write(line.rstrip(" ") + "\n")
        return len(text)

    def flush(self) -> None:
        if self.pending:
            self.stream.write(self.pending.rstrip(" "))
            self.pending = ""
        self.stream.flush()

    def isatty(self) -> bool:
        return False


def console():
    """rich's Console for stdout: as is at a terminal; wide, plain and without trailing spaces when piped."""
    from rich.console import Console

    if sys.stdout.isatty():
        return Console()
    return Console(file=_StripTrailingSpaces(sys.stdout), width=PIPE_WIDTH, color_system=None,  # type: ignore[arg-type]  # rich uses only write/flush/isatty
                   force_terminal=False, soft_wrap=False)
