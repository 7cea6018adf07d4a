"""What the tests share beyond fixtures: import it (``from helpers import run``), never ``conftest``."""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

PASSWORD = "Sup3r$ecretPass!"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self):
        return json.loads(self.stdout)


def run(*args: str) -> Result:
    """Run autopatch in-process, as the console script does."""
    from autopatch_cli.__main__ import main
    from autopatch_cli.cli import globals as global_args

    out, err = io.StringIO(), io.StringIO()
    global_args.settings.__dict__.update(global_args.Settings().__dict__)
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return Result(code, out.getvalue(), err.getvalue())


def entry_point() -> list[str]:
    """The command line that starts autopatch in a process of its own."""
    return [sys.executable, "-m", "autopatch_cli"]
